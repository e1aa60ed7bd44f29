"""Checking the files the cache could not answer: in this process, or for
large workspaces in a process pool using every core."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from typing import Any

from annotate import codes, store
from annotate.model import Project
from annotate.validation import reading
from annotate.validation.checks import FileResult, check_annotation_lines, finding
from annotate.validation.discovery import Target
from annotate.validation.documents import Documents
from annotate.workspace import Workspace

# Below this many files a process pool costs more than it saves.
PARALLEL_MIN_FILES = 64

Progress = Callable[[int, int], None]


def check_files(workspace: Workspace, project: Project | None, documents: Documents,
                work: list[Target], jobs: int | None, progress: Progress | None,
                total: int, done: int) -> list[tuple[str, FileResult]]:
    """(content hash, result) of each file in work, in work's order; the hash
    is "" for a file that could not be read.  progress hears (done, total)."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if progress:
        progress(done, total)
    if workers <= 1 or len(work) < PARALLEL_MIN_FILES:
        return _check_here(workspace, project, documents, work, progress, total, done)
    return _check_in_pool(workspace, project, work, workers, progress, total, done)


def _check_here(workspace: Workspace, project: Project | None, documents: Documents,
                work: list[Target], progress: Progress | None, total: int,
                done: int) -> list[tuple[str, FileResult]]:
    results = []
    for target in work:
        results.append(_check_target(workspace, project, documents, target))
        done += 1
        if progress and done % 50 == 0:
            progress(done, total)
    return results


def _check_in_pool(workspace: Workspace, project: Project | None, work: list[Target],
                   workers: int, progress: Progress | None, total: int,
                   done: int) -> list[tuple[str, FileResult]]:
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


def _check_target(workspace: Workspace, project: Project | None, documents: Documents,
                  target: Target) -> tuple[str, FileResult]:
    """(content hash, result) for one file, read here and line by line: a
    worker reads its own files, and no process holds a whole file in memory."""
    owner = store.owner_of(workspace, target.path)
    exists = True
    dependencies: dict[str, str] = {}
    if owner is not None:
        # In the corpus, readable or not: an unreadable one gets AN314, not AN311.
        exists = (documents.recording(dependencies).current(owner[0]) is not None
                  or documents.unreadable(owner[0]) is not None)
    digest = hashlib.sha256()
    try:
        with reading.open_regular(target.path) as handle:
            result = check_annotation_lines(
                target.shown, reading.hashed_lines(handle, digest), project=project,
                owner=owner, documents=documents, document_exists=exists)
    except (reading.Unreadable, OSError) as error:  # it changed since it was listed
        why = str(error) if isinstance(error, reading.Unreadable) else \
            f"cannot read: {error.strerror}"
        return "", FileResult(target.shown, [finding(target.shown, 1, 1,
                                                      codes.UNREADABLE_FILE, why)])
    result.dependencies.update(dependencies)
    result.key = digest.hexdigest()
    return result.key, result


# Per-process state of the pool's workers (set by _worker_start).
_WORKER: dict[str, Any] = {}


def _worker_start(workspace: Workspace, project: Project | None) -> None:
    _WORKER.update(workspace=workspace, project=project, documents=Documents(workspace))


def _worker_check(batch: list[Target]) -> list[tuple[str, FileResult]]:
    return [_check_target(_WORKER["workspace"], _WORKER["project"], _WORKER["documents"],
                          target) for target in batch]
