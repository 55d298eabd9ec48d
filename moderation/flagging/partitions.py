"""How a JSONL, CSV or TSV export is cut into partitions that flag apart, with the rows of one
pass: the plan that the local pool (``moderation.flagging.workers.LocalPool``) and a Dask cluster
(``moderation.flagging.distributed``) both carry out through a ``Runner``.

The file is read in byte blocks. A block's rows are exactly those of one pass over the whole
file, which needs, for each comment, what the one-pass reader remembered of its thread (its
parent's depth, sentences it may quote). So:

1. ``scan_block`` reads a block and returns where it starts and stops, its threads in order
   (runs of one thread), and the comments of its first and last threads (those most likely to
   continue in the next or previous block; ``extract_threads`` gets any others);
2. ``restarts`` replays the one-pass reader's memory (it keeps the 512 threads used last) over
   the runs of all blocks, to find where it would have forgotten a thread;
3. ``track_threads`` gives the comments of threads found in several blocks, gathered in export
   order, their depths and quotes;
4. each block is a ``Partition`` that ``flag_partition`` reads again and flags: its own threads
   tracked there, the others given what ``track_threads`` found.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from moderation.comments import Comment
from moderation.flagging.partition import (
    FlagResult,
    Partition,
    PartitionFlags,
    Position,
    Tracked,
    block_comments,
)
from moderation.flagging.summary import FlagSummary
from moderation.formats import (
    ByteSpan,
    ParseReport,
    ReadOptions,
    orphans_warning,
    read_block_threads,
)
from moderation.formats.blocks import block_span, count_block, cuts, plan_blocks
from moderation.quotes import ConversationTracker, ThreadByThread


class Runner(Protocol):
    """Where the plan's tasks run: ``submit(fn, *args)`` gives a future of ``fn(*args)``
    (``.result()``), ``flag(part)`` a future of ``flag_partition`` of ``part`` with the run's
    model, thresholds and row format; ``workers`` is how many run at once."""

    workers: int

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any: ...

    def flag(self, part: Partition) -> Any: ...


@dataclass
class BlockScan:
    """What the first reading of a block tells the planner."""

    index: int
    span: ByteSpan
    stopped_at: int | None
    runs: list[tuple[str, Position]]  # (thread, first comment) per run of one thread
    # the comments of the block's first and last threads, where all of them are in the block
    edges: dict[str, list[tuple[Position, Comment]]]


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


def scan_block(
    path: str, index: int, plan: tuple[int, int, int, int], format: str, options: ReadOptions
) -> BlockScan:
    start, end, newlines_before, quotes_before = plan
    span = block_span(path, start, end, newlines_before, quotes_before, quoting=format != "jsonl")
    report = ParseReport(path, skip_bad=options.skip_bad)
    runs: list[tuple[str, Position]] = []
    counts: dict[str, int] = defaultdict(int)
    first: list[tuple[Position, Callable[[], Comment]]] = []
    last: list[tuple[Position, Callable[[], Comment]]] = []
    last_thread: str | None = None
    threads = read_block_threads(path, span, format=format, options=options, report=report)
    for i, (thread, make) in enumerate(threads):
        position = (index, i)
        counts[thread] += 1
        if not runs or runs[-1][0] != thread:
            if runs and thread != runs[0][0] and thread != last_thread:
                last, last_thread = [], thread  # a new candidate for the block's last thread
            runs.append((thread, position))
        if thread == runs[0][0]:
            first.append((position, make))
        else:
            last.append((position, make))
    edges = {}
    for comments, edge in ((first, runs[0][0] if runs else None), (last, last_thread)):
        if comments and edge is not None and len(comments) == counts[edge]:  # all in the block
            edges[edge] = [(position, _bare(make())) for position, make in comments]
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
    for position, record in block_comments(Partition(path, format, options, index, span), report):
        if position is not None and isinstance(record, Comment) and record.thread_id in threads:
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


MAX_THREADS = ConversationTracker().max_threads


def plan_partitions(
    runner: Runner, path: str, format: str, options: ReadOptions, block_bytes: int
) -> tuple[list[Partition], int | None]:
    """The partitions of one JSONL, CSV or TSV file cut into blocks of about ``block_bytes``,
    and how many threads the file holds (None: the partitions count them). A file whose
    blocks cannot be cut between records (a cut inside a quoted CSV field that never closes)
    is one partition."""
    size = size_of(path)
    counted = _gathered(
        [runner.submit(count_block, path, s, e) for s, e in cuts(size, block_bytes)]
    )
    plans = plan_blocks(counted)
    scans: list[BlockScan] = _gathered(
        [runner.submit(scan_block, path, i, plan, format, options) for i, plan in enumerate(plans)]
    )
    blocks_of: dict[str, list[int]] = defaultdict(list)
    for scan in scans:
        for thread in dict.fromkeys(t for t, _ in scan.runs):
            blocks_of[thread].append(scan.index)
    if any(a.stopped_at != b.span.start for a, b in zip(scans, scans[1:])):
        return [Partition(path, format, options)], None
    again = restarts([run for scan in scans for run in scan.runs], MAX_THREADS)
    tracked = _track_spanning(runner, path, format, options, scans, blocks_of, again)
    parts = []
    for scan in scans:
        mine = {t: again[t] for t in dict.fromkeys(t for t, _ in scan.runs) if t in again}
        parts.append(
            Partition(
                path, format, options, scan.index, scan.span, mine, tracked.get(scan.index, {})
            )
        )
    return parts, len(blocks_of)


def _track_spanning(
    runner: Runner,
    path: str,
    format: str,
    options: ReadOptions,
    scans: list[BlockScan],
    blocks_of: dict[str, list[int]],
    again: dict[str, set[Position]],
) -> dict[int, Tracked]:
    """Block -> the depths and quotes of its comments of threads found in several blocks."""
    spanning = sorted(t for t, blocks in blocks_of.items() if len(blocks) > 1)
    missing: dict[int, set[str]] = defaultdict(set)
    for thread in spanning:
        for index in blocks_of[thread]:
            if thread not in scans[index].edges:
                missing[index].add(thread)
    found = _gathered(
        [
            runner.submit(extract_threads, path, index, scans[index].span, format, options, threads)
            for index, threads in missing.items()
        ]
    )
    extracted = dict(zip(missing, found))
    gathered: dict[str, list[Any]] = defaultdict(list)
    for thread in spanning:
        for index in blocks_of[thread]:
            gathered[thread].extend(scans[index].edges.get(thread) or extracted[index][thread])
    by_block: dict[int, Tracked] = defaultdict(dict)
    if not gathered:
        return by_block
    buckets = _buckets(spanning, len(scans))
    results = _gathered(
        [
            runner.submit(
                track_threads,
                [item for thread in bucket for item in gathered[thread]],
                {t: again[t] for t in bucket if t in again},
            )
            for bucket in buckets
        ]
    )
    for result in results:
        for position, value in result.items():
            by_block[position[0]][position] = value
    return by_block


def _buckets(threads: list[str], count: int) -> list[list[str]]:
    count = max(1, min(count, len(threads)))
    return [threads[i::count] for i in range(count)]


def _gathered(futures: list[Any]) -> list[Any]:
    return [future.result() for future in futures]


def flag_in_order(runner: Runner, parts: list[Partition]) -> Iterator[PartitionFlags]:
    """The flags of ``parts`` in order, at most two per worker (and one) pending, so results
    wait on the workers only a little ahead of the writing."""
    window = 2 * runner.workers + 1
    pending: deque[Any] = deque()
    for part in parts:
        pending.append(runner.flag(part))
        if len(pending) >= window:
            yield _taken(pending.popleft())
    while pending:
        yield _taken(pending.popleft())


def _taken(future: Any) -> PartitionFlags:
    result: PartitionFlags = future.result()
    release = getattr(future, "release", None)  # a Dask future: let the cluster forget it
    if release is not None:
        release()
    return result


def merge_report(into: ParseReport, part: ParseReport) -> None:
    """Add a later partition's counts and problems to ``into``."""
    into.format = into.format or part.format
    into.comments += part.comments
    into.labelled += part.labelled
    into.threads += part.threads
    into.skipped += part.skipped
    into.warnings += part.warnings


def finish_report(report: ParseReport, threads: int | None, orphans: int) -> None:
    """A partitioned file's report, once all its partitions are in: its threads counted
    once, the orphans warned about once, the encoding note once."""
    if threads is not None:
        report.threads = threads
    if orphans:
        report.warn(orphans_warning(orphans))
    report.warnings = list(dict.fromkeys(report.warnings))


def flag_in_partitions(
    runner: Runner,
    report: ParseReport,
    options: ReadOptions,
    write: Callable[[Partition, PartitionFlags], None],
    *,
    block_bytes: int,
    progress: Callable[[int, int], None] | None = None,
) -> FlagResult:
    """Flag the export of ``report`` (its format detected) on ``runner``: cut into blocks
    when it is a JSONL, CSV or TSV file (``block_bytes`` each), else one partition. Each
    partition's flags go to ``write`` in export order; the summary is the merge of theirs."""
    from moderation.formats import BLOCK_FORMATS

    path = report.path
    threads: int | None = None
    if report.format in BLOCK_FORMATS and splits_into_blocks(path, options):
        parts, threads = plan_partitions(runner, path, report.format, options, block_bytes)
    else:
        parts = [Partition(path, report.format or "auto", options)]
    result = FlagResult(report, FlagSummary())
    orphans = 0
    for part, flags in zip(parts, flag_in_order(runner, parts)):
        write(part, flags)
        result.summary.merge(flags.summary)
        result.written += flags.written
        merge_report(report, flags.report)
        orphans += flags.orphans
        if progress is not None:
            progress(result.summary.comments, part.span.end if part.span else size_of(path))
    finish_report(report, threads, orphans)
    return result


def size_of(path: str) -> int:
    from moderation.formats.source import input_size

    return input_size(path)


def splits_into_blocks(path: str, options: ReadOptions) -> bool:
    """Whether the file's records can be found in its raw bytes (its encoding's line breaks
    are the byte ``\\n``), so that it can be read in blocks."""
    from moderation.formats.source import Source

    return Source(path, ParseReport(path), encoding=options.encoding).splits_into_blocks
