"""`annotate diff` and the VERSIONS of `annotate documents` through the CLI,
on versions made for real: annotations added, the article edited, `annotate
reanchor` run.  Text, JSON (checked against schemas/diff.schema.json) and
HTML; exit codes; hostile text escaped on a terminal and exact in JSON."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import HWASONG, REPO, SEED, SEED_ID, Run, run_installed
from tests.test_terminal import on_terminal

OPINION = "That would also be surprising with regard to North Korea."
SEED_SHA = "132f973bb4b6f75d83891006220dd8bd6d10693a1b3beecb5d02aa02a4e2adf4"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def schema() -> jsonschema.protocols.Validator:
    loaded = json.loads((REPO / "schemas" / "diff.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(loaded)
    return jsonschema.Draft202012Validator(loaded)


def diff_json(run: Run, *args: str, code: int = 0) -> Any:
    result = run("diff", SEED_ID, *args, "--format", "json")
    assert result.exit_code == code, result.stderr
    data = json.loads(result.stdout)
    schema().validate(data)
    return data


def edit(workspace: Path, old: str, new: str, prepend: str = "") -> str:
    path = workspace / "corpus" / SEED_ID
    text = path.read_bytes().decode("utf-8")
    assert old in text
    text = prepend + text.replace(old, new)
    path.write_bytes(text.encode("utf-8"))
    return text


def stored(workspace: Path, sha: str) -> str:
    return (workspace / "annotations" / ".versions" / f"{sha}.txt").read_bytes().decode()


def sha_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.fixture
def annotated(workspace: Path, run: Run) -> dict[str, str]:
    """Three annotations on the seed article: two the edit will touch."""
    ids = {}
    for name, args in {
        "hwasong": ["--label", "speculative", "--quote", HWASONG],
        "iiss": ["--label", "sourced", "--quote", "has over 20,000 artillery pieces",
                 "--source", "https://www.iiss.org/"],
        "opinion": ["--label", "opinion", "--quote", OPINION, "--reviewer", "bob"],
    }.items():
        result = run("add", SEED_ID, *args)
        assert result.exit_code == 0, result.stderr
        ids[name] = result.stdout.strip()
    return ids


@pytest.fixture
def edited(workspace: Path, annotated: dict[str, str]) -> str:
    """The article edited after review as in the README's tour: a note
    prepended, a word replaced, a sentence cut; returns its new text."""
    edit(workspace, "intercontinental ballistic", "long-range ballistic",
         prepend="Update: this article was edited.\n\n")
    return edit(workspace, OPINION, "")


# -- the text ------------------------------------------------------------------------------

def test_diff_shows_the_changes_and_the_annotations_they_touch(
        edited: str, annotated: dict[str, str], run: Run) -> None:
    result = run("diff", SEED_ID)
    assert (result.exit_code, result.stderr) == (0, "")
    new = sha_of(edited)
    lines = result.stdout.splitlines()
    assert lines[0] == (f"diff {SEED_ID}: version 1 ({SEED_SHA[:12]}) → "
                        f"version 2 ({new[:12]}, current)")
    assert lines[1] == ("3 changes in 3 hunks: 11 words removed, 7 added (5690 → 5661 "
                        "characters); 2 annotations touched (if re-anchored: 1 fuzzy, "
                        "1 orphaned)")
    assert lines[2:7] == ["", "@@ -1:1 +1:1 @@", "{+Update: this article was edited.↵", "↵",
                          "+}What Kim Jong Un and Vladimir Putin want from each other"]
    text = result.stdout
    assert ("Hwasong-18 [-intercontinental-]{+long-range+} ballistic missile is based on "
            "Russian technology.") in text
    assert (f"  annotation {annotated['hwasong']} (speculative by alice), on version 1: "
            "re-anchoring makes it fuzzy (score 0.92): “…ea’s new Hwasong-18 "
            "[-intercontinental-]{+long-range+} ballistic missile i…”") in lines
    assert (f"  annotation {annotated['opinion']} (opinion by bob), on version 1: "
            f"re-anchoring orphans it (best score 0.00): “{OPINION}”") in lines
    assert f"[-{OPINION}-]" in text
    assert annotated["iiss"] not in text  # untouched


def test_json_changes_rebuild_the_new_text_and_agree_with_reanchor(
        workspace: Path, edited: str, annotated: dict[str, str], run: Run) -> None:
    data = diff_json(run)
    old = stored(workspace, SEED_SHA)
    assert data["from"] == {"number": 1, "sha256": SEED_SHA, "current": False,
                            "characters": len(old)}
    assert data["to"] == {"number": 2, "sha256": sha_of(edited), "current": True,
                          "characters": len(edited)}
    assert not data["identical"] and not data["coarse"]
    rebuilt, at = [], 0
    for change in data["changes"]:
        assert old[change["old_start"]:change["old_end"]] == change["removed"]
        assert edited[change["new_start"]:change["new_end"]] == change["inserted"]
        rebuilt += [old[at:change["old_start"]], change["inserted"]]
        at = change["old_end"]
    assert "".join(rebuilt) + old[at:] == edited
    # What diff says re-anchoring does is what `annotate reanchor` does.
    dry = run("reanchor", "--dry-run", "--format", "json")
    outcomes = {r["id"]: (r["outcome"], r["start"], r["end"]) for r in json.loads(dry.stdout)}
    touched = {a["id"]: a for a in data["annotations"]}
    assert set(touched) == {annotated["hwasong"], annotated["opinion"]}
    for identifier, item in touched.items():
        assert item["on"] == "from" and item["previous_quote"] is None
        reanchored = item["reanchor"]
        outcome, start, end = outcomes[identifier]
        assert reanchored["outcome"] == outcome
        if outcome != "orphaned":
            assert (reanchored["start"], reanchored["end"]) == (start, end)
            assert reanchored["quote"] == edited[start:end]
    assert touched[annotated["opinion"]]["reanchor"]["outcome"] == "orphaned"
    assert data["summary"]["annotations_touched"] == 2
    assert [v["number"] for v in data["versions"]] == [1, 2]


def test_after_reanchor_the_versions_stay_and_diff_says_what_reanchor_did(
        workspace: Path, edited: str, annotated: dict[str, str], run: Run) -> None:
    assert run("reanchor").exit_code == 1  # one orphan
    new = sha_of(edited)
    listed = (workspace / "annotations" / ".versions" / ".documents" / SEED_ID / ".list")
    assert listed.read_text(encoding="utf-8").splitlines()[-2:] == [SEED_SHA, new]
    [info] = json.loads(run("documents", "--format", "json").stdout)
    assert info["versions"] == [{"number": 1, "sha256": SEED_SHA, "current": False},
                                {"number": 2, "sha256": new, "current": True}]
    table = run("documents").stdout.splitlines()
    assert table[0].split()[6:8] == ["VERSIONS", "SHA256"]
    assert table[1].split()[6:8] == ["2", new[:12]]
    result = run("diff", SEED_ID)
    assert result.exit_code == 0
    assert (f"  annotation {annotated['hwasong']} (speculative by alice), on version 2: "
            "re-anchored here, fuzzy: “…ea’s new Hwasong-18 [-intercontinental-]"
            "{+long-range+} ballistic missile i…”") in result.stdout.splitlines()
    assert (f"  annotation {annotated['opinion']} (opinion by bob), on version 1, orphaned: "
            f"re-anchoring orphans it (best score 0.00): “{OPINION}”") \
        in result.stdout.splitlines()
    data = diff_json(run)
    on = {a["id"]: (a["on"], a["reanchor"]) for a in data["annotations"]}
    assert on[annotated["hwasong"]] == ("to", None)
    assert on[annotated["opinion"]][0] == "from"


def test_versions_by_number_name_and_prefix(workspace: Path, edited: str, run: Run) -> None:
    assert run("reanchor").exit_code == 1
    second = sha_of(edited)
    third_text = edit(workspace, "Siberia", "the Russian Far East")
    third = sha_of(third_text)
    assert run("add", SEED_ID, "--label", "opinion", "--quote", "Russian Far East").exit_code == 0
    data = diff_json(run)  # the version before the current one
    assert (data["from"]["sha256"], data["to"]["sha256"]) == (second, third)
    assert [c["inserted"] for c in data["changes"]] == ["the Russian Far East"]
    assert diff_json(run, "--from", "1")["from"]["sha256"] == SEED_SHA
    assert diff_json(run, "--from", "previous")["from"]["sha256"] == second
    data = diff_json(run, "--to", "2")  # --from defaults to the version before --to
    assert (data["from"]["number"], data["to"]["number"]) == (1, 2)
    assert not data["to"]["current"]
    data = diff_json(run, "--from", third[:7].upper(), "--to", SEED_SHA[:9])
    assert (data["from"]["number"], data["to"]["number"]) == (3, 1)  # backwards is fine
    assert [v["sha256"] for v in data["versions"]] == [SEED_SHA, second, third]
    assert json.loads(run("documents", "--format", "json").stdout)[0]["versions"][-1] == {
        "number": 3, "sha256": third, "current": True}


def test_a_document_that_never_changed_has_nothing_to_compare(
        annotated: dict[str, str], run: Run) -> None:
    result = run("diff", SEED_ID)
    assert result.exit_code == 0
    assert result.stdout == (f"diff {SEED_ID}: version 1 ({SEED_SHA[:12]}, current) → "
                             f"version 1 ({SEED_SHA[:12]}, current)\nno changes: the same "
                             "version\n")
    assert result.stderr.startswith(f"annotate: note: {SEED_ID} has no version before "
                                    "version 1")
    data = diff_json(run)
    assert data["identical"] and data["changes"] == data["hunks"] == data["annotations"] == []


def test_the_same_text_under_two_versions_is_no_change(
        workspace: Path, edited: str, run: Run) -> None:
    assert run("reanchor").exit_code == 1
    (workspace / "corpus" / SEED_ID).write_bytes(SEED.read_bytes())  # the edit taken back
    result = run("diff", SEED_ID)  # the current text is version 1 again
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:2] == [
        f"diff {SEED_ID}: version 2 ({sha_of(edited)[:12]}) → version 1 "
        f"({SEED_SHA[:12]}, current)",
        "3 changes in 3 hunks: 7 words removed, 11 added (5661 → 5690 characters); "
        "1 annotation touched (if re-anchored: 1 fuzzy)"]
    assert run("diff", SEED_ID, "--from", "1", "--exit-code").exit_code == 0
    same = run("diff", SEED_ID, "--from", "1", "--to", "current")
    assert same.stdout.splitlines()[1] == "no changes: the same version"


# -- exit codes ----------------------------------------------------------------------------

def test_exit_code_says_whether_the_versions_differ(edited: str, run: Run) -> None:
    assert run("diff", SEED_ID).exit_code == 0
    assert run("diff", SEED_ID, "--exit-code").exit_code == 1
    same = run("diff", SEED_ID, "--from", "current", "--exit-code")
    assert same.exit_code == 0 and "no changes" in same.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["nope.txt"], "annotate: error: unknown document 'nope.txt': no such file under corpus/"),
    ([SEED_ID, "--from", "7"], f"annotate: error: no version 7 of {SEED_ID}: {SEED_ID} has "
                               f"2 versions: 1 {SEED_SHA[:12]}, 2 "),
    ([SEED_ID, "--to", "abc"], "annotate: error: 'abc' is too short for a SHA-256 prefix: "
                               "give at least 7 hex digits"),
    ([SEED_ID, "--from", "deadbeef"], f"annotate: error: no version of {SEED_ID} begins "
                                      "'deadbeef'"),
    ([SEED_ID, "--from", "yesterday"], "annotate: error: 'yesterday' is not a version: give "
                                       "a number (1 = the oldest), 'current', 'previous'"),
])
def test_an_unknown_document_or_version_is_one_line_and_exit_2(
        edited: str, run: Run, args: list[str], message: str) -> None:
    result = run("diff", *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1


def test_a_damaged_stored_version_is_refused(workspace: Path, edited: str, run: Run) -> None:
    path = workspace / "annotations" / ".versions" / f"{SEED_SHA}.txt"
    path.write_bytes(path.read_bytes().replace(b"Kim", b"Kym", 1))
    result = run("diff", SEED_ID)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        f"annotate: error: the stored text of version 1 ({SEED_SHA[:12]}) of {SEED_ID} is "
        f"missing or damaged (its SHA-256 does not match): annotations/.versions/{SEED_SHA}"
        ".txt; restore it from git\n")


def test_a_current_text_that_is_not_utf8_leaves_the_stored_versions(
        workspace: Path, edited: str, run: Run) -> None:
    assert run("reanchor").exit_code == 1
    (workspace / "corpus" / SEED_ID).write_bytes("Caf\xe9".encode("latin-1"))
    result = run("diff", SEED_ID)
    assert result.exit_code == 2
    assert "is not valid UTF-8" in result.stderr and "--from and --to" in result.stderr
    data = diff_json(run, "--from", "1", "--to", "2")
    assert data["to"]["sha256"] == sha_of(edited) and not data["identical"]


# -- HTML ----------------------------------------------------------------------------------

def test_html_is_one_self_contained_page_with_del_and_ins(
        workspace: Path, annotated: dict[str, str], run: Run) -> None:
    edit(workspace, "intercontinental", "<script>alert(1)</script>\u202eevil")
    result = run("diff", SEED_ID, "--format", "html")
    assert result.exit_code == 0
    page = result.stdout
    assert page.startswith("<!DOCTYPE html>")
    assert "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src &#39;none&#39;;" \
        in page
    assert "<script" not in page and "\u202e" not in page
    assert "<del>intercontinental</del><ins>&lt;script&gt;alert(1)&lt;/script&gt;" \
           "&lt;U+202E&gt;evil</ins>" in page
    assert "http://" not in page and "https://" not in page  # nothing to load
    assert annotated["hwasong"] in page and "re-anchoring makes it fuzzy" in page


# -- hostile text --------------------------------------------------------------------------

HOSTILE = "\x1b]0;pwned\x07 \u202eevil\u202c 𝔘𝔫𝔦 😀 cafe\u0301 \x9b31m"


@pytest.fixture
def hostile(workspace: Path, annotated: dict[str, str]) -> str:
    """The article edited with terminal escapes, bidi overrides, text
    outside the BMP, a combining mark, a C1 control and CRLF line ends."""
    path = workspace / "corpus" / SEED_ID
    text = path.read_bytes().decode("utf-8").replace("\n", "\r\n")
    text = text.replace("Vostochny cosmodrome", f"Vostochny {HOSTILE} cosmodrome")
    path.write_bytes(text.encode("utf-8"))
    return text


def test_hostile_text_is_escaped_in_the_text_and_exact_in_json(hostile: str, run: Run) -> None:
    result = run("diff", SEED_ID)
    assert result.exit_code == 0
    out = result.stdout
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\x9b" not in out
    assert "{+ \\x1b]0;pwned\\x07 <U+202E>evil<U+202C> 𝔘𝔫𝔦 😀 cafe\u0301 \\x9b31m+}" in out
    assert "[-↵\n↵\n-]{+\\r↵\n\\r↵\n+}" in out  # LF to CRLF: the CR shown
    data = diff_json(run)
    inserted = "".join(c["inserted"] for c in data["changes"])
    assert HOSTILE in inserted and "\r\n" in inserted
    old = SEED.read_bytes().decode("utf-8")
    rebuilt, at = [], 0
    for change in data["changes"]:
        rebuilt += [old[at:change["old_start"]], change["inserted"]]
        at = change["old_end"]
    assert "".join(rebuilt) + old[at:] == hostile


def test_on_a_terminal_colour_and_escaping_and_never_colour_with_no_color(
        workspace: Path, hostile: str) -> None:
    code, shown = on_terminal(["diff", SEED_ID], workspace)
    assert code == 0
    assert "\x1b[32m{+" in shown and "\x1b[1mdiff " in shown  # ours: green, bold
    plain = ANSI.sub("", shown)
    assert "\x1b" not in plain and "\x07" not in plain and "\u202e" not in plain
    assert "\\x1b]0;pwned\\x07 <U+202E>evil" in plain
    code, shown = on_terminal(["diff", SEED_ID], workspace, env={"NO_COLOR": "1"})
    assert code == 0 and "\x1b" not in shown
    assert "\\x1b]0;pwned\\x07 <U+202E>evil" in shown
    # JSON on a terminal is escaped too; into a pipe it is exact (the JSON test).
    code, shown = on_terminal(["diff", SEED_ID, "--format", "json"], workspace)
    assert code == 0 and "\x1b" not in shown and "\\u001b]0;pwned" in shown


# -- the installed console script ------------------------------------------------------------

def test_the_installed_command_diffs_a_document_edited_after_review(desk: Path) -> None:
    added = run_installed("add", SEED_ID, "--label", "speculative", "--quote", HWASONG,
                          cwd=desk)
    assert added.returncode == 0, added.stderr
    edit(desk, "intercontinental", "long-range")
    result = run_installed("diff", SEED_ID, "--format", "json", "--exit-code", cwd=desk)
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    schema().validate(data)
    assert [(c["removed"], c["inserted"]) for c in data["changes"]] == [
        ("intercontinental", "long-range")]
    [touched] = data["annotations"]
    assert touched["id"] == added.stdout.strip()
    assert touched["reanchor"]["outcome"] == "fuzzy"
    listed = run_installed("documents", cwd=desk)
    assert listed.returncode == 0 and listed.stdout.splitlines()[1].split()[6] == "2"
