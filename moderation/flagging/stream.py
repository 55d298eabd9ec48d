"""Flagging a whole export as a stream of chunks, so memory does not grow with the export:
read, map the per-chunk step over chunks of comments (scoring in a second process where there
are two cores), write the rows, keep the summary."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import Any, BinaryIO

from moderation.comments import Comment, Thread
from moderation.files import atomic_output, check_outputs
from moderation.flagging.chunk import ChunkRows, chunk_rows, fill_rows, flag_chunk
from moderation.flagging.summary import FlagSummary
from moderation.flagging.writers import JsonlRows, check_output_format, json_lines, row_writer
from moderation.formats import ParseReport, ReadOptions, read_export
from moderation.model.registry import load_model
from moderation.model.scoring import parse_thresholds
from moderation.model.store import load_model_dir

CHUNK_SIZE = 4096


@dataclass
class FlagResult:
    report: ParseReport
    summary: FlagSummary
    written: int = 0


def comment_chunks(
    records: Iterable[Thread | Comment], summary: FlagSummary, size: int | None = None
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


# A stream of short-lived rows sets off the cyclic garbage collector every 700 allocations,
# and each pass walks the long-lived caches: measured, a quarter of the run. Rows hold no
# cycles, so collecting rarely loses nothing.
_FEWER_COLLECTIONS = (50_000, 20, 100)


@contextmanager
def _rare_collections() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(*_FEWER_COLLECTIONS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


class _ScoringWorker:
    """Chunks scored in a second process while this one reads the next: reading (with depths
    and quotes) takes most of the time and scoring the rest, and each needs a core. The worker
    loads the same model from its directory; only plain rows and texts cross. For JSON lines
    output it also completes the rows and writes them as bytes (``submit_lines``), which moves
    about a fifth of the work off the reading process."""

    def __init__(
        self, model: Any, thresholds: dict[str, float] | None = None, only_flagged: bool = False
    ):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self.pool = ProcessPoolExecutor(
            1,
            mp_context=context,
            initializer=_load_worker_model,
            initargs=(str(model.path), thresholds, only_flagged),
        )

    def submit(self, texts: list[str]) -> Any:
        """The probabilities of ``texts``, in the future."""
        return self.pool.submit(_worker_probabilities, texts)

    def submit_lines(self, part: ChunkRows) -> Any:
        """``chunk_lines`` of ``part``, in the future."""
        return self.pool.submit(_worker_lines, part)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


_WORKER: dict[str, Any] = {}


def _load_worker_model(path: str, thresholds: dict[str, float] | None, only_flagged: bool) -> None:
    _follow_parent()
    gc.set_threshold(*_FEWER_COLLECTIONS)
    model = load_model_dir(Path(path))
    _WORKER.update(
        model=model,
        thresholds=model.thresholds if thresholds is None else thresholds,
        only_flagged=only_flagged,
    )


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


def _worker_probabilities(texts: list[str]) -> Any:
    return _WORKER["model"].predict_proba(texts)


def _worker_lines(part: ChunkRows) -> ChunkLines:
    return chunk_lines(part, _WORKER["model"], _WORKER["thresholds"], _WORKER["only_flagged"])


@dataclass(slots=True)
class ChunkLines:
    """A flagged chunk as JSON lines, with what the summary needs of its rows."""

    data: bytes
    predictions: list[str | None]
    flags: list[list[str]]
    written: int


def chunk_lines(
    part: ChunkRows, model: Any, thresholds: dict[str, float], only_flagged: bool
) -> ChunkLines:
    """The per-chunk step from ``chunk_rows`` to JSON lines."""
    scored = part.scored_texts()
    probabilities = model.predict_proba(scored) if scored else []
    rows = fill_rows(part, probabilities, model, thresholds)
    predictions = [row["prediction"] for row in rows]
    flags = [row["flags"] for row in rows]
    if only_flagged:
        rows = [row for row in rows if row["flags"]]
    return ChunkLines(json_lines(rows), predictions, flags, len(rows))


def flag_export(
    path: str | Path,
    out: BinaryIO,
    *,
    model: Any,
    thresholds: dict[str, float] | None = None,
    output_name: str | None = None,
    format: str = "auto",
    options: ReadOptions | None = None,
    only_flagged: bool = False,
    processes: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> FlagResult:
    """Flag every comment of the export at ``path``, writing rows to ``out`` (JSONL, or CSV
    or TSV when ``output_name`` ends in .csv or .tsv). With ``processes=2`` scoring runs in a
    second process (started once the export proves longer than one chunk).
    ``progress(comments, bytes_read)`` is called after each chunk."""
    options = options or ReadOptions()
    thresholds = model.thresholds if thresholds is None else thresholds
    report = ParseReport(str(path), skip_bad=options.skip_bad)
    summary = FlagSummary()
    result = FlagResult(report=report, summary=summary)
    writer = row_writer(out, output_name, model.labels)

    def finish(chunk: list[Comment], rows: list[dict[str, Any]]) -> None:
        summary.add(chunk, rows)
        if only_flagged:
            rows = [row for row in rows if row["flags"]]
        writer.write(rows)
        result.written += len(rows)
        if progress is not None:
            progress(summary.comments, report.position())

    def finish_lines(chunk: list[Comment], lines: ChunkLines) -> None:
        summary.add_verdicts(chunk, lines.predictions, lines.flags)
        writer.write_lines(lines.data)
        result.written += lines.written
        if progress is not None:
            progress(summary.comments, report.position())

    with _rare_collections():
        _flag_stream(
            read_export(path, format=format, options=options, report=report),
            model,
            thresholds,
            processes,
            summary,
            finish,
            finish_lines if isinstance(writer, JsonlRows) else None,
            only_flagged,
        )
    writer.close()
    return result


def _flag_stream(
    records: Iterable[Thread | Comment],
    model: Any,
    thresholds: dict[str, float],
    processes: int,
    summary: FlagSummary,
    finish: Callable[[list[Comment], list[dict[str, Any]]], None],
    finish_lines: Callable[[list[Comment], ChunkLines], None] | None = None,
    only_flagged: bool = False,
) -> None:
    chunks = comment_chunks(records, summary)
    head = list(islice(chunks, 2))
    chunks = chain(head, chunks)
    if len(head) < 2 or processes < 2:  # one chunk, or one process: no worker
        for chunk in chunks:
            finish(chunk, flag_chunk(chunk, model, thresholds))
        return
    worker = _ScoringWorker(model, thresholds, only_flagged)
    scoring: deque[tuple] = deque()  # chunks the worker is working on

    def finish_oldest() -> None:
        chunk, part, future = scoring.popleft()
        if part is None:
            finish_lines(chunk, future.result())
        else:
            finish(chunk, fill_rows(part, future.result(), model, thresholds))

    try:
        for chunk in chunks:
            part = chunk_rows(chunk)
            if finish_lines is not None:  # the worker completes and writes the rows
                scoring.append((chunk, None, worker.submit_lines(part)))
            else:
                scoring.append((chunk, part, worker.submit(part.scored_texts())))
            if len(scoring) > 1:  # one chunk ahead: read while it scores
                finish_oldest()
        while scoring:
            finish_oldest()
    finally:
        worker.close()


def flag_file(
    input: Path,
    *,
    output: Path | None = None,
    summary: Path | None = None,
    model: Path | None = None,
    thresholds: list[str] | None = None,
    format: str = "auto",
    options: ReadOptions | None = None,
    only_flagged: bool = False,
    processes: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[dict[str, Any], FlagResult]:
    """``moderation flag``: flag every comment of ``input`` into ``output`` (JSONL, or CSV/TSV
    by extension; stdout when None) with the model at ``model`` (else the active model), in
    ``processes`` processes (default: two where there are two cores), and
    return the summary as JSON and the run's result. Nothing appears at ``output`` or
    ``summary`` unless the whole export was read."""
    check_outputs({"-o": output, "--summary": summary}, [input])
    check_output_format(output)
    loaded = load_model(model)
    chosen = parse_thresholds(thresholds or [], loaded.thresholds, loaded.labels)
    with atomic_output(output, binary=True) as out:
        result = flag_export(
            input,
            out,
            model=loaded,
            thresholds=chosen,
            output_name=str(output) if output else None,
            format=format,
            options=options,
            only_flagged=only_flagged,
            progress=progress,
            processes=processes or default_processes(),
        )
    data = {
        "input": str(input),
        "format": result.report.format,
        "model": loaded.id,
        "thresholds": chosen,
        "written": result.written,
        "skipped": [str(e) for e in result.report.skipped],
        "warnings": result.report.warnings,
        **result.summary.to_dict(),
    }
    if summary is not None:
        with atomic_output(summary) as handle:
            handle.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return data, result


def default_processes() -> int:
    """Two processes (reading, scoring) where there are two cores to run them."""
    return 2 if (os.cpu_count() or 1) >= 2 else 1
