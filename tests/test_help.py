"""Help is documentation: every command has help with an example, the
README's tour shows every command, and docs/commands.md is generated from
--help (regenerate it with `python -m tests.test_help`)."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from annotate.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
REFERENCE = ROOT / "docs" / "commands.md"
COMMANDS = sorted(cli.commands)


def help_text(*args: str) -> str:
    result = CliRunner().invoke(cli, [*args, "--help"], prog_name="annotate",
                                terminal_width=100)
    assert result.exit_code == 0
    return result.stdout


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
    assert re.search(rf"^\$ annotate {name}\b", README, re.MULTILINE), (
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


def test_readme_documents_the_exit_codes() -> None:
    for code, meaning in (("0", "ok"), ("1", "findings"), ("2", "usage")):
        assert re.search(rf"^\| {code} \| .*{meaning}", README, re.MULTILINE | re.IGNORECASE)


if __name__ == "__main__":
    REFERENCE.parent.mkdir(exist_ok=True)
    REFERENCE.write_text(command_reference(), encoding="utf-8")
    print(f"wrote {REFERENCE.relative_to(ROOT)}")
