"""The store's file and its waits, attacked with real processes: a writer stopped (Ctrl-Z) in
the middle of a transaction, a server told to stop while it waits, the files a store is made
with, and the files a refused store leaves behind."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time

import pytest

from moderation.errors import InputError, StoreUnavailable
from moderation.labels import schema
from moderation.labels.record import LabelRecord
from moderation.labels.store import LabelStore

from fixtures.servers import start_moderation_server
from review_http import post_json

# a writer of this package that takes the store and keeps it (until it is stopped or killed)
_HOLDER = """
import sys, time
from moderation.labels.store import LabelStore
store = LabelStore(sys.argv[1])
with store._transaction():
    print("holding", flush=True)
    time.sleep(600)
"""

# a writer that answers once and says what happened
_WRITER = """
import sys, time
from moderation.errors import StoreUnavailable
from moderation.labels.record import LabelRecord
from moderation.labels.store import LabelStore
store = LabelStore(sys.argv[1])
for attempt in range(2):
    started = time.monotonic()
    try:
        store.answer(LabelRecord(id="c1", label="civil", text="x", labeller="ana"))
        print("saved")
    except StoreUnavailable as err:
        print(f"{time.monotonic() - started:.2f}", err)
"""


def said(cid, label, who="ana"):
    return LabelRecord(id=cid, label=label, labeller=who, text=f"text {cid}")


def _hold(path):
    """A process holding the store, stopped as by Ctrl-Z."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "holding"
    os.kill(holder.pid, signal.SIGSTOP)
    return holder


def _end(holder):
    holder.kill()  # SIGKILL ends a stopped process too
    holder.wait()
    holder.stdout.close()


def test_a_stopped_writer_makes_others_give_up_in_time_and_says_who_holds_the_store(tmp_path):
    """Finding 1 of the red team: a `label --import` stopped with Ctrl-Z in the middle of its
    transaction froze every other writer for ever. Now a writer waits its limit, gives up
    with StoreUnavailable naming the holder, the next one gives up sooner, and once the
    holder is gone the store takes writes again."""
    path = tmp_path / "labels.db"
    LabelStore(path).close()
    holder = _hold(path)
    try:
        env = {**os.environ, "MODERATION_STORE_WAIT": "0.5"}
        writer = subprocess.run(
            [sys.executable, "-c", _WRITER, str(path)],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        first, second = writer.stdout.splitlines()
        assert "the label store stayed busy" in first and "nothing was written" in first
        assert f"process {holder.pid} (python -c" in first and "is stopped" in first
        assert 0.4 <= float(first.split()[0]) < 10
        assert float(second.split()[0]) < 10  # and no longer than the limit again
    finally:
        _end(holder)
    with LabelStore(path) as store:
        assert store.answer(said("c1", "civil")).outcome == "new"
        assert len(store) == 1


def test_a_writer_waiting_for_the_store_stops_when_told(tmp_path):
    """A server that is stopping ends its writers' waits at once (``stop_waiting``, and
    ``close``), however long they may wait."""
    path = tmp_path / "labels.db"
    LabelStore(path).close()
    holder = _hold(path)
    store = LabelStore(path, busy_seconds=60)
    outcome = []

    def write():
        try:
            store.answer(said("c1", "civil"))
        except StoreUnavailable as err:
            outcome.append((time.monotonic(), str(err)))

    writer = threading.Thread(target=write, daemon=True)
    try:
        writer.start()
        time.sleep(0.3)
        asked = time.monotonic()
        store.stop_waiting()
        writer.join(10)
        assert not writer.is_alive()
        assert outcome and outcome[0][0] - asked < 2 and "closing" in outcome[0][1]
    finally:
        _end(holder)
        writer.join(10)
        if not writer.is_alive():
            store.close()


def test_a_server_answers_and_stops_while_a_stopped_writer_holds_its_store(tmp_path, tiny_model):
    """The red team's repro 03 ("stop") and 04: with the store held by a stopped writer, a
    decision got no answer and SIGTERM did not stop `serve`. Now the decision is refused
    (nothing stored, no 2xx) within the store's wait, and SIGTERM ends the server."""
    path = tmp_path / "labels.db"
    LabelStore(path).close()
    env = {**os.environ, "MODERATION_STORE_WAIT": "1"}
    server, _, base = start_moderation_server(
        ["serve", "--labels", str(path), "--model", str(tiny_model)], env
    )
    holder = _hold(path)
    try:
        decision = {
            "comment": {"text": "a comment"},
            "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}},
            "clientToken": "comment:c1",
        }
        started = time.monotonic()
        status, _ = post_json(base, "/v1alpha1/comments:suggestscore", decision, timeout=30)
        assert status >= 400 and time.monotonic() - started < 20
        pending = threading.Thread(
            target=post_json,
            args=(base, "/v1alpha1/comments:suggestscore", decision, 30),
            daemon=True,
        )
        pending.start()  # a decision waiting for the store when SIGTERM comes
        time.sleep(0.3)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        server.stdout.close()
        _end(holder)
    with LabelStore(path) as store:
        assert len(store) == 0


def test_a_new_store_and_its_lock_are_private_to_their_owner(tmp_path):
    """Finding 12's files: the store and ``-lock`` are made 0600 (anyone who could open the
    lock could hold every writer; anyone who could read the store reads every label), and a
    lock file an earlier version made 0644 is made private too."""
    old_mask = os.umask(0o022)
    try:
        with LabelStore(tmp_path / "labels.db") as store:
            store.answer(said("c1", "civil"))
            for name in ("labels.db", "labels.db-lock", "labels.db-wal", "labels.db-shm"):
                assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o600, name
        older = tmp_path / "older.db"
        LabelStore(older).close()
        os.chmod(f"{older}-lock", 0o644)
        LabelStore(older).close()
        assert stat.S_IMODE(os.stat(f"{older}-lock").st_mode) == 0o600
    finally:
        os.umask(old_mask)


def test_a_refused_file_is_left_as_it_was_with_nothing_made_beside_it(tmp_path):
    """Finding 14: refusing another program's database, a newer store or a corrupt one
    created ``NAME-lock`` beside it; and another program's database must not be switched to
    WAL mode before it is refused."""
    other = tmp_path / "other.db"
    raw = sqlite3.connect(other)
    raw.execute("CREATE TABLE t (x)")
    raw.commit()
    raw.close()
    newer = tmp_path / "newer.db"
    LabelStore(newer).close()
    os.unlink(f"{newer}-lock")
    raw = sqlite3.connect(newer)
    raw.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    raw.close()
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(schema.SQLITE_HEADER + b"\xff" * 5000)
    damaged = tmp_path / "damaged.db"  # its header reads (a label store's), its schema not
    LabelStore(damaged).close()
    os.unlink(f"{damaged}-lock")
    with open(damaged, "r+b") as handle:
        handle.seek(100)
        handle.write(b"\xa5" * 3996)
    before = sorted(p.name for p in tmp_path.iterdir())
    for path, problem in (
        (other, "not a label store"),
        (newer, "newer version"),
        (corrupt, "not a readable label store"),
        (damaged, "not a readable label store"),
    ):
        with pytest.raises(InputError, match=problem):
            LabelStore(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    raw = sqlite3.connect(other)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    raw.close()


def test_a_store_under_a_linked_folder_is_the_file_itself_a_linked_store_is_refused(tmp_path):
    """Finding 14, decided by the package's rule for links (``files.open_no_follow``,
    ``check_replaceable_directory``): the file named is never a link, the folders on its
    path are followed (as ``/tmp`` or a home folder may be)."""
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "linked").symlink_to(real)
    with LabelStore(tmp_path / "linked" / "labels.db") as store:
        store.answer(said("c1", "civil"))
    assert (real / "labels.db").is_file() and not (real / "labels.db").is_symlink()
    (tmp_path / "link.db").symlink_to(real / "labels.db")
    with pytest.raises(InputError, match="is a symbolic link"):
        LabelStore(tmp_path / "link.db")


def test_an_empty_store_is_still_a_store():
    """Finding 13: ``if store:`` read an empty store as no store at all."""
    with LabelStore(":memory:") as store:
        assert len(store) == 0 and store


def test_a_store_opened_before_a_fork_writes_from_the_child(tmp_path):
    """The writers' queue is a thread, which a forked child does not inherit: the child opens
    a queue of its own rather than wait for a thread that is not there."""
    store = LabelStore(tmp_path / "labels.db", busy_seconds=5)
    store.answer(said("parent", "civil"))
    child = os.fork()
    if child == 0:  # pragma: no cover (the child)
        try:
            store.answer(said("child", "civil"))
            os._exit(0)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert sorted(r.id for r in store.history()) == ["child", "parent"]
    store.close()
