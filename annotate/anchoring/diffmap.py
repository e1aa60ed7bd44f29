"""A diff as a map of offsets: where each span of the old text lands in the
new one (one sorted sweep over all spans), how much of a span the edits
removed, and which inserted text may hold a quote that moved.

Built from the hunks of ``textdiff.Differ``; pure.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from annotate.anchoring.textdiff import CLEANUP_MAX_EQUALITY, Hunk, cleanup
from annotate.model import CONTEXT_LENGTH


def _trigrams(text: str) -> set[str]:
    return {text[i:i + 3] for i in range(len(text) - 2)}


class Diff:
    """The hunks of a diff, in columns, and what the sweep needs of them."""

    def __init__(self, hunks: list[Hunk], text: str) -> None:
        self.text = text
        self.a0 = [hunk[0] for hunk in hunks]
        self.a1 = [hunk[1] for hunk in hunks]
        self.b0 = [hunk[2] for hunk in hunks]
        self.b1 = [hunk[3] for hunk in hunks]
        self.coarse = [hunk[4] for hunk in hunks]
        # Inserted text, with the short equalities between edits counted in
        # (chance matches, as in cleanup): a moved paragraph the character
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
        # The same diff with chance equalities folded (cleanup): what it
        # calls removed was removed, not kept by a shared space or accent.
        folded = cleanup(list(hunks))
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

    def candidate_windows(self, quote: str, errors: int, hint: int,
                          radius: int) -> list[tuple[int, int]]:
        """Inserted windows that may hold quote with at most errors edits:
        those within radius of hint, and big ones anywhere.

        The q-gram lemma filters them: an edit destroys at most 3 of a
        string's trigrams, so a window holding fewer than (distinct trigrams
        - 3 * errors) of the quote's cannot contain it.  A window's trigrams
        are taken once per diff, padded by a context's length, since a match
        need only be half inside inserted text; the part of a long quote that
        can stick out further is allowed for.  Best-stocked, nearest first.
        """
        first = bisect.bisect_left(self._window_ends, hint - radius)
        last = first
        while last < len(self.windows) and self.windows[last][0] <= hint + radius:
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

    def mostly_inserted(self, start: int, end: int) -> bool:
        """Whether at least half of new[start:end] is text the diff inserted."""
        return 2 * self.inserted_overlap(start, end) >= end - start
