"""`moderation parse`: read exports into canonical comment JSONL (and a threads file)."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Optional, TextIO

import typer

from moderation.cli._util import (EncodingOption, FormatOption, IdColOption, SkipBadOption,
                                  TextColOption, atomic_output, check_destination, say,
                                  user_errors)
from moderation.comments import Comment, Thread, comment_to_json, to_json_line
from moderation.formats import ColumnMap, ParseReport, ReadOptions, read_export
from moderation.labels import LabelFile, read_label_file


@dataclass
class ParseResult:
    reports: list[ParseReport] = field(default_factory=list)
    labels: ParseReport | None = None

    @property
    def comments(self) -> int:
        return sum(r.comments for r in self.reports)


class _ThreadSpool:
    """Threads as they are met, spooled to disk so a large export's articles are not held in
    memory; comment counts are added when the run completes."""

    def __init__(self, folder: Path):
        self.counts: dict[str, int] = {}
        fd, self.name = tempfile.mkstemp(prefix=".threads.", suffix=".spool", dir=folder)
        self.file = os.fdopen(fd, "w+", encoding="utf-8")

    def add(self, thread: Thread) -> None:
        if thread.id not in self.counts:
            self.counts[thread.id] = 0
            self.file.write(to_json_line(thread.to_dict(0)) + "\n")

    def count(self, comment: Comment) -> None:
        self.counts[comment.thread_id] = self.counts.get(comment.thread_id, 0) + 1

    def write(self, out: TextIO) -> None:
        self.file.seek(0)
        for line in self.file:
            record = json.loads(line)
            record["comment_count"] = self.counts[record["id"]]
            out.write(to_json_line(record) + "\n")

    def close(self) -> None:
        self.file.close()
        os.unlink(self.name)


def _tree_line(comment: Comment) -> str:
    marks = [comment.author or "anonymous"]
    if comment.created_at:
        marks.append(comment.created_at)
    if comment.label:
        marks.append(f"[{comment.label}]")
    if comment.status:
        marks.append(f"({comment.status})")
    if comment.quotes:
        marks.append("quotes " + ", ".join(q.source for q in comment.quotes))
    snippet = " ".join(comment.text.split())
    snippet = snippet[:90] + ("..." if len(snippet) > 90 else "")
    return f"{'    ' * comment.depth}- {' | '.join(marks)}: {snippet}"


def parse(inputs: list[Path], *, output: Path | None = None, format: str = "auto",
          labels: Path | None = None, threads_out: Path | None = None,
          options: ReadOptions | None = None, tree: bool = False) -> ParseResult:
    """Parse every input into canonical JSONL at ``output`` (stdout when None), or a readable
    tree with ``tree``. Nothing is written at ``output`` or ``threads_out`` unless every input
    was read (bad records skipped only with ``options.skip_bad``)."""
    options = options or ReadOptions()
    result = ParseResult()
    label_file: LabelFile | None = None
    if labels is not None:
        result.labels = ParseReport(str(labels), skip_bad=options.skip_bad, format="labels")
        label_file = read_label_file(labels, result.labels)
    for destination in (output, threads_out):
        if destination is not None and str(destination) != "-":
            check_destination(destination)
    spool = _ThreadSpool(Path(threads_out).parent) if threads_out else None
    try:
        with atomic_output(output) as out:
            for path in inputs:
                report = ParseReport(str(path), skip_bad=options.skip_bad)
                result.reports.append(report)
                for record in read_export(path, format=format, options=options, report=report,
                                          labels=label_file):
                    if isinstance(record, Thread):
                        if spool:
                            spool.add(record)
                        if tree:
                            out.write(f"# {record.title or record.id}"
                                      f"{'  <' + record.url + '>' if record.url else ''}\n")
                        continue
                    if spool:
                        spool.count(record)
                    out.write(_tree_line(record) if tree else comment_to_json(record))
                    out.write("\n")
            if label_file is not None and result.labels is not None:
                for problem in label_file.unmatched():
                    result.labels.bad(problem)
                result.labels.labelled = len(label_file.used)
            if spool is not None:
                with atomic_output(threads_out) as threads_file:
                    spool.write(threads_file)
    finally:
        if spool is not None:
            spool.close()
    return result


def parse_cli(
    inputs: Annotated[list[Path], typer.Argument(help="Export files: page text dumps, CSV, TSV, "
                                                 "JSONL, WordPress WXR, Disqus XML, Reddit JSON.",
                                                 show_default=False)],
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="Canonical comment JSONL to write (default: stdout).")] = None,
    format: FormatOption = "auto",
    labels: Annotated[Optional[Path], typer.Option(
        help="CSV or JSONL of comment id -> label (civil, abusive, conspiracy) to join.")] = None,
    threads_out: Annotated[Optional[Path], typer.Option(
        help="Also write one JSON line per thread, with its comment count.")] = None,
    encoding: EncodingOption = None,
    skip_bad: SkipBadOption = False,
    tree: Annotated[bool, typer.Option(
        "--tree", help="Print threads as a readable tree instead of JSONL.")] = False,
    text_col: TextColOption = None,
    id_col: IdColOption = None,
    parent_col: Annotated[Optional[str], typer.Option(help="Column with the parent's id.")] = None,
    thread_col: Annotated[Optional[str], typer.Option(help="Column with the thread id.")] = None,
    author_col: Annotated[Optional[str], typer.Option(help="Column with the author.")] = None,
    time_col: Annotated[Optional[str], typer.Option(help="Column with the time.")] = None,
    label_col: Annotated[Optional[str], typer.Option(help="Column with a gold label.")] = None,
) -> None:
    """Read comment exports into canonical comment JSONL, one comment per line."""
    options = ReadOptions(encoding=encoding, skip_bad=skip_bad, columns=ColumnMap(
        text=text_col, id=id_col, parent=parent_col, thread=thread_col, author=author_col,
        time=time_col, label=label_col))
    _run(inputs, output, format, labels, threads_out, options, tree)


@user_errors
def _run(inputs, output, format, labels, threads_out, options, tree) -> None:
    result = parse(inputs, output=output, format=format, labels=labels,
                   threads_out=threads_out, options=options, tree=tree)
    for report in result.reports:
        say(report.summary())
        for line in report.details():
            say(line)
    if result.labels is not None:
        labels = result.labels
        say(f"{labels.path}: {labels.labelled} label(s) joined, {len(labels.skipped)} skipped")
        for line in labels.details():
            say(line)
