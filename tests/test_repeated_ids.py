"""Records are (document, reviewer, id): a repeated id never makes a bulk
writer mix records up, and there is a command that repairs it (issue 8,
items 1, 2, 8 and 10), through the installed console script."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import SEED, SEED_ID, permission_bits_prefix, run_installed

QUOTES = ("is based on Russian technology", "20,000 artillery pieces")


annotate = run_installed


@pytest.fixture
def desk(desk: Path) -> Path:
    """The workspace of conftest's desk, with two annotations by alice."""
    for quote in QUOTES:
        added = annotate("add", SEED_ID, "--label", "opinion", "--quote", quote,
                         "--note", f"alice on {quote}", cwd=desk)
        assert added.returncode == 0, added.stderr
    return desk


def records(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def copy_as_bob(desk: Path) -> Path:
    """A copied file with the reviewer changed by hand: same ids, other notes."""
    folder = desk / "annotations" / SEED_ID
    bob = [{**r, "reviewer": "bob", "note": f"bob's own note {n}"}
           for n, r in enumerate(records(folder / "alice.jsonl"))]
    (folder / "bob.jsonl").write_text(
        "".join(json.dumps(r, sort_keys=True, ensure_ascii=False) + "\n" for r in bob),
        encoding="utf-8")
    return folder


def edit_the_article(desk: Path) -> None:
    path = desk / "corpus" / SEED_ID
    path.write_text("Editor's note: updated.\n\n" + path.read_text(encoding="utf-8"),
                    encoding="utf-8")


def test_reanchor_refuses_repeated_ids_and_dedupe_repairs_them(desk: Path) -> None:
    folder = copy_as_bob(desk)
    edit_the_article(desk)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    refused = annotate("reanchor", cwd=desk)
    assert refused.returncode == 2
    assert "used more than once" in refused.stderr and "annotate dedupe" in refused.stderr
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    checked = annotate("validate", "--no-cache", cwd=desk)
    assert "AN307" in checked.stdout

    fixed = annotate("dedupe", cwd=desk)
    assert fixed.returncode == 0, fixed.stderr
    assert fixed.stdout.count("renamed ") == 2 and "2 renamed, 0 exact copies" in fixed.stdout
    moved = annotate("reanchor", cwd=desk)
    assert moved.returncode == 0, moved.stderr
    # Each reviewer's records kept their reviewer and their notes.
    for reviewer in ("alice", "bob"):
        held = records(folder / f"{reviewer}.jsonl")
        assert len(held) == 2
        assert {r["reviewer"] for r in held} == {reviewer}
        notes = {str(r["note"]) for r in held}
        assert all(note.startswith("alice on" if reviewer == "alice" else "bob's own")
                   for note in notes)
    assert annotate("validate", "--strict", "--no-cache", cwd=desk).returncode == 0


def test_a_line_duplicated_in_one_file_is_repaired_by_dedupe(desk: Path) -> None:
    path = desk / "annotations" / SEED_ID / "alice.jsonl"
    first = path.read_text(encoding="utf-8").splitlines()[0]
    path.write_text(path.read_text(encoding="utf-8") + first + "\n", encoding="utf-8")
    identifier = str(json.loads(first)["id"])
    removed = annotate("rm", identifier, "--yes", cwd=desk)
    assert removed.returncode == 2
    assert "is used by 2 annotations" in removed.stderr
    assert "annotate dedupe" in removed.stderr
    dry = annotate("dedupe", "--dry-run", cwd=desk)
    assert "dropped  " in dry.stdout and "nothing written" in dry.stdout
    assert len(records(path)) == 3
    assert annotate("dedupe", cwd=desk).returncode == 0
    assert len(records(path)) == 2
    assert annotate("rm", identifier, "--yes", cwd=desk).returncode == 0
    again = annotate("dedupe", cwd=desk)
    assert "nothing to do" in again.stdout


def test_a_duplicated_line_is_dropped_even_when_its_id_is_held_in_another_file(
        desk: Path) -> None:
    # A document's folder copied as another document's (the ids held by the
    # first, which sorts before it), then a line of the copy duplicated by a merge: dedupe renamed
    # the line and its exact copy alike, leaving the same claim twice in one
    # file, where the help promises that an exact copy in a file is dropped.
    shutil.copyfile(SEED, desk / "corpus" / "zz-copy.txt")
    source = records(desk / "annotations" / SEED_ID / "alice.jsonl")
    copied = [{**r, "document": "zz-copy.txt"} for r in source]
    path = desk / "annotations" / "zz-copy.txt" / "alice.jsonl"
    path.parent.mkdir()
    path.write_text("".join(json.dumps(r, sort_keys=True, ensure_ascii=False) + "\n"
                            for r in [*copied, copied[0]]), encoding="utf-8")
    fixed = annotate("dedupe", cwd=desk)
    assert fixed.returncode == 0, fixed.stderr
    assert "2 renamed, 1 exact copies dropped" in fixed.stdout
    held = records(path)
    assert len(held) == 2
    assert {str(r["note"]) for r in held} == {f"alice on {quote}" for quote in QUOTES}
    assert not {str(r["id"]) for r in held} & {str(r["id"]) for r in source}
    checked = annotate("validate", "--strict", "--no-cache", cwd=desk)
    assert checked.returncode == 0, checked.stdout


def test_a_record_in_another_documents_folder_is_refused_not_rewritten(desk: Path) -> None:
    shutil.copyfile(SEED, desk / "corpus" / "other.txt")
    source = desk / "annotations" / SEED_ID / "alice.jsonl"
    misplaced = desk / "annotations" / "other.txt" / "alice.jsonl"
    misplaced.parent.mkdir()
    shutil.copyfile(source, misplaced)
    other = desk / "corpus" / "other.txt"
    other.write_text("A new first line.\n" + other.read_text(encoding="utf-8"),
                     encoding="utf-8")
    before = misplaced.read_bytes()
    result = annotate("reanchor", "other.txt", cwd=desk)
    assert result.returncode == 2
    assert "record is for document 'kim-putin-vostochny.txt' but the file is for " \
           "'other.txt'" in result.stderr
    assert misplaced.read_bytes() == before


def test_an_unreadable_reviewer_file_is_said_not_hidden(desk: Path) -> None:
    prefix = permission_bits_prefix()
    if prefix is None:
        pytest.skip("running as root, and setpriv cannot drop the capabilities that "
                    "let root ignore permission bits on this machine")
    path = desk / "annotations" / SEED_ID / "alice.jsonl"
    identifier = str(records(path)[0]["id"])
    path.chmod(0o000)
    try:
        result = annotate("edit", identifier, "--note", "x", cwd=desk, prefix=prefix)
    finally:
        path.chmod(0o644)
    assert result.returncode == 2
    assert "alice.jsonl:1:1: cannot read: Permission denied" in result.stderr
    assert "no annotation with id" not in result.stderr


def test_validate_points_at_the_command_that_works(desk: Path) -> None:
    path = desk / "annotations" / SEED_ID / "alice.jsonl"
    first = path.read_text(encoding="utf-8").splitlines()[0]
    path.write_text(path.read_text(encoding="utf-8") + first + "\n", encoding="utf-8")
    checked = annotate("validate", "--no-cache", cwd=desk).stdout
    assert "AN307" in checked and "run 'annotate dedupe'" in checked
    assert "AN310" in checked and "they share an id too: run 'annotate dedupe'" in checked


def test_the_check_for_repeated_ids_shows_each_file_once_not_each_record(
        workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Showing a path resolves its links (several stats): asked for each of
    100,000 records, it made `export` of them take 12 s instead of 7."""
    from annotate import api
    from annotate.api.check import refuse_repeated_ids
    from annotate.workspace import Workspace

    for reviewer in ("alice", "bob"):
        for sentence in (1, 2, 3, 4, 5):
            assert run_installed("add", SEED_ID, "--sentence", str(sentence), "--label",
                                 "opinion", "--reviewer", reviewer,
                                 cwd=workspace).returncode == 0
    shown: list[Path] = []
    relative = Workspace.relative
    monkeypatch.setattr(Workspace, "relative",
                        lambda self, path: shown.append(path) or relative(self, path))
    refuse_repeated_ids(api.open_workspace(str(workspace)), [SEED_ID])
    # Each file is shown where it is read, and once more for the check: two
    # files, not ten records.
    assert sorted(path.name for path in shown) == ["alice.jsonl"] * 2 + ["bob.jsonl"] * 2
