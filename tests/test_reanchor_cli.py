"""`annotate reanchor` end to end through the CLI: the article is edited
after review, annotations follow the text or are flagged, never dropped."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import HWASONG, SEED_ID, Run

FILE = Path("annotations") / SEED_ID / "alice.jsonl"
OPINION = "That would also be surprising with regard to North Korea."


@pytest.fixture
def annotated(workspace: Path, run: Run) -> dict[str, str]:
    ids = {}
    for name, args in {
        "hwasong": ["--label", "speculative", "--quote", HWASONG],
        "iiss": ["--label", "sourced", "--quote", "has over 20,000 artillery pieces",
                 "--source", "https://www.iiss.org/"],
        "opinion": ["--label", "opinion", "--quote", OPINION],
    }.items():
        result = run("add", SEED_ID, *args)
        assert result.exit_code == 0, result.stderr
        ids[name] = result.stdout.strip()
    return ids


def edit_article(workspace: Path, old: str, new: str, prepend: str = "") -> str:
    path = workspace / "corpus" / SEED_ID
    text = path.read_text(encoding="utf-8")
    assert old in text
    text = prepend + text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return text


def records(workspace: Path) -> dict[str, dict[str, object]]:
    lines = (workspace / FILE).read_text(encoding="utf-8").splitlines()
    return {r["id"]: r for r in map(json.loads, lines)}


def test_text_that_moved_comes_back_exact(workspace: Path, run: Run,
                                          annotated: dict[str, str]) -> None:
    assert run("validate", "--strict").exit_code == 0
    text = edit_article(workspace, "Tokyo", "Tokyo", prepend="Correction appended.\n\n")
    assert run("validate", "--strict").exit_code == 1  # stale: AN401 made an error
    result = run("reanchor")
    assert result.exit_code == 0
    assert result.stdout.strip().endswith("3 exact, 0 fuzzy, 0 orphaned, 0 already up to date")
    for record in records(workspace).values():
        assert text[record["start"]:record["end"]] == record["quote"]
        assert record["modified"] >= record["created"]
        assert "previous_quote" not in record
    result = run("validate", "--strict")
    assert (result.exit_code, result.stdout.splitlines()[-1]) == (
        0, "2 files and 3 annotations checked: no problems.")
    # The new version is stored for the next edit.
    sha = next(iter(records(workspace).values()))["document_sha256"]
    assert (workspace / "annotations" / ".versions" / f"{sha}.txt").is_file()
    again = run("reanchor")
    assert again.stdout.strip().endswith("0 exact, 0 fuzzy, 0 orphaned, 3 already up to date")


def test_an_edited_quote_comes_back_fuzzy_with_the_old_quote_kept(
        workspace: Path, run: Run, annotated: dict[str, str]) -> None:
    text = edit_article(workspace, "Hwasong-18 intercontinental", "Hwasong-18 long-range")
    result = run("reanchor", SEED_ID, "--format", "json")
    assert result.exit_code == 0
    outcomes = {r["id"]: r["outcome"] for r in json.loads(result.stdout)}
    assert outcomes == {annotated["hwasong"]: "fuzzy", annotated["iiss"]: "exact",
                        annotated["opinion"]: "exact"}
    moved = records(workspace)[annotated["hwasong"]]
    assert moved["previous_quote"] == HWASONG
    assert moved["quote"] == text[moved["start"]:moved["end"]]
    assert "Hwasong-18 long-range ballistic missile" in moved["quote"]
    assert run("validate", "--strict").exit_code == 0


def test_a_deleted_sentence_is_orphaned_kept_and_flagged(
        workspace: Path, run: Run, annotated: dict[str, str]) -> None:
    edit_article(workspace, OPINION, "")
    result = run("reanchor")
    assert result.exit_code == 1
    assert f"orphaned  {SEED_ID} {annotated['opinion']} (alice)" in result.stdout
    assert "1 orphan(s) were left" in result.stdout
    kept = records(workspace)
    assert len(kept) == 3
    assert kept[annotated["opinion"]]["orphaned"] is True
    assert kept[annotated["opinion"]]["quote"] == OPINION
    assert run("validate").exit_code == 0  # a warning ...
    strict = run("validate", "--strict")  # ... that --strict fails on
    assert strict.exit_code == 1 and "AN403" in strict.stdout
    assert run("reanchor").exit_code == 1  # still orphaned on the next run
    shown = run("show", SEED_ID).stdout
    assert "Orphaned (no place in the current text" in shown
    assert f"({annotated['opinion']})\n    last known quote: “{OPINION}”" in shown


def test_dry_run_writes_nothing(workspace: Path, run: Run, annotated: dict[str, str]) -> None:
    edit_article(workspace, "Tokyo", "Tokio")
    before = (workspace / FILE).read_bytes()
    result = run("reanchor", "--dry-run")
    assert result.exit_code == 0
    assert "nothing written (--dry-run)" in result.stdout
    assert (workspace / FILE).read_bytes() == before


def test_without_the_old_text_quote_search_still_finds_moved_spans(
        workspace: Path, run: Run, annotated: dict[str, str]) -> None:
    shutil.rmtree(workspace / "annotations" / ".versions")
    text = edit_article(workspace, "Tokyo", "Tokyo", prepend="New opening line.\n")
    result = run("reanchor", "--format", "json")
    assert result.exit_code == 0
    assert {r["outcome"] for r in json.loads(result.stdout)} == {"exact"}
    for record in records(workspace).values():
        assert text[record["start"]:record["end"]] == record["quote"]


@pytest.mark.parametrize(("args", "message"), [
    (["--min-score", "1.5"], "--min-score 1.5 must be between 0 and 1"),
    (["nope.txt"], "unknown document 'nope.txt'"),
])
def test_bad_reanchor_input(workspace: Path, run: Run, args: list[str], message: str) -> None:
    result = run("reanchor", *args)
    assert result.exit_code == 2
    assert message in result.stderr
