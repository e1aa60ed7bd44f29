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


# A file written less than this long ago has a stat that cannot be trusted
# yet: a second write in the same timestamp tick could leave it unchanged.
RACY_SECONDS = 2.0


def is_racy(stat: list[int]) -> bool:
    """True when the file was written or its inode changed (chmod, a write
    that restored the old mtime) less than RACY_SECONDS ago."""
    import time

    return max(stat[1], stat[2]) >= time.time_ns() - RACY_SECONDS * 1e9


class Hashes:
    """Content hashes remembered with the stat they were taken at, so an
    unchanged file is not read again (as git's index does).  A racy file
    (see is_racy) is not remembered."""

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
        if stat is not None and not is_racy(stat):
            self.entries[name] = [*stat, sha256]
            self.changed = True
        elif self.entries.pop(name, None) is not None:
            self.changed = True
