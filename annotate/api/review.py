"""Operations across reviewers: agreement."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from annotate import store
from annotate.errors import InvalidValueError
from annotate.gcpause import cyclic_gc_paused
from annotate.model import CONSENSUS_REVIEWER, Annotation
from annotate.workspace import Workspace

if TYPE_CHECKING:
    from annotate.agreement import AgreementReport, DocumentData


def agreement(ws: Workspace, references: Sequence[str] = (), *, absent: str = "none",
              min_overlap: float | None = None) -> AgreementReport:
    """How far the reviewers of the given documents (default: every annotated one) agree.

    Each document's reviewers are those with an annotation file for it (an
    empty one: they marked nothing) or who finished it, except the reserved
    ``consensus``; orphaned annotations are left out
    (their span is no longer known).  Every reviewer's records are read under
    one lock of the document and keyed by (reviewer, id).  Reviewer files
    made on different versions of a document are refused: their offsets are
    not comparable (run ``annotate reanchor`` first).

    Spans are grouped into positions by ``merge.positions.group``.  At a
    ``stacked`` position (a reviewer has several spans there), that
    reviewer's label is kept if all their spans there carry it; if their
    labels differ, the position is left out of every coefficient and counted
    as skipped (``DocumentData`` holds only one label per reviewer and
    position, and picking one would invent a vote).  Each reviewer's spans,
    stacked or not, all count for span precision/recall/F1.
    """
    from annotate import agreement as measures
    from annotate.errors import TooFewReviewersError
    from annotate.merge import positions as grouping

    if absent not in measures.ABSENT_MODES:
        raise InvalidValueError(f"--absent {absent!r} must be one of "
                                f"{', '.join(measures.ABSENT_MODES)}")
    overlap = grouping.DEFAULT_MIN_OVERLAP if min_overlap is None else min_overlap
    try:
        grouping.check_min_overlap(overlap)
    except ValueError:
        raise InvalidValueError(f"--min-overlap {overlap} must be above 0 and at most 1 "
                                f"(default {grouping.DEFAULT_MIN_OVERLAP})") from None
    if references:
        document_ids = sorted({store.resolve_document(ws, r) for r in references})
    else:
        document_ids = sorted({*store.annotated_documents(ws),
                               *store.finished_documents(ws)})
    data: list[measures.DocumentData] = []
    skipped: dict[str, int] = {}
    with cyclic_gc_paused():  # every record and position built here is freed by refcount
        for document_id in document_ids:
            document, stacked = _document_data(ws, document_id, overlap)
            data.append(document)
            if stacked:
                skipped[document_id] = stacked
        if not data:
            raise TooFewReviewersError(
                "agreement needs at least two reviewers, and there are no annotations here yet")
        mode: measures.Absent = "none" if absent == "none" else "missing"
        report = measures.agreement(data, absent=mode)
    return dataclasses.replace(report, min_overlap=overlap, stacked_skipped=skipped)


def _document_data(ws: Workspace, document_id: str, overlap: float
                   ) -> tuple[DocumentData, int]:
    """One document's reliability data, and how many stacked positions were left out."""
    from annotate import agreement as measures
    from annotate.merge import positions as grouping

    held: dict[str, list[Annotation]] = {}
    # A session makes the document's folder; a read must not, so a
    # document nobody annotated is not opened at all.
    if store.reviewer_files(ws, document_id) or store.read_finished(ws, document_id):
        with store.document_session(ws, document_id) as session:
            held = {reviewer: records for reviewer, records in session.read_all().items()
                    if reviewer != CONSENSUS_REVIEWER}
    _refuse_mixed_versions(document_id, held)
    # Each reviewer's annotations by id, in id order (the order of their
    # file, as the tool writes it).
    kept: dict[str, dict[str, Annotation]] = {}
    for reviewer, records in held.items():
        own: dict[str, Annotation] = {}
        for annotation in records:
            if annotation.id in own:
                # Two records under one key: dropping either would change the figures.
                raise InvalidValueError(
                    f"{document_id}: {reviewer}'s file holds id {annotation.id!r} twice; "
                    "run 'annotate dedupe' to give each annotation its own id, then "
                    "run this again")
            if not annotation.orphaned:
                own[annotation.id] = annotation
        kept[reviewer] = own
    found = grouping.group(itertools.chain.from_iterable(own.values() for own in kept.values()),
                           held, overlap)
    votes: list[dict[str, str]] = []
    skipped = 0
    for position in found:
        labels = position.labels
        if any(len({m.label for m in position.members if m.reviewer == reviewer}) > 1
               for reviewer in position.stacked):
            skipped += 1
            continue
        votes.append(labels)
    spans_of: dict[str, list[measures.Span]] = {}
    for reviewer in sorted(kept):
        own = kept[reviewer]
        if own:
            spans_of[reviewer] = [measures.Span(a.start, a.end, a.label)
                                  for _, a in sorted(own.items())]
    return measures.DocumentData(document_id, frozenset(held), votes, spans_of), skipped


def _refuse_mixed_versions(document_id: str, held: dict[str, list[Annotation]]) -> None:
    """Offsets of different versions of a text do not line up: refuse to compare them."""
    versions: dict[str, set[str]] = {}
    for reviewer, records in held.items():
        for annotation in records:
            if not annotation.orphaned:
                versions.setdefault(annotation.document_sha256, set()).add(reviewer)
    if len(versions) > 1:
        listed = "; ".join(f"{sha[:12]}: {', '.join(sorted(reviewers))}"
                           for sha, reviewers in sorted(versions.items()))
        raise InvalidValueError(
            f"{document_id}: reviewer files were made on different versions of the document "
            f"({listed}); run 'annotate reanchor {document_id}' to move every annotation "
            "onto the current text, then run this again")
