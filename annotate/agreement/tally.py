"""The sufficient statistics of the agreement measures, and how they are computed.

`_tally` reads one document into a `_Tally`: category counts per number
of values on a position (Fleiss' kappa and Krippendorff's alpha), and per
pair of reviewers a confusion table (Cohen's kappa) and, per label, span
counts and matches (span precision/recall/F1).  Tallies add up across
documents (``add``), which is how the pooled results are made; the
coefficients are computed from them in ``coefficients.py``.

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

from annotate.agreement.data import Absent, Category, DocumentData

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
