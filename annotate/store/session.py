"""One document's files under one lock.

Every reviewer file of a document is read and written under one lock of the
document's folder (``document_session``), so concurrent writers never lose a
record.  A file that does not parse is never rewritten: reading it raises
first.
"""

from __future__ import annotations

import contextlib
import json
import operator
import os
from collections.abc import Iterator, Sequence
from typing import Any

from annotate import portable
from annotate.errors import InvalidValueError, WriteError
from annotate.files import fsync_folder, inside, locked, remove_stale_temporaries, write_file
from annotate.gcpause import cyclic_gc_paused
from annotate.model import (
    CONSENSUS_REVIEWER,
    Annotation,
    Finished,
    ReviewProgress,
    StoredDecision,
)
from annotate.records import dump_sorted_records
from annotate.store import record_cache
from annotate.store.documents import document_place, write_document
from annotate.store.layout import (
    ANNOTATION_SUFFIX,
    FINISHED_SUFFIX,
    PROGRESS_SUFFIX,
    _make_folder,
    annotation_folder,
    annotation_path,
    decisions_path,
    finished_path,
    metadata_path,
    progress_path,
    reviewer_files,
)
from annotate.store.reading import (
    dump_metadata,
    read_annotation_file,
    read_decisions,
    read_finished,
    read_metadata,
    read_progress,
)
from annotate.workspace import Workspace


class DocumentSession:
    """One document's reviewer files under one lock (see ``document_session``).

    Reads see what this session wrote; writes are staged and committed
    together when the session ends without an error, so an operation that
    fails half-way writes nothing.
    """

    def __init__(self, workspace: Workspace, document_id: str) -> None:
        self.workspace = workspace
        self.document_id = document_id
        # Reviewer -> their records in file order, and the file's bytes.
        self._staged: dict[str, tuple[list[Annotation], bytes]] = {}
        self._finished: dict[str, Finished | None] = {}
        self._decisions: list[StoredDecision] | None = None  # staged
        self._progress: dict[str, ReviewProgress] = {}  # staged
        self._metadata: dict[str, Any] | None = None  # staged
        self._text: str | None = None  # the document's new text, staged
        # Records this session read from disk or checked on a write, kept
        # alive so their id() stays theirs: a writer passing them back
        # unchanged need not have them checked a second time.
        self._read: list[list[Annotation]] = []
        self._checked: set[int] = set()

    def reviewers(self) -> list[str]:
        """The reviewers of the document: everyone with a file of annotations
        for it (empty when they marked nothing) or who finished it."""
        on_disk = reviewer_files(self.workspace, self.document_id)
        return sorted(set(on_disk) | set(self._staged) | set(self.finished()))

    def finished(self) -> dict[str, Finished]:
        """Who finished the document (as this session will leave it)."""
        found = read_finished(self.workspace, self.document_id)
        for reviewer, marker in self._finished.items():
            if marker is None:
                found.pop(reviewer, None)
            else:
                found[reviewer] = marker
        return dict(sorted(found.items()))

    def mark_finished(self, reviewer: str, marker: Finished | None) -> None:
        """Stage a reviewer's finished marker; None removes it."""
        from annotate import rules

        if marker is not None:
            rules.require(rules.finished_problems(marker.to_record(), self.document_id,
                                                  reviewer))
        self._finished[reviewer] = marker

    def progress(self, reviewer: str) -> ReviewProgress | None:
        """A reviewer's review progress on the document (as this session will leave it)."""
        if reviewer in self._progress:
            return self._progress[reviewer]
        return read_progress(self.workspace, self.document_id, reviewer)

    def write_progress(self, progress: ReviewProgress) -> None:
        """Stage a reviewer's review progress; it passes the rule book readers apply."""
        from annotate import rules

        rules.require(rules.progress_problems(progress.to_record(), self.document_id,
                                              progress.reviewer))
        self._progress[progress.reviewer] = progress

    def decisions(self) -> list[StoredDecision]:
        """The editor's decisions on the document's positions (as this session will
        leave them)."""
        if self._decisions is not None:
            return list(self._decisions)
        return read_decisions(self.workspace, self.document_id)

    def write_decisions(self, decisions: list[StoredDecision]) -> None:
        """Stage the whole decisions file; it passes the rule book readers apply."""
        from annotate import rules
        from annotate.decisions import dump_decisions

        text = dump_decisions(self.document_id, decisions)
        rules.require(rules.decisions_problems(json.loads(text), self.document_id,
                                               self.workspace.project))
        self._decisions = list(decisions)

    def metadata(self) -> dict[str, Any] | None:
        """The document's metadata record (as this session will leave it), or None."""
        if self._metadata is not None:
            return dict(self._metadata)
        return read_metadata(self.workspace, self.document_id)

    def write_metadata(self, record: dict[str, Any]) -> None:
        """Stage the document's metadata record; it passes the rule book readers apply."""
        from annotate import rules

        rules.require(rules.metadata_problems(json.loads(dump_metadata(record)),
                                              self.document_id))
        self._metadata = dict(record)

    def write_text(self, text: str) -> None:
        """Stage a new text for the document itself (written first on commit)."""
        document_place(self.workspace, self.document_id)
        self._text = text

    def read(self, reviewer: str) -> list[Annotation]:
        """One reviewer's annotations; a record of another document or reviewer
        in their file is refused (CorruptFileError), never rewritten."""
        if reviewer in self._staged:
            return list(self._staged[reviewer][0])
        path = annotation_path(self.workspace, self.document_id, reviewer)
        records = read_annotation_file(self.workspace, path, (self.document_id, reviewer))
        self._read.append(records)
        self._checked.update(map(id, records))
        return list(records)

    def read_all(self) -> dict[str, list[Annotation]]:
        """Every reviewer's annotations, by reviewer."""
        # The collector paused over all the files, not only over each: the
        # records of the files read so far are what it would walk again and
        # again between them.
        with cyclic_gc_paused():
            return {reviewer: self.read(reviewer) for reviewer in self.reviewers()}

    def write(self, reviewer: str, annotations: list[Annotation]) -> None:
        """Stage a reviewer's whole file.  An empty list leaves an empty file:
        the reviewer reviewed the document and now marks nothing in it.

        Every record passes the rule book's checks that readers apply, so no
        writer can leave a file that the next read refuses.
        """
        from annotate import rules

        ordered = sorted(annotations, key=operator.attrgetter("id"))  # the file's order
        records = [annotation.to_record() for annotation in ordered]
        text = dump_sorted_records(records)
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:
            data = None  # a string holds a surrogate: the checks below say which
        # Records read from this document's files were checked by the reader.
        fresh = [dict(record) for annotation, record in zip(ordered, records, strict=True)
                 if id(annotation) not in self._checked or annotation.reviewer != reviewer]
        # All at once first (a merge writes thousands); one by one only to
        # find and raise the first error.  Text that encodes holds no
        # surrogate, so that check is not asked record by record.
        if data is None or (fresh and not rules.records_pass(
                fresh, (self.document_id, reviewer), surrogate_free=True)):
            for record in fresh:
                rules.require(rules.record_problems(record, None))
                rules.require(rules.placement_problems(record, self.document_id, reviewer))
        if data is None:
            # Only a record read from a file could still hold a surrogate,
            # and the reader refuses those.
            raise AssertionError("a checked record holds a surrogate")
        self._staged[reviewer] = (ordered, data)
        self._checked.update(map(id, annotations))

    def commit(self) -> None:
        """Write every staged file: each atomically, so a crash at any instant
        leaves each file old or new, never torn.  The document's text goes
        first and its metadata record next: a crash between them leaves a
        record naming the previous text, which validate reports (AN404)."""
        self._refuse_unportable_files()
        if self._text is not None:
            write_document(self.workspace, self.document_id, self._text)
        if self._metadata is not None:
            write_file(self.workspace, metadata_path(self.workspace, self.document_id),
                       dump_metadata(self._metadata).encode("utf-8"))
        for reviewer, (records, data) in sorted(self._staged.items()):
            path = annotation_path(self.workspace, self.document_id, reviewer)
            write_file(self.workspace, path, data)
            # The next read of these bytes gets these records: they passed.
            record_cache.remember(record_cache.key_of(data), records)
        for reviewer, marker in sorted(self._finished.items()):
            path = finished_path(self.workspace, self.document_id, reviewer)
            if marker is not None:
                text = json.dumps(marker.to_record(), sort_keys=True, ensure_ascii=False)
                write_file(self.workspace, path, (text + "\n").encode("utf-8"))
            elif inside(self.workspace, path).exists():
                try:
                    path.unlink()
                    fsync_folder(path.parent)
                except OSError as error:
                    raise WriteError(f"cannot remove {self.workspace.relative(path)}: "
                                     f"{error.strerror}") from error
        for reviewer, progress in sorted(self._progress.items()):
            text = json.dumps(progress.to_record(), sort_keys=True, ensure_ascii=False)
            write_file(self.workspace, progress_path(self.workspace, self.document_id, reviewer),
                       (text + "\n").encode("utf-8"))
        if self._decisions is not None:
            from annotate.decisions import dump_decisions

            write_file(self.workspace, decisions_path(self.workspace, self.document_id),
                       dump_decisions(self.document_id, self._decisions).encode("utf-8"))
        self._staged.clear()
        self._finished.clear()
        self._progress.clear()
        self._decisions = None
        self._metadata = None
        self._text = None

    def _refuse_unportable_files(self) -> None:
        """Refuse (before anything is written) to make files for a new
        reviewer whose name a teammate's checkout could not hold
        (``unportable_reviewer``), the session's other new ones counted."""
        new = {*self._staged, *(r for r, marker in self._finished.items() if marker),
               *self._progress}
        accepted: list[str] = []
        for reviewer in sorted(new):
            problem = unportable_reviewer(self.workspace, self.document_id, reviewer, accepted)
            if problem is not None:
                raise InvalidValueError(problem)
            accepted.append(reviewer)


def unportable_reviewer(workspace: Workspace, document_id: str, reviewer: str,
                        also: Sequence[str] = ()) -> str | None:
    """Why the reviewer's files of the document could not be held by a
    teammate's checkout, or None: a name that differs only in case from a
    reviewer of the document already (or from one of ``also``, new beside
    it), on macOS and Windows one file; or one Windows cannot make a file of
    (annotate.portable).  None for a reviewer with files there already:
    refusing them would lock them out."""
    there = set(also)
    with contextlib.suppress(OSError):  # a folder not made yet holds no one
        for name in os.listdir(annotation_folder(workspace, document_id)):
            for suffix in (FINISHED_SUFFIX, PROGRESS_SUFFIX, ANNOTATION_SUFFIX):
                if name.endswith(suffix) and not name.startswith("."):
                    there.add(name[: -len(suffix)])
                    break
    if reviewer in there:
        return None
    twin = portable.case_twin(reviewer, there)
    if twin is not None and reviewer == CONSENSUS_REVIEWER:
        # A reviewer named so before the name was refused in any case.
        return (f"{document_id} has a reviewer {twin!r}, whose files would be the merged "
                "result's on macOS and Windows; rename that reviewer's files (and the name "
                "in their records), then merge again")
    if twin is not None:
        return (f"reviewer {reviewer!r} differs only in case from {twin!r}, a reviewer of "
                f"{document_id} already: on macOS and Windows their files would be one; use "
                f"--reviewer {twin}, or another name")
    problem = portable.windows_problem(annotation_path(workspace, document_id, reviewer).name)
    if problem is not None:
        return (f"reviewer {reviewer!r}: {problem}, so no one could check out the reviewer's "
                "files there; choose another name")
    return None


# Folders this process holds a lock on: a nested session on the same
# document would wait for itself until the timeout.
_HELD: set[str] = set()


@contextlib.contextmanager
def document_session(workspace: Workspace, document_id: str) -> Iterator[DocumentSession]:
    """Hold the document's lock once: read every reviewer's records, stage
    writes to several files, commit them on a clean exit."""
    folder = annotation_folder(workspace, document_id)
    key = os.path.abspath(folder)
    if key in _HELD:
        raise RuntimeError(f"nested document session for {document_id!r}")
    _make_folder(workspace, folder)
    with locked(folder):
        _HELD.add(key)
        try:
            session = DocumentSession(workspace, document_id)
            yield session
            remove_stale_temporaries(folder)
            session.commit()
        finally:
            _HELD.discard(key)
