"""Unit tests for picking spans and making annotations (pure logic, no files)."""

from __future__ import annotations

import re

import pytest

from annotate import spans
from annotate.errors import SpanError
from annotate.model import Document
from annotate.sentences import split_sentences


def test_quote_found_once_gives_its_offsets() -> None:
    text = "Alpha beta gamma."
    assert spans.pick_span(text, spans.QuoteSpan("beta")) == (6, 10)


def test_ambiguous_quote_lists_every_occurrence_with_line_and_column() -> None:
    text = "Kim met Putin.\nThen Kim left.\nKim slept."
    with pytest.raises(SpanError) as caught:
        spans.pick_span(text, spans.QuoteSpan("Kim"))
    message = str(caught.value)
    assert "occurs 3 times" in message and "--occurrence N" in message
    assert "#1 at 1:1" in message and "#2 at 2:6" in message and "#3 at 3:1" in message


def test_occurrence_picks_the_nth_and_is_range_checked() -> None:
    text = "Kim met Putin. Then Kim left."
    assert spans.pick_span(text, spans.QuoteSpan("Kim", 2)) == (20, 23)
    with pytest.raises(SpanError, match="--occurrence 3 is out of range"):
        spans.pick_span(text, spans.QuoteSpan("Kim", 3))


def test_missing_quote_suggests_the_closest_text() -> None:
    text = "It has over 20,000 artillery pieces, experts say."
    with pytest.raises(SpanError) as caught:
        spans.pick_span(text, spans.QuoteSpan("20,000 artilery pieces"))
    message = str(caught.value)
    assert message.startswith("quote not found")
    assert "\nclosest one:\n  1:13 " in message and "[20,000 artillery pieces]" in message


@pytest.mark.parametrize("quote", ["", "   ", "\n\t"])
def test_blank_quote_is_refused(quote: str) -> None:
    with pytest.raises(SpanError, match="empty or only white space"):
        spans.pick_span("some text", spans.QuoteSpan(quote))


@pytest.mark.parametrize(("start", "end", "words"), [
    (5, 2, "must be less than"),
    (3, 3, "must be less than"),
    (-1, 2, "must not be negative"),
    (0, 99, "past the end"),
    (4, 6, "empty or only white space"),
])
def test_bad_offsets_are_refused(start: int, end: int, words: str) -> None:
    with pytest.raises(SpanError, match=words):
        spans.pick_span("abcd  efgh", spans.OffsetSpan(start, end))


def test_offsets_count_code_points_not_bytes_or_utf16_units() -> None:
    # 😀 is outside the BMP (2 UTF-16 units, 4 UTF-8 bytes); "é" here is e +
    # a combining acute accent (2 code points).
    text = "Rocket 😀 launch: Pyongyang\u0301 says yes.\r\nNext line."
    start, end = spans.pick_span(text, spans.QuoteSpan("launch"))
    assert (start, end) == (9, 15)
    assert text[start:end] == "launch"
    start, end = spans.pick_span(text, spans.QuoteSpan("Next"))
    assert (start, end) == (text.index("Next"), text.index("Next") + 4)
    assert text[start - 2:start] == "\r\n"


def test_offsets_may_not_split_a_crlf_pair() -> None:
    text = "one\r\ntwo"
    with pytest.raises(SpanError, match="between the CR and LF"):
        spans.pick_span(text, spans.OffsetSpan(4, 8))


def test_sentence_numbers_follow_the_segmenter() -> None:
    text = "Dr. Smith said so. “It is true,” he added.\n\n  • A bullet line here."
    numbered = split_sentences(text)
    assert [s.text for s in numbered] == ["Dr. Smith said so.", "“It is true,” he added.",
                                          "A bullet line here."]
    assert spans.pick_span(text, spans.SentenceSpan(3), numbered) == (
        text.index("A bullet"), len(text))
    with pytest.raises(SpanError, match="no sentence 4: the document has 3"):
        spans.pick_span(text, spans.SentenceSpan(4), numbered)


def test_new_annotation_stores_quote_and_32_code_points_of_context() -> None:
    text = "x" * 40 + "QUOTE" + "y" * 40
    doc = Document("d.txt", text, "0" * 64)
    made = spans.new_annotation(doc, 40, 45, label="opinion", reviewer="alice", note="",
                                sources=(), verdict=None, tags=())
    assert (made.quote, made.prefix, made.suffix) == ("QUOTE", "x" * 32, "y" * 32)
    assert made.created == made.modified
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", made.created)
    assert re.fullmatch(r"[0-9a-z]{16}", made.id)


def test_ids_sort_in_creation_order_and_do_not_repeat() -> None:
    ids = [spans.new_id() for _ in range(2000)]
    assert len(set(ids)) == 2000
    assert ids[0][:8] <= ids[-1][:8]
