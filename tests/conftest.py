"""Shared fixtures: an isolated HOME, a fresh workspace holding the seed
article, and a CliRunner that keeps stdout and stderr apart."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from annotate.cli import cli

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "corpus" / "kim-putin-vostochny.txt"
SEED_ID = "kim-putin-vostochny.txt"

# The speculative claim the product card names.
HWASONG = ("North Korea’s new Hwasong-18 intercontinental ballistic missile is based on "
           "Russian technology")


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path_factory: pytest.TempPathFactory,
                         monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test sees the developer's git identity, workspace or colour settings."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    # CI is unset too: under CI, validate does not use its cache, and the
    # cache's own tests must run the same on a laptop and on CI.
    for name in ("ANNOTATE_WORKSPACE", "ANNOTATE_REVIEWER", "NO_COLOR", "GITHUB_STEP_SUMMARY",
                 "GIT_DIR", "GIT_WORK_TREE", "CI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ANNOTATE_REVIEWER", "alice")
    return home


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace made by `annotate init` with the seed article in its corpus; cwd is it."""
    root = tmp_path / "ws"
    result = CliRunner().invoke(cli, ["init", str(root), "--name", "test desk"])
    assert result.exit_code == 0, result.output
    shutil.copyfile(SEED, root / "corpus" / SEED_ID)
    monkeypatch.chdir(root)
    return root


Run = Callable[..., Result]


@pytest.fixture
def run() -> Run:
    """Invoke the CLI in-process; result.stdout and result.stderr are separate."""

    def invoke(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


def installed_annotate() -> str:
    """The console script installed next to this Python (tox's env, or a venv)."""
    candidate = Path(sys.executable).parent / "annotate"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("annotate", path=os.environ.get("PATH"))
    if found is None:
        raise RuntimeError("the annotate console script is not installed; run `pip install .`")
    return found
