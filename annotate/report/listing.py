"""Renderers for lists of annotations and documents: table, json, jsonl, csv."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from typing import Any

from annotate.model import Annotation, Project, Sentence
from annotate.report.terminal import RESET, foreground

CSV_COLUMNS = ("id", "document", "start", "end", "label", "reviewer", "quote", "note",
               "sources", "verdict", "tags", "orphaned", "created", "modified",
               "document_sha256")


def to_json(data: Any) -> str:
    """Stable JSON for stdout: key-sorted, indented, UTF-8 kept readable."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def one_line(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


def annotations_table(annotations: Sequence[Annotation], project: Project,
                      color: bool) -> str:
    if not annotations:
        return ""
    headers = ("ID", "DOCUMENT", "SPAN", "LABEL", "REVIEWER", "QUOTE")
    rows = [(a.id, a.document, f"{a.start}-{a.end}",
             a.label + (" (orphaned)" if a.orphaned else ""), a.reviewer,
             one_line(a.quote, 60)) for a in annotations]

    def paint_label(row: int, column: int, cell: str) -> str:
        label = project.label(annotations[row].label) if column == 3 else None
        return f"{foreground(label.color)}{cell}{RESET}" if label else cell

    return table(headers, rows, paint_label if color else None)


def annotations_json(annotations: Sequence[Annotation]) -> str:
    return to_json([a.to_record() for a in annotations])


def annotations_jsonl(annotations: Sequence[Annotation]) -> str:
    return "".join(json.dumps(a.to_record(), sort_keys=True, ensure_ascii=False) + "\n"
                   for a in annotations)


def annotations_csv(annotations: Sequence[Annotation]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for a in annotations:
        writer.writerow([a.id, a.document, a.start, a.end, a.label, a.reviewer, a.quote,
                         a.note, " ".join(a.sources), a.verdict or "", ";".join(a.tags),
                         "true" if a.orphaned else "", a.created, a.modified,
                         a.document_sha256])
    return buffer.getvalue()


def sentences_text(sentences: Sequence[Sentence]) -> str:
    return "".join(f"{s.number:>4}  {f'{s.line}:{s.column}':<8}{one_line(s.text, 10_000)}\n"
                   for s in sentences)


def sentences_json(sentences: Sequence[Sentence]) -> str:
    return to_json([{"number": s.number, "start": s.start, "end": s.end, "line": s.line,
                     "column": s.column, "text": s.text} for s in sentences])
