"""Messages of `annotate git-merge-driver` (one stderr line per conflicting id)
and the output of `annotate install-git-driver`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from annotate.report.terminal import escape

if TYPE_CHECKING:
    from annotate.gitrepo import DriverInstalled
    from annotate.merge.gitdriver import Conflict

MAX_VALUE = 60


def _value(value: object) -> str:
    """A field's value as JSON, cut to a readable length and safe for a terminal."""
    text = json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False)
    if len(text) > MAX_VALUE:
        text = text[:MAX_VALUE - 1] + "…"
    return escape(text)


def conflict_line(conflict: Conflict[Any], shown_path: str, decisions: bool = False) -> str:
    """One line naming the file, the id (a decisions file: the position) and
    how the two sides differ."""
    from annotate.merge.gitdriver import changed_fields

    noun = "position" if decisions else "id"
    where = f"{escape(shown_path)}: conflict on {noun} {escape(conflict.id)}: "
    ours, theirs, old = conflict.ours, conflict.theirs, conflict.ancestor
    if ours is None or theirs is None:
        kept, side, gone = (theirs, "theirs", "ours") if ours is None else (ours, "ours", "theirs")
        assert kept is not None
        if old is None:  # cannot happen: an id absent on one side and new on the other is kept
            return where + f"added in {side} only"
        fields = changed_fields(old, kept)
        detail = "; ".join(f"{name}: {_value(getattr(old, name))} -> "
                           f"{_value(getattr(kept, name))}" for name in fields)
        # Ours come first in an annotation file (a decisions file is in time
        # order); the ancestor's record stands in for a deleted side.
        order = ("both" if decisions else "the ancestor's record, then theirs" if ours is None
                 else "ours, then the ancestor's record")
        return where + f"deleted in {gone}, changed in {side} ({detail}); the file holds {order}"
    fields = changed_fields(ours, theirs)
    detail = "; ".join(f"{name}: ours {_value(getattr(ours, name))}, theirs "
                       f"{_value(getattr(theirs, name))}" for name in fields)
    return where + (detail or "both sides differ")


def conflict_hint(count: int, shown_path: str, decisions: bool = False) -> str:
    """The closing line: where the conflicting records are and how to resolve them."""
    if decisions:
        return (f"{escape(shown_path)}: {count} position{'s' * (count != 1)} decided two "
                "ways, both decisions kept (validate reports AN316 at the second): keep one "
                f"line of each position, delete the other, then 'git add "
                f"{escape(shown_path)}'")
    return (f"{escape(shown_path)}: {count} conflicting record{'s' * (count != 1)} kept twice "
            "(ours first, then theirs; validate reports AN307 at the second): keep one line "
            f"of each id, delete the other, then 'git add {escape(shown_path)}'")


def render_installed(installed: DriverInstalled) -> str:
    """What was written and configured, and what every teammate must run once."""
    commands = " && ".join(f"git config {key} {_shell(value)}" for key, value in installed.config)
    return ("".join(f"{escape(line)}  ({'added to' if added else 'already in'} the "
                    ".gitattributes at the top of the git repository; commit it)\n"
                    for line, added in installed.lines)
            + "".join(f"git config {key} {_shell(value)}  (set for this clone)\n"
                      for key, value in installed.config)
            + "git does not version .git/config: every teammate runs, once in their clone,\n"
            f"  annotate install-git-driver\nor\n  {commands}\n")


def _shell(value: str) -> str:
    """A value quoted for a POSIX shell."""
    import shlex

    return shlex.quote(value)
