"""Importing annotations made elsewhere (issue 10, item 2): what every import
format produces, the registry of formats, and the shared step that turns
what a file says into records of this workspace.  Pure: texts and values
in, values out; ``annotate.api.interchange`` reads the files and writes.

An importer turns a file's bytes into ``Candidate`` items (a quote with its
context, a position hint, label, tags, note, sources, verdict, creator,
timestamps, which document) or ``Rejected`` ones (why this item cannot be
used).  It knows its format and nothing of the workspace.  The shared step
then, for every format alike:

1. resolves the document (``--document``, else the URI or name the item
   gives; api),
2. anchors the quote in the document as it is now (``anchor``): at the
   position hint if the quote is there (code points, or UTF-16 code units
   as JavaScript tools count, detected by checking); else the quote's
   exact occurrences, told apart by the prefix, suffix and hint; else the
   normalised ones (Unicode normalisation, typographic quotes, white
   space, as `add --quote` matches); else an approximate match scored as
   re-anchoring scores one (anchoring/quotes.py).  Nothing else: an item
   whose quote is not in the text is reported, never placed by offsets
   alone (except a format whose offsets are the span itself, e.g. brat);
3. picks the label (``choose_label``) and the reviewer (``choose_reviewer``),
4. builds the record and asks the rule book (``record_problems``).

How it all looks to a user, and the limits: docs/interchange.md.
"""

from __future__ import annotations

import bisect
import importlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from annotate.model import Annotation, Document, Project

if TYPE_CHECKING:
    from annotate.rules import Problem
from annotate.rules import clip

# Files above this size are refused before they are read: a Hypothesis
# search returns at most 200 annotations a page (a few hundred kB), and a
# W3C export of a large workspace stays far below.  A file is parsed whole
# in memory (about ten times its size as Python objects), so this bounds
# what a hostile or mistaken file (a 100 MB log) can cost.
MAX_IMPORT_BYTES = 32 * 1024 * 1024

# Quotes longer than this are looked for verbatim only (see SEARCH_BUDGET).
NORMALISED_QUOTE_LIMIT = 10_000
APPROXIMATE_QUOTE_LIMIT = 2_000
# The searches after the verbatim one cost time a hostile file could
# multiply by thousands of items: the normalised search compiles a pattern
# as long as the quote (about 20 microseconds a code point) and runs it
# over the text, the approximate one reads the whole text in Python (about a
# microsecond a code point, more for quotes over a thousand).  One import
# spends at most this many such microseconds (some 20 seconds), then reports
# the quotes still unmatched instead of searching on.
SEARCH_BUDGET = 20_000_000
# And never through a text longer than this (as reanchor's full scan).
APPROXIMATE_TEXT_LIMIT = 1_000_000


# -- what an importer produces -------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """One item of an import file, as the file states it.

    ``where`` names the item in messages (``rows[3]``, ``line 12``); the
    quote with its context is what anchors it (None: the format gave only
    offsets).  ``start``/``end`` are a position hint unless
    ``exact_position`` says they are the span itself (a format such as brat
    whose offsets are authoritative; they are still checked against the
    quote when there is one).  The document is ``document_id`` when the
    importer settled it (a format that needed the document's text, through
    ``Corpus``), else the one ``document_uri`` or ``document_name`` names.
    ``reviewer`` is the creator reduced to a name, or None (``creator`` is
    what the file said, for messages).
    ``source_id`` is the id the file gives the item (repeats are refused);
    ``annotation_id`` an id of ours, from our own export, kept when free.
    """

    where: str
    quote: str | None
    prefix: str = ""
    suffix: str = ""
    start: int | None = None
    end: int | None = None
    exact_position: bool = False
    label: str | None = None
    tags: tuple[str, ...] = ()
    note: str = ""
    sources: tuple[str, ...] = ()
    verdict: str | None = None
    reviewer: str | None = None
    creator: str | None = None
    created: str | None = None
    modified: str | None = None
    document_uri: str | None = None
    document_name: str | None = None
    document_id: str | None = None
    source_id: str | None = None
    annotation_id: str | None = None


@dataclass(frozen=True)
class Rejected:
    """An item (or the whole file, ``where`` = "the file") that cannot be imported, and why."""

    where: str
    reason: str


@dataclass(frozen=True)
class Parsed:
    """What an importer makes of one file: its items in order, and notes for
    the user that reject nothing (e.g. "this search result has more pages")."""

    items: tuple[Candidate | Rejected, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Corpus:
    """What an importer may ask of the workspace, for a format whose items
    only make sense against their document's text (brat: a .ann file's
    offsets and the lines of its .txt): the corpus' document ids, the
    document --document named (None without it), and a document's text
    (None if it cannot be read; the shared step then says why); and
    whether --reviewer names the reviewer (brat then need not say that the
    folder's name would)."""

    document_ids: tuple[str, ...]
    chosen: str | None
    read: Callable[[str], str | None]
    reviewer_given: bool = False


# An importer: the file's bytes, its path as the user gave it (brat matches
# the document by the file's stem, and may take the reviewer from its
# folder) and the corpus -> what it holds.
Importer = Callable[[bytes, str, Corpus], Parsed]


class LazyImporter:
    """An importer named by module and function, imported on first call, so
    that listing the formats (`annotate import --help`) loads none of them."""

    def __init__(self, module: str, function: str, summary: str) -> None:
        self.module = module
        self.function = function
        self.summary = summary  # one line for `annotate import --help`

    def __call__(self, data: bytes, path: str, corpus: Corpus) -> Parsed:
        """Run the importer."""
        load: Importer = getattr(importlib.import_module(self.module), self.function)
        return load(data, path, corpus)


# The formats `annotate import --format` offers; one line plugs in another.
IMPORTERS: Mapping[str, Importer] = MappingProxyType({
    "w3c": LazyImporter("annotate.interchange.w3c", "load",
                        "W3C Web Annotations: an annotation, page or collection, or an array "
                        "of them"),
    "hypothesis": LazyImporter("annotate.interchange.hypothesis", "load",
                               "Hypothesis' API search results or annotations, or its JSON-LD"),
    "brat": LazyImporter("annotate.interchange.brat", "load",
                         "brat standoff .ann files (the document: --document, else the "
                         "file's name; the reviewer: --reviewer, else its folder)"),
})


def parse_json(data: bytes) -> tuple[Any, Rejected | None]:
    """A whole file as strict JSON (annotate.jsonpos: no duplicate keys, no
    NaN, nesting at most 64 deep, valid UTF-8), or why not, at line:column."""
    from annotate import codes, jsonpos
    from annotate.anchoring.textindex import position

    text, problems = jsonpos.decode_utf8(data, limit=1)
    if not problems:
        parsed = jsonpos.parse_json_line(text)
        # A BOM is reported by the parser but harmless in a file from elsewhere.
        problems = [p for p in parsed.problems if p.offset != 0 or "U+FEFF" not in p.message]
        if parsed.parsed and not problems:
            return parsed.value, None
    if not problems:
        return None, Rejected("the file", "not valid JSON")
    if problems[0].code == codes.BLANK_LINE.code:
        return None, Rejected("the file", "not valid JSON: the file is empty")
    line, column = position(text, problems[0].offset)
    return None, Rejected("the file", f"{line}:{column}: {problems[0].message}")


# -- anchoring ----------------------------------------------------------------------------

How = Literal["position", "utf16", "exact", "normalised", "approximate"]


@dataclass(frozen=True)
class Anchored:
    """Where an item's quote stands in the current text, and how it was found."""

    start: int
    end: int
    how: How
    score: float = 1.0


class ScanBudget:
    """What is left of one import's SEARCH_BUDGET (estimated microseconds)."""

    def __init__(self, remaining: int = SEARCH_BUDGET) -> None:
        self.remaining = remaining

    def spend(self, cost: int) -> bool:
        """Take cost from the budget if it is there; False when it is not."""
        if cost > self.remaining:
            return False
        self.remaining -= cost
        return True


class Utf16Index:
    """Maps UTF-16 code unit offsets (JavaScript's string indices) of a text
    to code point offsets (ours); the two differ after each character
    outside the Basic Multilingual Plane, which JavaScript counts twice."""

    def __init__(self, text: str) -> None:
        self.length = len(text)
        # UTF-16 offset at which each astral character starts.
        self.unit_starts = [match.start() + n for n, match
                            in enumerate(re.finditer("[\U00010000-\U0010ffff]", text))]

    @property
    def differs(self) -> bool:
        """True when some offsets differ (the text has characters outside the BMP)."""
        return bool(self.unit_starts)

    def code_point(self, unit: int) -> int | None:
        """The code point offset of a UTF-16 offset; None inside a surrogate
        pair or past the end."""
        before = bisect.bisect_left(self.unit_starts, unit - 1)
        if before < len(self.unit_starts) and self.unit_starts[before] == unit - 1:
            return None  # between the two halves of a surrogate pair
        point = unit - before
        return point if 0 <= point <= self.length else None


def anchor(text: str, candidate: Candidate, utf16: Utf16Index, budget: ScanBudget
           ) -> Anchored | str:
    """Where the candidate's quote is in ``text``, or why it cannot be placed."""
    quote = candidate.quote
    start, end = candidate.start, candidate.end
    if quote is None:
        assert start is not None and end is not None  # the importer's contract
        if not 0 <= start < end <= len(text):
            return f"offsets {start}..{end} are outside the document (0..{len(text)})"
        return Anchored(start, end, "position")
    if start is not None and end is not None:
        if 0 <= start < end <= len(text) and text[start:end] == quote:
            return Anchored(start, end, "position")
        if utf16.differs:
            first, last = utf16.code_point(start), utf16.code_point(end)
            if first is not None and last is not None and text[first:last] == quote:
                return Anchored(first, last, "utf16")
        if candidate.exact_position:
            if not 0 <= start < end <= len(text):
                return f"offsets {start}..{end} are outside the document (0..{len(text)})"
            return (f"the document has “{clip(text[start:end], 60)}” at {start}..{end}, "
                    f"not the quote “{clip(quote, 60)}”")
    hint = start
    found = _exact(text, candidate, hint)
    if found is None:
        found = _normalised(text, candidate, hint, budget)
    if found is None:
        found = _approximate(text, candidate, hint, budget)
    return found if found is not None else (
        f"the quote “{clip(quote, 60)}” is not in the document (not verbatim, not after "
        "folding quotes, dashes and white space, and nothing close enough)")


def _exact(text: str, candidate: Candidate, hint: int | None) -> Anchored | str | None:
    from annotate.anchoring.quotes import nearest_occurrences

    quote = candidate.quote
    assert quote is not None
    if text.find(quote) == -1:
        return None
    starts = nearest_occurrences(text, quote, hint or 0)
    return _choose(text, candidate, [(s, s + len(quote)) for s in starts], hint, "exact")


def _normalised(text: str, candidate: Candidate, hint: int | None, budget: ScanBudget
                ) -> Anchored | str | None:
    from annotate.anchoring.textindex import find_normalised

    quote = candidate.quote
    assert quote is not None
    if len(quote) > NORMALISED_QUOTE_LIMIT:
        return None
    if not budget.spend(20 * len(quote) + len(text) // 100):
        return _SPENT
    spans = find_normalised(text, quote)
    if not spans:
        return None
    return _choose(text, candidate, spans, hint, "normalised")


_SPENT = ("the quote is not in the document verbatim, and this import has spent its time "
          "for searching further; import fewer annotations at a time")


def _approximate(text: str, candidate: Candidate, hint: int | None, budget: ScanBudget
                 ) -> Anchored | str | None:
    from annotate.anchoring.quotes import (
        DEFAULT_MIN_SCORE,
        approx_search,
        max_quote_errors,
        measure,
    )

    quote = candidate.quote
    assert quote is not None
    length = len(quote)
    errors = max_quote_errors(length)
    if errors == 0 or length > APPROXIMATE_QUOTE_LIMIT or len(text) > APPROXIMATE_TEXT_LIMIT:
        return None
    if not budget.spend(len(text) * max(1, length // 1000)):
        return _SPENT
    matches = []
    for first, last, _ in approx_search(text, quote, errors):
        match = measure(text, first, last, quote, candidate.prefix, candidate.suffix,
                        first if hint is None else hint)
        if match.acceptable(length, DEFAULT_MIN_SCORE):
            matches.append(match)
    if not matches:
        return None
    matches.sort(key=lambda m: -m.score)
    if len(matches) > 1 and matches[1].score >= matches[0].score - 1e-9:
        return (f"the quote is not in the document verbatim and {len(matches)} passages "
                "match it equally well; fix the quote or add context")
    best = matches[0]
    return Anchored(best.start, best.end, "approximate", round(best.score, 4))


def _choose(text: str, candidate: Candidate, spans: Sequence[tuple[int, int]],
            hint: int | None, how: How) -> Anchored | str:
    """The one span, or the one whose prefix and suffix (and, as a last
    resort, distance to the hint) make it the best; a tie is reported."""
    from annotate.anchoring.quotes import measure

    if len(spans) == 1:
        return Anchored(spans[0][0], spans[0][1], how)
    quote = candidate.quote
    assert quote is not None
    scored = sorted(((measure(text, first, last, quote, candidate.prefix, candidate.suffix,
                              first if hint is None else hint).score, first, last)
                     for first, last in spans), key=lambda item: -item[0])
    if scored[1][0] >= scored[0][0] - 1e-9:
        count = len(spans)
        return (f"the quote occurs {count if count < 200 else 'at least 200'} times and "
                "neither its prefix and suffix nor a position tell which is meant")
    return Anchored(scored[0][1], scored[0][2], how)


# -- label, reviewer, time ----------------------------------------------------------------


def choose_label(candidate: Candidate, project: Project, fallback: str | None
                 ) -> tuple[str, tuple[str, ...]] | str:
    """(label, the remaining tags), or why there is none.

    The label the format states (a W3C classifying body), matched
    case-insensitively to the taxonomy; else the one tag that names a label
    (case-insensitive; several are refused); else ``fallback`` (--label).
    """
    by_fold = {name.casefold(): name for name in project.label_names}
    tags = tuple(dict.fromkeys(t.strip() for t in candidate.tags if t.strip()))
    if candidate.label is not None:
        label = candidate.label
        return (label if label in project.label_names
                else by_fold.get(label.casefold(), label)), tags
    named = [tag for tag in tags if tag.casefold() in by_fold]
    labels = list(dict.fromkeys(by_fold[tag.casefold()] for tag in named))
    if len(labels) > 1:
        return (f"its tags name {len(labels)} labels ({', '.join(labels)}); an annotation "
                "has one label: keep one of these tags")
    if labels:
        return labels[0], tuple(tag for tag in tags if tag not in named)
    if fallback is not None:
        return fallback, tags
    return ("no label: nothing names one of the labels "
            f"({', '.join(project.label_names)}); pass --label LABEL for such annotations")


def choose_reviewer(candidate: Candidate, override: str | None) -> str | tuple[str, str]:
    """The reviewer: ``override`` (--reviewer), else the item's creator.
    Returns (name, "") when taken from the creator, so messages can say so;
    a plain str is a reason for refusing the item."""
    if override is not None:
        return override, ""
    if candidate.reviewer is None:
        said = (f"its creator {candidate.creator!r} is not a name annotate can use"
                if candidate.creator else "it names no creator")
        return f"no reviewer: {said}; pass --reviewer NAME"
    return candidate.reviewer, "creator"


_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})")


def utc_timestamp(value: str) -> str | None:
    """An RFC 3339 / xsd:dateTime with a zone as RFC 3339 in UTC ("...Z", the
    fraction kept), as records store them; None if it is not one."""
    match = _TIMESTAMP.fullmatch(value)
    if match is None:
        return None
    year, month, day, hour, minute, second = map(int, match.group(1, 2, 3, 4, 5, 6))
    fraction, zone = match.group(7) or "", match.group(8)
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)
    except ValueError:
        return None
    if zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        if hours > 23 or minutes > 59:
            return None
        try:
            moment -= sign * timedelta(hours=hours, minutes=minutes)
        except OverflowError:
            return None
    if not 1 <= moment.year <= 9999:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


def timestamps(candidate: Candidate, now: str) -> tuple[str, str] | str:
    """(created, modified) in UTC; a missing one is the other, both missing: now."""
    stamps: list[str | None] = []
    for name, value in (("created", candidate.created), ("modified", candidate.modified)):
        if value is None:
            stamps.append(None)
            continue
        stamp = utc_timestamp(value)
        if stamp is None:
            return f"{name} {value[:60]!r} is not a date and time with a zone (RFC 3339)"
        stamps.append(stamp)
    created, modified = stamps
    created = created or modified or now
    return created, modified or created


# -- building the record ----------------------------------------------------------------


def build(candidate: Candidate, document: Document, anchored: Anchored, *, label: str,
          tags: tuple[str, ...], reviewer: str, created: str, modified: str,
          annotation_id: str) -> Annotation:
    """The record of an anchored candidate: the quote and context are the
    document's own text there (an approximate match keeps the imported quote
    as previous_quote, as re-anchoring does)."""
    from annotate.anchoring.textindex import context

    text = document.text
    start, end = anchored.start, anchored.end
    prefix, suffix = context(text, start, end)
    quote = text[start:end]
    previous = (candidate.quote if anchored.how == "approximate" and candidate.quote != quote
                else None)
    return Annotation(
        id=annotation_id, document=document.id, document_sha256=document.sha256,
        start=start, end=end, quote=quote, prefix=prefix, suffix=suffix, label=label,
        reviewer=reviewer, note=candidate.note,
        sources=tuple(dict.fromkeys(candidate.sources)), created=created, modified=modified,
        verdict=candidate.verdict, tags=tags, previous_quote=previous)


def record_problems(annotation: Annotation, project: Project, text: str) -> list[str]:
    """What the rule book says against the record (its errors), and a span
    that splits a character or is only white space, which `add` refuses too."""
    from annotate import codes, rules

    record = dict(annotation.to_record())
    found = [_for_import(p) for p in rules.record_problems(record, project) if p.is_error]
    if found:
        return found
    for problem in rules.span_problems(text, record):
        if problem.is_error or problem.rule is codes.SPLITS_CHARACTER:
            found.append(problem.message.split("; move it")[0])
    if not found and not annotation.quote.strip():
        found.append("the span is only white space")
    return found


def _for_import(problem: Problem) -> str:
    """The rule book's message, with a fix that fits an import: the record
    does not exist yet, so `annotate edit ID` (which add's message offers)
    cannot help."""
    from annotate import codes

    if problem.rule is codes.MISSING_SOURCE:
        return (problem.message.split("; add one")[0] + "; link a source in the annotation, "
                "or import it with another label (--label)")
    return problem.message


def reviewer_problems(name: str) -> list[str]:
    """Why a reviewer name cannot be stored (the annotation schema's rule, asked
    through the rule book on a record that is otherwise valid)."""
    from annotate import rules

    probe = {"id": "probe", "document": "probe.txt", "document_sha256": "0" * 64,
             "start": 0, "end": 1, "quote": "x", "prefix": "", "suffix": "", "label": "x",
             "reviewer": name, "note": "", "sources": [],
             "created": "2000-01-01T00:00:00Z", "modified": "2000-01-01T00:00:00Z"}
    if name == "consensus":
        probe["provenance"] = {"position": "p0-1", "method": "union", "supporters": []}
    return [p.message for p in rules.schema_problems("annotation", probe)
            if p.path[:1] == ("reviewer",)]


def identity_key(annotation: Annotation) -> tuple[str, str, int, int, str]:
    """What makes an imported item the same as an annotation already there:
    the reviewer's same span with the same label on the same document (the
    rule `add` applies)."""
    return (annotation.document, annotation.reviewer, annotation.start, annotation.end,
            annotation.label)


def repeated_ids(items: Iterable[Candidate | Rejected]) -> dict[int, str]:
    """Items whose source_id an earlier item of the same file has: index ->
    where the first one is."""
    first: dict[str, str] = {}
    repeats: dict[int, str] = {}
    for index, item in enumerate(items):
        if isinstance(item, Candidate) and item.source_id is not None:
            if item.source_id in first:
                repeats[index] = first[item.source_id]
            else:
                first[item.source_id] = item.where
    return repeats
