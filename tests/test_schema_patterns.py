"""Every pattern in schemas/ means the same in ECMA-262 and in Python's re.

JSON Schema regexes are ECMA-262 (check-jsonschema checks them with regress);
jsonschema, and so annotate, runs them with Python's re.  The dialects
differ: Python's $ also matches before a final newline ("alice\\n" would pass
a reviewer pattern ending in $), and their \\s, \\S and . cover different
characters.  The schemas are written so that the difference never shows
(see their $comment); this test holds them to it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import regress
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate import schema

SCHEMAS = sorted((Path(__file__).parent.parent / "schemas").glob("*.schema.json"))


def _patterns(node: Any, found: list[str]) -> list[str]:
    """Every "pattern" keyword's value under node."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                found.append(value)
            else:
                _patterns(value, found)
    elif isinstance(node, list):
        for item in node:
            _patterns(item, found)
    return found


PATTERNS = sorted({p for path in SCHEMAS
                   for p in _patterns(json.loads(path.read_text(encoding="utf-8")), [])})

# Characters the patterns mention, and every one that is whitespace to one
# dialect and not to the other (or a line terminator to one and not the other).
ALPHABET = ("aZz09#@+-_./\\:?ZT" "\t\n\v\f\r \x00\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000"
            "\u2028\u2029\u202f\u3000\ufeff\u200bé")
strings = st.one_of(
    st.text(alphabet=st.sampled_from(ALPHABET), max_size=8),
    st.builds("{}{}".format, st.sampled_from(["abcd", "a" * 64, "alice", "#1b9e77", "AN101",
                                              "sourced", "2026-01-01T00:00:00Z", "a/..",
                                              "https://x.example/a", "corpus"]),
              st.sampled_from(["", "\n", "\r", "\n\n", " ", "\ufeff", "\x1c", "\u2028"])),
)


def test_the_schemas_have_patterns() -> None:
    assert len(PATTERNS) >= 10


@pytest.mark.parametrize("pattern", PATTERNS)
@settings(max_examples=300, deadline=None)
@given(text=strings)
def test_python_and_ecma_262_agree(pattern: str, text: str) -> None:
    python = re.search(pattern, text) is not None
    ecma = regress.Regex(pattern, flags="u").find(text) is not None
    assert python is ecma


@pytest.mark.parametrize("change", [
    {"id": "abcd\n"},
    {"reviewer": "alice\n"},
    {"document_sha256": "0" * 64 + "\n"},
    {"created": "2026-11-29T11:00:00.123Z\n"},
    {"tags": ["missiles\n"]},
    {"tags": ["\ufeffmissiles"]},
])
def test_a_final_newline_or_stray_space_is_refused(change: dict[str, Any]) -> None:
    record = {
        "id": "06h2e5p88bm23758", "document": "a.txt", "document_sha256": "0" * 64,
        "start": 0, "end": 1, "quote": "x", "prefix": "", "suffix": "", "label": "sourced",
        "reviewer": "alice", "note": "", "sources": [], "created": "2026-11-29T11:00:00Z",
        "modified": "2026-11-29T11:00:00Z",
    }
    assert schema.is_valid("annotation", record)
    assert not schema.is_valid("annotation", {**record, **change})
    assert not schema.validator("annotation").is_valid({**record, **change})


def test_the_finished_marker_spells_its_fields_as_annotations_do() -> None:
    import json
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "schemas"
    annotation = json.loads((folder / "annotation.schema.json").read_text(encoding="utf-8"))
    finished = json.loads((folder / "finished.schema.json").read_text(encoding="utf-8"))
    same = {"document": annotation["properties"]["document"],
            "reviewer": annotation["$defs"]["reviewer"],
            "finished": annotation["$defs"]["timestamp"],
            "document_sha256": annotation["properties"]["document_sha256"]}
    for name, expected in same.items():
        assert finished["properties"][name]["pattern"] == expected["pattern"], name
