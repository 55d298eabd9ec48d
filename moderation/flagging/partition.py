"""One flagging task: a partition of an export read, its threads tracked, its comments flagged
chunk by chunk (``flag_chunk``) and encoded as rows. A partition is a whole export (what one
process reads) or a block of a JSONL, CSV or TSV export (what a worker of the local pool or of
a Dask cluster reads, see ``moderation.flagging.partitions``); both run ``flag_partition``, so
a fix in one is a fix in the other. The rows come back as bytes (or go to a writer as they
are made), with the partition's summary and parse report."""

from __future__ import annotations

import gc
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import TYPE_CHECKING, Any

from moderation.comments import Comment, QuoteSpan, Thread
from moderation.flagging.chunk import flag_chunk
from moderation.flagging.summary import FlagSummary
from moderation.flagging.writers import RowFormat, RowWriter
from moderation.formats import ByteSpan, ParseReport, ReadOptions, read_block, read_export
from moderation.formats.source import no_position
from moderation.quotes import ThreadByThread

if TYPE_CHECKING:
    from moderation.model.directory import Model
    from moderation.model.multilingual import LanguageModels

CHUNK_SIZE = 4096

Position = tuple[int, int]  # (block, comment within the block): export order within a file
Tracked = dict[Position, tuple[int, list[QuoteSpan], bool]]  # depth, quotes, parent seen


@dataclass(frozen=True)
class Partition:
    """What one task reads: the whole export at ``path`` (``span`` None), or the block
    ``span`` of it with what the planner found about the threads that span blocks: where the
    one-pass reader would start a thread again (``restarts``) and the depths and quotes of
    the comments of threads tracked across blocks (``tracked``)."""

    path: str
    format: str = "auto"
    options: ReadOptions = field(default_factory=ReadOptions)
    index: int = 0
    span: ByteSpan | None = None
    restarts: dict[str, set[Position]] = field(default_factory=dict)
    tracked: Tracked = field(default_factory=dict)


@dataclass
class FlagResult:
    """A flagged export: its parse report, its summary, and how many rows were written."""

    report: ParseReport
    summary: FlagSummary
    written: int = 0


@dataclass
class PartitionFlags:
    """A flagged partition: its rows (encoded; empty when they went to a writer), how many,
    its summary and parse report, and for a block the replies whose parent it never saw."""

    data: bytes
    summary: FlagSummary
    report: ParseReport
    written: int = 0
    orphans: int = 0


def comment_chunks(
    records: Iterator[Thread | Comment], summary: FlagSummary, size: int | None = None
) -> Iterator[list[Comment]]:
    """The comments of a stream in lists of ``size`` (default ``CHUNK_SIZE``); thread titles
    go to the summary."""
    size = size or CHUNK_SIZE
    chunk: list[Comment] = []
    for record in records:
        if isinstance(record, Comment):
            chunk.append(record)
            if len(chunk) >= size:
                yield chunk
                chunk = []
        else:
            summary.title(record)
    if chunk:
        yield chunk


def flag_partition(
    part: Partition,
    model: Model | LanguageModels,
    thresholds: Any,
    row_format: RowFormat,
    *,
    only_flagged: bool = False,
    writer: RowWriter | None = None,
    scorer: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> PartitionFlags:
    """Flag every comment of ``part``. The rows go to ``writer`` as each chunk is done (a
    whole export streamed to its output), or come back as bytes in ``row_format``. With a
    ``scorer`` (``moderation.flagging.workers.ScoringWorker``) chunks are scored and encoded
    in its process while this one reads the next."""
    report = ParseReport(part.path, skip_bad=part.options.skip_bad)
    summary = FlagSummary()
    buffer = io.BytesIO()
    sink = writer or RowWriter(buffer, row_format, header=False)
    result = PartitionFlags(b"", summary, report)
    if part.span is None:
        records: Iterator[Thread | Comment] = read_export(
            part.path, format=part.format, options=part.options, report=report
        )
        orphans = None
    else:
        records, orphans = _block_records(part, report)
    chunks = comment_chunks(records, summary)
    with _rare_collections():
        if scorer is None:
            for chunk in chunks:
                rows = flag_chunk(chunk, model, thresholds)
                summary.add(chunk, rows)
                write_rows(result, sink, rows, only_flagged)
                if progress is not None:
                    progress(summary.comments, report.position())
        else:
            scorer.flag_chunks(chunks, sink, result, only_flagged, progress)
    if orphans is not None:
        result.orphans = orphans()
    report.position = no_position  # the reader's file handle stays here
    if writer is None:
        result.data = buffer.getvalue()
    return result


def write_rows(
    result: PartitionFlags, sink: RowWriter, rows: list[dict[str, Any]], only_flagged: bool
) -> None:
    """A chunk's rows encoded into ``sink`` (the flagged ones only, with ``only_flagged``)."""
    if rows:
        row_format = sink.format_for(rows[0])  # a CSV's columns: the first row's, flagged or not
        if only_flagged:
            rows = [row for row in rows if row["flags"]]
        sink.write_bytes(row_format.encode(rows))
        result.written += len(rows)


def _block_records(
    part: Partition, report: ParseReport
) -> tuple[Iterator[Thread | Comment], Callable[[], int]]:
    """A block's records, each comment with its depth and quotes: from ``part.tracked`` for
    threads tracked across blocks, tracked here for the block's own; and how many replies
    named a parent not seen before them."""
    tracker = ThreadByThread(part.restarts)
    tracked = part.tracked
    orphans = 0

    def records() -> Iterator[Thread | Comment]:
        nonlocal orphans
        for position, record in block_comments(part, report):
            if position is not None and isinstance(record, Comment):
                known = tracked.get(position)
                if known is None:
                    tracker.comment(record, position)
                else:
                    record.depth, quotes, found = known
                    record.quotes = list(quotes)
                    orphans += not found
            yield record

    return records(), lambda: orphans + tracker.orphans


def block_comments(
    part: Partition, report: ParseReport
) -> Iterator[tuple[Position | None, Thread | Comment]]:
    """The block's records as its reader gives them, each comment with its position."""
    assert part.span is not None
    i = 0
    for record in read_block(
        part.path, part.span, format=part.format, options=part.options, report=report
    ):
        if isinstance(record, Comment):
            yield (part.index, i), record
            i += 1
        else:
            yield None, record


# A stream of short-lived rows sets off the cyclic garbage collector every 700 allocations,
# and each pass walks the long-lived caches: measured, a quarter of the run. Rows hold no
# cycles, so collecting rarely loses nothing.
FEWER_COLLECTIONS = (50_000, 20, 100)


@contextmanager
def _rare_collections() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(*FEWER_COLLECTIONS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def two_ahead(chunks: Iterator[list[Comment]]) -> tuple[bool, Iterator[list[Comment]]]:
    """Whether ``chunks`` has more than one chunk, and the same chunks."""
    head = list(islice(chunks, 2))
    return len(head) > 1, chain(head, chunks)
