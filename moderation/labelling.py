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
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from moderation.comments import LABELS, Comment, Thread
from moderation.errors import InputError, ModerationError
from moderation.review import QueueItem

ACTIONS = ("label", "skip", "undo")
# the platform's decisions that say something about a comment, as weak labels
DEFAULT_STATUS_LABELS = {"approved": "civil", "removed": "abusive"}


def default_labeller() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):         # no user name in a container without passwd entry
        return "unknown"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class StoreContents:
    """What a store holds: its records in order, and a torn last line if a crash left one."""

    path: Path
    records: list[dict[str, Any]]
    lines: list[int | None] = field(default_factory=list)    # line of each record (None: new)
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
            if record.get("action") == "label" and labelled \
                    and labelled[-1][0]["label"] != record["label"]:
                earlier, earlier_line = labelled[-1]
                raise InputError(self.path, f"id {record['id']!r} is labelled "
                                 f"{record['label']!r} here and {earlier['label']!r} at line "
                                 f"{earlier_line}", line=line,
                                 hint="a store keeps one label per comment; keep the right "
                                 "line and delete the other")
            answers.append((record, line))
        return {cid: answers[-1][0] for cid, answers in history.items() if answers}

    def labels(self) -> dict[str, dict[str, Any]]:
        """Each labelled id's current label record (skips left out)."""
        return {cid: r for cid, r in self.current().items() if r.get("label") in LABELS}

    def torn_warning(self) -> str | None:
        if self.torn_line is None:
            return None
        return (f"{self.path}:{self.torn_line}: the last line is incomplete (the labelling was "
                "interrupted while writing it); it is ignored")


def _check_record(path: Path, number: int, record: Any) -> dict[str, Any]:
    if not isinstance(record, dict) or not isinstance(record.get("id"), (str, int)):
        raise InputError(path, "not a label record (needs an \"id\")", line=number)
    record["id"] = str(record["id"])
    action = record.setdefault("action", "label")
    if action not in ACTIONS:
        raise InputError(path, f"unknown action {action!r}", line=number,
                         hint=f"actions are {', '.join(ACTIONS)}")
    if action == "label" and record.get("label") not in LABELS:
        label = record.get("label")
        problem = "missing label" if label is None else f"unknown label {label!r}"
        raise InputError(path, problem, line=number, hint=f"labels are {', '.join(LABELS)}")
    if action == "label" and not isinstance(record.get("text"), str):
        raise InputError(path, "a label record needs the comment's \"text\"", line=number)
    return record


def read_store(path: str | Path, *, missing_ok: bool = False) -> StoreContents:
    """Every record of a store, checked. A bad line in the middle is an error (the store was
    edited by hand); a bad last line without its newline is a torn write, reported on the
    result and ignored."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if missing_ok:
            return StoreContents(path, [])
        raise InputError(path, "not found", hint="give a label store written by `moderation "
                         "label` (or a JSONL file with id, text and label)") from None
    except IsADirectoryError:
        raise InputError(path, "is a folder; give a JSONL label store") from None
    lines = data.split(b"\n")
    records: list[dict[str, Any]] = []
    contents = StoreContents(path, records)
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            record = orjson.loads(raw)
        except orjson.JSONDecodeError as err:
            if number == len(lines):            # no newline after it: a torn write
                contents.torn_line, contents.torn_bytes = number, raw
                break
            raise InputError(path, f"not valid JSON ({err})", line=number,
                             hint="a store is only ever appended to; restore the line or "
                             "remove it by hand") from None
        records.append(_check_record(path, number, record))
        contents.lines.append(number)
    return contents


class LabelStore:
    """Appends answers to a store, each one on disk before ``append`` returns."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.contents = read_store(self.path, missing_ok=True)
        self.torn_warning = self.contents.torn_warning()    # kept after the line is set aside
        self._handle: Any = None

    def __enter__(self) -> "LabelStore":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _open(self) -> Any:
        if self._handle is None:
            if self.contents.torn_line is not None:
                self._set_torn_line_aside()
            if self.path.exists() and self.path.stat().st_size:
                with open(self.path, "rb") as handle:
                    handle.seek(-1, os.SEEK_END)
                    needs_newline = handle.read(1) != b"\n"
            else:
                needs_newline = False
            self._handle = open(self.path, "ab")
            if needs_newline:
                self._handle.write(b"\n")
        return self._handle

    def _set_torn_line_aside(self) -> None:
        """Keep the torn bytes in STORE.torn, then cut them off the store, so new answers start
        on a line of their own."""
        aside = self.path.with_name(self.path.name + ".torn")
        with open(aside, "ab") as handle:
            handle.write(self.contents.torn_bytes + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        size = self.path.stat().st_size
        with open(self.path, "r+b") as handle:
            handle.truncate(size - len(self.contents.torn_bytes))
            os.fsync(handle.fileno())
        self.contents.torn_line, self.contents.torn_bytes = None, b""

    def append(self, record: dict[str, Any]) -> None:
        handle = self._open()
        handle.write(orjson.dumps(record) + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
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


def answer(item: QueueItem, label: str | None, *, labeller: str, model_id: str | None,
           action: str = "label") -> dict[str, Any]:
    """The store record for one answer about a queued comment."""
    comment = item.comment
    record: dict[str, Any] = {"id": comment.id, "action": action, "label": label,
                              "text": comment.text, "labeller": labeller, "time": now(),
                              "model": model_id, "scores": item.scores}
    if comment.thread_id:
        record["thread_id"] = comment.thread_id
    return record


def undo_record(comment_id: str, *, labeller: str) -> dict[str, Any]:
    return {"id": comment_id, "action": "undo", "labeller": labeller, "time": now()}


def weak_labels(records: Iterable[Thread | Comment], mapping: dict[str, str]
                ) -> Iterator[tuple[Comment, str]]:
    """Comments whose platform status maps to a label, with that label."""
    for record in records:
        if isinstance(record, Comment) and record.status in mapping:
            text = record.text.strip()
            if text and text not in ("[deleted]", "[removed]"):
                yield record, mapping[record.status]


def parse_status_mapping(pairs: list[str]) -> dict[str, str]:
    """``STATUS=LABEL`` pairs (``STATUS=none`` drops a default) over the default mapping."""
    from moderation.comments import STATUSES

    mapping = dict(DEFAULT_STATUS_LABELS)
    for pair in pairs:
        status, sep, label = pair.partition("=")
        status, label = status.strip().lower(), label.strip().lower()
        if not sep or status not in STATUSES or label not in (*LABELS, "none"):
            raise ModerationError(f"--map {pair!r}: expected STATUS=LABEL with STATUS one of "
                                  f"{', '.join(STATUSES)} and LABEL one of "
                                  f"{', '.join(LABELS)} or none")
        if label == "none":
            mapping.pop(status, None)
        else:
            mapping[status] = label
    return mapping


@dataclass
class MergeResult:
    records: list[dict[str, Any]]
    disagreements: list[dict[str, Any]]
    weak_overridden: int = 0
    torn: list[str] | None = None


def merge_stores(paths: list[str | Path]) -> MergeResult:
    """The labels of several stores as one: ids every store labels alike are kept (with all
    their labellers); ids with different labels are disagreements, left out and reported. A
    weak label (from the platform's status) gives way to a moderator's."""
    if len(paths) < 2:
        raise ModerationError("merge needs at least two label stores")
    by_id: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    torn = []
    for path in paths:
        contents = read_store(path)
        if contents.torn_warning():
            torn.append(contents.torn_warning())
        for cid, record in contents.labels().items():
            by_id.setdefault(cid, []).append((str(path), record))
    merged, disagreements, overridden = [], [], 0
    for cid, answers in by_id.items():
        strong = [(p, r) for p, r in answers if not r.get("weak")]
        if strong and len(strong) < len(answers):
            overridden += sum(r["label"] != strong[0][1]["label"] for p, r in answers
                              if r.get("weak"))
            answers = strong
        labels = {r["label"] for _, r in answers}
        if len(labels) > 1:
            disagreements.append({
                "id": cid, "text": answers[0][1]["text"],
                "labels": [{"store": p, "label": r["label"], "labeller": r.get("labeller")}
                           for p, r in answers]})
            continue
        record = dict(answers[-1][1])
        labellers = sorted({str(r.get("labeller")) for _, r in answers if r.get("labeller")})
        record["labeller"] = ",".join(labellers) if labellers else record.get("labeller")
        record["merged_from"] = [p for p, _ in answers]
        merged.append(record)
    return MergeResult(merged, disagreements, overridden, torn)


def read_labelled(path: str | Path) -> tuple[list[dict[str, Any]], str | None]:
    """The current labels of a store (or of any JSONL file of id/text/label lines) as training
    records, and the torn-line warning if there is one."""
    contents = read_store(path)
    records = []
    for record in contents.labels().values():
        records.append({"id": record["id"], "text": record["text"], "label": record["label"],
                        "thread_id": record.get("thread_id"), "weak": bool(record.get("weak")),
                        "source": record.get("source") or Path(path).stem})
    return records, contents.torn_warning()
