"""A fast yes/no check for the subset of JSON Schema our schemas use.

jsonschema's validators are general and cost ~200 µs per annotation record,
which caps `annotate validate` near 5,000 records/s per core.  Almost every
record in a workspace is valid, so we answer the common question — "is this
record valid?" — with closures compiled once from the same schema, and only
ask jsonschema (for its complete, relevance-ranked errors) when the answer
is no.  The fast check must agree with jsonschema exactly:

- it supports only the keywords listed in ``_SUPPORTED`` and raises
  ``UnsupportedSchema`` for anything else, so a schema change can never make
  it silently skip a rule (``schema.py`` then uses jsonschema alone);
- formats are checked by jsonschema's own FORMAT_CHECKER;
- a property-based test (tests/test_fastschema.py) compares both verdicts on
  generated and mutated records.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

_SUPPORTED = frozenset({
    "$schema", "$id", "$ref", "$defs", "title", "description", "type", "required",
    "properties", "additionalProperties", "items", "pattern", "minLength", "maxLength",
    "minimum", "minItems", "const", "enum", "uniqueItems", "format",
})


class UnsupportedSchema(ValueError):
    """The schema uses a keyword this compiler does not implement."""


def _is_integer(value: Any) -> bool:
    # Draft 2020-12: an integer is any number with a zero fractional part.
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": _is_integer,
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def _equal(one: Any, other: Any) -> bool:
    """JSON equality as jsonschema defines it: true is not 1, 1 is 1.0."""
    if isinstance(one, bool) or isinstance(other, bool):
        return type(one) is type(other) and one == other
    if isinstance(one, list) and isinstance(other, list):
        return len(one) == len(other) and all(map(_equal, one, other))
    if isinstance(one, dict) and isinstance(other, dict):
        return one.keys() == other.keys() and all(_equal(one[k], other[k]) for k in one)
    if isinstance(one, (list, dict)) or isinstance(other, (list, dict)):
        return False
    return bool(one == other)


def _unique(items: list[Any]) -> bool:
    if all(isinstance(item, str) for item in items):
        return len(set(items)) == len(items)
    return all(not _equal(items[i], items[j])
               for i in range(len(items)) for j in range(i + 1, len(items)))


def compile_schema(schema: dict[str, Any], format_checker: Any) -> Check:
    """A predicate equivalent to ``Draft202012Validator(schema).is_valid``."""
    root = schema

    def build(node: Any) -> Check:
        if node is True:
            return lambda value: True
        if node is False:
            return lambda value: False
        unknown = set(node) - _SUPPORTED
        if unknown:
            raise UnsupportedSchema(f"keywords not supported: {sorted(unknown)}")
        if node.get("type") == "string" and set(node) <= _STRING_KEYWORDS:
            return _string_node(node, format_checker)
        checks: list[Check] = []
        if "$ref" in node:
            checks.append(build(_resolve(root, node["$ref"])))
        if "type" in node:
            names = node["type"] if isinstance(node["type"], list) else [node["type"]]
            tests = [_TYPES[name] for name in names]
            checks.append(tests[0] if len(tests) == 1 else _any_of(tests))
        if "const" in node:
            checks.append(_const(node["const"]))
        if "enum" in node:
            checks.append(_enum(node["enum"]))
        checks.extend(_string_checks(node, format_checker))
        if "minimum" in node:
            checks.append(_minimum(node["minimum"]))
        checks.extend(_array_checks(node, build))
        checks.extend(_object_checks(node, build))
        return checks[0] if len(checks) == 1 else _all_of(checks)

    return build(schema)


def _const(expected: Any) -> Check:
    return lambda value: _equal(value, expected)


def _enum(options: list[Any]) -> Check:
    return lambda value: any(_equal(value, option) for option in options)


def _minimum(limit: float) -> Check:
    return lambda value: not _TYPES["number"](value) or bool(value >= limit)


def _length(limit: int, *, kind: type[str] | type[list[Any]], at_least: bool) -> Check:
    if at_least:
        return lambda value: not isinstance(value, kind) or len(value) >= limit
    return lambda value: not isinstance(value, kind) or len(value) <= limit


def _all_of(checks: list[Check]) -> Check:
    chain = tuple(checks)

    def all_of(value: Any) -> bool:
        for check in chain:  # a plain loop: cheaper than all() over a generator  # noqa: SIM110
            if not check(value):
                return False
        return True

    return all_of


def _any_of(checks: list[Check]) -> Check:
    return lambda value: any(check(value) for check in checks)


def _resolve(root: dict[str, Any], reference: str) -> Any:
    if not reference.startswith("#/"):
        raise UnsupportedSchema(f"only local references are supported, not {reference!r}")
    node: Any = root
    for part in reference[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


# Distinct strings remembered per string schema before starting afresh.
_MEMO_SIZE = 4096

_STRING_KEYWORDS = frozenset({"type", "pattern", "minLength", "maxLength", "format",
                              "title", "description"})


def _string_node(node: dict[str, Any], format_checker: Any) -> Check:
    """A string schema as one closure: the most common node, so worth the
    saved calls (each record has a dozen strings)."""
    search = re.compile(node["pattern"]).search if "pattern" in node else None
    shortest = node.get("minLength", 0)
    longest = node.get("maxLength")
    conforms = _format_check(node, format_checker)

    def check(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        if shortest and len(value) < shortest:
            return False
        if longest is not None and len(value) > longest:
            return False
        if search is not None and search(value) is None:
            return False
        return conforms is None or conforms(value)

    if search is None and conforms is None:
        return check
    # Regexes and format checks are pure, and records repeat their values
    # (the document, its hash, the reviewer, the sources): remember answers.
    memo: dict[str, bool] = {}

    def remembered(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        answer = memo.get(value)
        if answer is None:
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            answer = memo[value] = check(value)
        return answer

    return remembered


def _format_check(node: dict[str, Any], format_checker: Any) -> Check | None:
    """The format checker's own function, called as FormatChecker.check calls
    it (a false result or one of its declared exceptions means "no"), without
    the per-call lookup and FormatError machinery.  None: nothing to check
    (an unknown format is an annotation only, as in jsonschema)."""
    if "format" not in node:
        return None
    if format_checker is None:
        raise UnsupportedSchema("the schema checks formats: pass a format checker")
    if node["format"] not in format_checker.checkers:
        return None
    function, raises = format_checker.checkers[node["format"]]

    def conforms(value: Any) -> bool:
        try:
            return bool(function(value))
        except raises:
            return False

    return conforms


def _string_checks(node: dict[str, Any], format_checker: Any) -> list[Check]:
    checks: list[Check] = []
    if "pattern" in node:
        search = re.compile(node["pattern"]).search
        checks.append(lambda v: not isinstance(v, str) or search(v) is not None)
    if "minLength" in node:
        checks.append(_length(node["minLength"], kind=str, at_least=True))
    if "maxLength" in node:
        checks.append(_length(node["maxLength"], kind=str, at_least=False))
    conforms = _format_check(node, format_checker)
    if conforms is not None:
        checks.append(lambda v: not isinstance(v, str) or conforms(v))
    return checks


def _array_checks(node: dict[str, Any], build: Callable[[Any], Check]) -> list[Check]:
    checks: list[Check] = []
    if "items" in node:
        item = build(node["items"])
        checks.append(lambda v: not isinstance(v, list) or all(map(item, v)))
    if "minItems" in node:
        checks.append(_length(node["minItems"], kind=list, at_least=True))
    if node.get("uniqueItems") is True:
        checks.append(lambda v: not isinstance(v, list) or _unique(v))
    return checks


def _object_checks(node: dict[str, Any], build: Callable[[Any], Check]) -> list[Check]:
    checks: list[Check] = []
    if "required" in node:
        required = frozenset(node["required"])
        checks.append(lambda v: not isinstance(v, dict) or required.issubset(v))
    properties = {name: build(sub) for name, sub in node.get("properties", {}).items()}
    if properties:
        def check_properties(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            for name, member in value.items():
                check = properties.get(name)
                if check is not None and not check(member):
                    return False
            return True
        checks.append(check_properties)
    if "additionalProperties" in node:
        extra = node["additionalProperties"]
        known = frozenset(properties)
        if extra is False:
            checks.append(lambda v: not isinstance(v, dict) or known.issuperset(v))
        else:
            other = build(extra)
            checks.append(lambda v: not isinstance(v, dict) or all(
                other(member) for name, member in v.items() if name not in known))
    return checks
