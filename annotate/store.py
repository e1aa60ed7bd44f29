"""The only module that knows the workspace's layout and reads and writes
its files (through the primitives of ``files``: the path rule, atomic
writes, folder locks).

Every reviewer file of a document is read and written under one lock of the
document's folder (``document_session``), so concurrent writers never lose a
record.  A file that does not parse is never rewritten: reading it raises
first.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from annotate import jsonpos
from annotate.anchoring.textindex import LineIndex
from annotate.errors import (
    AnnotateError,
    CorruptFileError,
    DocumentEncodingError,
    UnknownDocumentError,
    UnsafePathError,
    WorkspaceError,
    WriteError,
)
from annotate.files import (
    atomic_write,
    contains,
    fsync_folder,
    inside,
    locked,
    read_file,
    remove_stale_temporaries,
    write_file,
)
from annotate.gcpause import cyclic_gc_paused
from annotate.model import (
    Annotation,
    Document,
    Finished,
    ReviewProgress,
    Sentence,
    StoredDecision,
)
from annotate.records import dump_annotations, parse_annotation_text
from annotate.versions.history import earliest, ordered
from annotate.workspace import Workspace

ANNOTATION_SUFFIX = ".jsonl"


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

METADATA_FILE = "metadata.json"


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


def metadata_path(workspace: Workspace, document_id: str) -> Path:
    """Where a document's metadata record is."""
    return annotation_folder(workspace, document_id) / METADATA_FILE


def dump_metadata(record: dict[str, Any]) -> str:
    """A metadata record as its file's text: keys sorted, one field a line."""
    return json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def read_metadata(workspace: Workspace, document_id: str) -> dict[str, Any] | None:
    """A document's metadata record (None when it has none); a broken one is
    refused at its line:column, never rewritten."""
    from annotate import rules

    path = metadata_path(workspace, document_id)
    shown = workspace.relative(path)
    try:
        data = read_file(workspace, path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        raise CorruptFileError(shown, 1, 1, f"cannot read: {error.strerror}") from error
    text, problems = jsonpos.decode_utf8(data)
    parsed = jsonpos.parse_json_line(text.rstrip("\n"))
    syntax = [*problems, *parsed.problems]
    if syntax:
        line, column = LineIndex(text).position(syntax[0].offset)
        raise CorruptFileError(shown, line, column, syntax[0].message)
    broken = [p for p in rules.metadata_problems(parsed.value, document_id) if p.is_error]
    if broken:
        line, column = LineIndex(text).position(jsonpos.locate(text, list(broken[0].path)))
        raise CorruptFileError(shown, line, column, broken[0].message)
    value: dict[str, Any] = parsed.value
    return value


def metadata_documents(workspace: Workspace) -> list[str]:
    """Every document with a metadata record file (nothing is read)."""
    root = workspace.annotations_dir
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        if METADATA_FILE in files and folder != str(root):
            found.append(Path(folder).relative_to(root).as_posix())
    return sorted(found)


def all_metadata(workspace: Workspace) -> dict[str, dict[str, Any]]:
    """Every document's metadata record, by document id (read and checked)."""
    found: dict[str, dict[str, Any]] = {}
    for document in metadata_documents(workspace):
        record = read_metadata(workspace, document)
        if record is not None:
            found[document] = record
    return found


def page_addresses(workspace: Workspace) -> dict[str, dict[str, Any] | None]:
    """Each metadata record's address fields (url, final_url, canonical_url),
    by document, parsed without the rule book's checks: a quick index of which
    document came from which page.  None for a record that does not parse
    (``read_metadata`` says where it is broken; validate reports it)."""
    found: dict[str, dict[str, Any] | None] = {}
    for document in metadata_documents(workspace):
        try:
            value = json.loads(read_file(workspace, metadata_path(workspace, document)))
        except (OSError, UnsafePathError, ValueError):
            value = None
        found[document] = None if not isinstance(value, dict) else {
            name: value[name] for name in ("url", "final_url", "canonical_url")
            if isinstance(value.get(name), str)}
    return found


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


# -- annotation files --------------------------------------------------------
#
# The layout, known here alone: annotations/<document id>/<reviewer>.jsonl,
# beside it <reviewer>.finished.json (finish), <reviewer>.progress.json
# (review) and decisions.json (resolve); hidden names (temporaries,
# .versions) belonging to the tool.

def annotation_folder(workspace: Workspace, document_id: str) -> Path:
    """The folder holding every reviewer's file for one document."""
    return workspace.annotations_dir.joinpath(*document_id.split("/"))


def annotation_path(workspace: Workspace, document_id: str, reviewer: str) -> Path:
    """The file of one reviewer's annotations of one document."""
    return annotation_folder(workspace, document_id) / f"{reviewer}{ANNOTATION_SUFFIX}"


FINISHED_SUFFIX = ".finished.json"


def finished_path(workspace: Workspace, document_id: str, reviewer: str) -> Path:
    """The marker saying a reviewer finished a document: one file per reviewer,
    so two reviewers' branches never touch the same file."""
    return annotation_folder(workspace, document_id) / f"{reviewer}{FINISHED_SUFFIX}"


PROGRESS_SUFFIX = ".progress.json"


def progress_path(workspace: Workspace, document_id: str, reviewer: str) -> Path:
    """Where `annotate review` keeps a reviewer's progress on a document (the
    sentences they skipped, on which version): one file per reviewer, beside
    their annotations, committed with them like a finished marker, so a
    review resumes on another machine and two reviewers never share a file."""
    return annotation_folder(workspace, document_id) / f"{reviewer}{PROGRESS_SUFFIX}"


def read_progress(workspace: Workspace, document_id: str, reviewer: str
                  ) -> ReviewProgress | None:
    """A reviewer's review progress on a document (None: no file); a broken file
    is refused at its position, like a broken finished marker, never rewritten."""
    from annotate import rules

    path = progress_path(workspace, document_id, reviewer)
    shown = workspace.relative(path)
    try:
        text, problems = jsonpos.decode_utf8(read_file(workspace, path))
    except FileNotFoundError:
        return None
    except OSError as error:
        raise CorruptFileError(shown, 1, 1, f"cannot read: {error.strerror}") from error
    parsed = jsonpos.parse_json_line(text.rstrip("\n"))
    syntax = [*problems, *parsed.problems]
    if syntax:
        line, column = LineIndex(text).position(syntax[0].offset)
        raise CorruptFileError(shown, line, column, syntax[0].message)
    broken = [p for p in rules.progress_problems(parsed.value, document_id, reviewer)
              if p.is_error]
    if broken:
        column = jsonpos.locate(text, list(broken[0].path)) + 1
        raise CorruptFileError(shown, 1, column, broken[0].message)
    return ReviewProgress.from_record(parsed.value)


def decisions_path(workspace: Workspace, document_id: str) -> Path:
    """The editor's decisions on the document's merge positions (annotate.decisions)."""
    from annotate.decisions import DECISIONS_FILE

    return annotation_folder(workspace, document_id) / DECISIONS_FILE


def read_decisions(workspace: Workspace, document_id: str) -> list[StoredDecision]:
    """The editor's decisions for a document ([] when there is no file); a broken
    file is refused at its line:column, never rewritten."""
    from annotate.decisions import parse_decisions

    path = decisions_path(workspace, document_id)
    text = _read_text(workspace, path)
    if text is None:
        return []
    return parse_decisions(text, workspace.relative(path), document_id, workspace.project)


def _read_text(workspace: Workspace, path: Path, containing: bytes | None = None
               ) -> str | None:
    """A workspace file's text; None if it does not exist, or (with
    ``containing``) if its bytes lack that.  A file that cannot be read or
    is not UTF-8 is refused at its line:column (CorruptFileError), never
    skipped in silence."""
    shown = workspace.relative(path)
    try:
        data = read_file(workspace, path)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise CorruptFileError(shown, 1, 1, f"cannot read: {error.strerror}") from error
    if containing is not None and containing not in data:
        return None
    text, problems = jsonpos.decode_utf8(data)
    if problems:
        line, column = LineIndex(text).position(problems[0].offset)
        raise CorruptFileError(shown, line, column, problems[0].message)
    return text


def read_finished(workspace: Workspace, document_id: str) -> dict[str, Finished]:
    """Who finished the document, by reviewer; a broken marker is refused
    at its position, like a broken annotation file."""
    from annotate import rules

    folder = annotation_folder(workspace, document_id)
    try:
        names = sorted(entry.name for entry in os.scandir(folder)
                       if entry.name.endswith(FINISHED_SUFFIX)
                       and not entry.name.startswith("."))
    except (FileNotFoundError, NotADirectoryError):
        return {}
    found = {}
    for name in names:
        reviewer = name[: -len(FINISHED_SUFFIX)]
        path = folder / name
        shown = workspace.relative(path)
        try:
            text, problems = jsonpos.decode_utf8(read_file(workspace, path))
        except OSError as error:
            raise CorruptFileError(shown, 1, 1, f"cannot read: {error.strerror}") from error
        parsed = jsonpos.parse_json_line(text.rstrip("\n"))
        syntax = [*problems, *parsed.problems]
        if syntax:
            line, column = LineIndex(text).position(syntax[0].offset)
            raise CorruptFileError(shown, line, column, syntax[0].message)
        broken = rules.finished_problems(parsed.value, document_id, reviewer)
        if broken:
            column = jsonpos.locate(text, list(broken[0].path)) + 1
            raise CorruptFileError(shown, 1, column, broken[0].message)
        found[reviewer] = Finished(**parsed.value)
    return found


def reviewer_files(workspace: Workspace, document_id: str) -> dict[str, Path]:
    """Each reviewer of a document and their file, by reviewer name."""
    folder = annotation_folder(workspace, document_id)
    try:
        names = sorted(entry.name for entry in os.scandir(folder)
                       if is_annotation_file_name(entry.name) and entry.is_file())
    except (FileNotFoundError, NotADirectoryError):
        return {}
    return {name[: -len(ANNOTATION_SUFFIX)]: folder / name for name in names}


def annotation_files(workspace: Workspace) -> list[Path]:
    """Every annotation file, sorted; hidden files (temporaries, versions) skipped."""
    root = workspace.annotations_dir
    if not root.is_dir():
        return []
    found: list[Path] = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        found.extend(Path(folder) / name for name in files if is_annotation_file_name(name))
    return sorted(found)


def finished_documents(workspace: Workspace) -> dict[str, list[str]]:
    """For each document, the reviewers with a finished marker for it (names
    only: `read_finished` reads and checks the markers)."""
    root = workspace.annotations_dir
    found: dict[str, list[str]] = {}
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in sorted(files):
            if name.endswith(FINISHED_SUFFIX) and not name.startswith("."):
                document = Path(folder).relative_to(root).as_posix()
                found.setdefault(document, []).append(name[: -len(FINISHED_SUFFIX)])
    return found


def annotated_documents(workspace: Workspace) -> list[str]:
    """Every document with a reviewer file, named by the file's place (nothing
    is parsed: the records are read later, under the document's lock)."""
    return sorted({owner[0] for path in annotation_files(workspace)
                   if (owner := owner_of(workspace, path)) is not None})


def read_annotation_file(workspace: Workspace, path: Path,
                         owner: tuple[str, str] | None = None,
                         containing: bytes | None = None) -> list[Annotation]:
    """Every record of one file, checked by the rule book; [] if it does not exist.

    With ``owner`` (document, reviewer), a record that belongs to another file
    is refused too: writers pass it, so they never rewrite such a record.
    With ``containing``, a file whose bytes lack it is not parsed (returns []):
    a search by id need not parse a workspace's every file.  A file that
    cannot be read is an error, never skipped in silence.
    """
    shown = workspace.relative(path)
    text = _read_text(workspace, path, containing)
    if text is None:
        return []
    return parse_annotation_text(text, shown, owner)


def read_all_annotations(workspace: Workspace) -> list[Annotation]:
    """Every annotation of the workspace, file by file."""
    annotations: list[Annotation] = []
    with cyclic_gc_paused():  # see DocumentSession.read_all
        for path in annotation_files(workspace):
            annotations.extend(read_annotation_file(workspace, path))
    return annotations


class DocumentSession:
    """One document's reviewer files under one lock (see ``document_session``).

    Reads see what this session wrote; writes are staged and committed
    together when the session ends without an error, so an operation that
    fails half-way writes nothing.
    """

    def __init__(self, workspace: Workspace, document_id: str) -> None:
        self.workspace = workspace
        self.document_id = document_id
        self._staged: dict[str, list[Annotation]] = {}
        self._finished: dict[str, Finished | None] = {}
        self._decisions: list[StoredDecision] | None = None  # staged
        self._progress: dict[str, ReviewProgress] = {}  # staged
        self._metadata: dict[str, Any] | None = None  # staged
        self._text: str | None = None  # the document's new text, staged
        # Records this session read from disk or checked on a write, kept
        # alive so their id() stays theirs: a writer passing them back
        # unchanged need not have them checked a second time.
        self._read: list[list[Annotation]] = []
        self._checked: set[int] = set()

    def reviewers(self) -> list[str]:
        """The reviewers of the document: everyone with a file of annotations
        for it (empty when they marked nothing) or who finished it."""
        on_disk = reviewer_files(self.workspace, self.document_id)
        return sorted(set(on_disk) | set(self._staged) | set(self.finished()))

    def finished(self) -> dict[str, Finished]:
        """Who finished the document (as this session will leave it)."""
        found = read_finished(self.workspace, self.document_id)
        for reviewer, marker in self._finished.items():
            if marker is None:
                found.pop(reviewer, None)
            else:
                found[reviewer] = marker
        return dict(sorted(found.items()))

    def mark_finished(self, reviewer: str, marker: Finished | None) -> None:
        """Stage a reviewer's finished marker; None removes it."""
        from annotate import rules

        if marker is not None:
            rules.require(rules.finished_problems(marker.to_record(), self.document_id,
                                                  reviewer))
        self._finished[reviewer] = marker

    def progress(self, reviewer: str) -> ReviewProgress | None:
        """A reviewer's review progress on the document (as this session will leave it)."""
        if reviewer in self._progress:
            return self._progress[reviewer]
        return read_progress(self.workspace, self.document_id, reviewer)

    def write_progress(self, progress: ReviewProgress) -> None:
        """Stage a reviewer's review progress; it passes the rule book readers apply."""
        from annotate import rules

        rules.require(rules.progress_problems(progress.to_record(), self.document_id,
                                              progress.reviewer))
        self._progress[progress.reviewer] = progress

    def decisions(self) -> list[StoredDecision]:
        """The editor's decisions on the document's positions (as this session will
        leave them)."""
        if self._decisions is not None:
            return list(self._decisions)
        return read_decisions(self.workspace, self.document_id)

    def write_decisions(self, decisions: list[StoredDecision]) -> None:
        """Stage the whole decisions file; it passes the rule book readers apply."""
        from annotate import rules
        from annotate.decisions import dump_decisions

        text = dump_decisions(self.document_id, decisions)
        rules.require(rules.decisions_problems(json.loads(text), self.document_id,
                                               self.workspace.project))
        self._decisions = list(decisions)

    def metadata(self) -> dict[str, Any] | None:
        """The document's metadata record (as this session will leave it), or None."""
        if self._metadata is not None:
            return dict(self._metadata)
        return read_metadata(self.workspace, self.document_id)

    def write_metadata(self, record: dict[str, Any]) -> None:
        """Stage the document's metadata record; it passes the rule book readers apply."""
        from annotate import rules

        rules.require(rules.metadata_problems(json.loads(dump_metadata(record)),
                                              self.document_id))
        self._metadata = dict(record)

    def write_text(self, text: str) -> None:
        """Stage a new text for the document itself (written first on commit)."""
        document_place(self.workspace, self.document_id)
        self._text = text

    def read(self, reviewer: str) -> list[Annotation]:
        """One reviewer's annotations; a record of another document or reviewer
        in their file is refused (CorruptFileError), never rewritten."""
        if reviewer in self._staged:
            return list(self._staged[reviewer])
        path = annotation_path(self.workspace, self.document_id, reviewer)
        records = read_annotation_file(self.workspace, path, (self.document_id, reviewer))
        self._read.append(records)
        self._checked.update(map(id, records))
        return list(records)

    def read_all(self) -> dict[str, list[Annotation]]:
        """Every reviewer's annotations, by reviewer."""
        # The collector paused over all the files, not only over each: the
        # records of the files read so far are what it would walk again and
        # again between them.
        with cyclic_gc_paused():
            return {reviewer: self.read(reviewer) for reviewer in self.reviewers()}

    def write(self, reviewer: str, annotations: list[Annotation]) -> None:
        """Stage a reviewer's whole file.  An empty list leaves an empty file:
        the reviewer reviewed the document and now marks nothing in it.

        Every record passes the rule book's checks that readers apply, so no
        writer can leave a file that the next read refuses.
        """
        from annotate import rules

        # Records read from this document's files were checked by the reader.
        fresh = [dict(annotation.to_record()) for annotation in annotations
                 if id(annotation) not in self._checked or annotation.reviewer != reviewer]
        # All at once first (a merge writes thousands); one by one only to
        # find and raise the first error.
        if fresh and not rules.records_pass(fresh, (self.document_id, reviewer)):
            for record in fresh:
                rules.require(rules.record_problems(record, None))
                rules.require(rules.placement_problems(record, self.document_id, reviewer))
        self._staged[reviewer] = list(annotations)
        self._checked.update(map(id, annotations))

    def commit(self) -> None:
        """Write every staged file: each atomically, so a crash at any instant
        leaves each file old or new, never torn.  The document's text goes
        first and its metadata record next: a crash between them leaves a
        record naming the previous text, which validate reports (AN404)."""
        if self._text is not None:
            write_document(self.workspace, self.document_id, self._text)
        if self._metadata is not None:
            write_file(self.workspace, metadata_path(self.workspace, self.document_id),
                       dump_metadata(self._metadata).encode("utf-8"))
        for reviewer, records in sorted(self._staged.items()):
            path = annotation_path(self.workspace, self.document_id, reviewer)
            write_file(self.workspace, path, dump_annotations(records).encode("utf-8"))
        for reviewer, marker in sorted(self._finished.items()):
            path = finished_path(self.workspace, self.document_id, reviewer)
            if marker is not None:
                text = json.dumps(marker.to_record(), sort_keys=True, ensure_ascii=False)
                write_file(self.workspace, path, (text + "\n").encode("utf-8"))
            elif inside(self.workspace, path).exists():
                try:
                    path.unlink()
                    fsync_folder(path.parent)
                except OSError as error:
                    raise WriteError(f"cannot remove {self.workspace.relative(path)}: "
                                     f"{error.strerror}") from error
        for reviewer, progress in sorted(self._progress.items()):
            text = json.dumps(progress.to_record(), sort_keys=True, ensure_ascii=False)
            write_file(self.workspace, progress_path(self.workspace, self.document_id, reviewer),
                       (text + "\n").encode("utf-8"))
        if self._decisions is not None:
            from annotate.decisions import dump_decisions

            write_file(self.workspace, decisions_path(self.workspace, self.document_id),
                       dump_decisions(self.document_id, self._decisions).encode("utf-8"))
        self._staged.clear()
        self._finished.clear()
        self._progress.clear()
        self._decisions = None
        self._metadata = None
        self._text = None


# Folders this process holds a lock on: a nested session on the same
# document would wait for itself until the timeout.
_HELD: set[str] = set()


@contextlib.contextmanager
def document_session(workspace: Workspace, document_id: str) -> Iterator[DocumentSession]:
    """Hold the document's lock once: read every reviewer's records, stage
    writes to several files, commit them on a clean exit."""
    folder = annotation_folder(workspace, document_id)
    key = os.path.abspath(folder)
    if key in _HELD:
        raise RuntimeError(f"nested document session for {document_id!r}")
    _make_folder(workspace, folder)
    with locked(folder):
        _HELD.add(key)
        try:
            session = DocumentSession(workspace, document_id)
            yield session
            remove_stale_temporaries(folder)
            session.commit()
        finally:
            _HELD.discard(key)


def _make_folder(workspace: Workspace, folder: Path) -> None:
    inside(workspace, folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise WriteError(f"cannot create {workspace.relative(folder)}: {error.strerror}; "
                         "check the folder's permissions") from error


def create_workspace(project_file: Path, content: bytes, folders: list[Path],
                     files: dict[Path, bytes] | None = None) -> None:
    """The folders first, the project file last: a workspace exists only whole.

    Every folder must resolve inside the workspace's own folder: a corpus
    at ../elsewhere would have every later command write outside it.
    """
    root = os.path.realpath(project_file.parent)
    for folder in folders:
        if not contains(root, os.path.realpath(folder)):
            raise WorkspaceError(f"{folder} is outside the workspace folder {project_file.parent}"
                                 "; the corpus and annotations folders must be inside it")
    try:
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)
        for path, data in (files or {}).items():
            if not path.exists():
                atomic_write(path, data)
        atomic_write(project_file, content)
    except OSError as error:
        raise WorkspaceError(f"cannot create the workspace: {error.strerror}: "
                             f"{error.filename}") from error


# -- the annotation folder's layout, for code that walks or names its files ----
#
# annotations/<document id>/<reviewer>.jsonl: a document id is a path and may
# itself end in ".jsonl" (a corpus file feed.jsonl has the folder
# annotations/feed.jsonl/), so a name never says what an entry is.  A real
# folder is always a (part of a) document folder; only a file at depth >= 2
# is a reviewer's file (issue 8, item 9).


def is_annotation_file_name(name: str) -> bool:
    """True for a file name annotation_path could give (hidden ones never are)."""
    return name.endswith(ANNOTATION_SUFFIX) and not name.startswith(".")


def is_side_file_name(name: str) -> bool:
    """True for a finished marker's, a review progress file's, a decisions
    file's or a metadata record's name (hidden ones never are)."""
    from annotate.decisions import DECISIONS_FILE

    return not name.startswith(".") and (name in (DECISIONS_FILE, METADATA_FILE)
                                         or name.endswith((FINISHED_SUFFIX, PROGRESS_SUFFIX)))


def scan_annotation_files(folder: str, follow: Callable[[os.DirEntry[str]], bool],
                          side_files: list[os.DirEntry[str]] | None = None
                          ) -> Iterator[os.DirEntry[str]]:
    """Entries under folder named like annotation files that are not folders
    (a FIFO or a device too: the caller refuses to read it); real folders are
    descended whatever their name, hidden names and links to folders skipped.

    follow(entry) is asked of each symbolic link first; False skips it.
    Finished markers, review progress files, decisions files and metadata
    records met on the way are appended to ``side_files`` when given.  A
    stack, not recursion: folder depth is the user's to choose.
    """
    from annotate.decisions import DECISIONS_FILE

    pending = [folder]
    suffix = ANNOTATION_SUFFIX
    side_suffixes = (FINISHED_SUFFIX, PROGRESS_SUFFIX)
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                # is_annotation_file_name's two rules, inlined: this runs for
                # every entry of a workspace's annotations folder.
                name = entry.name
                if name.startswith("."):
                    continue  # hidden: temporaries, stored versions, caches
                if entry.is_symlink():
                    # A link to a folder is not descended (no cycles, and a
                    # document folder is a real folder); a link to a file
                    # inside the workspace is read like the file.
                    if not follow(entry) or entry.is_dir():
                        continue
                elif entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)  # a document folder, even "feed.jsonl"
                    continue
                if name.endswith(suffix):
                    yield entry
                elif side_files is not None and (name in (DECISIONS_FILE, METADATA_FILE)
                                                 or name.endswith(side_suffixes)):
                    side_files.append(entry)


def owner_of(workspace: Workspace, path: str | os.PathLike[str]) -> tuple[str, str] | None:
    """The (document, reviewer) a file's place names, or None outside the layout.

    The inverse of annotation_path: the last part is the reviewer's file, every
    part before it (at least one) the document id, ".jsonl" endings included.
    Plain strings, not pathlib: validation asks this for each of a
    workspace's thousands of files.
    """
    root = os.path.abspath(workspace.annotations_dir) + os.sep
    absolute = os.path.abspath(path)
    if not absolute.startswith(root):
        return None
    document, _, name = absolute[len(root):].replace(os.sep, "/").rpartition("/")
    if not document or not is_annotation_file_name(name):
        return None
    return document, name[: -len(ANNOTATION_SUFFIX)]


# -- sentence boundaries, cached per document version ---------------------------------
#
# pysbd takes about 1.5 s to segment 1 MB, and `add --sentence N` needs every
# sentence before N to number them (issue 8, item 15).  The boundaries of each
# document version are kept beside validate's cache in .annotate-cache/ (which
# git ignores), named by the document's SHA-256: an edited document is
# another version and never meets the boundaries of the old one.  A cache
# file is believed only if it names this version, this segmenter and this
# text length, its checksum holds and its spans are sound for the text; a
# damaged one is recomputed and rewritten, and a folder that cannot be
# written is no error.

SENTENCE_CACHE = (".annotate-cache", "sentences")
_SENTENCE_CACHE_FORMAT = 1


def document_sentences(workspace: Workspace, document: Document) -> list[Sentence]:
    """The numbered sentences of a document version, from the cache when it
    holds sound boundaries for it, else segmented and cached."""
    from annotate import sentences

    folder = workspace.root.joinpath(*SENTENCE_CACHE)
    path = folder / f"{document.sha256}.json"
    key = sentences.segmenter_key()
    spans = _cached_sentence_spans(workspace, path, document, key)
    if spans is None:
        spans = sentences.sentence_spans(document.text)
        _cache_sentence_spans(workspace, path, document, key, spans)
    return sentences.numbered(document.text, spans)


def _cached_sentence_spans(workspace: Workspace, path: Path, document: Document,
                           key: str) -> list[tuple[int, int]] | None:
    import json

    from annotate.sentences import spans_are_sound

    try:
        stored = json.loads(read_file(workspace, path))
        if not (isinstance(stored, dict)
                and stored.get("format") == _SENTENCE_CACHE_FORMAT
                and stored.get("segmenter") == key
                and stored.get("document_sha256") == document.sha256
                and stored.get("length") == len(document.text)):
            return None
        flat = stored["boundaries"]
        if hashlib.sha256(flat.encode("utf-8")).hexdigest() != stored["boundaries_sha256"]:
            return None
        numbers = [int(n) for n in flat.split(",")] if flat else []
    except (OSError, UnsafePathError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if len(numbers) % 2:
        return None
    # Stored as (gap before, length) pairs: small numbers, a small file.
    spans, end = [], 0
    for i in range(0, len(numbers), 2):
        start = end + numbers[i]
        end = start + numbers[i + 1]
        spans.append((start, end))
    return spans if spans_are_sound(document.text, spans) else None


def _cache_sentence_spans(workspace: Workspace, path: Path, document: Document, key: str,
                          spans: list[tuple[int, int]]) -> None:
    import json

    numbers: list[int] = []
    end = 0
    for start, stop in spans:
        numbers += (start - end, stop - start)
        end = stop
    flat = ",".join(map(str, numbers))
    data = json.dumps({
        "format": _SENTENCE_CACHE_FORMAT, "segmenter": key,
        "document_sha256": document.sha256, "length": len(document.text),
        "boundaries": flat,
        "boundaries_sha256": hashlib.sha256(flat.encode("utf-8")).hexdigest(),
    })
    cache = path.parent.parent
    try:
        inside(workspace, path.parent)
        path.parent.mkdir(parents=True, exist_ok=True)
        ignore = cache / ".gitignore"
        if not ignore.exists():
            # The same file validate's cache writes: git ignores the whole folder.
            atomic_write(ignore, b"# annotate's cache: safe to delete\n*\n")
        atomic_write(inside(workspace, path), data.encode("utf-8"))
    except (OSError, UnsafePathError):
        pass  # a read-only checkout still numbers sentences; it just is not cached


# -- files the user names: what an import reads, what an export writes ---------------
#
# They may lie outside the workspace (~/Downloads/hypothesis.json, -o
# /tmp/site.json): the user named them, as they would name them to a shell
# redirection.  What is refused is what could surprise: a file that is not
# regular (a FIFO would hang a read, a device swallow a write), an export
# written through a symbolic link (the link is never followed: a link
# planted in a repository must not make `export -o exports/x.json` write
# over ~/.bashrc), a path inside the workspace that leads out of it, and an
# export over the workspace's own data (the corpus, the annotations, the
# project file, hidden folders such as .git).

def read_input_file(path: Path, limit: int) -> bytes:
    """The bytes of a regular file the user named, refused above ``limit``
    bytes before anything is read (and if it grows past it while read)."""
    from annotate.errors import InputTooLargeError, UnreadableInputError
    from annotate.files import NotRegularFile, open_regular

    try:
        with open_regular(path) as handle:
            size = os.fstat(handle.fileno()).st_size
            data = b"" if size > limit else handle.read(limit + 1)
    except NotRegularFile as error:
        raise UnreadableInputError(f"cannot read {path}: {error.strerror}; name a plain "
                                   "file") from None
    except OSError as error:
        raise UnreadableInputError(f"cannot read {path}: {error.strerror}") from error
    if size > limit or len(data) > limit:
        raise InputTooLargeError(f"{max(size, len(data)):,} bytes: larger than the "
                                 f"{limit // (1024 * 1024)} MiB annotate imports from one "
                                 "file; split it")
    return data


def _output_place(workspace: Workspace, path: Path) -> Path:
    """``path`` made absolute once checked as a place to write an export to."""
    absolute = Path(os.path.abspath(path))
    if os.path.islink(absolute):
        raise UnsafePathError(f"{path} is a symbolic link; annotate does not write through "
                              "links: name the file itself")
    if os.path.lexists(absolute) and not absolute.is_file():
        raise UnsafePathError(f"{path} is not a regular file (a folder, FIFO or device); "
                              "name a file to write")
    if not absolute.parent.is_dir():
        raise WriteError(f"cannot write {path}: there is no folder {absolute.parent}")
    root = os.path.abspath(workspace.root)
    real = os.path.join(os.path.realpath(absolute.parent), absolute.name)
    if contains(root, str(absolute)):
        inside(workspace, absolute.parent)  # a link on the way must not lead out
    real_root = os.path.realpath(workspace.root)
    if contains(real_root, real):
        protected = [os.path.realpath(folder) for folder in
                     (workspace.corpus_dir, workspace.annotations_dir)]
        protected.append(os.path.realpath(workspace.project_file))
        top = Path(real).relative_to(real_root).parts
        if any(contains(folder, real) for folder in protected) or (
                top and top[0].startswith(".")):
            raise UnsafePathError(f"{path} is part of the workspace's own data (the corpus, "
                                  "the annotations, the project file or a hidden folder); "
                                  "write the export somewhere else")
    return absolute


def write_output_file(workspace: Workspace, path: Path, data: bytes) -> None:
    """Write an export to the file ``path`` names (see above), atomically."""
    target = _output_place(workspace, path)
    try:
        atomic_write(target, data)
    except OSError as error:
        raise WriteError(f"cannot write {path}: {error.strerror}; nothing was written "
                         "(check the folder's permissions and free space)") from error


def write_output_folder(workspace: Workspace, folder: Path, files: dict[str, bytes]) -> None:
    """Write an export of several files under ``folder`` (created if missing;
    its parent must exist), each atomically; ``files`` maps "/"-separated
    relative paths, none of which may climb out of the folder."""
    absolute = Path(os.path.abspath(folder))
    if os.path.islink(absolute):
        raise UnsafePathError(f"{folder} is a symbolic link; annotate does not write through "
                              "links: name the folder itself")
    if os.path.lexists(absolute) and not absolute.is_dir():
        raise UnsafePathError(f"{folder} exists and is not a folder; this format writes a "
                              "folder of files")
    places = []
    for relative in sorted(files):
        parts = relative.split("/")
        if relative.startswith("/") or any(part in ("", ".", "..") for part in parts):
            raise UnsafePathError(f"the export names the file {relative!r}, which is not a "
                                  "plain relative path")
        places.append((absolute.joinpath(*parts), files[relative]))
    try:
        absolute.mkdir(exist_ok=True)
        for place, _ in places:
            place.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise WriteError(f"cannot create {folder}: {error.strerror}") from error
    for place, data in places:
        write_output_file(workspace, place, data)
