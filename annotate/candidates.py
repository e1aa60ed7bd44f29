"""Claim candidates: which sentences are worth checking, and why (issue 11).

A small rule-based detector, meant as a hint for a reviewer stepping
through an article (`annotate review --only-candidates`, `annotate
sentences DOC --candidates`), never as a verdict.  A sentence is a
candidate when any of four kinds of cue occurs in it; each cue found is a
``Reason`` (its kind, the words, where they are), in the order they occur.

number
    Digits (``26 million``, ``20,000``, ``120-millimeter``, ``1991``,
    ``40%``) and words of quantity (million, thousand, dozens, twice, half,
    percent ...).  Digits that are part of a name (``Hwasong-18``, ``G7``,
    ``site-12``: a letter, or a letter and a hyphen, right before them) are
    not quantities.  Small numbers spelled out (one, two ...) are left out:
    in news text they count people and places ("the two leaders") far more
    often than they state a checkable quantity.
attribution
    Reported speech and named sources: said, says, told, according to,
    reported, announced, claimed, confirmed, denied, added, assured,
    explained, warned, stated, wrote, in an interview; expert(s),
    analyst(s), officials, spokesman/spokeswoman/spokesperson.
hedge
    Hedging and speculation cues, after the hedge-cue lexicons of the
    CoNLL-2010 shared task (Farkas et al. 2010, "Learning to detect hedges
    and their scope in natural language text"): may, might, could, would,
    possible, possibly, probably, likely, unlikely, perhaps, apparently,
    appear(s), seem(s), suggest(s), believe(s), assume(s), think(s),
    expect(s), predict(s), estimate(s), speculate(s), reportedly,
    allegedly, presumably, supposedly, rumour(s), whether, unclear, it
    remains to be seen.  "may" counts in lower case only: "May" is a month.
comparison
    Comparatives and superlatives: world record, record high/low,
    all-time, unprecedented, for the first time, the first, by far, most,
    least, the -est words of size and rank (largest, biggest, highest ...,
    best, worst), and "than" after a comparative (more than, larger than;
    not "rather than" or "other than").

Inflected forms are listed, not stemmed, so every word that fires is in
this file.  Known limits, by design: claims of scale with no cue ("many",
"often", "extremely scarce"), boosters ("certainly"), and modal "can"
("North Korea can supply") are not found; a link line such as ">> Read
here: ... could be" is.  Matching is case-insensitive except for "may".

Pure: text in, reasons out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from annotate.model import Sentence

Kind = Literal["number", "attribution", "hedge", "comparison"]

KINDS: tuple[Kind, ...] = ("number", "attribution", "hedge", "comparison")


@dataclass(frozen=True)
class Reason:
    """One cue that makes a sentence a candidate: its kind, the words as they
    stand in the text, and where (document offsets, end exclusive)."""

    kind: Kind
    cue: str
    start: int
    end: int


@dataclass(frozen=True)
class Candidate:
    """A sentence worth checking and why."""

    sentence: Sentence
    reasons: tuple[Reason, ...]


def _words(*words: str) -> str:
    """An alternation of words or phrases, longest first; a space matches any white space."""
    ordered = sorted(words, key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered)


_LETTER = r"[^\W\d_]"
# A digit run that is not part of a name (no letter, or letter and hyphen,
# right before it), with its decimals and thousands, a percent sign or
# scale word, or a hyphenated unit (120-millimeter).
_NUMBER = (rf"(?<!{_LETTER})(?<!{_LETTER}-)(?<![\d.,])\d+(?:[.,]\d+)*"
           r"(?:\s?%|\s+(?:percent|per\s+cent|million|billion|trillion|thousand|hundred)\b"
           rf"|-{_LETTER}+)?")
_QUANTITY = _words("million", "millions", "billion", "billions", "trillion", "trillions",
                   "thousand", "thousands", "hundreds", "dozen", "dozens", "twice", "half",
                   "percent", "per cent", "tripled", "doubled", "halved")
_ATTRIBUTION = _words(
    "said", "says", "say", "told", "tells", "according to", "reported", "announced",
    "claimed", "confirmed", "denied", "added", "assured", "explained", "warned", "stated",
    "wrote", "in an interview", "in a radio interview", "expert", "experts", "analyst",
    "analysts", "officials", "spokesman", "spokeswoman", "spokesperson")
_HEDGE = _words(
    "might", "could", "would", "possible", "possibly", "probably", "probable", "likely",
    "unlikely", "perhaps", "maybe", "apparently", "appear", "appears", "appeared", "seem",
    "seems", "seemed", "suggest", "suggests", "suggested", "believe", "believes",
    "believed", "assume", "assumes", "assumed", "think", "thinks", "expect", "expects",
    "expected", "predict", "predicts", "predicted", "estimate", "estimates", "estimated",
    "speculate", "speculates", "speculated", "speculation", "reportedly", "allegedly",
    "alleged", "presumably", "supposedly", "rumour", "rumours", "rumor", "rumors",
    "whether", "unclear", "remains to be seen")
_COMPARISON = _words(
    "world record", "record high", "record low", "record-breaking", "all-time",
    "unprecedented", "for the first time", "the first", "by far", "most", "least",
    "largest", "biggest", "smallest", "highest", "lowest", "greatest", "strongest",
    "weakest", "longest", "shortest", "fastest", "oldest", "youngest", "richest",
    "poorest", "deadliest", "best", "worst")
# "than" after a comparative: "more than", "larger than", "fewer than"; the
# two fixed phrases "rather than" and "other than" compare nothing.
_THAN = rf"\b(?!rather\b|other\b)(?:more|less|fewer|{_LETTER}+er)\s+than\b"

_PATTERN = re.compile(
    rf"(?P<number>{_NUMBER})"
    rf"|\b(?P<quantity>{_QUANTITY})\b"
    rf"|\b(?P<attribution>{_ATTRIBUTION})\b"
    rf"|\b(?P<hedge>{_HEDGE})\b"
    rf"|(?P<than>{_THAN})"
    rf"|\b(?P<comparison>{_COMPARISON})\b",
    re.IGNORECASE,
)
# "may" is matched apart, case-sensitively: "May" is a month.
_MAY = re.compile(r"\bmay\b")

_GROUP_KIND: dict[str, Kind] = {
    "number": "number", "quantity": "number", "attribution": "attribution",
    "hedge": "hedge", "than": "comparison", "comparison": "comparison",
}


def reasons(text: str, offset: int = 0) -> tuple[Reason, ...]:
    """The cues in ``text`` (a sentence) in order, each once per kind and
    wording (case aside); offsets are ``offset`` + the position in text."""
    found: list[tuple[int, int, Kind]] = []
    for match in _PATTERN.finditer(text):
        group = match.lastgroup
        assert group is not None
        found.append((match.start(), match.end(), _GROUP_KIND[group]))
    found.extend((m.start(), m.end(), "hedge") for m in _MAY.finditer(text))
    found.sort()
    seen: set[tuple[Kind, str]] = set()
    kept: list[Reason] = []
    last_end = -1
    for start, end, kind in found:
        if start < last_end:
            continue  # inside a cue already taken ("thousand" of "20 thousand")
        cue = text[start:end]
        wording = (kind, " ".join(cue.lower().split()))
        last_end = end
        if wording in seen:
            continue
        seen.add(wording)
        kept.append(Reason(kind, cue, offset + start, offset + end))
    return tuple(kept)


def candidates(sentences: Sequence[Sentence]) -> list[Candidate]:
    """The sentences with at least one cue, in order, with their reasons."""
    found = []
    for sentence in sentences:
        why = reasons(sentence.text, sentence.start)
        if why:
            found.append(Candidate(sentence, why))
    return found
