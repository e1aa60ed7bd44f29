"""A fast yes/no check for the subset of JSON Schema our schemas use.

jsonschema's validators are general and cost ~200 µs per annotation record,
which caps `annotate validate` near 5,000 records/s per core.  Almost every
record in a workspace is valid, so we answer the common question — "is this
record valid?" — with one Python function generated once from the same
schema (as fastjsonschema does), and only ask jsonschema (for its complete,
relevance-ranked errors) when the answer is no.  The fast check must agree
with jsonschema exactly:

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

# Distinct strings remembered per string schema before starting afresh.
_MEMO_SIZE = 4096


class UnsupportedSchema(ValueError):
    """The schema uses a keyword this compiler does not implement."""


def _is_integer(value: Any) -> bool:
    # Draft 2020-12: an integer is any number with a zero fractional part.
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# How each JSON type is tested, as an expression over the variable "{v}".
_TYPE_TESTS = {
    "object": "isinstance({v}, dict)",
    "array": "isinstance({v}, list)",
    "string": "isinstance({v}, str)",
    "integer": "_is_integer({v})",
    "number": "_is_number({v})",
    "boolean": "isinstance({v}, bool)",
    "null": "{v} is None",
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
    """uniqueItems with _equal's notion of equality, in linear time for
    scalars (a hostile array of a million numbers must not take hours)."""
    seen: set[tuple[str, Any]] = set()
    containers = []
    for item in items:
        if isinstance(item, (list, dict)):
            containers.append(item)
            continue
        # true is not 1, but 1 is 1.0: bools get a kind of their own.
        key = ("bool" if isinstance(item, bool) else "scalar", item)
        if key in seen:
            return False
        seen.add(key)
    return all(not _equal(containers[i], containers[j])
               for i in range(len(containers)) for j in range(i + 1, len(containers)))


def _remembered(check: Check) -> Check:
    """A pure string check that remembers its answers: records repeat their
    values (the document, its hash, the reviewer, the sources)."""
    memo: dict[str, bool] = {}

    def remembered(value: str) -> bool:
        answer = memo.get(value)
        if answer is None:
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            answer = memo[value] = check(value)
        return answer

    return remembered


def _format_check(name: str, format_checker: Any) -> Check | None:
    """The format checker's own function, called as FormatChecker.check calls
    it (a false result or one of its declared exceptions means "no"), without
    the per-call lookup and FormatError machinery.  None: nothing to check
    (an unknown format is an annotation only, as in jsonschema)."""
    if format_checker is None:
        raise UnsupportedSchema("the schema checks formats: pass a format checker")
    if name not in format_checker.checkers:
        return None
    function, raises = format_checker.checkers[name]

    def conforms(value: Any) -> bool:
        try:
            return bool(function(value))
        except raises:
            return False

    return conforms


class _Generator:
    """Writes the source of one function, statement by statement: each
    keyword becomes an ``if ...: return False`` over a local variable."""

    def __init__(self, root: dict[str, Any], format_checker: Any) -> None:
        self.root = root
        self.format_checker = format_checker
        self.lines: list[str] = []
        self.names: dict[str, Any] = {"_is_integer": _is_integer, "_is_number": _is_number,
                                      "_equal": _equal, "_unique": _unique,
                                      "_MISSING": object()}
        self.variables = 0
        self.references: list[str] = []  # $refs being expanded, to refuse recursion

    def constant(self, value: Any) -> str:
        name = f"_c{len(self.names)}"
        self.names[name] = value
        return name

    def variable(self) -> str:
        self.variables += 1
        return f"v{self.variables}"

    def emit(self, indent: int, text: str) -> None:
        self.lines.append("    " * indent + text)

    def node(self, schema: Any, var: str, indent: int) -> None:
        if schema is True:
            return
        if schema is False:
            self.emit(indent, "return False")
            return
        if not isinstance(schema, dict):
            raise UnsupportedSchema(f"not a schema: {schema!r}")
        unknown = set(schema) - _SUPPORTED
        if unknown:
            raise UnsupportedSchema(f"keywords not supported: {sorted(unknown)}")
        if "$ref" in schema:
            self.reference(schema["$ref"], var, indent)
        if "type" in schema:
            names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            tests = " or ".join(_TYPE_TESTS[name].format(v=var) for name in names)
            self.emit(indent, f"if not ({tests}): return False")
        if "const" in schema:
            self.emit(indent, f"if not _equal({var}, {self.constant(schema['const'])}): "
                              "return False")
        if "enum" in schema:
            options = self.constant(schema["enum"])
            self.emit(indent, f"if not any(_equal({var}, o) for o in {options}): return False")
        if "minimum" in schema:
            limit = self.constant(schema["minimum"])
            self.emit(indent, f"if _is_number({var}) and {var} < {limit}: return False")
        self.string(schema, var, indent)
        self.array(schema, var, indent)
        self.object(schema, var, indent)

    def reference(self, reference: str, var: str, indent: int) -> None:
        if not reference.startswith("#/"):
            raise UnsupportedSchema(f"only local references are supported, not {reference!r}")
        if reference in self.references:
            raise UnsupportedSchema(f"recursive reference {reference!r}")
        target: Any = self.root
        for part in reference[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        self.references.append(reference)
        self.node(target, var, indent)
        self.references.pop()

    def string(self, schema: dict[str, Any], var: str, indent: int) -> None:
        checks: list[str] = []
        if "minLength" in schema:
            checks.append(f"len({var}) < {int(schema['minLength'])}")
        if "maxLength" in schema:
            checks.append(f"len({var}) > {int(schema['maxLength'])}")
        search = re.compile(schema["pattern"]).search if "pattern" in schema else None
        conforms = (_format_check(schema["format"], self.format_checker)
                    if "format" in schema else None)
        if search is not None or conforms is not None:
            def pure(value: str) -> bool:
                if search is not None and search(value) is None:
                    return False
                return conforms is None or conforms(value)

            checks.append(f"not {self.constant(_remembered(pure))}({var})")
        if checks:
            self.emit(indent, f"if isinstance({var}, str):")
            for check in checks:
                self.emit(indent + 1, f"if {check}: return False")

    def array(self, schema: dict[str, Any], var: str, indent: int) -> None:
        keywords = [k for k in ("items", "minItems", "uniqueItems") if k in schema]
        if not keywords:
            return
        self.emit(indent, f"if isinstance({var}, list):")
        if "minItems" in schema:
            self.emit(indent + 1, f"if len({var}) < {int(schema['minItems'])}: return False")
        if "items" in schema:  # before uniqueItems: a wrong item type fails fast
            item = self.variable()
            self.emit(indent + 1, f"for {item} in {var}:")
            self.emit(indent + 2, "pass")
            self.node(schema["items"], item, indent + 2)
        if schema.get("uniqueItems") is True:
            self.emit(indent + 1, f"if not _unique({var}): return False")

    def object(self, schema: dict[str, Any], var: str, indent: int) -> None:
        properties = schema.get("properties", {})
        if not any(k in schema for k in ("required", "properties", "additionalProperties")):
            return
        self.emit(indent, f"if isinstance({var}, dict):")
        inner = indent + 1
        self.emit(inner, "pass")
        if "required" in schema:
            required = self.constant(frozenset(schema["required"]))
            self.emit(inner, f"if not {required}.issubset({var}): return False")
        extra = schema.get("additionalProperties", True)
        known = self.constant(frozenset(properties))
        if extra is False:
            self.emit(inner, f"if not {known}.issuperset({var}): return False")
        elif extra is not True:
            key, value = self.variable(), self.variable()
            self.emit(inner, f"for {key}, {value} in {var}.items():")
            self.emit(inner + 1, f"if {key} in {known}: continue")
            self.node(extra, value, inner + 1)
        for name, subschema in properties.items():
            value = self.variable()
            self.emit(inner, f"{value} = {var}.get({name!r}, _MISSING)")
            self.emit(inner, f"if {value} is not _MISSING:")
            self.emit(inner + 1, "pass")
            self.node(subschema, value, inner + 1)

    def function(self) -> Check:
        self.lines = []
        self.node(self.root, "v0", 1)
        source = "def check(v0):\n" + "\n".join(self.lines) + "\n    return True\n"
        namespace = dict(self.names)
        exec(compile(source, "<annotate.fastschema>", "exec"), namespace)
        check: Check = namespace["check"]
        check.__doc__ = source  # for whoever debugs it
        return check


def compile_schema(schema: dict[str, Any], format_checker: Any) -> Check:
    """A predicate equivalent to ``Draft202012Validator(schema).is_valid``.

    format_checker may be None for a schema without "format" keywords (then
    jsonschema need not even be imported)."""
    return _Generator(schema, format_checker).function()
