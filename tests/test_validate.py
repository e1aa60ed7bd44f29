"""`annotate validate`: the example folders, hostile input, output formats,
--strict, the cache, exit codes."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import SEED_ID, Run, installed_annotate

EXAMPLES = Path(__file__).resolve().parent / "examples"
DATA = Path(__file__).resolve().parent / "data"
DEFAULT_PLACE = f"annotations/{SEED_ID}/alice.jsonl"


@pytest.fixture(autouse=True)
def annotation_folder(request: pytest.FixtureRequest) -> None:
    """Tests that use a workspace get the seed article's annotation folder."""
    if "workspace" in request.fixturenames:
        root: Path = request.getfixturevalue("workspace")
        (root / "annotations" / SEED_ID).mkdir(parents=True, exist_ok=True)


def validate_json(run: Run, *args: str) -> tuple[int, dict[str, object]]:
    result = run("validate", "--format", "json", "--no-cache", *args)
    return result.exit_code, json.loads(result.stdout)


def expectations(name: str) -> tuple[str, list[str]]:
    place = DEFAULT_PLACE
    expected = []
    for text in (EXAMPLES / "invalid" / f"{name}.expect").read_text().splitlines():
        if text.startswith("# place: "):
            place = text.removeprefix("# place: ")
        elif text.strip():
            expected.append(text.strip())
    return place, expected


INVALID = sorted(p.stem for p in (EXAMPLES / "invalid").glob("*.jsonl"))
VALID = sorted(p.stem for p in (EXAMPLES / "valid").glob("*.jsonl"))


def test_every_code_has_an_invalid_example() -> None:
    from annotate.codes import RULES

    covered = {name[:5] for name in INVALID}
    # Codes that no single annotation file can show are tested below:
    # AN109 (a FIFO), AN202 (the project file), AN312 (a symlink), AN314 (a
    # corpus document that cannot be read), AN315 (the seed article has no
    # character of several code points: test_hostile_input has one), AN203 and
    # AN316 (decisions files and finished markers: tests/test_side_files.py);
    # AN204, AN317 and AN404 (metadata records: tests/test_fetch_validate.py);
    # AN318 (paths a checkout elsewhere cannot hold: tests/test_portable.py);
    # AN108 is retired (an empty file is a reviewer who marked nothing).
    assert covered | {"AN108", "AN109", "AN202", "AN203", "AN312", "AN314", "AN315",
                      "AN316", "AN204", "AN317", "AN404", "AN318"} == {
        rule.code for rule in RULES}


@pytest.mark.parametrize("name", INVALID)
def test_invalid_example_gives_exactly_its_findings(workspace: Path, run: Run,
                                                    name: str) -> None:
    place, expected = expectations(name)
    target = workspace / place
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(EXAMPLES / "invalid" / f"{name}.jsonl", target)
    code, report = validate_json(run)
    found = sorted(f"{f['code']} {f['line']}:{f['column']}" for f in report["findings"])
    assert found == sorted(expected)
    assert all(f["path"] == place for f in report["findings"])
    severities = {f["severity"] for f in report["findings"]}
    assert code == (1 if "error" in severities else 0)
    assert report["valid"] is (code == 0)


@pytest.mark.parametrize("name", VALID)
def test_valid_example_gives_no_findings(workspace: Path, run: Run, name: str) -> None:
    shutil.copyfile(EXAMPLES / "valid" / f"{name}.jsonl", workspace / DEFAULT_PLACE)
    code, report = validate_json(run, "--strict")
    assert report["findings"] == []
    assert code == 0


def test_the_repository_workspace_is_valid(run: Run) -> None:
    root = Path(__file__).resolve().parent.parent
    result = run("--workspace", str(root), "validate", "--format", "json", "--no-cache",
                 "--strict")
    code, report = result.exit_code, json.loads(result.stdout)
    assert report["findings"] == []
    assert code == 0
    assert report["summary"]["annotations_checked"] >= 15


# -- the project file ---------------------------------------------------------------

def test_project_file_errors_point_at_the_value(workspace: Path, run: Run) -> None:
    project = workspace / "annotate.json"
    data = json.loads(project.read_text())
    data["labels"][2]["color"] = "red"
    project.write_text(json.dumps(data, indent=2))
    code, report = validate_json(run)
    assert code == 1
    [finding] = report["findings"]
    lines = project.read_text().splitlines()
    line = next(i for i, text in enumerate(lines, start=1) if '"color": "red"' in text)
    assert (finding["code"], finding["path"], finding["line"]) == ("AN202", "annotate.json",
                                                                   line)
    assert finding["column"] == lines[line - 1].index('"red"') + 1
    assert "'red' does not match" in finding["message"]


def test_project_file_that_is_not_json(workspace: Path, run: Run) -> None:
    (workspace / "annotate.json").write_text('{\n  "version": 1,\n  "name": \n}\n')
    code, report = validate_json(run)
    assert code == 1
    assert [(f["code"], f["line"], f["column"]) for f in report["findings"]] == [
        ("AN101", 4, 1)]


def test_label_defined_twice(workspace: Path, run: Run) -> None:
    project = workspace / "annotate.json"
    data = json.loads(project.read_text())
    data["labels"].append(dict(data["labels"][0]))
    project.write_text(json.dumps(data, indent=2))
    code, report = validate_json(run)
    assert code == 1
    assert [f["code"] for f in report["findings"]] == ["AN202"]
    assert "'sourced' is defined twice" in report["findings"][0]["message"]


# -- hostile input ----------------------------------------------------------------

def test_a_fifo_where_a_file_should_be_exits_2_without_blocking(workspace: Path,
                                                                run: Run) -> None:
    os.mkfifo(workspace / DEFAULT_PLACE)
    result = run("validate", "--no-cache")
    assert result.exit_code == 2
    assert (f"{DEFAULT_PLACE}:1:1: AN109 error: is not a regular file (a FIFO, socket or "
            "device); annotate reads only plain files") in result.stdout


def test_a_directory_given_by_name_exits_2(workspace: Path, run: Run) -> None:
    (workspace / "annotations" / "linked.jsonl").symlink_to(workspace / "annotations" / SEED_ID)
    result = run("validate", "--no-cache", "annotations/linked.jsonl")
    assert result.exit_code == 2
    assert "annotations/linked.jsonl:1:1: AN109 error: is a directory" in result.stdout


def test_a_folder_named_like_an_annotation_file_is_a_document_folder(workspace: Path,
                                                                     run: Run) -> None:
    """annotations/<document id>/<reviewer>.jsonl, where the id may end in .jsonl
    itself (issue 8, item 9): the folder is descended, its files checked."""
    folder = workspace / "annotations" / "feed.jsonl"
    folder.mkdir()
    shutil.copyfile(EXAMPLES / "valid" / "three-records.jsonl", folder / "alice.jsonl")
    code, report = validate_json(run)
    assert code == 1
    assert report["summary"]["files_checked"] == 2
    # Checked as document feed.jsonl's file: there is no such document, and
    # its records are the seed article's.
    assert {(f["code"], f["path"]) for f in report["findings"]} == {
        ("AN311", "annotations/feed.jsonl/alice.jsonl"),
        ("AN308", "annotations/feed.jsonl/alice.jsonl")}


def test_a_symlink_out_of_the_workspace_is_reported_not_followed(
        workspace: Path, run: Run, tmp_path: Path) -> None:
    outside = tmp_path / "secret.jsonl"
    outside.write_text("not json\n")
    link = workspace / DEFAULT_PLACE
    link.symlink_to(outside)
    code, report = validate_json(run)
    assert code == 1
    assert [(f["code"], f["path"]) for f in report["findings"]] == [("AN312", DEFAULT_PLACE)]


def test_a_symlinked_folder_out_of_the_workspace(workspace: Path, run: Run,
                                                 tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "alice.jsonl").write_text("not json\n")
    (workspace / "annotations" / "linked").symlink_to(tmp_path / "elsewhere")
    code, report = validate_json(run)
    assert code == 1
    assert [(f["code"], f["path"]) for f in report["findings"]] == [
        ("AN312", "annotations/linked")]


@pytest.mark.parametrize("target", ["outside", "corpus"])
def test_a_linked_cache_folder_is_neither_read_nor_written(
        workspace: Path, run: Run, tmp_path: Path, target: str) -> None:
    # The cache is never needed: a .annotate-cache that is a link (out of the
    # workspace, or into its corpus) is left alone, not written through.
    folder = tmp_path / "elsewhere" if target == "outside" else workspace / "corpus"
    folder.mkdir(exist_ok=True)
    before = sorted(p.name for p in folder.iterdir())
    (workspace / ".annotate-cache").symlink_to(folder, target_is_directory=True)
    for _ in range(2):
        result = run("validate", "--format", "json")  # with the cache
        assert (result.exit_code, json.loads(result.stdout)["findings"]) == (0, [])
    assert sorted(p.name for p in folder.iterdir()) == before


def test_a_byte_order_mark_fails_validate_as_it_stops_every_reader(
        workspace: Path, run: Run) -> None:
    # Readers refuse such a file (RFC 8259 forbids writers to add one), so
    # validate must not pass it: a warning let CI pass what no command reads.
    data = (EXAMPLES / "valid" / "three-records.jsonl").read_bytes()
    (workspace / DEFAULT_PLACE).write_bytes(b"\xef\xbb\xbf" + data)
    code, report = validate_json(run)
    assert code == 1
    assert [(f["code"], f["severity"], f["line"], f["column"]) for f in report["findings"]] == [
        ("AN103", "error", 1, 1)]
    assert run("list").exit_code == 2


def test_links_inside_the_cache_folder_are_not_followed(workspace: Path, run: Run) -> None:
    # A committed .annotate-cache whose files are links to /dev/stdin and
    # /dev/zero: followed, they made validate wait for input forever or
    # read until memory ran out.
    data = (EXAMPLES / "valid" / "three-records.jsonl").read_text(encoding="utf-8")
    (workspace / DEFAULT_PLACE).write_text(data, encoding="utf-8")
    cache = workspace / ".annotate-cache"
    cache.mkdir()
    (cache / "validate-v5.json").symlink_to("/dev/stdin")
    (cache / "validate-run-v5.json").symlink_to("/dev/zero")
    (cache / "validate-ids-v5.json").symlink_to("/dev/zero")
    os.mkfifo(cache / "ignored.fifo")
    result = subprocess.run([installed_annotate(), "validate"], cwd=workspace, timeout=60,
                            capture_output=True, text=True, stdin=subprocess.PIPE, check=False)
    assert (result.returncode, result.stderr) == (0, ""), result.stdout


def forge_cache(workspace: Path, place: str) -> None:
    """What anyone who can push can commit: the cache entry of a valid file
    given the content hash of the file as it is now, and no stat cache."""
    cache = workspace / ".annotate-cache"
    stored = json.loads((cache / "validate-v5.json").read_text(encoding="utf-8"))
    stored["files"][place]["key"] = hashlib.sha256((workspace / place).read_bytes()).hexdigest()
    stored["hashes"] = {}
    (cache / "validate-v5.json").write_text(json.dumps(stored), encoding="utf-8")
    (cache / "validate-run-v5.json").unlink(missing_ok=True)


def test_a_cache_this_user_did_not_make_is_not_believed(
        workspace: Path, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = (EXAMPLES / "valid" / "three-records.jsonl").read_text(encoding="utf-8")
    (workspace / DEFAULT_PLACE).write_text(data, encoding="utf-8")
    assert run("validate").exit_code == 0  # writes the cache
    (workspace / DEFAULT_PLACE).write_text(
        data.replace('"label": "speculative"', '"label": "rumour"', 1), encoding="utf-8")
    assert '"rumour"' in (workspace / DEFAULT_PLACE).read_text(encoding="utf-8")
    forge_cache(workspace, DEFAULT_PLACE)
    saved = {path.name: path.read_bytes() for path in (workspace / ".annotate-cache").iterdir()}
    # Under the secret that made it, the forgery holds (the cache believes
    # its own runs) ...
    assert run("validate").exit_code == 0
    for name, content in saved.items():
        (workspace / ".annotate-cache" / name).write_bytes(content)
    # ... but as another user, or on another machine, it is not believed.
    monkeypatch.setenv("HOME", str(tmp_path / "another-home"))
    result = run("validate", "--format", "json")
    assert result.exit_code == 1
    assert [f["code"] for f in json.loads(result.stdout)["findings"]] == ["AN301"]


def test_crlf_line_endings_are_accepted(workspace: Path, run: Run) -> None:
    data = (EXAMPLES / "valid" / "three-records.jsonl").read_bytes().replace(b"\n", b"\r\n")
    (workspace / DEFAULT_PLACE).write_bytes(data)
    code, report = validate_json(run)
    assert (code, report["findings"]) == (0, [])


def test_a_50_mb_single_line_gives_a_finding_quickly(workspace: Path, run: Run) -> None:
    line = b'{"note": "' + b"x" * (50 * 1024 * 1024)  # the string is never closed
    (workspace / DEFAULT_PLACE).write_bytes(line)
    code, report = validate_json(run)
    assert code == 1
    assert [(f["code"], f["line"], f["column"]) for f in report["findings"]] == [
        ("AN101", 1, 10)]


def test_a_huge_valid_line_is_a_schema_finding(workspace: Path, run: Run) -> None:
    from tests.examples.make_examples import IISS

    record = {**IISS, "note": "y" * (50 * 1024 * 1024), "extra": 1}
    (workspace / DEFAULT_PLACE).write_text(json.dumps(record, sort_keys=True) + "\n")
    code, report = validate_json(run)
    assert code == 1
    [finding] = report["findings"]
    assert finding["code"] == "AN201"
    assert "'extra' was unexpected" in finding["message"]
    assert len(finding["message"]) < 400


def test_json_nested_100000_levels(workspace: Path, run: Run) -> None:
    (workspace / DEFAULT_PLACE).write_text("[" * 100_000 + "]" * 100_000 + "\n")
    code, report = validate_json(run)
    assert code == 1
    assert [(f["code"], f["line"], f["column"]) for f in report["findings"]] == [
        ("AN106", 1, 65)]


def test_annotation_file_given_outside_the_annotations_folder(workspace: Path, run: Run,
                                                              tmp_path: Path) -> None:
    loose = workspace / "loose.jsonl"
    shutil.copyfile(EXAMPLES / "valid" / "three-records.jsonl", loose)
    code, report = validate_json(run, str(loose))
    assert (code, report["findings"]) == (0, [])
    assert report["summary"]["files_checked"] == 1


def test_missing_path_argument_exits_2(workspace: Path, run: Run) -> None:
    result = run("validate", "no/such/file.jsonl")
    assert result.exit_code == 2
    assert result.stderr == "annotate: error: no such file or folder: no/such/file.jsonl\n"


# -- output formats, strictness ---------------------------------------------------------

@pytest.fixture
def stale_and_broken(workspace: Path) -> Path:
    """One warning (document changed) and one error (unknown label)."""
    shutil.copyfile(EXAMPLES / "invalid" / "AN401-document-changed.jsonl",
                    workspace / DEFAULT_PLACE)
    other = workspace / "annotations" / SEED_ID / "bob.jsonl"
    second = (EXAMPLES / "invalid" / "AN301-unknown-label.jsonl").read_text().splitlines()[1]
    other.write_text(second.replace('"reviewer": "alice"', '"reviewer": "bob"')
                     .replace('"id": "ex-iiss"', '"id": "ex-bob"') + "\n")
    return workspace


def test_text_output_reads_like_a_compiler(stale_and_broken: Path, run: Run) -> None:
    result = run("validate")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"annotations/{SEED_ID}/alice.jsonl:2:")
    assert " AN401 warning: document changed since annotated; run `annotate reanchor`" in lines[0]
    assert lines[1].startswith(f"annotations/{SEED_ID}/bob.jsonl:1:")
    assert " AN301 error: unknown label 'rumour'" in lines[1]
    assert lines[-1] == "3 files and 3 annotations checked: 1 error, 1 warning."


def test_warnings_alone_pass_unless_strict(workspace: Path, run: Run) -> None:
    shutil.copyfile(EXAMPLES / "invalid" / "AN401-document-changed.jsonl",
                    workspace / DEFAULT_PLACE)
    assert run("validate").exit_code == 0
    strict = run("validate", "--strict", "--format", "json")
    assert strict.exit_code == 1
    assert [f["severity"] for f in json.loads(strict.stdout)["findings"]] == ["error"]


def test_json_output_matches_its_schema(stale_and_broken: Path, run: Run) -> None:
    from annotate.schema import load_schema

    result = run("validate", "--format", "json")
    jsonschema.validate(json.loads(result.stdout), load_schema("validation-report"))


def test_sarif_output_is_valid_sarif_2_1_0(stale_and_broken: Path, run: Run) -> None:
    result = run("validate", "--format", "sarif")
    assert result.exit_code == 1
    sarif = json.loads(result.stdout)
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft7Validator(schema).validate(sarif)
    [run_] = sarif["runs"]
    assert sorted(r["ruleId"] for r in run_["results"]) == ["AN301", "AN401"]
    assert len(run_["tool"]["driver"]["rules"]) >= 27


def test_github_output_and_step_summary(stale_and_broken: Path, run: Run, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = run("validate", "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"::warning file=annotations/{SEED_ID}/alice.jsonl,line=2,col=")
    assert ",title=AN401 DocumentChanged::document changed since annotated" in lines[0]
    assert lines[1].startswith(f"::error file=annotations/{SEED_ID}/bob.jsonl,line=1,")
    written = summary.read_text()
    assert written.startswith("earlier step\n")  # appended, as GitHub expects
    assert "AN301" in written and "AN401" in written


# -- the cache --------------------------------------------------------------------------

def findings_with_and_without_cache(run: Run) -> tuple[list[object], list[object]]:
    cached = json.loads(run("validate", "--format", "json").stdout)["findings"]
    fresh = json.loads(run("validate", "--format", "json", "--no-cache").stdout)["findings"]
    return cached, fresh


@pytest.mark.parametrize("trust_stats", [False, True], ids=["racy", "trusted"])
def test_cache_never_changes_results(workspace: Path, run: Run, trust_stats: bool,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Files here are seconds old, so their stats are racy and only the
    per-file cache answers; with stats trusted at once, the last run's
    answer (when nothing changed) is tested too.  Every change below
    changes a size, an inode or the project file, so trusting is safe."""
    from annotate import validation
    from annotate.validation import hashes
    from annotate.workspace import load

    if trust_stats:
        monkeypatch.setattr(hashes, "RACY_SECONDS", -60.0)

    alice = workspace / DEFAULT_PLACE
    bob = workspace / "annotations" / SEED_ID / "bob.jsonl"
    shutil.copyfile(EXAMPLES / "valid" / "three-records.jsonl", alice)
    document = workspace / "corpus" / SEED_ID
    original = document.read_bytes()
    project = workspace / "annotate.json"

    def edit_alice(old: str, new: str) -> None:
        alice.write_text(alice.read_text().replace(old, new, 1))

    changes = [
        ("nothing", lambda: None),
        ("annotation label", lambda: edit_alice('"label": "opinion"', '"label": "rumour"')),
        ("annotation fixed", lambda: edit_alice('"label": "rumour"', '"label": "opinion"')),
        ("new file", lambda: bob.write_text(alice.read_text())),
        ("file removed", lambda: bob.unlink()),
        ("document edited", lambda: document.write_bytes(b"Prepended. " + original)),
        ("version stored", lambda: (workspace / "annotations" / ".versions").mkdir() or (
            workspace / "annotations" / ".versions" /
            f"{json.loads(alice.read_text().splitlines()[0])['document_sha256']}.txt"
        ).write_bytes(original)),
        ("document restored", lambda: document.write_bytes(original)),
        ("taxonomy changed", lambda: project.write_text(
            project.read_text().replace('"name": "opinion"', '"name": "view"'))),
        ("taxonomy restored", lambda: project.write_text(
            project.read_text().replace('"name": "view"', '"name": "opinion"'))),
        ("document deleted", lambda: document.unlink()),
        ("document back", lambda: document.write_bytes(original)),
        ("cache corrupted", lambda: (workspace / ".annotate-cache" / "validate-v5.json")
         .write_text("{not json")),
        ("last run corrupted", lambda: (workspace / ".annotate-cache" / "validate-run-v5.json")
         .write_text('{"salt": 1}')),
        ("annotation edited again", lambda: edit_alice('"label": "opinion"', '"label": "x"')),
    ]
    for name, change in changes:
        change()
        cached, fresh = findings_with_and_without_cache(run)
        assert cached == fresh, name
    # The cache was really used: a second run re-checks nothing.
    report = validation.validate(load(workspace))
    assert report.files_from_cache == report.files_checked - 1  # all but the project file


def test_cache_folder_ignores_itself_in_git(workspace: Path, run: Run) -> None:
    shutil.copyfile(EXAMPLES / "valid" / "three-records.jsonl", workspace / DEFAULT_PLACE)
    run("validate")
    subprocess.run(["git", "init", "-q"], cwd=workspace, check=True)
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"],
                            cwd=workspace, capture_output=True, text=True, check=True).stdout
    assert ".annotate-cache" not in status
    assert DEFAULT_PLACE in status


def test_parallel_and_serial_runs_agree(workspace: Path, run: Run) -> None:
    from annotate import validation
    from annotate.workspace import load

    for number in range(80):
        folder = workspace / "annotations" / SEED_ID
        example = INVALID[number % len(INVALID)]
        place, _ = expectations(example)
        if place != DEFAULT_PLACE:
            continue
        shutil.copyfile(EXAMPLES / "invalid" / f"{example}.jsonl",
                        folder / f"r{number}.jsonl")
    ws = load(workspace)
    serial = validation.validate(ws, use_cache=False, jobs=1)
    parallel = validation.validate(ws, use_cache=False, jobs=2)
    assert serial.findings == parallel.findings
    assert len(serial.findings) > 80


# -- progress on a terminal, nothing otherwise ---------------------------------------------

def test_progress_bar_only_on_a_terminal(workspace: Path) -> None:
    shutil.copyfile(EXAMPLES / "valid" / "three-records.jsonl", workspace / DEFAULT_PLACE)
    piped = subprocess.run([installed_annotate(), "validate", "--no-cache"], cwd=workspace,
                           capture_output=True, text=True, check=False)
    assert piped.stderr == ""
    controller, terminal = os.openpty()
    with subprocess.Popen([installed_annotate(), "validate", "--no-cache"], cwd=workspace,
                          stdout=subprocess.PIPE, stderr=terminal) as process:
        os.close(terminal)
        process.wait(timeout=60)
        shown = b""
        try:
            while chunk := os.read(controller, 4096):
                shown += chunk
        except OSError:
            pass  # the terminal closed
        os.close(controller)
    assert b"Validating" in shown


def test_a_record_with_a_million_bad_items_is_capped(workspace: Path, run: Run) -> None:
    from annotate.schema import MAX_ERRORS_PER_INSTANCE
    from tests.examples.make_examples import IISS

    record = {**IISS, "sources": list(range(1_000_000))}
    (workspace / DEFAULT_PLACE).write_text(json.dumps(record, sort_keys=True) + "\n")
    code, report = validate_json(run)
    assert code == 1
    assert len(report["findings"]) == MAX_ERRORS_PER_INSTANCE
    assert {f["code"] for f in report["findings"]} == {"AN201"}


def test_cache_sees_a_same_size_edit_with_the_old_mtime_restored(workspace: Path,
                                                                 run: Run) -> None:
    """The cache skips re-reading files whose stat is unchanged; ctime (set by
    the kernel on every write) still gives such an edit away."""
    alice = workspace / DEFAULT_PLACE
    shutil.copyfile(EXAMPLES / "valid" / "three-records.jsonl", alice)
    document = workspace / "corpus" / SEED_ID
    an_hour_ago = time.time() - 3600
    for path in (alice, document):
        os.utime(path, (an_hour_ago, an_hour_ago))  # old enough to be trusted
    assert run("validate").exit_code == 0
    assert run("validate").exit_code == 0  # now answered from the cache
    for path, old, new in ((alice, b'"label": "opinion"', b'"label": "opinio_"'),
                           (document, b"Tokyo", b"Tokio")):
        before = path.stat()
        data = path.read_bytes()
        assert len(old) == len(new) and old in data
        with open(path, "r+b") as handle:  # same inode, same size
            handle.write(data.replace(old, new, 1))
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert path.stat().st_mtime_ns == before.st_mtime_ns
        cached, fresh = findings_with_and_without_cache(run)
        assert cached == fresh
        assert cached  # the edit was seen: unknown label, then a stale quote


def test_a_file_given_by_name_outside_the_layout_names_no_reviewer(workspace: Path,
                                                                    run: Run) -> None:
    """Only a place store.annotation_path could give names a (document,
    reviewer); any other file given by name is checked as a stray file."""
    notes = workspace / "annotations" / SEED_ID / "notes.txt"
    shutil.copyfile(EXAMPLES / "valid" / "three-records.jsonl", notes)
    code, report = validate_json(run, str(notes))
    assert (code, report["findings"]) == (0, [])
    shutil.copyfile(notes, workspace / "annotations" / SEED_ID / "bob.jsonl")
    code, report = validate_json(run, "annotations/")
    assert code == 1
    assert {f["code"] for f in report["findings"]} == {"AN308"}  # the records are alice's
