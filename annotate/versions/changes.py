"""What changed between two versions of a text, word by word, grouped into
hunks with some context; pure.

One diff, the re-anchoring engine's (``anchoring.textdiff.Differ``: lines,
then words, then characters, with diff-match-patch's ``Diff_Timeout = 0``
and work counted in steps, so the same texts give the same diff on every
machine, in time that grows with the text and the edits, not their
product).  Its changes are then made readable:

- each is widened to whole words and whole grapheme clusters (a fixed
  typo reads ``[-tecnology-]{+technology+}``, not an "h" inserted, and no
  change begins with a combining mark or cuts a CRLF or a flag in two);
- equalities that are chance (a space between two replaced words) are
  folded into the changes around them (``textdiff.cleanup``), so a
  rewritten phrase reads as one replacement;
- changes less than ``2 * CONTEXT`` code points apart are one hunk, shown
  with up to ``CONTEXT`` code points of unchanged text either side, cut at
  a word's edge.

Every step keeps the changes exact: the unchanged text between two
changes is the same in both versions, so ``apply(old, hunks(...))`` is the
new text (tests/test_diff_properties.py).  Offsets are code points.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from annotate.anchoring.textindex import LineIndex, splits_grapheme

# Unchanged text shown either side of a hunk's changes: about a line of a
# terminal, enough to read the changed words in their sentence.
CONTEXT = 80

Op = Literal["equal", "delete", "insert"]
_WORDS = re.compile(r"\w+")
_SPACE = re.compile(r"\s")
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")  # a paragraph break


@dataclass(frozen=True)
class Change:
    """old[old_start:old_end] replaced by new[new_start:new_end] (either may be empty)."""

    old_start: int
    old_end: int
    new_start: int
    new_end: int
    coarse: bool = False  # in a block the diff could not afford to align (replaced whole)


@dataclass(frozen=True)
class Segment:
    """A piece of a hunk: unchanged text, or text the change removed or inserted."""

    op: Op
    text: str


@dataclass(frozen=True)
class Hunk:
    """Changes close together, with the unchanged text around and between them.

    old[old_start:old_end] is the text of the equal and delete segments,
    new[new_start:new_end] that of the equal and insert segments; lines and
    columns (1-based) are those of old_start and new_start.
    """

    old_start: int
    old_end: int
    new_start: int
    new_end: int
    old_line: int
    old_column: int
    new_line: int
    new_column: int
    segments: tuple[Segment, ...]
    changes: tuple[int, ...]  # indices into the list of changes
    cut_before: bool  # the context before was cut inside a line (shown with "…")
    cut_after: bool
    coarse: bool  # a change in it is a block the diff could not afford to align


def _is_word(char: str) -> bool:
    # \w, and combining marks, which belong to the letter before them.
    return char.isalnum() or char == "_" or unicodedata.category(char)[0] == "M"


def _boundary(text: str, at: int) -> bool:
    """Whether a change may begin or end at text[at]: not inside a word, not
    inside a grapheme cluster (an accent, an emoji sequence, a flag, CRLF)."""
    if at <= 0 or at >= len(text):
        return True
    if _is_word(text[at - 1]) and _is_word(text[at]):
        return False
    return not splits_grapheme(text, at)


def _fold(changes: list[Change]) -> list[Change]:
    from annotate.anchoring.textdiff import cleanup

    folded = cleanup([(c.old_start, c.old_end, c.new_start, c.new_end, c.coarse)
                      for c in changes])
    return [Change(*hunk) for hunk in folded]


def word_changes(old: str, new: str) -> list[Change]:
    """The changes turning old into new, in order, widened to whole words."""
    from annotate.anchoring.textdiff import Differ

    raw = Differ(old, new).run()
    widened: list[Change] = []
    for k, (a0, a1, b0, b1, coarse) in enumerate(raw):
        # Widen over unchanged text only: back to the change before (already
        # widened) and on to the next one, where the next turn goes on.
        low = widened[-1].old_end if widened else 0
        high = raw[k + 1][0] if k + 1 < len(raw) else len(old)
        while a0 > low and not (_boundary(old, a0) and _boundary(new, b0)):
            a0, b0 = a0 - 1, b0 - 1
        while a1 < high and not (_boundary(old, a1) and _boundary(new, b1)):
            a1, b1 = a1 + 1, b1 + 1
        if widened and widened[-1].old_end == a0:
            last = widened.pop()
            a0, b0, coarse = last.old_start, last.new_start, coarse or last.coarse
        widened.append(Change(a0, a1, b0, b1, coarse))
    return _fold(widened)


def _context_start(text: str, end: int, limit: int) -> int:
    """Where the context before text[end] begins: at most limit back, and not
    before the paragraph the change is in (unless it begins the paragraph:
    then the end of the one before shows where it is); when that cuts a
    line, after white space (never inside a word or a grapheme cluster)."""
    start = max(0, end - limit)
    for blank in reversed(list(_BLANK_LINE.finditer(text, start, end))):
        if text[blank.end():end].strip():
            return blank.end()
    if start > 0 and text[start - 1] != "\n":
        space = _SPACE.search(text, start, end)
        start = end if space is None else space.end()  # no half word
    while start < end and splits_grapheme(text, start):
        start += 1  # the LF of a CRLF
    return start


def _context_end(text: str, start: int, limit: int) -> int:
    """Where the context after text[start] ends: as _context_start, mirrored."""
    end = min(len(text), start + limit)
    for blank in _BLANK_LINE.finditer(text, start, end):
        if text[start:blank.start()].strip():
            end = blank.start()
            break
    if end < len(text) and text[end] not in "\r\n":
        spaces = [m.start() for m in _SPACE.finditer(text, start, end + 1)]
        end = spaces[-1] if spaces else start
    while end > start and splits_grapheme(text, end):
        end -= 1  # the CR of a CRLF
    return end


def group(old: str, new: str, changes: Sequence[Change],
          context: int = CONTEXT) -> list[Hunk]:
    """The changes in hunks: neighbours less than 2 * context apart together,
    each hunk with up to ``context`` code points of unchanged text either
    side (within that, from a word's edge)."""
    if not changes:
        return []
    old_lines, new_lines = LineIndex(old), LineIndex(new)
    runs: list[list[int]] = [[0]]
    for k in range(1, len(changes)):
        if changes[k].old_start - changes[k - 1].old_end <= 2 * context:
            runs[-1].append(k)
        else:
            runs.append([k])
    hunks = []
    for run in runs:
        first, last = changes[run[0]], changes[run[-1]]
        before = first.old_start - _context_start(old, first.old_start, context)
        after = _context_end(old, last.old_end, context) - last.old_end
        segments: list[Segment] = []
        if before:
            segments.append(Segment("equal", old[first.old_start - before:first.old_start]))
        for position, k in enumerate(run):
            change = changes[k]
            if position:
                gap = old[changes[run[position - 1]].old_end:change.old_start]
                if gap:
                    segments.append(Segment("equal", gap))
            if change.old_end > change.old_start:
                segments.append(Segment("delete", old[change.old_start:change.old_end]))
            if change.new_end > change.new_start:
                segments.append(Segment("insert", new[change.new_start:change.new_end]))
        if after:
            segments.append(Segment("equal", old[last.old_end:last.old_end + after]))
        old_start, new_start = first.old_start - before, first.new_start - before
        old_end, new_end = last.old_end + after, last.new_end + after
        hunks.append(Hunk(
            old_start, old_end, new_start, new_end,
            *old_lines.position(old_start), *new_lines.position(new_start),
            tuple(segments), tuple(run),
            cut_before=old_start > 0 and old[old_start - 1] != "\n",
            cut_after=old_end < len(old) and old[old_end] not in "\r\n",
            coarse=any(changes[k].coarse for k in run)))
    return hunks


def apply(old: str, hunks: Sequence[Hunk]) -> str:
    """old with every hunk's new side in place of its old side."""
    pieces: list[str] = []
    at = 0
    for hunk in hunks:
        pieces.append(old[at:hunk.old_start])
        pieces.extend(s.text for s in hunk.segments if s.op != "delete")
        at = hunk.old_end
    pieces.append(old[at:])
    return "".join(pieces)


def words(text: str) -> int:
    """How many words (runs of \\w) text holds, for the summary."""
    return sum(1 for _ in _WORDS.finditer(text))


@dataclass(frozen=True)
class TextChanges:
    """Everything `annotate diff` shows of two texts' differences."""

    changes: tuple[Change, ...]
    texts: tuple[tuple[str, str], ...]  # each change's removed and inserted text
    hunks: tuple[Hunk, ...]
    removed_characters: int
    inserted_characters: int
    removed_words: int
    inserted_words: int

    @property
    def identical(self) -> bool:
        """True when nothing changed."""
        return not self.changes

    @property
    def coarse(self) -> bool:
        """Whether some change is a block the diff could not afford to align."""
        return any(change.coarse for change in self.changes)


def compare(old: str, new: str, context: int = CONTEXT) -> TextChanges:
    """The word-level changes of old -> new, in hunks, with their totals."""
    changes = word_changes(old, new)
    removed = [old[c.old_start:c.old_end] for c in changes]
    inserted = [new[c.new_start:c.new_end] for c in changes]
    return TextChanges(
        tuple(changes), tuple(zip(removed, inserted, strict=True)),
        tuple(group(old, new, changes, context)),
        sum(map(len, removed)), sum(map(len, inserted)),
        sum(map(words, removed)), sum(map(words, inserted)))
