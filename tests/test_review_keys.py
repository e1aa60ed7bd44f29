"""Review keys (annotate/keymap.py): the default taxonomy's keys, the rule
for other taxonomies, keys set in the project file, and the project files
the rule book refuses (a command key, a key taken twice)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from annotate import rules
from annotate.keymap import COMMAND_KEYS, label_keys
from annotate.model import Label
from annotate.workspace import DEFAULT_LABELS, default_project, load
from tests.conftest import SEED_ID, Run


def labels(*names: str, keys: dict[str, str] | None = None) -> list[Label]:
    return [Label(name, "d", "#000000", key=(keys or {}).get(name)) for name in names]


def test_the_default_taxonomy_gets_s_u_d_p_o() -> None:
    expected = {"s": "sourced", "u": "unsourced", "d": "disputed", "p": "speculative",
                "o": "opinion"}
    assert label_keys(DEFAULT_LABELS) == expected
    # init writes them into the project file, and the rule gives the same without them.
    assert [label["key"] for label in default_project("x")["labels"]] == list(expected)
    unset = [dataclasses.replace(label, key=None) for label in DEFAULT_LABELS]
    assert label_keys(unset) == expected


def test_other_taxonomies_get_the_first_free_letter() -> None:
    # j, k, x, n, l and q are command keys; a taken letter moves on to the next.
    assert label_keys(labels("rumour", "rating", "joke", "kindness", "quote", "xenial")) == {
        "r": "rumour", "a": "rating", "o": "joke", "i": "kindness", "u": "quote",
        "e": "xenial"}
    # A name whose letters are all taken gets the alphabet's first free letter.
    assert label_keys(labels("ab", "ba", "ab-x"))["c"] == "ab-x"


def test_keys_run_out_after_thirty_labels() -> None:
    names = [f"l{i:02d}" for i in range(32)]
    keys = label_keys(labels(*names))
    free = set("abcdefghijklmnopqrstuvwxyz0123456789") - set(COMMAND_KEYS)
    assert len(keys) == len(free) == 30
    assert set(keys) == free
    assert set(keys.values()) == set(names[:30])


def test_keys_set_in_the_project_file_come_first() -> None:
    found = label_keys(labels("rumour", "rating", keys={"rating": "r"}))
    assert found == {"r": "rating", "u": "rumour"}
    assert label_keys(labels("alpha", keys={"alpha": "9"})) == {"9": "alpha"}


@pytest.mark.parametrize(("key", "message"), [
    ("j", "label 'sourced' cannot have the key 'j': it is the key of 'skip' in annotate "
          "review"),
    ("q", "it is the key of 'quit' in annotate review"),
    ("u", "label 'sourced' cannot have the key 'u': it is already the key of label "
          "'unsourced'"),
])
def test_the_rule_book_refuses_clashing_keys(key: str, message: str) -> None:
    data = default_project("x")
    data["labels"][0]["key"] = key
    data["labels"][0], data["labels"][1] = data["labels"][1], data["labels"][0]
    found = rules.project_problems(data)
    assert [p.path for p in found] == [("labels", 1, "key")]
    assert message in found[0].message


@pytest.mark.parametrize("key", ["", "ab", "/", " ", "é"])
def test_the_schema_takes_one_letter_or_digit(key: str) -> None:
    data = default_project("x")
    data["labels"][0]["key"] = key
    assert [p.rule.code for p in rules.project_problems(data)] == ["AN202"]


def test_a_project_file_with_a_command_key_is_refused_by_every_command(workspace: Path,
                                                                        run: Run) -> None:
    project = workspace / "annotate.json"
    data = json.loads(project.read_text())
    data["labels"][3]["key"] = "k"
    project.write_text(json.dumps(data, indent=2))
    result = run("review", SEED_ID)
    assert result.exit_code == 2
    assert "does not match the project schema: label 'speculative' cannot have the key 'k'" \
        in result.stderr
    assert run("validate").exit_code == 1


def test_review_uses_the_keys_of_the_project_file(workspace: Path, run: Run) -> None:
    project = workspace / "annotate.json"
    data = json.loads(project.read_text())
    data["labels"].append({"name": "rumour", "description": "Hearsay.", "color": "#777777",
                           "requires_source": False})
    data["labels"][3]["key"] = "9"  # speculative on 9; its p is free
    project.write_text(json.dumps(data, indent=2))
    assert "rumour" in load(workspace).project.label_names
    result = run("review", SEED_ID, input="r\n9\np\nq\n")
    assert result.exit_code == 0, result.stderr
    assert "s sourced  u unsourced  d disputed  9 speculative  o opinion  r rumour" \
        in " ".join(result.stderr.split("\n"))
    assert "unknown key p: press ? for the keys" in result.stderr
    saved = [json.loads(line) for line in
             (workspace / "annotations" / SEED_ID / "alice.jsonl").read_text().splitlines()]
    assert sorted(r["label"] for r in saved) == ["rumour", "speculative"]
