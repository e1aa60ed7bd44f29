"""Nothing outside the workspace: every path the store reads or writes
resolves inside it, and only regular files are read (issue 8, items 6-7).

Through the installed console script, as an attacker's workspace would be
used: links planted by hand, a FIFO, a device, a read-only folder.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SEED_ID, permission_bits_prefix, run_installed

QUOTE = "is based on Russian technology"


annotate = run_installed




@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text("The secret text: " + QUOTE, encoding="utf-8")
    return folder


def one_line_error(result: subprocess.CompletedProcess[str], *parts: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("annotate: error: ")
    assert "Traceback" not in result.stderr
    for part in parts:
        assert part in result.stderr


def test_a_corpus_link_to_a_file_outside_is_refused_and_never_copied(
        desk: Path, outside: Path) -> None:
    (desk / "corpus" / "linked.txt").symlink_to(outside / "secret.txt")
    result = annotate("add", "linked.txt", "--label", "opinion", "--quote", QUOTE, cwd=desk)
    one_line_error(result, "corpus/linked.txt leads outside the workspace")
    versions = desk / "annotations" / ".versions"
    assert not versions.exists() or not any(versions.iterdir())
    one_line_error(annotate("sentences", "linked.txt", cwd=desk), "leads outside")


def test_documents_and_validate_name_a_link_outside_without_reading_it(
        desk: Path, outside: Path) -> None:
    (desk / "corpus" / "linked.txt").symlink_to(outside / "secret.txt")
    listed = annotate("documents", cwd=desk)
    assert listed.returncode == 1
    assert "linked.txt" in listed.stdout and "leads outside the workspace" in listed.stdout
    assert "secret text" not in listed.stdout + listed.stderr


def test_a_link_inside_the_workspace_is_fine(desk: Path) -> None:
    (desk / "corpus" / "alias.txt").symlink_to(desk / "corpus" / SEED_ID)
    result = annotate("add", "alias.txt", "--label", "opinion", "--quote", QUOTE, cwd=desk)
    assert result.returncode == 0, result.stderr
    assert (desk / "annotations" / "alias.txt" / "alice.jsonl").is_file()


def test_a_linked_annotation_folder_is_never_written(desk: Path, outside: Path) -> None:
    (desk / "annotations" / SEED_ID).symlink_to(outside, target_is_directory=True)
    result = annotate("add", SEED_ID, "--label", "opinion", "--quote", QUOTE, cwd=desk)
    one_line_error(result, "leads outside the workspace")
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]


def test_a_linked_versions_folder_is_never_written(desk: Path, outside: Path) -> None:
    (desk / "annotations" / ".versions").symlink_to(outside, target_is_directory=True)
    result = annotate("add", SEED_ID, "--label", "opinion", "--quote", QUOTE, cwd=desk)
    one_line_error(result, "annotations/.versions/", "leads outside the workspace")
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]


def test_an_annotation_file_linked_outside_is_not_read(desk: Path, outside: Path) -> None:
    folder = desk / "annotations" / SEED_ID
    folder.mkdir()
    (folder / "mallory.jsonl").symlink_to(outside / "secret.txt")
    one_line_error(annotate("list", cwd=desk), "mallory.jsonl leads outside the workspace")


def test_init_refuses_folders_outside_the_workspace(tmp_path: Path) -> None:
    result = annotate("init", "desk", "--corpus", "../elsewhere", cwd=tmp_path)
    one_line_error(result, "outside the workspace folder")
    assert not (tmp_path / "elsewhere").exists()
    assert not (tmp_path / "desk" / "annotate.json").exists()


def test_a_fifo_is_refused_without_blocking(desk: Path) -> None:
    os.mkfifo(desk / "corpus" / "pipe.txt")
    result = annotate("add", "pipe.txt", "--label", "opinion", "--quote", "x", cwd=desk)
    one_line_error(result, "not a regular file")


def test_a_device_behind_a_link_is_refused(desk: Path) -> None:
    (desk / "corpus" / "zero.txt").symlink_to("/dev/zero")
    result = annotate("sentences", "zero.txt", cwd=desk)
    one_line_error(result, "leads outside the workspace")


def test_a_folder_named_like_a_document_is_not_a_document(desk: Path) -> None:
    (desk / "corpus" / "folder.txt").mkdir()
    one_line_error(annotate("sentences", "folder.txt", cwd=desk), "not a regular file")


# -- a read-only workspace, as a user the permission bits apply to -----------------
# (see conftest.permission_bits_prefix: root's override is dropped with setpriv)


@pytest.fixture
def read_only_desk(desk: Path) -> Iterator[Path]:
    """A workspace with one annotation on a since-edited article (so reanchor
    has work), every folder and file made read-only."""
    assert annotate("add", SEED_ID, "--label", "opinion", "--quote", QUOTE,
                    cwd=desk).returncode == 0
    article = desk / "corpus" / SEED_ID
    article.write_text("Update.\n" + article.read_text(encoding="utf-8"), encoding="utf-8")
    everything = [desk, *desk.rglob("*")]
    for path in everything:
        path.chmod(0o555 if path.is_dir() else 0o444)
    yield desk
    for path in everything:
        path.chmod(0o755 if path.is_dir() else 0o644)


def test_a_read_only_workspace_gets_one_line_and_nothing_changes(
        read_only_desk: Path) -> None:
    prefix = permission_bits_prefix()
    if prefix is None:
        pytest.skip("running as root, and setpriv cannot drop the capabilities that "
                    "let root ignore permission bits on this machine")
    before = {p: p.read_bytes() for p in read_only_desk.rglob("*") if p.is_file()}
    record = next((read_only_desk / "annotations" / SEED_ID).glob("*.jsonl")).read_text()
    identifier = record.split('"id": "')[1][:16]
    for args in (("add", SEED_ID, "--label", "opinion", "--quote", "Siberia"),
                 ("edit", identifier, "--note", "x"),
                 ("rm", identifier, "--yes"),
                 ("reanchor",),
                 ("init", "again")):
        result = annotate(*args, cwd=read_only_desk, prefix=prefix)
        one_line_error(result, "Permission denied")
    after = {p: p.read_bytes() for p in read_only_desk.rglob("*") if p.is_file()}
    assert after == before


def test_a_finished_marker_linked_outside_is_a_row_problem_not_a_reviewer(
        desk: Path, outside: Path) -> None:
    folder = desk / "annotations" / SEED_ID
    folder.mkdir(parents=True)
    (folder / "carol.finished.json").symlink_to(outside / "secret.txt")
    listed = annotate("documents", cwd=desk)
    assert listed.returncode == 1
    assert f"annotations/{SEED_ID}/carol.finished.json leads outside the workspace" \
        in listed.stdout
    assert "secret text" not in listed.stdout + listed.stderr


# -- a document's annotation folder that cannot be listed, or leads outside -------
# Every reader refuses it with one line (exit 2), as it refuses such a file:
# before, list, dedupe, reanchor, edit and rm skipped its records in silence
# (exit 0, "nothing to do", "no annotation with id ...") and documents, show
# and validate failed with an internal error (exit 3).

READERS = (("list",), ("documents",), ("show", SEED_ID), ("dedupe",), ("reanchor",))


def _annotated(desk: Path) -> str:
    added = annotate("add", SEED_ID, "--label", "opinion", "--quote", QUOTE, cwd=desk)
    assert added.returncode == 0, added.stderr
    return added.stdout.strip()


def test_an_annotation_folder_linked_outside_is_refused_by_every_reader(
        desk: Path, outside: Path) -> None:
    identifier = _annotated(desk)
    folder = desk / "annotations" / SEED_ID
    folder.rename(outside / "moved")
    folder.symlink_to(outside / "moved", target_is_directory=True)
    for args in (*READERS, ("edit", identifier, "--note", "x"), ("rm", identifier, "--yes")):
        one_line_error(annotate(*args, cwd=desk), f"annotations/{SEED_ID}",
                       "leads outside the workspace")
    assert (outside / "moved" / "alice.jsonl").read_text(encoding="utf-8").count("\n") == 1


def test_an_annotation_folder_that_cannot_be_listed_is_refused_not_skipped(
        desk: Path) -> None:
    prefix = permission_bits_prefix()
    if prefix is None:
        pytest.skip("running as root, and setpriv cannot drop the capabilities that "
                    "let root ignore permission bits on this machine")
    identifier = _annotated(desk)
    folder = desk / "annotations" / SEED_ID
    folder.chmod(0)
    try:
        for args in (*READERS, ("edit", identifier, "--note", "x"),
                     ("rm", identifier, "--yes")):
            one_line_error(annotate(*args, cwd=desk, prefix=prefix),
                           f"cannot read the folder annotations/{SEED_ID}: Permission denied",
                           "chmod u+rx")
        checked = annotate("validate", cwd=desk, prefix=prefix)
    finally:
        folder.chmod(0o755)
    assert checked.returncode == 2, checked.stderr
    assert (f"annotations/{SEED_ID}:1:1: AN109 error: cannot read this folder: "
            "Permission denied") in checked.stdout
    assert "internal error" not in checked.stderr


@pytest.mark.parametrize(("args", "message"), [
    # Before: a folder annotate.json was made, then the write of the project
    # file failed ("Is a directory: .annotate.json.x.tmp"), and the half-made
    # workspace was refused by init ("already exists; this folder is a
    # workspace") and by every other command ("no annotate.json ...").
    (("--corpus", "annotate.json"), "--corpus 'annotate.json' names the project file"),
    (("--annotations", "./annotate.json/notes"), "names the project file annotate.json"),
    # Before: accepted; the annotation files (and with '.', the project file)
    # were then listed as documents, and one folder for both made `add` fail
    # with "cannot create same/article.txt: File exists".
    (("--corpus", "same", "--annotations", "same"), "overlap"),
    (("--corpus", "."), "--corpus '.' and --annotations 'annotations' overlap"),
    (("--annotations", "corpus/notes"), "overlap"),
    (("--annotations", "."), "overlap"),
])
def test_init_refuses_folders_that_mix_the_workspace_files(
        tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    result = annotate("init", "desk", *args, cwd=tmp_path)
    one_line_error(result, message)
    assert not (tmp_path / "desk").exists()


def test_init_takes_separate_folders_side_by_side(tmp_path: Path) -> None:
    result = annotate("init", "desk", "--corpus", "texts/articles", "--annotations",
                      "texts/notes", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "desk" / "texts" / "articles").is_dir()
