"""Names every teammate's checkout can hold: reviewer names that differ only
in case from a reviewer of the document already, or that Windows cannot
make a file of, are refused before anything is written; validate reports
such paths already in a workspace (AN318)."""

from __future__ import annotations

import json
import shutil
import unicodedata
from pathlib import Path

import pytest

from annotate import portable
from tests.conftest import SEED, SEED_ID, run_installed


@pytest.mark.parametrize(("path", "why"), [
    ("con.jsonl", "device name on Windows (CON)"),
    ("annotations/CON/alice.jsonl", "device name on Windows (CON)"),
    ("nul.tar.gz", "device name on Windows (NUL)"),
    ("Com1.jsonl", "device name on Windows (COM1)"),
    ("lpt9", "device name on Windows (LPT9)"),
    ("conin$.txt", "device name on Windows (CONIN$)"),
    ("com¹.txt", "device name on Windows (COM¹)"),
    ("notes./a.jsonl", "ends in a dot"),
    ("notes /a.jsonl", "ends in a space"),
    ("a:b.txt", "holds ':'"),
    ("why?.txt", "holds '?'"),
    ("tab\there.txt", "holds '\\t'"),
])
def test_what_windows_cannot_hold(path: str, why: str) -> None:
    problem = portable.windows_problem(path)
    assert problem is not None and why in problem


@pytest.mark.parametrize("path", [
    "alice.jsonl", "console.jsonl", "com10.jsonl", "conx.jsonl", "a.con.jsonl",
    "annotations/kim.txt/alice@example.org.jsonl", "Straße/東京.txt", "a..jsonl"])
def test_what_windows_holds(path: str) -> None:
    assert portable.windows_problem(path) is None


def test_names_the_same_to_a_file_system_that_ignores_case() -> None:
    composed, decomposed = "café", unicodedata.normalize("NFD", "café")
    assert portable.case_twin("alice", ["Alice", "bob"]) == "Alice"
    assert portable.case_twin("alice", ["alice", "bob"]) is None  # the same name
    assert portable.case_twin(composed, [decomposed.upper()]) == decomposed.upper()
    assert portable.case_twins(["b/Alice.jsonl", "b/alice.jsonl", "A/x", "a/y", "c"]) == {
        "a/y": "A", "b/alice.jsonl": "b/Alice.jsonl"}  # two files, but one folder


def add(desk: Path, reviewer: str, sentence: int = 1) -> tuple[int, str]:
    done = run_installed("add", SEED_ID, "--sentence", str(sentence), "--label", "opinion",
                         "--reviewer", reviewer, cwd=desk)
    return done.returncode, done.stderr


def folder(desk: Path) -> Path:
    return desk / "annotations" / SEED_ID


def test_a_reviewer_differing_only_in_case_is_refused_before_anything_is_written(
        desk: Path) -> None:
    assert add(desk, "Alice")[0] == 0
    before = sorted(path.name for path in folder(desk).iterdir())
    for command in (["add", SEED_ID, "--sentence", "2", "--label", "opinion"],
                    ["finish", SEED_ID]):
        for name in ("alice", "ALICE"):
            done = run_installed(*command, "--reviewer", name, cwd=desk)
            assert done.returncode == 2
            assert done.stderr == (
                f"annotate: error: reviewer {name!r} differs only in case from 'Alice', a "
                f"reviewer of {SEED_ID} already: on macOS and Windows their files would be "
                "one; use --reviewer Alice, or another name\n")
    assert sorted(path.name for path in folder(desk).iterdir()) == before
    assert add(desk, "Alice", 2)[0] == 0  # the reviewer already there goes on
    assert run_installed("finish", SEED_ID, "--reviewer", "Alice", cwd=desk).returncode == 0


@pytest.mark.parametrize("name", ["con", "NUL", "aux.desk", "com1", "lpt3.x"])
def test_a_reviewer_name_windows_cannot_make_a_file_of_is_refused(desk: Path,
                                                                    name: str) -> None:
    code, stderr = add(desk, name)
    assert code == 2
    assert stderr.startswith(f"annotate: error: reviewer {name!r}: ")
    assert "device name on Windows" in stderr and stderr.count("\n") == 1
    assert not folder(desk).exists() or not any(folder(desk).iterdir())


@pytest.mark.parametrize("name", ["Consensus", "CONSENSUS"])
def test_the_merges_reserved_name_is_refused_in_any_case(desk: Path, name: str) -> None:
    code, stderr = add(desk, name)
    assert code == 2
    assert stderr == (f"annotate: error: {name!r} is 'consensus' in other letters, which is "
                      "reserved for the merged result of several reviewers; annotate under "
                      "your own name\n")


def test_a_reviewer_already_twinned_by_hand_is_not_locked_out(desk: Path) -> None:
    """Files made before (or by another tool) that differ only in case: each
    reviewer still writes their own, and validate warns (AN318, an error
    under --strict)."""
    assert add(desk, "Alice")[0] == 0
    line = (folder(desk) / "Alice.jsonl").read_text(encoding="utf-8")
    record = {**json.loads(line), "reviewer": "alice", "id": "handmade01"}
    (folder(desk) / "alice.jsonl").write_text(json.dumps(record, sort_keys=True) + "\n",
                                              encoding="utf-8")
    assert add(desk, "alice", 2)[0] == 0
    assert add(desk, "Alice", 3)[0] == 0
    done = run_installed("validate", cwd=desk)
    expected = (f"annotations/{SEED_ID}/alice.jsonl:1:1: AN318 warning: differs only in case "
                f"from annotations/{SEED_ID}/Alice.jsonl: on macOS and Windows the two are one, "
                "and a checkout there keeps only one of them; rename one")
    assert (done.returncode, done.stdout.splitlines()[0]) == (0, expected)
    strict = run_installed("validate", "--strict", cwd=desk)
    assert strict.returncode == 1
    assert strict.stdout.splitlines()[0] == expected.replace("AN318 warning", "AN318 error")


def test_validate_reports_a_path_windows_cannot_hold(desk: Path) -> None:
    assert add(desk, "alice")[0] == 0
    (folder(desk) / "alice.jsonl").rename(folder(desk) / "nul.jsonl")
    done = run_installed("validate", cwd=desk)
    assert (f"annotations/{SEED_ID}/nul.jsonl:1:1: AN318 warning: 'nul.jsonl' is a device "
            "name on Windows (NUL): a checkout on Windows cannot make this file; rename it"
            ) in done.stdout.splitlines()


def test_two_new_reviewers_differing_only_in_case_in_one_write_are_refused(
        workspace: Path) -> None:
    """An import can bring several new reviewers at once: the second of a
    pair that differs only in case is refused, and neither file is made."""
    from annotate import api, store
    from annotate.errors import InvalidValueError

    ws = api.open_workspace(str(workspace))
    refused = pytest.raises(InvalidValueError,
                            match="reviewer 'bob' differs only in case from 'Bob'")
    with refused, store.document_session(ws, SEED_ID) as session:
        session.write("Bob", [])
        session.write("bob", [])
    assert not any((workspace / "annotations" / SEED_ID).glob("*.jsonl"))


def test_merge_beside_a_reviewer_named_consensus_in_other_letters_says_what_to_rename(
        desk: Path) -> None:
    """A reviewer 'Consensus' from before the name was refused in any case:
    merge does not make consensus.jsonl beside Consensus.jsonl (one file on
    macOS and Windows), and says which reviewer's files to rename."""
    assert add(desk, "alice")[0] == 0
    line = (folder(desk) / "alice.jsonl").read_text(encoding="utf-8")
    record = {**json.loads(line), "reviewer": "Consensus", "id": "handmade01"}
    (folder(desk) / "Consensus.jsonl").write_text(json.dumps(record, sort_keys=True) + "\n",
                                                  encoding="utf-8")
    done = run_installed("merge", SEED_ID, "--strategy", "union", cwd=desk)
    assert (done.returncode, done.stderr) == (
        2, f"annotate: error: {SEED_ID} has a reviewer 'Consensus', whose files would be the "
           "merged result's on macOS and Windows; rename that reviewer's files (and the name "
           "in their records), then merge again\n")
    assert not (folder(desk) / "consensus.jsonl").exists()


def _two_documents(root: Path) -> None:
    for name in ("a.txt", "b.txt"):
        shutil.copyfile(root / "corpus" / SEED_ID, root / "corpus" / name)


def test_an_import_meeting_a_case_twin_rejects_those_items_and_writes_nothing_else(
        desk: Path, tmp_path: Path) -> None:
    """The twin is an item's problem (exit 1; --partial imports the rest),
    found before anything is written, not an exit 2 after the documents
    before it were written."""
    _two_documents(desk)
    for name in ("a.txt", "b.txt"):
        assert run_installed("add", name, "--sentence", "1", "--label", "opinion",
                             "--reviewer", "alice", cwd=desk).returncode == 0
    exported = run_installed("export", "a.txt", "b.txt", "--format", "w3c", cwd=desk)
    assert exported.returncode == 0, exported.stderr
    assert run_installed("init", "other", cwd=tmp_path).returncode == 0
    other = tmp_path / "other"
    shutil.copyfile(SEED, other / "corpus" / SEED_ID)
    _two_documents(other)
    assert run_installed("add", "b.txt", "--sentence", "2", "--label", "opinion",
                         "--reviewer", "ALICE", cwd=other).returncode == 0
    whole = run_installed("import", "--format", "w3c", "-", cwd=other, input=exported.stdout)
    assert whole.returncode == 1
    assert ("reviewer 'alice' differs only in case from 'ALICE', a reviewer of b.txt "
            "already") in whole.stderr
    assert not (other / "annotations" / "a.txt").exists()
    partial = run_installed("import", "--format", "w3c", "--partial", "-", cwd=other,
                            input=exported.stdout)
    assert partial.returncode == 1
    assert (other / "annotations" / "a.txt" / "alice.jsonl").is_file()
    assert not (other / "annotations" / "b.txt" / "alice.jsonl").exists()


def test_review_refuses_a_case_twin_before_asking_anything(desk: Path) -> None:
    assert add(desk, "Alice")[0] == 0
    done = run_installed("review", SEED_ID, "--reviewer", "alice", cwd=desk, input="o\nq\n")
    assert done.returncode == 2
    assert done.stderr == (
        f"annotate: error: reviewer 'alice' differs only in case from 'Alice', a reviewer of "
        f"{SEED_ID} already: on macOS and Windows their files would be one; use --reviewer "
        "Alice, or another name\n")
    assert done.stdout == ""


def test_merge_of_every_document_refuses_a_legacy_twin_before_writing_any(desk: Path) -> None:
    _two_documents(desk)
    for name in ("a.txt", "b.txt"):
        for reviewer in ("alice", "bob"):
            assert run_installed("add", name, "--sentence", "1", "--label", "opinion",
                                 "--reviewer", reviewer, cwd=desk).returncode == 0
    legacy = desk / "annotations" / "b.txt"
    record = {**json.loads((legacy / "alice.jsonl").read_text(encoding="utf-8")),
              "reviewer": "Consensus", "id": "handmade01"}
    (legacy / "Consensus.jsonl").write_text(json.dumps(record, sort_keys=True) + "\n",
                                            encoding="utf-8")
    done = run_installed("merge", cwd=desk)
    assert done.returncode == 2
    assert done.stderr.startswith("annotate: error: b.txt has a reviewer 'Consensus'")
    assert not list((desk / "annotations").glob("*/consensus.jsonl"))


def test_validate_reports_documents_and_folders_that_differ_only_in_case(desk: Path) -> None:
    """corpus/A.txt beside corpus/a.txt, and so their annotation folders:
    two files each, but on macOS and Windows one file and one folder."""
    shutil.copyfile(desk / "corpus" / SEED_ID, desk / "corpus" / "a.txt")
    shutil.copyfile(desk / "corpus" / SEED_ID, desk / "corpus" / "A.txt")
    for document, reviewer in (("a.txt", "alice"), ("A.txt", "bob")):
        assert run_installed("add", document, "--sentence", "1", "--label", "opinion",
                             "--reviewer", reviewer, cwd=desk).returncode == 0
    done = run_installed("validate", cwd=desk)
    found = [line for line in done.stdout.splitlines() if "AN318" in line]
    assert found == [
        "annotations/a.txt/alice.jsonl:1:1: AN318 warning: differs only in case from "
        "annotations/A.txt: on macOS and Windows the two are one, and a checkout there keeps "
        "only one of them; rename one",
        "corpus/a.txt:1:1: AN318 warning: differs only in case from corpus/A.txt: on macOS "
        "and Windows the two are one, and a checkout there keeps only one of them; rename one"]


def test_ingest_refuses_a_document_differing_only_in_case(desk: Path, tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("Another article, in one sentence.\n", encoding="utf-8")
    done = run_installed("ingest", str(page), "--as", SEED_ID.upper(), cwd=desk)
    assert (done.returncode, done.stderr) == (
        2, f"annotate: error: document {SEED_ID.upper()!r} differs only in case from "
           f"{SEED_ID!r}, already in the corpus: on macOS and Windows the two would be one "
           f"file; name that one (--as {SEED_ID}) to check it for a new version, or choose "
           "another --as\n")
    assert sorted(path.name for path in (desk / "corpus").iterdir()) == [SEED_ID]


@pytest.mark.parametrize(("corpus", "annotations"), [("Data", "data"),
                                                      ("annotate.JSON", "annotations")])
def test_init_compares_folders_as_a_file_system_that_ignores_case(
        tmp_path: Path, corpus: str, annotations: str) -> None:
    done = run_installed("init", "ws", "--corpus", corpus, "--annotations", annotations,
                         cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert not (tmp_path / "ws").exists()


def test_brat_export_warns_of_reviewer_folders_differing_only_in_case(desk: Path) -> None:
    """Each document may have one of a twin pair (the refusal is per
    document); brat's folders are per reviewer across documents."""
    _two_documents(desk)
    for document, reviewer in (("a.txt", "ALICE"), ("b.txt", "alice")):
        assert run_installed("add", document, "--sentence", "1", "--label", "opinion",
                             "--reviewer", reviewer, cwd=desk).returncode == 0
    done = run_installed("export", "--format", "brat", "-o", "out", cwd=desk)
    assert done.returncode == 0
    assert ("annotate: warning: reviewer folders ALICE/ and alice/ differ only in case: on "
            "macOS and Windows they are one folder, so read the export on a system that "
            "tells them apart\n") in done.stderr
