"""One validation run: choose the files, answer what the cache can, check
the rest (in a process pool when there are many), check ids across the
workspace, and report every finding in file order."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from annotate import codes
from annotate.errors import AnnotateError
from annotate.model import Finding, Project
from annotate.validation.cache import Cache
from annotate.validation.checks import FileResult, check_project_text, finding
from annotate.validation.discovery import Selection, Target, collect
from annotate.validation.documents import Documents
from annotate.validation.duplicates import duplicate_ids
from annotate.validation.hashes import file_stat
from annotate.validation.pool import Progress, check_files, read_file
from annotate.workspace import PROJECT_FILE, Workspace


@dataclass
class Report:
    """What a run found, in file order, and how much it looked at."""

    findings: list[Finding]
    files_checked: int
    annotations_checked: int
    files_from_cache: int
    unreadable: bool  # some input could not be read at all: exit 2


def sort_findings(findings: Sequence[Finding]) -> list[Finding]:
    """File order: by path, then line.  Stable, so the findings of one line
    keep their relevance order (jsonschema's best_match first)."""
    return sorted(findings, key=lambda finding: (finding.path, finding.line))


def apply_strict(findings: Sequence[Finding]) -> list[Finding]:
    """--strict: every warning becomes an error."""
    return [replace(f, severity="error") for f in findings]


def validate(workspace: Workspace, paths: Sequence[str] = (), *, use_cache: bool = True,
             jobs: int | None = None, progress: Progress | None = None) -> Report:
    """Check the workspace (or the given paths) and return every finding."""
    selection = collect(workspace, paths)
    project = _check_project(workspace, selection.include_project)
    cache = Cache(workspace, project.data) if use_cache else None
    documents = Documents(workspace, cache.hashes if cache else None)
    lookup = _look_up(selection.targets, cache, documents)
    checked = check_files(workspace, project.project, documents, lookup.to_check, jobs,
                          progress, total=len(selection.targets), done=len(lookup.cached))
    results = lookup.cached + [result for _, result in checked]
    if cache:
        _remember(cache, checked)
    duplicates = duplicate_ids(results, {t.shown: t.path for t in selection.targets}, cache)
    if cache:
        _save(cache, results, documents)
    return _report(selection, project, lookup, checked, duplicates)


# Plain classes for the run's own results: each dataclass or NamedTuple
# definition costs 0.1-0.6 ms at import, and every run imports this module.
class _ProjectCheck:
    __slots__ = ("checked", "data", "findings", "project")

    def __init__(self, findings: list[Finding], project: Project | None, data: bytes,
                 checked: int) -> None:
        self.findings = findings
        self.project = project  # None when the project file is broken
        self.data = data  # its bytes, part of every cache key
        self.checked = checked  # 1 when it is one of the files checked


def _check_project(workspace: Workspace, include: bool) -> _ProjectCheck:
    if not include:
        return _ProjectCheck([], workspace.project, _read_or_empty(workspace.project_file), 0)
    try:
        data = workspace.project_file.read_bytes()
    except OSError as error:
        raise AnnotateError(f"cannot read {PROJECT_FILE}: {error.strerror}") from error
    findings, project = check_project_text(PROJECT_FILE, data)
    return _ProjectCheck(findings, project, data, 1)


def _read_or_empty(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


class _Lookup:
    __slots__ = ("cached", "to_check", "unreadable")

    def __init__(self) -> None:
        self.cached: list[FileResult] = []
        self.to_check: list[Target] = []
        self.unreadable: list[Finding] = []


def _look_up(targets: list[Target], cache: Cache | None, documents: Documents) -> _Lookup:
    """The results the cache holds for the targets' content; the rest to check."""
    lookup = _Lookup()
    for target in targets:
        stat = file_stat(target.path)
        key = cache.hashes.known(target.shown, stat) if cache else None
        if key is None:
            data = read_file(target)
            if isinstance(data, str):
                lookup.unreadable.append(finding(target.shown, 1, 1, codes.UNREADABLE_FILE,
                                                 data))
                continue
            key = hashlib.sha256(data).hexdigest()
            if cache:
                cache.hashes.remember(target.shown, stat, key)
        cached = cache.get(target.shown, key, documents.fingerprint) if cache else None
        if cached is not None:
            lookup.cached.append(cached)
        else:
            lookup.to_check.append(target)
    return lookup


def _remember(cache: Cache, checked: list[tuple[str, FileResult]]) -> None:
    for key, result in checked:
        if key:
            cache.put(result.path, key, result)


def _save(cache: Cache, results: list[FileResult], documents: Documents) -> None:
    # Remember the documents' hashes too (workers read them in their own
    # processes), so the next run need not read them.
    for result in results:
        for key in result.dependencies:
            documents.fingerprint(key)
    cache.save()


def _report(selection: Selection, project: _ProjectCheck, lookup: _Lookup,
            checked: list[tuple[str, FileResult]], duplicates: list[Finding]) -> Report:
    results = lookup.cached + [result for _, result in checked]
    # Files the cache answered were readable when their result was stored.
    unreadable = [*selection.findings, *lookup.unreadable,
                  *(f for _, result in checked for f in result.findings)]
    return Report(
        findings=sort_findings([*selection.findings, *project.findings, *lookup.unreadable,
                                *(f for result in results for f in result.findings),
                                *duplicates]),
        files_checked=project.checked + len(results),
        annotations_checked=sum(result.annotations for result in results),
        files_from_cache=len(lookup.cached),
        unreadable=any(f.code == codes.UNREADABLE_FILE.code for f in unreadable))
