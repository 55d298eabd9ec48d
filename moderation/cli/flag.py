"""`moderation flag`: score every comment of an export and flag what a moderator should see."""

from __future__ import annotations

import json
import os
import signal
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Callable, Iterator, Optional

import typer

from moderation.cli._util import (EncodingOption, FormatOption, IdColOption, ModelOption,
                                  SkipBadOption, TextColOption, ThresholdOption, atomic_output,
                                  check_destination, say, user_errors)
from moderation.errors import UsageError
from moderation.formats import ColumnMap, ReadOptions


@contextmanager
def _progress(path: Path, enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr (by bytes of the input read) when stderr is a terminal."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import (BarColumn, Progress, TextColumn, TimeElapsedColumn,
                               TimeRemainingColumn)

    total = max(path.stat().st_size, 1)
    columns = (TextColumn("flagging"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
               TextColumn("{task.fields[comments]:,} comments"), TimeElapsedColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("flag", total=total, comments=0)

        def update(comments: int, position: int) -> None:
            bar.update(task, completed=position or 0, comments=comments)

        yield update


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """A `kill` (SIGTERM) unwinds like Ctrl-C, so the temporary output is removed."""
    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:              # not the main thread (e.g. called from a test runner)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def default_processes() -> int:
    """Two processes (reading, scoring) where there are two cores to run them."""
    return 2 if (os.cpu_count() or 1) >= 2 else 1


def flag(input: Path, *, output: Path | None = None, format: str = "auto",
         model: Path | None = None, thresholds: list[str] | None = None,
         only_flagged: bool = False, summary: Path | None = None,
         options: ReadOptions | None = None, progress: bool = False,
         processes: int | None = None) -> dict[str, Any]:
    """Flag every comment of ``input`` into ``output`` (JSONL, or CSV/TSV by extension;
    stdout when None) and return the summary. Nothing appears at ``output`` or ``summary``
    unless the whole export was read."""
    from moderation.flagging import flag_export
    from moderation.scoring import parse_thresholds
    from moderation.store import load_model

    for destination in (output, summary):
        if destination is not None and str(destination) != "-":
            check_destination(destination)
    if output is not None and summary is not None and output.resolve() == summary.resolve():
        raise UsageError("--summary and -o name the same file")
    if output is not None and output.exists() and output.resolve() == input.resolve():
        raise UsageError(f"{output}: is the input; write the flagged export elsewhere")
    loaded = load_model(model)
    chosen = parse_thresholds(thresholds or [], loaded.thresholds, loaded.labels)
    with _terminate_as_interrupt(), atomic_output(output, binary=True) as out, \
            _progress(input, progress) as on_progress:
        result = flag_export(input, out, model=loaded, thresholds=chosen,
                             output_name=str(output) if output else None, format=format,
                             options=options, only_flagged=only_flagged, progress=on_progress,
                             processes=processes or default_processes())
    data = {"input": str(input), "format": result.report.format, "model": loaded.id,
            "thresholds": chosen, "written": result.written,
            "skipped": [str(e) for e in result.report.skipped],
            "warnings": result.report.warnings, **result.summary.to_dict()}
    if summary is not None:
        with atomic_output(summary) as handle:
            handle.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return {"data": data, "result": result}


def flag_cli(
    input: Annotated[Path, typer.Argument(
        help="Export file: CSV, TSV, JSONL, WordPress WXR, Disqus XML, Reddit JSON or a page "
             "text dump.", show_default=False)],
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="Where to write every comment with its scores: .jsonl, or .csv "
                               "/ .tsv (default: JSONL on stdout).")] = None,
    format: FormatOption = "auto",
    model: ModelOption = None,
    threshold: ThresholdOption = None,
    only_flagged: Annotated[bool, typer.Option(
        "--only-flagged", help="Write only the comments with at least one flag.")] = False,
    summary: Annotated[Optional[Path], typer.Option(
        help="Also write the summary as JSON to this file.")] = None,
    skip_bad: SkipBadOption = False,
    encoding: EncodingOption = None,
    text_col: TextColOption = None,
    id_col: IdColOption = None,
    processes: Annotated[Optional[int], typer.Option(
        "--processes", "-j", min=1, max=2, help="1: read and score in one process; 2: score in "
        "a second process (default: 2 on a machine with two or more cores).",
        show_default=False)] = None,
) -> None:
    """Score and flag every comment of an export; a summary by label, thread and author goes
    to stderr."""
    options = ReadOptions(encoding=encoding, skip_bad=skip_bad,
                          columns=ColumnMap(text=text_col, id=id_col))
    _run(input, output, format, model, threshold or [], only_flagged, summary, options,
         processes)


@user_errors
def _run(input, output, format, model, thresholds, only_flagged, summary, options,
         processes) -> None:
    done = flag(input, output=output, format=format, model=model, thresholds=thresholds,
                only_flagged=only_flagged, summary=summary, options=options, processes=processes,
                progress=sys.stderr.isatty() and os.environ.get("TERM") != "dumb")
    report = done["result"].report
    say(report.summary())
    for line in report.details():
        say(line)
    for line in done["result"].summary.lines():
        say(line)
    if output is not None:
        say(f"wrote {done['data']['written']:,} row(s) to {output}")
