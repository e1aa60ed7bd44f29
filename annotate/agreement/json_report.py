"""The agreement report as JSON-ready data (schemas/agreement-report.schema.json).

`to_json` turns an `AgreementReport` into dictionaries and lists with
keys sorted and floats rounded; the TypedDicts below are its shape, which
mypy checks `to_json` against.
"""

from __future__ import annotations

from typing import TypedDict

from annotate.agreement.data import (
    Agreement,
    AgreementReport,
    Coefficient,
    ScopeAgreement,
    SpanScores,
)

# Floats in the JSON output are rounded to this many decimals, so golden
# files do not change with the last bit of a division.
JSON_DECIMALS = 6


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
