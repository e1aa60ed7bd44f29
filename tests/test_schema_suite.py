"""The fast schema check passes the official JSON-Schema-Test-Suite.

STYLE.md 13: where a standard has an official test suite, our code that
touches it passes it.  These are the draft 2020-12 cases for every keyword
our schemas use (tests/data/JSON-Schema-Test-Suite/README.md says where the
files come from), run through ``annotate.schema.fast_validator`` with format
assertion on, as ``fast_check`` always runs.  A case that cannot pass is
listed in KNOWN_FAILURES with its reason and runs as a strict xfail.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotate import schema

SUITE = Path(__file__).parent / "data" / "JSON-Schema-Test-Suite" / "tests" / "draft2020-12"

# One file per keyword of schemas/*.json (format.json holds the format
# keyword's cases for every format; only those we use are run).
KEYWORD_FILES = [
    "additionalProperties", "const", "defs", "enum", "format", "items", "maxLength",
    "minItems", "minLength", "minimum", "pattern", "properties", "ref", "required", "type",
    "uniqueItems",
]
# The formats our schemas use, whose optional (format-assertion) cases run too.
FORMATS = ["date-time", "iri"]

_ASSERTING = ("annotate asserts formats (schema.format_checker, as `annotate validate` "
              "always has); this case checks the annotation-only default")
_LEAP = ("jsonschema's date-time check (rfc3339-validator) rejects leap seconds; the "
         "fast path uses jsonschema's own format functions so that both always agree "
         "(jsonschema's own suite run skips this case for the same reason)")

# (file, group description, case description) -> why it cannot pass.
KNOWN_FAILURES = {
    ("format", "date-time format", "invalid date-time string is only an annotation by default"):
        _ASSERTING,
    ("format", "iri format", "invalid iri string is only an annotation by default"):
        _ASSERTING,
    ("optional/format/date-time", "validation of date-time strings",
     "a valid date-time with a leap second, UTC"): _LEAP,
    ("optional/format/date-time", "validation of date-time strings",
     "a valid date-time with a leap second, with minus offset"): _LEAP,
}


def _cases() -> list[Any]:
    """Every case to run, as pytest params, with the known failures marked."""
    files = [(name, SUITE / f"{name}.json") for name in KEYWORD_FILES]
    files += [(f"optional/format/{name}", SUITE / "optional" / "format" / f"{name}.json")
              for name in FORMATS]
    params = []
    for name, path in files:
        for group in json.loads(path.read_text(encoding="utf-8")):
            group_schema = group["schema"]
            if (name == "format" and isinstance(group_schema, dict)
                    and group_schema.get("format") not in FORMATS):
                continue  # a format our schemas do not use
            for case in group["tests"]:
                key = (name, group["description"], case["description"])
                reason = KNOWN_FAILURES.get(key)
                marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                params.append(pytest.param(group_schema, case["data"], case["valid"],
                                           marks=marks, id=" | ".join(key)))
    return params


CASES = _cases()


@pytest.mark.parametrize(("schema_", "data", "valid"), CASES)
def test_fast_path_passes_the_suite(schema_: Any, data: Any, valid: bool) -> None:
    fast = schema.fast_validator(schema_)
    # A schema jsonschema-rs refused would be checked by jsonschema alone,
    # and this test would no longer test the fast path.
    assert fast is not None, "jsonschema-rs could not load the schema"
    assert fast.is_valid(data) is valid


# The cases whose schema all_valid splits; the others it checks one by one,
# with the fast path the test above runs on every case.
SPLIT_CASES = [param for param in CASES if schema.split_validator(param.values[0], bool)
               is not None]


@pytest.mark.parametrize(("schema_", "data", "valid"), SPLIT_CASES)
def test_the_split_check_passes_the_suite(schema_: Any, data: Any, valid: bool) -> None:
    # all_valid's check of many instances at once: for a schema it splits,
    # alone and beside a valid twin, each case as the suite says.
    fast = schema.fast_validator(schema_)
    assert fast is not None
    split = schema.split_validator(schema_, fast.is_valid)
    assert split is not None
    assert split([data]) is valid
    assert split([data, data]) is valid


def test_most_of_the_suite_runs_through_the_split_check() -> None:
    assert len(SPLIT_CASES) > len(CASES) // 2


def test_every_known_failure_names_a_case() -> None:
    ids = {param.id for param in CASES}
    assert {" | ".join(key) for key in KNOWN_FAILURES} <= ids


def test_the_suite_is_all_there() -> None:
    # A lost or emptied file must not pass as "no failures".
    assert len(CASES) > 400
    for name in [*KEYWORD_FILES, *(f"optional/format/{f}" for f in FORMATS)]:
        assert any(str(param.id).startswith(f"{name} | ") for param in CASES), name
