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


def parse_annotation_text(text: str, shown_path: str) -> list[Annotation]:
    """Every record of one annotation file, each checked against the schema.

    Raises CorruptFileError at the first problem, with its line and column,
    so the caller refuses to rewrite the file.  Blank lines carry nothing
    and are skipped (validate warns about them).
    """
    from annotate import jsonpos
    from annotate.schema import describe_error, is_valid, schema_errors

    annotations = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        parsed = jsonpos.parse_json_line(line)
        if parsed.problems:
            problem = parsed.problems[0]
            raise CorruptFileError(shown_path, number, problem.offset + 1, problem.message)
        record = parsed.value
        if not is_valid("annotation", record):
            error = schema_errors("annotation", record)[0]
            column = jsonpos.locate(line, list(error.absolute_path)) + 1
            raise CorruptFileError(
                shown_path, number, column,
                f"record does not match the annotation schema: {describe_error(error)}")
        annotations.append(Annotation.from_record(record))
    return annotations


def dump_record(annotation: Annotation) -> str:
    return json.dumps(annotation.to_record(), sort_keys=True, ensure_ascii=False)


def dump_annotations(annotations: Iterable[Annotation]) -> str:
    """The canonical file text: sorted by id, one key-sorted record a line."""
    lines = [dump_record(a) for a in sorted(annotations, key=lambda a: a.id)]
    return "".join(line + "\n" for line in lines)
