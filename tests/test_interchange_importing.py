"""The shared import step (annotate/interchange/importing.py), format by
format alike: strict JSON, anchoring by quote, labels from tags, reviewers,
timestamps, and what the rule book refuses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotate.interchange.importing import (
    Anchored,
    Candidate,
    Rejected,
    ScanBudget,
    Utf16Index,
    anchor,
    build,
    choose_label,
    choose_reviewer,
    parse_json,
    record_problems,
    repeated_ids,
    reviewer_problems,
    timestamps,
    utc_timestamp,
)
from annotate.model import Project
from annotate.workspace import DEFAULT_LABELS, DEFAULT_VERDICTS
from tests.interchange_strategies import document, texts

PROJECT = Project("desk", "corpus", "annotations", DEFAULT_LABELS, DEFAULT_VERDICTS)


def place(text: str, quote: str | None, **fields: object) -> Anchored | str:
    item = Candidate(where="x", quote=quote, **fields)  # type: ignore[arg-type]
    return anchor(text, item, Utf16Index(text), ScanBudget())


# -- JSON --------------------------------------------------------------------------------


def test_a_byte_order_mark_is_accepted() -> None:
    assert parse_json(b'\xef\xbb\xbf{"a": 1}') == ({"a": 1}, None)


@pytest.mark.parametrize(("data", "where"), [
    (b'{"a": 1,\n  "a": 2}', "2:3: duplicate key 'a'"),
    (b'{"a": 1', "1:8: not valid JSON"),
    (b"   ", "not valid JSON: the file is empty"),
    (b'{"a": "\\ud800"}', "unpaired UTF-16 surrogate"),
])
def test_json_problems_say_where(data: bytes, where: str) -> None:
    value, problem = parse_json(data)
    assert value is None and problem is not None
    assert problem.where == "the file" and where in problem.reason


# -- anchoring ------------------------------------------------------------------------------


@given(text=texts)
def test_utf16_offsets_map_to_code_points(text: str) -> None:
    index = Utf16Index(text)
    unit = 0
    for point, char in enumerate(text):
        assert index.code_point(unit) == point
        if ord(char) > 0xFFFF:
            assert index.code_point(unit + 1) is None  # inside the surrogate pair
        unit += 2 if ord(char) > 0xFFFF else 1
    assert index.code_point(unit) == len(text)
    assert index.code_point(unit + 1) is None


def test_a_normalised_quote_is_found_and_the_document_quoted() -> None:
    text = "He said: “Kim met\r\n\r\nPutin” — twice."
    found = place(text, '"Kim met Putin" - twice')
    assert isinstance(found, Anchored) and found.how == "normalised"
    assert text[found.start:found.end] == "“Kim met\r\n\r\nPutin” — twice"


def test_nfd_and_nfc_meet() -> None:
    text = "Le cafe\u0301 de Kim."
    found = place(text, "café de Kim")
    assert isinstance(found, Anchored) and text[found.start:found.end] == "cafe\u0301 de Kim"


def test_the_context_tells_repeated_quotes_apart() -> None:
    text = "Kim met Putin. Later Kim met Putin again."
    found = place(text, "Kim met Putin", prefix="Later ", suffix=" again")
    assert isinstance(found, Anchored) and found.start == 21


def test_an_approximate_quote_needs_its_context() -> None:
    text = ("North Korea's new Hwasong-18 intercontinental ballistic missile is based on "
            "Russian technology, one analyst said.")
    typo = "Hwasong-18 intercontinental balistic missile is based"
    found = place(text, typo, prefix="North Korea's new ", suffix=" on Russian")
    assert isinstance(found, Anchored) and found.how == "approximate"
    assert text[found.start:found.end] == "Hwasong-18 intercontinental ballistic missile is based"
    assert isinstance(place(text, "Vostochny cosmodrome in Siberia"), str)


def test_the_searches_have_a_budget() -> None:
    text = "abcdefghij klmnopqrst " * 10
    item = Candidate(where="x", quote="abcdefghij klmnopqrsX")
    spent = ScanBudget(len(text) - 1)
    found = anchor(text, item, Utf16Index(text), spent)
    assert isinstance(found, str) and "spent its time" in found


def test_an_exact_position_with_another_text_there_is_refused() -> None:
    found = place("Kim met Putin.", "Putin", start=0, end=5, exact_position=True)
    assert found == "the document has “Kim m” at 0..5, not the quote “Putin”"
    found = place("Kim met Putin.", "Putin", start=8, end=99, exact_position=True)
    assert found == "offsets 8..99 are outside the document (0..14)"


# -- labels, reviewers, time --------------------------------------------------------------


@pytest.mark.parametrize(("label", "tags", "fallback", "expect"), [
    (None, ("Sourced", "x"), None, ("sourced", ("x",))),
    (None, ("OPINION", "opinion", "y"), None, ("opinion", ("y",))),
    (None, ("x",), "unsourced", ("unsourced", ("x",))),
    ("Disputed", ("sourced",), None, ("disputed", ("sourced",))),
    ("made-up", (), None, ("made-up", ())),  # the rule book refuses it, with did-you-mean
    (None, (" padded ", "", "x"), "opinion", ("opinion", ("padded", "x"))),
])
def test_labels(label: str | None, tags: tuple[str, ...], fallback: str | None,
                expect: tuple[str, tuple[str, ...]]) -> None:
    item = Candidate(where="x", quote="q", label=label, tags=tags)
    assert choose_label(item, PROJECT, fallback) == expect


def test_several_label_tags_or_none_are_reasons() -> None:
    several = choose_label(Candidate(where="x", quote="q", tags=("opinion", "Sourced")),
                           PROJECT, "unsourced")
    assert isinstance(several, str) and "2 labels (opinion, sourced)" in several
    none = choose_label(Candidate(where="x", quote="q"), PROJECT, None)
    assert isinstance(none, str) and "--label LABEL" in none


def test_reviewers() -> None:
    assert choose_reviewer(Candidate(where="x", quote="q", reviewer="dora"), None) == (
        "dora", "creator")
    assert choose_reviewer(Candidate(where="x", quote="q", reviewer="dora"), "desk") == (
        "desk", "")
    assert choose_reviewer(Candidate(where="x", quote="q"), None) == (
        "no reviewer: it names no creator; pass --reviewer NAME")
    assert reviewer_problems("dora@hypothes.is") == []
    assert reviewer_problems("consensus") == []  # reserved, refused elsewhere
    (problem,) = reviewer_problems("Dora Smith")
    assert "invalid reviewer name 'Dora Smith'" in problem


@pytest.mark.parametrize(("value", "expect"), [
    ("2023-09-14T08:12:45.617322+00:00", "2023-09-14T08:12:45.617322Z"),
    ("2023-09-14T08:12:45Z", "2023-09-14T08:12:45Z"),
    ("2023-09-14t01:12:45.5-07:00", "2023-09-14T08:12:45.5Z"),
    ("2023-09-14T23:30:00+02:00", "2023-09-14T21:30:00Z"),
    ("2023-12-31T23:30:00-01:00", "2024-01-01T00:30:00Z"),
    ("2023-09-14T08:12:45", None),  # no zone
    ("2023-13-14T08:12:45Z", None),
    ("2023-09-14T08:12:45+25:00", None),
    ("yesterday", None),
    ("0001-01-01T00:00:00+01:00", None),
])
def test_timestamps_in_utc(value: str, expect: str | None) -> None:
    assert utc_timestamp(value) == expect


def test_missing_timestamps() -> None:
    now = "2030-01-01T00:00:00Z"
    both = Candidate(where="x", quote="q")
    assert timestamps(both, now) == (now, now)
    created = Candidate(where="x", quote="q", created="2023-01-01T00:00:00Z")
    assert timestamps(created, now) == ("2023-01-01T00:00:00Z", "2023-01-01T00:00:00Z")
    bad = Candidate(where="x", quote="q", modified="soon")
    assert timestamps(bad, now) == "modified 'soon' is not a date and time with a zone " \
                                   "(RFC 3339)"


# -- the record ---------------------------------------------------------------------------


def made(text: str, start: int, end: int, **fields: object) -> list[str]:
    doc = document("d.txt", text)
    item = Candidate(where="x", quote=text[start:end], **fields)  # type: ignore[arg-type]
    annotation = build(item, doc, Anchored(start, end, "exact"), label="opinion", tags=(),
                       reviewer="alice", created="2023-01-01T00:00:00Z",
                       modified="2023-01-01T00:00:00Z", annotation_id="abcd1234")
    return record_problems(annotation, PROJECT, text)


def test_spans_that_split_a_character_or_hold_only_space_are_refused() -> None:
    assert made("cafe\u0301 au lait", 0, 4) == [
        "end 4 falls inside a character of the text (a letter and its accent, an emoji "
        "sequence, a flag)"]
    assert made("a\r\nb", 2, 4)  # between CR and LF
    assert made("a   b", 1, 4) == ["the span is only white space"]
    assert made("Kim met Putin", 0, 3) == []


def test_the_rule_book_speaks_for_the_record() -> None:
    (problem,) = made("Kim met Putin", 0, 3, sources=("ftp://x.example/",))
    assert "is not an absolute http(s) address" in problem
    (problem,) = made("Kim met Putin", 0, 3, verdict="maybe")
    assert "unknown verdict 'maybe'" in problem


def test_repeated_ids_point_at_the_first() -> None:
    items = [Candidate(where="a", quote="q", source_id="1"), Rejected("b", "no"),
             Candidate(where="c", quote="q", source_id="1"),
             Candidate(where="d", quote="q", source_id="2")]
    assert repeated_ids(items) == {2: "a"}


@given(st.text(max_size=30))
def test_anchoring_never_raises(quote: str) -> None:
    text = "Kim met Putin at Vostochny. 😀 Kim met\r\nPutin."
    if quote:
        result = place(text, quote, start=3, end=9)
        assert isinstance(result, (Anchored, str))
        if isinstance(result, Anchored):
            assert 0 <= result.start < result.end <= len(text)
