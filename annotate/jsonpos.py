"""Strict JSON parsing with positions, and JSON paths mapped to offsets.

Pure functions over ``str`` (and ``bytes`` for decoding); no I/O.  Every
offset is a 0-based code-point index into the text the caller passed in,
BOM included, so ``annotate.anchoring.textindex.LineIndex`` turns it into line:column.

Two jobs:

- ``parse_json_line`` parses one JSON Lines line strictly: RFC 8259 JSON
  and nothing more (no NaN/Infinity, no duplicate keys, bounded nesting),
  and says *where* each problem is, never raising.
- ``locate`` finds where the value at a JSON path (jsonschema's
  ``error.absolute_path``) starts in the text, so a schema error can be
  reported at the offending value.

Hostile input is expected (CI validates pull requests from anyone): a 50 MB
line, 100,000 levels of nesting, invalid UTF-8.  So nothing here recurses
over the input, and the scanners move with ``re``/``str``/``bytes`` methods,
which run in C.  Strings are skipped whole (json's own scanner); strings
without escapes, and in arrays whole runs of numbers and such strings, are
passed in bulk by counting quotes and commas.  Python steps are spent per
bracket, per string holding a bracket or backslash, per object member and
per container item, never per character.
"""

from __future__ import annotations

import json
import json.decoder
import math
import re
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from annotate import codes

BOM = "\ufeff"

# RFC 8259 section 9: "An implementation may set limits on the maximum depth
# of nesting."  Annotation records nest two levels and project files four;
# 64 leaves room to grow while keeping far below Python's recursion limit
# (1000), which json.loads and any recursive consumer (jsonschema, deepcopy)
# would otherwise hit with a RecursionError.
MAX_DEPTH = 64

# One hostile line must not flood the report: after this many problems in a
# line the rest of it is not searched.
MAX_PROBLEMS = 20

# CPython refuses to convert integers longer than this (CVE-2020-10735,
# sys.set_int_max_str_digits); json.loads raises ValueError past it.
_INT_MAX_DIGITS: int = getattr(sys, "get_int_max_str_digits", lambda: 0)()

# The four JSON whitespace characters (RFC 8259 section 2); str.isspace and
# \s accept many more.
_JSON_WS = " \t\n\r"
_WS = re.compile(r"[ \t\n\r]*")
# json's own string scanner (C in CPython, pure Python elsewhere): finds the
# end of a string literal and decodes it at C speed, whatever its escapes.
# A regex needs one loop iteration per escape and took 5 s on a 50 MB string
# of \" escapes.  Not in typeshed's json.decoder stub, hence the ignore.
_scanstring: Callable[[str, int, bool], tuple[str, int]] = (
    json.decoder.scanstring  # type: ignore[attr-defined]
)
# What can change the nesting or hide a quote.  Between two of these, no
# quote is escaped, so quotes pair up and strings can be handled in bulk.
_SPECIAL = re.compile(r"[\[\]{}\\]")
# A string literal without escapes, and a top-level comma.
_PLAIN_STRING = re.compile(r'"[^"]*"')
_PLAIN_STRING_OR_COMMA = re.compile(r'"[^"]*"|,')
# Below this many characters, finding the n-th comma token by token is
# cheaper than halving the span again.
_BISECT_BELOW = 4096
_SCALAR = re.compile(
    r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null|NaN|-?Infinity"
)
# A \u escape of a UTF-16 surrogate, paired or not: the cheap test that
# decides whether strings need decoding to look for unpaired ones.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
# json.loads joins escaped pairs into one character, so a surrogate left in a
# decoded string is unpaired.
_SURROGATE = re.compile("[\ud800-\udfff]")
_DANGLING_AT = re.compile(r"(?: starting)? at$")
_TOKEN = re.compile(
    r"""[ \t\n\r]*(?:
        (?P<string>")
      | (?P<punct>[{}\[\],:])
      | (?P<constant>NaN|-?Infinity)
      | (?P<number>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
      | (?P<literal>true|false|null)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class SyntaxProblem:
    """Why a line is not acceptable JSON, and where (0-based offset)."""

    code: str  # an AN1xx code from annotate.codes
    offset: int
    message: str


@dataclass(frozen=True)
class ParseResult:
    """What ``parse_json_line`` found.

    ``parsed`` is False when the line cannot be used as a record (any
    problem other than a BOM); ``value`` is then None.  JSON ``null`` is a
    parsed value of None, hence the separate flag.
    """

    value: Any
    problems: tuple[SyntaxProblem, ...]
    parsed: bool


def decode_utf8(data: bytes, byte_offset: int = 0, limit: int = MAX_PROBLEMS
                ) -> tuple[str, list[SyntaxProblem]]:
    """Decode UTF-8, reporting each invalid byte sequence at its offset.

    The text returned equals ``data.decode("utf-8", "replace")``: each
    invalid sequence becomes one U+FFFD, so the rest of the file can still
    be checked and the offsets of the problems are offsets into that text.
    A BOM is kept (``parse_json_line`` reports it).  After ``MAX_PROBLEMS``
    problems the rest is decoded without reporting more.  A part of a file
    (one line) gives byte_offset, where it starts, and the problems left, as limit.
    """
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    pieces: list[str] = []
    problems: list[SyntaxProblem] = []
    offset = 0  # code points decoded so far
    start = 0  # bytes consumed so far
    while len(problems) < limit:
        try:
            pieces.append(data[start:].decode("utf-8"))
            return "".join(pieces), problems
        except UnicodeDecodeError as error:
            good = data[start:start + error.start].decode("utf-8")
            pieces.append(good)
            offset += len(good)
            bad = data[start + error.start:start + error.end]
            problems.append(SyntaxProblem(
                codes.INVALID_UTF8.code, offset,
                f"invalid UTF-8 ({error.reason}: byte{'s' if len(bad) > 1 else ''} "
                f"{bad.hex(' ')} at byte offset {byte_offset + start + error.start})"))
            pieces.append("\ufffd")
            offset += 1
            start += error.end
    pieces.append(data[start:].decode("utf-8", "replace"))
    return "".join(pieces), problems


# The strict decoder is built once: json.loads with hooks would build a new
# JSONDecoder for every line.  Its hooks only raise a flag, kept per thread.
_FLAGS = threading.local()


def _reject_constant(name: str) -> float:
    _FLAGS.suspicious = True
    return math.nan


def _check_float(literal: str) -> float:
    number = float(literal)
    if math.isinf(number):
        _FLAGS.suspicious = True
    return number


def _check_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        _FLAGS.suspicious = True
    return result


_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_check_float,
                            object_pairs_hook=_check_pairs)
# Its scanner, which decode() calls after skipping whitespace: (value, end)
# of the value at an index (not in typeshed's stub, hence the ignore).
_SCAN_ONCE: Callable[[str, int], tuple[Any, int]] = (
    _DECODER.scan_once  # type: ignore[attr-defined]
)


def parse_json_line(text: str) -> ParseResult:
    """Parse one line of a JSON Lines file strictly; never raises.

    Problems, each with the offset to report it at:

    - AN103 a leading BOM (offset 0); the rest is still parsed
    - AN107 nothing but whitespace
    - AN101 not JSON (``json.JSONDecodeError.pos``)
    - AN106 nesting deeper than ``MAX_DEPTH`` (the bracket that goes too deep)
    - AN105 NaN, Infinity, -Infinity, a float that overflows to infinity,
      or an integer too long for CPython to convert (the number)
    - AN104 a key repeated in one object (the second key)
    - AN110 a string with an unpaired surrogate escape such as "\\ud800"
      (the string), which no UTF-8 writer can store

    A trailing "\\r" (CRLF files) is JSON whitespace and is accepted.
    """
    problems: list[SyntaxProblem] = []
    base = 0
    body = text
    if text.startswith(BOM):
        # RFC 8259 section 8.1: writers MUST NOT add a BOM, parsers MAY
        # ignore one.  We ignore it for parsing and report it.
        problems.append(SyntaxProblem(
            codes.BYTE_ORDER_MARK.code, 0,
            "UTF-8 byte order mark (U+FEFF) before the JSON value; save the file without it"))
        base = 1
        body = text[1:]

    def failed(code: str, offset: int, message: str) -> ParseResult:
        problems.append(SyntaxProblem(code, base + offset, message))
        return ParseResult(None, tuple(problems), False)

    if not body.strip(_JSON_WS):
        return failed(codes.BLANK_LINE.code, 0,
                      "blank line: JSON Lines needs one JSON value on every line")

    too_deep_message = f"arrays and objects nested more than {MAX_DEPTH} levels deep"

    def too_deep_before(end: int) -> int | None:
        # Brackets are counted in C; only text with more brackets than the
        # limit (in strings or not) can be too deep, and only then is the
        # depth tracked, to find the bracket that goes one level too far.
        if body.count("[", 0, end) + body.count("{", 0, end) <= MAX_DEPTH:
            return None
        return _depth_exceeded(body, MAX_DEPTH, end)

    _FLAGS.suspicious = False
    try:
        # The hooks only raise a flag; where the problems are is worked out
        # afterwards by _scan_problems, because json does not tell the hooks
        # the position they were called at.
        value = _DECODER.decode(body)
    except RecursionError:
        return failed(codes.NESTING_TOO_DEEP.code, too_deep_before(len(body)) or 0,
                      too_deep_message)
    except json.JSONDecodeError as error:
        # json stops at the first error; nesting that went too deep before it
        # is what made the line unreadable.
        too_deep_at = too_deep_before(error.pos)
        if too_deep_at is not None:
            return failed(codes.NESTING_TOO_DEEP.code, too_deep_at, too_deep_message)
        # json's messages end in " at" when it meant to append the position
        # ("Unterminated string starting at"); the position is ours to report.
        message = _DANGLING_AT.sub("", error.msg)
        message = message[:1].lower() + message[1:]
        return failed(codes.INVALID_JSON.code, error.pos, f"not valid JSON: {message}")
    except ValueError as error:
        # Not a JSONDecodeError: an integer past CPython's digit limit.
        found = _scan_problems(body, _has_surrogate_escape(body))
        if not found:
            return failed(codes.INVALID_JSON.code, 0, f"not valid JSON: {error}")
        problems.extend(SyntaxProblem(p.code, base + p.offset, p.message) for p in found)
        return ParseResult(None, tuple(problems), False)

    # json.loads managed, but the value may still nest deeper than allowed.
    # Walking the parsed containers is cheap; scanning the text for where is
    # only needed once it is known to be too deep.
    if (body.count("[") + body.count("{") > MAX_DEPTH
            and _nesting_exceeds(value, MAX_DEPTH)):
        return failed(codes.NESTING_TOO_DEEP.code, too_deep_before(len(body)) or 0,
                      too_deep_message)
    surrogates = _has_surrogate_escape(body)
    if _FLAGS.suspicious or surrogates:
        found = _scan_problems(body, surrogates)
        if found:
            problems.extend(SyntaxProblem(p.code, base + p.offset, p.message) for p in found)
            return ParseResult(None, tuple(problems), False)
    return ParseResult(value, tuple(problems), True)


def parse_lines(lines: Sequence[str]) -> list[Any] | None:
    """What ``parse_json_line(line).value`` is for each line, if no line has any
    problem; None as soon as one has (ask ``parse_json_line`` which and where).

    For the lines of a whole file, faster than asking line by line: a line
    as our writers make it (an object first, no ``\\u`` escape, few
    brackets) goes straight to the decoder ``parse_json_line`` uses, whose
    hooks flag duplicate keys and non-finite numbers; without a ``\\u``
    escape there is no surrogate escape to refuse, and with no more
    brackets than ``MAX_DEPTH`` nothing nests too deep.  Every other line
    is given to ``parse_json_line`` itself.
    """
    scan = _SCAN_ONCE
    flags = _FLAGS
    flags.suspicious = False
    values: list[Any] = []
    for line in lines:
        if (line[:1] == "{" and "\\u" not in line
                and line.count("{") + line.count("[") <= MAX_DEPTH):
            try:
                value, end = scan(line, 0)
            except (StopIteration, ValueError, RecursionError):
                return None
            if flags.suspicious or (end != len(line) and line[end:].strip(_JSON_WS)):
                return None
        else:
            parsed = parse_json_line(line)
            if parsed.problems:
                return None
            value = parsed.value
            flags.suspicious = False
        values.append(value)
    return values


def parse_text(text: str) -> list[Any] | None:
    """``parse_lines`` of the lines of a JSON Lines text that are not blank
    (``line and not line.isspace()``): the values, or None when a line has a
    problem.

    Faster for a whole file as our writers make it, because it takes no
    line apart: each line that starts with an object and holds no ``\\u``
    escape and few brackets is scanned where it lies in the text, and
    stands if its value ends exactly at the line's end.  A raw newline
    cannot be inside a JSON string, so a value that ends anywhere else
    (trailing space, a CR, an object spread over lines) is no proof of
    anything, and that line alone goes to ``parse_lines``.  A scan that
    fails proves the line bad: one that parses alone ends within itself,
    so the scan never sees what follows it.
    """
    scan, flags, find, count = _SCAN_ONCE, _FLAGS, text.find, text.count
    values: list[Any] = []
    position, size = 0, len(text)
    escape = find("\\u")  # the next \u escape at or after position, -1 for none
    flags.suspicious = False  # raised for a line: None at once; parse_lines lowers it
    while position < size:
        end_of_line = find("\n", position)
        if end_of_line == -1:
            end_of_line = size
        if -1 < escape < position:
            escape = find("\\u", position)
        if (text[position] == "{" and not position <= escape < end_of_line
                and count("{", position, end_of_line) + count("[", position, end_of_line)
                <= MAX_DEPTH):
            try:
                value, end = scan(text, position)
            except (StopIteration, ValueError, RecursionError):
                return None
            if end == end_of_line:
                if flags.suspicious:
                    return None
                values.append(value)
                position = end_of_line + 1
                continue
        line = text[position:end_of_line]
        if line and not line.isspace():
            found = parse_lines([line])
            if found is None:
                return None
            values.extend(found)
        position = end_of_line + 1
    return values


def locate(text: str, path: Sequence[str | int]) -> int:
    """The offset where the value at ``path`` starts in the JSON ``text``.

    ``path`` is a sequence of object keys and array indices, as jsonschema's
    ``error.absolute_path`` gives it; ``[]`` is the whole value.  When an
    element of the path is missing (a required property, an index past the
    end, a key looked up in a string) the offset of the innermost enclosing
    value that exists is returned, which is also where jsonschema reports
    e.g. "'quote' is a required property".  With duplicate keys the first is
    taken.  A leading BOM and whitespace are skipped.  Never raises; on text
    that is not JSON it returns the best offset it got to.
    """
    position = _skip_ws(text, 1 if text.startswith(BOM) else 0)
    for element in path:
        opener = text[position:position + 1]
        found: int | None = None
        if isinstance(element, str) and opener == "{":
            found = _find_member(text, position, element)
        elif isinstance(element, int) and not isinstance(element, bool) and opener == "[":
            found = _find_item(text, position, element)
        if found is None:
            break
        position = found
    return position


# --- scanners ---------------------------------------------------------------
#
# Each takes the offset of the first character of a value and works forward
# with a loop, never recursion, so nesting depth costs memory for a counter,
# not stack.


def _skip_ws(text: str, position: int) -> int:
    match = _WS.match(text, position)  # always matches: the pattern may be empty
    return match.end() if match else position


def _skip_value(text: str, position: int) -> int | None:
    """The offset just past the value starting at ``position``, or None."""
    first = text[position:position + 1]
    if first == '"':
        string = _string(text, position)
        return string[1] if string else None
    if first in ("[", "{"):
        return _skip_container(text, position)
    match = _SCALAR.match(text, position)
    return match.end() if match else None


def _next_bracket(text: str, position: int) -> int:
    """The offset of the next bracket outside strings, or -1.

    ``position`` must be outside a string.  Strings without escapes are
    passed over in bulk: between ``position`` and the next bracket or
    backslash no quote is escaped, so an odd number of quotes there means
    that bracket or backslash is inside the string the last quote opened.
    """
    while True:
        match = _SPECIAL.search(text, position)
        if match is None:
            return -1
        found = match.start()
        if text.count('"', position, found) % 2:
            string = _string(text, text.rfind('"', position, found))
            if string is None:
                return -1
            position = string[1]
        elif text[found] == "\\":
            position = found + 1  # a backslash outside strings: not JSON, step over
        else:
            return found


def _skip_container(text: str, position: int) -> int | None:
    """The offset just past the array or object opening at ``position``."""
    depth = 0
    while True:
        found = _next_bracket(text, position)
        if found < 0:
            return None
        if text[found] in "[{":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return found + 1
        position = found + 1


def _depth_exceeded(text: str, limit: int, end: int) -> int | None:
    """The offset of the first bracket before ``end`` that opens level ``limit + 1``.

    Lenient: only strings and brackets are tracked, so it also answers for
    text that is not valid JSON (an unterminated string ends the scan).
    """
    depth = 0
    position = 0
    while True:
        found = _next_bracket(text, position)
        if not 0 <= found < end:
            return None
        if text[found] in "[{":
            depth += 1
            if depth > limit:
                return found
        else:
            depth -= 1
        position = found + 1


def _nesting_exceeds(value: Any, limit: int) -> bool:
    """Whether the parsed ``value`` nests containers deeper than ``limit``.

    Level by level, collecting the containers of the next level: no object
    is allocated per node, which on ten million small objects matters (a
    stack of (node, depth) tuples took 15 s, mostly in garbage collection).
    """
    level = [value] if isinstance(value, (dict, list)) else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        below: list[Any] = []
        for container in level:
            if not container:
                continue
            children = container.values() if isinstance(container, dict) else container
            below.extend([child for child in children if isinstance(child, (dict, list))])
        level = below
    return False


def _string(text: str, position: int) -> tuple[str, int] | None:
    """The decoded string literal opening at ``position`` and the offset past it.

    Lenient about raw control characters (strict=False), so it also serves
    text that json.loads has not accepted; None if unterminated or a bad
    escape.
    """
    try:
        return _scanstring(text, position + 1, False)
    except ValueError:
        return None


def _find_member(text: str, position: int, name: str) -> int | None:
    """The offset of the value of member ``name`` of the object at ``position``."""
    position = _skip_ws(text, position + 1)
    if text.startswith("}", position):
        return None
    while True:
        key = _string(text, position) if text.startswith('"', position) else None
        if key is None:
            return None
        colon = _skip_ws(text, key[1])
        if not text.startswith(":", colon):
            return None
        value = _skip_ws(text, colon + 1)
        if key[0] == name:
            return value
        end = _skip_value(text, value)
        if end is None:
            return None
        comma = _skip_ws(text, end)
        if not text.startswith(",", comma):
            return None
        position = _skip_ws(text, comma + 1)


def _find_item(text: str, position: int, index: int) -> int | None:
    """The offset of item ``index`` of the array at ``position``."""
    if index < 0:
        return None
    position = _skip_ws(text, position + 1)
    if text.startswith("]", position):
        return None
    remaining = index  # commas still to pass at this array's level
    while remaining:
        if text[position:position + 1] not in ("[", "{"):
            # A run of numbers, literals and strings without escapes is
            # passed in bulk: up to the next bracket or backslash, or back
            # to the opening quote of the string that one is in.
            match = _SPECIAL.search(text, position)
            end = match.start() if match else len(text)
            if text.count('"', position, end) % 2:
                end = text.rfind('"', position, end)
            inner = end > position and _strings_hold_commas(text, position, end)
            commas = _count_commas(text, position, end, inner) if end > position else 0
            if commas:
                passed = min(commas, remaining)
                position = _after_nth_comma(text, position, end, passed, inner)
                remaining -= passed
                continue
        # One item the slow way: a container or a string with escapes.
        end_of_item = _skip_value(text, position)
        if end_of_item is None:
            return None
        comma = _skip_ws(text, end_of_item)
        if not text.startswith(",", comma):
            return None
        position = _skip_ws(text, comma + 1)
        remaining -= 1
    return position


# Every byte but the quote and the comma (UTF-8 continuation bytes are never
# either, so encoded text can be filtered byte-wise).
_NOT_QUOTE_OR_COMMA = bytes(byte for byte in range(256) if byte not in b'",')


def _strings_hold_commas(text: str, start: int, end: int) -> bool:
    """Whether a string in a flat span (no brackets or backslashes, starting
    and ending outside a string) contains a comma.

    Usually none does, and then every comma in the span separates items and
    plain ``str.count`` counts them.  Checked in C: with everything but
    quotes and commas deleted, a string without a comma is left as an
    adjacent pair of quotes.
    """
    if text.find('"', start, end) == -1:
        return False
    skeleton = text[start:end].encode("utf-8", "surrogatepass").translate(
        None, _NOT_QUOTE_OR_COMMA)
    return skeleton.count(b'""') * 2 != skeleton.count(b'"')


def _count_commas(text: str, start: int, end: int, inner: bool) -> int:
    """Commas outside strings in a flat span; ``inner`` from ``_strings_hold_commas``."""
    if not inner:
        return text.count(",", start, end)
    span = text[start:end]
    return _PLAIN_STRING.sub("", span).count(",")


def _after_nth_comma(text: str, start: int, end: int, count: int, inner: bool) -> int:
    """The offset after the ``count``-th comma outside strings (and the
    whitespace after it) in a flat span; ``inner`` as for ``_count_commas``.

    Halves the span until it is small, counting commas in C, so a 50 MB
    array of short items costs a few passes over it, not a Python step per
    item.
    """
    while end - start > _BISECT_BELOW:
        middle = (start + end) // 2
        # Where strings hold commas, a cut must not fall inside a string.
        if inner and text.count('"', start, middle) % 2:
            middle = text.rfind('"', start, middle)  # cut before that string
            if middle == start:  # ... unless it starts the span: cut after it
                middle = text.find('"', start + 1) + 1
        if not start < middle < end:
            break
        left = _count_commas(text, start, middle, inner)
        if left >= count:
            end = middle
        else:
            count -= left
            start = middle
    if inner:
        for token in _PLAIN_STRING_OR_COMMA.finditer(text, start, end):
            if text[token.start()] == ",":
                count -= 1
                if not count:
                    return _skip_ws(text, token.end())
        return end
    position = start - 1
    for _ in range(count):
        position = text.find(",", position + 1, end)
        if position == -1:
            return end
    return _skip_ws(text, position + 1)


def _has_surrogate_escape(text: str) -> bool:
    return "\\u" in text and _SURROGATE_ESCAPE.search(text) is not None


def _scan_problems(text: str, surrogates: bool) -> list[SyntaxProblem]:
    """Find NaN/Infinity, out-of-range numbers, duplicate keys and (if
    ``surrogates``) unpaired surrogates, in the order they occur.

    Only called once json.loads or a regex has shown that one of them is
    there, so the per-token Python work is spent on bad lines only.  Stops
    at the first token that is not JSON, or after ``MAX_PROBLEMS`` problems.
    """
    problems: list[SyntaxProblem] = []
    # One frame per open container: the keys seen so far, None for an array.
    keys: list[set[str] | None] = []
    expect_key = False
    position = 0
    while len(problems) < MAX_PROBLEMS:
        match = _TOKEN.match(text, position)
        if match is None:
            break
        kind = match.lastgroup
        if kind is None:
            break
        start = match.start(kind)
        position = match.end()
        if kind == "string":
            string = _string(text, start)
            if string is None:
                break
            decoded, position = string
            seen = keys[-1] if keys else None
            if surrogates and _SURROGATE.search(decoded):
                problems.append(SyntaxProblem(
                    codes.UNPAIRED_SURROGATE.code, start,
                    "string contains an unpaired UTF-16 surrogate escape "
                    "(RFC 8259 section 8.2: such strings are not Unicode text)"))
            if expect_key and seen is not None:
                key = decoded
                if key in seen:
                    problems.append(SyntaxProblem(
                        codes.DUPLICATE_KEY.code, start,
                        f"duplicate key {_shorten(key)!r} in one object "
                        "(RFC 8259 section 4: names SHOULD be unique)"))
                seen.add(key)
            expect_key = False
        elif kind == "punct":
            char = text[start]
            if char == "{":
                keys.append(set())
                expect_key = True
            elif char == "[":
                keys.append(None)
            elif char in "]}":
                if keys:
                    keys.pop()
                expect_key = False
            elif char == ",":
                expect_key = bool(keys) and keys[-1] is not None
        elif kind == "constant":
            problems.append(SyntaxProblem(
                codes.NON_FINITE_NUMBER.code, start,
                f"{match.group(kind)} is not a JSON number "
                "(RFC 8259 section 6: NaN and Infinity are not permitted)"))
        elif kind == "number":
            literal = match.group(kind)
            if any(char in literal for char in ".eE"):
                if math.isinf(float(literal)):
                    problems.append(SyntaxProblem(
                        codes.NON_FINITE_NUMBER.code, start,
                        f"number {_shorten(literal)} is too large for a double "
                        "and would be read as Infinity"))
            else:
                digits = len(literal.lstrip("-"))
                if _INT_MAX_DIGITS and digits > _INT_MAX_DIGITS:
                    problems.append(SyntaxProblem(
                        codes.NON_FINITE_NUMBER.code, start,
                        f"integer with {digits} digits is too large to read "
                        f"(the limit is {_INT_MAX_DIGITS} digits)"))
    return problems


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
