"""The documents and stored versions annotation files refer to: read once
per process, and every lookup noted as a dependency of the file that made it.

A document that is in the corpus but cannot be read (no permission, a FIFO,
a link leaving the workspace, not UTF-8) is told apart from one that is not
there, and the reason is kept: the finding says what actually happened
(issue 8, item 8), not "no document in the corpus".
"""

from __future__ import annotations

import os

from annotate import store
from annotate.errors import AnnotateError, UnknownDocumentError
from annotate.validation.hashes import Hashes, file_stat
from annotate.workspace import Workspace


class Documents:
    """Current texts and stored versions, read lazily and kept for the run."""

    def __init__(self, workspace: Workspace, hashes: Hashes | None = None) -> None:
        self.workspace = workspace
        self.hashes = hashes
        self._current: dict[str, tuple[str, str] | None] = {}
        self._unreadable: dict[str, str] = {}
        self._versions: dict[str, str | None] = {}
        self._sha256: dict[str, str] = {}
        # The stat of each document and version file looked at, taken before
        # it was read: a write after the stat changes it, so the stat can
        # stand for what was read (by dependency key, see fingerprint).
        self.stats: dict[str, list[int] | None] = {}

    def current(self, document_id: str) -> tuple[str, str] | None:
        """(text, sha256) of the document as it is now, or None if there is none
        or it cannot be read (``unreadable`` tells the two apart)."""
        if document_id not in self._current:
            self.stats[f"doc:{document_id}"] = file_stat(
                str(store.document_path(self.workspace, document_id)))
            try:
                document = store.read_document(self.workspace, document_id)
                self._current[document_id] = (document.text, document.sha256)
            except (AnnotateError, OSError, ValueError) as error:
                self._current[document_id] = None
                why = self._why_unreadable(document_id, error)
                if why is not None:
                    self._unreadable[document_id] = why
        return self._current[document_id]

    def unreadable(self, document_id: str) -> str | None:
        """Why the corpus's document cannot be read; None if it can, or if
        the corpus has no such document."""
        self.current(document_id)
        return self._unreadable.get(document_id)

    def _why_unreadable(self, document_id: str, error: Exception) -> str | None:
        path = store.document_path(self.workspace, document_id)
        if isinstance(error, ValueError) or not os.path.lexists(path) or os.path.isdir(path):
            return None  # not there, or a folder: no such document
        try:  # as the corpus names it, not where a link leads
            shown = path.relative_to(self.workspace.root).as_posix()
        except ValueError:
            shown = self.workspace.relative(path)
        cause = error.__cause__ if isinstance(error, UnknownDocumentError) else error
        if isinstance(cause, FileNotFoundError):
            if not os.path.islink(path):
                return None  # removed meanwhile
            return f"{shown} is a symbolic link to {os.readlink(path)}, which does not exist"
        if isinstance(cause, OSError):
            return f"{shown}: {cause.strerror}"
        return str(error)  # the store's own words: a FIFO, a link leaving, not UTF-8

    def version(self, sha256: str) -> str | None:
        """The stored text of the version with this hash, or None if none is kept."""
        if sha256 not in self._versions:
            self.stats[f"ver:{sha256}"] = file_stat(version_path(self.workspace, sha256))
            try:
                self._versions[sha256] = store.read_version(self.workspace, sha256)
            except (AnnotateError, OSError):
                self._versions[sha256] = None  # a copy that cannot be read is no copy
        return self._versions[sha256]

    def sha256(self, document_id: str) -> str:
        """The document's dependency value (see FileResult.dependencies): its
        current hash, "" if there is none, "!" and why if it cannot be read.
        An unchanged file (same stat as when hashed) is not read again."""
        if document_id in self._sha256:
            return self._sha256[document_id]
        path = str(store.document_path(self.workspace, document_id))
        known = None
        if document_id not in self._current:
            stat = file_stat(path)  # before reading: a later write changes it
            known = self.hashes.known(path, stat) if self.hashes is not None else None
            if known is not None:
                self.stats[f"doc:{document_id}"] = stat
        if known is None:
            found = self.current(document_id)  # the stat taken before reading it
            known = found[1] if found else absent(self.unreadable(document_id))
            if found is not None and self.hashes is not None:
                self.hashes.remember(path, self.stats[f"doc:{document_id}"], known)
        self._sha256[document_id] = known
        return known

    def fingerprint(self, key: str) -> str:
        """The current value of one dependency key (see FileResult.dependencies)."""
        kind, _, name = key.partition(":")
        if kind == "doc":
            return self.sha256(name)
        return "1" if self.version(name) is not None else ""

    def recording(self, dependencies: dict[str, str]) -> Lookups:
        """A view that notes each lookup in dependencies, as fingerprint reads them."""
        return Lookups(self, dependencies)


def version_path(workspace: Workspace, sha256: str) -> str:
    """Where the stored version with this hash is (the store's layout)."""
    return str(store.version_path(workspace, sha256))


def dependency_path(workspace: Workspace, key: str) -> str:
    """The file a dependency key (see FileResult.dependencies) stands for."""
    kind, _, name = key.partition(":")
    if kind == "doc":
        return str(store.document_path(workspace, name))
    return version_path(workspace, name)


def absent(why: str | None) -> str:
    """The dependency value of a document that could not be read: "" when
    there is none, else "!" and why, so that a change of reason (the
    permissions fixed, the file deleted) also drops a cached result."""
    return "" if why is None else f"!{why}"


class Lookups:
    """Documents as one file's checks see them: each lookup is noted as a
    dependency of that file's result, so the cache knows when to drop it."""

    def __init__(self, documents: Documents, dependencies: dict[str, str]) -> None:
        self._documents = documents
        # Read directly when known: this is asked once for every record.
        self._known = documents._current
        self._dependencies = dependencies

    def current(self, document_id: str) -> tuple[str, str] | None:
        """(text, sha256) of the document as it is now, or None if there is none."""
        known = self._known
        found = (known[document_id] if document_id in known
                 else self._documents.current(document_id))
        self._dependencies[f"doc:{document_id}"] = (
            found[1] if found else absent(self._documents.unreadable(document_id)))
        return found

    def unreadable(self, document_id: str) -> str | None:
        """Why the document cannot be read (see Documents.unreadable)."""
        return self._documents.unreadable(document_id)

    def version(self, sha256: str) -> str | None:
        """The stored text of the version with this hash, or None if none is kept."""
        old = self._documents.version(sha256)
        self._dependencies[f"ver:{sha256}"] = "1" if old is not None else ""
        return old
