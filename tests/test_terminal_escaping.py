"""User text never drives the terminal (issue 8, item 13): quotes, notes,
tags, document text and file names holding escape sequences, BEL or bidi
overrides are printed escaped by every text renderer, on a pipe and on a
pseudo-terminal; JSON carries them as data, with every control a \\u escape.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotate.anchoring.reanchor import Reanchored
from annotate.api import DocumentInfo, ReanchorReport
from annotate.model import Annotation, Document, Finding, Label, Project, Sentence
from annotate.report import documents, findings, listing, reanchor, record, sentences, show
from annotate.report.terminal import escape
from tests.conftest import SEED, SEED_ID, installed_annotate
from tests.test_terminal import on_terminal

CLEAR = "\x1b[2J"
TITLE = "\x1b]0;owned\x07"  # OSC 0: the window title, ended by BEL
LINK = "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\"  # OSC 8 hyperlink
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE (Trojan Source)
CSI_C1 = "\x9b2J"  # the one-byte CSI of C1
HOSTILE = f"a{CLEAR}b{TITLE}c{LINK}d{RLO}e\x07f{CSI_C1}\x7fg"

# What must never reach a terminal raw from user text.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# The only escape sequences annotate writes itself: its colours (terminal.py)
# and, on a terminal, the cursor hidden and shown by validate's progress bar.
OURS = re.compile(r"\x1b\[(?:0|1;38;2;\d+;\d+;\d+|48;2;\d+;\d+;\d+|30|97)m|\x1b\[\?25[lh]")
PROJECT = Project("desk", "corpus", "annotations",
                  (Label("opinion", "An opinion.", "#9467bd"),), ("false",))


def assert_harmless(output: str) -> None:
    """No control character but line breaks and tabs, no bidi control, no escape
    sequence but our own: nothing from user text that the terminal would act on."""
    plain = OURS.sub("", output).replace("\r\n", "\n")
    assert not RAW.search(plain), ascii(RAW.search(plain))


# --- the one escaping function --------------------------------------------------------


@pytest.mark.parametrize(("text", "shown"), [
    ("plain text, café, 😀", "plain text, café, 😀"),
    ("\x1b[2J", "\\x1b[2J"),
    ("\x07", "\\x07"),
    ("a\nb\r\n", "a\\nb\\r\\n"),
    ("tab\tkept", "tab\tkept"),
    ("\x7f\x85\x9b", "\\x7f\\x85\\x9b"),
    ("\u202eevil\u202c", "<U+202E>evil<U+202C>"),
    ("\u2066\u2069\u200f\u061c", "<U+2066><U+2069><U+200F><U+061C>"),
    ("bad \udcff", "bad \\udcff"),
    ("\ufeffWhat", "<U+FEFF>What"),  # a byte order mark a diff would show as nothing
])
def test_escape_makes_controls_visible(text: str, shown: str) -> None:
    assert escape(text) == shown


def test_escape_keeps_only_what_it_is_told() -> None:
    assert escape("a\nb\rc", keep="\n") == "a\nb\\rc"


@given(st.text())
def test_escape_output_is_harmless_and_utf8(text: str) -> None:
    shown = escape(text)
    assert_harmless(shown)
    shown.encode("utf-8")
    assert escape(text, keep="\n").count("\n") == text.count("\n")


# --- every text renderer ---------------------------------------------------------------

def hostile_annotation(document: Document, start: int, end: int, **changes: object
                       ) -> Annotation:
    base = Annotation(
        id="06h2e4hayr000000", document=document.id, document_sha256=document.sha256,
        start=start, end=end, quote=document.text[start:end], prefix="", suffix="",
        label="opinion", reviewer="alice", note=f"note {HOSTILE}",
        sources=(f"https://x.example/{RLO}",), created="2026-01-01T00:00:00Z",
        modified="2026-01-01T00:00:00Z", verdict="false", tags=(f"tag{TITLE}",))
    return base.replace(**changes)


@pytest.fixture
def hostile_document() -> Document:
    return Document(f"name{CLEAR}{RLO}.txt", f"Start {HOSTILE} middle.\r\nNext {TITLE} line.\n",
                    "0" * 64)


@pytest.mark.parametrize("color", [False, True])
def test_show_and_list_escape_every_field(hostile_document: Document, color: bool) -> None:
    text = hostile_document.text
    annotations = [
        hostile_annotation(hostile_document, 0, text.index("middle")),
        hostile_annotation(hostile_document, 6, len(text) - 1, id="06h2e4hayr000001"),
        hostile_annotation(hostile_document, 2, 9, id="06h2e4hayr000002", orphaned=True,
                           quote=f"gone {CLEAR}"),
    ]
    for output in (show.render_show(hostile_document, annotations, PROJECT, color),
                   listing.annotations_table(annotations, PROJECT, color)):
        assert_harmless(output)
        assert "\\x1b[2J" in output and "<U+202E>" in output
    shown = show.render_show(hostile_document, annotations, PROJECT, False)
    # The article keeps its own line breaks, CRLF included; only they are kept.
    assert "middle.\r\nNext \\x1b]0;owned\\x07 line. 2]\n" in shown


def test_sentences_documents_records_and_findings_escape(hostile_document: Document) -> None:
    outputs = [
        sentences.sentences_text([Sentence(1, 0, 9, HOSTILE, 1, 1)]),
        documents.documents_table([DocumentInfo(hostile_document.id, "0" * 64, 10, 1,
                                                (f"bob{RLO}",))]),
        record.record_id(hostile_annotation(hostile_document, 0, 5)),
        record.removal_question(hostile_annotation(hostile_document, 0, 40)),
        findings.render_text([Finding(f"annotations/{RLO}x.jsonl", 1, 1, "AN201", "error",
                                      HOSTILE)],
                             findings.summarize([], files_checked=1, annotations_checked=1)),
    ]
    for output in outputs:
        assert_harmless(output)
    assert "<U+202E>" in outputs[1] and "\\x1b]0;owned\\x07" in outputs[0]


def test_reanchor_text_escapes_names_and_quotes(hostile_document: Document) -> None:
    before = hostile_annotation(hostile_document, 0, 20)
    fuzzy = before.replace(quote=before.quote + f" {TITLE}", previous_quote=before.quote)
    orphan = before.replace(orphaned=True)
    report = ReanchorReport([Reanchored(fuzzy, "fuzzy", 0.9),
                             Reanchored(orphan, "orphaned", 0.1)],
                            up_to_date=0, documents=1, orphans_remaining=1, written=True)
    output = reanchor.render_text(report)
    assert_harmless(output)
    assert "{+ \\x1b]0;owned\\x07+}" in output


def test_json_is_data_with_every_control_as_a_unicode_escape(
        hostile_document: Document) -> None:
    annotation = hostile_annotation(hostile_document, 0, 20)
    outputs = [listing.annotations_json([annotation]), listing.annotations_jsonl([annotation]),
               show.show_json(hostile_document, [annotation]),
               record.record_json(annotation),
               documents.documents_json([DocumentInfo(HOSTILE, "0" * 64, 1, 1, ())]),
               sentences.sentences_json([Sentence(1, 0, 9, HOSTILE, 1, 1)])]
    for output in outputs:
        # Line breaks of the layout only; bidi characters are legal data in JSON.
        assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", output), ascii(output)
        assert "\\u001b[2J" in output and "\\u009b2J" in output and "\\u007f" in output
    assert json.loads(outputs[0]) == [annotation.to_record()]
    assert json.loads(outputs[1]) == annotation.to_record()
    assert json.loads(outputs[4])[0]["id"] == HOSTILE
    assert RLO in outputs[0]


def test_csv_is_data_left_as_it_is(hostile_document: Document) -> None:
    annotation = hostile_annotation(hostile_document, 0, 20)
    assert HOSTILE in listing.annotations_csv([annotation])


# --- through the installed console script ----------------------------------------------

NAME = f"n{CLEAR}ame{RLO}.txt"
QUOTE_WITH_TITLE = f"heads of {TITLE}state"


def annotate(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ANNOTATE_REVIEWER": "alice", "LC_ALL": "C.UTF-8"}
    return subprocess.run([installed_annotate(), *args], cwd=cwd, capture_output=True,
                          text=True, env=env, timeout=60, check=False,
                          stdin=subprocess.DEVNULL)


@pytest.fixture
def hostile_desk(tmp_path: Path) -> tuple[Path, str]:
    """A workspace with a hostile document name, text, quote, note and tag."""
    assert annotate("init", "desk", cwd=tmp_path).returncode == 0
    desk = tmp_path / "desk"
    text = SEED.read_text(encoding="utf-8").replace("heads of state",
                                                    f"heads of {TITLE}state", 1)
    text = text.replace("Kim Jong Un", f"Kim {LINK} Jong{RLO} Un", 1)
    (desk / "corpus" / SEED_ID).write_text(text, encoding="utf-8")
    shutil.copyfile(desk / "corpus" / SEED_ID, desk / "corpus" / NAME)
    added = annotate("add", SEED_ID, "--label", "opinion", "--quote", QUOTE_WITH_TITLE,
                     "--note", f"see {CLEAR}{RLO} this\x07", "--tag", f"t{TITLE}", cwd=desk)
    assert added.returncode == 0, added.stderr
    assert annotate("add", NAME, "--label", "opinion", "--quote", "heads of",
                    cwd=desk).returncode == 0
    return desk, added.stdout.strip()


def hostile_commands(identifier: str) -> list[list[str]]:
    """Commands in text formats: nothing the terminal acts on, bidi included."""
    return [["list"], ["show", SEED_ID], ["show", NAME], ["sentences", SEED_ID],
            ["documents"], ["reanchor", "--dry-run"],
            ["edit", identifier, "--note", f"again {TITLE}"], ["validate", "--no-cache"]]


JSON_COMMANDS = [["list", "--format", "json"], ["list", "--format", "jsonl"],
                 ["show", SEED_ID, "--format", "json"], ["documents", "--format", "json"],
                 ["sentences", SEED_ID, "--format", "json"]]


def assert_json_data(output: str) -> None:
    """JSON: no control character outside the layout's line breaks (bidi is data)."""
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", output.replace("\r\n", "\n"))


def test_hostile_text_reaches_a_pipe_escaped(hostile_desk: tuple[Path, str]) -> None:
    desk, identifier = hostile_desk
    for args in hostile_commands(identifier):
        result = annotate(*args, cwd=desk)
        assert result.returncode == 0, (args, result.stderr)
        assert_harmless(result.stdout)
        assert_harmless(result.stderr)
    for args in JSON_COMMANDS:
        result = annotate(*args, cwd=desk)
        assert result.returncode == 0, (args, result.stderr)
        assert_json_data(result.stdout)
        assert "\\u001b" in result.stdout
    shown = annotate("show", SEED_ID, cwd=desk).stdout
    assert "[1 heads of \\x1b]0;owned\\x07state 1]" in shown
    assert "note: again \\x1b]0;owned\\x07" in shown
    listed = annotate("list", cwd=desk).stdout
    assert "n\\x1b[2Jame<U+202E>.txt" in listed
    # An edit inside the quote: the fuzzy line shows the change, escaped.
    path = desk / "corpus" / SEED_ID
    path.write_text(path.read_text(encoding="utf-8").replace(
        f"heads of {TITLE}state", f"heads of {TITLE.replace('owned', 'pwned')}state"),
        encoding="utf-8")
    result = annotate("reanchor", "--dry-run", cwd=desk)
    assert_harmless(result.stdout)
    assert "“heads of \\x1b]0;[-owned-]{+pwned+}\\x07state”" in result.stdout


def test_hostile_text_reaches_a_terminal_escaped(hostile_desk: tuple[Path, str]) -> None:
    desk, identifier = hostile_desk
    for args in hostile_commands(identifier):
        code, shown = on_terminal(args, desk)
        assert code == 0, (args, shown)
        # The terminal writes CRLF for LF, and the progress bar returns the
        # carriage: CR is checked on the pipe above, not here.
        assert_harmless(shown.replace("\r", ""))
    for args in JSON_COMMANDS:
        code, shown = on_terminal(args, desk)
        assert code == 0, (args, shown)
        assert_json_data(shown)
    code, shown = on_terminal(["show", SEED_ID], desk)
    assert "\x1b[48;2;" in shown  # coloured, and still harmless above


def test_the_question_of_rm_is_escaped_on_a_terminal(hostile_desk: tuple[Path, str]) -> None:
    desk, identifier = hostile_desk
    code, shown = on_terminal(["rm", identifier], desk, answer=b"n\n")
    assert code == 0 and "Nothing removed." in shown
    assert "“heads of \\x1b]0;owned\\x07state”" in shown
    assert_harmless(shown.replace("\r", ""))


# Data formats that carry user text as it is: CSV and the exports.
DATA_COMMANDS = [["list", "--format", "csv"], ["export", "--format", "csv"],
                 ["export", "--format", "w3c"], ["merge", "--dry-run", "--format", "json"]]


def test_data_formats_reach_a_pipe_unchanged(hostile_desk: tuple[Path, str]) -> None:
    # A pipe or a file gets the data itself: click must not strip what looks
    # like an escape sequence out of a note.
    desk, _ = hostile_desk
    result = annotate("list", "--format", "csv", cwd=desk)
    assert result.returncode == 0, result.stderr
    assert f"see {CLEAR}{RLO} this\x07" in result.stdout
    exported = annotate("export", "--format", "csv", cwd=desk)
    assert f"see {CLEAR}{RLO} this\x07" in exported.stdout


def test_data_formats_reach_a_terminal_escaped(hostile_desk: tuple[Path, str]) -> None:
    desk, _ = hostile_desk
    for args in DATA_COMMANDS:
        code, shown = on_terminal(args, desk)
        assert code == 0, (args, shown)
        assert_harmless(shown.replace("\r", ""))
    code, shown = on_terminal(["list", "--format", "csv"], desk)
    assert "see \\x1b[2J<U+202E> this\\x07" in shown
