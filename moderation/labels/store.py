"""The append-only label store: answers in, each id's current label out.

A store is a JSONL file that only ever grows. Each line is one answer a moderator gave::

    {"id": "c7", "label": "abusive", "text": "...", "labeller": "ana", "time": "...",
     "model": "default-af9423bfd305", "scores": {"civil": 0.2, ...}}

``"action": "skip"`` records a comment passed over, ``"action": "undo"`` withdraws the answer
before it for that id. Replaying the lines gives each id's current label, so nothing is ever
rewritten in place, and an answer is on disk (flushed and fsync'd) before the next comment is
shown. A crash can leave at most a torn last line: it is reported, ignored, and moved aside to
``STORE.torn`` before anything new is appended.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moderation.comments import LABELS, Comment
from moderation.errors import InputError
from moderation.files import (
    append_durably,
    now_iso,
    open_for_append,
    read_json_lines,
    set_torn_line_aside,
)

ACTIONS = ("label", "skip", "undo")


def default_labeller() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a container without passwd entry
        return "unknown"


@dataclass
class StoreContents:
    """What a store holds: its records in order, and a torn last line if a crash left one."""

    path: Path
    records: list[dict[str, Any]]
    lines: list[int | None] = field(default_factory=list)  # line of each record (None: new)
    torn_line: int | None = None
    torn_bytes: bytes = b""

    def current(self) -> dict[str, dict[str, Any]]:
        """Each id's current answer (a label or a skip), replaying undos. Two different labels
        for one id with no undo between them are a conflict: an error naming both lines."""
        history: dict[str, list[tuple[dict[str, Any], int | None]]] = {}
        lines = self.lines + [None] * (len(self.records) - len(self.lines))
        for record, line in zip(self.records, lines):
            answers = history.setdefault(record["id"], [])
            if record.get("action") == "undo":
                if answers:
                    answers.pop()
                continue
            labelled = [(r, n) for r, n in answers if r.get("action") == "label"]
            if (
                record.get("action") == "label"
                and labelled
                and labelled[-1][0]["label"] != record["label"]
            ):
                earlier, earlier_line = labelled[-1]
                raise InputError(
                    self.path,
                    f"id {record['id']!r} is labelled "
                    f"{record['label']!r} here and {earlier['label']!r} at line "
                    f"{earlier_line}",
                    line=line,
                    hint="a store keeps one label per comment; keep the right "
                    "line and delete the other",
                )
            answers.append((record, line))
        return {cid: answers[-1][0] for cid, answers in history.items() if answers}

    def labels(self) -> dict[str, dict[str, Any]]:
        """Each labelled id's current label record (skips left out)."""
        return {cid: r for cid, r in self.current().items() if r.get("label") in LABELS}

    def torn_warning(self) -> str | None:
        if self.torn_line is None:
            return None
        return (
            f"{self.path}:{self.torn_line}: the last line is incomplete (the labelling was "
            "interrupted while writing it); it is ignored"
        )


def _check_record(path: Path, number: int, record: Any) -> dict[str, Any]:
    if not isinstance(record, dict) or not isinstance(record.get("id"), (str, int)):
        raise InputError(path, 'not a label record (needs an "id")', line=number)
    record["id"] = str(record["id"])
    action = record.setdefault("action", "label")
    if action not in ACTIONS:
        raise InputError(
            path,
            f"unknown action {action!r}",
            line=number,
            hint=f"actions are {', '.join(ACTIONS)}",
        )
    if action == "label" and record.get("label") not in LABELS:
        label = record.get("label")
        problem = "missing label" if label is None else f"unknown label {label!r}"
        raise InputError(path, problem, line=number, hint=f"labels are {', '.join(LABELS)}")
    if action == "label" and not isinstance(record.get("text"), str):
        raise InputError(path, 'a label record needs the comment\'s "text"', line=number)
    return record


def read_store(path: str | Path, *, missing_ok: bool = False) -> StoreContents:
    """Every record of a store, checked. A bad line in the middle is an error (the store was
    edited by hand); a bad last line without its newline is a torn write, reported on the
    result and ignored."""
    lines = read_json_lines(
        path,
        missing_ok=missing_ok,
        hint="give a label store written by "
        "`moderation label` (or a JSONL file with id, text and label)",
    )
    records = [
        _check_record(lines.path, number, record)
        for number, record in zip(lines.lines, lines.records)
    ]
    return StoreContents(lines.path, records, list(lines.lines), lines.torn_line, lines.torn_bytes)


class LabelStore:
    """Appends answers to a store, each one on disk before ``append`` returns."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.contents = read_store(self.path, missing_ok=True)
        self.torn_warning = self.contents.torn_warning()  # kept after the line is set aside
        self._handle: Any = None

    def __enter__(self) -> LabelStore:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _open(self) -> Any:
        if self._handle is None:
            if self.contents.torn_line is not None:
                set_torn_line_aside(self.path, self.contents.torn_bytes)
                self.contents.torn_line, self.contents.torn_bytes = None, b""
            self._handle = open_for_append(self.path)
        return self._handle

    def append(self, record: dict[str, Any]) -> None:
        append_durably(self._open(), [record])
        self.contents.records.append(record)

    def extend(self, records: Iterable[dict[str, Any]]) -> int:
        count = 0
        for record in records:
            self.append(record)
            count += 1
        return count

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def answer_record(
    comment: Comment,
    label: str | None,
    *,
    scores: dict[str, float] | None,
    labeller: str,
    model_id: str | None,
    action: str = "label",
) -> dict[str, Any]:
    """The store record for one answer about a comment the model scored."""
    record: dict[str, Any] = {
        "id": comment.id,
        "action": action,
        "label": label,
        "text": comment.text,
        "labeller": labeller,
        "time": now_iso(),
        "model": model_id,
        "scores": scores,
    }
    if comment.thread_id:
        record["thread_id"] = comment.thread_id
    return record


def undo_record(comment_id: str, *, labeller: str) -> dict[str, Any]:
    return {"id": comment_id, "action": "undo", "labeller": labeller, "time": now_iso()}
