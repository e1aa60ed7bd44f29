"""Usage errors are one line like every other mistake (issue 8, item 12):
``annotate: error: <message> (see 'annotate CMD --help')`` on stderr, exit 2,
nothing on stdout; click's "did you mean" suggestion kept."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotate.cli import cli
from tests.conftest import SEED_ID, installed_annotate

CASES = [
    (["show"], "missing argument 'DOC' (see 'annotate show --help')"),
    (["list", "--fromat", "json"],
     "no such option '--fromat'; did you mean '--format'? (see 'annotate list --help')"),
    (["list", "--bogus"], "no such option '--bogus' (see 'annotate list --help')"),
    (["--bogus", "list"], "no such option '--bogus' (see 'annotate --help')"),
    (["list", "--format", "xml"],
     "invalid value for '--format': 'xml' is not one of 'table', 'json', 'jsonl', 'csv' "
     "(see 'annotate list --help')"),
    (["add", SEED_ID, "--label", "opinion", "--start", "ten", "--end", "20"],
     "invalid value for '--start': 'ten' is not a valid integer (see 'annotate add --help')"),
    (["validate", "--jobs", "0"],
     "invalid value for '--jobs' / '-j': 0 is not in the range x>=1 "
     "(see 'annotate validate --help')"),
    (["lsit"], "no such command 'lsit'; did you mean 'list'? (see 'annotate --help')"),
    (["frobnicate"], "no such command 'frobnicate' (see 'annotate --help')"),
    (["list", "-w"], "option '-w' requires an argument (see 'annotate list --help')"),
    (["add", SEED_ID, "--label", "opinion"],
     "pick the span in exactly one way: --quote TEXT, --start I --end J, or --sentence N "
     "(see 'annotate add --help')"),
    (["list", "--format", "a\x1b[2Jb"],
     "invalid value for '--format': 'a\\x1b[2Jb' is not one of 'table', 'json', 'jsonl', "
     "'csv' (see 'annotate list --help')"),
]


@pytest.mark.parametrize(("args", "message"), CASES)
def test_a_usage_error_is_one_line_and_exit_2(workspace: Path, args: list[str],
                                              message: str) -> None:
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert (result.exit_code, result.stdout, result.stderr) == (
        2, "", f"annotate: error: {message}\n")


def test_through_the_installed_script(workspace: Path) -> None:
    for args, message in CASES[:3] + CASES[7:8]:
        result = subprocess.run([installed_annotate(), *args], cwd=workspace,
                                capture_output=True, text=True, timeout=60, check=False,
                                env={**os.environ, "LC_ALL": "C.UTF-8"})
        assert (result.returncode, result.stdout, result.stderr) == (
            2, "", f"annotate: error: {message}\n")


def test_bare_annotate_still_prints_the_help(workspace: Path) -> None:
    result = CliRunner().invoke(cli, [], catch_exceptions=False)
    assert result.exit_code == 2
    assert "Usage: annotate [OPTIONS] COMMAND [ARGS]..." in result.stderr + result.stdout
    assert "Commands:" in result.stderr + result.stdout


def test_help_and_version_are_not_errors() -> None:
    for args in (["--help"], ["list", "--help"], ["--version"]):
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0 and result.stderr == ""
