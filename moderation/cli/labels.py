"""`moderation labels merge|from-status`: combine moderators' stores; turn the platform's own
decisions into weak labels."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from moderation.cli._util import (
    Command,
    EncodingOption,
    FormatOption,
    Group,
    SkipBadOption,
    say,
    user_errors,
)
from moderation.formats import ReadOptions
from moderation.labels.merge import merge_into, write_weak_labels

app = typer.Typer(
    help="Work with label stores: merge several, or make weak labels from the "
    "platform's decisions.",
    no_args_is_help=True,
    cls=Group,
)


@app.command("merge", cls=Command)
@user_errors
def merge_cli(
    stores: Annotated[
        list[Path],
        typer.Argument(
            help="Label stores to merge (one store: its moderators' disagreements).",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Merged store to write.", show_default=False)
    ],
    disagreements: Annotated[
        Path | None,
        typer.Option(
            help="Also write every disagreement (id, text, each store's label) as JSONL here."
        ),
    ] = None,
) -> None:
    """Merge label stores; ids the stores label differently are reported, not guessed."""
    done = merge_into(stores, output=output, disagreements=disagreements)
    for note in done.notes or []:
        say(f"note: {note}")
    for line in done.lines(output, disagreements_file=disagreements):
        say(line)


@app.command("from-status", cls=Command)
@user_errors
def from_status_cli(
    input: Annotated[
        Path,
        typer.Argument(
            help="Export whose comments carry a status "
            "(WordPress, Disqus, Reddit, CSV with a status "
            "column).",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="Weak labels (JSONL) to write.", show_default=False),
    ],
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="STATUS=LABEL (or STATUS=none), over the default approved=civil, "
            "removed=abusive. Repeatable.",
            show_default=False,
        ),
    ] = None,
    format: FormatOption = "auto",
    skip_bad: SkipBadOption = False,
    encoding: EncodingOption = None,
) -> None:
    """Turn the platform's decisions into weak labels (marked "weak": true, weighted down in
    training)."""
    done = write_weak_labels(
        input,
        output=output,
        mapping=mapping or [],
        format=format,
        options=ReadOptions.of(encoding, skip_bad),
    )
    statuses = ", ".join(f"{n} {s}" for s, n in sorted(done.statuses.items()))
    labels = ", ".join(f"{n} {label}" for label, n in sorted(done.by_label().items()))
    say(f"{input}: statuses {statuses}")
    say(f"wrote {len(done.records):,} weak label(s) to {output} ({labels})")
