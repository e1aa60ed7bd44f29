"""The HTML report in a real browser: Debian's chromium, headless, driven by
Playwright (never a browser Playwright downloads).

The page loads from a file with no console message, no page error and no
network request but the file itself; no script from the annotations runs
(the title stays, no image or script element exists); the highlighted text
is exactly the annotated spans; moving to a highlight with the Tab key shows
its details; it fits a phone's width and prints.

On CI (CI set, as .ci/run runs) a missing chromium or Playwright fails the
test: .ci/run installs chromium, tox installs Playwright from the test
extra.  Elsewhere the test is skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from annotate.model import Document
from annotate.report.review import RENDERERS, page
from tests.conftest import Run
from tests.test_report import annotation, plain_report
from tests.test_report_hostile import HOSTILE_TEXT, hostile  # noqa: F401 (a fixture)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

# Read at import: conftest's isolated_environment unsets CI inside each test.
ON_CI = bool(os.environ.get("CI"))
CHROMIUM = "/usr/bin/chromium"
# --headless and no sandbox (CI runs as root); the rest keep chromium from
# trying to reach the network on its own (updates, sync, first-run pages).
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
TITLE = "Fact-check report: test desk"


def _missing() -> str | None:
    if shutil.which(CHROMIUM) is None:
        return f"no {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    missing = _missing()
    if missing is not None:
        if ON_CI:
            pytest.fail(f"{missing}: CI must run the browser test (.ci/run installs chromium)")
        pytest.skip(f"{missing}; CI runs this test")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


class Loaded:
    """A page loaded from a file, with everything it asked for and said."""

    def __init__(self, browser: Browser, path: Path, width: int = 1200,
                 height: int = 900) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page: Page = self.context.new_page()
        self.requests: list[str] = []
        self.console: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda message: self.console.append(
            f"{message.type}: {message.text}"))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.url = path.resolve().as_uri()
        self.page.goto(self.url, wait_until="load")

    def quiet(self) -> None:
        """Nothing but the file was requested; nothing was said or thrown."""
        assert self.requests == [self.url]
        assert self.console == []
        assert self.errors == []

    def evaluate(self, script: str) -> Any:
        return self.page.evaluate(script)


# Each highlight's span numbers and its own text (not its details' text).
MARKS = """Array.from(document.querySelectorAll('mark.hl')).map(m => [m.dataset.a,
  Array.from(m.childNodes).filter(n => n.nodeType === 3).map(n => n.data).join('')])"""


def as_parsed(text: str) -> str:
    """What the HTML parser makes of text: line ends become \\n (and a NUL
    never reaches it: page.visible shows it as \\x00)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def test_the_report_in_a_browser(browser: Browser, hostile: Document,  # noqa: F811
                                 run: Run, workspace: Path) -> None:
    import json

    assert run("merge", "hostile.txt", "--strategy", "union").exit_code in (0, 1)
    assert run("report", "hostile.txt", "-o", "report.html").exit_code == 0
    data = json.loads(run("report", "hostile.txt", "--format", "json").stdout)
    annotations = data["documents"][0]["annotations"]
    loaded = Loaded(browser, workspace / "report.html")
    try:
        loaded.quiet()
        # No script from the annotations ran, none could: no such element exists.
        assert loaded.page.title() == TITLE
        assert loaded.evaluate("document.querySelectorAll('script, img, iframe, object, "
                               "embed, [onerror], [onload]').length") == 0
        csp = loaded.evaluate("document.querySelector('meta[http-equiv="
                              "\"Content-Security-Policy\"]').content")
        assert csp.startswith("default-src 'none'; style-src 'sha256-")
        # The highlighted text is exactly the annotated spans.
        marks = loaded.evaluate(MARKS)
        texts: dict[int, str] = {}
        for numbers, text in marks:
            for number in map(int, numbers.split()):
                texts[number] = texts.get(number, "") + text
        assert {a["number"]: texts[a["number"]] for a in annotations} == {
            a["number"]: as_parsed(page.visible(a["record"]["quote"])) for a in annotations}
        covered = sorted({i for a in annotations
                          for i in range(a["record"]["start"], a["record"]["end"])})
        union = "".join(HOSTILE_TEXT[i] for i in covered)
        assert "".join(text for _, text in marks) == as_parsed(page.visible(union))
        # The style sheet applied (the CSP's hash matched): details hidden until asked for.
        assert loaded.evaluate("getComputedStyle(document.querySelector('mark.hl .tip'))"
                               ".display") == "none"
        # Tab to the first highlight: its details show, inside the window.
        for _ in range(60):
            loaded.page.keyboard.press("Tab")
            if loaded.evaluate("document.activeElement.matches('mark.hl')"):
                break
        else:
            pytest.fail("Tab never reached a highlight")
        first = loaded.evaluate("document.activeElement.dataset.a").split()
        tip = loaded.page.locator("mark.hl:focus > .tip")
        assert tip.is_visible()
        box = tip.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 900 + 1
        shown = tip.inner_text()
        entry = next(a for a in annotations if str(a["number"]) == first[0])
        assert entry["record"]["label"] in shown and entry["record"]["reviewer"] in shown
        assert f"#{entry['number']}" in shown
        # One more Tab leaves it (or moves inside its details): never a blank panel.
        assert loaded.page.locator(".tip:visible").count() <= 1
        loaded.quiet()  # still nothing requested, said or thrown
        assert loaded.page.title() == TITLE
        # Printed: no details, no navigation; a PDF comes out.
        loaded.page.emulate_media(media="print")
        assert loaded.evaluate("getComputedStyle(document.querySelector('nav')).display") \
            == "none"
        assert loaded.page.pdf()[:5] == b"%PDF-"
    finally:
        loaded.context.close()


def test_the_report_fits_a_phone(browser: Browser, workspace: Path, run: Run) -> None:
    from tests.test_merge_cli import HEADS, TOKYO, add

    add(run, "alice", "opinion", HEADS, "--note", "a" * 300)
    add(run, "bob", "sourced", TOKYO, "--source",
        "https://example.org/a/very/long/address/" + "x" * 200)
    assert run("report", "-o", "phone.html").exit_code == 0
    loaded = Loaded(browser, workspace / "phone.html", width=390, height=844)
    try:
        loaded.quiet()
        assert loaded.evaluate("document.documentElement.scrollWidth") <= 390
        assert loaded.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('.article')).fontSize)") >= 14
        loaded.page.locator("mark.hl").first.focus()
        tip = loaded.page.locator("mark.hl:focus > .tip")
        assert tip.is_visible()
        box = tip.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1
    finally:
        loaded.context.close()


def test_a_hostile_source_is_no_link_in_a_browser(browser: Browser, tmp_path: Path) -> None:
    document = Document("doc.txt", "A claim here, and another.", "0" * 64)
    sources = ("javascript:document.title='pwned'", "data:text/html,<script>x</script>",
               "https://ok.example/")
    shown = plain_report(document, [
        annotation(document, 2, 7, sources=sources, note="<img src=x onerror=alert(1)>"),
        annotation(document, 4, 20, reviewer="bob", number=1, label="sourced",
                   sources=sources)])
    path = tmp_path / "page.html"
    path.write_text(RENDERERS["html"](shown), encoding="utf-8")
    loaded = Loaded(browser, path)
    try:
        loaded.quiet()
        hrefs = loaded.evaluate("Array.from(document.links).map(a => a.href)")
        # In the details of the three segments (the middle one has both spans)
        # and in the two entries of the list: only the web address is a link.
        assert [h for h in hrefs if not h.startswith(loaded.url + "#")] == [
            "https://ok.example/"] * 6
        assert loaded.page.title() == "Fact-check report: desk"
    finally:
        loaded.context.close()
