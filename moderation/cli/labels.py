"""`moderation labels export|import|merge|from-status`: labels out of a store and into one;
combine moderators' stores; turn the platform's own decisions into weak labels."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from moderation.cli._util import (
    Command,
    EncodingOption,
    FormatOption,
    Group,
    NoBomOption,
    SkipBadOption,
    say,
    user_errors,
)
from moderation.formats import ReadOptions
from moderation.labels.exchange import export_labels, import_labels
from moderation.labels.merge import merge_into, write_weak_labels

app = typer.Typer(
    help="Work with label stores: export and import, merge several, or make weak labels from "
    "the platform's decisions.",
    no_args_is_help=True,
    cls=Group,
)


@app.command("export", cls=Command)
@user_errors
def export_cli(
    store: Annotated[
        Path,
        typer.Argument(help="Label store (a .db file, or an old .jsonl one).", show_default=False),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="File to write (.jsonl or .csv); stdout when left out."
        ),
    ] = None,
    current: Annotated[
        bool,
        typer.Option(
            "--current",
            help="Each labelled comment's current label only, instead of every row of the history.",
        ),
    ] = False,
    format: Annotated[
        str, typer.Option("--format", "-f", help="jsonl or csv (default: from the file name).")
    ] = "auto",
    no_bom: NoBomOption = False,
) -> None:
    """Write a label store out as JSONL or CSV: its whole history (every answer, correction,
    undo and platform decision, in order), or with --current the labels as they stand."""
    done = export_labels(store, output=output, format=format, history=not current, bom=not no_bom)
    for note in done.notes:
        say(f"note: {note}")
    what = "label(s)" if current else "row(s) of history"
    say(f"wrote {done.rows:,} {what} of {done.store} to {done.output} ({done.format})")


@app.command("import", cls=Command)
@user_errors
def import_cli(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Label files (JSONL): an export, a merge, weak labels from from-status.",
            show_default=False,
        ),
    ],
    store: Annotated[
        Path,
        typer.Option(
            "--store",
            "-s",
            help="Label store to add them to; created if missing.",
            show_default=False,
        ),
    ],
) -> None:
    """Add label files to a store, each in one transaction (a file is imported once)."""
    done = import_labels(files, store=store)
    for note in done.notes:
        say(f"note: {note}")
    say(f"added {done.added:,} row(s) from {len(done.files)} file(s) to {done.store}")


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
            "removed=abusive, deleted=abusive (pending and spam are left out). Repeatable.",
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
    left_out = done.left_out()
    if left_out:
        shown = ", ".join(f"{n} {status}" for status, n in left_out.items())
        say(f"left out (no label for their status): {shown}; --map STATUS=LABEL to use them")
