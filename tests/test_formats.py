"""The registry of export formats (``moderation.formats``): detection from a file's content,
the whole-export reading that counts and tracks threads, and block reading."""

from __future__ import annotations

import json

import pytest

from moderation.comments import Comment, Thread
from moderation.errors import InputError, UsageError
from moderation.formats import (
    BLOCK_FORMATS,
    FORMATS,
    ByteSpan,
    ParseReport,
    ReadOptions,
    detect_format,
    format_help,
    read_block,
    read_block_threads,
    read_export,
)
from moderation.formats.source import Source

ROWS = [
    {"id": "a", "thread_id": "t1", "text": "Top.", "label": "civil"},
    {"id": "b", "thread_id": "t1", "parent_id": "a", "text": "Reply."},
    {"id": "c", "thread_id": "t2", "parent_id": "gone", "text": "An orphan."},
]


def jsonl(path, rows=ROWS):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def detected(tmp_path, name: str, content: str) -> str:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return detect_format(Source(path, ParseReport(str(path))))


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("export.txt", '{"text": "hi"}\n', "jsonl"),  # content wins over the suffix
        ("export.csv", "text,id\nhi,1\n", "csv"),
        ("page.html", "<!doctype html><html><body><p>x</p></body></html>", "html"),
        ("notes.dat", "A headline\n\nSome words.\n", "text"),  # what no reader claims
    ],
)
def test_the_format_is_detected_from_the_content(tmp_path, name, content, expected):
    assert detected(tmp_path, name, content) == expected


def test_xml_no_reader_knows_is_refused_with_the_formats_named(tmp_path):
    with pytest.raises(InputError, match="XML, but not an export any reader knows"):
        detected(tmp_path, "x.xml", "<?xml version='1.0'?><catalog><book/></catalog>")


def test_the_help_and_an_unknown_format_name_every_reader():
    assert all(name in format_help() for name in FORMATS)
    with pytest.raises(UsageError, match="unknown format 'yaml'; choose one of auto, "):
        list(read_export("whatever.yaml", format="yaml"))


def test_read_export_counts_tracks_depths_and_warns_about_orphans(tmp_path):
    report = ParseReport("x")
    records = list(read_export(jsonl(tmp_path / "x.jsonl"), report=report))
    comments = [r for r in records if isinstance(r, Comment)]
    # the orphan names a parent: a reply, at depth 1 (the guess the warning owns up to)
    assert [(c.id, c.depth) for c in comments] == [("a", 0), ("b", 1), ("c", 1)]
    assert (report.format, report.comments, report.labelled) == ("jsonl", 3, 1)
    assert report.threads == sum(isinstance(r, Thread) for r in records)
    assert report.warnings == [
        "1 repl(ies) name a parent that was not seen before them; their depth is a guess"
    ]


def test_a_block_is_read_with_the_whole_file_s_line_numbers_and_where_it_stopped(tmp_path):
    path = jsonl(tmp_path / "x.jsonl")
    second = path.read_bytes().index(b"\n") + 1
    report = ParseReport(str(path))
    span = ByteSpan(second, second + 1, 2)  # only the record starting at line 2
    block = [
        r for r in read_block(path, span, format="jsonl", report=report) if isinstance(r, Comment)
    ]
    assert [c.id for c in block] == ["b"]
    assert report.stopped_at == path.read_bytes().index(b"\n", second) + 1
    threads = read_block_threads(
        path,
        ByteSpan(0, path.stat().st_size, 1),
        format="jsonl",
        options=ReadOptions(),
        report=ParseReport(str(path)),
    )
    assert [(thread, make().id) for thread, make in threads] == [
        ("t1", "a"),
        ("t1", "b"),
        ("t2", "c"),
    ]


def test_only_line_formats_in_byte_line_encodings_are_read_in_blocks(tmp_path):
    assert BLOCK_FORMATS == {"jsonl", "csv", "tsv"}
    page = tmp_path / "page.txt"
    page.write_text("A headline\n\nWords.\n", encoding="utf-8")
    with pytest.raises(UsageError, match="text in utf-8 is not read in blocks"):
        list(read_block(page, ByteSpan(0, 10, 1), format="text"))
    wide = tmp_path / "wide.jsonl"
    wide.write_text('{"text": "hi"}\n', encoding="utf-16")
    with pytest.raises(UsageError, match="jsonl in utf-16 is not read in blocks"):
        list(read_block(wide, ByteSpan(0, 10, 1), format="jsonl"))
