"""`annotate review`: the screen (a sentence in context, its spans, the
keys) and the summary at the end.

The screen goes to stderr and is drawn for a width in columns: every line is
wrapped to it (a word wider than the terminal is cut, never the program), user
text is escaped (terminal.escape) before it is measured, and colour is used
only when asked for (a terminal without NO_COLOR).  The summary is the
command's data, on stdout: text, or JSON (schemas/review-summary.schema.json)
through ``RENDERERS``.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from annotate.keymap import key_name
from annotate.model import Annotation, Label, Project
from annotate.report.listing import one_line, to_json
from annotate.report.terminal import RESET, background, escape, foreground
from annotate.suggest import shell_word

if TYPE_CHECKING:
    from annotate.api.interactive import Changed, SentenceView, Tally

DIM = "\x1b[2m"
BOLD = "\x1b[1m"
# The narrowest layout drawn; a narrower terminal wraps our lines itself.
MIN_WIDTH = 16
CONTEXT_CHARACTERS = 160  # of the sentence before and after

COMMAND_HELP = (("/", "mark a quote of the sentence, then press a label key"),
                ("n", "note on your annotation of the sentence"),
                ("l", "add a source URL to your annotation of the sentence"),
                ("j", "skip (space too): read, nothing to mark"),
                ("k", "back to the sentence before"),
                ("x", "remove your annotations on the sentence (and a skip)"),
                ("?", "this help"),
                ("q", "quit (every decision is already saved)"))


@dataclass(frozen=True)
class Screen:
    """How to draw: the width in columns and whether to use colour."""

    width: int
    color: bool

    def paint(self, style: str, text: str) -> str:
        """text in a style (an escape sequence), or as it is without colour."""
        return f"{style}{text}{RESET}" if self.color and text else text


# -- wrapping by display width, keeping offsets ------------------------------------


def cell_width(char: str) -> int:
    """Columns a character takes once escaped: 2 for wide East Asian ones, 0 for
    combining marks, the length of its escape for a control."""
    shown = escape(char)
    if shown != char:
        return len(shown)
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def wrap(text: str, width: int) -> list[tuple[int, int]]:
    """(start, end) of each line of text wrapped at white space to ``width``
    columns; a word wider than that is cut.  Spaces at a break are dropped."""
    width = max(width, 1)
    lines: list[tuple[int, int]] = []
    start = 0
    size = len(text)
    while start < size and text[start].isspace():
        start += 1
    while start < size:
        columns, end, last_space = 0, start, -1
        while end < size:
            w = cell_width(text[end])
            if columns + w > width and end > start:
                break
            if text[end].isspace():
                last_space = end
            columns += w
            end += 1
        if end < size and not text[end].isspace() and last_space > start:
            end = last_space  # break at the last space, not inside a word
        stop = end
        while stop > start and text[stop - 1].isspace():
            stop -= 1
        if stop > start:
            lines.append((start, stop))
        start = end
        while start < size and text[start].isspace():
            start += 1
    return lines


def paragraph(text: str, screen: Screen, indent: str = "", style: str = "",
              marks: Sequence[tuple[int, int, str]] = ()) -> list[str]:
    """text wrapped to the screen after ``indent``, escaped, in ``style``;
    ``marks`` paint (start, end) of text with a style of their own (colour only)."""
    text = " ".join(text.split("\n"))
    lines: list[str] = []
    continued = " " * len(indent)
    for start, end in wrap(text, screen.width - len(indent)):
        cuts = sorted({start, end, *(max(start, min(end, x)) for s, e, _ in marks
                                     for x in (s, e))})
        pieces = []
        for lo, hi in itertools.pairwise(cuts):
            piece = escape(text[lo:hi])
            paint = next((p for s, e, p in reversed(marks) if s <= lo and hi <= e), style)
            pieces.append(screen.paint(paint, piece) if paint else piece)
        lines.append((continued if lines else indent) + "".join(pieces))
    return lines


# -- the screen ------------------------------------------------------------------


def label_color(project: Project, name: str) -> str:
    label = project.label(name)
    return label.color if label else "#808080"


def _label(project: Project, name: str, screen: Screen) -> str:
    return screen.paint(foreground(label_color(project, name)), escape(name))


def _clip_start(text: str, limit: int) -> str:
    """The end of text, at most limit characters (the sentence before)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else "…" + text[-(limit - 1):]


def describe_span(annotation: Annotation, view: SentenceView, limit: int = 80) -> str:
    """"whole sentence", or the quote (clipped, escaped)."""
    if (annotation.start, annotation.end) == (view.sentence.start, view.sentence.end):
        return "whole sentence"
    return f"“{escape(one_line(annotation.quote, limit))}”"


def sentence_screen(view: SentenceView, project: Project, screen: Screen, *,
                    position: str, keys: Mapping[str, str]) -> str:
    """The sentence, dimmed neighbours, its state and spans, and the keys."""
    out = ["", *paragraph(position, screen, style=BOLD)]
    if view.before is not None:
        out += paragraph(_clip_start(view.before.text, CONTEXT_CHARACTERS), screen, "  ", DIM)
    offset = view.sentence.start
    marks = [(a.start - offset, a.end - offset, background(label_color(project, a.label)))
             for a in view.mine]
    out += paragraph(view.sentence.text, screen, "» ", BOLD, marks=marks)
    if view.after is not None:
        out += paragraph(one_line(view.after.text, CONTEXT_CHARACTERS), screen, "  ", DIM)
    if view.reasons:
        why = ", ".join(f"{r.kind} “{r.cue}”" for r in view.reasons)
        out += paragraph(f"candidate: {why}", screen, "  ")
    if view.skipped:
        out += paragraph("you skipped this sentence (a label key labels it; x forgets "
                         "the skip)", screen, "  ")
    for a in view.mine:
        details = []
        if a.note:
            details.append(f"note: {escape(one_line(a.note, 80))}")
        details += [f"source: {escape(url)}" for url in a.sources]
        line = f"yours: {a.label} {describe_span(a, view)}"
        out += _styled(paragraph(" · ".join([line, *details]), screen, "  "),
                       a.label, project, screen)
    for a in view.others:
        out += paragraph(f"{a.reviewer}: {a.label} {describe_span(a, view)}", screen, "  ",
                         DIM)
    out += paragraph(key_line(keys), screen, style=DIM)
    return "\n".join(out) + "\n"


def _styled(lines: list[str], label: str, project: Project, screen: Screen) -> list[str]:
    """The label's name in the first line painted in its colour."""
    if not screen.color or not lines:
        return lines
    shown = escape(label)
    first = lines[0].replace(f"yours: {shown}", f"yours: {_label(project, label, screen)}", 1)
    return [first, *lines[1:]]


def key_line(keys: Mapping[str, str]) -> str:
    """The keys in one short line: the label keys, then the commonest commands."""
    labels = "  ".join(f"{key} {name}" for key, name in keys.items())
    return f"{labels}  · j skip  k back  / quote  n note  l source  x remove  ? help  q quit"


def help_screen(labels: Sequence[Label], keys: Mapping[str, str], screen: Screen) -> str:
    """Every key and what it does; labels without a key are named too."""
    out = ["", *paragraph("Label keys (label the whole sentence; after / only the quote):",
                          screen, style=BOLD)]
    by_name = {name: key for key, name in keys.items()}
    for label in labels:
        key = by_name.get(label.name)
        lead = f"{key}  " if key else "(no key: more labels than free keys)  "
        need = " Asks for a source URL." if label.requires_source else ""
        out += paragraph(f"{lead}{label.name}: {label.description}{need}", screen, "  ")
    out += paragraph("Commands:", screen, style=BOLD)
    for key, text in COMMAND_HELP:
        out += paragraph(f"{key_name(key)}  {text}", screen, "  ")
    out += paragraph("Ctrl-C or Ctrl-D stops at any prompt; every decision is saved as it is "
                     "made.", screen, "  ")
    return "\n".join(out) + "\n"


def changed_notice(document: str, changed: Changed) -> str:
    """Why the document is not as the reviewer last saw it, and what to do."""
    parts = [f"{document} changed since your last review session"]
    if changed.last_version is not None:
        parts[0] += (f" (your skips were on version {changed.last_version[:12]}, "
                     f"{changed.last_decided}); those skips no longer count")
    if changed.stale:
        were = "was" if changed.stale == 1 else "were"
        parts.append(f"{changed.stale} of your annotations {were} made on another version "
                     "and may no longer be where they were: run "
                     f"'annotate reanchor {shell_word(document)}' to move them onto the current "
                     "text")
    parts.append("continuing on the current text")
    return "; ".join(parts)


def unknown_key(key: str) -> str:
    """The hint for a key that means nothing."""
    if not key:
        return "no key given (one key a line when scripted); press ? for help"
    shown = escape(key) if len(key) == 1 and key.isprintable() else escape(repr(key))
    return f"unknown key {shown}: press ? for the keys"


# -- the summary (stdout) ---------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """What the session did, for the summary at the end."""

    document: str
    document_sha256: str
    reviewer: str
    sentences: int  # in the document
    stepped: int  # in the order stepped through (all, or the candidates)
    only_candidates: bool
    decided: int  # of the document's sentences, at the end
    undecided_next: int | None  # the first undecided sentence of the order, if any
    tally: Tally
    seconds: float
    stopped: str  # quit, end, interrupted, end-of-input, nothing-to-review, ...

    def to_json(self) -> dict[str, Any]:
        """The JSON of schemas/review-summary.schema.json."""
        return {"document": self.document, "document_sha256": self.document_sha256,
                "reviewer": self.reviewer, "sentences": self.sentences,
                "stepped": self.stepped, "only_candidates": self.only_candidates,
                "decided": self.decided, "next_undecided": self.undecided_next,
                "labelled": dict(sorted(self.tally.labelled.items())),
                "skipped": self.tally.skipped, "removed": self.tally.removed,
                "notes": self.tally.notes, "sources": self.tally.sources,
                "seconds": round(self.seconds, 3), "stopped": self.stopped}


def duration(seconds: float) -> str:
    """4 s, 2 min 5 s, 1 h 3 min."""
    whole = int(seconds + 0.5)
    if whole < 60:
        return f"{whole} s"
    minutes, rest = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {rest} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def _counts(pairs: Iterable[tuple[str, int]]) -> str:
    return ", ".join(f"{escape(name)} {count}" for name, count in pairs)


def summary_text(summary: Summary) -> str:
    """A few lines: what was decided, how far the document is, how to go on."""
    t = summary.tally
    labelled = sum(t.labelled.values())
    what = f"{labelled} labelled"
    if labelled:
        what += f" ({_counts(sorted(t.labelled.items()))})"
    what += f", {t.skipped} skipped, {t.removed} removed"
    if t.notes or t.sources:
        what += f", {t.notes} notes, {t.sources} sources added"
    lines = [f"Reviewed {escape(summary.document)} as {escape(summary.reviewer)} in "
             f"{duration(summary.seconds)}: {what}.",
             f"{summary.decided} of {summary.sentences} sentences decided."]
    if summary.undecided_next is not None:
        flag = " --only-candidates" if summary.only_candidates else ""
        lines.append(f"Next undecided: sentence {summary.undecided_next}; go on with "
                     f"'annotate review {escape(shell_word(summary.document))}{flag}'.")
    elif summary.stepped:
        lines.append("Every sentence stepped through is decided; 'annotate finish "
                     f"{escape(summary.document)}' records that you are done.")
    return "\n".join(lines) + "\n"


def summary_json(summary: Summary) -> str:
    """The summary as JSON (schemas/review-summary.schema.json)."""
    return to_json(summary.to_json())


RENDERERS: Mapping[str, Callable[[Summary], str]] = MappingProxyType({
    "text": summary_text,
    "json": summary_json,
})
