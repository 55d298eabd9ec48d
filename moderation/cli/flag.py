"""`moderation flag`: score every comment of an export and flag what a moderator should see."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from moderation.cli._util import (
    FormatOption,
    LanguageOption,
    ModelOption,
    ThresholdOption,
    reads_exports,
    say,
    user_errors,
)
from moderation.errors import UsageError
from moderation.files import terminate_as_interrupt
from moderation.flagging import flag_file
from moderation.formats import ReadOptions
from moderation.formats.source import InputURL, input_path, input_size


@contextmanager
def progress_bar(
    path: Path | InputURL, enabled: bool
) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr (by bytes of the input read) when stderr is a terminal."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    total = max(input_size(path), 1)
    columns = (
        TextColumn("flagging"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("{task.fields[comments]:,} comments"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("flag", total=total, comments=0)

        def update(comments: int, position: int) -> None:
            bar.update(task, completed=position or 0, comments=comments)

        yield update


def show_progress() -> bool:
    return sys.stderr.isatty() and os.environ.get("TERM") != "dumb"


InputArgument = Annotated[
    list[str],
    typer.Argument(
        help="Export file or URL (s3://, gs://, file://): CSV, TSV, JSONL, WordPress WXR, "
        "Disqus XML, Reddit JSON or a page text dump. With --dask, one or more files, URLs "
        "or globs.",
        show_default=False,
    ),
]
DaskOption = Annotated[
    str | None,
    typer.Option(
        "--dask",
        help="Flag on a Dask cluster: a scheduler address (tcp://host:8786) or local[:N] for "
        "N local worker processes. Needs pip install 'moderation[dask]'. -o FILE (.jsonl, "
        ".csv, .tsv) gathers the rows in input order; -o DIR/ writes one part per partition "
        "and a manifest.",
        show_default=False,
    ),
]
BlockOption = Annotated[
    int,
    typer.Option(
        "--block-mb",
        min=1,
        help="With --dask: JSONL, CSV and TSV exports are read in blocks of this many MB.",
    ),
]
OutputOption = Annotated[
    str | None,  # as typed: with --dask, a trailing / names a folder
    typer.Option(
        "--output",
        "-o",
        help="Where to write every comment with its scores: .jsonl, or .csv "
        "/ .tsv (default: JSONL on stdout). With --dask, a folder DIR/ for part files.",
    ),
]
OnlyFlaggedOption = Annotated[
    bool, typer.Option("--only-flagged", help="Write only the comments with at least one flag.")
]
SummaryOption = Annotated[
    Path | None, typer.Option(help="Also write the summary as JSON to this file.")
]
ProcessesOption = Annotated[
    int | None,
    typer.Option(
        "--processes",
        "-j",
        min=1,
        max=2,
        help="1: read and score in one process; 2: every core reads and scores (a JSONL, "
        "CSV or TSV export in blocks; others scored in a second process). Default: 2 on a "
        "machine with two or more cores. The rows are the same either way.",
        show_default=False,
    ),
]


@user_errors
@reads_exports
def flag_cli(
    input: InputArgument,
    output: OutputOption = None,
    format: FormatOption = "auto",
    model: ModelOption = None,
    threshold: ThresholdOption = None,
    only_flagged: OnlyFlaggedOption = False,
    summary: SummaryOption = None,
    processes: ProcessesOption = None,
    dask: DaskOption = None,
    block_mb: BlockOption = 32,
    language: LanguageOption = None,
    *,
    options: ReadOptions,
) -> None:
    """Score and flag every comment of an export, each with the model of its language; a
    summary by label, language, thread and author goes to stderr."""
    if dask is not None:
        _flag_on_dask(
            input,
            dask,
            output,
            summary,
            model,
            threshold,
            format,
            options,
            only_flagged,
            block_mb,
            language,
        )
        return
    if len(input) != 1:
        raise UsageError(f"{len(input)} inputs: flag reads one export, or several with --dask")
    path = input_path(input[0])
    with terminate_as_interrupt(), progress_bar(path, show_progress()) as on_progress:
        data, result = flag_file(
            path,
            output=Path(output) if output is not None else None,
            summary=summary,
            model=model,
            thresholds=threshold or [],
            format=format,
            options=options,
            only_flagged=only_flagged,
            progress=on_progress,
            processes=processes,
            language=language,
        )
    say(result.report.summary())
    for line in result.report.details():
        say(line)
    for line in result.summary.lines():
        say(line)
    if output is not None:
        say(f"wrote {data['written']:,} row(s) to {output}")


def _flag_on_dask(
    inputs: list[str],
    address: str,
    output: str | None,
    summary: Path | None,
    model: Path | None,
    threshold: list[str] | None,
    format: str,
    options: ReadOptions,
    only_flagged: bool,
    block_mb: int,
    language: str | None,
) -> None:
    from moderation.flagging.distributed import flag_files_on_dask

    as_dir = output is not None and (output.endswith(("/", os.sep)) or Path(output).is_dir())
    with terminate_as_interrupt():
        data, result = flag_files_on_dask(
            inputs,
            address,
            output=Path(output) if output is not None else None,
            output_dir=as_dir,
            summary=summary,
            model=model,
            thresholds=threshold or [],
            format=format,
            options=options,
            only_flagged=only_flagged,
            block_bytes=block_mb << 20,
            language=language,
        )
    for report in result.reports:
        say(report.summary())
        for line in report.details():
            say(line)
    for line in result.summary.lines():
        say(line)
    if output is not None:
        where = f"{len(result.parts)} part(s) in {output}" if as_dir else str(output)
        say(f"wrote {data['written']:,} row(s) to {where}")
