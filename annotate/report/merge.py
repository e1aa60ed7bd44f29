"""Output of `annotate merge`: a summary per document with what is left to
decide, or JSON (schemas/merge-report.schema.json)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from annotate.report.listing import terminal_line, to_json
from annotate.report.terminal import escape
from annotate.suggest import shell_word

if TYPE_CHECKING:
    from annotate.api import MergeOutcome
    from annotate.merge.positions import Position

# (one document's result per document, one document named, --dry-run)
Renderer = Callable[[Sequence["MergeOutcome"], bool, bool], str]

QUOTE_WIDTH = 50  # characters of a position's quote on its line


def render_text(outcomes: Sequence[MergeOutcome], single: bool, dry_run: bool) -> str:
    """Per document: reviewers, statuses, what was merged and where, then the
    positions still to decide, each with its id and every reviewer's label."""
    lines: list[str] = []
    for outcome in outcomes:
        result, summary = outcome.result, outcome.result.summary
        document = escape(result.document)
        if lines:
            lines.append("")
        lines.append(f"{document}: {len(summary.reviewers)} reviewer(s) "
                     f"({escape(', '.join(summary.reviewers))}), "
                     f"strategy {escape(summary.strategy)}"
                     + (f", quorum {summary.quorum}" if summary.strategy == "majority" else ""))
        statuses = ", ".join(f"{count} {status}" for status, count in summary.statuses.items())
        lines.append(f"  {summary.positions} position(s): {statuses}")
        where = ("the consensus (nothing written: --dry-run)" if dry_run
                 else escape(outcome.consensus_file) if outcome.written
                 else "the consensus (unchanged)")
        lines.append(f"  merged {summary.merged} into {where}")
        if summary.decided_by_editor:
            lines.append(f"  {summary.decided_by_editor} position(s) decided by an editor "
                         "('annotate resolve')")
        reasons = ", ".join(f"{count} {reason}" for reason, count in summary.not_merged.items()
                            if count)
        if reasons:
            lines.append(f"  not merged: {reasons}")
        if result.blocking:
            lines.append(f"  to decide ('annotate resolve {escape(shell_word(result.document))} "
                         "POSITION --label LABEL' or --reject):")
            lines.extend(f"    {_position_line(position)}" for position in result.blocking)
        for orphan in result.orphaned:
            nearest = f"; nearest position now: {orphan.nearest}" if orphan.nearest else ""
            lines.append(f"  decision for {orphan.position} by {escape(orphan.decision.editor)} "
                         f"({_decided(orphan.decision.label)}) matches no position now{nearest};"
                         " kept, not applied")
        for decision in outcome.unplaced:
            lines.append(f"  decision for {decision.position} by {escape(decision.editor)} "
                         f"({_decided(decision.label)}) is orphaned: re-anchoring found no "
                         "place for it; kept, not applied")
    blocked = sum(len(outcome.result.blocking) for outcome in outcomes)
    if len(outcomes) > 1 or blocked:
        lines.append("")
        lines.append(f"{len(outcomes)} document(s) merged; "
                     + (f"{blocked} position(s) left to decide" if blocked
                        else "nothing left to decide"))
    return "\n".join(lines) + "\n" if lines else "no reviewed documents: nothing to merge\n"


def _decided(label: str | None) -> str:
    return "rejected: no claim here" if label is None else f"label {escape(label)}"


def _position_line(position: Position) -> str:
    # Every label of a reviewer's spans here: a stacked reviewer may have two.
    theirs: dict[str, dict[str, None]] = {}
    for member in position.members:
        theirs.setdefault(member.reviewer, {})[member.label] = None
    labels = " ".join(f"{escape(reviewer)}={escape('+'.join(chosen))}"
                      for reviewer, chosen in theirs.items())
    missing = (f" (not marked by {escape(', '.join(position.missing))})"
               if position.missing else "")
    quote = terminal_line(position.quote, QUOTE_WIDTH)
    return f"{position.id:<13} {position.status:<10} “{quote}”  {labels}{missing}"


def merge_record(outcome: MergeOutcome) -> dict[str, Any]:
    """One document's merge as JSON data (schemas/merge-report.schema.json)."""
    record: dict[str, Any] = dict(outcome.result.to_record())
    record["unresolved"] = [position.id for position in outcome.result.blocking]
    record["unplaced_decisions"] = [
        {"position": d.position, "label": d.label, "editor": d.editor, "quote": d.quote}
        for d in outcome.unplaced]
    record["written"] = outcome.written
    return record


def render_json(outcomes: Sequence[MergeOutcome], single: bool, dry_run: bool) -> str:
    """One object for the one document named; otherwise a list, one object per document."""
    records = [merge_record(outcome) for outcome in outcomes]
    return to_json(records[0] if single else records)


RENDERERS: Mapping[str, Renderer] = MappingProxyType({"text": render_text,
                                                      "json": render_json})
