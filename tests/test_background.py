"""annotate.background: work deferred to after the command, done by a detached
copy of the process.  Each test runs a real Python process that defers a
job, as the console script does, and watches what happens through files:
the process ends (and its output pipe closes) before the job has run, the
job then runs, and nothing it prints reaches the pipe."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from annotate import background

pytestmark = pytest.mark.skipif(not hasattr(__import__("os"), "fork"),
                                reason="detaching needs fork")


def run_script(body: str, folder: Path) -> subprocess.CompletedProcess[str]:
    """A Python process running ``body`` (with FOLDER its folder), its output
    through pipes, as a shell pipeline or a test harness reads it."""
    script = "import pathlib, sys, threading, time\nfrom annotate import background\n"
    script += f"FOLDER = pathlib.Path({str(folder)!r})\n" + textwrap.dedent(body)
    # A timeout, not a hang, if the pipes were held open by the job.
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=20, check=False)


def wait_for(path: Path) -> bool:
    """Whether path appears within 30 s (the job runs in its own time)."""
    for _ in range(3000):
        if path.exists():
            return True
        time.sleep(0.01)
    return False


JOB = """
def job():
    print("from the job")  # must reach no one
    for _ in range(3000):  # waits for the test's word, so it surely runs after the exit
        if (FOLDER / "go").exists():
            break
        time.sleep(0.01)
    (FOLDER / "done").write_text("done")
"""


def test_the_job_runs_after_the_process_has_ended_and_its_pipes_are_closed(
        tmp_path: Path) -> None:
    result = run_script(JOB + """
background.enable()
assert background.defer(job) and background.defer(job)  # once, however often deferred
print("command output")
""", tmp_path)
    # The process ended and its pipes closed although the job is still
    # waiting for "go": the job holds neither.
    assert (result.returncode, result.stdout, result.stderr) == (0, "command output\n", "")
    assert not (tmp_path / "done").exists()
    (tmp_path / "go").write_text("go")
    assert wait_for(tmp_path / "done")


def test_without_enable_nothing_is_deferred(tmp_path: Path) -> None:
    result = run_script(JOB + """
print(background.defer(job))
""", tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "False\n", "")
    assert background.defer(lambda: None) is False  # nor in this (test) process


def test_with_another_thread_running_the_job_runs_at_exit_in_the_process(
        tmp_path: Path) -> None:
    # fork copies a running thread's locks but not the thread: no copy is
    # made, and the job is done as the process exits (before its pipes close).
    result = run_script("""
def job():
    (FOLDER / "done").write_text("done")

stop = threading.Event()
threading.Thread(target=stop.wait, daemon=True).start()
background.enable()
assert background.defer(job)
""", tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert (tmp_path / "done").read_text() == "done"


def test_a_failing_job_does_not_stop_the_next_nor_change_the_exit_code(
        tmp_path: Path) -> None:
    result = run_script("""
def broken():
    raise RuntimeError("broken job")

def job():
    (FOLDER / "done").write_text("done")

background.enable()
background.defer(broken)
background.defer(job)
sys.exit(3)
""", tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (3, "", "")
    assert wait_for(tmp_path / "done")



def test_the_copy_holds_no_other_file_of_the_command_open(tmp_path: Path) -> None:
    # A pipe the command inherited on descriptor 3 (make's jobserver, a test
    # harness's): its reader sees the end as the command ends, while the job
    # is still waiting for "go".
    reader, writer = os.pipe()
    script = ("import pathlib, sys, time\nfrom annotate import background\n"
              f"FOLDER = pathlib.Path({str(tmp_path)!r})\n" + textwrap.dedent(JOB)
              + "background.enable()\nbackground.defer(job)\n")
    process = subprocess.Popen([sys.executable, "-c", script], pass_fds=(writer,),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(writer)
    try:
        with os.fdopen(reader, "rb") as pipe:
            assert pipe.read() == b""  # the end, not a hang
        assert process.wait(timeout=20) == 0
        assert not (tmp_path / "done").exists()
    finally:
        (tmp_path / "go").write_text("go")
    assert wait_for(tmp_path / "done")
