"""Commands that check and repair annotations: validate, reanchor, dedupe."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from annotate.cli import options
from annotate.errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from annotate.model import Finding
    from annotate.report.findings import Summary


@click.command(short_help="Check annotation files: syntax, schema, labels, spans.")
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@options.output_format("annotate.report.findings", default="text",
                       help_text="text: path:line:col: CODE message; github: workflow "
                                 "commands; sarif: SARIF 2.1.0.")
@click.option("--strict", is_flag=True, help="Treat warnings (stale or orphaned spans ...) "
              "as errors.")
@click.option("--no-cache", is_flag=True, help="Check every file again, ignoring "
              ".annotate-cache/.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), metavar="N",
              help="Worker processes (default: one per core).")
@options.workspace()
@click.pass_context
def validate(ctx: click.Context, paths: tuple[str, ...], output: str, strict: bool,
             no_cache: bool, jobs: int | None) -> None:
    """Check annotation files: syntax, schema, labels, spans, staleness.

    With no PATH, the whole workspace (project file and every annotation
    file); with paths, those files or folders.  Every finding has a stable
    code (docs/validation-codes.md) and a line:column.  Exit 0 valid,
    1 findings, 2 unreadable input.

    \b
    Examples:
      annotate validate --strict
      annotate validate annotations/kim-putin-vostochny.txt --format github
    """
    from annotate import api
    from annotate.report.findings import RENDERERS, summarize

    with _progress_bar("Validating") as progress:
        report = api.validate(options.workspace_of(ctx), paths, strict=strict,
                              use_cache=not no_cache, jobs=jobs, progress=progress)
    summary = summarize(report.findings, files_checked=report.files_checked,
                        annotations_checked=report.annotations_checked)
    options.emit(RENDERERS[output](report.findings, summary), output)
    if output == "github":
        _write_job_summary(report.findings, summary)
    if report.unreadable:
        ctx.exit(EXIT_USAGE)
    ctx.exit(EXIT_FINDINGS if summary["errors"] else EXIT_OK)


@click.command(short_help="Move annotations onto the edited text of their documents.")
@click.argument("docs", nargs=-1, metavar="[DOC]...")
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@click.option("--min-score", type=float, metavar="X",
              help="Lowest match score (0-1) accepted for a moved or edited quote "
                   "(default 0.6; stricter for short quotes).")
@options.output_format("annotate.report.reanchor", default="text")
@options.workspace()
@click.pass_context
def reanchor(ctx: click.Context, docs: tuple[str, ...], dry_run: bool,
             min_score: float | None, output: str) -> None:
    """Re-anchor annotations after their documents were edited.

    Every annotation made on an older version of its document is found in
    the current text: `exact` (quote unchanged), `fuzzy` (quote edited; the
    old quote is kept as previous_quote) or `orphaned` (no acceptable match;
    kept and flagged, never deleted).  Exit 1 while orphans remain.

    \b
    Examples:
      annotate reanchor --dry-run
      annotate reanchor kim-putin-vostochny.txt --format json
    """
    from annotate import api
    from annotate.report.reanchor import RENDERERS

    report = api.reanchor(options.open_workspace(ctx), docs, dry_run=dry_run,
                          min_score=min_score)
    options.emit(RENDERERS[output](report), output)
    ctx.exit(EXIT_FINDINGS if report.orphans_remaining or report.decisions_orphaned
             else EXIT_OK)


@click.command(short_help="Give every annotation its own id (repairs copied files).")
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@options.output_format("annotate.report.dedupe", default="text")
@options.workspace()
@click.pass_context
def dedupe(ctx: click.Context, dry_run: bool, output: str) -> None:
    """Give every annotation of the workspace its own id.

    Ids must be unique in the workspace (validate's AN307): a copied file or
    a line duplicated by a git merge breaks that, and then `edit`, `rm` and
    `reanchor` cannot tell the records apart.  The first holder of an id
    keeps it; an exact copy of a record in the same file is dropped; every
    other repeat gets a new id.

    \b
    Examples:
      annotate dedupe --dry-run
      annotate dedupe
    """
    from annotate import api
    from annotate.report.dedupe import RENDERERS

    changes = api.dedupe(options.open_workspace(ctx), dry_run=dry_run)
    options.emit(RENDERERS[output](changes, dry_run), output)


def _write_job_summary(findings: Sequence[Finding], summary: Summary) -> None:
    """In a GitHub Actions job, append every finding to the job summary."""
    # GitHub turns only the first findings of a step into annotations; the
    # summary file it names in GITHUB_STEP_SUMMARY shows them all.
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    from annotate import files
    from annotate.report.findings import github_step_summary

    files.append_text(Path(path), github_step_summary(findings, summary))


@contextlib.contextmanager
def _progress_bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    bar: Any = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label=label, file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        yield update
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


COMMANDS = (validate, reanchor, dedupe)
