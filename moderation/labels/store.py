"""The label store: every answer moderators (and the platform) gave, in a SQLite database.

One store is one SQLite file (``labels.db``) in WAL mode, shared by every writer at once: the
review page, `moderation label` in a terminal, a spreadsheet import, `moderation serve` taking
the platform's decisions, in as many processes and threads as there are. Each answer, undo,
decision or import is one transaction; a writer waits for another (``BUSY_SECONDS``) rather
than failing. The schema (``labels.schema``) keeps the history append-only and each comment's
current answer beside it.

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

import contextlib
import fcntl
import os
import sqlite3
import stat
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson

from moderation.errors import InputError, ModerationError
from moderation.files import now_iso
from moderation.labels.record import LabelRecord
from moderation.labels.schema import (
    APPLICATION_ID,
    LABEL_CODES,
    MIGRATIONS,
    SCHEMA_VERSION,
    SQLITE_HEADER,
    STATE_CODES,
)

BUSY_SECONDS = 30.0  # how long a writer waits for another before giving up
MEMORY = ":memory:"  # the path of a store held in memory (label files read by the same rules)
STATES = ("labelled", "weak", "disagreement", "skipped")
_SIDE_FILES = ("-wal", "-shm", "-journal", "-lock")
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


@dataclass(frozen=True)
class Current:
    """A comment's current answer: ``state`` (``labelled``, ``weak``, ``disagreement`` or
    ``skipped``), the settled ``label`` (None for a disagreement or a skip) and the answer
    that decides it."""

    state: str
    label: str | None
    record: LabelRecord


_SEPARATOR = "\x1f"  # the unit separator, between comment ids
_CURRENT_COLUMNS = "SELECT group_concat(comment_id, char(31)), group_concat(code, '') FROM current"
_DECODED = {
    **{code: ("labelled", label) for label, code in LABEL_CODES.items()},
    **{code.upper(): ("weak", label) for label, code in LABEL_CODES.items()},
    **{code: (state, None) for state, code in STATE_CODES.items()},
}


class CurrentAnswers(Mapping[str, tuple[str, "str | None"]]):
    """Comment id -> ``(state, label)`` for every answered comment, kept as the store gives
    them: the ids in a list and their answers as one character each (``schema.LABEL_CODES``);
    the index by id is built the first time one is looked up."""

    def __init__(self, ids: list[str], codes: str):
        self.ids, self.codes = ids, codes
        self._index: dict[str, int] | None = None

    def _position(self, comment_id: str) -> int | None:
        if self._index is None:
            self._index = {cid: n for n, cid in enumerate(self.ids)}
        return self._index.get(comment_id)

    def __getitem__(self, comment_id: str) -> tuple[str, str | None]:
        position = self._position(comment_id)
        if position is None:
            raise KeyError(comment_id)
        return _DECODED[self.codes[position]]

    def __contains__(self, comment_id: object) -> bool:
        return isinstance(comment_id, str) and self._position(comment_id) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def items(self) -> Iterator[tuple[str, tuple[str, str | None]]]:  # type: ignore[override]
        return ((cid, _DECODED[code]) for cid, code in zip(self.ids, self.codes))

    def label(self, comment_id: str) -> str | None:
        """The comment's settled label (None: unanswered, skipped or disagreed on)."""
        return self.get(comment_id, ("", None))[1]

    def with_state(self, *states: str) -> set[str]:
        """The comments whose current answer is in one of ``states``."""
        wanted = {code for code, (state, _) in _DECODED.items() if state in states}
        return {cid for cid, code in zip(self.ids, self.codes) if code in wanted}


@dataclass
class AddReport:
    """What adding records from a file did."""

    added: int = 0
    made_corrections: int = 0  # one labeller's changed label without a correction line
    ignored_undos: int = 0  # undo lines with nothing standing to withdraw


class _Checkpointer:
    """Moves what writers committed from the WAL into the database file, in a thread and a
    connection of its own, every ``every`` seconds: no writer waits for a checkpoint (SQLite
    would otherwise run one inside a commit now and then, with two fsyncs). PASSIVE: it never
    blocks a writer or a reader, and copies what it can."""

    def __init__(self, uri: str, every: float = 0.5):
        self._uri, self._every = uri, every
        self._stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="label-store-checkpoint", daemon=True
        )
        self._thread.start()

    def _run(self) -> None:
        try:
            db = sqlite3.connect(self._uri, uri=True, timeout=0.1, isolation_level=None)
        except sqlite3.Error:
            return
        try:
            while not self._stopping.wait(self._every):
                with contextlib.suppress(sqlite3.Error):
                    db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            db.close()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()


class NothingToUndo(ModerationError):
    """The labeller has no standing answer for that comment."""


def check_store_file(path: Path) -> bool:
    """Whether a store file exists at ``path``; a symbolic link, a device, a FIFO or a socket
    (there or beside it, as SQLite's journal files) is an error: the store is opened only as
    the regular file it is."""
    exists = False
    for candidate in (path, *(path.with_name(path.name + side) for side in _SIDE_FILES)):
        try:
            found = os.lstat(candidate)
        except FileNotFoundError:
            continue
        except OSError as err:
            raise InputError(candidate, f"cannot be read ({err.strerror})") from None
        if stat.S_ISLNK(found.st_mode):
            raise InputError(
                candidate,
                "is a symbolic link; a label store is opened only as itself",
                hint="give the path of the file it points to",
            )
        if not stat.S_ISREG(found.st_mode):
            raise InputError(
                candidate,
                "is not a regular file (a folder, device, FIFO or socket)",
                hint="give a label store file",
            )
        exists = exists or candidate == path
    return exists


def _check_header(path: Path) -> None:
    with open(path, "rb") as handle:
        head = handle.read(len(SQLITE_HEADER))
    if head and head != SQLITE_HEADER:
        raise InputError(
            path,
            "is not a label store (not a SQLite database)",
            hint="give the .db file `moderation label` or `serve` writes",
        )


class LabelStore:
    """A label store at ``path`` (created when missing, unless ``create=False``). Thread-safe:
    one connection, one writer at a time in this process, SQLite's lock between processes.
    For a path that may be an old JSONL store, use :func:`open_store`."""

    def __init__(
        self, path: str | Path, *, create: bool = True, busy_seconds: float = BUSY_SECONDS
    ):
        self.path = Path(path)
        self.notes: list[str] = []  # what a person should be told about opening it
        if str(path) == MEMORY:
            uri = "file::memory:?mode=memory"
        else:
            exists = check_store_file(self.path)
            if exists:
                _check_header(self.path)
            elif not create:
                raise InputError(self.path, "not found", hint="give a label store (a .db file)")
            elif not self.path.parent.is_dir():
                raise InputError(self.path, f"the folder {self.path.parent} does not exist")
            mode = "rwc" if create else "rw"
            uri = f"file:{quote(str(self.path.absolute()))}?mode={mode}"
        self.busy_seconds = busy_seconds
        self._lock = threading.RLock()
        self._synchronous = ""
        self._queue: int | None = None
        self._uri = uri
        self._checkpointer: _Checkpointer | None = None
        try:
            self._db = sqlite3.connect(
                uri,
                uri=True,
                timeout=busy_seconds,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as err:
            raise self._error(err) from None
        try:
            self._queue = self._open_queue()
            self._prepare()
        except BaseException:
            self.close()
            raise

    # --- opening ------------------------------------------------------------------------------

    def _prepare(self) -> None:
        db = self._db
        try:
            if db.execute("PRAGMA journal_mode").fetchone()[0] not in ("wal", "memory"):
                db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA foreign_keys=ON")
            self._set_synchronous(True)
            version, app = self._versions()
            if version == SCHEMA_VERSION and app == APPLICATION_ID:
                return
            with self._transaction():  # the check again, under the write lock
                version, app = self._versions()
                self._check_versions(version, app)
                for step in MIGRATIONS[version:]:
                    step(db)
                db.execute(f"PRAGMA application_id={APPLICATION_ID}")
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.Error as err:
            raise self._error(err) from None

    def _versions(self) -> tuple[int, int]:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        app = self._db.execute("PRAGMA application_id").fetchone()[0]
        return version, app

    def _check_versions(self, version: int, app: int) -> None:
        empty = not self._db.execute("SELECT 1 FROM sqlite_schema LIMIT 1").fetchone()
        if app != APPLICATION_ID and not (app == 0 and version == 0 and empty):
            raise InputError(
                self.path,
                "is a SQLite database, but not a label store",
                hint="give the .db file `moderation label` or `serve` writes",
            )
        if version > SCHEMA_VERSION:
            raise InputError(
                self.path,
                f"was written by a newer version of moderation (store schema {version}, this "
                f"version reads up to {SCHEMA_VERSION})",
                hint="upgrade moderation (`pip install -U moderation`)",
            )

    def _error(self, err: sqlite3.Error) -> ModerationError:
        """A SQLite error as one line naming the store."""
        text = str(err)
        if "not a database" in text or "malformed" in text:
            return InputError(self.path, f"is not a readable label store ({text})")
        if "locked" in text or "busy" in text:
            return ModerationError(
                f"{self.path}: the label store stayed busy for {self.busy_seconds:g} s (another "
                "writer held it); try again"
            )
        if isinstance(err, sqlite3.IntegrityError):
            return InputError(self.path, f"the store refused a record ({text})")
        return ModerationError(f"{self.path}: {text}")

    def __enter__(self) -> LabelStore:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            if self._checkpointer is not None:
                self._checkpointer.stop()
                self._checkpointer = None
                with contextlib.suppress(sqlite3.Error):  # what is left, now
                    self._db.execute("PRAGMA wal_checkpoint(PASSIVE)")
            self._db.close()
            if self._queue is not None:
                os.close(self._queue)
                self._queue = None

    def _start_checkpoints(self) -> None:
        """On the first write of a store on disk: checkpoints move to their own thread."""
        if self._checkpointer is None and str(self.path) != MEMORY:
            self._db.execute("PRAGMA wal_autocheckpoint=0")
            self._checkpointer = _Checkpointer(self._uri)

    # --- transactions -------------------------------------------------------------------------

    def _set_synchronous(self, durable: bool) -> None:
        wanted = "FULL" if durable else "NORMAL"
        if self._synchronous != wanted:
            self._db.execute(f"PRAGMA synchronous={wanted}")
            self._synchronous = wanted

    @contextlib.contextmanager
    def _transaction(self, *, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``: the write lock is taken first, so what
        is read inside is what the write is decided on). Writers of this package also queue
        on ``STORE-lock`` first (``flock``): a writer waiting there is woken the moment the
        store is free, where SQLite's busy handler would sleep and retry, and could lose the
        race again and again while another process kept writing."""
        with self._lock, self._writers_queue():
            db = self._db
            try:
                if not db.in_transaction:
                    self._set_synchronous(durable)
                    self._start_checkpoints()
                db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as err:
                raise self._error(err) from None
            try:
                yield db
                db.execute("COMMIT")
            except sqlite3.Error as err:
                _rollback(db)
                raise self._error(err) from None
            except BaseException:
                _rollback(db)
                raise

    @contextlib.contextmanager
    def _writers_queue(self) -> Iterator[None]:
        if self._queue is None:
            yield
            return
        fcntl.flock(self._queue, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._queue, fcntl.LOCK_UN)

    def _open_queue(self) -> int | None:
        """The writers' queue file beside the store (None in memory, or where it cannot be
        made: then SQLite's own lock alone serialises writers)."""
        if str(self.path) == MEMORY:
            return None
        try:
            return os.open(
                f"{self.path}-lock",
                os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC,
                0o666,
            )
        except OSError:
            return None

    # --- reading ------------------------------------------------------------------------------

    def _rows(self, sql: str, parameters: Iterable[Any] = ()) -> list[LabelRecord]:
        with self._lock:
            try:
                rows = self._db.execute(f"SELECT {_COLUMNS} FROM {_FROM} {sql}", tuple(parameters))
                return [_record(row) for row in rows]
            except sqlite3.Error as err:
                raise self._error(err) from None

    def _fetch(self, sql: str, parameters: Iterable[Any] = ()) -> list[Any]:
        """The rows of a read, a SQLite error as the store's one-line error."""
        with self._lock:
            try:
                return self._db.execute(sql, tuple(parameters)).fetchall()
            except sqlite3.Error as err:
                raise self._error(err) from None

    def _scalar(self, sql: str, parameters: Iterable[Any] = ()) -> Any:
        rows = self._fetch(sql, parameters)
        return rows[0][0] if rows else None

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
        where, parameters = ["a.seq > ?"], [since]
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
        with self._lock:
            try:
                ids, codes = self._db.execute(_CURRENT_COLUMNS).fetchone()
                found = ids.split(_SEPARATOR) if ids else []
                if len(found) == len(codes or ""):
                    return CurrentAnswers(found, codes or "")
                # an id holding the separator: read row by row instead
                rows = self._db.execute("SELECT comment_id, code FROM current").fetchall()
                return CurrentAnswers([cid for cid, _ in rows], "".join(c for _, c in rows))
            except sqlite3.Error as err:
                raise self._error(err) from None

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

    def imports(self) -> list[dict[str, Any]]:
        """The old JSONL stores imported into this one."""
        rows = self._fetch(
            "SELECT source, sha256, size, lines, added, time FROM imports ORDER BY rowid"
        )
        names = ("source", "sha256", "size", "lines", "added", "time")
        return [dict(zip(names, row)) for row in rows]

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
        if record.action != "label" or record.role != "platform":
            raise ValueError("decide() takes the platform's label")
        with self._transaction(durable=False) as db:
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
        self, records: Iterable[LabelRecord], *, imported: dict[str, Any] | None = None
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
                if target is False:
                    continue
                seq = self._insert(db, record, target)  # type: ignore[arg-type]
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
    ) -> int | None | bool:
        """The ``supersedes`` of a record being added (False: leave the record out)."""
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

    def _old_link(self, db: sqlite3.Connection, record: LabelRecord, report: AddReport) -> Any:
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
                return False
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
    def _latest(db: sqlite3.Connection, comment_id: str, *, labels_only: bool = False) -> Any:
        """The latest standing answer of the comment: a moderator's if there is one."""
        only = "AND a.action = 'label'" if labels_only else ""
        row = db.execute(
            "SELECT a.seq FROM positions AS p JOIN answers AS a ON a.seq = p.seq "
            f"WHERE p.comment_id = ? {only} ORDER BY a.role = 'moderator' DESC, a.seq DESC "
            "LIMIT 1",
            (comment_id,),
        ).fetchone()
        return row[0] if row else None

    def checkpoint(self) -> None:
        """Move everything written into the database file itself (before a copy, or a
        rename)."""
        with self._lock:
            try:
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as err:
                raise self._error(err) from None

    def backup(self, destination: str | Path) -> None:
        """A consistent copy of the store, taken while others may be writing (SQLite's online
        backup)."""
        target = sqlite3.connect(str(destination))
        try:
            with self._lock:
                self._db.backup(target)
        finally:
            target.close()


def _rollback(db: sqlite3.Connection) -> None:
    with contextlib.suppress(sqlite3.Error):
        if db.in_transaction:
            db.execute("ROLLBACK")


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
