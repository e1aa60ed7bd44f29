"""Reading the annotation folder's files: reviewers' records, finished markers,
review progress, the editor's decisions and metadata records.  A file that
does not parse is refused at its line:column, never skipped in silence.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from annotate import jsonpos
from annotate.anchoring.textindex import LineIndex
from annotate.errors import CorruptFileError, UnsafePathError
from annotate.files import read_file
from annotate.gcpause import cyclic_gc_paused
from annotate.model import Annotation, Finished, ReviewProgress, StoredDecision
from annotate.records import parse_annotation_text
from annotate.store.layout import (
    FINISHED_SUFFIX,
    annotation_files,
    annotation_folder,
    decisions_path,
    metadata_documents,
    metadata_path,
    progress_path,
)
from annotate.workspace import Workspace


def read_progress(workspace: Workspace, document_id: str, reviewer: str
                  ) -> ReviewProgress | None:
    """A reviewer's review progress on a document (None: no file); a broken file
    is refused at its position, like a broken finished marker, never rewritten."""
    from annotate import rules

    path = progress_path(workspace, document_id, reviewer)
    shown = workspace.relative(path)
    try:
        text, problems = jsonpos.decode_utf8(read_file(workspace, path))
    except FileNotFoundError:
        return None
    except OSError as error:
        raise CorruptFileError(shown, 1, 1, f"cannot read: {error.strerror}") from error
    parsed = jsonpos.parse_json_line(text.rstrip("\n"))
    syntax = [*problems, *parsed.problems]
    if syntax:
        line, column = LineIndex(text).position(syntax[0].offset)
        raise CorruptFileError(shown, line, column, syntax[0].message)
    broken = [p for p in rules.progress_problems(parsed.value, document_id, reviewer)
              if p.is_error]
    if broken:
        column = jsonpos.locate(text, list(broken[0].path)) + 1
        raise CorruptFileError(shown, 1, column, broken[0].message)
    return ReviewProgress.from_record(parsed.value)


def read_decisions(workspace: Workspace, document_id: str) -> list[StoredDecision]:
    """The editor's decisions for a document ([] when there is no file); a broken
    file is refused at its line:column, never rewritten."""
    from annotate.decisions import parse_decisions

    path = decisions_path(workspace, document_id)
    text = _read_text(workspace, path)
    if text is None:
        return []
    return parse_decisions(text, workspace.relative(path), document_id, workspace.project)


def _read_text(workspace: Workspace, path: Path, containing: bytes | None = None
               ) -> str | None:
    """A workspace file's text; None if it does not exist, or (with
    ``containing``) if its bytes lack that.  A file that cannot be read or
    is not UTF-8 is refused at its line:column (CorruptFileError), never
    skipped in silence."""
    shown = workspace.relative(path)
    try:
        data = read_file(workspace, path)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise CorruptFileError(shown, 1, 1, f"cannot read: {error.strerror}") from error
    if containing is not None and containing not in data:
        return None
    text, problems = jsonpos.decode_utf8(data)
    if problems:
        line, column = LineIndex(text).position(problems[0].offset)
        raise CorruptFileError(shown, line, column, problems[0].message)
    return text


def read_finished(workspace: Workspace, document_id: str) -> dict[str, Finished]:
    """Who finished the document, by reviewer; a broken marker is refused
    at its position, like a broken annotation file."""
    from annotate import rules

    folder = annotation_folder(workspace, document_id)
    try:
        names = sorted(entry.name for entry in os.scandir(folder)
                       if entry.name.endswith(FINISHED_SUFFIX)
                       and not entry.name.startswith("."))
    except (FileNotFoundError, NotADirectoryError):
        return {}
    found = {}
    for name in names:
        reviewer = name[: -len(FINISHED_SUFFIX)]
        path = folder / name
        shown = workspace.relative(path)
        try:
            text, problems = jsonpos.decode_utf8(read_file(workspace, path))
        except OSError as error:
            raise CorruptFileError(shown, 1, 1, f"cannot read: {error.strerror}") from error
        parsed = jsonpos.parse_json_line(text.rstrip("\n"))
        syntax = [*problems, *parsed.problems]
        if syntax:
            line, column = LineIndex(text).position(syntax[0].offset)
            raise CorruptFileError(shown, line, column, syntax[0].message)
        broken = rules.finished_problems(parsed.value, document_id, reviewer)
        if broken:
            column = jsonpos.locate(text, list(broken[0].path)) + 1
            raise CorruptFileError(shown, 1, column, broken[0].message)
        found[reviewer] = Finished(**parsed.value)
    return found


def read_annotation_file(workspace: Workspace, path: Path,
                         owner: tuple[str, str] | None = None,
                         containing: bytes | None = None) -> list[Annotation]:
    """Every record of one file, checked by the rule book; [] if it does not exist.

    With ``owner`` (document, reviewer), a record that belongs to another file
    is refused too: writers pass it, so they never rewrite such a record.
    With ``containing``, a file whose bytes lack it is not parsed (returns []):
    a search by id need not parse a workspace's every file.  A file that
    cannot be read is an error, never skipped in silence.
    """
    shown = workspace.relative(path)
    text = _read_text(workspace, path, containing)
    if text is None:
        return []
    return parse_annotation_text(text, shown, owner)


def read_all_annotations(workspace: Workspace) -> list[Annotation]:
    """Every annotation of the workspace, file by file."""
    annotations: list[Annotation] = []
    with cyclic_gc_paused():  # see DocumentSession.read_all
        for path in annotation_files(workspace):
            annotations.extend(read_annotation_file(workspace, path))
    return annotations


def dump_metadata(record: dict[str, Any]) -> str:
    """A metadata record as its file's text: keys sorted, one field a line."""
    return json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def read_metadata(workspace: Workspace, document_id: str) -> dict[str, Any] | None:
    """A document's metadata record (None when it has none); a broken one is
    refused at its line:column, never rewritten."""
    from annotate import rules

    path = metadata_path(workspace, document_id)
    shown = workspace.relative(path)
    try:
        data = read_file(workspace, path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        raise CorruptFileError(shown, 1, 1, f"cannot read: {error.strerror}") from error
    text, problems = jsonpos.decode_utf8(data)
    parsed = jsonpos.parse_json_line(text.rstrip("\n"))
    syntax = [*problems, *parsed.problems]
    if syntax:
        line, column = LineIndex(text).position(syntax[0].offset)
        raise CorruptFileError(shown, line, column, syntax[0].message)
    broken = [p for p in rules.metadata_problems(parsed.value, document_id) if p.is_error]
    if broken:
        line, column = LineIndex(text).position(jsonpos.locate(text, list(broken[0].path)))
        raise CorruptFileError(shown, line, column, broken[0].message)
    value: dict[str, Any] = parsed.value
    return value


def all_metadata(workspace: Workspace) -> dict[str, dict[str, Any]]:
    """Every document's metadata record, by document id (read and checked)."""
    found: dict[str, dict[str, Any]] = {}
    for document in metadata_documents(workspace):
        record = read_metadata(workspace, document)
        if record is not None:
            found[document] = record
    return found


def page_addresses(workspace: Workspace) -> dict[str, dict[str, Any] | None]:
    """Each metadata record's address fields (url, final_url, canonical_url),
    by document, parsed without the rule book's checks: a quick index of which
    document came from which page.  None for a record that does not parse
    (``read_metadata`` says where it is broken; validate reports it)."""
    found: dict[str, dict[str, Any] | None] = {}
    for document in metadata_documents(workspace):
        try:
            value = json.loads(read_file(workspace, metadata_path(workspace, document)))
        except (OSError, UnsafePathError, ValueError):
            value = None
        found[document] = None if not isinstance(value, dict) else {
            name: value[name] for name in ("url", "final_url", "canonical_url")
            if isinstance(value.get(name), str)}
    return found
