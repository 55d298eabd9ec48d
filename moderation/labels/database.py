"""The SQLite file under a label store: opened safely, kept in WAL mode, migrated, written in
transactions that queue fairly across processes, checkpointed off the writers' path.

- A store is opened only as the regular file it is: a symbolic link (to it or to one of the
  files SQLite keeps beside it), a device, a FIFO or a socket is refused (``check_store_file``);
  a file that is not a SQLite database, or another program's database, is refused too.
- ``PRAGMA user_version`` is the schema's version: an older store is migrated in one
  transaction as it is opened (``schema.MIGRATIONS``); a newer one is refused.
- Writes are ``BEGIN IMMEDIATE`` transactions. Writers of this package queue on ``STORE-lock``
  (``flock``) first: a writer waiting there is woken the moment the store is free, where
  SQLite's busy handler would sleep and retry and could lose the race again and again; SQLite's
  own lock (waiting ``BUSY_SECONDS``) still guards against every other writer.
- After the first write, WAL checkpoints run in a thread with a connection of their own
  (``_Checkpointer``), so no commit waits for one.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import stat
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Self
from urllib.parse import quote

from moderation.errors import InputError, ModerationError
from moderation.labels.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, SQLITE_HEADER

BUSY_SECONDS = 30.0  # how long a writer waits for another before giving up
MEMORY = ":memory:"  # the path of a store held in memory (label files read by the same rules)
_SIDE_FILES = ("-wal", "-shm", "-journal", "-lock")


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


class StoreDatabase:
    """The SQLite file of a label store at ``path`` (created when missing, unless
    ``create=False``; ``MEMORY``: a store in memory). Thread-safe: one connection, one writer
    at a time in this process."""

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

    def __enter__(self) -> Self:
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
