"""The JSON Schemas in schemas/: loading them and one reused validator each.

jsonschema is imported here and nowhere at start-up: building a validator
costs tens of milliseconds, so each is built once per process and cached.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

SchemaName = Literal["annotation", "project", "validation-report"]


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
    with open(schema_dir() / f"{name}.schema.json", encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


@functools.cache
def validator(name: SchemaName) -> Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(
        load_schema(name), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


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


def describe_error(error: ValidationError) -> str:
    """One line: where in the record, and what is wrong."""
    where = "/".join(str(part) for part in error.absolute_path)
    message = error.message
    if len(message) > 200:
        message = message[:197] + "..."
    return f"{where}: {message}" if where else message


@functools.cache
def fast_check(name: SchemaName) -> Callable[[Any], bool]:
    """A quick exact is-valid test (fastschema), or jsonschema's own if unsupported."""
    from annotate.fastschema import UnsupportedSchema, compile_schema

    try:
        # Without formats no jsonschema is needed at all: the project file
        # is checked by every command, and importing jsonschema costs more
        # than the rest of a cached `annotate validate`.
        return compile_schema(load_schema(name), None)
    except UnsupportedSchema:
        pass
    checker = validator(name)
    try:
        return compile_schema(load_schema(name), checker.format_checker)  # type: ignore[attr-defined]
    except UnsupportedSchema:
        return checker.is_valid


def is_valid(name: SchemaName, instance: Any) -> bool:
    return fast_check(name)(instance)
