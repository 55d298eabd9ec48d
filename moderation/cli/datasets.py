"""`moderation datasets list | fetch | prepare`: the public labelled datasets the default model
is trained on, and the probes used to check it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from moderation.cli._util import Command, Group, say, user_errors
from moderation.datasets.catalogue import dataset_table
from moderation.datasets.convert import prepare_datasets
from moderation.datasets.fetch import fetch_datasets
from moderation.datasets.recipes import cache_dir, dataset_dir

app = typer.Typer(
    help="Public labelled datasets: list, download, convert to examples.",
    no_args_is_help=True,
    cls=Group,
)


@app.command("list", cls=Command)
@user_errors
def list_cli(
    datasets_dir: Annotated[
        Path | None, typer.Option("--from", help="Folder to look for local copies in.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per dataset.")] = False,
) -> None:
    """Show every dataset with its role, size, licence and whether a local copy is present."""
    rows = dataset_table(lambda name: dataset_dir(name, datasets_dir))
    if as_json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("name", "role", "lang", "size", "licence", "local copy", "description")
    for row in rows:
        table.add_row(
            row["name"],
            row["role"],
            row["language"],
            f"{row['bytes'] / 1e6:.1f} MB",
            row["licence"],
            "yes"
            if row["local"]
            else ("no" if row["downloadable"] else "no (derived: local copy only)"),
            row["description"],
        )
    Console(width=160).print(table)


@app.command("fetch", cls=Command)
@user_errors
def fetch_cli(
    names: Annotated[list[str], typer.Argument(help="Dataset names (see `datasets list`).")],
    dest: Annotated[
        Path | None,
        typer.Option(
            "--dest",
            help="Folder to download into (default: the user cache, ~/.cache/moderation/datasets).",
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--mirror", help="Download from this base URL instead of raw.githubusercontent.com."
        ),
    ] = None,
) -> None:
    """Download datasets from their pinned upstream URLs, verify checksums, resume partial
    downloads."""
    outcomes = fetch_datasets(names, dest or cache_dir(), base_url, progress=say)
    for name, results in outcomes.items():
        say(f"{name}: {', '.join(f'{c} {r}' for r, c in Counter(results).items())}")


@app.command("prepare", cls=Command)
@user_errors
def prepare_cli(
    names: Annotated[list[str], typer.Argument(help="Dataset names (see `datasets list`).")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Examples JSONL to write (default: stdout)."),
    ] = None,
    datasets_dir: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="Folder with the local copies (default: $MODERATION_DATASETS, "
            "../shared/datasets, or the download cache; for other languages "
            "$MODERATION_DATASETS_ML or ../shared/datasets-ml).",
        ),
    ] = None,
    all_rows: Annotated[
        bool,
        typer.Option(
            "--all", help="Also write rows whose label does not map onto ours (label null)."
        ),
    ] = False,
    split: Annotated[
        str | None,
        typer.Option(
            "--split",
            help="Only rows of this split: train, test (a dataset's official test split, where "
            "it is registered), or heldout (the fifth of a dataset in another language that no "
            "shipped model was trained on).",
        ),
    ] = None,
) -> None:
    """Convert local copies of datasets to labelled canonical JSONL examples."""
    counts = prepare_datasets(
        names, output, lambda name: dataset_dir(name, datasets_dir), all_rows, split
    )
    for name, tally in counts.items():
        shown = ", ".join(f"{label} {count:,}" for label, count in sorted(tally.items()))
        say(f"{name}: {sum(tally.values()):,} examples ({shown})")
