"""The per-partition steps of flagging a large export on many processes, as plain functions (a
Dask task calls them; see ``moderation.flagging.distributed``).

JSONL, CSV and TSV exports are read in byte blocks, XML exports and page dumps one partition
per file. A block's rows are exactly those of one pass over the whole file, which needs, for
each comment, what the one-pass reader remembered of its thread (its parent's depth, sentences
it may quote). So:

1. ``scan_block`` reads a block and returns where it starts and stops, its threads in order
   (runs of one thread), and the comments of its first and last threads (those most likely to
   continue in the next or previous block; ``extract_threads`` gets any others);
2. ``restarts`` replays the one-pass reader's memory (it keeps the 512 threads used last) over
   the runs of all blocks, to find where it would have forgotten a thread;
3. ``track_threads`` gives the comments of threads found in several blocks, gathered in export
   order, their depths and quotes;
4. ``flag_block`` reads the block again and flags it: its own threads tracked there, the others
   given what ``track_threads`` found; the rows, a summary and a parse report come back.
"""

from __future__ import annotations

import io
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moderation.comments import Comment, QuoteSpan
from moderation.flagging.chunk import flag_chunk
from moderation.flagging.stream import comment_chunks, flag_export
from moderation.flagging.summary import FlagSummary
from moderation.flagging.writers import json_lines
from moderation.formats import ByteSpan, ParseReport, ReadOptions, read_block
from moderation.formats.blocks import block_span
from moderation.formats.source import no_position
from moderation.quotes import ConversationTracker, ThreadByThread

Position = tuple[int, int]  # (block, comment within the block): export order within a file
Tracked = dict[Position, tuple[int, list[QuoteSpan], bool]]  # depth, quotes, parent seen


@dataclass
class BlockScan:
    """What the first reading of a block tells the planner."""

    index: int
    span: ByteSpan
    stopped_at: int | None
    runs: list[tuple[str, Position]]  # (thread, first comment) per run of one thread
    # the comments of the block's first and last threads, where all of them are in the block
    edges: dict[str, list[tuple[Position, Comment]]]


@dataclass
class BlockFlags:
    """A flagged partition: its rows as JSON lines, its summary and its parse report."""

    data: bytes
    summary: FlagSummary
    report: ParseReport
    written: int
    block: bool = False  # a block of a file (else a whole file)
    orphans: int = 0
    threads: set[str] = field(default_factory=set)


def _bare(comment: Comment) -> Comment:
    """What tracking needs of a comment (not the export's own record)."""
    return Comment(
        id=comment.id,
        thread_id=comment.thread_id,
        text=comment.text,
        parent_id=comment.parent_id,
        depth=comment.depth,
        quotes=list(comment.quotes),
    )


def _block_comments(
    path: str, index: int, span: ByteSpan, format: str, options: ReadOptions, report: ParseReport
):
    """The block's records, each comment with its position."""
    i = 0
    for record in read_block(path, span, format=format, options=options, report=report):
        if isinstance(record, Comment):
            yield (index, i), record
            i += 1
        else:
            yield None, record


def scan_block(
    path: str, index: int, plan: tuple[int, int, int, int], format: str, options: ReadOptions
) -> BlockScan:
    start, end, newlines_before, quotes_before = plan
    span = block_span(path, start, end, newlines_before, quotes_before, quoting=format != "jsonl")
    report = ParseReport(path, skip_bad=options.skip_bad)
    runs: list[tuple[str, Position]] = []
    counts: dict[str, int] = defaultdict(int)
    first: list[tuple[Position, Comment]] = []
    last: list[tuple[Position, Comment]] = []
    for position, record in _block_comments(path, index, span, format, options, report):
        if position is None:
            continue
        thread = record.thread_id
        counts[thread] += 1
        if not runs or runs[-1][0] != thread:
            if runs and thread != runs[0][0] and (not last or last[0][1].thread_id != thread):
                last = []  # a new candidate for the block's last thread
            runs.append((thread, position))
        if thread == runs[0][0]:
            first.append((position, _bare(record)))
        else:
            last.append((position, _bare(record)))
    edges = {}
    for comments in (first, last):
        if comments:
            thread = comments[0][1].thread_id
            if len(comments) == counts[thread]:  # all of the thread's comments in the block
                edges[thread] = comments
    return BlockScan(index, span, report.stopped_at, runs, edges)


def extract_threads(
    path: str,
    index: int,
    span: ByteSpan,
    format: str,
    options: ReadOptions,
    threads: set[str],
) -> dict[str, list[tuple[Position, Comment]]]:
    """The comments of ``threads`` in a block, for ``track_threads``."""
    report = ParseReport(path, skip_bad=options.skip_bad)
    found: dict[str, list[tuple[Position, Comment]]] = defaultdict(list)
    for position, record in _block_comments(path, index, span, format, options, report):
        if position is not None and record.thread_id in threads:
            found[record.thread_id].append((position, _bare(record)))
    return dict(found)


def restarts(runs: list[tuple[str, Position]], max_threads: int) -> dict[str, set[Position]]:
    """Where one pass over the file (``ConversationTracker`` with ``max_threads``) starts a
    thread again with nothing remembered, because it forgot it: thread -> positions of the
    comments it starts again from. ``runs`` is the whole file's, in order."""
    remembered: OrderedDict[str, None] = OrderedDict()
    seen: set[str] = set()
    found: dict[str, set[Position]] = defaultdict(set)
    last = None
    for thread, position in runs:
        if thread == last:
            continue
        last = thread
        if thread in remembered:
            remembered.move_to_end(thread)
            continue
        if thread in seen:
            found[thread].add(position)
        seen.add(thread)
        remembered[thread] = None
        if len(remembered) > max_threads:
            remembered.popitem(last=False)
    return dict(found)


def track_threads(
    comments: list[tuple[Position, Comment]], restarts: dict[str, set[Position]]
) -> Tracked:
    """Depths and quotes of ``comments`` (of whole threads, in export order)."""
    tracker = ThreadByThread(restarts)
    tracked: Tracked = {}
    for position, comment in comments:
        before = tracker.orphans
        tracker.comment(comment, position)
        tracked[position] = (comment.depth, comment.quotes, tracker.orphans == before)
    return tracked


def flag_block(
    path: str,
    index: int,
    span: ByteSpan,
    format: str,
    options: ReadOptions,
    model: Any,
    thresholds: dict[str, float],
    only_flagged: bool,
    restarts: dict[str, set[Position]],
    tracked: Tracked,
) -> BlockFlags:
    """Flag one block: comments of the threads in ``tracked`` take their depths and quotes
    from it, the block's own threads are tracked here."""
    report = ParseReport(path, skip_bad=options.skip_bad)
    tracker = ThreadByThread(restarts)
    threads: set[str] = set()
    orphans = 0

    def records():
        nonlocal orphans
        for position, record in _block_comments(path, index, span, format, options, report):
            if position is not None:
                threads.add(record.thread_id)
                known = tracked.get(position)
                if known is None:
                    tracker.comment(record, position)
                else:
                    record.depth, quotes, found = known
                    record.quotes = list(quotes)
                    orphans += not found
            yield record

    summary = FlagSummary()
    parts, written = [], 0
    for chunk in comment_chunks(records(), summary):
        rows = flag_chunk(chunk, model, thresholds)
        summary.add(chunk, rows)
        if only_flagged:
            rows = [row for row in rows if row["flags"]]
        parts.append(json_lines(rows))
        written += len(rows)
    report.position = no_position  # the reader's file handle stays here
    return BlockFlags(
        b"".join(parts),
        summary,
        report,
        written,
        block=True,
        orphans=orphans + tracker.orphans,
        threads=threads,
    )


def flag_whole_file(
    path: str,
    format: str,
    options: ReadOptions,
    model: Any,
    thresholds: dict[str, float],
    only_flagged: bool,
) -> BlockFlags:
    """An export that is one partition (XML, page dumps, encodings without byte lines)."""
    out = io.BytesIO()
    result = flag_export(
        Path(path),
        out,
        model=model,
        thresholds=thresholds,
        format=format,
        options=options,
        only_flagged=only_flagged,
    )
    result.report.position = no_position
    return BlockFlags(out.getvalue(), result.summary, result.report, result.written)


MAX_THREADS = ConversationTracker().max_threads
