"""Reviewing: which comments a moderator sees and in which order (the queue), the answer loop
(one key per answer, undo, quit), and the spreadsheet round trip for reviewing without a
terminal. Every answer goes into the append-only label store (``moderation.labels.store``)."""

from __future__ import annotations

import csv
import random
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from moderation.comments import LABELS, Comment, Thread
from moderation.errors import InputError, ModerationError
from moderation.examples import read_labelled
from moderation.files import atomic_output, spreadsheet_cell
from moderation.flagging import flag_chunk
from moderation.formats import ParseReport, ReadOptions, read_export
from moderation.labels.store import LabelStore, answer_record, read_store, undo_record
from moderation.model.registry import load_model
from moderation.model.scoring import parse_thresholds

ORDERS = ("uncertain", "flagged", "random")
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
KEYS = {
    "c": "civil",
    "1": "civil",
    "a": "abusive",
    "2": "abusive",
    "p": "conspiracy",
    "3": "conspiracy",
    "s": "skip",
    "u": "undo",
    "q": "quit",
}
KEY_HELP = "c civil, a abusive, p conspiracy, s skip, u undo, q quit"


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


def queue_items(
    records: Iterable[Thread | Comment],
    model: Any,
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


def order_queue(
    items: list[QueueItem],
    order: str,
    *,
    done: set[str] = frozenset(),
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
    answers: dict[str, dict[str, Any]],
    *,
    limit: int | None = None,
    seed: int = 0,
) -> list[QueueItem]:
    """The queue to work through given a store's current ``answers``: labelled comments left
    out, comments skipped earlier at the end (they come back, after the new ones)."""
    labelled = {cid for cid, answer in answers.items() if answer.get("label") in LABELS}
    todo = order_queue(items, order, done=labelled, seed=seed)
    todo = [i for i in todo if i.comment.id not in answers] + [
        i for i in todo if i.comment.id in answers
    ]
    return todo[:limit] if limit is not None else todo


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
class Queue:
    """An export's comments scored for review, with the model and how the export read."""

    items: list[QueueItem]
    report: ParseReport
    model: Any


def load_queue(
    input: Path,
    *,
    model: Path | None = None,
    format: str = "auto",
    options: ReadOptions | None = None,
    thresholds: list[str] | None = None,
) -> Queue:
    """Every comment of ``input`` scored by the model (else the active model)."""
    if not Path(input).exists():
        raise InputError(input, "not found")
    loaded = load_model(model)
    chosen = parse_thresholds(thresholds or [], loaded.thresholds, loaded.labels)
    options = options or ReadOptions()
    report = ParseReport(str(input), skip_bad=options.skip_bad)
    records = read_export(input, format=format, options=options, report=report)
    items = queue_items(_unique_ids(records, input, report), loaded, chosen)
    return Queue(items, report, loaded)


def _unique_ids(
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


def export_queue(
    input: Path,
    *,
    store: Path,
    output: Path,
    limit: int | None = None,
    order: str = "uncertain",
    seed: int = 0,
    **queue_options: Any,
) -> dict[str, Any]:
    """Write the next ``limit`` comments to review (not yet in ``store``) to a CSV file."""
    contents = read_store(store, missing_ok=True)
    queue = load_queue(input, **queue_options)
    todo = order_queue(queue.items, order, done=set(contents.current()), limit=limit, seed=seed)
    with atomic_output(output, encoding="utf-8-sig") as handle:  # BOM: spreadsheets read UTF-8
        written = write_queue_csv(todo, handle)
    message = (
        f"wrote {written:,} comment(s) to review to {output} ({order} first; "
        f"{len(contents.current()):,} already answered in {store}); fill in the label "
        f"column with {', '.join(LABELS)} or skip, then run with --import {output}"
    )
    return {
        "message": message,
        "input": str(input),
        "queue": str(output),
        "written": written,
        "comments": len(queue.items),
        "already_answered": len(contents.current()),
        "model": queue.model.id,
        "order": order,
        "torn": contents.torn_warning(),
        "report": queue.report,
    }


def import_reviewed(
    input: Path, *, store: Path, reviewed: Path, labeller: str, **queue_options: Any
) -> dict[str, Any]:
    """Add the answered rows of a reviewed queue CSV to ``store``. With bad rows (unknown ids,
    unknown labels, a label that contradicts the store) nothing is added unless
    ``skip_bad``."""
    queue = load_queue(input, **queue_options)
    by_id = {item.comment.id: item for item in queue.items}
    options = queue_options.get("options") or ReadOptions()
    report = ParseReport(str(reviewed), skip_bad=options.skip_bad)
    answered = read_labelled(reviewed, kind="spreadsheet", keep_skips=True, options=options)
    with LabelStore(store) as labels, labels.locked():  # others' answers read in first
        new, unchanged = _new_answers(
            answered.examples,
            by_id,
            labels.contents.current(),
            report,
            store,
            labeller,
            queue.model.id,
        )
        added = labels.extend(new)
    counts = Counter(r["label"] or "skip" for r in new)
    shown = ", ".join(f"{n} {label}" for label, n in sorted(counts.items()))
    corrected = [r for r in new if r.get("corrects")]
    message = (
        f"added {added:,} answer(s) to {store}"
        + (f" ({shown})" if shown else "")
        + (
            f"; {len(corrected)} of them correct(s) an earlier label (both kept in the history)"
            if corrected
            else ""
        )
        + (f"; {unchanged} already there" if unchanged else "")
    )
    return {
        "message": message,
        "store": str(store),
        "added": added,
        "by_label": dict(counts),
        "unchanged": unchanged,
        "corrected": len(corrected),
        "bad": [*answered.warnings, *(str(e) for e in report.skipped)],
        "torn": labels.torn_warning,
    }


def _new_answers(
    rows: list[Any],
    by_id: dict[str, QueueItem],
    current: dict[str, dict[str, Any]],
    report: ParseReport,
    store: Path,
    labeller: str,
    model_id: str,
) -> tuple[list[dict[str, Any]], int]:
    """The store records for the answered rows that are new; bad rows go to ``report``."""
    new, unchanged = [], 0
    for row in rows:
        where = {"line": row.line}
        if row.id not in by_id:
            hint = "import the queue against the export it was made from"
            report.bad(
                InputError(
                    row.path, f"id {row.id!r} is not a comment of the export", hint=hint, **where
                )
            )
            continue
        earlier = current.get(row.id)
        if earlier is not None and earlier.get("label") == row.label:
            unchanged += 1
            continue
        corrects = None
        if earlier is not None and earlier.get("label") in LABELS and not earlier.get("weak"):
            if row.label is None:  # a skip does not withdraw an answer
                unchanged += 1
                continue
            corrects = earlier["label"]  # changed in the spreadsheet: a correction line
        item = by_id[row.id]
        action = "label" if row.label else "skip"
        new.append(
            answer_record(
                item.comment,
                row.label,
                scores=item.scores,
                labeller=labeller,
                model_id=model_id,
                action=action,
                corrects=corrects,
            )
        )
    return new, unchanged


def review_loop(
    items: list[QueueItem],
    store: LabelStore,
    *,
    labeller: str,
    model_id: str,
    read_key: Callable[[], str],
    show: Callable[[QueueItem, int], None],
    say: Callable[[str], None],
) -> Counter:
    """The interactive loop: ``show`` a comment, read one key, append the answer to ``store``
    (on disk before the next comment is shown) and say so. A skipped comment comes back at the
    end. Returns the answers given this session."""
    items = list(items)
    done: list[tuple[QueueItem, str, int]] = []
    given: Counter = Counter()
    position = 0
    while position < len(items):
        item = items[position]
        show(item, position)
        try:
            key = read_key().lower()
        except (KeyboardInterrupt, EOFError):  # Ctrl-C, or the end of piped keys
            break
        choice = KEYS.get(key)
        if not key or choice == "quit":  # the end of input, or q
            break
        if choice == "undo":
            if not done:
                say("nothing to undo in this session")
                continue
            last, last_choice, position = done.pop()
            store.append(undo_record(last.comment.id, labeller=labeller))
            if last_choice == "skip":  # its second turn at the end goes too
                items.pop()
            given[last_choice] -= 1
            say(f"undid {last_choice} for {last.comment.id}")
            continue
        if choice is None:
            say(f"unknown key {key!r}: the keys are {KEY_HELP}")
            continue
        label = None if choice == "skip" else choice
        store.append(
            answer_record(
                item.comment,
                label,
                scores=item.scores,
                labeller=labeller,
                model_id=model_id,
                action="label" if label else "skip",
            )
        )
        done.append((item, choice, position))
        given[choice] += 1
        if label is None:
            items.append(item)
            say(f"skipped {item.comment.id}: it comes back at the end of the queue")
        else:
            say(f"saved {label} for {item.comment.id} to {store.path}")
        position += 1
    return +given
