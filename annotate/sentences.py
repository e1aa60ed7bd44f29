"""Numbered sentences of a document, for `annotate sentences` and `add --sentence`.

pysbd (a port of the Pragmatic Segmenter's rules) handles the abbreviations,
quotation marks and bullet lines of news text far better than a regex; on the
seed article it splits every sentence correctly.  We ask it only where
sentences *start* and draw the spans ourselves, because its own character
spans (``char_span=True``) search every sentence again from the start of
the text (quadratic: 3 s at 690 KB) and may overlap (``Stop! ! ! Go.``).

Bounded time and memory (issue 8, item 15): pysbd never joins two lines
into one sentence (it turns every line break into a boundary), so the text
is given to it in blocks of whole lines, cut at blank lines where it can be;
a single line longer than a window is segmented window by window, keeping
only the boundaries it saw with enough text after them.  Its abbreviation
pass re-ran one regex over a whole line per occurrence of an abbreviation
(quadratic in the line) and tried each of its 188 abbreviations on every
line; our ``Abbreviations`` subclass runs each substitution once per
spelling, only where the abbreviation and a "." stand, and looks only at
the abbreviations that start a word of the line, which gives pysbd's own
text (see its docstring; tests compare).  About 0.9 s of CPU per MB of
news text, on one line or in paragraphs.

Sentences are disjoint, in order, trimmed, and together hold every
character of the text except white space and list bullets.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any

from annotate.anchoring.textindex import LineIndex
from annotate.model import Sentence

# Bump when the boundaries for a text may change (cached ones are then
# recomputed: see store.document_sentences).
SEGMENTER_VERSION = 1

# Bullet characters that open a list item; they belong to the layout, not to
# the first sentence of the item.
_BULLETS = "•◦▪‣·*-–—"

# pysbd is given at most this many code points at once (whole lines, cut
# at blank lines first): its cost and memory per call stay bounded.
BLOCK = 32_768
# A single line longer than this is segmented window by window ...
WINDOW = 8_192
# ... and a boundary is kept only if pysbd saw this much text after it (an
# abbreviation cut by the window's end must not end a sentence).
GUARD = 512

_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
_SPACE = re.compile(r"\s")


def split_sentences(text: str) -> list[Sentence]:
    """Every sentence with its code-point span, trimmed of surrounding space and bullets."""
    return numbered(text, sentence_spans(text))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) of every sentence: in order, disjoint, non-empty, trimmed."""
    spans: list[tuple[int, int]] = []
    starts = _sentence_starts(text)
    previous = next(starts, None)
    if previous is None:
        return spans
    # Each sentence runs to the next one's start: whatever pysbd left
    # between two sentences stays with the first, so nothing is lost.
    for start in [*starts, len(text)]:
        begin, end = _trim(text, previous, start)
        if begin < end:
            spans.append((begin, end))
        previous = start
    return spans


def segmenter_key() -> str:
    """What the boundaries depend on besides the text: this module's rules and
    pysbd's version (a cache made by another is not used)."""
    import pysbd

    return f"{SEGMENTER_VERSION}/pysbd-{pysbd.__version__}"


def numbered(text: str, spans: Sequence[tuple[int, int]]) -> list[Sentence]:
    """Numbered sentences with line:column from spans (as sentence_spans gives them)."""
    index = LineIndex(text)
    return [Sentence(number, start, end, text[start:end], *index.position(start))
            for number, (start, end) in enumerate(spans, start=1)]


def spans_are_sound(text: str, spans: Sequence[Any]) -> bool:
    """True if spans could have come from sentence_spans(text): pairs of ints,
    in order, disjoint, non-empty, inside the text and trimmed.

    A cache is asked this before it is believed: a damaged one can then
    only cost a recomputation, never a wrong or crashing answer.
    """
    previous = 0
    for span in spans:
        if not (isinstance(span, (list, tuple)) and len(span) == 2):
            return False
        start, end = span
        if type(start) is not int or type(end) is not int:  # bool is an int too
            return False
        if not previous <= start < end <= len(text):
            return False
        if text[start].isspace() or text[end - 1].isspace():
            return False
        previous = end
    return True


# -- where sentences start -------------------------------------------------------


def _sentence_starts(text: str) -> Iterator[int]:
    """Offsets where pysbd starts a sentence, ascending, 0 first (if any text)."""
    if not text:
        return
    yield 0
    for lo, hi in _blocks(text):
        # Only a single line is ever longer than a block.
        found = _long_line_starts(text, lo, hi) if hi - lo > BLOCK else _segment(text, lo, hi)
        for start in found:
            if start > 0:
                yield start


def _blocks(text: str) -> Iterator[tuple[int, int]]:
    """Spans of whole lines, at most BLOCK long unless one line is longer.

    Cut at a blank line where there is one (a paragraph break: nothing of
    pysbd's looks across it), else at a line break; a line longer than
    BLOCK is a block of its own.
    """
    lo, size = 0, len(text)
    while lo < size:
        if size - lo <= BLOCK:
            yield lo, size
            return
        limit = lo + BLOCK
        blank = _last(_BLANK_LINE.finditer(text, lo + BLOCK // 2, limit))
        if blank is not None:
            cut = blank.end()
        else:
            newline = text.rfind("\n", lo, limit)
            if newline != -1:
                cut = newline + 1
            else:
                # A line longer than a block: it is one block, segmented in
                # windows by _sentence_starts.
                newline = text.find("\n", limit)
                cut = size if newline == -1 else newline + 1
        yield lo, cut
        lo = cut


def _long_line_starts(text: str, lo: int, hi: int) -> Iterator[int]:
    """Sentence starts in one line too long for a single pysbd call.

    Window by window: the boundaries pysbd found with at least GUARD code
    points after them are kept, and the next window starts at the last one
    kept, so the sentence it opens is segmented again with its whole text.
    A sentence longer than a window has no boundary inside it and is cut at
    white space (or, failing that, between two grapheme clusters): a
    hard cut, the only way to keep the cost of a 50 MB line bounded.
    """
    position = lo
    while hi - position > WINDOW:
        end = position + WINDOW
        starts = _segment(text, position, end)
        kept = [s for s in starts if s <= end - GUARD]
        if len(kept) > 1:
            yield from kept[:-1]
            position = kept[-1]
            continue
        later = [s for s in starts if s > position]
        yield position
        position = later[0] if later else _hard_cut(text, position, end)
    yield from _segment(text, position, hi)


def _hard_cut(text: str, lo: int, hi: int) -> int:
    """Where to cut text[lo:hi] when no sentence ends in it: after its last
    white space in the second half, else at a grapheme cluster boundary."""
    space = _last(_SPACE.finditer(text, (lo + hi) // 2, hi))
    if space is not None:
        return space.end()
    from annotate.anchoring.textindex import splits_grapheme

    # Back to a cluster boundary; a "cluster" of more than 64 code points
    # (stacked combining marks) is cut anyway: the window must move on.
    cut = hi
    while cut > lo + 1 and hi - cut < 64 and splits_grapheme(text, cut):
        cut -= 1
    return cut if not splits_grapheme(text, cut) else hi


def _last(matches: Iterator[re.Match[str]]) -> re.Match[str] | None:
    """The last of matches, if any."""
    last = deque(matches, maxlen=1)
    return last[0] if last else None


def _segment(text: str, lo: int, hi: int) -> list[int]:
    """Where pysbd's sentences of text[lo:hi] start: lo first, then ascending.

    pysbd returns the sentences as strings; each is looked for right after
    the previous one (a string pysbd changed is not found and its text
    stays with the sentence before, so nothing is lost or counted twice).
    """
    from pysbd.processor import Processor

    block = text[lo:hi]
    starts = [lo]
    cursor = 0
    for sentence in Processor(block, _english()).process() or ():
        if not sentence:
            continue
        # Between two sentences there is only white space and the odd mark
        # pysbd drops: look a little further than the sentence's length,
        # never across the text (a copy further on is another sentence).
        found = block.find(sentence, cursor, cursor + len(sentence) + 64)
        if found == -1:
            continue
        if lo + found > starts[-1]:
            starts.append(lo + found)
        cursor = found + len(sentence)
    return starts


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or
                           (text[start] in _BULLETS and start + 1 < end
                            and text[start + 1].isspace())):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# -- pysbd, with a linear abbreviation pass ----------------------------------------

_LANGUAGE: Any = None


def _english() -> Any:
    """pysbd's English rules with ``_Abbreviations`` as the abbreviation pass,
    through the hook pysbd gives each language (``AbbreviationReplacer``)."""
    global _LANGUAGE
    if _LANGUAGE is None:
        from pysbd.lang.english import English

        class FastEnglish(English):  # type: ignore[misc]
            AbbreviationReplacer = _abbreviations_class(English.AbbreviationReplacer)

        _LANGUAGE = FastEnglish
    return _LANGUAGE


def _abbreviations_class(base: Any) -> Any:
    """A subclass of pysbd's English abbreviation pass that applies each
    replacement once per spelling instead of once per occurrence."""

    class Abbreviations(base):  # type: ignore[misc]
        """pysbd's abbreviation pass, linear in the line.

        pysbd runs, for each occurrence of an abbreviation in a line, one
        regex substitution over the whole line (quadratic: 20 s on a 10 MB
        line).  Every substitution only turns a "." into "∯", where a
        pattern of plain look-arounds holds; a "." turned into "∯" can make
        no new place match (the look-arounds ask for ".", space, letters,
        digits or any character).  So a substitution run a second time, even
        after others, changes nothing, and running each distinct one once,
        in the order of its first occurrence, gives pysbd's exact text.

        It also skips, without a regex scan, the abbreviations of plain
        letters that start no word of the line (most of them on most
        lines), finds those that do with str.find in a lowered copy, and
        tries their substitution only where the abbreviation and a "."
        stand (``_replace_dots``) instead of scanning the line with it.
        Tests compare the result with pysbd's on the seed article, tricky
        lines and generated text.
        """

        def search_for_abbreviations_in_string(self, text: str) -> str:
            """pysbd's method, each distinct replacement applied once."""
            lowered = text.lower()
            # Where a plain abbreviation can match at all: at the start or
            # after white space, as " abbr" in this copy.  Letters that match
            # an ASCII one only when the case is ignored (İ ı ſ K) would hide
            # a match from it, so a line with one takes pysbd's own test.
            words = None if _IRREGULAR_CASE.search(text) else " " + _SPACE.sub(" ", lowered)
            prepositive = self.lang.Abbreviation.PREPOSITIVE_ABBREVIATIONS
            patterns = _abbreviation_patterns(self.lang)
            for index in _candidates(words, len(patterns)):
                stripped, plain, finder, next_word = patterns[index]
                if stripped not in lowered:
                    continue
                if plain and words is not None:
                    matches = _word_starts(text, words, stripped)
                else:
                    matches = finder.findall(text)
                if not matches:
                    continue
                # pysbd's pattern for the next word's first letter looks
                # behind for a literal "{abbr} " (it never matches in
                # practice; kept so that the result is pysbd's own).
                char_array = next_word.findall(text) if "{" in text else []
                done: set[str] = set()
                for number, match in enumerate(matches):
                    key = match.strip()
                    if key in done:
                        continue
                    char = char_array[number] if number < len(char_array) else ""
                    if str(char).isupper() and key.lower() not in prepositive:
                        continue  # pysbd leaves this occurrence alone
                    done.add(key)
                    text = self.scan_for_replacements(text, match, number, char_array)
            return text

        def scan_for_replacements(self, txt: str, am: str, ind: int,
                                  char_array: list[str]) -> str:
            """pysbd's method; for plain letters its substitution is tried
            only where the abbreviation and a "." stand (see _replace_dots)."""
            key = am.strip()
            if not (key.isalpha() and key.isascii()):
                return str(super().scan_for_replacements(txt, am, ind, char_array))
            char = char_array[ind] if ind < len(char_array) else ""
            lowered = key.lower()
            prepositive = lowered in self.lang.Abbreviation.PREPOSITIVE_ABBREVIATIONS
            if str(char).isupper() and not prepositive:
                return txt
            # pysbd's three patterns (abbreviation_replacer.py), by its own rules.
            if prepositive:
                pattern = r"(?<=\s{abbr})\.(?=(\s|:\d+))"
            elif lowered in self.lang.Abbreviation.NUMBER_ABBREVIATIONS:
                pattern = r"(?<=\s{abbr})\.(?=(\s\d|\s+\())"
            else:
                pattern = (r"(?<=\s{abbr})\.(?=((\.|\:|-|\?|,)|"
                           r"(\s([a-z]|I\s|I'm|I'll|\d|\())))")
            return _replace_dots(txt, key, re.compile(pattern.format(abbr=key)))

    return Abbreviations


def _replace_dots(txt: str, key: str, pattern: re.Pattern[str]) -> str:
    """What pysbd's ``re.sub(pattern, "∯", " " + txt)[1:]`` gives, for a
    pattern that matches one "." preceded by white space and key.

    Such a "." stands right after key, so only the places of key + "." are
    asked whether the pattern matches there (a look-behind sees the text
    before the position it is matched at); the substitution of the whole
    line pysbd ran is then one per occurrence of the abbreviation, not a
    scan of the line each time.
    """
    padded = " " + txt
    needle = key + "."
    dots = []
    at = padded.find(needle)
    while at != -1:
        if pattern.match(padded, at + len(key)):
            dots.append(at + len(key))
        at = padded.find(needle, at + 1)
    if not dots:
        return txt
    pieces: list[str] = []
    previous = 1
    for dot in dots:
        pieces += (padded[previous:dot], "∯")
        previous = dot + 1
    pieces.append(padded[previous:])
    return "".join(pieces)


def _word_starts(text: str, words: str, stripped: str) -> list[str]:
    """What pysbd's ``(?:^|\\s|\\r|\\n)abbr`` finds in text, ignoring case, for
    an abbreviation of plain ASCII letters, found in words (text lowered,
    white space as " ", a " " before it for ^) without a regex scan.

    An occurrence after a space is that white space character and the
    abbreviation; the one at the start has no space (the ^ branch).  Two
    occurrences cannot overlap: each begins with a space, the abbreviation
    has none.
    """
    found = []
    needle = " " + stripped
    at = words.find(needle)
    while at != -1:
        found.append(text[at - 1:at + len(stripped)] if at else text[:len(stripped)])
        at = words.find(needle, at + len(needle))
    return found


def _candidates(words: str | None, count: int) -> list[int]:
    """The abbreviations worth a look in a line, in pysbd's order: those
    that are not plain letters, and the plain ones whose first one or two
    letters start a word of it (all of them when words is None)."""
    if words is None:
        return list(range(count))
    firsts = {word[:2] for word in words.split()} | {word[:1] for word in words.split()}
    found = [i for first in firsts for i in _BY_FIRST_LETTERS.get(first, ())]
    return sorted(found + _NOT_PLAIN)


# The characters other than A-Z and a-z that re.IGNORECASE matches to one of them.
_IRREGULAR_CASE = re.compile("[\u0130\u0131\u017f\u212a]")
_Patterns = list[tuple[str, bool, re.Pattern[str], re.Pattern[str]]]
_PATTERNS: _Patterns = []
# Indices into _PATTERNS: plain abbreviations by their first two letters
# (or their one letter), and the others.
_BY_FIRST_LETTERS: dict[str, list[int]] = {}
_NOT_PLAIN: list[int] = []


def _abbreviation_patterns(lang: Any) -> _Patterns:
    """Each abbreviation, whether it is plain letters, and pysbd's two regexes
    for it, compiled once (pysbd builds them again for every line)."""
    if not _PATTERNS:
        for abbreviation in lang.Abbreviation.ABBREVIATIONS:
            stripped = abbreviation.strip()
            # pysbd does not escape it: "e.g" is a regex whose "." matches any character
            plain = stripped.isalpha() and stripped.isascii()
            if plain:
                _BY_FIRST_LETTERS.setdefault(stripped[:2], []).append(len(_PATTERNS))
            else:
                _NOT_PLAIN.append(len(_PATTERNS))
            _PATTERNS.append((
                stripped, plain,
                re.compile(rf"(?:^|\s|\r|\n){stripped}", re.IGNORECASE),
                re.compile(r"(?<={" + str(re.escape(stripped)) + "} ).{1}"),
            ))
    return _PATTERNS
