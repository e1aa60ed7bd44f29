"""File primitives under the store: the path rule (everything resolves inside
the workspace), regular-file reads, atomic writes, folder locks, and the
clean-up of temporary files a killed writer left.

Writes are atomic (temporary file in the same folder, flush, fsync, rename,
fsync the folder), so a crash or ``kill -9`` at any instant leaves either
the old file or the new one.  Only the store (and the validation cache,
through it) uses this module; the layout of a workspace is the store's.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import random
import re
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from annotate.errors import LockTimeoutError, UnsafePathError, WriteError
from annotate.workspace import Workspace

LOCK_TIMEOUT_SECONDS = 30.0


# -- the one rule for paths ----------------------------------------------------
#
# Every path the store reads or writes resolves inside the workspace:
# symbolic links within it are fine, links that leave it are refused (a
# corpus file linked to /etc/passwd must not end up in .versions/ and in git).

def contains(root: str, path: str) -> bool:
    """True if the real path ``path`` is ``root`` or lies under it."""
    return os.path.commonpath([root, path]) == root


def inside(workspace: Workspace, path: Path) -> Path:
    """``path``, once checked to resolve inside the workspace; else UnsafePathError."""
    real = os.path.realpath(path)
    if not contains(os.path.realpath(workspace.root), real):
        raise UnsafePathError(
            f"{workspace.relative(path)} leads outside the workspace (to {real}); annotate "
            "reads and writes only inside it: put the file itself there instead of a link")
    return path


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class NotRegularFile(OSError):
    """The path is a folder, FIFO, socket or device: never read."""

    def __init__(self, path: str | os.PathLike[str], is_folder: bool) -> None:
        super().__init__(errno.EISDIR if is_folder else errno.EINVAL,
                         "is a folder" if is_folder else "is not a regular file",
                         os.fspath(path))
        self.is_folder = is_folder


def open_regular(path: str | os.PathLike[str], *, follow_links: bool = True,
                 dir_fd: int | None = None) -> BinaryIO:
    """``path`` opened for binary reading if it is a regular file.

    Opened non-blocking, so a FIFO cannot hang us; a FIFO, device or folder
    raises NotRegularFile without being read.  Other OSErrors pass through
    for the caller to word: a link among them when ``follow_links`` is
    false (a cache's file, which a link could point at /dev/stdin).
    ``dir_fd``: the open folder ``path`` is relative to.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | (0 if follow_links else _NOFOLLOW)
    descriptor = os.open(path, flags, dir_fd=dir_fd)
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(path, stat.S_ISDIR(mode))
        return os.fdopen(descriptor, "rb", 1 << 20)
    except BaseException:
        os.close(descriptor)
        raise


def read_file(workspace: Workspace, path: Path) -> bytes:
    """The bytes of a regular file inside the workspace (see ``open_regular``);
    FileNotFoundError and other OSErrors pass through for the caller to word."""
    inside(workspace, path)
    try:
        with open_regular(path) as handle:
            return handle.read()
    except NotRegularFile:
        raise UnsafePathError(f"{workspace.relative(path)} is not a regular file (a folder, "
                              "FIFO or device); annotate reads only plain files") from None


def write_file(workspace: Workspace, path: Path, data: bytes) -> None:
    """Atomically replace a file inside the workspace; a refusal by the
    operating system becomes one clear WriteError."""
    inside(workspace, path)
    try:
        atomic_write(path, data)
    except OSError as error:
        raise WriteError(f"cannot write {workspace.relative(path)}: {error.strerror}; "
                         "nothing was changed there (check the folder's permissions "
                         "and free space)") from error


def remove_stale_temporaries(folder: Path) -> None:
    """Delete the temporary files a killed writer left in ``folder``.

    Called with the folder's lock held: every writer holds it while its
    temporary file exists, so any temporary file seen now is stale.
    """
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if _TEMPORARY.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


# What atomic_write names its temporary files: ".<name>.<random>.tmp".
_TEMPORARY = re.compile(r"\..+\.[^.]+\.tmp")


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
    fsync_folder(path.parent)


def _file_mode(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def fsync_folder(folder: Path) -> None:
    """Make a rename or unlink in ``folder`` durable."""
    # The rename is only durable once the folder entry is on disk.
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def append_text(path: Path, text: str) -> None:
    """Append text to path, e.g. the CI job summary named by $GITHUB_STEP_SUMMARY."""
    # The one write outside the workspace: the CI runner chose the path.
    # Append, never replace: earlier steps of the job wrote there too.
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)
