"""The queue of comments to review: which comments a moderator sees, in which order, and the
spreadsheet round trip for reviewing without a terminal."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from moderation.comments import LABELS, Comment, Thread
from moderation.errors import InputError, ModerationError
from moderation.formats import ParseReport
from moderation.formats.source import Source

ORDERS = ("uncertain", "flagged", "random")
QUEUE_COLUMNS = ("id", "thread_id", "thread_title", "parent", "text", "prediction",
                 *(f"score_{label}" for label in LABELS), "flags", "label")
SKIP_WORDS = ("skip", "skipped", "?")

@dataclass
class QueueItem:
    comment: Comment
    scores: dict[str, float] | None
    prediction: str | None
    flags: list[str] = field(default_factory=list)
    parent_text: str | None = None

    @property
    def uncertainty(self) -> float:
        """One minus the margin between the two most likely labels: 1 is a coin toss."""
        if not self.scores:
            return -1.0
        top = sorted(self.scores.values(), reverse=True)
        return 1.0 - (top[0] - top[1])

    @property
    def flag_score(self) -> float:
        return max((self.scores or {}).get(label, 0.0) for label in self.flags) \
            if self.flags else 0.0


def queue_items(records: Iterable[Thread | Comment], model: Any,
                thresholds: dict[str, float], *, chunk_size: int = 4096) -> list[QueueItem]:
    """Every comment of an export with its scores, flags, thread title and parent's text."""
    from moderation.flagging import texts_to_score
    from moderation.scoring import verdicts

    items: list[QueueItem] = []
    texts_by_id: dict[str, str] = {}
    pending: list[Comment] = []

    def score(chunk: list[Comment]) -> None:
        texts, scorable = texts_to_score(chunk)
        results: list[Any] = [None] * len(chunk)
        if scorable:
            probabilities = model.predict_proba([texts[i] for i in scorable])
            for i, result in zip(scorable, verdicts(probabilities, model.labels, thresholds)):
                results[i] = result
        for comment, result in zip(chunk, results):
            prediction, scores, flags = result if result else (None, None, [])
            items.append(QueueItem(comment, scores, prediction, list(flags),
                                   texts_by_id.get(comment.parent_id or "")))

    for record in records:
        if isinstance(record, Comment):
            texts_by_id[record.id] = record.text
            pending.append(record)
            if len(pending) >= chunk_size:
                score(pending)
                pending = []
    if pending:
        score(pending)
    return items


def order_queue(items: list[QueueItem], order: str, *, done: set[str] = frozenset(),
                limit: int | None = None, seed: int = 0) -> list[QueueItem]:
    """The comments still to review, in review order: ``uncertain`` (the model's least sure
    first), ``flagged`` (flagged ones only, highest score first) or ``random``."""
    if order not in ORDERS:
        raise ModerationError(f"unknown order {order!r}; choose one of {', '.join(ORDERS)}")
    todo = [item for item in items if item.comment.id not in done and item.scores is not None]
    if order == "uncertain":
        todo.sort(key=lambda item: -item.uncertainty)
    elif order == "flagged":
        todo = sorted((item for item in todo if item.flags), key=lambda i: -i.flag_score)
    else:
        random.Random(seed).shuffle(todo)
    return todo[:limit] if limit is not None else todo


def write_queue_csv(items: list[QueueItem], out: TextIO) -> int:
    """The queue as a spreadsheet: one row per comment with its scores and an empty
    ``label`` column to fill in."""
    writer = csv.writer(out)
    writer.writerow(QUEUE_COLUMNS)
    for item in items:
        comment, scores = item.comment, item.scores or {}
        writer.writerow([comment.id, comment.thread_id, comment.thread_title or "",
                         item.parent_text or "", comment.text, item.prediction or "",
                         *(f"{scores[label]:.4f}" if label in scores else ""
                           for label in LABELS),
                         ";".join(item.flags), ""])
    return len(items)


@dataclass
class ReviewedRow:
    line: int
    comment_id: str
    label: str | None           # None: skipped


def read_reviewed_csv(path: str | Path, known: dict[str, Any], report: ParseReport
                      ) -> list[ReviewedRow]:
    """The answered rows of a reviewed queue. Rows with an unknown id, an unknown label name
    or a second, different label for one id are bad records (``report.bad``); rows whose
    ``label`` is empty were not reviewed and are left out."""
    source = Source(path, report)
    delimiter = "\t" if str(path).lower().endswith(".tsv") else ","
    if delimiter == "," and ";" in source.head_text.split("\n", 1)[0] \
            and "," not in source.head_text.split("\n", 1)[0]:
        delimiter = ";"                 # spreadsheets in some locales save with semicolons
    rows = source.iter_csv_rows(delimiter)
    header = next((row for _, row in rows), None)
    if header is None:
        raise InputError(path, "empty file; expected the queue written by --export")
    names = [name.strip().lstrip("\ufeff").lower() for name in header]
    if "id" not in names or "label" not in names:
        raise InputError(path, "needs an \"id\" and a \"label\" column", line=1,
                         hint=f"found columns: {', '.join(header)}")
    id_at, label_at = names.index("id"), names.index("label")
    answered: dict[str, ReviewedRow] = {}
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        comment_id = row[id_at].strip() if len(row) > id_at else ""
        given = row[label_at].strip() if len(row) > label_at else ""
        if not given:
            continue
        name = given.lower()
        if comment_id not in known:
            report.bad(InputError(path, f"id {comment_id!r} is not a comment of the export",
                                  line=line, hint="import the queue against the export it was "
                                  "made from"))
            continue
        if name not in LABELS and name not in SKIP_WORDS:
            report.bad(InputError(path, f"unknown label {given!r}", line=line,
                                  hint=f"use one of {', '.join(LABELS)}, skip, or leave it "
                                  "empty"))
            continue
        reviewed = ReviewedRow(line, comment_id, name if name in LABELS else None)
        earlier = answered.get(comment_id)
        if earlier is not None and earlier.label != reviewed.label:
            report.bad(InputError(path, f"id {comment_id!r} is labelled {earlier.label!r} at "
                                  f"line {earlier.line} and {reviewed.label!r} here", line=line,
                                  hint="keep one label per comment"))
            continue
        answered[comment_id] = reviewed
    return list(answered.values())
