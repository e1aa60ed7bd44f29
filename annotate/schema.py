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

import functools
import json
import re
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import jsonschema_rs
    from jsonschema import FormatChecker
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

SchemaName = Literal["annotation", "project", "validation-report", "finished", "decisions",
                     "merge-report"]


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
