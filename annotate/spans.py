"""Picking a span of a document from what the user typed, and making a new
annotation of it.  Pure: text and values in, values or SpanError out.
(Checks on the record's fields live in the rule book, rules.py.)
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Iterator, Sequence
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

# Occurrences listed when a quote is ambiguous; the rest are counted
# ("and 17,340 more"): 17,350 of them made a 1.8 MB message (issue 8, item 18).
SHOWN_OCCURRENCES = 10


@dataclass(frozen=True)
class Picked:
    """A span picked from what the user typed, and how it was found.

    ``note`` is set when the quote matched the text only after folding
    (NFC, typographic quotes and dashes, white space): one line for the
    user, saying what was folded and what the annotation quotes instead.
    """

    start: int
    end: int
    note: str | None = None


def pick(text: str, spec: SpanSpec, sentences: Sequence[Sentence] | None = None) -> Picked:
    """The span the user meant and how it was found, or a SpanError that says how to fix it."""
    note = None
    if isinstance(spec, QuoteSpan):
        start, end, note = _pick_quote(text, spec)
        says = ("the quote starts", "the quote ends")
    elif isinstance(spec, OffsetSpan):
        start, end = spec.start, spec.end
        if start < 0 or end < 0:
            raise SpanError(f"offsets must not be negative (got {start}..{end})")
        if start >= end:
            raise SpanError(f"--start {start} must be less than --end {end}")
        if end > len(text):
            raise SpanError(f"--end {end} is past the end of the document "
                            f"({len(text)} code points)")
        says = (f"--start {start} falls", f"--end {end} falls")
    else:
        assert sentences is not None
        if not 1 <= spec.number <= len(sentences):
            raise SpanError(f"no sentence {spec.number}: the document has "
                            f"{len(sentences)}; see 'annotate sentences DOC'")
        sentence = sentences[spec.number - 1]
        start, end = sentence.start, sentence.end
        says = (f"sentence {spec.number} starts", f"sentence {spec.number} ends")
    for offset in (start, end):
        if textindex.splits_line_ending(text, offset):
            raise SpanError(f"offset {offset} falls between the CR and LF of a line ending; "
                            "move it before the CR or after the LF")
    for offset, subject in zip((start, end), says, strict=True):
        if textindex.splits_grapheme(text, offset):
            raise SpanError(_splits_character(text, offset, subject, spec))
    if not text[start:end].strip():
        raise SpanError(f"the span {start}..{end} is empty or only white space; "
                        "pick a span with text in it")
    return Picked(start, end, note)


@dataclass(frozen=True)
class InSentence:
    """A quote typed within one sentence (`annotate review`'s "/"), as the
    QuoteSpan that picks exactly it in the whole document, and where it is."""

    spec: QuoteSpan
    start: int
    end: int
    note: str | None = None


def quote_in_sentence(text: str, sentence: Sentence, quote: str) -> InSentence:
    """The first place in ``sentence`` where ``quote`` stands (as typed, else
    after the foldings a --quote gets), as a QuoteSpan of the document text:
    the text found, and which of its occurrences in the whole document it is,
    so ``pick`` finds this one and no other.  SpanError if it is not there."""
    quote = quote.strip()
    if not quote:
        raise SpanError("no quote typed; type words of the sentence to mark only them")
    inside = text[sentence.start:sentence.end]
    at = inside.find(quote)
    note = None
    if at != -1:
        start, end = sentence.start + at, sentence.start + at + len(quote)
    else:
        folded = textindex.find_normalised(inside, quote)
        if not folded:
            raise SpanError(f"{_short(quote)!r} is not in this sentence; type words as they "
                            "stand in it (quotes, dashes and spacing may differ)")
        start, end = sentence.start + folded[0][0], sentence.start + folded[0][1]
        note = _normalised_note(text[start:end], quote)
    found = text[start:end]
    if textindex.count_exact(inside, found) > 1:
        note = " ".join(filter(None, (note, f"{_short(found)!r} occurs more than once in "
                                            "this sentence: the first is marked")))
    occurrence = next(n for n, at in enumerate(textindex.iter_exact(text, found), start=1)
                      if at == start)
    return InSentence(QuoteSpan(found, occurrence), start, end, note)


def pick_span(text: str, spec: SpanSpec, sentences: Sequence[Sentence] | None = None
              ) -> tuple[int, int]:
    """The (start, end) the user meant, or a SpanError that says how to fix it."""
    picked = pick(text, spec, sentences)
    return picked.start, picked.end


def _splits_character(text: str, offset: int, subject: str, spec: SpanSpec) -> str:
    """Why a span that cuts a grapheme cluster is refused, and the offsets
    around that character.

    Refused rather than widened: the record quotes exactly what the user
    pointed at, and half of "é" (e + U+0301) or of a flag is a mistake in
    what they typed or computed that they should see (issue 8, item 23).
    """
    first, last = textindex.grapheme_around(text, offset)
    line, column = textindex.position(text, first)
    cluster = text[first:last]
    points = " + ".join(f"U+{ord(c):04X}" for c in cluster)
    message = (f"{subject} inside the character {cluster!r} ({points}) at "
               f"{line}:{column}; a span may not split a character")
    if isinstance(spec, OffsetSpan):
        option = "--start" if offset == spec.start else "--end"
        message += f": use {option} {first} (before it) or {option} {last} (after it)"
    elif isinstance(spec, QuoteSpan):
        message += ": quote the whole character, or none of it"
    return message


def _pick_quote(text: str, spec: QuoteSpan) -> tuple[int, int, str | None]:
    quote = spec.quote
    if not quote.strip():
        raise SpanError("--quote is empty or only white space; give the exact text to mark")
    if text.find(quote) != -1:
        count = textindex.count_exact(text, quote)
        starts = textindex.iter_exact(text, quote)
        start, end = _choose(text, ((s, s + len(quote)) for s in starts), count,
                             spec.occurrence, "the quote occurs")
        return start, end, None
    matches = textindex.find_normalised(text, quote)
    if matches:
        start, end = _choose(text, iter(matches), len(matches), spec.occurrence,
                             "the quote is not in the document as typed, but after folding "
                             "Unicode normalisation, quotes, dashes and white space it occurs")
        return start, end, _normalised_note(text[start:end], quote)
    missing = f"quote not found in the document: {_short(quote)!r}"
    from annotate.anchoring.closest import fuzzy_candidates

    candidates = fuzzy_candidates(text, quote)
    if not candidates:
        raise SpanError(f"{missing}; check the spelling or use 'annotate sentences DOC' "
                        "and --sentence N")
    lines = [missing, "closest:" if len(candidates) > 1 else "closest one:"]
    lines.extend(f"  {c.line}:{c.column} {c.context!r} (similarity {c.score:.2f})"
                 for c in candidates)
    lines.append("copy the text as it is in the document, or use --start/--end")
    raise SpanError("\n".join(lines))


def _choose(text: str, spans: Iterator[tuple[int, int]], count: int, occurrence: int | None,
            occurs: str) -> tuple[int, int]:
    """The one span, or the one --occurrence names; else a SpanError listing
    the first SHOWN_OCCURRENCES, one a line."""
    if occurrence is not None:
        if not 1 <= occurrence <= count:
            raise SpanError(f"--occurrence {occurrence} is out of range: {occurs} "
                            f"{_times(count)}")
        return next(itertools.islice(spans, occurrence - 1, None))
    if count == 1:
        return next(spans)
    shown = list(itertools.islice(spans, SHOWN_OCCURRENCES))
    lines = [f"{occurs} {_times(count)}; pick one with --occurrence N (1 to {count}):"]
    lines.extend(f"  #{number} at {o.line}:{o.column} {_clip(o.context)}"
                 for number, o in enumerate(textindex.occurrences(text, shown), start=1))
    if count > len(shown):
        lines.append(f"  and {count - len(shown):,} more; or quote a few more words so "
                     "that the quote occurs once")
    raise SpanError("\n".join(lines))


def _normalised_note(found: str, quote: str) -> str:
    """One line saying which foldings made the quote match, and what is quoted."""
    needed = [name for name in textindex.FOLDINGS
              if textindex.fold(found, skip=name) != textindex.fold(quote, skip=name).strip()]
    what = " and ".join(needed) if needed else "Unicode normalisation"
    return (f"the quote matched only after folding {what}; the annotation quotes the "
            f"document as written: {_short(found)!r}")


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count:,} times"


def _clip(context: str, limit: int = 120) -> str:
    """A snippet short enough for one line, cut in the middle of the quote."""
    if len(context) <= limit:
        return context
    half = (limit - 1) // 2
    return context[:half] + "…" + context[-half:]


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
