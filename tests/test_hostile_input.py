"""Whatever `add` and `edit` accept, every reader accepts; what they cannot
store is refused with one line (issue 8, items 3-5), through the installed CLI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import SEED, SEED_ID, run_installed

QUOTE = "is based on Russian technology"


annotate = run_installed




def every_reader_accepts(desk: Path) -> None:
    """The commands that read annotation files all read what was written."""
    for args in (("list",), ("show", SEED_ID), ("documents",), ("reanchor", "--dry-run"),
                 ("validate", "--no-cache")):
        result = annotate(*args, cwd=desk)
        assert result.returncode == 0, (args, result.stderr)


def refused(result: subprocess.CompletedProcess[str], *parts: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert result.stderr.startswith("annotate: error: ") and result.stderr.count("\n") == 1
    for part in parts:
        assert part in result.stderr


@pytest.mark.parametrize("source", [
    "https://x.example/a|b", "https://x.example/{x}", 'https://x.example/"q"',
    "https://x.example/<b>", "https://x.example/%zz", "https://x.example/\x1b[31m",
    "https://x.example/a b", "www.example.org",
])
def test_sources_that_are_not_iris_are_refused_at_add(desk: Path, source: str) -> None:
    result = annotate("add", SEED_ID, "--label", "sourced", "--quote", QUOTE,
                      "--source", source, cwd=desk)
    refused(result, "is not an absolute http(s) address")
    assert not (desk / "annotations" / SEED_ID / "alice.jsonl").exists()


@pytest.mark.parametrize("tag", ["two\nlines", " padded", "padded "])
def test_tags_that_cannot_be_stored_are_refused(desk: Path, tag: str) -> None:
    refused(annotate("add", SEED_ID, "--label", "opinion", "--quote", QUOTE, "--tag", tag,
                     cwd=desk), "invalid tag")


def test_bytes_that_are_not_utf8_are_refused_not_a_traceback(desk: Path) -> None:
    bad = os.fsdecode(b"bad \xff")
    refused(annotate("add", SEED_ID, "--label", "opinion", "--quote", QUOTE, "--note", bad,
                     cwd=desk), "note: holds bytes that are not valid UTF-8")
    refused(annotate("add", SEED_ID, "--label", "opinion", "--quote", QUOTE, "--tag", bad,
                     cwd=desk), "not valid UTF-8")
    added = annotate("add", SEED_ID, "--label", "opinion", "--quote", QUOTE, cwd=desk)
    assert added.returncode == 0
    refused(annotate("edit", added.stdout.strip(), "--note", bad, cwd=desk),
            "not valid UTF-8")
    every_reader_accepts(desk)


def test_a_document_name_that_cannot_be_an_id_is_refused_clearly(desk: Path) -> None:
    shutil.copyfile(SEED, desk / "corpus" / "back\\slash.txt")
    refused(annotate("add", "back\\slash.txt", "--label", "opinion", "--quote", QUOTE,
                     cwd=desk), "cannot be stored", "rename the file")
    assert not (desk / "annotations" / "back\\slash.txt").exists()


def test_hostile_but_valid_text_is_stored_and_read_back(desk: Path) -> None:
    note = "\x1b[2J\x1b]0;owned\x07 \u202eevil\u202c <img src=x onerror=alert(1)> 😀 e\u0301"
    added = annotate("add", SEED_ID, "--label", "opinion", "--quote", QUOTE, "--note", note,
                     "--tag", "\u202etag", cwd=desk)
    assert added.returncode == 0, added.stderr
    every_reader_accepts(desk)


def test_an_iri_source_is_added_edited_removed_and_validates(desk: Path) -> None:
    added = annotate("add", SEED_ID, "--label", "sourced", "--quote", QUOTE, "--source",
                     "https://de.wikipedia.org/wiki/Straße", cwd=desk)
    assert added.returncode == 0, added.stderr
    identifier = added.stdout.strip()
    for args in (("--add-source", "https://en.wikipedia.org/wiki/Café"),
                 ("--add-source", "https://bücher.example:8443/a?q=ü#frag"),
                 ("--remove-source", "https://de.wikipedia.org/wiki/Straße"),
                 ("--note", "checked")):
        edited = annotate("edit", identifier, *args, cwd=desk)
        assert edited.returncode == 0, (args, edited.stderr)
    every_reader_accepts(desk)
    strict = annotate("validate", "--strict", "--no-cache", cwd=desk)
    assert strict.returncode == 0 and "no problems" in strict.stdout
    assert annotate("rm", identifier, "--yes", cwd=desk).returncode == 0


def test_a_float_offset_is_a_finding_and_a_refusal_never_a_crash(desk: Path) -> None:
    added = annotate("add", SEED_ID, "--label", "opinion", "--quote", QUOTE, cwd=desk)
    assert added.returncode == 0
    path = desk / "annotations" / SEED_ID / "alice.jsonl"
    start = SEED.read_text(encoding="utf-8").index(QUOTE)
    path.write_text(path.read_text().replace(f'"start": {start},', f'"start": {start}.0,'))
    checked = annotate("validate", "--no-cache", cwd=desk)
    assert checked.returncode == 1, checked.stderr
    assert "AN201 error: start: " in checked.stdout and "whole number" in checked.stdout
    for args in (("show", SEED_ID), ("list",), ("edit", added.stdout.strip(), "--note", "x")):
        refused(annotate(*args, cwd=desk), "alice.jsonl:1:", "whole number")


def test_a_span_split_inside_a_character_is_refused_or_warned(desk: Path) -> None:
    (desk / "corpus" / "cafe.txt").write_text("Cafe\u0301 au lait.\n", encoding="utf-8")
    refused(annotate("add", "cafe.txt", "--label", "opinion", "--start", "0", "--end", "4",
                     cwd=desk), "falls inside the character")
    added = annotate("add", "cafe.txt", "--label", "opinion", "--start", "0", "--end", "5",
                     cwd=desk)
    assert added.returncode == 0, added.stderr
    path = desk / "annotations" / "cafe.txt" / "alice.jsonl"
    record = json.loads(path.read_text(encoding="utf-8"))
    record.update(end=4, quote="Cafe", suffix="\u0301 au lait.\n")
    path.write_text(json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    checked = annotate("validate", "--no-cache", cwd=desk)
    assert checked.returncode == 0, checked.stdout  # a warning ...
    assert "AN315 warning: end 4 falls inside a character" in checked.stdout
    assert annotate("validate", "--strict", "--no-cache", cwd=desk).returncode == 1  # ... strict
