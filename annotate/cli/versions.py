"""Commands about the versions of a document: diff."""

from __future__ import annotations

import click

from annotate.cli import options
from annotate.errors import EXIT_FINDINGS, EXIT_OK


@click.command(short_help="What changed between two versions of DOC, word by word.")
@click.argument("doc")
@click.option("--from", "from_version", metavar="VERSION",
              help="The older side (default: the version before --to).")
@click.option("--to", "to_version", metavar="VERSION",
              help="The newer side (default: current, the text in the corpus).")
@options.output_format("annotate.report.diff", default="text",
                       help_text="text: word diff ([-removed-]{+inserted+}, coloured on a "
                                 "terminal); json: schemas/diff.schema.json; html: one "
                                 "self-contained page (no script), for a file.")
@click.option("--exit-code", is_flag=True,
              help="Exit 1 when the two versions differ (as git diff --exit-code).")
@options.workspace()
@click.pass_context
def diff(ctx: click.Context, doc: str, from_version: str | None, to_version: str | None,
         output: str, exit_code: bool) -> None:
    """Show what changed between two versions of DOC, word by word, and the
    annotations the changes touch, with what re-anchoring does to each
    (computed: nothing is written).

    A version is stored whenever someone annotates the text and kept when
    the text changes; `annotate documents` counts them.  VERSION is a
    number (1 = the oldest), `current` (the text in the corpus),
    `previous` (the newest other version) or 7+ hex digits of its SHA-256.
    Exit 0 (with --exit-code: 1 when the versions differ), 2 for an unknown
    document or version (docs/diff.md).

    \b
    Examples:
      annotate diff kim-putin-vostochny.txt
      annotate diff kim-putin-vostochny.txt --from 1 --to current --format json
      annotate diff kim-putin-vostochny.txt --format html > changes.html
    """
    import sys

    from annotate import api
    from annotate.report.diff import RENDERERS
    from annotate.report.terminal import use_color

    found = api.diff(options.open_workspace(ctx), doc, from_version, to_version,
                     notify=options.notify)
    options.emit(RENDERERS[output](found, use_color(sys.stdout)), output)
    ctx.exit(EXIT_FINDINGS if exit_code and not found.changes.identical else EXIT_OK)


COMMANDS = (diff,)
