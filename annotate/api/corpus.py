"""Operations on the corpus: init, documents, sentences."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from annotate import portable, rules, store, workspace
from annotate.api._common import document
from annotate.candidates import Candidate
from annotate.errors import AnnotateError, InvalidValueError, WorkspaceError
from annotate.gcpause import cyclic_gc_paused
from annotate.model import CONSENSUS_REVIEWER, Annotation, Sentence
from annotate.versions.history import Version
from annotate.workspace import Workspace


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
    _refuse_overlapping_folders(corpus, annotations)
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


def _refuse_overlapping_folders(corpus: str, annotations: str) -> None:
    """Refuse, before anything is made, a layout that mixes the workspace's
    files: every file under the corpus folder is a document, so annotation
    files or the project file there would be listed as articles; the two
    folders in one would make each document's annotation folder collide
    with its text; a folder named like the project file leaves a workspace
    that neither init nor any other command accepts."""
    import posixpath

    def parts(folder: str) -> tuple[str, ...]:
        # As a file system that ignores case sees it (macOS, Windows):
        # Data and data are one folder there.
        normal = posixpath.normpath(portable.folded(folder.replace("\\", "/")))
        return () if normal == "." else tuple(normal.split("/"))

    corpus_parts, annotation_parts = parts(corpus), parts(annotations)
    for option, folder, own in (("--corpus", corpus, corpus_parts),
                                ("--annotations", annotations, annotation_parts)):
        if own[:1] == (portable.folded(workspace.PROJECT_FILE),):
            raise InvalidValueError(f"{option} {folder!r} names the project file "
                                    f"{workspace.PROJECT_FILE}; pick another folder, e.g. "
                                    f"{option[2:]}")
    if corpus_parts == annotation_parts[:len(corpus_parts)] \
            or annotation_parts == corpus_parts[:len(annotation_parts)]:
        raise InvalidValueError(
            f"--corpus {corpus!r} and --annotations {annotations!r} overlap: every file in the "
            "corpus folder is a document, so neither may hold the other or the project file; "
            "give two separate folders, e.g. --corpus corpus --annotations annotations")


@dataclass(frozen=True)
class DocumentInfo:
    """One row of `annotate documents`: a document and who annotated it."""

    id: str
    sha256: str  # "" when the document cannot be read
    characters: int
    annotations: int  # the reviewers', not the consensus's
    reviewers: tuple[str, ...]  # who annotated it
    problem: str | None = None  # why the document cannot be read
    finished: tuple[str, ...] = ()  # who finished reviewing it
    consensus: int | None = None  # records of the merged consensus; None: never merged
    # Its versions, oldest first: the stored ones and the current text
    # (api.versions.document_versions; `annotate diff` compares two).
    versions: tuple[Version, ...] = ()


def documents(ws: Workspace) -> list[DocumentInfo]:
    """Every document of the corpus with its version, size, annotators,
    consensus and versions."""
    from annotate.api.versions import document_versions

    counts: dict[str, list[Annotation]] = {}
    # A reviewer file that does not parse (a git conflict left in it) is its
    # document's row problem: one bad file must not hide the rest of the corpus.
    broken: dict[str, str] = {}
    with cyclic_gc_paused():  # as store.read_all_annotations
        for path in store.annotation_files(ws):
            try:
                records = store.read_annotation_file(ws, path)
            except AnnotateError as error:
                owner = store.owner_of(ws, path)
                if owner is None:
                    raise
                broken.setdefault(owner[0], str(error))
                counts.setdefault(owner[0], [])
                continue
            for annotation in records:
                counts.setdefault(annotation.document, []).append(annotation)
    infos = []
    listed = store.list_documents(ws)
    # Documents annotated and then deleted or moved are listed too, with
    # what read_document says of them: their annotations are still there.
    for document_id in [*listed, *sorted(counts.keys() - set(listed))]:
        everyone = counts.get(document_id, [])
        found = [a for a in everyone if a.reviewer != CONSENSUS_REVIEWER]
        files = store.reviewer_files(ws, document_id)
        merged = len(everyone) - len(found) if CONSENSUS_REVIEWER in files else None
        # A reviewer file is a reviewer, an empty one too (they mark nothing),
        # as merge and agreement count them.
        reviewers = tuple(sorted({a.reviewer for a in found}
                                 | (files.keys() - {CONSENSUS_REVIEWER})))
        done: tuple[str, ...] = ()
        try:
            # Markers are read and checked as every other command reads them.
            done = tuple(store.read_finished(ws, document_id))
            doc = store.read_document(ws, document_id)
        except AnnotateError as error:
            # One bad file must not hide the rest of the corpus.
            infos.append(DocumentInfo(document_id, "", 0, len(found), reviewers, str(error),
                                      done, merged,
                                      tuple(document_versions(ws, document_id, None, everyone))))
            continue
        # A broken reviewer file is the row's problem; the document itself
        # read, so its version and size are still said.
        infos.append(DocumentInfo(document_id, doc.sha256, len(doc.text), len(found),
                                  reviewers, broken.get(document_id), done, merged,
                                  tuple(document_versions(ws, document_id, doc.sha256,
                                                          everyone))))
    return infos


def sentences(ws: Workspace, reference: str) -> list[Sentence]:
    """The numbered sentences of a document."""
    return store.document_sentences(ws, document(ws, reference))


def claim_candidates(ws: Workspace, reference: str) -> list[Candidate]:
    """The sentences of a document worth checking, each with the reasons
    (annotate.candidates: numbers, attributions, hedges, comparisons)."""
    from annotate.candidates import candidates

    return candidates(sentences(ws, reference))
