"""Files on disk, each kind written one way: atomic files and directories, durable appends,
checksums, timestamps, and JSON-lines files that may end in a torn line.

- A file a command writes appears whole or not at all (``atomic_output``): it is written to a
  temporary name in the same folder (``.NAME.PID.*.tmp``) and renamed when complete; what a
  killed run left is removed by the next run writing the same file (``remove_leftovers``).
- A directory (a model, a report) is filled as a temporary sibling and swapped into place
  (``atomic_directory``).
- An append-only record (the promotion history, the trusted models) is flushed and fsync'd
  before the writer goes on (``append_durably``); a crash can leave at most a torn last line,
  which ``read_json_lines`` reports and ``set_torn_line_aside`` moves to ``FILE.torn``. (The
  label store, which many writers share, is a SQLite database: ``labels.store``.)
- An input is read only if it is a regular file (``check_regular_file``): never a device or a
  FIFO, which would be read without end.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import os
import re
import shutil
import signal
import stat
import sys
import tempfile
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from moderation.errors import InputError, LeftoverWarning, ModerationError


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


def check_regular_file(path: str | Path) -> None:
    """An input must be a regular file (a link to one is fine): a device (``/dev/zero``), a
    FIFO or a socket would be read without end, or wait for ever."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        raise InputError(path, "not found", hint="check the path") from None
    except OSError as err:
        raise InputError(path, f"cannot be read ({err.strerror})") from None
    if stat.S_ISDIR(found.st_mode):
        raise InputError(path, "is a folder; give a file")
    if not stat.S_ISREG(found.st_mode):
        raise InputError(
            path,
            "is not a regular file (a device, FIFO or socket)",
            hint="give a file; save what a program writes to a file first",
        )


def check_destination(path: str | Path) -> Path:
    """Refuse, before any work is done, an output path that cannot be written."""
    destination = Path(path)
    if destination.is_dir():
        raise ModerationError(f"{destination}: is a folder; give a file name to write")
    if not destination.parent.is_dir():
        raise ModerationError(
            f"{destination}: the folder {destination.parent} does not exist; create it first"
        )
    if not os.access(destination.parent, os.W_OK | os.X_OK):
        raise ModerationError(
            f"{destination}: the folder {destination.parent} is not writable; write elsewhere"
        )
    return destination


def _identity(path: Path) -> tuple[Any, ...]:
    """What makes two paths the same file: device and inode when it exists (a symbolic or
    hard link to it is the same file), else the absolute path with its folder resolved."""
    try:
        found = os.stat(path)
    except OSError:
        return ("path", os.path.join(os.path.realpath(path.parent), path.name))
    return ("inode", found.st_dev, found.st_ino)


def _is_stream(path: Path | str | None) -> bool:
    return path is None or str(path) == "-"


def check_outputs(
    outputs: Mapping[str, str | Path | None], inputs: Iterable[str | Path | None] = ()
) -> None:
    """The one check of a command's output paths, before any work is done: each must be
    writable (``check_destination``), none may be one of the ``inputs`` (by name, symbolic
    link or hard link) and no two may be the same file. ``outputs`` maps each option's name
    (``"-o"``, ``"--summary"``) to its path; None or ``-`` (stdout) is skipped. Devices
    (``/dev/null``) may be given twice."""
    read: dict[tuple[Any, ...], Path] = {}
    for path in inputs:
        if not _is_stream(path):
            read.setdefault(_identity(Path(path)), Path(path))  # type: ignore[arg-type]
    written: dict[tuple[Any, ...], str] = {}
    for option, path in outputs.items():
        if _is_stream(path):
            continue
        destination = Path(path)  # type: ignore[arg-type]
        if destination.exists() and not destination.is_file() and not destination.is_dir():
            continue  # a device or a pipe: written directly, never replaced
        check_destination(destination)
        identity = _identity(destination)
        if identity in read:
            raise ModerationError(
                f"{destination}: {option} is the input {read[identity]} (the same file); "
                "write it elsewhere, the input would be lost"
            )
        if identity in written:
            raise ModerationError(
                f"{destination}: {option} and {written[identity]} name the same file; give "
                "each its own"
            )
        written[identity] = option


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process: alive
        return True
    return True


def remove_leftovers(path: str | Path) -> list[str]:
    """Remove what a stopped run of this package left beside ``path``: the hidden temporary
    files and folders named ``.NAME.PID.*`` (``NAME`` is ``path``'s name) whose process is
    gone and that belong to this user. The names removed, for the caller to report."""
    path = Path(path)
    prefix = f".{path.name}."
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return []
    removed = []
    for entry in entries:
        pid, dot, _ = entry.name[len(prefix) :].partition(".")
        if not entry.name.startswith(prefix) or not dot or not pid.isdigit():
            continue
        try:
            owner = entry.stat(follow_symlinks=False).st_uid
        except OSError:
            continue
        if owner != os.getuid() or int(pid) == os.getpid() or _alive(int(pid)):
            continue
        with contextlib.suppress(OSError):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
            removed.append(entry.name)
    return removed


def _warn_leftovers(path: Path) -> None:
    for name in remove_leftovers(path):
        warnings.warn(
            f"removed {path.parent / name}, left by an earlier run that was stopped",
            LeftoverWarning,
            stacklevel=3,
        )


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
    text_options: dict[str, Any] = {} if binary else {"encoding": encoding, "newline": ""}
    destination = check_destination(path)
    if destination.exists() and not destination.is_file():
        try:
            with open(destination, mode, **text_options) as fh:
                yield fh
        except OSError as err:  # e.g. /dev/full: name the file in the error
            err.filename = err.filename or str(destination)
            raise
        return
    _warn_leftovers(destination)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{destination.name}.{os.getpid()}.", suffix=".tmp", dir=destination.parent
    )
    os.chmod(tmp_name, 0o666 & ~_umask())
    try:
        with os.fdopen(fd, mode, **text_options) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, destination)
    except OSError as err:  # e.g. a full disk: name the file, not the temporary one
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        err.filename = str(destination)
        raise
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def check_replaceable_directory(directory: str | Path, owns: Iterable[str]) -> Path:
    """Refuse, before any work, a folder a command may not fill or replace: one that holds
    anything but the files ``owns`` names (the command's own files from an earlier run), a
    symbolic link, the current folder or one that holds it. Returns the absolute path."""
    directory = Path(os.path.abspath(directory))
    if directory.is_symlink():
        raise ModerationError(
            f"{directory}: is a symbolic link; give the folder itself, or a new folder"
        )
    here = Path(os.path.abspath(os.getcwd()))
    if directory == here or directory in here.parents or directory.parent == directory:
        raise ModerationError(
            f"{directory}: is the current folder (or holds it); give a new folder to write"
        )
    if directory.exists() and not directory.is_dir():
        raise ModerationError(f"{directory}: is a file, not a folder; give a new folder")
    existing = directory.parent  # created when missing; the nearest folder that exists
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise ModerationError(
            f"{directory}: the folder {existing} is not writable; write elsewhere"
        )
    if directory.is_dir():
        allowed = set(owns)
        foreign = sorted(
            entry.name
            for entry in os.scandir(directory)
            if entry.name not in allowed or not entry.is_file(follow_symlinks=False)
        )
        if foreign:
            shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
            raise ModerationError(
                f"{directory}: holds {shown}, which this command does not write; refusing to "
                "replace the folder (give a new folder, or empty this one)"
            )
    return directory


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange_paths(first: Path, second: Path) -> bool:
    """Swap two existing paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``), so a reader
    finds one or the other at each name at every moment. False where the system or the file
    system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    done = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


@contextlib.contextmanager
def atomic_directory(directory: Path, owns: Iterable[str]) -> Iterator[Path]:
    """A temporary sibling of ``directory`` to fill; when the block completes it takes the
    directory's place. An old directory is swapped with the new one in a single step (where
    the system can), then removed, so a reader always finds the old directory or the new one,
    never none or half of one. ``directory`` may exist only if it holds nothing but the files
    ``owns`` names (``check_replaceable_directory``)."""
    owns = frozenset(owns)
    directory = check_replaceable_directory(directory, owns)
    directory.parent.mkdir(parents=True, exist_ok=True)
    _warn_leftovers(directory)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{directory.name}.{os.getpid()}.", dir=directory.parent)
    )
    try:
        yield staging
        os.chmod(staging, 0o755)
        check_replaceable_directory(directory, owns)  # again: it may have changed meanwhile
        if not directory.exists():
            os.replace(staging, directory)  # an empty folder is replaced, a new one appears
        elif exchange_paths(staging, directory):
            shutil.rmtree(staging, ignore_errors=True)  # the old directory, now at staging
        else:
            old = directory.with_name(f".{directory.name}.{os.getpid()}.old")
            os.replace(directory, old)
            os.replace(staging, directory)
            shutil.rmtree(old, ignore_errors=True)
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


def read_json_lines(
    path: str | Path,
    *,
    missing_ok: bool = False,
    hint: str = "",
    data: bytes | None = None,
    first_line: int = 1,
) -> JsonLines:
    """Every JSON value of a JSON-lines file (or of ``data``, its bytes from line
    ``first_line`` on). A bad line in the middle is an error naming it (the file was edited
    by hand); a bad last line without its newline is a torn write, recorded on the result and
    left out."""
    path = Path(path)
    if data is None:
        try:
            check_regular_file(path)
            data = path.read_bytes()
        except InputError as err:
            if missing_ok and not path.exists() and not path.is_symlink():
                return JsonLines(path)
            if err.hint is None and hint:
                raise InputError(path, err.problem, hint=hint) from None
            raise
        except IsADirectoryError:
            raise InputError(path, "is a folder; give a JSON-lines file") from None
    result = JsonLines(path)
    lines = data.split(b"\n")
    for number, raw in enumerate(lines, start=first_line):
        if not raw.strip():
            continue
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError as err:
            if number == first_line + len(lines) - 1:  # no newline after it: a torn write
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


def open_no_follow(path: Path, flags: int, mode: str) -> Any:
    """``path`` opened with ``os.open`` ``flags``, refusing a symbolic link: a record this
    package appends to is written in place, never through a link to somewhere else."""
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise ModerationError(
                f"{path}: is a symbolic link; refusing to write through it (replace the link "
                "with the file itself)"
            ) from None
        raise
    return os.fdopen(fd, mode)


def set_torn_line_aside(path: Path, torn: bytes) -> None:
    """Keep a torn last line in ``FILE.torn``, then cut it off ``FILE``, so the next append
    starts on a line of its own."""
    aside = path.with_name(path.name + ".torn")
    with open_no_follow(aside, os.O_WRONLY | os.O_APPEND | os.O_CREAT, "ab") as handle:
        handle.write(torn + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
    with open_no_follow(path, os.O_RDWR, "r+b") as handle:
        size = os.fstat(handle.fileno()).st_size
        handle.truncate(size - len(torn))
        os.fsync(handle.fileno())


def open_for_append(path: Path) -> Any:
    """``path`` opened for binary appends (never through a symbolic link), with a newline
    added first when the file does not end in one."""
    handle = open_no_follow(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, "a+b")
    size = os.fstat(handle.fileno()).st_size
    if size:
        handle.seek(size - 1)
        if handle.read(1) != b"\n":
            handle.write(b"\n")
    return handle


# --- cells of spreadsheets we write -----------------------------------------------------------

# a cell a spreadsheet reads as a formula (OWASP: CSV injection), after apostrophes we added
_FORMULA_START = re.compile(r"'*[=+\-@\t\r]")


def spreadsheet_cell(value: Any) -> Any:
    """A CSV cell safe to open in Excel or LibreOffice: text starting with ``= + - @``, a tab
    or a carriage return (a formula there) gets a leading apostrophe, as OWASP recommends.
    ``from_spreadsheet_cell`` takes it off again on import, so the text round-trips."""
    if isinstance(value, str) and _FORMULA_START.match(value):
        return "'" + value
    return value


def from_spreadsheet_cell(value: str) -> str:
    """The text ``spreadsheet_cell`` neutralised: one apostrophe before a formula start is
    taken off."""
    if value[:1] == "'" and _FORMULA_START.match(value, 1):
        return value[1:]
    return value


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
