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
@options.output_format("annotate.report.sentences", default="text")
@options.workspace()
@click.pass_context
def sentences(ctx: click.Context, doc: str, output: str) -> None:
    """Number the sentences of DOC, for `annotate add --sentence N`.

    \b
    Prints each sentence's number, line:column and text.
    Example:
      annotate sentences kim-putin-vostochny.txt
    """
    from annotate import api
    from annotate.report.sentences import RENDERERS

    options.emit(RENDERERS[output](api.sentences(options.open_workspace(ctx), doc)), output)


COMMANDS = (init, documents, sentences)
