"""The command line as a person meets it: help that reads well at 80 columns, --version, and
--debug before or after the command."""

from __future__ import annotations

import re

import pytest

from moderation import __version__
from moderation.cli import app

from fixtures.commands import every_command

COMMANDS = [
    ["parse"],
    ["score"],
    ["flag"],
    ["train"],
    ["label"],
    ["evaluate"],
    ["labels", "merge"],
    ["labels", "from-status"],
    ["labels", "export"],
    ["labels", "import"],
    ["models", "list"],
    ["models", "show"],
    ["models", "promote"],
    ["datasets", "list"],
    ["datasets", "fetch"],
    ["datasets", "prepare"],
    ["serve"],
    ["review"],
]
NARROW = {"COLUMNS": "80", "TERM": "dumb"}


@pytest.mark.parametrize("command", [[], *COMMANDS], ids=lambda c: " ".join(c) or "root")
def test_help_names_values_plainly(runner, command):
    result = runner.invoke(app, [*command, "--help"], env=NARROW)
    assert result.exit_code == 0, result.output
    assert not re.search(r"<(bool|str|int|float|path|list\[[^]]*\])>", result.output, re.I)
    assert "{" not in result.output.split("\n", 3)[1]  # the usage line: no {INPUT}
    assert max(len(line) for line in result.output.splitlines()) <= 80


def test_help_texts_have_no_stray_line_breaks():
    import typer

    root = typer.main.get_command(app)
    groups = [root, *(c for c in root.commands.values() if hasattr(c, "commands"))]
    for group in groups:
        for command in [group, *getattr(group, "commands", {}).values()]:
            for paragraph in (command.help or "").split("\n\n"):
                assert "\n" not in paragraph, (command.name, paragraph)


def test_every_command_is_in_the_help_checks():
    listed = {" ".join(c) for c in COMMANDS}
    missing = [
        " ".join(path)
        for path, command in every_command()
        if path and not hasattr(command, "commands") and " ".join(path) not in listed
    ]
    assert not missing, f"add to COMMANDS: {missing}"


@pytest.mark.parametrize("path", [p for p, _ in every_command()], ids=" ".join)
def test_square_brackets_in_help_are_shown_as_written(runner, path):
    """`pip install 'moderation[dask]'` and `[pipeline]` must not vanish as rich markup."""
    command = dict((tuple(p), c) for p, c in every_command())[tuple(path)]
    written = [command.help or ""] + [getattr(p, "help", None) or "" for p in command.params]
    wanted = {m for text in written for m in re.findall(r"\w*\\?\[[a-z][\w:-]*\]", text)}
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "400", "TERM": "dumb"})
    shown = " ".join(re.sub(r"[│╭╮╰╯─]", " ", result.output).split())
    for piece in wanted:
        assert piece.replace("\\", "") in shown, (piece, path)


def test_version(runner):
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_shows_the_traceback_before_or_after_the_command(runner, tmp_path, where):
    missing = str(tmp_path / "missing.csv")
    args = ["--debug", "parse", missing] if where == "before" else ["parse", missing, "--debug"]
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    assert result.exception is not None and "no such file" in str(result.exception)
    plain = runner.invoke(app, ["parse", missing])
    assert plain.exit_code == 2 and "no such file" in plain.output
