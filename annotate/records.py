"""Annotation files as text: strict parsing and the canonical serialisation.

One record per line (JSON Lines), keys sorted, lines sorted by id: git diffs
and merges stay clean and every error has a line number.  Pure functions;
the store does the reading and writing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from annotate.errors import CorruptFileError
from annotate.model import Annotation


class _StrictJSONError(ValueError):
    """A JSON value that json.loads accepts but a record must not hold."""


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    for key in keys:
        if keys.count(key) > 1:
            raise _StrictJSONError(f"duplicate key {key!r} in one object")
    return dict(pairs)


def _reject_constant(name: str) -> Any:
    raise _StrictJSONError(f"{name} is not valid JSON")


def parse_line(line: str) -> Any:
    """json.loads without Python's extensions (NaN, Infinity, duplicate keys)."""
    return json.loads(line, object_pairs_hook=_reject_duplicate_keys,
                      parse_constant=_reject_constant)


def parse_annotation_text(text: str, shown_path: str) -> list[Annotation]:
    """Every record of one annotation file, each checked against the schema.

    Raises CorruptFileError at the first problem, with its line and column,
    so the caller refuses to rewrite the file.
    """
    from annotate.schema import describe_error, schema_errors

    annotations = []
    if text.startswith("\ufeff"):
        raise CorruptFileError(shown_path, 1, 1, "starts with a byte-order mark (BOM)")
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue  # blank lines (and the final newline) carry nothing
        try:
            record = parse_line(line)
        except json.JSONDecodeError as error:
            raise CorruptFileError(shown_path, number, error.colno,
                                   f"not valid JSON: {error.msg}") from error
        except _StrictJSONError as error:
            raise CorruptFileError(shown_path, number, 1, str(error)) from error
        except RecursionError as error:
            raise CorruptFileError(shown_path, number, 1, "JSON nested too deeply") from error
        errors = schema_errors("annotation", record)
        if errors:
            raise CorruptFileError(
                shown_path, number, 1,
                f"record does not match the annotation schema: {describe_error(errors[0])}",
            )
        annotations.append(Annotation.from_record(record))
    return annotations


def dump_record(annotation: Annotation) -> str:
    return json.dumps(annotation.to_record(), sort_keys=True, ensure_ascii=False)


def dump_annotations(annotations: Iterable[Annotation]) -> str:
    """The canonical file text: sorted by id, one key-sorted record a line."""
    lines = [dump_record(a) for a in sorted(annotations, key=lambda a: a.id)]
    return "".join(line + "\n" for line in lines)
