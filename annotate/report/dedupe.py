"""Output of `annotate dedupe`: one line per change, or JSON."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING

from annotate.report.listing import to_json
from annotate.report.terminal import escape

if TYPE_CHECKING:
    from annotate.api import Deduplicated

Renderer = Callable[[Sequence["Deduplicated"], bool], str]


def render_text(changes: Sequence[Deduplicated], dry_run: bool) -> str:
    """A line per renamed or dropped record, then a summary line."""
    lines = []
    for change in changes:
        where = f"{escape(change.document)} ({escape(change.reviewer)})"
        if change.new_id is None:
            lines.append(f"dropped  {change.old_id} in {where}: an exact copy of a line above it")
        else:
            lines.append(f"renamed  {change.old_id} -> {change.new_id} in {where}")
    renamed = sum(change.new_id is not None for change in changes)
    if not changes:
        lines.append("every annotation already has its own id; nothing to do")
    else:
        lines.append(f"{renamed} renamed, {len(changes) - renamed} exact copies dropped"
                     + ("; nothing written (--dry-run)" if dry_run else ""))
    return "\n".join(lines) + "\n"


def render_json(changes: Sequence[Deduplicated], dry_run: bool) -> str:
    """Every change as an object: document, reviewer, old_id, new_id (null: dropped)."""
    return to_json([{"document": c.document, "reviewer": c.reviewer, "old_id": c.old_id,
                     "new_id": c.new_id} for c in changes])


RENDERERS: Mapping[str, Renderer] = MappingProxyType({"text": render_text,
                                                      "json": render_json})
