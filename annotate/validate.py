"""`annotate validate`: syntax, schema, semantic and staleness checks with
stable codes, each finding at the line:column of the offending value.

Layout of the work:

- ``collect`` decides which files to check (the project file and every
  annotation file, or the paths given) and reports links that leave the
  workspace;
- ``check_annotation_text`` and ``check_project_text`` are the checks
  themselves: text and context in, findings out;
- ``validate`` ties them together with the cache (unchanged files with
  unchanged dependencies are not checked again) and, for large workspaces,
  a process pool using every core;
- cross-file checks (ids unique in the workspace) run last, on the ids every
  file reported, cached or not.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotate import __version__, codes, jsonpos, store
from annotate.anchoring.textindex import LineIndex, context
from annotate.errors import AnnotateError
from annotate.model import Finding, Project
from annotate.workspace import PROJECT_FILE, Workspace, project_from_data

CACHE_DIR = ".annotate-cache"
CACHE_FILE = "validate-v4.json"
IDS_FILE = "validate-ids-v4.json"
# Below this many files a process pool costs more than it saves.
PARALLEL_MIN_FILES = 64


@dataclass
class FileResult:
    """What checking one file found; also what the cache stores for it."""

    path: str  # as shown: relative to the workspace, "/"-separated
    findings: list[Finding] = field(default_factory=list)
    # (id, line) of every record; None when answered from the cache, whose
    # ids are loaded only if the workspace-wide id check has to run again.
    ids: list[tuple[str, int]] | None = field(default_factory=list)
    annotations: int = 0
    key: str = ""  # SHA-256 of the file's bytes
    # What else the result depends on: "doc:<id>" -> sha256 or "" (missing),
    # "ver:<sha256>" -> "1" or "" (stored version text present or not).
    dependencies: dict[str, str] = field(default_factory=dict)


@dataclass
class Report:
    findings: list[Finding]
    files_checked: int
    annotations_checked: int
    files_from_cache: int
    unreadable: bool  # some input could not be read at all: exit 2

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")


# -- context: the documents, read once per process -----------------------------------

class Documents:
    """Current texts and stored versions, read lazily and kept for the run."""

    def __init__(self, workspace: Workspace, hashes: _Hashes | None = None) -> None:
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
        stat = _stat(path)  # before reading: a later write changes it
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


# -- the checks ---------------------------------------------------------------------

def _finding(path: str, line: int, column: int, rule: codes.Rule, message: str) -> Finding:
    return Finding(path, line, column, rule.code, rule.severity, message)


def _timestamp_key(stamp: str) -> tuple[str, str]:
    # The schema makes every timestamp RFC 3339 in UTC ("...Z"), so the
    # seconds compare as text and the fraction as a right-padded decimal.
    whole, _, fraction = stamp.rstrip("Zz").partition(".")
    return whole.upper(), fraction.ljust(9, "0")


def check_annotation_text(shown: str, data: bytes, *, project: Project | None,
                          owner: tuple[str, str] | None, documents: Documents,
                          document_exists: bool = True) -> FileResult:
    """Every finding for one annotation file's bytes.

    owner is the (document, reviewer) the file's place names, or None for a
    file outside the annotations folder; project is None when the project
    file itself is broken (semantic checks that need the taxonomy are then
    skipped, the rest still run).
    """
    from annotate.schema import fast_check, schema_errors

    result = FileResult(shown)
    add = result.findings.append
    ids: list[tuple[str, int]] = []
    result.ids = ids
    text, problems = jsonpos.decode_utf8(data)
    index = LineIndex(text)
    for problem in problems:
        row, column = index.position(problem.offset)
        add(_finding(shown, row, column, codes.get_rule(problem.code), problem.message))
    if not text:
        add(_finding(shown, 1, 1, codes.EMPTY_FILE, "empty annotation file: it holds no "
                     "annotations; delete it or add some"))
        return result
    if owner is not None and not document_exists:
        add(_finding(shown, 1, 1, codes.STRAY_ANNOTATION_FILE,
                     f"no document {owner[0]!r} in the corpus for this annotation file; "
                     "move the file or restore the document"))
    is_valid = fast_check("annotation")
    seen: dict[tuple[Any, ...], int] = {}
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the final newline ends the last line; it is not a blank line
    for number, line in enumerate(lines, start=1):
        parsed = jsonpos.parse_json_line(line)
        for problem in parsed.problems:
            add(_finding(shown, number, problem.offset + 1, codes.get_rule(problem.code),
                         problem.message))
        if not parsed.parsed:
            continue
        record = parsed.value
        if isinstance(record, dict) and isinstance(record.get("id"), str):
            ids.append((record["id"], number))
        result.annotations += 1
        if not is_valid(record):
            for error in schema_errors("annotation", record):
                column = jsonpos.locate(line, list(error.absolute_path)) + 1
                where = "/".join(str(p) for p in error.absolute_path)
                message = f"{where}: {error.message}" if where else error.message
                add(_finding(shown, number, column, codes.ANNOTATION_SCHEMA,
                             _clip(message)))
            continue
        for rule, key, message in check_record(record, project, owner, documents,
                                               result.dependencies, document_exists):
            add(_finding(shown, number, jsonpos.locate(line, [key]) + 1 if key else 1,
                         rule, message))
        identity = _identity(record)
        if identity in seen:
            add(_finding(shown, number, 1, codes.DUPLICATE_ANNOTATION,
                         f"same annotation as line {seen[identity]} (only the id and "
                         "timestamps differ); remove one with 'annotate rm'"))
        else:
            seen[identity] = number
    return result


# What makes two annotations the same one: everything but id and timestamps.
_IDENTITY_FIELDS = ("document", "document_sha256", "start", "end", "quote", "prefix",
                    "suffix", "label", "reviewer", "note", "sources", "verdict", "tags",
                    "orphaned", "previous_quote")


_LIST_FIELDS = tuple(_IDENTITY_FIELDS.index(name) for name in ("sources", "tags"))


def _identity(record: dict[str, Any]) -> tuple[Any, ...]:
    # Records passed the schema, so the lists hold only strings.
    key = list(map(record.get, _IDENTITY_FIELDS))
    for position in _LIST_FIELDS:
        listed = key[position]
        if listed is not None:
            key[position] = tuple(listed)
    return tuple(key)


def check_record(record: dict[str, Any], project: Project | None,
                 owner: tuple[str, str] | None, documents: Documents,
                 dependencies: dict[str, str], document_exists: bool = True,
                 ) -> Iterable[tuple[codes.Rule, str | None, str]]:
    """Semantic and staleness checks of one schema-valid record:
    (rule, key to point at, message)."""
    document_id, start, end, quote = (record["document"], record["start"], record["end"],
                                      record["quote"])
    if project is not None:
        label = project.label(record["label"])
        if label is None:
            yield (codes.UNKNOWN_LABEL, "label",
                   f"unknown label {record['label']!r}; allowed: "
                   f"{', '.join(project.label_names)}")
        elif label.requires_source and not record["sources"]:
            yield (codes.MISSING_SOURCE, "sources",
                   f"label {label.name!r} requires at least one source URL; add one with "
                   f"'annotate edit {record['id']} --add-source URL'")
        verdict = record.get("verdict")
        if verdict is not None and verdict not in project.verdicts:
            yield (codes.UNKNOWN_VERDICT, "verdict",
                   f"unknown verdict {verdict!r}; allowed: {', '.join(project.verdicts)}")
    if owner is not None:
        if document_id != owner[0]:
            yield (codes.MISPLACED_RECORD, "document",
                   f"record is for document {document_id!r} but the file is for {owner[0]!r}")
        if record["reviewer"] != owner[1]:
            yield (codes.MISPLACED_RECORD, "reviewer",
                   f"record is by {record['reviewer']!r} but the file is {owner[1]!r}'s")
    if _timestamp_key(record["created"]) > _timestamp_key(record["modified"]):
        yield (codes.TIMESTAMPS_OUT_OF_ORDER, "modified",
               f"modified {record['modified']} is before created {record['created']}")
    current = documents.current(document_id)
    dependencies[f"doc:{document_id}"] = current[1] if current else ""
    if current is None:
        if owner is None or document_id != owner[0] or document_exists:
            yield (codes.UNKNOWN_DOCUMENT, "document",
                   f"no document {document_id!r} in the corpus")
        return
    text, sha256 = current
    if record.get("orphaned"):
        yield (codes.ORPHANED, None,
               f"orphaned: re-anchoring found no place for “{_clip(quote, 60)}” in the "
               "current text; fix the span by hand or remove the annotation")
        return
    if record["document_sha256"] != sha256:
        made_on = record["document_sha256"]
        old = documents.version(made_on)
        dependencies[f"ver:{made_on}"] = "1" if old is not None else ""
        if old is not None:
            yield from _check_span(old, record, " of the version it was made on")
        # Text that merely moved is reanchor's everyday work (a warning);
        # a quote that is nowhere in the text any more needs a human.
        if text[start:end] == quote or quote in text:
            yield (codes.DOCUMENT_CHANGED, "document_sha256",
                   "document changed since annotated; run `annotate reanchor`")
        else:
            yield (codes.QUOTE_NOT_FOUND, "quote",
                   "document changed since annotated and the quote is no longer in it; "
                   "run `annotate reanchor`, then fix or remove what it orphans")
        return
    yield from _check_span(text, record, "")


def _check_span(text: str, record: dict[str, Any], which: str
                ) -> Iterable[tuple[codes.Rule, str | None, str]]:
    start, end, quote = record["start"], record["end"], record["quote"]
    if not 0 <= start < end <= len(text):
        yield (codes.OFFSETS_OUT_OF_RANGE, "end" if end > len(text) else "start",
               f"offsets {start}..{end} are outside the text{which} (0..{len(text)})")
        return
    if text[start:end] != quote:
        yield (codes.QUOTE_MISMATCH, "quote",
               f"quote differs from the text{which} at {start}..{end}: "
               f"“{_clip(text[start:end], 60)}”")
        return
    prefix, suffix = context(text, start, end)
    if not prefix.endswith(record["prefix"]) or not suffix.startswith(record["suffix"]):
        yield (codes.CONTEXT_MISMATCH, "prefix" if not prefix.endswith(record["prefix"])
               else "suffix", f"prefix/suffix do not match the text around the quote{which}")


def _clip(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_project_text(shown: str, data: bytes) -> tuple[list[Finding], Project | None]:
    """Findings for the project file, and the Project when it is usable."""
    from annotate.schema import is_valid, schema_errors

    findings: list[Finding] = []
    text, problems = jsonpos.decode_utf8(data)
    index = LineIndex(text)

    def at(offset: int, rule: codes.Rule, message: str) -> None:
        line, column = index.position(offset)
        findings.append(_finding(shown, line, column, rule, message))

    for problem in problems:
        at(problem.offset, codes.get_rule(problem.code), problem.message)
    parsed = jsonpos.parse_json_line(text)
    for problem in parsed.problems:
        at(problem.offset, codes.get_rule(problem.code), problem.message)
    if not parsed.parsed or problems:
        return findings, None
    errors = [] if is_valid("project", parsed.value) else schema_errors("project",
                                                                       parsed.value)
    for error in errors:
        where = "/".join(str(p) for p in error.absolute_path)
        at(jsonpos.locate(text, list(error.absolute_path)), codes.PROJECT_SCHEMA,
           _clip(f"{where}: {error.message}" if where else error.message))
    if errors:
        return findings, None
    names: set[str] = set()
    for position, label in enumerate(parsed.value["labels"]):
        if label["name"] in names:
            at(jsonpos.locate(text, ["labels", position, "name"]), codes.PROJECT_SCHEMA,
               f"label {label['name']!r} is defined twice")
        names.add(label["name"])
    return findings, project_from_data(parsed.value)


# -- which files --------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    path: str  # absolute
    shown: str  # relative to the workspace, "/"-separated, when inside it


def _relative(path: str, root: str) -> str | None:
    """path relative to root ("/"-separated), or None when it is not inside.

    Plain strings, not pathlib: a workspace has thousands of files and this
    runs for each of them on every (cached) run."""
    if path == root:
        return ""
    if not path.startswith(root + os.sep):
        return None
    return path[len(root) + 1:].replace(os.sep, "/")


def collect(workspace: Workspace, paths: Sequence[str]) -> tuple[list[Target], list[Finding],
                                                                  bool]:
    """(annotation files to check, findings about links/unreadable paths, project file?)."""
    root = os.path.abspath(workspace.root)
    findings: list[Finding] = []
    targets: list[Target] = []
    include_project = not paths

    def shown(path: str) -> str:
        relative = _relative(path, root)
        return path if relative is None else relative

    def leaves_workspace(path: str) -> bool:
        if _relative(os.path.realpath(path), os.path.realpath(root)) is not None:
            return False
        findings.append(_finding(shown(path), 1, 1, codes.SYMLINK_OUTSIDE_WORKSPACE,
                                 f"symbolic link to {os.readlink(path)} leaves the "
                                 "workspace; it was not followed"))
        return True

    def consider(path: str, is_link: bool | None = None, is_dir: bool | None = None) -> None:
        nonlocal include_project
        if (os.path.islink(path) if is_link is None else is_link) and leaves_workspace(path):
            return
        if os.path.basename(path) == PROJECT_FILE and os.path.dirname(path) == root:
            include_project = True
        elif os.path.isdir(path) if is_dir is None else is_dir:
            findings.append(_finding(shown(path), 1, 1, codes.UNREADABLE_FILE,
                                     "is a directory, not an annotation file"))
        else:
            targets.append(Target(path, shown(path)))

    def walk(folder: str) -> None:
        pending = [folder]
        while pending:
            with os.scandir(pending.pop()) as entries:
                for entry in entries:
                    if entry.name.startswith("."):
                        continue  # hidden: temporaries, stored versions, caches
                    if entry.is_symlink() and leaves_workspace(entry.path):
                        continue
                    if entry.name.endswith(store.ANNOTATION_SUFFIX):
                        # DirEntry knows both answers without another stat.
                        consider(entry.path, entry.is_symlink(), entry.is_dir())
                    elif entry.is_dir(follow_symlinks=False):
                        pending.append(entry.path)

    if not paths and workspace.annotations_dir.is_dir():
        walk(os.path.abspath(workspace.annotations_dir))
    for given in paths:
        path = os.path.abspath(given)
        if not os.path.lexists(path):
            raise AnnotateError(f"no such file or folder: {given}")
        if os.path.isdir(path) and not os.path.islink(path):
            walk(path)
        else:
            consider(path)
    targets.sort(key=lambda target: target.shown)
    return targets, findings, include_project


# -- the run --------------------------------------------------------------------------

def _owner(workspace: Workspace, path: str) -> tuple[str, str] | None:
    """(document, reviewer) named by the file's place, for files in the annotations folder."""
    relative = _relative(path, os.path.abspath(workspace.annotations_dir))
    if not relative or "/" not in relative:
        return None
    document, _, name = relative.rpartition("/")
    return document, name[: -len(store.ANNOTATION_SUFFIX)]


def _check_target(workspace: Workspace, project: Project | None, documents: Documents,
                  target: Target) -> tuple[str, FileResult]:
    """(content hash, result) for one file, read here: a worker reads its own
    files, so the parent never holds the workspace's bytes in memory."""
    data = _read(target)
    if isinstance(data, str):  # it changed since it was listed
        return "", FileResult(target.shown, [_finding(target.shown, 1, 1,
                                                       codes.UNREADABLE_FILE, data)])
    owner = _owner(workspace, target.path)
    exists = True
    dependencies: dict[str, str] = {}
    if owner is not None:
        found = documents.current(owner[0])
        exists = found is not None
        dependencies[f"doc:{owner[0]}"] = found[1] if found else ""
    result = check_annotation_text(target.shown, data, project=project, owner=owner,
                                   documents=documents, document_exists=exists)
    result.dependencies.update(dependencies)
    result.key = hashlib.sha256(data).hexdigest()
    return result.key, result


# Per-process state of the pool's workers (set by _worker_start).
_WORKER: dict[str, Any] = {}


def _worker_start(workspace: Workspace, project: Project | None) -> None:
    _WORKER.update(workspace=workspace, project=project, documents=Documents(workspace))


def _worker_check(batch: list[Target]) -> list[tuple[str, FileResult]]:
    return [_check_target(_WORKER["workspace"], _WORKER["project"], _WORKER["documents"],
                          target) for target in batch]


def _read(target: Target) -> bytes | str:
    """The file's bytes, or why it cannot be read."""
    try:
        with open(target.path, "rb") as handle:
            return handle.read()
    except IsADirectoryError:
        return "is a directory, not an annotation file"
    except OSError as error:
        return f"cannot read: {error.strerror}"


def validate(workspace: Workspace, paths: Sequence[str] = (), *, use_cache: bool = True,
             jobs: int | None = None,
             progress: Callable[[int, int], None] | None = None) -> Report:
    """Check the workspace (or the given paths) and return every finding."""
    targets, findings, include_project = collect(workspace, paths)
    unreadable = any(f.code == codes.UNREADABLE_FILE.code for f in findings)
    project: Project | None = workspace.project
    project_bytes = b""
    files_checked = 0
    if include_project:
        try:
            project_bytes = workspace.project_file.read_bytes()
        except OSError as error:
            raise AnnotateError(f"cannot read {PROJECT_FILE}: {error.strerror}") from error
        project_findings, project = check_project_text(PROJECT_FILE, project_bytes)
        findings.extend(project_findings)
        files_checked += 1
    else:
        project_bytes = _read_or_empty(workspace.project_file)

    cache = _Cache(workspace, project_bytes) if use_cache else None
    documents = Documents(workspace, cache.hashes if cache else None)
    results: list[FileResult] = []
    to_check: list[Target] = []
    from_cache = 0
    for target in targets:
        stat = _stat(target.path)
        key = cache.hashes.known(target.shown, stat) if cache else None
        if key is None:
            data = _read(target)
            if isinstance(data, str):
                findings.append(_finding(target.shown, 1, 1, codes.UNREADABLE_FILE, data))
                unreadable = True
                continue
            key = hashlib.sha256(data).hexdigest()
            if cache:
                cache.hashes.remember(target.shown, stat, key)
        cached = cache.get(target.shown, key, documents) if cache else None
        if cached is not None:
            results.append(cached)
            from_cache += 1
        else:
            to_check.append(target)
    checked = _run_checks(workspace, project, documents, to_check, jobs, progress,
                          len(targets), from_cache)
    for key, result in checked:
        results.append(result)
        if cache and key:
            cache.put(result.path, key, result)
        unreadable = unreadable or any(f.code == codes.UNREADABLE_FILE.code
                                       for f in result.findings)
    for result in results:
        findings.extend(result.findings)
    findings.extend(_duplicate_ids(results, {t.shown: t.path for t in targets}, cache))
    if cache:
        # Remember the documents' hashes too (workers read them in their own
        # processes), so the next run need not read them.
        for result in results:
            for key in result.dependencies:
                documents.fingerprint(key)
        cache.save()
    files_checked += len(results)
    from annotate.report.findings import sort_findings

    # By file and line; within a line, in the order found (schema errors
    # most relevant first).
    return Report(findings=sort_findings(findings), files_checked=files_checked,
                  annotations_checked=sum(r.annotations for r in results),
                  files_from_cache=from_cache, unreadable=unreadable)


def _read_or_empty(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _run_checks(workspace: Workspace, project: Project | None, documents: Documents,
                work: list[Target], jobs: int | None,
                progress: Callable[[int, int], None] | None, total: int,
                done: int) -> list[tuple[str, FileResult]]:
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if progress:
        progress(done, total)
    if workers <= 1 or len(work) < PARALLEL_MIN_FILES:
        results = []
        for target in work:
            results.append(_check_target(workspace, project, documents, target))
            done += 1
            if progress and done % 50 == 0:
                progress(done, total)
        return results
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from annotate.schema import SchemaName, fast_check, validator

    # Build the validators before forking, so no worker builds its own.
    names: tuple[SchemaName, ...] = ("annotation", "project")
    for name in names:
        validator(name)
        fast_check(name)
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    size = max(8, len(work) // (workers * 8))
    batches = [work[i:i + size] for i in range(0, len(work), size)]
    results = []
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_start,
                             initargs=(workspace, project)) as pool:
        for batch_results in pool.map(_worker_check, batches):
            results.extend(batch_results)
            done += len(batch_results)
            if progress:
                progress(done, total)
    return results


def _duplicate_ids(results: Sequence[FileResult], paths: dict[str, str],
                   cache: _Cache | None) -> list[Finding]:
    """Ids must be unique across the workspace: the one check that needs
    every file at once.  When no file changed, the last answer stands."""
    keys = hashlib.sha256()
    for path, key in sorted((result.path, result.key) for result in results):
        keys.update(f"{path}\0{key}\n".encode())
    combined = keys.hexdigest()
    if cache is not None:
        known = cache.duplicates(combined)
        if known is not None:
            return known
    first: dict[str, tuple[str, int]] = {}
    findings = []
    for result in sorted(results, key=lambda r: r.path):
        ids = result.ids
        if ids is None:
            ids = (cache.ids(result.path) if cache else None) or _read_ids(paths[result.path])
        for identifier, line in ids:
            if identifier in first:
                path, where = first[identifier]
                column = _id_column(paths[result.path], line)
                findings.append(_finding(result.path, line, column, codes.DUPLICATE_ID,
                                         f"id {identifier!r} is also used at {path}:{where}"))
            else:
                first[identifier] = (result.path, line)
    if cache is not None:
        cache.remember_duplicates(combined, findings, results)
    return findings


def _read_ids(path: str) -> list[tuple[str, int]]:
    """Ids of a file whose ids the cache lost: parsed again, nothing more."""
    with open(path, "rb") as handle:
        text, _ = jsonpos.decode_utf8(handle.read())
    ids = []
    for number, line in enumerate(text.split("\n"), start=1):
        value = jsonpos.parse_json_line(line).value if line.strip() else None
        if isinstance(value, dict) and isinstance(value.get("id"), str):
            ids.append((value["id"], number))
    return ids


def _id_column(path: str, line: int) -> int:
    # Located only for the rare duplicate, so the common case never pays
    # for scanning every line a second time.
    with open(path, "rb") as handle:
        text, _ = jsonpos.decode_utf8(handle.read())
    return jsonpos.locate(text.split("\n")[line - 1], ["id"]) + 1


def apply_strict(findings: Sequence[Finding]) -> list[Finding]:
    """--strict: every warning becomes an error."""
    from dataclasses import replace

    return [replace(f, severity="error") for f in findings]


# -- the cache --------------------------------------------------------------------------

def _stat(path: str) -> list[int] | None:
    """What changes whenever a file's content does: size, times, inode.
    ctime is set by the kernel on every write and cannot be set back."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return [found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino, found.st_dev]


class _Hashes:
    """Content hashes remembered with the stat they were taken at, so an
    unchanged file is not read again (as git's index does).  A file modified
    within RACY_SECONDS of hashing is not remembered: a second write in the
    same timestamp tick could otherwise go unseen."""

    RACY_SECONDS = 2.0

    def __init__(self, stored: Any) -> None:
        self.entries: dict[str, list[Any]] = stored if isinstance(stored, dict) else {}
        self.changed = False

    def known(self, name: str, stat: list[int] | None) -> str | None:
        entry = self.entries.get(name)
        if stat is None or not isinstance(entry, list) or entry[:-1] != stat:
            return None
        return str(entry[-1])

    def remember(self, name: str, stat: list[int] | None, sha256: str) -> None:
        import time

        if stat is not None and stat[1] < time.time_ns() - self.RACY_SECONDS * 1e9:
            self.entries[name] = [*stat, sha256]
            self.changed = True
        elif self.entries.pop(name, None) is not None:
            self.changed = True


class _Cache:
    """Per-file results keyed by the file's content hash and everything else
    the result depends on: annotate's version, the schemas, the project file
    and the documents and versions the file's records refer to.

    Lives in .annotate-cache/ (which ignores itself in git); a corrupt or
    foreign cache file is simply ignored, so the cache can only ever save
    work, never change a result.  The ids of each file sit in a second file,
    read only when the workspace-wide id check has to run again.
    """

    def __init__(self, workspace: Workspace, project_bytes: bytes) -> None:
        from annotate.schema import schema_dir

        self.folder = workspace.root / CACHE_DIR
        self.path = self.folder / CACHE_FILE
        self.ids_path = self.folder / IDS_FILE
        salt = hashlib.sha256(__version__.encode())
        for name in ("annotation", "project"):
            salt.update((schema_dir() / f"{name}.schema.json").read_bytes())
        salt.update(project_bytes)
        self.salt = salt.hexdigest()
        stored = self._load(self.path)
        self.entries: dict[str, Any] = stored.get("files", {})
        self.duplicate_check: dict[str, Any] = stored.get("duplicates", {})
        self.hashes = _Hashes(stored.get("hashes"))
        self._ids: dict[str, Any] | None = None  # loaded on first use
        self.changed = False

    def _load(self, path: Path) -> dict[str, Any]:
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        valid = isinstance(stored, dict) and stored.get("salt") == self.salt
        return stored if valid and isinstance(stored.get("files", {}), dict) else {}

    def get(self, shown: str, key: str, documents: Documents) -> FileResult | None:
        entry = self.entries.get(shown)
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        try:
            dependencies = entry["dependencies"]
            if any(documents.fingerprint(k) != v for k, v in dependencies.items()):
                return None
            return FileResult(
                path=shown,
                findings=[Finding(shown, f[0], f[1], f[2], f[3], f[4])
                          for f in entry["findings"]],
                ids=None, annotations=entry["annotations"], key=key,
                dependencies=dependencies)
        except (KeyError, IndexError, TypeError):
            return None

    def put(self, shown: str, key: str, result: FileResult) -> None:
        self.entries[shown] = {
            "key": key, "dependencies": result.dependencies, "annotations": result.annotations,
            "findings": [[f.line, f.column, f.code, f.severity, f.message]
                         for f in result.findings],
        }
        self.changed = True

    def ids(self, shown: str) -> list[tuple[str, int]] | None:
        if self._ids is None:
            self._ids = self._load(self.ids_path).get("files", {})
        entry = self._ids.get(shown)
        key = self.entries.get(shown, {}).get("key")
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        try:
            return [(str(i[0]), int(i[1])) for i in entry["ids"]]
        except (KeyError, IndexError, TypeError, ValueError):
            return None

    def duplicates(self, combined: str) -> list[Finding] | None:
        if self.duplicate_check.get("key") != combined:
            return None
        try:
            return [Finding(f[0], f[1], f[2], f[3], f[4], f[5])
                    for f in self.duplicate_check["findings"]]
        except (KeyError, IndexError, TypeError):
            return None

    def remember_duplicates(self, combined: str, findings: list[Finding],
                            results: Sequence[FileResult]) -> None:
        self.duplicate_check = {"key": combined, "findings": [
            [f.path, f.line, f.column, f.code, f.severity, f.message] for f in findings]}
        if self._ids is None:
            self._ids = self._load(self.ids_path).get("files", {})
        for result in results:
            if result.ids is not None and result.key:
                self._ids[result.path] = {"key": result.key,
                                          "ids": [list(i) for i in result.ids]}
        self.changed = True

    def save(self) -> None:
        if not (self.changed or self.hashes.changed):
            return
        try:
            self.folder.mkdir(exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                store.atomic_write(ignore, b"# annotate's cache: safe to delete\n*\n")
            self._write(self.path, {"files": self.entries, "hashes": self.hashes.entries,
                                    "duplicates": self.duplicate_check})
            if self._ids is not None:
                self._write(self.ids_path, {"files": self._ids})
        except OSError:
            pass  # a read-only checkout still validates; it just is not cached

    def _write(self, path: Path, content: dict[str, Any]) -> None:
        data = json.dumps({"salt": self.salt, **content}, separators=(",", ":"),
                          ensure_ascii=False)
        store.atomic_write(path, data.encode("utf-8"))
