"""`annotate sentences`: a document's numbered sentences as text or JSON; with
``--candidates``, only the claim candidates, each with the reasons it is one."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from annotate.model import Sentence
from annotate.report.listing import terminal_line, to_json

if TYPE_CHECKING:
    from annotate.candidates import Reason

# Reasons by sentence number: given (for `--candidates`), each sentence shows why.
Reasons = Mapping[int, Sequence["Reason"]]
Renderer = Callable[[Sequence[Sentence], Reasons | None], str]


def describe(reasons: Sequence[Reason], limit: int = 60) -> str:
    """The reasons on one line, escaped: kind “cue”, ... (as review shows them too)."""
    return ", ".join(f"{r.kind} “{terminal_line(r.cue, limit)}”" for r in reasons)


def sentences_text(sentences: Sequence[Sentence], reasons: Reasons | None = None) -> str:
    """One sentence a line: its number, line:column, and its text on one line (escaped);
    with reasons, a line under each saying why it is a candidate."""
    lines = []
    for s in sentences:
        lines.append(f"{s.number:>4}  {f'{s.line}:{s.column}':<8}"
                     f"{terminal_line(s.text, 10_000)}\n")
        if reasons is not None:
            lines.append(f"{'':14}why: {describe(reasons.get(s.number, ()))}\n")
    return "".join(lines)


def sentences_json(sentences: Sequence[Sentence], reasons: Reasons | None = None) -> str:
    """A JSON array of {number, start, end, line, column, text}; with reasons, each
    also has ``reasons``: [{kind, cue, start, end}] (document offsets)."""
    items: list[dict[str, Any]] = []
    for s in sentences:
        item: dict[str, Any] = {"number": s.number, "start": s.start, "end": s.end,
                                "line": s.line, "column": s.column, "text": s.text}
        if reasons is not None:
            item["reasons"] = [{"kind": r.kind, "cue": r.cue, "start": r.start, "end": r.end}
                               for r in reasons.get(s.number, ())]
        items.append(item)
    return to_json(items)


RENDERERS: Mapping[str, Renderer] = MappingProxyType({
    "text": sentences_text,
    "json": sentences_json,
})
