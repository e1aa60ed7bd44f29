"""File names every teammate's system can hold.

A workspace is a git repository that people clone on Linux, macOS and
Windows.  Two names that differ only in case are two files on Linux but one
on macOS and Windows (their file systems ignore case by default): a checkout
there keeps one of the two and git only warns.  And Windows cannot make a
file or folder named after a device (CON, NUL, COM1...), even with an
extension (NUL.txt, con.alice@example.org.jsonl), nor one that ends in a dot
or a space or holds any of ``<>:"|?*`` or a control character.

Pure functions over "/"-separated relative paths; no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Microsoft, "Naming Files, Paths, and Namespaces": reserved names, also
# when an extension follows ("NUL.txt" is NUL).
_DEVICES = frozenset({"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
                      *(f"COM{n}" for n in "0123456789¹²³"),
                      *(f"LPT{n}" for n in "0123456789¹²³")})
_NOT_ON_WINDOWS = re.compile(r'[<>:"|?*\x00-\x1f]')


def windows_problem(path: str) -> str | None:
    """Why Windows cannot hold the path (a part named after a device, a
    part ending in a dot or a space, a character it refuses), or None."""
    for part in path.split("/"):
        if part.split(".", 1)[0].upper() in _DEVICES:
            return f"{part!r} is a device name on Windows ({part.split('.', 1)[0].upper()})"
        if part.endswith((".", " ")) and part not in (".", ".."):
            return f"{part!r} ends in {'a dot' if part.endswith('.') else 'a space'}"
        found = _NOT_ON_WINDOWS.search(part)
        if found is not None:
            return f"{part!r} holds {found.group()!r}, which Windows does not allow in a name"
    return None


def folded(name: str) -> str:
    """The name as a file system that ignores case sees it: lower case, and
    composed (macOS also takes "é" as one character and as "e" with an
    accent to be the same name)."""
    return unicodedata.normalize("NFC", name).lower()


def case_twin(name: str, others: Iterable[str]) -> str | None:
    """One of ``others`` that is another name than ``name`` but the same to
    a file system that ignores case, or None."""
    mine = folded(name)
    return next((other for other in sorted(others)
                 if other != name and folded(other) == mine), None)


def case_twins(paths: Iterable[str]) -> dict[str, str]:
    """Each path that a file system ignoring case takes for an earlier one's
    (in sorted order), or whose folder it takes for an earlier folder ->
    that earlier path or folder.  annotations/A.txt/bob.jsonl and
    annotations/a.txt/alice.jsonl are two files, but their folders are one."""
    first: dict[str, str] = {}
    twins = {}
    for path in sorted(paths):
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            prefix = "/".join(parts[:depth])
            earlier = first.setdefault(folded(prefix), prefix)
            if earlier != prefix:
                twins[path] = earlier
                break
    return twins
