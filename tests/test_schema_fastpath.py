"""The fast schema check (jsonschema-rs) must agree with jsonschema on every value.

jsonschema-rs answers "is this valid?"; jsonschema is asked for the errors
only when the answer is no.  If the two ever disagreed, an invalid record
would pass unreported, or a valid one would be refused with no error to
show.  Hypothesis generates records that are valid, nearly valid and
plainly wrong, and every one must get the same verdict from both.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from annotate import schema

VALID: dict[str, Any] = {
    "id": "06h2e5p88bm23758", "document": "kim-putin-vostochny.txt",
    "document_sha256": "132f973bb4b6f75d83891006220dd8bd6d10693a1b3beecb5d02aa02a4e2adf4",
    "start": 4565, "end": 4659, "quote": "North Korea’s new Hwasong-18", "prefix": "assumes that ",
    "suffix": ". But his analysis", "label": "speculative", "reviewer": "alice@factdesk.example",
    "note": "", "sources": ["https://www.iiss.org/x"], "created": "2026-11-29T11:00:00.123Z",
    "modified": "2026-11-29T11:00:00.123Z", "tags": ["missiles"], "verdict": "unverifiable",
}

PROJECT: dict[str, Any] = {
    "version": 1, "name": "desk", "corpus": "corpus", "annotations": "annotations",
    "labels": [{"name": "sourced", "description": "Backed by a source.", "color": "#1b9e77",
                "requires_source": True}],
    "verdicts": ["true", "false"],
}


def both(name: schema.SchemaName, value: Any) -> bool:
    """The fast verdict, after checking that jsonschema gives the same one, and
    that the check of many at once (all_valid) does too."""
    fast = schema.is_valid(name, value)
    slow = schema.validator(name).is_valid(value)
    shown = json.dumps(value, ensure_ascii=False, default=str)
    assert fast is slow, f"fast path says {fast}, jsonschema {slow}: {shown}"
    assert schema.all_valid(name, [value]) is fast, f"all_valid says {not fast}: {shown}"
    assert schema.all_valid(name, [value, value]) is fast, shown
    return fast


# --- what the generated values are made of ---------------------------------

# Characters that matter to one check or another: non-ASCII letters and an
# astral one, IRI delimiters and characters IRIs forbid, whitespace that
# Python's \s and ECMA-262's \s do not agree on, a Bengali digit (\d), and
# control characters.
TRICKY = ("aZ09-._~%/?#[]@!$&'()*+,;=:" "|{}\"<>\\^` \t\n\r\x1b\x1c\x00\x85\xa0"
          "\u2028\ufeff\u200béßüø例テ😀\ue000\u09ea")
tricky_text = st.text(alphabet=st.sampled_from(TRICKY), max_size=12)

ascii_hosts = st.sampled_from(["x.example", "www.iiss.org", "de.wikipedia.org", "EXAMPLE.ORG",
                               "a-b.example", "127.0.0.1", "[2001:db8::1]",
                               "[2001:0db8:85a3:0000:0000:8a2e:0370:7334]", "localhost"])
idn_hosts = st.sampled_from(["bücher.example", "例え.テスト", "straße.de", "xn--bcher-kva.example",
                             "ƒøø.ßår", "😀.example"])
bad_hosts = st.sampled_from(["", "exa mple.org", "x.example:port", "a|b.example", "[::1",
                             "x\x1b.example"])
hosts = st.one_of(ascii_hosts, idn_hosts, bad_hosts, tricky_text)
ports = st.sampled_from(["", ":80", ":8080", ":65535", ":99999", ":", ":x"])
segments = st.one_of(
    st.sampled_from(["wiki/Straße", "wiki/Café", "wiki/Caf%C3%A9", "a%20b", "%zz", "%",
                     "%4", "a b", "a|b", "{x}", "<x>", "\"q\"", "a\\b", "^", "`", "\x1b",
                     "x\n", "\ue000", "(wîkïpédiå)", "~user", "😀", ""]),
    tricky_text)
queries = st.one_of(st.just(""), st.builds("?{}".format, segments))
fragments = st.one_of(st.just(""), st.builds("#{}".format, segments))
schemes = st.sampled_from(["https://", "http://", "HTTPS://", "hTtP://", "ftp://", "https:",
                           "https:/", "//", "", "mailto:"])


@st.composite
def iris(draw: st.DrawFn) -> str:
    """Source addresses: valid IRIs, nearly valid ones, and junk."""
    path = "/".join(draw(st.lists(segments, max_size=3)))
    return (draw(schemes) + draw(st.sampled_from(["", "user@", "u:p@"])) + draw(hosts)
            + draw(ports) + draw(st.sampled_from(["/", ""])) + path + draw(queries)
            + draw(fragments))


@st.composite
def timestamps(draw: st.DrawFn) -> str:
    """RFC 3339 date-times, most fields drawn a little past their limits."""
    year = draw(st.sampled_from(["2026", "1998", "0000", "9999", "226", "20260"]))
    month = draw(st.sampled_from(["01", "02", "11", "12", "13", "00", "6"]))
    day = draw(st.sampled_from(["01", "28", "29", "30", "31", "32", "1", "1\u09ea"]))
    hour = draw(st.sampled_from(["00", "11", "23", "24", "0\u09ea"]))
    minute = draw(st.sampled_from(["00", "59", "60"]))
    second = draw(st.sampled_from(["00", "59", "60", "61"]))
    fraction = draw(st.sampled_from(["", ".0", ".123", ".123456789", "."]))
    offset = draw(st.sampled_from(["Z", "z", "+00:00", "+01:00", "-08:00", "-24:00", "",
                                   "+0100", "Z\n", "+01:00Z"]))
    separator = draw(st.sampled_from(["T", "t", " ", "_"]))
    return (f"{year}-{month}-{day}{separator}{hour}:{minute}:{second}{fraction}{offset}")


ids = st.one_of(st.from_regex(r"\A[0-9a-z][0-9a-z_-]{3,63}\Z"), tricky_text,
                st.sampled_from(["abcd\n", "ABCD", "a" * 65, "-abc", "abc"]))
integers = st.one_of(st.integers(-5, 10**6), st.sampled_from([4565.0, 1.0, 0.0, -0.0, 1.5,
                                                              -1.0, 10**30, True, False]))

# JSON values only: every number finite.  RFC 8259 has no NaN or Infinity;
# jsonpos refuses them in records (AN105), and jsonschema-rs, which reads
# values as JSON, does not treat them as numbers.
json_scalars = (st.none() | st.booleans() | st.integers(-5, 10**6)
                | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40)
                | st.sampled_from(["", "https://x.org/", "ftp://x", "2026-01-01T00:00:00Z",
                                   "2026-13-01T00:00:00Z", "a" * 64, "0" * 64, "Z", "../a",
                                   "a/b.txt", "#1b9e77", "sourced", 1, 1.0, 4565.0]))
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)

# For each field, values of the right shape (valid or nearly so).
FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "id": ids,
    "document": st.one_of(tricky_text, st.sampled_from(["a/../b.txt", "/abs.txt", "a/./b",
                                                        "a\\b", "a\x00b", "ok.txt", "..",
                                                        "a/..\n", ".hidden/x.txt"])),
    "document_sha256": st.one_of(st.from_regex(r"\A[0-9a-f]{64}\Z"),
                                 st.sampled_from(["A" * 64, "0" * 63, "0" * 65, "0" * 64 + "\n"])),
    "start": integers, "end": integers,
    "quote": st.one_of(tricky_text, st.just("")),
    "prefix": st.text(max_size=34), "suffix": st.text(max_size=34),
    "label": tricky_text,
    "reviewer": st.one_of(tricky_text, st.sampled_from(["alice", ".alice", "a" * 129,
                                                        "bob@x.example", "../x", "a\n"])),
    "note": tricky_text,
    "sources": st.lists(st.one_of(iris(), json_scalars), max_size=3),
    "created": st.one_of(timestamps(), json_scalars),
    "modified": timestamps(),
    "verdict": tricky_text,
    "tags": st.lists(st.one_of(tricky_text, st.sampled_from([" x", "x ", "a b", "\x1c"])),
                     max_size=3),
    "orphaned": st.sampled_from([True, False, 1, 1.0, "true", None]),
    "previous_quote": st.one_of(tricky_text, json_scalars),
}


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    """VALID with a few fields replaced (by fitting or arbitrary values),
    removed, or added."""
    record = copy.deepcopy(VALID)
    for _ in range(draw(st.integers(0, 4))):
        key = draw(st.sampled_from([*FIELD_VALUES, "extra", ""]))
        action = draw(st.sampled_from(["fitting", "fitting", "any", "delete"]))
        if action == "delete":
            record.pop(key, None)
        elif action == "any" or key not in FIELD_VALUES:
            record[key] = draw(json_values)
        else:
            record[key] = draw(FIELD_VALUES[key])
    return record


@st.composite
def projects(draw: st.DrawFn) -> dict[str, Any]:
    """PROJECT with a few fields, or fields of its first label, changed."""
    project = copy.deepcopy(PROJECT)
    label = project["labels"][0]
    for _ in range(draw(st.integers(0, 3))):
        target = draw(st.sampled_from([project, label]))
        key = draw(st.sampled_from([*target, "extra"]))
        if draw(st.booleans()):
            target.pop(key, None)
        else:
            target[key] = draw(st.one_of(json_values, tricky_text))
    return project


# --- the differential tests ------------------------------------------------

@settings(max_examples=600, deadline=None)
@given(records())
@example({**VALID, "sources": ["https://de.wikipedia.org/wiki/Straße"]})
@example({**VALID, "created": "2026-11-29T11:00:00.123Z\n"})
@example({**VALID, "id": "abcd\n"})
def test_fast_path_agrees_on_annotation_records(record: dict[str, Any]) -> None:
    both("annotation", record)


@settings(max_examples=400, deadline=None)
@given(iris())
def test_fast_path_agrees_on_sources(url: str) -> None:
    both("annotation", {**VALID, "sources": [url]})


@settings(max_examples=300, deadline=None)
@given(timestamps())
def test_fast_path_agrees_on_timestamps(stamp: str) -> None:
    both("annotation", {**VALID, "created": stamp, "modified": stamp})


@settings(max_examples=300, deadline=None)
@given(projects())
def test_fast_path_agrees_on_project_files(project: dict[str, Any]) -> None:
    both("project", project)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_fast_path_agrees_on_arbitrary_json(value: Any) -> None:
    for name in ("annotation", "project", "validation-report"):
        both(name, value)


# --- known cases -----------------------------------------------------------

@pytest.mark.parametrize(("change", "valid"), [
    ({}, True),
    ({"start": 4565.0}, True),        # 2020-12: an integral float is an integer
    ({"start": 4565.5}, False),
    ({"start": True}, False),         # but a boolean is not
    ({"start": 10**30}, True),        # nor is an integer bounded
    ({"orphaned": True}, True),
    ({"orphaned": 1}, False),         # const true is not 1
    ({"sources": ["https://a.org/", "https://a.org/"]}, False),
    ({"created": "2026-02-30T00:00:00Z"}, False),
    ({"created": "2026-11-29T11:00:00+01:00"}, False),
    ({"prefix": "x" * 33}, False),
    ({"reviewer": "../x"}, False),
    ({"unexpected": 1}, False),
    ({"tags": ["\x1c"]}, False),     # Python's \S, which jsonschema uses, refuses U+001C
    # Sources are IRIs (RFC 3987): non-ASCII characters as they are.
    ({"sources": ["https://de.wikipedia.org/wiki/Straße"]}, True),
    ({"sources": ["https://en.wikipedia.org/wiki/Café"]}, True),
    ({"sources": ["https://en.wikipedia.org/wiki/Caf%C3%A9"]}, True),
    ({"sources": ["https://bücher.example/"]}, True),
    ({"sources": ["https://例え.テスト/パス?クエリ#断片"]}, True),
    ({"sources": ["http://x.example:8080/a?b=c&d=e#top"]}, True),
    ({"sources": ["HTTPS://WWW.IISS.ORG/"]}, True),
    ({"sources": ["https://exa mple.org"]}, False),
    ({"sources": ["https://x.example/%zz"]}, False),
    ({"sources": ["https://x.example/a|b"]}, False),
    ({"sources": ["https://x.example/{a}"]}, False),
    ({"sources": ['https://x.example/"a"']}, False),
    ({"sources": ["https://x.example/<a>"]}, False),
    ({"sources": ["https://x.example/a b"]}, False),
    ({"sources": ["https://x.example/\x1b[31m"]}, False),
    ({"sources": ["https://x.example/\n"]}, False),
    ({"sources": ["ftp://x.example/"]}, False),
    ({"sources": ["https:///no-host"]}, False),
])
def test_known_cases(change: dict[str, Any], valid: bool) -> None:
    assert both("annotation", {**VALID, **change}) is valid


def test_iri_and_date_time_checks_are_active() -> None:
    # jsonschema skips, silently, a format whose checker library is not
    # installed (rfc3339-validator for date-time; "iri" is ours, see
    # schema.format_checker): the schema would then accept any string there.
    checkers = schema.format_checker().checkers
    assert "iri" in checkers
    assert "date-time" in checkers, "pip install rfc3339-validator (see setup.cfg)"
    for change in ({"sources": ["https://x.example/%zz"]},
                   {"created": "2026-02-30T00:00:00Z"}):
        record = {**VALID, **change}
        assert not schema.validator("annotation").is_valid(record)
        assert not schema.is_valid("annotation", record)
        assert not schema.fast_check("annotation")(record)


@pytest.mark.parametrize("name", ["annotation", "project", "validation-report"])
def test_the_fast_path_is_jsonschema_rs(name: schema.SchemaName) -> None:
    # jsonschema itself is only the fallback for a schema jsonschema-rs refuses.
    assert schema.fast_validator(schema.load_schema(name)) is not None
    assert schema.fast_check(name) is not schema.validator(name).is_valid


def test_a_schema_jsonschema_rs_refuses_falls_back_to_jsonschema() -> None:
    # Python regex syntax that is no regex at all, and a reference to elsewhere.
    assert schema.fast_validator({"pattern": "(?P<x"}) is None
    assert schema.fast_validator({"$ref": "https://example.org/other.json"}) is None


@pytest.mark.parametrize(("value", "valid"), [
    ("abcd\n", True),     # Python's $ matches before a final newline; ECMA's does not
    ("\u09ea", True),     # Python's \d matches a Bengali 4; ECMA's does not
    ("x", False),
    (5, True),            # pattern constrains strings only
])
def test_patterns_are_python_regexes_as_in_jsonschema(value: Any, valid: bool) -> None:
    schema_ = {"pattern": "^(\\d|[a-z]{4})$"}
    assert Draft202012Validator(schema_).is_valid(value) is valid
    fast = schema.fast_validator(schema_)
    assert fast is not None
    assert fast.is_valid(value) is valid


@pytest.mark.parametrize(("format_", "value"), [
    ("date-time", "2026-11-29T11:00:00Z\n"),   # rfc3339-validator's $ lets a newline end it
    ("uri", "https://x.example/\n"),           # so does rfc3986-validator's
    ("duration", "not a duration"),            # no checker installed: jsonschema skips it
])
def test_formats_are_jsonschemas_own(format_: str, value: str) -> None:
    # jsonschema-rs's own format checks would refuse each of these.
    schema_ = {"format": format_}
    expected = Draft202012Validator(schema_, format_checker=schema.format_checker()
                                    ).is_valid(value)
    assert expected is True
    fast = schema.fast_validator(schema_)
    assert fast is not None
    assert fast.is_valid(value) is expected


@pytest.mark.parametrize(("url", "valid"), [
    ("https://[::1]:8080/", True),            # RFC 3986 IPv6 "::" shorthand
    ("https://x.example/\U0001F600", True),   # ucschar reaches past the BMP
    ("https://x.example/\ue000", False),      # private use: only in a query
    ("https://x.example/?\ue000", True),
    ("https://x.example/\ud800", False),      # an unpaired surrogate is no character
    (5, True),                                # formats constrain strings only
])
def test_iri_format(url: Any, valid: bool) -> None:
    assert schema.format_checker().conforms(url, "iri") is valid


def test_an_unpaired_surrogate_in_a_project_file_is_refused_not_a_crash() -> None:
    # json.loads lets "\ud800" through (jsonpos refuses it in records);
    # jsonschema-rs cannot take it, so jsonschema decides.
    assert both("project", {**PROJECT, "name": "\ud800"}) is True
    assert both("project", {**PROJECT, "\ud800": 1}) is False
    assert both("annotation", {**VALID, "sources": ["https://x.example/\ud800"]}) is False


@pytest.mark.parametrize(("items", "unique"), [
    ([1, 1.0], False), ([True, 1], True), ([False, 0], True), ([True, True], False),
    (["a", "b"], True), ([None, None], False), ([[1], [1.0]], False),
    ([{"a": 1}, {"a": 2}], True), ([{"a": 1, "b": 2}, {"b": 2, "a": 1.0}], False),
])
def test_unique_items_agree_with_jsonschema(items: list[Any], unique: bool) -> None:
    schema_ = {"type": "array", "uniqueItems": True}
    assert Draft202012Validator(schema_).is_valid(items) is unique
    fast = schema.fast_validator(schema_)
    assert fast is not None
    assert fast.is_valid(items) is unique


def test_unique_items_of_a_million_numbers() -> None:
    # A hostile array must not take quadratic time.
    fast = schema.fast_validator({"uniqueItems": True})
    assert fast is not None
    many = list(range(1_000_000))
    assert fast.is_valid(many) is True
    assert fast.is_valid([*many, 999_999.0]) is False


def test_deepest_json_does_not_crash_the_fast_path() -> None:
    # jsonschema-rs recurses on the native stack; callers hand it at most what
    # json.loads can build (it stops near Python's recursion limit).
    depth = sys.getrecursionlimit() - 100
    value = json.loads("[" * depth + "]" * depth)
    assert both("project", value) is False
    assert schema.fast_validator({"items": {"$ref": "#"}}).is_valid(value)  # type: ignore[union-attr]


def test_checking_a_project_file_does_not_import_jsonschema() -> None:
    # The project file is checked by every command; the project schema has
    # no format, so the fast path needs no jsonschema at all.
    code = ("import sys; from annotate import schema; "
            f"assert schema.is_valid('project', {PROJECT!r}); "
            "print('jsonschema' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"


# --- all_valid: many at once -------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.lists(records(), max_size=5))
def test_all_valid_is_every_record_valid(batch: list[dict[str, Any]]) -> None:
    assert schema.all_valid("annotation", batch) is all(
        schema.validator("annotation").is_valid(record) for record in batch)


def test_all_valid_of_nothing_is_true() -> None:
    assert schema.all_valid("annotation", []) is True


@pytest.mark.parametrize("name", ["annotation", "project", "finished", "validation-report"])
def test_our_schemas_are_split(name: schema.SchemaName) -> None:
    # Otherwise all_valid would quietly check one by one, at ten times the cost.
    stripped, where = schema.split_schema(schema.load_schema(name))
    assert where
    pending: list[dict[str, Any]] = [stripped]
    keywords: set[str] = set()
    while pending:  # every keyword of every subschema (property names are not keywords)
        node = pending.pop()
        keywords.update(node)
        for key, value in node.items():
            children = value.values() if key in ("properties", "$defs") else [value]
            pending.extend(child for child in children
                           if isinstance(child, dict) and key not in ("const", "enum"))
    assert not keywords & {"pattern", "format"}
    assert schema.split_validator(schema.load_schema(name), bool) is not None


def test_the_annotation_schema_splits_into_its_patterns_and_formats() -> None:
    _, where = schema.split_schema(schema.load_schema("annotation"))
    assert where[("created",)] == [("format", "date-time"), ("pattern", "Z$(?!\\n)")]
    assert where[("reviewer",)] == [  # reached through $ref
        ("pattern", "^[A-Za-z0-9_@+-][A-Za-z0-9._@+-]{0,127}$(?!\\n)")]
    assert [kind for kind, _ in where[("sources", None)]] == ["format", "pattern"]


@pytest.mark.parametrize("schema_", [
    True,
    {"anyOf": [{"pattern": "^a"}, {"type": "integer"}]},   # not a plain "must hold"
    {"not": {"format": "date-time"}},
    {"if": {"pattern": "a"}, "then": {"minLength": 2}},
    {"additionalProperties": {"pattern": "^a"}},
    {"patternProperties": {"^x": {"type": "string"}}},
    {"$ref": "#"},
    {"$ref": "https://example.org/other.json"},
    {"properties": {"a": {"$id": "https://example.org/a", "pattern": "^a"}}},
    {"$defs": {"a": {"items": {"$ref": "#/$defs/a"}}}, "$ref": "#/$defs/a"},  # recursive
    {"pattern": 5},
    {"unknownKeyword": {"pattern": "^a"}},
])
def test_a_schema_that_cannot_be_split_exactly_is_not(schema_: Any) -> None:
    with pytest.raises(ValueError):
        schema.split_schema(schema_)
    assert schema.split_validator(schema_, bool) is None


SPLIT_CASES = [
    # (schema, instances, valid)
    ({"properties": {"a": {"pattern": "^x$"}}}, [{"a": "x"}, {"a": 5}, {"b": "y"}, 7], True),
    ({"properties": {"a": {"pattern": "^x$"}}}, [{"a": "x"}, {"a": "y"}], False),
    ({"properties": {"a": {"pattern": "^x$"}}}, [{"a": [1]}, {"a": {"b": 1}}], True),
    ({"properties": {"a": {"format": "date-time"}}}, [{"a": 1}, {"a": True}, {"a": None}],
     True),
    ({"properties": {"a": {"format": "date-time"}}},
     [{"a": "2026-11-29T11:00:00Z"}, {"a": "2026-02-30T00:00:00Z"}], False),
    ({"properties": {"a": {"format": "no-such-format"}}}, [{"a": "anything"}], True),
    ({"items": {"pattern": "^x"}}, [["x1", "x2"], ["x3"], "y", {"a": "y"}], True),
    ({"items": {"pattern": "^x"}}, [["x1"], ["y"]], False),
    ({"$defs": {"s": {"pattern": "^x"}}, "properties": {"a": {"$ref": "#/$defs/s"},
                                                         "b": {"$ref": "#/$defs/s"}}},
     [{"a": "x", "b": "x"}, {"a": "x", "b": "y"}], False),
    ({"type": "object", "required": ["a", "b"],
      "properties": {"a": {"pattern": "^x"}, "b": {"pattern": "^y"}, "c": {"pattern": "^z"}}},
     [{"a": "x", "b": "y"}, {"a": "x", "b": "y", "c": "z"}], True),
    ({"type": "object", "required": ["a", "b"],
      "properties": {"a": {"pattern": "^x"}, "b": {"pattern": "^y"}, "c": {"pattern": "^z"}}},
     [{"a": "x", "b": "y"}, {"a": "x", "b": "y", "c": "q"}], False),
    ({"type": "object", "required": ["a", "b"], "properties": {"a": {"pattern": "^x"}}},
     [{"a": "x", "b": 1}, {"a": "x"}], False),  # the structure fails first
]


@pytest.mark.parametrize(("schema_", "instances", "valid"), SPLIT_CASES)
def test_the_split_check_says_what_jsonschema_says_of_each(schema_: dict[str, Any],
                                                           instances: list[Any],
                                                           valid: bool) -> None:
    each = Draft202012Validator(schema_, format_checker=schema.format_checker())
    assert all(each.is_valid(instance) for instance in instances) is valid
    split = schema.split_validator(schema_, each.is_valid)
    assert split is not None
    assert split(instances) is valid


def test_an_instance_jsonschema_rs_cannot_take_is_checked_one_by_one() -> None:
    # An unpaired surrogate: jsonschema-rs cannot convert it, jsonschema decides.
    assert schema.all_valid("annotation", [VALID, {**VALID, "note": "\ud800"}]) is True
    assert schema.all_valid("annotation",
                            [VALID, {**VALID, "sources": ["https://x.example/\ud800"]}]) is False


_STAMPS = st.from_regex(r"[0-9٢]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}"
                        r"(\.[0-9]{1,3})?([Zz]|[+-][0-9]{2}:[0-9]{2})\n?", fullmatch=True)


@given(st.sets(_STAMPS | st.text(max_size=30), max_size=8))
def test_the_batch_date_time_check_is_jsonschemas(stamps: set[str]) -> None:
    # Many timestamps at once (schema._datetimes_check) answer exactly as
    # jsonschema's own check of each.
    from jsonschema import _format

    # The premise: the format checker validate uses checks with this function.
    assert schema.format_checker().checkers["date-time"][0] is _format.is_datetime
    batch = schema._datetimes_check()
    assert batch is not None
    assert batch(stamps, []) is all(_format.is_datetime(stamp) for stamp in stamps)


def test_checking_records_does_not_import_jsonschema() -> None:
    # A writer checks every record it writes (all_valid); jsonschema, whose
    # import takes about 75 ms, is for the errors of an invalid one.
    script = ("import sys, json\n"
              "from annotate import schema\n"
              f"record = json.loads({json.dumps(json.dumps(VALID))})\n"
              "assert schema.all_valid('annotation', [record])\n"
              "assert not schema.all_valid('annotation', "
              "[{**record, 'created': '2026-02-30T00:00:00Z'}])\n"
              "print('jsonschema' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"
