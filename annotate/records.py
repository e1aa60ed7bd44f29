"""Annotation files as text: strict parsing and the canonical serialisation.

One record per line (JSON Lines), keys sorted, lines sorted by id: git diffs
and merges stay clean and every error has a line number.  Pure functions;
the store does the reading and writing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from annotate.errors import CorruptFileError
from annotate.model import Annotation


def parse_annotation_text(text: str, shown_path: str,
                          owner: tuple[str, str] | None = None) -> list[Annotation]:
    """Every record of one annotation file, each checked by the rule book.

    Raises CorruptFileError at the first error, with its line and column,
    so the caller refuses to rewrite the file.  Blank lines carry nothing
    and are skipped (validate warns about them).  With ``owner`` (document,
    reviewer), records that belong to another file are errors too.
    """
    from annotate import codes, jsonpos, rules

    annotations = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        parsed = jsonpos.parse_json_line(line)
        if parsed.problems:
            problem = parsed.problems[0]
            raise CorruptFileError(shown_path, number, problem.offset + 1, problem.message)
        record = parsed.value
        # The taxonomy is not checked here: a label removed from the project
        # file must not lock anyone out of their own annotations.
        problems = rules.record_problems(record, None)
        if owner is not None and not problems:
            problems = list(rules.placement_problems(record, *owner))
        error = next((p for p in problems if p.is_error), None)
        if error is not None:
            column = jsonpos.locate(line, list(error.path)) + 1
            schema = error.rule == codes.ANNOTATION_SCHEMA
            raise CorruptFileError(
                shown_path, number, column,
                ("record does not match the annotation schema: " if schema else "")
                + f"{error.message} ({error.rule.code})")
        annotations.append(Annotation.from_record(record))
    return annotations


def dump_record(annotation: Annotation) -> str:
    """One record as its canonical line: keys sorted, UTF-8 kept."""
    return json.dumps(annotation.to_record(), sort_keys=True, ensure_ascii=False)


def dump_annotations(annotations: Iterable[Annotation]) -> str:
    """The canonical file text: sorted by id, one key-sorted record a line."""
    lines = [dump_record(a) for a in sorted(annotations, key=lambda a: a.id)]
    return "".join(line + "\n" for line in lines)
