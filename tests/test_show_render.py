"""`annotate show`'s drawing (issue 8, items 16 and 24): the linear marker
sweep draws exactly what the simple one did; spans with no place in the
current text are listed apart, undrawn and without a stale line:column."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.model import Annotation, Document, Label, Project
from annotate.report.listing import one_line
from annotate.report.show import marked_text, render_show, show_json
from annotate.report.terminal import RESET, background, escape, foreground
from tests.conftest import HWASONG, SEED_ID, Run

PROJECT = Project("desk", "corpus", "annotations",
                  (Label("opinion", "An opinion.", "#9467bd"),
                   Label("sourced", "A source.", "#2ca02c", requires_source=True)), ())


def reference_marked_text(text: str, spans: Sequence[tuple[int, int, str]],
                          color: bool) -> str:
    """The drawing as it was before issue 8 (quadratic: list.remove per close),
    with the text escaped piece by piece as now."""
    opens: dict[int, list[int]] = {}
    closes: dict[int, list[int]] = {}
    for n, (start, end, _) in enumerate(spans, start=1):
        opens.setdefault(start, []).append(n)
        closes.setdefault(end, []).append(n)
    colors = {n: paint for n, (_, _, paint) in enumerate(spans, start=1)}

    def marker(text: str, paint: str) -> str:
        return f"{foreground(paint)}{text}{RESET}" if color else text

    out: list[str] = []
    active: list[int] = []
    cuts = sorted({0, len(text), *opens, *closes})
    for here, following in zip(cuts, [*cuts[1:], len(text)], strict=True):
        for n in reversed(closes.get(here, [])):
            active.remove(n)
            out.append(marker(f" {n}]", colors[n]))
        for n in opens.get(here, []):
            active.append(n)
            out.append(marker(f"[{n} ", colors[n]))
        piece = "\r\n".join(escape(part, keep="\n")
                            for part in text[here:following].split("\r\n"))
        if color and active and piece:
            paint = background(colors[active[-1]])
            piece = "\n".join(f"{paint}{part}{RESET}" if part else part
                              for part in piece.split("\n"))
        out.append(piece)
    return "".join(out)


@st.composite
def texts_and_spans(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, str]]]:
    text = draw(st.text(alphabet="ab \n\r\x1b\u202e", min_size=1, max_size=40))
    spans = []
    for _ in range(draw(st.integers(0, 12))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        spans.append((start, end, draw(st.sampled_from(["#9467bd", "#2ca02c", "#ffffff"]))))
    # show numbers spans by position, longer first at one start; any order must work.
    if draw(st.booleans()):
        spans.sort(key=lambda span: (span[0], -span[1]))
    return text, spans


@settings(max_examples=400, deadline=None)
@given(texts_and_spans(), st.booleans())
def test_the_linear_sweep_draws_what_the_simple_one_did(
        case: tuple[str, list[tuple[int, int, str]]], color: bool) -> None:
    text, spans = case
    assert marked_text(text, spans, color) == reference_marked_text(text, spans, color)


def test_nested_identical_and_interleaved_spans() -> None:
    text = "abcdefgh"
    spans = [(0, 8, "#9467bd"), (0, 8, "#9467bd"), (2, 5, "#2ca02c"), (4, 7, "#2ca02c")]
    assert marked_text(text, spans, False) == "[1 [2 ab[3 cd[4 e 3]fg 4]h 2] 1]"


@given(st.text(alphabet="ab \n\t\x1c\x85\u2028", max_size=60), st.integers(1, 20))
def test_one_line_reads_only_as_far_as_it_shows(text: str, limit: int) -> None:
    collapsed = " ".join(text.split())
    expected = collapsed if len(collapsed) <= limit else collapsed[:limit - 1] + "…"
    assert one_line(text, limit) == expected


# --- spans with no place in the current text --------------------------------------------

TEXT = "First sentence here. Second sentence there. Third one.\n"
DOCUMENT = Document("doc.txt", TEXT, "1" * 64)


def annotation(identifier: str, at: str, **changes: object) -> Annotation:
    """An annotation of the text at `at`, with some fields changed."""
    start = TEXT.index(at)
    return Annotation(identifier, "doc.txt", "1" * 64, start, start + len(at), at, "", "",
                      "opinion", "alice", "", (), "2026-01-01T00:00:00Z",
                      "2026-01-01T00:00:00Z").replace(**changes)


def test_orphans_are_listed_apart_undrawn_and_without_a_location() -> None:
    drawn = annotation("06h2e4hayr000001", "Third one.")
    # Orphaned by re-anchoring: its old offsets now cover "Second sentence".
    orphan = annotation("06h2e4hayr000002", "Second sentence", orphaned=True,
                        quote="A deleted sentence", document_sha256="2" * 64)
    stale = annotation("06h2e4hayr000003", "First", quote="Fist",
                       document_sha256="3" * 64)
    shown = render_show(DOCUMENT, [stale, orphan, drawn], PROJECT, False)
    body, legend = shown.split("\n\n", 1)
    assert body == "First sentence here. Second sentence there. [1 Third one. 1]"
    assert legend == (
        "[1] opinion by alice at 1:45 (06h2e4hayr000001)\n"
        "    “Third one.”\n"
        "\n"
        "Orphaned (no place in the current text; fix them by hand or remove them):\n"
        "[2] opinion by alice (06h2e4hayr000002)\n"
        "    last known quote: “A deleted sentence”\n"
        "\n"
        "Not drawn (their quote is not at their offsets in the current text):\n"
        "[3] opinion by alice (06h2e4hayr000003) "
        "(stale: the document changed; run 'annotate reanchor')\n"
        "    “Fist”\n")
    items = json.loads(show_json(DOCUMENT, [stale, orphan, drawn]))["annotations"]
    assert [(i["number"], i["annotation"]["id"][-1], i["anchored"], i["line"], i["column"])
            for i in items] == [(1, "1", True, 1, 45), (2, "2", False, None, None),
                                (3, "3", False, None, None)]


def test_an_orphan_after_reanchor_is_shown_apart(workspace: Path, run: Run) -> None:
    opinion = "That would also be surprising with regard to North Korea."
    kept = run("add", SEED_ID, "--label", "speculative", "--quote", HWASONG).stdout.strip()
    gone = run("add", SEED_ID, "--label", "opinion", "--quote", opinion).stdout.strip()
    path = workspace / "corpus" / SEED_ID
    path.write_text(path.read_text(encoding="utf-8").replace(opinion, ""), encoding="utf-8")
    assert run("reanchor").exit_code == 1
    shown = run("show", SEED_ID).stdout
    assert f"[1 {HWASONG} 1]" in shown and "[2 " not in shown
    assert f"[1] speculative by alice at 44:142 ({kept})" in shown
    orphans = shown.split("Orphaned (no place in the current text")[1]
    assert orphans.splitlines()[1:3] == [f"[2] opinion by alice ({gone})",
                                         f"    last known quote: “{opinion}”"]
    items = json.loads(run("show", SEED_ID, "--format", "json").stdout)["annotations"]
    assert [(i["number"], i["line"]) for i in items] == [(1, 44), (2, None)]
