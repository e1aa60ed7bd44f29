"""Work a command leaves for after it ends, done by a detached copy of the process.

Remembering 100,000 checked records for the next run (annotate.store.
record_cache) costs about half a second, and the user waits for none of
it: the command's output is complete before.  So when the console script
runs the command (``enable``), such work is deferred (``defer``) and, as
the process exits, a copy of it made by fork -- which already holds the
records, so nothing is sent to it -- does the work while the shell
prompt is back.  git detaches its automatic gc the same way.

The copy leaves the terminal's session and writes nothing to it: its
standard streams are /dev/null, so a pipe reading the command's output
ends with the command, not with the copy.  It is a grandchild, reparented
at once to init, so the command leaves no zombie behind.  Where fork is
not available or not safe (another thread is running), or the detached
copy cannot be made, the work is done in the process, at its exit, as
before.  Outside the console script (tests, a library caller) nothing is
deferred: ``defer`` answers False and the caller does the work at once.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from collections.abc import Callable

_enabled = False
_jobs: list[Callable[[], None]] = []
_prepare: list[Callable[[], None]] = []
_kept_open: set[int] = set()


def enable() -> None:
    """From now on, ``defer`` defers (the console script calls this)."""
    global _enabled
    _enabled = True


def defer(job: Callable[[], None], prepare: Callable[[], None] | None = None) -> bool:
    """Whether ``job`` will run after the command (once, however often it is
    deferred); False outside the console script: the caller does the work.
    ``prepare`` runs in this process as it ends, just before the copy is
    made (to take a lock the copy inherits, say)."""
    if not _enabled:
        return False
    if not _jobs:
        atexit.register(_run_jobs)
    if job not in _jobs:
        _jobs.append(job)
        if prepare is not None:
            _prepare.append(prepare)
    return True


def keep_open(descriptor: int) -> None:
    """Leave this file open in the copy (it closes every other but its
    standard streams, so that it holds no pipe or lock of the command's)."""
    _kept_open.add(descriptor)


def _run_jobs() -> None:
    """At exit: the deferred jobs, in a detached copy if one can be made."""
    jobs = list(_jobs)
    _jobs.clear()
    for prepare in _prepare:
        with contextlib.suppress(Exception):
            prepare()
    if jobs and not _detached(jobs):
        for job in jobs:
            with contextlib.suppress(Exception):
                job()


def _detached(jobs: list[Callable[[], None]]) -> bool:
    """Whether a detached grandchild was started to run the jobs."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return False
    for stream in (sys.stdout, sys.stderr):  # nothing buffered is left to be copied
        with contextlib.suppress(Exception):
            stream.flush()
    try:
        child = os.fork()
    except OSError:
        return False
    if child == 0:  # pragma: no cover (its coverage is its outcome: the entries)
        _child(jobs)
    _, status = os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status) == 0


def _child(jobs: list[Callable[[], None]]) -> None:
    """The child: start the grandchild in a session of its own, and end."""
    code = 1
    try:
        os.setsid()  # no terminal: no SIGHUP when it closes, no Ctrl-C
        if os.fork() == 0:
            _quiet()
            for job in jobs:
                with contextlib.suppress(Exception):
                    job()
        code = 0
    except BaseException:  # the parent learns of a failure by the exit code
        pass
    finally:
        os._exit(code)


def _quiet() -> None:
    """Standard streams to /dev/null, and every other file closed but those
    kept open: nothing reaches the terminal, and no pipe the command wrote
    to (its output, make's jobserver, a test harness's) is held open."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for descriptor in (0, 1, 2):
        os.dup2(devnull, descriptor)
    os.close(devnull)
    start = 3
    for kept in sorted(_kept_open):
        os.closerange(start, kept)
        start = kept + 1
    os.closerange(start, _MAX_DESCRIPTORS)


_MAX_DESCRIPTORS = os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 1024
