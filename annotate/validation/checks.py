"""The checks of one file: its bytes (and the documents it refers to) in,
findings out, each at the line:column of the offending value.

Nothing here chooses files, caches or runs in parallel; see ``run``.  The
checks themselves are the rule book's (``annotate.rules``), the same ones
every writer applies: this module parses, asks, and places each problem at
its line:column.
"""

from __future__ import annotations

import hashlib
import io
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from annotate import codes, jsonpos, rules
from annotate.anchoring.textindex import LineIndex
from annotate.model import Finding, Project
from annotate.rules import Problem
from annotate.workspace import project_from_data

if TYPE_CHECKING:
    from annotate.validation.documents import Documents, Lookups


class Ids:
    """The (id, line) of every record of a file that has a string id, kept
    compactly: the ids in one list and the line numbers in an array of
    machine integers, not a tuple and an int object per record (a 200,000
    line file held 30 MB of them)."""

    __slots__ = ("lines", "names")

    def __init__(self, pairs: Iterable[tuple[str, int]] = ()) -> None:
        self.names: list[str] = []
        self.lines = array("q")
        for name, line in pairs:
            self.append(name, line)

    def append(self, name: str, line: int) -> None:
        """Note that line holds a record with id name."""
        self.names.append(name)
        self.lines.append(line)

    def __iter__(self) -> Iterator[tuple[str, int]]:
        return zip(self.names, self.lines, strict=True)

    def __len__(self) -> int:
        return len(self.names)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Ids) and self.names == other.names
                and self.lines == other.lines)

    __hash__ = None  # type: ignore[assignment]  # mutable, like a list

    def __getstate__(self) -> tuple[list[str], bytes]:
        # Sent back from the pool's workers: the array as raw bytes.
        return self.names, self.lines.tobytes()

    def __setstate__(self, state: tuple[list[str], bytes]) -> None:
        self.names = state[0]
        self.lines = array("q")
        self.lines.frombytes(state[1])


@dataclass
class FileResult:
    """What checking one file found; also what the cache stores for it."""

    path: str  # as shown: relative to the workspace, "/"-separated
    findings: list[Finding] = field(default_factory=list)
    # The ids of the records; None when answered from the cache, whose ids
    # are loaded only if the workspace-wide id check has to run again.
    ids: Ids | None = field(default_factory=Ids)
    annotations: int = 0
    key: str = ""  # SHA-256 of the file's bytes
    # What else the result depends on: "doc:<id>" -> sha256, "" (missing) or
    # "!" and why it cannot be read; "ver:<sha256>" -> "1" or "" (stored
    # version text present or not).
    dependencies: dict[str, str] = field(default_factory=dict)


def finding(path: str, line: int, column: int, rule: codes.Rule, message: str) -> Finding:
    """A Finding of rule, with the rule's code and severity."""
    return Finding(path, line, column, rule.code, rule.severity, message)


# -- annotation files ------------------------------------------------------------------

def check_annotation_text(shown: str, data: bytes, *, project: Project | None,
                          owner: tuple[str, str] | None, documents: Documents,
                          document_exists: bool = True) -> FileResult:
    """Every finding for one annotation file's bytes (see check_annotation_lines)."""
    return check_annotation_lines(shown, io.BytesIO(data), project=project, owner=owner,
                                  documents=documents, document_exists=document_exists)


def check_annotation_lines(shown: str, lines: Iterable[bytes], *, project: Project | None,
                           owner: tuple[str, str] | None, documents: Documents,
                           document_exists: bool = True) -> FileResult:
    """Every finding for one annotation file, read as its lines (each with its
    "\\n"; only "\\n" ends a line).

    One line at a time, keeping only what the result needs (findings, the
    ids, a digest per record for the duplicate check), so memory does not
    grow with the size of the file.  owner is the (document, reviewer) the
    file's place names, or None for a file outside the annotations folder;
    project is None when the project file itself is broken (semantic checks
    that need the taxonomy are then skipped, the rest still run).
    """
    result = FileResult(shown)
    add = result.findings.append
    ids = result.ids = Ids()
    # Every document or version the checks look at is a dependency of the
    # result, whatever the checks are: the cache drops it when one changes.
    lookups = documents.recording(result.dependencies)
    unreadable = None
    if owner is not None and document_exists:
        unreadable = documents.unreadable(owner[0])
    # Two records that differ only in id and timestamps: remembered by a
    # 128-bit digest of what they share, not by the record itself, which
    # would keep the whole file in memory.
    def add_file_findings() -> None:
        if owner is None:
            return
        if not document_exists:
            add(finding(shown, 1, 1, codes.STRAY_ANNOTATION_FILE,
                        f"no document {owner[0]!r} in the corpus for this annotation "
                        "file; move the file or restore the document"))
        elif unreadable is not None:
            add(finding(shown, 1, 1, codes.UNREADABLE_DOCUMENT,
                        unreadable_document_message(owner[0], unreadable)))

    seen: dict[bytes, tuple[int, str]] = {}
    utf8_problems_left = jsonpos.MAX_PROBLEMS  # for the whole file, as before
    consumed = 0  # bytes before the current line
    number = 0
    for raw in lines:
        number += 1
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            # The "\n" is decoded with the line: without it, a sequence cut
            # short by the line's end would read as "unexpected end of data".
            line, problems = jsonpos.decode_utf8(raw, consumed, utf8_problems_left)
            utf8_problems_left -= len(problems)
            for problem in problems:
                add(finding(shown, number, problem.offset + 1,
                            codes.get_rule(problem.code), problem.message))
        consumed += len(raw)
        if line.endswith("\n"):
            line = line[:-1]
        if number == 1:
            # A whole file's findings come first on its line 1.
            add_file_findings()
        parsed = jsonpos.parse_json_line(line)
        for problem in parsed.problems:
            add(finding(shown, number, problem.offset + 1, codes.get_rule(problem.code),
                        problem.message))
        if not parsed.parsed:
            continue
        record = parsed.value
        if isinstance(record, dict) and isinstance(record.get("id"), str):
            ids.append(record["id"], number)
        result.annotations += 1
        shape = rules.shape_problems(record)
        for broken in shape or check_record(record, project, owner, lookups,
                                            document_exists):
            column = jsonpos.locate(line, list(broken.path)) + 1 if broken.path else 1
            add(finding(shown, number, column, broken.rule, broken.message))
        if shape:
            continue
        # repr is exact for the flat values the schema allows (strings,
        # integers, lists of strings, null, booleans).
        identity = hashlib.blake2b(repr(rules.identity(record)).encode(),
                                   digest_size=16).digest()
        if identity in seen:
            first_line, first_id = seen[identity]
            remedy = ("they share an id too: run 'annotate dedupe', which drops exact copies"
                      if first_id == record["id"] else
                      f"remove one with 'annotate rm {record['id']}'")
            add(finding(shown, number, 1, codes.DUPLICATE_ANNOTATION,
                        f"same annotation as line {first_line} (only the id and timestamps "
                        f"differ); {remedy}"))
        else:
            seen[identity] = (number, record["id"])
    if number == 0:
        # An empty file is valid: its reviewer reviewed the document and
        # marks nothing in it (AN108, which warned about it, is retired).
        add_file_findings()
    return result


def unreadable_document_message(document_id: str, why: str) -> str:
    """What AN314 says: the document is there but cannot be read, and why."""
    return (f"document {document_id!r} is in the corpus but cannot be read, so nothing "
            f"was checked against its text: {why}")


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
        why = documents.unreadable(record["document"])
        if (owner is not None and record["document"] == owner[0]
                and (not document_exists or why is not None)):
            return  # the whole file got one AN311 or AN314 for it already
        if why is None:
            yield rules.missing_document(record)
        else:
            yield Problem(codes.UNREADABLE_DOCUMENT, ("document",),
                          unreadable_document_message(record["document"], why))
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
