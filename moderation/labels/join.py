"""Files of comment id -> label (CSV or JSONL), joined to parsed comments to make labelled
examples (``moderation parse --labels``)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from moderation.comments import LABELS, Comment, Thread
from moderation.errors import InputError
from moderation.formats.columns import COMMON_NAMES
from moderation.formats.source import ParseReport, Source

_ID_NAMES = COMMON_NAMES["id"]
_LABEL_NAMES = COMMON_NAMES["label"]
# a row of a labels file: its line, the id and the label as written (checked by the reader)
_Row = tuple[int, object, object]


@dataclass
class LabelFile:
    path: str
    labels: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)

    def apply(self, comment: Comment) -> None:
        label = self.labels.get(comment.id)
        if label is not None:
            comment.label = label
            self.used.add(comment.id)

    def unmatched(self) -> list[InputError]:
        return [
            InputError(
                self.path,
                f"id {cid!r} matches no comment in the input",
                line=self.lines[cid],
                hint="check the id, or parse the export it came from",
            )
            for cid in self.labels
            if cid not in self.used
        ]


def join_labels(
    records: Iterable[Thread | Comment], labels: LabelFile, report: ParseReport
) -> Iterator[Thread | Comment]:
    """The records of an export with the file's labels joined to its comments (counted in
    ``report.labelled``)."""
    for record in records:
        if isinstance(record, Comment):
            had_label = record.label is not None
            labels.apply(record)
            if not had_label and record.label is not None:
                report.labelled += 1
        yield record


def _pick(names: list[str], wanted: tuple[str, ...]) -> str | None:
    lower = {n.strip().lower(): n for n in names}
    return next((lower[w] for w in wanted if w in lower), None)


def read_label_file(path: str | Path, report: ParseReport) -> LabelFile:
    """Read ids and labels; unknown label names and conflicting labels for one id are bad
    records (stop the run, or are skipped with ``--skip-bad``)."""
    source = Source(path, report)
    result = LabelFile(str(path))
    rows = (
        _jsonl_rows(source)
        if source.head_text.lstrip("\ufeff \r\n").startswith("{")
        else _csv_rows(source)
    )
    for line, cid, label in rows:
        if cid is None or cid == "":
            report.bad(InputError(path, "no comment id", line=line))
            continue
        name = str(label or "").strip().lower()
        if name not in LABELS:
            report.bad(
                InputError(
                    path,
                    f"unknown label {label!r}",
                    line=line,
                    hint=f"labels are {', '.join(LABELS)}",
                )
            )
            continue
        cid = str(cid)
        if cid in result.labels and result.labels[cid] != name:
            report.bad(
                InputError(
                    path,
                    f"id {cid!r} is labelled {result.labels[cid]!r} at line "
                    f"{result.lines[cid]} and {name!r} here",
                    line=line,
                    hint="keep one label per comment",
                )
            )
            continue
        result.labels[cid] = name
        result.lines.setdefault(cid, line)
    return result


def _jsonl_rows(source: Source) -> Iterator[_Row]:
    for number, line in source.iter_lines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            source.report.bad(InputError(source.path, f"invalid JSON ({err.msg})", line=number))
            continue
        if not isinstance(record, dict):
            source.report.bad(InputError(source.path, "line is not a JSON object", line=number))
            continue
        id_key = _pick(list(record), _ID_NAMES)
        label_key = _pick(list(record), _LABEL_NAMES)
        yield (
            number,
            record.get(id_key) if id_key else None,
            record.get(label_key) if label_key else None,
        )


def _csv_rows(source: Source) -> Iterator[_Row]:
    rows = source.iter_csv_rows()
    header = next((row for _, row in rows), None)
    if header is None:
        raise InputError(source.path, "no header row", line=1)
    id_key, label_key = _pick(header, _ID_NAMES), _pick(header, _LABEL_NAMES)
    if id_key is None or label_key is None:
        raise InputError(
            source.path,
            "a labels file needs an id column and a label column",
            line=1,
            hint=f"found columns: {', '.join(header)}",
        )
    id_at, label_at = header.index(id_key), header.index(label_key)
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(id_at, label_at):
            source.report.bad(InputError(source.path, "row is missing fields", line=line))
            continue
        yield line, row[id_at].strip(), row[label_at]
