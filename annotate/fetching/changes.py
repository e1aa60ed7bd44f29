"""Which paragraphs a new version of an article added, removed or edited.

A paragraph is a run of text between blank lines.  The two versions'
paragraphs are aligned with difflib (no junk heuristic: news text repeats
short paragraphs); inside each replaced run, paragraphs are paired, in
order, when at least ``SIMILAR`` of their words match (an edit), the best
pairing first; the rest were removed or added.  Word-level detail of each
edit is `annotate diff`'s job; this is the summary `refetch` prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

SIMILAR = 0.5
# A replaced run larger than this many pairs is not paired (removed + added):
# pairing is quadratic in the run's size.
MAX_PAIRS = 2500

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_WORDS = re.compile(r"\w+|[^\w\s]")

Kind = Literal["added", "removed", "edited"]


@dataclass(frozen=True)
class ParagraphChange:
    """One paragraph added, removed or edited; numbers count from 1 in each version."""

    kind: Kind
    old_number: int | None
    new_number: int | None
    old: str | None
    new: str | None


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a text: separated by blank lines, blank ones dropped."""
    return [p.strip() for p in _PARAGRAPH_BREAK.split(text) if p.strip()]


def paragraph_changes(old_text: str, new_text: str) -> tuple[ParagraphChange, ...]:
    """Every paragraph added, removed or edited from ``old_text`` to ``new_text``,
    in the order they appear."""
    from difflib import SequenceMatcher

    old, new = paragraphs(old_text), paragraphs(new_text)
    changes: list[ParagraphChange] = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for opcode, i1, i2, j1, j2 in matcher.get_opcodes():
        if opcode == "equal":
            continue
        pairs = _pairs(old[i1:i2], new[j1:j2])
        i, j = i1, j1
        for a, b in [*pairs, (i2 - i1, j2 - j1)]:
            changes.extend(ParagraphChange("removed", k + 1, None, old[k], None)
                           for k in range(i, i1 + a))
            changes.extend(ParagraphChange("added", None, k + 1, None, new[k])
                           for k in range(j, j1 + b))
            if a < i2 - i1 and b < j2 - j1:
                changes.append(ParagraphChange("edited", i1 + a + 1, j1 + b + 1,
                                               old[i1 + a], new[j1 + b]))
            i, j = i1 + a + 1, j1 + b + 1
    return tuple(changes)


def _pairs(old: list[str], new: list[str]) -> list[tuple[int, int]]:
    """Indices (in old, in new) of the paragraphs paired as edits: increasing in
    both, each pair at least SIMILAR alike, the most alike in total."""
    if not old or not new or len(old) * len(new) > MAX_PAIRS:
        return []
    score = [[_similarity(a, b) for b in new] for a in old]
    # best[i][j]: the best total pairing old[i:] with new[j:].
    best = [[0.0] * (len(new) + 1) for _ in range(len(old) + 1)]
    for i in range(len(old) - 1, -1, -1):
        for j in range(len(new) - 1, -1, -1):
            paired = score[i][j] + best[i + 1][j + 1] if score[i][j] >= SIMILAR else 0.0
            best[i][j] = max(best[i + 1][j], best[i][j + 1], paired)
    pairs = []
    i = j = 0
    while i < len(old) and j < len(new):
        if score[i][j] >= SIMILAR and best[i][j] == score[i][j] + best[i + 1][j + 1]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


def _similarity(a: str, b: str) -> float:
    from difflib import SequenceMatcher

    words_a, words_b = _WORDS.findall(a), _WORDS.findall(b)
    if not words_a or not words_b:
        return 0.0
    return SequenceMatcher(None, words_a, words_b, autojunk=False).ratio()
