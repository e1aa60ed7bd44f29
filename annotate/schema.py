"""The JSON Schemas in schemas/: loading them and two reused validators each.

Two validators, one verdict: jsonschema-rs answers "is this valid?" fast
(``fast_check``, ``is_valid``), and jsonschema, only asked about an invalid
value, gives the errors with its relevance ranking (``schema_errors``).  The
fast one is told to use jsonschema's regexes and format checks, so the two
cannot disagree; tests/test_schema_suite.py runs it on the official
JSON-Schema-Test-Suite and tests/test_schema_fastpath.py compares the two.

Neither library is imported at start-up: building a validator costs tens of
milliseconds, so each is built once per process and cached.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import operator
import re
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import jsonschema_rs
    from jsonschema import FormatChecker
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

SchemaName = Literal["annotation", "project", "validation-report", "finished", "decisions",
                     "merge-report", "metadata", "progress"]


def schema_dir() -> Path:
    """Where the schemas are: inside the installed package, or the source tree's schemas/."""
    packaged = resources.files("annotate") / "schemas"
    if packaged.is_dir():
        return Path(str(packaged))
    # Running from a source checkout without installing: setup.cfg maps the
    # top-level schemas/ folder to annotate/schemas only in built packages.
    return Path(__file__).resolve().parent.parent / "schemas"


@functools.cache
def load_schema(name: SchemaName) -> dict[str, Any]:
    """The named schema, parsed once."""
    with open(schema_dir() / f"{name}.schema.json", encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


@functools.cache
def format_checker() -> FormatChecker:
    """jsonschema's Draft 2020-12 format checks, with a fast, library-backed "iri"."""
    from jsonschema import Draft202012Validator, FormatChecker

    checker = FormatChecker(())
    checker.checkers = dict(Draft202012Validator.FORMAT_CHECKER.checkers)
    # jsonschema checks "iri" only with rfc3987 (GPL) or rfc3987-syntax
    # installed, and skips it silently otherwise.  rfc3987-syntax 1.1 parses
    # with a Lark Earley parser: 10-300 ms per address, and 1.6 s to import
    # jsonschema at all (it builds the parser on import).  jsonschema-rs's
    # RFC 3987 check passes the same Test-Suite cases in microseconds, so it
    # is "iri" here -- for both validators, which therefore still agree.
    checker.checks("iri")(_is_iri)
    return checker


def _is_iri(instance: object) -> bool:
    """RFC 3987 IRI syntax, as jsonschema-rs checks it (non-strings pass, as in jsonschema)."""
    if not isinstance(instance, str):
        return True
    try:
        return _rust_iri().is_valid(instance)
    except ValueError:
        # An unpaired surrogate, which Rust strings cannot hold: it is no
        # IRI character either (RFC 3987 ucschar excludes D800-DFFF).
        return False


@functools.cache
def _rust_iri() -> jsonschema_rs.Validator:
    """jsonschema-rs's own "iri" format check, as a validator of one string."""
    import jsonschema_rs

    return jsonschema_rs.Draft202012Validator({"format": "iri"}, validate_formats=True)


@functools.cache
def validator(name: SchemaName) -> Validator:
    """jsonschema's validator for the named schema, with format checks on."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema(name), format_checker=format_checker())


# A hostile record (an array of millions of bad items) would otherwise make
# jsonschema list millions of errors; nobody reads past the first few.
MAX_ERRORS_PER_INSTANCE = 50


def schema_errors(name: SchemaName, instance: Any) -> list[ValidationError]:
    """The errors (at most MAX_ERRORS_PER_INSTANCE), most relevant first
    (jsonschema's own relevance ranking)."""
    from itertools import islice

    from jsonschema.exceptions import relevance

    found = islice(validator(name).iter_errors(instance), MAX_ERRORS_PER_INSTANCE)
    return sorted(found, key=relevance, reverse=True)


# Distinct strings remembered per pattern or format before starting afresh:
# records repeat their values (the document, its hash, the reviewer, the
# sources), and both checks are pure functions of the string.
_MEMO_SIZE = 4096


class _PythonPattern:
    """``pattern`` as jsonschema checks it: Python's ``re.search``.

    jsonschema-rs follows ECMA-262, which differs from Python's ``re``: ``$``
    there does not match before a final newline, and ``\\s``, ``\\d``, ``\\w``
    and ``.`` cover other characters.  The fast path must answer exactly as
    jsonschema does, so the regex is Python's too.
    """

    def __init__(self, parent_schema: dict[str, Any], value: Any,
                 schema_path: list[str | int]) -> None:
        # A pattern that is not a string or not a Python regex fails here,
        # and fast_validator leaves the schema to jsonschema alone.
        self.search = re.compile(value).search
        self.memo: dict[str, bool] = {}

    def validate(self, instance: Any) -> None:
        """Raise ValueError if the instance is a string the regex does not find."""
        if not isinstance(instance, str):
            return
        found = self.memo.get(instance)
        if found is None:
            if len(self.memo) >= _MEMO_SIZE:
                self.memo.clear()
            found = self.memo[instance] = self.search(instance) is not None
        if not found:
            raise ValueError(f"{instance!r} does not match the pattern")


class _PythonFormat:
    """``format`` as jsonschema checks it: the very format checker it uses.

    jsonschema-rs has format checks of its own, which differ from jsonschema's
    (jsonschema accepts a date-time or a uri with a trailing newline, and
    skips a format whose library is not installed).  Replacing the keyword
    makes every format name, known or not, mean what it means to jsonschema.
    """

    def __init__(self, parent_schema: dict[str, Any], value: Any,
                 schema_path: list[str | int]) -> None:
        # Built only for a schema with a format: the project schema has none,
        # and importing jsonschema costs more than checking it.
        self.checker = format_checker()
        self.format = value
        self.memo: dict[str, bool] = {}

    def validate(self, instance: Any) -> None:
        """Raise ValueError if jsonschema's format checker rejects the instance."""
        if isinstance(instance, str):
            conforms = self.memo.get(instance)
            if conforms is None:
                if len(self.memo) >= _MEMO_SIZE:
                    self.memo.clear()
                conforms = self.memo[instance] = self.checker.conforms(instance, self.format)
        else:
            conforms = self.checker.conforms(instance, self.format)
        if not conforms:
            raise ValueError(f"{instance!r} is not a {self.format!r}")


def fast_validator(schema: dict[str, Any] | bool) -> jsonschema_rs.Validator | None:
    """jsonschema-rs's validator using jsonschema's regexes and formats; None if it refuses."""
    import jsonschema_rs

    try:
        return jsonschema_rs.Draft202012Validator(
            schema,
            keywords={"pattern": _PythonPattern, "format": _PythonFormat},
            # Our schemas refer only to themselves: nothing is fetched.
            offline=True,
        )
    except ValueError:  # jsonschema_rs.ValidationError: jsonschema decides alone
        return None


@functools.cache
def fast_check(name: SchemaName) -> Callable[[Any], bool]:
    """A fast yes/no validity test that agrees with jsonschema (jsonschema-rs if it can)."""
    # jsonschema-rs answers in microseconds where jsonschema takes ~100 µs a
    # record; jsonschema is still asked for the errors of an invalid one.
    # It takes JSON values: finite numbers (jsonpos refuses NaN and Infinity
    # in records; no number in the project schema could tell them apart) and
    # nesting no deeper than json.loads builds (it recurses natively).
    fast = fast_validator(load_schema(name))
    if fast is None:
        return validator(name).is_valid
    fast_is_valid = fast.is_valid

    def is_valid(instance: Any) -> bool:
        try:
            return fast_is_valid(instance)
        except ValueError:
            # What jsonschema-rs cannot convert to JSON, such as an unpaired
            # surrogate (json.loads lets one through in a project file).
            return validator(name).is_valid(instance)

    return is_valid


def is_valid(name: SchemaName, instance: Any) -> bool:
    """Whether the instance is valid under the named schema (the fast path)."""
    return fast_check(name)(instance)


# -- many instances at once ------------------------------------------------------
#
# Checking a record with jsonschema-rs takes about 0.4 µs without ``pattern``
# and ``format``, and ten times that with them: each is a call back into
# Python for every string (the keywords above).  A file's records share most
# of their strings (document, reviewer, hash, sources) and repeat their
# fields.  So ``all_valid`` splits the schema where that is exact: jsonschema-rs
# checks every instance against the schema without ``pattern`` and ``format``,
# then each ``pattern`` and ``format`` is applied once to each distinct value
# at its place in the instances, with the same regex and format checker as
# above.  Exact because every keyword of the schemas it splits is an
# assertion that must hold (no ``anyOf``, ``not``, ``if`` above a ``pattern``
# or ``format``): the instance is valid if and only if the rest of the schema
# holds and every ``pattern`` and ``format`` holds where the schema applies
# it.  Keywords reaching a value are ``properties``, ``items`` and ``$ref``
# to the schema's own ``$defs``; a schema with anything else is not split,
# and its instances are checked one by one (``fast_check``).

# Keywords that assert something of the value itself and hold no subschema.
_ASSERTIONS = frozenset({
    "type", "required", "const", "enum", "minLength", "maxLength", "minimum", "maximum",
    "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "uniqueItems", "minItems",
    "maxItems", "minProperties", "maxProperties",
    "title", "description", "$comment", "default", "examples", "deprecated", "readOnly",
    "writeOnly",
})
_DEFS = "#/$defs/"
# $ref chains and nesting deeper than this are not split (a recursive schema).
_SPLIT_DEPTH = 16

# Where a check applies: property names from the root, None for "each item".
ValuePath = tuple[str | None, ...]


# Keywords whose subschemas apply conditionally or in combination: kept whole
# when no pattern or format lies under them (else the split would not be exact).
_APPLICATORS = frozenset({"if", "then", "else", "not", "allOf", "anyOf", "oneOf"})


def _checks_strings(node: Any, defs: dict[str, Any], depth: int) -> bool:
    """Whether a pattern or format lies anywhere under node (through $refs too);
    True for anything too deep or not understood, which is then not split."""
    if depth > _SPLIT_DEPTH:
        return True
    if isinstance(node, list):
        return any(_checks_strings(item, defs, depth + 1) for item in node)
    if not isinstance(node, dict):
        return False
    for key, value in node.items():
        if key in ("pattern", "format"):
            return True
        if key == "$ref":
            name = value[len(_DEFS):] if isinstance(value, str) else ""
            if not (isinstance(value, str) and value.startswith(_DEFS) and name in defs):
                return True
            if _checks_strings(defs[name], defs, depth + 1):
                return True
        elif key not in ("const", "enum", "default", "examples") and _checks_strings(
                value, defs, depth + 1):
            return True
    return False


class _NotSplit(Exception):
    """The schema has a keyword all_valid cannot split exactly."""


def split_schema(schema: Any) -> tuple[dict[str, Any], dict[ValuePath, list[tuple[str, str]]]]:
    """The schema without ``pattern`` and ``format``, and where each of them applies
    (value path -> [("pattern", regex) or ("format", name)]).

    Raises ValueError for a schema where that split would not be exact.
    """
    if not isinstance(schema, dict):
        raise ValueError("not a schema object")
    defs = schema.get("$defs", {})
    if not isinstance(defs, dict):
        raise ValueError("$defs is not an object")
    checks: dict[ValuePath, list[tuple[str, str]]] = {}

    def strip(node: Any, path: ValuePath | None, depth: int) -> Any:
        # path None: a $defs entry copied for the stripped schema, not applied.
        if isinstance(node, bool):
            return node
        if not isinstance(node, dict) or depth > _SPLIT_DEPTH:
            raise _NotSplit
        stripped: dict[str, Any] = {}
        for key, value in node.items():
            if key in ("pattern", "format"):
                if not isinstance(value, str):
                    raise _NotSplit
                if path is not None:
                    checks.setdefault(path, []).append((key, value))
            elif key == "properties":
                if not isinstance(value, dict):
                    raise _NotSplit
                stripped[key] = {name: strip(sub, None if path is None else (*path, name),
                                             depth + 1)
                                 for name, sub in value.items()}
            elif key == "items":
                stripped[key] = strip(value, None if path is None else (*path, None), depth + 1)
            elif key == "$ref":
                name = value[len(_DEFS):] if isinstance(value, str) else ""
                if not (isinstance(value, str) and value.startswith(_DEFS) and name in defs
                        and not any(c in name for c in "/~%")):
                    raise _NotSplit
                strip(defs[name], path, depth + 1)  # its checks apply here too
                stripped[key] = value
            elif (key in _ASSERTIONS or (depth == 0 and key in ("$schema", "$id"))
                  or (key == "additionalProperties" and isinstance(value, bool))):
                stripped[key] = value
            elif key in _APPLICATORS and not _checks_strings(value, defs, depth):
                # A condition (the annotation schema's "provenance only for
                # consensus") with no pattern or format under it: jsonschema-rs
                # decides it whole, so it is kept as it is.
                stripped[key] = value
            elif not (depth == 0 and key == "$defs"):
                raise _NotSplit
        return stripped

    try:
        stripped = strip(schema, (), 0)
        if defs:
            stripped["$defs"] = {name: strip(sub, None, 1) for name, sub in defs.items()}
    except _NotSplit:
        raise ValueError("the schema cannot be split exactly") from None
    return stripped, checks


class _Values:
    """The values at each path of some instances, where the schema's keywords
    reach (a property of an object, each item of an array), each path
    gathered once from its parent's values: in C when the parent's values
    are all objects that have the property, or all arrays, as in a valid file."""

    def __init__(self, instances: Sequence[Any], together: Sequence[str] = ()) -> None:
        self._at: dict[ValuePath, Sequence[Any]] = {(): instances}
        self._kinds: dict[ValuePath, set[type]] = {}
        if len(together) > 1 and self.kinds(()) == {dict}:
            # Properties every instance has, in one pass over the instances
            # rather than one pass each: at 100,000 records a pass costs
            # more in memory latency than in the work done.
            try:
                rows = list(map(operator.itemgetter(*together), instances))
            except KeyError:
                return
            for name, column in zip(together, zip(*rows, strict=True), strict=True):
                self._at[(name,)] = column

    def at(self, path: ValuePath) -> Sequence[Any]:
        """Every value at path, in the instances' order."""
        found = self._at.get(path)
        if found is not None:
            return found
        parent, step = self.at(path[:-1]), path[-1]
        kinds = self.kinds(path[:-1])
        if step is None:
            found = list(itertools.chain.from_iterable(
                parent if kinds == {list} else
                [value for value in parent if isinstance(value, list)]))
        else:
            found = None
            if kinds == {dict}:
                # Every object has it, as in a valid file: one pass in C.  (Asking
                # first whether each has it is a second pass over 100,000 objects.)
                with contextlib.suppress(KeyError):
                    found = list(map(operator.itemgetter(step), parent))
            if found is None:  # an optional property, or values that are not all objects
                found = [value[step] for value in parent
                         if isinstance(value, dict) and step in value]
        self._at[path] = found
        return found

    def kinds(self, path: ValuePath) -> set[type]:
        """The types of the values at path."""
        found = self._kinds.get(path)
        if found is None:
            found = self._kinds[path] = set(map(type, self.at(path)))
        return found

    def distinct(self, path: ValuePath) -> tuple[set[str], list[Any]]:
        """The distinct strings at path, and every value there that is not a
        string (1, 1.0 and True are one member of a set: each is kept)."""
        values = self.at(path)
        if self.kinds(path) <= {str}:
            return set(values), []
        return ({value for value in values if isinstance(value, str)},
                [value for value in values if not isinstance(value, str)])


Check = Callable[[set[str], list[Any]], bool]


def _value_check(kind: str, argument: str) -> Check:
    """Whether a pattern or format holds for some values, as jsonschema checks it:
    the distinct strings, and the values that are not strings."""
    if kind == "pattern":
        search = re.compile(argument).search

        def pattern_holds(strings: set[str], others: list[Any]) -> bool:
            # A pattern says nothing of a value that is not a string.
            return all(map(search, strings))  # a match is true, None false

        return pattern_holds
    # The two formats our schemas use are checked here without importing
    # jsonschema (75 ms, for every command that writes a record): "iri" is
    # ours (format_checker registers _is_iri), and "date-time" is jsonschema's
    # rfc3339-validator call (tests/test_schema_fastpath.py holds the two to
    # one verdict, and to format_checker's choice of check).
    if argument == "iri":
        return lambda strings, others: all(map(_is_iri, strings))  # others: not strings
    if argument == "date-time":
        batch = _datetimes_check()
        if batch is not None:
            return batch
    checker = format_checker()
    if argument not in checker.checkers:
        return lambda strings, others: True  # jsonschema skips a format it cannot check
    # What FormatChecker.conforms does, without its two calls around the
    # check: a value conforms if the function returns true and raises none
    # of the errors it is registered with.
    check, raises = checker.checkers[argument]

    def format_holds(strings: set[str], others: list[Any]) -> bool:
        try:
            return all(map(check, strings)) and all(map(check, others))
        except raises:
            return False

    return format_holds


def _datetimes_check() -> Check | None:
    """jsonschema's own date-time check for many timestamps at once, or None
    without rfc3339-validator (jsonschema then skips date-time, and so does
    the format checker's path).

    jsonschema checks a date-time with rfc3339-validator:
    ``validate_rfc3339(value.upper())``, which is its regex, then a calendar
    test of the year, month and day the regex captured.  A file's timestamps
    are distinct (milliseconds) but share a few days: each is matched with
    that very regex, and the library's own function decides once per
    distinct day.  The same answer, without a Python call per timestamp
    beyond the match (100,000 records: most of the format's cost).
    """
    try:
        import rfc3339_validator  # type: ignore[import-untyped]
    except ImportError:
        return None
    match = rfc3339_validator.RFC3339_REGEX.match
    validate = rfc3339_validator.validate_rfc3339

    def datetimes_hold(strings: set[str], others: list[Any]) -> bool:
        # A value that is not a string is no date-time to check (is_datetime).
        days: dict[str, bool] = {}
        for value in strings:
            # Our writers' timestamps are upper case already ("...T12:00:00Z").
            upper = value if value.isupper() else value.upper()
            if match(upper) is None:
                return False
            day = upper[:10]  # the year, month and day the regex matched
            valid = days.get(day)
            if valid is None:
                valid = days[day] = validate(upper)
            if not valid:
                return False
        return True

    return datetimes_hold


def split_validator(schema: Any, one_by_one: Callable[[Any], bool]
                    ) -> Callable[[Sequence[Any]], bool] | None:
    """Whether all of some instances are valid, by the split schema (see above);
    None for a schema ``split_schema`` cannot split or jsonschema-rs refuses.

    ``one_by_one`` is the verdict on one instance (``fast_check``): asked for
    each when jsonschema-rs cannot take an instance (an unpaired surrogate).
    """
    import jsonschema_rs

    try:
        stripped, where = split_schema(schema)
        # The instances as one array: one call into jsonschema-rs, not one each.
        structure = jsonschema_rs.Draft202012Validator(
            {**{key: stripped[key] for key in ("$schema", "$defs") if key in stripped},
             "type": "array",
             "items": {key: value for key, value in stripped.items()
                       if key not in ("$schema", "$id", "$defs")}},
            offline=True).is_valid
        # Each check once, over the values of every place it applies
        # (created and modified are often the same timestamp).
        places: dict[tuple[str, str], list[ValuePath]] = {}
        for path, found in where.items():
            for check in found:
                places.setdefault(check, []).append(path)
        checks = [(_value_check(*check), paths) for check, paths in places.items()]
    except (ValueError, re.error):
        # Not splittable, refused by jsonschema-rs, or a pattern that is no
        # Python regex (fast_check leaves that to jsonschema).
        return None
    # What a valid instance is sure to have at the top: read in one pass.
    required = stripped.get("required", []) if stripped.get("type") == "object" else []
    together = tuple(sorted({step for path in where for step in path[:1]
                             if isinstance(step, str) and step in required}))

    def all_valid(instances: Sequence[Any]) -> bool:
        try:
            if not structure(list(instances)):
                return False
        except ValueError:
            return all(map(one_by_one, instances))
        values = _Values(instances, together)
        for test, paths in checks:
            if len(paths) == 1:
                strings, others = values.distinct(paths[0])
            else:
                found = [values.distinct(path) for path in paths]
                strings = set().union(*(each[0] for each in found))
                others = [value for each in found for value in each[1]]
            if not test(strings, others):
                return False
        return True

    return all_valid


@functools.cache
def _batch_check(name: SchemaName) -> Callable[[Sequence[Any]], bool]:
    """all_valid for one schema: split if that is exact, else fast_check one by one."""
    def one_by_one(instance: Any) -> bool:
        # Built on first use: its format keywords import jsonschema, and a
        # split check needs it only for an instance jsonschema-rs refuses.
        return fast_check(name)(instance)

    split = split_validator(load_schema(name), one_by_one)
    if split is not None:
        return split
    return lambda instances: all(map(fast_check(name), instances))


def all_valid(name: SchemaName, instances: Sequence[Any]) -> bool:
    """Whether every instance is valid under the named schema: ``is_valid`` of
    each, answered for all of them at once (see above)."""
    return _batch_check(name)(instances)
