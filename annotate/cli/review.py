"""Commands that compare reviewers' work: agreement."""

from __future__ import annotations

import click

from annotate.cli import options


@click.command(short_help="How far reviewers agree: kappa, alpha, span F1.")
@click.argument("docs", nargs=-1, metavar="[DOC]...")
@click.option("--absent", type=click.Choice(["none", "missing"]), default="none",
              show_default=True,
              help="A position a reviewer of the document did not mark: 'none' counts it "
                   "as a category of its own (one-sided spans lower agreement); 'missing' "
                   "treats it as a missing value, as the classic coefficients do.")
@click.option("--min-overlap", type=float, metavar="X",
              help="Spans whose character Jaccard reaches X (0-1) are one position "
                   "(default 0.5).")
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
    click.echo(RENDERERS[output](report), nl=False)


COMMANDS = (agreement,)
