"""Positions: where the reviewers of one document marked the same thing.

Every reviewer's spans of one document are grouped into positions.  Two spans
belong together when they are identical or overlap by at least ``min_overlap``
(character Jaccard, |A∩B| / |A∪B|, offsets in code points, end exclusive).

The rule, and why (issue 9, item 2)
-----------------------------------
Overlap alone chains: a sentence overlaps a clause, which overlaps the next
clause, and single linkage would make a paragraph one position.  So every
position has a **core**, one span its members are measured against, and a
span joins a position only if its Jaccard with that core reaches the
threshold -- never through another member:

1. Identical spans are one *extent*; its *support* is how many distinct
   reviewers chose it.
2. Extents are ranked by support (most first), then length (shortest
   first), then start.  In that order, an extent not yet in a position
   becomes the core of a new one and takes in every extent not yet placed
   whose Jaccard with it is at least ``min_overlap``.

What this guarantees:

- every member's span has Jaccard >= ``min_overlap`` with the core;
- any two members have Jaccard >= 2 * ``min_overlap`` - 1 (the Jaccard
  distance is a metric); at the default 0.5 each member covers at least
  half of the core, so any two members overlap or at least meet;
- a long span never gathers short ones: a span's Jaccard with another is at
  most shorter/longer, so a core only takes in spans whose length is within
  a factor ``min_overlap`` of its own, and a paragraph-long span is a
  position of its own beside the clauses inside it;
- cores are pairwise below the threshold: no two positions could have been
  one;
- the core is the span most reviewers chose (ties: the shortest, then the
  earliest), which is also the position's ``start``/``end``;
- the result depends only on the set of spans, not their order.

Default threshold: ``DEFAULT_MIN_OVERLAP`` = 0.5, the usual cut for "the same
span" (the IoU >= 0.5 of detection benchmarks): two reviewers who trim or add
a few words of one clause match; a clause and the whole sentence around it
(less than half of it) do not.

Position ids
------------
``p<start>-<end>`` of the core, e.g. ``p1520-1544``.  The id is a function of
the core alone, not of labels, reviewer names or annotation ids, so it stays
the same while the core stays the core: when reviewers change a label, add
the same span, or add spans that do not outrank the core.  Adding a span
whose Jaccard with every existing span is below the threshold (anything
"elsewhere", even a span touching this one) changes no existing position.
It changes when another span of the position comes to have more reviewers
than the core (or as many and is shorter): the editor's decision for the
old id is then reported as orphaned, naming the new id as the nearest.
Ids are unique in a document (cores are distinct spans), readable, and
sortable into text order by their numbers; ``parse_position_id`` reads one
back.  An editor's decision is stored with the span of its position (as
annotations are, so re-anchoring moves it); its key after re-anchoring is
``position_id(start, end)`` of the moved span.

Cost
----
A sort and a windowed search, never all pairs.  A span B can reach Jaccard t
with a core C of length L only if t*L <= len(B) <= L/t and
C.end - L/t <= B.start <= C.end - t*L.  Extents are kept in buckets by
length (powers of two), each sorted by start; a core binary-searches that
window in the few buckets its length allows and visits only extents not yet
placed (a path-compressed "next unplaced" pointer skips the rest).  Each extent
is placed once; a visit that does not place it comes from a core whose
length is within a factor 2/t of its own and whose start is within a few
core lengths of its start, and cores are pairwise below the threshold, so
only a bounded number of them fit there (a packing bound that depends on t
alone, growing as t nears 0 or 1): O(n log n) in all, the sort dominating.
At ``min_overlap`` = 1 only identical spans match, which step 1 already
grouped, so nothing is searched.
``Assignment.checks`` counts the visits; the tests and the benchmark bound it.
"""

from __future__ import annotations

import bisect
import operator
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal, TypedDict

# Re-exported: merge.consensus pauses the collector from here too.
from annotate.gcpause import cyclic_gc_paused as cyclic_gc_paused
from annotate.model import Annotation

Status = Literal["agreed", "conflict", "incomplete", "stacked"]
STATUSES: tuple[Status, ...] = ("agreed", "conflict", "incomplete", "stacked")

DEFAULT_MIN_OVERLAP = 0.5

Extent = tuple[int, int]  # (start, end), code points, end exclusive

_POSITION_ID = re.compile(r"p(0|[1-9][0-9]*)-(0|[1-9][0-9]*)")


class _StackedLabels(TypedDict, total=False):
    # Reviewer (of ``stacked``) -> the labels of all their spans here, in
    # the order of the spans: ``labels`` holds one label a reviewer.
    stacked_labels: dict[str, list[str]]


class PositionRecord(_StackedLabels):
    """The JSON shape of one position (without its decision)."""

    id: str
    status: Status
    start: int
    end: int
    quote: str
    labels: dict[str, str]
    missing: list[str]
    stacked: list[str]


@dataclass(frozen=True)
class Position:
    """A place in a document where reviewers marked the same thing, and how they agree."""

    id: str
    start: int  # the core: the span most reviewers chose here
    end: int
    quote: str
    status: Status
    # Every annotation grouped here, sorted by (reviewer, start, end, id).
    members: tuple[Annotation, ...]
    # Each reviewer who marked it -> the annotation that is their vote: their
    # only span here, or for a stacked reviewer the one nearest the core.
    voting: Mapping[str, Annotation] = field(hash=False)
    # Reviewer -> the label of their vote, sorted by reviewer: read once, when
    # grouping, as deciding and measuring ask it of every position (reaching
    # 100,000 annotations' labels again costs 0.07 s).
    labels: Mapping[str, str] = field(hash=False)
    # Reviewers of the document who did not mark it ("did not annotate" is data).
    missing: tuple[str, ...]
    # Reviewers with more than one span here.
    stacked: tuple[str, ...]

    @property
    def disputed(self) -> bool:
        """Whether the spans here carry more than one label (a conflict, stacked or not)."""
        first = self.members[0].label
        return any(member.label != first for member in self.members)

    @property
    def complete(self) -> bool:
        """Whether every reviewer of the document marked it."""
        return not self.missing

    def to_record(self) -> PositionRecord:
        """The JSON record of the position (with ``stacked_labels`` if a reviewer
        has several spans here: every label of theirs, which ``labels`` cannot say)."""
        record: PositionRecord = {
            "id": self.id, "status": self.status, "start": self.start, "end": self.end,
            "quote": self.quote, "labels": dict(self.labels), "missing": list(self.missing),
            "stacked": list(self.stacked)}
        if self.stacked:
            theirs: dict[str, dict[str, None]] = {reviewer: {} for reviewer in self.stacked}
            for member in self.members:
                if member.reviewer in theirs:
                    theirs[member.reviewer][member.label] = None
            record["stacked_labels"] = {reviewer: list(labels)
                                        for reviewer, labels in theirs.items()}
        return record


@dataclass(frozen=True)
class Assignment:
    """Which core each extent joined, and how many candidate checks it took."""

    core_of: dict[Extent, Extent]
    checks: int


def jaccard(a: Extent, b: Extent) -> float:
    """|a∩b| / |a∪b| of two non-empty spans taken as sets of code points."""
    inter = min(a[1], b[1]) - max(a[0], b[0])
    if inter <= 0:
        return 0.0
    # Overlapping intervals: the union is one interval.
    return inter / (max(a[1], b[1]) - min(a[0], b[0]))


def position_id(start: int, end: int) -> str:
    """The id of the position whose core is start..end, e.g. p1520-1544."""
    return f"p{start}-{end}"


def parse_position_id(text: str) -> Extent | None:
    """The core span a position id names, or None if it is not one."""
    found = _POSITION_ID.fullmatch(text)
    if found is None:
        return None
    start, end = int(found.group(1)), int(found.group(2))
    return (start, end) if start < end else None


def check_min_overlap(min_overlap: float) -> None:
    """Raise ValueError unless 0 < min_overlap <= 1."""
    if not 0 < min_overlap <= 1:
        raise ValueError(f"min_overlap must be in (0, 1], got {min_overlap!r}")


def group(annotations: Iterable[Annotation], reviewers: Iterable[str],
          min_overlap: float = DEFAULT_MIN_OVERLAP) -> list[Position]:
    """One document's annotations grouped into positions, sorted by (start, end)."""
    check_min_overlap(min_overlap)
    with cyclic_gc_paused():
        by_code = _by_code(annotations)
        support = {code: 1 if len(members) == 1 else len({a.reviewer for a in members})
                   for code, members in by_code.items()}
        return _build(by_code, _assign(support, min_overlap)[0], reviewers)


# Inside the sweep a span is one int, start << 32 | end: ints sort in
# (start, end) order, hash as themselves and need no tuple; at 100,000 spans
# sorting tuples took three times as long (benchmarks/bench_merge.py).
_SHIFT = 32
_LOW = (1 << _SHIFT) - 1
# The largest offset a span may have to be grouped (a 4 GiB text).
MAX_OFFSET = _LOW
# A core's rank is one int too: (most - support) << 80 | length << 40 | start.
_RANK = 40
_RANK_LOW = (1 << _RANK) - 1


_REVIEWER = operator.attrgetter("reviewer")
_LABEL = operator.attrgetter("label")
_FIRST = operator.itemgetter(0)


def _code(start: int, end: int) -> int:
    return start << _SHIFT | end


def _extent(code: int) -> Extent:
    return code >> _SHIFT, code & _LOW


def _by_code(annotations: Iterable[Annotation]) -> dict[int, list[Annotation]]:
    """Annotations by the code of their span; empty or reversed spans are a ValueError."""
    by_code: dict[int, list[Annotation]] = {}
    for annotation in annotations:
        start, end = annotation.start, annotation.end
        if not 0 <= start < end <= _LOW:
            # Jaccard is undefined for an empty span, and the rule book
            # refuses them; reaching here is a caller's bug.
            raise ValueError(f"{annotation.reviewer}/{annotation.id}: empty span or offsets "
                             f"out of range: {start}..{end}")
        code = start << _SHIFT | end
        same = by_code.get(code)
        if same is None:
            by_code[code] = [annotation]
        else:
            same.append(annotation)
    return by_code


def extents(annotations: Iterable[Annotation]) -> dict[Extent, list[Annotation]]:
    """Annotations by their (start, end); empty or reversed spans are a ValueError."""
    return {_extent(code): members for code, members in _by_code(annotations).items()}


def extent_support(by_extent: Mapping[Extent, list[Annotation]]) -> dict[Extent, int]:
    """Extent -> how many distinct reviewers chose it."""
    return {extent: len({a.reviewer for a in members}) for extent, members in by_extent.items()}


def core_rank(support: Mapping[Extent, int]) -> list[Extent]:
    """Extents in the order they are offered as cores: support, then shortest, then earliest."""
    return sorted(support, key=lambda e: (-support[e], e[1] - e[0], e[0]))


class _Bucket:
    """Spans of one length class, sorted, with a skip list past the placed ones."""

    __slots__ = ("codes", "following", "starts")

    def __init__(self, codes: list[int]) -> None:
        self.codes = codes
        self.starts = [code >> _SHIFT for code in codes]
        # following[i] leads to the first unplaced index >= i (len = sentinel).
        self.following = list(range(len(codes) + 1))

    def unplaced(self, index: int) -> int:
        """The first index >= index whose span is not placed yet."""
        root = index
        following = self.following
        while following[root] != root:
            root = following[root]
        while following[index] != root:  # path compression
            following[index], index = root, following[index]
        return root

    def place(self, index: int) -> None:
        """Mark the span at index as placed."""
        self.following[index] = index + 1


def assign_cores(support: Mapping[Extent, int], min_overlap: float) -> Assignment:
    """Each extent's core under the rule in the module docstring, by the windowed sweep."""
    core_of, checks = _assign({_code(*extent): n for extent, n in support.items()},
                              min_overlap)
    return Assignment({_extent(code): _extent(core) for code, core in core_of.items()}, checks)


def _assign(support: Mapping[int, int], t: float) -> tuple[dict[int, int], int]:
    """Span code -> its core's code, and the number of candidate checks."""
    check_min_overlap(t)
    classes: dict[int, list[int]] = defaultdict(list)
    for code in sorted(support):
        classes[((code & _LOW) - (code >> _SHIFT)).bit_length() - 1].append(code)
    buckets = {k: _Bucket(codes) for k, codes in classes.items()}
    index = {code: i for bucket in buckets.values() for i, code in enumerate(bucket.codes)}
    most = max(support.values(), default=0)
    ranked = sorted((most - n) << 2 * _RANK | ((code & _LOW) - (code >> _SHIFT)) << _RANK
                    | code >> _SHIFT for code, n in support.items())
    core_of: dict[int, int] = {}
    checks = 0
    for rank in ranked:
        start = rank & _RANK_LOW
        length = rank >> _RANK & _RANK_LOW
        end = start + length
        core = start << _SHIFT | end
        if core in core_of:
            continue
        core_of[core] = core
        buckets[length.bit_length() - 1].place(index[core])
        if t >= 1:
            continue  # only identical spans match, and they are one code already
        extent = (start, end)
        # The necessary window (module docstring), widened by one for float
        # rounding: the exact test below decides.
        lowest, highest = end - length / t - 1, end - t * length + 1
        first_class = max(1, int(t * length) - 1).bit_length() - 1
        last_class = (int(length / t) + 1).bit_length() - 1
        for k in range(first_class, last_class + 1):
            bucket = buckets.get(k)
            if bucket is None:
                continue
            codes, starts = bucket.codes, bucket.starts
            size = len(codes)
            i = bucket.unplaced(bisect.bisect_left(starts, lowest))
            while i < size and starts[i] <= highest:
                checks += 1
                code = codes[i]
                if jaccard((starts[i], code & _LOW), extent) >= t:
                    core_of[code] = core
                    bucket.place(i)
                i = bucket.unplaced(i + 1)
    return core_of, checks


def build_positions(by_extent: Mapping[Extent, list[Annotation]],
                    core_of: Mapping[Extent, Extent],
                    reviewers: Iterable[str]) -> list[Position]:
    """Positions from extents and their cores, sorted by (start, end)."""
    return _build({_code(*extent): members for extent, members in by_extent.items()},
                  {_code(*extent): _code(*core) for extent, core in core_of.items()},
                  reviewers)


def _build(by_code: Mapping[int, list[Annotation]], core_of: Mapping[int, int],
           reviewers: Iterable[str]) -> list[Position]:
    gathered: dict[int, list[Annotation]] = defaultdict(list)
    for code, core in core_of.items():
        gathered[core].extend(by_code[code])
    everyone = set(reviewers)
    found: list[tuple[Extent, list[Annotation], dict[str, Annotation], dict[str, str],
                      list[str], bool]] = []
    for core in sorted(gathered):
        extent = _extent(core)
        here = gathered[core]
        # Reviewers and labels read in C (map, attrgetter): at 100,000 spans
        # a Python loop over the members costs twice as much.
        names = list(map(_REVIEWER, here))
        marked = list(map(_LABEL, here))
        disputed = len(set(marked)) > 1
        voting: dict[str, Annotation]
        if len(set(names)) == len(names):
            # Each reviewer once (the common case): their span is their vote.
            ordered = sorted(zip(names, here, marked, strict=True), key=_FIRST)
            voting = {name: member for name, member, _ in ordered}
            everyone.update(names)
            found.append((extent, list(voting.values()), voting,
                          {name: label for name, _, label in ordered}, [], disputed))
            continue
        theirs: dict[str, list[Annotation]] = {}
        for name, member in zip(names, here, strict=True):
            theirs.setdefault(name, []).append(member)
        members: list[Annotation] = []
        voting = {}
        stacked: list[str] = []
        for reviewer in sorted(theirs):
            spans = theirs[reviewer]
            if len(spans) == 1:  # the common case, spared two sorts
                voting[reviewer] = spans[0]
                members.append(spans[0])
                continue
            stacked.append(reviewer)
            spans.sort(key=lambda a: (a.start, a.end, a.id))
            members.extend(spans)
            voting[reviewer] = min(spans, key=lambda a: (-jaccard((a.start, a.end), extent),
                                                         a.end - a.start, a.start, a.id))
        everyone.update(voting)  # the annotations' reviewers are the document's
        found.append((extent, members, voting,
                      {reviewer: vote.label for reviewer, vote in voting.items()}, stacked,
                      disputed))
    positions = []
    for (start, end), members, voting, labels, stacked, disputed in found:
        missing = tuple(sorted(everyone.difference(voting)))
        status: Status = ("stacked" if stacked else "conflict" if disputed
                          else "incomplete" if missing else "agreed")
        positions.append(Position(
            id=position_id(start, end), start=start, end=end,
            quote=by_code[start << _SHIFT | end][0].quote, status=status,
            members=tuple(members), voting=voting, labels=labels, missing=missing,
            stacked=tuple(stacked)))
    return positions
