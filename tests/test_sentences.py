"""Sentences: pysbd's boundaries in bounded chunks, spans that never overlap
and cover the text, and the linear abbreviation pass that must give pysbd's
own result (issue 8, item 15)."""

from __future__ import annotations

import random
import re
import string

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from annotate import sentences
from annotate.sentences import sentence_spans, spans_are_sound, split_sentences
from tests.conftest import SEED

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
BULLETS = "•◦▪‣·*-–—"


def stock_pysbd_spans(text: str) -> list[tuple[int, int]]:
    """What sentences.py did before: pysbd's own character spans, trimmed."""
    import pysbd

    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    found = []
    for span in segmenter.segment(text):
        start, end = sentences._trim(text, span.start, span.end)
        if start < end:
            found.append((start, end))
    return found


def stock_sentences(text: str) -> list[str]:
    from pysbd.lang.english import English
    from pysbd.processor import Processor

    return list(Processor(text, English).process() or [])


def fast_sentences(text: str) -> list[str]:
    from pysbd.processor import Processor

    return list(Processor(text, sentences._english()).process() or [])


def assert_sound(text: str, found: list[tuple[int, int]]) -> None:
    """In order, disjoint, non-empty, trimmed; every character outside them
    is white space or a list bullet before white space."""
    assert spans_are_sound(text, found)
    covered = [False] * len(text)
    for start, end in found:
        assert text[start:end] == text[start:end].strip()
        for i in range(start, end):
            assert not covered[i]
            covered[i] = True
    for i, char in enumerate(text):
        if not covered[i] and not char.isspace():
            assert char in BULLETS and i + 1 < len(text) and text[i + 1].isspace(), (
                f"{char!r} at {i} is in no sentence")


# -- the seed article: pysbd's quality kept ------------------------------------

def test_the_seed_article_keeps_its_62_sentences() -> None:
    text = SEED.read_text(encoding="utf-8")
    found = sentence_spans(text)
    assert len(found) == 62
    assert found == stock_pysbd_spans(text)


def test_the_seed_article_in_small_blocks_is_segmented_the_same(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks are cut at blank lines, which pysbd never looks across."""
    text = SEED.read_text(encoding="utf-8")
    monkeypatch.setattr(sentences, "BLOCK", 600)
    assert sentence_spans(text) == stock_pysbd_spans(text)


def test_the_fast_abbreviation_pass_gives_pysbds_text_on_the_seed() -> None:
    text = SEED.read_text(encoding="utf-8")
    assert fast_sentences(text) == stock_sentences(text)


TRICKY = [
    "Dr. Smith met Mr. Jones at 5 p.m. on Jan. 5. They spoke.",
    "See e.g. the U.S. report, i.e. the one from Washington D.C. It is long.",
    "He paid approx. 5 dollars. No. 5 won. Fig. 3 shows it.",
    "İstanbul Dr. İnce said ſt. ſo. K. Kelvin sign. a. A. a.. A..",
    "the {a} a. next {dr} dr. Next. {A} A. up",
    "Gen. Kim and Col. Putin spoke. Prof. a. b. c. d. e.g. i.e. ph.d. u.s. A.M. p.m.",
    "ab. cd. ef.\tgh. ij.\u00a0kl. Mt.\u3000Fuji. vs. st.\u2029Next line.",
    "Stop! ! ! Go.",
]


@pytest.mark.parametrize("text", TRICKY)
def test_the_fast_abbreviation_pass_gives_pysbds_text_on_tricky_lines(text: str) -> None:
    assert fast_sentences(text) == stock_sentences(text)


abbreviation_text = st.lists(
    st.sampled_from(["Dr.", "dr.", "Mr.", "a.", "A.", "no.", "No.", "e.g.", "i.e.", "U.S.",
                     "approx.", "Fig.", "p.", "pp.", "St.", "st.", "Jan.", "{a}", "İ", "ſ", "K",
                     "word", "Word", "5", "(", ")", ",", ":", "-", "?", "!", "'", '"', "“",
                     "”", "\n", " ", "  ", "\t", "a", "I", "I'm", "co.", "ex."]),
    max_size=40).map(" ".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(abbreviation_text)
def test_the_fast_abbreviation_pass_gives_pysbds_text(text: str) -> None:
    assert fast_sentences(text) == stock_sentences(text)


def test_the_fast_abbreviation_pass_gives_pysbds_text_on_long_lines() -> None:
    """A long line holds most abbreviations, several spellings of each and
    dots that pysbd's three patterns keep or replace."""
    seed = SEED.read_text(encoding="utf-8")
    line = " ".join(seed.split()) + " " + " ".join(TRICKY).replace("\n", " ")
    assert fast_sentences(line) == stock_sentences(line)
    rng = random.Random(5)
    tokens = ["Dr.", "dr.", "DR.", "No.", "no.", "nos.", "Art.", "art.", "p.", "P.", "pp.",
              "a.", "Gen.", "gen.", "capt.", "Capt.", "etc.", "approx.", "5", "(5)", "(", ":5",
              ":", "I", "I'm", "I'll", "x", "Word", "word.", "-", "?", ",", "..", "e.g.", "{dr}",
              "{no}", "Mr.", "Mt.", "St.", "st.", "Jan.", "jan.", "fig.", "Fig.", "\n"]
    for _ in range(40):
        text = " ".join(rng.choice(tokens) for _ in range(rng.randint(50, 400)))
        assert fast_sentences(text) == stock_sentences(text), text


# -- spans: in order, disjoint, covering ------------------------------------------

def test_stop_stop_stop_go_does_not_overlap() -> None:
    found = [(s.start, s.end, s.text) for s in split_sentences("Stop! ! ! Go.")]
    assert found == [(0, 5, "Stop!"), (6, 9, "! !"), (10, 13, "Go.")]


prose = st.lists(st.sampled_from(
    [*string.ascii_letters[:8], *"ABC .!?,", "\n", "\n\n", " ", "  ", "•", "- ", "Dr.",
     "e.g.", "“", "”", "é", "e\u0301", "\r\n", "\t", "👍🏽", "a.m.", "1."]),
    max_size=150).map("".join)


@SETTINGS
@given(prose)
@example("Stop! ! ! Go.")
@example("• A bullet.\n• Another one")
@example("-\n- -. •")
def test_sentences_are_in_order_disjoint_trimmed_and_cover_the_text(text: str) -> None:
    assert_sound(text, sentence_spans(text))


@SETTINGS
@given(prose.map(lambda t: t * 8))
def test_chunked_and_windowed_sentences_are_sound_too(text: str) -> None:
    """With tiny blocks and windows every cut path runs on short texts."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sentences, "BLOCK", 64)
        patch.setattr(sentences, "WINDOW", 48)
        patch.setattr(sentences, "GUARD", 8)
        assert_sound(text, sentence_spans(text))


def test_a_long_line_is_segmented_window_by_window_like_a_short_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    line = " ".join(f"Sentence number {n} says Dr. Who came at {n} p.m. today." for n in range(300))
    whole = sentence_spans(line)
    monkeypatch.setattr(sentences, "BLOCK", 2000)
    monkeypatch.setattr(sentences, "WINDOW", 1500)
    monkeypatch.setattr(sentences, "GUARD", 200)
    assert sentence_spans(line) == whole
    assert len(whole) == 300


def test_a_line_without_any_sentence_end_is_cut_at_white_space(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sentences, "BLOCK", 500)
    monkeypatch.setattr(sentences, "WINDOW", 400)
    monkeypatch.setattr(sentences, "GUARD", 50)
    text = " ".join(["word"] * 1000)
    found = sentence_spans(text)
    assert_sound(text, found)
    assert len(found) > 1 and all(end - start <= 400 for start, end in found)
    assert all(re.fullmatch(r"word( word)*", text[start:end]) for start, end in found)


def test_a_hard_cut_without_white_space_keeps_grapheme_clusters_whole(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from annotate.anchoring.textindex import splits_grapheme

    monkeypatch.setattr(sentences, "BLOCK", 100)
    monkeypatch.setattr(sentences, "WINDOW", 61)
    monkeypatch.setattr(sentences, "GUARD", 10)
    text = "e\u0301" * 200  # é with a combining accent: 400 code points, 200 characters
    found = sentence_spans(text)
    assert_sound(text, found)
    assert len(found) > 1
    assert not any(splits_grapheme(text, offset) for span in found for offset in span)


def test_spans_are_sound_refuses_what_sentence_spans_never_gives() -> None:
    text = "One. Two."
    assert spans_are_sound(text, [(0, 4), (5, 9)])
    assert spans_are_sound(text, [[0, 4], [5, 9]])
    for bad in ([(0, 5)], [(0, 4), (3, 9)], [(5, 9), (0, 4)], [(0, 0)], [(0, 10)],
                [(-1, 4)], [(0, 4.0)], [(True, 4)], [(0, 4, 5)], ["0,4"], [None]):
        assert not spans_are_sound(text, bad), bad


def test_empty_and_blank_texts_have_no_sentences() -> None:
    assert sentence_spans("") == []
    assert sentence_spans(" \n\n\t ") == []


def test_the_irregular_case_guard_names_every_letter_it_must() -> None:
    """The fast abbreviation pass reads a lowered copy of the line as if it
    were the line ignoring case; that holds except for the letters that
    lower to more than one code point or that re.IGNORECASE matches to an
    ASCII letter, and a line with one of those takes pysbd's own test."""
    ascii_letter = re.compile("(?i)[a-z]")
    irregular = {chr(code) for code in range(0x80, 0x110000)
                 if len(chr(code).lower()) != 1 or ascii_letter.fullmatch(chr(code))}
    assert irregular == set(sentences._IRREGULAR_CASE.pattern.strip("[]"))
