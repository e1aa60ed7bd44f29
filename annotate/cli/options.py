"""Options shared by the commands, as decorators, and the state they leave behind.

``--format`` offers exactly the keys of a registry: a report module's
``RENDERERS`` (or, for `import`, the library's ``IMPORTERS``), so a format
cannot be offered without the code behind it; the module is imported only
when a command parses the option or shows its help, never for
``annotate --help``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from annotate.workspace import Workspace

    _Choice = click.Choice[str]
else:
    # click.Choice is generic only from click 8.4 on; setup.cfg allows 8.2.
    _Choice = click.Choice

F = TypeVar("F", bound=Callable[..., Any])

WORKSPACE_HELP = ("Workspace folder (default: found by walking up from the current folder; "
                  "env ANNOTATE_WORKSPACE).")
AUTHOR_HELP = "Reviewer (default: $ANNOTATE_REVIEWER, then git config user.email)."
FILTER_HELP = "Only this reviewer's annotations."


class State:
    """What the options of the group and the command leave for the command body."""

    # A plain class, not a dataclass: importing dataclasses costs `--help` time.
    def __init__(self) -> None:
        self.workspace: str | None = None


def workspace_of(ctx: click.Context) -> str | None:
    """The workspace folder asked for with --workspace or ANNOTATE_WORKSPACE, if any."""
    return ctx.ensure_object(State).workspace


def open_workspace(ctx: click.Context) -> Workspace:
    """The workspace asked for, or the one found by walking up from the current folder."""
    from annotate import api

    return api.open_workspace(workspace_of(ctx))


def _remember_workspace(ctx: click.Context, _: click.Parameter, value: str | None) -> None:
    # Callbacks run in command-line order, the group's before the command's,
    # so a --workspace after the command name replaces one before it.
    state = ctx.ensure_object(State)
    if value is not None:
        state.workspace = value


def workspace(*, envvar: str | None = None) -> Callable[[F], F]:
    """--workspace/-w DIR, accepted before and after the command name; the later one wins."""
    # Only the group reads the environment: a command-level default from it
    # would silently replace a --workspace given before the command name.
    return click.option("--workspace", "-w", metavar="DIR", envvar=envvar, expose_value=False,
                        callback=_remember_workspace, help=WORKSPACE_HELP)


def reviewer(help_text: str = AUTHOR_HELP) -> Callable[[F], F]:
    """--reviewer/-r NAME: who writes (the default help) or, with FILTER_HELP, whose to show."""
    return click.option("--reviewer", "-r", metavar="NAME", help=help_text)


class RendererChoice(_Choice):
    """The keys of a registry (a module's RENDERERS, or another mapping named by
    ``attribute``) as click choices, imported on first use."""

    def __init__(self, report_module: str, attribute: str = "RENDERERS") -> None:
        self.report_module = report_module
        self.attribute = attribute
        super().__init__((), case_sensitive=True)

    @property
    def renderers(self) -> Mapping[str, Callable[..., Any]]:
        """The registry itself: report_module.RENDERERS (or the attribute named)."""
        registry: Mapping[str, Callable[..., Any]] = getattr(
            importlib.import_module(self.report_module), self.attribute)
        return registry

    @property
    def choices(self) -> tuple[str, ...]:
        """The registry's keys, in its order."""
        return tuple(self.renderers)

    @choices.setter
    def choices(self, _: Iterable[str]) -> None:
        """Ignored: click.Choice.__init__ assigns the choices; the registry is their only source."""


class RegistryOption(click.Option):
    """An option whose help ends with each choice of its registry and the first
    paragraph of what the registry says of it (a ``summary`` attribute, else
    the docstring): a format that plugs into the registry documents itself."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        """click's help record, the registry's descriptions appended (read on demand)."""
        assert isinstance(self.type, RendererChoice)
        described = []
        for name, entry in self.type.renderers.items():
            summary = getattr(entry, "summary", None) or (entry.__doc__ or "").strip()
            # The first paragraph, a sentence that may run over several lines.
            line = " ".join(summary.split("\n\n")[0].split()).rstrip(".")
            if line[:1].isupper() and line[1:2].islower():
                line = line[0].lower() + line[1:]  # "One row ..." -> "one row ..."
            described.append(f"{name}: {line}" if line else name)
        template = self.help
        self.help = " ".join(filter(None, (template, "; ".join(described) + ".")))
        try:
            return super().get_help_record(ctx)
        finally:
            self.help = template


def output_format(report_module: str, *, default: str | None,
                  help_text: str | None = None, attribute: str = "RENDERERS",
                  required: bool = False, describe: bool = False,
                  name: str = "output") -> Callable[[F], F]:
    """--format NAME, one of the keys of report_module.RENDERERS (or of the
    registry named by attribute); describe: the help lists what each is."""
    # No default at all when there is none: click 8.3 takes default=None for a
    # value, and a required option would then never be missing.
    extra: dict[str, Any] = {} if default is None else {"default": default,
                                                        "show_default": True}
    if describe:
        extra["cls"] = RegistryOption
    return click.option("--format", name, type=RendererChoice(report_module, attribute),
                        required=required, help=help_text, **extra)


# Formats a renderer already makes safe for a terminal (user text escaped,
# colour only on a terminal); every other format is data for a file or a
# program and carries user text as it is.
HUMAN_FORMATS = frozenset({"text", "table"})


def emit(text: str, output: str = "text") -> None:
    """Write a command's data to stdout.

    Data formats (JSON, CSV, Markdown, ...) hold user text as it is: on a
    terminal it is escaped first, so a note cannot drive the terminal or
    reorder what is shown; into a file or a pipe it goes unchanged --
    click.echo would strip anything that looks like an escape sequence from
    output that is not a terminal, from the data itself, hence color=True.
    """
    import sys

    if output not in HUMAN_FORMATS and sys.stdout.isatty():
        from annotate.report.terminal import escape

        text = escape(text, keep="\n")
    click.echo(text, nl=False, color=True)


def notify(message: str) -> None:
    """A note for the user on stderr (stdout stays data), escaped."""
    from annotate.report.terminal import escape

    click.echo(f"annotate: note: {escape(message)}", err=True)
