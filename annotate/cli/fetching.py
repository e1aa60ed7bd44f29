"""Commands that bring articles in: fetch, ingest, refetch (issue 12)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from annotate.cli import options
from annotate.errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from annotate.api import FetchReport
    from annotate.fetching.http import Limits

_REVIEWER_HELP = ("Who brings the page in, kept in its metadata (default: $ANNOTATE_REVIEWER, "
                  "then git config user.email, if set).")


def _limit_options(command: Any) -> Any:
    for option in reversed((
        click.option("--timeout", type=click.FloatRange(min=0.01), default=30.0,
                     show_default=True, metavar="SECONDS",
                     help="Give up on a page not received in full within this time."),
        click.option("--max-size", type=click.FloatRange(min=0.001), default=20.0,
                     show_default=True, metavar="MIB",
                     help="Refuse a page larger than this (stops reading there)."),
    )):
        command = option(command)
    return command


def _limits(timeout: float, max_size: float) -> Limits:
    from annotate.fetching.http import Limits

    return Limits(timeout=timeout, max_bytes=int(max_size * 1024 * 1024))


def _show(ctx: click.Context, report: FetchReport, output: str) -> None:
    """The report on stdout; notes and each failure on stderr (one line each)."""
    from annotate.report.fetching import RENDERERS
    from annotate.report.terminal import escape

    for entry in report.documents:
        for note in entry.notes:
            options.notify(f"{entry.document}: {note}")
    options.emit(RENDERERS[output](report), output)
    for entry in report.documents:
        if entry.status == "failed":
            click.echo(f"annotate: error: {escape(entry.document or entry.source)}: "
                       f"{escape(entry.problem or '')}", err=True)


@click.command(short_help="Download a web page's article into the corpus.")
@click.argument("url")
@click.option("--as", "as_id", metavar="DOC",
              help="Document id (default: a slug of the headline, else of the address).")
@options.reviewer(_REVIEWER_HELP)
@_limit_options
@options.output_format("annotate.report.fetching", default="text")
@options.workspace()
@click.pass_context
def fetch(ctx: click.Context, url: str, as_id: str | None, reviewer: str | None,
          timeout: float, max_size: float, output: str) -> None:
    """Download the page at URL, extract its article and add it to the corpus.

    The text (paragraphs separated by blank lines, the headline first) goes
    to corpus/DOC; the page's metadata (addresses, headline, authors, dates,
    when and by whom it was fetched) to annotations/DOC/metadata.json; the
    raw HTML, as proof of what the page said, to annotations/.versions/.
    A page already in the corpus is checked for a new version instead (see
    refetch).  A page that cannot be fetched or holds no article is refused
    (exit 2) and nothing is written; save it from your browser and run
    `annotate ingest`.  See docs/fetching.md.

    \b
    Example:
      annotate fetch https://example.org/news/port-strike --as port-strike.txt
    """
    from annotate import api

    report = api.fetch(options.open_workspace(ctx), url, as_id=as_id, reviewer=reviewer,
                       limits=_limits(timeout, max_size), notify=options.notify)
    _show(ctx, report, output)


@click.command(short_help="Add saved pages (.html) or text files to the corpus.")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--as", "as_id", metavar="DOC",
              help="Document id, for one FILE (default: a slug of the headline or file name).")
@options.reviewer(_REVIEWER_HELP)
@options.output_format("annotate.report.fetching", default="text")
@options.workspace()
@click.pass_context
def ingest(ctx: click.Context, files: tuple[str, ...], as_id: str | None,
           reviewer: str | None, output: str) -> None:
    """Add pages saved from a browser (.html: the article is extracted as
    `fetch` does) or plain text files (.txt, UTF-8; - reads standard input)
    to the corpus, with their metadata.

    For pages behind a paywall or a login.  Every FILE is read first: if
    one cannot be, nothing is written.

    \b
    Example:
      annotate ingest ~/Downloads/port-strike.html
    """
    from annotate import api, store
    from annotate.api.fetching import MAX_INGEST_BYTES

    inputs: list[tuple[str, bytes | None]] = []
    for name in files:
        inputs.append((name, store.read_standard_input(MAX_INGEST_BYTES) if name == "-"
                       else None))
    report = api.ingest(options.open_workspace(ctx), inputs, as_id=as_id,
                        reviewer=reviewer, notify=options.notify)
    _show(ctx, report, output)


@click.command(short_help="Fetch articles again; keep and re-anchor what changed.")
@click.argument("docs", nargs=-1, metavar="[DOC]...")
@options.reviewer(_REVIEWER_HELP)
@_limit_options
@options.output_format("annotate.report.fetching", default="text")
@options.workspace()
@click.pass_context
def refetch(ctx: click.Context, docs: tuple[str, ...], reviewer: str | None, timeout: float,
            max_size: float, output: str) -> None:
    """Fetch each DOC's page again (every fetched document when none is named).

    A changed article becomes a new version of the document (the old one is
    kept), every annotation is re-anchored onto it, and the paragraphs
    added, removed or edited and each annotation's outcome (exact, fuzzy,
    orphaned) are printed.  A page that now fails is reported and its
    document left untouched.  Exit 0 nothing changed, 1 an article changed
    (for a scheduled CI job watching the corpus), 2 a page failed.

    \b
    Examples:
      annotate refetch
      annotate refetch port-strike.txt --format json
    """
    from annotate import api

    report = api.refetch(options.open_workspace(ctx), docs, reviewer=reviewer,
                         limits=_limits(timeout, max_size), notify=options.notify)
    _show(ctx, report, output)
    if report.count("failed"):
        ctx.exit(EXIT_USAGE)
    ctx.exit(EXIT_FINDINGS if report.count("changed") else EXIT_OK)


COMMANDS = (fetch, ingest, refetch)
