"""Where the output goes, through the installed console script, as a shell
sends it: a full device (/dev/full), a closed standard output or error
(`>&-`), a reader that leaves early (`| head -1`).  Each is one line at
most and a documented exit code, never a traceback or an "internal error"."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import SEED, SEED_ID, installed_annotate, run_installed

COMMANDS = [("list",), ("show", SEED_ID), ("validate",), ("agreement", SEED_ID),
            ("merge", "--dry-run"), ("report", "--format", "md"), ("export", "--format", "w3c"),
            ("documents",), ("--help",)]


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    """A workspace with two reviewers' annotations of the seed article."""
    root = tmp_path / "desk"
    assert run_installed("init", str(root), cwd=tmp_path).returncode == 0
    shutil.copyfile(SEED, root / "corpus" / SEED_ID)
    for reviewer, label in (("alice", "opinion"), ("bob", "unsourced")):
        added = run_installed("add", SEED_ID, "--sentence", "3", "--label", label,
                              "--reviewer", reviewer, cwd=root)
        assert added.returncode == 0, added.stderr
    return root


def shell(desk: Path, command: tuple[str, ...], redirect: str
          ) -> subprocess.CompletedProcess[str]:
    line = " ".join(map(shlex.quote, (installed_annotate(), *command))) + " " + redirect
    return subprocess.run(["sh", "-c", line], cwd=desk, capture_output=True, text=True,
                          timeout=120, check=False, stdin=subprocess.DEVNULL)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_full_device_is_one_line_and_exit_2(desk: Path, command: tuple[str, ...]) -> None:
    result = shell(desk, command, "> /dev/full")
    assert result.returncode == 2, result.stderr
    assert result.stderr == ("annotate: error: cannot write the output: No space left on "
                             "device; nothing more was written\n")


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_closed_output_is_no_error(desk: Path, command: tuple[str, ...]) -> None:
    # Python leaves sys.stdout None; what would go there goes nowhere, as
    # print's does.  The exit code is the command's own.
    expected = run_installed(*command, cwd=desk).returncode
    result = shell(desk, command, ">&-")
    assert (result.returncode, result.stderr) == (expected, "")


def test_a_closed_error_stream_keeps_the_exit_code(desk: Path) -> None:
    assert shell(desk, ("show", "no-such-document"), "2>&-").returncode == 2
    assert shell(desk, ("list",), ">&- 2>&-").returncode == 0


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_reader_that_leaves_early_is_no_error(desk: Path, command: tuple[str, ...]) -> None:
    result = shell(desk, command, "| head -c 1 >/dev/null")
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


@pytest.mark.parametrize("command", [("import", "--format", "w3c", "-"), ("ingest", "-")],
                         ids=["import", "ingest"])
def test_a_closed_standard_input_is_one_line(desk: Path, command: tuple[str, ...]) -> None:
    done = shell(desk, command, "<&-")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == ("annotate: error: cannot read the standard input: it is closed; "
                           "give it the file (annotate ... - < FILE), or name the file\n")


def test_a_file_named_dash_is_read_as_a_file_when_its_path_says_so(desk: Path) -> None:
    exported = run_installed("export", "--format", "w3c", cwd=desk)
    assert exported.returncode == 0
    other = desk.parent / "other"
    assert run_installed("init", str(other), cwd=desk.parent).returncode == 0
    shutil.copyfile(SEED, other / "corpus" / SEED_ID)
    (other / "-").write_text(exported.stdout, encoding="utf-8")
    done = shell(other, ("import", "--format", "w3c", "./-"), "< /dev/null")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.split()) == 2  # the two new ids: the file, not the empty input
