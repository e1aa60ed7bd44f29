"""Domain objects: plain frozen dataclasses, no I/O.

Offsets everywhere are Unicode code points, end exclusive (Python ``str``
indices), the way the W3C TextPositionSelector counts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

# How much context is stored either side of a quote: Hypothesis stores 32
# code points, enough to tell apart repeated phrases in news text.
CONTEXT_LENGTH = 32

Severity = Literal["error", "warning"]

# The reviewer name of the merged result (`annotate merge`): nobody annotates
# as it, so a consensus file is always the merge's own work.
CONSENSUS_REVIEWER = "consensus"


@dataclass(frozen=True)
class Label:
    """One label of the taxonomy, e.g. sourced."""

    name: str
    description: str
    color: str  # "#rrggbb"
    requires_source: bool = False
    # The key that labels a sentence in `annotate review` (None: the rule of
    # annotate.keymap picks one).
    key: str | None = None


@dataclass(frozen=True)
class Publisher:
    """Who publishes the fact checks: ClaimReview's author and publisher."""

    name: str
    url: str | None = None  # the publisher's home page
    # Where a published fact check lives: a template with {document} and
    # {annotation}, ClaimReview's url.
    review_url: str | None = None


@dataclass(frozen=True)
class Project:
    """The parsed project file: where things live and the label taxonomy."""

    name: str
    corpus: str  # folder, relative to the project file
    annotations: str  # folder, relative to the project file
    labels: tuple[Label, ...]
    verdicts: tuple[str, ...]
    # Publication settings for exports (W3C document URIs, ClaimReview); None
    # when the project file does not set them (exports then fall back and warn).
    publisher: Publisher | None = None
    documents_url: str | None = None

    def label(self, name: str) -> Label | None:
        """The label called name, or None."""
        for label in self.labels:
            if label.name == name:
                return label
        return None

    @property
    def label_names(self) -> tuple[str, ...]:
        """The label names, in the project file's order."""
        return tuple(label.name for label in self.labels)


@dataclass(frozen=True)
class Document:
    """A document's text and version (the SHA-256 of its bytes)."""

    id: str  # path relative to the corpus folder, "/"-separated
    text: str
    sha256: str  # of the file's bytes: the document's version


class AnnotationRecord(TypedDict, total=False):
    """The JSON shape of one annotation (schemas/annotation.schema.json)."""

    id: str
    document: str
    document_sha256: str
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    label: str
    reviewer: str
    note: str
    sources: list[str]
    created: str
    modified: str
    verdict: str
    tags: list[str]
    orphaned: bool
    previous_quote: str
    provenance: dict[str, Any]


@dataclass(frozen=True)
class Annotation:
    """One labelled span of one document by one reviewer."""

    id: str
    document: str
    document_sha256: str
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    label: str
    reviewer: str
    note: str
    sources: tuple[str, ...]
    created: str
    modified: str
    verdict: str | None = None
    tags: tuple[str, ...] = ()
    # Set by re-anchoring when no acceptable match exists in the current
    # text: the annotation is kept with its last known quote, never dropped.
    orphaned: bool = False
    previous_quote: str | None = None
    # Consensus records only (and required there): the position a record was
    # merged from, how it was decided and who supported it, as
    # annotate.merge.consensus.ProvenanceRecord.  A record, not a dataclass:
    # the merge package owns its meaning; the model carries it unchanged.
    provenance: dict[str, Any] | None = field(default=None, hash=False)

    def to_record(self) -> AnnotationRecord:
        """The canonical JSON record: optional fields only when they say something."""
        # From __dict__ (the fields, see from_fields) in the fields' order, not
        # through dataclasses.fields: a merge writes thousands of records.
        values = self.__dict__
        record: dict[str, Any] = {name: values[name] for name in _FIELD_NAMES}
        record["sources"] = list(self.sources)
        record["tags"] = list(self.tags)
        for optional, empty in _EMPTY_OPTIONAL:
            if record[optional] == empty:
                del record[optional]
        return record  # type: ignore[return-value]

    @classmethod
    def from_record(cls, record: AnnotationRecord | dict[str, Any],
                    same: Mapping[str, Any] | None = None) -> Annotation:
        """Build from a record that already passed the schema.

        ``same``: values to take instead of the record's equal ones, so that
        the records of one file share one object for each (see
        records.parse_annotation_text).
        """
        # Laid over a template of every field: a dict keeps the keys it had
        # and takes the record's values, so every annotation's fields are
        # keyed by the same interned strings, not by the copies a JSON
        # parser makes for each line.  Reading a field of 100,000 of them is
        # then a fifth faster (an identical key, not an equal one compared
        # byte by byte), and 1.7 million key strings are never kept.
        values: dict[str, Any] = {**_RECORD_TEMPLATE, **record, **(same or {})}
        if len(values) != len(_FIELD_NAMES) or not record.keys() >= _RECORD_REQUIRED:
            unknown = sorted(values.keys() - _FIELD_SET)
            missing = sorted(_RECORD_REQUIRED - record.keys())
            raise TypeError(f"Annotation fields: unknown {unknown}, missing {missing}")
        values["sources"] = tuple(values["sources"])
        values["tags"] = tuple(values["tags"])
        annotation = object.__new__(cls)
        object.__setattr__(annotation, "__dict__", values)  # see from_fields
        return annotation

    @classmethod
    def from_fields(cls, values: dict[str, Any]) -> Annotation:
        """Build from exactly the dataclass's fields, as ``fields_of`` gives
        them; the dict becomes the object's own (the caller lets go of it)."""
        # A frozen dataclass's __init__ sets each of its 19 fields through
        # object.__setattr__: most of what building one costs (100,000 of
        # them: 0.25 s).  Taking the checked dict as the object's __dict__
        # builds the same object at once.
        if values.keys() != _FIELD_SET:
            unknown = sorted(values.keys() - _FIELD_SET)
            missing = sorted(_FIELD_SET - values.keys())
            raise TypeError(f"Annotation fields: unknown {unknown}, missing {missing}")
        annotation = object.__new__(cls)
        object.__setattr__(annotation, "__dict__", values)
        return annotation

    def fields_of(self) -> dict[str, Any]:
        """Every field's value by name (a copy): ``from_fields`` builds it back."""
        return dict(self.__dict__)

    def replace(self, **changes: Any) -> Annotation:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)


_FIELD_NAMES = tuple(f.name for f in dataclasses.fields(Annotation))
_FIELD_SET = frozenset(_FIELD_NAMES)
# The optional fields a record leaves out when they say nothing.
_EMPTY_OPTIONAL: tuple[tuple[str, Any], ...] = (
    ("verdict", None), ("tags", []), ("orphaned", False), ("previous_quote", None),
    ("provenance", None))
# What a record may leave out (the optional fields, and sources, which old
# callers of from_record omitted), as the dataclass's defaults.
_RECORD_DEFAULTS: dict[str, Any] = {
    "sources": (),
    **{f.name: f.default for f in dataclasses.fields(Annotation)
       if f.default is not dataclasses.MISSING}}
# Every field, in the fields' order, with its default (None for a field a
# record must have); and the fields a record must have.
_RECORD_TEMPLATE: dict[str, Any] = {name: _RECORD_DEFAULTS.get(name) for name in _FIELD_NAMES}
_RECORD_REQUIRED = _FIELD_SET - _RECORD_DEFAULTS.keys()


@dataclass(frozen=True)
class Finished:
    """A reviewer finished reviewing a document (possibly marking nothing)."""

    document: str
    reviewer: str
    finished: str  # RFC 3339, UTC
    document_sha256: str  # the version they reviewed

    def to_record(self) -> dict[str, str]:
        """The JSON object of schemas/finished.schema.json."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class ReviewProgress:
    """Where `annotate review` stands for one reviewer on one document: the
    version their last decision there was made on, and the sentences of that
    version they skipped (read and left unmarked), as (start, end) spans.

    Labelled sentences are not kept here: they are the reviewer's annotations.
    """

    document: str
    reviewer: str
    document_sha256: str
    skipped: tuple[tuple[int, int], ...]
    updated: str  # RFC 3339, UTC

    def to_record(self) -> dict[str, Any]:
        """The JSON object of schemas/progress.schema.json."""
        return {"document": self.document, "reviewer": self.reviewer,
                "document_sha256": self.document_sha256,
                "skipped": [list(span) for span in self.skipped], "updated": self.updated}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> ReviewProgress:
        """Build from a record that already passed the schema."""
        return cls(record["document"], record["reviewer"], record["document_sha256"],
                   tuple((start, end) for start, end in record["skipped"]),
                   record["updated"])


class StoredDecisionRecord(TypedDict, total=False):
    """The JSON shape of one decision in decisions.json (schemas/decisions.schema.json)."""

    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    document_sha256: str
    label: str | None
    editor: str
    note: str
    sources: list[str]
    time: str
    orphaned: bool
    previous_quote: str


@dataclass(frozen=True)
class StoredDecision:
    """An editor's decision on one merge position, as `annotate resolve` stores it.

    Anchored like an annotation (span, quote, context, document version), so
    re-anchoring moves it with the text; the position it decides is the one
    whose core is its span (``position``).  ``label`` None means "no claim
    here": the position stays out of the consensus.
    """

    document: str
    document_sha256: str
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    label: str | None
    editor: str
    note: str
    sources: tuple[str, ...]
    time: str  # RFC 3339, UTC
    orphaned: bool = False
    previous_quote: str | None = None

    @property
    def position(self) -> str:
        """The id of the position this decides (merge.positions.position_id)."""
        return f"p{self.start}-{self.end}"

    def to_record(self) -> StoredDecisionRecord:
        """The JSON record (the document is the file's; optional fields when set)."""
        record: StoredDecisionRecord = {
            "start": self.start, "end": self.end, "quote": self.quote, "prefix": self.prefix,
            "suffix": self.suffix, "document_sha256": self.document_sha256,
            "label": self.label, "editor": self.editor, "note": self.note,
            "sources": list(self.sources), "time": self.time}
        if self.orphaned:
            record["orphaned"] = True
        if self.previous_quote is not None:
            record["previous_quote"] = self.previous_quote
        return record

    @classmethod
    def from_record(cls, document: str, record: StoredDecisionRecord | dict[str, Any]
                    ) -> StoredDecision:
        """Build from a record that already passed the schema."""
        values: dict[str, Any] = dict(record)
        values["sources"] = tuple(values.get("sources", ()))
        return cls(document=document, **values)

    def replace(self, **changes: Any) -> StoredDecision:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Source:
    """Where a document came from, as its metadata record says
    (``annotations/<document>/metadata.json``; `annotate fetch`, `ingest`)."""

    url: str | None  # the page's canonical address, else the one it was fetched from
    title: str | None = None  # the headline
    authors: tuple[str, ...] = ()
    published: str | None = None  # YYYY-MM-DD
    site_name: str | None = None


@dataclass(frozen=True)
class Sentence:
    """A numbered sentence with its span and line:column."""

    number: int  # 1-based, as `annotate sentences` prints it
    start: int
    end: int
    text: str
    line: int
    column: int


@dataclass(frozen=True)
class Occurrence:
    """Where a quote (or a fuzzy candidate for it) stands in a text."""

    start: int
    end: int
    line: int
    column: int
    context: str
    score: float = 1.0


@dataclass(frozen=True)
class Finding:
    """One problem found by validation, at a position in a file."""

    path: str
    line: int
    column: int
    code: str
    severity: Severity
    message: str
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
