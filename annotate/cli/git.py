"""Commands that let git merge annotation files by id: install-git-driver and
the driver git runs, git-merge-driver (issue 9, item 5)."""

from __future__ import annotations

from pathlib import Path

import click

from annotate.cli import options
from annotate.errors import EXIT_FINDINGS, EXIT_OK

_FILE = click.Path(dir_okay=False, path_type=Path)


@click.command("git-merge-driver", hidden=True,
               short_help="Git's merge driver for annotation files (git runs it).")
@click.argument("ancestor", metavar="ANCESTOR", type=_FILE)
@click.argument("ours", metavar="OURS", type=_FILE)
@click.argument("theirs", metavar="THEIRS", type=_FILE)
@click.argument("path", metavar="PATH")
@click.pass_context
def git_merge_driver(ctx: click.Context, ancestor: Path, ours: Path, theirs: Path,
                     path: str) -> None:
    """Merge three versions of an annotation file by id; git runs this.

    A decisions file (decisions.json) is merged by the position each
    decision decides: the same position decided two ways keeps both
    decisions (validate reports AN316 at the second).

    ANCESTOR, OURS and THEIRS are git's %O %A %B; PATH (%P) names the file
    in messages.  Per id: added or changed on one side only, that change;
    the same on both sides, kept; changed differently on both sides (or
    deleted on one and changed on the other), a conflict.  The result,
    sorted and canonical, replaces OURS.  On a conflict both versions of
    the record stay in the file, ours first (a deleted side is stood in for
    by the ancestor's record), so the id appears twice and `annotate
    validate` reports AN307 at the second; one line per conflicting id on
    stderr says how the sides differ.  Exit 0 merged, 1 conflicts, 2 a
    version is not an annotation file (OURS is then left untouched).
    Set it up with `annotate install-git-driver`.

    \b
    Example (git fills in the arguments):
      annotate git-merge-driver %O %A %B %P
    """
    from annotate import api
    from annotate.report.gitdriver import conflict_hint, conflict_line

    result = api.git_merge_driver(ancestor, ours, theirs, path)
    for conflict in result.conflicts:
        click.echo(conflict_line(conflict, path, result.decisions), err=True)
    if result.conflicts:
        click.echo(conflict_hint(len(result.conflicts), path, result.decisions), err=True)
    ctx.exit(EXIT_FINDINGS if result.conflicts else EXIT_OK)


@click.command("install-git-driver",
               short_help="Make git combine annotation files record by record.")
@options.workspace()
@click.pass_context
def install_git_driver(ctx: click.Context) -> None:
    """Make `git merge` combine annotation files record by record.

    Adds `<annotations folder>/**/*.jsonl merge=annotate` and the same for
    `**/decisions.json` to the .gitattributes at the top of the git
    repository (once; commit it), with `<corpus folder>/** -text` and
    `<annotations folder>/.versions/** -text`: documents are checked out
    byte for byte, never with converted line endings (Git for Windows'
    default), which would make each of them another version.  And it
    sets merge.annotate.driver to `annotate git-merge-driver %O %A %B %P`
    in this clone's .git/config.  Git does not version .git/config: every
    teammate runs this command once in their own clone.  Exit 2 outside a
    git repository.

    \b
    Example:
      annotate install-git-driver
    """
    from annotate import api
    from annotate.report.gitdriver import render_installed

    click.echo(render_installed(api.install_git_driver(options.open_workspace(ctx))), nl=False)


COMMANDS = (git_merge_driver, install_git_driver)
