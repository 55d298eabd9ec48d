"""Label records as JSON lines: the interchange format (``labels export``, ``labels merge``,
``labels from-status``) and the format of the stores earlier versions wrote.

One line is one :class:`~moderation.labels.record.LabelRecord` (``to_json``). A bad line in
the middle of a file is an error naming it; a bad last line without its newline is a write
that was cut short: it is reported and left out, never guessed at.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from moderation.files import atomic_output, check_regular_file, read_json_lines
from moderation.labels.record import LabelRecord

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")


@dataclass
class LabelLines:
    """The records of a label file, the line each came from, and a torn last line."""

    path: Path
    records: list[LabelRecord] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    torn_line: int | None = None

    def torn_warning(self) -> str | None:
        if self.torn_line is None:
            return None
        return (
            f"{self.path}:{self.torn_line}: the last line is incomplete (a write was "
            "interrupted); it is ignored"
        )


def read_label_lines(
    path: str | Path, *, data: bytes | None = None, first_line: int = 1
) -> LabelLines:
    """Every record of a label file, checked (``data``: the file's bytes from line
    ``first_line`` on, when the caller read them)."""
    found = read_json_lines(
        path,
        data=data,
        first_line=first_line,
        hint="give a label store, or a JSONL file of label records (id, text, label)",
    )
    records = [
        LabelRecord.from_json(value, path=found.path, line=number)
        for number, value in zip(found.lines, found.records)
    ]
    return LabelLines(found.path, records, list(found.lines), found.torn_line)


def looks_like_label_lines(path: Path) -> bool:
    """Whether ``path`` is a regular file whose first non-blank byte opens a JSON object."""
    try:
        check_regular_file(path)
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except (OSError, ValueError):
        return False
    except Exception:  # noqa: BLE001 - anything unreadable is not label lines
        return False
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def write_label_lines(path: str | Path | None, records: Iterable[LabelRecord]) -> int:
    """Write records as JSON lines (atomically; ``None`` or ``-``: stdout); how many."""
    count = 0
    with atomic_output(path, binary=True) as out:
        for record in records:
            out.write(orjson.dumps(record.to_json(), option=orjson.OPT_APPEND_NEWLINE))
            count += 1
    return count
