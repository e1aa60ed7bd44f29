"""End to end: the installed `annotate` console script in a subprocess, run
from a folder outside the repository, as a new user would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from annotate.cli import cli
from tests.conftest import HWASONG, SEED, SEED_ID, installed_annotate


def annotate(*args: str, cwd: Path, env: dict[str, str] | None = None
             ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([installed_annotate(), *args], cwd=cwd, capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=60, check=False)


def test_help_lists_every_command(tmp_path: Path) -> None:
    result = annotate("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in cli.commands:
        # Hidden commands (git-merge-driver: git runs it, not people) are not listed.
        assert (f"  {command} " in result.stdout) != cli.commands[command].hidden
    assert result.stderr == ""


def test_a_new_user_session(tmp_path: Path) -> None:
    assert annotate("init", "desk", cwd=tmp_path).returncode == 0
    desk = tmp_path / "desk"
    shutil.copyfile(SEED, desk / "corpus" / SEED_ID)
    added = annotate("add", SEED_ID, "--label", "speculative", "--quote", HWASONG, cwd=desk)
    assert added.returncode == 0, added.stderr
    identifier = added.stdout.strip()
    sourced = annotate("add", f"corpus/{SEED_ID}", "--label", "sourced", "--quote",
                       "20,000 artillery pieces", "--source", "https://www.iiss.org/",
                       "--reviewer", "bob", cwd=desk)
    assert sourced.returncode == 0, sourced.stderr
    listed = json.loads(annotate("list", "--format", "json", cwd=desk / "corpus").stdout)
    assert {r["id"] for r in listed} == {identifier, sourced.stdout.strip()}
    shown = annotate("show", SEED_ID, cwd=desk)
    assert f"[2 {HWASONG} 2]" in shown.stdout
    assert "\x1b[" not in shown.stdout  # a pipe is not a terminal
    edited = annotate("edit", identifier, "--verdict", "unverifiable", cwd=desk)
    assert edited.returncode == 0 and edited.stdout.strip() == identifier
    removed = annotate("rm", identifier, "--yes", cwd=desk)
    assert removed.returncode == 0


def test_user_mistakes_get_one_line_and_exit_2_never_a_traceback(tmp_path: Path) -> None:
    annotate("init", "desk", cwd=tmp_path)
    desk = tmp_path / "desk"
    shutil.copyfile(SEED, desk / "corpus" / SEED_ID)
    mistakes = [
        ("add", SEED_ID, "--label", "rumour", "--quote", "Siberia"),
        ("add", "missing.txt", "--label", "opinion", "--quote", "Siberia"),
        ("add", SEED_ID, "--label", "opinion", "--quote", "not in the text at all, no"),
        ("edit", "nonexistent", "--note", "x"),
        ("show", "missing.txt"),
    ]
    for mistake in mistakes:
        result = annotate(*mistake, cwd=desk)
        assert result.returncode == 2, mistake
        assert result.stderr.startswith("annotate: error: ")
        assert result.stderr.count("\n") == 1
        assert "Traceback" not in result.stderr
        assert result.stdout == ""
    outside = annotate("list", cwd=tmp_path)
    assert outside.returncode == 2
    assert "not inside an annotate workspace" in outside.stderr


def test_python_dash_m_works_too(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "annotate", "--version"], cwd=tmp_path,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert result.stdout.startswith("annotate, version ")


def test_installed_package_carries_its_schemas(tmp_path: Path) -> None:
    code = ("import annotate.schema as s; d = s.schema_dir(); "
            "print(sorted(p.name for p in d.glob('*.schema.json')))")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                            text=True, check=True)
    assert "annotation.schema.json" in result.stdout
    assert "project.schema.json" in result.stdout
