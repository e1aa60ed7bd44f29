"""Colour only on a terminal and never with NO_COLOR; questions only on a
terminal.  These run the installed `annotate` on a real pseudo-terminal."""

from __future__ import annotations

import os
import re
import select
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from annotate import api
from annotate.report.show import render_show
from annotate.report.terminal import use_color
from annotate.workspace import load
from tests.conftest import HWASONG, SEED, SEED_ID, installed_annotate

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def on_terminal(args: list[str], cwd: Path, answer: bytes | None = None,
                env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run annotate with stdin, stdout and stderr on one pseudo-terminal."""
    controller, terminal = os.openpty()
    process = subprocess.Popen([installed_annotate(), *args], cwd=cwd, stdin=terminal,
                               stdout=terminal, stderr=terminal,
                               env={**os.environ, **(env or {})})
    os.close(terminal)
    shown = b""
    deadline = time.monotonic() + 60
    answered = answer is None
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(controller, 65536)
            except OSError:
                break  # the terminal closed: the program ended
            if not chunk:
                break
            shown += chunk
            if not answered and b"[y/N]" in shown:
                os.write(controller, answer)  # type: ignore[arg-type]
                answered = True
        elif process.poll() is not None:
            break
    os.close(controller)
    return process.wait(timeout=10), shown.decode("utf-8", "replace")


@pytest.fixture
def desk(workspace: Path) -> Path:
    result = subprocess.run([installed_annotate(), "add", SEED_ID, "--label", "speculative",
                             "--quote", HWASONG], cwd=workspace, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip()
    return workspace


def test_show_is_coloured_on_a_terminal(desk: Path) -> None:
    code, shown = on_terminal(["show", SEED_ID], desk)
    assert code == 0
    # speculative's colour, #9467bd, as a 24-bit background behind the quote
    assert "\x1b[48;2;148;103;189m" in shown
    plain = ANSI.sub("", shown).replace("\r\n", "\n")
    assert f"[1 {HWASONG} 1]" in plain


def test_no_color_turns_colour_off_even_on_a_terminal(desk: Path) -> None:
    code, shown = on_terminal(["show", SEED_ID], desk, env={"NO_COLOR": "1"})
    assert code == 0
    assert "\x1b[" not in shown
    assert f"[1 {HWASONG} 1]" in shown.replace("\r\n", "\n")


def test_list_colours_labels_only_on_a_terminal(desk: Path) -> None:
    code, shown = on_terminal(["list"], desk)
    assert code == 0 and "\x1b[1;38;2;148;103;189mspeculative" in shown
    piped = subprocess.run([installed_annotate(), "list"], cwd=desk, capture_output=True,
                           text=True, check=True)
    assert "\x1b[" not in piped.stdout and "speculative" in piped.stdout


def test_rm_asks_on_a_terminal(desk: Path) -> None:
    identifier = api.list_annotations(load(desk))[0].id
    code, shown = on_terminal(["rm", identifier], desk, answer=b"n\n")
    assert code == 0
    assert f"Remove {identifier} (speculative by alice" in shown
    assert "Nothing removed." in shown
    assert len(api.list_annotations(load(desk))) == 1
    code, shown = on_terminal(["rm", identifier], desk, answer=b"y\n")
    assert code == 0
    assert api.list_annotations(load(desk)) == []


def test_use_color_follows_the_stream_and_no_color(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    controller, terminal = os.openpty()
    try:
        with open(terminal, "w", closefd=False) as tty, open(tmp_path / "f", "w") as file:
            assert use_color(tty) is True
            assert use_color(file) is False
            monkeypatch.setenv("NO_COLOR", "1")
            assert use_color(tty) is False
    finally:
        os.close(terminal)
        os.close(controller)


def test_coloured_and_plain_show_hold_the_same_text(desk: Path) -> None:
    shutil.copyfile(SEED, desk / "corpus" / "copy.txt")
    ws = load(desk)
    document = api.document(ws, SEED_ID)
    found = api.list_annotations(ws, SEED_ID)
    coloured = render_show(document, found, ws.project, color=True)
    plain = render_show(document, found, ws.project, color=False)
    assert coloured != plain
    assert ANSI.sub("", coloured) == plain
