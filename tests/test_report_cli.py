"""`annotate report` through the command line: formats and how they are
picked, what each document and reviewer shows (consensus, conflicts,
orphans, stale files, --reviewer), exit codes with one line on stderr, and
-o FILE: atomic, never through a link, never over the workspace's data."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.conftest import SEED_ID, Run, permission_bits_prefix, run_installed
from tests.test_merge_cli import HEADS, TOKYO, TOKYO_SHORT, WELCOME, add
from tests.test_report import report_validator


def report_json(run: Run, *args: str) -> Any:
    """`annotate report --format json`, checked against schemas/report.schema.json."""
    result = run("report", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    data = json.loads(result.stdout)
    report_validator().validate(data)
    return data


def one_line_error(result: Result, code: int, *fragments: str) -> None:
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("annotate: error: "), result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture
def reviewed(workspace: Path, run: Run) -> dict[str, str]:
    """Three reviewers on the seed article, merged by majority: HEADS agreed by
    two (merged), TOKYO a tie (an open conflict), WELCOME by one."""
    ids = {"alice-heads": add(run, "alice", "opinion", HEADS, "--note", "a judgement"),
           "bob-heads": add(run, "bob", "opinion", HEADS),
           "alice-tokyo": add(run, "alice", "sourced", TOKYO, "--verdict", "accurate"),
           "bob-tokyo": add(run, "bob", "opinion", TOKYO_SHORT),
           "carol-welcome": add(run, "carol", "speculative", WELCOME)}
    assert run("merge", "--strategy", "majority").exit_code == 1
    return ids


# --- formats ----------------------------------------------------------------------------

def test_html_on_stdout_by_default(reviewed: dict[str, str], run: Run) -> None:
    result = run("report")
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout.startswith("<!DOCTYPE html>")
    assert "content=\"default-src &#39;none&#39;; style-src &#39;sha256-" in result.stdout
    assert "<script" not in result.stdout
    assert result.stdout.count('<mark class="hl ') >= 3


@pytest.mark.parametrize(("name", "start"), [
    ("report.html", "<!DOCTYPE html>"), ("REPORT.HTM", "<!DOCTYPE html>"),
    ("comment.md", "## Fact-check report: test desk"), ("rows.csv", "id,document,start,"),
    ("data.json", "{\n"), ("report.txt", "<!DOCTYPE html>"), ("noext", "<!DOCTYPE html>")])
def test_the_format_follows_the_suffix_of_o(reviewed: dict[str, str], run: Run,
                                             workspace: Path, name: str, start: str) -> None:
    result = run("report", "-o", name)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith(f"wrote {name} (")
    assert "3 reviewers" not in result.stderr and "1 document, 5 annotations" in result.stderr
    assert (workspace / name).read_text(encoding="utf-8").startswith(start)


def test_format_given_wins_over_the_suffix(reviewed: dict[str, str], run: Run,
                                           workspace: Path) -> None:
    assert run("report", "--format", "csv", "-o", "report.html").exit_code == 0
    assert (workspace / "report.html").read_text(encoding="utf-8").startswith("id,document")
    result = run("report", "--format", "md", "-o", "-")
    assert result.exit_code == 0 and result.stdout.startswith("## Fact-check report")


def test_json_shows_consensus_conflicts_and_reviewers(reviewed: dict[str, str],
                                                       run: Run) -> None:
    data = report_json(run)
    [document] = data["documents"]
    assert document["merge"]["strategy"] == "majority"  # as the consensus file was merged
    assert document["consensus"] == {
        "file": f"annotations/{SEED_ID}/consensus.jsonl", "exists": True, "current": True,
        "records": document["consensus"]["records"]}
    assert [c["quote"] for c in document["consensus"]["records"]] == [HEADS]
    [conflict] = document["merge"]["conflicts"]
    assert conflict["labels"] == {"alice": "sourced", "bob": "opinion"}
    assert conflict["decision"]["reason"] == "tie"
    numbered = {a["record"]["id"]: a for a in document["annotations"]}
    assert numbered[reviewed["carol-welcome"]]["position_status"] == "incomplete"
    assert [r["reviewer"] for r in data["reviewers"]] == ["alice", "bob", "carol"]
    carol = data["reviewers"][2]
    assert carol["positions"] == {"marked": 1, "shared": 0, "same_label": 0}
    assert carol["labels"] == {"speculative": 1}


def test_a_stale_consensus_is_said_to_be_out_of_date(reviewed: dict[str, str], run: Run) -> None:
    add(run, "carol", "opinion", HEADS)  # now HEADS has three votes: the file is stale
    document = report_json(run)["documents"][0]
    assert document["consensus"]["current"] is False
    html = run("report").stdout
    assert "out of date" in html and f"annotate merge {SEED_ID}" in html
    md = run("report", "--format", "md").stdout
    assert "**out of date**" in md


def test_markdown_is_a_comment(reviewed: dict[str, str], run: Run) -> None:
    result = run("report", "--format", "md")
    assert result.exit_code == 0
    text = result.stdout
    assert "| # | Label | Reviewer | Quote | Note | Verdict | Sources |" in text
    assert "**Open conflicts**" in text and "alice: sourced; bob: opinion" in text
    assert "Cohen's kappa" in text and "### Reviewers" in text
    assert "<" not in text.replace("<https://", "")  # no HTML, only autolinks


def test_csv_has_one_row_per_annotation(reviewed: dict[str, str], run: Run) -> None:
    rows = list(csv.DictReader(io.StringIO(run("report", "--format", "csv").stdout)))
    assert sorted(row["id"] for row in rows) == sorted(reviewed.values())
    assert {row["shown"] for row in rows} == {"drawn"}
    assert {row["position_status"] for row in rows} == {"incomplete", "conflict"}
    heads = [row for row in rows if row["quote"] == HEADS]
    assert {row["position_status"] for row in heads} == {"incomplete"}


def test_reviewer_filter(reviewed: dict[str, str], run: Run) -> None:
    data = report_json(run, "--reviewer", "bob")
    assert data["reviewer"] == "bob"
    assert {a["record"]["reviewer"] for a in data["documents"][0]["annotations"]} == {"bob"}
    assert [r["reviewer"] for r in data["reviewers"]] == ["bob"]
    # Agreement is still bob's with the others.
    assert [w["reviewer"] for w in data["reviewers"][0]["agreement"]] == ["alice", "carol"]
    merged = report_json(run, "--reviewer", "consensus")
    assert [a["record"]["reviewer"] for a in merged["documents"][0]["annotations"]] == [
        "consensus"]
    [consensus] = merged["reviewers"]  # its counts per label; it agrees with nobody
    assert (consensus["reviewer"], consensus["labels"], consensus["agreement"]) == (
        "consensus", {"opinion": 1}, [])


def test_unknown_reviewer_and_document_are_one_line(reviewed: dict[str, str], run: Run) -> None:
    one_line_error(run("report", "--reviewer", "dana"), 2, "no annotations by reviewer 'dana'",
                   "alice, bob, carol, consensus")
    one_line_error(run("report", "no-such.txt"), 2, "unknown document 'no-such.txt'")
    one_line_error(run("report", "--format", "pdf"), 2, "'pdf' is not one of")


def test_a_document_nobody_reviewed_and_an_empty_workspace(workspace: Path, run: Run) -> None:
    empty = report_json(run)
    assert empty["documents"] == [] and empty["reviewers"] == []
    assert "0 documents" in run("report", "--format", "md").stdout
    named = report_json(run, SEED_ID)
    [document] = named["documents"]
    assert document["annotations"] == [] and document["merge"] is None
    assert document["text"] == (workspace / "corpus" / SEED_ID).read_text(encoding="utf-8")
    assert not (workspace / "annotations" / SEED_ID).exists()  # a report writes nothing
    html = run("report", SEED_ID).stdout
    assert "not reviewed yet" in html and "No annotations" in html


def test_orphaned_and_stale_annotations_are_listed_apart(reviewed: dict[str, str], run: Run,
                                                          workspace: Path) -> None:
    path = workspace / "corpus" / SEED_ID
    path.write_text(path.read_text(encoding="utf-8").replace(WELCOME, ""), encoding="utf-8")
    # Before reanchor: every file is on the old version, the text is new.
    document = report_json(run)["documents"][0]
    shown = {a["record"]["id"]: a["shown"] for a in document["annotations"]}
    assert shown[reviewed["carol-welcome"]] == "stale"
    assert any("changed since it was annotated" in note for note in document["notes"])
    assert run("reanchor").exit_code == 1  # carol's span is gone: orphaned
    document = report_json(run)["documents"][0]
    shown = {a["record"]["id"]: a["shown"] for a in document["annotations"]}
    assert shown[reviewed["carol-welcome"]] == "orphaned"
    assert list(shown.values()).count("drawn") == 4
    html = run("report").stdout
    assert "<h3>Orphaned annotations</h3>" in html


def test_files_on_different_versions_are_shown_with_a_note(workspace: Path, run: Run) -> None:
    add(run, "alice", "opinion", HEADS)
    path = workspace / "corpus" / SEED_ID
    path.write_text("Preface.\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    add(run, "bob", "opinion", HEADS)  # on the new version
    result = run("report", "--format", "json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)["documents"][0]
    assert document["merge"] is None and document["agreement"] is None
    [note] = document["notes"]
    assert "different versions of the document" in note and "annotate reanchor" in note
    assert [a["shown"] for a in document["annotations"]] == ["drawn", "stale"]


# --- -o FILE ----------------------------------------------------------------------------

def test_o_replaces_a_file_atomically_keeping_its_mode(reviewed: dict[str, str], run: Run,
                                                       workspace: Path) -> None:
    target = workspace / "out" / "report.html"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    assert run("report", "-o", str(target)).exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert os.listdir(target.parent) == ["report.html"]  # no temporary file left


def test_o_outside_the_workspace(reviewed: dict[str, str], run: Run, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "r.md"
    target.parent.mkdir()
    result = run("report", "-o", str(target))
    assert result.exit_code == 0 and target.read_text(encoding="utf-8").startswith("## ")


def test_o_never_writes_through_a_link(reviewed: dict[str, str], run: Run, workspace: Path,
                                       tmp_path: Path) -> None:
    victim = tmp_path / "bashrc"
    victim.write_text("precious\n", encoding="utf-8")
    (workspace / "report.html").symlink_to(victim)
    one_line_error(run("report", "-o", "report.html"), 2,
                   "report.html is a symbolic link", "remove it")
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert (workspace / "report.html").is_symlink()
    (workspace / "dangling.html").symlink_to(tmp_path / "nowhere.html")
    one_line_error(run("report", "-o", "dangling.html"), 2, "is a symbolic link")
    assert not (tmp_path / "nowhere.html").exists()


@pytest.mark.parametrize("name", [f"corpus/{SEED_ID}", "corpus/new.html",
                                  f"annotations/{SEED_ID}/alice.jsonl", "annotations/r.html",
                                  "annotate.json"])
def test_o_never_replaces_the_workspaces_data(reviewed: dict[str, str], run: Run,
                                              workspace: Path, name: str) -> None:
    before = {p: p.read_bytes() for p in workspace.rglob("*") if p.is_file()}
    result = run("report", "-o", name)
    one_line_error(result, 2, name, "write the report elsewhere")
    assert {p: p.read_bytes() for p in workspace.rglob("*") if p.is_file()} == before


def test_o_refuses_a_folder_a_fifo_and_a_missing_folder(reviewed: dict[str, str], run: Run,
                                                        workspace: Path) -> None:
    (workspace / "folder.html").mkdir()
    one_line_error(run("report", "-o", "folder.html"), 2, "folder.html is a folder")
    os.mkfifo(workspace / "pipe.html")
    one_line_error(run("report", "-o", "pipe.html"), 2, "pipe.html is not a regular file")
    one_line_error(run("report", "-o", "no/such/dir/r.html"), 2,
                   "there is no folder no/such/dir")
    (workspace / "plain").write_text("x", encoding="utf-8")
    one_line_error(run("report", "-o", "plain/r.html"), 2, "there is no folder plain")
    one_line_error(run("report", "-o", ""), 2, "-o needs a file name")
    one_line_error(run("report", "-o", "."), 2, ". is a folder")


def test_o_in_a_read_only_folder_is_one_line(reviewed: dict[str, str],
                                             workspace: Path) -> None:
    prefix = permission_bits_prefix()
    if prefix is None:
        pytest.skip("running as root, and setpriv cannot drop the capabilities that "
                    "let root ignore permission bits on this machine")
    folder = workspace / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = run_installed("report", "-o", "locked/r.html", cwd=workspace, prefix=prefix)
    finally:
        folder.chmod(0o755)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("annotate: error: cannot write locked/r.html: Permission "
                                    "denied; nothing was written there")
    assert len(result.stderr.splitlines()) == 1
    assert os.listdir(folder) == []


# --- the installed console script ----------------------------------------------------------

def test_the_installed_script_writes_the_report(desk: Path) -> None:
    added = run_installed("add", SEED_ID, "--label", "opinion", "--quote", HEADS,
                          "--note", "<img src=x onerror=alert(1)>", cwd=desk)
    assert added.returncode == 0, added.stderr
    result = run_installed("report", "-o", "report.html", cwd=desk)
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == ("wrote report.html (html: 1 document, 1 annotation); open it in "
                             "a web browser\n")
    html = (desk / "report.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img" not in html


def test_a_stacked_reviewer_shows_every_label_of_theirs(workspace: Path, run: Run) -> None:
    # Two spans of eve's at one position, labelled two ways: `merge` says
    # eve=unsourced+opinion; the report (and merge's JSON) said only one.
    text = (workspace / "corpus" / SEED_ID).read_text(encoding="utf-8")
    start = text.index(TOKYO)
    for label, end in (("unsourced", start + len(TOKYO_SHORT)), ("opinion", start + len(TOKYO))):
        assert run("add", SEED_ID, "--start", str(start), "--end", str(end), "--label", label,
                   "--reviewer", "eve").exit_code == 0
    add(run, "bob", "opinion", WELCOME)
    data = report_json(run)
    [conflict] = data["documents"][0]["merge"]["conflicts"]
    assert conflict["stacked_labels"] == {"eve": ["unsourced", "opinion"]}
    markdown = run("report", "--format", "md").stdout
    assert f"| {conflict['id']} |" in markdown and "eve: unsourced+opinion |" in markdown
    html = run("report", "--format", "html").stdout
    assert re.search(r'<bdi>eve</bdi>: <span class="lab l\d"><bdi>unsourced</bdi></span>\+'
                     r'<span class="lab l\d"><bdi>opinion</bdi></span>', html), html


def test_a_document_deleted_after_annotating_is_named_with_the_fix(
        reviewed: dict[str, str], workspace: Path, run: Run) -> None:
    (workspace / "corpus" / SEED_ID).unlink()
    result = run("report", "--format", "md")
    one_line_error(result, 2, f"no document '{SEED_ID}' in the corpus (corpus/{SEED_ID}), but "
                              f"annotations of it in annotations/{SEED_ID}/: restore the "
                              "document from git, or move or remove that folder")
