"""`annotate report`: gather what a reviewer report shows, and write it out.

``report`` reads each document and its reviewers' files under one document
session (as ``merge`` does), merges them in memory as ``annotate merge
--dry-run`` would (nothing is written), and measures agreement as
``agreement`` does, from that merge's positions (so every file is read once);
``annotate.report.review`` renders the result.  ``write_report`` puts the
rendered text where ``-o`` names, atomically.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from annotate import spans, store
from annotate.api._common import Notify, _no_notes
from annotate.api.annotations import _known_reviewer
from annotate.api.review import (
    _note_older_version,
    _placed_decisions,
    _reliability,
    _reviewed_documents,
    _reviewers_work,
)
from annotate.errors import AnnotateError, InvalidValueError, UnsafePathError, WriteError
from annotate.model import CONSENSUS_REVIEWER, Annotation, Document, Project
from annotate.workspace import Workspace

if TYPE_CHECKING:
    from annotate.agreement import AgreementReport, DocumentData, ScopeAgreement
    from annotate.merge.consensus import MergeResult


@dataclass(frozen=True)
class DocumentReport:
    """One document as the report shows it."""

    document: Document
    # The document's reviewers: with an annotation file or a finished marker
    # (the reserved reviewer ``consensus`` is not one of them).
    reviewers: tuple[str, ...]
    # What the report draws and lists: every reviewer's records, or only the
    # --reviewer's (the consensus file's with --reviewer consensus).
    annotations: tuple[Annotation, ...]
    # The records of the consensus file `annotate merge` wrote; None: no file.
    consensus: tuple[Annotation, ...] | None
    consensus_file: str  # where it is (or would be), as shown to the user
    # The strategy the consensus file was merged with (from its records'
    # provenance), which the dry run below uses too; "unanimous" by default.
    strategy: str
    # The merge as `annotate merge --dry-run --strategy STRATEGY` computes it
    # now: positions, open conflicts, the consensus it would write.  None
    # when the document has no reviewer, or the merge was refused (notes).
    merge: MergeResult | None
    # The document's agreement figures (None: fewer than two reviewers, or refused).
    agreement: ScopeAgreement | None
    # Why something is missing (files on different versions, ...), for the reader.
    notes: tuple[str, ...] = ()
    # What `annotate agreement` measures on this document (None: no merge).
    reliability: DocumentData | None = field(default=None, repr=False, compare=False)
    stacked_skipped: int = 0  # stacked positions left out of the coefficients

    @property
    def consensus_current(self) -> bool | None:
        """Whether the consensus file holds what a merge would write now (None: no
        file, or no merge to compare with)."""
        if self.consensus is None or self.merge is None:
            return None
        return [record.annotation for record in self.merge.consensus] == list(self.consensus)


@dataclass(frozen=True)
class Report:
    """Everything `annotate report` shows: the documents and the pooled agreement."""

    project: Project
    documents: tuple[DocumentReport, ...]
    # Agreement over every document with two reviewers or more, pooled:
    # each reviewer's pairwise figures with the others (None: no such document).
    agreement: AgreementReport | None
    reviewer: str | None = None  # the --reviewer filter, as resolved


def report(ws: Workspace, references: Sequence[str] = (), *, reviewer: str | None = None,
           notify: Notify = _no_notes) -> Report:
    """What `annotate report` shows for the given documents (default: every
    document someone annotated or finished), with only ``reviewer``'s
    annotations if given (a unique name before '@' is enough).

    Nothing is written: the merge is computed as ``annotate merge --dry-run``
    would.  A document whose reviewer files cannot be merged or compared
    (different versions of the text, a repeated id, stale decisions) is
    still shown, with the reason in its notes and without merge or
    agreement figures.  An unknown document is an error (exit 2).
    """
    from annotate.merge.positions import cyclic_gc_paused

    document_ids = _reviewed_documents(ws, references)
    with cyclic_gc_paused():  # many records, no cycles: see cyclic_gc_paused
        gathered = [_document_report(ws, document_id) for document_id in document_ids]
    if reviewer is not None:
        present = {a.reviewer for d in gathered for a in d.annotations}
        present |= {r for d in gathered for r in d.reviewers}
        if any(d.consensus is not None for d in gathered):
            present.add(CONSENSUS_REVIEWER)
        reviewer = _known_reviewer(reviewer, present, notify)
        if not references:
            gathered = [d for d in gathered if reviewer in d.reviewers
                        or (reviewer == CONSENSUS_REVIEWER and d.consensus is not None)]
        gathered = [_only(d, reviewer) for d in gathered]
    pooled = _agreement(gathered)
    if pooled is not None:
        scopes = {scope.document: scope for scope in pooled.documents}
        gathered = [_with_agreement(d, scopes.get(d.document.id)) for d in gathered]
    return Report(ws.project, tuple(gathered), pooled, reviewer)


def _agreement(documents: Sequence[DocumentReport]) -> AgreementReport | None:
    """`annotate agreement` over the documents with two reviewers or more, from
    the positions the dry-run merge grouped (the same grouping, of the same
    records: reading every file a second time would double the cost)."""
    import dataclasses

    from annotate import agreement as measures
    from annotate.merge.positions import DEFAULT_MIN_OVERLAP

    data = [d.reliability for d in documents
            if d.reliability is not None and len(d.reviewers) >= 2]
    if not data:
        return None
    report = measures.agreement(data, absent="none")
    return dataclasses.replace(report, min_overlap=DEFAULT_MIN_OVERLAP, stacked_skipped={
        d.document.id: d.stacked_skipped for d in documents if d.stacked_skipped})


def _only(document: DocumentReport, reviewer: str) -> DocumentReport:
    """The document with only one reviewer's annotations (the consensus file's for consensus)."""
    from dataclasses import replace

    if reviewer == CONSENSUS_REVIEWER:
        return replace(document, annotations=document.consensus or ())
    return replace(document, annotations=tuple(a for a in document.annotations
                                               if a.reviewer == reviewer))


def _with_agreement(document: DocumentReport, scope: ScopeAgreement | None) -> DocumentReport:
    from dataclasses import replace

    return replace(document, agreement=scope)


def _document_report(ws: Workspace, document_id: str) -> DocumentReport:
    """One document: its text, every reviewer's records, the consensus file, the dry-run merge."""
    from annotate.merge import strategies
    from annotate.merge.consensus import Consensus, merge_document

    document = store.read_document(ws, document_id)
    shown_file = ws.relative(store.annotation_path(ws, document_id, CONSENSUS_REVIEWER))
    if not (store.reviewer_files(ws, document_id) or store.read_finished(ws, document_id)):
        # Nobody reviewed it; a session would make its folder, and a report writes nothing.
        return DocumentReport(document, (), (), None, shown_file, "unanimous", None, None)
    notes: list[str] = []
    merged: MergeResult | None = None
    reliability: DocumentData | None = None
    skipped = 0
    consensus_file = store.annotation_path(ws, document_id, CONSENSUS_REVIEWER).is_file()
    with store.document_session(ws, document_id) as session:
        try:
            held, previous = _reviewers_work(session)
        except AnnotateError as error:
            # Shown all the same: the reader needs to see the files to fix them.
            notes.append(f"not merged or compared: {error}")
            held = session.read_all()
            previous = held.pop(CONSENSUS_REVIEWER, [])
        strategy = _strategy_of(previous)
        if not notes:
            try:
                placed, _ = _placed_decisions(session, held)
                _note_older_version(document_id, document.sha256, held, notes.append)
                merged = merge_document(
                    document_id, [a for records in held.values() for a in records], held,
                    now=spans.now(), strategy=strategies.parse_strategy(strategy),
                    decisions={d.position: strategies.EditorDecision(
                        d.label, d.editor, d.note, d.time, d.sources) for d in placed},
                    previous=[Consensus.from_annotation(a) for a in previous])
                # The dry-run merge's positions: the same grouping of the same
                # records agreement makes (tests/test_report.py holds the
                # figures to api.agreement's).
                reliability, skipped = _reliability(document_id, held, merged.positions)
            except AnnotateError as error:
                notes.append(f"not merged: {error}")
    annotations = sorted((a for records in held.values() for a in records),
                         key=lambda a: (a.start, a.end, a.reviewer, a.id))
    return DocumentReport(
        document, tuple(sorted(held)), tuple(annotations),
        tuple(previous) if consensus_file else None, shown_file, strategy, merged, None,
        tuple(notes), reliability, skipped)


def _strategy_of(consensus: Sequence[Annotation]) -> str:
    """The strategy the consensus file was merged with: the one method (other
    than an editor's decision) its records name, else "unanimous", the
    default of `annotate merge`.  Its --quorum is not recorded: the
    default quorum is assumed."""
    from annotate.merge import strategies

    methods = {a.provenance.get("method") for a in consensus if a.provenance} - {"editor"}
    if len(methods) == 1:
        method = methods.pop()
        try:
            strategies.parse_strategy(str(method))
        except AnnotateError:
            return "unanimous"
        return str(method)
    return "unanimous"


# -- -o FILE -------------------------------------------------------------------

def write_report(ws: Workspace, output: str, text: str) -> str:
    """Write ``text`` to the file ``output`` names (relative to the current
    folder) atomically: a reader, or a crash, sees the old file or the new
    one.  Returns the path as shown to the user.

    The file may be anywhere the user can write, inside the workspace or
    not, but annotate's own data is refused: the project file and anything
    under the corpus or annotations folders (a typo must not replace an
    article).  A symbolic link is refused rather than followed or replaced
    (a repository could carry ``report.html -> ~/.bashrc``); the rename that
    puts the new file in place never follows one either, so a link swapped
    in after the check is replaced, not written through.  A folder, FIFO or
    device is refused; the folder must exist.
    """
    if not output:
        raise InvalidValueError("-o needs a file name (without -o the report goes to stdout)")
    path = Path(output)
    shown = output
    folder = path.parent
    if not folder.is_dir():
        raise WriteError(f"cannot write {shown}: there is no folder {folder}; create it "
                         "first")
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise WriteError(f"cannot write {shown}: {error.strerror}") from error
    if info is not None and stat.S_ISLNK(info.st_mode):
        raise UnsafePathError(f"{shown} is a symbolic link (to {os.readlink(path)}); annotate "
                              "does not write through links: remove it, or name the file "
                              "itself with -o")
    if info is not None and not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise UnsafePathError(f"{shown} is {kind}; -o names the report file to write "
                              "(without -o the report goes to stdout)")
    real = os.path.join(os.path.realpath(folder), path.name)
    for guarded in (ws.corpus_dir, ws.annotations_dir):
        root = os.path.realpath(guarded)
        if os.path.commonpath([root, real]) == root:
            raise UnsafePathError(f"{shown} is inside the workspace's "
                                  f"{ws.relative(guarded)}/ folder, which holds annotate's "
                                  "data; write the report elsewhere (e.g. -o report.html)")
    if real == os.path.realpath(ws.project_file):
        raise UnsafePathError(f"{shown} is the workspace's project file; write the report "
                              "elsewhere (e.g. -o report.html)")
    from annotate.files import atomic_write

    try:
        atomic_write(path, text.encode("utf-8"))
    except OSError as error:
        raise WriteError(f"cannot write {shown}: {error.strerror}; nothing was written "
                         "there (check the folder's permissions and free space)") from error
    return shown
