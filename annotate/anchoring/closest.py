"""The closest passages to a mistyped quote, in bounded time (issue 8, item 14).

Scoring a window at every word of the text cost about 11 s per MB, so a
misspelled ``--quote`` on a 50 MB document ran past 300 s.  This is q-gram
filtering instead:

1. The quote is folded (lower case, typographic quotes and dashes, runs of
   white space) and cut into q-grams.  How often each occurs in the text is
   counted in a sample of at most SAMPLE code points.
2. The rarest q-grams are looked up in the whole lowered text (``str.find``
   runs in C), until about HITS places are found.  Each place votes for the
   diagonal where the quote would start (the place minus the q-gram's offset
   in the quote), rounded to BUCKET code points so that an inserted or
   deleted character or a longer run of spaces still lands in the same one.
3. The CANDIDATES diagonals with most votes are aligned with the quote
   (bit-parallel edit distance, ``quotes.align``) and scored by the share of
   the quote that needs no edit.

Why it finds the passage that matters: a passage within k edits of a quote
of m characters still holds at least m + 1 - q(k + 1) of the quote's q-grams
(the q-gram lemma).  A 40-character quote with one typo keeps 33 of its 37
4-grams, so its diagonal collects tens of votes where a chance one gets one
or two, and it is among the first aligned.  The cost is one lowering of the
text, a C scan per q-gram looked up, at most HITS votes and at most
CANDIDATES alignments: linear in the text with a small constant, whatever
the quote.  A quote so short or so common that its q-grams occur everywhere
(``teh``) gets the candidates its rarest q-grams lead to: a suggestion, not
a guarantee.
"""

from __future__ import annotations

import bisect
from collections import Counter

from annotate.anchoring import quotes, textindex
from annotate.model import Occurrence

# Places voted on at most (a few more when the rarest q-gram alone has more).
HITS = 200_000
# Diagonals aligned with the quote, most votes first.
CANDIDATES = 64
# Code points of text the q-grams are counted in to choose the rarest.
SAMPLE = 1 << 21
# Diagonals are counted in buckets of 8 code points (a shift of 3).
BUCKET_SHIFT = 3
BUCKET = 1 << BUCKET_SHIFT
# Distinct q-grams of a long quote considered at most (spread over it).
MAX_GRAMS = 96

# Characters the lowered text keeps but the folded quote does not: a q-gram
# holding one could miss its place in the text.
_FOLDED = frozenset(" '\"-")


def closest(text: str, quote: str, limit: int = 3,
            min_score: float = 0.5) -> list[tuple[int, int, float]]:
    """Up to limit (start, end, score) passages of text closest to quote, best
    first, not overlapping, each scoring at least min_score."""
    wanted = _fold(quote)
    if len(wanted) < 3 or not text:
        return []
    view = _lowered(text)
    gram = 4 if len(wanted) >= 24 else 3 if len(wanted) >= 9 else 2
    votes = _votes(view, wanted, gram)
    found: list[tuple[float, int, int]] = []
    region = len(wanted) * 2 + 2 * BUCKET
    budget = max(8, min(CANDIDATES, 400_000 // region))
    for bucket, _ in sorted(votes.items(), key=lambda item: (-item[1], item[0]))[:budget]:
        place = _align(text, wanted, bucket << BUCKET_SHIFT)
        if place is not None and place[0] >= min_score:
            found.append(place)
    found.sort(key=lambda item: (-item[0], item[1]))
    chosen: list[tuple[int, int, float]] = []
    for score, start, end in found:
        if any(start < other_end and other_start < end for other_start, other_end, _ in chosen):
            continue
        chosen.append((start, end, score))
        if len(chosen) == limit:
            break
    return chosen


def _fold(text: str) -> str:
    """Lower case, typographic quotes and dashes as ASCII, white space as single spaces."""
    return " ".join(textindex.fold_typography(_lowered(text)).split())


def _lowered(text: str) -> str:
    """text in lower case, one code point for one, so offsets carry over."""
    # "İ" is the one character whose lower case is two code points.
    lowered = text.replace("İ", "i").lower() if "İ" in text else text.lower()
    return lowered if len(lowered) == len(text) else text


def _votes(view: str, wanted: str, gram: int) -> Counter[int]:
    """Votes per diagonal bucket from the rarest q-grams of wanted."""
    offsets: dict[str, list[int]] = {}
    for k in range(len(wanted) - gram + 1):
        piece = wanted[k:k + gram]
        if not _FOLDED.intersection(piece):
            offsets.setdefault(piece, []).append(k)
    pieces = list(offsets)
    if len(pieces) > MAX_GRAMS:
        step = len(pieces) / MAX_GRAMS
        pieces = [pieces[int(i * step)] for i in range(MAX_GRAMS)]
    estimate = _frequencies(view, pieces)
    votes: Counter[int] = Counter()
    spent = 0
    for piece in sorted(pieces, key=lambda p: (estimate[p], p)):
        if spent and spent + estimate[piece] > HITS:
            break
        ks = offsets[piece]
        at = view.find(piece)
        places: list[int] = []
        # Bounded even if the estimate was low: never more than HITS places
        # from one q-gram.
        while at != -1 and len(places) < HITS:
            places.append(at)
            at = view.find(piece, at + 1)
        for k in ks:
            votes.update((p - k) >> BUCKET_SHIFT for p in places)
        spent += len(places)
    return votes


def _frequencies(view: str, pieces: list[str]) -> dict[str, float]:
    """How many times each piece occurs in view: counted, or for a long text
    estimated from SAMPLE code points taken in four places."""
    if len(view) <= SAMPLE:
        return {piece: float(view.count(piece)) for piece in pieces}
    quarter = SAMPLE // 4
    stride = (len(view) - quarter) // 3
    sample = "\0".join(view[i * stride:i * stride + quarter] for i in range(4))
    scale = len(view) / len(sample)
    # +1: a q-gram the sample lacks is rare, not absent.
    return {piece: (sample.count(piece) + 1) * scale for piece in pieces}


def _align(text: str, wanted: str, diagonal: int) -> tuple[float, int, int] | None:
    """The best alignment of wanted around diagonal: (score, start, end) in
    text, the span trimmed of white space."""
    slack = len(wanted) // 2 + BUCKET
    lo = max(0, diagonal - slack)
    hi = min(len(text), diagonal + BUCKET + len(wanted) + slack)
    if lo >= hi:
        return None
    folded, where = _fold_region(text, lo, hi)
    expect = bisect.bisect_left(where, diagonal)
    place = quotes.align(folded, wanted, 0, len(folded), expect, expect + len(wanted))
    if place is None:
        return None
    start, end = place
    if end - start != len(wanted):
        # The diagonal was rounded to its bucket: among alignments as good
        # as this one, take the one as long as the quote (a typo in the last
        # character is a replacement, not a shorter passage).
        start, end = quotes.align(folded, wanted, 0, len(folded), start,
                                  start + len(wanted)) or place
    edits = quotes.edit_distance(wanted, folded[start:end])
    score = max(0.0, 1.0 - edits / len(wanted))
    first, last = where[start], where[end - 1] + 1
    while first < last and text[first].isspace():
        first += 1
    while last > first and text[last - 1].isspace():
        last -= 1
    return (score, first, last) if first < last else None


def _fold_region(text: str, lo: int, hi: int) -> tuple[str, list[int]]:
    """text[lo:hi] folded like the quote (white space runs as one space), and
    the offset in text of each folded character."""
    region = textindex.fold_typography(_lowered(text[lo:hi]))
    chars: list[str] = []
    where: list[int] = []
    previous_space = False
    for i, char in enumerate(region):
        space = char.isspace()
        if space and previous_space:
            continue
        chars.append(" " if space else char)
        where.append(lo + i)
        previous_space = space
    return "".join(chars), where


def fuzzy_candidates(text: str, quote: str, limit: int = 3,
                     min_score: float = 0.5) -> list[Occurrence]:
    """The closest inexact matches of quote, best first, not overlapping.

    Used to answer a mistyped ``--quote``; bounded in time on any size of
    text (see anchoring/closest.py).  The score is the share of the quote's
    characters that need no edit (case, quotes, dashes and white space folded).
    """
    found = closest(text, quote, limit, min_score)
    return textindex.occurrences(text, [(start, end) for start, end, _ in found],
                       [round(score, 3) for _, _, score in found])
