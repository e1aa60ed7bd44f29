"""Git's side of a workspace (issue 9, item 5): the files git hands the merge
driver, the repository's ``.gitattributes`` and its ``git config``.

These files belong to git, not to the workspace's layout (git's temporary
%O/%A/%B files sit outside ``annotations/``, ``.gitattributes`` at the
repository's top level), so they are read and written here rather than by
the store; writes are atomic all the same.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from annotate.decisions import DECISIONS_FILE
from annotate.errors import CorruptFileError, GitSetupError, WriteError
from annotate.files import NotRegularFile, atomic_write, open_regular

DRIVER = "annotate"
DRIVER_NAME = "annotate: merge annotation files record by record (by id)"
DRIVER_COMMAND = "annotate git-merge-driver %O %A %B %P"
GITATTRIBUTES = ".gitattributes"


def read_version(path: Path, shown: str) -> bytes:
    """The bytes of one version git handed the driver; only a regular file is read."""
    try:
        with open_regular(path) as handle:
            return handle.read()
    except NotRegularFile:
        raise CorruptFileError(shown, 1, 1, f"{path} is not a regular file") from None
    except OSError as error:
        raise CorruptFileError(shown, 1, 1, f"cannot read {path}: {error.strerror}") from error


def write_result(path: Path, data: bytes) -> None:
    """Atomically replace the driver's %A file with the merge result."""
    try:
        atomic_write(path, data)
    except OSError as error:
        raise WriteError(f"cannot write the merge result to {path}: {error.strerror}") from error


def _git(folder: Path, *args: str) -> str:
    """Run git in folder; its stdout, or GitSetupError with git's own words."""
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True,
                              text=True, check=False, stdin=subprocess.DEVNULL)
    except FileNotFoundError as error:
        raise GitSetupError("git is not installed (or not on PATH); install git, then run "
                            "'annotate install-git-driver' again") from error
    if done.returncode != 0:
        said = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise GitSetupError(f"git {' '.join(args[:2])} failed in {folder}: {said}")
    return done.stdout


def top_level(folder: Path) -> Path:
    """The top folder of the git working tree holding folder; GitSetupError outside one."""
    try:
        output = _git(folder, "rev-parse", "--show-toplevel")
    except GitSetupError as error:
        if isinstance(error.__cause__, FileNotFoundError):
            raise
        raise GitSetupError(f"{folder} is not inside a git repository ({error}); the merge "
                            "driver is set up per clone: run 'git init' (or clone the "
                            "repository) first, then 'annotate install-git-driver'") from None
    return Path(output.strip())


def attributes_patterns(relative_folder: str) -> tuple[str, ...]:
    """The .gitattributes patterns matching every annotation file under a
    folder, and every editor's decisions file."""
    names = ("*.jsonl", DECISIONS_FILE)
    if relative_folder in ("", "."):
        return tuple(f"**/{name}" for name in names)
    return tuple(f"{_escaped(relative_folder)}/**/{name}" for name in names)


def _everything_in(relative_folder: str) -> str:
    """The .gitattributes pattern of every file in a folder (and below it)."""
    if relative_folder in ("", "."):
        return "*"  # a pattern without a slash matches a name in every folder
    return f"{_escaped(relative_folder)}/**"


def _escaped(relative_folder: str) -> str:
    """A folder as a .gitattributes pattern: patterns are wildmatch globs ended
    by whitespace, so glob characters are escaped and a blank is spelt as a
    class, keeping the pattern one word."""
    return "".join("\\" + c if c in "*?[]\\!#" else "[[:space:]]" if c.isspace() else c
                   for c in relative_folder)


def _inside_repository(folder: Path, top: Path, which: str) -> str:
    """The folder relative to the repository's top, "/"-separated; refused if
    it lies outside the repository."""
    def outside(path: str) -> bool:
        relative = os.path.relpath(path, os.path.realpath(top))
        return relative == os.pardir or relative.startswith(os.pardir + os.sep)

    relative = os.path.relpath(os.path.realpath(folder), os.path.realpath(top))
    if outside(os.path.realpath(folder)):
        if not outside(os.path.abspath(folder)):
            raise GitSetupError(f"the {which} folder {folder} leads outside the git "
                                f"repository at {top} (to {os.path.realpath(folder)}): git "
                                "does not version what it holds; move that folder into the "
                                "repository in place of the link")
        raise GitSetupError(f"the {which} folder {folder} is outside the git repository at "
                            f"{top}; move the workspace into the repository")
    return Path(relative).as_posix()


@dataclass(frozen=True)
class DriverInstalled:
    """What install_git_driver did: the .gitattributes lines (each with whether
    it was added or already there) and the config it set."""

    gitattributes: Path
    lines: tuple[tuple[str, bool], ...]
    config: tuple[tuple[str, str], ...]


def install_driver(root: Path, annotations_dir: Path,
                   byte_for_byte: Sequence[tuple[str, Path]] = ()) -> DriverInstalled:
    """Route annotation files to the driver in .gitattributes and configure it
    in this clone; and keep the files of the ``byte_for_byte`` folders (what
    each is, and where) as they are (``-text``): a document's version is the
    SHA-256 of its bytes, and git's line-ending conversion (core.autocrlf,
    on by default in Git for Windows) would check every document out as
    another version there."""
    top = top_level(root)
    relative = _inside_repository(annotations_dir, top, "annotations")
    lines = [f"{pattern} merge=annotate" for pattern in attributes_patterns(relative)]
    lines += [f"{_everything_in(_inside_repository(folder, top, which))} -text"
              for which, folder in byte_for_byte]
    path = top / GITATTRIBUTES
    existing = _read_attributes(path)
    present = {old.strip() for old in existing.splitlines()}
    missing = [line for line in lines if line not in present]
    if missing:
        separator = "" if not existing or existing.endswith("\n") else "\n"
        try:
            atomic_write(path, (existing + separator + "".join(line + "\n" for line in missing)
                                ).encode("utf-8"))
        except OSError as error:
            raise WriteError(f"cannot write {path}: {error.strerror}; nothing was "
                             "changed there") from error
    config = (("merge.annotate.name", DRIVER_NAME), ("merge.annotate.driver", DRIVER_COMMAND))
    for key, value in config:
        _git(top, "config", key, value)
    return DriverInstalled(path, tuple((line, line in missing) for line in lines), config)


def _read_attributes(path: Path) -> str:
    """The repository's .gitattributes ("" when there is none).  Only a regular
    file is read: a FIFO would hang the read, and git does not read a
    .gitattributes that is a symbolic link (so lines added through one
    would do nothing, and replacing it would cut the link)."""
    again = "then run 'annotate install-git-driver' again"
    link = GitSetupError(f"{path} is a symbolic link, which git does not read as the "
                         f"repository's attributes; put a regular file there, {again}")
    if path.is_symlink():
        raise link
    try:
        with open_regular(path, follow_links=False) as handle:
            data = handle.read()
    except FileNotFoundError:
        return ""
    except NotRegularFile:
        raise GitSetupError(f"{path} is not a regular file (a folder, FIFO or device); remove "
                            f"it, {again}") from None
    except OSError as error:
        if error.errno == errno.ELOOP:  # made a link since the check above
            raise link from None
        raise GitSetupError(f"cannot read {path}: {error.strerror}; fix its permissions, "
                            f"{again}") from error
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise GitSetupError(f"{path} is not UTF-8 text (bad byte at offset {error.start}); "
                            f"fix or remove it, {again}") from None
