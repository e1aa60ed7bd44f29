"""The claim-candidate detector (annotate/candidates.py): each kind of cue,
the exceptions its docstring promises, the seed article against a list
checked by hand, and `annotate sentences --candidates` as text and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotate import candidates
from annotate.sentences import split_sentences
from tests.conftest import SEED, SEED_ID, Run


def cues(text: str) -> list[tuple[str, str]]:
    return [(r.kind, r.cue) for r in candidates.reasons(text)]


# -- each kind of cue -----------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("It has over 20,000 artillery pieces.", [("number", "20,000")]),
    ("Some 26 million people live there.", [("number", "26 million")]),
    ("Prices rose 4.5% last year.", [("number", "4.5%")]),
    ("Turnout was 61 percent.", [("number", "61 percent")]),
    ("They fire 152-millimeter shells.", [("number", "152-millimeter")]),
    ("It has not changed since 1991.", [("number", "1991")]),
    ("Thousands marched.", [("number", "Thousands")]),
    ("It failed twice.", [("number", "twice")]),
    # part of a name, not a quantity
    ("The Hwasong-18 flew.", []),
    ("The G7 met.", []),
    ("source site-12", []),
    # small numbers spelled out are left out on purpose
    ("The two leaders met.", []),
])
def test_numbers_and_quantities(text: str, expected: list[tuple[str, str]]) -> None:
    assert cues(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Putin said so.", [("attribution", "said")]),
    ("According to the IISS, it is so.", [("attribution", "According to")]),
    ("Kim told Putin.", [("attribution", "told")]),
    ("Officials confirmed the visit.", [("attribution", "Officials"),
                                        ("attribution", "confirmed")]),
    ("An expert spoke in a radio interview.", [("attribution", "expert"),
                                               ("attribution", "in a radio interview")]),
])
def test_attributions(text: str, expected: list[tuple[str, str]]) -> None:
    assert cues(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("It could happen.", [("hedge", "could")]),
    ("It may happen.", [("hedge", "may")]),
    ("They met in May.", []),  # the month
    ("May they meet?", []),  # capitalised "May" is taken for the month: a known miss
    ("Experts believe it.", [("attribution", "Experts"), ("hedge", "believe")]),
    ("He reportedly left.", [("hedge", "reportedly")]),
    ("It is possible that it rains.", [("hedge", "possible")]),
    ("It remains to be seen whether it works.", [("hedge", "remains to be seen"),
                                                 ("hedge", "whether")]),
    ("North Korea can supply weapons.", []),  # modal "can" is left out
    ("It is certainly true.", []),  # a booster, not a hedge
])
def test_hedges(text: str, expected: list[tuple[str, str]]) -> None:
    assert cues(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("It is a world record.", [("comparison", "world record")]),
    ("It is the largest army.", [("comparison", "largest")]),
    ("It is the most important partner.", [("comparison", "most")]),
    ("They will drill for the first time.", [("comparison", "for the first time")]),
    ("It has more than 900 guns.", [("comparison", "more than"), ("number", "900")]),
    ("It is larger than France.", [("comparison", "larger than")]),
    ("Talk rather than fight.", []),
    ("Anyone other than him.", []),
    ("It is far more important.", []),  # a comparative without "than"
])
def test_comparisons(text: str, expected: list[tuple[str, str]]) -> None:
    assert cues(text) == expected


def test_a_cue_is_listed_once_per_wording_and_offsets_point_into_the_text() -> None:
    text = "He said it. She said it too, according to AP. According to Reuters, no."
    found = candidates.reasons(text, offset=100)
    assert [(r.kind, r.cue) for r in found] == [("attribution", "said"),
                                               ("attribution", "according to")]
    for reason in found:
        assert text[reason.start - 100:reason.end - 100] == reason.cue


def test_candidates_keep_the_sentences_with_a_cue_in_order() -> None:
    sentences = split_sentences("The cat sat. It weighs 4 kg. Nothing here. He said so.")
    found = candidates.candidates(sentences)
    assert [c.sentence.number for c in found] == [2, 4]
    assert [r.kind for r in found[0].reasons] == ["number"]


# -- the seed article, checked by hand ---------------------------------------------------
#
# How this list was checked: I read each of the 62 sentences of
# corpus/kim-putin-vostochny.txt (as `annotate sentences` numbers them) and
# marked by hand, against the lexicons and exceptions of annotate/candidates.py's
# docstring, every cue that occurs in it; a sentence with none is not listed.
# The sentences without a cue were read too: 3 ("The two heads of state") and
# 19 ("the two great powers") hold only small spelled-out numbers, 23 only
# modal "can", 38 only the booster "certainly", 50's "Hwasong-18" is a name,
# 61's "More:" has no "than", 62's "site-12" is a name.  Then the detector
# was run and compared; it agreed on every sentence and every cue.
#
# Where the rules and an editor part ways (the detector is a hint, not a
# verdict): 35 is a link line (">> Read here: ... could be"), flagged though
# nothing in it is a claim of the article; and these checkable claims have no
# cue of the four kinds, so they are missed: 6 (they met on Wednesday at
# Vostochny), 23 (North Korea can supply these weapons), 24 (offered help last
# year), 38 (certainly based on a wish), 43-46 (malnutrition, scarcity, idle
# tractors, electricity: claims of scale without numbers), 53 (grew up in
# Switzerland).
SEED_CANDIDATES: dict[int, list[tuple[str, str]]] = {
    7: [("attribution", "Experts"), ("hedge", "predicted")],
    9: [("attribution", "said"), ("attribution", "according to")],
    12: [("hedge", "whether")],
    13: [("attribution", "assured"), ("hedge", "would")],
    14: [("attribution", "told")],
    15: [("attribution", "added")],
    20: [("comparison", "by far"), ("comparison", "most")],
    25: [("hedge", "speculated")],
    28: [("hedge", "could")],
    29: [("attribution", "According to"), ("number", "26 million"), ("number", "20,000"),
         ("attribution", "experts"), ("hedge", "believe"), ("comparison", "world record")],
    30: [("attribution", "said"), ("attribution", "expert"),
         ("attribution", "in a radio interview")],
    31: [("number", "120-millimeter"), ("number", "122-millimeter"),
         ("number", "152-millimeter")],
    32: [("hedge", "would"), ("hedge", "possible")],
    34: [("hedge", "probably"), ("number", "1991"), ("attribution", "said")],
    35: [("hedge", "could")],
    36: [("attribution", "experts"), ("hedge", "assume"), ("hedge", "would")],
    39: [("number", "twice")],
    40: [("hedge", "could")],
    41: [("hedge", "would"), ("hedge", "could")],
    42: [("hedge", "would")],
    47: [("attribution", "According to"), ("attribution", "experts"), ("hedge", "could")],
    48: [("hedge", "could")],
    49: [("hedge", "would")],
    50: [("attribution", "expert"), ("hedge", "assumes")],
    55: [("attribution", "according to")],
    56: [("attribution", "explained"), ("comparison", "for the first time")],
    57: [("attribution", "said"), ("hedge", "suggested")],
    58: [("hedge", "remains to be seen"), ("hedge", "whether"), ("hedge", "would")],
    59: [("hedge", "would")],
}


def test_the_seed_article_gives_the_hand_checked_candidates() -> None:
    text = SEED.read_text(encoding="utf-8")
    sentences = split_sentences(text)
    assert len(sentences) == 62
    found = {c.sentence.number: [(r.kind, r.cue) for r in c.reasons]
             for c in candidates.candidates(sentences)}
    assert found == SEED_CANDIDATES
    for candidate in candidates.candidates(sentences):
        for reason in candidate.reasons:
            assert text[reason.start:reason.end] == reason.cue
            assert candidate.sentence.start <= reason.start < reason.end \
                <= candidate.sentence.end


# -- annotate sentences --candidates ---------------------------------------------------

def test_sentences_candidates_as_text(workspace: Path, run: Run) -> None:
    result = run("sentences", SEED_ID, "--candidates")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2 * len(SEED_CANDIDATES)
    assert lines[0].startswith("   7  9:188   Experts and media abroad")
    assert lines[1] == "              why: attribution “Experts”, hedge “predicted”"
    numbers = [int(line.split()[0]) for line in lines[::2]]
    assert numbers == sorted(SEED_CANDIDATES)


def test_sentences_candidates_as_json_have_reasons(workspace: Path, run: Run) -> None:
    result = run("sentences", SEED_ID, "--candidates", "--format", "json")
    assert result.exit_code == 0, result.stderr
    items = json.loads(result.stdout)
    assert [item["number"] for item in items] == sorted(SEED_CANDIDATES)
    text = SEED.read_text(encoding="utf-8")
    for item in items:
        assert [(r["kind"], r["cue"]) for r in item["reasons"]] == \
            SEED_CANDIDATES[item["number"]]
        assert all(text[r["start"]:r["end"]] == r["cue"] for r in item["reasons"])
        assert text[item["start"]:item["end"]] == item["text"]
    # Without --candidates, every sentence and no reasons key: the format is unchanged.
    plain = json.loads(run("sentences", SEED_ID, "--format", "json").stdout)
    assert len(plain) == 62 and "reasons" not in plain[0]


def test_sentences_candidates_of_a_document_without_any(workspace: Path, run: Run) -> None:
    (workspace / "corpus" / "calm.txt").write_text("The cat sat on the mat.\n")
    result = run("sentences", "calm.txt", "--candidates", "--format", "json")
    assert (result.exit_code, result.stdout) == (0, "[]\n")
    result = run("sentences", "calm.txt", "--candidates")
    assert (result.exit_code, result.stdout) == (0, "")
