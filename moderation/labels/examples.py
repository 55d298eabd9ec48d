"""Labelled comments, whatever file they come in: one type (:class:`Example`), one reader
(:func:`read_labelled`) and one conflict check (:func:`unique_examples`).

Four kinds of file hold labels:

- ``examples``: JSONL with ``text`` and ``label`` per line (written examples, prepared
  datasets); the format training reads.
- ``store``: a label store written by ``moderation label``, ``review`` or ``serve`` (a SQLite
  database), or label records as JSON lines (``labels export``, ``labels merge``, a store of
  an earlier version); its current labels, after undos and corrections.
- ``export``: any comment export with a label column (read by ``moderation.formats``);
  comments without a label are left out, quoted spans are left out of the text.
- ``spreadsheet``: a review queue written by ``moderation label --export`` and filled in;
  ``skip`` rows are kept only when asked for (they are answers, not labels).

The same id labelled two ways is an error naming both places, in every kind and across files.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from moderation.comments import LABELS, Comment, is_placeholder
from moderation.errors import InputError, ModerationError
from moderation.files import check_regular_file, sha256_file
from moderation.formats import ParseReport, ReadOptions, read_export
from moderation.formats.source import Source
from moderation.labels.opening import open_for_reading
from moderation.labels.record import LabelRecord
from moderation.labels.schema import SQLITE_HEADER

KINDS = ("examples", "store", "export", "spreadsheet")
SKIP_WORDS = ("skip", "skipped", "?")


@dataclass(slots=True)
class Example:
    """One labelled comment. ``label`` is None only for a skipped spreadsheet row."""

    id: str
    text: str
    label: str | None
    thread_id: str | None = None
    source: str | None = None
    weak: bool = False
    path: str | None = None
    line: int | None = None

    @property
    def where(self) -> str:
        place = self.path or "<examples>"
        return f"{place}:{self.line}" if self.line is not None else place

    @classmethod
    def from_record(
        cls, record: dict[str, Any], *, path: str | None = None, line: int | None = None
    ) -> Example:
        """An example from a dict with ``id``, ``text``, ``label`` and optionally
        ``thread_id``, ``source``, ``weak`` (what dataset converters yield)."""
        return cls(
            id=str(record["id"]),
            text=record["text"],
            label=record["label"],
            thread_id=record.get("thread_id"),
            source=record.get("source"),
            weak=bool(record.get("weak")),
            path=path,
            line=line,
        )

    @classmethod
    def from_label(cls, record: LabelRecord, *, path: str, source: str) -> Example:
        """A comment's current label in a store, as a training example."""
        return cls(
            id=record.id,
            text=record.text or "",
            label=record.label,
            thread_id=record.thread_id,
            source=record.source or source,
            weak=record.weak,
            path=path,
        )


@dataclass
class ExampleSet:
    """The examples of one file, what kind of file it was, and what to tell the user."""

    path: str
    kind: str
    examples: list[Example]
    warnings: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.examples)

    @property
    def ids(self) -> list[str]:
        return [e.id for e in self.examples]

    @property
    def texts(self) -> list[str]:
        return [e.text for e in self.examples]

    @property
    def labels(self) -> list[str]:
        return [e.label for e in self.examples if e.label is not None]

    @property
    def weak(self) -> int:
        return sum(e.weak for e in self.examples)

    def counts(self) -> dict[str, int]:
        return dict(Counter(e.label for e in self.examples if e.label is not None))

    def file_record(self) -> dict[str, Any]:
        """What a model's meta records about this file."""
        return {
            "file": self.path,
            "sha256": sha256_file(self.path),
            "examples": len(self.examples),
            "weak": self.weak,
        }


def unique_examples(examples: Iterable[Example]) -> list[Example]:
    """The examples with each id once. The same id with the same label is kept once; with
    different labels it is an error naming both places."""
    seen: dict[str, Example] = {}
    kept = []
    for example in examples:
        earlier = seen.get(example.id)
        if earlier is None:
            seen[example.id] = example
            kept.append(example)
        elif earlier.label != example.label:
            raise InputError(
                example.path,
                f"id {example.id!r} is labelled {example.label!r} "
                f"here and {earlier.label!r} at {earlier.where}",
                line=example.line,
                hint="keep one label per id (merge label stores with `moderation "
                "labels merge`, which reports every disagreement)",
            )
    return kept


def labelled_kind(path: Path) -> str:
    """Which kind of labelled file ``path`` is, from its name and first record."""
    suffix = path.suffix.lower()
    with open(path, "rb") as handle:
        if handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER:
            return "store"
    if suffix in (".jsonl", ".ndjson", ".json"):
        first = _first_json_record(path)
        if isinstance(first, dict):
            if "action" in first or "labeller" in first:
                return "store"
            if "text" in first and "label" in first and not {"parent_id", "depth"} & set(first):
                return "examples"
        return "export"
    if suffix in (".csv", ".tsv"):
        with open(path, encoding="utf-8-sig", errors="replace") as handle:
            first = handle.readline()
        columns = {c.strip().lower() for c in first.replace(";", ",").replace("\t", ",").split(",")}
        if {"id", "text", "label", "prediction"} <= columns:
            return "spreadsheet"
    return "export"


def _first_json_record(path: Path) -> Any:
    with open(path, "rb") as handle:
        for raw in handle:
            if raw.strip():
                try:
                    return orjson.loads(raw)
                except orjson.JSONDecodeError:
                    return None
    return None


def read_labelled(
    path: str | Path,
    *,
    kind: str = "auto",
    format: str = "auto",
    options: ReadOptions | None = None,
    default_source: str | None = None,
    keep_skips: bool = False,
) -> ExampleSet:
    """The labelled comments of one file of any kind (see the module's docstring). A file
    with no labelled comment is an error."""
    path = Path(path)
    check_regular_file(path)
    if kind == "auto":
        kind = labelled_kind(path)
    if kind not in KINDS:
        raise ModerationError(f"unknown kind of labelled file {kind!r}")
    source = default_source or path.stem
    warnings: list[str] = []
    if kind == "examples":
        found = list(_examples_file(path, source))
    elif kind == "store":
        found = _store(path, source, warnings)
    elif kind == "spreadsheet":
        report = ParseReport(str(path), skip_bad=options.skip_bad if options else False)
        found = list(_spreadsheet(path, report, source, keep_skips))
        warnings.extend(str(e) for e in report.skipped)
    else:
        found = _export(path, source, format, options, warnings)
    placeholders = [e for e in found if e.text and is_placeholder(e.text)]
    if placeholders and kind != "examples":
        warnings.append(
            f"{len(placeholders)} labelled comment(s) are placeholders of deleted "
            "comments ([deleted], [removed], ...); left out"
        )
        found = [e for e in found if not (e.text and is_placeholder(e.text))]
    examples = unique_examples(found)
    if not examples and kind == "examples":
        raise InputError(path, "no examples", hint='each line needs "text" and "label"')
    if not any(e.label is not None for e in examples) and not (keep_skips and examples):
        raise InputError(
            path,
            "no labelled comments",
            hint="give a label store, a JSONL of "
            'examples, or an export with a "label" column '
            f"({', '.join(LABELS)})",
        )
    return ExampleSet(str(path), kind, examples, warnings)


def _store(path: Path, source: str, warnings: list[str]) -> list[Example]:
    """A label store's current labels (after undos and corrections)."""
    with open_for_reading(path) as store:
        warnings.extend(store.notes)
        return [
            Example.from_label(record, path=str(path), source=source)
            for record in store.labels().values()
        ]


def _export(
    path: Path, source: str, format: str, options: ReadOptions | None, warnings: list[str]
) -> list[Example]:
    """The labelled comments of an export, each judged on its own words (quotes left out)."""
    report = ParseReport(str(path))
    found = [
        Example(
            id=c.id,
            text=c.unquoted_text(),
            label=c.label,
            thread_id=c.thread_id,
            source=source,
            path=str(path),
        )
        for c in read_export(path, format=format, options=options, report=report)
        if isinstance(c, Comment) and c.label is not None
    ]
    warnings.extend(report.warnings)
    return found


def _examples_file(path: Path, source: str) -> Iterator[Example]:
    """Examples JSONL: every line needs a non-empty ``text`` and a known ``label``."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                record = orjson.loads(raw)
            except orjson.JSONDecodeError as err:
                raise InputError(path, f"not valid JSON ({err})", line=number) from None
            if not isinstance(record, dict):
                raise InputError(path, "each line must be a JSON object", line=number)
            text, label = record.get("text"), record.get("label")
            if not isinstance(text, str) or not text.strip():
                raise InputError(
                    path,
                    "empty or missing text",
                    line=number,
                    hint='every example needs a non-empty "text"',
                )
            if label not in LABELS:
                problem = "missing label" if label is None else f"unknown label {label!r}"
                raise InputError(path, problem, line=number, hint=f"labels are {', '.join(LABELS)}")
            yield Example(
                id=str(record.get("id") or f"{path.name}:{number}"),
                text=text,
                label=label,
                thread_id=record.get("thread_id"),
                source=str(record.get("source") or source),
                weak=bool(record.get("weak")),
                path=str(path),
                line=number,
            )


def _spreadsheet(
    path: Path, report: ParseReport, source: str, keep_skips: bool
) -> Iterator[Example]:
    """The answered rows of a filled-in review queue. An unknown label name is a bad record;
    an empty label means the row was not reviewed."""
    reader = Source(path, report)
    head = reader.head_text.split("\n", 1)[0]
    delimiter = (
        "\t" if path.suffix.lower() == ".tsv" else (";" if ";" in head and "," not in head else ",")
    )  # some locales save with semicolons
    rows = reader.iter_csv_rows(delimiter)
    header = next((row for _, row in rows), None)
    if header is None:
        raise InputError(path, "empty file; expected the queue written by --export")
    names = [name.strip().lstrip("\ufeff").lower() for name in header]
    if "id" not in names or "label" not in names:
        raise InputError(
            path,
            'needs an "id" and a "label" column',
            line=1,
            hint=f"found columns: {', '.join(header)}",
        )
    at = {name: names.index(name) for name in ("id", "label", "text", "thread_id") if name in names}

    def cell(row: list[str], name: str) -> str:
        return row[at[name]].strip() if name in at and len(row) > at[name] else ""

    for line, row in rows:
        given = cell(row, "label")
        if not any(c.strip() for c in row) or not given:
            continue
        name = given.lower()
        if name not in LABELS and name not in SKIP_WORDS:
            report.bad(
                InputError(
                    path,
                    f"unknown label {given!r}",
                    line=line,
                    hint=f"use one of {', '.join(LABELS)}, skip, or leave it empty",
                )
            )
            continue
        if name in SKIP_WORDS and not keep_skips:
            continue
        yield Example(
            id=cell(row, "id"),
            text=row[at["text"]] if "text" in at else "",
            label=name if name in LABELS else None,
            thread_id=cell(row, "thread_id") or None,
            source=source,
            path=str(path),
            line=line,
        )
