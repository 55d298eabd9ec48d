"""Writes to the label store from the server, and what a client is told when the store fails.

A write the store cannot take now (``StoreUnavailable``: another writer held it too long, the
disk is full or read-only; or any SQLite or OS error while writing) is not the client's fault:
it is answered **503 UNAVAILABLE** with ``Retry-After``, so a platform such as Coral sends the
decision again. Only a record the store refuses (``InputError``: a malformed id) is a 400.

Decisions are written by one thread (``StoreWriter``), so requests queue for it rather than
crowd the store's lock; at most ``MAX_WAITING`` wait at once, and the next is answered 503 at
once rather than held. A platform's decisions that wait together are written together, in one
transaction (``LabelStore.decide_all``): under load a transaction takes many, so the writers of
several server processes take turns at the store's lock far less often. Scoring never goes
through this thread, so a stuck store never stalls ``/v1/score`` or ``comments:analyze``.
``/healthz`` reports ``health()``.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from moderation.errors import InputError, ModerationError
from moderation.labels.record import LabelRecord
from moderation.labels.store import LabelStore, Saved

MAX_WAITING = 256  # decisions queued for the writer thread at once
RETRY_SECONDS = 5  # what a 503 for a store failure tells a client to wait
SLOW_SECONDS = 5.0  # a write pending this long makes /healthz say the store is stuck

T = TypeVar("T")


class StoreFailure(Exception):
    """The store could not take a write now: answered 503 with ``Retry-After``. The message
    names the store by its file name only (callers are not told where it lives)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def store_failure(err: BaseException, path: str | Path | None) -> StoreFailure | None:
    """``err`` (raised while writing the store at ``path``) as a ``StoreFailure``, or None
    when it is the record's fault (an ``InputError``) or not the store's at all."""
    if isinstance(err, InputError):
        return None
    if not isinstance(err, ModerationError | sqlite3.Error | OSError):
        return None
    text = str(err)
    if path is not None:
        text = text.replace(str(path), Path(path).name)
    return StoreFailure(f"the answer was not saved: {text}")


class StoreWriter:
    """One thread that writes the store, a bound on what waits for it, and its health."""

    def __init__(self, path: str | Path | None):
        self.path = path
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="label-store")
        self.waiting = 0
        self._pending_since: list[float] = []
        self.failure: str | None = None  # the last write's failure, until one succeeds
        # platform decisions waiting to be written together, and the lock the event loop and
        # the writer thread take turns at to hand them over
        self._decisions: list[tuple[LabelRecord, asyncio.Future[Saved]]] = []
        self._decisions_lock = threading.Lock()

    async def write(self, work: Callable[..., T], *args: Any) -> T:
        """``work(*args)`` on the writer thread; store failures raised as ``StoreFailure``."""
        self._admit()
        loop = asyncio.get_running_loop()
        return await self._waiting(loop.run_in_executor(self._thread, work, *args))

    async def decide(self, store: LabelStore, record: LabelRecord) -> Saved:
        """The platform's decision ``record``, written with the decisions waiting with it in
        one transaction; what ``store.decide`` would give, store failures as ``StoreFailure``."""
        self._admit()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Saved] = loop.create_future()
        with self._decisions_lock:
            self._decisions.append((record, future))
            first = len(self._decisions) == 1
        if first:  # else the writer thread has yet to take those waiting, this one with them
            loop.run_in_executor(self._thread, self._write_decisions, store, loop)
        return await self._waiting(future)

    def _admit(self) -> None:
        """Refuse a write when ``MAX_WAITING`` already wait (before it is handed over)."""
        if self.waiting >= MAX_WAITING:
            raise StoreFailure(
                f"the answer was not saved: {self.waiting} writes are waiting for the label store"
            )

    async def _waiting(self, pending: asyncio.Future[T]) -> T:
        """``pending``'s result, counted among the writes waiting."""
        self.waiting += 1
        started = time.monotonic()
        self._pending_since.append(started)
        try:
            return self.noted(await pending)
        except Exception as err:
            raise self.failed(err) from None
        finally:
            self.waiting -= 1
            self._pending_since.remove(started)

    def _write_decisions(self, store: LabelStore, loop: asyncio.AbstractEventLoop) -> None:
        """On the writer thread: every decision waiting, in one transaction."""
        with self._decisions_lock:
            batch, self._decisions = self._decisions, []
        if not batch:
            return
        results: Sequence[Saved | Exception]
        try:
            results = store.decide_all([record for record, _ in batch])
        except Exception as err:  # the store's failure: every decision of the batch failed
            results = [err] * len(batch)
        for (_, future), result in zip(batch, results):
            loop.call_soon_threadsafe(_settle, future, result)

    def noted(self, result: T) -> T:
        """A write that succeeded: the store is healthy again."""
        self.failure = None
        return result

    def failed(self, err: Exception) -> Exception:
        """``err`` as what to raise: a ``StoreFailure`` (remembered for /healthz) when it is
        the store's, else ``err`` itself."""
        failure = store_failure(err, self.path)
        if failure is None:
            return err
        self.failure = failure.message
        return failure

    def health(self) -> str:
        """``ok``, or why the store cannot be written now."""
        if self.failure:
            return f"unwritable: {self.failure}"
        if self._pending_since:
            waited = time.monotonic() - min(self._pending_since)
            if waited > SLOW_SECONDS:
                return f"stuck: a write has waited {waited:.0f} s for the label store"
        return "ok"

    def close(self) -> None:
        """After the last write under way (writes still queued are dropped: their requests
        have been answered by the server's shutdown)."""
        self._thread.shutdown(wait=True, cancel_futures=True)
        with self._decisions_lock:
            dropped, self._decisions = self._decisions, []
        for _, future in dropped:  # on the event loop's thread, as the server's shutdown runs
            _settle(future, StoreFailure("the answer was not saved: the server is closing"))


def _settle(future: asyncio.Future[Saved], result: Saved | Exception) -> None:
    """Hand a decision's outcome to the request waiting for it (unless it has gone)."""
    if future.done():
        return
    if isinstance(result, Exception):
        future.set_exception(result)
    else:
        future.set_result(result)
