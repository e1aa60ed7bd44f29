"""Output of `annotate fetch`, `ingest` and `refetch`: what became of each
document, and for a new version which paragraphs changed and where each
annotation went (text), or the same as JSON (schemas/fetch-report.schema.json).

Failed documents are not in the text output: the command prints each on
stderr, one line, as every error is printed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from annotate.report.listing import terminal_line, to_json
from annotate.report.reanchor import quote_change
from annotate.report.terminal import escape

if TYPE_CHECKING:
    from annotate.api import Brought, FetchReport
    from annotate.fetching.changes import ParagraphChange

Renderer = Callable[["FetchReport"], str]

# How much of an added or removed paragraph a line shows.
SHOWN = 70


def render_text(report: FetchReport) -> str:
    """A line per document (and, for a new version, a line per changed
    paragraph and per annotation), then a summary when there are several."""
    lines: list[str] = []
    for entry in report.documents:
        if entry.status == "failed":
            continue
        lines.extend(_document_lines(entry))
    if len(report.documents) > 1 or not lines:
        counts = [f"{report.count(status)} {status}" for status in
                  ("new", "changed", "unchanged", "failed", "skipped") if report.count(status)]
        lines.append(f"{len(report.documents)} document(s): {', '.join(counts) or 'none'}")
    return "\n".join(lines) + "\n"


def _document_lines(entry: Brought) -> list[str]:
    name = escape(entry.document or entry.source)
    if entry.status == "skipped":
        return [f"skipped    {name}: {escape(entry.problem or '')}"]
    if entry.status == "unchanged":
        return [f"unchanged  {name}"]
    about = []
    if entry.title:
        about.append(f"“{terminal_line(entry.title, 80)}”")
    byline = ", ".join(filter(None, [", ".join(entry.authors), entry.published or ""]))
    if byline:
        about.append(f"({terminal_line(byline, 80)})")
    size = (f"{entry.paragraphs} paragraph{'s' * (entry.paragraphs != 1)}, "
            f"{entry.characters:,} characters")
    if entry.status == "new":
        return [f"new        {name}: {' '.join([*about, size])}"]
    return [f"changed    {name}: {_summary(entry)}",
            *(f"  {_paragraph(change)}" for change in entry.changes),
            *(f"  {_annotation(result)}" for result in entry.reanchored)]


def _summary(entry: Brought) -> str:
    counts = {kind: sum(c.kind == kind for c in entry.changes)
              for kind in ("added", "removed", "edited")}
    kinds = [f"{n} paragraph{'s' * (n != 1)} {kind}" for kind, n in counts.items() if n]
    outcomes = [f"{sum(r.outcome == outcome for r in entry.reanchored)} {outcome}"
                for outcome in ("exact", "fuzzy", "orphaned")]
    moved = (f"; annotations: {', '.join(outcomes)}" if entry.reanchored
             else "; no annotation to move")
    decisions = (f"; {entry.decisions_orphaned} editor's decision(s) orphaned"
                 if entry.decisions_orphaned else "")
    return (", ".join(kinds) or "paragraphs unchanged, line breaks or spaces changed") + \
        moved + decisions


def _paragraph(change: ParagraphChange) -> str:
    if change.kind == "added":
        return f"+ ¶{change.new_number}  “{terminal_line(change.new or '', SHOWN)}”"
    if change.kind == "removed":
        return f"- ¶{change.old_number}  “{terminal_line(change.old or '', SHOWN)}”"
    edit = quote_change(change.old, change.new or "")
    return f"~ ¶{change.old_number}→¶{change.new_number}  {edit}"


def _annotation(result: Any) -> str:
    annotation = result.annotation
    who = f"{escape(annotation.id)} ({escape(annotation.reviewer)})"
    if result.outcome == "exact":
        return f"exact     {who}: “{terminal_line(annotation.quote, 60)}”"
    if result.outcome == "fuzzy":
        return (f"fuzzy     {who}: {quote_change(annotation.previous_quote, annotation.quote)}"
                f" (score {result.score:.2f})")
    return (f"orphaned  {who}: “{terminal_line(annotation.quote, 60)}” (best score "
            f"{result.score:.2f}); kept, flagged for a human")


def render_json(report: FetchReport) -> str:
    """A JSON array: each document's status, version, paragraph changes and
    annotation outcomes (schemas/fetch-report.schema.json)."""
    return to_json([_document_json(entry) for entry in report.documents])


def _document_json(entry: Brought) -> dict[str, Any]:
    return {
        "document": entry.document, "status": entry.status, "source": entry.source,
        "sha256": entry.sha256, "title": entry.title, "authors": list(entry.authors),
        "published": entry.published, "characters": entry.characters,
        "paragraphs": entry.paragraphs, "problem": entry.problem, "notes": list(entry.notes),
        "changes": [{"kind": c.kind, "old_paragraph": c.old_number,
                     "new_paragraph": c.new_number, "old": c.old, "new": c.new}
                    for c in entry.changes],
        "annotations": [{"id": r.annotation.id, "reviewer": r.annotation.reviewer,
                         "outcome": r.outcome, "start": r.annotation.start,
                         "end": r.annotation.end, "quote": r.annotation.quote,
                         "previous_quote": r.annotation.previous_quote,
                         "score": round(r.score, 4)}
                        for r in entry.reanchored],
        "decisions_orphaned": entry.decisions_orphaned,
    }


RENDERERS: Mapping[str, Renderer] = MappingProxyType({
    "text": render_text,
    "json": render_json,
})
