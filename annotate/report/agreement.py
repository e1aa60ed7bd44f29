"""Output of `annotate agreement`: a readable table, the JSON report, or CSV rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from annotate.report.listing import CsvCell, csv_text, to_json
from annotate.report.listing import spreadsheet_safe as spreadsheet_safe  # its old home
from annotate.report.terminal import escape

if TYPE_CHECKING:
    from annotate.agreement import (
        Agreement,
        AgreementReport,
        Coefficient,
        ScopeAgreement,
        SpanScores,
    )

Renderer = Callable[["AgreementReport"], str]

CSV_COLUMNS = ("scope", "document", "label", "coefficient", "pair", "value", "positions",
               "reviewers", "spans", "reason")

_ABSENT = {"none": "an unmarked position counts as a category of its own",
           "missing": "an unmarked position is a missing value"}


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _coefficient(coefficient: Coefficient) -> str:
    """``0.743 (12 positions, 4 reviewers)``, or ``- (...: why)`` when undefined."""
    counts = f"{coefficient.positions} positions, {coefficient.reviewers} reviewers"
    if coefficient.skipped:
        counts += f", {coefficient.skipped} skipped"
    if coefficient.value is None:
        return f"- ({counts}: {escape(coefficient.reason or 'undefined')})"
    return f"{coefficient.value:.3f} ({counts})"


def _f1(scores: SpanScores) -> str:
    """``0.800 (P 0.750 R 0.857; 8/7 spans)``, or ``- (why)`` when undefined."""
    spans = f"{scores.reference_spans}/{scores.candidate_spans} spans"
    if scores.f1 is None:
        return f"- ({spans}: {escape(scores.reason or 'undefined')})"
    # F1 is 0 when either side is 0, even if the other is undefined: say which is.
    why = f": {escape(scores.reason)}" if scores.reason else ""
    return (f"{scores.f1:.3f} (P {_number(scores.precision)} R {_number(scores.recall)}; "
            f"{spans}{why})")


def _block(result: Agreement, indent: str) -> list[str]:
    lines = [f"{indent}Krippendorff's alpha  {_coefficient(result.krippendorff_alpha)}",
             f"{indent}Fleiss' kappa         {_coefficient(result.fleiss_kappa)}"]
    for pair in result.pairs:
        first, second = (escape(name) for name in pair.reviewers)
        lines += [f"{indent}{first} × {second}",
                  f"{indent}  Cohen's kappa       {_coefficient(pair.cohen_kappa)}",
                  f"{indent}  F1 exact            {_f1(pair.exact)}",
                  f"{indent}  F1 overlap          {_f1(pair.overlap)}"]
    return lines


def _scope_text(scope: ScopeAgreement, title: str, skipped: int) -> list[str]:
    result = scope.all_labels
    head = f"{title}: {result.positions} positions, {result.reviewers} reviewers"
    if skipped:
        head += (f"; {skipped} stacked position(s) left out (a reviewer's spans there carry "
                 "different labels)")
    lines = [head, "  all labels"]
    lines += _block(result, "    ")
    for per_label in scope.labels:
        lines.append(f"  label {escape(per_label.label or '')} (this label against any other "
                     "value)")
        lines += _block(per_label, "    ")
    return lines


def render_text(report: AgreementReport) -> str:
    """Overall, then per document: alpha, Fleiss, each pair's kappa and F1, per label."""
    overlap = "" if report.min_overlap is None else f"; min overlap {report.min_overlap:g}"
    lines = [f"absent: {report.absent} ({_ABSENT[report.absent]}){overlap}",
             "P = precision, R = recall of the second reviewer's spans against the first's; "
             "a/b spans = the first's and the second's; '-' = undefined, with the reason",
             ""]
    lines += _scope_text(report.overall, f"overall ({len(report.documents)} document(s))",
                         sum(report.stacked_skipped.values()))
    for scope in report.documents:
        document = scope.document or ""
        lines.append("")
        lines += _scope_text(scope, f"document {escape(document)}",
                             report.stacked_skipped.get(document, 0))
    return "\n".join(lines) + "\n"


def render_json(report: AgreementReport) -> str:
    """The report as key-sorted JSON (schemas/agreement-report.schema.json)."""
    from annotate.agreement import to_json as report_json

    return to_json(report_json(report))


def _rows(report: AgreementReport) -> Iterator[tuple[CsvCell, ...]]:
    scopes = [("overall", report.overall), *(("document", s) for s in report.documents)]
    for kind, scope in scopes:
        document = scope.document or ""
        for result in (scope.all_labels, *scope.labels):
            label = result.label or ""
            for coefficient in (result.krippendorff_alpha, result.fleiss_kappa):
                yield (kind, document, label, coefficient.name, "", coefficient.value,
                       coefficient.positions, coefficient.reviewers, "",
                       coefficient.reason or "")
            for pair in result.pairs:
                names = " vs ".join(pair.reviewers)
                kappa = pair.cohen_kappa
                yield (kind, document, label, kappa.name, names, kappa.value, kappa.positions,
                       kappa.reviewers, "", kappa.reason or "")
                for scores in (pair.exact, pair.overlap):
                    yield (kind, document, label, f"f1_{scores.matching}", names, scores.f1,
                           "", 2, scores.reference_spans + scores.candidate_spans,
                           scores.reason or "")


def render_csv(report: AgreementReport) -> str:
    """One row per (scope, label, coefficient, pair); label empty = all labels;
    spreadsheet-safe (listing.csv_text)."""
    return csv_text(CSV_COLUMNS, _rows(report))


RENDERERS: Mapping[str, Renderer] = MappingProxyType({
    "text": render_text,
    "json": render_json,
    "csv": render_csv,
})
