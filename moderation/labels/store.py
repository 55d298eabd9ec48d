"""The append-only label store: answers in, each id's current label out.

A store is a JSONL file that only ever grows. Each line is one answer a moderator gave::

    {"id": "c7", "label": "abusive", "text": "...", "labeller": "ana", "time": "...",
     "model": "default-af9423bfd305", "scores": {"civil": 0.2, ...}}

``"action": "skip"`` records a comment passed over, ``"action": "undo"`` withdraws the answer
before it for that id. A label line with ``"corrects": "<old label>"`` is a correction: it
supersedes the id's earlier label (a moderator changed their mind in the spreadsheet, or
re-answered), and both stay in the store's history. A weak label (``"weak": true``, the
platform's decision) never supersedes a moderator's answer, and a moderator's answer always
supersedes a weak one. Two different labels for one id from one moderator with neither undo
nor correction between them are a conflict (the store was edited by hand); two moderators'
different answers are both kept, and reported as disagreements for `labels merge` to settle.

Replaying the lines gives each id's current label, so nothing is ever rewritten in place, and
an answer is on disk (flushed and fsync'd) before the next comment is shown. A crash can leave
at most a torn last line: it is reported, ignored, and moved aside to ``STORE.torn`` before
anything new is appended.
"""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from moderation.comments import LABELS, Comment
from moderation.errors import InputError
from moderation.files import (
    append_durably,
    now_iso,
    read_json_lines,
    set_torn_line_aside,
)

ACTIONS = ("label", "skip", "undo")


def supersedes(earlier: dict[str, Any] | None, record: dict[str, Any]) -> str:
    """What ``record`` does to an id whose current answer is ``earlier``: ``"undo"``,
    ``"replace"`` (it becomes the current answer), ``"ignore"`` (a weak label where a
    moderator has answered: kept in the history, not current) or ``"conflict"`` (two different
    moderator labels with no correction between them)."""
    if record.get("action") == "undo":
        return "undo"
    if earlier is None or earlier.get("action") != "label" or record.get("action") != "label":
        return "replace"
    if record.get("weak") and not earlier.get("weak"):
        return "ignore"  # the platform's decision never overrides a moderator
    if earlier["label"] == record["label"] or record.get("corrects") is not None:
        return "replace"
    if earlier.get("weak") and not record.get("weak"):
        return "replace"  # a moderator's answer wins over the platform's decision
    if earlier.get("labeller") != record.get("labeller"):
        return "replace"  # two moderators disagree: both kept, see disagreements()
    return "conflict"


def _replay_into(answers: list[Any], item: Any) -> None:
    """Apply one record (or ``(record, line)``) to an id's answers, latest last."""
    record = item[0] if isinstance(item, tuple) else item
    earlier = answers[-1] if answers else None
    if isinstance(earlier, tuple):
        earlier = earlier[0]
    effect = supersedes(earlier, record)
    if effect == "undo":
        if answers:
            answers.pop()
    elif effect != "ignore":  # a conflict replayed by a writer: the latest line wins
        answers.append(item)


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
        """Each id's current answer (a label or a skip), replaying undos and corrections. Two
        different labels for one id from one labeller with no undo or correction between them
        are a conflict: an error naming both lines. Different moderators' different answers
        are both kept (``disagreements``)."""
        return {cid: answers[-1][0] for cid, answers in self._replayed().items() if answers}

    def _replayed(self) -> dict[str, list[tuple[dict[str, Any], int | None]]]:
        history: dict[str, list[tuple[dict[str, Any], int | None]]] = {}
        lines = self.lines + [None] * (len(self.records) - len(self.lines))
        for record, line in zip(self.records, lines):
            answers = history.setdefault(record["id"], [])
            if supersedes(answers[-1][0] if answers else None, record) == "conflict":
                earlier, earlier_line = answers[-1]
                raise InputError(
                    self.path,
                    f"id {record['id']!r} is labelled "
                    f"{record['label']!r} here and {earlier['label']!r} at line "
                    f"{earlier_line}",
                    line=line,
                    hint="a changed label is recorded as a correction (import the corrected "
                    'spreadsheet again, or add "corrects": "<old label>" to the newer line); '
                    "otherwise keep the right line and delete the other",
                )
            _replay_into(answers, (record, line))
        return history

    def corrections(self) -> list[dict[str, Any]]:
        """The correction lines, oldest first (each keeps the label it corrects)."""
        return [r for r in self.records if r.get("corrects") is not None]

    def disagreements(self) -> dict[str, list[dict[str, Any]]]:
        """Ids that moderators labelled differently (two people answering one comment from the
        review page) since the last correction: each labeller's latest label record, for
        `labels merge` to report."""
        found = {}
        for cid, answers in self._replayed().items():
            last = max((k for k, (r, _) in enumerate(answers) if r.get("corrects")), default=0)
            latest = {r.get("labeller"): r for r, _ in answers[last:] if r.get("label") in LABELS}
            if any(not r.get("weak") for r in latest.values()):  # a platform's gives way
                latest = {k: r for k, r in latest.items() if not r.get("weak")}
            if len({r["label"] for r in latest.values()}) > 1:
                found[cid] = list(latest.values())
        return found

    def labels(self, *, disagreements: bool = False) -> dict[str, dict[str, Any]]:
        """Each labelled id's current label record (skips left out). An id moderators labelled
        differently is an error naming them (``disagreements=True``: left out instead)."""
        split = self.disagreements()
        if split and not disagreements:
            cid, records = next(iter(split.items()))
            given = " and ".join(f"{r['label']!r} by {r.get('labeller')}" for r in records)
            raise InputError(
                self.path,
                f"id {cid!r} is labelled {given}"
                + (f" ({len(split) - 1} more such comment(s))" if len(split) > 1 else ""),
                hint=f"settle them: `moderation labels merge {self.path} -o MERGED.jsonl` "
                "leaves them out and lists them",
            )
        return {
            cid: r
            for cid, r in self.current().items()
            if r.get("label") in LABELS and cid not in split
        }

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
    if record.get("corrects") is not None and record["corrects"] not in LABELS:
        raise InputError(
            path,
            f"corrects unknown label {record['corrects']!r}",
            line=number,
            hint=f'"corrects" names the label being replaced: one of {", ".join(LABELS)}',
        )
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
    """Appends answers to a store, each one on disk before ``append`` returns.

    Every append holds an exclusive lock on the store (``fcntl.flock``), so several writers
    (two `moderation label` runs, a review page, `moderation serve`) can share one store:
    under the lock a writer first reads what the others appended since it last looked, sets
    aside a torn last line only if it is still torn, then appends."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.contents = read_store(self.path, missing_ok=True)
        self.torn_warning = self.contents.torn_warning()  # kept after the line is set aside
        self._handle: Any = None
        self._depth = 0
        # flock excludes other processes, not this one's threads (a server appends from a
        # thread pool): they take turns here first
        self._threads = threading.RLock()
        self._read_to = _size(self.path) - len(self.contents.torn_bytes)
        self._lines = self._read_to and _line_count(self.path, self._read_to)
        self._answers: dict[str, list[dict[str, Any]]] = {}
        for record in self.contents.records:
            self._replay(record)

    def __enter__(self) -> LabelStore:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _replay(self, record: dict[str, Any]) -> None:
        _replay_into(self._answers.setdefault(record["id"], []), record)

    def answers(self, comment_id: str) -> list[dict[str, Any]]:
        """The id's answers still standing (undos replayed), oldest first."""
        return list(self._answers.get(comment_id, ()))

    def current_answer(self, comment_id: str) -> dict[str, Any] | None:
        """The id's current answer (a label or a skip) as of the last append or catch-up."""
        answers = self._answers.get(comment_id)
        return answers[-1] if answers else None

    @contextlib.contextmanager
    def locked(self) -> Iterator[Any]:
        """The store's append handle, locked, with every other writer's lines read in."""
        with self._threads:
            yield from self._locked()

    def _locked(self) -> Iterator[Any]:
        if self._depth:  # already held by this writer: the lock is re-entrant
            self._depth += 1
            try:
                yield self._handle
            finally:
                self._depth -= 1
            return
        if self._handle is None:
            self._handle = open(self.path, "ab")
        fcntl.flock(self._handle.fileno(), fcntl.LOCK_EX)
        self._depth = 1
        try:
            self._catch_up()
            if self._read_to and not _ends_with_newline(self.path):  # edited by hand
                self._handle.write(b"\n")
                self._handle.flush()
                self._read_to += 1
            yield self._handle
        finally:
            self._depth = 0
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)

    def _catch_up(self) -> None:
        """Read the lines appended since this writer last looked. A last line without its
        newline that is not JSON is a torn write (no writer holds the lock now), so it is set
        aside."""
        size = _size(self.path)
        if size <= self._read_to:
            return
        with open(self.path, "rb") as handle:
            handle.seek(self._read_to)
            data = handle.read(size - self._read_to)
        *lines, tail = data.split(b"\n")
        for raw in lines:
            self._lines += 1
            if raw.strip():
                self._add(raw, self._lines)
        self._read_to = size
        if tail.strip():
            try:
                self._add(tail, self._lines + 1)
            except InputError:
                set_torn_line_aside(self.path, tail)
                self._read_to = size - len(tail)
                self.torn_warning = self.torn_warning or (
                    f"{self.path}:{self._lines + 1}: an incomplete last line (an interrupted "
                    "write) was set aside"
                )

    def _add(self, raw: bytes, number: int) -> None:
        try:
            record = orjson.loads(raw)
        except orjson.JSONDecodeError as err:
            raise InputError(self.path, f"not valid JSON ({err})", line=number) from None
        record = _check_record(self.path, number, record)
        self.contents.records.append(record)
        self._replay(record)

    def append(self, record: dict[str, Any]) -> None:
        self.extend([record])

    def extend(self, records: Iterable[dict[str, Any]]) -> int:
        records = list(records)
        if not records:
            return 0
        with self.locked() as handle:
            append_durably(handle, records)
            self._read_to = _size(self.path)
            self._lines += len(records)
        for record in records:
            self.contents.records.append(record)
            self._replay(record)
        return len(records)

    def record_decision(self, record: dict[str, Any]) -> str:
        """Append a platform's decision (a weak label) unless the id already has it:
        ``"new"``, ``"same"`` (nothing written), ``"changed"`` (an undo of the old decision,
        then the new one) or ``"kept"`` (a moderator has answered this id: their answer stands
        and nothing is written)."""
        with self.locked():  # re-entrant: extend() below appends under the same lock
            current = self.current_answer(record["id"])
            if current is not None and current.get("label") == record["label"]:
                return "same"
            if current is not None and not current.get("weak"):
                return "kept"
            lines = [record]
            if current is not None:
                lines.insert(0, undo_record(record["id"], labeller=record.get("labeller", "")))
            self.extend(lines)
        return "new" if current is None else "changed"

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def _line_count(path: Path, upto: int) -> int:
    with open(path, "rb") as handle:
        return handle.read(upto).count(b"\n")


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as handle:
        handle.seek(-1, 2)
        return handle.read(1) == b"\n"


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def answer_record(
    comment: Comment,
    label: str | None,
    *,
    scores: dict[str, float] | None,
    labeller: str,
    model_id: str | None,
    action: str = "label",
    corrects: str | None = None,
) -> dict[str, Any]:
    """The store record for one answer about a comment the model scored; with ``corrects``
    (the label it replaces) a correction line."""
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
    if corrects is not None:
        record["corrects"] = corrects
    return record


def undo_record(comment_id: str, *, labeller: str) -> dict[str, Any]:
    return {"id": comment_id, "action": "undo", "labeller": labeller, "time": now_iso()}
