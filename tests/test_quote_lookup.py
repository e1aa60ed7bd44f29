"""Finding what the user typed (issue 8): a short list of occurrences when a
quote is ambiguous (item 18), the closest passages in bounded time when it
is mistyped (item 14), a normalised match when it was typed with other
quotes, dashes, spaces or Unicode normalisation (item 22), and no span that
splits a grapheme cluster (item 23)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from annotate import spans
from annotate.anchoring import closest, textindex
from annotate.anchoring.closest import fuzzy_candidates
from annotate.anchoring.textindex import (
    find_normalised,
    grapheme_around,
    splits_grapheme,
)
from annotate.errors import SpanError
from tests.conftest import SEED, SEED_ID, Run

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
SEED_TEXT = SEED.read_text(encoding="utf-8")


def refusal(text: str, spec: spans.SpanSpec) -> str:
    with pytest.raises(SpanError) as caught:
        spans.pick(text, spec)
    return str(caught.value)


def prose(size: int, seed: int = 7) -> str:
    """Text of made-up words, so that every 40-character passage is unique."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocabulary = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 9)))
                  for _ in range(5000)]
    parts, length = [], 0
    while length < size:
        sentence = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(5, 20)))
        sentence = sentence.capitalize() + (".\n\n" if rng.random() < 0.2 else ". ")
        parts.append(sentence)
        length += len(sentence)
    return "".join(parts)


# -- item 18: an ambiguous quote ----------------------------------------------------

def test_an_ambiguous_quote_lists_ten_occurrences_one_a_line() -> None:
    message = refusal(SEED_TEXT, spans.QuoteSpan("North Korea"))
    lines = message.splitlines()
    assert lines[0] == ("the quote occurs 28 times; pick one with --occurrence N (1 to 28):")
    assert [line.split()[0] for line in lines[1:11]] == [f"#{n}" for n in range(1, 11)]
    assert lines[1].startswith("  #1 at 9:28 ") and "[North Korea]" in lines[1]
    assert lines[11] == ("  and 18 more; or quote a few more words so that the quote "
                         "occurs once")
    assert len(lines) == 12
    assert all(len(line) < 130 for line in lines)


def test_a_quote_occurring_17350_times_gives_a_short_message() -> None:
    text = "the claim. " * 17_350
    message = refusal(text, spans.QuoteSpan("claim"))
    assert message.startswith("the quote occurs 17,350 times; pick one with --occurrence N")
    assert "and 17,340 more" in message
    assert len(message) < 2000


def test_a_few_occurrences_are_all_listed() -> None:
    text = "Kim met Putin.\nThen Kim left.\nKim slept."
    message = refusal(text, spans.QuoteSpan("Kim"))
    assert message.splitlines()[1:] == [
        "  #1 at 1:1 [Kim] met Putin. Then Kim left. Kim…",
        "  #2 at 2:6 Kim met Putin. Then [Kim] left. Kim slept.",
        "  #3 at 3:1 Kim met Putin. Then Kim left. [Kim] slept.",
    ]


def test_occurrence_picks_among_many_and_is_range_checked() -> None:
    text = "the claim. " * 17_350
    assert spans.pick_span(text, spans.QuoteSpan("claim", 17_350)) == (
        11 * 17_349 + 4, 11 * 17_349 + 9)
    assert "out of range: the quote occurs 17,350 times" in refusal(
        text, spans.QuoteSpan("claim", 17_351))


def test_overlapping_occurrences_are_counted() -> None:
    assert textindex.count_exact("aaaa", "aa") == 3
    assert textindex.count_exact("abab ab", "ab") == 3
    assert "occurs 3 times" in refusal("aaaa", spans.QuoteSpan("aa"))


def test_an_ambiguous_quote_on_the_command_line(workspace: Path, run: Run) -> None:
    result = run("add", SEED_ID, "--label", "opinion", "--quote", "Kim Jong Un")
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == ("annotate: error: the quote occurs 3 times; pick one with "
                        "--occurrence N (1 to 3):")
    assert lines[1].startswith("  #1 at 1:6 ") and len(lines) == 4
    assert not (workspace / "annotations" / SEED_ID).exists()


def test_a_missing_quote_on_the_command_line(workspace: Path, run: Run) -> None:
    result = run("add", SEED_ID, "--label", "opinion", "--quote", "Russian technolgy")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "annotate: error: quote not found in the document: 'Russian technolgy'"
    assert lines[1] == "closest:"
    assert lines[2].startswith("  44:218 '…ballistic missile is based on [Russian technology]")
    assert lines[2].endswith("(similarity 0.94)")
    assert not (workspace / "annotations" / SEED_ID).exists()


# -- item 14: the closest passages, bounded ----------------------------------------

def test_a_one_letter_typo_in_a_40_character_quote_finds_its_passage() -> None:
    text = prose(1_000_000)
    for where in (0.1, 0.5, 0.9):
        start = text.index(" ", int(len(text) * where)) + 1
        while text[start + 39].isspace():
            start = text.index(" ", start) + 1
        quote = text[start:start + 40]
        for position in (0, 13, 39):
            wrong = "x" if quote[position] != "x" else "y"
            typo = quote[:position] + wrong + quote[position + 1:]
            best = fuzzy_candidates(text, typo)[0]
            assert (best.start, best.end) == (start, start + 40), (where, position)
            assert best.score == round(1 - 1 / 40, 3)


@SETTINGS
@given(st.data())
def test_a_quote_with_a_few_edits_finds_its_passage(data: st.DataObject) -> None:
    text = PROSE
    start = data.draw(st.integers(0, len(text) - 200))
    start = text.index(" ", start) + 1
    length = data.draw(st.integers(24, 120))
    quote = text[start:start + length]
    assume(quote.strip() == quote)
    edited = list(quote)
    edits = data.draw(st.integers(1, max(1, length // 20)))
    for _ in range(edits):
        at = data.draw(st.integers(0, len(edited) - 1))
        kind = data.draw(st.sampled_from(["replace", "delete", "insert"]))
        if kind == "replace":
            edited[at] = "q" if edited[at] != "q" else "z"
        elif kind == "delete" and len(edited) > 20:
            del edited[at]
        else:
            edited.insert(at, "j")
    found = fuzzy_candidates(text, "".join(edited))
    assert found, "no candidate at all"
    best = found[0]
    # the passage itself, give or take edited characters (and a space) at its ends
    assert abs(best.start - start) <= edits + 1
    assert abs(best.end - (start + length)) <= edits + 1


PROSE = prose(200_000, seed=11)


def test_the_q_gram_counts_may_come_from_a_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    """A text longer than SAMPLE has its q-grams counted in four slices."""
    text = prose(300_000, seed=3)
    monkeypatch.setattr(closest, "SAMPLE", 40_000)
    start = text.index(" ", 250_000) + 1
    quote = text[start:start + 40]
    typo = quote[:20] + quote[21:]
    assert fuzzy_candidates(text, typo)[0].start == start


def test_folded_case_quotes_and_spaces_do_not_count_as_edits() -> None:
    text = "He said: “It’s the Vostochny\n  cosmodrome” today."
    [best] = fuzzy_candidates(text, '"it\'s the vostochni cosmodrome"')
    assert text[best.start:best.end] == "“It’s the Vostochny\n  cosmodrome”"
    assert best.score == round(1 - 1 / 31, 3)


def test_quotes_too_short_or_not_there_get_no_candidates() -> None:
    assert fuzzy_candidates("some text here", "ab") == []
    assert fuzzy_candidates("", "some quote") == []
    assert fuzzy_candidates("aaaa bbbb cccc", "xyzw qrst uvop") == []


# -- item 22: a normalised match ------------------------------------------------------

@pytest.mark.parametrize(("typed", "folded"), [
    ('"That\'s why we came to the Vostochny Cosmodrome."',
     "typographic quotes, apostrophes and dashes"),
    ("North Korea's leader Kim", "typographic quotes, apostrophes and dashes"),
    ("The two heads of state want to deepen\ntheir relations.", "runs of white space"),
    ("The two  heads of state", "runs of white space"),
])
def test_a_quote_typed_differently_is_found_once_folded(typed: str, folded: str) -> None:
    picked = spans.pick(SEED_TEXT, spans.QuoteSpan(typed))
    found = SEED_TEXT[picked.start:picked.end]
    assert textindex.fold(found) == textindex.fold(typed)
    assert picked.note is not None
    assert picked.note.startswith(f"the quote matched only after folding {folded}; ")
    assert repr(found[:59]) in picked.note or repr(found) in picked.note


def test_nfd_and_nfc_find_each_other_with_exact_offsets() -> None:
    phrase = "café de Noël"
    for text_form, typed_form in (("NFC", "NFD"), ("NFD", "NFC")):
        text = unicodedata.normalize(text_form, f"Le {phrase} à Zürich.")
        end = 3 + len(unicodedata.normalize(text_form, phrase))
        picked = spans.pick(text, spans.QuoteSpan(unicodedata.normalize(typed_form, phrase)))
        assert (picked.start, picked.end) == (3, end)
        assert picked.note == (
            "the quote matched only after folding Unicode normalisation (NFC); the annotation "
            f"quotes the document as written: {text[3:end]!r}")


def test_a_quote_found_as_typed_has_no_note() -> None:
    assert spans.pick(SEED_TEXT, spans.QuoteSpan("holy struggle")).note is None
    assert spans.pick(SEED_TEXT, spans.OffsetSpan(0, 4)).note is None


def test_an_ambiguous_normalised_quote_is_listed_and_occurrence_picks_one() -> None:
    text = "He said “yes”. She said “yes”."
    message = refusal(text, spans.QuoteSpan('said "yes"'))
    assert message.splitlines()[0] == (
        "the quote is not in the document as typed, but after folding Unicode normalisation, "
        "quotes, dashes and white space it occurs 2 times; pick one with --occurrence N (1 to 2):")
    picked = spans.pick(text, spans.QuoteSpan('said "yes"', 2))
    assert text[picked.start:picked.end] == "said “yes”" and picked.start == 19
    assert picked.note is not None


def test_a_normalised_match_never_ends_inside_a_character() -> None:
    text = "the cafe\u0301 “opens”"
    assert find_normalised(text, 'the cafe "') == []
    assert find_normalised(text, 'cafe\u0301 "opens"') == [(4, len(text))]


@SETTINGS
@given(st.data())
def test_normalised_matching_finds_the_original_span(data: st.DataObject) -> None:
    words = ["Kim’s", "“deal”", "café", "Zürich", "North—South", "a", "b", "e\u0301t\u00e9",
             "‘no’", "x"]
    chosen = data.draw(st.lists(st.sampled_from(words), min_size=1, max_size=12))
    separators = data.draw(st.lists(st.sampled_from([" ", "  ", "\n", "\t "]),
                                    min_size=len(chosen), max_size=len(chosen)))
    text = "".join(w + s for w, s in zip(chosen, separators, strict=True)) + "END"
    first = data.draw(st.integers(0, len(chosen) - 1))
    last = data.draw(st.integers(first, len(chosen) - 1))
    start = sum(len(w) + len(s) for w, s in zip(chosen[:first], separators, strict=False))
    end = start + sum(len(w) + len(s) for w, s in
                      zip(chosen[first:last + 1], separators[first:last + 1], strict=True))
    end -= len(separators[last])
    typed = " ".join(chosen[first:last + 1])
    typed = textindex.fold_typography(typed)
    typed = unicodedata.normalize(data.draw(st.sampled_from(["NFC", "NFD"])), typed)
    assert (start, end) in find_normalised(text, typed)


# -- item 23: grapheme clusters -----------------------------------------------------------

CLUSTERS = "Cafe\u0301 👍🏽 🇺🇸🇫🇷 👨\u200d👩\u200d👧 \r\n ok"


def test_splits_grapheme_knows_accents_skin_tones_flags_families_and_crlf() -> None:
    # C a f e ́ _ 👍 🏽 _ 🇺 🇸 🇫 🇷 _ 👨 ZWJ 👩 ZWJ 👧 _ CR LF _ o k
    inside = {4, 7, 10, 12, 15, 16, 17, 18, 21}
    for offset in range(len(CLUSTERS) + 1):
        assert splits_grapheme(CLUSTERS, offset) == (offset in inside), offset
    assert not splits_grapheme(CLUSTERS, CLUSTERS.index("🇫"))  # between two flags


@SETTINGS
@given(st.lists(st.sampled_from(["a", "e", "\u0301", "\u0308", "\r", "\n", "\u200d", "👨",
                                 "🏽", "🇺", "🇸", "\u1100", "\u1161", "\u11a8", "\u0915",
                                 "\u094d", "\ufe0f", "\u0600", " ", "❤"]),
                max_size=16).map("".join))
def test_splits_grapheme_agrees_with_segmenting_the_whole_text(text: str) -> None:
    import regex

    boundaries = {0, len(text)} | {m.end() for m in regex.finditer(r"\X", text)}
    for offset in range(len(text) + 1):
        assert splits_grapheme(text, offset) == (offset not in boundaries)


def test_grapheme_around_names_the_character() -> None:
    at = CLUSTERS.index("🏽")
    assert grapheme_around(CLUSTERS, at) == (at - 1, at + 1)
    assert grapheme_around(CLUSTERS, 0) == (0, 0)


def test_textindex_loads_regex_only_when_a_boundary_touches_non_ascii() -> None:
    code = ("import sys; from annotate.anchoring import textindex as t; "
            "t.splits_grapheme('ab\\r\\ncd', 3); t.splits_grapheme('abc', 1); "
            "a = 'regex' in sys.modules; t.splits_grapheme('e\\u0301', 1); "
            "print(a, 'regex' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "True"]


@pytest.mark.parametrize(("start", "end", "message"), [
    (0, 4, "--end 4 falls inside the character 'e\u0301' (U+0065 + U+0301) at 1:4; a span "
           "may not split a character: use --end 3 (before it) or --end 5 (after it)"),
    (6, 7, "--end 7 falls inside the character '👍🏽' (U+1F44D + U+1F3FD) at 1:7"),
    (10, 13, "--start 10 falls inside the character '🇺🇸' (U+1F1FA + U+1F1F8) at 1:10; a "
             "span may not split a character: use --start 9 (before it) or --start 11 (after it)"),
    (14, 17, "--end 17 falls inside the character '👨\\u200d👩\\u200d👧' (U+1F468 + U+200D + "
             "U+1F469 + U+200D + U+1F467) at 1:15"),
])
def test_offsets_inside_a_character_are_refused(start: int, end: int, message: str) -> None:
    assert refusal(CLUSTERS, spans.OffsetSpan(start, end)).startswith(message)


def test_a_quote_ending_inside_a_character_is_refused() -> None:
    assert refusal("Cafe\u0301 ok", spans.QuoteSpan("Cafe")) == (
        "the quote ends inside the character 'e\u0301' (U+0065 + U+0301) at 1:4; a span may not "
        "split a character: quote the whole character, or none of it")
    assert spans.pick_span("Cafe\u0301 ok", spans.QuoteSpan("Cafe\u0301")) == (0, 5)
    assert spans.pick_span("Café ok", spans.QuoteSpan("Cafe\u0301")) == (0, 4)


def test_whole_clusters_are_accepted() -> None:
    assert spans.pick_span(CLUSTERS, spans.OffsetSpan(6, 8)) == (6, 8)
    assert spans.pick_span(CLUSTERS, spans.QuoteSpan("🇺🇸")) == (9, 11)
    assert spans.pick_span(CLUSTERS, spans.QuoteSpan("👨\u200d👩\u200d👧")) == (14, 19)


def test_a_record_of_the_sentence_cache_holds_no_split(workspace: Path, run: Run) -> None:
    (workspace / "corpus" / "emoji.txt").write_text("First 👍🏽. Second café.",
                                                   encoding="utf-8")
    listed = json.loads(run("sentences", "emoji.txt", "--format", "json").stdout)
    text = (workspace / "corpus" / "emoji.txt").read_text(encoding="utf-8")
    assert [s["text"] for s in listed] == ["First 👍🏽.", "Second café."]
    assert not any(splits_grapheme(text, s[key]) for s in listed for key in ("start", "end"))


def test_the_note_names_only_the_foldings_that_mattered() -> None:
    text = "He said “yes”\n today."
    picked = spans.pick(text, spans.QuoteSpan('said "yes" '))
    assert (picked.start, picked.end) == (3, 13)
    assert picked.note is not None
    assert picked.note.startswith("the quote matched only after folding typographic quotes, "
                                  "apostrophes and dashes; ")
    both = spans.pick(text, spans.QuoteSpan('"yes" today'))
    assert both.note is not None and both.note.startswith(
        "the quote matched only after folding typographic quotes, apostrophes and dashes "
        "and runs of white space; the annotation quotes the document as written: "
        "'“yes”\\n today'")
