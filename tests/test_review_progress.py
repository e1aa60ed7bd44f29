"""The review progress file (annotations/DOC/REVIEWER.progress.json): written
by `annotate review` for skips, known to the store's layout, checked by
`annotate validate` like the other side files, and never taken for an
annotation file by the commands that read those."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotate import store
from annotate.sentences import split_sentences
from annotate.workspace import load
from tests.conftest import SEED, SEED_ID, Run

FOLDER = Path("annotations") / SEED_ID
PROGRESS = FOLDER / "alice.progress.json"
SENTENCES = split_sentences(SEED.read_text(encoding="utf-8"))


@pytest.fixture
def skipped_two(workspace: Path, run: Run) -> Path:
    """alice skipped the first two sentences of the seed article in review."""
    assert run("review", SEED_ID, input="j\nj\nq\n").exit_code == 0
    return workspace


def findings(run: Run, *args: str) -> list[tuple[str, str, int, int]]:
    result = run("validate", "--format", "json", "--no-cache", *args)
    return [(f["code"], f["path"], f["line"], f["column"])
            for f in json.loads(result.stdout)["findings"]]


def test_the_file_is_where_the_store_says(skipped_two: Path) -> None:
    ws = load(skipped_two)
    assert store.progress_path(ws, SEED_ID, "alice") == skipped_two / PROGRESS
    progress = store.read_progress(ws, SEED_ID, "alice")
    assert progress is not None
    assert progress.skipped == tuple((s.start, s.end) for s in SENTENCES[:2])
    assert progress.document_sha256 == store.read_document(ws, SEED_ID).sha256
    assert store.read_progress(ws, SEED_ID, "bob") is None
    # One JSON object on one line, keys sorted: small diffs in git.
    text = (skipped_two / PROGRESS).read_text(encoding="utf-8")
    assert text.count("\n") == 1 and list(json.loads(text)) == sorted(json.loads(text))
    # The version it names is kept, for re-anchoring later.
    assert store.read_version(ws, progress.document_sha256) is not None


def test_readers_of_annotation_files_do_not_take_it_for_one(skipped_two: Path,
                                                            run: Run) -> None:
    ws = load(skipped_two)
    assert store.reviewer_files(ws, SEED_ID) == {}
    assert store.annotation_files(ws) == []
    assert store.is_side_file_name("alice.progress.json")
    assert not store.is_annotation_file_name("alice.progress.json")
    assert store.owner_of(ws, skipped_two / PROGRESS) is None
    side: list[object] = []
    assert list(store.scan_annotation_files(str(ws.annotations_dir), lambda _: True,
                                            side)) == []  # type: ignore[arg-type]
    assert [entry.name for entry in side] == ["alice.progress.json"]  # type: ignore[attr-defined]
    # A reviewer who only skipped is no reviewer of the document: they marked
    # nothing and did not finish it.
    listed = json.loads(run("documents", "--format", "json").stdout)
    assert listed[0]["reviewers"] == [] and listed[0]["annotations"] == 0
    assert run("list", "--format", "json").stdout == "[]\n"


def test_validate_checks_it(skipped_two: Path, run: Run) -> None:
    assert findings(run) == []
    assert findings(run, str(PROGRESS)) == []  # named on its own, too


@pytest.mark.parametrize(("change", "code"), [
    (lambda d: {**d, "skipped": [[56, 0]]}, "AN203"),
    (lambda d: {**d, "skipped": [[58, 85], [0, 56]]}, "AN203"),  # out of order
    (lambda d: {**d, "skipped": [[0, 56.0]]}, "AN203"),  # not a whole number
    (lambda d: {**d, "skipped": [[0]]}, "AN203"),
    (lambda d: {**d, "reviewer": "bob"}, "AN308"),
    (lambda d: {**d, "document": "other.txt"}, "AN308"),
    (lambda d: {**d, "updated": "yesterday"}, "AN203"),  # neither its pattern nor its format
    (lambda d: {**d, "extra": 1}, "AN203"),
    (lambda d: {**d, "skipped": [[0, 99_999]]}, "AN303"),  # past the end of the text
])
def test_validate_finds_a_broken_progress_file(skipped_two: Path, run: Run, change: object,
                                               code: str) -> None:
    path = skipped_two / PROGRESS
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(change(data)) + "\n")  # type: ignore[operator]
    found = findings(run)
    assert {(c, p, line) for c, p, line, _ in found} == {(code, PROGRESS.as_posix(), 1)}
    # review refuses it too, at the same place, and leaves it as it is.
    before = path.read_bytes()
    result = run("review", SEED_ID, input="j\nq\n")
    if code == "AN303":
        # Past the end is a finding about the text, not about the file's shape:
        # review reads it and the skip matches no sentence.
        assert result.exit_code == 0
        return
    assert result.exit_code == 2
    assert result.stderr.startswith(f"annotate: error: {PROGRESS.as_posix()}:1:{found[0][3]}: ")
    assert "(the file was left untouched; fix it by hand or restore it from git)" \
        in result.stderr
    assert path.read_bytes() == before


def test_a_progress_file_that_is_not_json(skipped_two: Path, run: Run) -> None:
    (skipped_two / PROGRESS).write_text('{"document": \n')
    assert [c for c, *_ in findings(run)] == ["AN101"]
    assert run("review", SEED_ID, input="q\n").exit_code == 2


def test_a_progress_file_of_no_document(skipped_two: Path, run: Run) -> None:
    stray = skipped_two / "annotations" / "gone.txt"
    stray.mkdir()
    data = json.loads((skipped_two / PROGRESS).read_text())
    (stray / "alice.progress.json").write_text(json.dumps({**data, "document": "gone.txt"}))
    assert ("AN311", "annotations/gone.txt/alice.progress.json") in [
        (c, p) for c, p, *_ in findings(run)]


def test_merge_and_agreement_ignore_it(skipped_two: Path, run: Run) -> None:
    for reviewer, label in (("alice", "opinion"), ("bob", "opinion")):
        assert run("add", SEED_ID, "--sentence", "3", "--label", label,
                   "--reviewer", reviewer).exit_code == 0
    result = run("merge", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert (skipped_two / PROGRESS).exists()
    assert run("validate", "--strict").exit_code == 0
