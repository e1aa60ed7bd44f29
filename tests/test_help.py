"""Help is documentation: every command has help with an example, the
README's tour shows every command, and docs/commands.md is generated from
--help (regenerate it with `python -m tests.test_help`)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from annotate.cli import COMMAND_MODULES, cli
from annotate.cli.options import RendererChoice

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
REFERENCE = ROOT / "docs" / "commands.md"
COMMANDS = sorted(cli.commands)


def help_text(*args: str, width: int = 100) -> str:
    result = CliRunner().invoke(cli, [*args, "--help"], prog_name="annotate",
                                terminal_width=width)
    assert result.exit_code == 0
    return result.stdout


def format_option(command: click.Command) -> click.Option | None:
    """The command's --format option, if it prints data in several formats."""
    return next((p for p in command.params
                 if isinstance(p, click.Option) and "--format" in p.opts), None)


def command_reference() -> str:
    parts = ["# Command reference\n\n",
             "Generated from `annotate --help`; `python -m tests.test_help` rewrites it.\n\n",
             "```text\n$ annotate --help\n", help_text(), "```\n"]
    for name in COMMANDS:
        parts += [f"\n## annotate {name}\n\n```text\n$ annotate {name} --help\n",
                  help_text(name), "```\n"]
    return "".join(parts)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_an_example(name: str) -> None:
    text = help_text(name)
    assert "Example" in text
    assert re.search(rf"annotate {name}\b", text)


@pytest.mark.parametrize("name", COMMANDS)
def test_readme_tours_every_command(name: str) -> None:
    # The command may read a pipe: `$ printf 'j\nq\n' | annotate review DOC`.
    assert re.search(rf"^\$ (?:[^\n]*\| )?annotate {name}\b", README, re.MULTILINE), (
        f"README.md has no example of `annotate {name}`")


def test_command_reference_is_generated_from_help() -> None:
    assert REFERENCE.read_text(encoding="utf-8") == command_reference(), (
        "docs/commands.md is stale: run `python -m tests.test_help`")


@pytest.mark.parametrize("name", COMMANDS)
def test_reference_lists_every_option(name: str) -> None:
    section = REFERENCE.read_text(encoding="utf-8").split(f"## annotate {name}\n")[1]
    for parameter in cli.commands[name].params:
        if isinstance(parameter, click.Option):
            assert max(parameter.opts, key=len) in section.split("\n## ")[0]


@pytest.mark.parametrize("width", [80, 100])
def test_top_level_help_lists_every_command_on_one_uncut_line(width: int) -> None:
    listed = help_text(width=width).split("\nCommands:\n")[1].splitlines()
    assert not any("..." in line for line in listed)
    # Hidden commands (git-merge-driver: git runs it, not people) are not listed.
    shown = [name for name in COMMANDS if not cli.commands[name].hidden]
    assert [line.split()[0] for line in listed] == shown
    for line, name in zip(listed, shown, strict=True):
        assert line.split(maxsplit=1)[1] == cli.commands[name].short_help
        assert len(line) <= width


def test_top_level_help_names_only_commands_that_exist() -> None:
    text = help_text()
    assert set(re.findall(r"\bannotate ([a-z][\w-]*)", text)) <= set(COMMANDS)
    # What DESIGN.md plans but the code does not do yet must not be promised.
    for word, command in (("merge", "merge"), ("conflict", "merge"), ("export", "export"),
                          ("import", "import"), ("adjudicat", "review"),
                          ("agreement", "agreement")):
        if command not in cli.commands:
            assert word not in text.lower(), f"--help promises {word!r}; no {command} command"


@pytest.mark.parametrize("name", COMMANDS)
def test_format_choices_are_the_keys_of_a_renderer_registry(name: str) -> None:
    option = format_option(cli.commands[name])
    if option is None:
        return  # prints no data (init)
    assert isinstance(option.type, RendererChoice)  # not a hand-written click.Choice
    registry = getattr(importlib.import_module(option.type.report_module), option.type.attribute)
    assert option.type.choices == tuple(registry)
    # export and import have no default format: the user names the standard.
    assert option.required or option.default in registry
    assert all(callable(renderer) for renderer in registry.values())


@pytest.mark.parametrize("name", COMMANDS)
def test_help_opens_as_many_brackets_as_it_closes(name: str) -> None:
    """A description cut short leaves one open ("one per annotation with a
    verdict (the; brat: ..."): each registry entry says its whole first
    paragraph."""
    text = " ".join(help_text(name, width=10_000).split())
    assert text.count("(") == text.count(")"), text
    assert text.count("[") == text.count("]"), text


def test_every_command_module_is_registered() -> None:
    folder = ROOT / "annotate" / "cli"
    modules = {f"annotate.cli.{path.stem}" for path in folder.glob("*.py")
               if path.stem not in ("__init__", "options")}
    assert set(COMMAND_MODULES) == modules
    registered = [command for module in COMMAND_MODULES
                  for command in importlib.import_module(module).COMMANDS]
    assert sorted(command.name or "" for command in registered) == COMMANDS


def test_readme_documents_the_exit_codes() -> None:
    for code, meaning in (("0", "ok"), ("1", "findings"), ("2", "usage")):
        assert re.search(rf"^\| {code} \| .*{meaning}", README, re.MULTILINE | re.IGNORECASE)


if __name__ == "__main__":
    REFERENCE.parent.mkdir(exist_ok=True)
    REFERENCE.write_text(command_reference(), encoding="utf-8")
    print(f"wrote {REFERENCE.relative_to(ROOT)}")
