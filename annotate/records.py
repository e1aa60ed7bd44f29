"""Annotation files as text: strict parsing and the canonical serialisation.

One record per line (JSON Lines), keys sorted, lines sorted by id: git diffs
and merges stay clean and every error has a line number.  Pure functions;
the store does the reading and writing.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Iterable, Mapping
from typing import Any

from annotate.errors import CorruptFileError
from annotate.gcpause import cyclic_gc_paused
from annotate.model import Annotation

# Files of this many records or more have their parsed records kept until
# the console script exits (until_exit): freeing 5,000 takes a few ms.
KEEP_AT_LEAST = 1000


def parse_annotation_text(text: str, shown_path: str,
                          owner: tuple[str, str] | None = None) -> list[Annotation]:
    """Every record of one annotation file, each checked by the rule book.

    Raises CorruptFileError at the first error, with its line and column,
    so the caller refuses to rewrite the file.  Blank lines carry nothing
    and are skipped (validate warns about them).  With ``owner`` (document,
    reviewer), records that belong to another file are errors too.
    """
    from annotate import codes, jsonpos, rules, until_exit

    with cyclic_gc_paused():
        # A whole file's records at once first; only a file with a problem
        # is read line by line below, for the first error and where it is.
        records = jsonpos.parse_text(text)
        if records is not None and rules.records_pass(
                records, owner, surrogate_free=_surrogate_free(text)):
            # The records' dicts and key strings are not what the annotations
            # hold (Annotation.from_record): a large file's are kept, not
            # freed one by one here.  A small file's free in a blink, and a
            # long `annotate review` reads small files again after each
            # decision: kept, they would add up.
            if len(records) >= KEEP_AT_LEAST:
                until_exit.keep(records)
            # The file's one document and reviewer (the checks above compared
            # every record's with them), as one object each, not a copy a record.
            same = None if owner is None else {"document": owner[0], "reviewer": owner[1]}
            return [Annotation.from_record(record, same) for record in records]
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


def _surrogate_free(text: str) -> bool:
    """Whether no character of the text is a surrogate (UTF-8 has none, so
    text decoded from a file never holds one; Python's command line can).

    Then no string parse_text makes of it holds one either: it refuses
    every surrogate escape that is not half of a pair, and json joins the
    pairs.  Encoding is the test: it stops at the first surrogate, and an
    ASCII text needs no test at all.
    """
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def dump_record(annotation: Annotation) -> str:
    """One record as its canonical line: keys sorted, UTF-8 kept."""
    return _LINE(annotation.to_record())


def dump_annotations(annotations: Iterable[Annotation]) -> str:
    """The canonical file text: sorted by id, one key-sorted record a line."""
    return dump_sorted_records([a.to_record() for a in sorted(annotations, key=_BY_ID)])


def dump_sorted_records(records: Iterable[Mapping[str, Any]]) -> str:
    """The canonical file text of records already in file order (by id)."""
    return "".join([_LINE(record) + "\n" for record in records])


# One encoder for every line: json.dumps with options builds a new one per call.
_LINE = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode
_BY_ID = operator.attrgetter("id")
