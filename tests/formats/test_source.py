"""Opening an export: the encoding settled from the first bytes, numbered lines with bad bytes
and NUL bytes reported at their line, blocks of a file read alone, and the per-file report."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from moderation.errors import InputError
from moderation.formats.source import (
    ByteSpan,
    ColumnMap,
    InputURL,
    ParseReport,
    ReadOptions,
    Source,
    input_path,
    is_url,
)


def source(tmp_path: Path, data: bytes, skip_bad: bool = False, encoding: str | None = None):
    path = tmp_path / "export.txt"
    path.write_bytes(data)
    return Source(path, ParseReport(str(path), skip_bad=skip_bad), encoding)


def test_a_name_with_a_protocol_is_a_url_that_prints_as_given():
    url = input_path("s3://bucket/exports/comments.jsonl")
    assert isinstance(url, InputURL) and is_url(url)
    assert (url.stem, url.suffix, str(url)) == (
        "comments",
        ".jsonl",
        "s3://bucket/exports/comments.jsonl",
    )
    assert input_path("exports/comments.jsonl") == Path("exports/comments.jsonl")
    assert not is_url(Path("exports/comments.jsonl"))


def test_read_options_take_the_columns_in_column_map_order():
    options = ReadOptions.of("cp1252", True, "words", None, "reply_of")
    assert (options.encoding, options.skip_bad) == ("cp1252", True)
    assert options.columns == ColumnMap(text="words", parent="reply_of")


def test_utf8_is_read_as_is_and_a_bom_is_skipped(tmp_path):
    plain = source(tmp_path, "a,é\n".encode())
    assert (plain.encoding, plain.head_text) == ("utf-8", "a,é\n")
    with_bom = source(tmp_path, codecs.BOM_UTF8 + b"a\nb\n")
    assert with_bom.encoding == "utf-8-sig"
    assert list(with_bom.iter_lines()) == [(1, "a\n"), (2, "b\n")]


def test_a_utf16_bom_settles_the_encoding_and_its_lines_are_decoded_whole(tmp_path):
    utf16 = source(tmp_path, "x\ny\n".encode("utf-16"))
    assert utf16.encoding == "utf-16" and not utf16.splits_into_blocks
    assert list(utf16.iter_lines()) == [(1, "x\n"), (2, "y\n")]


def test_bytes_that_are_not_utf8_are_read_as_cp1252_with_a_warning_once(tmp_path):
    legacy = source(tmp_path, "caf\u00e9 \u2019\n".encode("cp1252"))
    assert legacy.encoding == "cp1252"
    assert legacy.report.warnings == []  # noted when text is first decoded
    assert list(legacy.iter_lines()) == [(1, "caf\u00e9 \u2019\n")]
    legacy.read_text()
    assert len(legacy.report.warnings) == 1 and "--encoding" in legacy.report.warnings[0]


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p.write_bytes(b"  \n\r\n"), "the file is empty"),
        (lambda p: p.mkdir(), "is a folder"),
        (lambda p: None, "no such file"),
    ],
)
def test_files_that_cannot_be_read_say_why(tmp_path, make, message):
    path = tmp_path / "export.csv"
    make(path)
    with pytest.raises(InputError, match=message):
        Source(path, ParseReport(str(path)))


def test_an_unknown_encoding_is_refused_with_a_hint(tmp_path):
    with pytest.raises(InputError, match="unknown encoding 'klingon'.*utf-8 or cp1252"):
        source(tmp_path, b"a\n", encoding="klingon")


def test_nul_and_bad_bytes_stop_the_run_at_their_line_or_are_skipped(tmp_path):
    data = b"one\ntw\x00o\nthr\xffee\nfour\n"
    strict = source(tmp_path, data, encoding="utf-8")
    with pytest.raises(InputError) as stopped:
        list(strict.iter_lines())
    assert (stopped.value.line, stopped.value.problem) == (2, "NUL byte in line")
    skipping = source(tmp_path, data, skip_bad=True, encoding="utf-8")
    assert list(skipping.iter_lines()) == [(1, "one\n"), (4, "four\n")]
    assert [e.line for e in skipping.report.skipped] == [2, 3]


def test_read_text_names_the_line_of_a_bad_byte(tmp_path):
    bad = source(tmp_path, b"one\ntwo\nthr\xffee\n", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        bad.read_text()
    assert refused.value.line == 3


def test_a_block_reads_the_lines_that_begin_in_it_with_the_whole_file_s_numbers(tmp_path):
    whole = source(tmp_path, b"aa\nbb\ncc\ndd\n")
    whole.span = ByteSpan(start=3, end=7, first_line=2)  # "bb\n" starts at 3, "cc\n" at 6
    assert list(whole.iter_lines()) == [(2, "bb\n"), (3, "cc\n")]
    assert whole.stopped_at == 9


def test_csv_rows_start_at_their_first_line_and_a_neutralised_cell_reads_as_written(tmp_path):
    rows = source(tmp_path, b'text,id\n"two\nlines",1\n\'=SUM(A1),2\n')
    assert list(rows.iter_csv_rows()) == [
        (1, ["text", "id"]),
        (2, ["two\nlines", "1"]),
        (4, ["=SUM(A1)", "2"]),
    ]


def test_a_malformed_csv_row_is_a_bad_record_at_its_line(tmp_path):
    rows = source(tmp_path, b'text,id\nfine,1\n"bad"x,2\nok,3\n', skip_bad=True)
    assert [line for line, _ in rows.iter_csv_rows()] == [1, 2, 4]
    (skipped,) = rows.report.skipped
    assert skipped.line == 3 and "malformed row" in skipped.problem


def test_the_report_summarises_and_details_at_most_its_limit(tmp_path):
    report = ParseReport("x.csv", skip_bad=True, format="csv", comments=3)
    for n in range(3):
        report.warn(f"w{n}")
        report.bad(InputError("x.csv", "broken", line=n + 1))
    assert report.summary() == (
        "x.csv: csv, 0 thread(s), 3 comment(s), 0 labelled, 3 skipped, 3 warning(s)"
    )
    assert report.details(limit=2) == [
        "  warning: w0",
        "  warning: w1",
        "  ... and 1 more warning(s)",
        "  skipped: x.csv:1: broken",
        "  skipped: x.csv:2: broken",
        "  ... and 1 more skipped record(s)",
    ]
    with pytest.raises(InputError):
        ParseReport("x.csv").bad(InputError("x.csv", "broken"))
