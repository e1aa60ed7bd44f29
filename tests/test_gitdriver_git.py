"""`annotate install-git-driver` and the merge driver under real `git merge` runs,
in temporary repositories (issue 9, item 5).

Git runs the driver as a subprocess, so these tests use the installed console
script, with its folder first on PATH; HOME is isolated by conftest.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from annotate.records import parse_annotation_text
from tests.conftest import HWASONG, SEED, SEED_ID, installed_annotate, run_installed

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

REVIEWER_FILE = Path("annotations") / SEED_ID / "alice.jsonl"
ARTILLERY = "20,000 artillery pieces"
PYONGYANG = "only sporadically in many parts of the country"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository holding a workspace (in the subfolder ws/) with one annotation,
    the driver installed by `annotate install-git-driver`, all committed on main."""
    monkeypatch.setenv("PATH", f"{Path(installed_annotate()).parent}{os.pathsep}"
                               f"{os.environ['PATH']}")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Test Desk")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "desk@example.org")
    root = tmp_path / "repo"
    git(tmp_path, "init", "-q", "-b", "main", str(root))
    assert run_installed("init", "ws", cwd=root).returncode == 0
    shutil.copyfile(SEED, root / "ws" / "corpus" / SEED_ID)
    installed = run_installed("install-git-driver", cwd=root / "ws")
    assert installed.returncode == 0, installed.stderr
    add(root, HWASONG, "speculative")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


def git(folder: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run git in folder."""
    return subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True,
                          check=check, stdin=subprocess.DEVNULL)


def annotate(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed `annotate` in the repository's workspace."""
    return run_installed(*args, cwd=repo / "ws")


def add(repo: Path, quote: str, label: str) -> str:
    """Add an annotation; its id."""
    result = annotate(repo, "add", SEED_ID, "--quote", quote, "--label", label,
                      "--source", "https://example.org/")
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def records(repo: Path) -> list[str]:
    """The ids of the reviewer file, in file order."""
    text = (repo / "ws" / REVIEWER_FILE).read_text(encoding="utf-8")
    return [a.id for a in parse_annotation_text(text, "alice.jsonl")]


def commit(repo: Path, message: str) -> None:
    """Commit everything on the current branch."""
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def only_id(repo: Path) -> str:
    [identifier] = records(repo)
    return identifier


ATTRIBUTES = ("ws/annotations/**/*.jsonl merge=annotate\n"
              "ws/annotations/**/decisions.json merge=annotate\n"
              "ws/corpus/** -text\n"
              "ws/annotations/.versions/** -text\n")


def test_install_writes_the_attributes_line_once_and_configures_this_clone(repo: Path) -> None:
    assert (repo / ".gitattributes").read_text() == ATTRIBUTES
    again = annotate(repo, "install-git-driver")
    assert again.returncode == 0
    assert (repo / ".gitattributes").read_text() == ATTRIBUTES
    assert "already in the .gitattributes" in again.stdout
    assert "git does not version .git/config" in again.stdout
    assert ("git config merge.annotate.driver 'annotate git-merge-driver %O %A %B %P'"
            in again.stdout)
    assert git(repo, "config", "merge.annotate.driver").stdout == (
        "annotate git-merge-driver %O %A %B %P\n")
    for path in (REVIEWER_FILE, REVIEWER_FILE.parent / "decisions.json"):
        assert git(repo, "check-attr", "merge", "--", f"ws/{path.as_posix()}").stdout \
            .endswith(": merge: annotate\n")


def test_install_adds_the_decisions_line_to_an_earlier_install(repo: Path) -> None:
    # A clone set up before decisions files were merged too: the missing line only.
    (repo / ".gitattributes").write_text("ws/annotations/**/*.jsonl merge=annotate\n")
    installed = annotate(repo, "install-git-driver")
    assert installed.returncode == 0
    assert (repo / ".gitattributes").read_text() == ATTRIBUTES
    assert installed.stdout.splitlines()[:2] == [
        "ws/annotations/**/*.jsonl merge=annotate  (already in the .gitattributes at the top "
        "of the git repository; commit it)",
        "ws/annotations/**/decisions.json merge=annotate  (added to the .gitattributes at the "
        "top of the git repository; commit it)"]


def test_a_clone_converting_line_endings_checks_the_documents_out_as_they_are(
        repo: Path, tmp_path: Path) -> None:
    """Git for Windows converts line endings on checkout by default
    (core.autocrlf): the documents and their stored versions are kept byte
    for byte (-text), or every annotation would be on another version there."""
    text = (repo / "ws" / "corpus" / SEED_ID).read_bytes()
    assert b"\n" in text and b"\r\n" not in text
    clone = tmp_path / "windows-style"
    git(tmp_path, "-c", "core.autocrlf=true", "clone", "-q", str(repo), str(clone))
    assert (clone / "ws" / "corpus" / SEED_ID).read_bytes() == text
    checked = annotate(clone, "validate", "--strict")
    assert checked.returncode == 0 and checked.stdout.endswith(
        "1 annotation checked: no problems.\n"), checked.stdout
    for folder in ("corpus", "annotations/.versions"):
        assert git(clone, "check-attr", "text", "--", f"ws/{folder}/x.txt").stdout.endswith(
            ": text: unset\n")


def test_install_appends_to_existing_attributes(repo: Path) -> None:
    (repo / ".gitattributes").write_text("*.txt text")  # no final newline
    assert annotate(repo, "install-git-driver").returncode == 0
    assert (repo / ".gitattributes").read_text() == "*.txt text\n" + ATTRIBUTES


def test_install_outside_a_git_repository_exits_2(tmp_path: Path) -> None:
    assert run_installed("init", "ws", cwd=tmp_path).returncode == 0
    result = run_installed("install-git-driver", cwd=tmp_path / "ws")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("annotate: error: ")
    assert "is not inside a git repository" in result.stderr
    assert "run 'git init'" in result.stderr
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / ".gitattributes").exists()


def test_two_branches_each_adding_a_record_merge_cleanly(repo: Path) -> None:
    base_id = only_id(repo)
    git(repo, "checkout", "-q", "-b", "bob")
    theirs = add(repo, ARTILLERY, "sourced")
    commit(repo, "bob adds")
    git(repo, "checkout", "-q", "main")
    ours = add(repo, PYONGYANG, "unsourced")
    commit(repo, "main adds")
    merged = git(repo, "merge", "-q", "--no-edit", "bob", check=False)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert records(repo) == sorted([base_id, ours, theirs])
    text = (repo / "ws" / REVIEWER_FILE).read_text(encoding="utf-8")
    assert "<<<<<<<" not in text
    valid = annotate(repo, "validate", "--strict")
    assert valid.returncode == 0, valid.stdout + valid.stderr


def test_deleted_on_one_side_and_untouched_on_the_other_is_deleted(repo: Path) -> None:
    base_id = only_id(repo)
    kept = add(repo, ARTILLERY, "sourced")
    commit(repo, "second record")
    git(repo, "checkout", "-q", "-b", "bob")
    assert annotate(repo, "rm", base_id, "--yes").returncode == 0
    commit(repo, "bob removes")
    git(repo, "checkout", "-q", "main")
    added = add(repo, PYONGYANG, "unsourced")  # main changes the file too
    commit(repo, "main adds")
    merged = git(repo, "merge", "-q", "--no-edit", "bob", check=False)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert records(repo) == sorted([kept, added])
    assert annotate(repo, "validate", "--strict").returncode == 0


def test_the_same_record_edited_differently_on_both_sides_conflicts(repo: Path) -> None:
    identifier = only_id(repo)
    git(repo, "checkout", "-q", "-b", "bob")
    assert annotate(repo, "edit", identifier, "--label", "opinion").returncode == 0
    commit(repo, "bob: opinion")
    git(repo, "checkout", "-q", "main")
    assert annotate(repo, "edit", identifier, "--label", "disputed").returncode == 0
    extra = add(repo, ARTILLERY, "sourced")
    commit(repo, "main: disputed")
    merged = git(repo, "merge", "--no-edit", "bob", check=False)
    assert merged.returncode == 1
    path = f"ws/{REVIEWER_FILE.as_posix()}"
    said = merged.stdout + merged.stderr
    assert (f'{path}: conflict on id {identifier}: label: ours "disputed", theirs "opinion"'
            in said)
    assert f"CONFLICT (content): Merge conflict in {path}" in said
    assert git(repo, "diff", "--name-only", "--diff-filter=U").stdout == f"{path}\n"
    # Both versions stay, ours first; the record only main added merged cleanly.
    assert records(repo) == sorted([identifier, identifier, extra])
    text = (repo / "ws" / REVIEWER_FILE).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if identifier in line]
    assert ['"label": "disputed"' in lines[0], '"label": "opinion"' in lines[1]] == [True, True]
    assert "<<<<<<<" not in text
    valid = annotate(repo, "validate")
    assert valid.returncode == 1
    [finding] = [line for line in valid.stdout.splitlines() if "AN307" in line]
    line = text.splitlines().index(lines[1]) + 1
    assert finding.startswith(f"{REVIEWER_FILE.as_posix()}:{line}:")
    assert f"id '{identifier}' is also used at {REVIEWER_FILE.as_posix()}:{line - 1}" in finding


def test_deleted_on_one_side_and_edited_on_the_other_conflicts(repo: Path) -> None:
    identifier = only_id(repo)
    kept = add(repo, ARTILLERY, "sourced")
    commit(repo, "second record")
    git(repo, "checkout", "-q", "-b", "bob")
    assert annotate(repo, "rm", identifier, "--yes").returncode == 0
    commit(repo, "bob removes")
    git(repo, "checkout", "-q", "main")
    assert annotate(repo, "edit", identifier, "--label", "opinion").returncode == 0
    commit(repo, "main edits")
    merged = git(repo, "merge", "--no-edit", "bob", check=False)
    assert merged.returncode == 1
    assert f"conflict on id {identifier}: deleted in theirs, changed in ours" in merged.stderr \
        + merged.stdout
    assert records(repo) == sorted([identifier, identifier, kept])
    assert annotate(repo, "validate").returncode == 1


def test_a_corrupt_side_leaves_git_a_conflict_and_ours_untouched(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "bob")
    with (repo / "ws" / REVIEWER_FILE).open("a", encoding="utf-8") as handle:
        handle.write("{broken\n")
    commit(repo, "bob breaks the file")
    git(repo, "checkout", "-q", "main")
    add(repo, ARTILLERY, "sourced")
    commit(repo, "main adds")
    ours = (repo / "ws" / REVIEWER_FILE).read_bytes()
    merged = git(repo, "merge", "--no-edit", "bob", check=False)
    assert merged.returncode == 1  # git's own code for "conflicts"; the driver exited 2
    path = f"ws/{REVIEWER_FILE.as_posix()}"
    assert f"annotate: error: {path} (theirs):2:2:" in merged.stderr + merged.stdout
    assert (repo / "ws" / REVIEWER_FILE).read_bytes() == ours


# --- decisions.json: two editors' decisions, merged by position ---------------------------

DECISIONS = REVIEWER_FILE.parent / "decisions.json"


def two_positions(repo: Path) -> tuple[str, str]:
    """The base commit with a second annotation: two positions to decide."""
    add(repo, ARTILLERY, "sourced")
    commit(repo, "second position")
    text = SEED.read_text(encoding="utf-8")
    return tuple(f"p{text.index(quote)}-{text.index(quote) + len(quote)}"  # type: ignore[return-value]
                 for quote in (HWASONG, ARTILLERY))


def resolve(repo: Path, position: str, label: str, editor: str) -> None:
    result = annotate(repo, "resolve", SEED_ID, position, "--label", label, "--reviewer", editor)
    assert result.returncode == 0, result.stderr


def decided(repo: Path) -> list[tuple[int, int, str, str]]:
    data = json.loads((repo / "ws" / DECISIONS).read_text(encoding="utf-8"))
    return [(d["start"], d["end"], d["label"], d["editor"]) for d in data["decisions"]]


def decide_on_two_branches(repo: Path, eds: str, fays: str
                           ) -> subprocess.CompletedProcess[str]:
    """Ed decides a position "opinion" on a branch, Fay another (or the same)
    "unsourced" on main; main merges Ed's branch."""
    git(repo, "checkout", "-q", "-b", "ed")
    resolve(repo, eds, "opinion", "ed")
    commit(repo, "ed decides")
    git(repo, "checkout", "-q", "main")
    resolve(repo, fays, "unsourced", "fay")
    commit(repo, "fay decides")
    return git(repo, "merge", "--no-edit", "ed", check=False)


def test_two_editors_deciding_different_positions_merge_cleanly(repo: Path) -> None:
    hwasong, artillery = two_positions(repo)
    merged = decide_on_two_branches(repo, hwasong, artillery)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert sorted((f"p{start}-{end}", label, editor)
                  for start, end, label, editor in decided(repo)) == sorted(
        [(hwasong, "opinion", "ed"), (artillery, "unsourced", "fay")])
    assert annotate(repo, "validate").returncode == 0
    result = annotate(repo, "merge", SEED_ID, "--format", "json")
    assert result.returncode == 0, result.stderr
    decisions = {p["id"]: p["decision"] for p in json.loads(result.stdout)["positions"]}
    assert (decisions[hwasong]["label"], decisions[artillery]["label"]) == (
        "opinion", "unsourced")


def test_one_position_decided_two_ways_conflicts_and_validate_says_where(repo: Path) -> None:
    hwasong, _ = two_positions(repo)
    merged = decide_on_two_branches(repo, hwasong, hwasong)
    assert merged.returncode == 1
    said = merged.stdout + merged.stderr
    path = f"ws/{DECISIONS.as_posix()}"
    assert f'{path}: conflict on position {hwasong}: label: ours "unsourced", theirs ' \
           '"opinion"' in said
    assert (f"{path}: 1 position decided two ways, both decisions kept (validate reports "
            "AN316 at the second)") in said
    assert "<<<<<<<" not in (repo / "ws" / DECISIONS).read_text(encoding="utf-8")
    assert sorted(editor for *_, editor in decided(repo)) == ["ed", "fay"]
    valid = annotate(repo, "validate")
    assert valid.returncode == 1
    assert f"{DECISIONS.as_posix()}:3:" in valid.stdout and "AN316" in valid.stdout
    refused = annotate(repo, "merge")
    assert refused.returncode == 2 and "a second decision for position" in refused.stderr


def test_install_says_a_corpus_linked_outside_is_not_in_the_repository(
        repo: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared-corpus"
    (repo / "ws" / "corpus").rename(shared)
    (repo / "ws" / "corpus").symlink_to(shared)
    result = annotate(repo, "install-git-driver")
    assert result.returncode == 2
    assert result.stderr == (
        f"annotate: error: the corpus folder {repo / 'ws' / 'corpus'} leads outside the git "
        f"repository at {repo} (to {shared}): git does not version what it holds; move that "
        "folder into the repository in place of the link\n")
