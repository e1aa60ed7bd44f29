"""Benchmark for `annotate show` with many overlapping spans (issue 8, item 16).

`show` with 200,000 overlapping spans took 227 s: every closing marker did a
``list.remove`` on the list of open spans, quadratic when the spans overlap.
This script renders a generated 1 MB article with spans that all overlap
(each one contains the middle of the text: the worst case), and with spans
spread over the text, and prints, in one run:

- on 5,000, 20,000 and 50,000 spans (where the old renderer finishes): the
  old renderer (a copy of report/show.py before issue 8, below), the new one,
  and their ratio; both outputs are checked to be identical;
- on 200,000 spans: the new renderer's absolute time, plain and coloured
  (the old one only with --old-at-200k: it takes minutes).

Medians of --runs runs, old and new interleaved.

    python benchmarks/bench_show.py [--runs 3] [--old-at-200k]

item_16 gives bench_hardening.py the figures of this item, each beside its
bound: the time per span from 20,000 to 200,000 spans, and the new renderer
against the old one.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import time
from collections.abc import Callable, Sequence

from harness import Context, Figure

from annotate.anchoring.textindex import LineIndex
from annotate.model import Annotation, Document, Label, Project
from annotate.report.show import render_show
from annotate.report.terminal import RESET, background, foreground

TEXT_SIZE = 1_000_000
# Spans reach up to this far either side of the middle in the worst case:
# short quotes, as in a real file, so 200,000 of them fit in memory.
REACH = 200
PROJECT = Project("bench", "corpus", "annotations", (
    Label("sourced", "", "#2ca02c"), Label("unsourced", "", "#d62728"),
    Label("disputed", "", "#ff7f0e"), Label("speculative", "", "#9467bd"),
    Label("opinion", "", "#8c564b")), ())
WORDS = ("the of and to in a is that for on with as was by kim putin summit missile "
         "launch site russian korean cooperation talks satellite far east leader").split()


# --- data ---------------------------------------------------------------------


def article(size: int, seed: int = 1) -> Document:
    """Lines of words, about 80 characters each, size characters in all."""
    rng = random.Random(seed)
    lines, total = [], 0
    while total < size:
        line = " ".join(rng.choice(WORDS) for _ in range(14))
        lines.append(line)
        total += len(line) + 1
    text = "\n".join(lines)[:size]
    return Document("bench.txt", text, "0" * 64)


def spans(document: Document, count: int, layout: str, seed: int = 2) -> list[Annotation]:
    """count anchored annotations: "nested" all contain the middle of the text;
    "spread" are 1 to 2,000 characters long anywhere."""
    rng = random.Random(seed)
    text = document.text
    middle = len(text) // 2
    labels = [label.name for label in PROJECT.labels]
    found = []
    for number in range(count):
        if layout == "nested":
            start = middle - rng.randint(1, REACH)
            end = middle + rng.randint(1, REACH)
        else:
            start = rng.randrange(len(text) - 1)
            end = min(len(text), start + rng.randint(1, 2000))
        found.append(Annotation(
            id=f"{number:016d}", document=document.id, document_sha256=document.sha256,
            start=start, end=end, quote=text[start:end], prefix="", suffix="",
            label=rng.choice(labels), reviewer=f"r{number % 7}", note="",
            sources=(), created="2026-01-01T00:00:00Z", modified="2026-01-01T00:00:00Z"))
    return found


# --- the renderer before issue 8 (report/show.py), for the ratio ----------------------


def old_render_show(document: Document, annotations: Sequence[Annotation],
                    project: Project, color: bool) -> str:
    """report/show.py's render_show as it was before issue 8, unchanged."""
    ordered = sorted(annotations, key=lambda a: (a.start, -a.end, a.reviewer, a.id))
    drawn = [(n, a) for n, a in enumerate(ordered, start=1) if _old_anchored(a, document)]
    opens: dict[int, list[int]] = {}
    closes: dict[int, list[int]] = {}
    for n, a in drawn:
        opens.setdefault(a.start, []).append(n)
        closes.setdefault(a.end, []).append(n)
    colors = {n: _old_label_color(project, a.label) for n, a in drawn}
    text = document.text
    out: list[str] = []
    active: list[int] = []
    cuts = sorted({0, len(text), *opens, *closes})
    for here, following in zip(cuts, [*cuts[1:], len(text)], strict=True):
        for n in reversed(closes.get(here, [])):
            active.remove(n)
            out.append(_old_marker(f" {n}]", colors[n], color))
        for n in opens.get(here, []):
            active.append(n)
            out.append(_old_marker(f"[{n} ", colors[n], color))
        piece = text[here:following]
        if color and active and piece:
            paint = background(colors[active[-1]])
            piece = "\n".join(f"{paint}{part}{RESET}" if part else part
                              for part in piece.split("\n"))
        out.append(piece)
    body = "".join(out)
    if not body.endswith("\n"):
        body += "\n"
    return body + "\n" + _old_legend(document, ordered, project, color)


def _old_anchored(annotation: Annotation, document: Document) -> bool:
    return (not annotation.orphaned
            and document.text[annotation.start:annotation.end] == annotation.quote)


def _old_label_color(project: Project, name: str) -> str:
    label = project.label(name)
    return label.color if label else "#808080"


def _old_marker(marker: str, label_color: str, color: bool) -> str:
    return f"{foreground(label_color)}{marker}{RESET}" if color else marker


def _old_one_line(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _old_legend(document: Document, ordered: Sequence[Annotation], project: Project,
                color: bool) -> str:
    if not ordered:
        return "No annotations.\n"
    index = LineIndex(document.text)
    lines = []
    for n, a in enumerate(ordered, start=1):
        line, column = index.position(min(a.start, len(document.text)))
        label = a.label
        if color:
            label = f"{foreground(_old_label_color(project, a.label))}{label}{RESET}"
        state = ""
        if a.orphaned:
            state = " (orphaned: run 'annotate reanchor')"
        elif not _old_anchored(a, document):
            state = " (stale: the document changed; run 'annotate reanchor')"
        lines.append(f"[{n}] {label} by {a.reviewer} at {line}:{column} ({a.id}){state}")
        lines.append(f"    “{_old_one_line(a.quote, 100)}”")
        if a.verdict:
            lines.append(f"    verdict: {a.verdict}")
        if a.note:
            lines.append(f"    note: {_old_one_line(a.note, 200)}")
        lines.extend(f"    source: {url}" for url in a.sources)
        if a.tags:
            lines.append(f"    tags: {', '.join(a.tags)}")
    return "\n".join(lines) + "\n"


# --- measuring ----------------------------------------------------------------


Render = Callable[[Document, Sequence[Annotation], Project, bool], str]


def timed(render: Render, document: Document, annotations: Sequence[Annotation],
          color: bool) -> tuple[float, str]:
    started = time.perf_counter()
    output = render(document, annotations, PROJECT, color)
    return time.perf_counter() - started, output


def compare(document: Document, annotations: list[Annotation], runs: int,
            color: bool = False) -> tuple[float, float, bool]:
    """Median seconds of the old and the new renderer, interleaved, and
    whether their outputs were the same every time."""
    old_times, new_times, same = [], [], True
    for _ in range(runs):
        old_seconds, old_output = timed(old_render_show, document, annotations, color)
        new_seconds, new_output = timed(render_show, document, annotations, color)
        same = same and old_output == new_output
        old_times.append(old_seconds)
        new_times.append(new_seconds)
    return statistics.median(old_times), statistics.median(new_times), same


def median_time(document: Document, annotations: list[Annotation], runs: int,
                color: bool) -> float:
    """Median seconds of the new renderer."""
    return statistics.median(timed(render_show, document, annotations, color)[0]
                             for _ in range(runs))


def item_16(context: Context) -> list[Figure]:
    """`show` on a 1 MB article with overlapping spans: the time per span at
    200,000 spans over that at 20,000 (linear or n log n: at most about 2;
    quadratic would be 10), and the renderer before issue 8 (227 s on
    200,000) as the baseline on nested spans where it finishes."""
    runs = 1 if context.small else 3
    few, many = (5_000, 50_000) if context.small else (20_000, 200_000)
    document = article(TEXT_SIZE)
    figures = []
    for count in (5_000, 20_000) if context.small else (20_000, 50_000):
        old, new, same = compare(document, spans(document, count, "nested"), runs)
        figures.append(Figure(f"`show` {count:,} nested spans (bound: the old renderer)",
                              new, old, "s", f"old/new {old / new:.1f}x"))
        figures.append(Figure("  ... the same output as the old renderer",
                              1.0 if same else 0.0, 1.0, "check"))
    for layout in ("nested", "spread"):
        sizes = {count: spans(document, count, layout) for count in (few, many)}
        for color in (False, True):
            shown = f"{layout}{', coloured' if color else ''}"
            small = median_time(document, sizes[few], runs, color)
            large = median_time(document, sizes[many], runs, color)
            figures.append(Figure(
                f"`show` time per span, {many // 1000}k / {few // 1000}k spans, {shown}",
                (large / many) / (small / few), 2.0, "x",
                f"{many // 1000}k: {large:.2f} s, {few // 1000}k: {small:.3f} s"))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--old-at-200k", action="store_true",
                        help="also time the old renderer on 200,000 spans (minutes)")
    options = parser.parse_args()
    begun = time.perf_counter()
    print(f"`annotate show` benchmark, Python {platform.python_version()} on "
          f"{platform.machine()}; medians of {options.runs} runs, old and new interleaved")
    document = article(TEXT_SIZE)
    print(f"1 MB article ({len(document.text):,} characters); 'nested': every span "
          f"contains the middle of the text (up to {REACH} characters either side), "
          "'spread': 1 to 2,000 characters anywhere")
    print("\n  layout   spans     old (before)       new     ratio old/new")
    for layout in ("nested", "spread"):
        for count in (5_000, 20_000, 50_000):
            old, new, same = compare(document, spans(document, count, layout), options.runs)
            if not same:
                raise SystemExit("the new renderer's output differs from the old one's")
            print(f"  {layout:7} {count:7,}   {old:9.3f} s   {new:8.3f} s   {old / new:8.1f}x")
    print("\n  200,000 spans, new renderer only (target: linear or n log n; it was 227 s)")
    for layout in ("nested", "spread"):
        annotations = spans(document, 200_000, layout)
        for color in (False, True):
            seconds = median_time(document, annotations, options.runs, color)
            print(f"  {layout:7} {'coloured' if color else 'plain':9} {seconds:8.3f} s")
        if options.old_at_200k:
            seconds = timed(old_render_show, document, annotations, False)[0]
            print(f"  {layout:7} old, plain {seconds:8.1f} s")
    print(f"\nTotal run: {time.perf_counter() - begun:.0f} s")


if __name__ == "__main__":
    main()
