"""The CLI through click's CliRunner: every command, every bad input, exact
exit codes, stdout and stderr checked separately."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import click
import pytest

from annotate import store
from annotate.workspace import load
from tests.conftest import HWASONG, SEED, SEED_ID, Run
from tests.fetch_helpers import PAGES, PORT_STRIKE, html, page, running_server

ANNOTATION_FILE = Path("annotations") / SEED_ID / "alice.jsonl"


def add(run: Run, *args: str) -> str:
    result = run("add", SEED_ID, *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def records(path: Path = ANNOTATION_FILE) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# -- init and finding the workspace -------------------------------------------------

def test_init_creates_project_file_corpus_and_annotations(tmp_path: Path, run: Run) -> None:
    result = run("init", str(tmp_path / "desk"))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "Created workspace 'desk'" in result.stderr
    assert (tmp_path / "desk" / "corpus").is_dir()
    assert (tmp_path / "desk" / "annotations").is_dir()
    project = load(tmp_path / "desk").project
    assert project.label_names == ("sourced", "unsourced", "disputed", "speculative", "opinion")
    assert [label.name for label in project.labels if label.requires_source] == [
        "sourced", "disputed"]
    assert project.verdicts == ("accurate", "mostly-accurate", "misleading", "false",
                                "unverifiable")


def test_init_refuses_an_existing_workspace(workspace: Path, run: Run) -> None:
    before = (workspace / "annotate.json").read_bytes()
    result = run("init", str(workspace))
    assert result.exit_code == 2
    assert "already exists" in result.stderr
    assert (workspace / "annotate.json").read_bytes() == before



def test_workspace_option_after_the_command_name(workspace: Path, run: Run, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert SEED_ID in run("documents", "--workspace", str(workspace)).stdout
    assert run("validate", "-w", str(workspace)).exit_code == 0
    # Before and after the command name: the later one wins.
    result = run("-w", str(elsewhere), "documents", "-w", str(workspace))
    assert result.exit_code == 0 and SEED_ID in result.stdout
    result = run("-w", str(workspace), "documents", "-w", str(elsewhere))
    assert result.exit_code == 2 and "no annotate.json in" in result.stderr
    # The environment comes before any option, so either option beats it.
    monkeypatch.setenv("ANNOTATE_WORKSPACE", str(elsewhere))
    assert SEED_ID in run("documents", "-w", str(workspace)).stdout
    assert SEED_ID in run("-w", str(workspace), "documents").stdout

def test_commands_find_the_workspace_from_a_subfolder(workspace: Path, run: Run,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    (workspace / "deep" / "er").mkdir(parents=True)
    monkeypatch.chdir(workspace / "deep" / "er")
    assert run("list").exit_code == 0
    identifier = add(run, "--label", "opinion", "--quote", "holy struggle")
    assert identifier in run("list", "--format", "jsonl").stdout


def test_workspace_option_and_environment_override(workspace: Path, run: Run, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = run("list")
    assert result.exit_code == 2
    assert result.stderr.startswith("annotate: error: not inside an annotate workspace")
    assert run("--workspace", str(workspace), "documents").stdout.startswith("DOCUMENT")
    monkeypatch.setenv("ANNOTATE_WORKSPACE", str(workspace))
    assert SEED_ID in run("documents").stdout
    monkeypatch.setenv("ANNOTATE_WORKSPACE", str(elsewhere))
    result = run("documents")
    assert result.exit_code == 2
    assert "no annotate.json in" in result.stderr


def test_broken_project_file_is_reported_with_its_position(workspace: Path, run: Run) -> None:
    (workspace / "annotate.json").write_text('{"version": 1,\n  "name": }\n')
    result = run("list")
    assert result.exit_code == 2
    assert "annotate.json:2:11: not valid JSON" in result.stderr


# -- add -------------------------------------------------------------------------------

def test_add_by_quote_writes_a_complete_record(workspace: Path, run: Run) -> None:
    identifier = add(run, "--label", "speculative", "--quote", HWASONG,
                     "--note", "one US expert", "--tag", "missiles")
    [record] = records()
    text = SEED.read_text(encoding="utf-8")
    start = text.index(HWASONG)
    assert record["id"] == identifier
    assert record["start"] == start and record["end"] == start + len(HWASONG)
    assert record["quote"] == HWASONG
    assert record["prefix"] == text[start - 32:start]
    assert record["suffix"] == text[start + len(HWASONG):start + len(HWASONG) + 32]
    assert record["label"] == "speculative" and record["reviewer"] == "alice"
    assert record["note"] == "one US expert" and record["tags"] == ["missiles"]
    assert record["sources"] == [] and record["created"] == record["modified"]
    assert record["document"] == SEED_ID
    assert record["document_sha256"] == store.read_document(load(workspace), SEED_ID).sha256


def test_add_by_offsets_and_by_sentence(workspace: Path, run: Run) -> None:
    add(run, "--label", "opinion", "--start", "0", "--end", "4")
    sentence = json.loads(run("sentences", SEED_ID, "--format", "json").stdout)[28]
    assert sentence["text"].startswith("According to the International Institute")
    add(run, "--label", "sourced", "--sentence", str(sentence["number"]),
        "--source", "https://www.iiss.org/publications/the-military-balance")
    spans = sorted((r["start"], r["end"], r["quote"]) for r in records())
    assert spans[0] == (0, 4, "What")
    assert spans[1] == (sentence["start"], sentence["end"], sentence["text"])


def test_add_json_prints_the_whole_record(workspace: Path, run: Run) -> None:
    result = run("add", SEED_ID, "--label", "unsourced", "--quote", "world record",
                 "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == records()[0]


def test_add_accepts_a_path_to_the_document(workspace: Path, run: Run) -> None:
    result = run("add", f"corpus/{SEED_ID}", "--label", "opinion", "--quote", "holy struggle")
    assert result.exit_code == 0
    assert records()[0]["document"] == SEED_ID


def test_reviewer_defaults_to_git_user_email(workspace: Path, run: Run,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANNOTATE_REVIEWER")
    subprocess.run(["git", "init", "-q", str(workspace)], check=True)
    subprocess.run(["git", "-C", str(workspace), "config", "user.email", "bob@example.org"],
                   check=True)
    add(run, "--label", "opinion", "--quote", "holy struggle")
    assert (workspace / "annotations" / SEED_ID / "bob@example.org.jsonl").is_file()


def test_no_reviewer_anywhere_is_a_clear_error(workspace: Path, run: Run,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANNOTATE_REVIEWER")
    result = run("add", SEED_ID, "--label", "opinion", "--quote", "holy struggle")
    assert result.exit_code == 2
    assert result.stderr == ("annotate: error: no reviewer name: pass --reviewer NAME, set "
                             "ANNOTATE_REVIEWER, or set 'git config user.email'\n")
    assert not (workspace / "annotations" / SEED_ID).exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--label", "sourcd", "--quote", "Siberia"],
     "unknown label 'sourcd'; did you mean 'sourced'? allowed: sourced, unsourced, "
     "disputed, speculative, opinion"),
    (["--label", "opinion", "--quote", "   "], "empty or only white space"),
    (["--label", "opinion", "--start", "30", "--end", "20"], "--start 30 must be less than"),
    (["--label", "opinion", "--start", "0", "--end", "999999"], "past the end"),
    (["--label", "opinion", "--start", "56", "--end", "58"], "empty or only white space"),
    (["--label", "opinion", "--quote", "Siberia", "--reviewer", "../x"],
     "invalid reviewer name '../x'"),
    (["--label", "opinion", "--quote", "Siberia", "--reviewer", "a/b"],
     "invalid reviewer name 'a/b'"),
    (["--label", "opinion", "--quote", "Siberia", "--reviewer", ""], "invalid reviewer name ''"),
    (["--label", "sourced", "--quote", "Siberia"], "requires at least one source URL"),
    (["--label", "sourced", "--quote", "Siberia", "--source", "www.dpa.com"],
     "source 'www.dpa.com' is not an absolute http(s) address"),
    (["--label", "opinion", "--quote", "Siberia", "--verdict", "lies"],
     "unknown verdict 'lies'"),
    (["--label", "opinion", "--sentence", "999"], "no sentence 999: the document has 62"),
])
def test_bad_add_input_gets_one_line_exit_2_and_writes_nothing(
        workspace: Path, run: Run, args: list[str], message: str) -> None:
    result = run("add", SEED_ID, *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("annotate: error: ")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert not (workspace / "annotations" / SEED_ID).exists()


def test_reviewer_with_nul_is_refused(workspace: Path, run: Run) -> None:
    result = run("add", SEED_ID, "--label", "opinion", "--quote", "Siberia",
                 "--reviewer", "a\x00b")
    assert result.exit_code == 2
    assert "invalid reviewer name" in result.stderr


@pytest.mark.parametrize("args", [
    [],
    ["--quote", "Siberia", "--sentence", "3"],
    ["--quote", "Siberia", "--start", "1", "--end", "3"],
    ["--end", "3"],
    ["--start", "3"],
    ["--sentence", "3", "--occurrence", "2"],
])
def test_span_must_be_picked_in_exactly_one_way(workspace: Path, run: Run,
                                                args: list[str]) -> None:
    result = run("add", SEED_ID, "--label", "opinion", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith("annotate: error: ") and result.stderr.count("\n") == 1
    assert ("exactly one way" in result.stderr or "go together" in result.stderr
            or "--occurrence goes with --quote" in result.stderr)


def test_unknown_document_suggests_the_closest(workspace: Path, run: Run) -> None:
    result = run("add", "kim-putin.txt", "--label", "opinion", "--quote", "x")
    assert result.exit_code == 2
    assert result.stderr == ("annotate: error: unknown document 'kim-putin.txt': no such file "
                             "under corpus/; did you mean kim-putin-vostochny.txt?\n")


def test_a_file_outside_the_corpus_is_not_a_document(workspace: Path, run: Run,
                                                     tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("Some text")
    result = run("add", str(outside), "--label", "opinion", "--quote", "Some")
    assert result.exit_code == 2
    assert "outside.txt is outside the corpus folder corpus/; copy it there first" in result.stderr


def test_document_that_is_not_utf8_is_refused(workspace: Path, run: Run) -> None:
    (workspace / "corpus" / "latin1.txt").write_bytes("Caf\xe9 cr\xe8me".encode("latin-1"))
    result = run("add", "latin1.txt", "--label", "opinion", "--quote", "Caf")
    assert result.exit_code == 2
    assert result.stderr == ("annotate: error: corpus/latin1.txt is not valid UTF-8 (bad byte "
                             "at offset 3); convert it to UTF-8 first\n")


def test_emoji_combining_marks_and_crlf_get_code_point_offsets(workspace: Path,
                                                               run: Run) -> None:
    text = "Kim 🚀 smiled.\r\nThe cafe\u0301 in Pyongyang is open.\r\n"
    (workspace / "corpus" / "unicode.txt").write_bytes(text.encode("utf-8"))
    result = run("add", "unicode.txt", "--label", "opinion", "--quote", "Pyongyang",
                 "--format", "json")
    assert result.exit_code == 0
    record = json.loads(result.stdout)
    assert (record["start"], record["end"]) == (28, 37)
    assert text[28:37] == "Pyongyang"
    assert record["prefix"] == "Kim 🚀 smiled.\r\nThe cafe\u0301 in "
    result = run("add", "unicode.txt", "--label", "opinion", "--start", "14", "--end", "20")
    assert result.exit_code == 2
    assert "between the CR and LF" in result.stderr


def test_the_same_span_twice_is_refused(workspace: Path, run: Run) -> None:
    first = add(run, "--label", "opinion", "--quote", "holy struggle")
    result = run("add", SEED_ID, "--label", "opinion", "--quote", "holy struggle")
    assert result.exit_code == 2
    assert f"alice already marked this span as 'opinion' ({first})" in result.stderr
    assert len(records()) == 1


def test_add_records_the_document_version(workspace: Path, run: Run) -> None:
    add(run, "--label", "opinion", "--quote", "holy struggle")
    sha = records()[0]["document_sha256"]
    kept = workspace / "annotations" / ".versions" / f"{sha}.txt"
    assert kept.read_bytes() == SEED.read_bytes()


# -- corrupt annotation files are refused and left untouched ---------------------------

@pytest.mark.parametrize(("appended", "position", "problem"), [
    (b'{"id": "abcd1234"\n', "2:18", "not valid JSON"),
    (b"not json at all\n", "2:1", "not valid JSON"),
    (b'{"id": "abcd1234", "id": "x"}\n', "2:20", "duplicate key 'id'"),
    (b'{"start": NaN}\n', "2:11", "NaN is not a JSON number"),
    (b'{"id": "abcd1234"}\n', "2:1", "record does not match the annotation schema"),
    (b'{"a": 1}\n{"b": "\xff"}\n', "3:8", "invalid UTF-8"),
])
def test_corrupt_annotation_file_is_never_rewritten(workspace: Path, run: Run, appended: bytes,
                                                    position: str, problem: str) -> None:
    add(run, "--label", "opinion", "--quote", "holy struggle")
    path = workspace / ANNOTATION_FILE
    broken = path.read_bytes() + appended
    path.write_bytes(broken)
    for attempt in (["add", SEED_ID, "--label", "opinion", "--quote", "Siberia"], ["list"]):
        result = run(*attempt)
        assert result.exit_code == 2
        assert result.stderr.startswith(
            f"annotate: error: annotations/{SEED_ID}/alice.jsonl:{position}: {problem}")
        assert "left untouched" in result.stderr
        assert result.stdout == ""
        assert path.read_bytes() == broken


def test_byte_order_mark_is_refused(workspace: Path, run: Run) -> None:
    add(run, "--label", "opinion", "--quote", "holy struggle")
    path = workspace / ANNOTATION_FILE
    broken = b"\xef\xbb\xbf" + path.read_bytes()
    path.write_bytes(broken)
    result = run("add", SEED_ID, "--label", "opinion", "--quote", "Siberia")
    assert result.exit_code == 2
    assert "alice.jsonl:1:1: UTF-8 byte order mark (U+FEFF)" in result.stderr
    assert path.read_bytes() == broken


def test_empty_and_blank_lines_hold_no_annotations(workspace: Path, run: Run) -> None:
    path = workspace / ANNOTATION_FILE
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    add(run, "--label", "opinion", "--quote", "Siberia")
    path.write_bytes(path.read_bytes() + b"\n  \n")
    add(run, "--label", "opinion", "--quote", "holy struggle")
    assert len(records(path)) == 2


def test_truncated_last_line_is_refused(workspace: Path, run: Run) -> None:
    first = add(run, "--label", "opinion", "--quote", "holy struggle")
    path = workspace / ANNOTATION_FILE
    whole = path.read_bytes()
    path.write_bytes(whole + whole[: len(whole) // 2])
    result = run("list")
    assert result.exit_code == 2
    assert "alice.jsonl:2:" in result.stderr and "not valid JSON" in result.stderr
    result = run("edit", first, "--note", "x")
    assert result.exit_code == 2
    assert path.read_bytes() == whole + whole[: len(whole) // 2]


# -- list ------------------------------------------------------------------------------

@pytest.fixture
def three_annotations(workspace: Path, run: Run) -> list[str]:
    ids = [add(run, "--label", "speculative", "--quote", HWASONG),
           add(run, "--label", "opinion", "--quote", "holy struggle", "--reviewer", "bob"),
           add(run, "--label", "sourced", "--quote", "20,000 artillery pieces",
               "--source", "https://www.iiss.org/", "--note", 'IISS, "Military Balance"')]
    return ids


def test_list_table_json_jsonl_csv(three_annotations: list[str], run: Run) -> None:
    table = run("list").stdout.splitlines()
    assert table[0].split() == ["ID", "DOCUMENT", "SPAN", "LABEL", "REVIEWER", "QUOTE"]
    assert len(table) == 4
    assert "\x1b[" not in "".join(table)  # not a terminal: no colour
    as_json = json.loads(run("list", "--format", "json").stdout)
    assert sorted(r["id"] for r in as_json) == sorted(three_annotations)
    assert [r["start"] for r in as_json] == sorted(r["start"] for r in as_json)
    as_jsonl = [json.loads(line) for line in run("list", "--format", "jsonl").stdout.splitlines()]
    assert as_jsonl == as_json
    rows = list(csv.DictReader(io.StringIO(run("list", "--format", "csv").stdout)))
    assert [row["id"] for row in rows] == [r["id"] for r in as_json]
    sourced = next(row for row in rows if row["label"] == "sourced")
    assert sourced["note"] == 'IISS, "Military Balance"'
    assert sourced["sources"] == "https://www.iiss.org/"


def test_list_filters(three_annotations: list[str], run: Run) -> None:
    by_bob = json.loads(run("list", SEED_ID, "--reviewer", "bob", "--format", "json").stdout)
    assert [r["reviewer"] for r in by_bob] == ["bob"]
    sourced = json.loads(run("list", "--label", "sourced", "--format", "json").stdout)
    assert [r["label"] for r in sourced] == ["sourced"]
    result = run("list", "--label", "nonsense")
    assert result.exit_code == 2 and "unknown label 'nonsense'" in result.stderr
    assert run("list", "--reviewer", "nobody").stdout == ""


# -- show ------------------------------------------------------------------------------

def test_show_marks_and_numbers_every_span(three_annotations: list[str], run: Run) -> None:
    result = run("show", SEED_ID)
    assert result.exit_code == 0
    out = result.stdout
    assert "[1 holy struggle 1]" in out
    assert "[2 20,000 artillery pieces 2]" in out
    assert f"[3 {HWASONG} 3]" in out
    assert "[3] speculative by alice at 44:142" in out
    assert "    source: https://www.iiss.org/" in out
    assert "\x1b[" not in out
    only_bob = run("show", SEED_ID, "--reviewer", "bob").stdout
    assert "[1 holy struggle 1]" in only_bob and "[2 " not in only_bob


def test_show_json(three_annotations: list[str], run: Run) -> None:
    shown = json.loads(run("show", SEED_ID, "--format", "json").stdout)
    assert shown["document"] == SEED_ID
    assert [item["number"] for item in shown["annotations"]] == [1, 2, 3]
    assert all(item["anchored"] for item in shown["annotations"])


def test_show_marks_a_stale_annotation_instead_of_drawing_it(
        three_annotations: list[str], workspace: Path, run: Run) -> None:
    path = workspace / "corpus" / SEED_ID
    path.write_text("New first line.\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    out = run("show", SEED_ID).stdout
    assert "[1 " not in out
    assert out.count("(stale: the document changed; run 'annotate reanchor')") == 3



def every_format() -> list[tuple[str, str]]:
    """(command, format) for every --format choice of every command of the group."""
    from annotate.cli import cli

    return [(name, choice) for name, command in sorted(cli.commands.items())
            for option in command.params
            if isinstance(option, click.Option) and "--format" in option.opts
            and isinstance(option.type, click.Choice)
            for choice in option.type.choices]


# What each command needs besides --format; "{id}" is an annotation's id,
# "{server}" a server on 127.0.0.1 serving tests/data/pages/.
ARGUMENTS = {
    "add": [SEED_ID, "--label", "opinion", "--quote", "hegemonic forces"],
    "diff": [SEED_ID],
    "edit": ["{id}", "--note", "changed"],
    "fetch": ["{server}/port-strike.html"],
    "ingest": [str(PAGES / "port-strike.html")],
    # A W3C annotation, which the hypothesis format reads too (as its JSON-LD).
    "import": [str(Path(__file__).resolve().parent / "data" / "w3c-sample.jsonld"),
               "--document", SEED_ID],
    # No input: the review stops at once, and prints its summary.
    "review": [SEED_ID],
    "rm": ["{id}", "--yes"],
    "sentences": [SEED_ID],
    "show": [SEED_ID],
}


# A format that needs other arguments than its command's: "{tmp}" is a scratch folder.
FORMAT_ARGUMENTS = {
    ("export", "brat"): ["-o", "{tmp}/brat"],  # a folder of files
    ("import", "brat"): [str(Path(__file__).resolve().parent / "data" / "brat-sample"
                             / "kim-putin-vostochny.ann")],
}


@pytest.mark.parametrize(("command", "output"), every_format())
def test_every_format_of_every_command_renders(three_annotations: list[str], run: Run,
                                               tmp_path: Path, command: str,
                                               output: str) -> None:
    given = FORMAT_ARGUMENTS.get((command, output), ARGUMENTS.get(command, []))
    with running_server() as server:
        server.serve("/port-strike.html", html(page(PORT_STRIKE), "utf-8"))
        arguments = [a.replace("{id}", three_annotations[0]).replace("{tmp}", str(tmp_path))
                     .replace("{server}", server.url("")) for a in given]
        result = run(command, *arguments, "--format", output)
    assert result.exit_code == 0, result.stderr
    if output in ("json", "sarif"):
        json.loads(result.stdout)
    elif output == "jsonl":
        assert all(json.loads(line) for line in result.stdout.splitlines())

# -- edit and rm -----------------------------------------------------------------------

def test_edit_changes_fields_and_modified(three_annotations: list[str], run: Run) -> None:
    target = three_annotations[0]
    result = run("edit", target[:-1], "--label", "disputed", "--add-source",
                 "https://example.org/analysis", "--verdict", "unverifiable",
                 "--note", "contested", "--add-tag", "missiles", "--format", "json")
    assert result.exit_code == 0, result.stderr
    edited = json.loads(result.stdout)
    assert edited["id"] == target and edited["label"] == "disputed"
    assert edited["sources"] == ["https://example.org/analysis"]
    assert edited["verdict"] == "unverifiable" and edited["note"] == "contested"
    assert edited["tags"] == ["missiles"]
    assert edited["modified"] >= edited["created"]
    result = run("edit", target, "--remove-source", "https://example.org/analysis")
    assert result.exit_code == 2
    assert "label 'disputed' requires at least one source URL" in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["zzzzzzzz", "--note", "x"], "no annotation with id 'zzzzzzzz'"),
    (["ab", "--note", "x"], "too short: give at least 4 characters"),
    (["{first}", "--label", "nonsense"], "unknown label 'nonsense'"),
    (["{first}", "--add-source", "example.org"], "not an absolute http(s) address"),
    (["{first}", "--remove-source", "https://nope.org/"], "has no source 'https://nope.org/'"),
    (["{first}"], "nothing to change"),
])
def test_bad_edits_are_refused(three_annotations: list[str], run: Run, workspace: Path,
                               args: list[str], message: str) -> None:
    before = run("list", "--format", "jsonl").stdout
    args = [a.replace("{first}", three_annotations[0]) for a in args]
    result = run("edit", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert run("list", "--format", "jsonl").stdout == before


def test_ambiguous_id_prefix_is_refused(three_annotations: list[str], run: Run) -> None:
    common = three_annotations[0][:4]
    assert all(i.startswith(common) for i in three_annotations)  # made within one second
    result = run("edit", common, "--note", "x")
    assert result.exit_code == 2
    assert "is ambiguous" in result.stderr


def test_rm_needs_yes_without_a_terminal(three_annotations: list[str], run: Run) -> None:
    target = three_annotations[1]
    result = run("rm", target)
    assert result.exit_code == 2
    assert "pass --yes" in result.stderr
    result = run("rm", target, "--yes")
    assert result.exit_code == 0 and result.stdout.strip() == target
    remaining = json.loads(run("list", "--format", "json").stdout)
    assert target not in [r["id"] for r in remaining] and len(remaining) == 2
    result = run("rm", target, "--yes")
    assert result.exit_code == 2 and "no annotation with id" in result.stderr


def test_removing_the_last_annotation_keeps_the_reviewer(workspace: Path, run: Run) -> None:
    # Who reviewed a document is data too: alice reviewed it and now marks
    # nothing, which an empty file says (issue 9, item 1).
    only = add(run, "--label", "opinion", "--quote", "holy struggle")
    assert run("rm", only, "--yes").exit_code == 0
    assert (workspace / ANNOTATION_FILE).read_bytes() == b""
    [info] = json.loads(run("documents", "--format", "json").stdout)
    assert info["annotations"] == 0
    assert run("validate", "--strict", "--no-cache").exit_code == 0


def test_finish_records_who_reviewed_a_document(workspace: Path, run: Run) -> None:
    finished = run("finish", SEED_ID, "--reviewer", "bob")
    assert finished.exit_code == 0 and finished.stdout == ""
    assert finished.stderr == f"bob finished {SEED_ID}\n"
    marker = json.loads((workspace / "annotations" / SEED_ID / "bob.finished.json")
                        .read_text(encoding="utf-8"))
    assert marker["reviewer"] == "bob" and marker["document"] == SEED_ID
    assert marker["document_sha256"] == \
        "132f973bb4b6f75d83891006220dd8bd6d10693a1b3beecb5d02aa02a4e2adf4"
    add(run, "--label", "opinion", "--quote", "holy struggle")
    [info] = json.loads(run("documents", "--format", "json").stdout)
    assert (info["reviewers"], info["finished"]) == (["alice"], ["bob"])
    table = run("documents").stdout.splitlines()
    assert table[0].split()[3:5] == ["REVIEWERS", "FINISHED"]
    assert table[1].split()[3:5] == ["alice", "bob"]
    assert run("validate", "--strict", "--no-cache").exit_code == 0
    undone = run("finish", SEED_ID, "--reviewer", "bob", "--undo")
    assert undone.exit_code == 0
    assert not (workspace / "annotations" / SEED_ID / "bob.finished.json").exists()
    again = run("finish", SEED_ID, "--reviewer", "bob", "--undo")
    assert again.exit_code == 2
    assert again.stderr == f"annotate: error: bob has not finished {SEED_ID}; nothing to undo\n"


def test_a_broken_finished_marker_is_refused_at_its_place(workspace: Path, run: Run) -> None:
    assert run("finish", SEED_ID, "--reviewer", "bob").exit_code == 0
    path = workspace / "annotations" / SEED_ID / "bob.finished.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"bob"', '"mallory"'),
                    encoding="utf-8")
    result = run("finish", SEED_ID, "--reviewer", "bob", "--undo")
    assert result.exit_code == 2
    assert "bob.finished.json:1:" in result.stderr
    assert "the marker is for reviewer 'mallory' but its file is for 'bob'" in result.stderr


# -- sentences, documents, version, help -------------------------------------------------

def test_sentences_text_and_json(workspace: Path, run: Run) -> None:
    text = run("sentences", SEED_ID).stdout.splitlines()
    assert len(text) == 62
    assert text[0] == "   1  1:1     What Kim Jong Un and Vladimir Putin want from each other"
    assert text[23] == "  24  27:5    North Korea offered Russia help last year."
    listed = json.loads(run("sentences", SEED_ID, "--format", "json").stdout)
    seed = SEED.read_text(encoding="utf-8")
    assert all(seed[s["start"]:s["end"]] == s["text"] for s in listed)


def test_documents_lists_the_corpus(three_annotations: list[str], run: Run) -> None:
    [info] = json.loads(run("documents", "--format", "json").stdout)
    seed_sha = "132f973bb4b6f75d83891006220dd8bd6d10693a1b3beecb5d02aa02a4e2adf4"
    assert info == {"id": SEED_ID, "characters": 5690, "annotations": 3,
                    "reviewers": ["alice", "bob"], "problem": None, "finished": [],
                    "consensus": None, "sha256": seed_sha,
                    "versions": [{"number": 1, "sha256": seed_sha, "current": True}]}
    # A merge writes the consensus: counted apart, not as a reviewer.
    assert run("merge", SEED_ID, "--strategy", "union").exit_code in (0, 1)
    [info] = json.loads(run("documents", "--format", "json").stdout)
    merged = json.loads(run("list", SEED_ID, "--reviewer", "consensus", "--format",
                            "json").stdout)
    assert (info["annotations"], info["reviewers"]) == (3, ["alice", "bob"])
    assert info["consensus"] == len(merged) > 0


def test_an_unreadable_document_is_a_row_of_its_own(three_annotations: list[str], run: Run,
                                                    workspace: Path) -> None:
    (workspace / "corpus" / "latin1.txt").write_bytes("Caf\xe9".encode("latin-1"))
    result = run("documents")
    assert result.exit_code == 1
    rows = result.stdout.splitlines()
    assert rows[0].split() == ["DOCUMENT", "CHARACTERS", "ANNOTATIONS", "REVIEWERS",
                               "FINISHED", "CONSENSUS", "VERSIONS", "SHA256", "PROBLEM"]
    assert rows[1].startswith(SEED_ID) and "132f973bb4b6" in rows[1]
    assert rows[2].startswith("latin1.txt") and "is not valid UTF-8" in rows[2]
    [_, bad] = json.loads(run("documents", "--format", "json").stdout)
    assert bad["sha256"] is None and "not valid UTF-8" in bad["problem"]


def test_a_document_deleted_after_annotating_is_a_row_of_its_own(
        three_annotations: list[str], run: Run, workspace: Path) -> None:
    # Its annotations are still there: `documents` said nothing of them.
    (workspace / "corpus" / SEED_ID).unlink()
    result = run("documents")
    assert result.exit_code == 1
    [_, row] = result.stdout.splitlines()
    assert row.startswith(SEED_ID) and f"no document '{SEED_ID}' in the corpus" in row
    [info] = json.loads(run("documents", "--format", "json").stdout)
    assert (info["annotations"], info["characters"], info["sha256"]) == (3, None, None)
    assert info["problem"] == (
        f"no document '{SEED_ID}' in the corpus (corpus/{SEED_ID}), but annotations of it in "
        f"annotations/{SEED_ID}/: restore the document from git, or move or remove that folder")


def test_a_reviewer_filter_names_who_is_here(three_annotations: list[str], run: Run) -> None:
    unknown = run("list", "--reviewer", "mallory")
    assert unknown.exit_code == 2
    assert unknown.stderr == ("annotate: error: no annotations by reviewer 'mallory' here; "
                              "reviewers: alice, bob\n")
    assert run("show", SEED_ID, "--reviewer", "carol").exit_code == 2


def test_a_reviewer_filter_takes_a_unique_name_before_the_at(workspace: Path,
                                                             run: Run) -> None:
    assert run("add", SEED_ID, "--label", "opinion", "--quote", "Siberia", "--reviewer",
               "alice@factdesk.example").exit_code == 0
    result = run("list", "--reviewer", "alice", "--format", "jsonl")
    assert result.exit_code == 0
    assert result.stderr == ("annotate: note: --reviewer 'alice' taken as "
                             "'alice@factdesk.example'\n")
    assert json.loads(result.stdout)["reviewer"] == "alice@factdesk.example"


def test_version(run: Run) -> None:
    result = run("--version")
    assert result.exit_code == 0 and result.stdout.startswith("annotate, version ")


@pytest.mark.parametrize(("args", "message"), [
    (["--corpus", "/srv/articles"], "--corpus '/srv/articles' must be a folder relative"),
    (["--annotations", ""], "--annotations '' must be a folder relative"),
])
def test_init_refuses_absolute_or_empty_folders(tmp_path: Path, run: Run, args: list[str],
                                                message: str) -> None:
    result = run("init", str(tmp_path / "desk"), *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (tmp_path / "desk").exists()


def test_an_unexpected_exception_is_an_internal_error_not_a_finding(
        workspace: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    from annotate import api

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("\x1b]0;title\x07 went wrong")

    monkeypatch.setattr(api, "documents", broken)
    result = run("documents")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr == (
        "annotate: internal error: ValueError: \\x1b]0;title\\x07 went wrong; this is a bug "
        "in annotate: please report it with the command you ran (ANNOTATE_DEBUG=1 shows the "
        "traceback)\n")
    monkeypatch.setenv("ANNOTATE_DEBUG", "1")
    with pytest.raises(ValueError, match="went wrong"):
        run("documents")


def test_edit_moves_an_orphaned_span_and_keeps_its_id(workspace: Path, run: Run) -> None:
    added = run("add", SEED_ID, "--label", "opinion", "--quote",
                "That would also be surprising with regard to North Korea.",
                "--verdict", "unverifiable")
    identifier = added.stdout.strip()
    path = workspace / "corpus" / SEED_ID
    path.write_text(path.read_text(encoding="utf-8").replace(
        "That would also be surprising with regard to North Korea.", ""), encoding="utf-8")
    assert run("reanchor").exit_code == 1
    [orphan] = json.loads(run("list", "--format", "json").stdout)
    assert orphan["orphaned"] is True
    moved = run("edit", identifier[:8], "--quote", "Beijing is far more important for Kim",
                "--format", "json")
    assert moved.exit_code == 0, moved.stderr
    record = json.loads(moved.stdout)
    assert record["id"] == identifier and record["created"] == orphan["created"]
    assert record["quote"] == "Beijing is far more important for Kim"
    assert "orphaned" not in record and record["document_sha256"] != orphan["document_sha256"]
    assert run("validate", "--strict", "--no-cache").exit_code == 0
    cleared = run("edit", identifier, "--clear-verdict", "--format", "json")
    assert "verdict" not in json.loads(cleared.stdout)
    assert run("edit", identifier, "--verdict", "accurate").exit_code == 0
    assert "verdict" not in json.loads(run("edit", identifier, "--verdict", "",
                                           "--format", "json").stdout)


def test_edit_refuses_a_bad_new_span_and_writes_nothing(workspace: Path, run: Run) -> None:
    identifier = run("add", SEED_ID, "--label", "opinion", "--quote", "Siberia").stdout.strip()
    before = (workspace / "annotations" / SEED_ID / "alice.jsonl").read_bytes()
    result = run("edit", identifier, "--quote", "Kim Jong Un")
    assert result.exit_code == 2 and "--occurrence N" in result.stderr
    result = run("edit", identifier, "--start", "10", "--end", "5")
    assert result.exit_code == 2 and "--start 10 must be less than --end 5" in result.stderr
    assert (workspace / "annotations" / SEED_ID / "alice.jsonl").read_bytes() == before


def test_messages_say_what_is_really_wrong(workspace: Path, run: Run,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    result = run("add", SEED_ID, "--label", "opinion", "--quote", "Siberia", "--reviewer",
                 "r" * 300)
    assert result.exit_code == 2 and "(300 characters; at most 128)" in result.stderr
    monkeypatch.setenv("ANNOTATE_REVIEWER", "two words")
    result = run("add", SEED_ID, "--label", "opinion", "--quote", "Siberia")
    assert result.exit_code == 2
    assert "invalid reviewer name 'two words'" in result.stderr
    assert "(the name came from $ANNOTATE_REVIEWER: fix it there, or pass --reviewer)" \
        in result.stderr
    result = run("sentences", "/etc/passwd")
    assert result.exit_code == 2
    assert "/etc/passwd is outside the corpus folder corpus/" in result.stderr


def test_start_after_end_is_said_as_such() -> None:
    from annotate import rules
    from annotate.model import Document
    from annotate.spans import new_annotation

    made = new_annotation(Document("d.txt", "abcdef", "0" * 64), 1, 3, label="opinion",
                          reviewer="alice", note="", sources=(), verdict=None, tags=())
    record = {**made.to_record(), "start": 5, "end": 2}
    [problem] = rules.span_problems("abcdef", record)
    assert problem.message == "start 5 is not before end 2: a span covers at least one character"


def test_consensus_is_a_reserved_reviewer_name(workspace: Path, run: Run) -> None:
    result = run("add", SEED_ID, "--label", "opinion", "--quote", "Siberia", "--reviewer",
                 "consensus")
    assert result.exit_code == 2
    assert result.stderr == ("annotate: error: 'consensus' is reserved for the merged result "
                             "of several reviewers; annotate under your own name\n")
    assert not (workspace / "annotations" / SEED_ID).exists()
