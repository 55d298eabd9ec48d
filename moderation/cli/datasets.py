"""`moderation datasets list | fetch | prepare`: the public labelled datasets the default model
is trained on, and the probes used to check it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from moderation.cli._util import atomic_output, check_destination, say, user_errors

app = typer.Typer(help="Public labelled datasets: list, download, convert to examples.",
                  no_args_is_help=True)


def list_datasets(datasets_dir: Path | None = None) -> list[dict[str, Any]]:
    from moderation.datasets.recipes import default_datasets_dir
    from moderation.datasets.registry import DATASETS

    root = datasets_dir or default_datasets_dir()
    return [{"name": d.name, "role": d.role, "bytes": d.size, "licence": d.licence,
             "downloadable": d.downloadable,
             "local": all((root / f.name).is_file() for f in d.files),
             "description": d.description,
             "files": [{"name": f.name, "url": f.url, "sha256": f.sha256, "bytes": f.size,
                        "derived": f.derived} for f in d.files]}
            for d in DATASETS.values()]


@app.command("list")
@user_errors
def list_cli(
    datasets_dir: Annotated[Optional[Path], typer.Option(
        "--from", help="Folder to look for local copies in.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per dataset.")]
    = False,
) -> None:
    """Show every dataset with its role, size, licence and whether a local copy is present."""
    rows = list_datasets(datasets_dir)
    if as_json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("name", "role", "size", "licence", "local copy", "description")
    for row in rows:
        table.add_row(row["name"], row["role"], f"{row['bytes'] / 1e6:.1f} MB", row["licence"],
                      "yes" if row["local"] else ("no" if row["downloadable"]
                                                  else "no (derived: local copy only)"),
                      row["description"])
    Console(width=160).print(table)


def fetch(names: list[str], dest: Path | None = None, base_url: str | None = None,
          timeout: float = 30.0) -> dict[str, list[str]]:
    from moderation.datasets.convert import dataset
    from moderation.datasets.fetch import fetch_dataset
    from moderation.datasets.recipes import cache_dir

    dest = dest or cache_dir()
    chosen = [dataset(name) for name in names]
    return {d.name: fetch_dataset(d, dest, base_url=base_url, timeout=timeout, progress=say)
            for d in chosen}


@app.command("fetch")
@user_errors
def fetch_cli(
    names: Annotated[list[str], typer.Argument(help="Dataset names (see `datasets list`).")],
    dest: Annotated[Optional[Path], typer.Option(
        "--dest", help="Folder to download into (default: the user cache, "
                       "~/.cache/moderation/datasets).")] = None,
    base_url: Annotated[Optional[str], typer.Option(
        "--mirror", help="Download from this base URL instead of raw.githubusercontent.com.")]
    = None,
) -> None:
    """Download datasets from their pinned upstream URLs, verify checksums, resume partial
    downloads."""
    outcomes = fetch(names, dest, base_url)
    for name, results in outcomes.items():
        say(f"{name}: {', '.join(f'{c} {r}' for r, c in Counter(results).items())}")


def prepare(names: list[str], output: Path | None, datasets_dir: Path | None = None,
            all_rows: bool = False) -> dict[str, Counter]:
    """Convert local copies to canonical labelled JSONL; returns the counts per dataset and
    label."""
    from moderation.comments import to_json_line
    from moderation.datasets.convert import dataset, examples
    from moderation.datasets.recipes import default_datasets_dir

    chosen = [dataset(name).name for name in names]
    root = datasets_dir or default_datasets_dir()
    if output is not None and str(output) != "-":
        check_destination(output)
    counts: dict[str, Counter] = {}
    with atomic_output(output) as out:
        for name in chosen:
            tally = counts.setdefault(name, Counter())
            for example in examples(name, root, labelled_only=not all_rows):
                tally[example["label"] or "unlabelled"] += 1
                out.write(to_json_line(example) + "\n")
    return counts


@app.command("prepare")
@user_errors
def prepare_cli(
    names: Annotated[list[str], typer.Argument(help="Dataset names (see `datasets list`).")],
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="Examples JSONL to write (default: stdout).")] = None,
    datasets_dir: Annotated[Optional[Path], typer.Option(
        "--from", help="Folder with the local copies (default: $MODERATION_DATASETS, "
                       "../shared/datasets, or the download cache).")] = None,
    all_rows: Annotated[bool, typer.Option(
        "--all", help="Also write rows whose label does not map onto ours (label null).")]
    = False,
) -> None:
    """Convert local copies of datasets to labelled canonical JSONL examples."""
    counts = prepare(names, output, datasets_dir, all_rows)
    for name, tally in counts.items():
        shown = ", ".join(f"{label} {count:,}" for label, count in sorted(tally.items()))
        say(f"{name}: {sum(tally.values()):,} examples ({shown})")
