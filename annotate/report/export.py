"""`annotate export`: the formats, each a function ``(ExportBatch) -> Exported``
(annotate/interchange/exporting.py); the keys of RENDERERS are exactly what
``--format`` offers, so a format plugs in with one line here.

What each format writes is the pure modules' (annotate/interchange/); this
module serialises: JSON as every JSON output of annotate is (keys sorted,
two-space indent, UTF-8, control characters as \\u escapes), CSV as
`annotate list --format csv` writes it (one home: report/listing.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from annotate.interchange.exporting import ExportBatch, Exported
from annotate.report.listing import annotations_csv, to_json

Exporter = Callable[[ExportBatch], Exported]


def w3c(batch: ExportBatch) -> Exported:
    """W3C Web Annotation JSON-LD: an AnnotationCollection per document (an array of several)."""
    from annotate.interchange import w3c as model

    value, left_out = model.export(batch)
    return Exported(text=to_json(value), left_out=left_out)


def csv(batch: ExportBatch) -> Exported:
    """One row per annotation with a header, as 'annotate list --format csv'."""
    return Exported(text=annotations_csv(batch.annotations, batch.project))


def claimreview(batch: ExportBatch) -> Exported:
    """schema.org ClaimReview JSON-LD: one per annotation with a verdict (the
    consensus where a document was merged)."""
    from annotate.interchange.claimreview import claim_reviews

    documents = {entry.document.id: entry.document for entry in batch.documents}
    result = claim_reviews(batch.annotations, documents, batch.project, sources=batch.sources)
    # Omitted by design: every annotation neither in the file nor dropped --
    # the reviewers' records of a merged document too, with a verdict or not
    # (the warnings count only those with one).
    omitted = len(batch.annotations) - len(result.records) - len(result.blank)
    return Exported(text=to_json(result.records), warnings=tuple(result.warnings),
                    dropped=len(result.blank), omitted=omitted)


def brat(batch: ExportBatch) -> Exported:
    """brat standoff: REVIEWER/DOC.txt and .ann per reviewer, with annotation.conf (-o DIR)."""
    from annotate.interchange.brat import brat_export

    documents = {entry.document.id: entry.document for entry in batch.documents}
    result = brat_export(batch.annotations, documents, batch.project)
    return Exported(files=result.files, warnings=tuple(result.warnings),
                    dropped=len(result.left_out), owns=(".ann",))


RENDERERS: Mapping[str, Exporter] = MappingProxyType({
    "w3c": w3c,
    "claimreview": claimreview,
    "brat": brat,
    "csv": csv,
})
