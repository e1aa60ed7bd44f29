"""Property-based tests of annotate/agreement/: every coefficient equals
a second, naive computation straight from its textbook definition, on small
random documents; and the invariances a coefficient must have.

The naive versions build what the module never builds: Krippendorff's
coincidence matrix from every ordered pair of values in a unit, Fleiss'
per-subject agreements P_i, Cohen's confusion matrix with scikit-learn's
formula 1 - sum(w * C) / sum(w * E), and span matches by comparing every
pair of spans.  Both sides use exact fractions, so results must be equal,
not close.  Labels include "none", which must never be confused with "not
marked".
"""

from __future__ import annotations

import itertools
import random
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.agreement import (
    Absent,
    DocumentData,
    Span,
    agreement,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    span_scores,
    to_json,
)

NAMES = ("ann", "bob", "cy", "dee", "eve")
LABELS = ("x", "y", "z", "none")
NOT_MARKED = "<not marked>"  # test-only; no label has angle brackets
REST = "<rest>"
SETTINGS = settings(max_examples=100, deadline=None)
MODES: tuple[Absent, ...] = ("none", "missing")


@st.composite
def spans(draw: st.DrawFn) -> Span:
    start = draw(st.integers(0, 40))
    return Span(start, start + draw(st.integers(1, 10)), draw(st.sampled_from(LABELS)))


@st.composite
def documents(draw: st.DrawFn, name: str = "d.txt",
              reviewers: Sequence[str] | None = None) -> DocumentData:
    names = list(reviewers) if reviewers is not None else draw(
        st.lists(st.sampled_from(NAMES), min_size=2, max_size=5, unique=True))
    positions = draw(st.lists(
        st.dictionaries(st.sampled_from(names), st.sampled_from(LABELS)), max_size=12))
    marked = draw(st.dictionaries(st.sampled_from(names), st.lists(spans(), max_size=8)))
    return DocumentData(name, frozenset(names), positions, marked)


@st.composite
def corpora(draw: st.DrawFn) -> list[DocumentData]:
    count = draw(st.integers(1, 3))
    return [draw(documents(name=f"{number}.txt")) for number in range(count)]


# --- naive coefficients ---------------------------------------------------------

def units(document: DocumentData, absent: Absent) -> Iterator[list[str]]:
    """Each position's values, as the classic reliability-data matrix column."""
    reviewers = sorted(document.reviewers)
    for position in document.positions:
        if not position:
            continue
        if absent == "none":
            yield [position.get(reviewer, NOT_MARKED) for reviewer in reviewers]
        else:
            yield list(position.values())


def recoded(values: list[str], label: str | None) -> list[str]:
    return values if label is None else [v if v == label else REST for v in values]


def naive_alpha(columns: list[list[str]]) -> Fraction | None:
    """Krippendorff (2011): coincidences o_ck over ordered pairs of values within units."""
    coincidences: defaultdict[tuple[str, str], Fraction] = defaultdict(Fraction)
    for column in columns:
        m = len(column)
        if m < 2:
            continue
        for i, j in itertools.permutations(range(m), 2):
            coincidences[column[i], column[j]] += Fraction(1, m - 1)
    marginals: defaultdict[str, Fraction] = defaultdict(Fraction)
    for (c, _), o in coincidences.items():
        marginals[c] += o
    n = sum(marginals.values())
    if not n:
        return None
    observed = sum(o for (c, k), o in coincidences.items() if c != k) / Fraction(n)
    expected = Fraction(sum(marginals[c] * marginals[k] for c in marginals for k in marginals
                            if c != k), n * (n - 1))
    return None if expected == 0 else 1 - observed / expected


def naive_fleiss(columns: list[list[str]]) -> Fraction | None:
    """Fleiss (1971) as Wikipedia computes it: P_i per subject, p_j per category."""
    sizes = {len(column) for column in columns}
    if len(sizes) != 1 or min(sizes) < 2:
        return None
    (m,) = sizes
    tables = [Counter(column) for column in columns]
    p_i = [Fraction(sum(n * (n - 1) for n in table.values()), m * (m - 1)) for table in tables]
    p_bar = sum(p_i) / Fraction(len(columns))
    totals: Counter[str] = Counter()
    for table in tables:
        totals.update(table)
    p_e = sum(Fraction(n, len(columns) * m) ** 2 for n in totals.values())
    return None if p_e == 1 else (p_bar - p_e) / (1 - p_e)


def naive_cohen(pairs: list[tuple[str, str]]) -> Fraction | None:
    """scikit-learn's cohen_kappa_score: 1 - sum(w C) / sum(w E), w = 1 off the diagonal."""
    if not pairs:
        return None
    categories = sorted({c for pair in pairs for c in pair})
    confusion = Counter(pairs)
    rows = Counter(x for x, _ in pairs)
    columns = Counter(y for _, y in pairs)
    n = len(pairs)
    disagreeing = sum(confusion[x, y] for x in categories for y in categories if x != y)
    chance = sum(Fraction(rows[x] * columns[y], n) for x in categories for y in categories
                 if x != y)
    return None if chance == 0 else 1 - disagreeing / chance


def pair_values(documents: list[DocumentData], first: str, second: str,
                absent: Absent) -> list[tuple[str, str]]:
    result = []
    for document in documents:
        if first not in document.reviewers or second not in document.reviewers:
            continue
        for position in document.positions:
            x, y = position.get(first), position.get(second)
            if absent == "missing" and (x is None or y is None):
                continue
            if x is None and y is None:
                continue
            result.append((x or NOT_MARKED, y or NOT_MARKED))
    return result


def as_float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def has_two(documents: list[DocumentData]) -> bool:
    return any(len(document.reviewers) >= 2 for document in documents)


# --- coefficients equal their naive computation -----------------------------------

@SETTINGS
@given(corpora(), st.sampled_from(MODES), st.sampled_from((None, *LABELS)))
def test_alpha_equals_the_coincidence_matrix_computation(
        corpus: list[DocumentData], absent: Absent, label: str | None) -> None:
    columns = [recoded(column, label) for document in corpus for column in units(document, absent)]
    alpha = krippendorff_alpha(corpus, absent=absent, label=label)
    assert alpha.value == as_float(naive_alpha(columns))
    assert alpha.positions == sum(len(column) >= 2 for column in columns)
    assert alpha.positions + alpha.skipped == len(columns)


@SETTINGS
@given(corpora(), st.sampled_from(MODES), st.sampled_from((None, *LABELS)))
def test_fleiss_equals_the_per_subject_computation(
        corpus: list[DocumentData], absent: Absent, label: str | None) -> None:
    # Fleiss' units: positions with a value from every reviewer of the document
    columns = [recoded(column, label) for document in corpus
               for column in units(document, absent) if len(column) == len(document.reviewers)]
    kappa = fleiss_kappa(corpus, absent=absent, label=label)
    assert kappa.value == as_float(naive_fleiss(columns))
    if kappa.reason is None or "different numbers" not in kappa.reason:
        assert kappa.positions == len(columns)


@SETTINGS
@given(corpora(), st.sampled_from(MODES), st.sampled_from((None, *LABELS)), st.data())
def test_cohen_equals_scikit_learns_formula(corpus: list[DocumentData], absent: Absent,
                                            label: str | None, data: st.DataObject) -> None:
    first, second = data.draw(st.lists(st.sampled_from(NAMES), min_size=2, max_size=2,
                                       unique=True))
    pairs = [(recoded([x], label)[0], recoded([y], label)[0])
             for x, y in pair_values(corpus, first, second, absent)]
    kappa = cohen_kappa(corpus, first, second, absent=absent, label=label)
    assert kappa.value == as_float(naive_cohen(pairs))
    assert kappa.positions == len(pairs)
    # symmetric in the pair, as scikit-learn documents
    assert kappa == cohen_kappa(corpus, second, first, absent=absent, label=label)


def naive_matches(reference: list[Span], candidate: list[Span], overlap: bool) -> int:
    def match(a: Span, b: Span) -> bool:
        if a.label != b.label:
            return False
        if overlap:
            return max(a.start, b.start) < min(a.end, b.end)
        return (a.start, a.end) == (b.start, b.end)
    return sum(any(match(a, b) for b in candidate) for a in reference)


@SETTINGS
@given(corpora(), st.sampled_from(("exact", "overlap")), st.sampled_from((None, *LABELS)),
       st.data())
def test_span_scores_equal_comparing_every_pair_of_spans(
        corpus: list[DocumentData], matching: str, label: str | None,
        data: st.DataObject) -> None:
    reference, candidate = data.draw(st.lists(st.sampled_from(NAMES), min_size=2, max_size=2,
                                              unique=True))
    found = correct = reference_spans = candidate_spans = 0
    for document in corpus:
        if reference not in document.reviewers or candidate not in document.reviewers:
            continue
        mine = [s for s in document.spans.get(reference, ()) if label in (None, s.label)]
        theirs = [s for s in document.spans.get(candidate, ()) if label in (None, s.label)]
        found += naive_matches(mine, theirs, matching == "overlap")
        correct += naive_matches(theirs, mine, matching == "overlap")
        reference_spans += len(mine)
        candidate_spans += len(theirs)
    scores = span_scores(corpus, reference, candidate, matching=matching,  # type: ignore[arg-type]
                         label=label)
    assert (scores.found, scores.correct) == (found, correct)
    assert (scores.reference_spans, scores.candidate_spans) == (reference_spans, candidate_spans)
    assert scores.recall == (found / reference_spans if reference_spans else None)
    assert scores.precision == (correct / candidate_spans if candidate_spans else None)
    backward = span_scores(corpus, candidate, reference, matching=matching,  # type: ignore[arg-type]
                           label=label)
    assert (backward.precision, backward.recall) == (scores.recall, scores.precision)


# --- invariances ------------------------------------------------------------------

@SETTINGS
@given(corpora(), st.sampled_from(MODES), st.randoms(use_true_random=False))
def test_order_of_positions_spans_and_documents_changes_nothing(
        corpus: list[DocumentData], absent: Absent, rng: random.Random) -> None:
    if not has_two(corpus):
        return
    shuffled = []
    for document in corpus:
        positions = [dict(sorted(p.items(), key=lambda _: rng.random()))
                     for p in document.positions]
        rng.shuffle(positions)
        marked = {reviewer: rng.sample(list(own), len(own))
                  for reviewer, own in document.spans.items()}
        shuffled.append(DocumentData(document.document, frozenset(document.reviewers),
                                     positions, marked))
    rng.shuffle(shuffled)
    assert to_json(agreement(shuffled, absent=absent)) == to_json(agreement(corpus, absent=absent))


@SETTINGS
@given(st.lists(st.sampled_from(NAMES), min_size=2, max_size=5, unique=True),
       st.lists(st.sampled_from(LABELS), min_size=1, max_size=12),
       st.lists(spans(), min_size=1, max_size=8), st.sampled_from(MODES))
def test_perfect_agreement_is_exactly_one(reviewers: list[str], labels: list[str],
                                          marked: list[Span], absent: Absent) -> None:
    document = DocumentData("d.txt", frozenset(reviewers),
                            [dict.fromkeys(reviewers, label) for label in labels],
                            dict.fromkeys(reviewers, marked))
    result = agreement(document, absent=absent).overall.all_labels
    coefficients = [result.fleiss_kappa, result.krippendorff_alpha,
                    *(pair.cohen_kappa for pair in result.pairs)]
    for coefficient in coefficients:
        if len(set(labels)) > 1:
            assert coefficient.value == 1.0
        else:  # one category: chance agreement is 1 too, and kappa is undefined
            assert coefficient.value is None and coefficient.observed == 1.0
    for pair in result.pairs:
        for scores in (pair.exact, pair.overlap):
            assert (scores.precision, scores.recall, scores.f1) == (1.0, 1.0, 1.0)


@SETTINGS
@given(st.lists(st.sampled_from(NAMES), min_size=2, max_size=5, unique=True), st.data(),
       st.sampled_from(MODES))
def test_pooling_documents_is_concatenating_them(reviewers: list[str], data: st.DataObject,
                                                 absent: Absent) -> None:
    # With the same reviewers everywhere, two documents pooled are one
    # document holding both (spans moved apart so none crosses over).
    first = data.draw(documents(name="1.txt", reviewers=reviewers))
    second = data.draw(documents(name="2.txt", reviewers=reviewers))
    shift = 1000
    marked: dict[str, list[Span]] = {}
    for reviewer in reviewers:
        marked[reviewer] = [*first.spans.get(reviewer, ()),
                            *(Span(s.start + shift, s.end + shift, s.label)
                              for s in second.spans.get(reviewer, ()))]
    both = DocumentData("both.txt", frozenset(reviewers),
                        [*first.positions, *second.positions], marked)
    pooled = to_json(agreement([first, second], absent=absent))["overall"]
    single = to_json(agreement(both, absent=absent))["overall"]
    assert pooled == single
