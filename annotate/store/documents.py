"""The corpus's documents, the stored versions annotations were made on, each
document's list of its versions, the texts `fetch` and `ingest` write and
the raw HTML snapshots they keep.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from annotate.errors import (
    AnnotateError,
    DocumentEncodingError,
    UnknownDocumentError,
    UnsafePathError,
    WriteError,
)
from annotate.files import contains, inside, locked, read_file, remove_stale_temporaries, write_file
from annotate.model import Annotation, Document
from annotate.store.layout import _make_folder, annotation_folder, reviewer_files
from annotate.store.reading import read_annotation_file, read_decisions, read_finished
from annotate.versions.history import earliest, ordered
from annotate.workspace import Workspace

# -- documents ---------------------------------------------------------------

def document_path(workspace: Workspace, document_id: str) -> Path:
    """Where a document's file is."""
    return workspace.corpus_dir.joinpath(*document_id.split("/"))


def list_documents(workspace: Workspace) -> list[str]:
    """Every document id: each non-hidden file under the corpus folder."""
    corpus = workspace.corpus_dir
    if not corpus.is_dir():
        return []
    ids = []
    for folder, subfolders, files in os.walk(corpus):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in files:
            if not name.startswith("."):
                ids.append((Path(folder) / name).relative_to(corpus).as_posix())
    return sorted(ids)


def resolve_document(workspace: Workspace, reference: str) -> str:
    """A document id from an id or a path to the file (relative to the cwd).

    The id is the path under the corpus folder as written, so a link inside
    the corpus keeps its own name; where it leads must still be inside the
    workspace.
    """
    corpus = os.path.abspath(workspace.corpus_dir)
    if not reference.strip():
        raise UnknownDocumentError(
            "the document argument is blank; name a document by its path under the corpus "
            "folder (see 'annotate documents')")
    as_path = Path(reference)
    candidates = [as_path] if as_path.is_absolute() else [as_path, Path(corpus) / reference]
    outside_corpus = None
    for candidate in candidates:
        if not os.path.lexists(candidate):
            continue
        absolute = os.path.abspath(candidate)
        if not contains(corpus, absolute) or absolute == corpus:
            outside_corpus = candidate
            continue
        document_id = Path(absolute).relative_to(corpus).as_posix()
        if any(part.startswith(".") for part in document_id.split("/")):
            continue
        inside(workspace, Path(absolute))
        if not os.path.isfile(absolute):
            raise UnsafePathError(f"{reference} is not a regular file (a folder, FIFO or "
                                  "device); a document is a plain text file")
        return document_id
    if outside_corpus is not None and os.path.abspath(outside_corpus) == corpus:
        raise UnknownDocumentError(
            f"{reference} is the corpus folder itself, not a document in it; name one of its "
            "documents (see 'annotate documents')")
    if outside_corpus is not None:
        raise UnknownDocumentError(
            f"{reference} is outside the corpus folder "
            f"{workspace.relative(workspace.corpus_dir)}/; copy it there first, then "
            "name it by its path under that folder")
    raise UnknownDocumentError(_unknown_document_message(workspace, reference))


def _unknown_document_message(workspace: Workspace, reference: str) -> str:
    import difflib

    known = list_documents(workspace)
    shown_corpus = workspace.relative(workspace.corpus_dir)
    message = f"unknown document {reference!r}: no such file under {shown_corpus}/"
    close = difflib.get_close_matches(reference, known, n=3, cutoff=0.5)
    if close:
        message += f"; did you mean {', '.join(close)}?"
    elif known:
        message += f"; run 'annotate documents' to see them all, e.g.: {', '.join(known[:5])}"
    return message


def decode_document(data: bytes, shown_path: Callable[[], str]) -> str:
    """A document's text; DocumentEncodingError if it is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DocumentEncodingError(
            f"{shown_path()} is not valid UTF-8 (bad byte at offset {error.start}); "
            "convert it to UTF-8 first"
        ) from error


def read_document(workspace: Workspace, document_id: str) -> Document:
    """A document of the corpus, read from inside the workspace."""
    path = document_path(workspace, document_id)
    try:
        data = read_file(workspace, path)
    except FileNotFoundError as error:
        folder = annotation_folder(workspace, document_id)
        if not folder.is_dir():
            raise UnknownDocumentError(
                f"cannot read document {document_id!r}: {error.strerror}") from error
        # Annotated, then deleted or moved: its annotations are still there.
        raise UnknownDocumentError(
            f"no document {document_id!r} in the corpus ({workspace.relative(path)}), but "
            f"annotations of it in {workspace.relative(folder)}/: restore the document "
            "from git, or move or remove that folder") from error
    except OSError as error:
        raise UnknownDocumentError(
            f"cannot read document {document_id!r}: {error.strerror}"
        ) from error
    # Documents are decoded without newline translation: offsets count the
    # file's own characters, CRLF included.
    text = decode_document(data, lambda: workspace.relative(path))
    return Document(document_id, text, hashlib.sha256(data).hexdigest())


def versions_folder(workspace: Workspace) -> Path:
    """Every document version annotations were made on, content-addressed and
    committed with the annotations, so re-anchoring has the old text."""
    return workspace.annotations_dir / ".versions"


def version_path(workspace: Workspace, sha256: str) -> Path:
    """Where the stored text of the version with this hash is."""
    return versions_folder(workspace) / f"{sha256}.txt"


def save_version(workspace: Workspace, document: Document) -> None:
    """Keep the text annotations were made on, so re-anchoring has it later,
    and list it among the versions of its document (``read_version_list``)."""
    folder = versions_folder(workspace)
    path = version_path(workspace, document.sha256)
    if inside(workspace, path).exists() \
            and document.sha256 in read_version_list(workspace, document.id):
        return
    _make_folder(workspace, folder)
    with locked(folder):
        remove_stale_temporaries(folder)
        if not path.exists():
            write_file(workspace, path, document.text.encode("utf-8"))
        _list_version(workspace, document.id, document.sha256)


def stored_versions(workspace: Workspace) -> list[str]:
    """The SHA-256 of every stored text, sorted; other files there (a raw
    page kept beside its text, temporaries, the lists) are not versions."""
    try:
        with os.scandir(inside(workspace, versions_folder(workspace))) as entries:
            return sorted(entry.name[:-4] for entry in entries
                          if _VERSION_NAME.fullmatch(entry.name))
    except (FileNotFoundError, NotADirectoryError):
        return []


def has_version(workspace: Workspace, sha256: str) -> bool:
    """Whether the text of this version is stored (read_version checks its hash)."""
    path = version_path(workspace, sha256)
    try:
        return inside(workspace, path).is_file()
    except UnsafePathError:
        return False


# -- which document each stored version belongs to ------------------------------
#
# annotations/.versions/.documents/<document id>/.list: the versions the store
# kept for one document, oldest first, one SHA-256 a line, written (whole
# and atomically) under the versions folder's lock whenever save_version
# meets a version the list lacks.  Re-anchoring moves every record onto the
# new version, so without the list nothing would say which document an
# older text was a version of.  A document id never has a hidden part, so
# the hidden name ".list" cannot be another document's folder.
#
# Made to survive git: no timestamps, so two branches that stored the same
# version write the same line and merge cleanly; a line that is not a
# SHA-256 (a conflict's markers, damage) is skipped, so a conflicted merge
# still lists both sides' versions; a list lost or damaged is seeded again
# from the versions the document's records name (api.versions orders those
# before the listed ones; annotate.versions.history).

_VERSION_NAME = re.compile(r"[0-9a-f]{64}\.txt")
_SHA256 = re.compile(r"[0-9a-f]{64}")
VERSION_LISTS = ".documents"
_VERSION_LIST = ".list"
_VERSION_LIST_HEADER = ("# The stored versions of the document this folder is named after, "
                        "oldest first,\n# one SHA-256 a line. Kept by annotate for "
                        "`annotate diff` and `annotate documents`.\n")


def version_list_path(workspace: Workspace, document_id: str) -> Path:
    """Where the list of a document's stored versions is."""
    return versions_folder(workspace).joinpath(VERSION_LISTS, *document_id.split("/"),
                                               _VERSION_LIST)


def read_version_list(workspace: Workspace, document_id: str) -> list[str]:
    """The versions stored for a document, oldest first ([] if none is
    listed, or the list cannot be read: a list is rebuilt, never trusted
    over the records)."""
    path = version_list_path(workspace, document_id)
    try:
        data = read_file(workspace, path)
    except (OSError, UnsafePathError):
        return []
    lines = (line.strip() for line in data.decode("utf-8", "replace").splitlines())
    return list(dict.fromkeys(line for line in lines if _SHA256.fullmatch(line)))


def named_versions(workspace: Workspace, document_id: str,
                   annotations: Sequence[Annotation] | None = None) -> dict[str, str]:
    """Each version a record of the document names (annotations -- read here
    unless given --, finished markers, the editor's decisions), with the
    earliest time one names it (an annotation's ``modified``, which
    re-anchoring sets); files that cannot be read are passed over
    (validate reports them)."""
    pairs: list[tuple[str, str]] = []
    if annotations is None:
        for path in reviewer_files(workspace, document_id).values():
            with contextlib.suppress(AnnotateError):
                pairs.extend((a.document_sha256, a.modified)
                             for a in read_annotation_file(workspace, path))
    else:
        pairs.extend((a.document_sha256, a.modified) for a in annotations)
    with contextlib.suppress(AnnotateError):
        pairs.extend((m.document_sha256, m.finished)
                     for m in read_finished(workspace, document_id).values())
    with contextlib.suppress(AnnotateError):
        pairs.extend((d.document_sha256, d.time) for d in read_decisions(workspace, document_id))
    return earliest(pairs)


def _list_version(workspace: Workspace, document_id: str, sha256: str) -> None:
    """Add a version to the end of its document's list (the versions folder's
    lock held).  A list begun now, or lost, starts with the stored versions
    the records name, oldest first: re-anchoring is about to move the
    records off them."""
    listed = read_version_list(workspace, document_id)
    if sha256 in listed:
        return
    if not listed:
        named = named_versions(workspace, document_id)
        listed = [v.sha256 for v in ordered([], named, None,
                                            lambda sha: has_version(workspace, sha))]
    listed = [*[sha for sha in listed if sha != sha256], sha256]
    path = version_list_path(workspace, document_id)
    _make_folder(workspace, path.parent)
    remove_stale_temporaries(path.parent)
    text = _VERSION_LIST_HEADER + "".join(
        f"{sha}\n" for sha in listed)
    write_file(workspace, path, text.encode("utf-8"))


def read_version(workspace: Workspace, sha256: str) -> str | None:
    """The stored text of a document version, or None if it is missing or damaged."""
    path = version_path(workspace, sha256)
    try:
        data = read_file(workspace, path)
    except FileNotFoundError:
        return None
    if hashlib.sha256(data).hexdigest() != sha256:
        return None  # a damaged copy is no copy: fall back to quote search
    return decode_document(data, lambda: workspace.relative(path))


# -- where documents come from: texts written, metadata, HTML snapshots (issue 12) --
#
# `fetch` and `ingest` write a document's text (new, or a newer version),
# its metadata record annotations/<document id>/metadata.json (beside the
# decisions file: one per document, in git, checked by validate), and the
# raw HTML it was extracted from, content-addressed beside the text
# versions as annotations/.versions/<sha256 of the bytes>.html.
# (The metadata record's path is in ``layout``; reading it, in ``reading``.)

def document_place(workspace: Workspace, document_id: str) -> Path:
    """Where a new or rewritten document goes, once checked to stay inside the
    corpus folder (through links too) and not to be a folder or a special file."""
    path = document_path(workspace, document_id)
    corpus = os.path.realpath(workspace.corpus_dir)
    real = os.path.realpath(path)
    if real == corpus or not contains(corpus, real):
        raise UnsafePathError(f"document {document_id!r} would be written to {real}, outside "
                              f"the corpus folder {workspace.relative(workspace.corpus_dir)}/; "
                              "name a path under it")
    if os.path.lexists(path) and not os.path.isfile(path):
        raise UnsafePathError(f"{workspace.relative(path)} exists and is not a regular file "
                              "(a folder, FIFO or device); choose another document id")
    return path


def write_document(workspace: Workspace, document_id: str, text: str) -> None:
    """Write a document's text (UTF-8) atomically, creating its folders."""
    path = document_place(workspace, document_id)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise WriteError(f"cannot create {workspace.relative(path.parent)}: {error.strerror}; "
                         "choose another document id") from error
    write_file(workspace, path, text.encode("utf-8"))


@contextlib.contextmanager
def corpus_lock(workspace: Workspace) -> Iterator[None]:
    """The corpus folder's lock: held while a new document's id is chosen and
    its file written, so two fetches never take the same id."""
    folder = workspace.corpus_dir
    _make_folder(workspace, folder)
    with locked(folder):
        yield


def snapshot_path(workspace: Workspace, sha256: str) -> Path:
    """Where the raw HTML with this SHA-256 is kept."""
    return versions_folder(workspace) / f"{sha256}.html"


def save_snapshot(workspace: Workspace, data: bytes) -> str:
    """Keep a page's raw HTML as it was received; its SHA-256."""
    sha256 = hashlib.sha256(data).hexdigest()
    folder = versions_folder(workspace)
    path = snapshot_path(workspace, sha256)
    if inside(workspace, path).exists():
        return sha256
    _make_folder(workspace, folder)
    with locked(folder):
        remove_stale_temporaries(folder)
        write_file(workspace, path, data)
    return sha256


def has_snapshot(workspace: Workspace, sha256: str) -> bool:
    """True if the raw HTML with this SHA-256 is kept (as a regular file)."""
    path = snapshot_path(workspace, sha256)
    try:
        return os.path.isfile(inside(workspace, path))
    except UnsafePathError:
        return False
