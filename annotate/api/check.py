"""Operations that check and repair: validate, reanchor, dedupe."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from annotate import spans, store, workspace
from annotate.errors import CorruptFileError, InvalidValueError
from annotate.model import Annotation, StoredDecision
from annotate.workspace import Workspace

if TYPE_CHECKING:
    from annotate.anchoring.reanchor import Reanchored
    from annotate.validation import Report


def validate(explicit_workspace: str | None, paths: Sequence[str] = (), *,
             strict: bool = False, use_cache: bool = True, jobs: int | None = None,
             progress: Callable[[int, int], None] | None = None) -> Report:
    """Validate the workspace, or the given files and folders; strict: warnings are errors.

    Under CI (the CI variable set, as GitHub Actions and most runners do) the
    cache is not used: a CI checkout starts without one, so a cache found
    there came from the repository, where a forged entry could hide findings.
    """
    from annotate import validation as checks

    use_cache = use_cache and not os.environ.get("CI")
    root = workspace.locate(explicit_workspace)
    try:
        ws = checks.load_workspace(root, use_cache=use_cache)  # workspace.load, or cached
    except CorruptFileError:
        # Without a usable project file the annotations folder and the
        # taxonomy are unknown: report the project file's own findings.
        data = (root / workspace.PROJECT_FILE).read_bytes()
        findings, _ = checks.check_project_text(workspace.PROJECT_FILE, data)
        report = checks.Report(findings, files_checked=1, annotations_checked=0,
                               files_from_cache=0, unreadable=False)
    else:
        report = checks.validate(ws, paths, use_cache=use_cache, jobs=jobs, progress=progress)
    if strict:
        report = dataclasses.replace(report, findings=checks.apply_strict(report.findings))
    return report


@dataclass(frozen=True)
class ReanchorReport:
    """What `annotate reanchor` did (or would do, with --dry-run)."""

    results: list[Reanchored]  # one per annotation that was on an older version
    up_to_date: int  # annotations already on the current version
    documents: int
    orphans_remaining: int  # orphaned after this run, in the documents looked at
    written: bool
    # Editor's decisions (`resolve`) moved with the text, and those left
    # orphaned (kept, not applied by merge).
    decisions_moved: int = 0
    decisions_orphaned: tuple[StoredDecision, ...] = ()


def reanchor(ws: Workspace, references: Sequence[str] = (), *, dry_run: bool = False,
             min_score: float | None = None) -> ReanchorReport:
    """Move every annotation made on an older version of its document to its
    place in the current text (exact, fuzzy) or mark it orphaned; never drop one.

    One diff per (document, old version) serves every reviewer's annotations
    made on that version.  Each document is read, moved and written in one
    document session (one lock), with records keyed by (reviewer, id); a
    workspace where an id repeats is refused first (see `dedupe`).
    """
    from annotate.anchoring import reanchor as anchoring

    if min_score is not None and not 0.0 <= min_score <= 1.0:
        raise InvalidValueError(f"--min-score {min_score} must be between 0 and 1")
    score = anchoring.DEFAULT_MIN_SCORE if min_score is None else min_score
    if references:
        document_ids = sorted({store.resolve_document(ws, r) for r in references})
    else:
        document_ids = store.annotated_documents(ws)
    refuse_repeated_ids(ws, document_ids)
    results: list[anchoring.Reanchored] = []
    up_to_date = orphans = 0
    decisions_moved = 0
    decisions_orphaned: list[StoredDecision] = []
    for document_id in document_ids:
        current = store.read_document(ws, document_id)
        # One lock for the document: every reviewer's file is read, moved and
        # written under it, so nothing changes between the read and the write.
        with store.document_session(ws, document_id) as session:
            held = session.read_all()
            stale: dict[str, list[Annotation]] = {}
            for annotations in held.values():
                for annotation in annotations:
                    if annotation.document_sha256 == current.sha256 and not annotation.orphaned:
                        up_to_date += 1
                    else:
                        stale.setdefault(annotation.document_sha256, []).append(annotation)
            # An editor's decision moves like an annotation, in the same diff.
            decisions = session.decisions()
            carried = {}
            for index, decision in enumerate(decisions):
                if decision.document_sha256 != current.sha256 or decision.orphaned:
                    carrier = _carrier(decision, index)
                    carried[carrier.id] = index
                    stale.setdefault(decision.document_sha256, []).append(carrier)
            # Keyed by (reviewer, id): two reviewers' files may share an id.
            moved: dict[tuple[str, str], Annotation] = {}
            stamp = spans.now()
            for version, group in sorted(stale.items()):
                old_text = store.read_version(ws, version)
                outcomes = anchoring.reanchor(old_text, current.text, current.sha256, group,
                                              score)
                for before, result in zip(group, outcomes, strict=True):
                    if before.id in carried and before.reviewer == _CARRIER:
                        index = carried[before.id]
                        decisions[index] = _carried(decisions[index], result.annotation)
                        decisions_moved += result.outcome != "orphaned"
                        if result.outcome == "orphaned":
                            decisions_orphaned.append(decisions[index])
                        continue
                    results.append(result)
                    orphans += result.outcome == "orphaned"
                    if result.annotation != before:
                        moved[before.reviewer, before.id] = result.annotation.replace(
                            modified=max(stamp, before.created))
            if dry_run or not (moved or carried):
                continue
            if carried:
                session.write_decisions(decisions)
            store.save_version(ws, current)
            for reviewer, annotations in held.items():
                if any((reviewer, a.id) in moved for a in annotations):
                    session.write(reviewer, [moved.get((reviewer, a.id), a)
                                             for a in annotations])
    return ReanchorReport(results, up_to_date, len(document_ids), orphans,
                          written=not dry_run, decisions_moved=decisions_moved,
                          decisions_orphaned=tuple(decisions_orphaned))


# The reviewer name a decision travels under through the anchoring code; it
# cannot be a reviewer's (names do not contain spaces), so nothing mixes up.
_CARRIER = "editor decision"


def _carrier(decision: StoredDecision, index: int) -> Annotation:
    """An editor's decision as the annotation the anchoring code moves."""
    return Annotation(
        id=f"decision-{index}", document=decision.document,
        document_sha256=decision.document_sha256, start=decision.start, end=decision.end,
        quote=decision.quote, prefix=decision.prefix, suffix=decision.suffix,
        label=decision.label or "", reviewer=_CARRIER, note="", sources=(),
        created=decision.time, modified=decision.time, orphaned=decision.orphaned,
        previous_quote=decision.previous_quote)


def _carried(decision: StoredDecision, moved: Annotation) -> StoredDecision:
    """The decision where the anchoring code put its carrier."""
    return decision.replace(
        document_sha256=moved.document_sha256, start=moved.start, end=moved.end,
        quote=moved.quote, prefix=moved.prefix, suffix=moved.suffix, orphaned=moved.orphaned,
        previous_quote=moved.previous_quote)


def refuse_repeated_ids(ws: Workspace, document_ids: Sequence[str]) -> None:
    """A bulk writer must not meet one id twice: results keyed by it would
    land on the wrong record (issue 8, item 1)."""
    places: dict[str, list[str]] = {}
    for document_id in document_ids:
        for path in store.reviewer_files(ws, document_id).values():
            shown = ws.relative(path)  # once a file: it resolves links, at several stats
            for annotation in store.read_annotation_file(ws, path):
                places.setdefault(annotation.id, []).append(shown)
    repeated = {i: where for i, where in places.items() if len(where) > 1}
    if repeated:
        first, where = min(repeated.items())
        raise InvalidValueError(
            f"{len(repeated)} annotation id(s) are used more than once, e.g. {first!r} in "
            f"{', '.join(where[:3])}; run 'annotate dedupe' to give each annotation its "
            "own id, then run this again")


@dataclass(frozen=True)
class Deduplicated:
    """One change `annotate dedupe` made: a repeated id renamed, or an exact copy dropped."""

    document: str
    reviewer: str
    old_id: str
    new_id: str | None  # None: the record was an exact copy of another, dropped


def dedupe(ws: Workspace, *, dry_run: bool = False) -> list[Deduplicated]:
    """Give every annotation of the workspace its own id.

    Files are taken in order (by document, then reviewer) and records in
    file order; the first holder of an id keeps it.  A later record that is
    an exact copy of one with the same id in the same file is dropped (a
    line duplicated by a merge); any other later holder gets a new id.
    """
    taken = {a.id for a in store.read_all_annotations(ws)}
    kept: set[str] = set()
    changes: list[Deduplicated] = []
    documents = store.annotated_documents(ws)
    for document_id in documents:
        with store.document_session(ws, document_id) as session:
            for reviewer, held in session.read_all().items():
                result: list[Annotation] = []
                # This file's records as they were read: an exact copy of one
                # is dropped even when that one was given a new id.
                seen: set[Annotation] = set()
                for annotation in held:
                    if annotation.id not in kept:
                        kept.add(annotation.id)
                        seen.add(annotation)
                        result.append(annotation)
                    elif annotation in seen:
                        changes.append(Deduplicated(document_id, reviewer, annotation.id, None))
                    else:
                        seen.add(annotation)
                        fresh = spans.new_id()
                        while fresh in taken:
                            fresh = spans.new_id()
                        taken.add(fresh)
                        kept.add(fresh)
                        changes.append(Deduplicated(document_id, reviewer, annotation.id,
                                                    fresh))
                        result.append(annotation.replace(id=fresh))
                if result != held and not dry_run:
                    session.write(reviewer, result)
    return changes
