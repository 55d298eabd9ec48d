"""The processes that flag beside the one that reads, on one machine.

- ``LocalPool``: worker processes that run partitions of a JSONL, CSV or TSV export (blocks:
  ``moderation.flagging.partitions``), one per core, each with the model loaded once; the
  same tasks a Dask cluster runs, so every core reads, tracks threads and scores.
- ``ScoringWorker``: for an export that is one partition (XML, page dumps), a second process
  that scores and encodes each chunk while this one reads the next.

A worker lives and dies with the process that started it (``_follow_parent``). Only plain
data crosses: partitions and their rows as bytes, or a chunk's rows without verdicts.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from moderation.comments import Comment
from moderation.flagging.chunk import ChunkRows, chunk_rows, flag_chunk, score_rows
from moderation.flagging.partition import (
    FEWER_COLLECTIONS,
    Partition,
    PartitionFlags,
    flag_partition,
    two_ahead,
    write_rows,
)
from moderation.flagging.writers import RowFormat, RowWriter
from moderation.model.multilingual import LanguageModels

_WORKER: dict[str, Any] = {}


def _pool(workers: int, models: LanguageModels) -> Any:
    """A pool of ``workers`` processes with ``models``. Forked workers find them in their
    copy of this process's memory (no second load: measured ~1 s of CPU a worker); started
    ones (where there is no fork) load them from their folders."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    spec = models.spec()
    _WORKER.update(model=models, spec=spec)
    return ProcessPoolExecutor(
        workers, mp_context=context, initializer=_load_worker_model, initargs=(spec,)
    )


def _load_worker_model(spec: Any) -> None:
    _follow_parent()
    gc.set_threshold(*FEWER_COLLECTIONS)
    if _WORKER.get("spec") != spec:
        _WORKER.update(model=LanguageModels.from_spec(spec), spec=spec)


def _follow_parent() -> None:
    """The worker lives and dies with the process that reads: Ctrl-C (sent to the whole
    process group) is the reader's to report, a `kill` of the worker ends it quietly rather
    than through the handler it inherited, and on Linux the kernel ends it when the reader
    dies, however it dies (``PR_SET_PDEATHSIG``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # the reader died before the request took hold
        os._exit(1)


_PR_SET_PDEATHSIG = 1


class LocalPool:
    """``workers`` processes on this machine that run the tasks of a partitioned export (a
    ``moderation.flagging.partitions.Runner``), the models loaded in each from their folders."""

    def __init__(
        self,
        model: LanguageModels,
        thresholds: dict[str, dict[str, float]],
        row_format: RowFormat,
        only_flagged: bool,
        workers: int = 2,
    ):
        self.workers = workers
        self.settings = (thresholds, row_format, only_flagged)
        self.pool = _pool(workers, model)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        return self.pool.submit(fn, *args)

    def flag(self, part: Partition) -> Any:
        """``flag_partition`` of ``part`` with the worker's model, in the future."""
        return self.pool.submit(_flag_partition, part, *self.settings)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _flag_partition(
    part: Partition,
    thresholds: dict[str, dict[str, float]],
    row_format: RowFormat,
    only_flagged: bool,
) -> PartitionFlags:
    return flag_partition(part, _WORKER["model"], thresholds, row_format, only_flagged=only_flagged)


class ScoringWorker:
    """Chunks of one partition scored and encoded in a second process while this one reads
    the next (started once the partition proves longer than one chunk). The worker has the
    same models; a chunk's rows go without verdicts and come back as bytes. Languages are
    found in the worker too."""

    def __init__(self, model: LanguageModels, thresholds: dict[str, dict[str, float]]):
        self.model, self.thresholds = model, thresholds
        self.pool: Any = None

    def flag_chunks(
        self,
        chunks: Iterator[list[Comment]],
        sink: RowWriter,
        result: PartitionFlags,
        only_flagged: bool,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        """The loop of ``flag_partition``, with scoring one chunk behind the reading."""
        summary, report = result.summary, result.report
        several, chunks = two_ahead(chunks)
        if not several:  # one chunk: no worker
            for chunk in chunks:
                rows = flag_chunk(chunk, self.model, self.thresholds)
                summary.add(chunk, rows)
                write_rows(result, sink, rows, only_flagged)
            return
        self.pool = self.pool or _pool(1, self.model)
        scoring: deque[tuple[list[Comment], Any]] = deque()

        def finish_oldest() -> None:
            chunk, future = scoring.popleft()
            lines: ChunkLines = future.result()
            summary.add_verdicts(chunk, lines.predictions, lines.flags, lines.languages)
            sink.write_bytes(lines.data)
            result.written += lines.written
            if progress is not None:
                progress(summary.comments, report.position())

        for chunk in chunks:
            part = chunk_rows(chunk)
            row_format = sink.format_for(part.rows[0])
            args = (part, self.thresholds, row_format, only_flagged)
            scoring.append((chunk, self.pool.submit(_chunk_lines, *args)))
            if len(scoring) > 1:  # one chunk ahead: read while it scores
                finish_oldest()
        while scoring:
            finish_oldest()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


@dataclass(slots=True)
class ChunkLines:
    """A flagged chunk encoded, with what the summary needs of its rows."""

    data: bytes
    predictions: list[str | None]
    flags: list[list[str]]
    languages: list[tuple[str, str | None]]  # each row's language and why it is not scored
    written: int


def _chunk_lines(
    part: ChunkRows,
    thresholds: dict[str, dict[str, float]],
    row_format: RowFormat,
    only_flagged: bool,
) -> ChunkLines:
    """The per-chunk step from ``chunk_rows`` to encoded rows, in the worker."""
    rows = score_rows(part, _WORKER["model"], thresholds)
    predictions = [row["prediction"] for row in rows]
    flags = [row["flags"] for row in rows]
    languages = [(row["language"], row.get("not_scored")) for row in rows]
    if only_flagged:
        rows = [row for row in rows if row["flags"]]
    return ChunkLines(row_format.encode(rows), predictions, flags, languages, len(rows))
