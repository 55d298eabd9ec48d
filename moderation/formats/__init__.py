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

from collections.abc import Iterator
from pathlib import Path

from moderation.comments import Comment, Thread
from moderation.errors import InputError, UsageError
from moderation.formats.disqus import DISQUS
from moderation.formats.page_text import TEXT
from moderation.formats.reddit import REDDIT
from moderation.formats.source import (
    LONG_COMMENT_CHARS,
    ColumnMap,
    ExportFormat,
    ParseReport,
    ReadOptions,
    Source,
)
from moderation.formats.tabular import CSV, JSONL, TSV
from moderation.formats.wordpress import WXR
from moderation.quotes import ConversationTracker

# In the order detection asks them: the first whose sniff() claims a file reads it. The page
# text reader is last: it reads what no other reader claims.
FORMATS: dict[str, ExportFormat] = {f.name: f for f in (WXR, DISQUS, REDDIT, JSONL, TSV, CSV, TEXT)}
FALLBACK = TEXT.name

__all__ = [
    "FORMATS",
    "ColumnMap",
    "ExportFormat",
    "ParseReport",
    "ReadOptions",
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
) -> Iterator[Thread | Comment]:
    """Threads and comments of one export, in document order, with depths and quotes filled in.

    Counts and problems go to ``report``; a bad record raises
    :class:`~moderation.errors.InputError` unless ``options.skip_bad`` is set.
    """
    options = options or ReadOptions()
    report = report or ParseReport(str(path), skip_bad=options.skip_bad)
    if format != "auto" and format not in FORMATS:
        raise UsageError(f"unknown format {format!r}; choose one of auto, {', '.join(FORMATS)}")
    source = Source(path, report, encoding=options.encoding)
    report.position = source.position
    report.format = detect_format(source) if format == "auto" else format
    tracker = ConversationTracker()
    for record in FORMATS[report.format].read(source, options):
        if isinstance(record, Comment):
            tracker.comment(record)
            report.comments += 1
            if len(record.text) > LONG_COMMENT_CHARS:
                report.warn(
                    f"comment {record.id} is {len(record.text):,} characters long (read whole)"
                )
            if record.label is not None:
                report.labelled += 1
        else:
            tracker.thread(record)
            report.threads += 1
        yield record
    if tracker.orphans:
        report.warn(
            f"{tracker.orphans} repl(ies) name a parent that was not seen before them; "
            "their depth is a guess"
        )
