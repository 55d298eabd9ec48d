"""Who holds a label store: the process with SQLite's write lock on it, as the system's lock
table (``/proc/locks``, Linux) tells, so a writer that gave up waiting can say whom it waited
for, and whether that process is stopped (Ctrl-Z) rather than busy.

A writer of this package holds ``STORE-lock`` (``flock``) for as long as its transaction
lasts, and any SQLite writer in WAL mode a POSIX lock on byte ``WAL_WRITE_LOCK`` of the
store's ``-shm`` file. Where the system keeps no such table, or the holder cannot be seen,
nothing is said.
"""

from __future__ import annotations

import os
from pathlib import Path

LOCKS = Path("/proc/locks")
WAL_WRITE_LOCK = 120  # the byte of the -shm file a WAL writer locks (SQLite's wal.c)
_COMMAND = 80  # characters of a holder's command line shown


def lock_holders(path: Path, locks: Path = LOCKS) -> list[int]:
    """The processes holding the write lock of the store at ``path`` (none when unknown)."""
    inodes = {}
    for suffix, kind in (("-lock", "FLOCK"), ("-shm", "POSIX")):
        try:
            inodes[os.stat(f"{path}{suffix}").st_ino] = kind
        except OSError:
            pass
    try:
        table = locks.read_text() if inodes else ""
    except OSError:
        return []
    found = []
    for line in table.splitlines():
        fields = line.split()
        if len(fields) < 8 or fields[1] not in ("FLOCK", "POSIX") or fields[3] != "WRITE":
            continue
        try:
            pid, inode = int(fields[4]), int(fields[5].rsplit(":", 1)[1])
            start, end = int(fields[6]), fields[7]
        except (ValueError, IndexError):
            continue
        if inodes.get(inode) != fields[1]:
            continue
        if fields[1] == "FLOCK" or start <= WAL_WRITE_LOCK <= (
            int(end) if end.isdigit() else WAL_WRITE_LOCK
        ):
            found.append(pid)
    return found


def describe_holder(path: Path) -> str | None:
    """``process 1234 (moderation label ...) holds it, and is stopped ...``, or None."""
    holders = [pid for pid in lock_holders(path) if pid > 0]
    if not holders:
        return None
    others = [pid for pid in holders if pid != os.getpid()]
    if not others:
        return "another connection of this process holds it"
    pid = others[0]
    text = f"process {pid}"
    command = _command(pid)
    if command:
        text += f" ({command})"
    text += " holds it"
    if _stopped(pid):
        text += f", and is stopped (resume it with `fg` or `kill -CONT {pid}`, or end it)"
    return text


def _command(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    words = [part.decode("utf-8", "replace") for part in raw.split(b"\0") if part]
    words = [os.path.basename(words[0]), *words[1:]] if words else []
    command = " ".join(" ".join(words).split())
    return command if len(command) <= _COMMAND else command[: _COMMAND - 3] + "..."


def _stopped(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return status.rpartition(")")[2].split()[:1] in (["T"], ["t"])
