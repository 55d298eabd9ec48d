"""Cutting a line-based export into blocks read on their own: each block starts at a record,
with that record's line number, wherever the nominal cut falls."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from moderation.formats.blocks import (
    BlockCounts,
    block_span,
    count_block,
    cuts,
    plan_blocks,
)
from moderation.formats.source import ByteSpan, ParseReport, Source


def spans(path: Path, block_bytes: int, quoting: bool) -> list[ByteSpan]:
    counts = [count_block(path, s, e) for s, e in cuts(path.stat().st_size, block_bytes)]
    return [block_span(path, *plan, quoting=quoting) for plan in plan_blocks(counts)]


def test_cuts_cover_the_file_in_order():
    assert cuts(10, 4) == [(0, 4), (4, 8), (8, 10)]
    assert cuts(3, 0) == [(0, 1), (1, 2), (2, 3)]  # a block is at least a byte
    assert cuts(0, 4) == []


def test_counts_and_plans_add_up_what_stands_before_each_block(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b'a\n"b\nc"\nd\n')
    first, second = count_block(path, 0, 5), count_block(path, 5, 10)
    assert (first.newlines, first.quotes, second.newlines, second.quotes) == (2, 1, 2, 1)
    assert plan_blocks([first, second]) == [(0, 5, 0, 0), (5, 10, 2, 1)]
    assert plan_blocks([BlockCounts(0, 3, 1, 2)]) == [(0, 3, 0, 0)]


def test_a_cut_inside_a_line_moves_to_the_next_line(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_bytes(b"aaa\nbbb\nccc\n")  # lines start at 0, 4, 8
    assert spans(path, 5, quoting=False) == [
        ByteSpan(0, 5, 1),
        ByteSpan(8, 10, 3),
        ByteSpan(12, 12, 4),
    ]


def test_a_cut_inside_quotes_moves_past_the_quoted_line_break(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b'id,text\n1,"one\ntwo"\n2,x\n')  # records at 0, 8 and 20
    assert [s.start for s in spans(path, 12, quoting=True)] == [0, 20]
    assert [s.first_line for s in spans(path, 12, quoting=True)] == [1, 4]


ROW = st.tuples(
    st.text(alphabet='ab,\n" ', max_size=6),
    st.text(alphabet="xy", min_size=1, max_size=3),
)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(ROW, min_size=1, max_size=12), block_bytes=st.integers(1, 40))
def test_reading_every_block_gives_the_rows_of_reading_the_whole_file(rows, block_bytes):
    """The cut's invariant: the blocks' rows, in order, are the whole file's rows with their
    line numbers, however the file is cut."""
    body = "".join('"{}",{}\n'.format(text.replace('"', '""'), key) for text, key in rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.csv"
        path.write_bytes(body.encode())
        whole = list(Source(path, ParseReport(str(path))).iter_csv_rows())
        pieces = []
        for span in spans(path, block_bytes, quoting=True):
            block = Source(path, ParseReport(str(path)))
            block.span = span
            pieces += list(block.iter_csv_rows())
    assert pieces == whole
