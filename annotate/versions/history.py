"""A document's versions, oldest first, and the names that pick one; pure.

The store lists, per document, the versions it stored for it in the order
it stored them (``store.read_version_list``).  Versions the document's
records name (annotations, finished markers, editor's decisions) but the
list lacks -- a workspace from before the list existed, a list lost or
damaged -- come first, ordered by the earliest time a record names them
(an annotation's ``modified``, which re-anchoring sets, a marker's or a
decision's ``time``): they are older than anything the list recorded.  The
current text comes last unless it is one of them already (an article put
back as it was).

VERSION, as ``--from`` and ``--to`` take it (docs/diff.md):

- ``current``: the text in the corpus now;
- ``previous``: the newest version that is not the current text;
- a number, 1 for the oldest (what ``annotate documents`` counts);
- 7 or more hex digits: the version whose SHA-256 begins so (a stored
  version of no record of this document too, as the last resort: say a
  document that was renamed).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from annotate.errors import UnknownVersionError

MIN_PREFIX = 7  # hex digits of a SHA-256 prefix, as git's short hashes
SHOWN = 12  # hex digits a version is shown with (as `documents` shows it)
_HEX = re.compile(r"[0-9a-f]+")
_NUMBER = re.compile(r"[0-9]{1,6}")  # more digits would be a prefix
_LISTED = 10  # versions an error message lists


@dataclass(frozen=True)
class Version:
    """One version of a document: its place in the history and its hash."""

    number: int | None  # 1 = oldest; None: a stored text the history does not hold
    sha256: str
    current: bool  # the text in the corpus now

    def describe(self, more: str = "") -> str:
        """``version 2 (9ca54b0d25ff, current)`` for messages and headers;
        ``more`` is added in the brackets."""
        where = f"version {self.number}" if self.number is not None else "stored text"
        return f"{where} ({self.sha256[:SHOWN]}{', current' if self.current else ''}{more})"


def ordered(listed: Sequence[str], named: Mapping[str, str], current: str | None,
            stored: Callable[[str], bool]) -> list[Version]:
    """The versions of a document, oldest first (see the module docstring).

    listed: the store's list for the document, in order; named: each version
    the records name, with the earliest time one names it; current: the
    current text's SHA-256 (None if it cannot be read); stored: whether a
    version's text is kept (a version without its text is no version to
    show or compare, and is left out).
    """
    seen = set(listed)
    older = sorted((time, sha) for sha, time in named.items() if sha not in seen)
    shas = [sha for _, sha in older] + list(listed)
    kept = [sha for sha in dict.fromkeys(shas) if sha == current or stored(sha)]
    if current is not None and current not in kept:
        kept.append(current)
    return [Version(number, sha, sha == current) for number, sha in enumerate(kept, start=1)]


def earliest(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Each version of (sha256, time) pairs with its earliest time."""
    found: dict[str, str] = {}
    for sha, time in pairs:
        if sha not in found or time < found[sha]:
            found[sha] = time
    return found


def listing(versions: Sequence[Version]) -> str:
    """``1 132f973bb4b6, 2 9ca54b0d25ff (current)``: the versions for a message."""
    shown = [f"{v.number} {v.sha256[:SHOWN]}{' (current)' if v.current else ''}"
             for v in versions[:_LISTED]]
    if len(versions) > _LISTED:
        shown.append(f"… {len(versions) - _LISTED} more ('annotate documents --format json' "
                     "lists them all)")
    return ", ".join(shown)


def resolve(name: str, versions: Sequence[Version], document: str,
            stored: Sequence[str] = ()) -> Version:
    """The version ``name`` picks among a document's versions (oldest first);
    ``stored``: every stored version's SHA-256, for a prefix that names none
    of the document's.  UnknownVersionError, in one line naming the
    candidates, if it picks none or several."""
    spelled = name.strip().lower()
    have = (f"{document} has {len(versions)} version{'s' if len(versions) != 1 else ''}: "
            f"{listing(versions)}" if versions else f"{document} has no version")
    if spelled == "current":
        for version in versions:
            if version.current:
                return version
        raise UnknownVersionError(f"the current text of {document} cannot be read; {have}")
    if spelled == "previous":
        earlier = [v for v in versions if not v.current]
        if not earlier:
            raise UnknownVersionError(f"{document} has no version but the current text; "
                                      "nothing to compare it with yet")
        return earlier[-1]
    if _NUMBER.fullmatch(spelled) and len(spelled) < MIN_PREFIX:
        number = int(spelled)
        if 1 <= number <= len(versions):
            return versions[number - 1]
        raise UnknownVersionError(f"no version {number} of {document}: {have}")
    if not _HEX.fullmatch(spelled):
        raise UnknownVersionError(
            f"{name!r} is not a version: give a number (1 = the oldest), 'current', "
            f"'previous' or the first {MIN_PREFIX}+ hex digits of its SHA-256; {have}")
    if len(spelled) < MIN_PREFIX:
        raise UnknownVersionError(f"{name!r} is too short for a SHA-256 prefix: give at "
                                  f"least {MIN_PREFIX} hex digits; {have}")
    mine = [v for v in versions if v.sha256.startswith(spelled)]
    if len(mine) == 1:
        return mine[0]
    if mine:
        raise UnknownVersionError(f"{name!r} is ambiguous: it begins {listing(mine)}; "
                                  "give more hex digits")
    others = sorted(sha for sha in stored if sha.startswith(spelled))
    if len(others) == 1:
        return Version(None, others[0], False)
    if others:
        raise UnknownVersionError(
            f"{name!r} is ambiguous: it begins the stored texts "
            f"{', '.join(sha[:SHOWN] for sha in others[:_LISTED])}; give more hex digits")
    raise UnknownVersionError(f"no version of {document} begins {name!r}: {have}")
