"""The review queue: an export's comments, scored once, put in the order moderators see them,
with what the label store says already answered left out.

The scoring is one layer up (``flagging.review_queue.load_queue``: it needs the model, which
trains on these labels); the terminal loop (``loop``), the spreadsheet round trip
(``spreadsheet``) and the queue several moderators share from the browser (``shared``) all
work through the :class:`Queue` it returns.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Mapping, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moderation.comments import Comment, Thread
from moderation.errors import InputError, ModerationError
from moderation.formats import ParseReport

ORDERS = ("uncertain", "flagged", "random")
ANSWERED = ("labelled", "weak", "disagreement")  # states of a comment no queue offers again


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
        return (
            max((self.scores or {}).get(label, 0.0) for label in self.flags) if self.flags else 0.0
        )


@dataclass
class Queue:
    """An export's comments scored for review, with the model and how the export read."""

    items: list[QueueItem]
    report: ParseReport
    model: Any


def order_queue(
    items: list[QueueItem],
    order: str,
    *,
    done: Set[str] = frozenset(),
    limit: int | None = None,
    seed: int = 0,
) -> list[QueueItem]:
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


def order_for_review(
    items: list[QueueItem],
    order: str,
    answers: Mapping[str, tuple[str, str | None]],
    *,
    limit: int | None = None,
    seed: int = 0,
) -> list[QueueItem]:
    """The queue to work through given a store's current ``answers`` (comment id ->
    ``(state, label)``): answered comments left out, comments skipped earlier at the end
    (they come back, after the new ones)."""
    labelled = {cid for cid, (state, _) in answers.items() if state in ANSWERED}
    todo = order_queue(items, order, done=labelled, seed=seed)
    todo = [i for i in todo if i.comment.id not in answers] + [
        i for i in todo if i.comment.id in answers
    ]
    return todo[:limit] if limit is not None else todo


def unique_comments(
    records: Iterable[Thread | Comment], path: Path, report: ParseReport
) -> Iterator[Thread | Comment]:
    """The records with each comment id once: a second comment with an id already seen is a
    bad record (an answer would be stored with the wrong comment's text); with ``skip_bad``
    the first is kept."""
    first_at: dict[str, int] = {}
    number = 0
    for record in records:
        if isinstance(record, Comment):
            number += 1
            first = first_at.setdefault(record.id, number)
            if first != number:
                report.bad(
                    InputError(
                        path,
                        f"comment id {record.id!r} is used again (first by comment {first})",
                        where=f"comment {number}",
                        hint="give each comment its own id, or add --skip-bad to keep the first",
                    )
                )
                continue
        yield record
