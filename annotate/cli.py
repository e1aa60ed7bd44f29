"""The `annotate` command line: parse options -> one library call -> render.

Heavy modules (jsonschema, diff-match-patch, pysbd) are imported inside the
commands that need them, so `annotate --help` stays instant.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import click

from annotate import __version__
from annotate.errors import EXIT_FINDINGS, EXIT_USAGE, AnnotateError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class AnnotateGroup(click.Group):
    """Turns every AnnotateError into one line on stderr and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AnnotateError as error:
            click.echo(f"annotate: error: {error}", err=True)
            ctx.exit(error.exit_code)


def _workspace(ctx: click.Context) -> Any:
    from annotate import api

    return api.open_workspace(ctx.obj.get("workspace"))


def _emit(text: str) -> None:
    click.echo(text, nl=False)


def _fail(message: str) -> NoReturn:
    raise click.UsageError(message)


@click.group(cls=AnnotateGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="annotate")
@click.option("--workspace", "-w", metavar="DIR", envvar="ANNOTATE_WORKSPACE",
              help="Workspace folder (default: found by walking up from the current "
                   "folder; env ANNOTATE_WORKSPACE).")
@click.pass_context
def cli(ctx: click.Context, workspace: str | None) -> None:
    """Label spans of news articles as sourced, unsourced, disputed, speculative
    or opinion; validate, merge and export the annotations.

    \b
    Example:
      annotate init newsroom && cd newsroom
      cp ~/article.txt corpus/
      annotate add article.txt --quote "20,000 artillery pieces" \\
          --label sourced --source https://www.iiss.org/
      annotate show article.txt

    Exit codes: 0 ok, 1 findings (invalid, conflicts, orphans),
    2 usage error or unreadable input.
    """
    ctx.ensure_object(dict)
    ctx.obj["workspace"] = workspace


@cli.command()
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


@cli.command()
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.pass_context
def documents(ctx: click.Context, output: str) -> None:
    """List the corpus: document ids, versions and how many annotations each has.

    \b
    Example:
      annotate documents --format json
    """
    from annotate import api
    from annotate.report.listing import table, to_json

    infos = api.documents(_workspace(ctx))
    if output == "json":
        _emit(to_json([{"id": i.id, "sha256": i.sha256, "characters": i.characters,
                        "annotations": i.annotations, "reviewers": list(i.reviewers)}
                       for i in infos]))
    elif infos:
        _emit(table(("DOCUMENT", "CHARACTERS", "ANNOTATIONS", "REVIEWERS", "SHA256"),
                    [(i.id, str(i.characters), str(i.annotations),
                      ",".join(i.reviewers) or "-", i.sha256[:12]) for i in infos]))


@cli.command()
@click.argument("doc")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.pass_context
def sentences(ctx: click.Context, doc: str, output: str) -> None:
    """Number the sentences of DOC, for `annotate add --sentence N`.

    \b
    Prints each sentence's number, line:column and text.
    Example:
      annotate sentences kim-putin-vostochny.txt
    """
    from annotate import api
    from annotate.report.listing import sentences_json, sentences_text

    found = api.sentences(_workspace(ctx), doc)
    _emit(sentences_json(found) if output == "json" else sentences_text(found))


@cli.command()
@click.argument("doc")
@click.option("--label", "-l", required=True, help="A label of the taxonomy, e.g. sourced.")
@click.option("--quote", "-q", help="Exact text of the span.")
@click.option("--occurrence", type=click.IntRange(min=1),
              help="With --quote: which occurrence (1-based) when it occurs more than once.")
@click.option("--start", type=int, help="Start offset (code points) with --end.")
@click.option("--end", type=int, help="End offset (code points, exclusive) with --start.")
@click.option("--sentence", type=int, help="Sentence number from `annotate sentences DOC`.")
@click.option("--note", "-n", default="", help="Free-text note.")
@click.option("--source", "-s", "sources", multiple=True, metavar="URL",
              help="Source URL (repeatable).")
@click.option("--reviewer", "-r", help="Reviewer (default: $ANNOTATE_REVIEWER, then "
              "git config user.email).")
@click.option("--verdict", help="Rating from the project's verdict scale.")
@click.option("--tag", "tags", multiple=True, help="Tag (repeatable).")
@click.option("--format", "output", type=click.Choice(["id", "json"]), default="id",
              show_default=True, help="Print the new id, or the whole record as JSON.")
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
    from annotate import api, spans

    chosen = [name for name, value in (("--quote", quote), ("--start/--end", start),
                                       ("--sentence", sentence))
              if value is not None]
    if end is not None and start is None:
        chosen.append("--start/--end")
    if len(set(chosen)) != 1:
        _fail("pick the span in exactly one way: --quote TEXT, --start I --end J, "
              "or --sentence N")
    if occurrence is not None and quote is None:
        _fail("--occurrence goes with --quote")
    span: spans.SpanSpec
    if quote is not None:
        span = spans.QuoteSpan(quote, occurrence)
    elif sentence is not None:
        span = spans.SentenceSpan(sentence)
    else:
        if start is None or end is None:
            _fail("--start and --end go together")
        span = spans.OffsetSpan(start, end)
    annotation = api.add_annotation(
        _workspace(ctx), doc, span, label=label, reviewer=reviewer, note=note,
        sources=sources, verdict=verdict, tags=tags)
    if output == "json":
        from annotate.report.listing import to_json

        _emit(to_json(annotation.to_record()))
    else:
        click.echo(annotation.id)


@cli.command("list")
@click.argument("doc", required=False)
@click.option("--reviewer", "-r", help="Only this reviewer's annotations.")
@click.option("--label", "-l", help="Only annotations with this label.")
@click.option("--format", "output", type=click.Choice(["table", "json", "jsonl", "csv"]),
              default="table", show_default=True)
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
    from annotate.report import listing
    from annotate.report.terminal import use_color

    ws = _workspace(ctx)
    found = api.list_annotations(ws, doc, reviewer=reviewer, label=label)
    if output == "json":
        _emit(listing.annotations_json(found))
    elif output == "jsonl":
        _emit(listing.annotations_jsonl(found))
    elif output == "csv":
        _emit(listing.annotations_csv(found))
    else:
        _emit(listing.annotations_table(found, ws.project, use_color(sys.stdout)))


@cli.command()
@click.argument("doc")
@click.option("--reviewer", "-r", help="Only this reviewer's annotations.")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.pass_context
def show(ctx: click.Context, doc: str, reviewer: str | None, output: str) -> None:
    """Print DOC with every span marked [n ... n] and coloured by label, then the list.

    \b
    Example:
      annotate show kim-putin-vostochny.txt --reviewer alice | less -R
    """
    from annotate import api
    from annotate.report.show import render_show, show_json
    from annotate.report.terminal import use_color

    ws = _workspace(ctx)
    document = api.document(ws, doc)
    found = api.list_annotations(ws, document.id, reviewer=reviewer)
    if output == "json":
        _emit(show_json(document, found))
    else:
        _emit(render_show(document, found, ws.project, use_color(sys.stdout)))


@cli.command()
@click.argument("annotation_id", metavar="ID")
@click.option("--label", "-l", help="New label.")
@click.option("--note", "-n", help="New note (replaces the old one).")
@click.option("--add-source", "add_sources", multiple=True, metavar="URL")
@click.option("--remove-source", "remove_sources", multiple=True, metavar="URL")
@click.option("--verdict", help="New verdict.")
@click.option("--add-tag", "add_tags", multiple=True, metavar="TAG")
@click.option("--remove-tag", "remove_tags", multiple=True, metavar="TAG")
@click.option("--format", "output", type=click.Choice(["id", "json"]), default="id",
              show_default=True)
@click.pass_context
def edit(ctx: click.Context, annotation_id: str, label: str | None, note: str | None,
         add_sources: tuple[str, ...], remove_sources: tuple[str, ...],
         verdict: str | None, add_tags: tuple[str, ...], remove_tags: tuple[str, ...],
         output: str) -> None:
    """Change an annotation's label, note, sources, verdict or tags (sets `modified`).

    ID may be abbreviated to any unique prefix of 4 or more characters.

    \b
    Example:
      annotate edit 06h2e4hayr --label disputed --add-source https://example.org/report
    """
    from annotate import api

    edited = api.edit_annotation(
        _workspace(ctx), annotation_id, label=label, note=note, add_sources=add_sources,
        remove_sources=remove_sources, verdict=verdict, add_tags=add_tags,
        remove_tags=remove_tags)
    if output == "json":
        from annotate.report.listing import to_json

        _emit(to_json(edited.to_record()))
    else:
        click.echo(edited.id)


@cli.command()
@click.argument("annotation_id", metavar="ID")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def rm(ctx: click.Context, annotation_id: str, yes: bool) -> None:
    """Remove an annotation (asks first on a terminal; --yes skips the question).

    \b
    Example:
      annotate rm 06h2e4hayr --yes
    """
    from annotate import api
    from annotate.report.listing import one_line

    ws = _workspace(ctx)
    _, found = api.find_annotation(ws, annotation_id)
    if not yes:
        if not sys.stdin.isatty():
            _fail("not a terminal, so cannot ask: pass --yes to remove without asking")
        question = (f"Remove {found.id} ({found.label} by {found.reviewer}: "
                    f"“{one_line(found.quote, 50)}”)?")
        if not click.confirm(question, err=True):
            click.echo("Nothing removed.", err=True)
            return
    removed = api.remove_annotation(ws, found.id)
    click.echo(removed.id)


@cli.command()
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@click.option("--format", "output", type=click.Choice(["text", "json", "github", "sarif"]),
              default="text", show_default=True,
              help="text: path:line:col: CODE message; github: workflow commands; "
                   "sarif: SARIF 2.1.0.")
@click.option("--strict", is_flag=True, help="Treat warnings (stale or orphaned spans ...) "
              "as errors.")
@click.option("--no-cache", is_flag=True, help="Check every file again, ignoring "
              ".annotate-cache/.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), metavar="N",
              help="Worker processes (default: one per core).")
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
    import os

    from annotate import api
    from annotate.report.findings import RENDERERS, github_step_summary, summarize
    from annotate.validation import apply_strict

    with _progress_bar("Validating") as progress:
        report = api.validate(ctx.obj.get("workspace"), paths, use_cache=not no_cache,
                              jobs=jobs, progress=progress)
    findings = apply_strict(report.findings) if strict else report.findings
    summary = summarize(findings, files_checked=report.files_checked,
                        annotations_checked=report.annotations_checked)
    _emit(RENDERERS[output](findings, summary))
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if output == "github" and step_summary:
        # GitHub shows only the first annotations of a step; the summary has them all.
        with open(step_summary, "a", encoding="utf-8") as handle:
            handle.write(github_step_summary(findings, summary))
    if report.unreadable:
        ctx.exit(EXIT_USAGE)
    ctx.exit(EXIT_FINDINGS if summary["errors"] else 0)


@cli.command()
@click.argument("docs", nargs=-1, metavar="[DOC]...")
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@click.option("--min-score", type=float, metavar="X",
              help="Lowest match score (0-1) accepted for a moved or edited quote "
                   "(default 0.6; stricter for short quotes).")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
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
    from annotate.report.reanchor import render_json, render_text

    report = api.reanchor(_workspace(ctx), docs, dry_run=dry_run, min_score=min_score)
    _emit(render_json(report) if output == "json" else render_text(report))
    ctx.exit(EXIT_FINDINGS if report.orphans_remaining else 0)


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


def main() -> None:
    try:
        cli(prog_name="annotate")
    except BrokenPipeError:
        # `annotate list | head`: the reader left; that is not an error.
        sys.stderr.close()
        sys.exit(0)


__all__ = ["cli", "main"]
