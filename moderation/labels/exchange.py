"""Labels out of a store and into another: ``moderation labels export`` (JSONL or CSV) and
``moderation labels import``.

An export is for people and other tools: every row of the history (``history=True``: what
was answered, corrected and undone, by whom and when, each row naming the one it
supersedes) or each labelled comment's current label. A JSONL export of the history imported
into an empty store gives the same store back. A backup of the store itself is
``sqlite3 labels.db ".backup copy.db"`` (safe while others write).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from moderation.errors import InputError, UsageError
from moderation.files import atomic_output, check_outputs, check_regular_file, spreadsheet_cell
from moderation.labels.jsonl import read_label_lines
from moderation.labels.opening import open_for_reading, open_store
from moderation.labels.record import LabelRecord

FORMATS = ("jsonl", "csv")
CSV_COLUMNS = (
    "seq",
    "id",
    "action",
    "label",
    "labeller",
    "role",
    "time",
    "supersedes",
    "corrects",
    "text",
    "thread_id",
    "model",
    "source",
)


def export_format(output: Path | None, format: str) -> str:
    """The format asked for, else the one the output's name says (JSONL for stdout)."""
    if format != "auto":
        if format not in FORMATS:
            raise UsageError(f"--format {format!r}: choose one of {', '.join(FORMATS)}")
        return format
    suffix = output.suffix.lower() if output is not None and str(output) != "-" else ""
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix in ("", ".jsonl", ".ndjson", ".json"):
        return "jsonl"
    raise UsageError(f"{output}: write .jsonl or .csv (or give --format)")


@dataclass
class Exported:
    store: str
    output: str
    format: str
    rows: int
    notes: list[str] = field(default_factory=list)


def export_labels(
    store: Path,
    *,
    output: Path | None = None,
    format: str = "auto",
    history: bool = True,
    bom: bool = True,
) -> Exported:
    """Write a store's history (or, ``history=False``, each labelled comment's current label)
    as JSONL or CSV (with a byte-order mark for spreadsheets unless ``bom`` is False);
    ``output`` None or ``-`` is stdout."""
    chosen = export_format(output, format)
    check_outputs({"-o": output}, [store])
    with open_for_reading(store) as labels:
        records: Iterable[LabelRecord] = (
            labels.iter_history() if history else labels.labels(disagreements=True).values()
        )
        if chosen == "jsonl":
            with atomic_output(output, binary=True) as out:
                rows = 0
                for record in records:
                    out.write(orjson.dumps(record.to_json(), option=orjson.OPT_APPEND_NEWLINE))
                    rows += 1
        else:
            delimiter = "\t" if output is not None and output.suffix.lower() == ".tsv" else ","
            with atomic_output(output, encoding="utf-8-sig" if bom else "utf-8") as out:
                rows = _write_csv(records, out, delimiter)
        return Exported(str(labels.path), str(output or "-"), chosen, rows, labels.notes)


def _write_csv(records: Iterable[LabelRecord], out: object, delimiter: str) -> int:
    writer = csv.writer(out, delimiter=delimiter)  # type: ignore[arg-type]
    writer.writerow(CSV_COLUMNS)
    rows = 0
    for record in records:
        cells = [getattr(record, name) for name in CSV_COLUMNS]
        writer.writerow(["" if c is None else spreadsheet_cell(c) for c in cells])
        rows += 1
    return rows


@dataclass
class Imported:
    store: str
    files: list[str]
    added: int
    notes: list[str] = field(default_factory=list)


def import_labels(files: list[Path], *, store: Path) -> Imported:
    """Add label files (JSONL: an export, ``labels merge``, ``labels from-status``) to a
    store, each in one transaction. A file already imported into this store (the same
    content) is refused: importing twice would count every answer twice."""
    if not files:
        raise UsageError("give the label files to import")
    check_outputs({"--store": store}, files)
    for path in files:
        check_regular_file(path)
    added = 0
    with open_store(store) as labels:
        notes = list(labels.notes)
        done = {item["sha256"] for item in labels.imports()}
        for path in files:
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            if digest in done:
                raise InputError(
                    path,
                    f"is already imported into {labels.path}",
                    hint="importing it again would add every answer twice",
                )
            found = read_label_lines(path, data=data)
            if found.torn_line is not None:
                raise InputError(path, "the last line is incomplete", line=found.torn_line)
            report = labels.add(
                _in_order(found.records),
                imported={
                    "source": str(path.resolve()),
                    "sha256": digest,
                    "size": len(data),
                    "lines": data.count(b"\n"),
                },
            )
            done.add(digest)
            added += report.added
            if report.made_corrections:
                notes.append(
                    f"{path}: {report.made_corrections} changed label(s) of one labeller "
                    "recorded as corrections"
                )
        return Imported(str(labels.path), [str(p) for p in files], added, notes)


def _in_order(records: list[LabelRecord]) -> Iterator[LabelRecord]:
    """An exported history in the order it was written (a file sorted by hand is put back)."""
    if all(r.seq is not None for r in records):
        return iter(sorted(records, key=lambda r: r.seq or 0))
    return iter(records)
