"""The editor's decisions on one document's merge positions, as a file.

``annotations/<document>/decisions.json`` (``store.decisions_path``) holds one
JSON object: the document and its decisions, sorted by span, one per
position (schemas/decisions.schema.json).  ``annotate resolve`` writes it,
``annotate merge`` applies it, ``annotate reanchor`` moves it with the text
and ``annotate validate`` checks it.  Its name cannot be a reviewer's file
(those end in ``.jsonl``) or a finished marker (``.finished.json``).

Pure: text in, decisions out, and back; the store reads and writes.
"""

from __future__ import annotations

import json

from annotate import jsonpos, rules
from annotate.anchoring.textindex import LineIndex
from annotate.errors import CorruptFileError
from annotate.model import Project, StoredDecision

DECISIONS_FILE = "decisions.json"


def parse_decisions(text: str, shown: str, document: str,
                    project: Project | None) -> list[StoredDecision]:
    """The decisions a file's text holds, or CorruptFileError at the first problem's
    line:column (a file that fails to parse is never rewritten)."""
    parsed = jsonpos.parse_json_line(text.rstrip("\n"))
    if parsed.problems:
        line, column = LineIndex(text).position(parsed.problems[0].offset)
        raise CorruptFileError(shown, line, column, parsed.problems[0].message)
    broken = [problem for problem in rules.decisions_problems(parsed.value, document, project)
              if problem.is_error]
    if broken:
        offset = jsonpos.locate(text, list(broken[0].path))
        line, column = LineIndex(text).position(offset)
        raise CorruptFileError(shown, line, column, broken[0].message)
    return [StoredDecision.from_record(document, record)
            for record in parsed.value["decisions"]]


def dump_decisions(document: str, decisions: list[StoredDecision]) -> str:
    """The file's text: sorted by span, one decision per line, so that a diff or
    a git merge of two editors' work shows one line per decision."""
    ordered = sorted(decisions, key=lambda d: (d.start, d.end, d.orphaned, d.time))
    lines = [json.dumps(d.to_record(), ensure_ascii=False) for d in ordered]
    body = ",\n".join(f"  {line}" for line in lines)
    return (f'{{"document": {json.dumps(document, ensure_ascii=False)}, "decisions": [\n'
            f"{body}{chr(10) if lines else ''}]}}\n")
