"""Cutting a text into segments at every span boundary, for drawing
overlapping and nested spans (issue 10, item 1).

HTML cannot nest elements that overlap without nesting (``<a>`` opens,
``<b>`` opens, ``</a>`` closes first), and spans from several reviewers do
overlap that way.  So the text is cut at every start and end of every span:
between two cuts the set of spans covering the text does not change, and
each piece (a *segment*) is drawn once, flat, listing the spans that cover
it.  The highlighted text of span n is then exactly the concatenation of
the segments that list n, in order -- nothing is drawn twice, nothing is
dropped, and any number of reviewers' spans can overlap or nest.  (The
other choice, one highlight layer per reviewer, stacks transparent copies
of the text and breaks selection, printing and screen readers.)

One sort of the boundaries, then one sweep: O(b log b + output), where the
output is the sum over segments of the spans covering each.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    """text[start:end], covered by the spans whose indexes ``covering`` lists
    (in the order the spans were given; empty: plain text); ``closing``:
    the spans that end exactly at ``end``."""

    start: int
    end: int
    covering: tuple[int, ...]
    closing: tuple[int, ...] = ()


def segments(length: int, spans: Sequence[tuple[int, int]]) -> list[Segment]:
    """The segments of a text of ``length`` code points under ``spans``
    ((start, end), end exclusive, 0 <= start < end <= length), covering the
    whole text from 0 to length in order, none empty.

    A segment's ``covering`` lists span indexes in the order the spans were
    given whenever spans were given sorted by start (as ``show.numbered``
    sorts them); in any case it holds exactly the spans containing it.
    """
    opens: dict[int, list[int]] = {}
    closes: dict[int, list[int]] = {}
    for index, (start, end) in enumerate(spans):
        if not 0 <= start < end <= length:
            raise ValueError(f"span {index} ({start}-{end}) is empty or outside 0-{length}")
        opens.setdefault(start, []).append(index)
        closes.setdefault(end, []).append(index)
    cuts = sorted({0, length, *opens, *closes})
    active: dict[int, None] = {}  # an ordered set: insertion order survives deletions
    found: list[Segment] = []
    for here, following in itertools.pairwise(cuts):
        for index in closes.get(here, ()):
            del active[index]
        for index in opens.get(here, ()):
            active[index] = None
        found.append(Segment(here, following, tuple(active),
                             tuple(closes.get(following, ()))))
    return found
