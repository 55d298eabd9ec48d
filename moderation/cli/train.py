"""`moderation train`: labelled examples (or a recipe) in, a model directory out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from moderation.cli._util import say, user_errors
from moderation.errors import ModerationError, UsageError


def train(inputs: list[Path], *, output: Path, recipe: str | None = None,
          config_path: Path | None = None, datasets_dir: Path | None = None,
          force: bool = False, seed: int | None = None, quiet: bool = False) -> dict[str, Any]:
    """Train from example files and/or a recipe, save the model directory, return its
    meta."""
    from moderation.datasets.recipes import recipe as find_recipe
    from moderation.datasets.recipes import recipe_records
    from moderation.model_card import render_model_card
    from moderation.pipeline import PipelineConfig
    from moderation.store import git_commit, now_iso, save_model, sha256_file, versions
    from moderation.train import prepare_examples, read_examples
    from moderation.train import train as fit

    if not inputs and recipe is None:
        raise UsageError("nothing to train on: give EXAMPLES.jsonl files or --recipe default")
    if output.exists() and not force:
        raise ModerationError(f"{output}: already exists; choose another -o or add --force to "
                              "replace it")
    progress = None if quiet else say
    records: list[dict] = []
    files: list[dict] = []
    config = PipelineConfig()
    if recipe is not None:
        config = find_recipe(recipe).config()
        recipe_examples, files = recipe_records(recipe, datasets_dir)
        records.extend(recipe_examples)
    if config_path is not None:
        config = PipelineConfig.from_toml(config_path, base=config)
    if seed is not None:
        config.random_state = seed
    for path in inputs:
        found = read_examples(path)
        records.extend(found)
        files.append({"file": str(path), "sha256": sha256_file(path), "examples": len(found)})
    examples = prepare_examples(records, files)
    if progress:
        progress(f"training on {len(examples):,} examples from {len(examples.counts())} "
                 "source(s)")
    trained = fit(examples, config, progress)
    meta = {
        "name": output.name,
        "labels": trained.labels,
        "thresholds": {label: t.to_dict() for label, t in trained.thresholds.items()},
        "C": trained.C,
        "config": config.to_dict(),
        "recipe": recipe,
        "training_data": trained.examples,
        "cv_metrics": trained.cv_metrics,
        "training_seconds": trained.seconds,
        "versions": versions(),
        "git_commit": git_commit(),
        "created_at": now_iso(),
    }
    card = render_model_card(meta)
    saved = save_model(trained.pipeline, meta, card, output, force=force)
    if progress:
        progress(f"wrote {output} ({saved['model_bytes'] / 1e6:.1f} MB, held-out macro-F1 "
                 f"{trained.cv_metrics['macro_f1']:.3f}) in {trained.seconds:.0f} s")
    return saved


@user_errors
def train_cli(
    inputs: Annotated[Optional[list[Path]], typer.Argument(
        help="Labelled examples: canonical JSONL with at least \"text\" and \"label\".",
        show_default=False)] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Model directory to write.")]
    = ...,  # type: ignore[assignment]
    recipe: Annotated[Optional[str], typer.Option(
        help="Train a named recipe (\"default\": the shipped model's data and settings).")]
    = None,
    config: Annotated[Optional[Path], typer.Option(
        "--config", help="TOML file with [pipeline] settings overriding the defaults.")] = None,
    datasets: Annotated[Optional[Path], typer.Option(
        "--from", help="Folder with local copies of the public datasets (for --recipe); "
                       "default: $MODERATION_DATASETS, ../shared/datasets, or the download "
                       "cache.")] = None,
    seed: Annotated[Optional[int], typer.Option(help="Random seed for the folds.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing model "
                                                        "directory.")] = False,
) -> None:
    """Train a TF-IDF + logistic-regression model and write it as a model directory."""
    train(inputs or [], output=output, recipe=recipe, config_path=config,
          datasets_dir=datasets, force=force, seed=seed)
