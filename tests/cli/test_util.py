"""What every command shares (cli/_util.py): the reading options declared once and handed to a
command as one ReadOptions, errors as one line and exit code 2."""

from __future__ import annotations

import json

import pytest
import typer

from moderation.cli import app
from moderation.cli._util import COLUMN_OPTIONS, READING_PARAMETERS, reads_exports, user_errors
from moderation.errors import InputError
from moderation.formats import ReadOptions

from fixtures.commands import every_command


def _reading_options(command):
    """A command's reading options (--encoding, --skip-bad, the column options): name -> help."""
    names = {p.name for p in READING_PARAMETERS}
    return {p.name: p.help for p in command.params if p.name in names}


def test_every_command_taking_columns_takes_all_of_them_with_the_declared_help():
    """The reading options are declared once (``cli._util.READING_PARAMETERS``): a command
    with one of them has every one, with the same help."""
    declared = {p.name: p.annotation.__metadata__[0].help for p in READING_PARAMETERS}
    assert set(COLUMN_OPTIONS) < set(declared)
    reading = {}
    for path, command in every_command():
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


def test_a_command_reading_exports_gets_one_read_options_and_its_own_options(runner):
    seen = {}

    @user_errors
    @reads_exports
    def command(input: str, limit: int = 3, *, options: ReadOptions) -> None:
        seen.update(input=input, limit=limit, options=options)
        if input == "bad":
            raise InputError("bad.csv", "no text column", line=1)

    one = typer.Typer()
    one.command()(command)
    result = runner.invoke(
        one, ["x.csv", "--limit", "5", "--skip-bad", "--encoding", "cp1252", "--id-col", "cid"]
    )
    assert result.exit_code == 0, result.output
    assert seen["input"] == "x.csv" and seen["limit"] == 5
    assert seen["options"] == ReadOptions.of("cp1252", True, None, "cid")
    failed = runner.invoke(one, ["bad"])
    assert failed.exit_code == 2 and "bad.csv:1: no text column" in failed.output


def test_a_command_without_an_options_parameter_is_refused():
    with pytest.raises(TypeError, match="options: ReadOptions"):

        @reads_exports
        def command(input: str) -> None: ...
