"""Batch flagging: an export in, every comment out with its scores and flags, and a summary.

The work is a stream of chunks, so memory does not grow with the export. ``flag_chunk`` is a
pure function (comments and a model in, rows out): the same step a distributed engine can map
over partitions of a very large export. ``flag_export`` reads an export, maps ``flag_chunk``
over chunks of its comments, writes the rows and keeps the summary.

A row is the comment as the export had it (a CSV row or JSON line with its own field names and
values; the canonical comment record for XML and page formats) plus ``prediction``, ``scores``,
``flags`` and ``model``. Quoted spans are left out of the text that is scored
(``quotes_excluded``); a comment longer than the model reads is scored on its first
``max_chars`` characters (``truncated``); an empty comment is not scored (``not_scored``).
"""

from __future__ import annotations

import csv
import gc
import io
import json
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from moderation.comments import Comment, Thread
from moderation.formats import ParseReport, ReadOptions, read_export
from moderation.scoring import FLAGGED_LABELS, display_order, scoring_notes, verdicts

CHUNK_SIZE = 4096
EMPTY = "empty comment"


def flag_chunk(comments: list[Comment], model: Any,
               thresholds: dict[str, float]) -> list[dict[str, Any]]:
    """One output row per comment, in order. Pure: the rows depend only on the comments, the
    model and the thresholds."""
    texts, scorable = texts_to_score(comments)
    probabilities = model.predict_proba([texts[i] for i in scorable]) if scorable else []
    return rows_for(comments, texts, scorable, probabilities, model, thresholds)


def texts_to_score(comments: list[Comment]) -> tuple[list[str], list[int]]:
    """Each comment's own words (quotes left out), and the positions of those not empty."""
    texts = [comment.unquoted_text() for comment in comments]
    return texts, [i for i, text in enumerate(texts) if text and not text.isspace()]


def rows_for(comments: list[Comment], texts: list[str], scorable: list[int],
             probabilities: Any, model: Any, thresholds: dict[str, float]
             ) -> list[dict[str, Any]]:
    """The rows of ``flag_chunk`` from the probabilities of the ``scorable`` texts."""
    results: list[Any] = [None] * len(comments)
    for i, result in zip(scorable, verdicts(probabilities, model.labels, thresholds)):
        results[i] = result
    model_id, max_chars = model.id, model.max_chars
    rows = []
    for comment, text, result in zip(comments, texts, results):
        row = comment.record
        if row is None:
            row = comment.to_dict()
        elif "id" not in row:
            row["id"] = comment.id
        if result is None:
            row.update(prediction=None, scores=None, flags=[], model=model_id, not_scored=EMPTY)
        else:
            row["prediction"], row["scores"], row["flags"] = result
            row["model"] = model_id
            if comment.quotes or len(text) > max_chars:
                row.update(scoring_notes(comment.text, text, comment.quotes, max_chars))
        rows.append(row)
    return rows


@dataclass
class FlagSummary:
    """Counts over a whole run: comments per predicted label, flags per label, and where the
    flags are (threads with the largest flagged share, authors with the most flags)."""

    comments: int = 0
    not_scored: int = 0
    flagged_comments: int = 0
    predicted: Counter = field(default_factory=Counter)
    flagged: Counter = field(default_factory=Counter)
    thread_comments: Counter = field(default_factory=Counter)
    thread_flagged: Counter = field(default_factory=Counter)
    thread_titles: dict[str, str] = field(default_factory=dict)
    author_flags: Counter = field(default_factory=Counter)

    def add(self, comments: list[Comment], rows: list[dict[str, Any]]) -> None:
        self.comments += len(rows)
        self.thread_comments.update(comment.thread_id for comment in comments)
        self.predicted.update(row["prediction"] for row in rows)
        for comment, row in zip(comments, rows):
            flags = row["flags"]
            if flags:
                self.flagged_comments += 1
                self.flagged.update(flags)
                self.thread_flagged[comment.thread_id] += 1
                self.author_flags[comment.author or "(anonymous)"] += 1
            if comment.thread_title and comment.thread_id not in self.thread_titles:
                self.thread_titles[comment.thread_id] = comment.thread_title
        self.not_scored += self.predicted.pop(None, 0)

    def title(self, thread: Thread) -> None:
        if thread.title:
            self.thread_titles.setdefault(thread.id, thread.title)

    def to_dict(self, top: int = 10, min_comments: int = 5) -> dict[str, Any]:
        """The summary as JSON; threads are ranked by flagged share among those with at least
        ``min_comments`` comments (or all threads, when none has that many)."""
        sized = [t for t in self.thread_flagged if self.thread_comments[t] >= min_comments]
        candidates = sized or list(self.thread_flagged)
        ranked = sorted(candidates, key=lambda t: (-self.thread_flagged[t] /
                                                   self.thread_comments[t],
                                                   -self.thread_flagged[t], t))[:top]
        return {
            "comments": self.comments,
            "scored": self.comments - self.not_scored,
            "not_scored": self.not_scored,
            "predicted": dict(sorted(self.predicted.items(), key=lambda kv: -kv[1])),
            "flagged_comments": self.flagged_comments,
            "flagged": {label: self.flagged.get(label, 0) for label in FLAGGED_LABELS},
            "threads": len(self.thread_comments),
            "top_threads": [{"thread_id": t, "title": self.thread_titles.get(t),
                             "comments": self.thread_comments[t],
                             "flagged": self.thread_flagged[t],
                             "flagged_share": round(self.thread_flagged[t] /
                                                    self.thread_comments[t], 4)}
                            for t in ranked],
            "top_authors": [{"author": author, "flagged": n}
                            for author, n in self.author_flags.most_common(top)],
        }

    def lines(self, top: int = 5) -> list[str]:
        """The summary for a person, as lines for stderr."""
        data = self.to_dict(top=top)
        predicted = ", ".join(f"{label} {n:,}" for label, n in data["predicted"].items())
        flagged = ", ".join(f"{label} {n:,}" for label, n in data["flagged"].items())
        lines = [f"{data['comments']:,} comment(s) in {data['threads']:,} thread(s); "
                 f"predicted: {predicted or 'none'}",
                 f"flagged: {data['flagged_comments']:,} comment(s) ({flagged})"]
        if data["not_scored"]:
            lines.append(f"not scored: {data['not_scored']:,} empty comment(s)")
        if data["top_threads"]:
            lines.append("threads with the largest flagged share:")
            lines += [f"  {t['flagged']}/{t['comments']} flagged  {t['title'] or t['thread_id']}"
                      for t in data["top_threads"]]
        if data["top_authors"]:
            lines.append("authors with the most flags: " + ", ".join(
                f"{a['author']} ({a['flagged']})" for a in data["top_authors"]))
        return lines


# --- writing rows ----------------------------------------------------------------------------

def _json_line(row: dict[str, Any]) -> bytes:
    try:
        return orjson.dumps(row)
    except TypeError:           # integers beyond 64 bits, keys that are not strings
        return json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode()


class JsonlRows:
    """Rows as JSON lines."""

    def __init__(self, out: BinaryIO, labels: list[str]):
        self.out = out

    def write(self, rows: list[dict[str, Any]]) -> None:
        if rows:    # one join per chunk: measured 2-5x faster than a write or option per row
            self.out.write(b"\n".join(map(_json_line, rows)) + b"\n")

    def close(self) -> None:
        self.out.flush()


class CsvRows:
    """Rows as CSV: the first row's input fields, then one column per score, the flags joined
    by ``;`` and the model. Values that are lists or objects are written as JSON; fields that
    later rows add go, as JSON, into ``other_fields``, so nothing is dropped."""

    OURS = ("prediction", "scores", "flags", "model", "quotes_excluded", "truncated",
            "not_scored")

    def __init__(self, out: BinaryIO, labels: list[str], delimiter: str = ","):
        self.text = io.TextIOWrapper(out, encoding="utf-8", newline="")
        self.writer = csv.writer(self.text, delimiter=delimiter)
        self.labels = display_order(labels)
        self.columns: list[str] | None = None
        self.known: frozenset[str] = frozenset()

    def _header(self, row: dict[str, Any]) -> None:
        self.columns = [key for key in row if key not in self.OURS]
        self.known = frozenset(self.columns).union(self.OURS)
        self.writer.writerow([*self.columns, "prediction",
                              *(f"score_{label}" for label in self.labels), "flags", "model",
                              "quotes_excluded", "truncated", "not_scored", "other_fields"])

    def write(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            if self.columns is None:
                self._header(row)
            scores = row.get("scores") or {}
            other = {k: v for k, v in row.items() if k not in self.known}
            self.writer.writerow([
                *(_cell(row.get(column)) for column in self.columns), _cell(row["prediction"]),
                *(_cell(scores.get(label)) for label in self.labels), ";".join(row["flags"]),
                row["model"], _cell(row.get("quotes_excluded")), _cell(row.get("truncated")),
                _cell(row.get("not_scored")), _cell(other or None)])

    def close(self) -> None:
        self.text.flush()
        self.text.detach()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return orjson.dumps(value).decode()
    return value


def row_writer(out: BinaryIO, output_name: str | None, labels: list[str]):
    """JSONL, or CSV/TSV when the output's name ends in .csv/.tsv."""
    suffix = Path(output_name).suffix.lower() if output_name else ""
    if suffix == ".csv":
        return CsvRows(out, labels)
    if suffix == ".tsv":
        return CsvRows(out, labels, delimiter="\t")
    return JsonlRows(out, labels)


# --- the stream ------------------------------------------------------------------------------

@dataclass
class FlagResult:
    report: ParseReport
    summary: FlagSummary
    written: int = 0


def comment_chunks(records: Iterable[Thread | Comment], summary: FlagSummary,
                   size: int | None = None) -> Iterator[list[Comment]]:
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
    """Probabilities computed in a second process while this one reads the next chunk: reading
    (with depths and quotes) and scoring each take about half the time, and each needs a core.
    The worker loads the same model from its directory; only texts and probabilities cross."""

    def __init__(self, model: Any):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self.pool = ProcessPoolExecutor(1, mp_context=context, initializer=_load_worker_model,
                                        initargs=(str(model.path),))

    def submit(self, texts: list[str]) -> Any:
        return self.pool.submit(_worker_probabilities, texts)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


_WORKER_MODEL: Any = None


def _load_worker_model(path: str) -> None:
    global _WORKER_MODEL
    from moderation.store import load_model

    gc.set_threshold(*_FEWER_COLLECTIONS)
    _WORKER_MODEL = load_model(path)


def _worker_probabilities(texts: list[str]) -> Any:
    return _WORKER_MODEL.predict_proba(texts)


def flag_export(path: str | Path, out: BinaryIO, *, model: Any,
                thresholds: dict[str, float] | None = None, output_name: str | None = None,
                format: str = "auto", options: ReadOptions | None = None,
                only_flagged: bool = False, processes: int = 1,
                progress: Callable[[int, int], None] | None = None) -> FlagResult:
    """Flag every comment of the export at ``path``, writing rows to ``out`` (JSONL, or CSV
    or TSV when ``output_name`` ends in .csv or .tsv). With ``processes=2`` scoring runs in a second process
    (started once the export proves longer than one chunk). ``progress(comments,
    bytes_read)`` is called after each chunk."""
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

    with _rare_collections():
        _flag_stream(read_export(path, format=format, options=options, report=report),
                     model, thresholds, processes, summary, finish)
    writer.close()
    return result


def _flag_stream(records: Iterable[Thread | Comment], model: Any,
                 thresholds: dict[str, float], processes: int, summary: FlagSummary,
                 finish: Callable[[list[Comment], list[dict[str, Any]]], None]) -> None:
    chunks = comment_chunks(records, summary)
    head = list(islice(chunks, 2))
    chunks = chain(head, chunks)
    if len(head) < 2 or processes < 2:          # one chunk, or one process: no worker
        for chunk in chunks:
            finish(chunk, flag_chunk(chunk, model, thresholds))
        return
    worker = _ScoringWorker(model)
    scoring: deque[tuple] = deque()            # chunks whose texts the worker is scoring

    def finish_oldest() -> None:
        chunk, texts, scorable, future = scoring.popleft()
        finish(chunk, rows_for(chunk, texts, scorable, future.result(), model, thresholds))

    try:
        for chunk in chunks:
            texts, scorable = texts_to_score(chunk)
            scoring.append((chunk, texts, scorable,
                            worker.submit([texts[i] for i in scorable])))
            if len(scoring) > 1:                 # one chunk ahead: read while it scores
                finish_oldest()
        while scoring:
            finish_oldest()
    finally:
        worker.close()
