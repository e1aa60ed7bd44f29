"""`annotate report`'s pure pieces: cutting a text into segments under
overlapping spans, escaping for Markdown and CSV, links in the HTML, the
report's data against schemas/report.schema.json, and its agreement
figures against `annotate agreement`'s.  The command itself:
test_report_cli.py; hostile input: test_report_hostile.py; a real browser:
test_report_browser.py."""

from __future__ import annotations

import csv
import io
import json
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from referencing import Registry, Resource

from annotate import api
from annotate.api.report import DocumentReport, Report
from annotate.model import Annotation, Document, Label, Project
from annotate.report.listing import spreadsheet_safe
from annotate.report.review import RENDERERS, markdown, page, view
from annotate.report.review.segments import Segment, segments
from tests.conftest import REPO, SEED_ID, Run

SCHEMAS = REPO / "schemas"
PROJECT = Project("desk", "corpus", "annotations",
                  (Label("sourced", "Has a source.", "#2ca02c", True),
                   Label("opinion", "An opinion.", "#1f77b4")), ("false", "accurate"))


# --- helpers (the other report tests use them too) --------------------------------------

def report_validator() -> jsonschema.protocols.Validator:
    """schemas/report.schema.json, with the schemas it refers to by $id."""
    loaded = {path.name: json.loads(path.read_text(encoding="utf-8"))
              for path in SCHEMAS.glob("*.schema.json")}
    registry: Registry[Any] = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in loaded.values())
    schema = loaded["report.schema.json"]
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, registry=registry,
                                           format_checker=jsonschema.FormatChecker())


def annotation(document: Document, start: int, end: int, *, label: str = "opinion",
               reviewer: str = "alice", note: str = "", sources: tuple[str, ...] = (),
               number: int = 0, **extra: Any) -> Annotation:
    """An annotation of document.text[start:end] with its context."""
    return Annotation(
        id=f"a{zlib.crc32(reviewer.encode()) % 10_000:04d}{number:011d}", document=document.id,
        document_sha256=document.sha256, start=start, end=end,
        quote=document.text[start:end], prefix=document.text[max(0, start - 32):start],
        suffix=document.text[end:end + 32], label=label, reviewer=reviewer, note=note,
        sources=sources, created="2026-11-30T12:00:00.000Z",
        modified="2026-11-30T12:00:00.000Z", **extra)


def plain_report(document: Document, annotations: Sequence[Annotation],
                 project: Project = PROJECT) -> Report:
    """A report of one document and its annotations, with no merge or agreement
    (what the renderers draw; api.report adds those from a workspace)."""
    reviewers = tuple(sorted({a.reviewer for a in annotations}))
    return Report(project, (DocumentReport(document, reviewers, tuple(annotations), None,
                                           f"annotations/{document.id}/consensus.jsonl",
                                           "unanimous", None, None),), None)


# --- segments -------------------------------------------------------------------------

def test_segments_cut_at_every_boundary_and_list_the_spans_over_each() -> None:
    # 0 covers 2-8, 1 covers 4-6 (nested in 0), 2 covers 5-10 (crosses 0's end).
    found = segments(12, [(2, 8), (4, 6), (5, 10)])
    assert found == [Segment(0, 2, ()), Segment(2, 4, (0,)), Segment(4, 5, (0, 1)),
                     Segment(5, 6, (0, 1, 2), (1,)), Segment(6, 8, (0, 2), (0,)),
                     Segment(8, 10, (2,), (2,)), Segment(10, 12, ())]


def test_segments_of_identical_and_touching_spans() -> None:
    assert segments(6, [(0, 3), (0, 3), (3, 6)]) == [
        Segment(0, 3, (0, 1), (0, 1)), Segment(3, 6, (2,), (2,))]
    assert segments(0, []) == []
    assert segments(4, []) == [Segment(0, 4, ())]


@pytest.mark.parametrize("span", [(3, 3), (5, 2), (-1, 2), (2, 11)])
def test_segments_refuse_an_empty_or_outside_span(span: tuple[int, int]) -> None:
    with pytest.raises(ValueError, match="empty or outside"):
        segments(10, [span])


@given(st.integers(1, 60).flatmap(lambda length: st.tuples(
    st.just(length),
    st.lists(st.tuples(st.integers(0, length - 1), st.integers(1, length))
             .map(lambda pair: (min(pair), max(pair)))
             .filter(lambda pair: pair[0] < pair[1]), max_size=12))))
def test_segments_partition_the_text_and_give_back_every_span(
        case: tuple[int, list[tuple[int, int]]]) -> None:
    length, spans = case
    spans.sort()
    found = segments(length, spans)
    # The segments tile the text, none empty, ...
    assert [s.start for s in found] == [0] + [s.end for s in found[:-1]]
    assert found[-1].end == length and all(s.start < s.end for s in found)
    for segment in found:
        # ... each lists exactly the spans that contain it, in the spans' order ...
        inside = tuple(i for i, (start, end) in enumerate(spans)
                       if start <= segment.start and segment.end <= end)
        assert segment.covering == inside
        assert set(segment.closing) == {i for i in inside if spans[i][1] == segment.end}
    # ... so the segments listing span i are exactly span i.
    for index, (start, end) in enumerate(spans):
        mine = [s for s in found if index in s.covering]
        assert (mine[0].start, mine[-1].end) == (start, end)
        assert sum(s.end - s.start for s in mine) == end - start


# --- escaping for Markdown and CSV --------------------------------------------------------

@pytest.mark.parametrize(("raw", "shown"), [
    ("plain text, café", "plain text, café"),
    ("a | b", "a \\| b"),
    ("[click](https://evil.example)", "\\[click\\](https://evil.example)"),
    ("`code` and *bold* _it_ ~~gone~~", "\\`code\\` and \\*bold\\* \\_it\\_ \\~\\~gone\\~\\~"),
    ("<img src=x onerror=alert(1)>", "\\<img src=x onerror=alert(1)\\>"),
    ("&lt; $x$ # not a heading", "\\&lt; \\$x\\$ \\# not a heading"),
    ("back\\slash", "back\\\\slash"),
    ("two\nlines\r\nhere", "two lines here"),
    ("cc @alice and @acme/team, mail bob@desk.example",
     "cc @\u2060alice and @\u2060acme/team, mail bob@desk.example"),
    # escape() shows ESC as the four characters \x1b; Markdown then needs its
    # backslash escaped to show it.
    ("\x1b[2J bell\x07 \u202eevil", r"\\x1b\[2J bell\\x07 \<U+202E\>evil"),
])
def test_markdown_text_is_literal(raw: str, shown: str) -> None:
    assert markdown.text(raw) == shown


@pytest.mark.parametrize(("url", "shown"), [
    ("https://www.iiss.org/a?b=1#c", "<https://www.iiss.org/a?b=1#c>"),
    ("javascript:alert(1)", "javascript:alert(1)"),
    ("https://example.org/a|b", "https://example.org/a\\|b"),
    ("https://example.org/<script>", "https://example.org/\\<script\\>"),
])
def test_markdown_links_only_plain_web_addresses(url: str, shown: str) -> None:
    assert markdown.link(url) == shown


@pytest.mark.parametrize(("cell", "safe"), [
    ("=HYPERLINK(\"https://evil.example\")", "'=HYPERLINK(\"https://evil.example\")"),
    ("+1", "'+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("plain", "plain"), ("", ""), ("a=b", "a=b"),
])
def test_spreadsheet_safe(cell: str, safe: str) -> None:
    assert spreadsheet_safe(cell) == safe


def test_csv_has_a_row_per_annotation_and_no_formula() -> None:
    document = Document("doc.txt", "=1+2 is a sum. @cmd is a command.", "0" * 64)
    one = annotation(document, 0, 4, note="=HYPERLINK(\"https://evil.example\",\"x\")")
    two = annotation(document, 15, 19, reviewer="-bob", label="sourced", number=1,
                     sources=("https://example.org/",), verdict="false")
    output = RENDERERS["csv"](plain_report(document, [one, two]))
    rows = list(csv.DictReader(io.StringIO(output)))
    assert [row["id"] for row in rows] == [one.id, two.id]
    assert rows[0]["quote"] == "'=1+2" and rows[0]["note"].startswith("'=HYPERLINK")
    assert rows[1]["quote"] == "'@cmd" and rows[1]["reviewer"] == "'-bob"
    assert rows[1]["start"] == "15" and rows[1]["shown"] == "drawn"
    assert rows[1]["verdict"] == "false" and rows[1]["suffix"] == " is a command."
    for row in rows:
        assert not any(value.startswith(("=", "+", "-", "@", "\t", "\r"))
                       for value in row.values())


# --- HTML pieces ------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "link"), [
    ("https://www.iiss.org/", True), ("http://example.org/a?b#c", True),
    ("HTTPS://EXAMPLE.ORG/", True), ("javascript:alert(1)", False),
    ("JavaScript:alert(1)", False), ("data:text/html,<script>x</script>", False),
    ("vbscript:x", False), ("//evil.example/", False), ("https://", False),
    ("https://example.org/\u202eevil", False), ("https://exa mple.org/", False),
    ("https://example.org/\nx", False), ("https://[::1", False), (42, False),
])
def test_only_http_and_https_addresses_become_links(value: object, link: bool) -> None:
    assert page.is_link(value) is link


def test_visible_shows_controls_and_bidi_and_keeps_the_rest() -> None:
    from markupsafe import Markup

    kept = "café 😀 e\u0301 line\nbreak\ttab\r\n"
    assert page.visible(kept) == kept
    assert page.visible("a\x1bb\x00c\u202ed\x85") == "a\\x1bb\\x00c<U+202E>d\\x85"
    assert page.visible(Markup("<b>\x1b</b>")) == Markup("<b>\x1b</b>")
    assert page.visible(3) == 3


def test_every_template_autoescapes() -> None:
    env = page.environment()
    for name in env.list_templates():
        template = env.get_template(name)
        assert template.environment.autoescape is True or template.environment.autoescape(name)
    rendered = env.from_string("{{ x }}").render(x="<img src=x onerror=alert(1)>")
    assert rendered == "&lt;img src=x onerror=alert(1)&gt;"


def test_templates_are_package_data() -> None:
    # What tox installs is a built wheel: the templates must be in it.
    from importlib import resources

    folder = resources.files("annotate.report.review") / "templates"
    names = {entry.name for entry in folder.iterdir()}
    assert {"report.html.j2", "macros.html.j2", "report.css.j2"} <= names
    assert "Content-Security-Policy" in (folder / "report.html.j2").read_text(encoding="utf-8")


def test_jinja2_is_not_imported_by_the_registry() -> None:
    import subprocess
    import sys

    code = ("import sys, annotate.cli, annotate.report.review, annotate.report.review.view; "
            "print('jinja2' in sys.modules, 'markupsafe' in sys.modules)")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.split()
    assert shown == ["False", "False"]


# --- the report's data ------------------------------------------------------------------

def test_json_of_a_workspace_matches_the_schema(workspace: Path, run: Run) -> None:
    from tests.test_merge_cli import HEADS, TOKYO, TOKYO_SHORT, WELCOME, add

    add(run, "alice", "opinion", HEADS, "--note", "why", "--verdict", "false")
    add(run, "bob", "opinion", HEADS)
    add(run, "alice", "sourced", TOKYO)
    add(run, "bob", "opinion", TOKYO_SHORT)
    add(run, "carol", "opinion", WELCOME, "--tag", "x")
    assert run("merge", "--strategy", "majority").exit_code == 1  # TOKYO: a tie
    data = json.loads(run("report", "--format", "json").stdout)
    report_validator().validate(data)
    [document] = data["documents"]
    assert document["document"] == SEED_ID
    assert document["reviewers"] == ["alice", "bob", "carol"]
    assert [a["number"] for a in document["annotations"]] == [1, 2, 3, 4, 5]
    assert {a["shown"] for a in document["annotations"]} == {"drawn"}
    assert document["consensus"]["exists"] and document["consensus"]["current"] is True
    assert [c["label"] for c in document["consensus"]["records"]] == ["opinion"]
    [conflict] = document["merge"]["conflicts"]
    assert conflict["labels"] == {"alice": "sourced", "bob": "opinion"}
    assert document["merge"]["unresolved"] == [conflict["id"]]
    assert document["agreement"]["reviewers"] == 3
    alice = next(r for r in data["reviewers"] if r["reviewer"] == "alice")
    assert alice["labels"] == {"opinion": 1, "sourced": 1}
    assert alice["positions"] == {"marked": 2, "shared": 2, "same_label": 1}
    assert [w["reviewer"] for w in alice["agreement"]] == ["bob", "carol"]


def test_the_agreement_figures_are_annotate_agreements(workspace: Path, run: Run) -> None:
    # The report builds the reliability data from its dry-run merge instead of
    # reading every file again; it must measure what `annotate agreement` does,
    # stacked positions (one skipped: a reviewer's spans there differ) included.
    from tests.test_merge_cli import HEADS, TOKYO, TOKYO_SHORT, WELCOME, add

    add(run, "alice", "opinion", HEADS)
    add(run, "bob", "opinion", HEADS)
    add(run, "alice", "sourced", TOKYO)
    add(run, "alice", "opinion", TOKYO_SHORT)
    add(run, "bob", "opinion", TOKYO_SHORT)
    add(run, "carol", "opinion", WELCOME)
    ws = api.open_workspace(str(workspace))
    reported = api.report(ws)
    measured = api.agreement(ws)
    assert reported.agreement == measured
    assert reported.agreement is not None and reported.agreement.stacked_skipped == {SEED_ID: 1}
    assert reported.documents[0].agreement == measured.documents[0]


def test_the_bundled_corpus_report_matches_the_schema(tmp_path: Path) -> None:
    # The repository's own workspace: what the README's main command reports.
    import shutil

    for name in ("annotate.json", "corpus", "annotations"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name)
        else:
            shutil.copyfile(source, tmp_path / name)
    ws = api.open_workspace(str(tmp_path))
    found = api.report(ws)
    assert [d.document.id for d in found.documents] == [SEED_ID]
    assert len(found.documents[0].annotations) >= 15
    data = json.loads(RENDERERS["json"](found))
    report_validator().validate(data)
    assert data == view.build(found)  # the JSON is the view, nothing else
    assert api.agreement(ws) == found.agreement
