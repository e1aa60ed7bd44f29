"""Shared fixtures: an isolated HOME, a fresh workspace holding the seed
article, and a CliRunner that keeps stdout and stderr apart."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
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
    # The record cache lives under the isolated HOME (~/.cache/annotate).
    for name in ("ANNOTATE_WORKSPACE", "ANNOTATE_REVIEWER", "NO_COLOR", "GITHUB_STEP_SUMMARY",
                 "GIT_DIR", "GIT_WORK_TREE", "CI", "XDG_CACHE_HOME", "ANNOTATE_CACHE_DIR",
                 "ANNOTATE_NO_CACHE"):
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


def run_installed(*args: str, cwd: Path, prefix: tuple[str, ...] = (),
                  timeout: float = 120, input: str | None = None
                  ) -> subprocess.CompletedProcess[str]:
    """The installed console script, as a user runs it: reviewer alice, a UTF-8
    locale, no standard input (or ``input`` through a pipe); ``prefix`` runs it
    under another command (setpriv)."""
    env = {**os.environ, "ANNOTATE_REVIEWER": "alice", "LC_ALL": "C.UTF-8"}
    stdin = {"stdin": subprocess.DEVNULL} if input is None else {"input": input}
    return subprocess.run([*prefix, installed_annotate(), *args], cwd=cwd,
                          capture_output=True, text=True, errors="backslashreplace", env=env,
                          timeout=timeout, check=False, **stdin)


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    """A workspace made by the installed `annotate init`, with the seed article."""
    assert run_installed("init", "desk", cwd=tmp_path).returncode == 0
    shutil.copyfile(SEED, tmp_path / "desk" / "corpus" / SEED_ID)
    return tmp_path / "desk"


# Root ignores permission bits through two capabilities; dropping them from
# the bounding set (util-linux's setpriv) makes root's process obey the bits
# like any user's, without needing another user who can reach the venv.
UNPRIVILEGED = ("setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--")


def permission_bits_prefix() -> tuple[str, ...] | None:
    """The prefix under which permission bits apply to a command (() for a
    non-root user), or None where nothing can make them apply."""
    if os.geteuid() != 0:
        return ()
    if shutil.which("setpriv") is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        os.chmod(folder, 0o555)
        probe = subprocess.run([*UNPRIVILEGED, "sh", "-c", f"touch {folder}/x"],
                               capture_output=True, check=False)
        os.chmod(folder, 0o755)
    return UNPRIVILEGED if probe.returncode != 0 else None
