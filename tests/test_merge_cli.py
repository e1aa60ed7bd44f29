"""`annotate merge` and `annotate resolve` end to end through the command line:
annotations added with `annotate add` by several reviewers, merged with each
strategy into annotations/<doc>/consensus.jsonl, decided by an editor into
annotations/<doc>/decisions.json, moved by `reanchor`, checked by `validate`;
the exit codes, the one-line refusals, the JSON output against
schemas/merge-report.schema.json, and hostile text kept off the terminal."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import Result

from tests.conftest import REPO, SEED_ID, Run, run_installed

SOURCE = "https://example.org/report"
NEEDS_SOURCE = {"sourced", "disputed"}

# Three sentences of the seed article, far apart: three positions.
HEADS = "The two heads of state want to deepen their relations."
TOKYO = ("Tokyo The meeting place of North Korean leader Kim Jong Un and Russian President "
         "Vladimir Putin is a surprise for observers.")
TOKYO_SHORT = ("Tokyo The meeting place of North Korean leader Kim Jong Un and Russian "
               "President Vladimir Putin")
WELCOME = "During the welcome, Putin made it clear that the location had been chosen carefully."

# What must never reach a terminal raw: C0/C1 controls but line break and
# tab, DEL, and the bidi controls (tests/test_terminal_escaping.py's RAW).
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
ESC, RLO, PDF = "\x1b", "\u202e", "\u202c"
# A note with escape sequences, BEL, a bidi override, text outside the BMP and
# a combining mark (e + COMBINING ACUTE ACCENT, not the precomposed é).
HOSTILE_NOTE = f"see {ESC}[2J{ESC}]0;owned\x07 {RLO}evil{PDF} 😀 cafe\u0301 𝔘𝔫𝔦"


# --- helpers ---------------------------------------------------------------------------


def seed_text() -> str:
    return (REPO / "corpus" / SEED_ID).read_text(encoding="utf-8")


def span_of(quote: str, text: str | None = None) -> tuple[int, int]:
    text = seed_text() if text is None else text
    start = text.index(quote)
    assert text.count(quote) == 1
    return start, start + len(quote)


def pid(quote: str, text: str | None = None) -> str:
    """The position id merge gives the span of quote (p<start>-<end>)."""
    start, end = span_of(quote, text)
    return f"p{start}-{end}"


def add(run: Run, reviewer: str, label: str, quote: str, *extra: str,
        document: str = SEED_ID) -> str:
    """`annotate add` one span; returns the new id."""
    sources = ("--source", SOURCE) if label in NEEDS_SOURCE and "--source" not in extra else ()
    result = run("add", document, "--quote", quote, "--label", label, "--reviewer", reviewer,
                 *sources, *extra)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def folder(workspace: Path, document: str = SEED_ID) -> Path:
    return workspace / "annotations" / document


def consensus(workspace: Path, document: str = SEED_ID) -> list[dict[str, Any]]:
    lines = (folder(workspace, document) / "consensus.jsonl").read_text(
        encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def by_position(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["provenance"]["position"]: r for r in records}


def decisions(workspace: Path, document: str = SEED_ID) -> list[dict[str, Any]]:
    data = json.loads((folder(workspace, document) / "decisions.json").read_text(
        encoding="utf-8"))
    assert data["document"] == document
    return list(data["decisions"])


def schema(name: str) -> jsonschema.protocols.Validator:
    loaded = json.loads((REPO / "schemas" / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(loaded)
    return jsonschema.Draft202012Validator(loaded, format_checker=jsonschema.FormatChecker())


def merge_json(run: Run, *args: str, code: int | None = None) -> Any:
    """`annotate merge --format json`, checked against the report schema."""
    result = run("merge", *args, "--format", "json")
    assert result.exit_code in ((0, 1) if code is None else (code,)), result.stderr
    data = json.loads(result.stdout)
    schema("merge-report.schema.json").validate(data)
    return data


def positions(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["id"]: p for p in report["positions"]}


def refused(result: Result, *parts: str) -> str:
    """Exit 2, nothing on stdout, one line on stderr holding every part."""
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert result.stderr.startswith("annotate: error: "), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    for part in parts:
        assert part in result.stderr, (part, result.stderr)
    return result.stderr


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file and folder under root (None for a folder), by relative path."""
    return {p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else None)
            for p in sorted(root.rglob("*"))}


def assert_harmless(output: str) -> None:
    found = RAW.search(output)
    assert found is None, ascii(found.group() if found else "")


@pytest.fixture
def disputed(workspace: Path, run: Run) -> dict[str, str]:
    """alice and bob: HEADS agreed (opinion), TOKYO in conflict (unsourced vs
    speculative), WELCOME marked by alice only (unsourced)."""
    return {
        "alice-heads": add(run, "alice", "opinion", HEADS, "--note", "a value judgement"),
        "bob-heads": add(run, "bob", "opinion", HEADS, "--tag", "lede"),
        "alice-tokyo": add(run, "alice", "unsourced", TOKYO),
        "bob-tokyo": add(run, "bob", "speculative", TOKYO),
        "alice-welcome": add(run, "alice", "unsourced", WELCOME),
    }


# --- strategies --------------------------------------------------------------------------


def test_unanimous_merges_agreed_positions_with_provenance(workspace: Path, run: Run,
                                                           disputed: dict[str, str]) -> None:
    result = run("merge", SEED_ID)
    assert result.exit_code == 1  # the Tokyo conflict is undecided
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == (f"{SEED_ID}: 2 reviewer(s) (alice, bob), strategy unanimous")
    assert lines[1] == "  3 position(s): 1 agreed, 1 conflict, 1 incomplete, 0 stacked"
    assert lines[2] == f"  merged 1 into annotations/{SEED_ID}/consensus.jsonl"
    assert lines[3] == "  not merged: 1 conflict, 1 incomplete"
    conflict = next(line for line in lines if line.startswith(f"    {pid(TOKYO)} "))
    assert "conflict" in conflict and conflict.endswith("alice=unsourced bob=speculative")
    assert lines[-1] == "1 document(s) merged; 1 position(s) left to decide"

    [record] = consensus(workspace)
    start, end = span_of(HEADS)
    assert (record["start"], record["end"], record["quote"]) == (start, end, HEADS)
    assert (record["label"], record["reviewer"], record["document"]) == (
        "opinion", "consensus", SEED_ID)
    assert record["id"].startswith("c-")
    # What the supporters said travels with the label.
    assert (record["note"], record["tags"]) == ("a value judgement", ["lede"])
    assert record["provenance"] == {
        "position": pid(HEADS), "method": "unanimous",
        "supporters": [{"reviewer": "alice", "annotation": disputed["alice-heads"]},
                       {"reviewer": "bob", "annotation": disputed["bob-heads"]}]}
    schema("annotation.schema.json").validate(record)

    # The consensus is an annotation file like any other.
    checked = run("validate", "--no-cache")
    assert checked.exit_code == 0, checked.stdout
    assert checked.stdout.endswith("no problems.\n")
    listed = run("list", SEED_ID, "--reviewer", "consensus", "--format", "json")
    assert listed.exit_code == 0
    assert [r["id"] for r in json.loads(listed.stdout)] == [record["id"]]
    table = run("list", SEED_ID, "--reviewer", "consensus")
    assert table.exit_code == 0 and record["id"] in table.stdout
    assert "alice" not in table.stdout.split("\n", 1)[1]
    shown = run("show", SEED_ID, "--reviewer", "consensus")
    assert shown.exit_code == 0
    assert f"[1] opinion by consensus at 5:1 ({record['id']})" in shown.stdout
    assert f"[1 {HEADS} 1]" in shown.stdout


def test_majority_uses_a_strict_majority_and_a_tie_is_a_conflict(workspace: Path,
                                                                 run: Run) -> None:
    ids = {"alice": add(run, "alice", "speculative", HEADS),
           "bob": add(run, "bob", "speculative", HEADS)}
    add(run, "carol", "unsourced", HEADS)
    add(run, "alice", "opinion", TOKYO)
    add(run, "bob", "unsourced", TOKYO)  # 1 : 1 and carol did not mark it: a tie
    add(run, "alice", "opinion", WELCOME)  # one vote: below the quorum

    report = merge_json(run, SEED_ID, "--strategy", "majority", code=1)
    assert report["summary"]["quorum"] == 2  # a strict majority of 3
    found = positions(report)
    assert found[pid(HEADS)]["decision"] == {
        "merged": True, "method": "majority", "label": "speculative",
        "start": span_of(HEADS)[0], "end": span_of(HEADS)[1], "supporters": ["alice", "bob"],
        "reason": None, "editor": None}
    assert found[pid(TOKYO)]["decision"]["reason"] == "tie"
    assert found[pid(WELCOME)]["decision"]["reason"] == "quorum"
    assert report["unresolved"] == [pid(TOKYO)]  # a tie blocks; a missed quorum does not
    [record] = consensus(workspace)
    assert record["label"] == "speculative"
    assert record["provenance"]["method"] == "majority"
    assert record["provenance"]["supporters"] == [
        {"reviewer": "alice", "annotation": ids["alice"]},
        {"reviewer": "bob", "annotation": ids["bob"]}]
    text = run("merge", SEED_ID, "--strategy", "majority")
    assert text.exit_code == 1
    assert text.stdout.splitlines()[0].endswith("strategy majority, quorum 2")
    assert "  not merged: 1 tie, 1 quorum" in text.stdout.splitlines()

    # --quorum 1: a single vote is enough, a tie still is not.
    report = merge_json(run, SEED_ID, "--strategy", "majority", "--quorum", "1", code=1)
    assert positions(report)[pid(WELCOME)]["decision"]["label"] == "opinion"
    assert positions(report)[pid(TOKYO)]["decision"]["reason"] == "tie"
    assert {r["label"] for r in consensus(workspace)} == {"speculative", "opinion"}

    # A fourth reviewer who finished without marking anything raises the
    # default quorum to 3 of 4: two votes no longer speak for the desk.
    assert run("finish", SEED_ID, "--reviewer", "dave").exit_code == 0
    report = merge_json(run, SEED_ID, "--strategy", "majority", code=1)
    assert report["summary"]["quorum"] == 3
    assert report["summary"]["reviewers"] == ["alice", "bob", "carol", "dave"]
    assert positions(report)[pid(HEADS)]["decision"]["reason"] == "quorum"
    assert consensus(workspace) == []


def test_a_two_reviewer_tie_under_majority_exits_1_until_decided(workspace: Path,
                                                                 run: Run) -> None:
    add(run, "alice", "opinion", TOKYO)
    add(run, "bob", "unsourced", TOKYO)
    result = run("merge", "--strategy", "majority")
    assert result.exit_code == 1
    assert f"    {pid(TOKYO)}" in result.stdout
    assert run("resolve", SEED_ID, pid(TOKYO), "--label", "opinion",
               "--reviewer", "ed").exit_code == 0
    assert run("merge", "--strategy", "majority").exit_code == 0
    assert [r["label"] for r in consensus(workspace)] == ["opinion"]


def test_union_merges_every_single_label_position(workspace: Path, run: Run,
                                                  disputed: dict[str, str]) -> None:
    report = merge_json(run, SEED_ID, "--strategy", "union", code=1)
    found = positions(report)
    assert found[pid(WELCOME)]["status"] == "incomplete"
    assert found[pid(WELCOME)]["missing"] == ["bob"]
    assert found[pid(WELCOME)]["decision"]["merged"] is True
    assert found[pid(TOKYO)]["decision"]["reason"] == "conflict"
    merged = by_position(consensus(workspace))
    assert set(merged) == {pid(HEADS), pid(WELCOME)}
    assert merged[pid(WELCOME)]["provenance"] == {
        "position": pid(WELCOME), "method": "union",
        "supporters": [{"reviewer": "alice", "annotation": disputed["alice-welcome"]}]}
    # Back to unanimous: the union-only record leaves the consensus.
    assert run("merge").exit_code == 1
    assert set(by_position(consensus(workspace))) == {pid(HEADS)}


def test_prefer_takes_that_reviewers_label_where_they_marked(workspace: Path, run: Run,
                                                             disputed: dict[str, str]) -> None:
    result = run("merge", SEED_ID, "--strategy", "prefer:bob")
    assert (result.exit_code, result.stderr) == (0, "")  # bob settles the conflict
    merged = by_position(consensus(workspace))
    assert set(merged) == {pid(HEADS), pid(TOKYO)}  # WELCOME: bob did not mark it
    assert merged[pid(TOKYO)]["label"] == "speculative"
    assert merged[pid(TOKYO)]["provenance"] == {
        "position": pid(TOKYO), "method": "prefer:bob",
        "supporters": [{"reviewer": "bob", "annotation": disputed["bob-tokyo"]}]}
    schema("annotation.schema.json").validate(merged[pid(TOKYO)])

    # Someone who is not a reviewer: unanimous decides, and a note says so.
    result = run("merge", SEED_ID, "--strategy", "prefer:zoe")
    assert result.exit_code == 1
    assert result.stderr == (f"annotate: note: zoe is not a reviewer of {SEED_ID}: unanimous "
                             "decided every position\n")
    assert set(by_position(consensus(workspace))) == {pid(HEADS)}


def test_require_complete_blocks_on_an_incomplete_position(workspace: Path, run: Run) -> None:
    add(run, "alice", "opinion", HEADS)
    add(run, "bob", "opinion", HEADS)
    add(run, "alice", "unsourced", WELCOME)
    assert run("merge").exit_code == 0  # no conflict: incomplete is not blocking
    result = run("merge", "--require-complete")
    assert result.exit_code == 1
    assert f"    {pid(WELCOME)}" in result.stdout and "(not marked by bob)" in result.stdout
    report = merge_json(run, SEED_ID, "--require-complete", code=1)
    assert report["unresolved"] == [pid(WELCOME)]
    assert report["summary"]["conflicts"] == 0 and report["summary"]["blocking"] == 1
    # An editor's rejection settles it: "no claim here".
    assert run("resolve", SEED_ID, pid(WELCOME), "--reject", "--reviewer", "ed").exit_code == 0
    assert run("merge", "--require-complete").exit_code == 0
    assert set(by_position(consensus(workspace))) == {pid(HEADS)}


def test_a_reviewer_with_two_labels_at_one_position_blocks_until_decided(
        workspace: Path, run: Run) -> None:
    add(run, "alice", "opinion", HEADS)
    add(run, "alice", "unsourced", HEADS.rstrip("."))  # a second, overlapping span
    add(run, "bob", "opinion", HEADS)
    text = run("merge", SEED_ID, "--dry-run")
    # Both of alice's labels show: one of them alone would hide why it blocks.
    assert "alice=unsourced+opinion bob=opinion" in text.stdout, text.stdout
    report = merge_json(run, SEED_ID, code=1)
    [position] = report["positions"]
    assert (position["status"], position["stacked"]) == ("stacked", ["alice"])
    assert position["decision"]["reason"] == "stacked"
    assert report["unresolved"] == [position["id"]]
    assert run("resolve", SEED_ID, position["id"], "--label", "opinion").exit_code == 0
    assert run("merge").exit_code == 0
    [record] = consensus(workspace)
    assert (record["label"], record["provenance"]["method"]) == ("opinion", "editor")
    assert record["provenance"]["editor"]["reviewer"] == "alice"  # $ANNOTATE_REVIEWER


@pytest.mark.parametrize(("args", "message"), [
    (["--strategy", "majority", "--quorum", "0"],
     "annotate: error: --quorum must be at least 1 (got 0)\n"),
    (["--quorum", "2"],
     "annotate: error: --quorum applies to --strategy majority only (not unanimous)\n"),
    (["--min-overlap", "2"],
     "annotate: error: --min-overlap 2.0 must be above 0 and at most 1 (default 0.5)\n"),
    (["--min-overlap", "0"],
     "annotate: error: --min-overlap 0.0 must be above 0 and at most 1 (default 0.5)\n"),
    (["--strategy", "bogus"],
     "annotate: error: unknown strategy 'bogus': use unanimous, majority, union or "
     "prefer:REVIEWER (e.g. prefer:dana)\n"),
    (["--strategy", "prefer:"], "annotate: error: unknown strategy 'prefer:'"),
    (["nope.txt"], "annotate: error: unknown document 'nope.txt': no such file under corpus/"),
    (["--format", "xml"], "annotate: error: invalid value for '--format'"),
])
def test_usage_errors_are_exit_2_and_write_nothing(workspace: Path, run: Run,
                                                   disputed: dict[str, str],
                                                   args: list[str], message: str) -> None:
    before = snapshot(workspace / "annotations")
    result = run("merge", *args)
    refused(result)
    assert result.stderr.startswith(message)
    assert snapshot(workspace / "annotations") == before
    assert not (folder(workspace) / "consensus.jsonl").exists()


# --- the consensus file --------------------------------------------------------------------


def test_merging_again_with_nothing_changed_leaves_the_file_byte_for_byte(
        workspace: Path, run: Run, disputed: dict[str, str]) -> None:
    assert run("resolve", SEED_ID, pid(TOKYO), "--label", "speculative", "--note", "hedged",
               "--reviewer", "ed").exit_code == 0
    path = folder(workspace) / "consensus.jsonl"
    assert run("merge", "--strategy", "union").exit_code == 0
    first = path.read_bytes()
    assert len(consensus(workspace)) == 3
    again = run("merge", "--strategy", "union")
    assert again.exit_code == 0
    assert "  merged 3 into the consensus (unchanged)" in again.stdout.splitlines()
    assert path.read_bytes() == first
    assert merge_json(run, SEED_ID, "--strategy", "union")["written"] is False
    assert path.read_bytes() == first
    # A record that changes keeps its `created`; unchanged ones keep everything.
    earlier = by_position(consensus(workspace))
    assert run("edit", disputed["alice-welcome"], "--note", "now with a note").exit_code == 0
    assert merge_json(run, SEED_ID, "--strategy", "union")["written"] is True
    now = by_position(consensus(workspace))
    assert now[pid(WELCOME)]["note"] == "now with a note"
    assert now[pid(WELCOME)]["created"] == earlier[pid(WELCOME)]["created"]
    assert now[pid(HEADS)] == earlier[pid(HEADS)]
    assert now[pid(TOKYO)] == earlier[pid(TOKYO)]


def test_a_single_reviewer_is_copied_with_a_note(workspace: Path, run: Run) -> None:
    first = add(run, "alice", "sourced", HEADS, "--note", "per the agency")
    second = add(run, "alice", "opinion", WELCOME, "--tag", "quote")
    result = run("merge")
    assert result.exit_code == 0
    assert result.stderr == (f"annotate: note: only alice reviewed {SEED_ID}: the consensus "
                             "copies their annotations\n")
    copied = by_position(consensus(workspace))
    assert set(copied) == {pid(HEADS), pid(WELCOME)}
    assert (copied[pid(HEADS)]["label"], copied[pid(HEADS)]["note"],
            copied[pid(HEADS)]["sources"]) == ("sourced", "per the agency", [SOURCE])
    assert copied[pid(WELCOME)]["tags"] == ["quote"]
    assert copied[pid(HEADS)]["provenance"]["supporters"] == [
        {"reviewer": "alice", "annotation": first}]
    assert copied[pid(WELCOME)]["provenance"]["supporters"] == [
        {"reviewer": "alice", "annotation": second}]
    assert run("validate", "--no-cache").exit_code == 0


def test_a_reviewer_who_finished_with_nothing_makes_positions_incomplete(
        workspace: Path, run: Run) -> None:
    add(run, "alice", "opinion", HEADS)
    add(run, "bob", "opinion", HEADS)
    assert run("merge").exit_code == 0
    assert len(consensus(workspace)) == 1
    assert run("finish", SEED_ID, "--reviewer", "carol").exit_code == 0
    assert not (folder(workspace) / "carol.jsonl").exists()
    report = merge_json(run, SEED_ID, code=0)
    assert report["summary"]["reviewers"] == ["alice", "bob", "carol"]
    [position] = report["positions"]
    assert (position["status"], position["missing"]) == ("incomplete", ["carol"])
    assert position["decision"]["reason"] == "incomplete"
    # The record that carol's "nothing here" undoes leaves the consensus.
    assert consensus(workspace) == []
    assert report["written"] is True
    assert run("merge", "--require-complete").exit_code == 1
    # Taking "finished" back: two reviewers again.
    assert run("finish", SEED_ID, "--reviewer", "carol", "--undo").exit_code == 0
    assert run("merge", "--require-complete").exit_code == 0
    assert len(consensus(workspace)) == 1


def test_dry_run_writes_nothing(workspace: Path, run: Run, disputed: dict[str, str]) -> None:
    before = snapshot(workspace / "annotations")
    result = run("merge", "--dry-run", "--strategy", "union")
    assert result.exit_code == 1
    assert "  merged 2 into the consensus (nothing written: --dry-run)" in result.stdout
    report = merge_json(run, SEED_ID, "--dry-run", code=1)
    assert report["written"] is False
    assert snapshot(workspace / "annotations") == before
    assert not (folder(workspace) / "consensus.jsonl").exists()
    # With a consensus on disk, a dry run of another strategy leaves it be.
    assert run("merge").exit_code == 1
    before = snapshot(workspace / "annotations")
    assert run("merge", "--dry-run", "--strategy", "prefer:bob").exit_code == 0
    assert snapshot(workspace / "annotations") == before
    # A document nobody reviewed does not get a folder, dry run or not.
    shutil.copyfile(workspace / "corpus" / SEED_ID, workspace / "corpus" / "other.txt")
    for args in (["--dry-run"], []):
        result = run("merge", "other.txt", *args)
        assert result.exit_code == 0
        assert result.stdout.splitlines()[1] == ("  0 position(s): 0 agreed, 0 conflict, "
                                                 "0 incomplete, 0 stacked")
        assert not folder(workspace, "other.txt").exists()
    assert snapshot(workspace / "annotations") == before


def test_json_is_one_object_for_one_document_and_a_list_otherwise(workspace: Path, run: Run,
                                                                  disputed: dict[str, str]
                                                                  ) -> None:
    shutil.copyfile(workspace / "corpus" / SEED_ID, workspace / "corpus" / "second.txt")
    add(run, "alice", "opinion", HEADS, document="second.txt")
    add(run, "bob", "opinion", HEADS, document="second.txt")
    one = merge_json(run, SEED_ID, code=1)
    assert isinstance(one, dict) and one["document"] == SEED_ID
    assert one["unresolved"] == [pid(TOKYO)]
    assert [p["id"] for p in one["positions"]] == [pid(HEADS), pid(TOKYO), pid(WELCOME)]
    assert positions(one)[pid(TOKYO)]["labels"] == {"alice": "unsourced", "bob": "speculative"}
    assert one["summary"]["statuses"] == {"agreed": 1, "conflict": 1, "incomplete": 1,
                                          "stacked": 0}
    assert one["written"] is True
    listed = merge_json(run, code=1)
    assert isinstance(listed, list)
    assert [d["document"] for d in listed] == [SEED_ID, "second.txt"]  # sorted
    assert listed[1]["unresolved"] == [] and listed[1]["summary"]["merged"] == 1
    assert [d["written"] for d in listed] == [False, True]  # only second.txt is new
    assert [d["written"] for d in merge_json(run, code=1)] == [False, False]
    # Two documents named: a list too; the one named twice: one object.
    assert isinstance(merge_json(run, "second.txt", SEED_ID, code=1), list)
    assert merge_json(run, "second.txt", code=0)["document"] == "second.txt"
    # Text: a summary per document and a total line.
    text = run("merge", "second.txt", SEED_ID)
    assert text.exit_code == 1
    assert text.stdout.splitlines()[-1] == "2 document(s) merged; 1 position(s) left to decide"


def test_no_reviewed_documents_is_not_an_error(workspace: Path, run: Run) -> None:
    result = run("merge")
    assert (result.exit_code, result.stdout) == (0, "no reviewed documents: nothing to merge\n")
    assert merge_json(run, code=0) == []
    assert not folder(workspace).exists()


def test_files_on_different_versions_are_refused(workspace: Path, run: Run) -> None:
    add(run, "alice", "opinion", HEADS)
    article = workspace / "corpus" / SEED_ID
    article.write_text("Update: edited.\n\n" + seed_text(), encoding="utf-8")
    add(run, "bob", "opinion", HEADS)
    for args in (("merge", SEED_ID), ("merge", "--dry-run"),
                 ("resolve", SEED_ID, pid(HEADS), "--label", "opinion")):
        message = refused(run(*args),
                          f"annotate: error: {SEED_ID}: reviewer files were made on different "
                          "versions of the document (",
                          f"run 'annotate reanchor {SEED_ID}' to move every annotation onto "
                          "the current text, then run this again")
        assert re.search(r"\(\w{12}: alice; \w{12}: bob\)", message), message
    assert sorted(p.name for p in folder(workspace).iterdir()) == ["alice.jsonl", "bob.jsonl"]
    assert run("reanchor").exit_code == 0
    assert run("merge").exit_code == 0
    [record] = consensus(workspace)
    assert record["start"] == span_of(HEADS)[0] + len("Update: edited.\n\n")


def test_an_id_two_reviewers_share_is_refused_until_dedupe(workspace: Path, run: Run) -> None:
    shared = add(run, "alice", "opinion", HEADS)
    text = (folder(workspace) / "alice.jsonl").read_text(encoding="utf-8")
    (folder(workspace) / "bob.jsonl").write_text(
        text.replace('"reviewer": "alice"', '"reviewer": "bob"'), encoding="utf-8")
    for args in (("merge",), ("resolve", SEED_ID, pid(HEADS), "--label", "opinion")):
        refused(run(*args), f"annotate: error: {SEED_ID}: annotation id {shared!r} is not unique "
                            "(both alice and bob use it); run 'annotate dedupe' to give each "
                            "annotation its own id, then run this again")
    assert not (folder(workspace) / "consensus.jsonl").exists()
    assert run("dedupe").exit_code == 0
    assert run("merge").exit_code == 0
    [record] = consensus(workspace)
    supporters = record["provenance"]["supporters"]
    assert [s["reviewer"] for s in supporters] == ["alice", "bob"]
    assert len({s["annotation"] for s in supporters}) == 2


def test_consensus_is_reserved_and_its_records_are_changed_through_resolve(
        workspace: Path, run: Run, disputed: dict[str, str]) -> None:
    refused(run("add", SEED_ID, "--quote", WELCOME, "--label", "opinion",
                "--reviewer", "consensus"), "'consensus' is reserved for the merged result")
    assert run("merge").exit_code == 1
    [record] = consensus(workspace)
    path = folder(workspace) / "consensus.jsonl"
    before = path.read_bytes()
    hint = (f"decide its position instead: 'annotate resolve {SEED_ID} {pid(HEADS)} --label "
            f"LABEL' (or --reject), then 'annotate merge {SEED_ID}'")
    refused(run("edit", record["id"], "--label", "unsourced"),
            f"{record['id']} is a record of the merged consensus", "editing it would not last",
            hint)
    refused(run("rm", record["id"], "--yes"), "removing it would not last", hint)
    refused(run("rm", record["id"][:6], "--yes"), hint)  # by an id prefix too
    assert path.read_bytes() == before
    refused(run("resolve", SEED_ID, pid(TOKYO), "--label", "opinion", "--reviewer",
                "consensus"), "'consensus' is reserved for the merged result; decide under "
                              "your own name (--reviewer)")
    assert not (folder(workspace) / "decisions.json").exists()


# --- resolve ------------------------------------------------------------------------------


def test_resolve_label_reject_replace_and_undo(workspace: Path, run: Run,
                                               disputed: dict[str, str]) -> None:
    tokyo = pid(TOKYO)
    result = run("resolve", SEED_ID, tokyo, "--label", "speculative", "--note", "it hedges",
                 "--reviewer", "ed")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == (f"{tokyo}: label speculative\n"
                             f"run 'annotate merge {SEED_ID}' to update the consensus\n")
    data = json.loads((folder(workspace) / "decisions.json").read_text(encoding="utf-8"))
    schema("decisions.schema.json").validate(data)
    [decision] = data["decisions"]
    start, end = span_of(TOKYO)
    assert (decision["start"], decision["end"], decision["quote"]) == (start, end, TOKYO)
    assert (decision["label"], decision["editor"], decision["note"], decision["sources"]) == (
        "speculative", "ed", "it hedges", [])
    assert "orphaned" not in decision

    assert run("merge").exit_code == 0  # decided: nothing blocks
    merged = by_position(consensus(workspace))[tokyo]
    assert merged["label"] == "speculative"
    assert merged["provenance"] == {
        "position": tokyo, "method": "editor",
        "supporters": [{"reviewer": "bob", "annotation": disputed["bob-tokyo"]}],
        "editor": {"reviewer": "ed", "note": "it hedges", "time": decision["time"]}}
    report = merge_json(run, SEED_ID, code=0)
    assert report["summary"]["decided_by_editor"] == 1
    assert positions(report)[tokyo]["decision"]["editor"] == {
        "reviewer": "ed", "note": "it hedges", "time": decision["time"]}

    # A later decision replaces the earlier one: still one per position.
    result = run("resolve", SEED_ID, tokyo, "--reject", "--reviewer", "dana")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == (f"{tokyo}: rejected: no claim here; it replaces "
                                             "ed's label speculative")
    [decision] = decisions(workspace)
    assert (decision["label"], decision["editor"]) == (None, "dana")
    assert run("merge").exit_code == 0  # a rejection unblocks too
    assert tokyo not in by_position(consensus(workspace))
    assert positions(merge_json(run, SEED_ID))[tokyo]["decision"]["reason"] == "rejected"

    # Undo: the conflict is back.
    result = run("resolve", SEED_ID, tokyo, "--undo")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == (f"took back the decision for {tokyo} (rejected: "
                                             "no claim here, by dana)")
    assert decisions(workspace) == []
    assert run("merge").exit_code == 1
    refused(run("resolve", SEED_ID, tokyo, "--undo"),
            f"no decision for '{tokyo}' in {SEED_ID}; decided positions: none")


@pytest.mark.parametrize("args", [[], ["--label", "opinion", "--reject"],
                                  ["--reject", "--undo"]])
def test_resolve_needs_exactly_one_decision(workspace: Path, run: Run,
                                            disputed: dict[str, str], args: list[str]) -> None:
    refused(run("resolve", SEED_ID, pid(TOKYO), *args),
            "say what to decide: --label LABEL, --reject (no claim here) or --undo")
    assert not (folder(workspace) / "decisions.json").exists()


def test_an_unknown_position_lists_the_nearest(workspace: Path, run: Run,
                                               disputed: dict[str, str]) -> None:
    start, end = span_of(TOKYO)
    near = f"p{start}-{end - 1}"
    message = refused(run("resolve", SEED_ID, near, "--label", "opinion"),
                      f"{SEED_ID} has no position '{near}'; nearest: ")
    nearest = message.split("nearest: ")[1].split(" (see")[0].split(", ")
    assert nearest[0] == pid(TOKYO)
    assert set(nearest) == {pid(HEADS), pid(TOKYO), pid(WELCOME)}
    assert message.endswith(f"(see 'annotate merge {SEED_ID}')\n")
    # Not an id at all: still the closest ones by spelling.
    refused(run("resolve", SEED_ID, "tokyo", "--reject"), "has no position 'tokyo'; nearest: p")
    # A document nobody reviewed has no positions and gets no folder.
    shutil.copyfile(workspace / "corpus" / SEED_ID, workspace / "corpus" / "other.txt")
    refused(run("resolve", "other.txt", near, "--label", "opinion"),
            "other.txt has no positions: no reviewer has annotated it")
    refused(run("resolve", "other.txt", near, "--undo"), "decided positions: none")
    assert not folder(workspace, "other.txt").exists()
    assert not (folder(workspace) / "decisions.json").exists()
    refused(run("resolve", SEED_ID, pid(TOKYO), "--label", "nope"), "unknown label 'nope'")


def test_a_label_that_requires_a_source_needs_one(workspace: Path, run: Run,
                                                  disputed: dict[str, str]) -> None:
    tokyo = pid(TOKYO)
    refused(run("resolve", SEED_ID, tokyo, "--label", "disputed"),
            "label 'disputed' requires a source and no reviewer who chose it here cited one; "
            "pass --source URL")
    assert not (folder(workspace) / "decisions.json").exists()
    # A source that is no address gets the message add and edit give, not
    # the schema's regular expression.
    refused(run("resolve", SEED_ID, tokyo, "--label", "disputed", "--source",
                "javascript:alert(1)"),
            "annotate: error: decisions/0/sources/0: source 'javascript:alert(1)' is not an "
            "absolute http(s) address (IRI); give the full address, e.g. https://")
    assert not (folder(workspace) / "decisions.json").exists()
    url = "https://example.org/fact-check"
    assert run("resolve", SEED_ID, tokyo, "--label", "disputed", "--source", url,
               "--reviewer", "ed").exit_code == 0
    assert decisions(workspace)[0]["sources"] == [url]
    assert run("merge").exit_code == 0
    merged = by_position(consensus(workspace))[tokyo]
    assert (merged["label"], merged["sources"]) == ("disputed", [url])
    assert merged["provenance"]["supporters"] == []  # nobody chose it
    assert "sources" not in merged["provenance"]["editor"]
    assert run("validate", "--no-cache").exit_code == 0
    # A reviewer who chose the label cited a source: that one is enough.
    add(run, "carol", "sourced", WELCOME)
    assert run("resolve", SEED_ID, pid(WELCOME), "--label", "sourced").exit_code == 0
    assert run("merge").exit_code == 0
    assert by_position(consensus(workspace))[pid(WELCOME)]["sources"] == [SOURCE]


def test_decisions_survive_a_merge_after_more_annotations_elsewhere(
        workspace: Path, run: Run, disputed: dict[str, str]) -> None:
    assert run("resolve", SEED_ID, pid(TOKYO), "--label", "unsourced",
               "--reviewer", "ed").exit_code == 0
    path = folder(workspace) / "decisions.json"
    kept = path.read_bytes()
    assert run("merge").exit_code == 0
    add(run, "bob", "unsourced", "Russia will provide North Korea with support in building "
                                 "satellites, Putin said, according to Russian media.")
    add(run, "bob", "speculative", "That’s why we came to the Vostochny Cosmodrome.")
    report = merge_json(run, SEED_ID, code=0)
    assert path.read_bytes() == kept
    decided = positions(report)[pid(TOKYO)]["decision"]
    assert (decided["method"], decided["label"]) == ("editor", "unsourced")
    assert by_position(consensus(workspace))[pid(TOKYO)]["label"] == "unsourced"
    assert report["orphaned_decisions"] == []


def test_a_decision_whose_position_is_gone_is_reported_kept_not_applied(
        workspace: Path, run: Run, disputed: dict[str, str]) -> None:
    old = pid(TOKYO)
    assert run("resolve", SEED_ID, old, "--label", "speculative", "--reviewer", "ed").exit_code == 0
    assert run("merge").exit_code == 0
    path = folder(workspace) / "decisions.json"
    kept = path.read_bytes()
    # Both reviewers trim their span: the position's core is now another span.
    for key in ("alice-tokyo", "bob-tokyo"):
        assert run("edit", disputed[key], "--quote", TOKYO_SHORT).exit_code == 0
    new = pid(TOKYO_SHORT)
    result = run("merge")
    assert result.exit_code == 1  # the conflict at the new position is undecided
    assert (f"  decision for {old} by ed (label speculative) matches no position now; nearest "
            f"position now: {new}; kept, not applied") in result.stdout.splitlines()
    assert f"    {new}" in result.stdout
    assert path.read_bytes() == kept
    assert old not in by_position(consensus(workspace))
    assert {r["label"] for r in consensus(workspace)} == {"opinion"}
    report = merge_json(run, SEED_ID, code=1)
    [orphan] = report["orphaned_decisions"]
    assert (orphan["position"], orphan["label"], orphan["nearest"]) == (old, "speculative", new)
    assert orphan["editor"]["reviewer"] == "ed"
    assert report["summary"]["orphaned_decisions"] == 1
    # Deciding the new position leaves the old decision where it was.
    assert run("resolve", SEED_ID, new, "--reject", "--reviewer", "ed").exit_code == 0
    assert [d["label"] for d in decisions(workspace)] == [None, "speculative"]
    assert run("merge").exit_code == 0


# --- re-anchoring ---------------------------------------------------------------------------


def test_reanchor_moves_decisions_and_merge_applies_them_there(workspace: Path, run: Run,
                                                               disputed: dict[str, str]) -> None:
    assert run("resolve", SEED_ID, pid(TOKYO), "--label", "speculative", "--note", "hedged",
               "--reviewer", "ed").exit_code == 0
    assert run("merge").exit_code == 0
    preface = "Correction: this article was updated.\n\n"
    text = preface + seed_text().replace("Experts and media", "Experts and the media")
    (workspace / "corpus" / SEED_ID).write_text(text, encoding="utf-8")
    result = run("reanchor")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.rstrip().endswith("1 editor's decision(s) moved")
    [decision] = decisions(workspace)
    start, end = span_of(TOKYO, text)
    assert start == span_of(TOKYO)[0] + len(preface)
    assert (decision["start"], decision["end"], decision["quote"]) == (start, end, TOKYO)
    assert decision["note"] == "hedged" and decision["label"] == "speculative"
    report = merge_json(run, SEED_ID, code=0)
    assert positions(report)[pid(TOKYO, text)]["decision"]["method"] == "editor"
    merged = by_position(consensus(workspace))[pid(TOKYO, text)]
    assert (merged["start"], merged["end"], merged["label"]) == (start, end, "speculative")
    assert merged["provenance"]["editor"]["note"] == "hedged"
    checked = run("validate", "--no-cache", "--strict")
    assert checked.exit_code == 0, checked.stdout


def test_decisions_on_another_version_than_the_reviewers_are_refused(workspace: Path, run: Run,
                                                                     disputed: dict[str, str]
                                                                     ) -> None:
    assert run("resolve", SEED_ID, pid(TOKYO), "--label", "speculative",
               "--reviewer", "ed").exit_code == 0
    path = folder(workspace) / "decisions.json"
    made_before = path.read_bytes()
    text = "Update.\n\n" + seed_text()
    (workspace / "corpus" / SEED_ID).write_text(text, encoding="utf-8")
    assert run("reanchor").exit_code == 0
    # An editor's branch brings back decisions made on the old text.
    path.write_bytes(made_before)
    refused(run("merge"), f"{SEED_ID}: 1 decision(s) (e.g. {pid(TOKYO)} by ed) were made on "
                          "another version of the document than the reviewers' files; run "
                          f"'annotate reanchor {SEED_ID}'")
    assert run("reanchor").exit_code == 0
    assert run("merge").exit_code == 0
    assert by_position(consensus(workspace))[pid(TOKYO, text)]["label"] == "speculative"


def test_a_decision_reanchoring_cannot_place_is_kept_and_not_applied(
        workspace: Path, run: Run, disputed: dict[str, str]) -> None:
    assert run("resolve", SEED_ID, pid(TOKYO), "--label", "speculative",
               "--reviewer", "ed").exit_code == 0
    text = seed_text().replace(TOKYO + " ", "")
    (workspace / "corpus" / SEED_ID).write_text(text, encoding="utf-8")
    result = run("reanchor")
    assert result.exit_code == 1  # orphans left for a human
    assert (f"orphaned  {SEED_ID} decision for {pid(TOKYO)} (ed): ") in result.stdout
    [decision] = decisions(workspace)
    assert decision["orphaned"] is True and decision["label"] == "speculative"
    # The two reviewers' Tokyo spans are orphaned too, on the old version:
    # merge leaves them out rather than refusing the mixed versions.
    result = run("merge")
    assert result.exit_code == 0, result.stderr
    assert (f"  decision for {pid(TOKYO)} by ed (label speculative) is orphaned: re-anchoring "
            "found no place for it; kept, not applied") in result.stdout.splitlines()
    assert result.stderr == ("annotate: note: 2 orphaned annotation(s) left out: they have no "
                             "place in the current text; run 'annotate reanchor' or fix them "
                             "by hand\n")
    assert {r["label"] for r in consensus(workspace)} == {"opinion"}
    report = merge_json(run, SEED_ID, code=0)
    assert report["unplaced_decisions"] == [{"position": pid(TOKYO), "label": "speculative",
                                             "editor": "ed", "quote": TOKYO}]
    assert report["summary"]["skipped_annotations"] == 2
    assert decisions(workspace) == [decision]


# --- validate: decisions files and finished markers ---------------------------------------


def good_decisions(workspace: Path, run: Run) -> Path:
    assert run("resolve", SEED_ID, pid(TOKYO), "--label", "speculative",
               "--reviewer", "ed").exit_code == 0
    assert run("validate", "--no-cache").exit_code == 0
    return folder(workspace) / "decisions.json"


def column(line: str, needle: str) -> int:
    return line.index(needle) + 1


def test_validate_reports_an_unknown_label_at_its_line_and_column(
        workspace: Path, run: Run, disputed: dict[str, str]) -> None:
    path = good_decisions(workspace, run)
    text = path.read_text(encoding="utf-8").replace('"label": "speculative"',
                                                    '"label": "bogus"')
    path.write_text(text, encoding="utf-8")
    result = run("validate", "--no-cache")
    assert result.exit_code == 1
    at = column(text.splitlines()[1], '"bogus"')
    where = f"annotations/{SEED_ID}/decisions.json:2:{at}"
    assert (f"{where}: AN301 error: unknown label 'bogus'; allowed: sourced, unsourced, "
            "disputed, speculative, opinion") in result.stdout.splitlines()


def test_validate_reports_bad_json_in_decisions_at_its_line_and_column(
        workspace: Path, run: Run, disputed: dict[str, str]) -> None:
    path = good_decisions(workspace, run)
    text = path.read_text(encoding="utf-8")
    assert text.count("\n") == 3  # the header, one decision, the closing line
    path.write_text(text.replace("\n]}", ",\n]}"), encoding="utf-8")  # a trailing comma
    result = run("validate", "--no-cache")
    assert result.exit_code == 1
    assert (f"annotations/{SEED_ID}/decisions.json:3:1: AN101 error: not valid JSON: "
            "expecting value") in result.stdout.splitlines()


@pytest.mark.parametrize("blank", ["", "\n", " \n\n"])
def test_a_blank_decisions_file_fails_validate_as_it_stops_every_reader(
        workspace: Path, run: Run, disputed: dict[str, str], blank: str) -> None:
    path = good_decisions(workspace, run)
    path.write_text(blank, encoding="utf-8")
    result = run("validate", "--no-cache")
    assert result.exit_code == 1
    assert (f"annotations/{SEED_ID}/decisions.json:1:1: AN101 error: the file is empty (or "
            "only white space) where one JSON object belongs; restore it from git, or delete "
            "it") in result.stdout.splitlines()
    assert run("merge").exit_code == 2


def test_validate_reports_a_second_decision_for_a_position(workspace: Path, run: Run,
                                                           disputed: dict[str, str]) -> None:
    path = good_decisions(workspace, run)
    head, decision, tail = path.read_text(encoding="utf-8").split("\n", 2)
    path.write_text(f"{head}\n{decision},\n{decision}\n{tail}", encoding="utf-8")
    result = run("validate", "--no-cache")
    assert result.exit_code == 1
    assert (f"annotations/{SEED_ID}/decisions.json:3:3: AN316 error: a second decision for "
            f"position {pid(TOKYO)} (the first is decisions[0]); keep one: 'annotate resolve' "
            "replaces a decision instead of adding another") in result.stdout.splitlines()


def test_validate_reports_a_decision_quote_that_does_not_match(workspace: Path, run: Run,
                                                               disputed: dict[str, str]) -> None:
    path = good_decisions(workspace, run)
    text = path.read_text(encoding="utf-8").replace('"quote": "Tokyo The', '"quote": "Tokio The')
    path.write_text(text, encoding="utf-8")
    result = run("validate", "--no-cache")
    assert result.exit_code == 1
    start, end = span_of(TOKYO)
    at = column(text.splitlines()[1], '"Tokio')
    where = f"annotations/{SEED_ID}/decisions.json:2:{at}"
    assert (f"{where}: AN304 error: decision for {pid(TOKYO)}: quote differs from the text at "
            f"{start}..{end}: ") in result.stdout


@pytest.mark.parametrize(("damage", "code"), [
    (lambda text: text[:40], "AN101"),  # cut short
    (lambda text: text.replace("\n]}", ",\n]}"), "AN101"),  # a trailing comma
    (lambda text: text.replace('"label": "speculative"', '"label": "bogus"'), "AN301"),
    (lambda text: text.replace('"editor": "ed"', '"editor": "e d"'), "AN203"),
    (lambda text: text.replace('{"document": "', '{"document": "x'), "AN308"),
])
def test_a_broken_decisions_file_stops_merge_and_resolve_and_is_never_rewritten(
        workspace: Path, run: Run, disputed: dict[str, str], damage: Any, code: str) -> None:
    path = good_decisions(workspace, run)
    assert run("merge").exit_code == 0
    broken = damage(path.read_text(encoding="utf-8")).encode("utf-8")
    path.write_bytes(broken)
    consensus_before = (folder(workspace) / "consensus.jsonl").read_bytes()
    checked = run("validate", "--no-cache")
    assert checked.exit_code == 1
    finding = re.search(rf"^annotations/{re.escape(SEED_ID)}/decisions\.json:(\d+):(\d+): "
                        rf"{code} error: ", checked.stdout, re.MULTILINE)
    assert finding, checked.stdout
    where = f"annotations/{SEED_ID}/decisions.json:{finding[1]}:{finding[2]}: "
    for args in (("merge",), ("merge", "--dry-run"),
                 ("resolve", SEED_ID, pid(TOKYO), "--label", "unsourced"),
                 ("resolve", SEED_ID, pid(TOKYO), "--reject"),
                 ("resolve", SEED_ID, pid(TOKYO), "--undo")):
        refused(run(*args), f"annotate: error: {where}",
                "(the file was left untouched; fix it by hand or restore it from git)")
        assert path.read_bytes() == broken
    assert (folder(workspace) / "consensus.jsonl").read_bytes() == consensus_before


@pytest.mark.parametrize(("damage", "expected"), [
    (lambda text: text.replace('"reviewer": "carol"', '"reviewer": "dave"'),
     "AN308 error: the marker is for reviewer 'dave' but its file is for 'carol'"),
    (lambda text: '{"document": 1}\n', "AN203 error: "),
    (lambda text: text[:20], "AN101 error: not valid JSON"),
])
def test_a_broken_finished_marker_is_reported_and_stops_merge(workspace: Path, run: Run,
                                                             damage: Any, expected: str) -> None:
    add(run, "alice", "opinion", HEADS)
    assert run("finish", SEED_ID, "--reviewer", "carol").exit_code == 0
    marker = folder(workspace) / "carol.finished.json"
    broken = damage(marker.read_text(encoding="utf-8"))
    marker.write_text(broken, encoding="utf-8")
    checked = run("validate", "--no-cache")
    assert checked.exit_code == 1
    found = re.search(rf"^annotations/{re.escape(SEED_ID)}/carol\.finished\.json:(\d+):(\d+): "
                      f"{re.escape(expected)}", checked.stdout, re.MULTILINE)
    assert found, checked.stdout
    if "dave" in broken:
        assert int(found[2]) == column(broken, '"dave"')
    refused(run("merge"), f"annotations/{SEED_ID}/carol.finished.json:{found[1]}:{found[2]}: ")
    assert marker.read_text(encoding="utf-8") == broken
    assert not (folder(workspace) / "consensus.jsonl").exists()


# --- hostile text --------------------------------------------------------------------------


def test_hostile_notes_round_trip_and_never_reach_the_terminal_raw(workspace: Path,
                                                                   run: Run) -> None:
    bob_note = f"{RLO}bob{PDF}\x07 😀"
    add(run, "alice", "opinion", HEADS, "--note", HOSTILE_NOTE)
    add(run, "bob", "opinion", HEADS, "--note", bob_note)
    add(run, "alice", "unsourced", TOKYO)
    add(run, "bob", "speculative", TOKYO)
    outputs: list[str] = []

    def keep(result: Result) -> Result:
        outputs.extend((result.stdout, result.stderr))
        return result

    assert keep(run("merge")).exit_code == 1
    [record] = consensus(workspace)
    assert record["note"] == f"{HOSTILE_NOTE}\n{bob_note}"  # each supporter's note, exactly

    result = keep(run("resolve", SEED_ID, pid(TOKYO), "--label", "speculative", "--note",
                      HOSTILE_NOTE, "--reviewer", "ed"))
    assert result.exit_code == 0
    assert decisions(workspace)[0]["note"] == HOSTILE_NOTE
    assert keep(run("merge")).exit_code == 0
    merged = by_position(consensus(workspace))
    assert merged[pid(TOKYO)]["provenance"]["editor"]["note"] == HOSTILE_NOTE
    assert merged[pid(HEADS)]["note"] == f"{HOSTILE_NOTE}\n{bob_note}"
    report = merge_json(run, SEED_ID, code=0)
    assert positions(report)[pid(TOKYO)]["decision"]["editor"]["note"] == HOSTILE_NOTE
    assert keep(run("validate", "--no-cache")).exit_code == 0

    shown = keep(run("show", SEED_ID, "--reviewer", "consensus"))
    assert shown.exit_code == 0
    assert "note: see \\x1b[2J\\x1b]0;owned\\x07 <U+202E>evil<U+202C> 😀 cafe\u0301 𝔘𝔫𝔦" \
        in shown.stdout
    assert keep(run("list", SEED_ID)).exit_code == 0
    # A position id with a line break or escapes cannot forge output lines.
    forged = keep(run("resolve", SEED_ID, f"p1\nannotate: forged{ESC}[2J{RLO}", "--reject"))
    refused(forged, "has no position 'p1\\nannotate: forged\\x1b[2J\\u202e'")
    forged = keep(run("resolve", SEED_ID, f"p9-{RLO}9\n", "--undo"))
    refused(forged, "no decision for 'p9-\\u202e9\\n'")
    for output in outputs:
        assert_harmless(output)


def test_a_hostile_document_name_and_text_are_escaped_in_merge_output(workspace: Path,
                                                                      run: Run) -> None:
    name = f"e{ESC}[31mvil{RLO}.txt"
    body = f"Plain start. Evil {ESC}[2J claim {RLO}here 😀 e\u0301 end.\n\nSecond line here.\n"
    (workspace / "corpus" / name).write_text(body, encoding="utf-8")
    claim = f"Evil {ESC}[2J claim {RLO}here 😀 e\u0301 end."
    add(run, "alice", "opinion", claim, document=name)
    add(run, "bob", "unsourced", claim, document=name)
    result = run("merge")
    assert result.exit_code == 1
    assert_harmless(result.stdout + result.stderr)
    shown = "e\\x1b[31mvil<U+202E>.txt"
    assert result.stdout.splitlines()[0].startswith(f"{shown}: 2 reviewer(s)")
    assert "“Evil \\x1b[2J claim <U+202E>here 😀 e\u0301 end.”" in result.stdout
    position = pid(claim, body)
    result = run("resolve", name, position, "--label", "opinion", "--reviewer", "ed")
    assert result.exit_code == 0
    assert_harmless(result.stderr)
    # As $'...': pasted, bash and zsh read the name back (annotate.suggest).
    assert result.stderr.endswith(
        "run 'annotate merge $'e\\x1b[31mvil\\u202e.txt'' to update the consensus\n")
    assert run("merge").exit_code == 0
    [record] = consensus(workspace, name)
    assert (record["document"], record["quote"]) == (name, claim)
    data = merge_json(run, name, code=0)
    assert data["document"] == name and data["positions"][0]["quote"] == claim


def test_the_installed_console_script_merges_and_resolves(desk: Path) -> None:
    def annotate(*args: str) -> Any:
        return run_installed(*args, cwd=desk)

    for reviewer, label in (("alice", "unsourced"), ("bob", "speculative")):
        assert annotate("add", SEED_ID, "--quote", TOKYO, "--label", label,
                        "--reviewer", reviewer).returncode == 0
        assert annotate("add", SEED_ID, "--quote", HEADS, "--label", "opinion",
                        "--reviewer", reviewer).returncode == 0
    blocked = annotate("merge", SEED_ID)
    assert blocked.returncode == 1
    assert "1 position(s) left to decide" in blocked.stdout
    usage = annotate("merge", "--quorum", "0", "--strategy", "majority")
    assert (usage.returncode, usage.stdout) == (2, "")
    assert usage.stderr == "annotate: error: --quorum must be at least 1 (got 0)\n"
    decided = annotate("resolve", SEED_ID, pid(TOKYO), "--label", "speculative",
                       "--note", HOSTILE_NOTE)  # the editor is alice (ANNOTATE_REVIEWER)
    assert decided.returncode == 0, decided.stderr
    assert_harmless(decided.stdout + decided.stderr)
    merged = annotate("merge", "--format", "json")
    assert merged.returncode == 0, merged.stderr
    [report] = json.loads(merged.stdout)
    schema("merge-report.schema.json").validate(report)
    assert report["summary"]["merged"] == 2
    editor = positions(report)[pid(TOKYO)]["decision"]["editor"]
    assert (editor["reviewer"], editor["note"]) == ("alice", HOSTILE_NOTE)
    text = annotate("merge")
    assert text.returncode == 0
    assert_harmless(text.stdout + text.stderr)
    assert "  merged 2 into the consensus (unchanged)" in text.stdout.splitlines()
    assert annotate("validate", "--no-cache").returncode == 0
    assert consensus(desk)[0]["reviewer"] == "consensus"


@pytest.mark.parametrize("start_end", [(4700, 4659), (4659, 4659), (10**15, 10**15 + 5),
                                       (5, 10**19)])
def test_a_hand_edited_span_no_position_can_hold_is_refused_in_one_line(
        workspace: Path, run: Run, start_end: tuple[int, int]) -> None:
    # `add` never writes such a span; a hand edit can, and the readers accept
    # it (only validate, which reads the text, calls it AN303).  Grouping
    # reached it and crashed with exit 3.
    add(run, "bob", "opinion", HEADS)
    bad = add(run, "alice", "opinion", TOKYO)
    path = folder(workspace) / "alice.jsonl"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["start"], record["end"] = start_end
    path.write_text(json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    message = (f"annotate: error: {SEED_ID}: alice's annotation {bad!r} spans "
               f"{start_end[0]}..{start_end[1]}, an empty, reversed or too long span; fix its "
               f"start and end by hand or remove it ('annotate rm {bad}'), then run this again")
    for args in (("merge",), ("agreement", SEED_ID),
                 ("resolve", SEED_ID, pid(HEADS), "--label", "opinion")):
        refused(run(*args), message)
    assert not (folder(workspace) / "consensus.jsonl").exists()
    report = run("report", "--format", "md")
    assert report.exit_code == 0, report.stderr
    assert "not merged or compared: " + message.removeprefix("annotate: error: ") in report.stdout
    assert run("rm", bad, "--yes").exit_code == 0
    assert run("merge").exit_code == 0
