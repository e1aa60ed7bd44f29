"""Strict JSON Lines parsing with positions, and JSON path -> offset."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate import jsonpos
from annotate.anchoring.textindex import LineIndex
from annotate.jsonpos import (
    MAX_DEPTH,
    MAX_PROBLEMS,
    ParseResult,
    SyntaxProblem,
    decode_utf8,
    locate,
    parse_json_line,
)

NAN_MESSAGE = "is not a JSON number (RFC 8259 section 6: NaN and Infinity are not permitted)"
DEEP_MESSAGE = f"arrays and objects nested more than {MAX_DEPTH} levels deep"
BOM_MESSAGE = "UTF-8 byte order mark (U+FEFF) before the JSON value; save the file without it"


def problems(result: ParseResult) -> list[tuple[str, int]]:
    return [(problem.code, problem.offset) for problem in result.problems]


# --- parse_json_line: good lines ----------------------------------------------


def test_a_valid_record_parses_without_problems() -> None:
    result = parse_json_line('{"end": 9, "label": "sourced", "sources": ["https://a.example/"]}')
    assert result == ParseResult(
        {"end": 9, "label": "sourced", "sources": ["https://a.example/"]}, (), True)


def test_json_null_is_a_parsed_value_not_a_failure() -> None:
    assert parse_json_line("null") == ParseResult(None, (), True)


def test_a_crlf_line_ending_is_whitespace() -> None:
    # Splitting a CRLF file on "\n" leaves "\r" at the end of every line.
    assert parse_json_line('{"a": 1}\r') == ParseResult({"a": 1}, (), True)


def test_a_tiny_float_underflows_quietly_and_is_accepted() -> None:
    assert parse_json_line('{"a": 1e-400}') == ParseResult({"a": 0.0}, (), True)


def test_escaped_surrogate_pairs_are_text() -> None:
    result = parse_json_line('{"emoji": "\\ud83d\\ude00"}')
    assert result == ParseResult({"emoji": "\U0001f600"}, (), True)


# --- BOM and blank lines --------------------------------------------------------


def test_a_bom_is_reported_at_offset_0_and_parsing_goes_on() -> None:
    result = parse_json_line('\ufeff{"a": 1}')
    assert result.parsed
    assert result.value == {"a": 1}
    assert result.problems == (SyntaxProblem("AN103", 0, BOM_MESSAGE),)


def test_offsets_after_a_bom_count_the_bom() -> None:
    result = parse_json_line('\ufeff{"a": 1,}')
    assert not result.parsed
    assert problems(result) == [("AN103", 0), ("AN101", 9)]
    assert result.problems[1].message == (
        "not valid JSON: expecting property name enclosed in double quotes")


@pytest.mark.parametrize("line", ["", " ", "\t \r", "\r", "  \n"])
def test_blank_lines_are_reported(line: str) -> None:
    result = parse_json_line(line)
    assert result == ParseResult(None, (SyntaxProblem(
        "AN107", 0, "blank line: JSON Lines needs one JSON value on every line"),), False)


def test_a_bom_alone_is_a_bom_and_a_blank_line() -> None:
    assert problems(parse_json_line("\ufeff")) == [("AN103", 0), ("AN107", 1)]


# --- syntax errors ------------------------------------------------------------------


@pytest.mark.parametrize(("line", "offset", "message"), [
    ('{"a": 1,}', 8, "expecting property name enclosed in double quotes"),
    ('{"a" 1}', 5, "expecting ':' delimiter"),
    ("[1 2]", 3, "expecting ',' delimiter"),
    ('{"a": 1} x', 9, "extra data"),
    ('{"a": "x', 6, "unterminated string"),
    ('{"a": "\x01"}', 7, "invalid control character"),
    ("{'a': 1}", 1, "expecting property name enclosed in double quotes"),
    ('{"a": tru}', 6, "expecting value"),
    ('{"a": "\\q"}', 7, "invalid \\escape"),
    ('[1] [2]', 4, "extra data"),
])
def test_syntax_errors_are_reported_where_json_stopped(line: str, offset: int,
                                                       message: str) -> None:
    result = parse_json_line(line)
    assert result == ParseResult(
        None, (SyntaxProblem("AN101", offset, f"not valid JSON: {message}"),), False)


# --- NaN, Infinity and numbers out of range ----------------------------------------


@pytest.mark.parametrize(("line", "offset", "constant"), [
    ('{"a": NaN}', 6, "NaN"),
    ('{"a": Infinity}', 6, "Infinity"),
    ('{"a": [1, -Infinity]}', 10, "-Infinity"),
    # The same words inside strings are text, not numbers.
    ('{"NaN": "Infinity", "b": NaN}', 25, "NaN"),
])
def test_nan_and_infinity_are_reported_at_the_constant(line: str, offset: int,
                                                       constant: str) -> None:
    result = parse_json_line(line)
    assert result == ParseResult(
        None, (SyntaxProblem("AN105", offset, f"{constant} {NAN_MESSAGE}"),), False)


def test_every_constant_of_a_line_is_reported_in_order() -> None:
    result = parse_json_line('{"a": NaN, "b": -Infinity, "c": Infinity}')
    assert problems(result) == [("AN105", 6), ("AN105", 16), ("AN105", 32)]


@pytest.mark.parametrize(("number", "offset"), [("1e400", 6), ("-1.5E+999", 6)])
def test_a_float_that_overflows_to_infinity_is_reported(number: str, offset: int) -> None:
    result = parse_json_line(f'{{"a": {number}}}')
    assert result.problems == (SyntaxProblem(
        "AN105", offset,
        f"number {number} is too large for a double and would be read as Infinity"),)
    assert not result.parsed


def test_an_integer_too_long_to_convert_is_reported_not_raised() -> None:
    limit = jsonpos._INT_MAX_DIGITS
    digits = (limit or 5000) + 1
    result = parse_json_line('{"start": ' + "7" * digits + "}")
    if limit:  # CPython >= 3.10.7 refuses to convert such integers
        assert result == ParseResult(None, (SyntaxProblem(
            "AN105", 10, f"integer with {digits} digits is too large to read "
                         f"(the limit is {limit} digits)"),), False)
    else:
        assert result.parsed


def test_an_integer_at_the_digit_limit_still_parses() -> None:
    digits = jsonpos._INT_MAX_DIGITS or 4300
    result = parse_json_line('{"start": ' + "7" * digits + "}")
    assert result.parsed
    assert result.value == {"start": int("7" * digits)}


def test_one_hostile_line_yields_at_most_max_problems() -> None:
    result = parse_json_line("[" + ",".join(["NaN"] * 100) + "]")
    assert len(result.problems) == MAX_PROBLEMS == 20
    assert [problem.offset for problem in result.problems] == list(range(1, 80, 4))


# --- duplicate keys ------------------------------------------------------------------


def test_a_duplicate_key_is_reported_at_the_second_key() -> None:
    result = parse_json_line('{"a": 1, "b": {"a": 2, "a": 3}}')
    assert result == ParseResult(None, (SyntaxProblem(
        "AN104", 23,
        "duplicate key 'a' in one object (RFC 8259 section 4: names SHOULD be unique)"),), False)


def test_keys_are_compared_after_unescaping() -> None:
    assert problems(parse_json_line('{"a": 1, "\\u0061": 2}')) == [("AN104", 9)]


def test_equal_keys_in_different_objects_are_fine() -> None:
    line = '[{"a": 1}, {"a": 2}, {"b": {"a": 3}, "a": ["a", "a"]}]'
    assert parse_json_line(line).parsed


def test_each_repeat_is_reported_and_problems_come_in_text_order() -> None:
    result = parse_json_line('{"a": 1, "a": 2, "x": NaN, "a": 3}')
    assert problems(result) == [("AN104", 9), ("AN105", 22), ("AN104", 27)]


# --- unpaired surrogates --------------------------------------------------------------


@pytest.mark.parametrize(("line", "offset"), [
    ('"\\ud800"', 0),
    ('{"quote": "x\\udc00y"}', 10),
    ('{"\\ud800": 1}', 1),
])
def test_unpaired_surrogate_escapes_are_reported(line: str, offset: int) -> None:
    result = parse_json_line(line)
    assert result == ParseResult(None, (SyntaxProblem(
        "AN110", offset, "string contains an unpaired UTF-16 surrogate escape "
                         "(RFC 8259 section 8.2: such strings are not Unicode text)"),), False)


def test_an_escaped_backslash_before_u_is_not_a_surrogate() -> None:
    assert parse_json_line('{"a": "\\\\ud800"}') == ParseResult({"a": "\\ud800"}, (), True)


# --- nesting -----------------------------------------------------------------------------


def test_100000_levels_of_arrays_are_reported_where_the_limit_is_passed() -> None:
    line = "[" * 100_000 + "]" * 100_000
    assert parse_json_line(line) == ParseResult(
        None, (SyntaxProblem("AN106", MAX_DEPTH, DEEP_MESSAGE),), False)


def test_100000_levels_of_objects_are_reported_where_the_limit_is_passed() -> None:
    line = '{"a":' * 100_000 + "1" + "}" * 100_000
    # Each level is 5 characters; the bracket opening level 65 starts level 64's value.
    assert problems(parse_json_line(line)) == [("AN106", 5 * MAX_DEPTH)]


def test_100000_unclosed_brackets_are_too_deep_not_unterminated() -> None:
    assert problems(parse_json_line("[" * 100_000)) == [("AN106", MAX_DEPTH)]


def test_nesting_at_the_limit_parses_and_one_more_level_does_not() -> None:
    at_limit = parse_json_line("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert at_limit.parsed
    assert problems(parse_json_line("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))) == [
        ("AN106", MAX_DEPTH)]


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    line = '{"note": "' + "[{" * 1000 + '\\"[[["}'
    assert parse_json_line(line) == ParseResult({"note": "[{" * 1000 + '"[[['}, (), True)


def test_a_syntax_error_before_the_deep_part_wins() -> None:
    assert problems(parse_json_line("[x" + "[" * 100_000)) == [("AN101", 1)]


# --- 50 MB on one line ----------------------------------------------------------------------


def test_a_50_mb_line_parses_and_its_values_are_located() -> None:
    note = "x" * 50_000_000
    line = '{"note": "' + note + '", "start": 1}'
    result = parse_json_line(line)
    assert result.parsed
    assert result.value["start"] == 1
    assert len(result.value["note"]) == 50_000_000
    start = locate(line, ["start"])
    assert start == len('{"note": "') + 50_000_000 + len('", "start": ')
    assert line[start:] == "1}"
    assert LineIndex(line).position(start) == (1, start + 1)


def test_a_50_mb_line_that_breaks_at_the_end_is_reported_there() -> None:
    line = '{"note": "' + "x" * 50_000_000 + '" "start": 1}'
    assert parse_json_line(line) == ParseResult(None, (SyntaxProblem(
        "AN101", 10 + 50_000_000 + 2, "not valid JSON: expecting ',' delimiter"),), False)


def test_a_50_mb_string_of_escapes_is_skipped_in_one_step() -> None:
    # 17 million escaped quotes: a regex needs an iteration per escape here.
    line = '{"note": "' + 'x\\"' * 17_000_000 + '", "start": 1}'
    start = locate(line, ["start"])
    assert start == len('{"note": "') + 3 * 17_000_000 + len('", "start": ')
    assert line[start:] == "1}"


def test_a_50_mb_array_of_ten_million_short_strings_is_indexed_in_bulk() -> None:
    line = '{"tags": [' + '"ab",' * 10_000_000 + '"last"], "z": 1}'
    assert locate(line, ["tags", 10_000_000]) == line.index('"last"')
    assert locate(line, ["tags", 5_000_000]) == 10 + 5 * 5_000_000
    assert locate(line, ["z"]) == len(line) - 2


# --- decode_utf8 ---------------------------------------------------------------------------


def test_valid_utf8_decodes_without_problems() -> None:
    assert decode_utf8('{"q": "Kim–Putin"}\n'.encode()) == ('{"q": "Kim–Putin"}\n', [])


def test_a_bom_survives_decoding_so_the_parser_can_report_it() -> None:
    assert decode_utf8(b'\xef\xbb\xbf{}') == ("\ufeff{}", [])


def test_invalid_utf8_is_reported_at_its_code_point_offset() -> None:
    # "é" is two bytes, so the bad byte is at byte 8 but code point 7.
    text, found = decode_utf8(b'{"\xc3\xa9": "\xff"}')
    assert text == '{"é": "\ufffd"}'
    assert found == [SyntaxProblem(
        "AN102", 7, "invalid UTF-8 (invalid start byte: byte ff at byte offset 8)")]
    assert parse_json_line(text) == ParseResult({"é": "\ufffd"}, (), True)


def test_a_sequence_cut_short_at_the_end_is_one_problem() -> None:
    assert decode_utf8(b"x\xf0\x9f\x98") == ("x\ufffd", [SyntaxProblem(
        "AN102", 1, "invalid UTF-8 (unexpected end of data: bytes f0 9f 98 at byte offset 1)")])


@pytest.mark.parametrize("data", [
    b"\xc0\xaf",  # overlong "/"
    b"\xed\xa0\x80",  # an encoded surrogate
    b'{"a": "\x80"}\n{"b": "\xfe\xff"}',
    b"\xff" * 100,
])
def test_decoding_matches_pythons_replace_handler(data: bytes) -> None:
    text, found = decode_utf8(data)
    assert text == data.decode("utf-8", "replace")
    offsets = [problem.offset for problem in found]
    replaced = [index for index, char in enumerate(text) if char == "\ufffd"]
    assert offsets == replaced[:MAX_PROBLEMS]
    assert all(problem.code == "AN102" for problem in found)


# --- locate ---------------------------------------------------------------------------------

SAMPLE = ('{"id": "a1", "span": {"start": 3, "end": 9},\n'
          ' "sources": ["https://a.example/", {"url": "x", "note": "[\\"}"}],\n'
          ' "a\\u0062": true, "empty": {}, "none": []}')


@pytest.mark.parametrize(("path", "expected"), [
    ([], "{"),
    (["id"], '"a1"'),
    (["span"], '{"start"'),
    (["span", "end"], "9}"),
    (["sources", 0], '"https'),
    (["sources", 1, "note"], '"[\\"}"'),
    (["ab"], "true"),  # the key was written "a\u0062"
])
def test_locate_finds_the_start_of_the_value(path: list[str | int], expected: str) -> None:
    offset = locate(SAMPLE, path)
    assert SAMPLE[offset:offset + len(expected)] == expected


@pytest.mark.parametrize(("path", "enclosing"), [
    (["quote"], []),  # a missing required property: the record itself
    (["span", "length"], ["span"]),
    (["sources", 2], ["sources"]),  # index past the end
    (["sources", -1], ["sources"]),
    (["sources", 0, "x"], ["sources", 0]),  # a key looked up in a string
    (["id", 0], ["id"]),
    (["span", 0], ["span"]),  # an index looked up in an object
    (["empty", "a"], ["empty"]),
    (["none", 0], ["none"]),
])
def test_a_missing_element_gives_the_innermost_value_that_exists(
        path: list[str | int], enclosing: list[str | int]) -> None:
    assert locate(SAMPLE, path) == locate(SAMPLE, enclosing)


def test_locate_gives_line_and_column_through_line_index_in_a_crlf_text() -> None:
    text = '{\r\n  "a": 1,\r\n  "b": [true, 2]\r\n}\r\n'
    offset = locate(text, ["b", 1])
    assert text[offset] == "2"
    assert LineIndex(text).position(offset) == (3, 15)


def test_locate_skips_a_bom_and_whitespace() -> None:
    assert locate('\ufeff  {"a": 1}', []) == 3
    assert locate('\ufeff  {"a": 1}', ["a"]) == 9


def test_locate_takes_the_first_of_duplicate_keys() -> None:
    assert locate('{"a": 1, "a": 2}', ["a"]) == 6


@pytest.mark.parametrize(("text", "path", "offset"), [
    ("", ["a"], 0),
    ('{"a" 1}', ["a"], 0),
    ('{"a": [1, 2', ["a", 5], 6),
    ('{"a": [1, 2', ["a", 1], 10),
    ('{"a": "unterminated', ["b"], 0),
    ('{"a": @, "b": 1}', ["b"], 0),
])
def test_locate_never_raises_on_text_that_is_not_json(text: str, path: list[str | int],
                                                       offset: int) -> None:
    assert locate(text, path) == offset


def test_locate_walks_100000_levels_without_recursion() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    assert locate(deep, [0] * 99_999) == 99_999
    assert locate(deep, [0] * 100_000) == 99_999  # the innermost array is empty
    # Skipping over a 100,000-deep sibling to reach the value after it.
    assert locate("[" + deep + ", 7]", [1]) == 1 + 200_000 + 2


COMMA_FREE = ['"plain"', '""', '"é"', "-12.5e3", "true", "null", "0"]
WITH_COMMAS = [*COMMA_FREE, '"a, b"', '","']


@pytest.mark.parametrize(("seed", "plain"), [(0, COMMA_FREE), (1, COMMA_FREE),
                                             (2, WITH_COMMAS), (3, WITH_COMMAS)])
def test_locate_in_long_arrays_of_mixed_items_matches_where_they_were_written(
        seed: int, plain: list[str]) -> None:
    # Long enough for the bulk path (runs of plain items counted in C,
    # halved until small; simpler when no string holds a comma) and mixing
    # in everything that interrupts a run.
    rng = random.Random(seed)
    interrupting = ['"[{"', '"x\\"y"', '"\\\\"', '{"k": [1, ","]}', "[]", '[",", ["]"]]',
                    '{"a\\u0062": ","}']
    # Mostly plain, so runs are far longer than the 4096 characters below
    # which the bulk path stops halving.
    items = [rng.choice(interrupting if rng.random() < 0.002 else plain)
             for _ in range(20_000)]
    separators = [rng.choice([",", ", ", " ,\n\t", ",\r\n  "]) for _ in items]
    parts = ["[ "]
    starts = []
    position = 2
    for item, separator in zip(items, separators, strict=True):
        starts.append(position)
        parts += [item, separator]
        position += len(item) + len(separator)
    parts[-1] = " ]"
    text = "".join(parts)
    assert json.loads(text)  # the test data is JSON
    for index in [0, 1, 2, 4_999, 10_000, 19_998, 19_999, *rng.sample(range(20_000), 20)]:
        assert locate(text, [index]) == starts[index], index
    assert locate(text, [20_000]) == 0
    nested = '{"tags": ' + text + ', "z": 1}'
    assert locate(nested, ["tags", 19_999]) == 9 + starts[19_999]
    assert locate(nested, ["z"]) == len(nested) - 2


def test_bisection_skips_a_huge_string_full_of_commas_as_one_item() -> None:
    text = '["' + "," * 100_000 + '", 1, "' + "a," * 50_000 + '", 2]'
    assert locate(text, [1]) == 100_005
    assert locate(text, [3]) == len(text) - 2
    assert locate(text, [4]) == 0


# --- locate and jsonschema together ------------------------------------------------------------


def test_schema_errors_are_placed_at_the_offending_value() -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["quote"],
        "properties": {
            "start": {"type": "integer", "minimum": 0},
            "sources": {"type": "array", "items": {"type": "string"}},
        },
    }
    line = '{"sources": ["https://a.example/", 5], "start": -1}'
    record = parse_json_line(line).value
    validator = jsonschema.Draft202012Validator(schema)
    # relevance ranks the best match highest, so reverse=True puts the most
    # relevant error first, as validation reports them.
    errors = sorted(validator.iter_errors(record), key=jsonschema.exceptions.relevance,
                    reverse=True)
    index = LineIndex(line)
    placed = [
        (error.message, index.position(locate(line, list(error.absolute_path))))
        for error in errors
    ]
    assert placed == [
        ("'quote' is a required property", (1, 1)),
        ("-1 is less than the minimum of 0", (1, 49)),
        ("5 is not of type 'string'", (1, 36)),
    ]
    best = jsonschema.exceptions.best_match(validator.iter_errors(record))
    assert best is not None
    assert best.message == placed[0][0]


# --- properties --------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=20,
)


def paths(value: Any) -> Iterator[tuple[list[str | int], Any]]:
    stack: list[tuple[list[str | int], Any]] = [([], value)]
    while stack:
        path, current = stack.pop()
        yield path, current
        if isinstance(current, dict):
            stack.extend(([*path, key], child) for key, child in current.items())
        elif isinstance(current, list):
            stack.extend(([*path, index], child) for index, child in enumerate(current))


@settings(max_examples=200, deadline=None)
@given(value=json_values, indent=st.sampled_from([None, 0, 2]),
       ensure_ascii=st.booleans(), compact=st.booleans())
def test_every_path_locates_a_value_that_decodes_to_it(value: Any, indent: int | None,
                                                       ensure_ascii: bool,
                                                       compact: bool) -> None:
    separators = (",", ":") if compact else (", ", ": ")
    text = json.dumps(value, indent=indent, ensure_ascii=ensure_ascii, separators=separators)
    decoder = json.JSONDecoder()
    for path, expected in paths(value):
        found, _ = decoder.raw_decode(text, locate(text, path))
        assert found == expected


@settings(max_examples=200, deadline=None)
@given(value=json_values)
def test_parse_json_line_round_trips_what_json_dumps_writes(value: Any) -> None:
    assert parse_json_line(json.dumps(value)) == ParseResult(value, (), True)


# --- parse_lines: a whole file's lines at once ------------------------------------------------
#
# It must say exactly what parse_json_line says, line by line: the values
# when no line has a problem, else None (the reader then asks line by line).

# Lines our writers make, and lines that are each one problem or one detour
# through parse_json_line (a BOM, a \u escape, many brackets, leading space).
LINE_PIECES = [
    '{"a": 1}', '{"a": "x", "b": [1, 2]}', '{"a": 1}\r', '{"a": 1} ', ' {"a": 1}',
    '\ufeff{"a": 1}', '{"a": 1, "a": 2}', '{"a": NaN}', '{"a": -Infinity}', '{"a": 1e400}',
    '{"a": 1e-400}', '{"a": "\\ud800"}', '{"a": "\\ud83d\\ude00"}', '{"a": "\\\\ud800"}',
    '{"a": "\\u00e9"}', '[1, 2]', '"text"', '3', 'null', '{"a": 1} x', '{"a": 1', '{"a":}',
    '{"a": "tab\\there"}', '{"a": "{[{["}', "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
    '{"a": ' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}", "[" * MAX_DEPTH + "]" * MAX_DEPTH,
    '{"a": "' + "[" * 100 + '"}', "1" * 5000, '{"a": ' + "1" * 5000 + "}",
    '{"k": 1, "k": 1, "' + "x" * 50 + '": [1.5, true, false, null]}',
]


def line_by_line(lines: list[str]) -> list[Any] | None:
    results = [parse_json_line(line) for line in lines]
    return None if any(r.problems for r in results) else [r.value for r in results]


@pytest.mark.parametrize("line", LINE_PIECES)
def test_parse_lines_says_what_parse_json_line_says(line: str) -> None:
    for lines in ([line], ['{"a": 1}', line], [line, '{"b": 2}'], [line, line]):
        assert jsonpos.parse_lines(lines) == line_by_line(lines)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(LINE_PIECES),
                          st.builds(json.dumps, json_values),
                          st.builds(lambda v: json.dumps({"v": v}, ensure_ascii=False),
                                    json_values),
                          st.text(max_size=12)),
                max_size=6))
def test_parse_lines_agrees_with_parse_json_line_on_any_lines(lines: list[str]) -> None:
    lines = [line for line in lines if line.strip(" \t\r\n")]  # the reader skips blank lines
    assert jsonpos.parse_lines(lines) == line_by_line(lines)


def test_a_flag_raised_on_one_line_is_not_carried_to_the_next_file() -> None:
    assert jsonpos.parse_lines(['{"a": 1, "a": 2}']) is None
    assert jsonpos.parse_lines(['{"a": 1}']) == [{"a": 1}]


# --- parse_text: a whole file's text at once ----------------------------------------------
#
# It must say what parse_lines says of the text's lines that are not blank.
# Besides the pieces above: objects spread over lines, two values on a
# line, values that a line opens and the next one closes, blank lines.
TEXT_PIECES = [*LINE_PIECES, '{"a":', '1}', '{"a": 1}, {"b": 2}', '{"a": [', ']}', "",
               " ", "\t", "\u3000", '{"a": "\\u0041"}', '{"a"\n: 1}', '{}', '{"a": {}}',
               '{"a": 1}{"b": 2}', '}', '{']


def nonblank_lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line and not line.isspace()]


@pytest.mark.parametrize("piece", TEXT_PIECES)
def test_parse_text_says_what_parse_lines_says(piece: str) -> None:
    for text in (piece, piece + "\n", f'{{"a": 1}}\n{piece}\n', f'{piece}\n{{"b": 2}}',
                 f"{piece}\n{piece}\n", f'{{"a": 1}}\n\n{piece}\n\n{{"c": 3}}\n'):
        assert jsonpos.parse_text(text) == jsonpos.parse_lines(nonblank_lines(text)), text


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(TEXT_PIECES),
                          st.builds(json.dumps, json_values),
                          st.builds(lambda v: json.dumps({"v": v}, ensure_ascii=False),
                                    json_values),
                          st.builds(lambda v: json.dumps({"v": v}, indent=1), json_values),
                          st.text(max_size=12)),
                max_size=8),
       st.sampled_from(["\n", "\n\n", "\r\n", "\n \n"]), st.booleans())
def test_parse_text_agrees_with_parse_lines_on_any_text(pieces: list[str], separator: str,
                                                        ends_with_newline: bool) -> None:
    text = separator.join(pieces) + ("\n" if ends_with_newline else "")
    assert jsonpos.parse_text(text) == jsonpos.parse_lines(nonblank_lines(text))


def test_parse_text_reads_a_file_as_our_writers_make_it() -> None:
    records = [{"id": f"a{n}", "note": "x" * n, "tags": ["t"], "sources": []}
               for n in range(50)]
    text = "".join(json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n"
                   for record in records)
    assert jsonpos.parse_text(text) == records
    assert jsonpos.parse_text(text.replace('"a7"', '"a7", "id": "again"')) is None
