"""One diff of an old text against a new one, as hunks.

Lines first (diff_linesToChars-style: one symbol per distinct line), then
the changed lines word by word, then the changed words character by
character with diff_main, as diff-match-patch's own line mode does, with
changes that keep it fast, deterministic and faithful on large texts:

- unique lines and words anchor the alignment (patience diff, the chain
  covering the most text), so Myers' O(nd) runs only on small gaps: time
  grows with the text and the edits, not with their product;
- lines are aligned by anchors only, words by anchors, then runs of 8
  tokens, then Myers for mid-sized gaps; gaps small enough go to the exact
  character diff, whose result is kept only if it shares enough (else the
  shared letters are chance and the gap is one replacement);
- work budgets counted in steps replace Diff_Timeout; a word-level block
  no alignment was affordable for stays whole and is marked coarse: the
  diff is degraded there, and its spans are searched for, not mapped;
- an insertion or deletion that costs the same in several places goes to
  the one at a line break (_slide), where moved paragraphs begin and end.

The result is the exact diff (raw hunks, for mapping offsets) plus a
folded view (cleanup) that says what was removed rather than kept by
chance.

What the hunks say about offsets (where a span maps, what was removed and
inserted) is ``diffmap.Diff``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from diff_match_patch import diff_match_patch

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
# An insertion or a deletion that begins as the text after it does (or ends
# as the text before it) can slide along it at no cost; it is slid at most
# this far, to a line break (see _slide).
SLIDE_MAX = 256
# diff_cleanupSemanticScore's score of a line break; 5 a blank line, 6 an
# end of the text.
_LINE_BREAK_SCORE = 4

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
_MARK = re.compile(f"[{_MARKS}]")
_BLANK_LINE_END = re.compile(r"\n\r?\n\Z")
_BLANK_LINE_START = re.compile(r"\r?\n\r?\n")
_MAX_SYMBOLS = 0x10FFFF  # one code point per distinct token


def _dmp() -> diff_match_patch:
    dmp = diff_match_patch()
    # Never the clock: with a timeout, diff_main returns whatever it has when
    # time runs out, so the diff (and every outcome) would depend on the
    # machine's speed.  The budgets of Differ bound the work instead.
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


def cleanup(hunks: list[Hunk]) -> list[Hunk]:
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


def _may_cut(text: str, at: int) -> bool:
    """Whether an edit may begin or end at text[at]: not inside a CRLF pair,
    not before a combining mark (the word tokens keep those whole too)."""
    return not (0 < at < len(text) and (
        (text[at - 1] == "\r" and text[at] == "\n") or _MARK.match(text, at) is not None))


def _boundary_score(text: str, at: int) -> int:
    """How good a place text[at] is for an edit to begin or end:
    diff-match-patch's diff_cleanupSemanticScore (6 an end of the text, 5 a
    blank line, 4 a line break, 3 the end of a sentence, 2 a space, 1 other
    punctuation, 0 inside a word)."""
    if at == 0 or at == len(text):
        return 6
    one, two = text[at - 1], text[at]
    other1, other2 = not one.isalnum(), not two.isalnum()
    space1, space2 = other1 and one.isspace(), other2 and two.isspace()
    break1, break2 = space1 and one in "\r\n", space2 and two in "\r\n"
    if (break1 and _BLANK_LINE_END.search(text, max(0, at - 3), at)) \
            or (break2 and _BLANK_LINE_START.match(text, at)):
        return 5
    if break1 or break2:
        return 4
    if other1 and not space1 and space2:
        return 3
    if space1 or space2:
        return 2
    return 1 if other1 or other2 else 0


def _slide(hunks: list[Hunk], old: str, new: str) -> list[Hunk]:
    """Every insertion and deletion moved, among the places where it costs
    the same, to the one where its ends fall best (diff-match-patch's
    diff_cleanupSemanticLossless) if one of them then falls at a line
    break; else, or on a tie, it stays.

    Which of those places the alignment picks is chance, and it decides
    what reads as kept.  Two neighbouring paragraphs both end in ".": the
    one moved away from between them goes as "\\n\\n" + paragraph + "."
    rather than "." + "\\n\\n" + paragraph, which would leave its own full
    stop "kept"; a paragraph moved before one that begins with the same
    letter is inserted before that paragraph, not after its first letter,
    which would put the insertion inside a quote on its first word.

    Only to a line break, where moved paragraphs begin and end: within a
    line, the best place is a word's edge, where annotations begin and end,
    and one "ń" of "ńńń" deleted would move from inside a quote onto its
    first letter (found by hypothesis)."""
    out = list(hunks)
    for k, (a0, a1, b0, b1, coarse) in enumerate(out):
        if coarse or (a0 < a1) == (b0 < b1):
            continue  # a replacement: nothing to slide along
        if a0 < a1:  # a deletion slides along the old text, its place in the new with it
            text, other, start, end, at = old, new, a0, a1, b0
            lo = out[k - 1][1] if k else 0
            hi = out[k + 1][0] if k + 1 < len(out) else len(old)
        else:
            text, other, start, end, at = new, old, b0, b1, a0
            lo = out[k - 1][3] if k else 0
            hi = out[k + 1][2] if k + 1 < len(out) else len(new)
        left = 0
        while left < SLIDE_MAX and start - left > lo \
                and text[start - left - 1] == text[end - left - 1]:
            left += 1
        right = 0
        while right < SLIDE_MAX and end + right < hi and text[start + right] == text[end + right]:
            right += 1
        if not left and not right:
            continue
        best, best_key = 0, (-1, 0, 0)
        for shift in range(-left, right + 1):
            if not (_may_cut(text, start + shift) and _may_cut(text, end + shift)
                    and _may_cut(other, at + shift)):
                continue
            edges = _boundary_score(text, start + shift), _boundary_score(text, end + shift)
            if shift and max(edges) < _LINE_BREAK_SCORE:
                continue
            key = (sum(edges), -abs(shift), -shift)  # best ends, then the least moved
            if key > best_key:
                best, best_key = shift, key
        if best:
            out[k] = (a0 + best, a1 + best, b0 + best, b1 + best, False)
    return _merge(out)


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


class Differ:
    """One diff of two whole texts, as sorted hunks."""

    def __init__(self, old: str, new: str) -> None:
        self.old = old
        self.new = new
        self.dmp = _dmp()
        self.budget = DIFF_WORK_BASE + DIFF_WORK_PER_CHAR * (len(old) + len(new))
        self.hunks: list[Hunk] = []

    def run(self) -> list[Hunk]:
        """The hunks turning old into new, sorted, neighbours merged."""
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
        return _slide(_merge(self.hunks), old, new)

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
