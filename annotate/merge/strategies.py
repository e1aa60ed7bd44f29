"""Deciding a position: merge it into the consensus (with which label and span) or not, and why.

A strategy only decides what to do with each status (DESIGN.md: "strategies
only decide what to do with each status"); the grouping and the statuses
are ``positions``'.  Each reviewer casts one vote per position: the label of
their span there (a stacked reviewer's span nearest the core,
``Position.voting``).

- ``unanimous`` (default): merge ``agreed`` positions only -- INCEpTION's
  default of merging "completely agreeing" positions.
- ``majority``: the label with the most votes wins if it has at least
  ``quorum`` votes and strictly more than any other label; a tie at the top
  is not merged (``tie``, a conflict), nor is a winner with fewer votes
  (``quorum``).
  The default quorum (``default_quorum``) is a strict majority of the
  document's reviewers, at least 2 when there are two or more: 2 of 2 or 3,
  3 of 4 or 5.  With it a winner is always a majority of everyone, so a
  label two of five reviewers chose never speaks for the desk.
- ``union``: every position whose spans all carry one label (agreed,
  incomplete, or stacked with one label); a position whose labels differ is
  not merged (``conflict``).
- ``prefer:REVIEWER``: where the adjudicator marked the position, their label
  wins; elsewhere ``unanimous`` decides, and the decision's ``method`` says so.

An editor's decision (``EditorDecision``: a label, or ``None`` for "no claim
here") overrides any strategy.

The span of a merged position is the span most of its supporters chose
(ties: the shortest, then the earliest); with no supporter (an editor's
label nobody chose) it is the position's core.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypedDict

from annotate.errors import InvalidValueError
from annotate.merge.positions import Position
from annotate.model import Annotation

StrategyName = Literal["unanimous", "majority", "union", "prefer"]
STRATEGY_NAMES: tuple[StrategyName, ...] = ("unanimous", "majority", "union", "prefer")

# Why a position was not merged.
Reason = Literal["conflict", "incomplete", "stacked", "tie", "quorum", "rejected"]
REASONS: tuple[Reason, ...] = ("conflict", "incomplete", "stacked", "tie", "quorum", "rejected")

EDITOR = "editor"  # the method of a decision an editor made


@dataclass(frozen=True)
class Strategy:
    """How positions without an editor's decision are decided."""

    name: StrategyName
    reviewer: str | None = None  # prefer's adjudicator

    def __str__(self) -> str:
        return f"prefer:{self.reviewer}" if self.name == "prefer" else self.name


UNANIMOUS = Strategy("unanimous")


_PLAIN = {str(s): s for s in (UNANIMOUS, Strategy("majority"), Strategy("union"))}


def parse_strategy(text: str) -> Strategy:
    """The strategy a --strategy value names, or an InvalidValueError that lists them."""
    name, colon, reviewer = text.partition(":")
    if name == "prefer" and colon and reviewer:
        return Strategy("prefer", reviewer)
    if text in _PLAIN:
        return _PLAIN[text]
    raise InvalidValueError(f"unknown strategy {text!r}: use unanimous, majority, union "
                            "or prefer:REVIEWER (e.g. prefer:dana)")


def default_quorum(reviewers: int) -> int:
    """A strict majority of the document's reviewers, at least 2 when there are two or more."""
    if reviewers <= 1:
        return 1  # a single reviewer's positions are merged as they are (issue 9)
    return max(2, reviewers // 2 + 1)


class EditorRecord(TypedDict):
    """The JSON shape of an editor's decision inside a decision or provenance."""

    reviewer: str
    note: str
    time: str


@dataclass(frozen=True)
class EditorDecision:
    """What an editor decided for one position: a label, or None for "no claim here"."""

    label: str | None
    editor: str
    note: str = ""
    time: str = ""  # RFC 3339, UTC
    # Sources the editor cited for their label (a label may require one);
    # the consensus record cites them beside its supporters'.
    sources: tuple[str, ...] = ()

    def to_record(self) -> EditorRecord:
        """The JSON record of who decided, when and why (the label is the decision's)."""
        return {"reviewer": self.editor, "note": self.note, "time": self.time}


class DecisionRecord(TypedDict):
    """The JSON shape of one decision."""

    merged: bool
    method: str
    label: str | None
    start: int
    end: int
    supporters: list[str]
    reason: Reason | None
    editor: EditorRecord | None


@dataclass(frozen=True)
class Decision:
    """What became of one position: merged with a label and span, or not, and why."""

    position: str  # the position's id
    method: str  # unanimous, majority, union, prefer:REVIEWER or editor
    label: str | None  # None: not merged
    start: int
    end: int
    # The supporting reviewers' votes, sorted by reviewer: whose annotation
    # carried the merged label.
    supporters: tuple[Annotation, ...] = ()
    reason: Reason | None = None  # set exactly when not merged
    editor: EditorDecision | None = None

    @property
    def merged(self) -> bool:
        """Whether the position goes into the consensus."""
        return self.label is not None

    def to_record(self) -> DecisionRecord:
        """The JSON record of the decision."""
        return {"merged": self.merged, "method": self.method, "label": self.label,
                "start": self.start, "end": self.end,
                "supporters": [vote.reviewer for vote in self.supporters],
                "reason": self.reason,
                "editor": None if self.editor is None else self.editor.to_record()}


def decide(position: Position, strategy: Strategy = UNANIMOUS, quorum: int = 2,
           editor: EditorDecision | None = None) -> Decision:
    """The decision for one position: the editor's if there is one, else the strategy's.

    ``quorum`` matters to ``majority`` only; ``merge_document`` passes
    ``default_quorum`` of the document's reviewers unless told otherwise.
    """
    if editor is not None:
        if editor.label is None:
            return _not_merged(position, EDITOR, "rejected", editor)
        return _merged(position, editor.label, EDITOR, editor)
    if strategy.name == "prefer":
        vote = position.voting.get(strategy.reviewer or "")
        if vote is not None:
            return _merged(position, vote.label, str(strategy))
        return _unanimous(position)
    if strategy.name == "majority":
        return _majority(position, quorum)
    if strategy.name == "union":
        if position.disputed:
            return _not_merged(position, "union", "conflict")
        return _merged(position, position.members[0].label, "union")
    return _unanimous(position)


def _unanimous(position: Position) -> Decision:
    status = position.status
    if status == "agreed":
        return _merged(position, position.members[0].label, "unanimous")
    return _not_merged(position, "unanimous", status)


def _majority(position: Position, quorum: int) -> Decision:
    # Counted in a plain loop: Counter costs more than the counting for a
    # position's handful of votes, and a merge decides thousands.
    votes: dict[str, int] = {}
    for label in position.labels.values():
        votes[label] = votes.get(label, 0) + 1
    most = max(votes.values())
    leaders = [label for label, n in votes.items() if n == most]
    if len(leaders) > 1:
        return _not_merged(position, "majority", "tie")
    if most < quorum:
        return _not_merged(position, "majority", "quorum")
    return _merged(position, leaders[0], "majority")


def _merged(position: Position, label: str, method: str,
            editor: EditorDecision | None = None) -> Decision:
    supporters = tuple(vote for vote, marked in zip(position.voting.values(),
                                                    position.labels.values(), strict=True)
                       if marked == label)
    start, end = position.start, position.end
    if supporters:
        chosen: dict[tuple[int, int], int] = {}
        for vote in supporters:
            extent = (vote.start, vote.end)
            chosen[extent] = chosen.get(extent, 0) + 1
        start, end = min(chosen, key=lambda e: (-chosen[e], e[1] - e[0], e[0]))
    return Decision(position.id, method, label, start, end, supporters, None, editor)


def _not_merged(position: Position, method: str, reason: Reason,
                editor: EditorDecision | None = None) -> Decision:
    return Decision(position.id, method, None, position.start, position.end, (), reason, editor)
