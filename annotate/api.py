"""The library's operations: each CLI command is one call to one of these.

They tie the pure modules (spans, anchoring, sentences) to the store; no
click, no printing.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from annotate import rules, spans, store, workspace
from annotate.errors import (
    AnnotateError,
    AnnotationNotFoundError,
    CorruptFileError,
    InvalidValueError,
    WorkspaceError,
)
from annotate.model import CONSENSUS_REVIEWER, Annotation, Document, Finished, Sentence
from annotate.workspace import Workspace

if TYPE_CHECKING:
    from annotate.agreement import AgreementReport
    from annotate.anchoring.reanchor import Reanchored
    from annotate.validation import Report

MIN_ID_PREFIX = 4

Notify = Callable[[str], None]


def _no_notes(message: str) -> None:
    """Where notes go when the caller does not want them."""


def open_workspace(explicit: str | None = None) -> Workspace:
    """The workspace named by --workspace/$ANNOTATE_WORKSPACE, else found by walking up."""
    return workspace.load(workspace.locate(explicit))


def init_workspace(directory: Path, name: str | None = None, corpus: str = "corpus",
                   annotations: str = "annotations") -> Workspace:
    """Create the project file and, if missing, the corpus and annotations folders."""
    import json

    project_file = directory / workspace.PROJECT_FILE
    if project_file.exists():
        raise WorkspaceError(f"{project_file} already exists; this folder is a workspace")
    if directory.exists() and not directory.is_dir():
        raise WorkspaceError(f"{directory} exists and is not a folder")
    for option, folder in (("--corpus", corpus), ("--annotations", annotations)):
        if not folder.strip() or Path(folder).is_absolute() or "\0" in folder:
            raise InvalidValueError(f"{option} {folder!r} must be a folder relative to the "
                                    f"workspace, e.g. {option[2:]}")
    data = workspace.default_project(name or directory.resolve().name or "annotations",
                                     corpus, annotations)
    problems = rules.project_problems(data)
    if problems:
        raise InvalidValueError(f"cannot create the project file: {problems[0].message}")
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    # Temporary files of interrupted writes are removed on the next write;
    # until then git must not pick them up.
    ignore = b"# annotate's temporary files from interrupted writes\n.*.tmp\n"
    store.create_workspace(project_file, text.encode("utf-8"),
                           [directory / corpus, directory / annotations],
                           {directory / annotations / ".gitignore": ignore})
    return workspace.load(directory)


def document(ws: Workspace, reference: str) -> Document:
    """The document a user named by id or by path."""
    return store.read_document(ws, store.resolve_document(ws, reference))


@dataclass(frozen=True)
class DocumentInfo:
    """One row of `annotate documents`: a document and who annotated it."""

    id: str
    sha256: str  # "" when the document cannot be read
    characters: int
    annotations: int
    reviewers: tuple[str, ...]  # who annotated it
    problem: str | None = None  # why the document cannot be read
    finished: tuple[str, ...] = ()  # who finished reviewing it


def documents(ws: Workspace) -> list[DocumentInfo]:
    """Every document of the corpus with its version, size and annotators."""
    counts: dict[str, list[Annotation]] = {}
    for annotation in store.read_all_annotations(ws):
        counts.setdefault(annotation.document, []).append(annotation)
    finished = store.finished_documents(ws)
    infos = []
    for document_id in store.list_documents(ws):
        found = counts.get(document_id, [])
        reviewers = tuple(sorted({a.reviewer for a in found}))
        done = tuple(finished.get(document_id, ()))
        try:
            doc = store.read_document(ws, document_id)
        except AnnotateError as error:
            # One bad file must not hide the rest of the corpus.
            infos.append(DocumentInfo(document_id, "", 0, len(found), reviewers, str(error),
                                      done))
            continue
        infos.append(DocumentInfo(document_id, doc.sha256, len(doc.text), len(found),
                                  reviewers, None, done))
    return infos


def sentences(ws: Workspace, reference: str) -> list[Sentence]:
    """The numbered sentences of a document."""
    return store.document_sentences(ws, document(ws, reference))


def _pick(ws: Workspace, doc: Document, span: spans.SpanSpec, notify: Notify
          ) -> tuple[int, int]:
    """The span a user named on a document; how it was found goes to notify."""
    numbered = (store.document_sentences(ws, doc) if isinstance(span, spans.SentenceSpan)
                else None)
    picked = spans.pick(doc.text, span, numbered)
    if picked.note:
        notify(picked.note)
    return picked.start, picked.end


def add_annotation(ws: Workspace, reference: str, span: spans.SpanSpec, *, label: str,
                   reviewer: str | None = None, note: str = "",
                   sources: tuple[str, ...] = (), verdict: str | None = None,
                   tags: tuple[str, ...] = (), notify: Notify = _no_notes) -> Annotation:
    """Mark a span: the new record passes the rule book before anything is written."""
    who, origin = ((reviewer, None) if reviewer is not None
                   else workspace.default_reviewer(ws.root))
    if who == CONSENSUS_REVIEWER:
        raise InvalidValueError(f"{CONSENSUS_REVIEWER!r} is reserved for the merged result "
                                "of several reviewers; annotate under your own name")
    doc = document(ws, reference)
    start, end = _pick(ws, doc, span, notify)
    annotation = spans.new_annotation(
        doc, start, end, label=label, reviewer=who, note=note,
        sources=tuple(dict.fromkeys(sources)), verdict=verdict, tags=tuple(dict.fromkeys(tags)),
    )
    record = dict(annotation.to_record())
    problems = rules.record_problems(record, ws.project)
    if origin is not None:
        problems = [dataclasses.replace(p, message=f"{p.message} (the name came from "
                                        f"{origin}: fix it there, or pass --reviewer)")
                    if p.path[:1] == ("reviewer",) else p for p in problems]
    rules.require(problems)
    rules.require(rules.span_problems(doc.text, record))
    store.save_version(ws, doc)
    with store.document_session(ws, doc.id) as session:
        existing = session.read(who)
        for other in existing:
            if (other.start, other.end, other.label) == (start, end, label) \
                    and other.document_sha256 == doc.sha256 and not other.orphaned:
                raise InvalidValueError(
                    f"{who} already marked this span as {label!r} ({other.id}); "
                    f"change that one with 'annotate edit {other.id}'")
        session.write(who, [*existing, annotation])
    return annotation


def finish(ws: Workspace, reference: str, *, reviewer: str | None = None,
           undo: bool = False) -> Finished:
    """Record that a reviewer finished a document, marking nothing more
    (or, with undo, take that back); returns the marker set or removed.

    A reviewer who finished with no annotations is a reviewer of the
    document who marked nothing: merge and agreement count them so.
    """
    who = reviewer if reviewer is not None else workspace.default_reviewer(ws.root)[0]
    if who == CONSENSUS_REVIEWER:
        raise InvalidValueError(f"{CONSENSUS_REVIEWER!r} is reserved for the merged result")
    doc = document(ws, reference)
    with store.document_session(ws, doc.id) as session:
        current = session.finished().get(who)
        if undo:
            if current is None:
                raise InvalidValueError(f"{who} has not finished {doc.id}; nothing to undo")
            session.mark_finished(who, None)
            return current
        marker = Finished(doc.id, who, spans.now(), doc.sha256)
        session.mark_finished(who, marker)
    store.save_version(ws, doc)
    return marker


def list_annotations(ws: Workspace, reference: str | None = None, *,
                     reviewer: str | None = None, label: str | None = None,
                     notify: Notify = _no_notes) -> list[Annotation]:
    """Annotations of one document or the whole workspace, filtered, in reading order.

    A reviewer filter that names nobody here is an error listing who is
    here, except a unique match of the part before '@' (alice for
    alice@factdesk.example), which is taken and said through ``notify``.
    """
    if label is not None:
        rules.require_label(ws.project, label)
    if reference is None:
        found = store.read_all_annotations(ws)
    else:
        found = []
        document_id = store.resolve_document(ws, reference)
        for path in store.reviewer_files(ws, document_id).values():
            found.extend(store.read_annotation_file(ws, path))
    if reviewer is not None:
        reviewer = _known_reviewer(reviewer, {a.reviewer for a in found}, notify)
    selected = [a for a in found
                if (reviewer is None or a.reviewer == reviewer)
                and (label is None or a.label == label)]
    return sorted(selected, key=lambda a: (a.document, a.start, a.end, a.reviewer, a.id))


def _known_reviewer(name: str, present: set[str], notify: Notify) -> str:
    """The reviewer a filter means: an exact name, or a unique local part."""
    if name in present:
        return name
    local = [r for r in present if r.partition("@")[0] == name]
    if len(local) == 1:
        notify(f"--reviewer {name!r} taken as {local[0]!r}")
        return local[0]
    here = ", ".join(sorted(present)[:20]) or "none: there are no annotations here yet"
    raise InvalidValueError(f"no annotations by reviewer {name!r} here; reviewers: {here}")


def annotated_document(ws: Workspace, reference: str, *, reviewer: str | None = None,
                       notify: Notify = _no_notes) -> tuple[Document, list[Annotation]]:
    """A document and its annotations (one reviewer's if given): what `show` draws."""
    doc = document(ws, reference)
    return doc, list_annotations(ws, doc.id, reviewer=reviewer, notify=notify)


def find_annotation(ws: Workspace, id_prefix: str) -> tuple[Path, Annotation]:
    """The one annotation whose id starts with id_prefix, and its file."""
    if len(id_prefix) < MIN_ID_PREFIX:
        raise InvalidValueError(f"annotation id {id_prefix!r} is too short: give at least "
                                f"{MIN_ID_PREFIX} characters (see 'annotate list')")
    matches = [(path, a) for path in store.annotation_files(ws)
               for a in store.read_annotation_file(ws, path, containing=id_prefix.encode())
               if a.id.startswith(id_prefix)]
    if not matches:
        raise AnnotationNotFoundError(f"no annotation with id {id_prefix!r}; "
                                      "see 'annotate list' for the ids")
    if len({a.id for _, a in matches}) == 1 and len(matches) > 1:
        places = ", ".join(ws.relative(path) for path, _ in matches[:5])
        raise AnnotationNotFoundError(
            f"id {matches[0][1].id!r} is used by {len(matches)} annotations ({places}); "
            "run 'annotate dedupe' to give each its own id, then use the new ids")
    if len(matches) > 1:
        ids = ", ".join(a.id for _, a in matches[:10])
        raise AnnotationNotFoundError(f"id {id_prefix!r} is ambiguous: it matches {ids}; "
                                      "give more characters")
    return matches[0]


def _owner(ws: Workspace, path: Path) -> tuple[str, str]:
    owner = store.owner_of(ws, path)
    if owner is None:
        raise CorruptFileError(ws.relative(path), 1, 1, "this annotation file is not in a "
                               "document's folder, so annotate cannot tell whose it is")
    return owner


def edit_annotation(ws: Workspace, id_prefix: str, *, label: str | None = None,
                    span: spans.SpanSpec | None = None, note: str | None = None,
                    add_sources: tuple[str, ...] = (), remove_sources: tuple[str, ...] = (),
                    verdict: str | None = None, clear_verdict: bool = False,
                    add_tags: tuple[str, ...] = (), remove_tags: tuple[str, ...] = (),
                    notify: Notify = _no_notes) -> Annotation:
    """Change one annotation; the edited record passes the rule book before it is written.

    A new span is picked on the document as it is now: the annotation keeps
    its id and `created`, takes the new quote, context and version, and is
    no longer orphaned.
    """
    path, found = find_annotation(ws, id_prefix)
    document_id, reviewer = _owner(ws, path)
    moved: dict[str, object] = {}
    if span is not None:
        doc = store.read_document(ws, document_id)
        start, end = _pick(ws, doc, span, notify)
        made = spans.new_annotation(doc, start, end, label=found.label, reviewer=reviewer,
                                    note="", sources=(), verdict=None, tags=())
        moved = {"start": start, "end": end, "quote": made.quote, "prefix": made.prefix,
                 "suffix": made.suffix, "document_sha256": doc.sha256, "orphaned": False,
                 "previous_quote": None}
        store.save_version(ws, doc)
    with store.document_session(ws, document_id) as session:
        # Apply the edit to the record as it is now, under the lock.
        existing = session.read(reviewer)
        current = next((a for a in existing if a.id == found.id), None)
        if current is None:
            raise AnnotationNotFoundError(f"annotation {found.id} was removed meanwhile")
        sources = list(current.sources)
        for url in remove_sources:
            if url not in sources:
                raise InvalidValueError(f"annotation {current.id} has no source {url!r}; "
                                        f"its sources: {', '.join(sources) or 'none'}")
            sources.remove(url)
        sources.extend(url for url in add_sources if url not in sources)
        tags = [t for t in current.tags if t not in remove_tags]
        tags.extend(t for t in add_tags if t not in tags)
        edited = current.replace(
            label=current.label if label is None else label,
            note=current.note if note is None else note,
            sources=tuple(sources),
            tags=tuple(tags),
            verdict=None if clear_verdict else current.verdict if verdict is None else verdict,
            **moved,
        )
        if edited == current:
            raise InvalidValueError("nothing to change: give --label, a new span (--quote, "
                                    "--start/--end, --sentence), --note, --add-source, "
                                    "--remove-source, --verdict, --clear-verdict, --add-tag "
                                    "or --remove-tag")
        edited = edited.replace(modified=max(spans.now(), current.created))
        rules.require(rules.record_problems(dict(edited.to_record()), ws.project))
        if span is not None:
            rules.require(rules.span_problems(doc.text, dict(edited.to_record())))
        session.write(reviewer, [edited if a.id == current.id else a for a in existing])
    return edited


def remove_annotation(ws: Workspace, id_prefix: str, *,
                      confirm: Callable[[Annotation], bool] | None = None) -> Annotation | None:
    """Remove the annotation whose id starts with id_prefix; None if confirm(it) says no."""
    path, found = find_annotation(ws, id_prefix)
    # Ask before taking the lock: an answer may take a human minutes.
    if confirm is not None and not confirm(found):
        return None
    document_id, reviewer = _owner(ws, path)
    with store.document_session(ws, document_id) as session:
        existing = session.read(reviewer)
        if not any(a.id == found.id for a in existing):
            raise AnnotationNotFoundError(f"annotation {found.id} was removed meanwhile")
        session.write(reviewer, [a for a in existing if a.id != found.id])
    return found


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
        document_ids = sorted({a.document for a in store.read_all_annotations(ws)})
    _refuse_repeated_ids(ws, document_ids)
    results: list[anchoring.Reanchored] = []
    up_to_date = orphans = 0
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
            # Keyed by (reviewer, id): two reviewers' files may share an id.
            moved: dict[tuple[str, str], Annotation] = {}
            stamp = spans.now()
            for version, group in sorted(stale.items()):
                old_text = store.read_version(ws, version)
                outcomes = anchoring.reanchor(old_text, current.text, current.sha256, group,
                                              score)
                for before, result in zip(group, outcomes, strict=True):
                    results.append(result)
                    orphans += result.outcome == "orphaned"
                    if result.annotation != before:
                        moved[before.reviewer, before.id] = result.annotation.replace(
                            modified=max(stamp, before.created))
            if dry_run or not moved:
                continue
            store.save_version(ws, current)
            for reviewer, annotations in held.items():
                if any((reviewer, a.id) in moved for a in annotations):
                    session.write(reviewer, [moved.get((reviewer, a.id), a)
                                             for a in annotations])
    return ReanchorReport(results, up_to_date, len(document_ids), orphans,
                          written=not dry_run)


def _refuse_repeated_ids(ws: Workspace, document_ids: Sequence[str]) -> None:
    """A bulk writer must not meet one id twice: results keyed by it would
    land on the wrong record (issue 8, item 1)."""
    places: dict[str, list[str]] = {}
    for document_id in document_ids:
        for path in store.reviewer_files(ws, document_id).values():
            for annotation in store.read_annotation_file(ws, path):
                places.setdefault(annotation.id, []).append(ws.relative(path))
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
    documents = sorted({owner[0] for path in store.annotation_files(ws)
                        if (owner := store.owner_of(ws, path)) is not None})
    for document_id in documents:
        with store.document_session(ws, document_id) as session:
            for reviewer, held in session.read_all().items():
                result: list[Annotation] = []
                for annotation in held:
                    if annotation.id not in kept:
                        kept.add(annotation.id)
                        result.append(annotation)
                    elif annotation in result:
                        changes.append(Deduplicated(document_id, reviewer, annotation.id, None))
                    else:
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
        document_ids = sorted({owner[0] for path in store.annotation_files(ws)
                               if (owner := store.owner_of(ws, path)) is not None}
                              | set(store.finished_documents(ws)))
    data: list[measures.DocumentData] = []
    skipped: dict[str, int] = {}
    for document_id in document_ids:
        held: dict[str, list[Annotation]] = {}
        # A session makes the document's folder; a read must not, so a
        # document nobody annotated is not opened at all.
        if store.reviewer_files(ws, document_id) or store.read_finished(ws, document_id):
            with store.document_session(ws, document_id) as session:
                held = {reviewer: records for reviewer, records in session.read_all().items()
                        if reviewer != CONSENSUS_REVIEWER}
        _refuse_mixed_versions(document_id, held)
        kept: dict[tuple[str, str], Annotation] = {}
        for reviewer, records in held.items():
            for annotation in records:
                if (reviewer, annotation.id) in kept:
                    # Two records under one key: dropping either would change the figures.
                    raise InvalidValueError(
                        f"{document_id}: {reviewer}'s file holds id {annotation.id!r} twice; "
                        "run 'annotate dedupe' to give each annotation its own id, then "
                        "run this again")
                if not annotation.orphaned:
                    kept[reviewer, annotation.id] = annotation
        found = grouping.group(kept.values(), held, overlap)
        votes: list[dict[str, str]] = []
        for position in found:
            labels = position.labels
            if any(len({m.label for m in position.members if m.reviewer == reviewer}) > 1
                   for reviewer in position.stacked):
                skipped[document_id] = skipped.get(document_id, 0) + 1
                continue
            votes.append(labels)
        spans_of: dict[str, list[measures.Span]] = {}
        for (reviewer, _), annotation in sorted(kept.items()):
            spans_of.setdefault(reviewer, []).append(
                measures.Span(annotation.start, annotation.end, annotation.label))
        data.append(measures.DocumentData(document_id, frozenset(held), votes, spans_of))
    if not data:
        raise TooFewReviewersError(
            "agreement needs at least two reviewers, and there are no annotations here yet")
    mode: measures.Absent = "none" if absent == "none" else "missing"
    report = measures.agreement(data, absent=mode)
    return dataclasses.replace(report, min_overlap=overlap, stacked_skipped=skipped)


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
# -- git (issue 9, item 5) ------------------------------------------------------
#
# Appended as a block of its own (types included) so that parallel work on
# this module merges without touching the same lines.

if TYPE_CHECKING:
    from annotate.gitrepo import DriverInstalled
    from annotate.merge.gitdriver import ThreeWayMerge

def git_merge_driver(ancestor: Path, ours: Path, theirs: Path,
                     shown_path: str) -> ThreeWayMerge:
    """Merge git's three versions of an annotation file by id into ``ours`` (%A).

    Writes the merged file (with both versions of each conflicting record)
    only when all three versions parse; otherwise raises and ``ours`` is
    left as it was.
    """
    from annotate import gitrepo
    from annotate.merge import gitdriver

    old, mine, other = (gitrepo.read_version(path, f"{shown_path} ({side})") for path, side
                        in ((ancestor, "common ancestor"), (ours, "ours"), (theirs, "theirs")))
    result = gitdriver.merge_bytes(old, mine, other, shown_path)
    gitrepo.write_result(ours, result.text().encode("utf-8"))
    return result


def install_git_driver(ws: Workspace) -> DriverInstalled:
    """Route the workspace's annotation files to the merge driver, for this clone."""
    from annotate import gitrepo

    return gitrepo.install_driver(ws.root, ws.annotations_dir)
