"""Label records as JSON lines: read checked, a torn last line left out, written atomically."""

from __future__ import annotations

import pytest

from moderation.errors import InputError
from moderation.labels.jsonl import looks_like_label_lines, read_label_lines, write_label_lines
from moderation.labels.record import LabelRecord

FIRST = b'{"id": "a", "label": "civil", "text": "hello there"}\n'
SECOND = b'{"id": "b", "action": "skip"}\n'


def test_read_label_lines_gives_records_and_their_lines(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_bytes(FIRST + b"\n" + SECOND)
    found = read_label_lines(path)
    assert [r.id for r in found.records] == ["a", "b"]
    assert [r.action for r in found.records] == ["label", "skip"]
    assert found.lines == [1, 3]
    assert found.torn_line is None and found.torn_warning() is None


def test_read_label_lines_leaves_out_a_torn_last_line_and_says_so(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_bytes(FIRST + b'{"id": "b", "lab')
    found = read_label_lines(path)
    assert [r.id for r in found.records] == ["a"]
    assert found.torn_line == 2
    warning = found.torn_warning()
    assert warning is not None and warning.startswith(f"{path}:2:")


def test_read_label_lines_names_the_line_of_a_bad_record(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_bytes(FIRST + b'{"id": "b", "label": "rude", "text": "x"}\n')
    with pytest.raises(InputError, match="unknown label 'rude'") as error:
        read_label_lines(path)
    assert error.value.line == 2


def test_read_label_lines_counts_from_the_first_line_given(tmp_path):
    path = tmp_path / "labels.jsonl"
    found = read_label_lines(path, data=SECOND, first_line=7)
    assert found.lines == [7] and found.records[0].id == "b"


def test_looks_like_label_lines_by_the_first_byte(tmp_path):
    lines, sqlite, empty = tmp_path / "a.jsonl", tmp_path / "b.db", tmp_path / "c.jsonl"
    lines.write_bytes(b"\xef\xbb\xbf \n" + FIRST)
    sqlite.write_bytes(b"SQLite format 3\x00")
    empty.write_bytes(b"")
    assert looks_like_label_lines(lines)
    assert not looks_like_label_lines(sqlite)
    assert not looks_like_label_lines(empty)
    assert not looks_like_label_lines(tmp_path / "missing.jsonl")
    assert not looks_like_label_lines(tmp_path)


def test_write_label_lines_round_trips(tmp_path):
    records = [
        LabelRecord(id="a", label="civil", text="hi", labeller="ann"),
        LabelRecord(id="b", action="skip", labeller="bob"),
    ]
    path = tmp_path / "out.jsonl"
    assert write_label_lines(path, records) == 2
    assert read_label_lines(path).records == records
    assert not list(tmp_path.glob("*.tmp*"))
