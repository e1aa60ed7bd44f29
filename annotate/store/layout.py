"""The annotation folder's layout: where each document's files are (reviewer
files, finished markers, review progress, decisions, metadata records), the
names that tell them apart, the walks that find them, and the folders a
workspace is created with.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

from annotate.errors import UnreadableInputError, WorkspaceError, WriteError
from annotate.files import atomic_write, contains, inside
from annotate.workspace import Workspace

ANNOTATION_SUFFIX = ".jsonl"


# -- annotation files --------------------------------------------------------
#
# The layout, known to the store alone: annotations/<document id>/<reviewer>.jsonl,
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


def decisions_path(workspace: Workspace, document_id: str) -> Path:
    """The editor's decisions on the document's merge positions (annotate.decisions)."""
    from annotate.decisions import DECISIONS_FILE

    return annotation_folder(workspace, document_id) / DECISIONS_FILE


METADATA_FILE = "metadata.json"


def metadata_path(workspace: Workspace, document_id: str) -> Path:
    """Where a document's metadata record is."""
    return annotation_folder(workspace, document_id) / METADATA_FILE


def unreadable_folder(workspace: Workspace, path: str | os.PathLike[str],
                      error: OSError) -> UnreadableInputError:
    """The error for a folder of the workspace that cannot be listed: its
    files would otherwise be skipped in silence (or crash the walk)."""
    return UnreadableInputError(
        f"cannot read the folder {workspace.relative(Path(path))}: "
        f"{error.strerror or error}; give yourself read and search permission on it "
        "(chmod u+rx) and run the command again")


def reviewer_files(workspace: Workspace, document_id: str) -> dict[str, Path]:
    """Each reviewer of a document and their file, by reviewer name."""
    folder = annotation_folder(workspace, document_id)
    try:
        names = sorted(entry.name for entry in os.scandir(folder)
                       if is_annotation_file_name(entry.name) and entry.is_file())
    except (FileNotFoundError, NotADirectoryError):
        return {}
    except OSError as error:
        raise unreadable_folder(workspace, folder, error) from error
    return {name[: -len(ANNOTATION_SUFFIX)]: folder / name for name in names}


def _walk_annotations(workspace: Workspace) -> Iterator[tuple[str, list[str]]]:
    """Each folder of the annotations folder and its files, hidden names
    skipped.  A folder that cannot be listed is an error, and so is a link
    to a folder that leads outside the workspace, as a link to a file is:
    never a document's files skipped in silence.  A link to a folder inside
    the workspace is not descended (a document folder is a real folder)."""
    root = workspace.annotations_dir
    if not root.is_dir():
        return

    def refuse(error: OSError) -> None:
        raise unreadable_folder(workspace, error.filename or root, error) from error

    for folder, subfolders, files in os.walk(root, onerror=refuse):
        for name in subfolders:
            if not name.startswith("."):
                path = Path(folder) / name
                if path.is_symlink():
                    inside(workspace, path)
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        yield folder, files


def annotation_files(workspace: Workspace) -> list[Path]:
    """Every annotation file, sorted; hidden files (temporaries, versions) skipped."""
    found: list[Path] = []
    for folder, files in _walk_annotations(workspace):
        found.extend(Path(folder) / name for name in files if is_annotation_file_name(name))
    return sorted(found)


def finished_documents(workspace: Workspace) -> dict[str, list[str]]:
    """For each document, the reviewers with a finished marker for it (names
    only: `read_finished` reads and checks the markers)."""
    root = workspace.annotations_dir
    found: dict[str, list[str]] = {}
    for folder, files in _walk_annotations(workspace):
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


def metadata_documents(workspace: Workspace) -> list[str]:
    """Every document with a metadata record file (nothing is read)."""
    root = workspace.annotations_dir
    found = []
    for folder, files in _walk_annotations(workspace):
        if METADATA_FILE in files and folder != str(root):
            found.append(Path(folder).relative_to(root).as_posix())
    return sorted(found)


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
                          side_files: list[os.DirEntry[str]] | None = None,
                          unreadable: Callable[[str, OSError], None] | None = None
                          ) -> Iterator[os.DirEntry[str]]:
    """Entries under folder named like annotation files that are not folders
    (a FIFO or a device too: the caller refuses to read it); real folders are
    descended whatever their name, hidden names and links to folders skipped.

    follow(entry) is asked of each symbolic link first; False skips it.
    Finished markers, review progress files, decisions files and metadata
    records met on the way are appended to ``side_files`` when given.  A
    folder that cannot be listed is passed to ``unreadable(path, error)``,
    and the scan goes on; without it, the error is raised.  A stack, not
    recursion: folder depth is the user's to choose.
    """
    from annotate.decisions import DECISIONS_FILE

    pending = [folder]
    suffix = ANNOTATION_SUFFIX
    side_suffixes = (FINISHED_SUFFIX, PROGRESS_SUFFIX)
    while pending:
        current = pending.pop()
        try:
            listing = os.scandir(current)
        except OSError as error:
            if unreadable is None:
                raise
            unreadable(current, error)
            continue
        with listing as entries:
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
