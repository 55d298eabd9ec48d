"""Files on disk, each kind written one way: atomic files and directories, durable appends,
checksums, timestamps, and JSON-lines files that may end in a torn line.

- A file a command writes appears whole or not at all (``atomic_output``): it is written to a
  temporary name in the same folder and renamed when complete.
- A directory (a model, a report) is filled as a temporary sibling and swapped into place
  (``atomic_directory``).
- An append-only record (the label store, the promotion history) is flushed and fsync'd
  before the writer goes on (``append_durably``); a crash can leave at most a torn last line,
  which ``read_json_lines`` reports and ``set_torn_line_aside`` moves to ``FILE.torn``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from moderation.errors import InputError, ModerationError


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def now_iso() -> str:
    """The current UTC time to the second, ISO 8601 with offset."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


# --- whole files ------------------------------------------------------------------------------


def check_destination(path: str | Path) -> Path:
    """Refuse, before any work is done, an output path that cannot be written."""
    destination = Path(path)
    if destination.is_dir():
        raise ModerationError(f"{destination}: is a folder; give a file name to write")
    if not destination.parent.is_dir():
        raise ModerationError(
            f"{destination}: the folder {destination.parent} does not exist; create it first"
        )
    return destination


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_output(
    path: str | Path | None, encoding: str = "utf-8", binary: bool = False
) -> Iterator[Any]:
    """A file that appears at ``path`` only when the block completes; on any error or
    interrupt the destination keeps its old content (or stays absent). ``None`` or ``"-"`` is
    stdout; devices and pipes are written directly. Text, or bytes with ``binary``."""
    if path is None or str(path) == "-":
        stream = sys.stdout.buffer if binary else sys.stdout
        yield stream
        stream.flush()
        return
    mode = "wb" if binary else "w"
    text_options = {} if binary else {"encoding": encoding, "newline": ""}
    destination = check_destination(path)
    if destination.exists() and not destination.is_file():
        with open(destination, mode, **text_options) as fh:
            yield fh
        return
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{destination.name}.", suffix=".tmp", dir=destination.parent
    )
    os.chmod(tmp_name, 0o666 & ~_umask())
    try:
        with os.fdopen(fd, mode, **text_options) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, destination)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


@contextlib.contextmanager
def atomic_directory(directory: Path) -> Iterator[Path]:
    """A temporary sibling of ``directory`` to fill; when the block completes it takes the
    directory's place (an old one is swapped out, then removed), so an interrupted write leaves
    the old directory (or none), never half of one."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        yield staging
        os.chmod(staging, 0o755)
        if directory.exists():
            old = directory.with_name(f".{directory.name}.old-{os.getpid()}")
            os.replace(directory, old)
            os.replace(staging, directory)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


# --- append-only JSON lines -------------------------------------------------------------------


def append_durably(handle: Any, records: Iterable[dict[str, Any]]) -> None:
    """Append JSON lines to an open binary file and make them durable (flush and fsync)
    before returning."""
    handle.write(b"".join(orjson.dumps(r, option=orjson.OPT_APPEND_NEWLINE) for r in records))
    handle.flush()
    os.fsync(handle.fileno())


@dataclass
class JsonLines:
    """The records of a JSON-lines file with the line each came from, and a torn last line
    (bytes without a newline that are not valid JSON: a write cut short) if there is one."""

    path: Path
    records: list[Any] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    torn_line: int | None = None
    torn_bytes: bytes = b""

    def torn_warning(self, what: str = "file") -> str | None:
        if self.torn_line is None:
            return None
        return (
            f"{self.path}:{self.torn_line}: the last line of this {what} is incomplete (a write "
            "was interrupted); it is ignored"
        )


def read_json_lines(path: str | Path, *, missing_ok: bool = False, hint: str = "") -> JsonLines:
    """Every JSON value of a JSON-lines file. A bad line in the middle is an error naming it
    (the file was edited by hand); a bad last line without its newline is a torn write,
    recorded on the result and left out."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if missing_ok:
            return JsonLines(path)
        raise InputError(path, "not found", hint=hint or None) from None
    except IsADirectoryError:
        raise InputError(path, "is a folder; give a JSON-lines file") from None
    result = JsonLines(path)
    lines = data.split(b"\n")
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError as err:
            if number == len(lines):  # no newline after it: a torn write
                result.torn_line, result.torn_bytes = number, raw
                break
            raise InputError(
                path,
                f"not valid JSON ({err})",
                line=number,
                hint="the file is only ever appended to; restore the line or remove it by hand",
            ) from None
        result.records.append(value)
        result.lines.append(number)
    return result


def set_torn_line_aside(path: Path, torn: bytes) -> None:
    """Keep a torn last line in ``FILE.torn``, then cut it off ``FILE``, so the next append
    starts on a line of its own."""
    aside = path.with_name(path.name + ".torn")
    with open(aside, "ab") as handle:
        handle.write(torn + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.truncate(size - len(torn))
        os.fsync(handle.fileno())


def open_for_append(path: Path) -> Any:
    """``path`` opened for binary appends, with a newline added first when the file does not
    end in one."""
    needs_newline = False
    if path.exists() and path.stat().st_size:
        with open(path, "rb") as handle:
            handle.seek(-1, os.SEEK_END)
            needs_newline = handle.read(1) != b"\n"
    handle = open(path, "ab")
    if needs_newline:
        handle.write(b"\n")
    return handle


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Within the block a `kill` (SIGTERM) unwinds like Ctrl-C (KeyboardInterrupt), so the
    atomic writes above remove their temporary files."""

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread (e.g. called from a test runner)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
