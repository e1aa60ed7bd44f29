"""Unit tests for deciding positions (annotate/merge/strategies.py)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from annotate.errors import EXIT_USAGE, InvalidValueError
from annotate.merge.positions import Position, group
from annotate.merge.strategies import (
    Decision,
    EditorDecision,
    Strategy,
    decide,
    default_quorum,
    parse_strategy,
)
from annotate.model import Annotation
from tests.merge_helpers import ann

UNANIMOUS, MAJORITY, UNION = Strategy("unanimous"), Strategy("majority"), Strategy("union")


def position(spans: Sequence[Annotation], reviewers: Sequence[str] = ()) -> Position:
    found = group(spans, reviewers)
    assert len(found) == 1, found
    return found[0]


def reviewers_of(decision: Decision) -> list[str]:
    return [vote.reviewer for vote in decision.supporters]


AGREED = [ann("alice", 10, 20), ann("bob", 10, 20)]
CONFLICT = [ann("alice", 10, 20), ann("bob", 10, 20, "opinion")]
STACKED_ONE_LABEL = [ann("alice", 10, 20), ann("alice", 10, 21), ann("bob", 10, 20)]


def test_unanimous_merges_agreed_positions_only() -> None:
    merged = decide(position(AGREED), UNANIMOUS)
    assert merged.merged and merged.label == "disputed" and merged.method == "unanimous"
    assert (merged.start, merged.end, merged.reason) == (10, 20, None)
    assert reviewers_of(merged) == ["alice", "bob"]
    for spans, reviewers, reason in ((CONFLICT, (), "conflict"),
                                     (AGREED, ("carol",), "incomplete"),
                                     (STACKED_ONE_LABEL, (), "stacked")):
        decision = decide(position(spans, reviewers), UNANIMOUS)
        assert not decision.merged and decision.reason == reason
        assert decision.supporters == ()


def test_unanimous_is_the_default() -> None:
    assert decide(position(AGREED)) == decide(position(AGREED), UNANIMOUS)


@pytest.mark.parametrize(("reviewers", "quorum"),
                         [(0, 1), (1, 1), (2, 2), (3, 2), (4, 3), (5, 3), (6, 4), (20, 11)])
def test_default_quorum_is_a_strict_majority_of_the_reviewers_at_least_two(
        reviewers: int, quorum: int) -> None:
    assert default_quorum(reviewers) == quorum


def test_majority_merges_the_label_with_most_votes_and_its_supporters() -> None:
    spans = [ann("alice", 10, 20, "opinion"), ann("bob", 10, 22), ann("carol", 10, 22),
             ann("dave", 10, 20, "opinion"), ann("erin", 10, 21)]
    found = position(spans)
    assert found.status == "conflict"
    decision = decide(found, MAJORITY, quorum=default_quorum(5))
    assert decision.label == "disputed" and decision.method == "majority"
    assert reviewers_of(decision) == ["bob", "carol", "erin"]
    # The span most supporters chose, not the position's core (a 2-2 tie of
    # 10..20 and 10..22 among everyone, which goes to the shorter).
    assert (found.start, found.end) == (10, 20)
    assert (decision.start, decision.end) == (10, 22)


def test_majority_tie_at_the_top_is_not_merged() -> None:
    spans = [ann("alice", 10, 20), ann("bob", 10, 20, "opinion"),
             ann("carol", 10, 20), ann("dave", 10, 20, "opinion")]
    decision = decide(position(spans), MAJORITY, quorum=2)
    assert not decision.merged and decision.reason == "tie"


def test_majority_needs_the_quorum() -> None:
    # Two of five marked it: an incomplete position below a quorum of 3.
    found = position(AGREED, ["carol", "dave", "erin"])
    assert decide(found, MAJORITY, quorum=3).reason == "quorum"
    assert decide(found, MAJORITY, quorum=2).label == "disputed"


def test_majority_counts_a_stacked_reviewer_once() -> None:
    spans = [ann("alice", 10, 20, "opinion"), ann("alice", 10, 21, "opinion"),
             ann("alice", 11, 20, "opinion"), ann("bob", 10, 20), ann("carol", 10, 20)]
    found = position(spans)
    assert found.status == "stacked"
    assert decide(found, MAJORITY, quorum=2).label == "disputed"


def test_union_merges_every_position_with_one_label() -> None:
    for spans, reviewers in ((AGREED, ()), (AGREED, ("carol",)), (STACKED_ONE_LABEL, ())):
        decision = decide(position(spans, reviewers), UNION)
        assert decision.label == "disputed" and decision.method == "union"
    assert decide(position(CONFLICT), UNION).reason == "conflict"
    stacked_two_labels = [ann("alice", 10, 20), ann("alice", 10, 21, "opinion")]
    assert decide(position(stacked_two_labels), UNION).reason == "conflict"


def test_union_of_a_position_one_reviewer_marked_keeps_their_span() -> None:
    decision = decide(position([ann("alice", 10, 20)], ["bob"]), UNION)
    assert (decision.label, decision.start, decision.end) == ("disputed", 10, 20)
    assert reviewers_of(decision) == ["alice"]


def test_prefer_gives_the_adjudicators_label_where_they_marked_it() -> None:
    decision = decide(position(CONFLICT), Strategy("prefer", "bob"))
    assert decision.label == "opinion" and decision.method == "prefer:bob"
    assert reviewers_of(decision) == ["bob"]


def test_prefer_falls_back_to_unanimous_where_the_adjudicator_did_not_mark() -> None:
    prefer = Strategy("prefer", "dana")
    agreed = decide(position(AGREED), prefer)
    assert agreed.label == "disputed" and agreed.method == "unanimous"
    assert decide(position(CONFLICT), prefer).reason == "conflict"


def test_an_editors_label_overrides_every_strategy() -> None:
    editor = EditorDecision("opinion", "dana", "'I think', he said", "2026-02-01T10:00:00Z")
    for strategy in (UNANIMOUS, MAJORITY, UNION, Strategy("prefer", "alice")):
        decision = decide(position(CONFLICT), strategy, 2, editor)
        assert decision.label == "opinion" and decision.method == "editor"
        assert decision.editor == editor and reviewers_of(decision) == ["bob"]


def test_an_editor_may_choose_a_label_nobody_chose_and_the_core_span_is_kept() -> None:
    decision = decide(position(CONFLICT), UNANIMOUS, 2, EditorDecision("sourced", "dana"))
    assert decision.label == "sourced" and decision.supporters == ()
    assert (decision.start, decision.end) == (10, 20)


def test_an_editors_reject_is_not_merged_and_says_so() -> None:
    decision = decide(position(AGREED), UNANIMOUS, 2, EditorDecision(None, "dana", "no claim"))
    assert not decision.merged and decision.reason == "rejected" and decision.method == "editor"


@pytest.mark.parametrize(("text", "strategy"), [
    ("unanimous", Strategy("unanimous")), ("majority", Strategy("majority")),
    ("union", Strategy("union")), ("prefer:dana", Strategy("prefer", "dana")),
    ("prefer:a:b", Strategy("prefer", "a:b")),
])
def test_parse_strategy(text: str, strategy: Strategy) -> None:
    assert parse_strategy(text) == strategy
    assert str(strategy) == text


@pytest.mark.parametrize("text", ["", "prefer", "prefer:", "Majority", "union:x", "vote"])
def test_an_unknown_strategy_is_a_usage_error_listing_the_strategies(text: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        parse_strategy(text)
    assert caught.value.exit_code == EXIT_USAGE
    assert str(caught.value) == (f"unknown strategy {text!r}: use unanimous, majority, union "
                                 "or prefer:REVIEWER (e.g. prefer:dana)")


def test_decision_record_shape() -> None:
    editor = EditorDecision(None, "dana", "no claim", "2026-02-01T10:00:00Z")
    assert decide(position(AGREED), UNANIMOUS, 2, editor).to_record() == {
        "merged": False, "method": "editor", "label": None, "start": 10, "end": 20,
        "supporters": [], "reason": "rejected",
        "editor": {"reviewer": "dana", "note": "no claim", "time": "2026-02-01T10:00:00Z"}}
    assert decide(position(AGREED)).to_record() == {
        "merged": True, "method": "unanimous", "label": "disputed", "start": 10, "end": 20,
        "supporters": ["alice", "bob"], "reason": None, "editor": None}
