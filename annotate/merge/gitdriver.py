"""Three-way merge of one annotation file by annotation id, for git (issue 9, item 5).

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
counts.  Pure: texts in, texts out; the command reads and writes the files.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from annotate.errors import CorruptFileError
from annotate.model import Annotation
from annotate.records import dump_annotations, parse_annotation_text


@dataclass(frozen=True)
class Conflict:
    """One id changed differently on both sides; None: deleted (or never added) there."""

    id: str
    ancestor: Annotation | None
    ours: Annotation | None
    theirs: Annotation | None

    def versions(self) -> tuple[Annotation, Annotation]:
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
    """What merging three versions of a file gives: the agreed records and the conflicts."""

    merged: tuple[Annotation, ...]
    conflicts: tuple[Conflict, ...]

    def text(self) -> str:
        """The file to leave: sorted and canonical; each conflict as two records of one id."""
        records = list(self.merged)
        for conflict in self.conflicts:
            records.extend(conflict.versions())
        # dump_annotations sorts stably by id, so ours stays before theirs.
        return dump_annotations(records)


def merge_annotations(ancestor: Sequence[Annotation], ours: Sequence[Annotation],
                      theirs: Sequence[Annotation]) -> ThreeWayMerge:
    """Merge two sides' records against their common ancestor, id by id."""
    base = {a.id: a for a in ancestor}
    mine = {a.id: a for a in ours}
    other = {a.id: a for a in theirs}
    merged: list[Annotation] = []
    conflicts: list[Conflict] = []
    for identifier in sorted(base.keys() | mine.keys() | other.keys()):
        old, left, right = base.get(identifier), mine.get(identifier), other.get(identifier)
        if left == right or right == old:
            kept = left
        elif left == old:
            kept = right
        else:
            conflicts.append(Conflict(identifier, old, left, right))
            continue
        if kept is not None:
            merged.append(kept)
    return ThreeWayMerge(tuple(merged), tuple(conflicts))


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


def changed_fields(before: Annotation, after: Annotation) -> tuple[str, ...]:
    """The names of the fields whose values differ between two records, in field order."""
    return tuple(field.name for field in dataclasses.fields(Annotation)
                 if getattr(before, field.name) != getattr(after, field.name))
