"""The word-level diff of `annotate diff` (annotate/versions/changes.py), pure:
examples of what a reader sees, and properties over random multilingual
texts and edits -- above all that the hunks turn the old text into the new
one exactly."""

from __future__ import annotations

import random

from hypothesis import example, given, settings
from hypothesis import strategies as st

from annotate.anchoring.textindex import LineIndex, splits_grapheme
from annotate.versions.changes import (
    CONTEXT,
    Change,
    Hunk,
    apply,
    compare,
    group,
    word_changes,
)


def shown(hunk: Hunk) -> str:
    """A hunk as git's --word-diff writes it."""
    marks = {"equal": "{}", "delete": "[-{}-]", "insert": "{{+{}+}}"}
    return "".join(marks[s.op].format(s.text) for s in hunk.segments)


def only_hunk(old: str, new: str) -> str:
    (hunk,) = compare(old, new).hunks
    return shown(hunk)


# -- what a reader sees ----------------------------------------------------------------

def test_a_fixed_typo_reads_as_the_whole_word_replaced() -> None:
    assert only_hunk("based on Russian tecnology today.", "based on Russian technology today.") \
        == "based on Russian [-tecnology-]{+technology+} today."


def test_a_rewritten_phrase_is_one_replacement_not_word_by_word() -> None:
    # The space between the two replaced words is chance, folded into the change.
    assert only_hunk("the quick brown fox", "a slow brown fox") \
        == "[-the quick-]{+a slow+} brown fox"


def test_a_replaced_word_keeps_the_words_around_it() -> None:
    old = "North Korea’s new Hwasong-18 intercontinental ballistic missile"
    new = "North Korea’s new Hwasong-18 long-range ballistic missile"
    assert only_hunk(old, new) == ("North Korea’s new Hwasong-18 "
                                   "[-intercontinental-]{+long-range+} ballistic missile")


def test_an_insertion_and_a_deletion() -> None:
    result = compare("Kim met Putin.", "Kim met Putin on Wednesday.")
    assert [shown(h) for h in result.hunks] == ["Kim met Putin{+ on Wednesday+}."]
    assert (result.removed_words, result.inserted_words) == (0, 2)
    assert only_hunk("Kim met Putin on Wednesday.", "Kim met Putin.") \
        == "Kim met Putin[- on Wednesday-]."


def test_no_change_begins_with_a_combining_mark_or_splits_a_cluster() -> None:
    # "é" as e + U+0301 replaced by the precomposed é: the whole word changes.
    assert only_hunk("café au lait", "cafe\u0301 au lait") \
        == "[-café-]{+cafe\u0301+} au lait"
    assert only_hunk("flag 🇫🇷 here", "flag 🇫🇪 here") == "flag [-🇫🇷-]{+🇫🇪+} here"
    assert only_hunk("wave 👋🏽 bye", "wave 👋🏿 bye") == "wave [-👋🏽-]{+👋🏿+} bye"


def test_a_crlf_is_never_cut_in_two() -> None:
    assert only_hunk("one\r\ntwo", "one\ntwo") == "one[-\r\n-]{+\n+}two"
    assert only_hunk("one\ntwo", "one\r\ntwo") == "one[-\n-]{+\r\n+}two"


def test_text_outside_the_bmp_and_right_to_left_text() -> None:
    assert only_hunk("שלום עולם 😀 end", "שלום חבר 😀 end") == "שלום [-עולם-]{+חבר+} 😀 end"
    assert only_hunk("a 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 b", "a 𝔘𝔫𝔦𝔠𝔬𝔡𝔢𝔰 b") == "a [-𝔘𝔫𝔦𝔠𝔬𝔡𝔢-]{+𝔘𝔫𝔦𝔠𝔬𝔡𝔢𝔰+} b"


def test_identical_texts_have_no_changes() -> None:
    result = compare("same\n", "same\n")
    assert result.identical and result.hunks == () and result.changes == ()


def test_from_or_to_nothing() -> None:
    assert only_hunk("", "all new") == "{+all new+}"
    assert only_hunk("all gone", "") == "[-all gone-]"


# -- context and hunks ------------------------------------------------------------------

LONG = " ".join(f"word{n}" for n in range(400))  # one line of 2,689 characters


def test_context_is_cut_at_a_word_edge_and_marked() -> None:
    new = LONG.replace("word200", "WORD")
    (hunk,) = compare(LONG, new).hunks
    before, *_, after = hunk.segments
    assert before.op == after.op == "equal"
    assert 0 < len(before.text) <= CONTEXT and 0 < len(after.text) <= CONTEXT
    assert before.text.startswith("word") and before.text.endswith(" ")
    assert after.text.startswith(" ") and after.text.rstrip()[-1].isdigit()
    assert hunk.cut_before and hunk.cut_after
    assert hunk.old_line == 1 and hunk.old_column == hunk.old_start + 1


def test_changes_close_together_share_a_hunk_far_apart_do_not() -> None:
    near = LONG.replace("word200", "A").replace("word205", "B")
    assert len(compare(LONG, near).hunks) == 1
    far = LONG.replace("word20 ", "A ").replace("word300", "B")
    result = compare(LONG, far)
    assert len(result.hunks) == 2 and len(result.changes) == 2
    assert [h.changes for h in result.hunks] == [(0,), (1,)]


def test_context_stays_in_the_paragraph_of_the_change() -> None:
    old = "First paragraph.\n\nKim met Putin in Siberia.\n\nLast paragraph."
    new = old.replace("Siberia", "Vostochny")
    assert only_hunk(old, new) == "Kim met Putin in [-Siberia-]{+Vostochny+}."


def test_a_paragraph_inserted_whole_shows_where_it_went() -> None:
    old = "First paragraph.\n\nLast paragraph."
    new = "First paragraph.\n\nA new one.\n\nLast paragraph."
    assert only_hunk(old, new) == "First paragraph.\n\n{+A new one.\n\n+}Last paragraph."


def test_lines_and_columns_of_each_hunk() -> None:
    old = "line one\n" + "a filler line\n" * 20 + "line two has a word\nline three\n"
    new = "An update.\n" + old.replace("a word", "one word")
    first, second = compare(old, new).hunks
    assert (first.old_line, first.old_column, first.new_line, first.new_column) == (1, 1, 1, 1)
    # The context reaches back over short lines, up to CONTEXT code points.
    assert shown(second).endswith("a filler line\nline two has [-a-]{+one+} word\nline three\n")
    assert second.new_line == second.old_line + 1 and second.old_line < 22
    assert second.old_column == second.new_column
    assert old[second.old_start:second.old_end] == old[-(second.old_end - second.old_start):]


def test_group_takes_the_changes_it_is_given() -> None:
    old, new = "aaa bbb ccc", "aaa BBB ccc"
    hunks = group(old, new, [Change(4, 7, 4, 7)], context=4)
    assert [shown(h) for h in hunks] == ["aaa [-bbb-]{+BBB+} ccc"]
    # Three code points of context would be half a word: none is shown.
    assert [shown(h) for h in group(old, new, [Change(4, 7, 4, 7)], context=3)] \
        == ["[-bbb-]{+BBB+}"]
    assert group(old, old, []) == []


# -- properties --------------------------------------------------------------------------

WORDS = ["Kim", "Putin", "met", "in", "Siberia", "café", "cafe\u0301", "naïve", "😀", "👋🏽",
         "🇫🇷", "שלום", "مرحبا", "𝔘𝔫𝔦", "x_y", "2023", "‮evil", "\x1b[31m", "a\u200db",
         "Ωμέγα", "\t"]
SEPARATORS = [" ", " ", " ", ", ", ". ", "\n", "\n\n", "\r\n", "\r\n\r\n", "—"]


def _text(rng: random.Random, words: int) -> str:
    return "".join(rng.choice(WORDS) + rng.choice(SEPARATORS) for _ in range(words))


def _edited(rng: random.Random, text: str, edits: int) -> str:
    """text with a few pieces replaced, inserted or removed, anywhere (inside
    words and clusters too)."""
    for _ in range(edits):
        at = rng.randrange(len(text) + 1)
        end = min(len(text), at + rng.randrange(12))
        piece = _text(rng, rng.randrange(3)) if rng.random() < 0.7 else ""
        text = text[:at] + piece + text[end:]
    return text


texts = st.builds(lambda seed, words, edits: (lambda rng: (
    (old := _text(rng, words)), _edited(rng, old, edits)))(random.Random(seed)),
    st.integers(0, 2**32), st.integers(0, 40), st.integers(0, 8))


def check(old: str, new: str) -> None:
    result = compare(old, new)
    assert apply(old, result.hunks) == new
    assert result.identical == (old == new)
    old_lines, new_lines = LineIndex(old), LineIndex(new)
    for hunk in result.hunks:
        assert "".join(s.text for s in hunk.segments if s.op != "insert") \
            == old[hunk.old_start:hunk.old_end]
        assert "".join(s.text for s in hunk.segments if s.op != "delete") \
            == new[hunk.new_start:hunk.new_end]
        assert (hunk.old_line, hunk.old_column) == old_lines.position(hunk.old_start)
        assert (hunk.new_line, hunk.new_column) == new_lines.position(hunk.new_start)
    # Changes in order, apart, the text between them the same on both sides.
    a = b = 0
    for change, (removed, inserted) in zip(result.changes, result.texts, strict=True):
        assert change.old_start >= a and change.new_start >= b
        assert old[a:change.old_start] == new[b:change.new_start]
        assert old[change.old_start:change.old_end] == removed
        assert new[change.new_start:change.new_end] == inserted
        assert removed or inserted
        for text, at in ((old, change.old_start), (old, change.old_end),
                         (new, change.new_start), (new, change.new_end)):
            assert not splits_grapheme(text, at)
            assert not (0 < at < len(text) and text[at - 1].isalnum() and text[at].isalnum())
        a, b = change.old_end, change.new_end
    assert old[a:] == new[b:]
    assert sorted(k for h in result.hunks for k in h.changes) == list(range(len(result.changes)))


@settings(max_examples=300, deadline=None)
@given(texts)
@example(("one\r\ntwo", "one\ntwo"))
@example(("e\u0301e\u0301", "e\u0301"))
@example(("🇫🇷🇫🇷", "🇫🇷"))
def test_the_hunks_turn_the_old_text_into_the_new_one(pair: tuple[str, str]) -> None:
    check(*pair)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), st.text(max_size=60))
def test_the_hunks_turn_any_text_into_any_other(old: str, new: str) -> None:
    check(old, new)


def test_word_changes_are_the_same_every_time() -> None:
    rng = random.Random(7)
    old = _text(rng, 2000)
    new = _edited(rng, old, 200)
    assert word_changes(old, new) == word_changes(old, new)
    check(old, new)
