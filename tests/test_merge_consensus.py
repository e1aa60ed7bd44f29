"""Unit tests for one document's merge (annotate/merge/consensus.py): consensus
records and their provenance, what blocks, editors' decisions across re-merges."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import pytest

from annotate import rules
from annotate.errors import InvalidValueError
from annotate.merge.consensus import (
    CONSENSUS_REVIEWER,
    Consensus,
    MergeResult,
    consensus_id,
    merge_document,
    versions,
)
from annotate.merge.strategies import EditorDecision, Strategy
from annotate.model import Annotation
from tests.merge_helpers import DOCUMENT, SHA, TEXT, ann

NOW = "2026-03-01T12:00:00.000Z"
LATER = "2026-03-02T09:30:00.000Z"
ID_PATTERN = re.compile(r"^[0-9a-z][0-9a-z_-]{3,63}$")


def merge(annotations: Iterable[Annotation], reviewers: Iterable[str] = (),
          **options: Any) -> MergeResult:
    options.setdefault("now", NOW)
    return merge_document(DOCUMENT, annotations, reviewers, **options)


def statuses(result: MergeResult) -> dict[str, str]:
    return {position.id: position.status for position in result.positions}


DESK = [
    ann("alice", 10, 20, sources=("https://a.example/1",), note="figure from 2019"),
    ann("bob", 10, 20, sources=("https://b.example/2", "https://a.example/1")),
    ann("alice", 100, 130), ann("bob", 100, 130, "opinion"),  # conflict
    ann("alice", 300, 320),  # incomplete
]


def test_merge_writes_one_consensus_record_per_merged_position_with_provenance() -> None:
    result = merge(DESK, ["alice", "bob"])
    assert statuses(result) == {"p10-20": "agreed", "p100-130": "conflict",
                                "p300-320": "incomplete"}
    [record] = result.consensus
    annotation = record.annotation
    assert annotation.id == consensus_id(DOCUMENT, "p10-20")
    assert annotation.reviewer == CONSENSUS_REVIEWER == "consensus"
    assert (annotation.start, annotation.end, annotation.quote) == (10, 20, TEXT[10:20])
    assert annotation.label == "disputed" and annotation.document_sha256 == SHA
    assert annotation.sources == ("https://a.example/1", "https://b.example/2")
    assert annotation.note == "figure from 2019"
    assert annotation.created == annotation.modified == NOW
    alice, bob = (a for a in DESK[:2])
    assert record.to_record()["provenance"] == {
        "position": "p10-20", "method": "unanimous",
        "supporters": [{"reviewer": "alice", "annotation": alice.id},
                       {"reviewer": "bob", "annotation": bob.id}]}


def test_the_consensus_record_is_valid_apart_from_provenance_the_schema_will_add() -> None:
    [record] = merge(DESK, ["alice", "bob"]).consensus
    fields = record.annotation.to_record()
    assert rules.shape_problems(fields) == []
    assert list(rules.anchor_problems(dict(fields), TEXT, SHA, None)) == []


def test_consensus_records_round_trip_through_json() -> None:
    editor = EditorDecision("opinion", "dana", "hedged", "2026-02-01T10:00:00Z")
    result = merge(DESK, ["alice", "bob"], decisions={"p100-130": editor})
    for record in result.consensus:
        text = json.dumps(record.to_record(), sort_keys=True)
        assert Consensus.from_record(json.loads(text)) == record


def test_consensus_ids_are_unique_across_documents_and_fit_the_id_pattern() -> None:
    ids = {consensus_id(document, f"p{i}-{i + 5}")
           for document in ("a.txt", "b.txt") for i in range(500)}
    assert len(ids) == 1000
    assert all(ID_PATTERN.match(i) and i.startswith("c-") for i in ids)


def test_a_conflict_nobody_settled_blocks_and_is_listed() -> None:
    result = merge(DESK, ["alice", "bob"])
    assert [p.id for p in result.conflicts] == ["p100-130"]
    assert [p.id for p in result.blocking] == ["p100-130"] and result.blocked
    assert result.summary.conflicts == result.summary.blocking == 1


def test_incomplete_positions_block_only_when_required() -> None:
    spans = [ann("alice", 10, 20), ann("bob", 10, 20), ann("alice", 300, 320)]
    assert not merge(spans, ["alice", "bob"]).blocked
    required = merge(spans, ["alice", "bob"], require_complete=True)
    assert [p.id for p in required.blocking] == ["p300-320"] and required.conflicts == ()


def test_a_position_a_strategy_merged_does_not_block() -> None:
    spans = [ann("alice", 10, 20), ann("bob", 10, 20), ann("carol", 10, 20, "opinion")]
    assert merge(spans, strategy=Strategy("majority")).blocking == ()
    assert merge(spans).blocked  # unanimous leaves the conflict


def test_a_majority_tie_blocks() -> None:
    spans = [ann("alice", 10, 20), ann("bob", 10, 20, "opinion")]
    result = merge(spans, strategy=Strategy("majority"))
    assert result.decisions[0].reason == "tie" and result.blocked


def test_editors_decisions_settle_conflicts_label_or_reject() -> None:
    decisions = {"p100-130": EditorDecision("opinion", "dana", "hedged", LATER)}
    result = merge(DESK, ["alice", "bob"], decisions=decisions)
    assert not result.blocked and result.summary.decided_by_editor == 1
    record = next(r for r in result.consensus if r.provenance.position == "p100-130")
    assert record.annotation.label == "opinion"
    assert record.to_record()["provenance"]["editor"] == {
        "reviewer": "dana", "note": "hedged", "time": LATER}
    assert record.provenance.method == "editor"
    rejected = merge(DESK, ["alice", "bob"],
                     decisions={"p100-130": EditorDecision(None, "dana", "no claim", LATER)})
    assert not rejected.blocked and rejected.summary.not_merged["rejected"] == 1
    assert all(r.provenance.position != "p100-130" for r in rejected.consensus)


def test_a_decision_survives_a_re_merge_after_annotations_added_elsewhere() -> None:
    decisions = {"p100-130": EditorDecision("opinion", "dana", "", LATER)}
    first = merge(DESK, ["alice", "bob"], decisions=decisions)
    more = [*DESK, ann("carol", 500, 540), ann("carol", 2000, 2010), ann("bob", 300, 321)]
    second = merge(more, ["alice", "bob", "carol"], decisions=decisions)
    assert second.orphaned == ()
    assert second.decision("p100-130") is not None
    assert second.decision("p100-130").label == "opinion"  # type: ignore[union-attr]
    # carol is a reviewer now, so p10-20 is incomplete; the decided record stays.
    [decided] = (r for r in first.consensus if r.provenance.position == "p100-130")
    assert decided in second.consensus


def test_a_decision_whose_position_is_gone_is_reported_kept_and_not_applied() -> None:
    decisions = {"p100-130": EditorDecision("opinion", "dana", "", LATER),
                 "p700-720": EditorDecision(None, "dana", "", LATER),
                 "not-an-id": EditorDecision(None, "dana", "", LATER)}
    # Three reviewers now chose 100..131, two 100..130: the core moved, so did the id.
    spans = [*DESK, *(ann(name, 100, 131) for name in ("carol", "erin", "fred"))]
    result = merge(spans, ["alice", "bob"], decisions=decisions)
    assert [(o.position, o.nearest) for o in result.orphaned] == [
        ("not-an-id", None), ("p100-130", "p100-131"), ("p700-720", None)]
    assert result.orphaned[1].decision == decisions["p100-130"]
    assert result.decision("p100-131").method == "unanimous"  # type: ignore[union-attr]
    assert result.summary.orphaned_decisions == 3


def test_an_unchanged_re_merge_keeps_every_record_as_it_was() -> None:
    first = merge(DESK, ["alice", "bob"], strategy=Strategy("union"))
    again = merge(DESK, ["alice", "bob"], strategy=Strategy("union"), now=LATER,
                  previous=first.consensus)
    assert again.consensus == first.consensus


def test_a_changed_record_keeps_created_and_takes_the_new_modified() -> None:
    first = merge(DESK, ["alice", "bob"])
    relabelled = [ann("alice", 10, 20, "opinion"), ann("bob", 10, 20, "opinion"), *DESK[2:]]
    again = merge(relabelled, ["alice", "bob"], now=LATER, previous=first.consensus)
    [before], [after] = first.consensus, again.consensus
    assert after.annotation.id == before.annotation.id
    assert (after.annotation.created, after.annotation.modified) == (NOW, LATER)
    assert after.annotation.label == "opinion"


def test_a_single_reviewer_is_copied_and_the_summary_says_so() -> None:
    spans = [ann("alice", 10, 20), ann("alice", 50, 60, "opinion")]
    result = merge(spans, ["alice"])
    assert sorted(r.annotation.label for r in result.consensus) == ["disputed", "opinion"]
    assert result.summary.quorum == 1
    assert result.summary.notes == (
        "only alice reviewed article.txt: the consensus copies their annotations",)
    assert merge(spans, ["alice"], strategy=Strategy("majority")).summary.merged == 2


def test_notes_for_an_absent_adjudicator_and_an_unreachable_quorum() -> None:
    prefer = merge(DESK, ["alice", "bob"], strategy=Strategy("prefer", "dana"))
    assert prefer.summary.notes == (
        "dana is not a reviewer of article.txt: unanimous decided every position",)
    quorum = merge(DESK, ["alice", "bob"], strategy=Strategy("majority"), quorum=3)
    assert quorum.summary.notes == (
        "quorum 3 is more than the 2 reviewer(s) of article.txt: no position can reach it",)
    assert quorum.summary.merged == 0


def test_orphaned_annotations_are_left_out_and_counted() -> None:
    orphan = ann("bob", 300, 320, orphaned=True)
    result = merge([*DESK, orphan], ["alice", "bob"])
    assert result.skipped == (orphan,) and result.summary.skipped_annotations == 1
    assert statuses(result)["p300-320"] == "incomplete"
    assert "1 orphaned annotation(s) left out" in result.summary.notes[0]


def test_a_reviewer_who_finished_with_nothing_counts_as_marking_nothing() -> None:
    result = merge(DESK[:2], ["alice", "bob", "carol"])
    assert statuses(result) == {"p10-20": "incomplete"}
    assert result.positions[0].missing == ("carol",) and result.consensus == ()


def test_no_annotations_at_all_is_an_empty_merge() -> None:
    result = merge([], ["alice"])
    assert result.positions == () and result.consensus == () and not result.blocked


@pytest.mark.parametrize(("spans", "message"), [
    ([ann("consensus", 0, 5)], "consensus records are what merge writes"),
    ([ann("alice", 0, 5, document="other.txt")], "not 'article.txt'"),
    ([ann("alice", 0, 5, id="same"), ann("alice", 9, 12, id="same")], "twice"),
    ([ann("alice", 0, 5), ann("bob", 0, 5, sha="b" * 64)], "several versions"),
])
def test_what_the_caller_must_refuse_first_is_a_value_error(
        spans: list[Annotation], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        merge(spans)


def test_versions_names_the_reviewers_of_each_version() -> None:
    spans = [ann("alice", 0, 5), ann("bob", 0, 5, sha="b" * 64), ann("carol", 0, 5)]
    assert versions(spans) == {SHA: ("alice", "carol"), "b" * 64: ("bob",)}


def test_a_quorum_below_one_is_a_usage_error() -> None:
    with pytest.raises(InvalidValueError, match="--quorum must be at least 1"):
        merge(DESK, quorum=0)


def test_summary_and_json_record() -> None:
    result = merge(DESK, ["alice", "bob"])
    record = result.to_record()
    json.dumps(record)  # serialisable as it is
    assert record["document"] == DOCUMENT
    assert [p["id"] for p in record["positions"]] == ["p10-20", "p100-130", "p300-320"]
    assert record["positions"][1]["decision"]["reason"] == "conflict"
    summary: Mapping[str, Any] = record["summary"]
    assert summary == {
        "reviewers": ["alice", "bob"], "strategy": "unanimous", "quorum": 2,
        "min_overlap": 0.5, "positions": 3,
        "statuses": {"agreed": 1, "conflict": 1, "incomplete": 1, "stacked": 0},
        "merged": 1, "decided_by_editor": 0,
        "not_merged": {"conflict": 1, "incomplete": 1, "stacked": 0, "tie": 0, "quorum": 0,
                       "rejected": 0},
        "conflicts": 1, "blocking": 1, "orphaned_decisions": 0, "skipped_annotations": 0,
        "notes": []}


def test_consensus_ids_do_not_change_between_versions_of_the_code() -> None:
    # They are stored in consensus files: a new scheme would rewrite every record.
    assert consensus_id("article.txt", "p10-20") == "c-drscwn8k9sajhs5g"
