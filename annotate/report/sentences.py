"""`annotate sentences`: a document's numbered sentences as text or JSON."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

from annotate.model import Sentence
from annotate.report.listing import terminal_line, to_json

Renderer = Callable[[Sequence[Sentence]], str]


def sentences_text(sentences: Sequence[Sentence]) -> str:
    """One sentence a line: its number, line:column, and its text on one line (escaped)."""
    return "".join(
        f"{s.number:>4}  {f'{s.line}:{s.column}':<8}{terminal_line(s.text, 10_000)}\n"
        for s in sentences)


def sentences_json(sentences: Sequence[Sentence]) -> str:
    """A JSON array of {number, start, end, line, column, text}."""
    return to_json([{"number": s.number, "start": s.start, "end": s.end, "line": s.line,
                     "column": s.column, "text": s.text} for s in sentences])


RENDERERS: Mapping[str, Renderer] = MappingProxyType({
    "text": sentences_text,
    "json": sentences_json,
})
