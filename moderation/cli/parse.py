"""`moderation parse`: read exports into canonical comment JSONL (and a threads file)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from moderation.canonical import parse_exports
from moderation.cli._util import (
    FormatOption,
    reads_exports,
    say,
    user_errors,
)
from moderation.files import terminate_as_interrupt
from moderation.formats import ReadOptions

InputsArgument = Annotated[
    list[Path],
    typer.Argument(
        help="Export files: page text dumps, CSV, TSV, "
        "JSONL, WordPress WXR, Disqus XML, Reddit JSON.",
        show_default=False,
    ),
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Canonical comment JSONL to write (default: stdout)."),
]
LabelsOption = Annotated[
    Path | None,
    typer.Option(help="CSV or JSONL of comment id -> label (civil, abusive, conspiracy) to join."),
]
ThreadsOutOption = Annotated[
    Path | None,
    typer.Option(help="Also write one JSON line per thread, with its comment count."),
]
TreeOption = Annotated[
    bool, typer.Option("--tree", help="Print threads as a readable tree instead of JSONL.")
]


@user_errors
@reads_exports
def parse_cli(
    inputs: InputsArgument,
    output: OutputOption = None,
    format: FormatOption = "auto",
    labels: LabelsOption = None,
    threads_out: ThreadsOutOption = None,
    tree: TreeOption = False,
    *,
    options: ReadOptions,
) -> None:
    """Read comment exports into canonical comment JSONL, one comment per line."""
    with terminate_as_interrupt():  # a `kill` removes the temporary and spool files too
        result = parse_exports(
            inputs,
            output=output,
            format=format,
            labels=labels,
            threads_out=threads_out,
            options=options,
            tree=tree,
        )
    for report in result.reports:
        say(report.summary())
        for line in report.details():
            say(line)
    if result.labels is not None:
        joined = result.labels
        say(f"{joined.path}: {joined.labelled} label(s) joined, {len(joined.skipped)} skipped")
        for line in joined.details():
            say(line)
