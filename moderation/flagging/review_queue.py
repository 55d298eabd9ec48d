"""An export scored for review: every comment through the flagging step once, as the review
queue's items (``labels.review.queue`` orders them; the terminal loop, the spreadsheet round
trip and the review page work through them).

The queue lives with the labels; scoring it needs the model, which sits above the labels (it
trains on them), so the scoring is here, one layer up, and the commands hand the scored
``Queue`` down."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from moderation.comments import Comment, Thread
from moderation.files import check_regular_file
from moderation.flagging.chunk import flag_chunk
from moderation.formats import ParseReport, ReadOptions, read_export
from moderation.labels.review.queue import Queue, QueueItem, unique_comments
from moderation.model.registry import load_model
from moderation.model.scoring import parse_thresholds

if TYPE_CHECKING:
    from moderation.model.directory import Model


def queue_items(
    records: Iterable[Thread | Comment],
    model: Model,
    thresholds: dict[str, float],
    *,
    chunk_size: int = 4096,
) -> list[QueueItem]:
    """Every comment of an export with its scores, flags (the flagging step), thread title and
    parent's text."""
    items: list[QueueItem] = []
    texts_by_id: dict[str, str] = {}
    pending: list[Comment] = []

    def score(chunk: list[Comment]) -> None:
        rows = flag_chunk(chunk, model, thresholds)
        for comment, row in zip(chunk, rows):
            items.append(
                QueueItem(
                    comment,
                    row["scores"],
                    row["prediction"],
                    list(row["flags"]),
                    texts_by_id.get(comment.parent_id or ""),
                )
            )

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


def load_queue(
    input: Path,
    *,
    model: Path | None = None,
    format: str = "auto",
    options: ReadOptions | None = None,
    thresholds: list[str] | None = None,
) -> Queue:
    """Every comment of ``input`` scored by the model (else the active model)."""
    check_regular_file(input)
    loaded = load_model(model)
    chosen = parse_thresholds(thresholds or [], loaded.thresholds, loaded.labels)
    options = options or ReadOptions()
    report = ParseReport(str(input), skip_bad=options.skip_bad)
    records = read_export(input, format=format, options=options, report=report)
    items = queue_items(unique_comments(records, input, report), loaded, chosen)
    return Queue(items, report, loaded)
