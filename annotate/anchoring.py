"""Where spans stand in a text: positions, context, quote search, and
re-anchoring annotations after the text was edited.

Pure functions over ``str``; offsets are code points, end exclusive.  How
re-anchoring works, its outcomes and its thresholds: docs/reanchoring.md.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from diff_match_patch import diff_match_patch

from annotate.model import CONTEXT_LENGTH, Annotation, Occurrence

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
        line = bisect.bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def offset(self, line: int, column: int) -> int:
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


# --- Re-anchoring: outcomes and thresholds ----------------------------------
#
# One deterministic diff of the old text against the new one, every offset
# mapped through it in one sorted sweep, and a search only for the spans the
# diff touched; without the old text, a Hypothesis-style search of quote,
# prefix, suffix and position in the new text.

Outcome = Literal["exact", "fuzzy", "orphaned"]

DEFAULT_MIN_SCORE = 0.6
"""The lowest match score (``match_score``) accepted for a quote of 32 code
points or more; shorter quotes need more (``required_score``).

Why 0.6: the score weighs the quote 50, the prefix 20, the suffix 20 and the
position 2 (Hypothesis' weights).  A verbatim quote at the right place whose
prefix and suffix share nothing with the stored ones scores 52/92 = 0.57, so
a long quote found word for word passes as soon as its surroundings are a
little alike, while an edited quote (similarity 0.75 to 0.95) needs much of
its context to agree: an edit *and* new surroundings are more likely another
passage than the same one.
"""

# Hypothesis' weights (client: src/annotator/anchoring/match-quote.ts): the
# quote dominates, prefix and suffix tell repeated passages apart, the
# position only breaks ties.
QUOTE_WEIGHT = 50.0
PREFIX_WEIGHT = 20.0
SUFFIX_WEIGHT = 20.0
POSITION_WEIGHT = 2.0

# At most a quarter of a quote's code points may be edited for the
# annotation to follow it: a reviewer's label on a claim still fits the claim
# with a typo fixed or a name respelled ("Kim Jong Un" -> "Kim Jong-un"),
# not one rewritten by half.
LOOSE_QUOTE_SIMILARITY = 0.75
# Shorter quotes must keep more, rising to a verbatim match below 8 code
# points (at most 1 edit for 8-10, 2 for 11): one edit in "Putin" is a fifth
# of it and usually makes another word ("Putins", "Purin").
SHORT_QUOTE = 12
VERBATIM_QUOTE = 4
# Below this length the score needed rises too (more context must agree): a
# short string turns up by chance, its surroundings say which one is meant
# (see required_score).
LONG_QUOTE = 32

# How far from where the diff or the stored offsets put a quote the
# location-bound search (match_main) looks: a few paragraphs either side.
SEARCH_RADIUS = 4096
# Without the old text, a quote found neither verbatim nor near its stored
# offsets is searched through the whole text only up to this size: that scan
# costs about a second per million code points in Python.
FULL_SCAN_LIMIT = 1_000_000
# The search for an edited copy of a removed span (moved, then edited) reads
# at most this much of the inserted text that passes the trigram filter, per
# span and per call (a few seconds of scanning at most even where the diff
# degraded and every span must be searched for; later spans then get only
# the verbatim searches, which are cheap).
RELOCATE_SCAN_LIMIT = 50_000
RELOCATE_TOTAL_LIMIT = 1_000_000
# A span moved with at least this much of the text around it (on one side)
# is the same passage, whatever its stored prefix and suffix say.
MOVED_CONTEXT = 8
# Verbatim occurrences examined per quote, nearest first: a short quote can
# occur thousands of times in a large text, and the stored context decides
# between the nearest ones at 30-80 microseconds each.
OCCURRENCE_LIMIT = 200

# Work limits of the diff.  Budgets counted in steps replace diff-match-patch's
# clock (Diff_Timeout), so the same texts give the same diff on any machine.
# Myers' algorithm costs about (n + m) * d steps for d edits (some ten
# million a second in Python).  Anchoring first keeps real edits far below
# the cap: the 1 MB benchmark text with 10,000 edits, 40% of it rewritten,
# spends 7 million of its 120; only texts with nothing in common reach it.
MYERS_MAX_SYMBOLS = 2_000  # one Myers call: ~0.3 s at worst (unrelated texts)
# Changed text is diffed character by character up to this size (both sides
# together; Myers costs at most ~20 ms on it): that finds a fixed typo, a
# respelled name, an insertion that split a word.  Bigger changed lines are
# aligned word by word first (cheaper, and where shared letters are chance);
# a run of changed words still longer than this is a rewritten passage and
# stays one replacement.
CHAR_DIFF_MAX = 512
# A character diff sharing less than this fraction of the shorter side is
# chance and is taken as one replacement: unrelated sentences share about 0.4
# of their letters (0.6 at the 99th percentile, measured on the seed
# article); a fixed typo or an insertion shares 0.8 to 1.
CHAR_MATCH_RATIO = 2 / 3
# Equalities the semantic cleanup may fold into the edits around them: chance
# ones are a space, an article, a few shared letters.
CLEANUP_MAX_EQUALITY = 8
# A gap without unique tokens is handed to Myers directly up to this size;
# a bigger one first tries runs of tokens as anchors (cheaper than Myers on a
# gap with many edits in it).
MYERS_CHEAP_SYMBOLS = 200
# Where no single line or word is unique in both texts, runs of this many
# tokens (about four words and the spaces between them) anchor the diff.
ANCHOR_RUN = 8
DIFF_WORK_BASE = 20_000_000  # Myers steps allowed per diff ...
DIFF_WORK_PER_CHAR = 50  # ... plus this many per code point of the two texts


@dataclass(frozen=True)
class Reanchored:
    annotation: Annotation  # the updated record
    outcome: Outcome
    score: float  # 1.0 exact; the match score if fuzzy; the best seen (or 0.0) if orphaned


def min_quote_similarity(length: int) -> float:
    """The similarity (1 - edits / length) a quote of that length must keep."""
    if length >= SHORT_QUOTE:
        return LOOSE_QUOTE_SIMILARITY
    if length <= VERBATIM_QUOTE:
        return 1.0
    missing = (SHORT_QUOTE - length) / (SHORT_QUOTE - VERBATIM_QUOTE)
    return LOOSE_QUOTE_SIMILARITY + (1 - LOOSE_QUOTE_SIMILARITY) * missing


def max_quote_errors(length: int) -> int:
    """The most edits a quote of that length may have and still be followed."""
    return int(length * (1 - min_quote_similarity(length)) + 1e-9)


def required_score(length: int, min_score: float = DEFAULT_MIN_SCORE) -> float:
    """The match score a quote of that length needs: min_score from 32 code
    points up, for shorter ones up to three quarters of the way to 1.0.

    With the default, "Kim" needs 0.87: its prefix or suffix intact and the
    other half there; another "Kim" elsewhere in the article, with unrelated
    surroundings, scores about 0.75 and is not taken for it."""
    shortfall = max(0, LONG_QUOTE - length) / LONG_QUOTE
    return min_score + (1 - min_score) * 0.75 * shortfall


def match_score(similarity: float, prefix_score: float, suffix_score: float,
                position_score: float) -> float:
    """Hypothesis' weighted score of a candidate place, in [0, 1]."""
    total = QUOTE_WEIGHT + PREFIX_WEIGHT + SUFFIX_WEIGHT + POSITION_WEIGHT
    return (QUOTE_WEIGHT * similarity + PREFIX_WEIGHT * prefix_score
            + SUFFIX_WEIGHT * suffix_score + POSITION_WEIGHT * position_score) / total


# --- Approximate matching ----------------------------------------------------
#
# match_main returns only a start and folds the distance from the expected
# place into its error score, so the boundaries and the edit count of a
# candidate come from Myers' bit-parallel edit distance (Hyyrö's formulation;
# the algorithm of approx-string-match, which Hypothesis uses).  Python's
# unbounded ints make one pass enough for a pattern of any length: no 32-bit
# limit as in match_main's bitap.

def edit_distances(pattern: str, text: str, anchored: bool = False) -> list[int]:
    """Item j: the fewest edits turning pattern into text[i:j + 1], for the
    best i (anchored: i = 0)."""
    m = len(pattern)
    if m == 0:
        return [j + 1 if anchored else 0 for j in range(len(text))]
    peq: dict[str, int] = {}
    for i, char in enumerate(pattern):
        peq[char] = peq.get(char, 0) | (1 << i)
    mask = (1 << m) - 1
    high = 1 << (m - 1)
    carry = 1 if anchored else 0  # anchored: the top row grows by one per step
    pv, mv, score = mask, 0, m
    rows: list[int] = []
    append = rows.append
    get = peq.get
    for char in text:
        eq = get(char, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & mask)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = (ph << 1) | carry
        mh <<= 1
        pv = (mh | ~(xv | ph)) & mask
        mv = ph & xv
        append(score)
    return rows


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions."""
    if a == b:
        return 0
    if not a or not b:
        return len(a) + len(b)
    if len(a) < len(b):
        a, b = b, a  # the loop runs over the shorter string
    return edit_distances(a, b, anchored=True)[-1]


def approx_search(text: str, pattern: str, max_errors: int, lo: int = 0,
                  hi: int | None = None) -> list[tuple[int, int, int]]:
    """Places of pattern in text[lo:hi] with at most max_errors edits, as
    (start, end, edits): the best end of each run of acceptable ends."""
    hi = len(text) if hi is None else hi
    rows = edit_distances(pattern, text[lo:hi])
    found: list[tuple[int, int, int]] = []
    j, count = 0, len(rows)
    while j < count:
        if rows[j] > max_errors:
            j += 1
            continue
        best = j
        while j < count and rows[j] <= max_errors:
            if rows[j] < rows[best]:
                best = j
            j += 1
        end = lo + best + 1
        start = _best_start(text, pattern, end, rows[best], lo, end - len(pattern))
        if start is not None and start < end:
            found.append((start, end, rows[best]))
    return found


def _best_start(text: str, pattern: str, end: int, errors: int, lo: int,
                expect: int) -> int | None:
    """Where the best alignment of pattern ending at end starts (nearest expect)."""
    first = max(lo, end - len(pattern) - errors)
    backward = edit_distances(pattern[::-1], text[first:end][::-1], anchored=True)
    starts = [end - i - 1 for i, value in enumerate(backward) if value == errors]
    if not starts:
        return None
    return min(starts, key=lambda s: (abs(s - expect), s))


def _align(text: str, quote: str, lo: int, hi: int, expect_start: int,
           expect_end: int) -> tuple[int, int] | None:
    """The substring of text[lo:hi] nearest to quote in edits; among equally
    near ones the closest to the expected boundaries, the wider on a tie, so
    that an edited first or last character stays inside the span."""
    lo, hi = max(0, lo), min(len(text), hi)
    if lo >= hi or not quote:
        return None
    rows = edit_distances(quote, text[lo:hi])
    best = min(rows)
    if best >= len(quote):
        return None
    end = min((lo + j + 1 for j, value in enumerate(rows) if value == best),
              key=lambda e: (abs(e - expect_end), -e))
    start = _best_start(text, quote, end, best, lo, expect_start)
    if start is None or start >= end:
        return None
    return start, end


def _aligned_end(text: str, quote: str, start: int, limit: int, expect: int) -> int:
    """The end that makes text[start:end] nearest to quote (ties: nearest to
    expect, then the wider), for a start the diff kept."""
    rows = edit_distances(quote, text[start:min(len(text), limit)], anchored=True)
    if not rows:
        return start
    best = min(rows)
    return min((start + j + 1 for j, value in enumerate(rows) if value == best),
               key=lambda e: (abs(e - expect), -e))


def _aligned_start(text: str, quote: str, limit: int, end: int, expect: int) -> int:
    """The start that makes text[start:end] nearest to quote, for a kept end."""
    first = max(0, limit)
    rows = edit_distances(quote[::-1], text[first:end][::-1], anchored=True)
    if not rows:
        return end
    best = min(rows)
    return min((end - j - 1 for j, value in enumerate(rows) if value == best),
               key=lambda s: (abs(s - expect), s))


def _context_score(stored: str, actual: str) -> float:
    """How much of a stored prefix or suffix the text beside a candidate has
    (Hypothesis: 1 - edits of the best match of stored in actual / length)."""
    if not stored or actual == stored:
        return 1.0
    if not actual:
        return 0.0
    return max(0.0, 1.0 - min(edit_distances(stored, actual)) / len(stored))


def _prefix_at(text: str, at: int, prefix: str) -> bool:
    """Whether the stored prefix stands intact right before at.  One shorter
    than CONTEXT_LENGTH began at the text's start, so it must again."""
    return (at >= len(prefix) and text[at - len(prefix):at] == prefix
            and (len(prefix) == CONTEXT_LENGTH or at == len(prefix)))


def _suffix_at(text: str, at: int, suffix: str) -> bool:
    """Whether the stored suffix stands intact right after at (a short one
    ended at the text's end)."""
    return (text[at:at + len(suffix)] == suffix
            and (len(suffix) == CONTEXT_LENGTH or at + len(suffix) == len(text)))


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """A boundary between the CR and LF of a pair takes the whole pair in."""
    if splits_line_ending(text, start):
        start -= 1
    if splits_line_ending(text, end):
        end += 1
    return start, end


@dataclass(frozen=True)
class _Match:
    """A candidate place for a quote, scored."""

    start: int
    end: int
    similarity: float
    score: float
    exact: bool
    context_intact: bool  # prefix and suffix both as stored, right beside it

    def acceptable(self, length: int, min_score: float) -> bool:
        return (self.similarity >= min_quote_similarity(length)
                and self.score >= required_score(length, min_score))

    def beats(self, other: _Match | None) -> bool:
        return other is None or (self.score, self.exact) > (other.score, other.exact)


def _measure(text: str, start: int, end: int, quote: str, prefix: str, suffix: str,
             hint: int) -> _Match:
    """Score text[start:end] as the new place of quote (CRLF pairs kept whole)."""
    start, end = _widen(text, start, end)
    found = text[start:end]
    exact = found == quote
    errors = 0 if exact else edit_distance(quote, found)
    similarity = max(0.0, 1.0 - errors / len(quote)) if quote else 0.0
    prefix_score = _context_score(prefix, text[max(0, start - len(prefix)):start])
    suffix_score = _context_score(suffix, text[end:end + len(suffix)])
    position = 1.0 - min(1.0, abs(start - hint) / max(1, len(text)))
    score = match_score(similarity, prefix_score, suffix_score, position)
    return _Match(start, end, similarity, score, exact,
                  _prefix_at(text, start, prefix) and _suffix_at(text, end, suffix))


def _occurrences(text: str, needle: str, hint: int,
                 limit: int = OCCURRENCE_LIMIT) -> list[int]:
    """Starts of needle in text, nearest to hint first (at most limit)."""
    found: list[int] = []
    if not needle:
        return found
    hint = min(max(0, hint), len(text))
    right = text.find(needle, hint)
    left = text.rfind(needle, 0, hint + len(needle) - 1)
    while len(found) < limit and (right != -1 or left != -1):
        if left == -1 or (right != -1 and right - hint <= hint - left):
            found.append(right)
            right = text.find(needle, right + 1)
        else:
            found.append(left)
            left = text.rfind(needle, 0, left + len(needle) - 1) if left else -1
    return found


def _matcher(window: int) -> diff_match_patch:
    matcher = diff_match_patch()
    # match_main scores errors / length + distance / Match_Distance.  With the
    # distance scale a hundred times the window searched, being anywhere in
    # it costs at most 0.01: location only breaks ties between equally good
    # matches, and the window (SEARCH_RADIUS) is what bounds the distance.
    matcher.Match_Distance = 100 * max(1, window)
    # Up to half of the (at most 32-character) pattern may be edited: this
    # only proposes a place; the similarity cap for the whole quote decides.
    matcher.Match_Threshold = 0.51
    return matcher


def _locate(text: str, quote: str, lo: int, hi: int, hint: int) -> list[tuple[int, int]]:
    """Places for an edited version of quote in text[lo:hi] near hint.

    match_main says where (the quote, or for one longer than its 32-bit
    bitap the head and the tail); the aligner says where it begins and ends
    and counts the edits.  Verbatim copies of the quote are hidden from
    match_main (the caller scores them on their own): any exact match lowers
    its threshold to distance / Match_Distance, so a copy of "Kim Jong Un" a
    paragraph away would beat the "Kim Jong-un" a copy-edit left in place.
    """
    lo, hi = max(0, lo), min(len(text), hi)
    if lo >= hi or not quote:
        return []
    length = len(quote)
    slack = max_quote_errors(length) + 2
    window = text[lo:hi]
    filler = next(chr(code) for code in range(0xE000, 0xF900) if chr(code) not in quote)
    copies = find_exact(window, quote)
    if copies:
        chars = list(window)
        for at in copies:
            chars[at:at + length] = filler * length
        window = "".join(chars)
    matcher = _matcher(len(window))
    bits = matcher.Match_MaxBits
    pieces = [(quote, 0)] if length <= bits else [(quote[:bits], 0),
                                                   (quote[-bits:], length - bits)]
    found: list[tuple[int, int]] = []
    for piece, offset in pieces:
        at = matcher.match_main(window, piece, min(max(0, hint - lo + offset), len(window)))
        if at < 0:
            continue
        guess = lo + at - offset
        place = _align(text, quote, guess - slack, guess + length + slack, guess,
                       guess + length)
        if place is not None and place not in found:
            found.append(place)
    return found


# --- The diff ----------------------------------------------------------------
#
# Lines first (diff_linesToChars-style: one symbol per distinct line), then
# the changed lines word by word, then the changed words character by
# character with diff_main, as diff-match-patch's own line mode does, with
# changes that keep it fast, deterministic and faithful on large texts:
#
# - unique lines and words anchor the alignment (patience diff, the chain
#   covering the most text), so Myers' O(nd) runs only on small gaps: time
#   grows with the text and the edits, not with their product;
# - lines are aligned by anchors only, words by anchors, then runs of 8
#   tokens, then Myers for mid-sized gaps; gaps small enough go to the exact
#   character diff, whose result is kept only if it shares enough (else the
#   shared letters are chance and the gap is one replacement);
# - work budgets counted in steps replace Diff_Timeout; a word-level block
#   no alignment was affordable for stays whole and is marked coarse: the
#   diff is degraded there, and its spans are searched for, not mapped.
#
# The result is the exact diff (raw hunks, for mapping offsets) plus a
# folded view (_cleanup) that says what was removed rather than kept by
# chance.

Hunk = tuple[int, int, int, int, bool]  # old start, old end, new start, new end, coarse

_LINES, _WORDS, _CHARS = 0, 1, 2
# Combining marks (Latin, Cyrillic, Hebrew, Arabic, Devanagari, the
# supplements), zero-width joiners, variation selectors and emoji skin tones
# belong to the character before them: a word token keeps them, so that no
# alignment puts a boundary between "l" and the accent of "ĺ".
_MARKS = ("\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5"
          "\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4"
          "\u06e7\u06e8\u06ea-\u06ed\u0900-\u0903\u093a-\u094f\u0951-\u0957"
          "\u0962\u0963\u1ab0-\u1aff\u1dc0-\u1dff\u200c\u200d\u20d0-\u20ff"
          "\ufe00-\ufe0f\ufe20-\ufe2f\U0001f3fb-\U0001f3ff\U000e0100-\U000e01ef")
_WORD_TOKEN = re.compile(  # words, white space, other runs; every character in one
    f"[{_MARKS}]*\\w[\\w{_MARKS}]*|\\s+|(?:[^\\w\\s{_MARKS}][{_MARKS}]*)+|[{_MARKS}]+")
_WORD_CHAR = re.compile(r"\w")
_MAX_SYMBOLS = 0x10FFFF  # one code point per distinct token


def _dmp() -> diff_match_patch:
    dmp = diff_match_patch()
    # Never the clock: with a timeout, diff_main returns whatever it has when
    # time runs out, so the diff (and every outcome) would depend on the
    # machine's speed.  The budgets of _Differ bound the work instead.
    dmp.Diff_Timeout = 0
    return dmp


def _line_starts(text: str, lo: int, hi: int) -> list[int]:
    # A line's text and its line break are separate tokens: a paragraph
    # moved to the end of the text loses its "\n" and must still match.
    starts: list[int] = []
    at = lo
    while at < hi:
        cut = text.find("\n", at, hi)
        if cut == -1:
            starts.append(at)
            break
        content_end = cut - 1 if cut > at and text[cut - 1] == "\r" else cut
        if content_end > at:
            starts.append(at)
        starts.append(content_end)
        at = cut + 1
    starts.append(hi)
    return starts


def _word_starts(text: str, lo: int, hi: int) -> list[int]:
    # Words, runs of white space and runs of other characters: a re-wrapped
    # paragraph keeps all its words, and "\r\n" is never split.
    starts = [match.start() for match in _WORD_TOKEN.finditer(text, lo, hi)]
    starts.append(hi)
    return starts


@dataclass(frozen=True)
class _Encoded:
    a: str  # one symbol per token
    b: str
    weak: frozenset[str]  # symbols of tokens without a word character
    weights: dict[str, int]  # code points per symbol


def _encode(old: str, starts_a: list[int], new: str, starts_b: list[int]) -> _Encoded | None:
    """Both token sequences as strings of one symbol per distinct token
    (diff_linesToChars' idea); tokens without a word character (blank lines,
    spaces, punctuation) are weak: they never anchor the alignment."""
    symbols: dict[str, str] = {}
    weak: set[str] = set()
    weights: dict[str, int] = {}

    def munge(text: str, starts: list[int]) -> str | None:
        out: list[str] = []
        for k in range(len(starts) - 1):
            token = text[starts[k]:starts[k + 1]]
            symbol = symbols.get(token)
            if symbol is None:
                if len(symbols) >= _MAX_SYMBOLS:
                    return None
                symbol = symbols[token] = chr(len(symbols) + 1)
                weights[symbol] = len(token)
                if not _WORD_CHAR.search(token):
                    weak.add(symbol)
            out.append(symbol)
        return "".join(out)

    encoded_a = munge(old, starts_a)
    encoded_b = munge(new, starts_b)
    if encoded_a is None or encoded_b is None:
        return None
    return _Encoded(encoded_a, encoded_b, frozenset(weak), weights)


def _unique_lcs(a: str, b: str, weak: frozenset[str], n: int = 1,
                weights: dict[str, int] | None = None) -> list[tuple[int, int]]:
    """Patience diff's anchors: runs of n symbols that occur exactly once in
    each string, the in-order chain of them covering the most text (weights:
    code points per symbol), as (i, j), not overlapping.  Runs of weak
    symbols only never anchor: a blank line or a full stop that happens to
    occur once says nothing about which paragraph is which."""
    grams_a = [a[i:i + n] for i in range(len(a) - n + 1)] if n > 1 else list(a)
    grams_b = [b[j:j + n] for j in range(len(b) - n + 1)] if n > 1 else list(b)
    count_a, count_b = Counter(grams_a), Counter(grams_b)
    where_b: dict[str, int] = {}
    for j, gram in enumerate(grams_b):
        if count_b[gram] == 1 and count_a.get(gram) == 1 \
                and not all(symbol in weak for symbol in gram):
            where_b[gram] = j
    if not where_b:
        return []
    pairs = [(i, where_b[gram]) for i, gram in enumerate(grams_a) if gram in where_b]
    # Heaviest increasing chain of j (pairs come in i order): a Fenwick tree
    # over j of the best chain ending below each j, O(k log k).  The weight
    # keeps a long paragraph in place rather than two short ones around it.
    size = len(b) + 1
    tree_weight = [0] * (size + 1)
    tree_pair = [-1] * (size + 1)
    back = [-1] * len(pairs)
    total = [0] * len(pairs)
    for k, (i, j) in enumerate(pairs):
        best, best_pair, x = 0, -1, j  # best chain over j' < j
        while x > 0:
            if tree_weight[x] > best:
                best, best_pair = tree_weight[x], tree_pair[x]
            x -= x & -x
        if weights is None:
            weight = n
        elif n == 1:
            weight = weights[a[i]]
        else:
            weight = sum(weights[symbol] for symbol in a[i:i + n])
        back[k], total[k] = best_pair, best + weight
        x = j + 1
        while x <= size:
            if total[k] > tree_weight[x]:
                tree_weight[x], tree_pair[x] = total[k], k
            x += x & -x
    k = max(range(len(pairs)), key=lambda m: (total[m], -m))
    chain: list[tuple[int, int]] = []
    while k != -1:
        chain.append(pairs[k])
        k = back[k]
    chain.reverse()
    # Runs longer than n give overlapping anchors: keep one per run; the
    # gaps' common prefix and suffix extend it again.
    kept: list[tuple[int, int]] = []
    for i, j in chain:
        if not kept or (i >= kept[-1][0] + n and j >= kept[-1][1] + n):
            kept.append((i, j))
    return kept


def _covered(chain: list[tuple[int, int]], n: int, a: str, weights: dict[str, int]) -> int:
    """Code points of a that a chain of n-symbol anchors covers."""
    return sum(weights[symbol] for x, _ in chain for symbol in a[x:x + n])


def _cleanup(hunks: list[Hunk]) -> list[Hunk]:
    """diff-match-patch's semantic cleanup, capped, in linear time on hunks.

    An equality no longer than the edits on either side of it is taken to
    be chance (a space, "the", a few letters two rewrites share) and folded
    into one replacement, so that text an editor rewrote reads as replaced
    and a span in it as removed; merging may make the equality before it
    foldable in turn (the stack).  Unlike diff_cleanupSemantic, equalities
    longer than CLEANUP_MAX_EQUALITY stay: on a text with an edit every few
    words, folding cascades until whole paragraphs read as replaced and every
    span in them must be searched for.  (diff_cleanupSemantic's list inserts
    also make it quadratic in the number of hunks.)
    """
    stack: list[Hunk] = []
    for hunk in hunks:
        while stack:
            a0, a1, b0, b1, coarse = stack[-1]
            equal = hunk[0] - a1
            if (equal > CLEANUP_MAX_EQUALITY or equal > max(a1 - a0, b1 - b0)
                    or equal > max(hunk[1] - hunk[0], hunk[3] - hunk[2])):
                break
            stack.pop()
            hunk = (a0, hunk[1], b0, hunk[3], coarse or hunk[4])
        stack.append(hunk)
    return stack


def _hunks_from_diffs(diffs: list[tuple[int, str]], i: int, j: int,
                      out: list[Hunk]) -> None:
    """diff-match-patch's (op, text) list as hunks, from offsets i (old), j (new)."""
    open_at: tuple[int, int] | None = None
    for op, data in diffs:
        if op == diff_match_patch.DIFF_EQUAL:
            if open_at is not None:
                out.append((open_at[0], i, open_at[1], j, False))
                open_at = None
            i += len(data)
            j += len(data)
            continue
        if open_at is None:
            open_at = (i, j)
        if op == diff_match_patch.DIFF_DELETE:
            i += len(data)
        else:
            j += len(data)
    if open_at is not None:
        out.append((open_at[0], i, open_at[1], j, False))


def _merge(hunks: list[Hunk]) -> list[Hunk]:
    hunks.sort()
    merged: list[Hunk] = []
    for hunk in hunks:
        if merged and merged[-1][1] == hunk[0] and merged[-1][3] == hunk[2]:
            last = merged[-1]
            merged[-1] = (last[0], hunk[1], last[2], hunk[3], last[4] or hunk[4])
        else:
            merged.append(hunk)
    return merged


class _Differ:
    """One diff of two whole texts, as sorted hunks."""

    def __init__(self, old: str, new: str) -> None:
        self.old = old
        self.new = new
        self.dmp = _dmp()
        self.budget = DIFF_WORK_BASE + DIFF_WORK_PER_CHAR * (len(old) + len(new))
        self.hunks: list[Hunk] = []

    def run(self) -> list[Hunk]:
        old, new = self.old, self.new
        if old == new:
            return []
        head = self.dmp.diff_commonPrefix(old, new)
        tail = self.dmp.diff_commonSuffix(old[head:], new[head:])
        # Trim whole lines only: a shared last letter and full stop must not
        # cut the line that was moved away from the end of the text.
        head = old.rfind("\n", 0, head) + 1
        cut = old.find("\n", len(old) - tail)
        tail = len(old) - cut - 1 if cut != -1 else 0
        self._level(head, len(old) - tail, head, len(new) - tail, _LINES)
        return _merge(self.hunks)

    def _spend(self, size: int, diffs: list[tuple[int, str]]) -> None:
        edits = sum(len(data) for op, data in diffs if op != diff_match_patch.DIFF_EQUAL)
        self.budget -= size * max(1, edits)

    def _level(self, alo: int, ahi: int, blo: int, bhi: int, level: int) -> None:
        if alo == ahi and blo == bhi:
            return
        if alo == ahi or blo == bhi:
            self.hunks.append((alo, ahi, blo, bhi, False))
            return
        if level == _CHARS:
            self._chars(alo, ahi, blo, bhi)
            return
        split = _line_starts if level == _LINES else _word_starts
        starts_a, starts_b = split(self.old, alo, ahi), split(self.new, blo, bhi)
        encoded = _encode(self.old, starts_a, self.new, starts_b)
        if encoded is None:  # more distinct tokens than code points
            if level == _LINES:
                self._level(alo, ahi, blo, bhi, _WORDS)
            else:
                self.hunks.append((alo, ahi, blo, bhi, True))
            return
        a, b = encoded.a, encoded.b
        # Lines are matched by unique anchors only: between them, Myers could
        # only match repeated lines (blank ones), an ambiguous alignment that
        # may pair each changed paragraph with its neighbour's new version
        # (diff-match-patch's "freak matches"); the word level aligns them.
        blocks, unaligned = self._match(encoded, myers=level == _WORDS)
        i = j = 0
        for block_a, block_b, size in [*blocks, (len(a), len(b), 0)]:
            if block_a > i or block_b > j:
                gap = (starts_a[i], starts_a[block_a], starts_b[j], starts_b[block_b])
                if level == _WORDS and (i, j) in unaligned:
                    # No alignment was affordable here: the diff is degraded
                    # in this block; it stays whole and its spans are searched.
                    self.hunks.append((*gap, True))
                else:
                    self._level(*gap, level + 1)
            i, j = block_a + size, block_b + size

    def _chars(self, alo: int, ahi: int, blo: int, bhi: int) -> None:
        """Changed words, character by character if short enough, else one
        replacement."""
        size = (ahi - alo) + (bhi - blo)
        if size > CHAR_DIFF_MAX or self.budget <= 0:
            self.hunks.append((alo, ahi, blo, bhi, False))
            return
        # Text shared at the ends is next to matched text: kept, not chance.
        head = self.dmp.diff_commonPrefix(self.old[alo:ahi], self.new[blo:bhi])
        alo, blo = alo + head, blo + head
        tail = self.dmp.diff_commonSuffix(self.old[alo:ahi], self.new[blo:bhi])
        ahi, bhi = ahi - tail, bhi - tail
        if alo == ahi or blo == bhi:
            if alo < ahi or blo < bhi:
                self.hunks.append((alo, ahi, blo, bhi, False))
            return
        diffs = self.dmp.diff_main(self.old[alo:ahi], self.new[blo:bhi], False)
        self._spend(size, diffs)
        shared = sum(len(data) for op, data in diffs if op == diff_match_patch.DIFF_EQUAL)
        if shared < CHAR_MATCH_RATIO * min(ahi - alo, bhi - blo):
            # Unrelated texts (a paragraph where another stood) share
            # letters by chance, in runs of one or two: one replacement.
            self.hunks.append((alo, ahi, blo, bhi, False))
            return
        _hunks_from_diffs(diffs, alo, blo, self.hunks)

    def _match(self, encoded: _Encoded,
               myers: bool = True) -> tuple[list[tuple[int, int, int]], set[tuple[int, int]]]:
        """Runs of equal symbols (i, j, size) of two symbol strings, in order:
        common ends, then unique anchors (patience), then Myers for gaps
        small enough.  Also the starts (i, j) of the gaps that had neither."""
        prefix, suffix = self.dmp.diff_commonPrefix, self.dmp.diff_commonSuffix
        a, b, weak, weights = encoded.a, encoded.b, encoded.weak, encoded.weights
        blocks: list[tuple[int, int, int]] = []
        unaligned: set[tuple[int, int]] = set()
        stack = [(0, len(a), 0, len(b))]
        while stack:
            alo, ahi, blo, bhi = stack.pop()
            part_a, part_b = a[alo:ahi], b[blo:bhi]
            size = prefix(part_a, part_b)
            if size:
                blocks.append((alo, blo, size))
                alo, blo = alo + size, blo + size
                part_a, part_b = part_a[size:], part_b[size:]
            size = suffix(part_a, part_b)
            if size:
                blocks.append((ahi - size, bhi - size, size))
                ahi, bhi = ahi - size, bhi - size
                part_a, part_b = part_a[:-size], part_b[:-size]
            if not part_a or not part_b:
                continue
            run = 1
            anchors = _unique_lcs(part_a, part_b, weak, 1, weights)
            if len(part_a) + len(part_b) > MYERS_CHEAP_SYMBOLS:
                # In a big gap (every paragraph changed, so no line anchors
                # the words) a token unique in both is rare and may be
                # chance; runs of tokens are unique where single ones are
                # not.  Whichever anchors more of the gap wins.
                runs = _unique_lcs(part_a, part_b, weak, ANCHOR_RUN, weights)
                if _covered(runs, ANCHOR_RUN, part_a, weights) \
                        > _covered(anchors, 1, part_a, weights):
                    anchors, run = runs, ANCHOR_RUN
            if anchors:
                i, j = alo, blo
                for x, y in anchors:
                    blocks.append((alo + x, blo + y, run))
                    stack.append((i, alo + x, j, blo + y))
                    i, j = alo + x + run, blo + y + run
                stack.append((i, ahi, j, bhi))
            elif myers and sum(weights[symbol] for symbol in part_a + part_b) <= CHAR_DIFF_MAX:
                # Small enough for the exact character diff, which the gap
                # gets next: Myers on tokens would only approximate it (an
                # insertion inside a word makes it another token, and only
                # the spaces around it would match).
                pass
            elif myers and len(part_a) + len(part_b) <= MYERS_MAX_SYMBOLS and self.budget > 0:
                diffs = self.dmp.diff_main(part_a, part_b, False)
                self._spend(len(part_a) + len(part_b), diffs)
                i, j = alo, blo
                for op, data in diffs:
                    if op == diff_match_patch.DIFF_EQUAL:
                        blocks.append((i, j, len(data)))
                    if op != diff_match_patch.DIFF_INSERT:
                        i += len(data)
                    if op != diff_match_patch.DIFF_DELETE:
                        j += len(data)
            else:
                unaligned.add((alo, blo))
        blocks.sort()
        merged: list[tuple[int, int, int]] = []
        for block in blocks:
            if merged and merged[-1][0] + merged[-1][2] == block[0] \
                    and merged[-1][1] + merged[-1][2] == block[1]:
                merged[-1] = (merged[-1][0], merged[-1][1], merged[-1][2] + block[2])
            else:
                merged.append(block)
        return merged, unaligned


def _trigrams(text: str) -> set[str]:
    return {text[i:i + 3] for i in range(len(text) - 2)}


class _Diff:
    """The hunks of a diff, in columns, and what the sweep needs of them."""

    def __init__(self, hunks: list[Hunk], text: str) -> None:
        self.text = text
        self.a0 = [hunk[0] for hunk in hunks]
        self.a1 = [hunk[1] for hunk in hunks]
        self.b0 = [hunk[2] for hunk in hunks]
        self.b1 = [hunk[3] for hunk in hunks]
        self.coarse = [hunk[4] for hunk in hunks]
        # Inserted text, with the short equalities between edits counted in
        # (chance matches, as in _cleanup): a moved paragraph the character
        # diff paired with rewritten text reads as inserted, whole.
        inserted: list[tuple[int, int]] = []
        for hunk in hunks:
            if inserted and hunk[2] - inserted[-1][1] <= CLEANUP_MAX_EQUALITY:
                inserted[-1] = (inserted[-1][0], hunk[3])
            elif hunk[3] > hunk[2]:
                inserted.append((hunk[2], hunk[3]))
        self.ins0 = [b0 for b0, _ in inserted]
        self.ins1 = [b1 for _, b1 in inserted]
        # Inserted text in windows: neighbouring insertions less than a
        # context apart are one window (a moved paragraph that the character
        # diff cut into pieces is searched whole).
        self.windows: list[tuple[int, int, int]] = []  # start, end, inserted length
        for b0, b1 in inserted:
            if self.windows and b0 - self.windows[-1][1] <= CONTEXT_LENGTH:
                w0, _, size = self.windows[-1]
                self.windows[-1] = (w0, b1, size + b1 - b0)
            else:
                self.windows.append((b0, b1, b1 - b0))
        self._window_ends = [w1 for _, w1, _ in self.windows]
        # Big enough to be a moved sentence or paragraph: searched wherever it is.
        self._big = [k for k, (_, _, size) in enumerate(self.windows)
                     if size >= 4 * CONTEXT_LENGTH]
        self._trigrams: dict[int, frozenset[str]] = {}
        # The same diff with chance equalities folded (_cleanup): what it
        # calls removed was removed, not kept by a shared space or accent.
        folded = _cleanup(list(hunks))
        self.folded_a0 = [hunk[0] for hunk in folded]
        self.folded_a1 = [hunk[1] for hunk in folded]

    def removed(self, start: int, end: int) -> tuple[int, tuple[int, int]]:
        """How much of old[start:end] the folded diff removed, and the extent
        of the removed blocks it overlaps (the text that went with it)."""
        k = bisect.bisect_right(self.folded_a1, start)
        total, lo, hi = 0, start, end
        while k < len(self.folded_a0) and self.folded_a0[k] < end:
            a0, a1 = self.folded_a0[k], self.folded_a1[k]
            total += min(end, a1) - max(start, a0)
            lo, hi = min(lo, a0), max(hi, a1)
            k += 1
        return total, (lo, hi)

    def candidate_windows(self, quote: str, errors: int, hint: int) -> list[tuple[int, int]]:
        """Inserted windows that may hold quote with at most errors edits:
        those within SEARCH_RADIUS of hint, and big ones anywhere.

        The q-gram lemma filters them: an edit destroys at most 3 of a
        string's trigrams, so a window holding fewer than (distinct trigrams
        - 3 * errors) of the quote's cannot contain it.  A window's trigrams
        are taken once per diff, padded by a context's length, since a match
        need only be half inside inserted text; the part of a long quote that
        can stick out further is allowed for.  Best-stocked, nearest first.
        """
        first = bisect.bisect_left(self._window_ends, hint - SEARCH_RADIUS)
        last = first
        while last < len(self.windows) and self.windows[last][0] <= hint + SEARCH_RADIUS:
            last += 1
        indices = sorted(set(range(first, last)).union(self._big))
        wanted = frozenset(_trigrams(quote))
        need = max(1, len(wanted) - 3 * errors - max(0, len(quote) // 2 - CONTEXT_LENGTH))
        chosen: list[tuple[int, int, int, int]] = []
        for k in indices:
            w0, w1, size = self.windows[k]
            if 2 * size < len(quote):
                continue
            grams = self._trigrams.get(k)
            if grams is None:
                pad = CONTEXT_LENGTH
                grams = self._trigrams[k] = frozenset(
                    _trigrams(self.text[max(0, w0 - pad):w1 + pad]))
            shared = len(wanted & grams)
            if shared >= need:
                chosen.append((-shared, max(w0 - hint, hint - w1, 0), w0, w1))
        chosen.sort()
        return [(w0, w1) for _, _, w0, w1 in chosen]

    def sweep(self, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
        """Map every (start, end) through the diff in one sorted pass.

        Returns (new start, new end, first hunk at start, first hunk at end).
        An insertion exactly at a boundary stays outside the span (like
        ProseMirror's mapping with assoc): the start maps after it, the end
        before it.  A boundary inside a replaced block maps to that block's
        far side, so a touched span's new region takes in the whole edit.
        """
        events = sorted([(s, 1, k) for k, (s, _) in enumerate(spans)]
                        + [(e, 0, k) for k, (_, e) in enumerate(spans)])
        a0, a1, b0, b1 = self.a0, self.a1, self.b0, self.b1
        count, h = len(a0), 0
        starts = [0] * len(spans)
        ends = [0] * len(spans)
        first = [0] * len(spans)
        last = [0] * len(spans)
        for x, side, k in events:
            # Pass the hunks wholly before x; an insertion at x only for a start.
            while h < count and (a1[h] < x or (a1[h] == x and (a0[h] < x or side == 1))):
                h += 1
            if h < count and a0[h] < x:  # strictly inside a changed block
                y = b0[h] if side == 1 else b1[h]
            else:
                y = x + (b1[h - 1] - a1[h - 1] if h else 0)
            if side == 1:
                starts[k], first[k] = y, h
            else:
                ends[k], last[k] = y, h
        # An empty span at an insertion would end before it starts: keep it empty.
        ends = [max(s, e) for s, e in zip(starts, ends, strict=True)]
        return list(zip(starts, ends, first, last, strict=True))

    def hunks_within(self, start: int, end: int, first: int, last: int) -> list[int]:
        """The hunks a span [start, end) overlaps or has an insertion inside."""
        touched = list(range(first, last))
        if last < len(self.a0) and self.a0[last] < end < self.a1[last]:
            touched.append(last)
        return touched

    def inserted_overlap(self, start: int, end: int) -> int:
        """How many code points of new[start:end] the diff calls inserted."""
        k = bisect.bisect_right(self.ins1, start)
        total = 0
        while k < len(self.ins0) and self.ins0[k] < end:
            total += min(end, self.ins1[k]) - max(start, self.ins0[k])
            k += 1
        return total


# --- Re-anchoring --------------------------------------------------------------

def _line_bounds(text: str, start: int, end: int, radius: int) -> tuple[int, int]:
    """The line (paragraph) around text[start:end], without its line break,
    at most radius either side."""
    lo = max(text.rfind("\n", 0, start) + 1, start - radius)
    hi = text.find("\n", end)
    hi = len(text) if hi == -1 else hi
    if hi > end and text[hi - 1] == "\r":
        hi -= 1
    return lo, min(hi, end + radius)


def _moved_line(old: str, block: tuple[int, int], span: tuple[int, int], new: str,
                at: int) -> bool:
    """Whether the quote at new[at:] stands in the span's own paragraph,
    moved (and perhaps edited elsewhere): a diff of the span's old line (the
    removed part of it) against the new line leaves the span untouched,
    maps it to at, and keeps at least MOVED_CONTEXT code points of the rest
    of the line (half of a shorter rest; chance equalities folded).  A line
    that is only the quote is no evidence.  Only inserted text is searched,
    so this never jumps to another mention that was there before."""
    start, end = span
    # A few contexts' worth of the line either side is evidence enough, and
    # keeps this small diff cheap when a text has thousands of edits.
    old_lo, old_hi = _line_bounds(old, start, end, 4 * CONTEXT_LENGTH)
    old_lo, old_hi = max(old_lo, block[0]), min(old_hi, block[1])
    new_lo, new_hi = _line_bounds(new, at, at + end - start, 4 * CONTEXT_LENGTH)
    hunks = _Differ(old[old_lo:old_hi], new[new_lo:new_hi]).run()
    rest = (old_hi - old_lo) - (end - start)
    kept = rest - sum(a1 - a0 for a0, a1, _, _, _ in _cleanup(list(hunks)))
    if rest == 0 or kept < min(MOVED_CONTEXT, (rest + 1) // 2):
        return False
    line = _Diff(hunks, new[new_lo:new_hi])
    ((mapped, _, first, last),) = line.sweep([(start - old_lo, end - old_lo)])
    return not line.hunks_within(start - old_lo, end - old_lo, first, last) \
        and new_lo + mapped == at


def _clip(lo: int, hi: int, expect: int, length: int, radius: int) -> tuple[int, int]:
    """The part of a region the diff maps a span to where the quote can be:
    radius around where it is expected, so that a span reaching into a
    rewritten section does not make aligning it costly."""
    return max(lo, expect - radius), min(hi, expect + length + radius)


def _old_span(old: str, annotation: Annotation, min_score: float) -> tuple[int, int] | None:
    """Where the annotation's quote stands in the old text, or None."""
    start, end, quote = annotation.start, annotation.end, annotation.quote
    if 0 <= start <= end <= len(old) and old[start:end] == quote:
        return start, end
    # Stale offsets for this text: the quote, told apart by its context.
    best: _Match | None = None
    for at in _occurrences(old, quote, start):
        candidate = _measure(old, at, at + len(quote), quote, annotation.prefix,
                             annotation.suffix, start)
        if candidate.exact and candidate.beats(best):
            best = candidate
    if best is not None and best.acceptable(len(quote), min_score):
        return best.start, best.end
    return None


class _Job:
    """One reanchor call: the new text and what every annotation needs."""

    def __init__(self, text: str, sha256: str, min_score: float) -> None:
        self.text = text
        self.sha256 = sha256
        self.min_score = min_score
        self.relocate_budget = RELOCATE_TOTAL_LIMIT

    def place(self, annotation: Annotation, match: _Match) -> Reanchored:
        text = self.text
        prefix, suffix = context(text, match.start, match.end)
        if match.exact:
            updated = annotation.replace(
                start=match.start, end=match.end, prefix=prefix, suffix=suffix,
                document_sha256=self.sha256, orphaned=False)
            return Reanchored(updated, "exact", 1.0)
        updated = annotation.replace(
            start=match.start, end=match.end, quote=text[match.start:match.end],
            prefix=prefix, suffix=suffix, document_sha256=self.sha256, orphaned=False,
            previous_quote=annotation.quote)
        return Reanchored(updated, "fuzzy", round(match.score, 4))

    def orphan(self, annotation: Annotation, best: _Match | None) -> Reanchored:
        score = 0.0 if best is None else round(best.score, 4)
        return Reanchored(annotation.replace(orphaned=True), "orphaned", score)

    def decide(self, annotation: Annotation, best: _Match | None,
               in_place: bool = False) -> Reanchored:
        """Place the annotation at best if it is good enough, else orphan it.
        Where the diff maps the span (in_place) its unchanged quote is
        enough; anywhere else a verbatim copy must also have the context
        (another "Kim" in the article is not this one)."""
        if best is not None and ((in_place and best.exact)
                                 or best.acceptable(len(annotation.quote), self.min_score)):
            return self.place(annotation, best)
        return self.orphan(annotation, best)

    def untouched(self, annotation: Annotation, start: int, end: int,
                  old_context: tuple[str, str]) -> Reanchored:
        """A span no edit reached: its text is where the diff maps it."""
        text = self.text
        if (text[start:end] != annotation.quote or splits_line_ending(text, start)
                or splits_line_ending(text, end)):
            # An edit made a CRLF pair at a boundary: measure it like any place.
            match = _measure(text, start, end, annotation.quote, *old_context, start)
            return self.decide(annotation, match, in_place=True)
        new_prefix, new_suffix = context(text, start, end)
        updated = annotation.replace(start=start, end=end, prefix=new_prefix,
                                     suffix=new_suffix, document_sha256=self.sha256,
                                     orphaned=False)
        return Reanchored(updated, "exact", 1.0)

    def in_place(self, annotation: Annotation, start: int, end: int, keep: tuple[bool, bool],
                 prefix: str, suffix: str) -> Reanchored:
        """A span an edit reached but did not remove: it is where the diff
        maps it.  A boundary whose code point the edit kept is mapped; one
        inside an edit is aligned from the kept side (or both are, in
        [start, end), if neither was kept).  Never anywhere else: an
        annotation on a name a copy-edit changed must not jump to another
        mention of the old name (hypothesis/h#2798, h#4328)."""
        text, quote = self.text, annotation.quote
        length = len(quote)
        reach = length + max_quote_errors(length) + 2
        place: tuple[int, int] | None
        if keep == (True, True):
            place = (start, end)
        elif keep[0]:
            place = (start, _aligned_end(text, quote, start, start + reach, end))
        elif keep[1]:
            place = (_aligned_start(text, quote, end - reach, end, start), end)
        else:  # only the middle was kept: somewhere around it
            slack = max_quote_errors(length) + 2
            lo, hi = _clip(start - slack, end + slack, start, length, SEARCH_RADIUS)
            place = _align(text, quote, lo, hi, start, end)
        if place is None or place[0] >= place[1]:
            return self.orphan(annotation, None)
        match = _measure(text, place[0], place[1], quote, prefix, suffix, start)
        return self.decide(annotation, match, in_place=True)

    def relocate(self, annotation: Annotation, old: str, diff: _Diff, span: tuple[int, int],
                 block: tuple[int, int], region: tuple[int, int] | None, hint: int,
                 prefix: str, suffix: str) -> Reanchored:
        """A span whose text the diff removed (or could not follow): first
        what replaced it, where the diff maps it; then text the diff
        inserted, i.e. the span moved.  Never text the diff kept: that is
        the image of other old text, another mention of the same words, the
        jump users of Hypothesis complain about (hypothesis/h#2798)."""
        text, quote = self.text, annotation.quote
        length = len(quote)
        start, end = span

        def mostly_inserted(at: int, stop: int) -> bool:
            return 2 * diff.inserted_overlap(at, stop) >= stop - at

        # 0. What replaced it, first: a respelled word the character diff
        # did not refine, or text the cleanup folded into a bigger edit.
        if region is not None and region[1] > region[0]:
            slack = max_quote_errors(length) + 2
            place = _align(text, quote, region[0] - slack, region[1] + slack, *region)
            if place is not None:
                match = _measure(text, place[0], place[1], quote, prefix, suffix, hint)
                if match.exact or match.acceptable(length, self.min_score):
                    return self.place(annotation, match)

        # 1. Moved with the removed text around it: that text itself is the
        # context, so a quote at the edge of a moved paragraph is recognised
        # even though its stored prefix or suffix came from elsewhere.  The
        # context stops at the line's ends (a paragraph moved to the end of
        # the text loses the blank line after it).  Both sides, else one
        # side (the other may have been edited too), then shorter, down to
        # MOVED_CONTEXT (an edit near the quote inside the moved paragraph).
        lo, hi = _line_bounds(old, start, end, CONTEXT_LENGTH)
        lo, hi = max(block[0], lo), min(block[1], hi)
        sides = [(lo, hi)]
        for size in (CONTEXT_LENGTH, CONTEXT_LENGTH // 2, MOVED_CONTEXT):
            if start - lo >= size:
                sides.append((start - size, end))
            if hi - end >= size:
                sides.append((start, end + size))
        for side_lo, side_hi in dict.fromkeys(sides):
            if (side_lo, side_hi) == (start, end):
                continue
            offset = start - side_lo
            for at in _occurrences(text, old[side_lo:side_hi], hint - offset):
                if mostly_inserted(at + offset, at + offset + length):
                    match = _measure(text, at + offset, at + offset + length, quote,
                                     prefix, suffix, hint)
                    if match.exact:
                        return self.place(annotation, match)
        # 2. The quote alone, verbatim: in its own paragraph, moved and
        # edited around it, or else told apart by its stored context.
        best: _Match | None = None
        for at in _occurrences(text, quote, hint):
            if mostly_inserted(at, at + length):
                if _moved_line(old, block, span, text, at):
                    return self.place(annotation, _measure(text, at, at + length, quote,
                                                           prefix, suffix, hint))
                match = _measure(text, at, at + length, quote, prefix, suffix, hint)
                if match.beats(best):
                    best = match
                if match.exact and match.context_intact:
                    break  # nothing further away can beat it
        if best is not None and best.acceptable(length, self.min_score):
            return self.place(annotation, best)
        # 3. An edited version in inserted text: only windows that hold
        # enough of the quote's trigrams to be within the edit cap.
        # One bit-parallel pass per window finds every candidate in it (a
        # match_main per window costs a bitap pass per error level and
        # returns one place).
        errors = max_quote_errors(length)
        slack = errors + 2
        scanned = 0
        for w0, w1 in diff.candidate_windows(quote, errors, hint):
            if scanned > RELOCATE_SCAN_LIMIT or self.relocate_budget <= 0:
                break
            lo, hi = max(0, w0 - slack), min(len(text), w1 + slack)
            scanned += hi - lo
            self.relocate_budget -= hi - lo
            for at, stop, _ in approx_search(text, quote, errors, lo, hi):
                if mostly_inserted(at, stop):
                    match = _measure(text, at, stop, quote, prefix, suffix, hint)
                    if match.beats(best):
                        best = match
        return self.decide(annotation, best)

    def snap(self, match: _Match, quote: str, prefix: str, suffix: str, hint: int) -> _Match:
        """An edit at the edge of a quote leaves the aligner a choice (keep
        "x" of "xΩΩABC" or not); where the stored prefix and suffix stand
        intact around the match, the annotation is what lies between them."""
        if match.exact or match.context_intact:
            return match
        text = self.text
        reach = range(-(max_quote_errors(len(quote)) + 2), max_quote_errors(len(quote)) + 3)
        start, end = match.start, match.end
        for shift in sorted(reach, key=abs):
            if _prefix_at(text, match.start + shift, prefix):
                start = match.start + shift
                break
        for shift in sorted(reach, key=abs):
            if 0 <= match.end + shift <= len(text) and _suffix_at(text, match.end + shift, suffix):
                end = match.end + shift
                break
        if (start, end) == (match.start, match.end) or start >= end:
            return match
        snapped = _measure(text, start, end, quote, prefix, suffix, hint)
        if snapped.context_intact and snapped.acceptable(len(quote), self.min_score):
            return snapped
        return match

    def search(self, annotation: Annotation, hint: int) -> Reanchored:
        """Without the old text: quote, prefix, suffix and position, scored
        like Hypothesis, over the whole text.  Unlike Hypothesis, an edited
        version near the stored place competes with verbatim copies
        elsewhere, so the one whose context agrees wins (h#2798)."""
        text, quote = self.text, annotation.quote
        length = len(quote)
        prefix, suffix = annotation.prefix, annotation.suffix
        best: _Match | None = None
        for at in _occurrences(text, quote, hint):
            match = _measure(text, at, at + length, quote, prefix, suffix, hint)
            if match.beats(best):
                best = match
            if match.exact and match.context_intact:
                break  # nothing further away can beat it
        if best is None or not (best.exact and best.context_intact):
            for at, stop in _locate(text, quote, hint - SEARCH_RADIUS,
                                    hint + length + SEARCH_RADIUS, hint):
                match = _measure(text, at, stop, quote, prefix, suffix, hint)
                if match.beats(best):
                    best = match
        if (best is None or not best.acceptable(length, self.min_score)) \
                and len(text) <= FULL_SCAN_LIMIT:
            for at, stop, _ in approx_search(text, quote, max_quote_errors(length)):
                match = _measure(text, at, stop, quote, prefix, suffix, hint)
                if match.beats(best):
                    best = match
        if best is not None:
            best = self.snap(best, quote, prefix, suffix, hint)
        return self.decide(annotation, best)


def reanchor(old_text: str | None, new_text: str, new_sha256: str,
             annotations: Sequence[Annotation],
             min_score: float = DEFAULT_MIN_SCORE) -> list[Reanchored]:
    """Move annotations made on old_text to their places in new_text.

    Each comes back ``exact`` (its quote unchanged, where the diff maps it),
    ``fuzzy`` (its quote was edited: the best match, with the old quote kept
    as ``previous_quote``) or ``orphaned`` (no acceptable match: kept as it
    was, marked orphaned).  Placed annotations get new offsets, quote,
    prefix, suffix and ``document_sha256 = new_sha256``.  Results are in the
    order of ``annotations``.

    old_text is the text whose SHA-256 is the annotations' document_sha256;
    None when it is not at hand, and then each quote is searched for in
    new_text.  min_score: see DEFAULT_MIN_SCORE.  Deterministic: no clocks.
    """
    job = _Job(new_text, new_sha256, min_score)
    if old_text is None:
        return [job.search(annotation, annotation.start) for annotation in annotations]
    results: list[Reanchored | None] = [None] * len(annotations)
    located: list[tuple[int, tuple[int, int]]] = []
    for k, annotation in enumerate(annotations):
        span = _old_span(old_text, annotation, min_score)
        if span is None:  # not in the old text either: search the new one
            results[k] = job.search(annotation, annotation.start)
        else:
            located.append((k, span))
    diff = _Diff(_Differ(old_text, new_text).run(), new_text)
    mapped = diff.sweep([span for _, span in located])
    for (k, (start, end)), (new_start, new_end, first, last) in zip(located, mapped,
                                                                     strict=True):
        annotation = annotations[k]
        touched = diff.hunks_within(start, end, first, last)
        if not touched:
            results[k] = job.untouched(annotation, new_start, new_end,
                                       (annotation.prefix, annotation.suffix))
            continue
        prefix, suffix = context(old_text, start, end)
        removed, block = diff.removed(start, end)
        coarse = any(diff.coarse[h] for h in touched)
        # Edited in place if at least a quarter of it is still there: less
        # may be chance (a shared accent and full stop where a paragraph
        # was moved away), and such a span is looked for as moved as well.
        if 4 * removed <= 3 * (end - start) and not coarse:
            head, tail = touched[0], touched[-1]
            keep = (not diff.a0[head] <= start < diff.a1[head],
                    not diff.a0[tail] < end <= diff.a1[tail])
            results[k] = job.in_place(annotation, new_start, new_end, keep, prefix, suffix)
            continue
        # Where it would be if the block it was in kept its proportions.
        h = touched[0]
        width_a, width_b = diff.a1[h] - diff.a0[h], diff.b1[h] - diff.b0[h]
        hint = diff.b0[h] + (max(start, diff.a0[h]) - diff.a0[h]) * width_b // max(1, width_a)
        region = None if coarse else _clip(new_start, new_end, hint, len(annotation.quote),
                                           SEARCH_RADIUS)
        results[k] = job.relocate(annotation, old_text, diff, (start, end), block, region,
                                  hint, prefix, suffix)
    return [result for result in results if result is not None]
