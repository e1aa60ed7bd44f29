"""The report as data: what every format of `annotate report` shows, built
once from ``api.Report``, and the JSON and CSV renderers.

``build`` turns the library's report into plain JSON-ready data (the shapes
below, described by schemas/report.schema.json); the JSON output is that
data, the CSV has one row per annotation, and the Markdown and HTML
renderers draw the same data, so the formats cannot tell different stories.
Pure: no I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Literal, TypedDict

from annotate.model import CONSENSUS_REVIEWER, Annotation, AnnotationRecord
from annotate.report.listing import CSV_COLUMNS, CsvCell, annotation_row, csv_text, to_json
from annotate.report.show import numbered

if TYPE_CHECKING:
    from annotate.agreement import Coefficient, ScopeAgreement, SpanScores
    from annotate.api.report import DocumentReport, Report
    from annotate.merge.consensus import MergedPositionRecord, MergeResult

# How an annotation is shown: drawn on the text; orphaned by re-anchoring
# (no place in the current text); stale (made on another version of the
# text and not re-anchored yet, or its quote is not at its offsets).
Shown = Literal["drawn", "orphaned", "stale"]

# The report's JSON format; bump on an incompatible change.
FORMAT_VERSION = 1


class LabelJSON(TypedDict):
    """A label of the taxonomy and how many annotations of the report carry it."""

    name: str
    description: str
    color: str
    requires_source: bool
    annotations: int


class ReportAnnotation(TypedDict):
    """An annotation as the report lists it: its number in the document (as
    `annotate show` numbers it), how it is shown, the merge position it
    belongs to (None: orphaned or stale, or no merge) and the record itself
    (schemas/annotation.schema.json)."""

    number: int
    shown: Shown
    position: str | None
    position_status: str | None
    record: AnnotationRecord


class FigureJSON(TypedDict):
    """A coefficient: its value (None: undefined, reason says why) and the positions used."""

    value: float | None
    positions: int
    reason: str | None


class ScoresJSON(TypedDict):
    """Span F1 of a pair, with precision and recall (None: undefined)."""

    f1: float | None
    precision: float | None
    recall: float | None
    reason: str | None


class PairJSON(TypedDict):
    """Two reviewers' agreement."""

    reviewers: list[str]
    cohen_kappa: FigureJSON
    f1_exact: ScoresJSON
    f1_overlap: ScoresJSON


class AgreementJSON(TypedDict):
    """A document's agreement figures over all labels (`annotate agreement` has the rest)."""

    positions: int
    reviewers: int
    krippendorff_alpha: FigureJSON
    fleiss_kappa: FigureJSON
    pairs: list[PairJSON]


class ConsensusJSON(TypedDict):
    """The consensus file and whether it is up to date."""

    file: str
    exists: bool
    # Whether the file holds what `annotate merge` would write now (None: no file or no merge).
    current: bool | None
    records: list[AnnotationRecord]


class MergeJSON(TypedDict):
    """The merge as `annotate merge --dry-run` computes it now."""

    strategy: str
    positions: int
    statuses: dict[str, int]
    merged: int
    conflicts: list[MergedPositionRecord]  # open: labels differ and nothing settled them
    unresolved: list[str]  # what makes `annotate merge` exit 1


class DocumentJSON(TypedDict):
    """One document of the report."""

    document: str
    sha256: str
    characters: int
    text: str
    reviewers: list[str]
    annotations: list[ReportAnnotation]
    labels: dict[str, int]
    merge: MergeJSON | None
    consensus: ConsensusJSON
    agreement: AgreementJSON | None
    notes: list[str]


class PositionsJSON(TypedDict):
    """How often a reviewer agreed with the others, over merge positions."""

    marked: int  # positions they marked
    shared: int  # of those, positions another reviewer marked too
    same_label: int  # of those, positions where everyone who marked it chose their label


class WithJSON(TypedDict):
    """A reviewer's agreement with one other reviewer, pooled over the documents."""

    reviewer: str
    cohen_kappa: FigureJSON
    f1_exact: ScoresJSON
    f1_overlap: ScoresJSON


class AnnotationRef(TypedDict):
    """Where a reviewer's annotation is listed: its document and number there."""

    document: str
    id: str
    number: int


class ReviewerJSON(TypedDict):
    """One reviewer's work in the report."""

    reviewer: str
    documents: list[str]
    annotations: list[AnnotationRef]
    orphaned: int
    labels: dict[str, int]
    positions: PositionsJSON
    agreement: list[WithJSON]


class ReportJSON(TypedDict):
    """The whole report (schemas/report.schema.json)."""

    format: int
    project: str
    labels: list[LabelJSON]
    verdicts: list[str]
    reviewer: str | None
    documents: list[DocumentJSON]
    reviewers: list[ReviewerJSON]


# --- building -------------------------------------------------------------------

def build(report: Report) -> ReportJSON:
    """The report as data, every list in a stable order."""
    documents = [_document(d) for d in report.documents]
    counts: Counter[str] = Counter(a["record"]["label"] for d in documents
                                   for a in d["annotations"])
    labels: list[LabelJSON] = [
        {"name": label.name, "description": label.description, "color": label.color,
         "requires_source": label.requires_source, "annotations": counts[label.name]}
        for label in report.project.labels]
    return {"format": FORMAT_VERSION, "project": report.project.name, "labels": labels,
            "verdicts": list(report.project.verdicts), "reviewer": report.reviewer,
            "documents": documents, "reviewers": _reviewers(report, documents)}


def _document(d: DocumentReport) -> DocumentJSON:
    where: dict[tuple[str, str], tuple[str, str]] = {}
    if d.merge is not None:
        for position in d.merge.positions:
            for member in position.members:
                where[(member.reviewer, member.id)] = (position.id, position.status)
    annotations: list[ReportAnnotation] = []
    for number, (annotation, drawn) in enumerate(numbered(d.document, d.annotations), 1):
        place = where.get((annotation.reviewer, annotation.id))
        entry: ReportAnnotation = {
            "number": number, "shown": _shown(annotation, drawn),
            "position": place[0] if place else None,
            "position_status": place[1] if place else None, "record": annotation.to_record()}
        annotations.append(entry)
    return {
        "document": d.document.id, "sha256": d.document.sha256,
        "characters": len(d.document.text), "text": d.document.text,
        "reviewers": list(d.reviewers), "annotations": annotations,
        "labels": dict(sorted(Counter(a.label for a in d.annotations).items())),
        "merge": None if d.merge is None else _merge(d.merge, d.strategy),
        "consensus": {"file": d.consensus_file, "exists": d.consensus is not None,
                      "current": d.consensus_current,
                      "records": [a.to_record() for a in sorted(
                          d.consensus or (), key=lambda a: (a.start, a.end, a.id))]},
        "agreement": None if d.agreement is None else _agreement(d.agreement),
        "notes": list(d.notes)}


def _shown(annotation: Annotation, drawn: bool) -> Shown:
    return "drawn" if drawn else "orphaned" if annotation.orphaned else "stale"


def _merge(result: MergeResult, strategy: str) -> MergeJSON:
    decided = {position.id: decision
               for position, decision in zip(result.positions, result.decisions, strict=True)}
    return {"strategy": strategy, "positions": result.summary.positions,
            "statuses": {str(status): n for status, n in result.summary.statuses.items()},
            "merged": result.summary.merged,
            "conflicts": [{**p.to_record(), "decision": decided[p.id].to_record()}
                          for p in result.conflicts],
            "unresolved": [p.id for p in result.blocking]}


def figure(coefficient: Coefficient) -> FigureJSON:
    """A coefficient as the report shows it."""
    return {"value": _rounded(coefficient.value), "positions": coefficient.positions,
            "reason": coefficient.reason}


def scores(found: SpanScores) -> ScoresJSON:
    """Span scores as the report shows them."""
    return {"f1": _rounded(found.f1), "precision": _rounded(found.precision),
            "recall": _rounded(found.recall), "reason": found.reason}


def _rounded(value: float | None) -> float | None:
    from annotate.agreement import JSON_DECIMALS

    return None if value is None else round(value, JSON_DECIMALS)


def _agreement(scope: ScopeAgreement) -> AgreementJSON:
    result = scope.all_labels
    return {"positions": result.positions, "reviewers": result.reviewers,
            "krippendorff_alpha": figure(result.krippendorff_alpha),
            "fleiss_kappa": figure(result.fleiss_kappa),
            "pairs": [{"reviewers": list(pair.reviewers), "cohen_kappa": figure(pair.cohen_kappa),
                       "f1_exact": scores(pair.exact), "f1_overlap": scores(pair.overlap)}
                      for pair in result.pairs]}


def _reviewers(report: Report, documents: Sequence[DocumentJSON]) -> list[ReviewerJSON]:
    """Each reviewer whose annotations the report shows (or who finished a
    document of it with nothing marked): counts, positions, pooled agreement."""
    names: set[str] = {a["record"]["reviewer"] for d in documents for a in d["annotations"]}
    if report.reviewer is None:
        names |= {r for d in report.documents for r in d.reviewers}
    elif report.reviewer != CONSENSUS_REVIEWER:
        names.add(report.reviewer)
    by_reviewer: dict[str, list[tuple[str, ReportAnnotation]]] = {}
    for d in documents:
        for a in d["annotations"]:
            by_reviewer.setdefault(a["record"]["reviewer"], []).append((d["document"], a))
    found: list[ReviewerJSON] = []
    for name in sorted(names):
        theirs = by_reviewer.get(name, [])
        found.append({
            "reviewer": name,
            "documents": [d.document.id for d in report.documents if name in d.reviewers
                          or any(a.reviewer == name for a in d.annotations)],
            "annotations": [{"document": document, "id": a["record"]["id"],
                             "number": a["number"]} for document, a in theirs],
            "orphaned": sum(1 for _, a in theirs if a["shown"] == "orphaned"),
            "labels": dict(sorted(Counter(a["record"]["label"] for _, a in theirs).items())),
            "positions": _positions(report, name),
            "agreement": list(_pairs_of(report, name))})
    return found


def _positions(report: Report, reviewer: str) -> PositionsJSON:
    marked = shared = same = 0
    for d in report.documents:
        for position in d.merge.positions if d.merge is not None else ():
            labels = position.labels
            mine = labels.get(reviewer)
            if mine is None:
                continue
            marked += 1
            others = [label for other, label in labels.items() if other != reviewer]
            if others:
                shared += 1
                same += all(label == mine for label in others)
    return {"marked": marked, "shared": shared, "same_label": same}


def _pairs_of(report: Report, reviewer: str) -> Iterator[WithJSON]:
    if report.agreement is None:
        return
    for pair in report.agreement.overall.all_labels.pairs:
        if reviewer in pair.reviewers:
            other = pair.reviewers[1] if pair.reviewers[0] == reviewer else pair.reviewers[0]
            yield {"reviewer": other, "cohen_kappa": figure(pair.cohen_kappa),
                   "f1_exact": scores(pair.exact), "f1_overlap": scores(pair.overlap)}


# --- JSON and CSV -----------------------------------------------------------------

def render_json(report: Report) -> str:
    """The report as key-sorted JSON (schemas/report.schema.json)."""
    return to_json(build(report))


CSV_REPORT_COLUMNS = (*CSV_COLUMNS, "prefix", "suffix", "number", "shown", "position",
                      "position_status")


def csv_rows(data: ReportJSON) -> Iterator[tuple[CsvCell, ...]]:
    """One row per annotation of the report: `annotate list --format csv`'s
    columns, then its context and how the report shows it."""
    for document in data["documents"]:
        for entry in document["annotations"]:
            annotation = Annotation.from_record(entry["record"])
            yield (*annotation_row(annotation), annotation.prefix, annotation.suffix,
                   entry["number"], entry["shown"], entry["position"] or "",
                   entry["position_status"] or "")


def render_csv(report: Report) -> str:
    """One row per annotation, UTF-8 with a header; spreadsheet-safe cells."""
    return csv_text(CSV_REPORT_COLUMNS, csv_rows(build(report)))
