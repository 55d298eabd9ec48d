"""One reader per export format, and :func:`read_export`, which detects the format and fills in
what depends on the whole thread (depths, quotes).

Every reader takes a :class:`~moderation.formats.source.Source` and yields a stream of
:class:`~moderation.comments.Thread` and :class:`~moderation.comments.Comment` records; a thread
is yielded before its first comment. Streams are lazy, so an export of any size is read in
constant memory.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Callable, Iterator

from moderation.comments import Comment, Thread
from moderation.errors import UsageError
from moderation.formats.detect import FORMATS, detect_format
from moderation.formats.disqus import read_disqus
from moderation.formats.page_text import read_page_text
from moderation.formats.reddit import read_reddit
from moderation.formats.source import (LONG_COMMENT_CHARS, ColumnMap, ParseReport,
                                       ReadOptions, Source)
from moderation.formats.tabular import read_delimited, read_jsonl
from moderation.formats.wordpress import read_wxr
from moderation.labels import LabelFile
from moderation.quotes import ConversationTracker

Reader = Callable[[Source, ReadOptions], Iterator["Thread | Comment"]]

READERS: dict[str, Reader] = {
    "text": lambda source, options: read_page_text(source),
    "csv": partial(read_delimited, delimiter=","),
    "tsv": partial(read_delimited, delimiter="\t"),
    "jsonl": read_jsonl,
    "wxr": read_wxr,
    "disqus": read_disqus,
    "reddit": read_reddit,
}

__all__ = ["FORMATS", "READERS", "ColumnMap", "ParseReport", "ReadOptions", "read_export",
           "detect_format"]


def read_export(path: str | Path, *, format: str = "auto", options: ReadOptions | None = None,
                report: ParseReport | None = None,
                labels: LabelFile | None = None) -> Iterator[Thread | Comment]:
    """Threads and comments of one export, in document order, with depths and quotes filled in.

    Labels from ``labels`` (a file of comment id -> label) are joined to the comments. Counts
    and problems go to ``report``; a bad record raises :class:`~moderation.errors.InputError`
    unless ``options.skip_bad`` is set.
    """
    options = options or ReadOptions()
    report = report or ParseReport(str(path), skip_bad=options.skip_bad)
    if format != "auto" and format not in READERS:
        raise UsageError(f"unknown format {format!r}; choose one of auto, {', '.join(FORMATS)}")
    source = Source(path, report, encoding=options.encoding)
    report.position = source.position
    report.format = detect_format(source) if format == "auto" else format
    tracker = ConversationTracker()
    for record in READERS[report.format](source, options):
        if isinstance(record, Comment):
            tracker.comment(record)
            if labels is not None:
                labels.apply(record)
            report.comments += 1
            if len(record.text) > LONG_COMMENT_CHARS:
                report.warn(f"comment {record.id} is {len(record.text):,} characters long "
                            "(read whole)")
            if record.label is not None:
                report.labelled += 1
        else:
            tracker.thread(record)
            report.threads += 1
        yield record
    if tracker.orphans:
        report.warn(f"{tracker.orphans} repl(ies) name a parent that was not seen before them; "
                    "their depth is a guess")
