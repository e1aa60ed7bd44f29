"""Reading annotation files for validation: regular files only, streamed.

A file is opened without blocking and refused unless it is a regular file,
so a FIFO or a device named like an annotation file cannot hang or flood a
run (issue 8, item 6).  Nothing here holds a whole file: hashes are taken in
chunks and records are read line by line, so memory does not grow with the
size of the file (issue 8, item 17: 920 MB for a 117 MB file before).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import BinaryIO

from annotate import files

CHUNK = 1 << 20


class Unreadable(Exception):
    """The file cannot be read as a regular file; the message says why (AN109)."""


def open_regular(path: str) -> BinaryIO:
    """path opened for binary reading, or Unreadable if it is not a regular file."""
    try:
        return files.open_regular(path)
    except (IsADirectoryError, files.NotRegularFile) as error:
        if isinstance(error, IsADirectoryError) or error.is_folder:
            raise Unreadable("is a directory, not an annotation file") from None
        raise Unreadable("is not a regular file (a FIFO, socket or device); annotate "
                         "reads only plain files") from None
    except OSError as error:
        raise Unreadable(f"cannot read: {error.strerror}") from None


def content_hash(path: str) -> str:
    """SHA-256 of a regular file's bytes, read in chunks; Unreadable if it cannot be."""
    digest = hashlib.sha256()
    with open_regular(path) as handle:
        try:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
        except OSError as error:
            raise Unreadable(f"cannot read: {error.strerror}") from None
    return digest.hexdigest()


def hashed_lines(handle: BinaryIO, digest: hashlib._Hash) -> Iterator[bytes]:
    """The lines of handle, each with its "\\n" (only "\\n" ends a line, as
    LineIndex counts them), every byte also fed to digest."""
    update = digest.update
    for line in handle:
        update(line)
        yield line
