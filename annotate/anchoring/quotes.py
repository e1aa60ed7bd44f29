"""Finding a stored quote again in an edited text: the thresholds that say
how much of a quote may change, Hypothesis' match score, bit-parallel edit
distances, approximate search and alignment, and candidate places scored
against the stored quote, prefix, suffix and position.

Pure functions over ``str``.  diff-match-patch is imported only inside
``locate`` (its ``match_main``), so importing this module stays cheap.
Thresholds and why they are what they are: docs/reanchoring.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from annotate.anchoring.textindex import find_exact, splits_line_ending
from annotate.model import CONTEXT_LENGTH

if TYPE_CHECKING:
    from diff_match_patch import diff_match_patch

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
# Verbatim occurrences examined per quote, nearest first: a short quote can
# occur thousands of times in a large text, and the stored context decides
# between the nearest ones at 30-80 microseconds each.
OCCURRENCE_LIMIT = 200


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


def align(text: str, quote: str, lo: int, hi: int, expect_start: int,
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


def aligned_end(text: str, quote: str, start: int, limit: int, expect: int) -> int:
    """The end that makes text[start:end] nearest to quote (ties: nearest to
    expect, then the wider), for a start the diff kept."""
    rows = edit_distances(quote, text[start:min(len(text), limit)], anchored=True)
    if not rows:
        return start
    best = min(rows)
    return min((start + j + 1 for j, value in enumerate(rows) if value == best),
               key=lambda e: (abs(e - expect), -e))


def aligned_start(text: str, quote: str, limit: int, end: int, expect: int) -> int:
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


def prefix_at(text: str, at: int, prefix: str) -> bool:
    """Whether the stored prefix stands intact right before at.  One shorter
    than CONTEXT_LENGTH began at the text's start, so it must again."""
    return (at >= len(prefix) and text[at - len(prefix):at] == prefix
            and (len(prefix) == CONTEXT_LENGTH or at == len(prefix)))


def suffix_at(text: str, at: int, suffix: str) -> bool:
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
class Match:
    """A candidate place for a quote, scored."""

    start: int
    end: int
    similarity: float
    score: float
    exact: bool
    context_intact: bool  # prefix and suffix both as stored, right beside it

    def acceptable(self, length: int, min_score: float) -> bool:
        """Close enough to a quote of that length to be taken for it."""
        return (self.similarity >= min_quote_similarity(length)
                and self.score >= required_score(length, min_score))

    def beats(self, other: Match | None) -> bool:
        """Better than other: a higher score, or as high and verbatim."""
        return other is None or (self.score, self.exact) > (other.score, other.exact)


def measure(text: str, start: int, end: int, quote: str, prefix: str, suffix: str,
            hint: int) -> Match:
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
    return Match(start, end, similarity, score, exact,
                 prefix_at(text, start, prefix) and suffix_at(text, end, suffix))


def nearest_occurrences(text: str, needle: str, hint: int,
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
    # Imported here, not at the top: the module is light for those who only
    # measure and score, and match_main serves the location-bound search alone.
    from diff_match_patch import diff_match_patch

    matcher = diff_match_patch()
    # match_main scores errors / length + distance / Match_Distance.  With the
    # distance scale a hundred times the window searched, being anywhere in
    # it costs at most 0.01: location only breaks ties between equally good
    # matches, and the window (reanchor.SEARCH_RADIUS) is what bounds the distance.
    matcher.Match_Distance = 100 * max(1, window)
    # Up to half of the (at most 32-character) pattern may be edited: this
    # only proposes a place; the similarity cap for the whole quote decides.
    matcher.Match_Threshold = 0.51
    return matcher


def locate(text: str, quote: str, lo: int, hi: int, hint: int) -> list[tuple[int, int]]:
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
        place = align(text, quote, guess - slack, guess + length + slack, guess,
                      guess + length)
        if place is not None and place not in found:
            found.append(place)
    return found


