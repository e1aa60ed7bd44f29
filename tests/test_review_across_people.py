"""Reviewers' work across people, end to end on the installed console script:
who reviewed a document (finish, documents), merge, resolve and the
messages they give when a file was hand-edited or left by a git merge."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import SEED_ID, run_installed

OPINION = "holy struggle"


def add(desk: Path, reviewer: str, label: str, quote: str) -> str:
    result = run_installed("add", SEED_ID, "--label", label, "--quote", quote,
                           "--reviewer", reviewer, cwd=desk)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_documents_lists_a_reviewer_who_removed_their_last_annotation(desk: Path) -> None:
    # An empty reviewer file is a reviewer who marks nothing: merge and
    # agreement count bob, so documents must list him too.
    add(desk, "alice", "opinion", OPINION)
    only = add(desk, "bob", "opinion", OPINION)
    assert run_installed("rm", only, "--yes", cwd=desk).returncode == 0
    assert (desk / "annotations" / SEED_ID / "bob.jsonl").read_bytes() == b""
    merged = run_installed("merge", SEED_ID, "--dry-run", "--format", "json", cwd=desk)
    assert json.loads(merged.stdout)["summary"]["reviewers"] == ["alice", "bob"]

    listed = run_installed("documents", "--format", "json", cwd=desk)
    assert listed.returncode == 0, listed.stderr
    [info] = json.loads(listed.stdout)
    assert (info["annotations"], info["reviewers"]) == (1, ["alice", "bob"])
    table = run_installed("documents", cwd=desk).stdout.splitlines()
    assert table[1].split()[3] == "alice,bob"
