"""`annotate show`: the article with every span marked, numbered and (on a
terminal) painted in its label's colour, then the annotations listed.

Only spans whose quote stands at their offsets in the current text are
drawn.  The others (orphaned by re-anchoring, or made on another version of
the text and not re-anchored yet) are listed apart with their last known
quote and no line:column: their offsets point into a text they were not made
on (issue 8, item 24).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from annotate.anchoring.textindex import LineIndex
from annotate.model import Annotation, Document, Project
from annotate.report.listing import terminal_line, to_json
from annotate.report.terminal import RESET, background, escape, foreground

# Every renderer of `show` takes the same arguments; only the text uses the
# project (label colours) and the terminal's colour decision.
Renderer = Callable[[Document, Sequence[Annotation], Project, bool], str]


def is_anchored(annotation: Annotation, document: Document) -> bool:
    """True when the span can be drawn on this text: not orphaned, quote in place."""
    return (not annotation.orphaned
            and document.text[annotation.start:annotation.end] == annotation.quote)


def numbered(document: Document, annotations: Sequence[Annotation]
             ) -> list[tuple[Annotation, bool]]:
    """Each annotation and whether it is drawn, in the order spans are numbered:
    the drawn ones by position (longer first at one start), then the orphaned,
    then the others that are not drawn (as the legend lists them)."""
    ordered = sorted(annotations, key=lambda a: (a.start, -a.end, a.reviewer, a.id))
    anchored = [is_anchored(a, document) for a in ordered]
    return sorted(((a, drawn) for a, drawn in zip(ordered, anchored, strict=True)),
                  key=lambda pair: 0 if pair[1] else 1 if pair[0].orphaned else 2)


def render_show(document: Document, annotations: Sequence[Annotation], project: Project,
                color: bool) -> str:
    """Markers "[n " and " n]" bracket span n; overlapping spans nest or interleave
    but stay readable because every marker carries its number."""
    ordered = numbered(document, annotations)
    body = marked_text(document.text,
                       [(a.start, a.end, _label_color(project, a.label))
                        for a, drawn in ordered if drawn], color)
    if not body.endswith("\n"):
        body += "\n"
    return body + "\n" + _legend(document, ordered, project, color)


def marked_text(text: str, spans: Sequence[tuple[int, int, str]], color: bool) -> str:
    """text, escaped, with span n (1-based, in the given order: start, end, label
    colour) between "[n " and " n]"; with color, painted in the colour of the
    innermost (latest opened) span still open.

    Linear in the spans after one sort of the offsets: closed spans leave the
    stack of open ones lazily, when they reach its top (issue 8, item 16: a
    list.remove per close took 227 s for 200,000 overlapping spans).
    """
    opens: dict[int, list[int]] = {}
    closes: dict[int, list[int]] = {}
    for n, (start, end, _) in enumerate(spans, start=1):
        opens.setdefault(start, []).append(n)
        closes.setdefault(end, []).append(n)
    colors = [""] + [paint for _, _, paint in spans]
    out: list[str] = []
    stack: list[int] = []  # the spans opened so far, in order; closed ones not yet popped
    closed = bytearray(len(spans) + 1)
    cuts = sorted({0, len(text), *opens, *closes})
    for here, following in zip(cuts, [*cuts[1:], len(text)], strict=True):
        for n in reversed(closes.get(here, ())):
            closed[n] = 1
            out.append(_marker(f" {n}]", colors[n], color))
        for n in opens.get(here, ()):
            stack.append(n)
            out.append(_marker(f"[{n} ", colors[n], color))
        while stack and closed[stack[-1]]:
            stack.pop()
        piece = _escape_body(text[here:following])
        if color and stack and piece:
            # Paint line by line so a colour never bleeds across a line break.
            paint = background(colors[stack[-1]])
            piece = "\n".join(f"{paint}{part}{RESET}" if part else part
                              for part in piece.split("\n"))
        out.append(piece)
    return "".join(out)


def _escape_body(piece: str) -> str:
    # The article keeps its line breaks, CRLF included (a lone CR, which
    # would let a line overwrite itself, is escaped like any control).
    if "\r" not in piece:
        return escape(piece, keep="\n")
    return "\r\n".join(escape(part, keep="\n") for part in piece.split("\r\n"))


def _label_color(project: Project, name: str) -> str:
    label = project.label(name)
    return label.color if label else "#808080"


def _marker(marker: str, label_color: str, color: bool) -> str:
    return f"{foreground(label_color)}{marker}{RESET}" if color else marker


def _legend(document: Document, ordered: Sequence[tuple[Annotation, bool]],
            project: Project, color: bool) -> str:
    if not ordered:
        return "No annotations.\n"
    index = LineIndex(document.text)
    lines: list[str] = []
    orphaned = [(n, a) for n, (a, drawn) in enumerate(ordered, start=1)
                if not drawn and a.orphaned]
    stale = [(n, a) for n, (a, drawn) in enumerate(ordered, start=1)
             if not drawn and not a.orphaned]
    for n, (a, drawn) in enumerate(ordered, start=1):
        if drawn:
            line, column = index.position(a.start)
            lines.extend(_entry(n, a, project, color, f"at {line}:{column} ({escape(a.id)})"))
    if orphaned:
        lines.append("")
        lines.append("Orphaned (no place in the current text; fix them by hand or remove them):")
        for n, a in orphaned:
            lines.extend(_entry(n, a, project, color, f"({escape(a.id)})",
                                quote_lead="last known quote: "))
    if stale:
        lines.append("")
        lines.append("Not drawn (their quote is not at their offsets in the current text):")
        for n, a in stale:
            state = ("(stale: the document changed; run 'annotate reanchor')"
                     if a.document_sha256 != document.sha256 else
                     "(its quote is not at its offsets; run 'annotate validate')")
            lines.extend(_entry(n, a, project, color, f"({escape(a.id)}) {state}"))
    return "\n".join(lines) + "\n"


def _entry(n: int, a: Annotation, project: Project, color: bool, place: str,
           quote_lead: str = "") -> list[str]:
    """One annotation of the list under the article: number, label, reviewer,
    where it is (or why it is not drawn), quote, details."""
    return [f"[{n}] {_label(project, a.label, color)} by {escape(a.reviewer)} {place}",
            f"    {quote_lead}“{terminal_line(a.quote, 100)}”", *_details(a)]


def _label(project: Project, name: str, color: bool) -> str:
    shown = escape(name)
    return f"{foreground(_label_color(project, name))}{shown}{RESET}" if color else shown


def _details(a: Annotation) -> list[str]:
    lines = []
    if a.verdict:
        lines.append(f"    verdict: {escape(a.verdict)}")
    if a.note:
        lines.append(f"    note: {terminal_line(a.note, 200)}")
    lines.extend(f"    source: {escape(url)}" for url in a.sources)
    if a.tags:
        lines.append(f"    tags: {escape(', '.join(a.tags))}")
    return lines


def show_json(document: Document, annotations: Sequence[Annotation],
              project: Project | None = None, color: bool = False) -> str:
    """The document's id and version, and each annotation with its number and
    line:column (null when it is not drawn: its offsets are not on this text)."""
    index = LineIndex(document.text)
    items: list[dict[str, Any]] = []
    for n, (a, drawn) in enumerate(numbered(document, annotations), start=1):
        line, column = index.position(a.start) if drawn else (None, None)
        items.append({"number": n, "line": line, "column": column,
                      "anchored": drawn, "annotation": a.to_record()})
    return to_json({"document": document.id, "sha256": document.sha256, "annotations": items})


RENDERERS: Mapping[str, Renderer] = MappingProxyType({
    "text": render_show,
    "json": show_json,
})
