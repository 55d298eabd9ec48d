"""Who holds a label store, read from a lock table written here (the layout of Linux's
/proc/locks), and how that holder is described."""

from __future__ import annotations

import os
import sys

import pytest

from moderation.labels import holders
from moderation.labels.holders import WAL_WRITE_LOCK, describe_holder, lock_holders


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "labels.db"
    for suffix in ("-lock", "-shm"):
        (tmp_path / f"labels.db{suffix}").write_bytes(b"")
    return path


def inode(path):
    return os.stat(path).st_ino


def table(tmp_path, lines):
    locks = tmp_path / "locks"
    locks.write_text("".join(f"{n}: {line}\n" for n, line in enumerate(lines, start=1)))
    return locks


def test_lock_holders_finds_the_flock_and_the_wal_write_lock(tmp_path, store):
    lock, shm = inode(f"{store}-lock"), inode(f"{store}-shm")
    locks = table(
        tmp_path,
        [
            f"FLOCK  ADVISORY  WRITE 101 08:01:{lock} 0 EOF",
            f"POSIX  ADVISORY  WRITE 102 08:01:{shm} {WAL_WRITE_LOCK} {WAL_WRITE_LOCK}",
            f"POSIX  ADVISORY  WRITE 103 08:01:{shm} 0 EOF",
            f"POSIX  ADVISORY  WRITE 104 08:01:{shm} 121 128",  # another byte: not the writer
            f"FLOCK  ADVISORY  READ  105 08:01:{lock} 0 EOF",  # a reader
            f"POSIX  ADVISORY  WRITE 106 08:01:{lock} 0 EOF",  # the wrong kind for that file
            f"FLOCK  ADVISORY  WRITE 107 08:01:{lock + 1000003} 0 EOF",  # another file
            "FLOCK  ADVISORY  WRITE notapid 08:01:1 0 EOF",
            "a short line",
        ],
    )
    assert lock_holders(store, locks) == [101, 102, 103]


def test_lock_holders_says_nothing_without_the_files_or_the_table(tmp_path, store):
    assert lock_holders(tmp_path / "absent.db", tmp_path / "locks") == []
    assert lock_holders(store, tmp_path / "no-such-table") == []


def test_describe_holder_names_another_process_and_whether_it_is_stopped(monkeypatch, store):
    monkeypatch.setattr(holders, "lock_holders", lambda path: [os.getpid(), 4242])
    monkeypatch.setattr(holders, "_command", lambda pid: "moderation label export.json")
    monkeypatch.setattr(holders, "_stopped", lambda pid: True)
    assert describe_holder(store) == (
        "process 4242 (moderation label export.json) holds it, and is stopped (resume it with "
        "`fg` or `kill -CONT 4242`, or end it)"
    )
    monkeypatch.setattr(holders, "_stopped", lambda pid: False)
    monkeypatch.setattr(holders, "_command", lambda pid: "")
    assert describe_holder(store) == "process 4242 holds it"


def test_describe_holder_of_this_process_or_of_nobody(monkeypatch, store):
    monkeypatch.setattr(holders, "lock_holders", lambda path: [os.getpid()])
    assert describe_holder(store) == "another connection of this process holds it"
    monkeypatch.setattr(holders, "lock_holders", lambda path: [])
    assert describe_holder(store) is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_this_processs_command_and_state_are_read_from_proc():
    command = holders._command(os.getpid())
    assert command and len(command) <= 80
    assert holders._stopped(os.getpid()) is False
    assert holders._command(-5) == "" and holders._stopped(-5) is False
