"""`annotate show`: the article with every span marked, numbered and (on a
terminal) painted in its label's colour, then the annotations listed."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from annotate.anchoring.textindex import LineIndex
from annotate.model import Annotation, Document, Project
from annotate.report.listing import one_line, to_json
from annotate.report.terminal import RESET, background, foreground

# Every renderer of `show` takes the same arguments; only the text uses the
# project (label colours) and the terminal's colour decision.
Renderer = Callable[[Document, Sequence[Annotation], Project, bool], str]


def is_anchored(annotation: Annotation, document: Document) -> bool:
    """True when the span can be drawn on this text: not orphaned, quote in place."""
    return (not annotation.orphaned
            and document.text[annotation.start:annotation.end] == annotation.quote)


def numbered(annotations: Sequence[Annotation]) -> list[Annotation]:
    """The order spans are numbered in: by position, longer first at one start."""
    return sorted(annotations, key=lambda a: (a.start, -a.end, a.reviewer, a.id))


def render_show(document: Document, annotations: Sequence[Annotation], project: Project,
                color: bool) -> str:
    """Markers "[n " and " n]" bracket span n; overlapping spans nest or interleave
    but stay readable because every marker carries its number."""
    ordered = numbered(annotations)
    drawn = [(n, a) for n, a in enumerate(ordered, start=1) if is_anchored(a, document)]
    opens: dict[int, list[int]] = {}
    closes: dict[int, list[int]] = {}
    for n, a in drawn:
        opens.setdefault(a.start, []).append(n)
        closes.setdefault(a.end, []).append(n)
    colors = {n: _label_color(project, a.label) for n, a in drawn}
    text = document.text
    out: list[str] = []
    active: list[int] = []
    cuts = sorted({0, len(text), *opens, *closes})
    for here, following in zip(cuts, [*cuts[1:], len(text)], strict=True):
        for n in reversed(closes.get(here, [])):
            active.remove(n)
            out.append(_marker(f" {n}]", colors[n], color))
        for n in opens.get(here, []):
            active.append(n)
            out.append(_marker(f"[{n} ", colors[n], color))
        piece = text[here:following]
        if color and active and piece:
            # Paint line by line so a colour never bleeds across a line break.
            paint = background(colors[active[-1]])
            piece = "\n".join(f"{paint}{part}{RESET}" if part else part
                              for part in piece.split("\n"))
        out.append(piece)
    body = "".join(out)
    if not body.endswith("\n"):
        body += "\n"
    return body + "\n" + _legend(document, ordered, project, color)


def _label_color(project: Project, name: str) -> str:
    label = project.label(name)
    return label.color if label else "#808080"


def _marker(marker: str, label_color: str, color: bool) -> str:
    return f"{foreground(label_color)}{marker}{RESET}" if color else marker


def _legend(document: Document, ordered: Sequence[Annotation], project: Project,
            color: bool) -> str:
    if not ordered:
        return "No annotations.\n"
    index = LineIndex(document.text)
    lines = []
    for n, a in enumerate(ordered, start=1):
        line, column = index.position(min(a.start, len(document.text)))
        label = a.label
        if color:
            label = f"{foreground(_label_color(project, a.label))}{label}{RESET}"
        state = ""
        if a.orphaned:
            state = " (orphaned: run 'annotate reanchor')"
        elif not is_anchored(a, document):
            state = " (stale: the document changed; run 'annotate reanchor')"
        lines.append(f"[{n}] {label} by {a.reviewer} at {line}:{column} ({a.id}){state}")
        lines.append(f"    “{one_line(a.quote, 100)}”")
        if a.verdict:
            lines.append(f"    verdict: {a.verdict}")
        if a.note:
            lines.append(f"    note: {one_line(a.note, 200)}")
        lines.extend(f"    source: {url}" for url in a.sources)
        if a.tags:
            lines.append(f"    tags: {', '.join(a.tags)}")
    return "\n".join(lines) + "\n"


def show_json(document: Document, annotations: Sequence[Annotation],
              project: Project | None = None, color: bool = False) -> str:
    """The document's id and version, and each annotation with its number and line:column."""
    index = LineIndex(document.text)
    items: list[dict[str, Any]] = []
    for n, a in enumerate(numbered(annotations), start=1):
        line, column = index.position(min(a.start, len(document.text)))
        items.append({"number": n, "line": line, "column": column,
                      "anchored": is_anchored(a, document), "annotation": a.to_record()})
    return to_json({"document": document.id, "sha256": document.sha256, "annotations": items})


RENDERERS: Mapping[str, Renderer] = MappingProxyType({
    "text": render_show,
    "json": show_json,
})
