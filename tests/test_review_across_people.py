"""Reviewers' work across people, end to end on the installed console script:
who reviewed a document (finish, documents), merge, resolve and the
messages they give when a file was hand-edited or left by a git merge."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import SEED, SEED_ID, installed_annotate, run_installed

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


def git(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True,
                          check=False, stdin=subprocess.DEVNULL)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_an_id_a_git_conflict_left_twice_is_fixed_by_keeping_one_line_not_dedupe(
        desk: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Both branches relabel alice's annotation: the merge driver keeps both
    # versions of the record (one id, two lines).  merge and agreement must
    # say what validate says: keep one line; 'dedupe' alone would keep both
    # labels as two annotations of alice's at the same span.
    monkeypatch.setenv("PATH", f"{Path(installed_annotate()).parent}{os.pathsep}"
                               f"{os.environ['PATH']}")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Test Desk")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "desk@example.org")
    assert git(desk, "init", "-q", "-b", "main").returncode == 0
    assert run_installed("install-git-driver", cwd=desk).returncode == 0
    shared = add(desk, "alice", "opinion", OPINION)
    add(desk, "bob", "opinion", OPINION)
    git(desk, "add", "-A")
    git(desk, "commit", "-q", "-m", "base")
    git(desk, "checkout", "-q", "-b", "other")
    assert run_installed("edit", shared, "--label", "unsourced", cwd=desk).returncode == 0
    git(desk, "commit", "-q", "-am", "unsourced")
    git(desk, "checkout", "-q", "main")
    assert run_installed("edit", shared, "--label", "speculative", cwd=desk).returncode == 0
    git(desk, "commit", "-q", "-am", "speculative")
    assert git(desk, "merge", "-q", "other").returncode == 1  # the driver's conflict

    for command in ("merge", "agreement"):
        result = run_installed(command, SEED_ID, cwd=desk)
        assert result.returncode == 2, result.stderr
        assert result.stderr.count("\n") == 1 and result.stdout == ""
        assert (f"annotation id {shared!r} is not unique (alice's file holds it twice); "
                "after a git merge conflict, keep one of the two lines; else run "
                "'annotate dedupe'") in result.stderr, result.stderr


def test_the_reserved_name_is_refused_in_any_letter_case(desk: Path) -> None:
    # On macOS and Windows Consensus.jsonl is consensus.jsonl: a reviewer
    # "Consensus" would have their annotations overwritten by the next merge.
    for args in (("add", SEED_ID, "--label", "opinion", "--quote", OPINION),
                 ("finish", SEED_ID)):
        for name in ("Consensus", "CONSENSUS"):
            result = run_installed(*args, "--reviewer", name, cwd=desk)
            assert result.returncode == 2, (args, name, result.stderr)
            assert result.stderr.startswith(
                f"annotate: error: '{name}' is 'consensus' in other letters, which is reserved "
                "for the merged result"), result.stderr
            assert result.stderr.count("\n") == 1 and result.stdout == ""
    assert sorted(p.name for p in (desk / "annotations").iterdir()) == [".gitignore"]
    add(desk, "alice", "opinion", OPINION)
    add(desk, "bob", "unsourced", OPINION)
    merged = run_installed("merge", SEED_ID, "--format", "json", "--dry-run", cwd=desk)
    [position] = json.loads(merged.stdout)["positions"]
    result = run_installed("resolve", SEED_ID, position["id"], "--label", "opinion",
                           "--reviewer", "conSensus", cwd=desk)
    assert result.returncode == 2
    assert "'conSensus' is 'consensus' in other letters, which is reserved" in result.stderr
    assert not (desk / "annotations" / SEED_ID / "decisions.json").exists()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_install_git_driver_reads_only_a_regular_gitattributes(desk: Path,
                                                                tmp_path: Path) -> None:
    # A FIFO must not hang the command; a folder gets one line, not a
    # Python errno; a link is not followed (git does not read a
    # .gitattributes that is a link either) and the file it names is left alone.
    assert git(desk, "init", "-q", "-b", "main").returncode == 0
    attributes = desk / ".gitattributes"
    elsewhere = tmp_path / "shared-attributes"
    elsewhere.write_text("*.txt text\n", encoding="utf-8")
    for make, what in ((os.mkfifo, "not a regular file"), (os.mkdir, "not a regular file"),
                       (lambda p: p.symlink_to(elsewhere), "a symbolic link")):
        make(attributes)
        result = run_installed("install-git-driver", cwd=desk, timeout=20)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(f"annotate: error: {attributes} is {what}"), \
            result.stderr
        assert "Errno" not in result.stderr and result.stderr.count("\n") == 1
        assert attributes.is_symlink() or not attributes.is_file()
        if attributes.is_dir() and not attributes.is_symlink():
            attributes.rmdir()
        else:
            attributes.unlink()
    assert elsewhere.read_text(encoding="utf-8") == "*.txt text\n"
    assert git(desk, "config", "merge.annotate.driver").stdout == ""


def test_documents_lists_a_document_whose_reviewer_file_is_broken_as_a_row(
        desk: Path) -> None:
    # What a git line merge leaves without the driver: conflict markers.  The
    # other documents stay listed; the broken one is a row with the problem
    # at its line, and the exit code is 1, as for an unreadable document.
    add(desk, "alice", "opinion", OPINION)
    (desk / "corpus" / "other.txt").write_text("Another article.\n", encoding="utf-8")
    path = desk / "annotations" / SEED_ID / "alice.jsonl"
    record = path.read_text(encoding="utf-8")
    path.write_text(f"<<<<<<< HEAD\n{record}=======\n{record}>>>>>>> other\n",
                    encoding="utf-8")
    result = run_installed("documents", "--format", "json", cwd=desk)
    assert result.returncode == 1, result.stderr
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    assert set(rows) == {SEED_ID, "other.txt"}
    assert rows["other.txt"]["problem"] is None
    assert rows[SEED_ID]["problem"].startswith(
        f"annotations/{SEED_ID}/alice.jsonl:1:1: "), rows[SEED_ID]["problem"]
    # The document itself reads: its version and size are still said.
    assert rows[SEED_ID]["sha256"] == hashlib.sha256(SEED.read_bytes()).hexdigest()
    assert rows[SEED_ID]["characters"] == len(SEED.read_text(encoding="utf-8"))
    table = run_installed("documents", cwd=desk)
    assert table.returncode == 1 and "other.txt" in table.stdout
    assert path.read_text(encoding="utf-8").startswith("<<<<<<< HEAD\n")  # left untouched


def test_merge_refuses_a_deleted_document_before_writing_any_consensus(desk: Path) -> None:
    corpus = desk / "corpus"
    for name in ("a.txt", "b.txt"):
        shutil.copyfile(corpus / SEED_ID, corpus / name)
    for document in ("a.txt", "b.txt", SEED_ID):
        for reviewer in ("alice", "bob"):
            assert run_installed("add", document, "--sentence", "1", "--label", "opinion",
                                 "--reviewer", reviewer, cwd=desk).returncode == 0
    (corpus / "b.txt").unlink()
    result = run_installed("merge", cwd=desk)
    assert result.returncode == 2
    assert result.stderr == (
        "annotate: error: no document 'b.txt' in the corpus (corpus/b.txt), but annotations "
        "of it in annotations/b.txt/: restore the document from git, or move or remove that "
        "folder\n")
    assert not list((desk / "annotations").glob("*/consensus.jsonl"))


@pytest.mark.parametrize(("argument", "message"), [
    ("", "the document argument is blank; name a document by its path under the corpus "
         "folder (see 'annotate documents')"),
    ("corpus", "corpus is the corpus folder itself, not a document in it; name one of its "
               "documents (see 'annotate documents')"),
])
def test_a_blank_or_corpus_folder_document_argument_says_what_to_name(
        desk: Path, argument: str, message: str) -> None:
    result = run_installed("finish", argument, cwd=desk)
    assert (result.returncode, result.stderr) == (2, f"annotate: error: {message}\n")


def test_suggested_commands_name_a_document_so_that_a_shell_takes_it_whole(
        desk: Path) -> None:
    """A document id with spaces, an apostrophe, a dollar sign: the commands
    the messages suggest must run as shown when pasted into a shell."""

    def words(command: str) -> list[str]:  # as a real shell splits it
        shown = subprocess.run(["sh", "-c", f"printf '%s\\n' {command}"], capture_output=True,
                               text=True, check=True, env={"talk": "EXPANDED"})
        return shown.stdout.splitlines()

    name = "Kim & Putin's $talk.txt"
    shutil.copyfile(desk / "corpus" / SEED_ID, desk / "corpus" / name)
    for reviewer, label in (("alice", "opinion"), ("bob", "unsourced")):
        assert run_installed("add", name, "--quote", OPINION, "--label", label,
                             "--reviewer", reviewer, cwd=desk).returncode == 0
    merged = run_installed("merge", name, cwd=desk)
    assert merged.returncode == 1
    [hint] = [line for line in merged.stdout.splitlines() if "annotate resolve" in line]
    command = hint.split("('", 1)[1].split(" POSITION")[0]
    assert words(command) == ["annotate", "resolve", name]
    position = json.loads(run_installed("merge", name, "--dry-run", "--format", "json",
                                        cwd=desk).stdout)["positions"][0]["id"]
    resolved = run_installed("resolve", name, position, "--label", "opinion", cwd=desk)
    assert resolved.returncode == 0, resolved.stderr
    command = resolved.stderr.split("run '", 1)[1].split("' to update")[0]
    assert words(command) == ["annotate", "merge", name]
