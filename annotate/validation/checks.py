"""The checks of one file: its bytes (and the documents it refers to) in,
findings out, each at the line:column of the offending value.

Nothing here chooses files, caches or runs in parallel; see ``run``.  The
checks themselves are the rule book's (``annotate.rules``), the same ones
every writer applies: this module parses, asks, and places each problem at
its line:column.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from annotate import codes, jsonpos, rules
from annotate.anchoring.textindex import LineIndex
from annotate.model import Finding, Project
from annotate.rules import Problem
from annotate.workspace import project_from_data

if TYPE_CHECKING:
    from annotate.validation.documents import Documents, Lookups


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
        shape = rules.shape_problems(record)
        for broken in shape or check_record(record, project, owner, lookups,
                                            document_exists):
            column = jsonpos.locate(line, list(broken.path)) + 1 if broken.path else 1
            add(finding(shown, number, column, broken.rule, broken.message))
        if shape:
            continue
        identity = rules.identity(record)
        if identity in seen:
            add(finding(shown, number, 1, codes.DUPLICATE_ANNOTATION,
                        f"same annotation as line {seen[identity]} (only the id and "
                        "timestamps differ); remove one with 'annotate rm'"))
        else:
            seen[identity] = number
    return result


# -- one record: semantic and staleness checks --------------------------------------------

def check_record(record: dict[str, Any], project: Project | None,
                 owner: tuple[str, str] | None, documents: Lookups,
                 document_exists: bool = True) -> Iterable[Problem]:
    """The rule book's checks of one record of the right shape, against the
    taxonomy, the file it is in, and the document as it is now."""
    yield from rules.semantic_problems(record, project)
    if owner is not None:
        yield from rules.placement_problems(record, *owner)
    current = documents.current(record["document"])
    if current is None:
        # A file whose whole folder names no document got one AN311 already.
        if owner is None or record["document"] != owner[0] or document_exists:
            yield rules.missing_document(record)
        return
    text, sha256 = current
    changed = record["document_sha256"] != sha256 and not record.get("orphaned")
    made_on = documents.version(record["document_sha256"]) if changed else None
    yield from rules.anchor_problems(record, text, sha256, made_on)


# -- the project file ------------------------------------------------------------------

def check_project_text(shown: str, data: bytes) -> tuple[list[Finding], Project | None]:
    """Findings for the project file, and the Project when it is usable."""
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
    broken = rules.project_problems(parsed.value)
    for rule_problem in broken:
        at(jsonpos.locate(text, list(rule_problem.path)), rule_problem.rule,
           rule_problem.message)
    if any(rule_problem.is_error for rule_problem in broken):
        return findings, None
    return findings, project_from_data(parsed.value)
