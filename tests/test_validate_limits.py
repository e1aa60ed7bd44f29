"""`annotate validate` hardened (issue 8): the layout never takes a document
folder for an annotation file (item 9), an unreadable document is reported
for what it is (item 8), files are read line by line (item 17), and a run in
which nothing changed is answered by the last one (item 19).

The CLI cases run the installed console script, as a user would.  Time and
memory bounds are measured by benchmarks/bench_validate_limits.py, not here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tracemalloc
from pathlib import Path

import pytest

from annotate.validation import cache, hashes
from annotate.validation import run as validation_run
from annotate.workspace import load
from tests.conftest import SEED, SEED_ID, UNPRIVILEGED, Run, permission_bits_prefix, run_installed
from tests.examples.make_examples import HWASONG, IISS, OPINION, line

QUOTE = "is based on Russian technology"
EXAMPLES = Path(__file__).resolve().parent / "examples"


annotate = run_installed




def findings(result: subprocess.CompletedProcess[str]) -> list[tuple[str, str, int, int]]:
    report = json.loads(result.stdout)
    return [(f["code"], f["path"], f["line"], f["column"]) for f in report["findings"]]


# -- item 9: a document whose name ends in .jsonl ------------------------------------------

def test_documents_named_like_annotation_files_validate(desk: Path) -> None:
    (desk / "corpus" / "a").mkdir()
    for name in ("feed.jsonl", "a/b.jsonl"):
        (desk / "corpus" / name).write_text(f"Line one of {name}. {QUOTE}.\n",
                                            encoding="utf-8")
        added = annotate("add", name, "--label", "opinion", "--quote", QUOTE, cwd=desk)
        assert added.returncode == 0, added.stderr
    assert (desk / "annotations" / "feed.jsonl" / "alice.jsonl").is_file()
    assert (desk / "annotations" / "a" / "b.jsonl" / "alice.jsonl").is_file()
    result = annotate("validate", "--strict", cwd=desk)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "3 files and 2 annotations checked: no problems.\n"
    # Given by name, the folder is walked too.
    named = annotate("validate", "--strict", "annotations/feed.jsonl", cwd=desk)
    assert (named.returncode, named.stdout) == (
        0, "1 file and 1 annotation checked: no problems.\n")


def test_a_link_to_a_folder_named_like_an_annotation_file_is_not_read(desk: Path) -> None:
    (desk / "annotations" / "x.txt").mkdir()
    (desk / "annotations" / "x.txt" / "bob.jsonl").symlink_to(desk / "corpus")
    result = annotate("validate", "--format", "json", cwd=desk)
    assert result.returncode == 0, result.stdout
    assert findings(result) == []


def test_the_scan_descends_folders_whatever_their_name(tmp_path: Path) -> None:
    from annotate import store

    for name in ["feed.jsonl/alice.jsonl", "a/b.jsonl/bob.jsonl", "a/b.jsonl/notes.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    os.mkfifo(tmp_path / "feed.jsonl" / "pipe.jsonl")  # yielded: the reader refuses it
    (tmp_path / "linked.jsonl").symlink_to(tmp_path / "a", target_is_directory=True)
    found = store.scan_annotation_files(str(tmp_path), lambda entry: True)
    assert sorted(Path(entry.path).relative_to(tmp_path).as_posix() for entry in found) == [
        "a/b.jsonl/bob.jsonl", "feed.jsonl/alice.jsonl", "feed.jsonl/pipe.jsonl"]


def test_owners_of_documents_named_like_annotation_files() -> None:
    from annotate import store
    from annotate.workspace import Workspace, default_project, project_from_data

    ws = Workspace(Path("/srv/desk"), project_from_data(default_project("desk")))
    for document, reviewer in [("feed.jsonl", "alice"), ("a/b.jsonl", "bob")]:
        path = store.annotation_path(ws, document, reviewer)
        assert store.owner_of(ws, path) == (document, reviewer)
    assert store.owner_of(ws, ws.annotations_dir / "feed.jsonl") is None  # depth 1


# -- item 8: a document that is there but cannot be read ------------------------------------

@pytest.fixture
def annotated(desk: Path) -> Path:
    """The seed article annotated by alice; validate is clean."""
    added = annotate("add", SEED_ID, "--label", "speculative", "--quote", QUOTE, cwd=desk)
    assert added.returncode == 0, added.stderr
    assert annotate("validate", "--strict", cwd=desk).returncode == 0
    return desk


def only_finding(result: subprocess.CompletedProcess[str]) -> dict[str, object]:
    assert result.returncode == 1, (result.stdout, result.stderr)
    [finding] = json.loads(result.stdout)["findings"]
    assert (finding["code"], finding["path"], finding["line"], finding["column"]) == (
        "AN314", f"annotations/{SEED_ID}/alice.jsonl", 1, 1)
    message = str(finding["message"])
    assert message.startswith(f"document {SEED_ID!r} is in the corpus but cannot be read")
    assert "no document" not in message
    return finding


def test_a_document_that_is_not_utf8(annotated: Path) -> None:
    document = annotated / "corpus" / SEED_ID
    document.write_bytes(document.read_bytes().replace(b"Korea", b"Kor\xffa", 1))
    finding = only_finding(annotate("validate", "--format", "json", cwd=annotated))
    assert f"corpus/{SEED_ID} is not valid UTF-8 (bad byte at offset" in str(finding["message"])


def test_a_document_that_is_a_fifo(annotated: Path) -> None:
    document = annotated / "corpus" / SEED_ID
    document.unlink()
    os.mkfifo(document)
    finding = only_finding(annotate("validate", "--format", "json", cwd=annotated))
    assert f"corpus/{SEED_ID} is not a regular file" in str(finding["message"])


def test_a_document_linked_outside_the_workspace(annotated: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    shutil.copyfile(SEED, outside)
    document = annotated / "corpus" / SEED_ID
    document.unlink()
    document.symlink_to(outside)
    finding = only_finding(annotate("validate", "--format", "json", cwd=annotated))
    assert f"leads outside the workspace (to {outside})" in str(finding["message"])


def test_a_document_without_read_permission(annotated: Path) -> None:
    prefix = permission_bits_prefix()
    if prefix is None:
        pytest.skip("running as root, and setpriv cannot drop the capabilities that "
                    "let root ignore permission bits on this machine")
    document = annotated / "corpus" / SEED_ID
    document.chmod(0o000)
    try:
        result = annotate("validate", "--format", "json", cwd=annotated, prefix=prefix)
    finally:
        document.chmod(0o644)
    finding = only_finding(result)
    assert str(finding["message"]).endswith(f"corpus/{SEED_ID}: Permission denied")
    assert prefix in ((), UNPRIVILEGED)


def test_a_record_naming_an_unreadable_document_elsewhere(workspace: Path, run: Run) -> None:
    (workspace / "corpus" / "other.txt").write_bytes(b"not \xff UTF-8\n")
    folder = workspace / "annotations" / SEED_ID
    folder.mkdir(parents=True)
    record = {**HWASONG, "document": "other.txt"}
    (folder / "alice.jsonl").write_text(line(record) + "\n", encoding="utf-8")
    report = json.loads(run("validate", "--format", "json", "--no-cache").stdout)
    codes = {f["code"]: f for f in report["findings"]}
    assert set(codes) == {"AN308", "AN314"}  # misplaced, and its document unreadable
    assert codes["AN314"]["column"] == line(record).index('"other.txt"') + 1
    assert "corpus/other.txt is not valid UTF-8" in codes["AN314"]["message"]


def test_an_unreadable_document_made_readable_is_seen_by_the_cache(annotated: Path) -> None:
    document = annotated / "corpus" / SEED_ID
    original = document.read_bytes()
    document.write_bytes(original.replace(b"Korea", b"Kor\xffa", 1))
    assert annotate("validate", cwd=annotated).returncode == 1
    document.write_bytes(original)
    assert annotate("validate", "--strict", cwd=annotated).returncode == 0
    document.unlink()
    gone = annotate("validate", cwd=annotated)  # from unreadable to missing: AN311
    assert gone.returncode == 1 and " AN311 " in gone.stdout


# -- item 17: line by line -------------------------------------------------------------------

def test_a_file_is_checked_line_by_line(workspace: Path) -> None:
    """Memory follows the longest line, not the file: a 12 MB file is checked
    with a fraction of that (whole-file reading needed several times it)."""
    from annotate.validation.checks import check_annotation_lines
    from annotate.validation.documents import Documents

    ws = load(workspace)
    note = "n" * 3000
    lines = [(line({**HWASONG, "id": f"r{number:06d}", "note": f"{number} {note}"}) + "\n")
             .encode() for number in range(4000)]
    size = sum(map(len, lines))
    documents = Documents(ws)
    # One record first: the document's text and the schema validators, built
    # once per process, are not the file's memory.
    check_annotation_lines("big.jsonl", iter(lines[:1]), project=ws.project, owner=None,
                           documents=documents)
    tracemalloc.start()
    try:
        result = check_annotation_lines("big.jsonl", iter(lines), project=ws.project,
                                        owner=None, documents=documents)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.annotations == 4000 and result.findings == []
    assert peak < size / 8, (peak, size)


def test_line_by_line_reading_keeps_every_position(workspace: Path, run: Run) -> None:
    """Invalid UTF-8 is placed by line and column and its byte offset counts
    from the start of the file; a sequence cut short by the end of its line
    reads as the line's end; CRLF and a missing final newline change nothing."""
    good = line(HWASONG).encode()
    data = (good + b"\r\n" + line(IISS).encode().replace(b"artillery", b"art\xffllery")
            + b"\n" + b'{"x": "\xe2\x82"}\n' + line(OPINION).encode())
    target = workspace / "annotations" / SEED_ID / "alice.jsonl"
    target.parent.mkdir(parents=True)
    target.write_bytes(data)
    report = json.loads(run("validate", "--format", "json", "--no-cache").stdout)
    utf8 = [(f["line"], f["column"], f["message"]) for f in report["findings"]
            if f["code"] == "AN102"]
    second = line(IISS).index("artillery") + 4
    third = len(good) + 2 + len(line(IISS).encode()) + 1
    assert utf8 == [
        (2, second, f"invalid UTF-8 (invalid start byte: byte ff at byte offset "
                    f"{len(good) + 2 + second - 1})"),
        (3, 8, f"invalid UTF-8 (invalid continuation byte: bytes e2 82 at byte offset "
               f"{third + 7})")]
    assert report["summary"]["annotations_checked"] == 4


def test_at_most_twenty_utf8_findings_per_file(workspace: Path, run: Run) -> None:
    target = workspace / "annotations" / SEED_ID / "alice.jsonl"
    target.parent.mkdir(parents=True)
    target.write_bytes(b'{"a": "\xff\xff\xff"}\n' * 10)
    report = json.loads(run("validate", "--format", "json", "--no-cache").stdout)
    assert sum(f["code"] == "AN102" for f in report["findings"]) == 20


def test_duplicate_ids_across_files_are_placed_at_the_id(workspace: Path, run: Run) -> None:
    folder = workspace / "annotations" / SEED_ID
    folder.mkdir(parents=True)
    records = [HWASONG, IISS, OPINION]
    (folder / "alice.jsonl").write_text("".join(line(r) + "\n" for r in records))
    (folder / "bob.jsonl").write_text("".join(
        line({**r, "reviewer": "bob"}) + "\n" for r in reversed(records)))
    report = json.loads(run("validate", "--format", "json", "--no-cache").stdout)
    found = [(f["path"], f["line"], f["column"], f["message"]) for f in report["findings"]
             if f["code"] == "AN307"]
    place = f"annotations/{SEED_ID}/alice.jsonl"
    assert found == [
        (f"annotations/{SEED_ID}/bob.jsonl", number, line(record).index('"id"') + 7,
         f"id {record['id']!r} is also used at {place}:{3 - number + 1}; run "
         "'annotate dedupe' to give each annotation its own id (after a git merge conflict, "
         "keep one of the two lines instead)")
        for number, record in enumerate(reversed(records), start=1)]


def test_duplicate_ids_are_found_when_the_cache_lost_them(workspace: Path, run: Run) -> None:
    folder = workspace / "annotations" / SEED_ID
    folder.mkdir(parents=True)
    (folder / "alice.jsonl").write_text(line(HWASONG) + "\n")
    (folder / "bob.jsonl").write_text(line({**HWASONG, "reviewer": "bob"}) + "\n")
    first = run("validate", "--format", "json").stdout
    (workspace / ".annotate-cache" / cache.IDS_FILE).unlink()
    (folder / "carol.jsonl").write_text(line({**IISS, "reviewer": "carol"}) + "\n")
    again = json.loads(run("validate", "--format", "json").stdout)
    assert [f for f in again["findings"] if f["code"] == "AN307"] == [
        f for f in json.loads(first)["findings"] if f["code"] == "AN307"] != []


# -- item 19: nothing changed, nothing checked ------------------------------------------------

@pytest.fixture
def trusted_stats(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every stat is old enough to trust at once (files here are seconds old)."""
    monkeypatch.setattr(hashes, "RACY_SECONDS", -60.0)


def test_a_run_in_which_nothing_changed_is_the_last_one(workspace: Path, run: Run,
                                                         trusted_stats: None,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    folder = workspace / "annotations" / SEED_ID
    folder.mkdir(parents=True)
    shutil.copyfile(EXAMPLES / "invalid" / "AN401-document-changed.jsonl",
                    folder / "alice.jsonl")
    first = run("validate", "--format", "json")
    assert (workspace / ".annotate-cache" / cache.RUN_FILE).is_file()

    def checked(*args: object) -> None:
        raise AssertionError("a file was looked up, though nothing changed")

    monkeypatch.setattr(validation_run, "_look_up", checked)
    monkeypatch.setattr(validation_run.workspace_module, "load", checked)  # no schema check
    second = run("validate", "--format", "json")
    assert (second.exit_code, second.stdout) == (first.exit_code, first.stdout)
    strict = run("validate", "--format", "json", "--strict")
    assert strict.exit_code == 1


def test_a_run_whose_project_file_broke_is_not_the_last_one(workspace: Path, run: Run,
                                                             trusted_stats: None) -> None:
    assert run("validate").exit_code == 0
    project = workspace / "annotate.json"
    project.write_text(project.read_text().replace('"version": 1', '"version": "1"'))
    result = run("validate", "--format", "json")
    assert result.exit_code == 1
    assert [f["code"] for f in json.loads(result.stdout)["findings"]] == ["AN202"]


def test_a_committed_cache_is_not_trusted_under_ci(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A forged cache entry (claiming a broken file is fine) is ignored where CI is set."""
    from annotate import api
    from tests.conftest import SEED

    root = tmp_path / "ws"
    api.init_workspace(root, "t")
    (root / "corpus" / SEED_ID).write_bytes(SEED.read_bytes())
    folder = root / "annotations" / SEED_ID
    folder.mkdir(parents=True)
    broken = folder / "alice.jsonl"
    broken.write_text('{"id": "abcd"}\n', encoding="utf-8")
    first = api.validate(str(root), use_cache=True)
    assert any(f.code == "AN201" for f in first.findings)
    # Forge: every cache file now says "no findings" for every file.
    for path in (root / ".annotate-cache").glob("*.json"):
        path.write_text(path.read_text(encoding="utf-8").replace('"AN201"', '"AN000"'),
                        encoding="utf-8")
    trusted = api.validate(str(root), use_cache=True)
    assert not any(f.code == "AN201" for f in trusted.findings)  # the forgery works ...
    monkeypatch.setenv("CI", "true")
    under_ci = api.validate(str(root), use_cache=True)
    assert any(f.code == "AN201" for f in under_ci.findings)  # ... except under CI
