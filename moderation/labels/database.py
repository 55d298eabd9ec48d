"""The SQLite file under a label store: opened safely, kept in WAL mode, migrated, written in
transactions, checkpointed off the writers' path.

- A store is opened only as the regular file it is: a symbolic link (to it or to one of the
  files SQLite keeps beside it), a device, a FIFO or a socket is refused (``check_store_file``);
  the folders on its path are followed, as for every file this package writes. A file that is
  not a SQLite database, or another program's database, is refused before anything is written
  to it or created beside it.
- A new store is created readable and writable by its owner only (0600); SQLite gives the
  ``-wal`` and ``-shm`` files beside it the same permissions.
- ``PRAGMA user_version`` is the schema's version: an older store is migrated in one
  transaction as it is opened (``schema.MIGRATIONS``); a newer one is refused.
- Writes are ``BEGIN IMMEDIATE`` transactions. A writer that finds the store busy polls for it
  (from half a millisecond up to ``POLL_SECONDS`` apart), for ``busy_seconds`` at most
  (``BUSY_SECONDS``, or ``MODERATION_STORE_WAIT`` from the environment), then raises
  ``StoreUnavailable`` naming the store and, where the system says, the process holding it
  (and whether it is stopped, as by Ctrl-Z). Once a wait has run out, the writers after it wait
  ``STUCK_SECONDS`` at most until the store takes a write again, so a server's queue of
  writes drains in seconds. ``stop_waiting()`` (and ``close()``) ends every wait at once: a
  server told to stop does not wait for the store.
- After the first write, WAL checkpoints run in a thread with a connection of their own
  (``_Checkpointer``), so no commit waits for one.
"""

from __future__ import annotations

import contextlib
import fcntl
import math
import os
import queue
import random
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Self, TypeVar
from urllib.parse import quote

from moderation.errors import InputError, ModerationError, StoreUnavailable, UsageError
from moderation.labels.holders import describe_holder
from moderation.labels.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, SQLITE_HEADER

BUSY_SECONDS = 30.0  # how long a writer waits for another before giving up
WAIT_VARIABLE = "MODERATION_STORE_WAIT"  # the environment's say on it (seconds)
STUCK_SECONDS = 1.0  # the wait of the writers after one that gave up, until a write succeeds
POLL_SECONDS = 0.004  # the longest sleep between two tries of a busy store
MEMORY = ":memory:"  # the path of a store held in memory (label files read by the same rules)
_SIDE_FILES = ("-wal", "-shm", "-journal", "-lock")
_BUSY_CODES = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
# the store cannot take a write now, through no fault of the write: full, read-only, I/O
_UNAVAILABLE_CODES = (
    sqlite3.SQLITE_FULL,
    sqlite3.SQLITE_READONLY,
    sqlite3.SQLITE_IOERR,
    sqlite3.SQLITE_CANTOPEN,
)
T = TypeVar("T")


def wait_seconds(given: float | None = None) -> float:
    """How long a writer waits for the store: ``given``, else ``MODERATION_STORE_WAIT`` from
    the environment, else ``BUSY_SECONDS``."""
    if given is not None:
        return given
    text = os.environ.get(WAIT_VARIABLE, "").strip()
    if not text:
        return BUSY_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not math.isfinite(seconds) or seconds < 0:
        raise UsageError(
            f"{WAIT_VARIABLE}={text!r}: give the seconds a writer waits for the label store "
            f"(a number, {BUSY_SECONDS:g} when unset)"
        )
    return seconds


def _code(err: sqlite3.Error) -> int:
    return int(getattr(err, "sqlite_errorcode", 0) or 0) & 0xFF


def _is_busy(err: sqlite3.Error) -> bool:
    return isinstance(err, sqlite3.OperationalError) and (
        _code(err) in _BUSY_CODES
        or (not _code(err) and ("locked" in str(err) or "busy" in str(err)))
    )


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


class _Turn:
    """One writer's place in the writers' queue."""

    def __init__(self) -> None:
        self.ready = threading.Event()  # the queue is ours
        self.done = threading.Event()  # the transaction is over: let the queue go
        self.lock = threading.Lock()
        self.given = False
        self.abandoned = False


class _WritersQueue:
    """``STORE-lock``, taken for this process's writers by a thread of its own: it waits in
    ``flock`` (woken by the kernel the moment the holder lets go, in turn), while the writer
    waits for it with a deadline and gives up when that passes; a turn given up is handed back
    as soon as it comes."""

    def __init__(self, fd: int):
        self._fd = fd
        self.pid = os.getpid()  # a forked child has no such thread: it opens its own queue
        self._turns: queue.SimpleQueue[_Turn | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="label-store-queue", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while (turn := self._turns.get()) is not None:
                fcntl.flock(self._fd, fcntl.LOCK_EX)
                try:
                    with turn.lock:
                        turn.given = not turn.abandoned
                    if turn.given:
                        turn.ready.set()
                        turn.done.wait()
                finally:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            os.close(self._fd)  # the thread owns the file: it may wait in flock after close()

    def take(self, deadline: float, stopping: threading.Event) -> _Turn | None:
        """A turn (``done.set()`` it when the write is over), or None: the deadline passed, or
        ``stopping`` was set, first."""
        turn = _Turn()
        self._turns.put(turn)
        while not turn.ready.wait(max(0.0, min(0.1, deadline - time.monotonic()))):
            if time.monotonic() >= deadline or stopping.is_set():
                with turn.lock:
                    turn.abandoned = not turn.given
                if turn.abandoned:
                    return None
        return turn

    def close(self) -> None:
        """The thread ends, and closes the file (now, or when the turn it waits for comes, if
        the holder is stuck: it is a daemon thread)."""
        self._turns.put(None)


def check_store_file(path: Path) -> bool:
    """Whether a store file exists at ``path``; a symbolic link, a device, a FIFO or a socket
    (there or beside it, as SQLite's journal files) is an error: the store is opened only as
    the regular file it is. The folders on the path are followed (only the file is checked,
    as ``O_NOFOLLOW`` does for every file this package writes)."""
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


def _create_private(path: Path) -> None:
    """An empty file at ``path``, readable and writable by its owner only (SQLite makes a
    database of it, and gives its ``-wal`` and ``-shm`` the same permissions)."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600))


class StoreDatabase:
    """The SQLite file of a label store at ``path`` (created when missing, unless
    ``create=False``; ``MEMORY``: a store in memory). Thread-safe: one connection, one writer
    at a time in this process. A writer waits ``busy_seconds`` at most for others (None:
    ``wait_seconds()``)."""

    def __init__(self, path: str | Path, *, create: bool = True, busy_seconds: float | None = None):
        self.path = Path(path)
        self.notes: list[str] = []  # what a person should be told about opening it
        self.busy_seconds = wait_seconds(busy_seconds)
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._stuck = False  # a wait ran out and no write went through since
        self._synchronous = ""
        self._checkpointer: _Checkpointer | None = None
        self._queue: _WritersQueue | None = None
        self._made_lock: str | None = None  # the lock file, when opening made it
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
            else:
                try:
                    _create_private(self.path)
                except OSError as err:
                    raise InputError(self.path, f"cannot be created ({err.strerror})") from None
            uri = f"file:{quote(str(self.path.absolute()))}?mode={'rwc' if create else 'rw'}"
        self._uri = uri
        try:
            # SQLite's own busy handler is off: waits are ours (``_until_free``), bounded
            self._db = sqlite3.connect(
                uri, uri=True, timeout=0.0, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as err:
            raise self._error(err) from None
        try:
            self._prepare()
        except BaseException:
            self.close()
            if self._made_lock:  # a store refused here leaves nothing of ours beside it
                with contextlib.suppress(OSError):
                    os.unlink(self._made_lock)
            raise

    def __bool__(self) -> bool:
        return True  # a store is a store, empty or not (``__len__`` counts its rows)

    # --- opening ------------------------------------------------------------------------------

    def _prepare(self) -> None:
        """Refuse a file that is not a label store (before anything is written to it or made
        beside it), then the writers' queue, WAL mode, and the migrations an older store
        needs."""
        db = self._db
        try:
            version, app = self._until_free(self._versions)
            current = version == SCHEMA_VERSION and app == APPLICATION_ID
            if not current:
                self._until_free(lambda: self._check_versions(version, app))
            self._open_queue()
            self._until_free(self._settings)
            if current:
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

    def _open_queue(self) -> None:
        """The writers' queue file beside the store, ``STORE-lock`` (none in memory, or where
        it cannot be made: then SQLite's own lock alone serialises writers). Made 0600, and
        made so when an earlier version left it open to others."""
        if str(self.path) == MEMORY:
            return
        name, flags = f"{self.path}-lock", os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC
        try:
            try:
                fd = os.open(name, flags | os.O_CREAT | os.O_EXCL, 0o600)
                self._made_lock = name
            except FileExistsError:
                fd = os.open(name, flags)
        except OSError:
            return
        with contextlib.suppress(OSError):
            found = os.fstat(fd)
            if found.st_uid == os.geteuid() and found.st_mode & 0o077:
                os.fchmod(fd, 0o600)
        self._queue = _WritersQueue(fd)

    def _settings(self) -> None:
        db = self._db
        if db.execute("PRAGMA journal_mode").fetchone()[0] not in ("wal", "memory"):
            db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA foreign_keys=ON")
        self._set_synchronous(True)

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

    def _error(self, err: sqlite3.Error, waited: float | None = None) -> ModerationError:
        """A SQLite error as one line naming the store."""
        text = str(err)
        if "not a database" in text or "malformed" in text:
            return InputError(self.path, f"is not a readable label store ({text})")
        if _is_busy(err):
            return self._unavailable(self.busy_seconds if waited is None else waited)
        if _code(err) in _UNAVAILABLE_CODES:
            return StoreUnavailable(f"{self.path}: {text}; nothing was written, try again")
        if isinstance(err, sqlite3.IntegrityError):
            return InputError(self.path, f"the store refused a record ({text})")
        return ModerationError(f"{self.path}: {text}")

    def _unavailable(self, waited: float) -> StoreUnavailable:
        if self._stopping.is_set():
            return StoreUnavailable(f"{self.path}: the label store is closing; nothing was written")
        holder = describe_holder(self.path) if str(self.path) != MEMORY else None
        return StoreUnavailable(
            f"{self.path}: the label store stayed busy for {waited:.3g} s: "
            f"{holder or 'another writer held it'}; nothing was written, try again"
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def stop_waiting(self) -> None:
        """End every wait for the store now, and refuse later ones (``StoreUnavailable``):
        for a server that is stopping."""
        self._stopping.set()

    def close(self) -> None:
        self.stop_waiting()
        with self._lock:
            if self._checkpointer is not None:
                self._checkpointer.stop()
                self._checkpointer = None
                with contextlib.suppress(sqlite3.Error):  # what is left, now
                    self._db.execute("PRAGMA wal_checkpoint(PASSIVE)")
            if hasattr(self, "_db"):
                self._db.close()
            if self._queue is not None:
                self._queue.close()
                self._queue = None

    def _start_checkpoints(self) -> None:
        """On the first write of a store on disk: checkpoints move to their own thread."""
        if self._checkpointer is None and str(self.path) != MEMORY:
            self._db.execute("PRAGMA wal_autocheckpoint=0")
            self._checkpointer = _Checkpointer(self._uri)

    # --- waiting ------------------------------------------------------------------------------

    def _wait_limit(self) -> float:
        """How long the next wait may last: ``busy_seconds``, or ``STUCK_SECONDS`` after a
        wait that ran out, until a write goes through again."""
        return min(self.busy_seconds, STUCK_SECONDS) if self._stuck else self.busy_seconds

    def _until_free(
        self,
        attempt: Callable[[], T],
        *,
        keep_lock: bool = False,
        started: float | None = None,
    ) -> T:
        """``attempt()`` under this process's lock, tried again while another connection holds
        the store: sleeps from 0.5 ms growing to ``POLL_SECONDS``, each with the lock let go
        (this process's readers go on meanwhile), until ``_wait_limit()`` after the first
        try (or after ``started``, a ``time.monotonic()``), or ``stop_waiting()``.
        ``keep_lock``: the lock is still held when it returns (the caller lets it go)."""
        deadline = None if started is None else started + self._wait_limit()
        pause = 0.0005
        while True:
            self._lock.acquire()
            try:
                result = attempt()
            except sqlite3.Error as err:
                self._lock.release()
                if not _is_busy(err):
                    raise
            except BaseException:
                self._lock.release()
                raise
            else:
                if not keep_lock:
                    self._lock.release()
                self._stuck = False
                return result
            now = time.monotonic()
            if started is None or deadline is None:
                started, deadline = now, now + self._wait_limit()
            if now >= deadline or self._stopping.is_set():
                self._stuck = True
                raise self._unavailable(now - started)
            self._stopping.wait(min(pause * random.uniform(0.5, 1.0), deadline - now))
            pause = min(pause * 2, POLL_SECONDS)

    # --- transactions -------------------------------------------------------------------------

    def _set_synchronous(self, durable: bool) -> None:
        wanted = "FULL" if durable else "NORMAL"
        if self._synchronous != wanted:
            self._db.execute(f"PRAGMA synchronous={wanted}")
            self._synchronous = wanted

    def _begin(self, durable: bool) -> None:
        db = self._db
        if not db.in_transaction:
            self._set_synchronous(durable)
            self._start_checkpoints()
        db.execute("BEGIN IMMEDIATE")

    @contextlib.contextmanager
    def _transaction(self, *, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``: the write lock is taken first, so what
        is read inside is what the write is decided on). Writers of this package queue on
        ``STORE-lock`` first (``_WritersQueue``): a writer waiting there is woken the moment
        the store is free, in turn, where polling SQLite's lock loses the race again and
        again to a process that keeps writing. Both waits together last ``_wait_limit()`` at
        most, then ``StoreUnavailable``."""
        started = time.monotonic()
        with self._lock:
            turn = None
            if self._queue is not None and self._queue.pid != os.getpid():
                self._queue = None  # the parent's thread and file stay the parent's
                self._open_queue()
            if self._queue is not None:
                turn = self._queue.take(started + self._wait_limit(), self._stopping)
                if turn is None:
                    self._stuck = True
                    raise self._unavailable(time.monotonic() - started)
            try:
                with self._transaction_begun(durable, started) as db:
                    yield db
            finally:
                if turn is not None:
                    turn.done.set()

    @contextlib.contextmanager
    def _transaction_begun(self, durable: bool, started: float) -> Iterator[sqlite3.Connection]:
        try:
            self._until_free(lambda: self._begin(durable), keep_lock=True, started=started)
        except sqlite3.Error as err:
            raise self._error(err) from None
        db = self._db
        try:
            yield db
            db.execute("COMMIT")
        except sqlite3.Error as err:
            _rollback(db)
            raise self._error(err) from None
        except BaseException:
            _rollback(db)
            raise
        finally:
            self._lock.release()

    def _fetch(self, sql: str, parameters: Iterable[Any] = ()) -> list[Any]:
        """The rows of a read, a SQLite error as the store's one-line error."""
        return self._read(lambda db: db.execute(sql, tuple(parameters)).fetchall())

    def _read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """``work(connection)`` for a read (tried again while the store is busy, which in WAL
        mode happens only while another connection changes the file's mode or recovers it);
        a SQLite error as the store's one-line error."""
        try:
            return self._until_free(lambda: work(self._db))
        except sqlite3.Error as err:
            raise self._error(err) from None

    def _scalar(self, sql: str, parameters: Iterable[Any] = ()) -> Any:
        rows = self._fetch(sql, parameters)
        return rows[0][0] if rows else None

    def checkpoint(self) -> None:
        """Move everything written into the database file itself (before a copy, or a
        rename)."""
        self._read(lambda db: db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall())

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
