"""Where things stand in a text, as a user sees them: line:column positions,
the context stored beside a quote, one-line snippets for messages, grapheme
cluster boundaries, and finding a quote the user typed (every exact
occurrence, a normalised match when the quote was typed with other quotes,
dashes, spaces or another Unicode normalisation; the closest inexact ones
to a mistyped quote are ``closest.fuzzy_candidates``).

Light on purpose: the store, validation and every command that prints a
position import this module, so at import it needs nothing beyond the
standard library (``regex``, for grapheme clusters, is loaded by the
functions that need it).  Offsets are
code points, end exclusive.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterator, Sequence
from typing import Any

from annotate.model import CONTEXT_LENGTH, Occurrence


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


def position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based (line, column) of one offset, without indexing every line.

    For a message about a few places in a large text: counting line breaks
    runs in C, where a LineIndex of a 50 MB text takes a Python loop.
    """
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def occurrences(text: str, spans: Sequence[tuple[int, int]],
                scores: Sequence[float] | None = None) -> list[Occurrence]:
    """Spans as shown to the user (line:column and snippet), in the order
    given; one pass over the text however many there are."""
    order = sorted(range(len(spans)), key=lambda i: spans[i][0])
    found: dict[int, Occurrence] = {}
    line, line_start, counted = 1, 0, 0
    for i in order:
        start, end = spans[i]
        newline = text.rfind("\n", counted, start)
        if newline != -1:
            line_start = newline + 1
        line += text.count("\n", counted, start)
        counted = start
        found[i] = Occurrence(start, end, line, start - line_start + 1,
                              snippet(text, start, end), 1.0 if scores is None else scores[i])
    return [found[i] for i in range(len(spans))]


def find_exact(text: str, quote: str) -> list[int]:
    """Start offsets of every occurrence of quote, overlapping ones included."""
    return list(iter_exact(text, quote))


def iter_exact(text: str, quote: str) -> Iterator[int]:
    """Start offsets of each occurrence of quote in turn, overlapping ones included."""
    at = text.find(quote)
    while at != -1:
        yield at
        at = text.find(quote, at + 1)


def count_exact(text: str, quote: str) -> int:
    """How many times quote occurs, overlapping occurrences included.

    str.count counts in C but skips overlapping copies; those exist only
    for a quote whose start is also its end ("aa" in "aaa"), counted one
    by one.
    """
    if not quote:
        return 0
    if not any(quote.startswith(quote[-size:]) for size in range(1, len(quote))):
        return text.count(quote)
    return sum(1 for _ in iter_exact(text, quote))


# -- grapheme clusters (UAX #29) ---------------------------------------------------
#
# A span must not cut a user-perceived character in two: "é" written as e +
# U+0301, an emoji with its skin-tone modifier, the two regional indicators
# of a flag, CR LF.  The extended grapheme clusters of Unicode's UAX #29
# define them; the standard library has no segmentation, so the `regex`
# package's \X does it (loaded only when a boundary touches non-ASCII text).

_CLUSTER: Any = None


def _cluster_pattern() -> Any:
    global _CLUSTER
    if _CLUSTER is None:
        import regex

        _CLUSTER = regex.compile(r"\X")
    return _CLUSTER


def splits_grapheme(text: str, offset: int) -> bool:
    """True if offset falls inside an extended grapheme cluster (UAX #29) of text."""
    if offset <= 0 or offset >= len(text):
        return False
    before, after = text[offset - 1], text[offset]
    if before < "\x80" and after < "\x80":
        # Between two ASCII characters only CR LF is one cluster.
        return before == "\r" and after == "\n"
    # \X looks at the text before its start where a rule needs it (regional
    # indicator pairs, emoji ZWJ sequences): the cluster it matches from the
    # character before offset ends at offset exactly when offset is a boundary.
    return bool(_cluster_pattern().match(text, offset - 1).end() != offset)


def grapheme_around(text: str, offset: int) -> tuple[int, int]:
    """The (start, end) of the grapheme cluster offset falls inside (or (offset,
    offset) if it is a boundary), for saying which character a span would split."""
    if not splits_grapheme(text, offset):
        return offset, offset
    start = offset - 1
    while start > 0 and splits_grapheme(text, start):
        start -= 1
    return start, int(_cluster_pattern().match(text, start).end())


# -- normalised matching -------------------------------------------------------------
#
# A quote typed with straight quotes, a hyphen for a dash, two spaces for a
# line break or another Unicode normalisation (NFC from a keyboard, NFD from
# macOS) than the document's is not found as typed.  Both are folded alike:
# NFC, the typographic quotes, apostrophes and dashes below, runs of white
# space as one space (issue 8, item 22).

_SINGLE_QUOTES = "'‘’‚‛′ʼ‹›＇"
_DOUBLE_QUOTES = '"“”„‟″«»＂'
_DASHES = "-‐‑‒–—―−﹘﹣－"
_TYPOGRAPHIC = str.maketrans({
    **{c: "'" for c in _SINGLE_QUOTES}, **{c: '"' for c in _DOUBLE_QUOTES},
    **{c: "-" for c in _DASHES},
})
_CLASSES = {"'": _SINGLE_QUOTES, '"': _DOUBLE_QUOTES, "-": _DASHES}
_WHITE_RUN = re.compile(r"\s+")

FOLDINGS = ("Unicode normalisation (NFC)", "typographic quotes, apostrophes and dashes",
            "runs of white space")


def fold(text: str, skip: str | None = None) -> str:
    """text with the FOLDINGS applied (all but skip), as quotes are compared
    when an exact match fails."""
    if skip != FOLDINGS[0]:
        text = unicodedata.normalize("NFC", text)
    if skip != FOLDINGS[1]:
        text = fold_typography(text)
    if skip != FOLDINGS[2]:
        text = _WHITE_RUN.sub(" ", text)
    return text


def fold_typography(text: str) -> str:
    """Typographic quotes, apostrophes and dashes as ASCII ' " -, one code point for one."""
    return text.translate(_TYPOGRAPHIC)


def find_normalised(text: str, quote: str) -> list[tuple[int, int]]:
    """Every (start, end) of text that folds to what quote folds to, in order
    (overlapping ones too); offsets are exact code points of text.

    One regex over the original text, built from the folded quote: each
    character as itself in NFC or NFD, a quote or dash as any of its
    typographic forms, a space as any run of white space.  Each match is
    then folded and compared; one that starts or ends inside a grapheme
    cluster of the text is no match.
    """
    # White space around the quote is folded away too: the span found is
    # the text between it.
    wanted = fold(quote).strip()
    if not wanted:
        return []
    parts: list[str] = []
    for cluster in _clusters(wanted):
        if cluster == " ":
            parts.append(r"\s+")
        elif cluster in _CLASSES:
            parts.append("[" + re.escape(_CLASSES[cluster]) + "]")
        else:
            forms = dict.fromkeys((cluster, unicodedata.normalize("NFD", cluster)))
            parts.append("(?:" + "|".join(map(re.escape, forms)) + ")"
                         if len(forms) > 1 else re.escape(cluster))
    pattern = re.compile("".join(parts))
    found: list[tuple[int, int]] = []
    # search() from each match's start + 1, not finditer: overlapping matches
    # count, as they do for an exact quote ("aa" twice in "aaa").
    match = pattern.search(text)
    while match is not None:
        start, end = match.span()
        match = pattern.search(text, start + 1)
        if splits_grapheme(text, start) or splits_grapheme(text, end):
            continue  # e.g. "Cafe" in "Café" written with a combining accent
        if fold(text[start:end]) == wanted:
            found.append((start, end))
    return found


def _clusters(text: str) -> Iterator[str]:
    """Each character with the combining marks after it (enough to write
    each in NFC or NFD; not UAX #29, which the regex needs no part of)."""
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or not unicodedata.combining(text[i]):
            yield text[start:i]
            start = i
