"""`annotate edit` through the installed console script: what add refuses,
edit refuses too."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import SEED_ID, run_installed

annotate = run_installed


def _add(desk: Path, label: str, quote: str) -> str:
    result = annotate("add", SEED_ID, "--label", label, "--quote", quote, cwd=desk)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _records(desk: Path) -> list[dict[str, object]]:
    text = (desk / "annotations" / SEED_ID / "alice.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def test_edit_cannot_make_a_second_mark_of_a_span_and_label(desk: Path) -> None:
    # add refuses to mark a span twice with one label; edit let a new span
    # or a new label make that very repeat (two records, one claim counted
    # twice by merge and agreement).
    first = _add(desk, "opinion", "holy struggle")
    relabelled = _add(desk, "speculative", "holy struggle")
    moved = _add(desk, "opinion", "Siberia")
    before = _records(desk)
    for args in (("edit", relabelled, "--label", "opinion"),
                 ("edit", moved, "--quote", "holy struggle")):
        result = annotate(*args, cwd=desk)
        assert result.returncode == 2, result.stderr
        assert result.stdout == ""
        assert result.stderr == (
            f"annotate: error: alice already marked this span as 'opinion' ({first}); keep "
            f"that one and remove this one ('annotate rm {args[1]}'), or pick another span "
            "or label\n")
    assert _records(desk) == before
    # Other changes to a record still go through.
    assert annotate("edit", moved, "--note", "checked", cwd=desk).returncode == 0
