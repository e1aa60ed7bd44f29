"""One document's merge: positions, their decisions, the consensus records to write,
what is left unresolved, and a summary.  Pure: the caller reads and writes.

The consensus is an annotation file like any reviewer's, under the reserved
reviewer name ``consensus``; each of its records carries a ``provenance``
object (``ProvenanceRecord``) saying which position it came from, how it
was decided and which reviewers' annotations supported it.

Exit codes stay with the caller; ``MergeResult.blocking`` is what should
make ``merge`` exit 1: every position whose labels differ and that neither a
strategy nor an editor settled (merged, or rejected by an editor), and with
``require_complete`` also every position not every reviewer marked that was
left unsettled.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict

from annotate.errors import InvalidValueError
from annotate.merge.positions import (
    DEFAULT_MIN_OVERLAP,
    STATUSES,
    Extent,
    Position,
    PositionRecord,
    Status,
    cyclic_gc_paused,
    group,
    jaccard,
    parse_position_id,
)
from annotate.merge.strategies import (
    EDITOR,
    REASONS,
    UNANIMOUS,
    Decision,
    DecisionRecord,
    EditorDecision,
    EditorRecord,
    Reason,
    Strategy,
    decide,
    default_quorum,
)
from annotate.model import CONSENSUS_REVIEWER, Annotation, AnnotationRecord

# RFC 4648 base 32 digits -> Crockford's, as spans.new_id spells ids.
_TO_CROCKFORD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
                              "0123456789abcdefghjkmnpqrstvwxyz")


class SupporterRecord(TypedDict):
    """One supporting annotation in a provenance: records are keyed by (reviewer, id)."""

    reviewer: str
    annotation: str


class _ProvenanceRequired(TypedDict):
    position: str
    method: str
    supporters: list[SupporterRecord]


class ProvenanceRecord(_ProvenanceRequired, total=False):
    """The ``provenance`` field of a consensus record (``editor`` only when an editor decided)."""

    editor: EditorRecord


class ConsensusRecord(AnnotationRecord, total=False):
    """An annotation record of the consensus file: the annotation fields and its provenance.

    Its ``provenance`` is a ``ProvenanceRecord``, typed as AnnotationRecord's
    plain dict: a TypedDict cannot narrow a field it inherits.
    """


@dataclass(frozen=True)
class Provenance:
    """Where a consensus record came from: its position, how it was decided, who supported it."""

    position: str
    method: str  # unanimous, majority, union, prefer:REVIEWER or editor
    supporters: tuple[tuple[str, str], ...]  # (reviewer, annotation id), sorted
    editor: EditorDecision | None = None

    def to_record(self) -> ProvenanceRecord:
        """The JSON record (``editor`` left out unless an editor decided)."""
        record: ProvenanceRecord = {
            "position": self.position, "method": self.method,
            "supporters": [{"reviewer": reviewer, "annotation": annotation}
                           for reviewer, annotation in self.supporters]}
        if self.editor is not None:
            record["editor"] = self.editor.to_record()
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any], label: str | None) -> Provenance:
        """Build from a record that already passed the schema (label: the record's)."""
        editor = record.get("editor")
        return cls(
            position=record["position"], method=record["method"],
            supporters=tuple((s["reviewer"], s["annotation"]) for s in record["supporters"]),
            editor=None if editor is None else EditorDecision(
                label, editor["reviewer"], editor["note"], editor["time"]))


@dataclass(frozen=True)
class Consensus:
    """One record of the consensus file: an annotation by ``consensus`` and its provenance."""

    annotation: Annotation
    provenance: Provenance

    def to_record(self) -> ConsensusRecord:
        """The canonical JSON record: the annotation's fields plus ``provenance``."""
        return {**self.annotation.to_record(), "provenance": dict(self.provenance.to_record())}

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Consensus:
        """Build from a consensus record that already passed the schema."""
        return cls.from_annotation(Annotation.from_record(dict(record)))

    @classmethod
    def from_annotation(cls, annotation: Annotation) -> Consensus:
        """Build from a record of the consensus file as the store reads it."""
        if annotation.provenance is None:
            raise ValueError(f"{annotation.id}: a consensus record without a provenance")
        return cls(annotation, Provenance.from_record(annotation.provenance, annotation.label))


class OrphanedRecord(TypedDict):
    """The JSON shape of a decision whose position no longer exists."""

    position: str
    label: str | None
    editor: EditorRecord
    nearest: str | None


@dataclass(frozen=True)
class OrphanedDecision:
    """An editor's decision whose position no longer exists: reported, kept, not applied."""

    position: str
    decision: EditorDecision
    # The current position that overlaps the old one most (Jaccard of the
    # spans the ids name), for the message "p10-20 is now p10-21"; None if
    # none overlaps.
    nearest: str | None

    def to_record(self) -> OrphanedRecord:
        """The JSON record of the orphaned decision."""
        return {"position": self.position, "label": self.decision.label,
                "editor": self.decision.to_record(), "nearest": self.nearest}


class SummaryRecord(TypedDict):
    """The JSON shape of a merge summary."""

    reviewers: list[str]
    strategy: str
    quorum: int
    min_overlap: float
    positions: int
    statuses: dict[Status, int]
    merged: int
    decided_by_editor: int
    not_merged: dict[Reason, int]
    conflicts: int
    blocking: int
    orphaned_decisions: int
    skipped_annotations: int
    notes: list[str]


@dataclass(frozen=True)
class Summary:
    """Counts of one document's merge, and notes for the user."""

    reviewers: tuple[str, ...]
    strategy: str
    quorum: int
    min_overlap: float
    positions: int
    statuses: Mapping[Status, int] = field(hash=False)  # every status, zeros too
    merged: int
    decided_by_editor: int  # merged or rejected by an editor's decision
    not_merged: Mapping[Reason, int] = field(hash=False)  # every reason, zeros too
    conflicts: int
    blocking: int
    orphaned_decisions: int
    skipped_annotations: int  # orphaned annotations, left out of positions
    notes: tuple[str, ...]

    def to_record(self) -> SummaryRecord:
        """The JSON record of the summary."""
        return {"reviewers": list(self.reviewers), "strategy": self.strategy,
                "quorum": self.quorum, "min_overlap": self.min_overlap,
                "positions": self.positions, "statuses": dict(self.statuses),
                "merged": self.merged, "decided_by_editor": self.decided_by_editor,
                "not_merged": dict(self.not_merged), "conflicts": self.conflicts,
                "blocking": self.blocking, "orphaned_decisions": self.orphaned_decisions,
                "skipped_annotations": self.skipped_annotations, "notes": list(self.notes)}


class MergedPositionRecord(PositionRecord):
    """The JSON shape of a position with its decision."""

    decision: DecisionRecord


class MergeRecord(TypedDict):
    """The JSON shape of one document's merge (``merge --format json``)."""

    document: str
    positions: list[MergedPositionRecord]
    orphaned_decisions: list[OrphanedRecord]
    summary: SummaryRecord


@dataclass(frozen=True)
class MergeResult:
    """Everything one document's merge produced."""

    document: str
    positions: tuple[Position, ...]  # sorted by (start, end)
    decisions: tuple[Decision, ...]  # one per position, in the same order
    consensus: tuple[Consensus, ...]  # the consensus file's records, sorted by id
    # Positions whose labels differ and that nothing settled.
    conflicts: tuple[Position, ...]
    # What should make the command exit 1: conflicts, and with
    # require_complete the unsettled positions not everyone marked.
    blocking: tuple[Position, ...]
    orphaned: tuple[OrphanedDecision, ...]
    skipped: tuple[Annotation, ...]  # orphaned annotations: no reliable span to group
    summary: Summary

    @property
    def blocked(self) -> bool:
        """Whether the caller should exit 1."""
        return bool(self.blocking)

    def decision(self, position_id: str) -> Decision | None:
        """The decision of the position with that id, or None."""
        for decision in self.decisions:
            if decision.position == position_id:
                return decision
        return None

    def to_record(self) -> MergeRecord:
        """The JSON record of the merge."""
        positions: list[MergedPositionRecord] = [
            {**position.to_record(), "decision": decision.to_record()}
            for position, decision in zip(self.positions, self.decisions, strict=True)]
        return {"document": self.document, "positions": positions,
                "orphaned_decisions": [orphan.to_record() for orphan in self.orphaned],
                "summary": self.summary.to_record()}


def consensus_id(document: str, position_id: str) -> str:
    """The id of the consensus record of a position: unique in the workspace, stable with it.

    ``c-`` and 16 Crockford base-32 digits of SHA-256(document, position):
    annotation ids are unique across the workspace, so the document is part
    of it, and the hyphen keeps it apart from ``spans.new_id``'s ids.
    """
    digest = hashlib.sha256(f"{document}\0{position_id}".encode()).digest()
    return "c-" + base64.b32encode(digest[:10]).decode().translate(_TO_CROCKFORD)


def versions(annotations: Iterable[Annotation]) -> dict[str, tuple[str, ...]]:
    """Document version (SHA-256) -> the reviewers whose annotations were made on it, sorted."""
    found: dict[str, set[str]] = {}
    for annotation in annotations:
        found.setdefault(annotation.document_sha256, set()).add(annotation.reviewer)
    return {sha: tuple(sorted(reviewers)) for sha, reviewers in sorted(found.items())}


def merge_document(document: str, annotations: Iterable[Annotation], reviewers: Iterable[str],
                   *, now: str, strategy: Strategy = UNANIMOUS, quorum: int | None = None,
                   min_overlap: float = DEFAULT_MIN_OVERLAP,
                   decisions: Mapping[str, EditorDecision] | None = None,
                   previous: Iterable[Consensus] = (),
                   require_complete: bool = False) -> MergeResult:
    """Merge one document's reviewers' annotations into positions, decisions and consensus records.

    ``reviewers``: the document's reviewers (with annotations, or who finished
    it); reviewers of ``annotations`` are added.  ``quorum``: for
    ``majority``, default ``default_quorum`` of the reviewers.
    ``decisions``: the editor's decisions by position id; they override the
    strategy.  ``previous``: the consensus records the last merge wrote, so
    that an unchanged record keeps its timestamps and a changed one its
    ``created``.  ``now``: the time to stamp new records with.
    ``require_complete``: positions not every reviewer marked block too.
    The caller refuses reviewer files made on different document versions
    first (``versions``); getting them here is a ValueError.
    """
    with cyclic_gc_paused():
        return _merge(document, list(annotations), reviewers, now, strategy, quorum,
                      min_overlap, decisions or {}, previous, require_complete)


def _merge(document: str, annotations: list[Annotation], reviewers: Iterable[str], now: str,
           strategy: Strategy, quorum: int | None, min_overlap: float,
           decisions: Mapping[str, EditorDecision], previous: Iterable[Consensus],
           require_complete: bool) -> MergeResult:
    if quorum is not None and quorum < 1:
        raise InvalidValueError(f"--quorum must be at least 1 (got {quorum})")
    kept, skipped, everyone = _check_input(document, annotations, reviewers)
    if quorum is None:
        quorum = default_quorum(len(everyone))
    positions = tuple(group(kept, everyone, min_overlap))
    decided = tuple(decide(position, strategy, quorum, decisions.get(position.id))
                    for position in positions)
    conflicts, blocking = [], []
    for position, decision in zip(positions, decided, strict=True):
        if decision.merged or decision.reason == "rejected":
            continue
        if position.disputed:
            conflicts.append(position)
            blocking.append(position)
        elif require_complete and not position.complete:
            blocking.append(position)
    orphaned = _orphaned(decisions, positions)
    earlier = {record.annotation.id: record for record in previous}
    consensus = tuple(sorted(
        (_consensus(document, position, decision, now, earlier)
         for position, decision in zip(positions, decided, strict=True) if decision.merged),
        key=lambda record: record.annotation.id))
    statuses = Counter(position.status for position in positions)
    reasons = Counter(decision.reason for decision in decided if decision.reason is not None)
    summary = Summary(
        reviewers=everyone, strategy=str(strategy), quorum=quorum, min_overlap=min_overlap,
        positions=len(positions), statuses={status: statuses[status] for status in STATUSES},
        merged=len(consensus),
        decided_by_editor=sum(decision.method == EDITOR for decision in decided),
        not_merged={reason: reasons[reason] for reason in REASONS},
        conflicts=len(conflicts), blocking=len(blocking), orphaned_decisions=len(orphaned),
        skipped_annotations=len(skipped),
        notes=_notes(document, everyone, strategy, quorum, positions, skipped))
    return MergeResult(document, positions, decided, consensus, tuple(conflicts),
                       tuple(blocking), orphaned, skipped, summary)


def _check_input(document: str, annotations: list[Annotation], reviewers: Iterable[str]
                 ) -> tuple[list[Annotation], tuple[Annotation, ...], tuple[str, ...]]:
    """The annotations to group, the orphaned ones left out, and every reviewer, sorted.

    Refuses what the caller must have refused already (ValueError: a bug,
    not a user's mistake).  One pass: over 100,000 annotations each pass
    costs tens of milliseconds (benchmarks/bench_merge.py).
    """
    seen: set[tuple[str, str]] = set()
    everyone = set(reviewers)
    shas = set()
    kept: list[Annotation] = []
    skipped: list[Annotation] = []
    for annotation in annotations:
        key = (annotation.reviewer, annotation.id)
        if annotation.document != document:
            raise ValueError(f"{key}: annotation of {annotation.document!r}, not {document!r}")
        if annotation.reviewer == CONSENSUS_REVIEWER:
            raise ValueError("consensus records are what merge writes, not what it reads")
        if key in seen:
            raise ValueError(f"{key}: the same (reviewer, id) twice")
        seen.add(key)
        everyone.add(annotation.reviewer)
        if annotation.orphaned:
            # Re-anchoring leaves an orphan on the version it was last placed
            # in: it is left out, so its version is not compared.
            skipped.append(annotation)
        else:
            shas.add(annotation.document_sha256)
            kept.append(annotation)
    if len(shas) > 1:
        raise ValueError(f"annotations of {document!r} made on several versions: "
                         f"{versions(annotations)}")
    return kept, tuple(skipped), tuple(sorted(everyone))


def _orphaned(decisions: Mapping[str, EditorDecision],
              positions: tuple[Position, ...]) -> tuple[OrphanedDecision, ...]:
    known = {position.id for position in positions}
    orphans = []
    for position_id in sorted(decisions.keys() - known):
        old = parse_position_id(position_id)
        nearest = None
        if old is not None:
            # A linear scan per orphan: orphans are an editor's handful of
            # decisions, not a document's worth of spans.
            best = max(positions, default=None,
                       key=lambda p: (jaccard(old, (p.start, p.end)), -p.start))
            if best is not None and jaccard(old, (best.start, best.end)) > 0:
                nearest = best.id
        orphans.append(OrphanedDecision(position_id, decisions[position_id], nearest))
    return tuple(orphans)


def _consensus(document: str, position: Position, decision: Decision, now: str,
               earlier: Mapping[str, Consensus]) -> Consensus:
    """The consensus record of a merged position (keeping the earlier one if unchanged)."""
    assert decision.label is not None
    extent: Extent = (decision.start, decision.end)
    # The merged span is always one a member chose, so its quote and
    # context come from that member, not from re-reading the text.
    source = next(m for m in position.members if (m.start, m.end) == extent)
    # What the supporters said travels with their label: every source any
    # of them cited (a label may require one), each distinct note, every
    # tag, and a verdict when those who gave one agree on it.  Gathered in
    # one pass (dicts keep the first-seen order): a majority merge of
    # 100,000 annotations reads 100,000 supporters.
    notes: dict[str, None] = {}
    sources: dict[str, None] = {}
    tags: set[str] = set()
    verdicts: set[str] = set()
    keys = []
    for vote in decision.supporters:
        keys.append((vote.reviewer, vote.id))
        if vote.note:
            notes[vote.note] = None
        sources.update(dict.fromkeys(vote.sources))
        tags.update(vote.tags)
        if vote.verdict is not None:
            verdicts.add(vote.verdict)
    if decision.editor is not None:
        sources.update(dict.fromkeys(decision.editor.sources))
    # The provenance names who decided, when and why; the editor's sources
    # are the record's own.
    editor = (None if decision.editor is None
              else dataclasses.replace(decision.editor, sources=()))
    provenance = Provenance(position.id, decision.method, tuple(keys), editor)
    # Built from its fields at once (Annotation.from_fields): a merge builds
    # thousands, and the dataclass's __init__ sets each field on its own.
    annotation = Annotation.from_fields({
        "id": consensus_id(document, position.id), "document": document,
        "document_sha256": source.document_sha256, "start": source.start, "end": source.end,
        "quote": source.quote, "prefix": source.prefix, "suffix": source.suffix,
        "label": decision.label, "reviewer": CONSENSUS_REVIEWER, "note": "\n".join(notes),
        "sources": tuple(sources), "created": now, "modified": now,
        "verdict": verdicts.pop() if len(verdicts) == 1 else None,
        "tags": tuple(sorted(tags)), "orphaned": False, "previous_quote": None,
        "provenance": dict(provenance.to_record())})
    before = earlier.get(annotation.id)
    if before is None:
        return Consensus(annotation, provenance)
    unchanged = (before.provenance == provenance and before.annotation == annotation.replace(
        created=before.annotation.created, modified=before.annotation.modified))
    if unchanged:
        return before  # an unchanged merge leaves the file byte for byte as it was
    return Consensus(annotation.replace(created=before.annotation.created), provenance)


def _notes(document: str, reviewers: tuple[str, ...], strategy: Strategy, quorum: int,
           positions: tuple[Position, ...], skipped: tuple[Annotation, ...]) -> tuple[str, ...]:
    notes = []
    if len(reviewers) == 1:
        stacked = sum(position.status == "stacked" for position in positions)
        notes.append(f"only {reviewers[0]} reviewed {document}: the consensus copies their "
                     "annotations" + (f", except {stacked} stacked position(s) where their own "
                                      "spans overlap, which need a decision" if stacked else ""))
    if strategy.name == "prefer" and strategy.reviewer not in reviewers:
        notes.append(f"{strategy.reviewer} is not a reviewer of {document}: "
                     "unanimous decided every position")
    if strategy.name == "majority" and quorum > len(reviewers):
        notes.append(f"quorum {quorum} is more than the {len(reviewers)} reviewer(s) of "
                     f"{document}: no position can reach it")
    if skipped:
        notes.append(f"{len(skipped)} orphaned annotation(s) left out: they have no place in "
                     "the current text; run 'annotate reanchor' or fix them by hand")
    return tuple(notes)
