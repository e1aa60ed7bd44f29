"""The only module that reads and writes workspace files.

Writes are atomic (temporary file in the same folder, flush, fsync, rename,
fsync the folder), so a crash or ``kill -9`` at any instant leaves either
the old file or the new one.  Updates to one reviewer's file hold an
exclusive lock on its folder, so concurrent writers never lose a record.
A file that does not parse is never rewritten: reading it raises first.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from annotate import jsonpos
from annotate.anchoring import LineIndex
from annotate.errors import (
    CorruptFileError,
    DocumentEncodingError,
    LockTimeoutError,
    UnknownDocumentError,
    WorkspaceError,
)
from annotate.model import Annotation, Document
from annotate.records import dump_annotations, parse_annotation_text
from annotate.workspace import Workspace

ANNOTATION_SUFFIX = ".jsonl"
LOCK_TIMEOUT_SECONDS = 30.0


# -- documents ---------------------------------------------------------------

def document_path(workspace: Workspace, document_id: str) -> Path:
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
    """A document id from an id or a path to the file (relative to the cwd)."""
    corpus = workspace.corpus_dir.resolve()
    as_path = Path(reference)
    candidates = [as_path] if as_path.is_absolute() else [as_path, corpus / reference]
    for candidate in candidates:
        if candidate.is_file():
            try:
                document_id = candidate.resolve().relative_to(corpus).as_posix()
            except ValueError:
                continue
            if not any(part.startswith(".") for part in document_id.split("/")):
                return document_id
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
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DocumentEncodingError(
            f"{shown_path()} is not valid UTF-8 (bad byte at offset {error.start}); "
            "convert it to UTF-8 first"
        ) from error


def read_document(workspace: Workspace, document_id: str) -> Document:
    path = document_path(workspace, document_id)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UnknownDocumentError(
            f"cannot read document {document_id!r}: {error.strerror}"
        ) from error
    # Documents are decoded without newline translation: offsets count the
    # file's own characters, CRLF included.
    text = decode_document(data, lambda: workspace.relative(path))
    return Document(document_id, text, hashlib.sha256(data).hexdigest())


def save_version(workspace: Workspace, document: Document) -> None:
    """Keep the text annotations were made on, so re-anchoring has it later."""
    path = workspace.versions_dir / f"{document.sha256}.txt"
    if not path.exists():
        atomic_write(path, document.text.encode("utf-8"))


def read_version(workspace: Workspace, sha256: str) -> str | None:
    path = workspace.versions_dir / f"{sha256}.txt"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    if hashlib.sha256(data).hexdigest() != sha256:
        return None  # a damaged copy is no copy: fall back to quote search
    return decode_document(data, lambda: workspace.relative(path))


# -- annotation files --------------------------------------------------------

def annotation_path(workspace: Workspace, document_id: str, reviewer: str) -> Path:
    folder = workspace.annotations_dir.joinpath(*document_id.split("/"))
    return folder / f"{reviewer}{ANNOTATION_SUFFIX}"


def annotation_files(workspace: Workspace) -> list[Path]:
    """Every annotation file, sorted; hidden files (temporaries, versions) skipped."""
    root = workspace.annotations_dir
    if not root.is_dir():
        return []
    found: list[Path] = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        found.extend(Path(folder) / name for name in files
                     if name.endswith(ANNOTATION_SUFFIX) and not name.startswith("."))
    return sorted(found)


def read_annotation_file(workspace: Workspace, path: Path) -> list[Annotation]:
    shown = workspace.relative(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as error:
        raise CorruptFileError(shown, 1, 1, f"cannot read: {error.strerror}") from error
    text, problems = jsonpos.decode_utf8(data)
    if problems:
        line, column = LineIndex(text).position(problems[0].offset)
        raise CorruptFileError(shown, line, column, problems[0].message)
    return parse_annotation_text(text, shown)


def read_all_annotations(workspace: Workspace) -> list[Annotation]:
    annotations: list[Annotation] = []
    for path in annotation_files(workspace):
        annotations.extend(read_annotation_file(workspace, path))
    return annotations


def update_annotation_file(
    workspace: Workspace, path: Path,
    change: Callable[[list[Annotation]], list[Annotation]],
) -> list[Annotation]:
    """Read, change and atomically rewrite one file under its folder's lock."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with locked(path.parent):
        before = read_annotation_file(workspace, path)
        after = change(before)
        if after:
            atomic_write(path, dump_annotations(after).encode("utf-8"))
        elif path.exists():
            path.unlink()
            _fsync_folder(path.parent)
    return after


def create_workspace(project_file: Path, content: bytes, folders: list[Path]) -> None:
    """The folders first, the project file last: a workspace exists only whole."""
    try:
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)
        atomic_write(project_file, content)
    except OSError as error:
        raise WorkspaceError(f"cannot create the workspace: {error.strerror}: "
                             f"{error.filename}") from error


# -- primitives --------------------------------------------------------------

@contextlib.contextmanager
def locked(folder: Path, timeout: float = LOCK_TIMEOUT_SECONDS) -> Iterator[None]:
    """An exclusive flock on a folder.

    Locking the folder rather than the file: the file itself is replaced by
    rename on every write, so a lock on its old inode would protect nothing,
    and no lock file is left behind in the repository.
    """
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() > deadline:
                    raise LockTimeoutError(
                        f"{folder} has been locked by another annotate process for "
                        f"{timeout:.0f}s; try again when it has finished"
                    ) from error
                time.sleep(random.uniform(0.002, 0.02))
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def atomic_write(path: Path, data: bytes) -> None:
    """Replace path with data so that readers see the old or the new file, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                             suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, _file_mode(path))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_folder(path.parent)


def _file_mode(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_folder(folder: Path) -> None:
    # The rename is only durable once the folder entry is on disk.
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# -- the annotation folder's layout, for code that walks or names its files ----

def is_annotation_file_name(name: str) -> bool:
    """True for a file name annotation_path could give (hidden ones never are)."""
    return name.endswith(ANNOTATION_SUFFIX) and not name.startswith(".")


def scan_annotation_files(folder: str, follow: Callable[[os.DirEntry[str]], bool]
                          ) -> Iterator[os.DirEntry[str]]:
    """Entries under folder named like annotation files (whatever they are:
    the caller decides); hidden names skipped, real subfolders descended.

    follow(entry) is asked of each symbolic link first; False skips it.
    A stack, not recursion: folder depth is the user's to choose.
    """
    pending = [folder]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                # is_annotation_file_name's two rules, inlined: this runs for
                # every entry of a workspace's annotations folder.
                name = entry.name
                if name.startswith("."):
                    continue  # hidden: temporaries, stored versions, caches
                if entry.is_symlink() and not follow(entry):
                    continue
                if name.endswith(ANNOTATION_SUFFIX):
                    yield entry
                elif entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)


def owner_of(workspace: Workspace, path: str | os.PathLike[str]) -> tuple[str, str] | None:
    """The (document, reviewer) a file's place names, or None outside the layout.

    The inverse of annotation_path.  Plain strings, not pathlib: validation
    asks this for each of a workspace's thousands of files.
    """
    root = os.path.abspath(workspace.annotations_dir) + os.sep
    absolute = os.path.abspath(path)
    if not absolute.startswith(root):
        return None
    document, _, name = absolute[len(root):].replace(os.sep, "/").rpartition("/")
    if not document or not is_annotation_file_name(name):
        return None
    return document, name[: -len(ANNOTATION_SUFFIX)]
