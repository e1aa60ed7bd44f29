"""Commands on annotations: add, list, show, edit, rm, finish."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from annotate.cli import options

if TYPE_CHECKING:
    from annotate.model import Annotation
    from annotate.spans import SpanSpec


F = TypeVar("F", bound=Callable[..., Any])


def _span_options(command: F) -> F:
    """--quote/--occurrence, --start/--end, --sentence: the ways to pick a span."""
    for option in reversed((
        click.option("--quote", "-q", help="Exact text of the span."),
        click.option("--occurrence", type=click.IntRange(min=1),
                     help="With --quote: which occurrence (1-based) when it occurs more "
                          "than once."),
        click.option("--start", type=int, help="Start offset (code points) with --end."),
        click.option("--end", type=int,
                     help="End offset (code points, exclusive) with --start."),
        click.option("--sentence", type=int,
                     help="Sentence number from `annotate sentences DOC`."),
    )):
        command = option(command)
    return command


@click.command(short_help="Mark a span of DOC with a label.")
@click.argument("doc")
@click.option("--label", "-l", required=True, help="A label of the taxonomy, e.g. sourced.")
@_span_options
@click.option("--note", "-n", default="", help="Free-text note.")
@click.option("--source", "-s", "sources", multiple=True, metavar="URL",
              help="Source URL (repeatable).")
@options.reviewer()
@click.option("--verdict", help="Rating from the project's verdict scale.")
@click.option("--tag", "tags", multiple=True, help="Tag (repeatable).")
@options.output_format("annotate.report.record", default="id",
                       help_text="Print the new id, or the whole record as JSON.")
@options.workspace()
@click.pass_context
def add(ctx: click.Context, doc: str, label: str, quote: str | None, occurrence: int | None,
        start: int | None, end: int | None, sentence: int | None, note: str,
        sources: tuple[str, ...], reviewer: str | None, verdict: str | None,
        tags: tuple[str, ...], output: str) -> None:
    """Mark a span of DOC with a label; prints the new annotation's id.

    DOC is a document id (its path under the corpus folder) or a path to the
    file.  Pick the span in exactly one way: --quote TEXT, --start/--end, or
    --sentence N.

    \b
    Examples:
      annotate add kim-putin-vostochny.txt --label speculative \\
          --quote "Hwasong-18 intercontinental ballistic missile is based on Russian technology"
      annotate add kim-putin-vostochny.txt --label sourced --sentence 29 \\
          --source https://www.iiss.org/publications/the-military-balance/
    """
    from annotate import api
    from annotate.report.record import RENDERERS

    span = _span(quote, occurrence, start, end, sentence)
    assert span is not None
    annotation = api.add_annotation(
        options.open_workspace(ctx), doc, span, label=label, reviewer=reviewer, note=note,
        sources=sources, verdict=verdict, tags=tags, notify=options.notify)
    options.emit(RENDERERS[output](annotation), output)


def _span(quote: str | None, occurrence: int | None, start: int | None, end: int | None,
          sentence: int | None, required: bool = True) -> SpanSpec | None:
    """The one way of picking the span that the options name (None: no new span)."""
    from annotate import spans

    chosen = {name for name, value in (("--quote", quote), ("--start/--end", start),
                                       ("--start/--end", end), ("--sentence", sentence))
              if value is not None}
    if not chosen and not required and occurrence is None:
        return None
    if len(chosen) != 1:
        raise click.UsageError("pick the span in exactly one way: --quote TEXT, "
                               "--start I --end J, or --sentence N")
    if occurrence is not None and quote is None:
        raise click.UsageError("--occurrence goes with --quote")
    if quote is not None:
        return spans.QuoteSpan(quote, occurrence)
    if sentence is not None:
        return spans.SentenceSpan(sentence)
    if start is None or end is None:
        raise click.UsageError("--start and --end go together")
    return spans.OffsetSpan(start, end)


@click.command("list", short_help="List annotations, by document, reviewer or label.")
@click.argument("doc", required=False)
@options.reviewer(options.FILTER_HELP)
@click.option("--label", "-l", help="Only annotations with this label.")
@options.output_format("annotate.report.listing", default="table")
@options.workspace()
@click.pass_context
def list_(ctx: click.Context, doc: str | None, reviewer: str | None, label: str | None,
          output: str) -> None:
    """List annotations, of one document or of the whole workspace.

    \b
    Examples:
      annotate list kim-putin-vostochny.txt --label speculative
      annotate list --reviewer alice --format csv > alice.csv
    """
    from annotate import api
    from annotate.report.listing import RENDERERS
    from annotate.report.terminal import use_color

    ws = options.open_workspace(ctx)
    found = api.list_annotations(ws, doc, reviewer=reviewer, label=label,
                                 notify=options.notify)
    options.emit(RENDERERS[output](found, ws.project, use_color(sys.stdout)), output)


@click.command(short_help="Print DOC with every annotated span marked.")
@click.argument("doc")
@options.reviewer(options.FILTER_HELP)
@options.output_format("annotate.report.show", default="text")
@options.workspace()
@click.pass_context
def show(ctx: click.Context, doc: str, reviewer: str | None, output: str) -> None:
    """Print DOC with every span marked [n ... n] and coloured by label, then the list.

    \b
    Example:
      annotate show kim-putin-vostochny.txt --reviewer alice | less -R
    """
    from annotate import api
    from annotate.report.show import RENDERERS
    from annotate.report.terminal import use_color

    ws = options.open_workspace(ctx)
    document, found = api.annotated_document(ws, doc, reviewer=reviewer,
                                             notify=options.notify)
    options.emit(RENDERERS[output](document, found, ws.project, use_color(sys.stdout)), output)


@click.command(short_help="Change span, label, note, sources, verdict or tags.")
@click.argument("annotation_id", metavar="ID")
@click.option("--label", "-l", help="New label.")
@_span_options
@click.option("--note", "-n", help="New note (replaces the old one).")
@click.option("--add-source", "add_sources", multiple=True, metavar="URL",
              help="Add a source URL (repeatable).")
@click.option("--remove-source", "remove_sources", multiple=True, metavar="URL",
              help="Remove a source URL (repeatable).")
@click.option("--verdict", help="New verdict (an empty value clears it).")
@click.option("--clear-verdict", is_flag=True, help="Remove the verdict.")
@click.option("--add-tag", "add_tags", multiple=True, metavar="TAG",
              help="Add a tag (repeatable).")
@click.option("--remove-tag", "remove_tags", multiple=True, metavar="TAG",
              help="Remove a tag (repeatable).")
@options.output_format("annotate.report.record", default="id")
@options.workspace()
@click.pass_context
def edit(ctx: click.Context, annotation_id: str, label: str | None, quote: str | None,
         occurrence: int | None, start: int | None, end: int | None, sentence: int | None,
         note: str | None, add_sources: tuple[str, ...], remove_sources: tuple[str, ...],
         verdict: str | None, clear_verdict: bool, add_tags: tuple[str, ...],
         remove_tags: tuple[str, ...], output: str) -> None:
    """Change an annotation's span, label, note, sources, verdict or tags (sets `modified`).

    ID may be abbreviated to any unique prefix of 4 or more characters.  A
    new span (--quote, --start/--end or --sentence, on the document as it is
    now) keeps the id and `created`, takes new context and version, and
    clears `orphaned`: the way to fix a span re-anchoring could not place.

    \b
    Examples:
      annotate edit 06h2e4hayr --label disputed --add-source https://example.org/report
      annotate edit 06h2e4hayr --quote "is based on Russian technology"
    """
    from annotate import api
    from annotate.report.record import RENDERERS

    span = _span(quote, occurrence, start, end, sentence, required=False)
    edited = api.edit_annotation(
        options.open_workspace(ctx), annotation_id, label=label, span=span, note=note,
        add_sources=add_sources, remove_sources=remove_sources, verdict=verdict,
        clear_verdict=clear_verdict or verdict == "", add_tags=add_tags,
        remove_tags=remove_tags, notify=options.notify)
    options.emit(RENDERERS[output](edited), output)


@click.command(short_help="Remove an annotation (asks first on a terminal).")
@click.argument("annotation_id", metavar="ID")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@options.output_format("annotate.report.record", default="id",
                       help_text="Print the removed id, or the removed record as JSON.")
@options.workspace()
@click.pass_context
def rm(ctx: click.Context, annotation_id: str, yes: bool, output: str) -> None:
    """Remove an annotation (asks first on a terminal; --yes skips the question).

    ID may be abbreviated to any unique prefix of 4 or more characters.

    \b
    Example:
      annotate rm 06h2e4hayr --yes
    """
    from annotate import api
    from annotate.report.record import RENDERERS

    removed = api.remove_annotation(options.open_workspace(ctx), annotation_id,
                                    confirm=None if yes else _ask_before_removing)
    if removed is None:
        click.echo("Nothing removed.", err=True)
        return
    options.emit(RENDERERS[output](removed), output)


def _ask_before_removing(found: Annotation) -> bool:
    """Show the annotation and ask on the terminal; without one, refuse to guess."""
    from annotate.report.record import removal_question

    if not sys.stdin.isatty():
        raise click.UsageError("not a terminal, so cannot ask: pass --yes to remove "
                               "without asking")
    return click.confirm(removal_question(found), err=True)


@click.command(short_help="Record that you finished reviewing DOC.")
@click.argument("doc")
@options.reviewer()
@click.option("--undo", is_flag=True, help="Take back that you finished DOC.")
@options.workspace()
@click.pass_context
def finish(ctx: click.Context, doc: str, reviewer: str | None, undo: bool) -> None:
    """Record that you finished reviewing DOC, including "reviewed and found
    nothing to mark".

    The reviewers of a document are those with annotations on it or who
    finished it; merge and agreement count a reviewer who finished with no
    annotations as having marked nothing.  `annotate documents` shows who
    finished.

    \b
    Examples:
      annotate finish kim-putin-vostochny.txt
      annotate finish kim-putin-vostochny.txt --undo
    """
    from annotate import api
    from annotate.report.terminal import escape

    marker = api.finish(options.open_workspace(ctx), doc, reviewer=reviewer, undo=undo)
    verb = "no longer counts as finished with" if undo else "finished"
    click.echo(f"{escape(marker.reviewer)} {verb} {escape(marker.document)}", err=True)


COMMANDS = (add, list_, show, edit, rm, finish)
