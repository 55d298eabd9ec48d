"""Flagged rows written out (flagging/writers.py): JSON lines, or CSV/TSV with one column per
score; partitions encoded apart join under one header; nothing is dropped; no cell runs."""

from __future__ import annotations

import csv
import io
import json

import pytest

from moderation.errors import UsageError
from moderation.flagging.writers import RowWriter, check_output_format, json_lines, row_format

LABELS = ["civil", "abusive", "conspiracy"]


def _row(cid, text, **more):
    return {
        "id": cid,
        "text": text,
        "prediction": "civil",
        "scores": {"civil": 0.9, "abusive": 0.05, "conspiracy": 0.05},
        "flags": [],
        "model": "tiny",
        "language": "en",
        **more,
    }


def test_json_lines_round_trip_and_no_bytes_for_no_rows():
    rows = [_row("a", "Hello"), _row("b", "Big number", n=2**70)]
    assert [json.loads(line) for line in json_lines(rows).splitlines()] == rows
    assert json_lines([]) == b""


def test_csv_rows_have_the_inputs_columns_a_score_column_per_label_and_keep_later_fields():
    out = io.BytesIO()
    writer = RowWriter(out, row_format("flags.csv", LABELS))
    writer.write([_row("a", '=HYPERLINK("http://x")')])
    writer.write([_row("b", "Later rows add a field", topic="ferry")])
    table = list(csv.DictReader(io.StringIO(out.getvalue().decode())))
    assert list(table[0])[:3] == ["id", "text", "prediction"]
    assert {"score_civil", "score_abusive", "score_conspiracy"} <= set(table[0])
    assert not table[0]["text"].startswith("=")  # a spreadsheet shows it, never runs it
    assert json.loads(table[1]["other_fields"]) == {"topic": "ferry"}


def test_partitions_encoded_apart_join_under_one_header():
    whole, parts = io.BytesIO(), io.BytesIO()
    rows = [_row(c, f"Comment {c}") for c in "abcd"]
    RowWriter(whole, row_format("x.tsv", LABELS)).write(rows)
    fixed = row_format("x.tsv", LABELS).with_columns(rows[0])
    parts.write(fixed.header())
    for half in (rows[:2], rows[2:]):
        parts.write(fixed.encode(half))
    assert parts.getvalue() == whole.getvalue()


@pytest.mark.parametrize("name", ["out.jsonl", "out.csv", "out.TSV", "out", "-", None])
def test_outputs_the_writers_write_are_accepted(name):
    check_output_format(name)


def test_a_spreadsheet_name_the_writers_cannot_write_is_refused():
    with pytest.raises(UsageError, match="cannot write .xlsx files"):
        check_output_format("flags.xlsx")
