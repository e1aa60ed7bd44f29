"""Commands across reviewers' work: merge, resolve, agreement."""

from __future__ import annotations

import click

from annotate import until_exit
from annotate.cli import options
from annotate.errors import EXIT_FINDINGS, EXIT_OK
from annotate.suggest import shell_word

MIN_OVERLAP_HELP = ("Spans whose character Jaccard reaches X (0-1) are one position "
                    "(default 0.5).")


@click.command(short_help="Merge reviewers' work into a consensus.")
@click.argument("docs", nargs=-1, metavar="[DOC]...")
@click.option("--strategy", default="unanimous", show_default=True, metavar="NAME",
              help="unanimous: merge positions every reviewer marked alike; majority: the "
                   "label with most votes, if at least --quorum reviewers chose it (a tie "
                   "is a conflict); union: every position whose spans carry one label; "
                   "prefer:REVIEWER: that reviewer's label where they marked it, unanimous "
                   "elsewhere.")
@click.option("--quorum", type=int, metavar="K",
              help="For majority: votes the winning label needs (default: a strict "
                   "majority of the document's reviewers, at least 2).")
@click.option("--min-overlap", type=float, metavar="X", help=MIN_OVERLAP_HELP)
@click.option("--require-complete", is_flag=True,
              help="Also exit 1 while a position not every reviewer marked is undecided.")
@click.option("--dry-run", is_flag=True, help="Show the merge; write nothing.")
@options.output_format("annotate.report.merge", default="text",
                       help_text="text: a summary and what is left to decide; json: every "
                                 "position and its decision "
                                 "(schemas/merge-report.schema.json).")
@options.workspace()
@click.pass_context
def merge(ctx: click.Context, docs: tuple[str, ...], strategy: str, quorum: int | None,
          min_overlap: float | None, require_complete: bool, dry_run: bool,
          output: str) -> None:
    """Merge the reviewers' annotations of each DOC into its consensus.

    Spans of all reviewers are grouped into positions (identical, or
    overlapping by --min-overlap around the span most reviewers chose); each
    position is agreed, conflict (labels differ), incomplete (not every
    reviewer marked it) or stacked (a reviewer has several spans there).
    The strategy decides which positions are merged; an editor's decisions
    (`annotate resolve`) override it and are kept across merges.  The
    consensus is written as the reserved reviewer `consensus`
    (annotations/DOC/consensus.jsonl), each record with its provenance.
    With no DOC, every reviewed document.

    Exit 1 while a position is in conflict and undecided (with
    --require-complete, also while one is incomplete), so CI can gate on it.

    \b
    Examples:
      annotate merge kim-putin-vostochny.txt
      annotate merge --strategy majority --format json
    """
    from annotate import api
    from annotate.report.merge import RENDERERS

    outcomes = api.merge(options.open_workspace(ctx), docs, strategy=strategy, quorum=quorum,
                         min_overlap=min_overlap, require_complete=require_complete,
                         dry_run=dry_run, notify=options.notify)
    for outcome in outcomes:
        for note in outcome.result.summary.notes:
            options.notify(note)
    options.emit(RENDERERS[output](outcomes, len(docs) == 1, dry_run), output)
    until_exit.keep(outcomes)
    ctx.exit(EXIT_FINDINGS if any(o.result.blocked for o in outcomes) else EXIT_OK)


@click.command(short_help="Decide a merge position: a label, or no claim.")
@click.argument("doc")
@click.argument("position")
@click.option("--label", "-l", metavar="LABEL", help="The label the position gets.")
@click.option("--reject", is_flag=True, help="No claim here: keep it out of the consensus.")
@click.option("--undo", is_flag=True, help="Take back the decision for POSITION.")
@click.option("--note", "-n", default="", metavar="WHY", help="Why (kept with the decision).")
@click.option("--source", "sources", multiple=True, metavar="URL",
              help="A source for the label (repeatable); needed when the label requires "
                   "one and no reviewer who chose it cited any.")
@click.option("--min-overlap", type=float, metavar="X", help=MIN_OVERLAP_HELP)
@options.reviewer("The editor deciding (default: $ANNOTATE_REVIEWER, then git config "
                  "user.email).")
@options.workspace()
@click.pass_context
def resolve(ctx: click.Context, doc: str, position: str, label: str | None, reject: bool,
            undo: bool, note: str, sources: tuple[str, ...], min_overlap: float | None,
            reviewer: str | None) -> None:
    """Record an editor's decision for POSITION of DOC (an id `annotate merge`
    lists, e.g. p1520-1544): give it --label, or --reject it ("no claim
    here").  The decision is stored beside the annotations
    (annotations/DOC/decisions.json, checked by `validate`, moved by
    `reanchor`), replaces an earlier one for the position, and is applied by
    every later `annotate merge`.

    \b
    Examples:
      annotate resolve kim-putin-vostochny.txt p1520-1544 --label speculative \\
          --note "the IISS report hedges"
      annotate resolve kim-putin-vostochny.txt p210-265 --reject
    """
    from annotate import api
    from annotate.report.terminal import escape

    done = api.resolve(options.open_workspace(ctx), doc, position, label=label, reject=reject,
                       undo=undo, note=note, sources=sources, editor=reviewer,
                       min_overlap=min_overlap)
    decided = ("rejected: no claim here" if done.decision.label is None
               else f"label {escape(done.decision.label)}")
    if done.removed:
        click.echo(f"took back the decision for {done.decision.position} ({decided}, by "
                   f"{escape(done.decision.editor)})", err=True)
    else:
        was = ""
        if done.replaced is not None:
            was = (f"; it replaces {escape(done.replaced.editor)}'s "
                   + ("rejection" if done.replaced.label is None
                      else f"label {escape(done.replaced.label)}"))
        click.echo(f"{done.decision.position}: {decided}{was}", err=True)
    click.echo(f"run 'annotate merge {escape(shell_word(done.decision.document))}' to update the "
               "consensus", err=True)


@click.command(short_help="How far reviewers agree: kappa, alpha, span F1.")
@click.argument("docs", nargs=-1, metavar="[DOC]...")
@click.option("--absent", type=click.Choice(["none", "missing"]), default="none",
              show_default=True,
              help="A position a reviewer of the document did not mark: 'none' counts it "
                   "as a category of its own (one-sided spans lower agreement); 'missing' "
                   "treats it as a missing value, as the classic coefficients do.")
@click.option("--min-overlap", type=float, metavar="X", help=MIN_OVERLAP_HELP)
@options.output_format("annotate.report.agreement", default="text",
                       help_text="text: a table; json: the report "
                                 "(schemas/agreement-report.schema.json); csv: one row "
                                 "per scope, label, coefficient and pair.")
@options.workspace()
@click.pass_context
def agreement(ctx: click.Context, docs: tuple[str, ...], absent: str,
              min_overlap: float | None, output: str) -> None:
    """Measure how far the reviewers of each document agree.

    Spans are grouped into positions (identical, or overlapping by
    --min-overlap); then, per pair of reviewers, Cohen's kappa over positions
    and span precision/recall/F1 (exact and overlap matching); over all
    reviewers, Fleiss' kappa and Krippendorff's alpha (nominal); for all
    labels and per label, per document and overall, each with the number of
    positions and reviewers used.  With no DOC, every annotated document.
    Needs two reviewers (exit 2 otherwise); files on different versions of a
    document are refused (run `annotate reanchor`).

    \b
    Examples:
      annotate agreement kim-putin-vostochny.txt
      annotate agreement --absent missing --format json
    """
    from annotate import api
    from annotate.report.agreement import RENDERERS

    report = api.agreement(options.open_workspace(ctx), docs, absent=absent,
                           min_overlap=min_overlap)
    options.emit(RENDERERS[output](report), output)


COMMANDS = (merge, resolve, agreement)
