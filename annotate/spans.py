"""Picking a span of a document from what the user typed, and making a new
annotation of it.  Pure: text and values in, values or SpanError out.
(Checks on the record's fields live in the rule book, rules.py.)
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from annotate.anchoring import textindex
from annotate.errors import SpanError
from annotate.model import Annotation, Document, Sentence

_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


@dataclass(frozen=True)
class QuoteSpan:
    """A span picked by its exact text (and which occurrence)."""

    quote: str
    occurrence: int | None = None  # 1-based


@dataclass(frozen=True)
class OffsetSpan:
    """A span picked by code-point offsets, end exclusive."""

    start: int
    end: int


@dataclass(frozen=True)
class SentenceSpan:
    """A span picked by sentence number."""

    number: int  # 1-based, as `annotate sentences` prints


SpanSpec = QuoteSpan | OffsetSpan | SentenceSpan


def pick_span(text: str, spec: SpanSpec, sentences: list[Sentence] | None = None
              ) -> tuple[int, int]:
    """The (start, end) the user meant, or a SpanError that says how to fix it."""
    if isinstance(spec, QuoteSpan):
        start, end = _pick_quote(text, spec)
    elif isinstance(spec, OffsetSpan):
        start, end = spec.start, spec.end
        if start < 0 or end < 0:
            raise SpanError(f"offsets must not be negative (got {start}..{end})")
        if start >= end:
            raise SpanError(f"--start {start} must be less than --end {end}")
        if end > len(text):
            raise SpanError(f"--end {end} is past the end of the document "
                            f"({len(text)} code points)")
    else:
        assert sentences is not None
        if not 1 <= spec.number <= len(sentences):
            raise SpanError(f"no sentence {spec.number}: the document has "
                            f"{len(sentences)}; see 'annotate sentences DOC'")
        sentence = sentences[spec.number - 1]
        start, end = sentence.start, sentence.end
    for offset in (start, end):
        if textindex.splits_line_ending(text, offset):
            raise SpanError(f"offset {offset} falls between the CR and LF of a line ending; "
                            "move it before the CR or after the LF")
    if not text[start:end].strip():
        raise SpanError(f"the span {start}..{end} is empty or only white space; "
                        "pick a span with text in it")
    return start, end


def _pick_quote(text: str, spec: QuoteSpan) -> tuple[int, int]:
    quote = spec.quote
    if not quote.strip():
        raise SpanError("--quote is empty or only white space; give the exact text to mark")
    starts = textindex.find_exact(text, quote)
    index = textindex.LineIndex(text)
    if not starts:
        message = f"quote not found in the document: {_short(quote)!r}"
        candidates = textindex.fuzzy_candidates(text, quote)
        if candidates:
            shown = "; ".join(f"{c.line}:{c.column} {c.context!r} (similarity {c.score:.2f})"
                              for c in candidates)
            message += f"; closest: {shown}"
        else:
            message += "; check the spelling or use 'annotate sentences DOC' and --sentence N"
        raise SpanError(message)
    if spec.occurrence is not None:
        if not 1 <= spec.occurrence <= len(starts):
            raise SpanError(f"--occurrence {spec.occurrence} is out of range: the quote "
                            f"occurs {len(starts)} time(s)")
        start = starts[spec.occurrence - 1]
        return start, start + len(quote)
    if len(starts) > 1:
        places = "; ".join(
            f"#{n} at {o.line}:{o.column} {o.context!r}"
            for n, o in enumerate(
                (textindex.occurrence(index, s, s + len(quote)) for s in starts), start=1)
        )
        raise SpanError(f"the quote occurs {len(starts)} times; pick one with --occurrence N: "
                        f"{places}")
    return starts[0], starts[0] + len(quote)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def now() -> str:
    """RFC 3339 in UTC with milliseconds, e.g. 2026-11-29T11:25:50.123Z."""
    moment = datetime.now(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def new_id() -> str:
    """16 characters: 48 bits of milliseconds, then 32 random bits.

    Time first so that a file sorted by id lists annotations in the order
    they were made and new ones land at the end of the diff.
    """
    value = (int(time.time() * 1000) << 32) | secrets.randbits(32)
    digits = []
    for _ in range(16):
        value, digit = divmod(value, 32)
        digits.append(_CROCKFORD[digit])
    return "".join(reversed(digits))


def new_annotation(document: Document, start: int, end: int, *, label: str, reviewer: str,
                   note: str, sources: tuple[str, ...], verdict: str | None,
                   tags: tuple[str, ...]) -> Annotation:
    """A new annotation of text[start:end] with its context, id and timestamps."""
    prefix, suffix = textindex.context(document.text, start, end)
    stamp = now()
    return Annotation(
        id=new_id(), document=document.id, document_sha256=document.sha256,
        start=start, end=end, quote=document.text[start:end], prefix=prefix, suffix=suffix,
        label=label, reviewer=reviewer, note=note, sources=sources, created=stamp,
        modified=stamp, verdict=verdict, tags=tags,
    )
