"""The fast validity check must agree with jsonschema on every instance."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from annotate import schema
from annotate.fastschema import UnsupportedSchema, compile_schema

VALID = {
    "id": "06h2e5p88bm23758", "document": "kim-putin-vostochny.txt",
    "document_sha256": "132f973bb4b6f75d83891006220dd8bd6d10693a1b3beecb5d02aa02a4e2adf4",
    "start": 4565, "end": 4659, "quote": "North Korea’s new Hwasong-18", "prefix": "assumes that ",
    "suffix": ". But his analysis", "label": "speculative", "reviewer": "alice@factdesk.example",
    "note": "", "sources": ["https://www.iiss.org/x"], "created": "2026-11-29T11:00:00.123Z",
    "modified": "2026-11-29T11:00:00.123Z", "tags": ["missiles"], "verdict": "unverifiable",
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 10**6) | st.floats(allow_nan=False)
    | st.text(max_size=40)
    | st.sampled_from(["", "https://x.org/", "ftp://x", "2026-01-01T00:00:00Z",
                       "2026-13-01T00:00:00Z", "a" * 64, "0" * 64, "Z", "../a", "a/b.txt"]),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)


@st.composite
def mutated_records(draw: st.DrawFn) -> dict[str, Any]:
    record = copy.deepcopy(VALID)
    for _ in range(draw(st.integers(0, 3))):
        key = draw(st.sampled_from([*VALID, "extra", "orphaned", "previous_quote"]))
        if draw(st.booleans()) and key in record:
            del record[key]
        else:
            record[key] = draw(json_values)
    return record


@pytest.mark.parametrize("name", ["annotation", "project"])
def test_the_schemas_compile(name: str) -> None:
    assert schema.fast_check(name) is not schema.validator(name).is_valid


@settings(max_examples=500, deadline=None)
@given(mutated_records())
def test_agrees_with_jsonschema_on_mutated_records(record: dict[str, Any]) -> None:
    assert schema.fast_check("annotation")(record) == schema.validator("annotation").is_valid(
        record), json.dumps(record, default=str)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_agrees_with_jsonschema_on_arbitrary_json(value: Any) -> None:
    for name in ("annotation", "project"):
        assert schema.fast_check(name)(value) == schema.validator(name).is_valid(value)


@pytest.mark.parametrize(("change", "valid"), [
    ({}, True),
    ({"start": 1.0}, True),           # 2020-12: an integral float is an integer
    ({"start": True}, False),         # but a boolean is not
    ({"orphaned": True}, True),
    ({"orphaned": 1}, False),         # const true is not 1
    ({"sources": ["https://a.org/", "https://a.org/"]}, False),
    ({"created": "2026-02-30T00:00:00Z"}, False),
    ({"created": "2026-11-29T11:00:00+01:00"}, False),
    ({"sources": ["https://exa mple.org"]}, False),
    ({"prefix": "x" * 33}, False),
    ({"reviewer": "../x"}, False),
    ({"unexpected": 1}, False),
])
def test_known_edge_cases(change: dict[str, Any], valid: bool) -> None:
    record = {**VALID, **change}
    assert schema.validator("annotation").is_valid(record) is valid
    assert schema.fast_check("annotation")(record) is valid


def test_unsupported_keywords_are_refused_not_skipped() -> None:
    checker = Draft202012Validator.FORMAT_CHECKER
    with pytest.raises(UnsupportedSchema, match="patternProperties"):
        compile_schema({"type": "object", "patternProperties": {"^x": {}}}, checker)
    with pytest.raises(UnsupportedSchema, match="only local references"):
        compile_schema({"$ref": "https://example.org/other.json"}, checker)


@pytest.mark.parametrize(("items", "unique"), [
    ([1, 1.0], False), ([True, 1], True), ([False, 0], True), ([True, True], False),
    (["a", "b"], True), ([None, None], False), ([[1], [1.0]], False), ([{"a": 1}, {"a": 2}], True),
])
def test_unique_items_agree_with_jsonschema(items: list[Any], unique: bool) -> None:
    schema_ = {"type": "array", "uniqueItems": True}
    checker = Draft202012Validator.FORMAT_CHECKER
    assert Draft202012Validator(schema_).is_valid(items) is unique
    assert compile_schema(schema_, checker)(items) is unique


def test_unique_items_of_a_million_numbers() -> None:
    # Quadratic pairwise comparison would run for hours here.
    many = list(range(1_000_000))
    assert compile_schema({"uniqueItems": True}, None)(many) is True
    assert compile_schema({"uniqueItems": True}, None)([*many, 999_999.0]) is False
