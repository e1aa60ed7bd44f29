"""Operations on other tools' formats: export and import (issue 10, item 2).

The formats themselves are pure (annotate/interchange/); these read the
workspace, call them, and write.  Export: ``ExportBatch`` in, ``Exported``
out, written to stdout (by the command), a file or a folder.  Import:
each file's bytes through its importer, every item through the shared step
of ``annotate.interchange.importing``, then written per document under one
document session.  The rules a user sees: docs/interchange.md.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from annotate import rules, spans, store
from annotate.api._common import refuse_reserved
from annotate.api.annotations import list_annotations
from annotate.errors import (
    AnnotateError,
    InputTooLargeError,
    InvalidValueError,
    UnreadableInputError,
)
from annotate.interchange.exporting import DocumentAnnotations, ExportBatch, Exported
from annotate.interchange.importing import (
    MAX_IMPORT_BYTES,
    Candidate,
    Corpus,
    Importer,
    Rejected,
    ScanBudget,
    Utf16Index,
)
from annotate.model import CONSENSUS_REVIEWER, Annotation, Document
from annotate.workspace import Workspace

# -- export ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportOutcome:
    """What `annotate export` produced and where it went (None: stdout, for the caller)."""

    exported: Exported
    documents: int
    annotations: int
    destination: str | None


def export_batch(ws: Workspace, references: Sequence[str] = ()) -> ExportBatch:
    """The documents named (every annotated one when none is) as they are now,
    each with every reviewer's annotations in reading order and the page it
    came from (its metadata record, when it has one).

    A batch where an annotation id repeats is refused, as merge and reanchor
    refuse it: an export would carry one id twice, which `import` then
    refuses (and a W3C id names one annotation)."""
    from annotate.api.check import refuse_repeated_ids
    from annotate.fetching.metadata import source

    if references:
        document_ids = list(dict.fromkeys(store.resolve_document(ws, r) for r in references))
    else:
        document_ids = store.annotated_documents(ws)
    refuse_repeated_ids(ws, document_ids)

    entries = []
    for document_id in document_ids:
        document = store.read_document(ws, document_id)
        record = store.read_metadata(ws, document_id)
        entries.append(DocumentAnnotations(document,
                                           tuple(list_annotations(ws, document_id)),
                                           None if record is None else source(record)))
    return ExportBatch(ws.project, tuple(entries))


def _refuse_stale_files(folder: Path, exported: Exported) -> None:
    """InvalidValueError if ``folder`` holds a file of the kind the export
    owns (brat's .ann) that the export does not write: left by an earlier
    export, it would be read back as part of this one."""
    if not exported.owns:
        return
    stale = [path for path in store.files_in_folder(folder, exported.owns)
             if path not in exported.files]
    if stale:
        kinds = "/".join(exported.owns)
        listed = ", ".join(stale[:3]) + (f" and {len(stale) - 3} more" if len(stale) > 3 else "")
        them = "it" if len(stale) == 1 else "them"
        raise InvalidValueError(
            f"{folder} holds {len(stale)} {kinds} file{'' if len(stale) == 1 else 's'} this "
            f"export does not write ({listed}), from an earlier export or elsewhere: "
            "importing the folder would bring its annotations back; export to a new or "
            f"empty folder, or delete {them}")


def export_annotations(ws: Workspace, references: Sequence[str], *,
                       render: Callable[[ExportBatch], Exported],
                       destination: str | None = None) -> ExportOutcome:
    """Export the documents named (all annotated ones by default) with
    ``render`` (a format of annotate.report.export); write the result to
    ``destination`` (a file, or a folder for a format that writes several
    files) or, without one, return it for stdout."""
    batch = export_batch(ws, references)
    exported = render(batch)
    if exported.is_folder:
        if destination is None:
            raise InvalidValueError("this format writes a folder of files: name it with "
                                    "-o DIR")
        _refuse_stale_files(Path(destination), exported)
        store.write_output_folder(ws, Path(destination),
                                  {path: text.encode("utf-8")
                                   for path, text in exported.files.items()})
    elif destination is not None:
        assert exported.text is not None
        store.write_output_file(ws, Path(destination), exported.text.encode("utf-8"))
    return ExportOutcome(exported, len(batch.documents), len(batch.annotations), destination)


# -- import ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Imported:
    """An item written as a new annotation; ``how`` it was anchored
    (importing.How) and the match score of an approximate match."""

    file: str
    where: str
    annotation: Annotation
    how: str
    score: float = 1.0


@dataclass(frozen=True)
class AlreadyThere:
    """An item the workspace already has: its id, or the reviewer's same span and label."""

    file: str
    where: str
    existing: str  # the id of the annotation already there


@dataclass(frozen=True)
class Skipped:
    """An item (or a whole file: where = "the file") not imported, and why."""

    file: str
    where: str
    reason: str


@dataclass
class ImportReport:
    """What `annotate import` did: every item of every file is in exactly one
    of imported, already_there, skipped or held_back (valid items of a file
    with problems, not imported without --partial)."""

    imported: list[Imported] = field(default_factory=list)
    already_there: list[AlreadyThere] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    held_back: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    files: int = 0

    @property
    def documents(self) -> list[str]:
        """The documents that received annotations."""
        return sorted({item.annotation.document for item in self.imported})


@dataclass
class _Prepared:
    """A candidate turned into the record it would become."""

    file: str
    where: str
    annotation: Annotation
    how: str
    score: float


class _Importer:
    """One `annotate import` run: options checked, documents and ids cached."""

    def __init__(self, ws: Workspace, *, reviewer: str | None, document: str | None,
                 label: str | None, partial: bool = False) -> None:
        from annotate.interchange import importing

        self.ws = ws
        self.partial = partial
        self.reviewer = reviewer
        self.label = label
        if reviewer is not None:
            refuse_reserved(reviewer, " of several reviewers; import under a reviewer's name")
            problems = importing.reviewer_problems(reviewer)
            if problems:
                raise InvalidValueError(f"--reviewer: {problems[0]}")
        if label is not None:
            rules.require_label(ws.project, label)
        self.document = None if document is None else store.resolve_document(ws, document)
        self.corpus: Corpus | None = None
        self.texts: dict[str, Document | str] = {}
        self.utf16: dict[str, Utf16Index] = {}
        self.budget = ScanBudget()
        # Annotation id -> (document, reviewer) of every annotation of the workspace.
        self.workspace_ids: dict[str, tuple[str, str]] | None = None
        self.by_address: dict[str, set[str]] | None = None
        self.assigned: set[str] = set()
        # Document -> the reviewers this run brings to it (a name's case
        # twin among them is refused as one already there is), and what
        # was found of each (document, reviewer): asked once, not per item.
        self.newcomers: dict[str, list[str]] = {}
        self.unportable_found: dict[tuple[str, str], str | None] = {}
        self.now = spans.now()

    def document_for(self, candidate: Candidate) -> Document | str:
        """The document an item is about, or why none."""
        from annotate.interchange import document_id_from_uri
        from annotate.interchange.w3c import iri_to_uri

        document_id = self.document
        if document_id is None:
            corpus = set(self.context().document_ids)
            if candidate.document_id is not None:
                if candidate.document_id not in corpus:
                    return f"no document {candidate.document_id!r} in the corpus"
                document_id = candidate.document_id
            elif candidate.document_uri is not None:
                uri = candidate.document_uri
                found = document_id_from_uri(self.ws.project, uri)
                if found is None and self.ws.project.documents_url is not None:
                    # An export writes a non-ASCII documents_url as a URI.
                    ascii_project = dataclasses.replace(
                        self.ws.project,
                        documents_url=iri_to_uri(self.ws.project.documents_url))
                    found = document_id_from_uri(ascii_project, uri)
                if found is None:
                    found = self.fetched_from(uri)
                if found is None or found not in corpus:
                    return (f"its target {uri[:100]!r} names no document of the corpus; pass "
                            "--document DOC to say which document it annotates")
                document_id = found
            elif candidate.document_name is not None:
                name = candidate.document_name
                matches = sorted(d for d in corpus if d == name or d.rsplit(".", 1)[0] == name)
                if len(matches) != 1:
                    which = "no document" if not matches else \
                        f"{len(matches)} documents ({', '.join(matches[:5])})"
                    return f"{which} of the corpus match {name!r}; pass --document DOC"
                document_id = matches[0]
            else:
                return "it names no document; pass --document DOC"
        return self.read(document_id)

    def fetched_from(self, uri: str) -> str | None:
        """The document fetched from this address (as asked for, after
        redirects, or canonical: its metadata record says), if exactly one was."""
        from annotate.fetching.metadata import address_key, addresses

        if self.by_address is None:
            self.by_address = {}
            for document_id, fields in sorted(store.page_addresses(self.ws).items()):
                for key in addresses(fields or {}):
                    self.by_address.setdefault(key, set()).add(document_id)
        found = self.by_address.get(address_key(uri), set())
        return next(iter(found)) if len(found) == 1 else None

    def read(self, document_id: str) -> Document | str:
        """A document of the corpus (read once), or why it cannot be read."""
        if document_id not in self.texts:
            try:
                self.texts[document_id] = store.read_document(self.ws, document_id)
            except AnnotateError as error:
                self.texts[document_id] = str(error)
        return self.texts[document_id]

    def context(self) -> Corpus:
        """What an importer may ask of the workspace (importing.Corpus)."""
        if self.corpus is None:
            def text(document_id: str) -> str | None:
                found = self.read(document_id)
                return found.text if isinstance(found, Document) else None

            self.corpus = Corpus(tuple(store.list_documents(self.ws)), self.document, text,
                                 reviewer_given=self.reviewer is not None)
        return self.corpus

    def ids_in_workspace(self) -> dict[str, tuple[str, str]]:
        """Every annotation id of the workspace, with its (document, reviewer), read once."""
        if self.workspace_ids is None:
            self.workspace_ids = {a.id: (a.document, a.reviewer)
                                  for a in store.read_all_annotations(self.ws)}
        return self.workspace_ids

    def unportable(self, document_id: str, reviewer: str) -> str | None:
        """store.unportable_reviewer, with the run's other new reviewers of the
        document counted; once for each (document, reviewer)."""
        key = (document_id, reviewer)
        if key not in self.unportable_found:
            newcomers = self.newcomers.setdefault(document_id, [])
            found = store.unportable_reviewer(self.ws, document_id, reviewer, newcomers)
            if found is None:
                newcomers.append(reviewer)
            self.unportable_found[key] = found
        return self.unportable_found[key]

    def prepare(self, file: str, candidate: Candidate) -> _Prepared | Rejected | AlreadyThere:
        """The record a candidate becomes, or why it cannot, or that it is already here."""
        from annotate.interchange import importing

        where = candidate.where
        document = self.document_for(candidate)
        if isinstance(document, str):
            return Rejected(where, document)
        identifier = candidate.annotation_id
        owner = None if identifier is None else self.ids_in_workspace().get(identifier)
        if identifier is not None and owner is not None:
            # Our own export read back: the same annotation, of the same
            # document and (if the file names it) the same reviewer.  An id
            # of another annotation is no proof of anything.
            creator = candidate.reviewer if self.reviewer is None else None
            if owner[0] == document.id and creator in (None, owner[1]):
                return AlreadyThere(file, where, identifier)
            return Rejected(where, f"its id {identifier!r} is that of "
                                   f"{owner[1]}'s annotation of {owner[0]}, not of this one "
                                   f"({creator or 'no creator'} on {document.id}); remove "
                                   "the id from the file to import it as a new annotation")
        utf16 = self.utf16.get(document.id)
        if utf16 is None:  # once per document: the index scans the whole text
            utf16 = self.utf16[document.id] = Utf16Index(document.text)
        anchored = importing.anchor(document.text, candidate, utf16, self.budget)
        if isinstance(anchored, str):
            return Rejected(where, anchored)
        labelled = importing.choose_label(candidate, self.ws.project, self.label)
        if isinstance(labelled, str):
            return Rejected(where, labelled)
        who = importing.choose_reviewer(candidate, self.reviewer)
        if isinstance(who, str):
            return Rejected(where, who)
        reviewer, origin = who
        if origin:
            if reviewer.casefold() == CONSENSUS_REVIEWER:  # in any case: see refuse_reserved
                # An export of a merged workspace holds the consensus: it is
                # made again by 'annotate merge', never imported as a reviewer.
                return Rejected(where, f"its creator is {reviewer!r}, the reserved name of "
                                       "the merged result, which 'annotate merge' makes from "
                                       "the reviewers' annotations: it is not imported"
                                       + ("" if self.partial else
                                          " (--partial imports the others)"))
            problems = importing.reviewer_problems(reviewer)
            if problems:
                return Rejected(where, f"{problems[0]} (the name is the annotation's "
                                       "creator; pass --reviewer NAME)")
        unportable = self.unportable(document.id, reviewer)
        if unportable is not None:
            return Rejected(where, unportable)
        stamps = importing.timestamps(candidate, self.now)
        if isinstance(stamps, str):
            return Rejected(where, stamps)
        reuses = (candidate.annotation_id is not None
                  and candidate.annotation_id not in self.assigned)
        annotation_id = candidate.annotation_id if reuses else None
        while annotation_id is None or annotation_id in self.assigned:
            annotation_id = spans.new_id()
        assert annotation_id is not None
        self.assigned.add(annotation_id)
        annotation = importing.build(candidate, document, anchored, label=labelled[0],
                                     tags=labelled[1], reviewer=reviewer, created=stamps[0],
                                     modified=stamps[1], annotation_id=annotation_id)
        problems = importing.record_problems(annotation, self.ws.project, document.text)
        if problems:
            return Rejected(where, "; ".join(problems))
        return _Prepared(file, where, annotation, anchored.how, anchored.score)


def import_annotations(ws: Workspace, paths: Sequence[str], *, importer: Importer,
                       reviewer: str | None = None, document: str | None = None,
                       label: str | None = None, partial: bool = False) -> ImportReport:
    """Import the annotations of each file with ``importer`` (a value of
    importing.IMPORTERS).

    Every item is anchored, labelled and checked by the rule book before
    anything is written.  Without ``partial`` a file with any item that
    cannot be imported contributes nothing; with it, its valid items are
    imported.  An item the workspace already has (its annotate id, or its
    reviewer's same span and label on the document) is left alone, so
    importing a file twice adds nothing the second time.
    """
    from annotate.interchange import importing

    for path in paths:
        if path != "-" and not os.path.lexists(path):  # "-": the standard input
            raise UnreadableInputError(f"cannot read {path}: no such file")
    if paths.count("-") > 1:
        raise UnreadableInputError("'-' (the standard input) is named more than once; it "
                                   "can be read once")
    run = _Importer(ws, reviewer=reviewer, document=document, label=label, partial=partial)
    report = ImportReport(files=len(paths))
    accepted: list[_Prepared] = []
    for path in paths:
        try:
            data = (store.read_standard_input(MAX_IMPORT_BYTES) if path == "-"
                    else store.read_input_file(Path(path), MAX_IMPORT_BYTES))
        except InputTooLargeError as error:
            report.skipped.append(Skipped(path, "the file", str(error)))
            continue
        parsed = importer(data, path, run.context())
        report.notes.extend(f"{path}: {note}" for note in parsed.notes)
        repeats = importing.repeated_ids(parsed.items)
        prepared: list[_Prepared] = []
        problems: list[Skipped] = []
        seen: dict[tuple[str, str, int, int, str], str] = {}
        for index, item in enumerate(parsed.items):
            if isinstance(item, Rejected):
                problems.append(Skipped(path, item.where, item.reason))
                continue
            if index in repeats:
                problems.append(Skipped(path, item.where, f"its id is repeated: {repeats[index]} "
                                                          "has it too"))
                continue
            outcome = run.prepare(path, item)
            if isinstance(outcome, Rejected):
                problems.append(Skipped(path, outcome.where, outcome.reason))
            elif isinstance(outcome, AlreadyThere):
                report.already_there.append(outcome)
            else:
                key = importing.identity_key(outcome.annotation)
                if key in seen:
                    problems.append(Skipped(path, item.where, "the same span and label as "
                                                              f"{seen[key]}, for the same "
                                                              "reviewer"))
                    continue
                seen[key] = item.where
                prepared.append(outcome)
        report.skipped.extend(problems)
        if problems and not partial:
            if prepared:
                report.held_back[path] = len(prepared)
            continue
        accepted.extend(prepared)
    _write(ws, accepted, run.texts, report)
    return report


def _write(ws: Workspace, accepted: list[_Prepared], documents: dict[str, Document | str],
           report: ImportReport) -> None:
    """Write the accepted items, one document session per document; an item
    whose reviewer has the same span and label there already (or that an
    earlier file of this run added) is left out as already there."""
    from annotate.interchange import importing

    by_document: dict[str, list[_Prepared]] = {}
    for item in accepted:
        by_document.setdefault(item.annotation.document, []).append(item)
    for document_id, items in sorted(by_document.items()):
        read = documents[document_id]
        assert isinstance(read, Document)
        document = read.sha256
        store.save_version(ws, read)  # the text the records were anchored on
        with store.document_session(ws, document_id) as session:
            for reviewer in sorted({item.annotation.reviewer for item in items}):
                existing = session.read(reviewer)
                keys = {importing.identity_key(a): a.id for a in existing
                        if not a.orphaned and a.document_sha256 == document}
                added: list[Annotation] = []
                for item in items:
                    if item.annotation.reviewer != reviewer:
                        continue
                    key = importing.identity_key(item.annotation)
                    if key in keys:
                        report.already_there.append(AlreadyThere(item.file, item.where,
                                                                 keys[key]))
                        continue
                    keys[key] = item.annotation.id
                    added.append(item.annotation)
                    report.imported.append(Imported(item.file, item.where, item.annotation,
                                                    item.how, item.score))
                if added:
                    session.write(reviewer, [*existing, *added])
