"""CSV, TSV and JSONL exports: one comment per row or line, columns found by name."""

from __future__ import annotations

import csv
from collections import OrderedDict
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import orjson

from moderation.comments import Comment, Thread
from moderation.errors import InputError
from moderation.formats.columns import (
    COMMON_NAMES,
    Converter,
    RecordProblem,
    make_converter,
    resolve_fields,
)
from moderation.formats.source import ExportFormat, ReadOptions, Source


class _Threads:
    """Announces a thread when its first comment is seen. Memory is bounded: only the
    ``remember`` threads met last are known, so a thread whose comments come back after more
    than that many others is announced again (readers downstream take a thread they know as
    the same thread; the parse report counts it twice). Exports grouped by thread, or sorted
    by time with fewer threads than that running at once, announce each thread once."""

    def __init__(self, remember: int = 4096) -> None:
        self.remember = remember
        self.recent: OrderedDict[str, None] = OrderedDict()
        self.last: str | None = None

    def new(self, comment: Comment) -> Thread | None:
        """The thread of ``comment`` when it is to be announced, else None."""
        thread = comment.thread_id
        if thread == self.last:
            return None
        self.last = thread
        recent = self.recent
        if thread in recent:
            recent.move_to_end(thread)
            return None
        recent[thread] = None
        if len(recent) > self.remember:
            recent.popitem(last=False)
        return Thread(id=thread, title=comment.thread_title, url=comment.thread_url)


def read_delimited(
    source: Source, options: ReadOptions, delimiter: str
) -> Iterator[Thread | Comment]:
    """CSV (``delimiter=","``) or TSV (``"\\t"``) with a header row."""
    stem = source.path.stem
    if source.span is not None and source.span.start > 0:  # a later block: the header first
        span, source.span = source.span, None
        header = next((row for _, row in source.iter_csv_rows(delimiter)), None)
        source.span = span
        rows = source.iter_csv_rows(delimiter)
    else:
        rows = source.iter_csv_rows(delimiter)
        header = next((row for _, row in rows), None)
    if header is None:
        raise InputError(source.path, "no header row", line=1)
    try:
        convert = make_converter(resolve_fields(header, options.columns, "the header row"))
    except RecordProblem as err:
        raise InputError(source.path, str(err), line=1) from None
    width = len(header)
    threads = _Threads()
    for start, row in rows:
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) != width:
            source.report.bad(
                InputError(
                    source.path,
                    f"row has {len(row)} fields, the header has {width}",
                    line=start,
                    hint="check quoting and delimiters in that row",
                )
            )
            continue
        try:
            comment = convert(dict(zip(header, row)), f"{stem}:{start}", stem)
        except RecordProblem as err:
            source.report.bad(InputError(source.path, str(err), line=start))
            continue
        thread = threads.new(comment)
        if thread is not None:
            yield thread
        yield comment


def _json_error(
    source: Source, err: orjson.JSONDecodeError, number: int, line: bytes | str
) -> InputError:
    if isinstance(line, bytes):  # orjson read the raw bytes: was it their encoding?
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as bad_bytes:
            return source.decode_error(number, bad_bytes)
        if b"\x00" in line:
            return source.nul_error(number)
    return InputError(source.path, f"invalid JSON ({err.msg}, column {err.colno})", line=number)


# deeper than this, a record could not be written back out (JSON and CSV writers recurse)
MAX_DEPTH = 200


def _opens(line: bytes | str) -> int:
    """An upper bound on a line's nesting, counted cheaply."""
    if isinstance(line, bytes):
        return line.count(b"[") + line.count(b"{")
    return line.count("[") + line.count("{")


def _depth(value: Any) -> int:
    """How deeply ``value``'s lists and objects nest (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in item)
    return deepest


def _json_objects(
    source: Source, bad: Callable[[InputError], None]
) -> Iterator[tuple[int, bytes | str, dict[str, Any]]]:
    """``(line number, line, object)`` for each line of a JSONL source that holds a JSON
    object; a line that does not goes to ``bad`` (which raises, or notes it and goes on)."""
    lines = source.iter_raw_lines() if source.is_utf8 else source.iter_lines()
    for number, line in lines:
        if not line.strip():
            continue
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError as err:
            bad(_json_error(source, err, number, line))
            continue
        if not isinstance(record, dict):
            bad(InputError(source.path, "line is JSON but not an object", line=number))
            continue
        yield number, line, record


def _refuse(error: InputError) -> None:
    raise error


def read_jsonl(source: Source, options: ReadOptions) -> Iterator[Thread | Comment]:
    """One JSON object per line; canonical comment JSONL is the special case where every key
    is a comment field."""
    stem = source.path.stem
    converters: dict[tuple[str, ...], Converter] = {}  # lines may differ in their keys
    threads = _Threads()
    for number, line, record in _json_objects(source, source.report.bad):
        if _opens(line) > MAX_DEPTH and _depth(record) > MAX_DEPTH:
            source.report.bad(
                InputError(
                    source.path,
                    f"values nested more than {MAX_DEPTH} levels deep; no comment needs that",
                    line=number,
                )
            )
            continue
        try:
            keys = tuple(record)
            convert = converters.get(keys)
            if convert is None:
                convert = converters[keys] = make_converter(
                    resolve_fields(keys, options.columns, f"line {number}")
                )
            comment = convert(record, f"{stem}:{number}", stem)
        except RecordProblem as err:
            source.report.bad(InputError(source.path, str(err), line=number))
            continue
        thread = threads.new(comment)
        if thread is not None:
            yield thread
        yield comment


def jsonl_threads(
    source: Source, options: ReadOptions
) -> Iterator[tuple[str, Callable[[], Comment]]]:
    """The thread of each comment of a JSONL source, in order, found without building the
    comment (``make()`` builds it, for the few a caller needs): what planning blocks needs,
    at a fraction of the reader's cost. A line the reader would refuse raises (no skipping:
    a run that skips bad records plans with the reader itself); a record whose fields the
    converter refuses is left to the reader that flags it."""
    stem = source.path.stem
    layouts: dict[tuple[str, ...], tuple[str | None, Converter]] = {}
    for number, _, record in _json_objects(source, _refuse):
        keys = tuple(record)
        layout = layouts.get(keys)
        if layout is None:
            try:
                fields = resolve_fields(keys, options.columns, f"line {number}")
            except RecordProblem as err:
                raise InputError(source.path, str(err), line=number) from None
            layout = layouts[keys] = (fields.get("thread"), make_converter(fields))
        key, convert = layout
        thread = record.get(key) if key else None
        thread = stem if thread is None or thread == "" else str(thread)
        yield thread, partial(convert, record, f"{stem}:{number}", stem)


# --- what these readers declare -------------------------------------------------------------

_KNOWN_COLUMNS = frozenset(name for names in COMMON_NAMES.values() for name in names)


def _has_known_header(head: str, delimiter: str) -> bool:
    """The first line splits on ``delimiter`` into at least two fields, one a column name
    the readers know."""
    try:
        fields = next(csv.reader([head.split("\n", 1)[0].rstrip("\r")], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return False
    return len(fields) >= 2 and any(f.strip().lower() in _KNOWN_COLUMNS for f in fields)


def _sniff_jsonl(head: str, suffix: str) -> bool:
    return head.startswith("{")


def _sniff_tsv(head: str, suffix: str) -> bool:
    return suffix != ".csv" and _has_known_header(head, "\t")


def _sniff_csv(head: str, suffix: str) -> bool:
    return _has_known_header(head, ",")


JSONL = ExportFormat(
    "jsonl",
    "one JSON object per line (canonical comment JSONL included)",
    (".jsonl", ".ndjson"),
    _sniff_jsonl,
    read_jsonl,
)
TSV = ExportFormat(
    "tsv",
    "tab-separated rows with a header",
    (".tsv", ".tab"),
    _sniff_tsv,
    partial(read_delimited, delimiter="\t"),
)
CSV = ExportFormat(
    "csv",
    "comma-separated rows with a header",
    (".csv",),
    _sniff_csv,
    partial(read_delimited, delimiter=","),
)
