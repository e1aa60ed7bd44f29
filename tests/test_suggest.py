"""Suggested commands name a document as one word that a shell reads back as
the document's id: checked with the real shells, interactive bash too
(which expands ! inside double quotes)."""

from __future__ import annotations

import subprocess

import pytest

from annotate.suggest import shell_word

NAMES = ["plain.txt", "news/2024/a.txt", "with space.txt", "Kim & Putin's $talk.txt",
         'quote " and \\ back`tick`.txt', "a!b.txt", "it's!.txt", "-draft.txt", "--help",
         "new\x1bline.txt", "rlo\u202eevil.txt", "tab\tand\nnewline.txt", "ümlaut 東京.txt"]


def read_back(shell: list[str], word: str) -> str:
    done = subprocess.run([*shell, f"printf '%s' {word}"], capture_output=True, text=True,
                          timeout=30, check=True)
    return done.stdout


def read_back_typed(word: str) -> str:
    """As an interactive bash reads the word typed (pasted) at its prompt,
    history expansion on: a -c command string is not expanded."""
    done = subprocess.run(["bash", "--norc", "-i"], input=f"printf '%s' {word}\nexit\n",
                          capture_output=True, text=True, timeout=30, check=False)
    return done.stdout


@pytest.mark.parametrize("name", NAMES)
def test_bash_reads_the_word_back_as_the_name(name: str) -> None:
    word = shell_word(name)
    expected = "./" + name if name.startswith("-") else name
    assert read_back(["bash", "-c"], word) == expected
    assert read_back_typed(word) == expected


@pytest.mark.parametrize("name", [name for name in NAMES if name.isprintable()])
def test_a_posix_sh_reads_a_printable_name_back(name: str) -> None:
    expected = "./" + name if name.startswith("-") else name
    assert read_back(["sh", "-c"], shell_word(name)) == expected


def test_a_word_never_starts_with_a_dash_and_holds_no_raw_control() -> None:
    for name in NAMES:
        word = shell_word(name)
        assert not word.startswith("-") and word.isprintable(), word
