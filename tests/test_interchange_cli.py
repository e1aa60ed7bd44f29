"""`annotate export` and `annotate import` as a user runs them (issue 10,
item 2): exit codes, stdout and stderr apart, what is written and what is
refused, hostile files, and the round trip through a second workspace."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotate import api, store
from annotate.interchange.importing import IMPORTERS, MAX_IMPORT_BYTES
from annotate.report.export import RENDERERS
from tests import w3c_suite
from tests.conftest import HWASONG, SEED_ID, Run
from tests.interchange_strategies import annotations_on, document, texts

QUOTE = "is based on Russian technology"


def add(run: Run, *args: str) -> str:
    result = run("add", SEED_ID, *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def annotated(run: Run) -> list[str]:
    return [add(run, "--label", "speculative", "--quote", HWASONG, "--note", "one analyst",
                "--verdict", "unverifiable", "--tag", "missiles"),
            add(run, "--label", "sourced", "--quote", "Vostochny cosmodrome", "--source",
                "https://de.wikipedia.org/wiki/Straße", "--reviewer", "bob@factdesk.example")]


def listing(run: Run) -> list[dict[str, object]]:
    result = run("list", "--format", "json")
    assert result.exit_code == 0
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def write(path: Path, value: object) -> str:
    path.write_text(json.dumps(value), encoding="utf-8")
    return str(path)


def fresh_workspace(tmp_path: Path, run: Run, name: str = "other") -> Path:
    root = tmp_path / name
    assert run("init", str(root)).exit_code == 0
    return root


# -- export ------------------------------------------------------------------------------


def test_export_w3c_to_stdout_passes_the_suite(workspace: Path, run: Run) -> None:
    annotated(run)
    result = run("export", "--format", "w3c")
    assert result.exit_code == 0 and result.stderr == ""
    value = json.loads(result.stdout)
    assert value["total"] == 2
    assert w3c_suite.failures(value, w3c_suite.COLLECTION_MUSTS) == []
    for item in value["first"]["items"]:
        assert w3c_suite.failures(item, w3c_suite.ANNOTATION_MUSTS) == []


def test_export_of_an_empty_workspace_is_an_empty_collection(workspace: Path,
                                                              run: Run) -> None:
    result = run("export", "--format", "w3c")
    assert result.exit_code == 0
    value = json.loads(result.stdout)
    assert (value["type"], value["total"]) == ("AnnotationCollection", 0)
    assert w3c_suite.failures(value, w3c_suite.COLLECTION_MUSTS) == []


def test_export_of_several_documents_is_an_array(workspace: Path, run: Run) -> None:
    annotated(run)
    shutil.copyfile(workspace / "corpus" / SEED_ID, workspace / "corpus" / "copy.txt")
    assert run("add", "copy.txt", "--label", "opinion", "--quote", QUOTE).exit_code == 0
    value = json.loads(run("export", "--format", "w3c").stdout)
    assert [c["total"] for c in value] == [1, 2]  # copy.txt, then the seed
    assert json.loads(run("export", SEED_ID, "--format", "w3c").stdout)["total"] == 2


def test_export_csv_is_list_csv(workspace: Path, run: Run) -> None:
    annotated(run)
    assert run("export", "--format", "csv").stdout == run("list", "--format", "csv").stdout
    assert run("export", SEED_ID, "--format", "csv").stdout == \
        run("list", SEED_ID, "--format", "csv").stdout


def test_export_needs_a_format(workspace: Path, run: Run) -> None:
    result = run("export")
    assert result.exit_code == 2
    assert "missing option '--format'" in result.stderr


def test_export_to_a_file(workspace: Path, run: Run, tmp_path: Path) -> None:
    annotated(run)
    target = tmp_path / "out.jsonld"
    result = run("export", "--format", "w3c", "-o", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == f"annotate: wrote 2 annotations of 1 document to {target}\n"
    assert json.loads(target.read_text(encoding="utf-8"))["total"] == 2
    inside = run("export", "--format", "csv", "-o", "review.csv")
    assert inside.exit_code == 0
    assert (workspace / "review.csv").read_text(encoding="utf-8").startswith("id,document")


def test_export_never_writes_through_a_symbolic_link(workspace: Path, run: Run,
                                                     tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    (workspace / "out.json").symlink_to(victim)
    result = run("export", "--format", "w3c", "-o", "out.json")
    assert result.exit_code == 2
    assert "out.json is a symbolic link" in result.stderr
    assert victim.read_text(encoding="utf-8") == "precious\n"


def test_export_never_leaves_the_workspace_through_a_linked_folder(workspace: Path, run: Run,
                                                                    tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (workspace / "exports").symlink_to(outside)
    result = run("export", "--format", "w3c", "-o", "exports/site.json")
    assert result.exit_code == 2
    assert "leads outside the workspace" in result.stderr
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("place", [f"corpus/{SEED_ID}", "annotations/x.json", "annotate.json",
                                   ".git-like/config"])
def test_export_never_overwrites_the_workspace_s_own_data(workspace: Path, run: Run,
                                                          place: str) -> None:
    (workspace / place).parent.mkdir(parents=True, exist_ok=True)
    before = {p: p.read_bytes() for p in workspace.rglob("*") if p.is_file()}
    result = run("export", "--format", "csv", "-o", place)
    assert result.exit_code == 2
    assert "part of the workspace's own data" in result.stderr
    assert {p: p.read_bytes() for p in workspace.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize(("make", "message"), [
    ("folder", "is not a regular file"),
    ("missing-parent", "there is no folder"),
])
def test_export_refuses_places_that_are_not_files(workspace: Path, run: Run, make: str,
                                                  message: str) -> None:
    place = workspace / "out"
    if make == "folder":
        place.mkdir()
    else:
        place = workspace / "no" / "such" / "out.json"
    result = run("export", "--format", "w3c", "-o", str(place))
    assert result.exit_code == 2
    assert message in result.stderr


def test_orphaned_annotations_are_left_out_with_exit_1(workspace: Path, run: Run) -> None:
    ids = annotated(run)
    path = workspace / "annotations" / SEED_ID / "alice.jsonl"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["orphaned"] = True
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    result = run("export", "--format", "w3c")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["total"] == 1
    assert result.stderr.startswith(f"annotate: left out: {ids[0]} (alice, {SEED_ID}) is "
                                    "orphaned")


# -- import ------------------------------------------------------------------------------


def test_round_trip_through_another_workspace(workspace: Path, run: Run,
                                              tmp_path: Path) -> None:
    annotated(run)
    exported = tmp_path / "export.jsonld"
    assert run("export", "--format", "w3c", "-o", str(exported)).exit_code == 0
    other = fresh_workspace(tmp_path, run)
    shutil.copyfile(workspace / "corpus" / SEED_ID, other / "corpus" / SEED_ID)
    result = run("import", "--format", "w3c", str(exported), "-w", str(other))
    assert result.exit_code == 0, result.stderr
    assert sorted(result.stdout.split()) == sorted(r["id"] for r in listing(run))
    assert result.stderr == "annotate: imported 2 annotations into 1 document\n"
    os.chdir(other)
    mine = listing(run)
    os.chdir(workspace)
    assert mine == listing(run)


def test_importing_twice_adds_nothing(workspace: Path, run: Run, tmp_path: Path) -> None:
    annotated(run)
    exported = tmp_path / "export.jsonld"
    run("export", "--format", "w3c", "-o", str(exported))
    files = {p: p.read_bytes() for p in (workspace / "annotations").rglob("*.jsonl")}
    result = run("import", "--format", "w3c", str(exported))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "annotate: imported 0 annotations; 2 already there\n"
    assert {p: p.read_bytes() for p in (workspace / "annotations").rglob("*.jsonl")} == files


def test_an_id_of_another_reviewers_annotation_is_refused_not_taken_as_there(
        workspace: Path, run: Run, tmp_path: Path) -> None:
    # Our own id on someone else's annotation: re-imported, it was "already
    # there" and thrown away without a word.
    ids = annotated(run)
    clash = other_tool("Vostochny cosmodrome", id=f"urn:annotate:annotation:{ids[0]}",
                       creator={"type": "Person", "name": "dora@x.example"})
    result = run("import", "--format", "w3c", write(tmp_path / "clash.json", [clash]),
                 "-d", SEED_ID)
    assert result.exit_code == 1
    assert (f"its id '{ids[0]}' is that of alice's annotation of {SEED_ID}, not of this one "
            f"(dora@x.example on {SEED_ID}); remove the id from the file to import it as a "
            "new annotation") in result.stderr
    # Our export read back with another --reviewer is still ours: there already.
    exported = tmp_path / "export.jsonld"
    run("export", "--format", "w3c", "-o", str(exported))
    again = run("import", "--format", "w3c", str(exported), "--reviewer", "erin")
    assert (again.exit_code, again.stderr) == (0, "annotate: imported 0 annotations; 2 "
                                                  "already there\n")


def test_same_span_and_label_already_there_is_not_added(workspace: Path, run: Run,
                                                        tmp_path: Path) -> None:
    annotated(run)
    value = json.loads(run("export", "--format", "w3c").stdout)
    for item in value["first"]["items"]:
        item["id"] = "https://elsewhere.example/" + item["id"][-8:]  # not our id any more
        item["body"] = [b for b in item["body"] if b.get("purpose") != "commenting"]
    result = run("import", "--format", "w3c", write(tmp_path / "x.json", value))
    assert result.exit_code == 0
    assert result.stderr == "annotate: imported 0 annotations; 2 already there\n"


def other_tool(quote: str, **extra: object) -> dict[str, object]:
    annotation: dict[str, object] = {
        "@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation",
        "id": f"https://tool.example/anno/{abs(hash(quote)) % 10**6}",
        "creator": {"type": "Person", "nickname": "pat"},
        "body": [{"type": "TextualBody", "purpose": "tagging", "value": "Opinion"}],
        "target": {"source": "https://news.example/a",
                   "selector": {"type": "TextQuoteSelector", "exact": quote}}}
    annotation.update(extra)
    return annotation


def test_other_tools_annotations_with_document_option(workspace: Path, run: Run,
                                                      tmp_path: Path) -> None:
    path = write(tmp_path / "tool.json", [other_tool(QUOTE)])
    result = run("import", "--format", "w3c", path, "--document", SEED_ID)
    assert result.exit_code == 0, result.stderr
    ((record),) = [r for r in listing(run)]
    assert (record["reviewer"], record["label"], record["quote"]) == ("pat", "opinion", QUOTE)


def test_an_approximate_quote_is_imported_and_said(workspace: Path, run: Run,
                                                   tmp_path: Path) -> None:
    typo = "North Korea’s new Hwasong-18 intercontinental balistic missile is based on Russian"
    path = write(tmp_path / "tool.json", other_tool(typo))
    result = run("import", "--format", "w3c", path, "-d", SEED_ID)
    assert result.exit_code == 0, result.stderr
    assert "the quote matched approximately (score" in result.stderr
    (record,) = listing(run)
    assert record["quote"].startswith("North Korea’s new Hwasong-18 intercontinental "
                                      "ballistic")
    assert record["previous_quote"] == typo
    assert run("validate", "--no-cache").exit_code == 0


def test_one_bad_file_does_not_stop_a_good_one(workspace: Path, run: Run,
                                               tmp_path: Path) -> None:
    good = write(tmp_path / "good.json", other_tool(QUOTE))
    bad = write(tmp_path / "bad.json", [other_tool("Vostochny cosmodrome"),
                                        other_tool("words that are nowhere")])
    result = run("import", "--format", "w3c", good, bad, "-d", SEED_ID)
    assert result.exit_code == 1
    assert len(result.stdout.split()) == 1
    assert f"annotate: {bad}: nothing imported: 1 valid annotation held back" in result.stderr
    assert [r["quote"] for r in listing(run)] == [QUOTE]


@pytest.mark.parametrize(("content", "reason"), [
    (b"not json at all", "the file: 1:1: not valid JSON"),
    (b'{"type": "Annotation",\n "type": "Annotation"}', "the file: 2:2: duplicate key 'type'"),
    (b"[" * 100_000 + b"]" * 100_000, "nested more than 64 levels deep"),
    (b'{"a": NaN}', "NaN is not a JSON number"),
    (b'{"a": "\xff"}', "invalid UTF-8"),
    (b"", "not valid JSON"),
])
def test_files_that_are_not_json_are_reported(workspace: Path, run: Run, tmp_path: Path,
                                              content: bytes, reason: str) -> None:
    path = tmp_path / "in.json"
    path.write_bytes(content)
    result = run("import", "--format", "w3c", str(path), "-d", SEED_ID)
    assert result.exit_code == 1
    assert reason in result.stderr
    assert result.stderr.splitlines()[-1] == "annotate: imported 0 annotations; 1 skipped"


def test_a_100_mb_file_is_refused_unread(workspace: Path, run: Run, tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with open(path, "wb") as handle:  # sparse: no disk is used
        handle.truncate(100 * 1024 * 1024)
    result = run("import", "--format", "hypothesis", str(path), "-d", SEED_ID)
    assert result.exit_code == 1
    assert f"104,857,600 bytes: larger than the {MAX_IMPORT_BYTES // 2**20} MiB" in \
        result.stderr


@pytest.mark.parametrize("kind", ["missing", "folder", "fifo"])
def test_files_that_cannot_be_read_are_usage_errors(workspace: Path, run: Run,
                                                    tmp_path: Path, kind: str) -> None:
    path = tmp_path / "in.json"
    if kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    result = run("import", "--format", "w3c", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"annotate: error: cannot read {path}")


def test_repeated_ids_in_a_file_are_reported(workspace: Path, run: Run,
                                             tmp_path: Path) -> None:
    one = other_tool(QUOTE)
    two = {**other_tool("Vostochny cosmodrome"), "id": one["id"]}
    result = run("import", "--format", "w3c", write(tmp_path / "x.json", [one, two]),
                 "-d", SEED_ID, "--partial")
    assert result.exit_code == 1
    assert "[1] (https://tool.example/" in result.stderr
    assert "its id is repeated: [0]" in result.stderr
    assert len(listing(run)) == 1


def test_the_same_span_twice_in_a_file_is_reported(workspace: Path, run: Run,
                                                   tmp_path: Path) -> None:
    one = other_tool(QUOTE)
    two = {**other_tool(QUOTE), "id": "https://tool.example/other"}
    result = run("import", "--format", "w3c", write(tmp_path / "x.json", [one, two]),
                 "-d", SEED_ID)
    assert result.exit_code == 1
    assert "the same span and label as [0]" in result.stderr


def test_hostile_strings_are_escaped_on_the_terminal(workspace: Path, run: Run,
                                                     tmp_path: Path) -> None:
    evil = other_tool("\x1b[2J\u202eevil quote\x07",
                      id="https://x.example/\x1b]0;owned\x07\u2066")
    result = run("import", "--format", "w3c", write(tmp_path / "x.json", evil), "-d",
                 SEED_ID)
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    assert "\x07" not in result.stderr and "\u2066" not in result.stderr
    assert "\\x1b[2J<U+202E>evil quote\\x07" in result.stderr
    assert result.stderr.count("\n") == 2  # one line per problem, and the summary


@pytest.mark.parametrize(("creator", "reason"), [
    ({"name": "Dora Smith"}, "invalid reviewer name 'Dora Smith'"),
    ("https://tool.example/users/9", "its creator 'https://tool.example/users/9' is not a "
                                     "name annotate can use; pass --reviewer NAME"),
    ({"name": "consensus"}, "the reserved name of the merged result"),
])
def test_creators_that_are_no_reviewer_name(workspace: Path, run: Run, tmp_path: Path,
                                            creator: object, reason: str) -> None:
    path = write(tmp_path / "x.json", other_tool(QUOTE, creator=creator))
    result = run("import", "--format", "w3c", path, "-d", SEED_ID)
    assert result.exit_code == 1
    assert reason in result.stderr
    fixed = run("import", "--format", "w3c", path, "-d", SEED_ID, "--reviewer", "desk")
    assert fixed.exit_code == 0, fixed.stderr


@pytest.mark.parametrize(("option", "message"), [
    (("--reviewer", "two words"), "--reviewer: reviewer: invalid reviewer name"),
    (("--reviewer", "consensus"), "'consensus' is reserved"),
    (("--label", "sorced"), "unknown label 'sorced'; did you mean 'sourced'?"),
    (("--document", "nope.txt"), "unknown document 'nope.txt'"),
])
def test_bad_options_are_usage_errors(workspace: Path, run: Run, tmp_path: Path,
                                      option: tuple[str, str], message: str) -> None:
    path = write(tmp_path / "x.json", other_tool(QUOTE))
    result = run("import", "--format", "w3c", path, *option)
    assert result.exit_code == 2
    assert message in result.stderr


def test_the_rule_book_decides(workspace: Path, run: Run, tmp_path: Path) -> None:
    needs_source = other_tool(QUOTE, body=[{"type": "TextualBody", "purpose": "classifying",
                                            "value": "sourced"}])
    bad_verdict = other_tool("Vostochny cosmodrome", body=[
        {"type": "TextualBody", "purpose": "classifying", "value": "opinion"},
        {"type": "TextualBody", "purpose": "assessing", "value": "fake"}],
        id="https://tool.example/2")
    bad_source = other_tool("Kim told Putin", body=[
        {"type": "TextualBody", "purpose": "classifying", "value": "opinion"},
        {"type": "SpecificResource", "purpose": "citing", "source": "doi:10.1000/182"}],
        id="https://tool.example/3")
    result = run("import", "--format", "w3c",
                 write(tmp_path / "x.json", [needs_source, bad_verdict, bad_source]),
                 "-d", SEED_ID)
    assert result.exit_code == 1
    # A fix that fits an import: no `annotate edit ID`, for an id never written.
    assert ("label 'sourced' requires at least one source URL; link a source in the "
            "annotation, or import it with another label (--label)") in result.stderr
    assert "annotate edit" not in result.stderr
    assert "unknown verdict 'fake'" in result.stderr
    assert "source 'doi:10.1000/182' is not an absolute http(s) address" in result.stderr


def test_a_quote_no_longer_in_the_document_is_reported(workspace: Path, run: Run,
                                                       tmp_path: Path) -> None:
    annotated(run)
    exported = run("export", "--format", "w3c").stdout
    other = fresh_workspace(tmp_path, run)
    text = (workspace / "corpus" / SEED_ID).read_text(encoding="utf-8")
    (other / "corpus" / SEED_ID).write_text(text.replace("Vostochny cosmodrome",
                                                         "spaceport"), encoding="utf-8")
    result = run("import", "--format", "w3c", write(tmp_path / "x.json", json.loads(exported)),
                 "-w", str(other))
    assert result.exit_code == 1
    assert "the quote “Vostochny cosmodrome” is not in the document" in result.stderr
    assert "1 valid annotation held back" in result.stderr


def test_consensus_records_are_exported_and_not_imported_as_consensus(
        workspace: Path, run: Run, tmp_path: Path) -> None:
    add(run, "--label", "opinion", "--quote", QUOTE)
    add(run, "--label", "opinion", "--quote", QUOTE, "--reviewer", "bob")
    assert run("merge").exit_code == 0
    value = json.loads(run("export", "--format", "w3c").stdout)
    assert {i["creator"]["name"] for i in value["first"]["items"]} == {"alice", "bob",
                                                                       "consensus"}
    other = fresh_workspace(tmp_path, run)
    shutil.copyfile(workspace / "corpus" / SEED_ID, other / "corpus" / SEED_ID)
    result = run("import", "--format", "w3c", write(tmp_path / "x.json", value),
                 "-w", str(other), "--partial")
    assert result.exit_code == 1
    assert "its creator is 'consensus', the reserved name" in result.stderr


def test_import_help_lists_the_registry(run: Run) -> None:
    result = run("import", "--help")
    assert "[w3c|hypothesis|brat]" in result.stdout
    assert tuple(IMPORTERS) == ("w3c", "hypothesis", "brat")
    assert tuple(RENDERERS) == ("w3c", "claimreview", "brat", "csv")


# -- the round trip, property-based, through the api and two workspaces -----------------


@pytest.fixture(scope="module")
def two_workspaces(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from click.testing import CliRunner

    from annotate.cli import cli

    roots = []
    for name in ("source", "target"):
        root = tmp_path_factory.mktemp(name) / "ws"
        assert CliRunner().invoke(cli, ["init", str(root)]).exit_code == 0
        roots.append(root)
    return roots[0], roots[1]


COUNTER = iter(range(10**9))


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), text=texts, crlf=st.booleans())
def test_round_trip_property(two_workspaces: tuple[Path, Path], data: st.DataObject,
                             text: str, crlf: bool) -> None:
    source_root, target_root = two_workspaces
    if crlf:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    number = next(COUNTER)
    name = f"doc-{number}.txt"
    for root in (source_root, target_root):
        (root / "corpus" / name).write_bytes(text.encode("utf-8"))
    source, target = api.open_workspace(str(source_root)), api.open_workspace(str(target_root))
    made = data.draw(annotations_on(document(name, text), id_prefix=f"p{number}"))
    with store.document_session(source, name) as session:
        for reviewer in {a.reviewer for a in made}:
            session.write(reviewer, [a for a in made if a.reviewer == reviewer])
    outcome = api.export_annotations(source, [name], render=RENDERERS["w3c"])
    assert outcome.exported.text is not None
    path = source_root.parent / f"{name}.jsonld"
    path.write_text(outcome.exported.text, encoding="utf-8")
    report = api.import_annotations(target, [str(path)], importer=IMPORTERS["w3c"])
    assert report.skipped == [], report.skipped
    assert api.list_annotations(target, name) == api.list_annotations(source, name)
    again = api.import_annotations(target, [str(path)], importer=IMPORTERS["w3c"])
    assert again.imported == [] and len(again.already_there) == len(made)


# -- brat and ClaimReview through the commands ------------------------------------------------


def test_brat_export_then_import_into_another_workspace(workspace: Path, run: Run,
                                                        tmp_path: Path) -> None:
    annotated(run)
    out = tmp_path / "brat"
    result = run("export", "--format", "brat", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    stem = SEED_ID.removesuffix(".txt")
    alice = out / "alice" / f"{stem}.ann"
    assert (out / "alice" / f"{stem}.txt").read_bytes() == (
        workspace / "corpus" / SEED_ID).read_bytes()
    assert "\tspeculative " in alice.read_text(encoding="utf-8")
    assert (out / "annotation.conf").is_file()
    other = fresh_workspace(tmp_path, run)
    shutil.copyfile(workspace / "corpus" / SEED_ID, other / "corpus" / SEED_ID)
    files = sorted(str(path) for path in out.glob(f"*/{stem}.ann"))
    result = run("import", "--format", "brat", *files, "-w", str(other))
    assert result.exit_code == 0, result.stderr
    os.chdir(other)
    theirs = listing(run)
    os.chdir(workspace)
    # brat carries spans, labels, notes, verdicts, sources and tags, not ids or times;
    # the reviewer is the folder each file sits in.
    def kept(records: list[dict[str, object]]) -> list[tuple[object, ...]]:
        return sorted((r["reviewer"], r["start"], r["end"], r["quote"], r["label"], r["note"],
                       tuple(r["sources"]), r.get("verdict"), tuple(r.get("tags", [])))
                      for r in records)
    assert kept(theirs) == kept(listing(run))
    # A second import finds everything already there.
    again = run("import", "--format", "brat", *files, "-w", str(other))
    assert (again.exit_code, again.stderr) == (0, "".join(
        f"annotate: note: {file}: the reviewer is the folder's name, "
        f"{Path(file).parent.name!r}, unless --reviewer names another\n" for file in files)
        + "annotate: imported 0 annotations; 2 already there\n")
    # With --reviewer the folder's name is not taken, and not said to be.
    named = run("import", "--format", "brat", *files, "-w", str(other), "--reviewer", "erin")
    assert named.exit_code == 0, named.stderr
    assert "the reviewer is the folder's name" not in named.stderr


def test_brat_import_reports_text_that_is_not_the_document(workspace: Path, run: Run,
                                                           tmp_path: Path) -> None:
    stem = SEED_ID.removesuffix(".txt")
    ann = tmp_path / "dora" / f"{stem}.ann"
    ann.parent.mkdir()
    ann.write_text("T1\topinion 0 4\tXXXX\n", encoding="utf-8")
    before = sorted((workspace / "annotations").rglob("*.jsonl"))
    result = run("import", "--format", "brat", str(ann))
    assert result.exit_code == 1
    assert result.stderr == (f"annotate: skipped {ann}: line 1: stored text “XXXX” is not the "
                             "document's text at 0 4: “What”\n"
                             "annotate: imported 0 annotations; 1 skipped\n")
    assert sorted((workspace / "annotations").rglob("*.jsonl")) == before


def test_claimreview_export_passes_its_schema_and_warns_what_to_set(workspace: Path,
                                                                    run: Run) -> None:
    from annotate.interchange.claimreview import check_claim_review

    annotated(run)  # one annotation with a verdict, one without
    result = run("export", "--format", "claimreview")
    assert result.exit_code == 0, result.stderr
    records = json.loads(result.stdout)
    assert [r["reviewRating"]["alternateName"] for r in records] == ["Unverifiable"]
    assert records[0]["claimReviewed"] == HWASONG
    assert all(check_claim_review(r).errors == [] for r in records)
    assert "set publisher.name" in result.stderr
    assert "left out 1 annotation" in result.stderr


# -- what export counts, refuses and leaves alone ----------------------------------------------


def make_stale(workspace: Path, run: Run) -> list[str]:
    """Two annotations, then the document edited under the first one and reanchored:
    it is orphaned, so no format can place it."""
    ids = annotated(run)
    path = workspace / "corpus" / SEED_ID
    path.write_text(path.read_text(encoding="utf-8").replace(HWASONG, "A rocket"),
                    encoding="utf-8")
    assert run("reanchor").exit_code in (0, 1)
    return ids


def test_brat_counts_what_it_left_out_and_exits_1(workspace: Path, run: Run,
                                                  tmp_path: Path) -> None:
    ids = make_stale(workspace, run)
    out = tmp_path / "brat"
    result = run("export", "--format", "brat", "-o", str(out))
    assert result.exit_code == 1
    assert ids[0] in result.stderr
    assert result.stderr.endswith(f"annotate: wrote 1 annotation of 1 document to {out}\n")
    lines = [line for ann in out.glob("*/*.ann")
             for line in ann.read_text(encoding="utf-8").splitlines() if line.startswith("T")]
    assert len(lines) == 1


def test_claimreview_counts_the_records_it_wrote(workspace: Path, run: Run,
                                                 tmp_path: Path) -> None:
    annotated(run)  # one annotation with a verdict, one without: by design, not a failure
    out = tmp_path / "claims.json"
    result = run("export", "--format", "claimreview", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(out.read_text(encoding="utf-8"))) == 1
    assert result.stderr.endswith(f"annotate: wrote 1 annotation of 1 document to {out}\n")


def test_claimreview_exits_1_when_a_claim_cannot_be_published(workspace: Path,
                                                              run: Run) -> None:
    blank = annotated(run)[0]
    # `add` refuses a blank span; a file edited by hand need not.
    path = workspace / "annotations" / SEED_ID / "alice.jsonl"
    record = json.loads(path.read_text(encoding="utf-8"))
    space = (workspace / "corpus" / SEED_ID).read_text(encoding="utf-8").index(" ")
    record.update(start=space, end=space + 1, quote=" ")
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    result = run("export", "--format", "claimreview")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == []
    assert f"whose quote is only whitespace, no claim to publish: {blank}" in result.stderr


@pytest.mark.parametrize("place", ["corpus", f"annotations/{SEED_ID}", "annotations",
                                   ".hidden"])
def test_a_refused_brat_export_creates_nothing(workspace: Path, run: Run, place: str) -> None:
    annotated(run)
    (workspace / ".hidden").mkdir()
    before = sorted(workspace.rglob("*"))
    result = run("export", "--format", "brat", "-o", place)
    assert result.exit_code == 2
    assert "part of the workspace's own data" in result.stderr
    assert sorted(workspace.rglob("*")) == before


def test_a_brat_export_through_a_link_out_of_the_workspace_creates_nothing(
        workspace: Path, run: Run, tmp_path: Path) -> None:
    # out/alice is a link leading out: refused before any folder is made.
    annotated(run)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (workspace / "out").mkdir()
    (workspace / "out" / "alice").symlink_to(elsewhere, target_is_directory=True)
    before = sorted(workspace.rglob("*"))
    result = run("export", "--format", "brat", "-o", "out")
    assert result.exit_code == 2
    assert "leads outside the workspace" in result.stderr
    assert sorted(workspace.rglob("*")) == before
    assert list(elsewhere.iterdir()) == []


def repeat_ids(workspace: Path) -> None:
    folder = workspace / "annotations" / SEED_ID
    (folder / "dave.jsonl").write_text(
        (folder / "alice.jsonl").read_text(encoding="utf-8").replace('"alice"', '"dave"'),
        encoding="utf-8")


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_export_refuses_repeated_ids_like_merge(workspace: Path, run: Run, tmp_path: Path,
                                                fmt: str) -> None:
    ids = annotated(run)
    repeat_ids(workspace)
    out = tmp_path / "out"
    result = run("export", "--format", fmt, "-o", str(out))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"annotate: error: 1 annotation id(s) are used more than once, e.g. {ids[0]!r} in "
        f"annotations/{SEED_ID}/alice.jsonl, annotations/{SEED_ID}/dave.jsonl; run "
        "'annotate dedupe' to give each annotation its own id, then run this again\n")
    assert not out.exists()
