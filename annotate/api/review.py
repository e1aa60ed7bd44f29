"""Operations across reviewers: agreement, merge, resolve."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from annotate import rules, spans, store, workspace
from annotate.api._common import Notify, _no_notes, document, refuse_reserved
from annotate.errors import InvalidValueError, UnknownPositionError
from annotate.gcpause import cyclic_gc_paused
from annotate.model import CONSENSUS_REVIEWER, Annotation, StoredDecision
from annotate.suggest import shell_word
from annotate.workspace import Workspace

if TYPE_CHECKING:
    from annotate.agreement import AgreementReport, DocumentData
    from annotate.merge.consensus import MergeResult
    from annotate.merge.positions import Position
    from annotate.merge.strategies import Strategy


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

    if absent not in measures.ABSENT_MODES:
        raise InvalidValueError(f"--absent {absent!r} must be one of "
                                f"{', '.join(measures.ABSENT_MODES)}")
    overlap = _min_overlap(min_overlap)
    document_ids = _reviewed_documents(ws, references)
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
    from annotate.merge import positions as grouping

    held: dict[str, list[Annotation]] = {}
    # A session makes the document's folder; a read must not, so a
    # document nobody annotated is not opened at all.
    if store.reviewer_files(ws, document_id) or store.read_finished(ws, document_id):
        with store.document_session(ws, document_id) as session:
            held, _ = _reviewers_work(session)
    kept = [a for records in held.values() for a in records if not a.orphaned]
    return _reliability(document_id, held, grouping.group(kept, held, overlap))


def _reliability(document_id: str, held: dict[str, list[Annotation]],
                 positions: Sequence[Position]) -> tuple[DocumentData, int]:
    """A document's reliability data from its reviewers' records and their
    positions, and how many stacked positions were left out: one vote per
    reviewer and position (a stacked position where a reviewer's spans carry
    different labels is left out); every span, stacked or not, counts for
    span F1, each reviewer's in id order (their file's order).  ``agreement``
    and ``report`` (from its dry-run merge's positions) both build it here."""
    from annotate import agreement as measures

    votes: list[Mapping[str, str]] = []
    skipped = 0
    for position in positions:
        if any(len({m.label for m in position.members if m.reviewer == reviewer}) > 1
               for reviewer in position.stacked):
            skipped += 1
            continue
        votes.append(position.labels)
    spans_of = {reviewer: [measures.Span(a.start, a.end, a.label)
                           for a in sorted(records, key=lambda a: a.id) if not a.orphaned]
                for reviewer, records in sorted(held.items())}
    return measures.DocumentData(document_id, frozenset(held), votes,
                                 {reviewer: own for reviewer, own in spans_of.items() if own}
                                 ), skipped


def _reviewers_work(session: store.DocumentSession
                    ) -> tuple[dict[str, list[Annotation]], list[Annotation]]:
    """Every reviewer's records of the session's document, and apart from them
    the consensus file's; refused if an id repeats (two records under one key:
    dropping either would change the result) or the files were made on
    different versions of the document."""
    from annotate.merge.positions import MAX_OFFSET

    held = session.read_all()
    consensus = held.pop(CONSENSUS_REVIEWER, [])
    # One pass over every record for both refusals: at 100,000 records each
    # pass costs about 0.05 s, most of it in reaching each record's fields.
    owners: dict[str, str] = {}
    versions: dict[str, set[str]] = {}
    for reviewer, records in held.items():
        for annotation in records:
            other = owners.get(annotation.id)
            if other is not None:
                # One file holding an id twice is what the git merge driver
                # leaves on a conflict: dedupe would keep both sides' records.
                if other == reviewer:
                    where = f"{reviewer}'s file holds it twice"
                    fix = "after a git merge conflict, keep one of the two lines; else run"
                else:
                    where, fix = f"both {other} and {reviewer} use it", "run"
                raise InvalidValueError(
                    f"{session.document_id}: annotation id {annotation.id!r} is not unique "
                    f"({where}); {fix} 'annotate dedupe' to give each annotation its own id, "
                    "then run this again")
            owners[annotation.id] = reviewer
            if not 0 <= annotation.start < annotation.end <= MAX_OFFSET:
                # Only a hand edit makes one (the rule book checks spans
                # against the text, which validate reads): no position can
                # hold it.
                raise InvalidValueError(
                    f"{session.document_id}: {reviewer}'s annotation {annotation.id!r} spans "
                    f"{annotation.start}..{annotation.end}, an empty, reversed or too long "
                    f"span; fix its start and end by hand or remove it ('annotate rm "
                    f"{annotation.id}'), then run this again")
            if not annotation.orphaned:
                versions.setdefault(annotation.document_sha256, set()).add(reviewer)
    if len(versions) > 1:
        # Offsets of different versions of a text do not line up.
        listed = "; ".join(f"{sha[:12]}: {', '.join(sorted(reviewers))}"
                           for sha, reviewers in sorted(versions.items()))
        raise InvalidValueError(
            f"{session.document_id}: reviewer files were made on different versions of the "
            f"document ({listed}); run 'annotate reanchor {shell_word(session.document_id)}' "
            "to move every annotation onto the current text, then run this again")
    return held, consensus


def _made_on(held: dict[str, list[Annotation]]) -> str | None:
    """The document version (SHA-256) the reviewers' records were placed on, or
    None if none was (orphans are on none).  ``_reviewers_work`` refused
    files on several versions, so the first placed record tells."""
    return next((a.document_sha256 for records in held.values() for a in records
                 if not a.orphaned), None)


@dataclass(frozen=True)
class MergeOutcome:
    """One document's merge and what became of its consensus file."""

    result: MergeResult
    # Editor's decisions that re-anchoring could not place: kept, not applied.
    unplaced: tuple[StoredDecision, ...]
    written: bool  # the consensus file was (re)written
    consensus_file: str  # where it is, as shown to the user


def merge(ws: Workspace, references: Sequence[str] = (), *, strategy: str = "unanimous",
          quorum: int | None = None, min_overlap: float | None = None,
          require_complete: bool = False, dry_run: bool = False,
          notify: Notify = _no_notes) -> list[MergeOutcome]:
    """Merge the reviewers' work on each document (default: every reviewed one)
    into its consensus file, ``annotations/<doc>/consensus.jsonl``.

    Each document is read and written under one lock; records are keyed by
    (reviewer, id); an editor's decisions (``resolve``) override the strategy.
    A consensus record that did not change keeps its timestamps, so a merge
    that changes nothing leaves the file as it was.  Refused: files on
    different versions of a document (run ``reanchor``), repeated ids (run
    ``dedupe``), decisions made on another version than the reviewers' files.
    """
    from annotate.merge import strategies

    chosen = strategies.parse_strategy(strategy)
    overlap = _min_overlap(min_overlap)
    if quorum is not None and chosen.name != "majority":
        raise InvalidValueError(f"--quorum applies to --strategy majority only (not {strategy})")
    if quorum is not None and quorum < 1:
        raise InvalidValueError(f"--quorum must be at least 1 (got {quorum})")
    # Each reviewed document's current version.  A document deleted (or
    # unreadable) since it was annotated, or a consensus file no checkout
    # could hold, is refused here, before any consensus file is written,
    # not after the ones before it.
    current: dict[str, str | None] = {}
    for document_id in _reviewed_documents(ws, references):
        current[document_id] = None
        if store.annotation_folder(ws, document_id).is_dir():
            current[document_id] = store.read_document(ws, document_id).sha256
            unportable = (None if dry_run
                          else store.unportable_reviewer(ws, document_id, CONSENSUS_REVIEWER))
            if unportable is not None:
                raise InvalidValueError(unportable)
    outcomes = []
    for document_id, sha256 in current.items():
        with cyclic_gc_paused():  # see agreement: no cycles here, and 100,000s of objects
            outcomes.append(_merge_one(ws, document_id, sha256, chosen, quorum, overlap,
                                       require_complete, dry_run, notify))
    return outcomes


def _merge_one(ws: Workspace, document_id: str, sha256: str | None, chosen: Strategy,
               quorum: int | None, overlap: float, require_complete: bool, dry_run: bool,
               notify: Notify) -> MergeOutcome:
    """``merge`` of one document whose current version is ``sha256`` (None:
    it has no annotation folder)."""
    from annotate.merge.consensus import Consensus, merge_document
    from annotate.merge.strategies import EditorDecision

    path = store.annotation_path(ws, document_id, CONSENSUS_REVIEWER)
    if sha256 is None:
        # Nobody reviewed it: nothing to merge, and a session would make
        # its folder (a merge, let alone a dry run, must not).
        result = merge_document(document_id, [], (), now=spans.now(), strategy=chosen,
                                quorum=quorum, min_overlap=overlap,
                                require_complete=require_complete)
        return MergeOutcome(result, (), False, ws.relative(path))
    with store.document_session(ws, document_id) as session:
        held, previous = _reviewers_work(session)
        placed, unplaced = _placed_decisions(session, held)
        _note_older_version(document_id, sha256, held, notify)
        result = merge_document(
            document_id, [a for records in held.values() for a in records], held,
            now=spans.now(), strategy=chosen, quorum=quorum, min_overlap=overlap,
            decisions={d.position: EditorDecision(d.label, d.editor, d.note, d.time, d.sources)
                       for d in placed},
            previous=[Consensus.from_annotation(a) for a in previous],
            require_complete=require_complete)
        records = [record.annotation for record in result.consensus]
        write = not dry_run and (bool(records) or bool(previous)) and records != previous
        if write:
            session.write(CONSENSUS_REVIEWER, records)
    return MergeOutcome(result, tuple(unplaced), write, ws.relative(path))


def _note_older_version(document_id: str, current: str, held: dict[str, list[Annotation]],
                        notify: Notify) -> None:
    """Merging on an older version is sound (offsets agree) but the consensus
    will be stale at once: say so (``current``: the document's version now)."""
    made_on = _made_on(held)
    if made_on is not None and current != made_on:
        notify(f"{document_id} changed since it was annotated: the consensus is merged on "
               "the version the reviewers saw; run "
               f"'annotate reanchor {shell_word(document_id)}' first to merge on the current text")


def _reviewed_documents(ws: Workspace, references: Sequence[str]) -> list[str]:
    """The documents named, or every document someone annotated or finished."""
    if references:
        return sorted({store.resolve_document(ws, r) for r in references})
    return sorted({*store.annotated_documents(ws), *store.finished_documents(ws)})


def _min_overlap(min_overlap: float | None) -> float:
    from annotate.merge import positions as grouping

    overlap = grouping.DEFAULT_MIN_OVERLAP if min_overlap is None else min_overlap
    try:
        grouping.check_min_overlap(overlap)
    except ValueError:
        raise InvalidValueError(f"--min-overlap {overlap} must be above 0 and at most 1 "
                                f"(default {grouping.DEFAULT_MIN_OVERLAP})") from None
    return overlap


def _placed_decisions(session: store.DocumentSession, held: dict[str, list[Annotation]]
                      ) -> tuple[list[StoredDecision], list[StoredDecision]]:
    """The editor's decisions to apply, and those re-anchoring orphaned (kept, not
    applied); decisions on another version than the reviewers' files are refused."""
    decisions = session.decisions()
    placed = [d for d in decisions if not d.orphaned]
    made_on = _made_on(held)
    stale = [d for d in placed if made_on is not None and d.document_sha256 != made_on]
    if stale:
        raise InvalidValueError(
            f"{session.document_id}: {len(stale)} decision(s) (e.g. {stale[0].position} by "
            f"{stale[0].editor}) were made on another version of the document than the "
            f"reviewers' files; run 'annotate reanchor {shell_word(session.document_id)}' to "
            "move both onto the current text, then run this again")
    return placed, [d for d in decisions if d.orphaned]


@dataclass(frozen=True)
class Resolved:
    """What `resolve` did: the decision recorded (or, with undo, removed)."""

    decision: StoredDecision
    replaced: StoredDecision | None  # the earlier decision for the position, if any
    removed: bool


def resolve(ws: Workspace, reference: str, position_id: str, *, label: str | None = None,
            reject: bool = False, undo: bool = False, note: str = "",
            sources: Sequence[str] = (), editor: str | None = None,
            min_overlap: float | None = None) -> Resolved:
    """Record an editor's decision for one merge position: a label, or "no claim
    here" (reject); with undo, take a decision back.

    The position is looked up as ``merge`` groups the document now (same
    ``min_overlap``).  The decision is stored with the span of the position's
    core, its quote, context and document version, so ``reanchor`` moves it
    with the text; a later decision for the same position replaces it.
    """
    from annotate.merge import positions as grouping

    if sum((label is not None, reject, undo)) != 1:
        raise InvalidValueError("say what to decide: --label LABEL, --reject (no claim here) "
                                "or --undo (take the decision back)")
    who = editor if editor is not None else workspace.default_reviewer(ws.root)[0]
    refuse_reserved(who, "; decide under your own name (--reviewer)")
    if label is not None:
        rules.require_label(ws.project, label)
    overlap = _min_overlap(min_overlap)
    doc = document(ws, reference)
    if not store.annotation_folder(ws, doc.id).is_dir():
        # Nobody reviewed it: refused before a session makes its folder.
        raise UnknownPositionError(
            f"no decision for {position_id!r} in {doc.id}; decided positions: none" if undo
            else _unknown_position(doc.id, position_id, []))
    with store.document_session(ws, doc.id) as session:
        decisions = session.decisions()
        earlier = next((d for d in decisions if d.position == position_id), None)
        if undo:
            if earlier is None:
                decided = ", ".join(d.position for d in decisions[:10]) or "none"
                raise UnknownPositionError(f"no decision for {position_id!r} in {doc.id}; "
                                           f"decided positions: {decided}")
            session.write_decisions([d for d in decisions if d is not earlier])
            return Resolved(earlier, None, removed=True)
        held, _ = _reviewers_work(session)
        kept = [a for records in held.values() for a in records if not a.orphaned]
        found = grouping.group(kept, held, overlap)
        position = next((p for p in found if p.id == position_id), None)
        if position is None:
            raise UnknownPositionError(_unknown_position(doc.id, position_id, found))
        core = next(m for m in position.members if (m.start, m.end) == (position.start,
                                                                         position.end))
        cited = tuple(dict.fromkeys(sources))
        required = label is not None and ws.project.label(label)
        if required and required.requires_source and not cited and not any(
                m.sources for m in position.members if m.label == label):
            raise InvalidValueError(f"label {label!r} requires a source and no reviewer who "
                                    f"chose it here cited one; pass --source URL")
        decision = StoredDecision(
            document=doc.id, document_sha256=core.document_sha256, start=core.start,
            end=core.end, quote=core.quote, prefix=core.prefix, suffix=core.suffix,
            label=label, editor=who, note=note, sources=cited, time=spans.now())
        session.write_decisions([d for d in decisions if d is not earlier] + [decision])
    return Resolved(decision, earlier, removed=False)


def _unknown_position(document_id: str, position_id: str, found: Sequence[Position]) -> str:
    """What to say about a position id the merge does not have: the nearest ones."""
    import difflib

    from annotate.merge.positions import jaccard, parse_position_id

    if not found:
        return (f"{document_id} has no positions: no reviewer has annotated it (see "
                f"'annotate merge {shell_word(document_id)}')")
    wanted = parse_position_id(position_id)
    if wanted is None:
        ids = [p.id for p in found]
        nearest = difflib.get_close_matches(position_id, ids, n=5, cutoff=0) or ids[:5]
    else:
        ranked = sorted(found, key=lambda p: (-jaccard(wanted, (p.start, p.end)),
                                              abs(p.start - wanted[0]), p.start))
        nearest = [p.id for p in ranked[:5]]
    return (f"{document_id} has no position {position_id!r}; nearest: {', '.join(nearest)} "
            f"(see 'annotate merge {shell_word(document_id)}')")
