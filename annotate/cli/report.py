"""`annotate report`: the reviewer report of documents, as HTML, Markdown, CSV or JSON."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from click.core import ParameterSource

from annotate.cli import options


@click.command(short_help="The reviewer report: HTML page, Markdown, CSV or JSON.")
@click.argument("docs", nargs=-1, metavar="[DOC]...")
@options.reviewer(options.FILTER_HELP + " 'consensus': the merged result.")
# Not options.output_format: its "[default: html]" would hide that -o's suffix decides.
@click.option("--format", "output", type=options.RendererChoice("annotate.report.review"),
              default="html",
              help="html: one self-contained page (no network, no script); md: a "
                   "pull-request comment; csv: one row per annotation; json: the report's "
                   "data (schemas/report.schema.json).  Default: from -o FILE's suffix "
                   "(.html, .md, .csv, .json), else html.")
@click.option("--output", "-o", "target", metavar="FILE",
              help="Write the report to FILE (replaced atomically; a link, or a file under "
                   "the corpus or annotations folder, is refused) instead of stdout.")
@options.workspace()
@click.pass_context
def report(ctx: click.Context, docs: tuple[str, ...], reviewer: str | None, output: str,
           target: str | None) -> None:
    """Report on each DOC (default: every document someone annotated): the
    article with every span highlighted in its label's colour (hover or Tab
    to a highlight for its label, reviewers, note, verdict and sources), the
    annotations listed below it, orphaned ones apart; the consensus file,
    the open conflicts (as `annotate merge --dry-run` finds them) and the
    agreement figures; per reviewer, their counts per label, their
    annotations in context and how often they agreed with the others.

    Overlapping spans are drawn by cutting the text at every span boundary
    (docs/reports.md).  Nothing is written but FILE; exit 0, or 2 for an
    unknown document or reviewer, or a FILE that cannot be written.

    \b
    Examples:
      annotate report -o report.html
      annotate report kim-putin-vostochny.txt --format md > comment.md
      annotate report --reviewer alice -o alice.csv
    """
    from annotate import api
    from annotate.report.review import DEFAULT_FORMAT, RENDERERS, SUFFIXES
    from annotate.report.terminal import escape

    to_stdout = target is None or target == "-"
    if not to_stdout and ctx.get_parameter_source("output") != ParameterSource.COMMANDLINE:
        output = SUFFIXES.get(Path(str(target)).suffix.lower(), DEFAULT_FORMAT)
    ws = options.open_workspace(ctx)
    found = api.report(ws, docs, reviewer=reviewer, notify=options.notify)
    text = RENDERERS[output](found)
    if to_stdout:
        if sys.stdout.isatty():
            # Data for a file or a pipe; on a terminal, user text must not drive it.
            text = escape(text, keep="\n")
            if output == "html":
                options.notify("this is an HTML page: write it to a file with "
                               "-o report.html and open that in a browser")
        # color=True: click would otherwise strip what looks like an escape
        # sequence from output that is not a terminal -- from the data itself.
        click.echo(text, nl=False, color=True)
        return
    shown = api.write_report(ws, str(target), text)
    annotations = sum(len(d.annotations) for d in found.documents)
    count = len(found.documents)
    click.echo(f"wrote {escape(shown)} ({output}: {count} document{'' if count == 1 else 's'},"
               f" {annotations} annotation{'' if annotations == 1 else 's'})"
               + ("; open it in a web browser" if output == "html" else ""), err=True)


COMMANDS = (report,)
