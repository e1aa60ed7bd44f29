"""The library's operations: each CLI command is one call to one of these.

They tie the pure modules (spans, anchoring, sentences) to the store; no
click, no printing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from annotate import spans, store, workspace
from annotate.errors import (
    AnnotationNotFoundError,
    CorruptFileError,
    InvalidValueError,
    WorkspaceError,
)
from annotate.model import Annotation, Document, Sentence
from annotate.workspace import Workspace

if TYPE_CHECKING:
    from annotate.anchoring import Reanchored
    from annotate.validation import Report

MIN_ID_PREFIX = 4


def open_workspace(explicit: str | None = None) -> Workspace:
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
    from annotate.schema import describe_error, schema_errors

    errors = schema_errors("project", data)
    if errors:
        raise InvalidValueError(f"cannot create the project file: {describe_error(errors[0])}")
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    store.create_workspace(project_file, text.encode("utf-8"),
                           [directory / corpus, directory / annotations])
    return workspace.load(directory)


def document(ws: Workspace, reference: str) -> Document:
    return store.read_document(ws, store.resolve_document(ws, reference))


@dataclass(frozen=True)
class DocumentInfo:
    id: str
    sha256: str
    characters: int
    annotations: int
    reviewers: tuple[str, ...]


def documents(ws: Workspace) -> list[DocumentInfo]:
    counts: dict[str, list[Annotation]] = {}
    for annotation in store.read_all_annotations(ws):
        counts.setdefault(annotation.document, []).append(annotation)
    infos = []
    for document_id in store.list_documents(ws):
        doc = store.read_document(ws, document_id)
        found = counts.get(document_id, [])
        infos.append(DocumentInfo(document_id, doc.sha256, len(doc.text), len(found),
                                  tuple(sorted({a.reviewer for a in found}))))
    return infos


def sentences(ws: Workspace, reference: str) -> list[Sentence]:
    from annotate.sentences import split_sentences

    return split_sentences(document(ws, reference).text)


def add_annotation(ws: Workspace, reference: str, span: spans.SpanSpec, *, label: str,
                   reviewer: str | None = None, note: str = "",
                   sources: tuple[str, ...] = (), verdict: str | None = None,
                   tags: tuple[str, ...] = ()) -> Annotation:
    """Check everything first, then write: a refused add writes nothing."""
    chosen_label = spans.check_label(ws.project, label)
    for url in sources:
        spans.check_source(url)
    spans.check_sources_required(chosen_label, sources)
    if verdict is not None:
        spans.check_verdict(ws.project, verdict)
    for tag in tags:
        spans.check_tag(tag)
    who = spans.check_reviewer(reviewer if reviewer is not None
                               else workspace.default_reviewer(ws.root))
    doc = document(ws, reference)
    numbered = None
    if isinstance(span, spans.SentenceSpan):
        from annotate.sentences import split_sentences

        numbered = split_sentences(doc.text)
    start, end = spans.pick_span(doc.text, span, numbered)
    annotation = spans.new_annotation(
        doc, start, end, label=label, reviewer=who, note=note,
        sources=tuple(dict.fromkeys(sources)), verdict=verdict, tags=tuple(dict.fromkeys(tags)),
    )
    store.save_version(ws, doc)

    def append(existing: list[Annotation]) -> list[Annotation]:
        for other in existing:
            if (other.start, other.end, other.label) == (start, end, label) \
                    and other.document_sha256 == doc.sha256 and not other.orphaned:
                raise InvalidValueError(
                    f"{who} already marked this span as {label!r} ({other.id}); "
                    f"change that one with 'annotate edit {other.id}'")
        return [*existing, annotation]

    store.update_annotation_file(ws, store.annotation_path(ws, doc.id, who), append)
    return annotation


def list_annotations(ws: Workspace, reference: str | None = None, *,
                     reviewer: str | None = None, label: str | None = None
                     ) -> list[Annotation]:
    if label is not None:
        spans.check_label(ws.project, label)
    if reference is None:
        found = store.read_all_annotations(ws)
    else:
        found = []
        for path in _annotation_files_of(ws, store.resolve_document(ws, reference)):
            found.extend(store.read_annotation_file(ws, path))
    selected = [a for a in found
                if (reviewer is None or a.reviewer == reviewer)
                and (label is None or a.label == label)]
    return sorted(selected, key=lambda a: (a.document, a.start, a.end, a.reviewer, a.id))


def find_annotation(ws: Workspace, id_prefix: str) -> tuple[Path, Annotation]:
    """The one annotation whose id starts with id_prefix, and its file."""
    if len(id_prefix) < MIN_ID_PREFIX:
        raise InvalidValueError(f"annotation id {id_prefix!r} is too short: give at least "
                                f"{MIN_ID_PREFIX} characters (see 'annotate list')")
    needle = id_prefix.encode()
    matches: list[tuple[Path, Annotation]] = []
    for path in store.annotation_files(ws):
        # Parse only the files that can hold it: a workspace has many files.
        try:
            if needle not in path.read_bytes():
                continue
        except OSError:
            continue
        matches.extend((path, a) for a in store.read_annotation_file(ws, path)
                       if a.id.startswith(id_prefix))
    if not matches:
        raise AnnotationNotFoundError(f"no annotation with id {id_prefix!r}; "
                                      "see 'annotate list' for the ids")
    if len(matches) > 1:
        ids = ", ".join(a.id for _, a in matches[:10])
        raise AnnotationNotFoundError(f"id {id_prefix!r} is ambiguous: it matches {ids}; "
                                      "give more characters")
    return matches[0]


def edit_annotation(ws: Workspace, id_prefix: str, *, label: str | None = None,
                    note: str | None = None, add_sources: tuple[str, ...] = (),
                    remove_sources: tuple[str, ...] = (), verdict: str | None = None,
                    add_tags: tuple[str, ...] = (), remove_tags: tuple[str, ...] = ()
                    ) -> Annotation:
    path, found = find_annotation(ws, id_prefix)
    for url in add_sources:
        spans.check_source(url)
    for tag in add_tags:
        spans.check_tag(tag)
    if verdict is not None:
        spans.check_verdict(ws.project, verdict)
    new_label = spans.check_label(ws.project, label if label is not None else found.label)

    def change(existing: list[Annotation]) -> list[Annotation]:
        # Apply the edit to the record as it is now, under the lock.
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
        spans.check_sources_required(new_label, tuple(sources))
        edited = current.replace(
            label=new_label.name,
            note=current.note if note is None else note,
            sources=tuple(sources),
            tags=tuple(tags),
            verdict=current.verdict if verdict is None else verdict,
        )
        if edited == current:
            raise InvalidValueError("nothing to change: give --label, --note, --add-source, "
                                    "--remove-source, --verdict, --add-tag or --remove-tag")
        edited = edited.replace(modified=max(spans.now(), current.created))
        return [edited if a.id == current.id else a for a in existing]

    updated = store.update_annotation_file(ws, path, change)
    return next(a for a in updated if a.id == found.id)


def remove_annotation(ws: Workspace, annotation_id: str) -> Annotation:
    """Remove by full id (the CLI resolves a prefix with find_annotation first)."""
    path, found = find_annotation(ws, annotation_id)

    def change(existing: list[Annotation]) -> list[Annotation]:
        if not any(a.id == found.id for a in existing):
            raise AnnotationNotFoundError(f"annotation {found.id} was removed meanwhile")
        return [a for a in existing if a.id != found.id]

    store.update_annotation_file(ws, path, change)
    return found


def validate(explicit_workspace: str | None, paths: Sequence[str] = (), *,
             use_cache: bool = True, jobs: int | None = None,
             progress: Callable[[int, int], None] | None = None) -> Report:
    """Validate the workspace, or the given files and folders in it."""
    from annotate import validation as checks

    root = workspace.locate(explicit_workspace)
    try:
        ws = workspace.load(root)
    except CorruptFileError:
        # Without a usable project file the annotations folder and the
        # taxonomy are unknown: report the project file's own findings.
        data = (root / workspace.PROJECT_FILE).read_bytes()
        findings, _ = checks.check_project_text(workspace.PROJECT_FILE, data)
        return checks.Report(findings, files_checked=1, annotations_checked=0,
                             files_from_cache=0, unreadable=False)
    return checks.validate(ws, paths, use_cache=use_cache, jobs=jobs, progress=progress)


@dataclass(frozen=True)
class ReanchorReport:
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
    made on that version; each reviewer file is then updated under its lock,
    leaving alone any record that changed on disk meanwhile.
    """
    from annotate import anchoring

    if min_score is not None and not 0.0 <= min_score <= 1.0:
        raise InvalidValueError(f"--min-score {min_score} must be between 0 and 1")
    score = anchoring.DEFAULT_MIN_SCORE if min_score is None else min_score
    if references:
        document_ids = sorted({store.resolve_document(ws, r) for r in references})
    else:
        document_ids = sorted({a.document for a in store.read_all_annotations(ws)})
    results: list[anchoring.Reanchored] = []
    up_to_date = orphans = 0
    for document_id in document_ids:
        current = store.read_document(ws, document_id)
        files = _annotation_files_of(ws, document_id)
        by_file = {path: store.read_annotation_file(ws, path) for path in files}
        stale: dict[str, list[Annotation]] = {}
        for held in by_file.values():
            for annotation in held:
                if annotation.document_sha256 == current.sha256 and not annotation.orphaned:
                    up_to_date += 1
                else:
                    stale.setdefault(annotation.document_sha256, []).append(annotation)
        if not stale:
            continue
        moved: dict[str, Annotation] = {}
        stamp = spans.now()
        for version, group in sorted(stale.items()):
            old_text = store.read_version(ws, version)
            outcomes = anchoring.reanchor(old_text, current.text, current.sha256, group, score)
            for before, result in zip(group, outcomes, strict=True):
                results.append(result)
                orphans += result.outcome == "orphaned"
                if result.annotation != before:
                    moved[before.id] = result.annotation.replace(
                        modified=max(stamp, before.created))
        if dry_run or not moved:
            continue
        store.save_version(ws, current)
        for path, held in by_file.items():
            originals = {a.id: a for a in held}
            if any(i in moved for i in originals):
                store.update_annotation_file(ws, path, _apply_moves(originals, moved))
    return ReanchorReport(results, up_to_date, len(document_ids), orphans,
                          written=not dry_run)


def _annotation_files_of(ws: Workspace, document_id: str) -> list[Path]:
    folder = ws.annotations_dir.joinpath(*document_id.split("/"))
    return sorted(p for p in folder.glob(f"*{store.ANNOTATION_SUFFIX}")
                  if not p.name.startswith("."))


def _apply_moves(originals: dict[str, Annotation], moved: dict[str, Annotation]
                 ) -> Callable[[list[Annotation]], list[Annotation]]:
    def change(existing: list[Annotation]) -> list[Annotation]:
        # A record edited since we read it keeps the edit; the next run
        # re-anchors it.
        return [moved[a.id] if a.id in moved and originals.get(a.id) == a else a
                for a in existing]

    return change
