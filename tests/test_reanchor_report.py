"""The fuzzy line of `annotate reanchor` shows what changed in the quote
(issue 8, item 24): a late typo fix is as visible as an early one."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotate.report.reanchor import CHANGED, quote_change
from tests.conftest import HWASONG, SEED_ID, Run

LONG = ("The two heads of state want to deepen their cooperation, and the satellite launch "
        "site in the Russian Far East was chosen as the meeting place for good reasons.")


@pytest.mark.parametrize(("old", "new", "shown"), [
    (HWASONG, HWASONG.replace("intercontinental", "long-range"),
     "“…ea’s new Hwasong-18 [-intercontinental-]{+long-range+} ballistic missile i…”"),
    # The late fix the 50-character cut hid.
    (LONG, LONG.replace("good reasons", "god reasons"),
     "“…e meeting place for [-good-]{+god+} reasons.”"),
    (LONG, LONG.replace("two heads", "2 heads").replace("Far East", "Far-East"),
     "“The [-two-]{+2+} heads of state want…e in the Russian Far[- -]{+-+}East was "
     "chosen as t…”"),
    ("cat", "cats", "“[-cat-]{+cats+}”"),
    ("a fact.", "a fact. Really.", "“a fact.{+ Really.+}”"),
    ("one\ntwo", "one two", "“one[-\\n-]{+ +}two”"),
    ("the \x1b[2J end", "the \u202e end", "“the [-\\x1b[2J-]{+<U+202E>+} end”"),
    ("same", "same", "“same”"),
])
def test_the_change_is_shown_with_a_little_context(old: str, new: str, shown: str) -> None:
    assert quote_change(old, new) == shown


def test_without_a_previous_quote_the_new_quote_is_shown() -> None:
    assert quote_change(None, HWASONG) == (
        "“North Korea’s new Hwasong-18 intercontinental ballistic mis…”")


def test_a_long_change_is_cut_and_a_huge_one_is_not_diffed_word_by_word() -> None:
    old = " ".join(f"w{i}" for i in range(5000))
    new = " ".join(f"v{i}" for i in range(5000))
    shown = quote_change(old, new)
    assert shown.startswith("“[-w0 w1 w2") and "-]{+v0 v1 v2" in shown
    assert len(shown) < 2 * CHANGED + 20


@given(st.text(alphabet="ab .\n\x07", max_size=30), st.text(alphabet="ab .\n\x07", max_size=30))
def test_every_change_is_one_harmless_line(old: str, new: str) -> None:
    shown = quote_change(old, new)
    assert "\n" not in shown and "\x07" not in shown
    if old != new:
        assert "[-" in shown or "{+" in shown


def test_a_late_typo_fix_is_visible_in_reanchor(workspace: Path, run: Run) -> None:
    identifier = run("add", SEED_ID, "--label", "speculative", "--quote",
                     HWASONG).stdout.strip()
    path = workspace / "corpus" / SEED_ID
    path.write_text(path.read_text(encoding="utf-8").replace(
        "based on Russian technology", "based on Russion technology"), encoding="utf-8")
    result = run("reanchor")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        f"fuzzy     {SEED_ID} {identifier} (alice): “…missile is based on "
        f"[-Russian-]{{+Russion+}} technology” (score 0.99)")
