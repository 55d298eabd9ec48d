"""The project's errors (errors.py): one line naming the file, the line or record and what to do,
and an input error that crosses from a worker process unchanged."""

from __future__ import annotations

import pickle
from pathlib import Path

from moderation.errors import HostileInputError, InputError


def test_an_input_error_names_the_file_the_line_the_record_and_the_next_step():
    error = InputError(Path("export.csv"), "no text column", line=3, hint="name it with --text-col")
    assert str(error) == "export.csv:3: no text column; name it with --text-col"
    assert str(InputError(None, "empty", where="record 2")) == "<input> (record 2): empty"


def test_input_errors_survive_pickling_as_they_were():
    for error in (
        InputError("a.xml", "bad date", line=4, where="post 7", hint="fix it"),
        HostileInputError("b.xml", "entities are refused"),
    ):
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error) and str(back) == str(error)
        assert (back.path, back.line, back.where, back.hint) == (
            error.path,
            error.line,
            error.where,
            error.hint,
        )
