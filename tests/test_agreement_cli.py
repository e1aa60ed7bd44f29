"""`annotate agreement` through the command line (issue 9, item 6): published
values rebuilt from annotations added with `annotate add`, the exit codes and
one-line messages, the CSV formula-injection rule, the text table, and the
JSON output against schemas/agreement-report.schema.json."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from annotate.report.agreement import spreadsheet_safe
from tests.conftest import REPO, SEED_ID, Run
from tests.test_agreement import KRIPPENDORFF_2011

SCHEMA = REPO / "schemas" / "agreement-report.schema.json"
# The whole text table on the repository's seed annotations; rewrite it with
# `python -m tests.test_agreement_cli` after a deliberate change.
GOLDEN_TEXT = REPO / "tests" / "data" / "agreement-seed.txt"
SOURCE = "https://example.org/"
# The taxonomy's five labels stand for the table's values 1..5.
VALUES = {"1": "sourced", "2": "unsourced", "3": "disputed", "4": "speculative",
          "5": "opinion"}
NEEDS_SOURCE = {"sourced", "disputed"}


def add(run: Run, reviewer: str, label: str, *span: str, document: str = SEED_ID) -> str:
    """`annotate add` one span; returns the new id."""
    sources = ("--source", SOURCE) if label in NEEDS_SOURCE else ()
    result = run("add", document, *span, "--label", label, "--reviewer", reviewer, *sources)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def agreement_json(run: Run, *args: str) -> dict[str, Any]:
    result = run("agreement", *args, "--format", "json")
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    validator().validate(data)
    return data


def test_krippendorff_2011_built_with_annotate_add(workspace: Path, run: Run) -> None:
    # One unit = one sentence (sentences 1..12 of the seed article are
    # disjoint); coder = reviewer; value = label; "." = the coder did not
    # annotate the unit.
    for coder, row in KRIPPENDORFF_2011.items():
        for unit, value in enumerate(row.split(), 1):
            if value != ".":
                add(run, f"coder-{coder.lower()}", VALUES[value], "--sentence", str(unit))
    data = agreement_json(run, "--absent", "missing")
    alpha = data["overall"]["all_labels"]["krippendorff_alpha"]
    assert round(alpha["value"], 3) == 0.743
    assert alpha["reviewers"] == 4
    # Unit 12 has one value only: not pairable, so not used.
    assert (alpha["positions"], alpha["skipped_positions"]) == (11, 1)
    assert data["absent"] == "missing"
    assert [d["document"] for d in data["documents"]] == [SEED_ID]


def seed_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the repository's workspace (three reviewers of the seed article); cwd is it."""
    root = tmp_path / "seed"
    root.mkdir()
    shutil.copy(REPO / "annotate.json", root / "annotate.json")
    for name in ("corpus", "annotations"):
        shutil.copytree(REPO / name, root / name,
                        ignore=shutil.ignore_patterns(".annotate-cache"))
    monkeypatch.chdir(root)
    return root


def test_the_json_output_on_the_seed_corpus_matches_the_schema(run: Run, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    seed_workspace(tmp_path, monkeypatch)
    data = agreement_json(run)  # validated against the schema there
    assert data["overall"]["all_labels"]["reviewers"] == 3
    assert list(data["overall"]["labels"]) == sorted(data["overall"]["labels"])
    assert data["min_overlap"] == 0.5


def test_the_text_table_on_the_seed_corpus(run: Run, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    seed_workspace(tmp_path, monkeypatch)
    result = run("agreement", SEED_ID)
    assert (result.exit_code, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert lines[0] == ("absent: none (an unmarked position counts as a category of its own); "
                        "min overlap 0.5")
    assert "overall (1 document(s)): 12 positions, 3 reviewers" in lines
    assert f"document {SEED_ID}: 12 positions, 3 reviewers" in lines
    assert "    Krippendorff's alpha  -0.083 (12 positions, 3 reviewers)" in lines
    assert "    Fleiss' kappa         -0.114 (12 positions, 3 reviewers)" in lines
    assert "    alice@factdesk.example × bob@factdesk.example" in lines
    assert "      Cohen's kappa       -0.120 (8 positions, 2 reviewers, 4 skipped)" in lines
    assert "      F1 exact            0.200 (P 0.200 R 0.200; 5/5 spans)" in lines
    assert "  label opinion (this label against any other value)" in lines
    # An undefined value is "-", with its reason.
    assert ("      F1 exact            0.000 (P - R 0.000; 1/0 spans: carol@factdesk.example "
            "marked no span: precision is undefined)") in lines
    assert result.stdout == GOLDEN_TEXT.read_text(encoding="utf-8"), (
        "the table changed: if on purpose, run `python -m tests.test_agreement_cli`")


def test_an_undefined_coefficient_is_a_dash_with_its_reason(workspace: Path, run: Run) -> None:
    add(run, "alice", "opinion", "--sentence", "3")
    add(run, "bob", "unsourced", "--sentence", "5")
    result = run("agreement", "--absent", "missing")
    assert result.exit_code == 0
    assert ("    Fleiss' kappa         - (0 positions, 0 reviewers, 2 skipped: no position was "
            "marked by every reviewer of its document (Fleiss' kappa needs a value from each; "
            "krippendorff_alpha does not))") in result.stdout.splitlines()


def test_one_reviewer_is_exit_2_with_one_line(workspace: Path, run: Run) -> None:
    add(run, "alice", "opinion", "--sentence", "3")
    result = run("agreement")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"annotate: error: agreement needs at least two reviewers: {SEED_ID} has 1 (alice); "
        "a reviewer counts once they annotate the document or mark it finished\n")


def test_no_annotations_is_exit_2(workspace: Path, run: Run) -> None:
    result = run("agreement")
    assert result.exit_code == 2
    assert result.stderr == ("annotate: error: agreement needs at least two reviewers, and "
                             "there are no annotations here yet\n")


def test_reviewer_files_on_different_versions_are_refused(workspace: Path, run: Run) -> None:
    add(run, "alice", "opinion", "--sentence", "3")
    article = workspace / "corpus" / SEED_ID
    article.write_text("Update: edited.\n\n" + article.read_text(encoding="utf-8"),
                       encoding="utf-8")
    add(run, "bob", "opinion", "--sentence", "4")
    result = run("agreement", SEED_ID)
    assert result.exit_code == 2
    assert result.stdout == ""
    message = result.stderr
    assert message.count("\n") == 1
    assert message.startswith(f"annotate: error: {SEED_ID}: reviewer files were made on "
                              "different versions of the document (")
    assert ": alice;" in message or ": alice)" in message
    assert ": bob;" in message or ": bob)" in message
    assert f"run 'annotate reanchor {SEED_ID}'" in message


def test_consensus_and_orphaned_annotations_are_left_out(workspace: Path, run: Run) -> None:
    add(run, "alice", "opinion", "--sentence", "3")
    add(run, "bob", "opinion", "--sentence", "3")
    folder = workspace / "annotations" / SEED_ID
    # The consensus `annotate merge` writes is not a reviewer; its label is
    # changed so that counting it would show.
    assert run("merge", SEED_ID).exit_code == 0
    text = (folder / "consensus.jsonl").read_text(encoding="utf-8")
    assert '"label": "opinion"' in text
    (folder / "consensus.jsonl").write_text(
        text.replace('"label": "opinion"', '"label": "unsourced"'), encoding="utf-8")
    # An orphaned annotation has no span any more.
    orphan = add(run, "bob", "speculative", "--sentence", "5")
    lines = (folder / "bob.jsonl").read_text(encoding="utf-8").splitlines()
    (folder / "bob.jsonl").write_text("".join(
        (line.replace('"id": ', '"orphaned": true, "id": ', 1) if orphan in line else line)
        + "\n" for line in lines), encoding="utf-8")
    data = agreement_json(run)
    overall = data["overall"]["all_labels"]
    assert (overall["reviewers"], overall["positions"]) == (2, 1)
    assert [pair["reviewers"] for pair in overall["pairs"]] == [["alice", "bob"]]
    assert overall["pairs"][0]["exact"]["f1"] == 1.0


def test_a_stacked_position_with_two_labels_is_left_out_and_counted(workspace: Path,
                                                                    run: Run) -> None:
    sentence = "The two heads of state want to deepen their relations."
    add(run, "alice", "opinion", "--quote", sentence)
    add(run, "alice", "unsourced", "--quote", "The two heads of state want to deepen their")
    add(run, "bob", "opinion", "--quote", sentence)
    add(run, "alice", "opinion", "--sentence", "5")
    add(run, "bob", "opinion", "--sentence", "5")
    data = agreement_json(run)
    assert data["stacked_skipped"] == {SEED_ID: 1}
    assert data["overall"]["all_labels"]["positions"] == 1
    text = run("agreement").stdout
    assert (f"document {SEED_ID}: 1 positions, 2 reviewers; 1 stacked position(s) left out "
            "(a reviewer's spans there carry different labels)") in text.splitlines()


def test_csv_cells_that_a_spreadsheet_would_run_get_an_apostrophe(workspace: Path,
                                                                 run: Run) -> None:
    hostile = "=SUM(1+1).txt"
    shutil.copyfile(workspace / "corpus" / SEED_ID, workspace / "corpus" / hostile)
    add(run, "+bob", "opinion", "--sentence", "3", document=hostile)
    add(run, "alice", "unsourced", "--sentence", "3", document=hostile)
    result = run("agreement", "--format", "csv")
    assert (result.exit_code, result.stderr) == (0, "")
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["scope", "document", "label", "coefficient", "pair", "value",
                       "positions", "reviewers", "spans", "reason"]
    documents = {row[1] for row in rows[1:] if row[0] == "document"}
    assert documents == {"'=SUM(1+1).txt"}
    assert {row[4] for row in rows[1:] if row[3] == "cohen_kappa"} == {"'+bob vs alice"}
    # Numbers stay numbers, a negative one included: we wrote them, no formula.
    fleiss = next(row for row in rows if row[:4] == ["overall", "", "", "fleiss_kappa"])
    assert fleiss[5] == "-1.000000"
    for row in rows[1:]:
        for cell in (row[1], row[2], row[4], row[9]):
            assert not cell.startswith(("=", "+", "-", "@"))


@pytest.mark.parametrize(("cell", "safe"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("alice", "alice"), ("", ""), ("a=b", "a=b"),
])
def test_spreadsheet_safe(cell: str, safe: str) -> None:
    assert spreadsheet_safe(cell) == safe


@pytest.mark.parametrize(("args", "message"), [
    (["--min-overlap", "0"], "annotate: error: --min-overlap 0.0 must be above 0 and at most 1 "
                             "(default 0.5)\n"),
    (["--absent", "zero"], None),
])
def test_bad_options_are_exit_2(workspace: Path, run: Run, args: list[str],
                                message: str | None) -> None:
    add(run, "alice", "opinion", "--sentence", "3")
    add(run, "bob", "opinion", "--sentence", "3")
    result = run("agreement", *args)
    assert result.exit_code == 2
    if message is not None:
        assert result.stderr == message
    else:
        assert result.stderr.startswith("annotate: error: invalid value for '--absent'")


def test_a_document_nobody_annotated_is_counted_and_not_created(workspace: Path,
                                                                run: Run) -> None:
    result = run("agreement", SEED_ID)
    assert result.exit_code == 2
    assert result.stderr == (
        f"annotate: error: agreement needs at least two reviewers: {SEED_ID} has 0 (nobody); "
        "a reviewer counts once they annotate the document or mark it finished\n")
    assert not (workspace / "annotations" / SEED_ID).exists()


def test_a_repeated_id_in_one_file_is_refused(workspace: Path, run: Run) -> None:
    add(run, "alice", "opinion", "--sentence", "3")
    add(run, "bob", "opinion", "--sentence", "3")
    path = workspace / "annotations" / SEED_ID / "bob.jsonl"
    line = path.read_text(encoding="utf-8")
    path.write_text(line + line.replace('"opinion"', '"unsourced"'), encoding="utf-8")
    result = run("agreement")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"annotate: error: {SEED_ID}: annotation id ")
    assert ("(bob's file holds it twice); after a git merge conflict, keep one of the two "
            "lines; else run 'annotate dedupe'") in result.stderr
    assert result.stderr.endswith("; else run 'annotate dedupe' to give each annotation its "
                                  "own id, then run this again\n")


if __name__ == "__main__":
    import sys
    import tempfile

    from click.testing import CliRunner

    from annotate.cli import cli

    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        seed_workspace(Path(folder), patch)
        output = CliRunner().invoke(cli, ["agreement", SEED_ID]).stdout
    GOLDEN_TEXT.write_text(output, encoding="utf-8")
    sys.stdout.write(f"wrote {GOLDEN_TEXT.relative_to(REPO)}\n")


def test_a_reviewer_who_finished_with_nothing_counts_as_marking_nothing(
        workspace: Path, run: Run) -> None:
    assert run("add", SEED_ID, "--label", "opinion", "--sentence", "3").exit_code == 0
    single = run("agreement")
    assert single.exit_code == 2  # alice alone: nothing to compare
    assert run("finish", SEED_ID, "--reviewer", "bob").exit_code == 0
    result = run("agreement", "--format", "json")
    assert result.exit_code == 0, result.stderr
    overall = json.loads(result.stdout)["overall"]["all_labels"]
    assert overall["krippendorff_alpha"]["reviewers"] == 2
    [pair] = overall["pairs"]
    assert pair["exact"]["reference_spans"] + pair["exact"]["candidate_spans"] == 1
