"""Content hashes remembered by stat, as git's index remembers them: an
unchanged file (annotation file or document) is not read again."""

from __future__ import annotations

import os
from typing import Any


def file_stat(path: str) -> list[int] | None:
    """What changes whenever a file's content does: size, times, inode.
    ctime is set by the kernel on every write and cannot be set back."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return [found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino, found.st_dev]


class Hashes:
    """Content hashes remembered with the stat they were taken at, so an
    unchanged file is not read again (as git's index does).  A file modified
    within RACY_SECONDS of hashing is not remembered: a second write in the
    same timestamp tick could otherwise go unseen."""

    RACY_SECONDS = 2.0

    def __init__(self, stored: Any) -> None:
        self.entries: dict[str, list[Any]] = stored if isinstance(stored, dict) else {}
        self.changed = False

    def known(self, name: str, stat: list[int] | None) -> str | None:
        """The hash remembered for name if its stat is still the same."""
        entry = self.entries.get(name)
        if stat is None or not isinstance(entry, list) or entry[:-1] != stat:
            return None
        return str(entry[-1])

    def remember(self, name: str, stat: list[int] | None, sha256: str) -> None:
        """Keep sha256 for name at stat (taken before reading), unless racy."""
        import time

        if stat is not None and stat[1] < time.time_ns() - self.RACY_SECONDS * 1e9:
            self.entries[name] = [*stat, sha256]
            self.changed = True
        elif self.entries.pop(name, None) is not None:
            self.changed = True
