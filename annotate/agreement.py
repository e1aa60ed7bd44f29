"""How far reviewers agree: Cohen's kappa, Fleiss' kappa, Krippendorff's
alpha (nominal) over positions, and span precision/recall/F1 (issue 9, item 6).

Pure: already-grouped data in, frozen results out; no I/O, no click.  The
input for one document is a `DocumentData`: its reviewers (everyone who
annotated it or finished it), its positions (for each, reviewer -> label; a
reviewer of the document missing from a position did not mark it) and each
reviewer's spans.  Grouping spans into positions is not done here
(``annotate/merge/``).  A position where a reviewer has several spans
(``stacked``) must reach this module with one label for that reviewer: the
caller decides which, or leaves the position out.

Choices, and why:

- ``absent="none"`` (the default) codes "a reviewer of the document did not
  mark this position" as a category of its own, so a span only one reviewer
  marked counts against agreement.  ``absent="missing"`` makes it a missing
  value, as the classic coefficients do: Krippendorff's alpha uses every
  position with values from at least two reviewers; Cohen's kappa uses the
  positions both reviewers marked; Fleiss' kappa, which needs the same
  number of values on every position, uses only the positions every
  reviewer of the document marked.  Each coefficient says how many
  positions it used and how many it skipped.
- The "not marked" category is Python's None, never a string: "none" is a
  valid label name in a taxonomy.
- A position no reviewer marked carries no information and is not a unit.
  For Cohen's kappa of two reviewers under ``absent="none"``, the units are
  the positions at least one of the two marked: positions only other
  reviewers marked would add "neither marked it" agreement that has nothing
  to do with the pair, so a pair's kappa does not change when a third
  reviewer joins.
- Per label, the coefficients are one-vs-rest over the same units as the
  coefficient for all labels: a value is the label or "anything else"
  (another label, or not marked).  For Fleiss' kappa this is exactly
  Fleiss's (1971) kappa for one category.
- Span precision/recall/F1 of a pair: the first reviewer (in name order) is
  the reference.  A span counts as matched when the other reviewer has a
  span with the same label that is identical (``exact``: same start and
  end) or shares at least one character (``overlap``).  Matching is not
  one-to-one: recall is the share of the reference's spans that some
  candidate span matches, precision the share of the candidate's spans
  that match some reference span, so swapping the pair swaps precision and
  recall and leaves F1 unchanged.  F1 is their harmonic mean, 0 when either
  is 0 (one reviewer marked nothing the other found).
- Pooled results ("overall") add the sufficient statistics of the
  documents: a pair is compared over the documents both reviewed; Fleiss'
  kappa needs every used position to have the same number of reviewers and
  otherwise says so (Krippendorff's alpha has no such need).
- An undefined coefficient is None with a reason (one category only, no
  unit to compare, ...), never a division by zero.  No document with two
  reviewers raises `TooFewReviewersError` (an `AnnotateError`: exit 2).
- Arithmetic is exact (integer tallies, `Fraction`), so results do not
  depend on the order of positions or reviewers, and perfect agreement is
  exactly 1.

Speed (issue 9's bound: 2 s for 20 reviewers x 5,000 annotations on one
1 MB document; ``benchmarks/bench_agreement.py``): one pass over the
positions tallies category counts per position; pairwise confusion tables come from
per-(reviewer, label) bit sets of positions (an AND and a popcount per
pair of categories); span matches come from, for each span, the bit set of
reviewers with a matching span (a dictionary for exact matches; for
overlaps, a sweep over every reviewer's coverage and a sparse table of
range ORs), counted per reviewer with a packed popcount.  Nothing compares
all pairs of positions or of spans.
"""

from __future__ import annotations

import itertools
import sys
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal, TypedDict

from annotate.errors import TooFewReviewersError

Absent = Literal["none", "missing"]
Matching = Literal["exact", "overlap"]
CoefficientName = Literal["cohen_kappa", "fleiss_kappa", "krippendorff_alpha"]

ABSENT_MODES: tuple[Absent, ...] = ("none", "missing")

# A value of the reliability data: a label, or None for "this reviewer of
# the document did not mark this position" (absent="none"), and, per label,
# for "anything but this label".
Category = str | None

# Floats in the JSON output are rounded to this many decimals, so golden
# files do not change with the last bit of a division.
JSON_DECIMALS = 6


# Defined here rather than in errors.py so that this module's branch touches
# no shared file while the command is being wired; errors.py is its home.
# --- input --------------------------------------------------------------------

@dataclass(frozen=True)
class Span:
    """One reviewer's labelled span: code-point offsets, end exclusive."""

    start: int
    end: int
    label: str


@dataclass(frozen=True)
class DocumentData:
    """One document's reliability data: its reviewers, positions and spans.

    ``reviewers``: everyone who annotated the document or finished it.
    ``positions``: for each position, reviewer -> label; a reviewer of the
    document missing from it did not mark the position.
    ``spans``: reviewer -> their spans; a reviewer without spans may be left out.
    """

    document: str
    reviewers: AbstractSet[str]
    positions: Sequence[Mapping[str, str]] = ()
    spans: Mapping[str, Sequence[Span]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A reviewer unknown to the document is the caller's bug, and would
        # silently change every coefficient: refuse it.
        for number, position in enumerate(self.positions, 1):
            strangers = set(position) - set(self.reviewers)
            if strangers:
                raise ValueError(f"{self.document}: position {number} has labels from "
                                 f"{sorted(strangers)}, who are not among its reviewers")
        strangers = set(self.spans) - set(self.reviewers)
        if strangers:
            raise ValueError(f"{self.document}: spans of {sorted(strangers)}, "
                             "who are not among its reviewers")
        for reviewer, spans in self.spans.items():
            for span in spans:
                if not 0 <= span.start < span.end:
                    raise ValueError(f"{self.document}: {reviewer}'s span "
                                     f"{span.start}-{span.end} is empty or reversed")


# --- results ------------------------------------------------------------------

@dataclass(frozen=True)
class Coefficient:
    """A chance-corrected coefficient, or None and the reason it is undefined.

    All three have the form (observed - expected) / (1 - expected), where the
    agreements are p_o and p_e (Cohen), P-bar and P-bar_e (Fleiss), and
    1 - D_o and 1 - D_e (Krippendorff).  ``positions`` were used;
    ``skipped`` positions of the same documents were not (see the module
    docstring for which); ``reviewers`` gave the values used.
    """

    name: CoefficientName
    value: float | None
    observed: float | None
    expected: float | None
    positions: int
    reviewers: int
    skipped: int
    reason: str | None = None


@dataclass(frozen=True)
class SpanScores:
    """A candidate reviewer's spans against a reference reviewer's, one matching rule.

    ``found``: reference spans some candidate span matches (recall's
    numerator); ``correct``: candidate spans that match some reference span
    (precision's numerator).
    """

    matching: Matching
    reference: str
    candidate: str
    reference_spans: int
    candidate_spans: int
    found: int
    correct: int
    precision: float | None
    recall: float | None
    f1: float | None
    reason: str | None = None


@dataclass(frozen=True)
class PairAgreement:
    """Two reviewers (the first, by name, is the span reference): kappa and span scores."""

    reviewers: tuple[str, str]
    cohen_kappa: Coefficient
    exact: SpanScores
    overlap: SpanScores


@dataclass(frozen=True)
class Agreement:
    """Every result for one scope (a document, or all) and one label (None: all labels)."""

    label: str | None
    positions: int
    reviewers: int
    fleiss_kappa: Coefficient
    krippendorff_alpha: Coefficient
    pairs: tuple[PairAgreement, ...]


@dataclass(frozen=True)
class ScopeAgreement:
    """One document's results (document None: pooled over all), for all labels and per label."""

    document: str | None
    all_labels: Agreement
    labels: tuple[Agreement, ...]


@dataclass(frozen=True)
class AgreementReport:
    """Results per document and pooled over all of them.

    The caller that grouped the spans may record how (``min_overlap``) and
    how many positions of each document it left out before they reached
    this module (``stacked_skipped``: stacked positions where a reviewer's
    spans carry different labels), so the output can say so.
    """

    absent: Absent
    documents: tuple[ScopeAgreement, ...]
    overall: ScopeAgreement
    min_overlap: float | None = None
    stacked_skipped: Mapping[str, int] = field(default_factory=dict)


# --- JSON shapes ----------------------------------------------------------------

class CoefficientJSON(TypedDict):
    """A coefficient in the JSON output."""

    expected_agreement: float | None
    observed_agreement: float | None
    positions: int
    reason: str | None
    reviewers: int
    skipped_positions: int
    value: float | None


class SpanScoresJSON(TypedDict):
    """Span scores in the JSON output."""

    candidate: str
    candidate_spans: int
    correct: int
    f1: float | None
    found: int
    precision: float | None
    reason: str | None
    recall: float | None
    reference: str
    reference_spans: int


class PairJSON(TypedDict):
    """A pair of reviewers in the JSON output."""

    cohen_kappa: CoefficientJSON
    exact: SpanScoresJSON
    overlap: SpanScoresJSON
    reviewers: list[str]


class AgreementJSON(TypedDict):
    """One scope and label in the JSON output."""

    fleiss_kappa: CoefficientJSON
    krippendorff_alpha: CoefficientJSON
    pairs: list[PairJSON]
    positions: int
    reviewers: int


class ScopeJSON(TypedDict):
    """A document (or the pooled scope, document null) in the JSON output."""

    all_labels: AgreementJSON
    document: str | None
    labels: dict[str, AgreementJSON]


class ReportJSON(TypedDict):
    """The whole report in the JSON output."""

    absent: str
    documents: list[ScopeJSON]
    min_overlap: float | None
    overall: ScopeJSON
    stacked_skipped: dict[str, int]


# --- sufficient statistics --------------------------------------------------------

@dataclass
class _Counts:
    """Category counts over the units that carry the same number m of values."""

    units: int = 0
    totals: Counter[Category] = field(default_factory=Counter)  # sum of n_uc
    squares: Counter[Category] = field(default_factory=Counter)  # sum of n_uc squared

    def add_unit(self, counts: Mapping[Category, int]) -> None:
        """Count one unit's values."""
        self.units += 1
        for category, n in counts.items():
            self.totals[category] += n
            self.squares[category] += n * n

    def add(self, other: _Counts) -> None:
        """Add another tally's counts to this one."""
        self.units += other.units
        self.totals.update(other.totals)
        self.squares.update(other.squares)

    def one_vs_rest(self, label: str, m: int) -> _Counts:
        """The same units, every value recoded as label or None (anything else)."""
        total, square = self.totals[label], self.squares[label]
        # sum over units of (m - n_u)^2, expanded: no pass over the units again
        rest_square = self.units * m * m - 2 * m * total + square
        return _Counts(self.units, Counter({label: total, None: self.units * m - total}),
                       Counter({label: square, None: rest_square}))


@dataclass
class _SpanTally:
    """Span counts of a pair for one label: sizes and matches each way."""

    first_spans: int = 0
    second_spans: int = 0
    exact_first: int = 0  # first's spans the second matches exactly
    exact_second: int = 0
    overlap_first: int = 0
    overlap_second: int = 0

    def add(self, other: _SpanTally) -> None:
        """Add another tally's counts to this one."""
        self.first_spans += other.first_spans
        self.second_spans += other.second_spans
        self.exact_first += other.exact_first
        self.exact_second += other.exact_second
        self.overlap_first += other.overlap_first
        self.overlap_second += other.overlap_second


@dataclass
class _PairTally:
    """What a pair's kappa and span scores are computed from."""

    units: int = 0  # positions of the documents both reviewed
    confusion: Counter[tuple[Category, Category]] = field(default_factory=Counter)
    spans: dict[str, _SpanTally] = field(default_factory=dict)  # by label

    def add(self, other: _PairTally) -> None:
        """Add another tally's counts to this one."""
        self.units += other.units
        self.confusion.update(other.confusion)
        for label, tally in other.spans.items():
            self.spans.setdefault(label, _SpanTally()).add(tally)


@dataclass
class _Tally:
    """Sufficient statistics of one document, or of several added together."""

    positions: int = 0
    reviewers: set[str] = field(default_factory=set)
    labels: set[str] = field(default_factory=set)
    alpha: dict[int, _Counts] = field(default_factory=dict)  # by values per unit
    alpha_reviewers: set[str] = field(default_factory=set)
    fleiss: dict[int, _Counts] = field(default_factory=dict)  # complete units, by reviewers
    fleiss_reviewers: set[str] = field(default_factory=set)
    pairs: dict[tuple[str, str], _PairTally] = field(default_factory=dict)

    def add(self, other: _Tally) -> None:
        """Add another tally's counts to this one."""
        self.positions += other.positions
        self.reviewers |= other.reviewers
        self.labels |= other.labels
        for mine, theirs in ((self.alpha, other.alpha), (self.fleiss, other.fleiss)):
            for m, counts in theirs.items():
                mine.setdefault(m, _Counts()).add(counts)
        self.alpha_reviewers |= other.alpha_reviewers
        self.fleiss_reviewers |= other.fleiss_reviewers
        for pair, tally in other.pairs.items():
            self.pairs.setdefault(pair, _PairTally()).add(tally)


def _check_absent(absent: str) -> None:
    if absent not in ABSENT_MODES:
        raise ValueError(f"absent must be one of {ABSENT_MODES}, not {absent!r}")


def _tally(document: DocumentData, absent: Absent, *, pairs: bool = True,
           spans: bool = True, only: AbstractSet[str] | None = None) -> _Tally:
    """One document's statistics; pairs and spans only among ``only`` if given."""
    reviewers = sorted(document.reviewers)
    units = [position for position in document.positions if position]
    tally = _Tally(positions=len(units), reviewers=set(reviewers))
    for position in units:
        tally.labels.update(position.values())
    for reviewer_spans in document.spans.values():
        tally.labels.update(span.label for span in reviewer_spans)
    if len(reviewers) < 2:
        return tally

    every = len(reviewers)
    for position in units:
        counts: Counter[Category] = Counter(position.values())
        if absent == "none":
            m = every
            if len(position) < every:
                counts[None] = every - len(position)
        else:
            m = len(position)
            if m >= 2:
                tally.alpha_reviewers.update(position)
        if m >= 2:
            tally.alpha.setdefault(m, _Counts()).add_unit(counts)
    if absent == "none" and units:
        tally.alpha_reviewers.update(reviewers)
    # Within one document the complete units are exactly those with a value
    # from every reviewer: Fleiss' kappa's units.
    if every in tally.alpha:
        tally.fleiss[every] = tally.alpha[every]
        tally.fleiss_reviewers.update(reviewers)

    compared = [r for r in reviewers if only is None or r in only]
    if pairs:
        _pair_confusions(tally, units, compared, absent)
    if spans:
        _pair_spans(tally, document, compared)
    return tally


def _bits(indices: Iterable[int], size: int) -> int:
    """The set of unit indices as an integer bit set, built in linear time."""
    buffer = bytearray((size + 7) // 8)
    for index in indices:
        buffer[index >> 3] |= 1 << (index & 7)
    return int.from_bytes(buffer, "little")


def _pair_confusions(tally: _Tally, units: Sequence[Mapping[str, str]],
                     reviewers: Sequence[str], absent: Absent) -> None:
    """Every pair's confusion table, from per-(reviewer, category) bit sets of units."""
    members: defaultdict[tuple[str, str], list[int]] = defaultdict(list)
    for index, position in enumerate(units):
        for reviewer, label in position.items():
            members[reviewer, label].append(index)
    categories: dict[str, dict[Category, int]] = {reviewer: {} for reviewer in reviewers}
    for (reviewer, label), indices in members.items():
        if reviewer in categories:
            categories[reviewer][label] = _bits(indices, len(units))
    if absent == "none":
        everything = (1 << len(units)) - 1
        for own in categories.values():
            marked = 0
            for bits in own.values():
                marked |= bits
            if everything & ~marked:
                own[None] = everything & ~marked
    for first, second in itertools.combinations(reviewers, 2):
        pair = tally.pairs.setdefault((first, second), _PairTally())
        pair.units += len(units)
        for x, first_bits in categories[first].items():
            for y, second_bits in categories[second].items():
                if x is None and y is None:
                    continue  # neither of the two marked it: not their unit
                n = (first_bits & second_bits).bit_count()
                if n:
                    pair.confusion[x, y] += n


def _coverage(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The characters the spans cover, as sorted disjoint intervals that do not touch."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _exact_masks(spans: Mapping[int, Sequence[tuple[int, int]]]) -> dict[int, list[int]]:
    """For each span, the bit set of reviewers with a span of the same start and end."""
    holders: defaultdict[tuple[int, int], int] = defaultdict(int)
    for reviewer, own in spans.items():
        for key in own:
            holders[key] |= 1 << reviewer
    return {reviewer: [holders[key] for key in own] for reviewer, own in spans.items()}


def _overlap_masks(spans: Mapping[int, Sequence[tuple[int, int]]]) -> dict[int, list[int]]:
    """For each span, the bit set of reviewers with a span sharing a character with it.

    The boundaries of every reviewer's coverage cut the text into segments,
    each with the set of reviewers covering it; a span's answer is the OR
    over the segments it meets, read from a sparse table in O(1).
    """
    toggles: defaultdict[int, int] = defaultdict(int)
    for reviewer, own in spans.items():
        for start, end in _coverage(own):
            # coverage intervals of one reviewer never touch, so a point
            # only starts or only ends it: XOR toggles it
            toggles[start] ^= 1 << reviewer
            toggles[end] ^= 1 << reviewer
    points = sorted(toggles)
    segments: list[int] = []
    covering = 0
    for point in points:
        covering ^= toggles[point]
        segments.append(covering)
    ranges = {reviewer: [(bisect_right(points, start) - 1, bisect_left(points, end) - 1)
                         for start, end in own]
              for reviewer, own in spans.items()}
    longest = max((last - first + 1 for own in ranges.values() for first, last in own),
                  default=1)
    table = [segments]  # table[j][k]: OR of segments k .. k + 2**j - 1
    width = 1
    while width * 2 <= longest:
        previous = table[-1]
        table.append([x | y for x, y in zip(previous, previous[width:], strict=False)])
        width *= 2
    masks: dict[int, list[int]] = {}
    for reviewer, own in ranges.items():
        row_masks = []
        for first, last in own:
            level = (last - first + 1).bit_length() - 1
            row = table[level]
            row_masks.append(row[first] | row[last - (1 << level) + 1])
        masks[reviewer] = row_masks
    return masks


def _bit_counts(masks: Sequence[int], width: int) -> list[int]:
    """For each bit 0 .. width-1, how many of the masks have it set.

    The masks are packed into one integer, 64 bits a mask, so each count is
    one AND and one popcount instead of a Python loop over the masks.
    """
    counts = [0] * width
    if not masks:
        return counts
    ones = int.from_bytes((array("Q", [1]) * len(masks)).tobytes(), sys.byteorder)
    for low in range(0, width, 64):
        lanes = array("Q", [(mask >> low) & 0xFFFF_FFFF_FFFF_FFFF for mask in masks])
        packed = int.from_bytes(lanes.tobytes(), sys.byteorder)
        for bit in range(low, min(width, low + 64)):
            counts[bit] = (packed & (ones << (bit - low))).bit_count()
    return counts


def _pair_spans(tally: _Tally, document: DocumentData, reviewers: Sequence[str]) -> None:
    """Every pair's span counts and matches, per label."""
    grouped: defaultdict[str, dict[int, list[tuple[int, int]]]] = defaultdict(dict)
    for number, reviewer in enumerate(reviewers):
        for span in document.spans.get(reviewer, ()):
            grouped[span.label].setdefault(number, []).append((span.start, span.end))
    for label, spans in grouped.items():
        exact = {reviewer: _bit_counts(masks, len(reviewers))
                 for reviewer, masks in _exact_masks(spans).items()}
        overlap = {reviewer: _bit_counts(masks, len(reviewers))
                   for reviewer, masks in _overlap_masks(spans).items()}
        nothing = [0] * len(reviewers)
        for (i, first), (j, second) in itertools.combinations(enumerate(reviewers), 2):
            if i not in spans and j not in spans:
                continue
            pair = tally.pairs.setdefault((first, second), _PairTally())
            pair.spans[label] = _SpanTally(
                first_spans=len(spans.get(i, ())), second_spans=len(spans.get(j, ())),
                exact_first=exact.get(i, nothing)[j], exact_second=exact.get(j, nothing)[i],
                overlap_first=overlap.get(i, nothing)[j],
                overlap_second=overlap.get(j, nothing)[i])


# --- coefficients from statistics ----------------------------------------------------

def _describe(category: Category, label: str | None) -> str:
    if category is not None:
        return repr(category)
    return f"anything but {label!r}" if label is not None else "not marked"


def _coefficient(name: CoefficientName, observed: Fraction, expected: Fraction,
                 positions: int, reviewers: int, skipped: int, only: Category,
                 label: str | None) -> Coefficient:
    """(observed - expected) / (1 - expected), or None when chance agreement is certain."""
    if expected == 1:
        return Coefficient(name, None, float(observed), float(expected), positions, reviewers,
                           skipped, f"every value is {_describe(only, label)}: with one "
                           "category, chance agreement is 1 and the coefficient is undefined")
    value = (observed - expected) / (1 - expected)
    return Coefficient(name, float(value), float(observed), float(expected), positions,
                       reviewers, skipped)


def _undefined(name: CoefficientName, positions: int, reviewers: int, skipped: int,
               reason: str) -> Coefficient:
    return Coefficient(name, None, None, None, positions, reviewers, skipped, reason)


def _only_category(totals: Mapping[Category, int]) -> Category:
    return next((category for category, n in totals.items() if n), None)


def _fleiss(tally: _Tally, label: str | None, absent: Absent) -> Coefficient:
    """Fleiss (1971): P-bar over units with m values each, P-bar_e from pooled proportions."""
    counts = {m: c.one_vs_rest(label, m) if label is not None else c
              for m, c in tally.fleiss.items() if c.units}
    units = sum(c.units for c in counts.values())
    skipped = tally.positions - units
    reviewers = len(tally.fleiss_reviewers)
    if not counts:
        reason = ("no position to compare" if absent == "none" else
                  "no position was marked by every reviewer of its document (Fleiss' kappa "
                  "needs a value from each; krippendorff_alpha does not)")
        return _undefined("fleiss_kappa", 0, 0, skipped, reason)
    if len(counts) > 1:
        sizes = ", ".join(str(m) for m in sorted(counts))
        return _undefined("fleiss_kappa", units, reviewers, skipped,
                          f"documents have different numbers of reviewers ({sizes}): Fleiss' "
                          "kappa needs the same number on every position; "
                          "krippendorff_alpha does not")
    ((m, c),) = counts.items()
    values = units * m
    observed = Fraction(sum(c.squares.values()) - values, values * (m - 1))
    expected = Fraction(sum(n * n for n in c.totals.values()), values * values)
    return _coefficient("fleiss_kappa", observed, expected, units, reviewers, skipped,
                        _only_category(c.totals), label)


def _alpha(tally: _Tally, label: str | None) -> Coefficient:
    """Krippendorff's alpha, nominal: 1 - D_o / D_e over the pairable values.

    Written as (A_o - A_e) / (1 - A_e) with A = 1 - D, where
    D_o = (1/n) sum_u (m_u^2 - sum_c n_uc^2) / (m_u - 1) and
    D_e = (n^2 - sum_c n_c^2) / (n (n - 1)) (Krippendorff 2011).
    """
    counts = {m: c.one_vs_rest(label, m) if label is not None else c
              for m, c in tally.alpha.items() if c.units}
    units = sum(c.units for c in counts.values())
    skipped = tally.positions - units
    if not counts:
        return _undefined("krippendorff_alpha", 0, 0, skipped,
                          "no position has values from two reviewers")
    n = 0
    disagreement = Fraction(0)
    totals: Counter[Category] = Counter()
    for m, c in counts.items():
        n += c.units * m
        disagreement += Fraction(c.units * m * m - sum(c.squares.values()), m - 1)
        totals.update(c.totals)
    observed = 1 - disagreement / n
    expected = 1 - Fraction(n * n - sum(v * v for v in totals.values()), n * (n - 1))
    return _coefficient("krippendorff_alpha", observed, expected, units,
                        len(tally.alpha_reviewers), skipped, _only_category(totals), label)


def _cohen(pair: tuple[str, str], tally: _PairTally, label: str | None,
           absent: Absent) -> Coefficient:
    """Cohen (1960): p_o from the confusion table's diagonal, p_e from each reviewer's marginals."""
    confusion: Counter[tuple[Category, Category]]
    if label is None:
        confusion = tally.confusion
    else:
        confusion = Counter()
        for (x, y), count in tally.confusion.items():
            confusion[x if x == label else None, y if y == label else None] += count
    n = sum(confusion.values())
    if not n:
        first, second = pair
        reason = (f"neither {first} nor {second} marked a position" if absent == "none" else
                  f"no position was marked by both {first} and {second}")
        return _undefined("cohen_kappa", 0, 0, tally.units, reason)
    rows: Counter[Category] = Counter()
    columns: Counter[Category] = Counter()
    agreeing = 0
    for (x, y), count in confusion.items():
        rows[x] += count
        columns[y] += count
        if x == y:
            agreeing += count
    observed = Fraction(agreeing, n)
    expected = Fraction(sum(rows[c] * columns[c] for c in rows), n * n)
    return _coefficient("cohen_kappa", observed, expected, n, 2, tally.units - n,
                        _only_category(rows + columns), label)


def _span_scores(pair: tuple[str, str], tally: _SpanTally, matching: Matching) -> SpanScores:
    """Precision and recall of the second reviewer against the first, and F1."""
    reference, candidate = pair
    if matching == "exact":
        found, correct = tally.exact_first, tally.exact_second
    else:
        found, correct = tally.overlap_first, tally.overlap_second
    recall = found / tally.first_spans if tally.first_spans else None
    precision = correct / tally.second_spans if tally.second_spans else None
    reason = None
    if recall is None and precision is None:
        reason = f"neither {reference} nor {candidate} marked a span"
    elif recall is None:
        reason = f"{reference} (the reference) marked no span: recall is undefined"
    elif precision is None:
        reason = f"{candidate} marked no span: precision is undefined"
    f1: float | None
    if recall == 0 or precision == 0:
        f1 = 0.0  # the harmonic mean is 0 when either is 0, even if the other is undefined
    elif recall is None or precision is None:
        f1 = None
    else:
        f1 = 2 * precision * recall / (precision + recall)
    return SpanScores(matching, reference, candidate, tally.first_spans, tally.second_spans,
                      found, correct, precision, recall, f1, reason)


def _pair_span_tally(tally: _PairTally, label: str | None) -> _SpanTally:
    if label is not None:
        return tally.spans.get(label, _SpanTally())
    total = _SpanTally()
    for per_label in tally.spans.values():
        total.add(per_label)
    return total


def _agreement(tally: _Tally, label: str | None, absent: Absent) -> Agreement:
    """Every coefficient of one scope for one label (or all)."""
    if len(tally.reviewers) < 2:
        names = ", ".join(sorted(tally.reviewers)) or "none"
        reason = (f"agreement needs at least two reviewers; this document has "
                  f"{len(tally.reviewers)} ({names})")
        fleiss = _undefined("fleiss_kappa", 0, 0, tally.positions, reason)
        alpha = _undefined("krippendorff_alpha", 0, 0, tally.positions, reason)
    else:
        fleiss = _fleiss(tally, label, absent)
        alpha = _alpha(tally, label)
    pairs = []
    for pair in sorted(tally.pairs):
        pair_tally = tally.pairs[pair]
        spans = _pair_span_tally(pair_tally, label)
        pairs.append(PairAgreement(pair, _cohen(pair, pair_tally, label, absent),
                                   _span_scores(pair, spans, "exact"),
                                   _span_scores(pair, spans, "overlap")))
    return Agreement(label, tally.positions, len(tally.reviewers), fleiss, alpha, tuple(pairs))


def _scope(document: str | None, tally: _Tally, absent: Absent) -> ScopeAgreement:
    return ScopeAgreement(document, _agreement(tally, None, absent),
                          tuple(_agreement(tally, label, absent)
                                for label in sorted(tally.labels)))


# --- public functions ------------------------------------------------------------

def _documents(documents: DocumentData | Sequence[DocumentData]) -> list[DocumentData]:
    listed = [documents] if isinstance(documents, DocumentData) else list(documents)
    ids = Counter(document.document for document in listed)
    repeated = sorted(name for name, count in ids.items() if count > 1)
    if repeated:
        raise ValueError(f"documents given more than once: {', '.join(repeated)}")
    return sorted(listed, key=lambda document: document.document)


def _require_two(documents: Sequence[DocumentData]) -> None:
    if any(len(document.reviewers) >= 2 for document in documents):
        return
    if len(documents) == 1:
        (document,) = documents
        names = ", ".join(sorted(document.reviewers)) or "nobody"
        raise TooFewReviewersError(
            f"agreement needs at least two reviewers: {document.document} has "
            f"{len(document.reviewers)} ({names}); a reviewer counts once they annotate "
            "the document or mark it finished")
    raise TooFewReviewersError(
        f"agreement needs at least two reviewers: none of the {len(documents)} documents "
        "has two; a reviewer counts once they annotate a document or mark it finished")


def _pooled(documents: Sequence[DocumentData], absent: Absent, *, pairs: bool = True,
            spans: bool = True, only: AbstractSet[str] | None = None) -> _Tally:
    total = _Tally()
    for document in documents:
        total.add(_tally(document, absent, pairs=pairs, spans=spans, only=only))
    return total


def agreement(documents: DocumentData | Sequence[DocumentData], *,
              absent: Absent = "none") -> AgreementReport:
    """Every coefficient per document and pooled, for all labels and per label."""
    _check_absent(absent)
    listed = _documents(documents)
    _require_two(listed)
    tallies = [_tally(document, absent) for document in listed]
    total = _Tally()
    for tally in tallies:
        total.add(tally)
    return AgreementReport(
        absent,
        tuple(_scope(document.document, tally, absent)
              for document, tally in zip(listed, tallies, strict=True)),
        _scope(None, total, absent))


def cohen_kappa(documents: DocumentData | Sequence[DocumentData], first: str, second: str, *,
                absent: Absent = "none", label: str | None = None) -> Coefficient:
    """Cohen's kappa of two reviewers over the positions of the documents both reviewed."""
    _check_absent(absent)
    if first == second:
        raise ValueError("Cohen's kappa compares two different reviewers")
    pair = (first, second) if first < second else (second, first)
    shared = [document for document in _documents(documents)
              if first in document.reviewers and second in document.reviewers]
    tally = _pooled(shared, absent, spans=False, only={first, second})
    if pair not in tally.pairs:
        return _undefined("cohen_kappa", 0, 0, 0,
                          f"{pair[0]} and {pair[1]} reviewed no document in common")
    return _cohen(pair, tally.pairs[pair], label, absent)


def fleiss_kappa(documents: DocumentData | Sequence[DocumentData], *,
                 absent: Absent = "none", label: str | None = None) -> Coefficient:
    """Fleiss' kappa over every reviewer of the documents' positions."""
    _check_absent(absent)
    listed = _documents(documents)
    _require_two(listed)
    return _fleiss(_pooled(listed, absent, pairs=False, spans=False), label, absent)


def krippendorff_alpha(documents: DocumentData | Sequence[DocumentData], *,
                       absent: Absent = "none", label: str | None = None) -> Coefficient:
    """Krippendorff's alpha (nominal) over every reviewer of the documents' positions."""
    _check_absent(absent)
    listed = _documents(documents)
    _require_two(listed)
    return _alpha(_pooled(listed, absent, pairs=False, spans=False), label)


def span_scores(documents: DocumentData | Sequence[DocumentData], reference: str,
                candidate: str, *, matching: Matching = "exact",
                label: str | None = None) -> SpanScores:
    """Precision, recall and F1 of candidate's spans against reference's, over shared documents."""
    if matching not in ("exact", "overlap"):
        raise ValueError(f"matching must be 'exact' or 'overlap', not {matching!r}")
    if reference == candidate:
        raise ValueError("span scores compare two different reviewers")
    shared = [document for document in _documents(documents)
              if reference in document.reviewers and candidate in document.reviewers]
    tally = _pooled(shared, "none", pairs=False, only={reference, candidate})
    pair = (reference, candidate) if reference < candidate else (candidate, reference)
    spans = _pair_span_tally(tally.pairs.get(pair, _PairTally()), label)
    if pair != (reference, candidate):
        spans = _SpanTally(spans.second_spans, spans.first_spans, spans.exact_second,
                           spans.exact_first, spans.overlap_second, spans.overlap_first)
    return _span_scores((reference, candidate), spans, matching)


# --- JSON ------------------------------------------------------------------------

def _round(value: float | None) -> float | None:
    return None if value is None else round(value, JSON_DECIMALS)


def _coefficient_json(coefficient: Coefficient) -> CoefficientJSON:
    return {"expected_agreement": _round(coefficient.expected),
            "observed_agreement": _round(coefficient.observed),
            "positions": coefficient.positions,
            "reason": coefficient.reason,
            "reviewers": coefficient.reviewers,
            "skipped_positions": coefficient.skipped,
            "value": _round(coefficient.value)}


def _span_json(scores: SpanScores) -> SpanScoresJSON:
    return {"candidate": scores.candidate,
            "candidate_spans": scores.candidate_spans,
            "correct": scores.correct,
            "f1": _round(scores.f1),
            "found": scores.found,
            "precision": _round(scores.precision),
            "reason": scores.reason,
            "recall": _round(scores.recall),
            "reference": scores.reference,
            "reference_spans": scores.reference_spans}


def _agreement_json(result: Agreement) -> AgreementJSON:
    return {"fleiss_kappa": _coefficient_json(result.fleiss_kappa),
            "krippendorff_alpha": _coefficient_json(result.krippendorff_alpha),
            "pairs": [{"cohen_kappa": _coefficient_json(pair.cohen_kappa),
                       "exact": _span_json(pair.exact),
                       "overlap": _span_json(pair.overlap),
                       "reviewers": list(pair.reviewers)}
                      for pair in result.pairs],
            "positions": result.positions,
            "reviewers": result.reviewers}


def _scope_json(scope: ScopeAgreement) -> ScopeJSON:
    return {"all_labels": _agreement_json(scope.all_labels),
            "document": scope.document,
            "labels": {result.label: _agreement_json(result)
                       for result in scope.labels if result.label is not None}}


def to_json(report: AgreementReport) -> ReportJSON:
    """The report as JSON-ready data: keys sorted at every level, lists in name order."""
    return {"absent": report.absent,
            "documents": [_scope_json(scope) for scope in report.documents],
            "min_overlap": report.min_overlap,
            "overall": _scope_json(report.overall),
            "stacked_skipped": dict(sorted(report.stacked_skipped.items()))}
