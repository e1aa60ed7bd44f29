"""The store: the only code that knows the workspace's layout and reads and
writes its files (through the primitives of ``files``: the path rule, atomic
writes, folder locks).

Every reviewer file of a document is read and written under one lock of the
document's folder (``document_session``), so concurrent writers never lose a
record.  A file that does not parse is never rewritten: reading it raises
first.

A package by job, every public name re-exported here (``store.X``):

- ``documents``: the corpus's documents, stored versions, each document's
  list of versions, texts written by fetch and ingest, HTML snapshots;
- ``layout``: the annotation folder's paths and file names, the walks that
  find its files, ``owner_of``, creating a workspace;
- ``reading``: reviewer files, finished markers, review progress, decisions
  and metadata records read (and refused where broken);
- ``session``: ``DocumentSession`` and ``document_session``, one document's
  files under one lock;
- ``record_cache``: reviewers' files that passed every check, remembered
  by content in the user's cache folder;
- ``sentence_cache``: sentence boundaries cached per document version;
- ``userfiles``: files the user names, read by imports, written by exports.
"""

from __future__ import annotations

from annotate.store.documents import (
    VERSION_LISTS,
    corpus_lock,
    decode_document,
    document_path,
    document_place,
    has_snapshot,
    has_version,
    list_documents,
    named_versions,
    read_document,
    read_version,
    read_version_list,
    resolve_document,
    save_snapshot,
    save_version,
    snapshot_path,
    stored_versions,
    version_list_path,
    version_path,
    versions_folder,
    write_document,
)
from annotate.store.layout import (
    ANNOTATION_SUFFIX,
    FINISHED_SUFFIX,
    METADATA_FILE,
    PROGRESS_SUFFIX,
    annotated_documents,
    annotation_files,
    annotation_folder,
    annotation_path,
    create_workspace,
    decisions_path,
    finished_documents,
    finished_path,
    is_annotation_file_name,
    is_side_file_name,
    metadata_documents,
    metadata_path,
    owner_of,
    progress_path,
    reviewer_files,
    scan_annotation_files,
)
from annotate.store.reading import (
    all_metadata,
    dump_metadata,
    page_addresses,
    read_all_annotations,
    read_annotation_file,
    read_decisions,
    read_finished,
    read_metadata,
    read_progress,
)
from annotate.store.sentence_cache import (
    SENTENCE_CACHE,
    document_sentences,
)
from annotate.store.session import (
    DocumentSession,
    document_session,
    unportable_reviewer,
)
from annotate.store.userfiles import (
    files_in_folder,
    read_input_file,
    read_standard_input,
    write_output_file,
    write_output_folder,
)

__all__ = [
    "ANNOTATION_SUFFIX",
    "FINISHED_SUFFIX",
    "METADATA_FILE",
    "PROGRESS_SUFFIX",
    "SENTENCE_CACHE",
    "VERSION_LISTS",
    "DocumentSession",
    "all_metadata",
    "annotated_documents",
    "annotation_files",
    "annotation_folder",
    "annotation_path",
    "corpus_lock",
    "create_workspace",
    "decisions_path",
    "decode_document",
    "document_path",
    "document_place",
    "document_sentences",
    "document_session",
    "dump_metadata",
    "files_in_folder",
    "finished_documents",
    "finished_path",
    "has_snapshot",
    "has_version",
    "is_annotation_file_name",
    "is_side_file_name",
    "list_documents",
    "metadata_documents",
    "metadata_path",
    "named_versions",
    "owner_of",
    "page_addresses",
    "progress_path",
    "read_all_annotations",
    "read_annotation_file",
    "read_decisions",
    "read_document",
    "read_finished",
    "read_input_file",
    "read_metadata",
    "read_progress",
    "read_standard_input",
    "read_version",
    "read_version_list",
    "resolve_document",
    "reviewer_files",
    "save_snapshot",
    "save_version",
    "scan_annotation_files",
    "snapshot_path",
    "stored_versions",
    "unportable_reviewer",
    "version_list_path",
    "version_path",
    "versions_folder",
    "write_document",
    "write_output_file",
    "write_output_folder",
]
