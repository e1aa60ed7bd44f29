"""The keys of `annotate review` (issue 11): the command keys, and which key
labels a sentence with which label of the taxonomy.  Pure.

A label's key comes from the project file (``labels[].key``) when it sets
one; every other label gets the first letter of its name that no other
label has taken and that is not a command key, else the first such letter
of the alphabet, else such a digit.  The default taxonomy therefore gets
s sourced, u unsourced, d disputed, p speculative (its s is taken) and
o opinion -- the keys ``annotate init`` also writes into the project file.
A taxonomy of more labels than there are free letters and digits (30) leaves
the rest without a key; `review` lists them as such.

The rule book (rules.project_problems) refuses a project file whose keys
clash with a command key or with each other, so every key means one thing.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from annotate.model import Label

# What each command key does; "/" narrows the span, then a label key labels it.
COMMAND_KEYS: Mapping[str, str] = MappingProxyType({
    "j": "skip", " ": "skip", "k": "back", "x": "remove", "n": "note", "l": "source",
    "/": "quote", "?": "help", "q": "quit",
})

# How a key is named in help and messages.
KEY_NAMES: Mapping[str, str] = MappingProxyType({" ": "space"})

# The characters a project file may give a label as its key (also the schema's pattern).
ALLOWED = string.ascii_letters + string.digits


def key_name(key: str) -> str:
    """A key as help and messages name it: "space" for " ", else the key."""
    return KEY_NAMES.get(key, key)


def clash(key: str) -> str | None:
    """Why a label may not have this key (a command key), or None."""
    if key in COMMAND_KEYS:
        return (f"it is the key of {COMMAND_KEYS[key]!r} in annotate review (its command "
                f"keys: {', '.join(key_name(k) for k in COMMAND_KEYS)})")
    return None


def label_keys(labels: Sequence[Label]) -> dict[str, str]:
    """Key -> label name for every label that gets a key, in the labels' order
    (see the module's docstring for the rule)."""
    taken: dict[str, str] = {}
    for label in labels:
        if label.key is not None and label.key not in taken and clash(label.key) is None:
            taken[label.key] = label.name
    chosen = {name: key for key, name in taken.items()}
    for label in labels:
        if label.name in chosen or label.key is not None:
            continue
        for pool in (label.name, string.ascii_lowercase, string.digits):
            key = next((c for c in pool if c in ALLOWED and c not in taken
                        and clash(c) is None), None)
            if key is not None:
                taken[key] = label.name
                chosen[label.name] = key
                break
    return {chosen[label.name]: label.name for label in labels if label.name in chosen}
