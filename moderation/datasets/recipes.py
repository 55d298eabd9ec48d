"""Recipes: which labelled data and which settings make a named model.

The ``default`` recipe is the shipped model: the four training sources, mapped to our labels,
plus the examples written for this project (``data/examples/written.jsonl``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from moderation.datasets.convert import examples as dataset_examples
from moderation.datasets.registry import DATASETS, TRAINING_SOURCES
from moderation.errors import UsageError
from moderation.examples import Example, read_labelled
from moderation.files import sha256_file

ENV_DATASETS = "MODERATION_DATASETS"
CHECKOUT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Recipe:
    name: str
    description: str
    sources: tuple[str, ...]
    written_examples: bool = True
    settings: dict[str, Any] = field(default_factory=dict)  # [pipeline] settings


RECIPES = {
    r.name: r
    for r in (
        Recipe(
            "default",
            "the shipped model: davidson, olid, ruddit and psycomark mapped to civil / abusive "
            "/ conspiracy, plus the examples written for this project",
            TRAINING_SOURCES,
        ),
    )
}


def recipe(name: str) -> Recipe:
    try:
        return RECIPES[name]
    except KeyError:
        raise UsageError(f"unknown recipe {name!r}; known: {', '.join(RECIPES)}") from None


def cache_dir() -> Path:
    """Where `moderation datasets fetch` puts downloads unless told otherwise."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "moderation" / "datasets"


def default_datasets_dir() -> Path:
    """``$MODERATION_DATASETS``, else ``../shared/datasets`` beside the checkout or the current
    folder, else the download cache."""
    if os.environ.get(ENV_DATASETS):
        return Path(os.environ[ENV_DATASETS])
    for candidate in (
        CHECKOUT.parent / "shared" / "datasets",
        Path.cwd().parent / "shared" / "datasets",
    ):
        if (candidate / "README.md").is_file() or (candidate / "olid").is_dir():
            return candidate
    return cache_dir()


def written_examples_path() -> Path:
    checkout = CHECKOUT / "data" / "examples" / "written.jsonl"
    if checkout.is_file():
        return checkout
    return Path(str(resources.files("moderation") / "_data" / "written.jsonl"))


def recipe_records(
    name: str, datasets_dir: str | Path | None = None
) -> tuple[list[Example], list[dict]]:
    """The labelled examples of a recipe and a description of every file they came from."""
    chosen = recipe(name)
    root = Path(datasets_dir) if datasets_dir else default_datasets_dir()
    records: list[Example] = []
    files: list[dict] = []
    for source in chosen.sources:
        before = len(records)
        records.extend(
            Example.from_record(r) for r in dataset_examples(source, root, labelled_only=True)
        )
        for item in DATASETS[source].files:
            files.append(
                {"file": item.name, "dataset": source, "sha256": item.sha256, "url": item.url}
            )
        files[-1]["examples"] = len(records) - before
    if chosen.written_examples:
        path = written_examples_path()
        written = read_labelled(path, kind="examples", default_source="written").examples
        records.extend(written)
        files.append(
            {
                "file": "data/examples/written.jsonl",
                "dataset": "written",
                "sha256": sha256_file(path),
                "examples": len(written),
            }
        )
    return records, files
