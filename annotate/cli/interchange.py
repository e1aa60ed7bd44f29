"""Commands that speak other tools' formats: export, import (issue 10, item 2)."""

from __future__ import annotations

import click

from annotate.cli import options
from annotate.errors import EXIT_FINDINGS, EXIT_OK


@click.command(short_help="Export annotations as W3C Web Annotations or CSV.")
@click.argument("docs", nargs=-1, metavar="[DOC]...")
@options.output_format("annotate.report.export", default=None, required=True, describe=True,
                       help_text="The format to write (docs/interchange.md):")
@click.option("--output", "-o", "destination", metavar="PATH",
              help="Write to this file (a folder, for a format that writes several files) "
                   "instead of stdout; never through a symbolic link, never over the "
                   "workspace's corpus, annotations or project file.")
@options.workspace()
@click.pass_context
def export(ctx: click.Context, docs: tuple[str, ...], output: str,
           destination: str | None) -> None:
    """Export the annotations of each DOC (default: every annotated document)
    in a standard format, to stdout or to the file -o names.

    Every reviewer's annotations are exported, the consensus too.  The W3C
    export states each annotation's place in the document as it is now, so
    orphaned annotations and those made on an older version are left out
    (listed on stderr; exit 1): run `annotate reanchor` first.  Documents
    where an annotation id repeats are refused: run `annotate dedupe` first.
    Formats, fields and URIs: docs/interchange.md.

    \b
    Examples:
      annotate export --format w3c -o annotations.jsonld
      annotate export kim-putin-vostochny.txt --format csv > review.csv
    """
    from annotate import api
    from annotate.report.export import RENDERERS
    from annotate.report.terminal import escape

    outcome = api.export_annotations(options.open_workspace(ctx), docs,
                                     render=RENDERERS[output], destination=destination)
    exported = outcome.exported
    for warning in exported.warnings:
        click.echo(f"annotate: warning: {escape(warning)}", err=True)
    for line in exported.left_out:
        click.echo(f"annotate: left out: {escape(line)}", err=True)
    if destination is None:
        options.emit(exported.text or "", "data")
    else:
        kept = exported.written(outcome.annotations)
        click.echo(f"annotate: wrote {kept} annotation{'s' if kept != 1 else ''} of "
                   f"{outcome.documents} document{'s' if outcome.documents != 1 else ''} "
                   f"to {escape(destination)}", err=True)
    ctx.exit(EXIT_FINDINGS if exported.incomplete else EXIT_OK)


@click.command("import", short_help="Import W3C Web Annotation or Hypothesis files.")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@options.output_format("annotate.interchange.importing", attribute="IMPORTERS", default=None,
                       required=True, describe=True, name="format_name",
                       help_text="The files' format (docs/interchange.md):")
@options.reviewer("Reviewer of every imported annotation (default: each annotation's "
                  "creator, e.g. acct:dora@hypothes.is -> dora@hypothes.is).")
@click.option("--document", "-d", metavar="DOC",
              help="The document every annotation is about (default: the one its target "
                   "names, see docs/interchange.md).")
@click.option("--label", "-l", metavar="LABEL",
              help="Label for annotations that name none (no classifying body, no tag "
                   "naming a label).")
@click.option("--partial", is_flag=True,
              help="Import the valid annotations of a file that also has invalid ones "
                   "(default: such a file imports nothing).")
@options.workspace()
@click.pass_context
def import_(ctx: click.Context, files: tuple[str, ...], format_name: str,
            reviewer: str | None, document: str | None, label: str | None,
            partial: bool) -> None:
    """Import annotations from FILE... into the workspace; prints the new ids.

    Each annotation is anchored by its quote and context in the document as
    it is now (a position is only a hint, checked against the quote) and
    checked like `annotate add` checks; those that cannot be are listed on
    stderr with the reason, and the command exits 1.  Without --partial a
    file with any such annotation imports nothing.  Annotations already in
    the workspace (the same reviewer, span and label) are not added again,
    so importing a file twice is harmless.  FILE `-` is the standard input.
    Rules: docs/interchange.md.

    \b
    Examples:
      annotate import --format w3c annotations.jsonld
      annotate import --format hypothesis search.json \\
          --document kim-putin-vostochny.txt --label unsourced --partial
    """
    from annotate import api
    from annotate.interchange.importing import IMPORTERS
    from annotate.report.imported import imported_ids, messages

    report = api.import_annotations(
        options.open_workspace(ctx), files, importer=IMPORTERS[format_name],
        reviewer=reviewer, document=document, label=label, partial=partial)
    click.echo(imported_ids(report), nl=False)
    for line in messages(report):
        click.echo(line, err=True)
    ctx.exit(EXIT_FINDINGS if report.skipped else EXIT_OK)


COMMANDS = (export, import_)
