"""The command line as a person meets it: help that reads well at 80 columns, --version, and
--debug before or after the command."""

from __future__ import annotations

import json
import re

import pytest

from moderation import __version__
from moderation.cli import app

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


def _every_command():
    """Every command and group of the app, as the words that reach it, with its click object."""
    import typer

    found = []

    def walk(command, path):
        found.append((path, command))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


def test_every_command_is_in_the_help_checks():
    listed = {" ".join(c) for c in COMMANDS}
    missing = [
        " ".join(path)
        for path, command in _every_command()
        if path and not hasattr(command, "commands") and " ".join(path) not in listed
    ]
    assert not missing, f"add to COMMANDS: {missing}"


@pytest.mark.parametrize("path", [p for p, _ in _every_command()], ids=" ".join)
def test_square_brackets_in_help_are_shown_as_written(runner, path):
    """`pip install 'moderation[dask]'` and `[pipeline]` must not vanish as rich markup."""
    command = dict((tuple(p), c) for p, c in _every_command())[tuple(path)]
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


def _reading_options(command):
    """A command's reading options (--encoding, --skip-bad, the column options): name -> help."""
    from moderation.cli._util import READING_PARAMETERS

    names = {p.name for p in READING_PARAMETERS}
    return {p.name: p.help for p in command.params if p.name in names}


def test_every_command_taking_columns_takes_all_of_them_with_the_declared_help():
    """The reading options are declared once (``cli._util.READING_PARAMETERS``): a command
    with one of them has every one, with the same help."""
    from moderation.cli._util import COLUMN_OPTIONS, READING_PARAMETERS

    declared = {p.name: p.annotation.__metadata__[0].help for p in READING_PARAMETERS}
    assert set(COLUMN_OPTIONS) < set(declared)
    reading = {}
    for path, command in _every_command():
        taken = _reading_options(command)
        if set(taken) & set(COLUMN_OPTIONS):
            reading[" ".join(path)] = taken
    assert set(reading) == {"parse", "flag", "label", "review"}
    for name, taken in reading.items():
        assert taken == declared, name


@pytest.mark.parametrize("command", ["parse", "flag"])
def test_the_column_options_reach_the_reader(runner, tmp_path, command):
    export = tmp_path / "export.csv"
    export.write_text(
        "body,cid,reply_to,topic,who,when,gold\n"
        "Hello there,c1,,t1,ana,2024-01-02T03:04:05Z,civil\n"
        "You are wrong,c2,c1,t1,bo,2024-01-02T04:04:05Z,abusive\n"
    )
    args = ["--text-col", "body", "--id-col", "cid", "--parent-col", "reply_to"]
    args += ["--thread-col", "topic", "--author-col", "who", "--time-col", "when"]
    args += ["--label-col", "gold", "--encoding", "utf-8"]
    result = runner.invoke(app, [command, str(export), *args])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    if command == "flag":  # flag writes the export's own row: the columns as they were
        assert [r["scores"] is not None for r in rows] == [True, True]
        assert "2 labelled" in result.stderr
        return
    assert [(r["id"], r["parent_id"], r["thread_id"], r["author"]) for r in rows] == [
        ("c1", None, "t1", "ana"),
        ("c2", "c1", "t1", "bo"),
    ]
    assert [r["label"] for r in rows] == ["civil", "abusive"]
    assert rows[1]["created_at"] == "2024-01-02T04:04:05+00:00"
