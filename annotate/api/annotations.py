"""Operations on annotations: add, finish, list, show, edit, rm."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from annotate import rules, spans, store, workspace
from annotate.api._common import (
    MIN_ID_PREFIX,
    Notify,
    _no_notes,
    document,
    pick,
    refuse_reserved,
)
from annotate.errors import AnnotationNotFoundError, CorruptFileError, InvalidValueError
from annotate.gcpause import cyclic_gc_paused
from annotate.model import CONSENSUS_REVIEWER, Annotation, Document, Finished
from annotate.workspace import Workspace


def add_annotation(ws: Workspace, reference: str, span: spans.SpanSpec, *, label: str,
                   reviewer: str | None = None, note: str = "",
                   sources: tuple[str, ...] = (), verdict: str | None = None,
                   tags: tuple[str, ...] = (), notify: Notify = _no_notes) -> Annotation:
    """Mark a span: the new record passes the rule book before anything is written."""
    who, origin = ((reviewer, None) if reviewer is not None
                   else workspace.default_reviewer(ws.root))
    refuse_reserved(who, " of several reviewers; annotate under your own name")
    doc = document(ws, reference)
    start, end = pick(ws, doc, span, notify)
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
        _refuse_repeat(annotation, existing)
        session.write(who, [*existing, annotation])
    return annotation


def _refuse_repeat(annotation: Annotation, existing: list[Annotation],
                   editing: bool = False) -> None:
    """A reviewer marks a span with a label once: add and edit refuse a second."""
    for other in existing:
        if (other.start, other.end, other.label) == (annotation.start, annotation.end,
                                                     annotation.label) \
                and other.document_sha256 == annotation.document_sha256 \
                and not other.orphaned and other.id != annotation.id:
            advice = (f"keep that one and remove this one ('annotate rm {annotation.id}'), "
                      "or pick another span or label" if editing
                      else f"change that one with 'annotate edit {other.id}'")
            raise InvalidValueError(
                f"{annotation.reviewer} already marked this span as {annotation.label!r} "
                f"({other.id}); {advice}")


def finish(ws: Workspace, reference: str, *, reviewer: str | None = None,
           undo: bool = False) -> Finished:
    """Record that a reviewer finished a document, marking nothing more
    (or, with undo, take that back); returns the marker set or removed.

    A reviewer who finished with no annotations is a reviewer of the
    document who marked nothing: merge and agreement count them so.
    """
    who = reviewer if reviewer is not None else workspace.default_reviewer(ws.root)[0]
    refuse_reserved(who, "")
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
    with cyclic_gc_paused():  # many records, no cycles: refcounting frees them
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


def _refuse_consensus(found: Annotation, document_id: str, doing: str) -> None:
    """A consensus record is the merge's output: the next merge would undo a hand edit."""
    if found.reviewer != CONSENSUS_REVIEWER:
        return
    position = (found.provenance or {}).get("position", "POSITION")
    raise InvalidValueError(
        f"{found.id} is a record of the merged consensus, which 'annotate merge' rewrites, so "
        f"{doing} it would not last; decide its position instead: 'annotate resolve "
        f"{document_id} {position} --label LABEL' (or --reject), then 'annotate merge "
        f"{document_id}'")


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
    _refuse_consensus(found, document_id, "editing")
    moved: dict[str, object] = {}
    if span is not None:
        doc = store.read_document(ws, document_id)
        start, end = pick(ws, doc, span, notify)
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
        if (edited.start, edited.end, edited.label) != (current.start, current.end,
                                                        current.label):
            _refuse_repeat(edited, existing, editing=True)
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
    _refuse_consensus(found, document_id, "removing")
    with store.document_session(ws, document_id) as session:
        existing = session.read(reviewer)
        if not any(a.id == found.id for a in existing):
            raise AnnotationNotFoundError(f"annotation {found.id} was removed meanwhile")
        session.write(reviewer, [a for a in existing if a.id != found.id])
    return found
