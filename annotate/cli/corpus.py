"""Commands about the workspace and its corpus: init, documents, sentences."""

from __future__ import annotations

from pathlib import Path

import click

from annotate.cli import options
from annotate.errors import EXIT_FINDINGS, EXIT_OK


@click.command(short_help="Create a workspace: annotate.json, corpus/, annotations/.")
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", help="Project name (default: the folder's name).")
@click.option("--corpus", default="corpus", show_default=True, help="Corpus folder.")
@click.option("--annotations", default="annotations", show_default=True,
              help="Annotations folder.")
def init(directory: Path, name: str | None, corpus: str, annotations: str) -> None:
    """Create a workspace: annotate.json with the default labels, corpus/ and annotations/.

    \b
    Example:
      annotate init newsroom --name "Election desk"
    """
    from annotate import api

    ws = api.init_workspace(directory, name, corpus, annotations)
    click.echo(f"Created workspace {ws.project.name!r} in {directory}: annotate.json, "
               f"{corpus}/ (put article texts here), {annotations}/", err=True)


@click.command(short_help="List the corpus: ids, versions, annotation counts.")
@options.output_format("annotate.report.documents", default="table")
@options.workspace()
@click.pass_context
def documents(ctx: click.Context, output: str) -> None:
    """List the corpus: document ids, versions and how many annotations each has.

    VERSIONS counts a document's stored versions and its current text
    (`annotate diff DOC --from N` compares two; --format json lists them).
    A document that cannot be read (not UTF-8, a link leaving the workspace
    ...) is listed with the reason, and the exit code is 1.

    \b
    Example:
      annotate documents --format json
    """
    from annotate import api
    from annotate.report.documents import RENDERERS

    infos = api.documents(options.open_workspace(ctx))
    options.emit(RENDERERS[output](infos), output)
    ctx.exit(EXIT_FINDINGS if any(info.problem for info in infos) else EXIT_OK)


@click.command(short_help="Number the sentences of DOC, for `add --sentence N`.")
@click.argument("doc")
@click.option("--candidates", is_flag=True,
              help="Only the claim candidates (numbers, attributions, hedges, comparisons), "
                   "each with the reasons it is one.")
@options.output_format("annotate.report.sentences", default="text")
@options.workspace()
@click.pass_context
def sentences(ctx: click.Context, doc: str, candidates: bool, output: str) -> None:
    """Number the sentences of DOC, for `annotate add --sentence N`.

    Prints each sentence's number, line:column and text.  With --candidates,
    only the sentences worth checking, each with the cues that make it one
    (the rules: docs/review.md); JSON then gives each a `reasons` list.

    \b
    Examples:
      annotate sentences kim-putin-vostochny.txt
      annotate sentences kim-putin-vostochny.txt --candidates --format json
    """
    from annotate import api
    from annotate.report.sentences import RENDERERS

    ws = options.open_workspace(ctx)
    if not candidates:
        options.emit(RENDERERS[output](api.sentences(ws, doc), None), output)
        return
    found = api.claim_candidates(ws, doc)
    reasons = {c.sentence.number: c.reasons for c in found}
    options.emit(RENDERERS[output]([c.sentence for c in found], reasons), output)


COMMANDS = (init, documents, sentences)
