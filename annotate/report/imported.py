"""`annotate import`: what it says.  stdout holds the ids of the new
annotations, one a line (data, as `add` prints its id); stderr one line for
each item not imported, with its reason, then a summary.  Every string
from the file is escaped (terminal.escape): a hostile file cannot move the
cursor, forge lines or reorder text with bidi controls."""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotate.report.terminal import escape

if TYPE_CHECKING:
    from annotate.api import ImportReport


def imported_ids(report: ImportReport) -> str:
    """The new annotations' ids, one a line."""
    return "".join(f"{item.annotation.id}\n" for item in report.imported)


def messages(report: ImportReport) -> list[str]:
    """The stderr lines, in order: notes, each skipped item, what was held
    back, approximate matches, the summary."""
    lines = [f"annotate: note: {escape(note)}" for note in report.notes]
    lines.extend(f"annotate: skipped {escape(item.file)}: {escape(item.where)}: "
                 f"{escape(item.reason)}" for item in report.skipped)
    for path, count in sorted(report.held_back.items()):
        lines.append(f"annotate: {escape(path)}: nothing imported: {count} valid "
                     f"annotation{'s' if count != 1 else ''} held back because of the "
                     "problems above; fix them, or pass --partial to import the valid ones")
    for item in report.imported:
        if item.how == "approximate":
            lines.append(f"annotate: note: {escape(item.file)}: {escape(item.where)}: the "
                         f"quote matched approximately (score {item.score:.2f}); imported "
                         f"as {item.annotation.id} on “{escape(_short(item.annotation.quote))}”")
    utf16 = sum(1 for item in report.imported if item.how == "utf16")
    if utf16:
        lines.append(f"annotate: note: {utf16} position{'s' if utf16 != 1 else ''} counted "
                     "UTF-16 code units (as JavaScript does); converted to code points")
    lines.append("annotate: " + summary(report))
    return lines


def summary(report: ImportReport) -> str:
    """One line: how many imported, into how many documents, what was left."""
    count = len(report.imported)
    documents = len(report.documents)
    parts = [f"imported {count} annotation{'s' if count != 1 else ''}"
             + (f" into {documents} document{'s' if documents != 1 else ''}"
                if documents else "")]
    if report.already_there:
        parts.append(f"{len(report.already_there)} already there")
    if report.skipped:
        parts.append(f"{len(report.skipped)} skipped")
    held = sum(report.held_back.values())
    if held:
        parts.append(f"{held} held back")
    return "; ".join(parts)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
