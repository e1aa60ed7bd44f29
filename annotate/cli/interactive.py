"""`annotate review`: step through a document sentence by sentence, one key a
decision (issue 11).

The library (api.open_review and its ReviewSession) saves every decision
the moment it is made; this module reads keys, asks for the odd line of
text, and draws the screen (report/interactive.py) on stderr, so stdout
holds only the summary at the end.  On a terminal a key is one key press
(click.getchar); otherwise one key is one line of standard input, and the
prompts of n, l and / read the next line, so a session can be scripted.
Ctrl-C or Ctrl-D at any prompt (or the end of the input) ends the session
with exit 0: there is nothing left to save.
"""

from __future__ import annotations

import codecs
import os
import re
import shutil
import sys
import time
from typing import TYPE_CHECKING, Any

import click

from annotate.cli import options

if TYPE_CHECKING:
    from annotate.api.interactive import ReviewSession, Target
    from annotate.report.interactive import Screen, Summary

# Escape sequences of the arrow keys (xterm, VT100): right and down step on
# like j, left and up go back like k.
# One key's escape sequence: CSI (ESC [ parameters final), SS3 (ESC O x) or
# ESC and one character (Alt+key); each is one key however long.
_SEQUENCE = re.compile(r"\x1b(?:\[[0-9;?]*[@-~]|O.|.)?", re.DOTALL)
ARROWS = {"\x1b[C": "j", "\x1b[B": "j", "\x1bOC": "j", "\x1bOB": "j",
          "\x1b[D": "k", "\x1b[A": "k", "\x1bOD": "k", "\x1bOA": "k"}


class Keys:
    """Keys and lines from the user: key presses on a terminal, else one key a line.

    On a POSIX terminal the session sets the terminal's modes itself
    (termios, standard library) instead of calling click.getchar and
    click.prompt, for two faults of theirs that lose what the user typed:
    click.getchar enters raw mode for each key with TCSAFLUSH, which throws
    away the keys typed while a decision was being saved (j j j pressed
    quickly skipped one sentence, not three); and a Ctrl-C at click.prompt is
    a SIGINT, which CPython misses when it lands just before the read starts
    (the prompt then waits for another key).  Here Ctrl-C is no signal but a
    character, read in its turn: no echo and no line editing while keys are
    read; while a line is asked for, the kernel's own line editing (erase,
    kill, word erase) with Ctrl-C ending the line.  Ctrl-Z and Ctrl-\\ keep
    their signals.  Without termios (Windows) click.getchar and click.prompt
    it is.
    """

    def __init__(self, terminal: bool) -> None:
        self.terminal = terminal
        self.pending: list[str] = []  # keys read together (typed ahead, a paste)
        self._fd = -1
        self._cooked: list[Any] | None = None  # the terminal's own modes, restored at the end
        self._key_mode: list[Any] = []
        self._line_mode: list[Any] = []
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def __enter__(self) -> Keys:
        if not self.terminal:
            return self
        try:
            import termios
        except ImportError:  # pragma: no cover - Windows: click.getchar and click.prompt
            return self
        try:
            fd = sys.stdin.fileno()
            cooked = termios.tcgetattr(fd)
            disabled = bytes([os.fpathconf(fd, "PC_VDISABLE") & 0xFF])
        except (OSError, ValueError, termios.error):
            return self
        self._fd, self._cooked = fd, cooked
        keys = [*cooked[:6], list(cooked[6])]
        keys[3] &= ~(termios.ECHO | termios.ICANON)
        keys[6][termios.VMIN], keys[6][termios.VTIME] = 1, 0
        keys[6][termios.VINTR] = disabled
        line = [*cooked[:6], list(cooked[6])]
        line[3] |= termios.ECHO | termios.ICANON
        line[6][termios.VINTR] = disabled
        line[6][termios.VEOL] = b"\x03"  # Ctrl-C ends the line, to be read as a stop
        self._key_mode, self._line_mode = keys, line
        self._set(keys)
        return self

    def __exit__(self, *_: object) -> None:
        if self._cooked is not None:
            self._set(self._cooked)
            self._cooked = None

    def _set(self, mode: list[Any]) -> None:
        # TCSANOW, not TCSAFLUSH: what was typed ahead stays to be read.
        import termios

        termios.tcsetattr(self._fd, termios.TCSANOW, mode)

    def key(self) -> str:
        """The next key; KeyboardInterrupt for Ctrl-C, EOFError for Ctrl-D or no more input."""
        if not self.terminal:
            line = sys.stdin.readline()
            if not line:
                raise EOFError
            raw = line.rstrip("\r\n")
            return " " if raw and not raw.strip() else raw.strip()
        while not self.pending:
            self.pending = _keys(self._read() if self._cooked is not None
                                 else click.getchar())
        return self.pending.pop(0)

    def _read(self) -> str:
        """What the terminal has: at least one key, perhaps several typed ahead."""
        while True:
            data = os.read(self._fd, 256)
            if not data:
                raise EOFError
            text = self._decoder.decode(data)
            if text:  # else half a UTF-8 character: read the rest
                return text

    def line(self, prompt: str) -> str:
        """One line of text (a note, a URL, a quote), stripped; Ctrl-C/Ctrl-D
        end the session as at a key."""
        from annotate.report.terminal import escape

        prompt = escape(prompt)  # it may quote the user's annotation
        if not self.terminal:
            click.echo(f"{prompt}: ", err=True, nl=False)
            line = sys.stdin.readline()
            if not line:
                raise EOFError
            answer = line.rstrip("\r\n")
            click.echo(escape(answer), err=True)  # the transcript shows what was read
            return answer.strip()
        if self._cooked is None:  # pragma: no cover - no termios (Windows)
            self.pending.clear()
            answer = click.prompt(prompt, default="", show_default=False, err=True)
            return answer.strip()
        # Keys typed ahead of the prompt (a paste) begin the line.
        ahead = "".join(self.pending)
        self.pending.clear()
        typed, newline, rest = ahead.partition("\n")
        if newline:
            click.echo(f"{prompt}: {escape(typed)}", err=True)
            self.pending = _keys(rest)
            return typed.strip()
        # Line mode before the prompt shows: what is typed once it shows is edited
        # as a line.  Bytes that came before are handed over as a line of their own.
        self._set(self._line_mode)
        try:
            click.echo(f"{prompt}: {escape(typed)}", err=True, nl=False)
            data = b""
            while not data.endswith(b"\n"):
                chunk = os.read(self._fd, 1024)
                if b"\x03" in chunk:
                    raise KeyboardInterrupt
                if not chunk or (chunk.startswith(b"\x04") and not data):
                    if data or typed:  # Ctrl-D after some text ends the line, as input() does
                        break
                    raise EOFError
                data += chunk.replace(b"\x04", b"")
        finally:
            self._set(self._key_mode)
        return (typed + data.decode("utf-8", "replace")).strip()


def _keys(read: str) -> list[str]:
    """The keys in what one read of the terminal returned: an escape sequence
    is one key (the arrows stand for j and k), anything else one key a
    character; Ctrl-C and Ctrl-D (which arrive as characters when the
    terminal does not turn them into signals) stop the session."""
    keys: list[str] = []
    rest = read
    while rest:
        if rest.startswith("\x1b"):
            found = _SEQUENCE.match(rest)
            sequence = found.group() if found else rest[:1]
            keys.append(ARROWS.get(sequence, sequence))  # another key: one unknown key
            rest = rest[len(sequence):]
            continue
        char, rest = rest[0], rest[1:]
        if char == "\x03":
            raise KeyboardInterrupt
        if char == "\x04":
            raise EOFError
        keys.append(char)
    return keys


def terminal_width() -> int:
    """The columns of the terminal the screen goes to (stderr), else $COLUMNS or 80."""
    try:
        return os.get_terminal_size(sys.stderr.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return shutil.get_terminal_size((80, 24)).columns


class Loop:
    """One review session on the command line: what each key does."""

    def __init__(self, session: ReviewSession, order: list[int], only_candidates: bool,
                 keys: Keys, color: bool) -> None:
        from annotate.keymap import label_keys

        self.session = session
        self.order = order
        self.only_candidates = only_candidates
        self.keys = keys
        self.color = color
        self.label_keys = label_keys(session.labels)

    # -- output --------------------------------------------------------------

    def screen(self) -> Screen:
        from annotate.report.interactive import MIN_WIDTH, Screen

        return Screen(max(terminal_width() - 1, MIN_WIDTH), self.color)

    def say(self, message: str) -> None:
        """A message of the session, escaped, wrapped (stderr)."""
        from annotate.report.interactive import paragraph

        lines = paragraph(message, self.screen(), "  ")
        click.echo("\n".join(lines), err=True, color=self.color)

    def draw(self, index: int) -> None:
        from annotate.report.interactive import sentence_screen

        number = self.order[index]
        total = len(self.session.sentences)
        position = f"sentence {number} of {total}"
        if self.only_candidates:
            position += f" · candidate {index + 1} of {len(self.order)}"
        decided = len(self.session.decided([s.number for s in self.session.sentences]))
        position += f" · {decided} decided"
        click.echo(sentence_screen(self.session.view(number), self.session.workspace.project,
                                   self.screen(), position=position, keys=self.label_keys),
                   err=True, nl=False, color=self.color)

    def read_key(self) -> str:
        from annotate.keymap import key_name
        from annotate.report.terminal import escape

        click.echo("> ", err=True, nl=False)
        key = self.keys.key()
        shown = key_name(key) if len(key) == 1 and key.isprintable() else repr(key)
        click.echo(escape(shown), err=True)
        return key

    # -- the loop ----------------------------------------------------------------

    def run(self, index: int) -> str:
        """Step from order[index] until the end, q, Ctrl-C or Ctrl-D; how it stopped."""
        from annotate.errors import AnnotateError, DocumentChangedError

        redraw = True
        try:
            while 0 <= index < len(self.order):
                if redraw:
                    self.draw(index)
                key = self.read_key()
                if key == "q":
                    return "quit"
                try:
                    index, redraw = self.act(key, index)
                except DocumentChangedError:
                    raise
                except AnnotateError as error:
                    # A decision the rule book refused: nothing was saved; say
                    # why and stay on the sentence.
                    self.say(f"not saved: {error}")
                    redraw = False
        except (KeyboardInterrupt, click.Abort):
            click.echo("", err=True)
            self.say("interrupted: every decision made so far is saved")
            return "interrupted"
        except EOFError:
            click.echo("", err=True)
            self.say("stopped at the end of the input: every decision made so far is saved"
                     if not self.keys.terminal else
                     "stopped (Ctrl-D): every decision made so far is saved")
            return "end-of-input"
        self.say("that was the last candidate" if self.only_candidates
                 else "that was the last sentence")
        return "end"

    def act(self, key: str, index: int) -> tuple[int, bool]:
        """Do what the key says on order[index]; the next index and whether to redraw."""
        from annotate.report.interactive import help_screen, unknown_key

        number = self.order[index]
        if key in self.label_keys:
            return (index + 1, True) if self.label(number, self.label_keys[key]) \
                else (index, False)
        if key in ("j", " "):
            self.session.skip(number)
            return index + 1, True
        if key == "k":
            if index == 0:
                self.say("this is the first " + ("candidate" if self.only_candidates
                                                 else "sentence"))
                return index, False
            return index - 1, True
        if key == "x":
            skipped = self.session.view(number).skipped
            removed = self.session.remove(number)
            done = [f"removed {len(removed)} annotation{'' if len(removed) == 1 else 's'}"
                    ] if removed else []
            if skipped:
                done.append("forgot the skip")
            self.say(f"{' and '.join(done) or 'nothing of yours here'}; the sentence is "
                     "undecided")
            return index, True
        if key == "n":
            return index, self.details(number, note=True)
        if key == "l":
            return index, self.details(number, note=False)
        if key == "/":
            return self.quote(number, index)
        if key == "?":
            click.echo(help_screen(self.session.labels, self.label_keys, self.screen()),
                       err=True, nl=False, color=self.color)
            return index, False
        self.say(unknown_key(key))
        return index, False

    def label(self, number: int, label: str, target: Target | None = None) -> bool:
        """Label the sentence (or the target); True when something now carries it."""
        if target is None:
            target = self.session.target(number)
        if target.existing is not None and target.existing.label == label:
            self.say(f"already {label}")
            return True
        source = None
        if self.session.needs_source(target, label):
            source = self.keys.line(f"{label} needs a source URL (empty: cancel)")
            if not source:
                self.say(f"nothing saved: {label} needs a source")
                return False
        made = self.session.label(target, label, source)
        what = "relabelled" if target.existing is not None else "saved"
        self.say(f"{what}: {label} ({made.id})")
        return True

    def details(self, number: int, *, note: bool) -> bool:
        """n and l: a note or a source on the reviewer's annotation of the sentence."""
        from annotate.report.listing import one_line

        found = self.session.annotation_for_details(number)
        if found is None:
            self.say("you have no annotation on this sentence: label it first (k goes "
                     "back to the one you just labelled)")
            return False
        quote = one_line(found.quote, 40)
        if note:
            text = self.keys.line(f"note for {found.label} “{quote}” (empty: keep)")
            if not text:
                self.say("note unchanged")
                return False
            self.session.note(number, text)
            self.say("note saved")
        else:
            url = self.keys.line(f"source URL for {found.label} “{quote}” (empty: cancel)")
            if not url:
                self.say("no source added")
                return False
            self.session.add_source(number, url)
            self.say("source added")
        return True

    def quote(self, number: int, index: int) -> tuple[int, bool]:
        """/: a quote typed within the sentence, then a label key for it."""
        from annotate.keymap import key_name

        typed = self.keys.line("quote (words of this sentence; empty: cancel)")
        if not typed:
            self.say("no quote: nothing marked")
            return index, False
        target = self.session.target(number, typed)
        if target.note:
            self.say(target.note)
        self.say("label key for “" + typed + "”: " + ", ".join(
            f"{key_name(k)} {name}" for k, name in self.label_keys.items()))
        key = self.read_key()
        if key not in self.label_keys:
            self.say("not a label key: nothing marked")
            return index, False
        return (index + 1, True) if self.label(number, self.label_keys[key], target) \
            else (index, False)


@click.command(short_help="Step through DOC sentence by sentence, one key a decision.")
@click.argument("doc")
@options.reviewer()
@click.option("--only-candidates", is_flag=True,
              help="Step through the claim candidates only (numbers, attributions, hedges, "
                   "comparisons: see `annotate sentences DOC --candidates`).")
@click.option("--from", "from_", type=click.IntRange(min=1), metavar="N",
              help="Start at sentence N (default: the first you have not decided).")
@options.output_format("annotate.report.interactive", default="text",
                       help_text="The summary printed at the end (stdout).")
@options.workspace()
@click.pass_context
def review(ctx: click.Context, doc: str, reviewer: str | None, only_candidates: bool,
           from_: int | None, output: str) -> None:
    """Step through DOC sentence by sentence and decide each with one key.

    Each sentence is shown with the one before and after (dimmed), your
    spans on it and other reviewers' (dimmed, by name), and why it is a
    claim candidate.  A label's key labels the whole sentence (defaults:
    s sourced, u unsourced, d disputed, p speculative, o opinion; the
    project file may set `key` per label); / first narrows it to a quote
    you type; n sets a note and l adds a source URL on your annotation of
    the sentence; j or space skips, k goes back, x removes your annotations
    on the sentence, ? shows every key, q quits.  Every decision is saved
    at once, as `add`, `edit` and `rm` save it; skips are kept per reviewer
    and document version in annotations/DOC/REVIEWER.progress.json, and the
    next run starts at the first sentence you have not decided.

    Without a terminal, each line of standard input is one key and the
    prompts of n, l and / read the next line.  The screen goes to stderr;
    stdout gets the summary (--format json for programs).  Ctrl-C or Ctrl-D
    stops at any prompt (exit 0).  See docs/review.md.

    \b
    Examples:
      annotate review kim-putin-vostochny.txt --only-candidates
      printf 'j\\nj\\np\\nq\\n' | annotate review kim-putin-vostochny.txt
    """
    from annotate import api
    from annotate.report.interactive import RENDERERS, changed_notice
    from annotate.report.terminal import use_color

    began = time.monotonic()
    session = api.open_review(options.open_workspace(ctx), doc, reviewer=reviewer,
                              notify=options.notify)
    order = session.order(only_candidates)
    total = len(session.sentences)
    if from_ is not None and total and from_ > total:
        raise click.BadParameter(f"{session.document.id} has {total} sentence"
                                 f"{'' if total == 1 else 's'}", param_hint="'--from'")
    keys = Keys(sys.stdin.isatty())
    loop = Loop(session, order, only_candidates, keys, use_color(sys.stderr))
    if session.changed is not None:
        options.notify(changed_notice(session.document.id, session.changed))
    index, why_not = _start(session, order, only_candidates, from_)
    stopped = "nothing-to-review"
    error = None
    if index is None:
        options.notify(why_not)
    else:
        loop.say(f"Reviewing {session.document.id} as {session.reviewer}: {total} sentences, "
                 f"{len(session.decided(order))} of {len(order)} "
                 f"{'candidates' if only_candidates else 'sentences'} decided; "
                 "? shows the keys, q quits.")
        from annotate.errors import DocumentChangedError

        try:
            with keys:
                stopped = loop.run(index)
        except DocumentChangedError as changed:
            stopped, error = "document-changed", changed
    options.emit(RENDERERS[output](_summary(session, order, only_candidates, stopped,
                                            time.monotonic() - began)), output)
    if error is not None:
        raise error


def _start(session: ReviewSession, order: list[int], only_candidates: bool,
           from_: int | None) -> tuple[int | None, str]:
    """Where in the order to begin, or None and why there is nothing to step through."""
    doc = session.document.id
    if not session.sentences:
        return None, f"{doc} has no sentences (it is empty or only white space): nothing " \
            "to review"
    if not order:
        return None, (f"{doc} has no claim candidates (no numbers, attributions, hedges or "
                      f"comparisons); run without --only-candidates to step through all "
                      f"{len(session.sentences)} sentences")
    if from_ is not None:
        at = next((i for i, number in enumerate(order) if number >= from_), None)
        if at is None:
            return None, f"no claim candidate at or after sentence {from_} of {doc}"
        return at, ""
    first = session.first_undecided(order)
    if first is None:
        what = "claim candidate" if only_candidates else "sentence"
        return None, (f"you have decided every {what} of {doc} (labelled or skipped); "
                      "--from N goes over them again")
    return order.index(first), ""


def _summary(session: ReviewSession, order: list[int], only_candidates: bool, stopped: str,
             seconds: float) -> Summary:
    from annotate.report.interactive import Summary

    return Summary(session.document.id, session.document.sha256, session.reviewer,
                   len(session.sentences), len(order), only_candidates,
                   len(session.decided([s.number for s in session.sentences])),
                   session.first_undecided(order), session.tally, seconds, stopped)


COMMANDS = (review,)
