"""Re-anchoring: moving annotations made on an old version of a text to
their places in the new one.

One deterministic diff of the old text against the new one (textdiff), every
offset mapped through it in one sorted sweep (diffmap), and a search only
for the spans the diff touched (quotes); without the old text, a
Hypothesis-style search of quote, prefix, suffix and position in the new
text.  Outcomes, thresholds and limits: docs/reanchoring.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from annotate.anchoring.diffmap import Diff

# Re-exported: the default of reanchor()'s min_score is part of its
# interface, and callers (the reanchor command) read it from this module.
from annotate.anchoring.quotes import DEFAULT_MIN_SCORE as DEFAULT_MIN_SCORE
from annotate.anchoring.quotes import (
    LONG_QUOTE,
    OCCURRENCE_LIMIT,
    Match,
    align,
    aligned_end,
    aligned_start,
    approx_search,
    locate,
    max_quote_errors,
    measure,
    nearest_occurrences,
    prefix_at,
    suffix_at,
)
from annotate.anchoring.textdiff import Differ, cleanup
from annotate.anchoring.textindex import context, splits_line_ending
from annotate.model import CONTEXT_LENGTH, Annotation

Outcome = Literal["exact", "fuzzy", "orphaned"]

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


@dataclass(frozen=True)
class Reanchored:
    """Where reanchor put one annotation, and how sure it is."""

    annotation: Annotation  # the updated record
    outcome: Outcome
    score: float  # 1.0 exact; the match score if fuzzy; the best seen (or 0.0) if orphaned


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
    hunks = Differ(old[old_lo:old_hi], new[new_lo:new_hi]).run()
    rest = (old_hi - old_lo) - (end - start)
    kept = rest - sum(a1 - a0 for a0, a1, _, _, _ in cleanup(list(hunks)))
    if rest == 0 or kept < min(MOVED_CONTEXT, (rest + 1) // 2):
        return False
    line = Diff(hunks, new[new_lo:new_hi])
    ((mapped, _, first, last),) = line.sweep([(start - old_lo, end - old_lo)])
    return not line.hunks_within(start - old_lo, end - old_lo, first, last) \
        and new_lo + mapped == at


def _only_occurrence(text: str, needle: str, at: int) -> bool:
    """Whether text holds needle at at and nowhere else."""
    return text.find(needle) == at and text.find(needle, at + 1) == -1


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
    best: Match | None = None
    for at in nearest_occurrences(old, quote, start):
        candidate = measure(old, at, at + len(quote), quote, annotation.prefix,
                            annotation.suffix, start)
        if candidate.exact and candidate.beats(best):
            best = candidate
    if best is not None and best.acceptable(len(quote), min_score):
        return best.start, best.end
    return None


@dataclass(frozen=True)
class _TouchedSpan:
    """A span an edit reached, with what the search for its new place needs."""

    annotation: Annotation
    old: str  # the old text
    diff: Diff  # of the old text against the new one
    span: tuple[int, int]  # where it stood in the old text
    block: tuple[int, int]  # the removed text around it (diffmap.Diff.removed)
    region: tuple[int, int] | None  # where the diff maps it, clipped; None if coarse
    hint: int  # where it would be if its block kept its proportions
    prefix: str  # its context in the old text
    suffix: str


class _Job:
    """One reanchor call: the new text and what every annotation needs."""

    def __init__(self, text: str, sha256: str, min_score: float) -> None:
        self.text = text
        self.sha256 = sha256
        self.min_score = min_score
        self.relocate_budget = RELOCATE_TOTAL_LIMIT

    def place(self, annotation: Annotation, match: Match) -> Reanchored:
        """The annotation moved to match: exact if verbatim, else fuzzy."""
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

    def orphan(self, annotation: Annotation, best: Match | None) -> Reanchored:
        """The annotation kept as it was, marked orphaned, with the best score seen."""
        score = 0.0 if best is None else round(best.score, 4)
        return Reanchored(annotation.replace(orphaned=True), "orphaned", score)

    def decide(self, annotation: Annotation, best: Match | None,
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
            match = measure(text, start, end, annotation.quote, *old_context, start)
            return self.decide(annotation, match, in_place=True)
        new_prefix, new_suffix = context(text, start, end)
        updated = annotation.replace(start=start, end=end, prefix=new_prefix,
                                     suffix=new_suffix, document_sha256=self.sha256,
                                     orphaned=False)
        return Reanchored(updated, "exact", 1.0)

    def in_place(self, span: _TouchedSpan, start: int, end: int,
                 keep: tuple[bool, bool]) -> Reanchored:
        """A span an edit reached but did not remove: it is where the diff
        maps it.  A boundary whose code point the edit kept is mapped; one
        inside an edit is aligned from the kept side (or both are, in
        [start, end), if neither was kept).  Not in text the diff kept
        anywhere else: an annotation on a name a copy-edit changed must not
        jump to another mention of the old name (hypothesis/h#2798, h#4328).

        Only if nothing acceptable is left here and most of its line went,
        the quote verbatim in inserted text, as moved (_moved_verbatim): a
        paragraph moved away can be paired by the diff with the one now in
        its place, and what the two share at their ends (the last words "in
        2023", the letters "ation", a full stop) then reads as a quarter of
        the quote kept."""
        annotation, prefix, suffix = span.annotation, span.prefix, span.suffix
        text, quote = self.text, annotation.quote
        length = len(quote)
        reach = length + max_quote_errors(length) + 2
        place: tuple[int, int] | None
        if keep == (True, True):
            place = (start, end)
        elif keep[0]:
            place = (start, aligned_end(text, quote, start, start + reach, end))
        elif keep[1]:
            place = (aligned_start(text, quote, end - reach, end, start), end)
        else:  # only the middle was kept: somewhere around it
            slack = max_quote_errors(length) + 2
            lo, hi = _clip(start - slack, end + slack, start, length, SEARCH_RADIUS)
            place = align(text, quote, lo, hi, start, end)
        match = None
        if place is not None and place[0] < place[1]:
            match = measure(text, place[0], place[1], quote, prefix, suffix, start)
        result = self.decide(annotation, match, in_place=True)
        if result.outcome == "orphaned" and self._line_went(span):
            moved, _ = self._moved_verbatim(span)
            if moved is not None:
                return self.place(annotation, moved)
        return result

    @staticmethod
    def _line_went(span: _TouchedSpan) -> bool:
        """Whether the diff removed most of the span's line (near it): its
        paragraph moved or was rewritten.  Only then is a span edited in
        place looked for as moved; one in a paragraph that stayed is not
        (and costs no scan of the text)."""
        lo, hi = _line_bounds(span.old, *span.span, 4 * CONTEXT_LENGTH)
        return 2 * span.diff.removed(lo, hi)[0] >= hi - lo

    def relocate(self, removed: _TouchedSpan) -> Reanchored:
        """A span whose text the diff removed (or could not follow): first
        what replaced it, where the diff maps it; then text the diff
        inserted, i.e. the span moved.  Never text the diff kept: that is
        the image of other old text, another mention of the same words, the
        jump users of Hypothesis complain about (hypothesis/h#2798).  Each
        stage below tries one of these; the first that finds a place wins."""
        found = self._in_replacement(removed)
        if found is None:
            found, best = self._moved_verbatim(removed)
            if found is None:
                return self.decide(removed.annotation, self._edited_in_inserted(removed, best))
        return self.place(removed.annotation, found)

    def _in_replacement(self, removed: _TouchedSpan) -> Match | None:
        """What replaced the span, where the diff maps it: a respelled word
        the character diff did not refine, or text the cleanup folded into
        a bigger edit.  Taken if verbatim or acceptable."""
        region = removed.region
        if region is None or region[1] <= region[0]:
            return None
        text, quote = self.text, removed.annotation.quote
        length = len(quote)
        slack = max_quote_errors(length) + 2
        place = align(text, quote, region[0] - slack, region[1] + slack, *region)
        if place is None:
            return None
        match = measure(text, place[0], place[1], quote, removed.prefix, removed.suffix,
                        removed.hint)
        if match.exact or match.acceptable(length, self.min_score):
            return match
        return None

    def _moved_verbatim(self, removed: _TouchedSpan) -> tuple[Match | None, Match | None]:
        """The quote verbatim in inserted text: moved with its context, else
        alone (_verbatim_in_inserted, whose best candidate comes back too)."""
        if removed.annotation.quote not in self.text:
            return None, None  # one scan of the text, not one per stage and side
        found = self._moved_with_its_context(removed)
        if found is not None:
            return found, None
        return self._verbatim_in_inserted(removed)

    def _moved_with_its_context(self, removed: _TouchedSpan) -> Match | None:
        """The quote with the text of its own line around it, verbatim, in
        inserted text: moved with its paragraph.

        That text itself is the context, so a quote at the edge of a moved
        paragraph is recognised even though its stored prefix or suffix came
        from elsewhere.  The context stops at the line's ends (a paragraph
        moved to the end of the text loses the blank line after it).  The
        whole line, the removed block in it (a sentence moved out of its
        paragraph), then both sides, else one side (the other may have been
        edited too), shorter and shorter, down to MOVED_CONTEXT (an edit near
        the quote inside the moved paragraph).

        The diff's boundaries do not cut the context: where text that moved
        equals text that stayed, the diff may pair the two and call the moved
        copy kept, an alignment as cheap as any other.  A paragraph moved
        away from between two others ends in "." as the one before it does;
        the diff may remove that one's full stop with the paragraph and keep
        the paragraph's own.  Cut to the removed block, a quote on all of the
        paragraph but its full stop had no context left and was orphaned
        though verbatim (the @examples of tests/test_reanchor_properties.py).
        Its old line beside it is evidence wherever the diff put it, and the
        quote or the quote with that context must be mostly inserted text:
        a paragraph moved where a deleted one stood is paired with it on
        their common words (" North Korea"), which then read as kept."""
        text, old, quote = self.text, removed.old, removed.annotation.quote
        length = len(quote)
        start, end = removed.span
        lo, hi = _line_bounds(old, start, end, CONTEXT_LENGTH)
        sides = [(lo, hi)]
        block = max(removed.block[0], lo), min(removed.block[1], hi)
        if block[1] - block[0] - length >= MOVED_CONTEXT:
            # Not a block that is little more than the quote: "so " deleted
            # with its space was found as the "so " of "also be".
            sides.append(block)
        for size in (CONTEXT_LENGTH, CONTEXT_LENGTH // 2, MOVED_CONTEXT):
            if start - lo >= size:
                sides.append((start - size, end))
            if hi - end >= size:
                sides.append((start, end + size))
        for side_lo, side_hi in dict.fromkeys(sides):
            if (side_lo, side_hi) == (start, end):
                continue
            offset = start - side_lo
            for at in nearest_occurrences(text, old[side_lo:side_hi], removed.hint - offset):
                if removed.diff.mostly_inserted(at + offset, at + offset + length) \
                        or removed.diff.mostly_inserted(at, at + side_hi - side_lo):
                    match = measure(text, at + offset, at + offset + length, quote,
                                    removed.prefix, removed.suffix, removed.hint)
                    if match.exact:
                        return match
        return None

    def _verbatim_in_inserted(self, removed: _TouchedSpan) -> tuple[Match | None, Match | None]:
        """The quote alone, verbatim, in inserted text: in its own paragraph,
        moved and edited around it (taken outright), or else told apart by
        its stored context (taken if acceptable), or else the one copy that
        cannot be mistaken (_unmistakable).  Returns the match to take, if
        any, and the best verbatim candidate seen, which an edited copy must
        then beat."""
        text, quote = self.text, removed.annotation.quote
        length = len(quote)
        best: Match | None = None
        places = nearest_occurrences(text, quote, removed.hint)
        for at in places:
            if not removed.diff.mostly_inserted(at, at + length):
                continue
            match = measure(text, at, at + length, quote, removed.prefix, removed.suffix,
                            removed.hint)
            if _moved_line(removed.old, removed.block, removed.span, text, at):
                return match, best
            if match.beats(best):
                best = match
            if match.exact and match.context_intact:
                break  # nothing further away can beat it
        if best is None:  # no copy in inserted text
            return None, best
        if best.acceptable(length, self.min_score):
            return best, best
        return self._unmistakable(removed, places), best

    def _unmistakable(self, removed: _TouchedSpan, places: list[int]) -> Match | None:
        """The one verbatim copy of the quote that no other can be taken
        for, if it is in inserted text: the only copy, of a quote of
        LONG_QUOTE or more that the old text held once too, or else the only
        copy with the old prefix or suffix intact beside it.

        The score threshold is there to tell an edited copy from another
        passage; it must not orphan text that is plainly still there because
        everything around it changed (a paragraph moved between other
        paragraphs, the words beside the quote edited too).  Hypothesis
        takes an exact match before any fuzzy one and lets the context
        choose among exact ones.  A shorter quote that is merely unique stays
        orphaned: it may be the same words written anew (docs/reanchoring.md,
        Limits)."""
        if len(places) >= OCCURRENCE_LIMIT:
            return None  # maybe more further away: none is known to be the only one
        text, quote = self.text, removed.annotation.quote
        length = len(quote)
        beside = [at for at in places if prefix_at(text, at, removed.prefix)
                  or suffix_at(text, at + length, removed.suffix)]
        if len(beside) == 1:
            at = beside[0]
        elif not beside and len(places) == 1 and length >= LONG_QUOTE \
                and _only_occurrence(removed.old, quote, removed.span[0]):
            at = places[0]
        else:
            return None
        if not removed.diff.mostly_inserted(at, at + length):
            return None  # the image of text the diff kept: another mention
        match = measure(text, at, at + length, quote, removed.prefix, removed.suffix,
                        removed.hint)
        return match if match.exact else None

    def _edited_in_inserted(self, removed: _TouchedSpan, best: Match | None) -> Match | None:
        """An edited copy of the quote in inserted text (moved, then
        edited): the best of those and best.

        Only windows that hold enough of the quote's trigrams to be within
        the edit cap are read, within RELOCATE_SCAN_LIMIT per span and the
        job's budget.  One bit-parallel pass per window finds every
        candidate in it (a match_main per window costs a bitap pass per
        error level and returns one place)."""
        text, quote = self.text, removed.annotation.quote
        errors = max_quote_errors(len(quote))
        slack = errors + 2
        scanned = 0
        for w0, w1 in removed.diff.candidate_windows(quote, errors, removed.hint,
                                                     SEARCH_RADIUS):
            if scanned > RELOCATE_SCAN_LIMIT or self.relocate_budget <= 0:
                break
            lo, hi = max(0, w0 - slack), min(len(text), w1 + slack)
            scanned += hi - lo
            self.relocate_budget -= hi - lo
            for at, stop, _ in approx_search(text, quote, errors, lo, hi):
                if removed.diff.mostly_inserted(at, stop):
                    match = measure(text, at, stop, quote, removed.prefix, removed.suffix,
                                    removed.hint)
                    if match.beats(best):
                        best = match
        return best

    def snap(self, match: Match, quote: str, prefix: str, suffix: str, hint: int) -> Match:
        """An edit at the edge of a quote leaves the aligner a choice (keep
        "x" of "xΩΩABC" or not); where the stored prefix and suffix stand
        intact around the match, the annotation is what lies between them."""
        if match.exact or match.context_intact:
            return match
        text = self.text
        reach = range(-(max_quote_errors(len(quote)) + 2), max_quote_errors(len(quote)) + 3)
        start, end = match.start, match.end
        for shift in sorted(reach, key=abs):
            if prefix_at(text, match.start + shift, prefix):
                start = match.start + shift
                break
        for shift in sorted(reach, key=abs):
            if 0 <= match.end + shift <= len(text) and suffix_at(text, match.end + shift, suffix):
                end = match.end + shift
                break
        if (start, end) == (match.start, match.end) or start >= end:
            return match
        snapped = measure(text, start, end, quote, prefix, suffix, hint)
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
        best: Match | None = None
        for at in nearest_occurrences(text, quote, hint):
            match = measure(text, at, at + length, quote, prefix, suffix, hint)
            if match.beats(best):
                best = match
            if match.exact and match.context_intact:
                break  # nothing further away can beat it
        if best is None or not (best.exact and best.context_intact):
            for at, stop in locate(text, quote, hint - SEARCH_RADIUS,
                                   hint + length + SEARCH_RADIUS, hint):
                match = measure(text, at, stop, quote, prefix, suffix, hint)
                if match.beats(best):
                    best = match
        if (best is None or not best.acceptable(length, self.min_score)) \
                and len(text) <= FULL_SCAN_LIMIT:
            for at, stop, _ in approx_search(text, quote, max_quote_errors(length)):
                match = measure(text, at, stop, quote, prefix, suffix, hint)
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
        found = _old_span(old_text, annotation, min_score)
        if found is None:  # not in the old text either: search the new one
            results[k] = job.search(annotation, annotation.start)
        else:
            located.append((k, found))
    diff = Diff(Differ(old_text, new_text).run(), new_text)
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
        # Where it would be if the block it was in kept its proportions.
        h = touched[0]
        width_a, width_b = diff.a1[h] - diff.a0[h], diff.b1[h] - diff.b0[h]
        hint = diff.b0[h] + (max(start, diff.a0[h]) - diff.a0[h]) * width_b // max(1, width_a)
        region = None if coarse else _clip(new_start, new_end, hint, len(annotation.quote),
                                           SEARCH_RADIUS)
        span = _TouchedSpan(annotation, old_text, diff, (start, end), block, region, hint,
                            prefix, suffix)
        # Edited in place if at least a quarter of it is still there: less
        # may be chance (a shared accent and full stop where a paragraph
        # was moved away), and such a span is looked for as moved as well
        # (as is one edited in place beyond recognition: in_place).
        if 4 * removed <= 3 * (end - start) and not coarse:
            head, tail = touched[0], touched[-1]
            keep = (not diff.a0[head] <= start < diff.a1[head],
                    not diff.a0[tail] < end <= diff.a1[tail])
            results[k] = job.in_place(span, new_start, new_end, keep)
        else:
            results[k] = job.relocate(span)
    return [result for result in results if result is not None]
