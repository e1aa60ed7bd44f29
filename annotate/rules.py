"""The rule book: every check on an annotation record or the project file,
written once.

Each check returns ``Problem``s (a catalogued rule, the path of the offending
value inside the record, a message that says what to do).  Writers (`add`,
`edit`, `reanchor`, and later merge and import) pass what they are about to
write through ``require``, which raises on the first error; `validate`
reports every problem as a finding at the value's line:column.  Because both
ask the same functions, the tool cannot write a record it then refuses to
read (issue: "the same rules live in two places and already disagree").

Pure: records, projects and texts in, problems out.  The record's shape is
the JSON Schema's job (schemas/); what a schema cannot say (the taxonomy,
integral offsets, text that is not UTF-8, spans against the text) is here.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from annotate import codes
from annotate.errors import AnnotateError, InvalidValueError, UnknownLabelError
from annotate.model import Annotation, Project

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

    from annotate.schema import SchemaName

FieldPath = tuple[str | int, ...]

# The reviewer name is also a file name; the schema's pattern allows 128.
REVIEWER_MAX_LENGTH = 128


@dataclass(frozen=True)
class Problem:
    """One broken rule: which, where in the record (``()`` for the whole), why."""

    rule: codes.Rule
    path: FieldPath
    message: str

    @property
    def is_error(self) -> bool:
        """True for errors; warnings never stop a writer."""
        return self.rule.severity == "error"


# -- the annotation record ---------------------------------------------------------


def record_problems(record: Any, project: Project | None) -> list[Problem]:
    """Everything wrong with one record on its own: shape, text, taxonomy, time.

    ``project`` is None when the project file itself is broken; the checks
    that need the taxonomy are then skipped and the rest still run.
    ``records_pass`` decides the same (without a project) for a whole file:
    a check added here is added there too.
    """
    return shape_problems(record) or list(semantic_problems(record, project))


def shape_problems(record: Any) -> list[Problem]:
    """What the later checks rely on: the schema, whole-number offsets, text
    that is UTF-8.  A record with any of these gets only these."""
    return (schema_problems("annotation", record)
            or [*_integral_offsets(record), *_undecodable_text(record)])


def records_pass(records: Sequence[Any], owner: tuple[str, str] | None = None, *,
                 surrogate_free: bool = False) -> bool:
    """Whether no record of a file has any problem, error or warning, under
    ``record_problems(record, None)`` and, with ``owner`` (document, reviewer),
    ``placement_problems``: the checks a reader applies, asked of a whole
    file's records at once (the schema through ``schema.all_valid``).  False
    says only that some record has one; record_problems says which.

    ``surrogate_free``: the caller knows that no string in the records holds
    a surrogate code point (they were parsed from such a text), so the
    UTF-8 check (``_undecodable_text``) cannot fail and is not run.
    """
    from annotate.schema import all_valid

    if not all_valid("annotation", records):
        return False
    # The checks after the schema, each decided as the function that
    # reports it decides (named beside it), without a generator per record:
    # three times faster.  tests/test_rules.py holds the two to one verdict.
    document, reviewer = owner if owner is not None else (None, None)
    for record in records:
        start, end, created, modified = (record["start"], record["end"], record["created"],
                                         record["modified"])
        if (not (isinstance(start, int) and isinstance(end, int))  # _integral_offsets
                or (not surrogate_free and _undecodable_text(record))
                or (created != modified  # semantic_problems
                    and _out_of_order(created, modified))
                or (owner is not None  # placement_problems
                    and (record["document"] != document or record["reviewer"] != reviewer))):
            return False
    return True


def semantic_problems(record: dict[str, Any], project: Project | None) -> Iterable[Problem]:
    """The taxonomy (when there is a project) and the order of the timestamps,
    for a record of the right shape."""
    if project is not None:
        yield from taxonomy_problems(record, project)
    if _out_of_order(record["created"], record["modified"]):
        yield Problem(codes.TIMESTAMPS_OUT_OF_ORDER, ("modified",),
                      f"modified {record['modified']} is before created {record['created']}")


def missing_document(record: dict[str, Any]) -> Problem:
    """The record names a document the corpus does not have."""
    return Problem(codes.UNKNOWN_DOCUMENT, ("document",),
                   f"no document {record['document']!r} in the corpus")


def taxonomy_problems(record: dict[str, Any], project: Project) -> Iterable[Problem]:
    """The label and verdict exist, and a label that needs a source has one."""
    label = project.label(record["label"])
    if label is None:
        yield Problem(codes.UNKNOWN_LABEL, ("label",),
                      unknown_label_message(record["label"], project))
    elif label.requires_source and not record["sources"]:
        yield Problem(codes.MISSING_SOURCE, ("sources",),
                      f"label {label.name!r} requires at least one source URL; add one "
                      f"(--source URL, or 'annotate edit {record['id']} --add-source URL')")
    verdict = record.get("verdict")
    if verdict is not None and verdict not in project.verdicts:
        yield Problem(codes.UNKNOWN_VERDICT, ("verdict",),
                      f"unknown verdict {verdict!r}; {_did_you_mean(verdict, project.verdicts)}"
                      f"allowed: {', '.join(project.verdicts)}")


def unknown_label_message(name: str, project: Project) -> str:
    """What to say about a label the taxonomy does not have."""
    return (f"unknown label {name!r}; {_did_you_mean(name, project.label_names)}"
            f"allowed: {', '.join(project.label_names)}")


def placement_problems(record: dict[str, Any], document: str, reviewer: str
                       ) -> Iterable[Problem]:
    """The record belongs to the file it is in: same document, same reviewer."""
    if record["document"] != document:
        yield Problem(codes.MISPLACED_RECORD, ("document",),
                      f"record is for document {record['document']!r} but the file is for "
                      f"{document!r}")
    if record["reviewer"] != reviewer:
        yield Problem(codes.MISPLACED_RECORD, ("reviewer",),
                      f"record is by {record['reviewer']!r} but the file is {reviewer!r}'s")


def span_problems(text: str, record: dict[str, Any], which: str = "") -> Iterable[Problem]:
    """The span lies in ``text``, its quote is the text there, and so is its context.

    ``which`` names the text in messages (e.g. " of the version it was made on").
    """
    from annotate.anchoring.textindex import context, splits_grapheme

    start, end, quote = record["start"], record["end"], record["quote"]
    if start >= end:
        yield Problem(codes.OFFSETS_OUT_OF_RANGE, ("end",),
                      f"start {start} is not before end {end}: a span covers at least one "
                      "character")
        return
    if not 0 <= start < end <= len(text):
        yield Problem(codes.OFFSETS_OUT_OF_RANGE, ("end",) if end > len(text) else ("start",),
                      f"offsets {start}..{end} are outside the text{which} (0..{len(text)})")
        return
    if text[start:end] != quote:
        yield Problem(codes.QUOTE_MISMATCH, ("quote",),
                      f"quote differs from the text{which} at {start}..{end}: "
                      f"“{clip(text[start:end], 60)}”")
        return
    for name, offset in (("start", start), ("end", end)):
        if splits_grapheme(text, offset):
            yield Problem(codes.SPLITS_CHARACTER, (name,),
                          f"{name} {offset} falls inside a character of the text{which} (a "
                          "letter and its accent, an emoji sequence, a flag)"
                          + (f"; move it with 'annotate edit {record['id']} --start/--end'"
                             if "id" in record else ""))
    prefix, suffix = context(text, start, end)
    if not prefix.endswith(record["prefix"]):
        yield Problem(codes.CONTEXT_MISMATCH, ("prefix",),
                      f"prefix/suffix do not match the text around the quote{which}")
    elif not suffix.startswith(record["suffix"]):
        yield Problem(codes.CONTEXT_MISMATCH, ("suffix",),
                      f"prefix/suffix do not match the text around the quote{which}")


def anchor_problems(record: dict[str, Any], text: str, sha256: str,
                    made_on: str | None) -> Iterable[Problem]:
    """The span against the document as it is now (``text``, ``sha256``).

    ``made_on`` is the stored text of the version the record was made on,
    when the document has changed since and that version is kept.
    """
    quote = record["quote"]
    if record.get("orphaned"):
        yield Problem(codes.ORPHANED, (),
                      f"orphaned: re-anchoring found no place for “{clip(quote, 60)}” in "
                      "the current text; fix the span by hand or remove the annotation")
        return
    if record["document_sha256"] == sha256:
        yield from span_problems(text, record)
        return
    if made_on is not None:
        yield from span_problems(made_on, record, " of the version it was made on")
    # Text that merely moved is reanchor's everyday work (a warning); a quote
    # that is nowhere in the text any more needs a human.
    if text[record["start"]:record["end"]] == quote or quote in text:
        yield Problem(codes.DOCUMENT_CHANGED, ("document_sha256",),
                      "document changed since annotated; run `annotate reanchor`")
    else:
        yield Problem(codes.QUOTE_NOT_FOUND, ("quote",),
                      "document changed since annotated and the quote is no longer in it; "
                      "run `annotate reanchor`, then fix or remove what it orphans")


# What makes two annotations the same one: every field but the id and the
# timestamps (the field list itself is the dataclass's: written once).
_IDENTITY_FIELDS = tuple(field.name for field in dataclasses.fields(Annotation)
                         if field.name not in ("id", "created", "modified"))
_LIST_FIELDS = tuple(_IDENTITY_FIELDS.index(name) for name in ("sources", "tags"))


def identity(record: dict[str, Any]) -> tuple[Any, ...]:
    """A hashable key equal for records that differ only in id and timestamps."""
    key: list[Any] = list(map(record.get, _IDENTITY_FIELDS))
    for position in _LIST_FIELDS:
        listed = key[position]
        if listed is not None:
            key[position] = tuple(listed)
    return tuple(key)


def _integral_offsets(record: dict[str, Any]) -> Iterable[Problem]:
    # JSON Schema counts 4565.0 as an integer; Python cannot slice with it,
    # and no writer of ours ever writes one.
    for name in ("start", "end"):
        if not isinstance(record[name], int):
            yield Problem(codes.ANNOTATION_SCHEMA, (name,),
                          f"{name}: {record[name]!r} must be written as a whole number, "
                          f"without a fraction or exponent (e.g. {int(record[name])})")


def _undecodable_text(record: dict[str, Any]) -> list[Problem]:
    # A lone surrogate is what Python makes of bytes that are not UTF-8 on
    # the command line (e.g. $'bad \xff'); no UTF-8 file can hold it.  The
    # schema passed, so values are flat: strings, numbers, lists of strings.
    # Runs for every record validate reads: the common case is one test.
    found = []
    for key, value in record.items():
        if isinstance(value, list):
            for position, item in enumerate(value):
                if not item.isascii() and _SURROGATE.search(item):
                    found.append(_undecodable(item, (key, position)))
        elif isinstance(value, str) and not value.isascii() and _SURROGATE.search(value):
            found.append(_undecodable(value, (key,)))
    return found


def _undecodable(value: str, path: FieldPath) -> Problem:
    shown = value.encode("utf-8", "backslashreplace").decode()[:60]
    return Problem(codes.UNPAIRED_SURROGATE, path,
                   f"{'/'.join(map(str, path))}: holds bytes that are not valid UTF-8 "
                   f"({shown!r}); type it again as UTF-8 text")


_SURROGATE = re.compile("[\ud800-\udfff]")


def _out_of_order(created: str, modified: str) -> bool:
    return _timestamp_key(created) > _timestamp_key(modified)


def _timestamp_key(stamp: str) -> tuple[str, str]:
    # The schema makes every timestamp RFC 3339 in UTC ("...Z"), so the
    # seconds compare as text and the fraction as a right-padded decimal.
    whole, _, fraction = stamp.rstrip("Zz").partition(".")
    return whole.upper(), fraction.ljust(9, "0")


def _did_you_mean(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}? " if close else ""


def finished_problems(data: Any, document: str, reviewer: str) -> list[Problem]:
    """A finished marker's shape, and that it belongs where it is stored."""
    problems = schema_problems("finished", data)
    if problems:
        return problems
    return [Problem(codes.MISPLACED_RECORD, (field,),
                    f"the marker is for {field} {data[field]!r} but its file is for {value!r}")
            for field, value in (("document", document), ("reviewer", reviewer))
            if data[field] != value]


def progress_problems(data: Any, document: str, reviewer: str) -> list[Problem]:
    """A review progress file's shape, that it belongs where it is stored, and
    that its skipped sentences are non-empty spans in order."""
    problems = schema_problems("progress", data)
    if problems:
        return problems
    problems = [Problem(codes.MISPLACED_RECORD, (field,),
                        f"the progress is for {field} {data[field]!r} but its file is for "
                        f"{value!r}")
                for field, value in (("document", document), ("reviewer", reviewer))
                if data[field] != value]
    previous = 0
    for index, (start, end) in enumerate(data["skipped"]):
        if type(start) is not int or type(end) is not int:
            problems.append(Problem(codes.DECISIONS_SCHEMA, ("skipped", index),
                                    "offsets must be whole numbers"))
        elif not previous <= start < end:
            problems.append(Problem(codes.DECISIONS_SCHEMA, ("skipped", index),
                                    f"skipped sentence [{start}, {end}] is empty or out of "
                                    "order; sentences are [start, end] with start < end, "
                                    "each after the one before"))
        else:
            previous = end
    return problems


def metadata_problems(data: Any, document: str) -> list[Problem]:
    """A document's metadata record (annotations/<document>/metadata.json): its
    schema, and that it is the document's."""
    problems = schema_problems("metadata", data)
    if problems:
        return problems
    if data["document"] != document:
        problems.append(Problem(codes.MISPLACED_RECORD, ("document",),
                                f"the metadata is for document {data['document']!r} but the "
                                f"file is for {document!r}"))
    return problems


def decisions_problems(data: Any, document: str, project: Project | None) -> list[Problem]:
    """A decisions file on its own: its schema, that it is the document's, whole-number
    offsets, text that is UTF-8, labels of the taxonomy, one decision per position.

    Its spans against the text are ``anchor_problems``' (per decision), as
    for annotations.
    """
    problems = schema_problems("decisions", data)
    if problems:
        return problems
    if data["document"] != document:
        problems.append(Problem(codes.MISPLACED_RECORD, ("document",),
                                f"the decisions are for document {data['document']!r} but "
                                f"the file is for {document!r}"))
    decided: dict[tuple[int, int], int] = {}
    for index, decision in enumerate(data["decisions"]):
        here: FieldPath = ("decisions", index)
        shape = [*_integral_offsets(decision), *_undecodable_text(decision)]
        problems.extend(dataclasses.replace(p, path=here + p.path) for p in shape)
        if shape:
            continue
        label = decision["label"]
        if project is not None and label is not None and project.label(label) is None:
            problems.append(Problem(codes.UNKNOWN_LABEL, (*here, "label"),
                                    unknown_label_message(label, project)))
        if decision.get("orphaned"):
            continue  # its span is no longer known: it decides nothing
        span = (decision["start"], decision["end"])
        if span in decided:
            problems.append(Problem(
                codes.DUPLICATE_DECISION, here,
                f"a second decision for position p{span[0]}-{span[1]} (the first is "
                f"decisions[{decided[span]}]); keep one: 'annotate resolve' replaces a "
                "decision instead of adding another"))
        else:
            decided[span] = index
    return problems


# -- the project file ----------------------------------------------------------------


def project_problems(data: Any) -> list[Problem]:
    """Everything wrong with a parsed project file: its schema, then labels defined
    twice, and review keys (``labels[].key``) that clash with a command key of
    `annotate review` or with another label's."""
    from annotate.keymap import clash

    problems = schema_problems("project", data)
    if problems:
        return problems
    seen: set[str] = set()
    keys: dict[str, str] = {}
    for position, label in enumerate(data["labels"]):
        if label["name"] in seen:
            problems.append(Problem(codes.PROJECT_SCHEMA, ("labels", position, "name"),
                                    f"label {label['name']!r} is defined twice"))
            continue  # its key clashing with its first definition's says nothing more
        seen.add(label["name"])
        key = label.get("key")
        if key is None:
            continue
        why = clash(key) or (f"it is already the key of label {keys[key]!r}"
                             if key in keys else None)
        if why:
            problems.append(Problem(codes.PROJECT_SCHEMA, ("labels", position, "key"),
                                    f"label {label['name']!r} cannot have the key {key!r}: "
                                    f"{why}; choose another letter or digit"))
        keys.setdefault(key, label["name"])
    return problems


# -- the schema, with messages a user can act on ------------------------------------------

_SCHEMA_RULES: dict[str, codes.Rule] = {"annotation": codes.ANNOTATION_SCHEMA,
                                         "finished": codes.DECISIONS_SCHEMA,
                                         "decisions": codes.DECISIONS_SCHEMA,
                                         "progress": codes.DECISIONS_SCHEMA,
                                         "metadata": codes.METADATA_SCHEMA,
                                         "project": codes.PROJECT_SCHEMA}


def schema_problems(name: SchemaName, instance: Any) -> list[Problem]:
    """The schema's errors, most relevant first; none (and no jsonschema import)
    when the fast check passes."""
    from annotate.schema import is_valid, schema_errors

    if is_valid(name, instance):
        return []
    rule = _SCHEMA_RULES[name]
    # One problem a value: a source that breaks both the "iri" format and
    # the pattern is one bad address, said once (dict: first said, first kept).
    found = {(tuple(error.absolute_path), describe_schema_error(error)): None
             for error in schema_errors(name, instance)}
    return [Problem(rule, path, message) for path, message in found]


# The bidirectional formatting characters RFC 3987 (section 4.1) keeps out of
# IRIs, as the sources pattern of the annotation and decisions schemas does.
_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                           "\u2066\u2067\u2068\u2069")


def describe_schema_error(error: ValidationError) -> str:
    """One line: where in the record, what is wrong, and for the fields people
    type (sources, tags, reviewer) what a good value looks like."""
    path = list(error.absolute_path)
    where = "/".join(str(part) for part in path)
    field = path[0] if path else None
    value = error.instance
    # (sources and tags of a record, or of an editor's decision: decisions/0/sources/0)
    parent = path[-2] if len(path) >= 2 else None
    if parent == "sources" and error.validator in ("format", "pattern"):
        bidi = next((c for c in str(value) if c in _BIDI_CONTROLS), None)
        if bidi is not None:
            # RFC 3987 section 4.1: an IRI must not hold them; shown, the
            # address reads otherwise than it leads (…/\u202egnp.exe).
            return (f"{where}: source {clip(str(value), 100)!r} holds the bidirectional "
                    f"control U+{ord(bidi):04X}, which makes an address read otherwise than "
                    "it leads; remove it")
        return (f"{where}: source {clip(str(value), 100)!r} is not an absolute http(s) "
                "address (IRI); give the full address, e.g. https://www.iiss.org/...")
    if parent == "tags" and error.validator in ("pattern", "minLength"):
        return (f"{where}: invalid tag {clip(str(value), 60)!r}: a tag is one line of text "
                "with no leading or trailing spaces")
    if path and path[-1] in ("reviewer", "editor") and error.validator == "pattern":
        length = (f" ({len(str(value))} characters; at most {REVIEWER_MAX_LENGTH})"
                  if len(str(value)) > REVIEWER_MAX_LENGTH else "")
        return (f"{where}: invalid reviewer name {clip(str(value), 60)!r}{length}: use "
                f"1 to {REVIEWER_MAX_LENGTH} letters, digits and . _ @ + - (not starting "
                "with '.'; no '/', '\\' or spaces), e.g. alice@example.org")
    if field == "document" and error.validator == "pattern":
        return (f"document: the document id {clip(str(value), 100)!r} cannot be stored: ids "
                "are '/'-separated paths without backslashes, NUL or '.'/'..' parts; rename "
                "the file")
    if "else" in error.schema_path and isinstance(error.instance, str):
        # metadata.schema.json: the HTTP fields of a record that was not fetched
        return (f"{clip(error.instance, 100)!r}: only a fetched document (method \"fetch\") "
                "has url, final_url, redirects, http_status and content_type; this one was "
                "ingested from a file")
    if "else" in error.schema_path:  # annotation.schema.json: provenance outside consensus
        return ("provenance: only records of the reserved reviewer 'consensus', which "
                "'annotate merge' writes, carry a provenance; remove it")
    if error.validator == "required" and "then" in error.schema_path and \
            "'provenance'" in error.message:
        return ("provenance: a record of the reserved reviewer 'consensus' must say where it "
                "came from; consensus files are written by 'annotate merge': run it again "
                "instead of editing them by hand")
    if error.validator == "uniqueItems":
        return f"{where}: an item is listed twice; keep one"
    message = clip(error.message, 200)
    return f"{where}: {message}" if where else message


# -- writers ask here before they write --------------------------------------------------

_ERRORS: dict[str, type[AnnotateError]] = {
    codes.UNKNOWN_LABEL.code: UnknownLabelError,
    codes.UNKNOWN_VERDICT.code: UnknownLabelError,
}


def require(problems: Iterable[Problem]) -> None:
    """Raise the first error as the AnnotateError a user sees; warnings pass."""
    for problem in problems:
        if problem.is_error:
            raise _ERRORS.get(problem.rule.code, InvalidValueError)(problem.message)


def require_label(project: Project, name: str) -> None:
    """A label given on the command line (e.g. a filter) exists in the taxonomy."""
    if project.label(name) is None:
        raise UnknownLabelError(unknown_label_message(name, project))


def clip(text: str, limit: int = 300) -> str:
    """Text on one line, at most ``limit`` characters, for messages."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"

