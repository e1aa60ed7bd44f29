"""What every export format is given and gives back (issue 10, item 2).

An exporter is a pure function ``(ExportBatch) -> Exported``, registered by
name in ``annotate.report.export.RENDERERS`` (the keys are what `annotate
export --format` offers).  The api reads the workspace into an
``ExportBatch``, calls the exporter and writes what it returns: one text
(stdout, or the file ``-o`` names) or, for a format that writes a folder,
a file per relative path under the folder ``-o`` names.  Warnings go to
stderr; they never stop the export.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from annotate.model import Annotation, Document, Project, Source


@dataclass(frozen=True)
class DocumentAnnotations:
    """One document as it is now and the annotations an export carries for it
    (every reviewer's, the consensus included, in reading order); ``source``:
    the page it was fetched or ingested from, when its metadata says."""

    document: Document
    annotations: tuple[Annotation, ...]
    source: Source | None = None


@dataclass(frozen=True)
class ExportBatch:
    """What an exporter is given: the project (taxonomy, publisher, documents_url)
    and each document asked for, in order (none: an empty workspace)."""

    project: Project
    documents: tuple[DocumentAnnotations, ...]

    @property
    def annotations(self) -> tuple[Annotation, ...]:
        """Every annotation of the batch, document by document."""
        return tuple(a for entry in self.documents for a in entry.annotations)

    @property
    def sources(self) -> dict[str, Source]:
        """The page each document came from, by document id (those known)."""
        return {entry.document.id: entry.source for entry in self.documents
                if entry.source is not None}


@dataclass(frozen=True)
class Exported:
    """What an exporter gives back: ``text`` for a format written to one file
    (or stdout), or ``files`` (relative "/"-separated path -> text) for one
    written to a folder; warnings for stderr (what to set before
    publishing); and one line for each annotation the format could not carry
    (`export` then exits 1, so a CI job never publishes less than it thinks).

    A format that reports what it could not carry in grouped warnings (brat:
    one line per reason, listing the ids) counts those annotations in
    ``dropped`` instead; they make `export` exit 1 just the same.
    ``omitted`` counts the annotations a format does not carry by design
    (ClaimReview: those without a verdict), said in a warning and no
    failure.  Both keep the "wrote N annotations" line true.

    ``owns``: the suffixes of the files of a folder export that hold
    annotations (brat: ``.ann``); a folder already holding such a file that
    this export does not write (an earlier export's) is refused, since a
    reader of the folder would take it for part of this one."""

    text: str | None = None
    files: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    warnings: tuple[str, ...] = ()
    left_out: tuple[str, ...] = ()
    dropped: int = 0
    omitted: int = 0
    owns: tuple[str, ...] = ()

    @property
    def incomplete(self) -> bool:
        """True when an annotation had to be left out (`export` exits 1)."""
        return bool(self.left_out) or self.dropped > 0

    def written(self, annotations: int) -> int:
        """How many of the batch's ``annotations`` the export holds."""
        return annotations - len(self.left_out) - self.dropped - self.omitted

    @property
    def is_folder(self) -> bool:
        """True when the export is a folder of files (``-o DIR`` required)."""
        return self.text is None
