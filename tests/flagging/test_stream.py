"""Flagging a whole export: the CSV columns fixed before partitions are encoded apart, the
checks made before any comment is read, the run's summary, and the number of processes."""

from __future__ import annotations

import io
import json

import pytest

from moderation.errors import ModerationError
from moderation.flagging.stream import (
    default_processes,
    fixed_columns,
    flag_export,
    prepare_run,
    run_summary,
)
from moderation.flagging.writers import RowFormat
from moderation.formats import ReadOptions

ABUSE = "You pathetic worm, crawl back under your rock and stay there."


def test_csv_columns_are_fixed_by_the_first_comment_and_json_lines_need_none(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "a", "text": "hi", "colour": "red"}\n{"id": "b", "text": "yo"}\n')
    csv = fixed_columns(RowFormat("csv", ("civil",)), str(path), "jsonl", ReadOptions())
    assert csv.columns == ("id", "text", "colour")
    jsonl = RowFormat("jsonl")
    assert fixed_columns(jsonl, str(path), "jsonl", ReadOptions()) is jsonl
    chosen = RowFormat("csv", columns=("x",))
    assert fixed_columns(chosen, str(path), "jsonl", ReadOptions()) is chosen


def test_an_output_that_is_the_input_is_refused_before_any_model_is_loaded(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "hi"}\n')
    with pytest.raises(ModerationError, match="-o is the input"):
        prepare_run({"-o": source}, [source], source, tmp_path / "no-model", None)


def test_the_summary_names_the_models_and_thresholds_and_is_written_when_asked(model, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "text": ABUSE}) + "\n")
    result = flag_export(source, io.BytesIO(), model=model)
    path = tmp_path / "summary.json"
    data = run_summary(path, model, None, result, input=str(source))
    assert list(data)[0] == "input"  # what was read comes first
    assert (data["model"], data["written"], data["comments"]) == (model.id, 1, 1)
    assert data["thresholds"] == model.thresholds
    assert json.loads(path.read_text()) == data
    assert run_summary(None, model, None, result)["written"] == 1


def test_several_processes_flag_a_small_export_as_one(model, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"id": i, "text": ABUSE}) + "\n" for i in range(3)))
    outputs = []
    for processes in (1, 2):
        out = io.BytesIO()
        flag_export(source, out, model=model, processes=processes, output_name="x.csv")
        outputs.append(out.getvalue())
    assert outputs[0] == outputs[1]
    assert outputs[0].decode().splitlines()[0].startswith("id,text,")


def test_default_processes_are_one_per_core_at_most_two(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    assert default_processes() == 2
    monkeypatch.setattr("os.cpu_count", lambda: None)
    assert default_processes() == 1
