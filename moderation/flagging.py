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
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from moderation.comments import Comment, QuoteSpan, Thread
from moderation.formats import NO_TRACKING, ParseReport, ReadOptions, read_export
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
        return orjson.dumps(row, option=orjson.OPT_APPEND_NEWLINE)
    except TypeError:           # integers beyond 64 bits, keys that are not strings
        return (json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


class JsonlRows:
    """Rows as JSON lines."""

    def __init__(self, out: BinaryIO, labels: list[str]):
        self.out = out

    def write(self, rows: list[dict[str, Any]]) -> None:
        self.out.write(b"".join(map(_json_line, rows)))

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


@dataclass
class Chunk:
    """Up to ``CHUNK_SIZE`` comments, and the articles of threads that start among them
    (``(index of the next comment, thread id, article text)``, for quote finding)."""

    comments: list[Comment] = field(default_factory=list)
    articles: list[tuple[int, str, str]] = field(default_factory=list)


def comment_chunks(records: Iterable[Thread | Comment], summary: FlagSummary,
                   size: int | None = None) -> Iterator[Chunk]:
    """The comments of a stream in chunks of ``size`` (default ``CHUNK_SIZE``); thread titles
    go to the summary."""
    size = size or CHUNK_SIZE
    chunk = Chunk()
    for record in records:
        if isinstance(record, Comment):
            chunk.comments.append(record)
            if len(chunk.comments) >= size:
                yield chunk
                chunk = Chunk()
        else:
            summary.title(record)
            if record.article:
                chunk.articles.append((len(chunk.comments), record.id, record.article))
    if chunk.comments or chunk.articles:
        yield chunk


class _ScoringWorker:
    """A second process that follows the conversation (depths, quotes) and scores, while this
    one reads the next chunk and writes rows: each half takes about one core. The worker loads
    the same model from its directory; what crosses is each comment's ids and text one way,
    and depths, quotes and probabilities the other. Chunks are handled in order by the one
    worker, so its conversation state carries from chunk to chunk as in one process."""

    def __init__(self, model: Any):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self.pool = ProcessPoolExecutor(1, mp_context=context, initializer=_start_worker,
                                        initargs=(str(model.path),))

    def submit(self, chunk: "Chunk") -> Any:
        items = [(c.id, c.thread_id, c.parent_id, c.depth, c.text,
                  [(q.start, q.end, q.source) for q in c.quotes] if c.quotes else None)
                 for c in chunk.comments]
        return self.pool.submit(_track_and_score, chunk.articles, items)

    @staticmethod
    def apply(chunk: "Chunk", tracked: tuple) -> tuple[list[str], list[int], Any, int]:
        """Depths and quotes from the worker onto the chunk's comments; returns what
        ``rows_for`` needs, and the worker's count of replies with an unseen parent."""
        depths, quotes, probabilities, orphans = tracked
        for comment, depth in zip(chunk.comments, depths):
            comment.depth = depth
        for i, spans in quotes.items():
            chunk.comments[i].quotes = [QuoteSpan(*span) for span in spans]
        texts, scorable = texts_to_score(chunk.comments)
        return texts, scorable, probabilities, orphans

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


_WORKER: dict[str, Any] = {}


def _start_worker(path: str) -> None:
    from moderation.quotes import ConversationTracker
    from moderation.store import load_model

    gc.set_threshold(*_FEWER_COLLECTIONS)
    _WORKER["model"] = load_model(path)
    _WORKER["tracker"] = ConversationTracker()


def _track_and_score(articles: list[tuple[int, str, str]], items: list[tuple]) -> tuple:
    tracker = _WORKER["tracker"]
    pending = iter(articles)
    article = next(pending, None)
    comments = []
    for i, (cid, thread_id, parent_id, depth, text, quotes) in enumerate(items):
        while article is not None and article[0] <= i:
            tracker.thread(Thread(id=article[1], article=article[2]))
            article = next(pending, None)
        comment = Comment(id=cid, thread_id=thread_id, text=text, parent_id=parent_id,
                          depth=depth, quotes=[QuoteSpan(*q) for q in quotes] if quotes else [])
        comments.append(tracker.comment(comment))
    while article is not None:
        tracker.thread(Thread(id=article[1], article=article[2]))
        article = next(pending, None)
    texts, scorable = texts_to_score(comments)
    probabilities = _WORKER["model"].predict_proba([texts[i] for i in scorable])
    quotes_found = {i: [(q.start, q.end, q.source) for q in c.quotes]
                    for i, c in enumerate(comments) if c.quotes}
    return [c.depth for c in comments], quotes_found, probabilities, tracker.orphans


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


def flag_export(path: str | Path, out: BinaryIO, *, model: Any,
                thresholds: dict[str, float] | None = None, output_name: str | None = None,
                format: str = "auto", options: ReadOptions | None = None,
                only_flagged: bool = False, processes: int = 1,
                progress: Callable[[int, int], None] | None = None) -> FlagResult:
    """Flag every comment of the export at ``path``, writing rows to ``out`` (JSONL, or CSV
    when ``output_name`` ends in .csv). With ``processes=2`` scoring runs in a second process
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
        first = None
        if processes >= 2:
            records = read_export(path, format=format, options=options, report=report,
                                  tracker=NO_TRACKING)
            chunks = comment_chunks(records, summary)
            first = next(chunks, None)
            second = next(chunks, None) if first is not None else None
            if second is not None:              # more than one chunk: worth a worker
                orphans = _flag_with_worker(_chain_chunks(first, second, chunks), model,
                                            thresholds, finish)
                if orphans:
                    report.warn(f"{orphans} repl(ies) name a parent that was not seen before "
                                "them; their depth is a guess")
                writer.close()
                return result
        if first is not None:                   # one chunk read without tracking: track it
            records = _tracked(first)
        else:
            records = read_export(path, format=format, options=options, report=report)
        for chunk in comment_chunks(records, summary):
            finish(chunk.comments, flag_chunk(chunk.comments, model, thresholds))
    writer.close()
    return result


def _tracked(chunk: Chunk) -> Iterator[Thread | Comment]:
    """The records of a chunk read without tracking, with depths and quotes filled in."""
    from moderation.quotes import ConversationTracker

    tracker = ConversationTracker()
    pending = iter(chunk.articles)
    article = next(pending, None)
    for i, comment in enumerate(chunk.comments):
        while article is not None and article[0] <= i:
            tracker.thread(Thread(id=article[1], article=article[2]))
            article = next(pending, None)
        yield tracker.comment(comment)


def _flag_with_worker(chunks: Iterator[Chunk], model: Any, thresholds: dict[str, float],
                      finish: Callable[[list[Comment], list[dict[str, Any]]], None]) -> int:
    """Rows for every chunk, tracking and scoring each in the worker while the next is read;
    returns the count of replies whose parent was not seen."""
    worker = _ScoringWorker(model)
    orphans = 0
    try:
        pending = None
        for chunk in chunks:
            job = (chunk, worker.submit(chunk))
            if pending is not None:
                orphans = _finish_job(pending, model, thresholds, finish)
            pending = job
        if pending is not None:
            orphans = _finish_job(pending, model, thresholds, finish)
    finally:
        worker.close()
    return orphans


def _finish_job(job: tuple, model: Any, thresholds: dict[str, float],
                finish: Callable[[list[Comment], list[dict[str, Any]]], None]) -> int:
    chunk, future = job
    texts, scorable, probabilities, orphans = _ScoringWorker.apply(chunk, future.result())
    finish(chunk.comments, rows_for(chunk.comments, texts, scorable, probabilities, model,
                                    thresholds))
    return orphans


def _chain_chunks(first: Chunk, second: Chunk, rest: Iterator[Chunk]) -> Iterator[Chunk]:
    yield first
    yield second
    yield from rest
