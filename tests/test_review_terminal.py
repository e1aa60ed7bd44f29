"""`annotate review` on a real pseudo-terminal: the installed script reads
key presses (click.getchar in raw mode) and asks for lines in cooked mode;
Ctrl-C and Ctrl-D at a key and at a prompt end it with exit 0 and keep
every decision made; a narrow terminal gets lines that fit; colour unless
NO_COLOR.  Each test waits for what the screen shows before pressing the
next key, as a person does; the saved annotations are then read back."""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import struct
import subprocess
import termios
import time
from pathlib import Path

from annotate.sentences import split_sentences
from tests.conftest import SEED, SEED_ID, installed_annotate

ANSI = re.compile(r"\x1b\[[0-9;]*m")
SENTENCES = split_sentences(SEED.read_text(encoding="utf-8"))
FOLDER = Path("annotations") / SEED_ID


def _controlling_terminal() -> None:
    # In the child, a session leader already (start_new_session): standard
    # input, the terminal's other side, becomes its controlling terminal, so
    # Ctrl-C in cooked mode is a SIGINT for it, as in a shell.
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    """The installed annotate on a pseudo-terminal of a given size."""

    def __init__(self, args: list[str], cwd: Path, columns: int = 100,
                 env: dict[str, str] | None = None) -> None:
        controller, terminal = os.openpty()
        fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
        environment = {**os.environ, "ANNOTATE_REVIEWER": "alice", "LC_ALL": "C.UTF-8",
                       "TERM": "xterm-256color", **(env or {})}
        environment.pop("NO_COLOR", None)
        environment.update(env or {})
        self.process = subprocess.Popen(
            [installed_annotate(), *args], cwd=cwd, stdin=terminal, stdout=terminal,
            stderr=terminal, env=environment, start_new_session=True,
            preexec_fn=_controlling_terminal)
        os.close(terminal)
        self.controller = controller
        self.output = b""
        self.seen = 0  # what expect() has already matched

    def _read(self, wait: float) -> bool:
        ready, _, _ = select.select([self.controller], [], [], wait)
        if not ready:
            return True
        try:
            chunk = os.read(self.controller, 65536)
        except OSError:  # EIO: the program closed the terminal
            return False
        self.output += chunk
        return bool(chunk)

    def expect(self, text: str) -> None:
        """Wait until the screen shows text (after what was expected before)."""
        wanted = text.encode("utf-8")
        deadline = time.monotonic() + 60  # a guard against a hang, not a measurement
        while wanted not in self.output[self.seen:]:
            if time.monotonic() > deadline or not self._read(0.1):
                raise AssertionError(f"the screen never showed {text!r}; it showed:\n"
                                     + self.plain())
        self.seen = self.output.index(wanted, self.seen) + len(wanted)

    def press(self, keys: bytes, after: str = "> ") -> None:
        """Wait for the prompt, then press keys."""
        self.expect(after)
        os.write(self.controller, keys)

    def finish(self) -> int:
        """Read to the end; the exit code.  The terminal is closed only after
        the program ended: closing it first would hang the program up."""
        deadline = time.monotonic() + 60  # a guard against a hang, not a measurement
        while self.process.poll() is None and time.monotonic() < deadline:
            self._read(0.1)
        if self.process.poll() is None:
            self.process.kill()
            raise AssertionError("the program did not end; the screen showed:\n" + self.plain())
        while select.select([self.controller], [], [], 0)[0] and self._read(0):
            pass
        os.close(self.controller)
        return self.process.wait()

    def text(self) -> str:
        return self.output.decode("utf-8", "replace").replace("\r\n", "\n")

    def plain(self) -> str:
        return ANSI.sub("", self.text())


def saved(workspace: Path) -> list[tuple[int, int, str]]:
    path = workspace / FOLDER / "alice.jsonl"
    return sorted((r["start"], r["end"], r["label"]) for r in map(
        json.loads, path.read_text(encoding="utf-8").splitlines())) if path.exists() else []


def skipped(workspace: Path) -> list[list[int]]:
    path = workspace / FOLDER / "alice.progress.json"
    found: list[list[int]] = json.loads(path.read_text(encoding="utf-8"))["skipped"]
    return found


def span(number: int) -> tuple[int, int]:
    return SENTENCES[number - 1].start, SENTENCES[number - 1].end


def test_key_presses_label_skip_and_go_back(workspace: Path) -> None:
    term = Terminal(["review", SEED_ID], workspace)
    term.expect("sentence 1 of 62")
    term.press(b"j")
    term.expect("sentence 2 of 62")
    term.press(b"\x1b[C")  # the right arrow steps on, like j
    term.expect("sentence 3 of 62")
    term.press(b"p")
    term.expect("saved: speculative")
    term.expect("sentence 4 of 62 · 3 decided")
    term.press(b"k")
    term.expect("sentence 3 of 62")
    term.press(b"q")
    assert term.finish() == 0
    assert saved(workspace) == [(*span(3), "speculative")]
    assert skipped(workspace) == [list(span(1)), list(span(2))]
    shown = term.text()
    # speculative's colour (#9467bd) behind the sentence it labels, and dimmed context
    assert "\x1b[48;2;148;103;189m" in shown and "\x1b[2m" in shown
    assert "Reviewed kim-putin-vostochny.txt as alice in " in term.plain()


def test_a_source_typed_at_the_prompt(workspace: Path) -> None:
    term = Terminal(["review", SEED_ID, "--from", "29"], workspace)
    term.press(b"s")
    term.expect("sourced needs a source URL (empty: cancel)")
    os.write(term.controller, b"https://www.iiss.org/\r")
    term.expect("saved: sourced")
    term.press(b"q")
    assert term.finish() == 0
    assert saved(workspace) == [(*span(29), "sourced")]


def test_ctrl_c_at_a_key_keeps_what_was_decided(workspace: Path) -> None:
    term = Terminal(["review", SEED_ID], workspace)
    term.press(b"o")
    term.expect("saved: opinion")
    term.press(b"\x03")
    assert term.finish() == 0
    assert "interrupted: every decision made so far is saved" in term.plain()
    assert saved(workspace) == [(*span(1), "opinion")]
    assert "Traceback" not in term.plain()


def test_ctrl_c_at_a_prompt(workspace: Path) -> None:
    term = Terminal(["review", SEED_ID], workspace)
    term.press(b"d")
    term.expect("disputed needs a source URL (empty: cancel)")
    os.write(term.controller, b"https://half-typ\x03")
    assert term.finish() == 0
    assert "interrupted: every decision made so far is saved" in term.plain()
    assert saved(workspace) == []
    assert "Traceback" not in term.plain()


def test_ctrl_d_at_a_key_and_at_a_prompt(workspace: Path) -> None:
    term = Terminal(["review", SEED_ID], workspace)
    term.press(b"j")
    term.expect("sentence 2 of 62")
    term.press(b"\x04")
    assert term.finish() == 0
    assert "stopped (Ctrl-D): every decision made so far is saved" in term.plain()
    assert skipped(workspace) == [list(span(1))]

    term = Terminal(["review", SEED_ID], workspace)
    term.expect("sentence 2 of 62")
    term.press(b"/")
    term.expect("quote (words of this sentence; empty: cancel)")
    os.write(term.controller, b"\x04")
    assert term.finish() == 0
    assert "every decision made so far is saved" in term.plain()
    assert saved(workspace) == []


def test_an_unknown_key_on_a_terminal(workspace: Path) -> None:
    term = Terminal(["review", SEED_ID], workspace)
    term.press(b"z")
    term.expect("unknown key z: press ? for the keys")
    term.press(b"\r")  # Enter (the terminal turns it into \n)
    term.expect("unknown key '\\n': press ? for the keys")
    term.press(b"\x1b[3~")  # Delete: one key, however many characters
    term.expect("unknown key '\\x1b[3~': press ? for the keys")
    term.press(b"q")
    assert term.finish() == 0
    assert saved(workspace) == []


def test_a_narrow_terminal_gets_lines_that_fit(workspace: Path) -> None:
    term = Terminal(["review", SEED_ID, "--from", "29"], workspace, columns=24)
    term.press(b"?")
    term.expect("q  quit")
    term.press(b"j")
    term.expect("sentence 30 of 62")
    term.press(b"q")
    assert term.finish() == 0
    screen = term.plain().split("Reviewed kim-putin-vostochny.txt")[0]
    assert all(len(line) <= 23 for line in screen.splitlines()), screen
    assert "Institute" in "".join(screen.split())


def test_no_color_on_a_terminal(workspace: Path) -> None:
    term = Terminal(["review", SEED_ID], workspace, env={"NO_COLOR": "1"})
    term.press(b"p")
    term.expect("sentence 2 of 62")
    term.press(b"k")
    term.expect("yours: speculative whole sentence")
    term.press(b"q")
    assert term.finish() == 0
    assert "\x1b[" not in term.text()


def test_keys_typed_ahead_are_not_lost(workspace: Path) -> None:
    # Three skips and a label pressed at once, faster than the screen is
    # drawn: every one counts (click.getchar would flush the ones typed while
    # a decision was being saved).
    term = Terminal(["review", SEED_ID], workspace)
    term.press(b"jjjp")
    term.expect("sentence 5 of 62 · 4 decided")
    # A quote pasted with its Enter and the label key after it.
    term.press(b"/Tokyo\ro")
    term.expect("saved: opinion")
    term.expect("sentence 6 of 62")
    term.press(b"q")
    assert term.finish() == 0
    assert skipped(workspace) == [list(span(n)) for n in (1, 2, 3)]
    start = SENTENCES[4].start
    assert saved(workspace) == [(*span(4), "speculative"), (start, start + 5, "opinion")]
