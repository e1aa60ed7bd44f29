"""Where things stand in a text, as a user sees them: line:column positions,
the context stored beside a quote, one-line snippets for messages, and
finding a quote the user typed (every exact occurrence, or the closest
inexact ones when it was mistyped).

Light on purpose: the store, validation and every command that prints a
position import this module, so it needs nothing beyond the standard
library.  Offsets are code points, end exclusive.
"""

from __future__ import annotations

import bisect
import difflib
import re

from annotate.model import CONTEXT_LENGTH, Occurrence

_WORD_START = re.compile(r"\b\w", re.UNICODE)


class LineIndex:
    """Maps code-point offsets to 1-based line:column and back.

    Lines end at "\\n", so a CRLF file's "\\r" is the last column of its line
    and offsets never need to know about line endings.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0]
        self.line_starts.extend(m.end() for m in re.finditer("\n", text))

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based (line, column) of an offset."""
        line = bisect.bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def offset(self, line: int, column: int) -> int:
        """The offset of a 1-based line and column."""
        return self.line_starts[line - 1] + column - 1


def context(text: str, start: int, end: int) -> tuple[str, str]:
    """The prefix and suffix stored beside a quote (up to 32 code points each)."""
    return text[max(0, start - CONTEXT_LENGTH):start], text[end:end + CONTEXT_LENGTH]


def splits_line_ending(text: str, offset: int) -> bool:
    """True if the offset falls between the CR and LF of a CRLF pair."""
    return 0 < offset < len(text) and text[offset - 1] == "\r" and text[offset] == "\n"


def snippet(text: str, start: int, end: int, width: int = 30) -> str:
    """A one-line view of a span with some context, for messages."""
    left = text[max(0, start - width):start]
    right = text[end:end + width]
    shown = f"{'…' if start > width else ''}{left}[{text[start:end]}]{right}"
    shown += "…" if end + width < len(text) else ""
    return " ".join(shown.split())


def occurrence(index: LineIndex, start: int, end: int, score: float = 1.0) -> Occurrence:
    """A span as shown to the user: its line:column and a snippet around it."""
    line, column = index.position(start)
    return Occurrence(start, end, line, column, snippet(index.text, start, end), score)


def find_exact(text: str, quote: str) -> list[int]:
    """Start offsets of every occurrence of quote, overlapping ones included."""
    starts = []
    position = text.find(quote)
    while position != -1:
        starts.append(position)
        position = text.find(quote, position + 1)
    return starts


def fuzzy_candidates(text: str, quote: str, limit: int = 3,
                     min_score: float = 0.5) -> list[Occurrence]:
    """The closest inexact matches of quote, best first, not overlapping.

    Used to answer a mistyped ``--quote``: windows of the quote's length
    starting at each word, scored by difflib's ratio (case-insensitive,
    whitespace folded).  Pruned with ``quick_ratio`` so a long article
    stays fast enough for an error path.
    """
    wanted = " ".join(quote.lower().split())
    if not wanted:
        return []
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(wanted)
    scored: list[tuple[float, int, int]] = []
    floor = min_score
    for match in _WORD_START.finditer(text):
        start = match.start()
        end = min(len(text), start + len(quote))
        window = " ".join(text[start:end].lower().split())
        matcher.set_seq1(window)
        if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
            continue
        score = matcher.ratio()
        if score >= floor:
            scored.append((score, start, end))
            if len(scored) > 50 * limit:
                scored.sort(reverse=True)
                del scored[10 * limit:]
                floor = max(floor, scored[-1][0])
    scored.sort(key=lambda item: (-item[0], item[1]))
    index = LineIndex(text)
    chosen: list[Occurrence] = []
    for score, start, end in scored:
        if any(start < other.end and other.start < end for other in chosen):
            continue
        chosen.append(occurrence(index, start, end, round(score, 3)))
        if len(chosen) == limit:
            break
    return chosen

