"""The `annotate` command line: the click group, its commands, and the one
place where errors become exit codes.

Each module of this package holds the commands of one capability and lists
them in ``COMMANDS``; a new module joins with one line in ``COMMAND_MODULES``.
Every command parses its options, makes one library call and prints what one
renderer of a registry in ``annotate.report`` returns.  Heavy modules
(jsonschema, diff-match-patch, pysbd, the renderers) are imported inside the
commands, so `annotate --help` stays instant.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import importlib
import os
import re
import sys
import threading
from typing import IO, Any, NoReturn

import click

from annotate import __version__, background, until_exit
from annotate.cli import options
from annotate.errors import EXIT_INTERNAL, EXIT_USAGE, AnnotateError
from annotate.report.terminal import escape

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

# A new capability is one module listing its commands in COMMANDS, and one line here.
COMMAND_MODULES = (
    "annotate.cli.fetching",
    "annotate.cli.corpus",
    "annotate.cli.annotations",
    "annotate.cli.check",
    "annotate.cli.review",
    "annotate.cli.git",
    "annotate.cli.report",
    "annotate.cli.interchange",
    "annotate.cli.interactive",
    "annotate.cli.versions",
)


class UsageLine(click.ClickException):
    """A click usage error told in one line, as every other mistake is:
    ``annotate: error: <message> (see 'annotate CMD --help')``, exit 2."""

    exit_code = EXIT_USAGE

    def __init__(self, error: click.UsageError, command: str) -> None:
        # click's parser leaves ctx unset for some errors ("option '-w'
        # requires an argument"); command is then the one being parsed.
        if error.ctx is not None:
            command = error.ctx.command_path
        super().__init__(f"{_sentence(error.format_message())} (see '{command} --help')")

    def show(self, file: IO[Any] | None = None) -> None:
        """Write the one line to stderr (or file)."""
        click.echo(f"annotate: error: {escape(self.format_message())}", file=file, err=True)


# click writes "No such option: --fromat Did you mean '--format'?"; ours are
# lower-case clauses without a full stop, like every other message of annotate.
_SUGGESTION = re.compile(r"\.?\s+\(?Did you mean (.*?)\)?$", re.DOTALL)


def _sentence(message: str) -> str:
    message = _SUGGESTION.sub(r"; did you mean \1", message.strip())
    if message[:1].isupper() and message[1:2].islower():
        message = message[0].lower() + message[1:]
    return message.removesuffix(".")


class AnnotateGroup(click.Group):
    """Turns every AnnotateError into one line on stderr and its exit code, every
    click usage error into one line and exit 2, and any other exception into an
    internal error with a code of its own."""

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        """Parse the group's own options; a usage error there is one line too."""
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.exceptions.NoArgsIsHelpError:
            raise  # bare `annotate` prints the help: that is no error message
        except click.UsageError as error:
            raise UsageLine(error, info_name or "annotate") from None

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; an AnnotateError becomes `annotate: error: ...` and its exit code."""
        try:
            return super().invoke(ctx)
        except AnnotateError as error:
            click.echo("annotate: error: " + escape(str(error), keep="\n"), err=True)
            ctx.exit(error.exit_code)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as error:
            # The command name, the command's options and arguments, and the
            # checks of a command body (click.UsageError) all come through here.
            command = " ".join(filter(None, (ctx.command_path, ctx.invoked_subcommand)))
            raise UsageLine(error, command) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, BrokenPipeError):
            raise
        except OSError as error:
            if is_output_error(error):
                raise  # main says so in one line: no bug of annotate's
            _internal_error(ctx, error)
        except Exception as error:
            _internal_error(ctx, error)


def _internal_error(ctx: click.Context, error: Exception) -> NoReturn:
    """A bug, not a finding: exit 1 would tell CI "the annotations are
    invalid".  ANNOTATE_DEBUG=1 shows the traceback for the report."""
    if os.environ.get("ANNOTATE_DEBUG"):
        raise error
    click.echo(f"annotate: internal error: {type(error).__name__}: "
               f"{escape(str(error))[:300]}; this is a bug in annotate: please "
               "report it with the command you ran (ANNOTATE_DEBUG=1 shows the "
               "traceback)", err=True)
    ctx.exit(EXIT_INTERNAL)


@click.group("annotate", cls=AnnotateGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="annotate")
@options.workspace(envvar="ANNOTATE_WORKSPACE")
def cli() -> None:
    """Label spans of news articles as sourced, unsourced, disputed, speculative
    or opinion; list, show, validate and re-anchor the annotations.

    \b
    Example:
      annotate init newsroom && cd newsroom
      annotate fetch https://example.org/news/article --as article.txt
      annotate add article.txt --quote "20,000 artillery pieces" \\
          --label sourced --source https://www.iiss.org/
      annotate show article.txt

    Exit codes: 0 ok, 1 findings (invalid annotations, orphaned spans),
    2 usage error or unreadable input, 3 internal error (a bug: please report it).
    """


for _module in COMMAND_MODULES:
    for _command in importlib.import_module(_module).COMMANDS:
        cli.add_command(_command)


def main() -> None:
    """The console script `annotate`."""
    until_exit.hold()  # see _exit_at_once
    background.enable()  # caches written after the command, not before it ends
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            # Closed by the caller (`annotate list >&-`): Python leaves None
            # there; what would go to it goes nowhere, as print's would.
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
    try:
        cli(prog_name="annotate")
    except BrokenPipeError:
        # `annotate list | head`: the reader left; that is not an error.
        sys.stderr.close()
        sys.exit(0)
    except OSError as error:
        if not is_output_error(error):
            raise
        _exit_at_once(SystemExit(_output_failed(error)))
    except SystemExit as done:
        _exit_at_once(done)


def is_output_error(error: OSError) -> bool:
    """Whether writing the output failed as the disk or device it goes to does
    (`annotate report > /dev/full`): no file of ours is named in it, which
    every write of annotate's own names (as a WriteError)."""
    return error.filename is None and error.errno in (
        errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EBADF)


def _output_failed(error: OSError) -> int:
    """One line for output that could not be written; the exit code, 2.  What
    is still buffered for it is dropped: flushing it again would fail again."""
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write("annotate: error: cannot write the output: "
                         f"{error.strerror or error}; nothing more was written\n")
        sys.stderr.flush()
    sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    return EXIT_USAGE


def _exit_at_once(done: SystemExit) -> NoReturn:
    """End the process as ``done`` would, without freeing its objects one by one.

    A command's large results are still alive here (``until_exit.keep``),
    and Python would free them object by object before exiting, as it would
    the modules and everything else: 0.18 s after merging 100,000
    annotations.  The operating system takes the memory back at once.  mypy
    ends the same way (its --fast-exit, the default).  What the interpreter's
    own exit does that matters is done here: the standard streams are
    flushed and the atexit functions run.  With a thread still running,
    whose end Python would wait for, the exit is the ordinary one.
    """
    if threading.active_count() > 1:
        raise done
    code = done.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)  # what Python prints for sys.exit("message")
        code = 1
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = 0  # the reader left (see main)
    except OSError as error:  # most output is written here, from the buffer
        if not is_output_error(error):
            raise
        code = _output_failed(error)
    with contextlib.suppress(OSError, ValueError):  # closed by the BrokenPipe case
        sys.stderr.flush()
    run_exit_functions = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_functions is not None:
        run_exit_functions()
    os._exit(code or 0)


__all__ = ["cli", "main"]
