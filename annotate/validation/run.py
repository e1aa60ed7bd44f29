"""One validation run: choose the files, answer what the cache can, check
the rest (in a process pool when there are many), check ids across the
workspace, and report every finding in file order."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from annotate import codes, jsonpos
from annotate import workspace as workspace_module
from annotate.errors import AnnotateError
from annotate.model import Finding, Project
from annotate.validation import reading
from annotate.validation.cache import Cache
from annotate.validation.checks import FileResult, check_project_text, finding
from annotate.validation.discovery import Selection, Target, collect
from annotate.validation.hashes import file_stat
from annotate.workspace import PROJECT_FILE, Workspace, project_from_data

if TYPE_CHECKING:
    from annotate.validation.documents import Documents
    from annotate.validation.pool import Progress


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
    data = _project_bytes(workspace, selection.include_project)
    cache = Cache(workspace.root, data) if use_cache else None
    # Each file's stat, taken before anything reads it: a later write changes it.
    stats = [file_stat(target.path) for target in selection.targets]
    if cache is not None:
        unchanged = _unchanged(workspace, cache, selection, stats)
        if unchanged is not None:
            return _with_side_files(workspace, workspace.project, selection, unchanged)
    # Only a run in which something changed needs these: a warm one is spared
    # their import.
    from annotate.validation.documents import Documents
    from annotate.validation.duplicates import duplicate_ids
    from annotate.validation.pool import check_files

    project = _check_project(workspace, selection.include_project, data)
    documents = Documents(workspace, cache.hashes if cache else None)
    lookup = _look_up(selection.targets, stats, cache, documents)
    checked = check_files(workspace, project.project, documents, lookup.to_check, jobs,
                          progress, total=len(selection.targets), done=len(lookup.cached))
    results = lookup.cached + [result for _, result in checked]
    if cache:
        _remember(cache, checked)
    duplicates = duplicate_ids(results, {t.shown: t.path for t in selection.targets}, cache)
    report = _report(selection, project, lookup, checked, duplicates)
    if cache:
        _save(workspace, cache, selection, stats, project, lookup, checked, documents, duplicates,
              report)
    return _with_side_files(workspace, project.project, selection, report, documents)


def _with_side_files(workspace: Workspace, project: Project | None, selection: Selection,
                     report: Report, documents: Documents | None = None) -> Report:
    """The report with the findings of the finished markers and decisions files,
    which are checked afresh on every run (they are few and small)."""
    if not selection.side:
        return report
    from annotate.validation.sidefiles import check_side_files

    found = check_side_files(workspace, project, selection.side, documents)
    return replace(report, findings=sort_findings([*report.findings, *found]),
                   files_checked=report.files_checked + len(selection.side),
                   unreadable=report.unreadable or any(
                       f.code == codes.UNREADABLE_FILE.code for f in found))


def load_workspace(root: Path, *, use_cache: bool = True) -> Workspace:
    """workspace.load(root), without checking the project file again when the
    last run found these very bytes usable (so a warm run imports no schema
    validator); a broken project file still raises CorruptFileError."""
    try:
        data = (root / PROJECT_FILE).read_bytes()
    except OSError:
        return workspace_module.load(root)  # which says what is wrong
    if not use_cache:
        return workspace_module.load(root)
    last = Cache(root, data).last_run()
    parsed = jsonpos.parse_json_line(data.decode("utf-8", "replace"))
    if last is None or not last.project_valid or not isinstance(parsed.value, dict):
        return workspace_module.load(root)
    return Workspace(root, project_from_data(parsed.value))


def _unchanged(workspace: Workspace, cache: Cache, selection: Selection,
               stats: list[list[int] | None]) -> Report | None:
    """The last run's report, if nothing it depended on changed since."""
    last = cache.last_run()
    if last is None:
        return None
    root = f"{workspace.root}{os.sep}"
    dependency_stats = [file_stat(root + path) for path in last.dependencies]
    state = cache.state(selection.include_project, [t.shown for t in selection.targets],
                        stats, dependency_stats)
    if state != last.state:
        return None
    return Report(
        findings=sort_findings([*selection.findings, *last.findings]),
        files_checked=last.files, annotations_checked=last.annotations,
        files_from_cache=len(selection.targets),
        unreadable=any(f.code == codes.UNREADABLE_FILE.code for f in selection.findings))


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


def _project_bytes(workspace: Workspace, include: bool) -> bytes:
    """The project file's bytes, part of every cache key; when it is one of
    the files checked, not being able to read it stops the run."""
    try:
        return workspace.project_file.read_bytes()
    except OSError as error:
        if include:
            raise AnnotateError(f"cannot read {PROJECT_FILE}: {error.strerror}") from error
        return b""


def _check_project(workspace: Workspace, include: bool, data: bytes) -> _ProjectCheck:
    if not include:
        return _ProjectCheck([], workspace.project, data, 0)
    findings, project = check_project_text(PROJECT_FILE, data)
    return _ProjectCheck(findings, project, data, 1)


class _Lookup:
    __slots__ = ("cached", "keys", "to_check", "unreadable")

    def __init__(self) -> None:
        self.cached: list[FileResult] = []
        self.to_check: list[Target] = []
        self.unreadable: list[Finding] = []
        self.keys: dict[str, str] = {}  # shown path -> content hash, as looked up


def _look_up(targets: list[Target], stats: list[list[int] | None], cache: Cache | None,
             documents: Documents) -> _Lookup:
    """The results the cache holds for the targets' content; the rest to check."""
    lookup = _Lookup()
    for target, stat in zip(targets, stats, strict=True):
        key = cache.hashes.known(target.shown, stat) if cache else None
        if key is None:
            try:
                key = reading.content_hash(target.path)
            except reading.Unreadable as error:
                lookup.unreadable.append(finding(target.shown, 1, 1, codes.UNREADABLE_FILE,
                                                 str(error)))
                continue
            if cache:
                cache.hashes.remember(target.shown, stat, key)
        lookup.keys[target.shown] = key
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


def _save(workspace: Workspace, cache: Cache, selection: Selection, stats: list[list[int] | None],
          project: _ProjectCheck, lookup: _Lookup, checked: list[tuple[str, FileResult]],
          documents: Documents, duplicates: list[Finding], report: Report) -> None:
    results = lookup.cached + [result for _, result in checked]
    # Every dependency's current value, which also remembers the documents'
    # hashes (workers read them in their own processes), so the next run
    # need not read them.  The run is remembered whole only if what it
    # checked is still what the stats stand for: nothing changed meanwhile.
    consistent = not lookup.unreadable
    for result in results:
        for key, value in result.dependencies.items():
            consistent = documents.fingerprint(key) == value and consistent
    consistent = consistent and all(key and lookup.keys.get(result.path) == key
                                    for key, result in checked)
    if consistent:
        from annotate.validation.documents import dependency_path

        keys = sorted({key for result in results for key in result.dependencies})
        dependency_stats = [documents.stats.get(key) for key in keys]
        root = workspace.root
        dependencies = [os.path.relpath(dependency_path(workspace, key), root) for key in keys]
        state = cache.state(selection.include_project, [t.shown for t in selection.targets],
                            stats, dependency_stats)
        findings = sort_findings([*project.findings,
                                  *(f for result in results for f in result.findings),
                                  *duplicates])
        cache.remember_run(state, dependencies, [*stats, *dependency_stats], findings,
                           report.files_checked, report.annotations_checked,
                           project_valid=project.checked == 1 and project.project is not None)
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
