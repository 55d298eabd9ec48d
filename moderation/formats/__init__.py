"""One reader per export format, the registry that detects which one a file needs, and
:func:`read_export`, which fills in what depends on the whole thread (depths, quotes).

Every reader declares itself as an :class:`~moderation.formats.source.ExportFormat` (name,
suffixes, ``sniff``, ``read``) and is listed once, in ``FORMATS``: detection, ``--format``
choices and help text all come from that list. A reader takes a
:class:`~moderation.formats.source.Source` and yields a stream of
:class:`~moderation.comments.Thread` and :class:`~moderation.comments.Comment` records; a thread
is yielded before its first comment. Streams are lazy, so an export of any size is read in
constant memory.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator
from functools import partial
from pathlib import Path

from moderation.comments import Comment, Thread
from moderation.errors import InputError, UsageError
from moderation.formats.disqus import DISQUS
from moderation.formats.page_html import HTML
from moderation.formats.page_text import TEXT
from moderation.formats.reddit import REDDIT
from moderation.formats.source import (
    LONG_COMMENT_CHARS,
    ByteSpan,
    ColumnMap,
    ExportFormat,
    ParseReport,
    ReadOptions,
    Source,
)
from moderation.formats.tabular import CSV, JSONL, TSV, jsonl_threads
from moderation.formats.wordpress import WXR
from moderation.quotes import ConversationTracker

# In the order detection asks them: the first whose sniff() claims a file reads it. Saved HTML
# comes after the XML exports (whose sniffs look for their own root elements); the page text
# reader is last: it reads what no other reader claims.
FORMATS: dict[str, ExportFormat] = {
    f.name: f for f in (WXR, DISQUS, HTML, REDDIT, JSONL, TSV, CSV, TEXT)
}
FALLBACK = TEXT.name

__all__ = [
    "BLOCK_FORMATS",
    "FORMATS",
    "ByteSpan",
    "ColumnMap",
    "ExportFormat",
    "ParseReport",
    "ReadOptions",
    "read_block",
    "read_export",
    "detect_format",
    "format_help",
]


def format_help() -> str:
    """The ``--format`` help text, from the registry."""
    return "Reader to use: auto (detect), or one of " + ", ".join(FORMATS) + "."


def detect_format(source: Source) -> str:
    """Which reader an export needs, decided from its content (the file name's suffix only
    breaks ties)."""
    head = source.head_text.lstrip("\ufeff \t\r\n")
    suffix = source.path.suffix.lower()
    for name, export_format in FORMATS.items():
        if export_format.sniff(head, suffix):
            return name
    if head.startswith("<"):
        raise InputError(
            source.path,
            f"XML, but not an export any reader knows (formats: {', '.join(FORMATS)})",
            hint="pass --format to choose a reader",
        )
    for name, export_format in FORMATS.items():
        if suffix in export_format.suffixes:
            return name
    return FALLBACK


def read_export(
    path: str | Path,
    *,
    format: str = "auto",
    options: ReadOptions | None = None,
    report: ParseReport | None = None,
) -> Generator[Thread | Comment, None, None]:
    """Threads and comments of one export, in document order, with depths and quotes filled in.

    Counts and problems go to ``report``; a bad record raises
    :class:`~moderation.errors.InputError` unless ``options.skip_bad`` is set.
    """
    options = options or ReadOptions()
    report = report or ParseReport(str(path), skip_bad=options.skip_bad)
    source = open_export(path, format, options, report)
    tracker = ConversationTracker()
    reader = FORMATS[report.format]  # type: ignore[index]  # open_export chose it
    for record in _counted(reader.read(source, options), report):
        if isinstance(record, Comment):
            tracker.comment(record)
        else:
            tracker.thread(record)
        yield record
    if tracker.orphans:
        report.warn(orphans_warning(tracker.orphans))


def orphans_warning(orphans: int) -> str:
    return (
        f"{orphans} repl(ies) name a parent that was not seen before them; their depth is a guess"
    )


def open_export(
    path: str | os.PathLike[str], format: str, options: ReadOptions, report: ParseReport
) -> Source:
    """The export at ``path``, its encoding settled and its format (``report.format``) chosen."""
    if format != "auto" and format not in FORMATS:
        raise UsageError(f"unknown format {format!r}; choose one of auto, {', '.join(FORMATS)}")
    source = Source(path, report, encoding=options.encoding)
    report.position = source.position
    report.format = detect_format(source) if format == "auto" else format
    return source


def _counted(
    records: Iterator[Thread | Comment], report: ParseReport
) -> Iterator[Thread | Comment]:
    for record in records:
        if isinstance(record, Comment):
            report.comments += 1
            if len(record.text) > LONG_COMMENT_CHARS:
                report.warn(
                    f"comment {record.id} is {len(record.text):,} characters long (read whole)"
                )
            if record.label is not None:
                report.labelled += 1
        else:
            report.threads += 1
        yield record


# Formats whose records are lines (or CSV rows) that can be read a block at a time.
BLOCK_FORMATS = frozenset({JSONL.name, CSV.name, TSV.name})


def read_block(
    path: str | Path,
    span: ByteSpan,
    *,
    format: str,
    options: ReadOptions | None = None,
    report: ParseReport | None = None,
) -> Iterator[Thread | Comment]:
    """The threads and comments of one block of a JSONL, CSV or TSV export (``format`` one of
    ``BLOCK_FORMATS``, already detected), as its reader gives them: depths and quotes depend
    on earlier blocks and are left to the caller. Where reading stopped (the byte offset of
    the next block's first record) is ``report.stopped_at`` afterwards."""
    options = options or ReadOptions()
    report = report or ParseReport(str(path), skip_bad=options.skip_bad)
    source = open_export(path, format, options, report)
    if format not in BLOCK_FORMATS or not source.splits_into_blocks:
        raise UsageError(f"{path}: {format} in {source.encoding} is not read in blocks")
    source.span = span
    source.stopped_at = span.start
    yield from _counted(FORMATS[format].read(source, options), report)
    report.stopped_at = source.stopped_at


def read_block_threads(
    path: str | Path,
    span: ByteSpan,
    *,
    format: str,
    options: ReadOptions,
    report: ParseReport,
) -> Iterator[tuple[str, Callable[[], Comment]]]:
    """The thread of each comment of one block, in order, and a way to build the comment:
    for planning blocks. JSON lines are not converted unless asked (unless bad records are
    to be skipped, which only the reader knows); other formats are read whole. Where reading
    stopped is ``report.stopped_at`` afterwards."""
    if format != JSONL.name or options.skip_bad:
        for record in read_block(path, span, format=format, options=options, report=report):
            if isinstance(record, Comment):
                yield record.thread_id, partial(_same, record)
        return
    source = open_export(path, format, options, report)
    if not source.splits_into_blocks:
        raise UsageError(f"{path}: {format} in {source.encoding} is not read in blocks")
    source.span = span
    source.stopped_at = span.start
    yield from jsonl_threads(source, options)
    report.stopped_at = source.stopped_at


def _same(comment: Comment) -> Comment:
    return comment
