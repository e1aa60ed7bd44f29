"""Reading an annotation file: the whole-file fast path and the line-by-line
reading must give the same annotations, or refuse the file with the same
error at the same line and column.

``parse_annotation_text`` first parses and checks every record at once
(``jsonpos.parse_text``, ``rules.records_pass``) and reads line by line
only a file that has a problem; here the line-by-line reading is forced
(``parse_text`` answering None) to compare the two on the same text.
"""

from __future__ import annotations

import dataclasses
import gc
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate import jsonpos, until_exit
from annotate.errors import CorruptFileError
from annotate.model import Annotation
from annotate.records import parse_annotation_text
from tests.test_jsonpos import LINE_PIECES
from tests.test_schema_fastpath import VALID, records

OWNER = (VALID["document"], VALID["reviewer"])


def outcome(text: str, owner: tuple[str, str] | None) -> list[Annotation] | tuple[str, str]:
    """The annotations read, or the error (its message names the line and column)."""
    try:
        return parse_annotation_text(text, "a.jsonl", owner)
    except CorruptFileError as error:
        return type(error).__name__, str(error)


def both_ways(text: str, owner: tuple[str, str] | None,
              monkeypatch: pytest.MonkeyPatch) -> list[Annotation] | tuple[str, str]:
    fast = outcome(text, owner)
    with monkeypatch.context() as patched:
        patched.setattr(jsonpos, "parse_text", lambda text: None)
        slow = outcome(text, owner)
    assert fast == slow
    return fast


def line(**changes: Any) -> str:
    return json.dumps({**VALID, **changes}, sort_keys=True, ensure_ascii=False)


def test_a_valid_file_is_read_the_fast_way(monkeypatch: pytest.MonkeyPatch) -> None:
    text = line(id="aaaa0001") + "\n" + line(id="aaaa0002") + "\n"
    read = both_ways(text, OWNER, monkeypatch)
    assert [a.id for a in read] == ["aaaa0001", "aaaa0002"]  # type: ignore[union-attr]
    monkeypatch.setattr(jsonpos, "parse_json_line", None)  # not asked line by line
    assert outcome(text, OWNER) == read


@pytest.mark.parametrize(("bad", "where"), [
    (line(start=4565.0), "a.jsonl:3:"),                      # AN201, after two good lines
    (line(modified="2026-11-29T10:00:00Z"), "a.jsonl:3:"),     # AN309
    (line(reviewer="bob"), "a.jsonl:3:"),                     # AN308 for the owner
    (line(sources=["ftp://x.example/"]), "a.jsonl:3:"),       # AN201 from the schema
    ('{"id": "aaaa0003", "id": "aaaa0004"}', "a.jsonl:3:"),   # AN104
    ("\ufeff" + line(), "a.jsonl:3:1"),                       # AN103
])
def test_a_bad_record_is_refused_at_its_line_either_way(bad: str, where: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    text = "\n".join([line(id="aaaa0001"), "", bad, line(id="aaaa0002")]) + "\n"
    found = both_ways(text, OWNER, monkeypatch)
    assert isinstance(found, tuple) and where in found[1]


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(st.one_of(st.builds(lambda r: json.dumps(r, ensure_ascii=False),
                                          records()),
                                st.just(line()), st.sampled_from(LINE_PIECES),
                                st.sampled_from(["", " ", "\r", "\t \u00a0"])),
                      max_size=5),
       owner=st.sampled_from([None, OWNER, ("other.txt", "bob")]),
       crlf=st.booleans())
def test_the_fast_way_and_the_line_by_line_way_agree(lines: list[str],
                                                     owner: tuple[str, str] | None,
                                                     crlf: bool) -> None:
    text = "".join(entry + ("\r\n" if crlf else "\n") for entry in lines)
    with pytest.MonkeyPatch.context() as monkeypatch:
        both_ways(text, owner, monkeypatch)


def test_text_holding_a_surrogate_gets_the_utf8_check(monkeypatch: pytest.MonkeyPatch) -> None:
    # Text from a file cannot hold one; text from elsewhere can, and the
    # check then runs as it does line by line.
    text = line(note="bad \udcff") + "\n"
    found = both_ways(text, None, monkeypatch)
    assert isinstance(found, tuple) and "AN110" in found[1]


@pytest.mark.parametrize("enabled", [True, False])
def test_the_cycle_collector_is_left_as_it_was(enabled: bool,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    (gc.enable if enabled else gc.disable)()
    try:
        parse_annotation_text(line() + "\n", "a.jsonl")
        assert gc.isenabled() is enabled
        with pytest.raises(CorruptFileError):
            parse_annotation_text(line(start=1.5) + "\n", "a.jsonl")
        assert gc.isenabled() is enabled
    finally:
        gc.enable()


# --- the annotations built from a file's records -----------------------------------------

def test_from_record_fills_the_defaults_and_refuses_unknown_or_missing_fields() -> None:
    record = {**VALID}
    built = Annotation.from_record(record)
    assert built == Annotation(**{**VALID, "sources": tuple(VALID["sources"]),
                                  "tags": tuple(VALID.get("tags", ()))})
    assert list(built.__dict__) == [field.name for field in dataclasses.fields(Annotation)]
    without_note = {name: value for name, value in VALID.items() if name != "note"}
    with pytest.raises(TypeError, match=r"missing \['note'\]"):
        Annotation.from_record(without_note)
    with pytest.raises(TypeError, match=r"unknown \['colour'\]"):
        Annotation.from_record({**VALID, "colour": "red"})
    assert record == VALID  # the record is left as it was


def test_a_files_annotations_share_their_field_names_document_and_reviewer() -> None:
    """Parsed records hold a copy of every key and value string per line; the
    annotations built from them hold the interned field names, and the
    file's one document and reviewer as one object each (what makes a pass
    over 100,000 of them cheap)."""
    text = "".join(line(id=f"aaaa000{n}") + "\n" for n in range(3))
    read = parse_annotation_text(text, "a.jsonl", OWNER)
    names = [field.name for field in dataclasses.fields(Annotation)]
    for annotation in read:
        assert all(key is name for key, name in zip(annotation.__dict__, names, strict=True))
    assert len({id(a.document) for a in read}) == len({id(a.reviewer) for a in read}) == 1
    assert (read[0].document, read[0].reviewer) == OWNER


def test_the_records_are_kept_only_for_a_process_that_ends_at_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Freeing a file's parsed records costs as much as reading a fifth of it;
    the console script ends without freeing (until_exit.hold), so they are
    kept for it, and for no one else (a library user would accumulate them)."""
    from annotate import records as module

    monkeypatch.setattr(module, "KEEP_AT_LEAST", 2)
    small = line(id="aaaa0001") + "\n"
    text = small + line(id="aaaa0002") + "\n"
    monkeypatch.setattr(until_exit, "_kept", None)
    parse_annotation_text(text, "a.jsonl", OWNER)
    assert until_exit._kept is None
    until_exit.hold()
    read = parse_annotation_text(text, "a.jsonl", OWNER)
    assert until_exit._kept == [[{**VALID, "id": "aaaa0001"}, {**VALID, "id": "aaaa0002"}]]
    assert [a.id for a in read] == ["aaaa0001", "aaaa0002"]
    # A small file's records are freed as ever: a long review reads them again
    # and again, and kept they would add up.
    parse_annotation_text(small, "a.jsonl", OWNER)
    assert len(until_exit._kept) == 1
