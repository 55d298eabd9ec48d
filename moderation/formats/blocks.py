"""Where the blocks of a line-based export (JSONL, CSV, TSV) begin, so that each can be read on
its own (``read_block``) with the line numbers of reading the whole file.

A file is cut at nominal offsets; each cut moves forward to the next record: the next line for
JSONL, for CSV and TSV the next line break outside quotes (an even number of ``"`` before it).
The counts that need the bytes before a cut (line breaks, quote marks) are taken per block, so
every block's work can run on a different machine; ``plan_blocks`` adds them up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from moderation.formats.source import ByteSpan, open_input

_READ = 1 << 23


@dataclass(frozen=True)
class BlockCounts:
    """Line breaks and quote marks in ``[start, end)`` of a file."""

    start: int
    end: int
    newlines: int
    quotes: int


def cuts(size: int, block_bytes: int) -> list[tuple[int, int]]:
    """Nominal ``[start, end)`` blocks of a file of ``size`` bytes."""
    block_bytes = max(1, block_bytes)
    return [(start, min(size, start + block_bytes)) for start in range(0, size, block_bytes)]


def count_block(path: str | Path, start: int, end: int) -> BlockCounts:
    newlines = quotes = 0
    with open_input(path) as fh:
        fh.seek(start)
        left = end - start
        while left > 0:
            data = fh.read(min(_READ, left))
            if not data:
                break
            left -= len(data)
            newlines += data.count(b"\n")
            quotes += data.count(b'"')
    return BlockCounts(start, end, newlines, quotes)


def block_span(
    path: str | Path, start: int, end: int, newlines_before: int, quotes_before: int, quoting: bool
) -> ByteSpan:
    """The block whose nominal bounds are ``[start, end)``: from the first record that begins
    at or after ``start`` (``quoting``: line breaks inside ``"..."`` do not end a record), with
    that record's line number."""
    if start == 0:
        return ByteSpan(0, end, 1)
    even = quotes_before % 2 == 0
    with open_input(path) as fh:
        fh.seek(start - 1)
        if fh.read(1) == b"\n" and (even or not quoting):
            return ByteSpan(start, end, newlines_before + 1)
        offset, newlines = start, 0
        while True:
            data = fh.read(_READ)
            if not data:
                return ByteSpan(offset, end, newlines_before + newlines + 1)
            if not quoting:
                at = data.find(b"\n")
                if at >= 0:
                    return ByteSpan(offset + at + 1, end, newlines_before + newlines + 2)
                newlines += data.count(b"\n")
                offset += len(data)
                continue
            for at, byte in enumerate(data):
                if byte == 0x22:  # "
                    even = not even
                elif byte == 0x0A:  # \n
                    if even:
                        return ByteSpan(offset + at + 1, end, newlines_before + newlines + 2)
                    newlines += 1
            offset += len(data)


def plan_blocks(counts: list[BlockCounts]) -> list[tuple[int, int, int, int]]:
    """Per nominal block (in file order), ``(start, end, newlines_before, quotes_before)``
    for ``block_span``."""
    plans, newlines, quotes = [], 0, 0
    for block in counts:
        plans.append((block.start, block.end, newlines, quotes))
        newlines += block.newlines
        quotes += block.quotes
    return plans
