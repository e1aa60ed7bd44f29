"""The checks of one file: its bytes (and the documents it refers to) in,
findings out, each at the line:column of the offending value.

Nothing here chooses files, caches or runs in parallel; see ``run``.  The
checks of a schema-valid record sit behind ``check_record`` alone (and those
of the project file behind ``check_project``), so that the rule book can
take them over in one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from annotate import codes, jsonpos
from annotate.anchoring import LineIndex, context
from annotate.model import Finding, Project
from annotate.workspace import project_from_data

if TYPE_CHECKING:
    from annotate.validation.documents import Documents, Lookups

# (rule, key of the record to point at or None for the line's start, message)
Problem = tuple[codes.Rule, str | None, str]


@dataclass
class FileResult:
    """What checking one file found; also what the cache stores for it."""

    path: str  # as shown: relative to the workspace, "/"-separated
    findings: list[Finding] = field(default_factory=list)
    # (id, line) of every record; None when answered from the cache, whose
    # ids are loaded only if the workspace-wide id check has to run again.
    ids: list[tuple[str, int]] | None = field(default_factory=list)
    annotations: int = 0
    key: str = ""  # SHA-256 of the file's bytes
    # What else the result depends on: "doc:<id>" -> sha256 or "" (missing),
    # "ver:<sha256>" -> "1" or "" (stored version text present or not).
    dependencies: dict[str, str] = field(default_factory=dict)


def finding(path: str, line: int, column: int, rule: codes.Rule, message: str) -> Finding:
    """A Finding of rule, with the rule's code and severity."""
    return Finding(path, line, column, rule.code, rule.severity, message)


def clip(text: str, limit: int = 300) -> str:
    """text on one line, cut to limit characters: messages quote user data."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- annotation files ------------------------------------------------------------------

def check_annotation_text(shown: str, data: bytes, *, project: Project | None,
                          owner: tuple[str, str] | None, documents: Documents,
                          document_exists: bool = True) -> FileResult:
    """Every finding for one annotation file's bytes.

    owner is the (document, reviewer) the file's place names, or None for a
    file outside the annotations folder; project is None when the project
    file itself is broken (semantic checks that need the taxonomy are then
    skipped, the rest still run).
    """
    from annotate.schema import fast_check, schema_errors

    result = FileResult(shown)
    add = result.findings.append
    ids: list[tuple[str, int]] = []
    result.ids = ids
    # Every document or version the checks look at is a dependency of the
    # result, whatever the checks are: the cache drops it when one changes.
    lookups = documents.recording(result.dependencies)
    text, problems = jsonpos.decode_utf8(data)
    index = LineIndex(text)
    for problem in problems:
        row, column = index.position(problem.offset)
        add(finding(shown, row, column, codes.get_rule(problem.code), problem.message))
    if not text:
        add(finding(shown, 1, 1, codes.EMPTY_FILE, "empty annotation file: it holds no "
                    "annotations; delete it or add some"))
        return result
    if owner is not None and not document_exists:
        add(finding(shown, 1, 1, codes.STRAY_ANNOTATION_FILE,
                    f"no document {owner[0]!r} in the corpus for this annotation file; "
                    "move the file or restore the document"))
    is_valid = fast_check("annotation")
    seen: dict[tuple[Any, ...], int] = {}
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the final newline ends the last line; it is not a blank line
    for number, line in enumerate(lines, start=1):
        parsed = jsonpos.parse_json_line(line)
        for problem in parsed.problems:
            add(finding(shown, number, problem.offset + 1, codes.get_rule(problem.code),
                        problem.message))
        if not parsed.parsed:
            continue
        record = parsed.value
        if isinstance(record, dict) and isinstance(record.get("id"), str):
            ids.append((record["id"], number))
        result.annotations += 1
        if not is_valid(record):
            for error in schema_errors("annotation", record):
                column = jsonpos.locate(line, list(error.absolute_path)) + 1
                where = "/".join(str(p) for p in error.absolute_path)
                message = f"{where}: {error.message}" if where else error.message
                add(finding(shown, number, column, codes.ANNOTATION_SCHEMA, clip(message)))
            continue
        for rule, key, message in check_record(record, project, owner, lookups,
                                               document_exists):
            add(finding(shown, number, jsonpos.locate(line, [key]) + 1 if key else 1,
                        rule, message))
        identity = _identity(record)
        if identity in seen:
            add(finding(shown, number, 1, codes.DUPLICATE_ANNOTATION,
                        f"same annotation as line {seen[identity]} (only the id and "
                        "timestamps differ); remove one with 'annotate rm'"))
        else:
            seen[identity] = number
    return result


# What makes two annotations the same one: everything but id and timestamps.
_IDENTITY_FIELDS = ("document", "document_sha256", "start", "end", "quote", "prefix",
                    "suffix", "label", "reviewer", "note", "sources", "verdict", "tags",
                    "orphaned", "previous_quote")


_LIST_FIELDS = tuple(_IDENTITY_FIELDS.index(name) for name in ("sources", "tags"))


def _identity(record: dict[str, Any]) -> tuple[Any, ...]:
    # Records passed the schema, so the lists hold only strings.
    key = list(map(record.get, _IDENTITY_FIELDS))
    for position in _LIST_FIELDS:
        listed = key[position]
        if listed is not None:
            key[position] = tuple(listed)
    return tuple(key)


# -- one record: semantic and staleness checks --------------------------------------------

def check_record(record: dict[str, Any], project: Project | None,
                 owner: tuple[str, str] | None, documents: Lookups,
                 document_exists: bool = True) -> Iterable[Problem]:
    """Semantic and staleness checks of one schema-valid record:
    (rule, key to point at, message)."""
    document_id, start, end, quote = (record["document"], record["start"], record["end"],
                                      record["quote"])
    if project is not None:
        label = project.label(record["label"])
        if label is None:
            yield (codes.UNKNOWN_LABEL, "label",
                   f"unknown label {record['label']!r}; allowed: "
                   f"{', '.join(project.label_names)}")
        elif label.requires_source and not record["sources"]:
            yield (codes.MISSING_SOURCE, "sources",
                   f"label {label.name!r} requires at least one source URL; add one with "
                   f"'annotate edit {record['id']} --add-source URL'")
        verdict = record.get("verdict")
        if verdict is not None and verdict not in project.verdicts:
            yield (codes.UNKNOWN_LABEL, "verdict",
                   f"unknown verdict {verdict!r}; allowed: {', '.join(project.verdicts)}")
    if owner is not None:
        if document_id != owner[0]:
            yield (codes.MISPLACED_RECORD, "document",
                   f"record is for document {document_id!r} but the file is for {owner[0]!r}")
        if record["reviewer"] != owner[1]:
            yield (codes.MISPLACED_RECORD, "reviewer",
                   f"record is by {record['reviewer']!r} but the file is {owner[1]!r}'s")
    if _timestamp_key(record["created"]) > _timestamp_key(record["modified"]):
        yield (codes.TIMESTAMPS_OUT_OF_ORDER, "modified",
               f"modified {record['modified']} is before created {record['created']}")
    current = documents.current(document_id)
    if current is None:
        if owner is None or document_id != owner[0] or document_exists:
            yield (codes.UNKNOWN_DOCUMENT, "document",
                   f"no document {document_id!r} in the corpus")
        return
    text, sha256 = current
    if record.get("orphaned"):
        yield (codes.ORPHANED, None,
               f"orphaned: re-anchoring found no place for “{clip(quote, 60)}” in the "
               "current text; fix the span by hand or remove the annotation")
        return
    if record["document_sha256"] != sha256:
        old = documents.version(record["document_sha256"])
        if old is not None:
            yield from _check_span(old, record, " of the version it was made on")
        # Text that merely moved is reanchor's everyday work (a warning);
        # a quote that is nowhere in the text any more needs a human.
        if text[start:end] == quote or quote in text:
            yield (codes.DOCUMENT_CHANGED, "document_sha256",
                   "document changed since annotated; run `annotate reanchor`")
        else:
            yield (codes.QUOTE_NOT_FOUND, "quote",
                   "document changed since annotated and the quote is no longer in it; "
                   "run `annotate reanchor`, then fix or remove what it orphans")
        return
    yield from _check_span(text, record, "")


def _timestamp_key(stamp: str) -> tuple[str, str]:
    # The schema makes every timestamp RFC 3339 in UTC ("...Z"), so the
    # seconds compare as text and the fraction as a right-padded decimal.
    whole, _, fraction = stamp.rstrip("Zz").partition(".")
    return whole.upper(), fraction.ljust(9, "0")


def _check_span(text: str, record: dict[str, Any], which: str) -> Iterable[Problem]:
    start, end, quote = record["start"], record["end"], record["quote"]
    if not 0 <= start < end <= len(text):
        yield (codes.OFFSETS_OUT_OF_RANGE, "end" if end > len(text) else "start",
               f"offsets {start}..{end} are outside the text{which} (0..{len(text)})")
        return
    if text[start:end] != quote:
        yield (codes.QUOTE_MISMATCH, "quote",
               f"quote differs from the text{which} at {start}..{end}: "
               f"“{clip(text[start:end], 60)}”")
        return
    prefix, suffix = context(text, start, end)
    if not prefix.endswith(record["prefix"]) or not suffix.startswith(record["suffix"]):
        yield (codes.CONTEXT_MISMATCH, "prefix" if not prefix.endswith(record["prefix"])
               else "suffix", f"prefix/suffix do not match the text around the quote{which}")


# -- the project file ------------------------------------------------------------------

def check_project_text(shown: str, data: bytes) -> tuple[list[Finding], Project | None]:
    """Findings for the project file, and the Project when it is usable."""
    from annotate.schema import is_valid, schema_errors

    findings: list[Finding] = []
    text, problems = jsonpos.decode_utf8(data)
    index = LineIndex(text)

    def at(offset: int, rule: codes.Rule, message: str) -> None:
        line, column = index.position(offset)
        findings.append(finding(shown, line, column, rule, message))

    for problem in problems:
        at(problem.offset, codes.get_rule(problem.code), problem.message)
    parsed = jsonpos.parse_json_line(text)
    for problem in parsed.problems:
        at(problem.offset, codes.get_rule(problem.code), problem.message)
    if not parsed.parsed or problems:
        return findings, None
    errors = [] if is_valid("project", parsed.value) else schema_errors("project",
                                                                       parsed.value)
    for error in errors:
        where = "/".join(str(p) for p in error.absolute_path)
        at(jsonpos.locate(text, list(error.absolute_path)), codes.PROJECT_SCHEMA,
           clip(f"{where}: {error.message}" if where else error.message))
    if errors:
        return findings, None
    for rule, pointer, message in check_project(parsed.value):
        at(jsonpos.locate(text, pointer), rule, message)
    return findings, project_from_data(parsed.value)


def check_project(value: dict[str, Any]) -> Iterable[tuple[codes.Rule, list[str | int], str]]:
    """Semantic checks of a schema-valid project file:
    (rule, JSON path to point at, message)."""
    names: set[str] = set()
    for position, label in enumerate(value["labels"]):
        if label["name"] in names:
            yield (codes.PROJECT_SCHEMA, ["labels", position, "name"],
                   f"label {label['name']!r} is defined twice")
        names.add(label["name"])
