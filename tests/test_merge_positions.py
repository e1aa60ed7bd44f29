"""Unit tests for grouping spans into positions (annotate/merge/positions.py)."""

from __future__ import annotations

import gc

import pytest

from annotate.merge import positions
from annotate.merge.positions import Position, group, jaccard, parse_position_id, position_id
from tests.merge_helpers import ann


def only(found: list[Position]) -> Position:
    assert len(found) == 1, found
    return found[0]


def test_jaccard_counts_code_points_of_half_open_spans() -> None:
    assert jaccard((0, 10), (0, 10)) == 1.0
    assert jaccard((0, 10), (5, 15)) == 5 / 15
    assert jaccard((0, 10), (10, 20)) == 0.0  # touching is not overlapping
    assert jaccard((0, 100), (40, 50)) == 10 / 100


def test_identical_spans_of_every_reviewer_with_one_label_are_agreed() -> None:
    position = only(group([ann("alice", 10, 20), ann("bob", 10, 20)], ["alice", "bob"]))
    assert (position.id, position.start, position.end) == ("p10-20", 10, 20)
    assert position.status == "agreed"
    assert position.labels == {"alice": "disputed", "bob": "disputed"}
    assert position.missing == () and position.stacked == ()
    assert position.complete and not position.disputed


def test_spans_overlapping_by_the_threshold_are_one_position_and_below_it_are_two() -> None:
    # [10,20) and [10,22): Jaccard 10/12; [10,20) and [15,35): 5/25.
    assert len(group([ann("alice", 10, 20), ann("bob", 10, 22)], ["alice", "bob"])) == 1
    assert len(group([ann("alice", 10, 20), ann("bob", 15, 35)], ["alice", "bob"])) == 2


def test_exactly_the_threshold_is_enough() -> None:
    # [0,10) and [0,20): Jaccard exactly 0.5.
    assert len(group([ann("alice", 0, 10), ann("bob", 0, 20)], ["alice", "bob"], 0.5)) == 1
    assert len(group([ann("alice", 0, 10), ann("bob", 0, 20)], ["alice", "bob"], 0.51)) == 2


def test_different_labels_are_a_conflict() -> None:
    position = only(group([ann("alice", 10, 20, "disputed"), ann("bob", 10, 21, "opinion")],
                          ["alice", "bob"]))
    assert position.status == "conflict" and position.disputed
    assert position.labels == {"alice": "disputed", "bob": "opinion"}


def test_a_reviewer_who_finished_without_marking_it_makes_it_incomplete() -> None:
    position = only(group([ann("alice", 10, 20), ann("bob", 10, 20)],
                          ["alice", "bob", "carol"]))
    assert position.status == "incomplete"
    assert position.missing == ("carol",) and not position.complete


def test_reviewers_of_the_annotations_count_even_if_the_caller_forgot_them() -> None:
    position = only(group([ann("alice", 10, 20), ann("bob", 10, 20)], []))
    assert position.status == "agreed"


def test_a_reviewer_with_two_overlapping_spans_there_is_stacked() -> None:
    position = only(group([ann("alice", 10, 20), ann("alice", 10, 21, "opinion"),
                           ann("bob", 10, 20)], ["alice", "bob"]))
    assert position.status == "stacked"  # before conflict: the editor must look
    assert position.stacked == ("alice",) and position.disputed
    # alice's vote is her span nearest the core (identical to bob's).
    assert position.voting["alice"].end == 20 and position.labels["alice"] == "disputed"
    assert len(position.members) == 3


def test_the_core_is_the_span_most_reviewers_chose_ties_to_the_shortest() -> None:
    both = [ann("alice", 10, 22), ann("bob", 10, 20), ann("carol", 10, 22)]
    assert only(group(both, [])).id == "p10-22"
    tie = [ann("alice", 10, 22), ann("bob", 10, 20)]
    assert only(group(tie, [])).id == "p10-20"
    earliest = [ann("alice", 11, 21), ann("bob", 10, 20)]
    assert only(group(earliest, [])).id == "p10-20"


def test_a_long_span_does_not_swallow_the_short_positions_inside_it() -> None:
    # A paragraph-long span over twenty clauses both other reviewers marked.
    clauses = [(i * 50, i * 50 + 40) for i in range(20)]
    spans = [ann("carol", 0, 1000, "opinion")]
    spans += [ann(reviewer, s, e) for s, e in clauses for reviewer in ("alice", "bob")]
    found = group(spans, [])
    assert [(p.start, p.end) for p in found] == sorted([(0, 1000), *clauses])
    assert all(p.status == "incomplete" for p in found)


def test_a_staircase_of_overlaps_is_cut_at_the_core_not_chained() -> None:
    # Each step overlaps the next with Jaccard 7/13 > 0.5: single linkage
    # would make one position of all of them.
    steps = [ann(f"r{i}", 3 * i, 3 * i + 10) for i in range(12)]
    found = group(steps, [])
    assert len(found) > 1
    for position in found:
        for member in position.members:
            assert jaccard((member.start, member.end), (position.start, position.end)) >= 0.5


def test_at_threshold_one_only_identical_spans_match() -> None:
    found = group([ann("alice", 0, 10), ann("bob", 0, 10), ann("carol", 0, 11)], [], 1.0)
    assert [(p.id, len(p.members)) for p in found] == [("p0-10", 2), ("p0-11", 1)]


@pytest.mark.parametrize("threshold", [0, -0.1, 1.01, float("nan")])
def test_threshold_outside_zero_to_one_is_refused(threshold: float) -> None:
    with pytest.raises(ValueError, match="min_overlap"):
        group([ann("alice", 0, 10)], [], threshold)


def test_an_empty_span_is_a_bug_of_the_caller() -> None:
    with pytest.raises(ValueError, match="empty span"):
        group([ann("alice", 5, 5)], [])


def test_position_ids_read_back_and_refuse_what_is_not_one() -> None:
    assert parse_position_id(position_id(1520, 1544)) == (1520, 1544)
    for text in ("p20-10", "p5-5", "p01-2", "p1-2x", "1-2", "p-1-2", ""):
        assert parse_position_id(text) is None, text


def test_ids_do_not_change_when_annotations_are_added_elsewhere() -> None:
    before = group([ann("alice", 10, 20), ann("bob", 11, 20, "opinion"),
                    ann("alice", 100, 130), ann("bob", 300, 320)], ["alice", "bob"])
    after = group([*(m for p in before for m in p.members),
                   ann("carol", 200, 240),  # nowhere near anything
                   ann("carol", 95, 140)], ["alice", "bob", "carol"])
    # carol's 95..140 joins p100-130 (Jaccard 2/3) without outranking its core
    # (one reviewer each: the shorter wins), so even that id stays.
    assert {p.id for p in before} <= {p.id for p in after}


def test_a_new_span_below_the_threshold_with_everything_changes_no_position() -> None:
    base = [ann("alice", 10, 20), ann("bob", 12, 22), ann("alice", 30, 60), ann("bob", 31, 60)]
    before = group(base, ["alice", "bob", "carol"])
    # Overlaps both positions, but by less than half with every span.
    after = group([*base, ann("carol", 18, 34)], ["alice", "bob", "carol"])
    assert [p for p in after if p.id != "p18-34"] == before


def test_id_survives_a_label_change_and_a_late_reviewer_who_agrees() -> None:
    before = only(group([ann("alice", 10, 20), ann("bob", 10, 20)], []))
    relabelled = only(group([ann("alice", 10, 20, "opinion"), ann("bob", 10, 20)], []))
    joined = only(group([ann("alice", 10, 20), ann("bob", 10, 20), ann("carol", 10, 21)], []))
    assert before.id == relabelled.id == joined.id == "p10-20"


def test_positions_come_sorted_and_members_sorted_by_reviewer() -> None:
    found = group([ann("bob", 50, 60), ann("alice", 50, 60), ann("carol", 0, 5)], [])
    assert [p.id for p in found] == ["p0-5", "p50-60"]
    assert [m.reviewer for m in found[1].members] == ["alice", "bob"]


def test_record_shape() -> None:
    position = only(group([ann("alice", 10, 20), ann("bob", 10, 20, "opinion")],
                          ["alice", "bob", "carol"]))
    assert position.to_record() == {
        "id": "p10-20", "status": "conflict", "start": 10, "end": 20,
        "quote": position.members[0].quote, "labels": {"alice": "disputed", "bob": "opinion"},
        "missing": ["carol"], "stacked": []}


def _checks(spans: list[tuple[int, int]], threshold: float = 0.5) -> int:
    return positions.assign_cores(dict.fromkeys(spans, 1), threshold).checks


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.8, 0.95])
def test_the_sweep_visits_a_bounded_number_of_candidates_per_span(threshold: float) -> None:
    """The cases that make naive windows quadratic: spans nested at one start,
    a paragraph over many clauses, a staircase, one span inside the next."""
    n = 2000
    cases = {
        "nested at one start": [(0, k) for k in range(1, n + 1)],
        "paragraph over clauses": [(0, 20 * n)] + [(20 * i, 20 * i + 15) for i in range(n)],
        "staircase": [(i, i + 50) for i in range(n)],
        "onion": [(n - i, n + i + 1) for i in range(n)],
    }
    for name, spans in cases.items():
        assert _checks(spans, threshold) <= 40 * len(spans), name


@pytest.mark.parametrize("enabled", [True, False])
def test_the_cycle_collector_is_left_as_it_was_even_after_an_error(enabled: bool) -> None:
    (gc.enable if enabled else gc.disable)()
    try:
        group([ann("alice", 0, 10), ann("bob", 0, 10)], [])
        assert gc.isenabled() is enabled
        with pytest.raises(ValueError):
            group([ann("alice", 5, 5)], [])
        assert gc.isenabled() is enabled
    finally:
        gc.enable()
