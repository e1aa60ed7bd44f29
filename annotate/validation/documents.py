"""The documents and stored versions annotation files refer to: read once
per process, and every lookup noted as a dependency of the file that made it.
"""

from __future__ import annotations

from annotate import store
from annotate.errors import AnnotateError
from annotate.validation.hashes import Hashes, file_stat
from annotate.workspace import Workspace


class Documents:
    """Current texts and stored versions, read lazily and kept for the run."""

    def __init__(self, workspace: Workspace, hashes: Hashes | None = None) -> None:
        self.workspace = workspace
        self.hashes = hashes
        self._current: dict[str, tuple[str, str] | None] = {}
        self._versions: dict[str, str | None] = {}
        self._sha256: dict[str, str] = {}

    def current(self, document_id: str) -> tuple[str, str] | None:
        """(text, sha256) of the document as it is now, or None if there is none."""
        if document_id not in self._current:
            try:
                if not store.document_path(self.workspace, document_id).is_file():
                    raise FileNotFoundError(document_id)
                document = store.read_document(self.workspace, document_id)
                self._current[document_id] = (document.text, document.sha256)
            except (AnnotateError, OSError, ValueError):
                self._current[document_id] = None
        return self._current[document_id]

    def version(self, sha256: str) -> str | None:
        """The stored text of the version with this hash, or None if none is kept."""
        if sha256 not in self._versions:
            try:
                self._versions[sha256] = store.read_version(self.workspace, sha256)
            except AnnotateError:
                self._versions[sha256] = None
        return self._versions[sha256]

    def sha256(self, document_id: str) -> str:
        """The document's current hash ("" if there is none), without reading
        it when its file is unchanged since the hash was taken."""
        if document_id in self._sha256:
            return self._sha256[document_id]
        path = str(store.document_path(self.workspace, document_id))
        stat = file_stat(path)  # before reading: a later write changes it
        known = self.hashes.known(path, stat) if self.hashes is not None else None
        if known is None:
            found = self.current(document_id)
            known = found[1] if found else ""
            if found is not None and self.hashes is not None:
                self.hashes.remember(path, stat, known)
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
        self._dependencies[f"doc:{document_id}"] = found[1] if found else ""
        return found

    def version(self, sha256: str) -> str | None:
        """The stored text of the version with this hash, or None if none is kept."""
        old = self._documents.version(sha256)
        self._dependencies[f"ver:{sha256}"] = "1" if old is not None else ""
        return old
