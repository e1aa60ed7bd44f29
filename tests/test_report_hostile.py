"""Hostile input in `annotate report`: markup, template syntax, scripts,
`javascript:` addresses, control and bidi characters, text outside the BMP,
combining marks, CRLF and a 1 MB document, in the article, quotes, notes,
tags and sources.  Every one shows as text in the HTML (checked by parsing
the page), stays literal in Markdown, stays data in JSON and CSV, and is
escaped on a terminal."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from annotate.model import Document
from annotate.report.review import RENDERERS, page
from annotate.report.review.segments import segments
from tests.conftest import Run
from tests.test_report import annotation, plain_report, report_validator
from tests.test_terminal import on_terminal

ESC, RLO, PDF, BEL = "\x1b", "\u202e", "\u202c", "\x07"
IMG = "<img src=x onerror=\"document.title='pwned'\">"
SCRIPT = "</script><script>document.title='pwned'</script>"
NOTES = (IMG, SCRIPT, "{{ 7*7 }} {% raw %}", "[click](javascript:alert(1)) | a | b |",
         f"bell{BEL} clear{ESC}[2J {RLO}desrever{PDF}", "@everyone `code` *bold*",
         "😀 𝔘𝔫𝔦 cafe\u0301 a\u0308\u0301")
# A document with all of it in the text, CRLF line ends, and a NUL.
HOSTILE_TEXT = ("Title <b>bold</b> &amp; &lt;\r\n"
                f"{SCRIPT} then {IMG}.\r\n"
                f"Bidi {RLO}evil{PDF} and bell{BEL} and nul\x00 and esc{ESC}[31m red.\r\n"
                "Astral 😀 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 and combining cafe\u0301 na\u0308ive.\r\n"
                "The end {{ 7*7 }} {% if 1 %}x{% endif %}.\n")


class Page(HTMLParser):
    """What a browser would build, for the checks: every tag and attribute,
    and the text of each highlight (without its details)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.marks: list[tuple[str, list[str]]] = []  # (numbers, text pieces)
        self._in_mark = False
        self._tip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        if tag == "mark" and "hl" in (found.get("class") or "").split():
            self._in_mark = True
            self.marks.append((found.get("data-a") or "", []))
        elif self._in_mark and tag == "span" and (self._tip_depth
                                                  or found.get("class") == "tip"):
            self._tip_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self._tip_depth and tag == "span":
            self._tip_depth -= 1
        elif tag == "mark":
            self._in_mark = False

    def handle_data(self, data: str) -> None:
        if self._in_mark and not self._tip_depth:
            self.marks[-1][1].append(data)


def parsed(html: str) -> Page:
    found = Page()
    found.feed(html)
    found.close()
    return found


def assert_inert(html: str) -> Page:
    """No script, no event handler, no image, frame, object or style but ours,
    and only http(s) or same-page links."""
    found = parsed(html)
    tags = [tag for tag, _ in found.tags]
    for forbidden in ("script", "img", "iframe", "object", "embed", "link", "base", "form",
                      "svg", "math", "audio", "video", "source", "frame"):
        assert forbidden not in tags, forbidden
    assert tags.count("style") == 1
    # charset, Content-Security-Policy, viewport, referrer, generator
    assert tags.count("meta") == 5
    for tag, attrs in found.tags:
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        href = attrs.get("href")
        if href is not None:
            assert href.startswith(("#", "https://", "http://")), href
        assert "style" not in attrs, tag  # the CSP hashes the style sheet: no inline styles
    return found


def highlighted(found: Page) -> dict[int, str]:
    """Each span's highlighted text: the segments that list its number, in order."""
    texts: dict[int, str] = {}
    for numbers, pieces in found.marks:
        for number in map(int, numbers.split()):
            texts[number] = texts.get(number, "") + "".join(pieces)
    return texts


@pytest.fixture
def hostile(workspace: Path, run: Run) -> Document:
    """The hostile document in the corpus, annotated by three reviewers with
    hostile notes and tags, overlapping and nested."""
    (workspace / "corpus" / "hostile.txt").write_bytes(HOSTILE_TEXT.encode("utf-8"))
    spans = [(SCRIPT, "alice"), (IMG, "bob"), (f"{SCRIPT} then {IMG}", "carol"),
             (f"{RLO}evil{PDF}", "alice"), ("Astral 😀 𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "bob"),
             ("cafe\u0301 na\u0308ive", "carol"), ("{{ 7*7 }}", "alice"),
             ("nul\x00 and esc", "bob")]
    for (quote, reviewer), note in zip(spans, NOTES * 2, strict=False):
        start = HOSTILE_TEXT.index(quote)
        result = run("add", "hostile.txt", "--label", "opinion", "--start", str(start),
                     "--end", str(start + len(quote)), "--reviewer", reviewer, "--note", note,
                     "--tag", "x<y>&z")
        assert result.exit_code == 0, result.stderr
    return Document("hostile.txt", HOSTILE_TEXT, "")


def test_html_of_hostile_annotations_is_inert_and_exact(hostile: Document, run: Run,
                                                        workspace: Path) -> None:
    result = run("report", "hostile.txt", "-o", "page.html")
    assert result.exit_code == 0, result.stderr
    with open(workspace / "page.html", encoding="utf-8", newline="") as handle:
        html = handle.read()
    found = assert_inert(html)
    for note in (IMG, SCRIPT):
        assert note not in html  # only ever escaped
    assert "&lt;img src=x onerror=" in html and "&lt;/script&gt;&lt;script&gt;" in html
    # Data, never a template: each stays as written.  ("49" may well be in
    # the page: a timestamp's seconds, a random id; the test once failed so.)
    assert "{{ 7*7 }} {% raw %}" in html and "{% if 1 %}x{% endif %}" in html
    assert RLO not in html and ESC not in html and BEL not in html and "\x00" not in html
    assert "&lt;U+202E&gt;evil" in html and "\\x1b[31m" in html
    assert "😀 𝔘𝔫𝔦" in html and "cafe\u0301" in html  # astral and combining kept as they are
    assert "\r\n" in html  # the article keeps its line ends
    data = json.loads(run("report", "hostile.txt", "--format", "json").stdout)
    report_validator().validate(data)
    annotations = data["documents"][0]["annotations"]
    assert len(annotations) == 8
    texts = highlighted(found)
    for entry in annotations:
        assert texts[entry["number"]] == page.visible(entry["record"]["quote"])
    # All highlighted text together is the union of the spans, in order.
    covered = set()
    for entry in annotations:
        covered.update(range(entry["record"]["start"], entry["record"]["end"]))
    union = "".join(HOSTILE_TEXT[i] for i in sorted(covered))
    assert "".join("".join(pieces) for _, pieces in found.marks) == page.visible(union)


def test_markdown_of_hostile_annotations_stays_literal(hostile: Document, run: Run) -> None:
    text = run("report", "hostile.txt", "--format", "md").stdout
    assert not re.search(r"(?<!\\)<(?!https?://)", text)  # no HTML, only autolinks
    assert not re.search(r"(?<!\\)\]\(", text)  # no link but autolinks
    assert "\\[click\\](javascript:alert(1)) \\| a \\| b \\|" in text
    assert "@\u2060everyone" in text and "\\`code\\` \\*bold\\*" in text
    assert RLO not in text and ESC not in text and BEL not in text and "\x00" not in text
    for line in text.splitlines():
        if line.startswith("| "):  # every table row keeps its columns
            cells = re.split(r"(?<!\\)\|", line)
            assert len(cells) in (9, 5, 6, 4, 7), line


def test_markdown_of_hostile_annotations_renders_as_text(hostile: Document, run: Run) -> None:
    # A CommonMark renderer with GitHub's tables and strikethrough (raw HTML
    # on, as GitHub parses it before sanitising): user text makes no HTML, no
    # link but autolinks, no emphasis or code, and each note is one whole
    # table cell (a pipe that split it would drop the rest: a renderer cuts a
    # row to the header's columns).
    from markdown_it import MarkdownIt

    text = run("report", "hostile.txt", "--format", "md").stdout
    renderer = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    tokens = renderer.parse(text)
    kinds = {token.type for token in tokens}
    assert "html_block" not in kinds
    children = [child for token in tokens for child in token.children or ()]
    assert {child.type for child in children} <= {
        "text", "softbreak", "strong_open", "strong_close", "link_open", "link_close",
        "code_inline"}
    for child in children:
        if child.type == "link_open":
            assert child.markup == "autolink" and str(child.attrs["href"]).startswith("http")
        if child.type == "code_inline":  # only the commands we name
            assert child.content.startswith("annotate "), child.content
    strong = [children[i + 1].content for i, child in enumerate(children)
              if child.type == "strong_open"]
    assert set(strong) <= {"Consensus", "Open conflicts", "Note:", "out of date",
                           "Orphaned", "Not drawn"}
    html = renderer.render(text)
    assert "<img" not in html and "<script" not in html
    cells = re.findall(r"<td>(.*?)</td>", html)
    for note in (IMG, SCRIPT, NOTES[2], NOTES[3]):
        shown = note.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
            '"', "&quot;")
        assert shown in cells, note


def test_json_and_csv_keep_hostile_text_as_data(hostile: Document, run: Run) -> None:
    raw = run("report", "hostile.txt", "--format", "json").stdout
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", raw)  # controls are \u escapes
    data = json.loads(raw)
    assert data["documents"][0]["text"] == HOSTILE_TEXT
    notes = {a["record"]["note"] for a in data["documents"][0]["annotations"]}
    assert set(NOTES) <= notes
    rows = list(csv.DictReader(io.StringIO(run("report", "hostile.txt", "--format",
                                               "csv").stdout, newline="")))
    # As they are, but the one a spreadsheet would run: '@everyone ...
    assert {row["note"] for row in rows} >= {*NOTES[:5], "'" + NOTES[5], NOTES[6]}
    assert {row["tags"] for row in rows} == {"x<y>&z"}


def test_on_a_terminal_the_output_is_escaped(hostile: Document, workspace: Path) -> None:
    code, shown = on_terminal(["report", "hostile.txt", "--format", "csv"], cwd=workspace)
    assert code == 0
    assert ESC not in shown.replace("\x1b[", "") and RLO not in shown and BEL not in shown
    assert "\\x1b[2J" in shown and "<U+202E>" in shown
    code, shown = on_terminal(["report", "hostile.txt"], cwd=workspace)
    assert code == 0
    assert "annotate: note: this is an HTML page: write it to a file with -o report.html" \
        in shown


@pytest.mark.parametrize("source", ["javascript:alert(1)", "JAVASCRIPT:alert(1)",
                                    "data:text/html,<script>alert(1)</script>",
                                    "https://ok.example/\" onmouseover=\"alert(1)",
                                    "vbscript:msgbox(1)"])
def test_a_source_that_is_no_web_address_is_no_link(source: str) -> None:
    # The rule book refuses such sources, so only a report built by hand can
    # carry one: the renderers must not trust it either.
    document = Document("doc.txt", "A claim here.", "0" * 64)
    shown = plain_report(document, [annotation(document, 2, 7, sources=(source,))])
    html = RENDERERS["html"](shown)
    found = assert_inert(html)
    assert not [attrs for tag, attrs in found.tags if tag == "a"
                and (attrs.get("href") or "").lower().startswith(("javascript", "data", "vb"))]
    assert "(not a web address)" in html
    markdown = RENDERERS["md"](shown)
    assert f"<{source}>" not in markdown and "](" not in markdown


def test_a_1_mb_document_with_a_long_and_many_short_spans(workspace: Path) -> None:
    line = "Claims: the missile flew 1,000 km; officials say so — “quoted” 😀 text.\n"
    text = line * (1_000_000 // len(line))
    document = Document("big.txt", text, "0" * 64)
    spans = [annotation(document, 0, len(text) - 1, label="sourced", reviewer="alice",
                        sources=("https://example.org/",), note="the whole thing")]
    spans += [annotation(document, start, start + 30, reviewer=f"r{n % 3}", number=n + 1,
                         note=IMG) for n, start in enumerate(range(10, len(text) - 40, 9_973))]
    report = plain_report(document, spans)
    html = RENDERERS["html"](report)
    found = assert_inert(html)
    texts = highlighted(found)
    assert texts[1] == text[:-1]
    assert len(texts) == len(spans)
    assert len(segments(len(text), [(a.start, a.end) for a in spans])) <= 2 * len(spans) + 1
    data = json.loads(RENDERERS["json"](report))
    csv.field_size_limit(2_000_000)
    report_validator().validate(data)
    assert data["documents"][0]["characters"] == len(text)
    assert len(list(csv.reader(io.StringIO(RENDERERS["csv"](report))))) == len(spans) + 1
    assert len(RENDERERS["md"](report)) < 200_000  # quotes are cut in a comment
