"""The label store: every answer moderators (and the platform) gave, in a SQLite database.

One store is one SQLite file (``labels.db``) in WAL mode, shared by every writer at once: the
review page, `moderation label` in a terminal, a spreadsheet import, `moderation serve` taking
the platform's decisions, in as many processes and threads as there are. Each answer, undo,
decision or import is one transaction; a writer waits for another, for ``BUSY_SECONDS`` at
most, then raises ``StoreUnavailable`` with nothing written (``labels.database``). The schema
(``labels.schema``) keeps the history append-only and each comment's current answer beside
it.

The rules, applied as each answer is written:

- a moderator's answer is their position on the comment; answering again with another label
  *corrects* it (the new row names the one it replaces: two browser tabs, a changed
  spreadsheet), the same label again writes nothing, and a skip never withdraws a label;
- an undo withdraws the labeller's own standing answer;
- the platform's decision (``decide``) is kept in the history, but a moderator's label always
  wins over it, in either order; a changed decision corrects the platform's earlier one;
- two moderators' different labels are both kept: the comment is a *disagreement*, left out
  of training until one of them corrects theirs (``labels merge`` lists them).

A moderator's answer is on disk (``synchronous=FULL``) before the call returns. A platform
decision is committed without waiting for the disk (``synchronous=NORMAL``): it survives the
process being killed, and a power cut can lose only the last moments of decisions, which the
platform itself keeps.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any, Final, Literal, TypedDict

import orjson

from moderation.errors import InputError, ModerationError
from moderation.files import now_iso
from moderation.labels.current import CURRENT_COLUMNS, SEPARATOR, Current, CurrentAnswers
from moderation.labels.database import MEMORY, StoreDatabase, check_store_file
from moderation.labels.record import LabelRecord

__all__ = [
    "MEMORY",
    "ImportRecord",
    "ImportedFile",
    "LabelStore",
    "NothingToUndo",
    "Saved",
    "check_store_file",
]

_COLUMNS = (
    "a.seq, a.comment_id, a.action, a.label, a.labeller, a.role, a.time, a.supersedes, a.text, "
    "a.thread_id, a.model, a.scores, a.source, a.extra, s.label"
)
_FROM = "answers AS a LEFT JOIN answers AS s ON s.seq = a.supersedes AND a.action = 'label'"
_DECISION = (
    "SELECT p.seq, a.label, (SELECT state FROM current WHERE comment_id = ?1) "
    "FROM (SELECT 1) LEFT JOIN positions AS p ON p.comment_id = ?1 AND p.labeller = ?2 "
    "LEFT JOIN answers AS a ON a.seq = p.seq"
)
_INSERT = (
    "INSERT INTO answers (comment_id, action, label, labeller, role, time, supersedes, text, "
    "thread_id, model, scores, source, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True)
class Saved:
    """What a write did. ``outcome`` is one of

    - ``new``: written;
    - ``corrected``: written, replacing the labeller's different label;
    - ``same``: the labeller's standing answer already says so, nothing written;
    - ``labelled``: a skip over the labeller's own label, nothing written;
    - ``changed``: a platform decision written, replacing the platform's earlier one;
    - ``kept``: a platform decision written, but a moderator's label stands;
    - ``undone``: an undo written.

    ``record`` is the row written (the standing one when nothing was), ``replaced`` the answer
    it corrected or withdrew."""

    outcome: str
    record: LabelRecord
    replaced: LabelRecord | None = None

    @property
    def written(self) -> bool:
        return self.outcome not in ("same", "labelled")


class ImportedFile(TypedDict):
    """A label file imported into the store: how far (its first ``size`` bytes, ``lines``
    lines, with that ``sha256``)."""

    source: str  # the file's resolved path
    sha256: str
    size: int
    lines: int


class ImportRecord(ImportedFile):
    """A row of the store's ``imports`` table."""

    added: int  # answers added from it
    time: str


@dataclass
class AddReport:
    """What adding records from a file did."""

    added: int = 0
    made_corrections: int = 0  # one labeller's changed label without a correction line
    ignored_undos: int = 0  # undo lines with nothing standing to withdraw


class NothingToUndo(ModerationError):
    """The labeller has no standing answer for that comment."""


class _Leave(Enum):
    OUT = "leave the record out"


_LEAVE_OUT: Final = _Leave.OUT  # an undo of an old store with nothing standing to withdraw
# how a record being added links to the history: the seq it supersedes, None, or left out
_Link = int | None | Literal[_Leave.OUT]


class LabelStore(StoreDatabase):
    """A label store at ``path`` (created when missing, unless ``create=False``): the rules
    above, over ``StoreDatabase``. For a path that may be an old JSONL store, use
    :func:`moderation.labels.opening.open_store`."""

    # --- reading ------------------------------------------------------------------------------

    def _rows(self, sql: str, parameters: Iterable[Any] = ()) -> list[LabelRecord]:
        query = f"SELECT {_COLUMNS} FROM {_FROM} {sql}"
        return self._read(lambda db: [_record(row) for row in db.execute(query, tuple(parameters))])

    def __len__(self) -> int:
        return int(self._scalar("SELECT count(*) FROM answers"))

    @property
    def last_seq(self) -> int:
        return int(self._scalar("SELECT coalesce(max(seq), 0) FROM answers"))

    def record(self, seq: int) -> LabelRecord | None:
        found = self._rows("WHERE a.seq = ?", (seq,))
        return found[0] if found else None

    def history(
        self, *, comment_id: str | None = None, labeller: str | None = None, since: int = 0
    ) -> list[LabelRecord]:
        """The rows in the order they were given (``since``: after that ``seq``)."""
        where: list[str] = ["a.seq > ?"]
        parameters: list[int | str] = [since]
        if comment_id is not None:
            where.append("a.comment_id = ?")
            parameters.append(comment_id)
        if labeller is not None:
            where.append("a.labeller = ?")
            parameters.append(labeller)
        return self._rows(f"WHERE {' AND '.join(where)} ORDER BY a.seq", parameters)

    def iter_history(self, batch: int = 10_000) -> Iterator[LabelRecord]:
        """Every row, oldest first, read a batch at a time (for exports of large stores)."""
        last = 0
        while True:
            rows = self._rows("WHERE a.seq > ? ORDER BY a.seq LIMIT ?", (last, batch))
            if not rows:
                return
            yield from rows
            last = rows[-1].seq or last

    def changes_since(self, seq: int) -> tuple[set[str], int]:
        """The comments with rows after ``seq``, and the last ``seq`` now."""
        rows = self._fetch("SELECT seq, comment_id FROM answers WHERE seq > ? ORDER BY seq", (seq,))
        return {cid for _, cid in rows}, (rows[-1][0] if rows else seq)

    def position(self, comment_id: str, labeller: str) -> LabelRecord | None:
        """``labeller``'s standing answer for the comment."""
        found = self._rows(
            "JOIN positions AS p ON p.seq = a.seq WHERE p.comment_id = ? AND p.labeller = ?",
            (comment_id, labeller),
        )
        return found[0] if found else None

    def standing(self, comment_id: str) -> list[LabelRecord]:
        """Every labeller's standing answer for the comment, oldest first."""
        return self._rows(
            "JOIN positions AS p ON p.seq = a.seq WHERE p.comment_id = ? ORDER BY a.seq",
            (comment_id,),
        )

    def positions_of(self, labeller: str) -> list[LabelRecord]:
        """``labeller``'s standing answers, oldest first."""
        return self._rows(
            "JOIN positions AS p ON p.seq = a.seq WHERE p.labeller = ? ORDER BY a.seq",
            (labeller,),
        )

    def current_all(self) -> dict[str, Current]:
        """Every answered comment's current answer, with the answer that decides it."""
        rows = self._fetch(
            f"SELECT c.state, c.label, {_COLUMNS} FROM current AS c "
            "JOIN answers AS a ON a.seq = c.seq "
            "LEFT JOIN answers AS s ON s.seq = a.supersedes AND a.action = 'label'"
        )
        found = {}
        for row in rows:
            record = _record(row[2:])
            found[record.id] = Current(row[0], row[1], record)
        return found

    def current(self, comment_id: str) -> Current | None:
        rows = self._fetch(
            "SELECT state, label, seq FROM current WHERE comment_id = ?", (comment_id,)
        )
        if not rows:
            return None
        row = rows[0]
        record = self.record(row[2])
        assert record is not None
        return Current(row[0], row[1], record)

    def current_answers(self) -> CurrentAnswers:
        """Every answered comment's current ``(state, label)``: two strings read from the
        index the store keeps (fast on millions of labels)."""
        return self._read(_current_answers)

    def labels(self, *, disagreements: bool = False) -> dict[str, LabelRecord]:
        """Each labelled comment's current label (a moderator's, else the platform's), as the
        answer that gave it. A comment moderators disagree on is an error naming them
        (``disagreements=True``: left out instead)."""
        if not disagreements:
            self._refuse_disagreements()
        return {
            r.id: r
            for r in self._rows(
                "JOIN current AS c ON c.seq = a.seq WHERE c.state IN ('labelled', 'weak') "
                "ORDER BY a.seq"
            )
        }

    def _refuse_disagreements(self) -> None:
        count = self._scalar("SELECT count(*) FROM current WHERE state = 'disagreement'")
        if not count:
            return
        cid, records = next(iter(self.disagreements(limit=1).items()))
        given = " and ".join(f"{r.label!r} by {r.labeller}" for r in records)
        raise InputError(
            self.path,
            f"id {cid!r} is labelled {given}"
            + (f" ({count - 1} more such comment(s))" if count > 1 else ""),
            hint=f"settle them: `moderation labels merge {self.path} -o MERGED.jsonl` "
            "leaves them out and lists them",
        )

    def disagreements(self, limit: int | None = None) -> dict[str, list[LabelRecord]]:
        """Comments moderators label differently: each moderator's standing label."""
        rows = self._rows(
            "JOIN positions AS p ON p.seq = a.seq JOIN ("
            "SELECT comment_id FROM current WHERE state = 'disagreement' ORDER BY comment_id"
            + (f" LIMIT {int(limit)}" if limit is not None else "")
            + ") AS d ON d.comment_id = p.comment_id "
            "WHERE a.role = 'moderator' AND a.action = 'label' ORDER BY a.comment_id, a.seq"
        )
        found: dict[str, list[LabelRecord]] = {}
        for record in rows:
            found.setdefault(record.id, []).append(record)
        return found

    def corrections(self) -> list[LabelRecord]:
        """The corrections, oldest first (each names the label it replaced)."""
        return self._rows("WHERE a.action = 'label' AND a.supersedes IS NOT NULL ORDER BY a.seq")

    def imports(self) -> list[ImportRecord]:
        """The old JSONL stores imported into this one."""
        rows = self._fetch(
            "SELECT source, sha256, size, lines, added, time FROM imports ORDER BY rowid"
        )
        return [
            ImportRecord(source=s, sha256=h, size=size, lines=n, added=added, time=t)
            for s, h, size, n, added, t in rows
        ]

    # --- writing ------------------------------------------------------------------------------

    def _position_in(self, db: sqlite3.Connection, comment_id: str, labeller: str) -> Any:
        return db.execute(
            f"SELECT {_COLUMNS} FROM {_FROM} JOIN positions AS p ON p.seq = a.seq "
            "WHERE p.comment_id = ? AND p.labeller = ?",
            (comment_id, labeller),
        ).fetchone()

    def _insert(self, db: sqlite3.Connection, record: LabelRecord, supersedes: int | None) -> int:
        """Write one row (``supersedes`` in place of the record's own); its ``seq``."""
        if not record.labeller.strip():
            raise InputError(self.path, f"an answer about {record.id!r} names no labeller")
        cursor = db.execute(
            _INSERT,
            (
                record.id,
                record.action,
                record.label,
                record.labeller,
                record.role,
                record.time or now_iso(),
                supersedes,
                record.text,
                record.thread_id,
                record.model,
                _dumps(record.scores),
                record.source,
                _dumps(record.extra) if record.extra else None,
            ),
        )
        return int(cursor.lastrowid or 0)

    def _write(
        self, db: sqlite3.Connection, record: LabelRecord, supersedes: int | None = None
    ) -> LabelRecord:
        """Write one row and read it back as stored (its ``seq``, time, the label it
        corrects)."""
        seq = self._insert(db, record, supersedes)
        row = db.execute(f"SELECT {_COLUMNS} FROM {_FROM} WHERE a.seq = ?", (seq,)).fetchone()
        return _record(row)

    def _answer_in(self, db: sqlite3.Connection, record: LabelRecord) -> Saved:
        if record.action not in ("label", "skip") or record.role != "moderator":
            raise ValueError("answer() takes a moderator's label or skip")
        row = self._position_in(db, record.id, record.labeller)
        standing = _record(row) if row else None
        if standing is not None and standing.action == "label":
            if record.action == "skip":
                return Saved("labelled", standing)  # a skip never withdraws a label
            if standing.label == record.label:
                return Saved("same", standing)
            return Saved("corrected", self._write(db, record, standing.seq), standing)
        if standing is not None and record.action == "skip":
            return Saved("same", standing)
        return Saved("new", self._write(db, record))

    def answer(self, record: LabelRecord) -> Saved:
        """Record a moderator's answer (a label, or a skip) in one transaction, on disk before
        returning (see the module's rules)."""
        with self._transaction() as db:
            return self._answer_in(db, record)

    def answer_all(self, records: Iterable[LabelRecord]) -> list[Saved]:
        """Several answers in one transaction (a spreadsheet import): all or none."""
        with self._transaction() as db:
            return [self._answer_in(db, record) for record in records]

    def undo(self, comment_id: str, labeller: str) -> Saved:
        """Withdraw ``labeller``'s standing answer for the comment."""
        with self._transaction() as db:
            row = self._position_in(db, comment_id, labeller)
            if row is None:
                raise NothingToUndo(f"{labeller} has no answer for {comment_id!r} to undo")
            standing = _record(row)
            undo = LabelRecord(
                id=comment_id,
                action="undo",
                labeller=labeller,
                role=standing.role,
            )
            return Saved("undone", self._write(db, undo, standing.seq), standing)

    def decide(self, record: LabelRecord) -> Saved:
        """Record the platform's decision about a comment: ``same`` when its standing decision
        already says so (nothing written), else written, as ``new``, ``changed`` (it corrects
        the platform's earlier decision) or ``kept`` (written, but a moderator's label stands).
        Committed without waiting for the disk (see the module's docstring)."""
        with self._transaction(durable=False) as db:
            return self._decide_in(db, record)

    def decide_all(self, records: Sequence[LabelRecord]) -> list[Saved | InputError]:
        """Several platform decisions in one transaction (a server's decisions that waited
        for the store together), each as ``decide`` would record it; a decision the store
        refuses (``InputError``) is given back in its place and the others are written.
        A failure of the store itself (busy too long, disk full) fails them all."""
        results: list[Saved | InputError] = []
        with self._transaction(durable=False) as db:
            for record in records:
                db.execute("SAVEPOINT decision")
                try:
                    results.append(self._decide_in(db, record))
                except InputError as err:
                    db.execute("ROLLBACK TO decision")
                    results.append(err)
                except sqlite3.IntegrityError as err:  # a constraint: this record's fault
                    db.execute("ROLLBACK TO decision")
                    results.append(InputError(self.path, f"the store refused a record ({err})"))
                db.execute("RELEASE decision")
        return results

    def _decide_in(self, db: sqlite3.Connection, record: LabelRecord) -> Saved:
        if record.action != "label" or record.role != "platform":
            raise ValueError("decide() takes the platform's label")
        # one look: the platform's standing decision, and whether a moderator answered
        earlier, earlier_label, state = db.execute(
            _DECISION, (record.id, record.labeller)
        ).fetchone()
        earlier_label = earlier_label if earlier is not None else None
        standing = replace(record, seq=earlier, label=earlier_label) if earlier else None
        if standing is not None and earlier_label == record.label:
            return Saved("same", standing)
        seq = self._insert(db, record, earlier)
        written = replace(record, seq=seq, supersedes=earlier, corrects=earlier_label)
        moderated = state in ("labelled", "disagreement")
        outcome = "kept" if moderated else ("changed" if standing else "new")
        return Saved(outcome, written, standing)

    def add(
        self, records: Iterable[LabelRecord], *, imported: ImportedFile | None = None
    ) -> AddReport:
        """Records read from a label file (an export of a store, an old JSONL store), in one
        transaction. Rows exported with their ``seq`` keep their links; records of old stores
        are linked by the rules old stores were read by (``_old_link``). ``imported``
        (``source``, ``sha256``, ``size``, ``lines``) records, in the same transaction, that
        a file was imported."""
        report = AddReport()
        renumbered: dict[int, int] = {}
        with self._transaction() as db:
            for record in records:
                target = self._link(db, record, renumbered, report)
                if target is _LEAVE_OUT:
                    continue
                seq = self._insert(db, record, target)
                report.added += 1
                if record.seq is not None:
                    renumbered[record.seq] = seq
            if imported is not None:
                db.execute(
                    "INSERT INTO imports (source, sha256, size, lines, added, time) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        imported["source"],
                        imported["sha256"],
                        imported["size"],
                        imported["lines"],
                        report.added,
                        now_iso(),
                    ),
                )
        return report

    def _link(
        self,
        db: sqlite3.Connection,
        record: LabelRecord,
        renumbered: dict[int, int],
        report: AddReport,
    ) -> _Link:
        """The ``supersedes`` of a record being added (``_LEAVE_OUT``: leave the record out)."""
        if record.seq is not None and record.supersedes is not None:
            target = renumbered.get(record.supersedes)
            if target is None:
                raise InputError(
                    self.path,
                    f"the record {record.seq} of {record.id!r} supersedes record "
                    f"{record.supersedes}, which comes nowhere before it",
                )
            return target
        return self._old_link(db, record, report)

    def _old_link(self, db: sqlite3.Connection, record: LabelRecord, report: AddReport) -> _Link:
        """How an old store's line is linked: an undo withdraws the labeller's standing answer
        (else the latest moderator's, else the latest); a ``corrects`` line replaces the
        labeller's label (else the latest moderator's); one labeller's different label without
        a ``corrects`` replaces theirs too (counted in ``made_corrections``)."""
        own_row = self._position_in(db, record.id, record.labeller)
        own = _record(own_row) if own_row else None
        if record.action == "skip":
            return None
        if record.action == "undo":
            target = own.seq if own else self._latest(db, record.id)
            if target is None:
                report.ignored_undos += 1
                return _LEAVE_OUT
            return target
        if own is not None and own.action == "label":
            if record.corrects is not None or own.label != record.label:
                report.made_corrections += record.corrects is None
                return own.seq
            return None
        if record.corrects is not None:
            return self._latest(db, record.id, labels_only=True)
        return None

    @staticmethod
    def _latest(
        db: sqlite3.Connection, comment_id: str, *, labels_only: bool = False
    ) -> int | None:
        """The latest standing answer of the comment: a moderator's if there is one."""
        only = "AND a.action = 'label'" if labels_only else ""
        row = db.execute(
            "SELECT a.seq FROM positions AS p JOIN answers AS a ON a.seq = p.seq "
            f"WHERE p.comment_id = ? {only} ORDER BY a.role = 'moderator' DESC, a.seq DESC "
            "LIMIT 1",
            (comment_id,),
        ).fetchone()
        return int(row[0]) if row else None


def _current_answers(db: sqlite3.Connection) -> CurrentAnswers:
    ids, codes = db.execute(CURRENT_COLUMNS).fetchone()
    found = ids.split(SEPARATOR) if ids else []
    if len(found) == len(codes or ""):
        return CurrentAnswers(found, codes or "")
    # an id holding the separator: read row by row instead
    rows = db.execute("SELECT comment_id, code FROM current").fetchall()
    return CurrentAnswers([cid for cid, _ in rows], "".join(c for _, c in rows))


def _dumps(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


def _record(row: Any) -> LabelRecord:
    (seq, cid, action, label, labeller, role, time, supersedes, text, thread_id, model) = row[:11]
    scores, source, extra, corrects = row[11:]
    return LabelRecord(
        id=cid,
        action=action,
        label=label,
        labeller=labeller,
        role=role,
        time=time,
        text=text,
        thread_id=thread_id,
        model=model,
        scores=orjson.loads(scores) if scores else None,
        source=source,
        supersedes=supersedes,
        corrects=corrects,
        seq=seq,
        extra=orjson.loads(extra) if extra else {},
    )
