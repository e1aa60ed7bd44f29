"""`annotate list`: annotations as a table, json, jsonl or csv; and the
helpers (stable JSON, spreadsheet-safe CSV, tables, one-line quotes) the
other renderers share."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from annotate.model import Annotation, Project
from annotate.report.terminal import RESET, escape, foreground

CSV_COLUMNS = ("id", "document", "start", "end", "label", "reviewer", "quote", "note",
               "sources", "verdict", "tags", "orphaned", "created", "modified",
               "document_sha256")

# A spreadsheet runs a cell that begins with one of these as a formula
# (OWASP "CSV Injection"); a leading apostrophe makes it text.  Tab and
# carriage return are on OWASP's list too.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

CsvCell = str | int | float | None


# json.dumps(ensure_ascii=False) writes C0 controls as \u escapes but DEL and
# the C1 controls raw, and a terminal acts on U+009B as CSI (issue 8, item 13).
# They can only stand inside JSON strings, where a \u escape is the same data.
_RAW_IN_JSON = re.compile("[\x7f-\x9f]")


def _escape_c1(text: str) -> str:
    return _RAW_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def to_json(data: Any) -> str:
    """Stable JSON for stdout: key-sorted, indented, UTF-8 kept readable, every
    control character written as a \\u escape."""
    return _escape_c1(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)) + "\n"


def to_json_line(data: Any) -> str:
    """One key-sorted JSON value on one line (JSON Lines), controls as \\u escapes."""
    return _escape_c1(json.dumps(data, sort_keys=True, ensure_ascii=False)) + "\n"


def one_line(text: str, limit: int) -> str:
    """text on one line, whitespace collapsed, cut to limit characters with an ellipsis."""
    # Reads no further than it shows (`show` lists every span, and a quote
    # may be most of the document; issue 8, item 16): the collapsed form of a
    # prefix of text is a prefix of the collapsed form of text, so once it is
    # longer than limit the rest cannot change the result.
    size = 2 * limit + 16
    while True:
        shown = " ".join(text[:size].split())
        if len(shown) > limit:
            return shown[: limit - 1] + "…"
        if size >= len(text):
            return shown
        size *= 4


def terminal_line(text: str, limit: int) -> str:
    """one_line(text, limit) made safe to print (terminal.escape)."""
    return escape(one_line(text, limit))


def table(headers: Sequence[str], rows: Sequence[Sequence[str]],
          paint: Callable[[int, int, str], str] | None = None) -> str:
    """Columns padded to their widest cell; paint(row, column, padded cell) may colour it."""
    widths = [max([len(h)] + [len(row[i]) for row in rows]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    for number, row in enumerate(rows):
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        if paint:
            cells = [paint(number, column, cell) for column, cell in enumerate(cells)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


# Every renderer of the list takes the same arguments; only the table uses
# the project (label colours) and the terminal's colour decision.
Renderer = Callable[[Sequence[Annotation], Project, bool], str]


def annotations_table(annotations: Sequence[Annotation], project: Project,
                      color: bool) -> str:
    """Aligned columns, labels in their colour when color is true; nothing when empty."""
    if not annotations:
        return ""
    headers = ("ID", "DOCUMENT", "SPAN", "LABEL", "REVIEWER", "QUOTE")
    rows = [(escape(a.id), escape(a.document), f"{a.start}-{a.end}",
             escape(a.label) + (" (orphaned)" if a.orphaned else ""), escape(a.reviewer),
             terminal_line(a.quote, 60)) for a in annotations]

    def paint_label(row: int, column: int, cell: str) -> str:
        label = project.label(annotations[row].label) if column == 3 else None
        return f"{foreground(label.color)}{cell}{RESET}" if label else cell

    return table(headers, rows, paint_label if color else None)


def annotations_json(annotations: Sequence[Annotation], project: Project | None = None,
                     color: bool = False) -> str:
    """One JSON array of records (schemas/annotation.schema.json), keys sorted."""
    return to_json([a.to_record() for a in annotations])


def annotations_jsonl(annotations: Sequence[Annotation], project: Project | None = None,
                      color: bool = False) -> str:
    """One record a line, as the annotation files store them."""
    return "".join(to_json_line(a.to_record()) for a in annotations)


def spreadsheet_safe(cell: str) -> str:
    """A text cell a spreadsheet will not run as a formula: a leading apostrophe if needed."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[CsvCell]]) -> str:
    """CSV with a header row, every text cell spreadsheet_safe (the one place
    every CSV output of annotate is written).  Only text can be a formula:
    numbers stay numbers (a kappa may be -0.1), floats with 6 decimals; None
    is an empty cell."""
    buffer = io.StringIO()
    # The writer quotes a cell holding a character of its line terminator, so
    # it is told "\r\n": with "\n" alone a cell holding a lone CR went out
    # unquoted, and every CSV reader ends the row there.  Each row still ends
    # in "\n": the terminator the writer adds is swapped as the row is taken.
    writer = csv.writer(buffer, lineterminator="\r\n")
    lines = []
    for row in (columns, *(
            [spreadsheet_safe(cell) if isinstance(cell, str)
             else "" if cell is None
             else f"{cell:.6f}" if isinstance(cell, float) else cell
             for cell in row] for row in rows)):
        writer.writerow(row)
        lines.append(buffer.getvalue()[:-2])
        buffer.seek(0)
        buffer.truncate()
    return "".join(line + "\n" for line in lines)


def annotation_row(a: Annotation) -> tuple[CsvCell, ...]:
    """One annotation's CSV_COLUMNS: sources space-separated, tags semicolon-separated."""
    return (a.id, a.document, a.start, a.end, a.label, a.reviewer, a.quote, a.note,
            " ".join(a.sources), a.verdict or "", ";".join(a.tags),
            "true" if a.orphaned else "", a.created, a.modified, a.document_sha256)


def annotations_csv(annotations: Sequence[Annotation], project: Project | None = None,
                    color: bool = False) -> str:
    """CSV_COLUMNS, one row per annotation (annotation_row), spreadsheet-safe."""
    return csv_text(CSV_COLUMNS, map(annotation_row, annotations))


RENDERERS: Mapping[str, Renderer] = MappingProxyType({
    "table": annotations_table,
    "json": annotations_json,
    "jsonl": annotations_jsonl,
    "csv": annotations_csv,
})
