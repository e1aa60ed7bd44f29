"""Files the user names: what an import reads, what an export writes."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from annotate.errors import UnsafePathError, WriteError
from annotate.files import atomic_write, contains, inside
from annotate.workspace import Workspace

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


def read_standard_input(limit: int) -> bytes:
    """What the standard input holds (``curl ... | annotate import -``),
    refused above ``limit`` bytes (read no further than one byte past it),
    or if the caller closed it (``annotate import - <&-``)."""
    from annotate.errors import InputTooLargeError, UnreadableInputError

    if sys.stdin is None:
        raise UnreadableInputError("cannot read the standard input: it is closed; give it "
                                   "the file (annotate ... - < FILE), or name the file")
    try:
        data = sys.stdin.buffer.read(limit + 1)
    except OSError as error:
        raise UnreadableInputError(f"cannot read the standard input: {error.strerror}") \
            from error
    if len(data) > limit:
        raise InputTooLargeError(f"the standard input holds more than the "
                                 f"{limit // (1024 * 1024)} MiB annotate reads from one "
                                 "input; nothing was written")
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
    if contains(os.path.abspath(workspace.root), str(absolute)):
        inside(workspace, absolute.parent)  # a link on the way must not lead out
    _refuse_own_data(workspace, path, absolute)
    return absolute


def _refuse_own_data(workspace: Workspace, path: Path, absolute: Path) -> None:
    """UnsafePathError if ``absolute`` (which need not exist yet, nor its
    folder) is or would be part of the workspace's own data."""
    real = os.path.join(os.path.realpath(absolute.parent), absolute.name)
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


def write_output_file(workspace: Workspace, path: Path, data: bytes) -> None:
    """Write an export to the file ``path`` names (see above), atomically."""
    target = _output_place(workspace, path)
    try:
        atomic_write(target, data)
    except OSError as error:
        raise WriteError(f"cannot write {path}: {error.strerror}; nothing was written "
                         "(check the folder's permissions and free space)") from error


def files_in_folder(folder: Path, suffixes: tuple[str, ...]) -> list[str]:
    """The files under ``folder`` (none if it does not exist) whose names end
    in one of ``suffixes``, as sorted "/"-separated relative paths; links to
    folders are not followed (nor ``folder`` itself, if it is one: the write
    refuses it)."""
    if os.path.islink(folder):
        return []
    found = []
    for parent, _, names in os.walk(folder):
        relative = Path(parent).relative_to(folder)
        found += [(relative / name).as_posix() for name in names if name.endswith(suffixes)]
    return sorted(found)


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
    # Every place is checked before the first folder is made: a refused
    # export must leave nothing behind, least of all in the corpus.
    _refuse_own_data(workspace, folder, absolute)
    inside_workspace = contains(os.path.abspath(workspace.root), str(absolute))
    for place, _ in places:
        _refuse_own_data(workspace, place, place)
        if inside_workspace:
            inside(workspace, place)  # a link on the way must not lead out
    try:
        absolute.mkdir(exist_ok=True)
        for place, _ in places:
            place.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise WriteError(f"cannot create {folder}: {error.strerror}") from error
    for place, data in places:
        write_output_file(workspace, place, data)
