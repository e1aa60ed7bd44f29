"""Property tests for grouping and merging (hypothesis): the grouping is a
partition, ignores input order, keeps the documented threshold guarantees,
agrees with the all-pairs reference, and leaves positions alone when a span
is added elsewhere."""

from __future__ import annotations

import itertools
import random

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from annotate.merge.consensus import merge_document
from annotate.merge.positions import Position, group, jaccard
from annotate.merge.reference import group_all_pairs
from annotate.merge.strategies import STRATEGY_NAMES, parse_strategy
from annotate.model import Annotation
from tests.merge_helpers import DOCUMENT, ann

REVIEWERS = ("alice", "bob", "carol", "dave")
# Float rounding of the Jaccard quotient; the guarantees are about exact values.
EPSILON = 1e-9


@st.composite
def desks(draw: st.DrawFn, max_size: int = 40) -> list[Annotation]:
    """Spans crowded into a short text so that they overlap a lot."""
    rows = draw(st.lists(st.tuples(st.sampled_from(REVIEWERS), st.integers(0, 300),
                                   st.integers(1, 80), st.sampled_from(("a", "b", "c"))),
                         max_size=max_size))
    return [ann(reviewer, start, start + length, label, id=f"{i:04d}x")
            for i, (reviewer, start, length, label) in enumerate(rows)]


thresholds = st.one_of(st.sampled_from((0.2, 1 / 3, 0.5, 0.6, 0.75, 0.9, 1.0)),
                       st.floats(0.05, 1.0))


def core(position: Position) -> tuple[int, int]:
    return position.start, position.end


def span(annotation: Annotation) -> tuple[int, int]:
    return annotation.start, annotation.end


@settings(max_examples=300, deadline=None)
@given(desks(), thresholds)
def test_grouping_is_a_partition_of_the_spans(spans: list[Annotation], t: float) -> None:
    found = group(spans, REVIEWERS, t)
    members = [m for position in found for m in position.members]
    assert sorted(members, key=lambda a: a.id) == sorted(spans, key=lambda a: a.id)
    assert len({position.id for position in found}) == len(found)
    assert [core(p) for p in found] == sorted(core(p) for p in found)


@settings(max_examples=200, deadline=None)
@given(desks(), thresholds, st.randoms(use_true_random=False))
def test_the_order_of_the_input_does_not_matter(spans: list[Annotation], t: float,
                                                rng: random.Random) -> None:
    shuffled = spans[:]
    rng.shuffle(shuffled)
    assert group(shuffled, REVIEWERS, t) == group(spans, REVIEWERS, t)


@settings(max_examples=300, deadline=None)
@given(desks(), thresholds)
def test_members_reach_the_threshold_with_the_core_and_two_t_minus_one_pairwise(
        spans: list[Annotation], t: float) -> None:
    found = group(spans, REVIEWERS, t)
    for position in found:
        extents = {span(m) for m in position.members}
        assert core(position) in extents  # the core is a span someone chose
        for extent in extents:
            assert jaccard(extent, core(position)) >= t
        for a, b in itertools.combinations(extents, 2):
            assert jaccard(a, b) >= 2 * t - 1 - EPSILON
    for one, other in itertools.combinations(found, 2):
        assert jaccard(core(one), core(other)) < t  # no two positions could have been one


@settings(max_examples=300, deadline=None)
@given(desks(), thresholds)
def test_the_core_is_the_span_most_reviewers_chose_there(spans: list[Annotation],
                                                          t: float) -> None:
    for position in group(spans, REVIEWERS, t):
        support: dict[tuple[int, int], set[str]] = {}
        for member in position.members:
            support.setdefault(span(member), set()).add(member.reviewer)
        best = min(support, key=lambda e: (-len(support[e]), e[1] - e[0], e[0]))
        assert core(position) == best


@settings(max_examples=300, deadline=None)
@given(desks(max_size=60), thresholds)
def test_the_sweep_agrees_with_the_all_pairs_reference(spans: list[Annotation],
                                                       t: float) -> None:
    assert group(spans, REVIEWERS, t) == group_all_pairs(spans, REVIEWERS, t)


@settings(max_examples=300, deadline=None)
@given(desks(), thresholds, st.sampled_from(REVIEWERS), st.integers(0, 400),
       st.integers(1, 80))
def test_a_span_below_the_threshold_with_every_span_changes_no_position(
        spans: list[Annotation], t: float, reviewer: str, start: int, length: int) -> None:
    new = ann(reviewer, start, start + length, "a", id="9999x")
    assume(all(jaccard(span(new), span(old)) < t for old in spans))
    before = group(spans, REVIEWERS, t)
    after = group([*spans, new], REVIEWERS, t)
    assert [p for p in after if new not in p.members] == before


@settings(max_examples=300, deadline=None)
@given(desks(), thresholds)
def test_statuses_follow_their_definitions(spans: list[Annotation], t: float) -> None:
    for position in group(spans, REVIEWERS, t):
        by = {r: [m for m in position.members if m.reviewer == r] for r in position.voting}
        stacked = any(len(theirs) > 1 for theirs in by.values())
        one_label = len({m.label for m in position.members}) == 1
        everyone = set(position.voting) == set(REVIEWERS)
        expected = ("stacked" if stacked else "conflict" if not one_label
                    else "agreed" if everyone else "incomplete")
        assert position.status == expected


@settings(max_examples=200, deadline=None)
@given(desks(), thresholds, st.sampled_from(STRATEGY_NAMES), st.booleans())
def test_merge_writes_a_record_per_merged_decision_and_blocks_only_unsettled_ones(
        spans: list[Annotation], t: float, name: str, require_complete: bool) -> None:
    strategy = parse_strategy("prefer:alice" if name == "prefer" else name)
    result = merge_document(DOCUMENT, spans, REVIEWERS, now="2026-01-01T00:00:00.000Z",
                            strategy=strategy, min_overlap=t,
                            require_complete=require_complete)
    merged = [d for d in result.decisions if d.merged]
    assert len(result.consensus) == len(merged) == result.summary.merged
    assert len({r.annotation.id for r in result.consensus}) == len(result.consensus)
    for position, decision in zip(result.positions, result.decisions, strict=True):
        assert decision.position == position.id
        assert (decision.reason is None) == decision.merged
        blocks = position in result.blocking
        assert blocks == (not decision.merged and (
            position.disputed or (require_complete and not position.complete)))
