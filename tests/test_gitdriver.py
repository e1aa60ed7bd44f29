"""The pure three-way merge by id behind `annotate git-merge-driver` (issue 9, item 5),
and the driver run on three files without git."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotate.decisions import dump_decisions
from annotate.errors import CorruptFileError
from annotate.merge.gitdriver import (
    changed_fields,
    merge_annotations,
    merge_bytes,
    merge_decision_texts,
    merge_texts,
)
from annotate.model import Annotation, StoredDecision
from annotate.records import dump_annotations, parse_annotation_text
from tests.conftest import Run
from tests.merge_helpers import ann

LABELS = ("disputed", "sourced", "opinion")


def record(number: int, label: str = "disputed", note: str = "") -> Annotation:
    """A record whose id is fixed by its number, so versions of it can be told apart."""
    return ann("alice", number * 10, number * 10 + 5, label, id=f"id{number:04d}", note=note)


def merged_ids(base: list[Annotation], ours: list[Annotation],
               theirs: list[Annotation]) -> list[str]:
    return [a.id for a in merge_annotations(base, ours, theirs).merged]


def test_each_side_adding_a_record_keeps_both_sorted() -> None:
    base = [record(2)]
    result = merge_annotations(base, [*base, record(3)], [record(1), *base])
    assert [a.id for a in result.merged] == ["id0001", "id0002", "id0003"]
    assert result.conflicts == ()


def test_deleted_on_one_side_and_untouched_on_the_other_is_deleted() -> None:
    base = [record(1), record(2)]
    assert merged_ids(base, [record(2)], base) == ["id0002"]
    assert merged_ids(base, base, [record(1)]) == ["id0001"]


def test_changed_the_same_way_on_both_sides_is_kept_once() -> None:
    base, changed = [record(1)], [record(1, "opinion")]
    result = merge_annotations(base, changed, changed)
    assert result.merged == tuple(changed) and result.conflicts == ()


def test_changed_on_one_side_only_takes_that_change() -> None:
    base = [record(1), record(2)]
    result = merge_annotations(base, [record(1, "opinion"), record(2)],
                               [record(1), record(2, note="checked")])
    assert result.merged == (record(1, "opinion"), record(2, note="checked"))


def test_changed_differently_on_both_sides_is_a_conflict_with_both_versions() -> None:
    base = [record(1), record(2)]
    result = merge_annotations(base, [record(1, "opinion"), record(2)],
                               [record(1, "sourced"), record(2)])
    assert result.merged == (record(2),)
    [conflict] = result.conflicts
    assert (conflict.id, conflict.ours, conflict.theirs) == (
        "id0001", record(1, "opinion"), record(1, "sourced"))
    # The file holds both versions, ours first, sorted among the rest.
    assert result.text() == dump_annotations([record(1, "opinion")]) + dump_annotations(
        [record(1, "sourced")]) + dump_annotations([record(2)])
    assert changed_fields(record(1, "opinion"), record(1, "sourced")) == ("label",)


def test_deleted_on_one_side_and_changed_on_the_other_is_a_conflict() -> None:
    base = [record(1)]
    result = merge_annotations(base, [], [record(1, "opinion")])
    [conflict] = result.conflicts
    assert conflict.ours is None and conflict.theirs == record(1, "opinion")
    # The deleted side is stood in for by the ancestor, so the id appears twice.
    assert conflict.versions() == (record(1), record(1, "opinion"))
    assert result.merged == ()


def test_added_differently_on_both_sides_is_a_conflict() -> None:
    result = merge_annotations([], [record(1, "opinion")], [record(1, "sourced")])
    assert [c.id for c in result.conflicts] == ["id0001"]


def test_a_repeated_id_in_one_version_is_refused_at_its_line() -> None:
    text = dump_annotations([record(1)]) + dump_annotations([record(1, "opinion")])
    with pytest.raises(CorruptFileError) as caught:
        merge_texts("", text, "", "annotations/a.txt/alice.jsonl")
    assert caught.value.path == "annotations/a.txt/alice.jsonl (ours)"
    assert caught.value.line == 2
    assert "also used at line 1" in caught.value.problem


def test_corrupt_input_is_refused_with_line_and_column() -> None:
    with pytest.raises(CorruptFileError) as caught:
        merge_texts(dump_annotations([record(1)]), "", "{not json\n", "p.jsonl")
    assert (caught.value.path, caught.value.line) == ("p.jsonl (theirs)", 1)
    with pytest.raises(CorruptFileError) as caught:
        merge_bytes(b"", b"\xff\n", b"", "p.jsonl")
    assert caught.value.path == "p.jsonl (ours)"


# -- properties ----------------------------------------------------------------

# A version of a file: for each of a few ids, absent or one of three records.
versions = st.dictionaries(st.integers(1, 6), st.sampled_from(LABELS), max_size=6).map(
    lambda chosen: [record(number, label) for number, label in sorted(chosen.items())])


@given(versions, versions)
def test_merging_with_an_unchanged_side_returns_the_other_side(
        base: list[Annotation], other: list[Annotation]) -> None:
    for result in (merge_annotations(base, base, other), merge_annotations(base, other, base)):
        assert result.conflicts == ()
        assert list(result.merged) == other


@given(versions, versions, versions)
def test_merge_is_symmetric_in_ours_and_theirs_up_to_conflicts(
        base: list[Annotation], ours: list[Annotation], theirs: list[Annotation]) -> None:
    forward, backward = merge_annotations(base, ours, theirs), merge_annotations(base, theirs, ours)
    assert forward.merged == backward.merged
    assert [(c.id, c.ours, c.theirs) for c in forward.conflicts] == [
        (c.id, c.theirs, c.ours) for c in backward.conflicts]


@given(versions, versions, versions)
def test_the_merged_text_is_canonical_and_every_id_is_accounted_for(
        base: list[Annotation], ours: list[Annotation], theirs: list[Annotation]) -> None:
    result = merge_texts(dump_annotations(base), dump_annotations(ours),
                         dump_annotations(theirs), "p.jsonl")
    text = result.text()
    parsed = parse_annotation_text(text, "p.jsonl")
    assert text == "".join(dump_annotations([a]) for a in parsed)  # sorted, canonical
    assert [a.id for a in parsed] == sorted(a.id for a in parsed)
    conflicting = {c.id for c in result.conflicts}
    assert sorted(a.id for a in parsed) == sorted(
        [a.id for a in result.merged] + [i for i in conflicting for _ in range(2)])
    # Nothing one side kept and the other did not touch is lost.
    for a in ours:
        if a in base and a in theirs:
            assert a in parsed


# -- the command, on three plain files -------------------------------------------

def write(path: Path, annotations: list[Annotation]) -> Path:
    path.write_text(dump_annotations(annotations), encoding="utf-8")
    return path


def test_the_driver_writes_the_merge_into_ours_and_exits_0(tmp_path: Path, run: Run) -> None:
    base = write(tmp_path / "o", [record(2)])
    ours = write(tmp_path / "a", [record(2), record(3)])
    theirs = write(tmp_path / "b", [record(1), record(2)])
    result = run("git-merge-driver", str(base), str(ours), str(theirs), "annotations/x/alice.jsonl")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert ours.read_text(encoding="utf-8") == dump_annotations([record(1), record(2), record(3)])


def test_the_driver_names_each_conflict_on_stderr_and_exits_1(tmp_path: Path, run: Run) -> None:
    base = write(tmp_path / "o", [record(1), record(2)])
    ours = write(tmp_path / "a", [record(1, "opinion")])
    theirs = write(tmp_path / "b", [record(1, "sourced"), record(2, note="checked")])
    result = run("git-merge-driver", str(base), str(ours), str(theirs), "annotations/x/alice.jsonl")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        'annotations/x/alice.jsonl: conflict on id id0001: label: ours "opinion", theirs '
        '"sourced"',
        'annotations/x/alice.jsonl: conflict on id id0002: deleted in ours, changed in theirs '
        '(note: "" -> "checked"); the file holds the ancestor\'s record, then theirs',
        "annotations/x/alice.jsonl: 2 conflicting records kept twice (ours first, then theirs; "
        "validate reports AN307 at the second): keep one line of each id, delete the other, "
        "then 'git add annotations/x/alice.jsonl'",
    ]
    assert ours.read_text(encoding="utf-8") == dump_annotations(
        [record(1, "opinion")]) + dump_annotations([record(1, "sourced")]) + dump_annotations(
        [record(2)]) + dump_annotations([record(2, note="checked")])


def test_a_record_changed_in_ours_and_deleted_in_theirs_is_described_in_file_order(
        tmp_path: Path, run: Run) -> None:
    # Ours first, then the ancestor's record standing in for theirs: the
    # message says so in that order, so a user deletes the right line.
    base = write(tmp_path / "o", [record(1)])
    ours = write(tmp_path / "a", [record(1, note="checked")])
    theirs = write(tmp_path / "b", [])
    result = run("git-merge-driver", str(base), str(ours), str(theirs), "annotations/x/alice.jsonl")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        'annotations/x/alice.jsonl: conflict on id id0001: deleted in theirs, changed in ours '
        '(note: "" -> "checked"); the file holds ours, then the ancestor\'s record')
    assert ours.read_text(encoding="utf-8") == dump_annotations(
        [record(1, note="checked")]) + dump_annotations([record(1)])


@pytest.mark.parametrize("theirs_bytes", [b"not an annotation file\n", b"\xff\xfe",
                                          b'{"id": "x"}\n'])
def test_corrupt_input_exits_2_with_one_line_and_leaves_ours_untouched(
        tmp_path: Path, run: Run, theirs_bytes: bytes) -> None:
    base = write(tmp_path / "o", [record(1)])
    ours = write(tmp_path / "a", [record(1), record(2)])
    before = ours.read_bytes()
    theirs = tmp_path / "b"
    theirs.write_bytes(theirs_bytes)
    result = run("git-merge-driver", str(base), str(ours), str(theirs), "notes.jsonl")
    assert result.exit_code == 2
    assert result.stderr.startswith("annotate: error: notes.jsonl (theirs):1:")
    assert result.stderr.count("\n") == 1
    assert ours.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b", "o"]  # no temporary left


def test_a_missing_version_exits_2(tmp_path: Path, run: Run) -> None:
    ours = write(tmp_path / "a", [record(1)])
    result = run("git-merge-driver", str(tmp_path / "none"), str(ours), str(ours), "p.jsonl")
    assert result.exit_code == 2
    assert result.stderr.startswith("annotate: error: p.jsonl (common ancestor):1:1: cannot read")


# --- decisions files, by position ----------------------------------------------------------


def decision(start: int, label: str | None, editor: str = "ed") -> StoredDecision:
    return StoredDecision(document="a.txt", document_sha256="0" * 64, start=start,
                          end=start + 5, quote="hello", prefix="", suffix="", label=label,
                          editor=editor, note="", sources=(), time="2026-11-30T12:00:00Z")


def test_decisions_added_on_both_sides_from_no_file_merge_by_position() -> None:
    ours = dump_decisions("a.txt", [decision(10, "opinion")])
    theirs = dump_decisions("a.txt", [decision(40, None, "fay")])
    result = merge_decision_texts("", ours, theirs, "annotations/a.txt/decisions.json")
    assert result.conflicts == ()
    assert result.text() == dump_decisions("a.txt", [decision(10, "opinion"),
                                                     decision(40, None, "fay")])


def test_one_position_decided_two_ways_is_a_conflict_keeping_both() -> None:
    base = dump_decisions("a.txt", [])
    ours = dump_decisions("a.txt", [decision(10, "opinion")])
    theirs = dump_decisions("a.txt", [decision(10, "sourced", "fay")])
    result = merge_decision_texts(base, ours, theirs, "d.json")
    [conflict] = result.conflicts
    assert (conflict.id, changed_fields(*conflict.versions())) == ("p10-15", ("label", "editor"))
    assert result.text() == dump_decisions("a.txt", [decision(10, "opinion"),
                                                     decision(10, "sourced", "fay")])


def test_a_broken_decisions_side_is_refused_naming_it() -> None:
    ours = dump_decisions("a.txt", [decision(10, "opinion")])
    with pytest.raises(CorruptFileError) as caught:
        merge_decision_texts(ours, ours, '{"document": "a.txt", "decisions": [}', "d.json")
    assert caught.value.path == "d.json (theirs)"
    other = dump_decisions("b.txt", [decision(10, "opinion")])
    with pytest.raises(CorruptFileError) as caught:  # another document's decisions
        merge_decision_texts(ours, ours, other, "d.json")
    assert caught.value.path == "d.json (theirs)"


@pytest.mark.parametrize("hostile", ["[" * 100_000, '{"document": "a.txt", "document": "b.txt"}',
                                     "\ufeff{}", '{"document": NaN}'])
def test_a_hostile_decisions_side_is_refused_in_one_error(hostile: str) -> None:
    ours = dump_decisions("a.txt", [decision(10, "opinion")])
    with pytest.raises(CorruptFileError) as caught:
        merge_decision_texts(ours, ours, hostile, "d.json")
    assert caught.value.path == "d.json (theirs)"


@pytest.mark.parametrize("blank", ["", "\n", "  \n"])
def test_a_blank_decisions_side_is_refused_not_taken_for_no_decisions(blank: str) -> None:
    # Every reader refuses a blank decisions.json; taken for "no decisions",
    # it would have dropped the other editor's decisions without a word.
    ours = dump_decisions("a.txt", [decision(10, "opinion")])
    with pytest.raises(CorruptFileError) as caught:
        merge_decision_texts(ours, ours, blank, "d.json")
    assert caught.value.path == "d.json (theirs)"
    with pytest.raises(CorruptFileError) as caught:
        merge_decision_texts(ours, blank, ours, "d.json")
    assert caught.value.path == "d.json (ours)"
