"""Output of `annotate reanchor`: a summary per outcome, or JSON per annotation."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from annotate.report.listing import one_line, to_json

if TYPE_CHECKING:
    from annotate.api import ReanchorReport

Renderer = Callable[["ReanchorReport"], str]


def render_text(report: ReanchorReport) -> str:
    """A line per fuzzy or orphaned annotation, then one summary line."""
    counts = Counter(result.outcome for result in report.results)
    lines = []
    for result in report.results:
        if result.outcome == "exact":
            continue
        annotation = result.annotation
        where = f"{annotation.document} {annotation.id} ({annotation.reviewer})"
        if result.outcome == "fuzzy":
            lines.append(f"fuzzy     {where}: “{one_line(annotation.previous_quote or '', 50)}”"
                         f" -> “{one_line(annotation.quote, 50)}” (score {result.score:.2f})")
        else:
            lines.append(f"orphaned  {where}: “{one_line(annotation.quote, 60)}” "
                         f"(best score {result.score:.2f}); kept, flagged for a human")
    verb = "would be" if not report.written else "were"
    lines.append(
        f"{report.documents} document(s): {counts['exact']} exact, {counts['fuzzy']} fuzzy, "
        f"{counts['orphaned']} orphaned, {report.up_to_date} already up to date"
        + ("; nothing written (--dry-run)" if not report.written else "")
        + (f"; {report.orphans_remaining} orphan(s) {verb} left: fix them by hand or "
           "remove them" if report.orphans_remaining else ""))
    return "\n".join(lines) + "\n"


def render_json(report: ReanchorReport) -> str:
    """A JSON array: each re-anchored annotation's outcome, new span and score."""
    return to_json([
        {"id": r.annotation.id, "document": r.annotation.document,
         "reviewer": r.annotation.reviewer, "outcome": r.outcome,
         "start": r.annotation.start, "end": r.annotation.end,
         "score": round(r.score, 4)}
        for r in report.results
    ])


RENDERERS: Mapping[str, Renderer] = MappingProxyType({
    "text": render_text,
    "json": render_json,
})
