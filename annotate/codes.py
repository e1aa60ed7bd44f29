"""The catalogue of validation finding codes.

Codes are stable: once published, a code keeps its meaning and is never
reused, because CI configurations, SARIF consumers (GitHub code scanning
tracks alerts by rule id) and people's muscle memory depend on it.  Add new
codes at the end of their group; retire a code by keeping its entry.

Groups, by the hundreds digit:

- AN1xx  syntax: the bytes are not one JSON value per line
- AN2xx  schema: a JSON value does not match its JSON Schema
- AN3xx  semantics: the records are well-formed but wrong about the workspace
- AN4xx  staleness: the document moved on since the annotation was made

``docs/validation-codes.md`` is generated from this module by
``codes_markdown()``; a test keeps the two equal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from annotate.model import Severity


@dataclass(frozen=True)
class Rule:
    """One finding code: what it is called, how bad it is, what it means."""

    code: str  # "AN101": stable identifier, also the SARIF rule id
    name: str  # "InvalidJson": readable identifier (SARIF reportingDescriptor.name)
    severity: Severity  # the default; `--strict` turns warnings into errors
    summary: str  # one sentence, shown in docs and as SARIF shortDescription

    @property
    def group(self) -> str:
        """The group key, "AN1" for AN101."""
        return self.code[:3]


# --- AN1xx syntax -----------------------------------------------------------

INVALID_JSON = Rule(
    "AN101", "InvalidJson", "error",
    "The line is not valid JSON (RFC 8259).")
INVALID_UTF8 = Rule(
    "AN102", "InvalidUtf8", "error",
    "The file is not valid UTF-8; invalid bytes were read as U+FFFD.")
BYTE_ORDER_MARK = Rule(
    "AN103", "ByteOrderMark", "error",
    "The file starts with a UTF-8 byte order mark (which JSON forbids), so no command reads it.")
DUPLICATE_KEY = Rule(
    "AN104", "DuplicateKey", "error",
    "An object has the same key twice, so readers disagree on its value.")
NON_FINITE_NUMBER = Rule(
    "AN105", "NonFiniteNumber", "error",
    "A number is NaN, Infinity or too large to represent, which JSON does not allow.")
NESTING_TOO_DEEP = Rule(
    "AN106", "NestingTooDeep", "error",
    "Arrays and objects are nested deeper than the validator accepts.")
BLANK_LINE = Rule(
    # A warning, not an error: annotate itself reads past blank lines (and
    # drops them on the next write), so nothing is lost or misread.
    "AN107", "BlankLine", "warning",
    "A line is blank; JSON Lines needs exactly one JSON value on every line.")
EMPTY_FILE = Rule(
    # Retired: an empty file is the reviewer marking nothing (issue 9).
    "AN108", "EmptyFile", "warning",
    "Retired, never reported: an empty file means its reviewer marked nothing.")
UNREADABLE_FILE = Rule(
    "AN109", "UnreadableFile", "error",
    "The path cannot be read as a regular file (a directory, a device, no permission).")
UNPAIRED_SURROGATE = Rule(
    "AN110", "UnpairedSurrogate", "error",
    "A string escapes an unpaired UTF-16 surrogate (such as `\\ud800`), which is not text.")

# --- AN2xx schema -----------------------------------------------------------

ANNOTATION_SCHEMA = Rule(
    "AN201", "AnnotationSchema", "error",
    "The record does not match the annotation schema.")
PROJECT_SCHEMA = Rule(
    "AN202", "ProjectSchema", "error",
    "The project file does not match its schema.")
DECISIONS_SCHEMA = Rule(
    "AN203", "DecisionsSchema", "error",
    "A decisions file, a finished marker or a review progress file does not match its "
    "schema.")
METADATA_SCHEMA = Rule(
    "AN204", "MetadataSchema", "error",
    "A document's metadata record (where it was fetched from) does not match its schema.")

# --- AN3xx semantics --------------------------------------------------------

UNKNOWN_LABEL = Rule(
    "AN301", "UnknownLabel", "error",
    "The label is not in the project's taxonomy.")
UNKNOWN_DOCUMENT = Rule(
    "AN302", "UnknownDocument", "error",
    "The record names a document that does not exist in the corpus.")
OFFSETS_OUT_OF_RANGE = Rule(
    "AN303", "OffsetsOutOfRange", "error",
    "The offsets break 0 <= start < end <= length of the document text.")
QUOTE_MISMATCH = Rule(
    "AN304", "QuoteMismatch", "error",
    "The quote differs from the document text at [start, end) of the version it was made on.")
CONTEXT_MISMATCH = Rule(
    "AN305", "ContextMismatch", "warning",
    "The prefix or suffix does not match the text around the quote.")
MISSING_SOURCE = Rule(
    "AN306", "MissingSource", "error",
    "The label requires a source URL but the annotation has none.")
DUPLICATE_ID = Rule(
    "AN307", "DuplicateId", "error",
    "The annotation id is used more than once in the workspace.")
MISPLACED_RECORD = Rule(
    "AN308", "MisplacedRecord", "error",
    "The record's reviewer or document does not match the file it is stored in.")
TIMESTAMPS_OUT_OF_ORDER = Rule(
    "AN309", "TimestampsOutOfOrder", "error",
    "The record was created after it was last modified.")
DUPLICATE_ANNOTATION = Rule(
    "AN310", "DuplicateAnnotation", "warning",
    "Two annotations are identical apart from their ids.")
STRAY_ANNOTATION_FILE = Rule(
    "AN311", "StrayAnnotationFile", "error",
    "An annotation file sits where no document of the corpus exists.")
SYMLINK_OUTSIDE_WORKSPACE = Rule(
    "AN312", "SymlinkOutsideWorkspace", "error",
    "A symbolic link points outside the workspace; it was not followed.")
UNKNOWN_VERDICT = Rule(
    "AN313", "UnknownVerdict", "error",
    "The verdict is not on the project's verdict scale.")
UNREADABLE_DOCUMENT = Rule(
    "AN314", "UnreadableDocument", "error",
    "The document is in the corpus but cannot be read "
    "(permissions, a FIFO, a link out, not UTF-8).")
SPLITS_CHARACTER = Rule(
    "AN315", "SplitsCharacter", "warning",
    "The span starts or ends inside a character (a UAX #29 grapheme cluster).")
DUPLICATE_DECISION = Rule(
    "AN316", "DuplicateDecision", "error",
    "Two decisions in a decisions file decide the same position.")
MISSING_SNAPSHOT = Rule(
    "AN317", "MissingSnapshot", "warning",
    "The raw HTML a metadata record names is not in annotations/.versions/: no proof of the page.")
UNPORTABLE_PATH = Rule(
    "AN318", "UnportablePath", "warning",
    "A path is another's in other case, or one Windows cannot hold (CON, a colon...).")

# --- AN4xx staleness and anchoring -----------------------------------------

DOCUMENT_CHANGED = Rule(
    "AN401", "DocumentChanged", "warning",
    "The document changed since the annotation was made; run `annotate reanchor`.")
QUOTE_NOT_FOUND = Rule(
    "AN402", "QuoteNotFound", "error",
    "The quote no longer matches the current document text.")
ORPHANED = Rule(
    "AN403", "Orphaned", "warning",
    "The annotation is orphaned: re-anchoring found no place for it in the current text.")
NOT_AS_FETCHED = Rule(
    "AN404", "NotAsFetched", "warning",
    "The document's text is not the one its metadata says was fetched (edited by hand since).")


RULES: tuple[Rule, ...] = (
    INVALID_JSON, INVALID_UTF8, BYTE_ORDER_MARK, DUPLICATE_KEY, NON_FINITE_NUMBER,
    NESTING_TOO_DEEP, BLANK_LINE, EMPTY_FILE, UNREADABLE_FILE, UNPAIRED_SURROGATE,
    ANNOTATION_SCHEMA, PROJECT_SCHEMA, DECISIONS_SCHEMA, METADATA_SCHEMA,
    UNKNOWN_LABEL, UNKNOWN_DOCUMENT, OFFSETS_OUT_OF_RANGE, QUOTE_MISMATCH,
    CONTEXT_MISMATCH, MISSING_SOURCE, DUPLICATE_ID, MISPLACED_RECORD,
    TIMESTAMPS_OUT_OF_ORDER, DUPLICATE_ANNOTATION, STRAY_ANNOTATION_FILE,
    SYMLINK_OUTSIDE_WORKSPACE, UNKNOWN_VERDICT, UNREADABLE_DOCUMENT, SPLITS_CHARACTER,
    DUPLICATE_DECISION, MISSING_SNAPSHOT, UNPORTABLE_PATH,
    DOCUMENT_CHANGED, QUOTE_NOT_FOUND, ORPHANED, NOT_AS_FETCHED,
)
"""Every rule, ordered by code."""

RULES_BY_CODE: Mapping[str, Rule] = MappingProxyType({rule.code: rule for rule in RULES})

GROUPS: Mapping[str, str] = MappingProxyType({
    "AN1": "Syntax",
    "AN2": "Schema",
    "AN3": "Semantics",
    "AN4": "Staleness and anchoring",
})


def get_rule(code: str) -> Rule:
    """The rule for a code; KeyError names the code if it is not catalogued."""
    try:
        return RULES_BY_CODE[code]
    except KeyError:
        raise KeyError(f"unknown finding code {code!r}") from None


def _cell(text: str) -> str:
    # A "|" would end the table cell early (GitHub Flavored Markdown tables).
    return text.replace("|", "\\|")


def codes_markdown() -> str:
    """docs/validation-codes.md: every code, grouped, as Markdown tables."""
    lines = [
        "# Validation codes",
        "",
        "<!-- Generated by annotate.codes.codes_markdown(): edit annotate/codes.py,",
        "     not this file. tests/test_codes.py fails when the two differ. -->",
        "",
        "Every finding `annotate validate` reports carries one of these codes.",
        "Codes are stable: a code keeps its meaning and is never reused.",
        "The severity is the default; `--strict` turns every warning into an error.",
        "In SARIF output the code is the rule id and the name is the rule name.",
    ]
    for prefix, title in GROUPS.items():
        lines += [
            "",
            f"## {prefix}xx — {title}",
            "",
            "| Code | Name | Severity | Meaning |",
            "| --- | --- | --- | --- |",
        ]
        lines += [
            f"| {rule.code} | {rule.name} | {rule.severity} | {_cell(rule.summary)} |"
            for rule in RULES if rule.group == prefix
        ]
    return "\n".join(lines) + "\n"
