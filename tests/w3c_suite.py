"""The W3C Web Annotation test suite's MUST assertions, as a checker.

The suite (w3c/web-annotation-tests, vendored in tests/data/w3c-web-annotation-tests
with its licence) states each assertion as a draft-04 JSON Schema with an
``expectedResult`` ("valid" or "invalid"); a ``.test`` file lists the
assertions of one kind of object.  A value conforms when every listed
schema gives its expected result.  The schemas reference each other and
``definitions/*.json`` by relative ids, so all of them go into one
``referencing`` registry; formats ("uri", "date-time") are checked, which
jsonschema does only with rfc3986-validator and rfc3339-validator installed
(the test extras): ``format_checks_work`` makes sure they are.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

SUITE = Path(__file__).resolve().parent / "data" / "w3c-web-annotation-tests"
ANNOTATION_MUSTS = "annotations/annotationMusts.test"
COLLECTION_MUSTS = "collections/collectionMusts.test"
PAGE_MUSTS = "collections/pages/pageMusts.test"


@functools.cache
def _registry() -> Any:
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    resources = []
    for path in sorted(SUITE.rglob("*.json")):
        if "tools" in path.relative_to(SUITE).parts:
            continue
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["id"],
                          Resource.from_contents(schema, default_specification=DRAFT4)))
    return Registry().with_resources(resources)


@functools.cache
def assertions(test_file: str) -> tuple[tuple[str, Any, bool], ...]:
    """(name, validator, expected valid?) for each assertion of a .test file."""
    from jsonschema import Draft4Validator

    listed = json.loads((SUITE / test_file).read_text(encoding="utf-8"))["assertions"]
    checkers = []
    for name in listed:
        schema = json.loads((SUITE / name).read_text(encoding="utf-8"))
        validator = Draft4Validator(schema, registry=_registry(),
                                    format_checker=Draft4Validator.FORMAT_CHECKER)
        checkers.append((name, validator, schema.get("expectedResult", "valid") == "valid"))
    return tuple(checkers)


def failures(value: Any, test_file: str) -> list[str]:
    """The assertions of test_file that value does not meet, with why."""
    found = []
    for name, validator, expect_valid in assertions(test_file):
        errors = list(validator.iter_errors(value))
        if bool(errors) == expect_valid:
            why = errors[0].message[:200] if errors else "valid, but expected invalid"
            found.append(f"{name}: {why}")
    return found


def format_checks_work() -> bool:
    """jsonschema really checks "uri" and "date-time" (they are skipped
    silently when the checker libraries are missing)."""
    from jsonschema import Draft4Validator

    checker = Draft4Validator.FORMAT_CHECKER
    return (not checker.conforms("not a uri", "uri")
            and not checker.conforms("2020-13-01T00:00:00Z", "date-time"))
