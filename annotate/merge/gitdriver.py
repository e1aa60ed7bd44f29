"""Three-way merge of one annotation file by annotation id, and of one
decisions file by position, for git (issue 9, item 5).

Git's own merge works on lines, and two branches that each add a record to
the same reviewer file conflict there although nothing disagrees.  Records
carry ids, so we merge by id instead: git hands the driver the ancestor
(%O), ours (%A) and theirs (%B); each is read by the strict reader, and per
id:

* the same on both sides (unchanged, changed alike, deleted by both): kept so;
* changed (added, edited or deleted) on one side only: that side's change;
* changed differently on both sides (edited two ways, added twice with
  different contents, deleted on one side and edited on the other): a
  conflict.

Records are compared whole (``Annotation`` equality): an edit of any field
counts.  An editor's decisions file (decisions.json) is merged the same way,
keyed by the position each decision decides: two editors who resolve
different positions on two branches merge cleanly; the same position
decided two ways is a conflict, both decisions kept (validate and every
reader then report AN316 at the second).  Pure: texts in, texts out; the
command reads and writes the files.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from annotate.decisions import dump_decisions
from annotate.errors import CorruptFileError
from annotate.model import Annotation, StoredDecision
from annotate.records import dump_annotations, parse_annotation_text

Record = TypeVar("Record", Annotation, StoredDecision)


@dataclass(frozen=True)
class Conflict(Generic[Record]):
    """One record (an annotation by id, a decision by position) changed
    differently on both sides; None: deleted (or never added) there."""

    id: str  # the annotation's id, or the position id (p<start>-<end>) decided
    ancestor: Record | None
    ours: Record | None
    theirs: Record | None

    def versions(self) -> tuple[Record, Record]:
        """The two records the conflict file holds for this id: ours, then theirs.

        A side that deleted the record has no version of its own; the
        ancestor stands in for it, so the id still appears twice and
        validate points at both lines.
        """
        stand_in = self.ancestor
        ours, theirs = self.ours or stand_in, self.theirs or stand_in
        assert ours is not None and theirs is not None  # two absent sides never conflict
        return ours, theirs


@dataclass(frozen=True)
class ThreeWayMerge:
    """What merging three versions of an annotation file gives: the agreed
    records and the conflicts."""

    merged: tuple[Annotation, ...]
    conflicts: tuple[Conflict[Annotation], ...]
    decisions = False  # an annotation file's records, keyed by id

    def text(self) -> str:
        """The file to leave: sorted and canonical; each conflict as two records of one id."""
        records = list(self.merged)
        for conflict in self.conflicts:
            records.extend(conflict.versions())
        # dump_annotations sorts stably by id, so ours stays before theirs.
        return dump_annotations(records)


@dataclass(frozen=True)
class DecisionsMerge:
    """What merging three versions of a decisions file gives (see ThreeWayMerge)."""

    document: str
    merged: tuple[StoredDecision, ...]
    conflicts: tuple[Conflict[StoredDecision], ...]
    decisions = True  # keyed by the position decided

    def text(self) -> str:
        """The file to leave, as `annotate resolve` writes it; each conflict as
        two decisions of one position (in the file's order: by time)."""
        decisions = list(self.merged)
        for conflict in self.conflicts:
            decisions.extend(conflict.versions())
        return dump_decisions(self.document, decisions)


def merge_annotations(ancestor: Sequence[Annotation], ours: Sequence[Annotation],
                      theirs: Sequence[Annotation]) -> ThreeWayMerge:
    """Merge two sides' records against their common ancestor, id by id."""
    merged, conflicts = _merge_by_key(*({a.id: a for a in side}
                                        for side in (ancestor, ours, theirs)))
    return ThreeWayMerge(tuple(merged), tuple(conflicts))


def merge_decisions(document: str, ancestor: Sequence[StoredDecision],
                    ours: Sequence[StoredDecision], theirs: Sequence[StoredDecision]
                    ) -> DecisionsMerge:
    """Merge two sides' decisions against their common ancestor, position by position."""
    merged, conflicts = _merge_by_key(*({_decision_key(d): d for d in side}
                                        for side in (ancestor, ours, theirs)))
    return DecisionsMerge(document, tuple(merged), tuple(conflicts))


def _decision_key(decision: StoredDecision) -> str:
    """The position a decision decides; an orphaned one (which decides none) is
    known by its last span, editor and time."""
    if decision.orphaned:
        return f"{decision.position} (orphaned, by {decision.editor} at {decision.time})"
    return decision.position


def _merge_by_key(base: Mapping[str, Record], mine: Mapping[str, Record],
                  other: Mapping[str, Record]
                  ) -> tuple[list[Record], list[Conflict[Record]]]:
    """The records both sides agree on (or one side alone changed), and the conflicts."""
    merged: list[Record] = []
    conflicts: list[Conflict[Record]] = []
    for key in sorted(base.keys() | mine.keys() | other.keys()):
        old, left, right = base.get(key), mine.get(key), other.get(key)
        if left == right or right == old:
            kept = left
        elif left == old:
            kept = right
        else:
            conflicts.append(Conflict(key, old, left, right))
            continue
        if kept is not None:
            merged.append(kept)
    return merged, conflicts


def parse_side(text: str, shown_path: str) -> list[Annotation]:
    """One version's records, strictly parsed; an id repeated within it is an error.

    Merging by id needs one record per id: a file that repeats an id (an
    unresolved conflict committed as it was, or a copied line) is refused
    rather than guessed at.
    """
    annotations = parse_annotation_text(text, shown_path)
    # parse_annotation_text skips blank lines: the n-th record is on the n-th
    # non-blank line.
    lines = [number for number, line in enumerate(text.split("\n"), start=1) if line.strip()]
    seen: dict[str, int] = {}
    for annotation, line in zip(annotations, lines, strict=True):
        first = seen.setdefault(annotation.id, line)
        if first != line:
            raise CorruptFileError(
                shown_path, line, 1,
                f"id {annotation.id!r} is also used at line {first}; a merge by id needs "
                "one record per id: resolve the earlier conflict (keep one of the two "
                "lines) or run 'annotate dedupe', then merge again")
    return annotations


def decode_side(data: bytes, shown_path: str) -> str:
    """One version's bytes as text; invalid UTF-8 is an error at its line:column."""
    from annotate import jsonpos
    from annotate.anchoring.textindex import LineIndex

    text, problems = jsonpos.decode_utf8(data)
    if problems:
        line, column = LineIndex(text).position(problems[0].offset)
        raise CorruptFileError(shown_path, line, column, problems[0].message)
    return text


def merge_texts(ancestor: str, ours: str, theirs: str, shown_path: str) -> ThreeWayMerge:
    """Merge three versions of one annotation file given as text (git's %O, %A, %B)."""
    return merge_annotations(parse_side(ancestor, f"{shown_path} (common ancestor)"),
                             parse_side(ours, f"{shown_path} (ours)"),
                             parse_side(theirs, f"{shown_path} (theirs)"))


def merge_bytes(ancestor: bytes, ours: bytes, theirs: bytes, shown_path: str) -> ThreeWayMerge:
    """merge_texts for the files' bytes, as git hands them over."""
    return merge_texts(decode_side(ancestor, f"{shown_path} (common ancestor)"),
                       decode_side(ours, f"{shown_path} (ours)"),
                       decode_side(theirs, f"{shown_path} (theirs)"), shown_path)


def merge_decision_texts(ancestor: str, ours: str, theirs: str, shown_path: str
                         ) -> DecisionsMerge:
    """Merge three versions of one decisions file given as text (git's %O, %A, %B).

    The document is the one the file names (ours, else either side): every
    version is checked against it, so decisions of another document are an
    error at their line, never merged in.  An empty ancestor (the file did
    not exist there; git hands over an empty file) holds no decisions; an
    empty side is a broken file, as every reader says, never "all decisions
    taken back".
    """
    from annotate.decisions import parse_decisions

    texts = {"common ancestor": ancestor, "ours": ours, "theirs": theirs}
    document = next((name for name in map(_named_document, (ours, theirs, ancestor))
                     if name is not None), "")
    sides = [[] if side == "common ancestor" and not text else
             parse_decisions(text, f"{shown_path} ({side})", document, None)
             for side, text in texts.items()]
    return merge_decisions(document, *sides)


def _named_document(text: str) -> str | None:
    """The document a decisions file's text names, if it parses (strictly: a
    hostile side is refused by parse_decisions, at its line and column)."""
    from annotate import jsonpos

    value = jsonpos.parse_json_line(text.rstrip("\n")).value
    document = value.get("document") if isinstance(value, dict) else None
    return document if isinstance(document, str) else None


def merge_decision_bytes(ancestor: bytes, ours: bytes, theirs: bytes, shown_path: str
                         ) -> DecisionsMerge:
    """merge_decision_texts for the files' bytes, as git hands them over."""
    return merge_decision_texts(decode_side(ancestor, f"{shown_path} (common ancestor)"),
                                decode_side(ours, f"{shown_path} (ours)"),
                                decode_side(theirs, f"{shown_path} (theirs)"), shown_path)


def changed_fields(before: Annotation | StoredDecision, after: Annotation | StoredDecision
                   ) -> tuple[str, ...]:
    """The names of the fields whose values differ between two records, in field order."""
    return tuple(field.name for field in dataclasses.fields(before)
                 if getattr(before, field.name) != getattr(after, field.name))
