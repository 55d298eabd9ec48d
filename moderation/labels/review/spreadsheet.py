"""Reviewing without a terminal: the queue written to a spreadsheet (``label --export``), filled
in, and brought back (``label --import``) into the label store in one transaction."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from moderation.comments import LABELS
from moderation.errors import InputError
from moderation.files import atomic_output, spreadsheet_cell
from moderation.formats import ParseReport, ReadOptions
from moderation.labels.examples import Example, read_labelled
from moderation.labels.opening import open_store, store_path
from moderation.labels.record import LabelRecord, answer_record
from moderation.labels.review.queue import Queue, QueueItem, order_queue

QUEUE_COLUMNS = (
    "id",
    "thread_id",
    "thread_title",
    "parent",
    "text",
    "prediction",
    *(f"score_{label}" for label in LABELS),
    "flags",
    "label",
)


def write_queue_csv(items: list[QueueItem], out: TextIO) -> int:
    """The queue as a spreadsheet: one row per comment with its scores and an empty
    ``label`` column to fill in."""
    writer = csv.writer(out)
    writer.writerow(QUEUE_COLUMNS)
    for item in items:
        comment, scores = item.comment, item.scores or {}
        cells = [
            comment.id,
            comment.thread_id,
            comment.thread_title or "",
            item.parent_text or "",
            comment.text,
            item.prediction or "",
            *(f"{scores[label]:.4f}" if label in scores else "" for label in LABELS),
            ";".join(item.flags),
            "",
        ]
        writer.writerow([spreadsheet_cell(cell) for cell in cells])
    return len(items)


@dataclass
class QueueExport:
    """What ``export_queue`` wrote."""

    input: str
    queue: str
    store: str
    written: int
    comments: int
    already_answered: int
    model: str
    order: str
    report: ParseReport
    notes: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        return (
            f"wrote {self.written:,} comment(s) to review to {self.queue} ({self.order} first; "
            f"{self.already_answered:,} already answered in {self.store}); fill in the label "
            f"column with {', '.join(LABELS)} or skip, then run with --import {self.queue}"
        )


def export_queue(
    queue: Queue,
    *,
    store: Path,
    output: Path,
    limit: int | None = None,
    order: str = "uncertain",
    seed: int = 0,
    bom: bool = True,
) -> QueueExport:
    """Write the next ``limit`` comments of a scored queue to review (not yet answered in
    ``store``) to a CSV file, with a byte-order mark (Excel then reads it as UTF-8) unless
    ``bom`` is False."""
    notes: list[str] = []
    database = store_path(store)
    if database.exists() or Path(store).exists():
        with open_store(store, create=False) as labels:
            answered = set(labels.current_answers())
            notes, database = labels.notes, labels.path
    else:
        answered = set()
    todo = order_queue(queue.items, order, done=answered, limit=limit, seed=seed)
    with atomic_output(output, encoding="utf-8-sig" if bom else "utf-8") as handle:
        written = write_queue_csv(todo, handle)
    return QueueExport(
        input=queue.report.path,
        queue=str(output),
        store=str(database),
        written=written,
        comments=len(queue.items),
        already_answered=len(answered),
        model=queue.model.id,
        order=order,
        report=queue.report,
        notes=notes,
    )


@dataclass
class ReviewedImport:
    """What ``import_reviewed`` added to the store."""

    store: str
    added: int
    by_label: dict[str, int]
    unchanged: int
    corrected: int
    bad: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        shown = ", ".join(f"{n} {label}" for label, n in sorted(self.by_label.items()))
        return (
            f"added {self.added:,} answer(s) to {self.store}"
            + (f" ({shown})" if shown else "")
            + (
                f"; {self.corrected} of them correct(s) an earlier label (both kept in the history)"
                if self.corrected
                else ""
            )
            + (f"; {self.unchanged} already there" if self.unchanged else "")
        )


def import_reviewed(
    queue: Queue,
    *,
    store: Path,
    reviewed: Path,
    labeller: str,
    options: ReadOptions | None = None,
) -> ReviewedImport:
    """Add the answered rows of a reviewed queue CSV (written from ``queue``'s export) to
    ``store``, all in one transaction. With bad rows (unknown ids, unknown labels) nothing is
    added unless ``skip_bad``. A label changed since an earlier import is recorded as a
    correction of it."""
    by_id = {item.comment.id: item for item in queue.items}
    options = options or ReadOptions()
    report = ParseReport(str(reviewed), skip_bad=options.skip_bad)
    answered = read_labelled(reviewed, kind="spreadsheet", keep_skips=True, options=options)
    records = _answers(answered.examples, by_id, report, labeller, queue.model.id)
    with open_store(store) as labels:
        saved = labels.answer_all(records)
        written = [s for s in saved if s.written]
    counts = Counter(s.record.label or "skip" for s in written)
    return ReviewedImport(
        store=str(labels.path),
        added=len(written),
        by_label=dict(counts),
        unchanged=len(saved) - len(written),
        corrected=sum(s.outcome == "corrected" for s in saved),
        bad=[*answered.warnings, *(str(e) for e in report.skipped)],
        notes=labels.notes,
    )


def _answers(
    rows: list[Example],
    by_id: dict[str, QueueItem],
    report: ParseReport,
    labeller: str,
    model_id: str,
) -> list[LabelRecord]:
    """The answers of the spreadsheet's rows; rows naming no comment of the export go to
    ``report`` (an error, or skipped with ``skip_bad``)."""
    records = []
    for row in rows:
        item = by_id.get(row.id)
        if item is None:
            report.bad(
                InputError(
                    row.path,
                    f"id {row.id!r} is not a comment of the export",
                    line=row.line,
                    hint="import the queue against the export it was made from",
                )
            )
            continue
        records.append(
            answer_record(
                item.comment, row.label, scores=item.scores, labeller=labeller, model_id=model_id
            )
        )
    return records
