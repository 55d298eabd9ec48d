"""Which label store a path means, and a store of an earlier version imported once.

Stores used to be JSONL files (``labels.jsonl``, one line per answer). Given such a path
(``--store labels.jsonl``), every command uses the SQLite store beside it, ``labels.db``:

- the first time, the old file's answers are imported into a new ``labels.db`` (built under a
  temporary name and put in place whole), and the old file is left exactly as it was;
- afterwards ``labels.db`` is used, with a note; if the old file grew since (an earlier version
  kept appending to it), the lines it gained are imported; if it changed otherwise, that is
  an error, never a guess.

Any other path is the SQLite store itself. A *new* store is made only under a name ending in
``.db`` (``STORE_SUFFIX``): ``--labels new.jsonl`` or ``--store labels.txt``, naming no file,
is refused with the name to give instead, rather than making a SQLite database under a name
that says text (an earlier version made ``new.db`` beside ``new.jsonl`` and said so only on
stderr, where a server's log buries it). An existing store is used whatever its name.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

from moderation.errors import InputError
from moderation.files import check_regular_file, remove_leftovers
from moderation.labels.jsonl import JSONL_SUFFIXES, looks_like_label_lines, read_label_lines
from moderation.labels.store import MEMORY, LabelStore, check_store_file

STORE_SUFFIX = ".db"  # the name of a new label store ends so


def store_path(path: str | Path) -> Path:
    """The SQLite store a ``--store`` path means: the path itself, or for an old JSONL store
    (or a name ending in ``.jsonl``) the ``.db`` file beside it."""
    path = Path(path)
    if path.suffix.lower() in JSONL_SUFFIXES or (
        path.suffix.lower() != ".db" and looks_like_label_lines(path)
    ):
        return path.with_suffix(".db")
    return path


def open_store(
    path: str | Path, *, create: bool = True, busy_seconds: float | None = None
) -> LabelStore:
    """The store ``path`` means (``store_path``), opened; an old JSONL store there is
    imported once. What a person should be told is in the store's ``notes``. A writer waits
    ``busy_seconds`` at most for another (None: ``database.wait_seconds()``; a server may want
    less than a terminal)."""
    given = Path(path)
    if create and str(given) != MEMORY:
        check_new_store_name(given)
    database = store_path(given)
    if database == given:
        return LabelStore(given, create=create, busy_seconds=busy_seconds)
    notes = [
        f"removed {name}, left by an import that was stopped" for name in remove_leftovers(database)
    ]
    if not looks_like_label_lines(given):
        if given.exists() or given.is_symlink():
            check_regular_file(given)  # a device or a FIFO named .jsonl: one clear error
        store = LabelStore(database, create=create, busy_seconds=busy_seconds)
        if not database.exists() or not len(store):
            notes.append(f"label stores are SQLite databases: the answers go to {database}")
        store.notes.extend(notes)
        return store
    if check_store_file(database):
        store = LabelStore(database, create=False, busy_seconds=busy_seconds)
        try:
            notes.extend(_catch_up(store, given))
        except BaseException:
            store.close()
            raise
    else:
        store = _import_new(given, database, notes, busy_seconds)
    store.notes.extend(notes)
    return store


def check_new_store_name(path: Path) -> None:
    """A path naming no file must end in ``.db`` to become a new store."""
    if path.suffix.lower() == STORE_SUFFIX or path.exists() or path.is_symlink():
        return
    if path.suffix.lower() in JSONL_SUFFIXES:
        problem = (
            "not found; label stores are SQLite databases now (a .jsonl store is an old one, "
            "imported when it exists)"
        )
    else:
        problem = f"not found, and a new label store's name ends in {STORE_SUFFIX}"
    raise InputError(path, problem, hint=f"give {path.with_suffix(STORE_SUFFIX)}")


def open_for_reading(path: str | Path) -> LabelStore:
    """A store to read labels from: a SQLite store as it is; label records as JSON lines
    (an export, a merge, a store of an earlier version) read into a store in memory, by the
    same rules. An old JSONL store already imported into the ``.db`` beside it is read from
    there (with a note), so the answers given since are not missed."""
    path = Path(path)
    check_regular_file(path)
    if not looks_like_label_lines(path):
        return LabelStore(path, create=False)
    database = store_path(path)
    if database != path and check_store_file(database):
        store = LabelStore(database, create=False)
        source = str(path.resolve())
        imports = [item for item in store.imports() if item["source"] == source]
        if imports:
            store.notes.append(
                f"{path} was imported into {database} on {str(imports[-1]['time'])[:10]}: "
                f"reading {database}, with the answers given since"
            )
            return store
        store.close()
    store = LabelStore(MEMORY)
    try:
        found = read_label_lines(path)
        report = store.add(found.records)
    except BaseException:
        store.close()
        raise
    store.notes.extend(
        note
        for note in (
            found.torn_warning(),
            report.made_corrections
            and f"{path}: {report.made_corrections} label(s) changed by the same moderator "
            "without a correction line are read as corrections (the later one counts)",
        )
        if note
    )
    return store


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _import_new(
    old: Path, database: Path, notes: list[str], busy_seconds: float | None = None
) -> LabelStore:
    """A new store at ``database`` holding the old file's answers, put in place whole."""
    data = old.read_bytes()
    building = database.with_name(f".{database.name}.{os.getpid()}.import")
    _remove_store_files(building)
    try:
        with LabelStore(building) as store:
            added, torn = _import_part(store, old, data, 0, 1)
            store.checkpoint()
        try:
            os.link(building, database)  # never over a store another process just made
        except FileExistsError:
            notes.append(f"{database} was made by another process meanwhile; using it")
    finally:
        _remove_store_files(building)
    store = LabelStore(database, create=False, busy_seconds=busy_seconds)
    notes.append(
        f"{old} is a label store of an earlier version (JSON lines): imported its {added:,} "
        f"answer(s) into {database}; {old} is left as it was (give --store {database} from "
        "now on)"
    )
    if torn:
        notes.append(torn)
    return store


def _remove_store_files(path: Path) -> None:
    for side in ("", "-wal", "-shm", "-journal", "-lock"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{path}{side}")


def _catch_up(store: LabelStore, old: Path) -> list[str]:
    """Use a store made from ``old`` earlier; import what ``old`` gained since."""
    source = str(old.resolve())
    done = [item for item in store.imports() if item["source"] == source]
    if not done:
        raise InputError(
            store.path,
            f"already exists and was not imported from {old}",
            hint=f"give --store {store.path} to use it, or move it away to import {old}",
        )
    last = done[-1]
    data = old.read_bytes()
    when = str(last["time"])[:10]
    using = f"using {store.path} (imported from {old} on {when}; give it as --store)"
    if _digest(data) == last["sha256"]:
        return [using]
    if len(data) > last["size"] and _digest(data[: last["size"]]) == last["sha256"]:
        added, torn = _import_part(store, old, data, last["size"], last["lines"] + 1)
        notes = [using]
        if added:
            notes.append(f"{old} gained {added:,} answer(s) since: imported them too")
        return notes + ([torn] if torn else [])
    raise InputError(
        old,
        f"changed since it was imported into {store.path} on {when} (not only appended to)",
        hint=f"use {store.path}; to import the file again, move {store.path} away first",
    )


def _import_part(
    store: LabelStore, old: Path, data: bytes, start: int, first_line: int
) -> tuple[int, str | None]:
    """Add the label lines of ``data[start:]`` (``old``'s bytes; the part begins at line
    ``first_line``) and record, in the same transaction, how far the file is imported. A
    torn last line is left out (and read when it is whole). The answers added, and a warning
    about a torn line."""
    part = data[start:]
    found = read_label_lines(old, data=part, first_line=first_line)
    consumed = part.rfind(b"\n") + 1 if found.torn_line is not None else len(part)
    if not consumed and start:
        return 0, found.torn_warning()
    end = start + consumed
    report = store.add(
        found.records,
        imported={
            "source": str(old.resolve()),
            "sha256": _digest(data[:end]),
            "size": end,
            "lines": first_line - 1 + part[:consumed].count(b"\n"),
        },
    )
    notes = []
    if report.made_corrections:
        notes.append(
            f"{report.made_corrections} answer(s) changed by the same moderator without a "
            "correction line were recorded as corrections"
        )
    if report.ignored_undos:
        notes.append(f"{report.ignored_undos} undo line(s) had nothing to undo (left out)")
    torn = found.torn_warning()
    return report.added, "; ".join(filter(None, [torn, *notes])) or None
