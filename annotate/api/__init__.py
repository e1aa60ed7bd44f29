"""The library's operations: each CLI command is one call to one of these,
grouped by capability as the commands are (cli/ <-> api/).

They tie the pure modules (rules, spans, anchoring, merge, agreement) to the
store; no click, no printing.  Everything is re-exported here, so callers
write ``api.add_annotation(...)``.
"""

from __future__ import annotations

from annotate.api._common import MIN_ID_PREFIX, Notify, document, open_workspace
from annotate.api.annotations import (
    add_annotation,
    annotated_document,
    edit_annotation,
    find_annotation,
    finish,
    list_annotations,
    remove_annotation,
)
from annotate.api.check import Deduplicated, ReanchorReport, dedupe, reanchor, validate
from annotate.api.corpus import (
    DocumentInfo,
    claim_candidates,
    documents,
    init_workspace,
    sentences,
)
from annotate.api.fetching import Brought, FetchReport, fetch, ingest, refetch
from annotate.api.git import git_merge_driver, install_git_driver
from annotate.api.interactive import ReviewSession, open_review
from annotate.api.interchange import (
    AlreadyThere,
    ExportOutcome,
    Imported,
    ImportReport,
    Skipped,
    export_annotations,
    export_batch,
    import_annotations,
)
from annotate.api.report import DocumentReport, Report, report, write_report
from annotate.api.review import MergeOutcome, Resolved, agreement, merge, resolve
from annotate.api.versions import DiffReport, TouchedAnnotation, diff, document_versions

__all__ = [
    "MIN_ID_PREFIX", "AlreadyThere", "Brought", "Deduplicated", "DiffReport", "DocumentInfo",
    "DocumentReport", "ExportOutcome", "FetchReport", "ImportReport", "Imported",
    "MergeOutcome", "Notify", "ReanchorReport", "Report", "Resolved", "ReviewSession",
    "Skipped", "TouchedAnnotation",
    "add_annotation", "agreement", "annotated_document", "claim_candidates", "dedupe", "diff",
    "document", "document_versions", "documents", "edit_annotation", "export_annotations",
    "export_batch", "fetch", "find_annotation", "finish", "git_merge_driver",
    "import_annotations", "ingest", "init_workspace", "install_git_driver", "list_annotations",
    "merge", "open_review", "open_workspace", "reanchor", "refetch", "remove_annotation",
    "report", "resolve", "sentences", "validate", "write_report",
]
