"""The coefficients and span scores, from the tallies; the public functions.

Cohen's kappa, Fleiss' kappa and Krippendorff's alpha (nominal), computed
exactly (`Fraction`) from a `_Tally` (``tally.py``), each None with a reason
when undefined; span precision/recall/F1 of a pair; and the functions the rest
of annotate calls (`agreement` for everything, one function per measure),
which check their arguments, tally the documents and pool the tallies.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from fractions import Fraction

from annotate.agreement.data import (
    ABSENT_MODES,
    Absent,
    Agreement,
    AgreementReport,
    Category,
    Coefficient,
    CoefficientName,
    DocumentData,
    Matching,
    PairAgreement,
    ScopeAgreement,
    SpanScores,
)
from annotate.agreement.tally import _PairTally, _SpanTally, _Tally, _tally
from annotate.errors import TooFewReviewersError

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

def _check_absent(absent: str) -> None:
    if absent not in ABSENT_MODES:
        raise ValueError(f"absent must be one of {ABSENT_MODES}, not {absent!r}")


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
