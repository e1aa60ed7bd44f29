"""Reading the annotation folder's files: reviewers' records, finished markers,
review progress, the editor's decisions and metadata records.  A file that
does not parse is refused at its line:column, never skipped in silence.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotate import jsonpos
from annotate.anchoring.textindex import LineIndex
from annotate.errors import CorruptFileError, UnsafePathError
from annotate.files import read_file
from annotate.gcpause import cyclic_gc_paused
from annotate.model import Annotation, Finished, ReviewProgress, StoredDecision
from annotate.records import parse_annotation_text
from annotate.store import record_cache
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

if TYPE_CHECKING:
    from annotate.rules import Problem


def read_progress(workspace: Workspace, document_id: str, reviewer: str
                  ) -> ReviewProgress | None:
    """A reviewer's review progress on a document (None: no file); a broken file
    is refused at its position, like a broken finished marker, never rewritten."""
    from annotate import rules

    path = progress_path(workspace, document_id, reviewer)
    text = _read_text(workspace, path)
    if text is None:
        return None
    value = _checked_json(text, workspace.relative(path),
                          lambda data: rules.progress_problems(data, document_id, reviewer))
    return ReviewProgress.from_record(value)


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
    """A workspace file's text; None if it does not exist (nor can: a part of
    its path is a file), or (with
    ``containing``) if its bytes lack that.  A file that cannot be read or
    is not UTF-8 is refused at its line:column (CorruptFileError), never
    skipped in silence."""
    data = _read_bytes(workspace, path, containing)
    return None if data is None else _decode(workspace, path, data)


def _read_bytes(workspace: Workspace, path: Path, containing: bytes | None = None
                ) -> bytes | None:
    """``_read_text``'s bytes, not yet decoded."""
    try:
        data = read_file(workspace, path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        raise CorruptFileError(workspace.relative(path), 1, 1,
                               f"cannot read: {error.strerror}") from error
    if containing is not None and containing not in data:
        return None
    return data


def _decode(workspace: Workspace, path: Path, data: bytes) -> str:
    """A file's bytes as text; refused at the line:column of the first that is not UTF-8."""
    text, problems = jsonpos.decode_utf8(data)
    if problems:
        line, column = LineIndex(text).position(problems[0].offset)
        raise CorruptFileError(workspace.relative(path), line, column, problems[0].message)
    return text


def _finished_problems(data: Any, *, document: str, reviewer: str) -> list[Problem]:
    from annotate import rules

    return rules.finished_problems(data, document, reviewer)


def _checked_json(text: str, shown: str, check: Callable[[Any], list[Problem]]) -> Any:
    """The one JSON value of a side file (a finished marker, a progress file, a
    metadata record), refused at the line:column of its first syntax error
    or of the first error the rule book's ``check`` finds in it."""
    parsed = jsonpos.parse_json_line(text.rstrip("\n"))
    if parsed.problems:
        line, column = LineIndex(text).position(parsed.problems[0].offset)
        raise CorruptFileError(shown, line, column, parsed.problems[0].message)
    broken = [problem for problem in check(parsed.value) if problem.is_error]
    if broken:
        offset = jsonpos.locate(text, list(broken[0].path))
        line, column = LineIndex(text).position(offset)
        raise CorruptFileError(shown, line, column, broken[0].message)
    return parsed.value


def read_finished(workspace: Workspace, document_id: str) -> dict[str, Finished]:
    """Who finished the document, by reviewer; a broken marker is refused
    at its position, like a broken annotation file."""

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
        text = _read_text(workspace, path)
        if text is None:
            continue  # removed since the folder was listed
        value = _checked_json(text, workspace.relative(path), functools.partial(
            _finished_problems, document=document_id, reviewer=reviewer))
        found[reviewer] = Finished(**value)
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
    data = _read_bytes(workspace, path, containing)
    if data is None:
        return []
    key = record_cache.key_of(data)
    remembered = record_cache.recall(key, owner)
    if remembered is not None:
        return remembered
    annotations = parse_annotation_text(_decode(workspace, path, data),
                                        workspace.relative(path), owner)
    record_cache.remember(key, annotations)
    return annotations


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
    text = _read_text(workspace, path)
    if text is None:
        return None
    value: dict[str, Any] = _checked_json(
        text, workspace.relative(path), lambda data: rules.metadata_problems(data, document_id))
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
