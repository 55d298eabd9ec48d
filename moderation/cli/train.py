"""`moderation train`: labelled examples (or a recipe) in, a model directory out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from moderation.cli._util import say, user_errors
from moderation.errors import ModerationError, UsageError


def train(inputs: list[Path], *, output: Path, recipe: str | None = None,
          config_path: Path | None = None, datasets_dir: Path | None = None,
          force: bool = False, seed: int | None = None, quiet: bool = False,
          base: Path | None = None, add: list[Path] | None = None, no_base: bool = False,
          site_weight: float | None = None, weak_weight: float | None = None,
          method: str = "prior", strength: float | None = None) -> dict[str, Any]:
    """Train from example files and/or a recipe, or retrain a ``base`` model with a site's
    labels (``add``); save the model directory, return its meta."""
    from moderation.datasets.recipes import recipe as find_recipe
    from moderation.datasets.recipes import recipe_records
    from moderation.pipeline import PipelineConfig
    from moderation.store import sha256_file
    from moderation.train import prepare_examples, read_examples
    from moderation.train import train as fit

    if add or base is not None or no_base:
        return _train_on_site(output=output, base=base, add=add or [], no_base=no_base,
                              site_weight=site_weight, weak_weight=weak_weight,
                              method=method, strength=strength,
                              datasets_dir=datasets_dir, force=force, seed=seed, quiet=quiet,
                              inputs=inputs, recipe=recipe, config_path=config_path)
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
    saved = _save(trained, output, recipe=recipe, force=force)
    if progress:
        progress(f"wrote {output} ({saved['model_bytes'] / 1e6:.1f} MB, held-out macro-F1 "
                 f"{trained.cv_metrics['macro_f1']:.3f}) in {trained.seconds:.0f} s")
    return saved


def _save(trained: Any, output: Path, *, recipe: str | None, force: bool,
          **extra: Any) -> dict[str, Any]:
    """The model directory for a trained model: meta (what it is, what it learnt from, its
    held-out metrics, versions), model card, files."""
    from moderation.model_card import render_model_card
    from moderation.store import git_commit, now_iso, save_model, versions

    meta = {
        "name": output.name,
        "labels": trained.labels,
        "thresholds": {label: t.to_dict() for label, t in trained.thresholds.items()},
        "C": trained.C,
        "config": trained.config.to_dict(),
        "recipe": recipe,
        **extra,
        "training_data": trained.examples,
        "cv_metrics": trained.cv_metrics,
        "training_seconds": trained.seconds,
        "versions": versions(),
        "git_commit": git_commit(),
        "created_at": now_iso(),
    }
    return save_model(trained.pipeline, meta, render_model_card(meta), output, force=force)


def _train_on_site(*, output: Path, base: Path | None, add: list[Path], no_base: bool,
                   site_weight: float | None, weak_weight: float | None,
                   method: str, strength: float | None, datasets_dir: Path | None, force: bool, seed: int | None, quiet: bool,
                   inputs: list[Path], recipe: str | None, config_path: Path | None
                   ) -> dict[str, Any]:
    """`train --base DIR --add LABELS...`: the base's weights refitted on the site's labels
    (``method="prior"``), or the base's data replayed plus the site's labels weighted up
    (``"weighted"``), or (``no_base``) the site's labels alone."""
    from moderation.adapt import (METHODS, PRIOR_STRENGTH, SITE_WEIGHT, WEAK_WEIGHT,
                                  read_site_labels, replay_base_data, site_config,
                                  train_towards_base)
    from moderation.pipeline import PipelineConfig
    from moderation.store import read_meta, resolve_model_dir
    from moderation.train import prepare_examples
    from moderation.train import train as fit

    if inputs or recipe:
        raise UsageError("--base/--add retrain on a site's labels: give the labels with --add, "
                         "not as EXAMPLES or --recipe")
    if not add:
        raise UsageError("give the site's labels with --add LABELS.jsonl (a store written by "
                         "`moderation label`)")
    if no_base and base is not None:
        raise UsageError("--no-base trains on the site's labels alone: leave out --base")
    if output.exists() and not force:
        raise ModerationError(f"{output}: already exists; choose another -o or add --force to "
                              "replace it")
    if method not in METHODS:
        raise UsageError(f"--method {method!r}: choose one of {', '.join(METHODS)}")
    strength = PRIOR_STRENGTH if strength is None else strength
    if strength <= 0:
        raise UsageError("--strength must be positive")
    site_weight = SITE_WEIGHT if site_weight is None else site_weight
    weak_weight = WEAK_WEIGHT if weak_weight is None else weak_weight
    if site_weight <= 0 or not 0 <= weak_weight <= 1:
        raise UsageError("--site-weight must be positive and --weak-weight between 0 and 1")
    progress = None if quiet else say
    site = read_site_labels(add)
    for warning in site.warnings:
        say(f"warning: {warning}")
    base_dir = None if no_base else resolve_model_dir(base)
    base_meta = read_meta(base_dir) if base_dir is not None else None
    prior = base_meta is not None and method == "prior"
    if base_meta is not None:
        config = site_config(base_meta["config"], 1.0 if prior else site_weight, weak_weight,
                             no_base)
    else:
        config = PipelineConfig()
    if config_path is not None:
        config = PipelineConfig.from_toml(config_path, base=config)
    if seed is not None:
        config.random_state = seed
    site_files = [{**item, "site": True} for item in site.files]
    if prior:
        from moderation.store import load_model

        base_model = load_model(base_dir, pipeline=True)
        if progress:
            progress(f"refitting {base_model.id} on {len(site.records):,} site label(s) "
                     f"{site.counts()}")
        trained = train_towards_base(base_model.pipeline, base_meta, site.records, config,
                                     strength, site_files, progress)
    else:
        records, files = replay_base_data(base_meta, datasets_dir) if base_meta else ([], [])
        records.extend(site.records)
        files.extend(site_files)
        examples = prepare_examples(records, files)
        if progress:
            where = "the site's labels alone" if no_base else \
                f"{len(examples) - len(site.records):,} base examples + the site's labels " \
                f"(weight x{site_weight:g})"
            progress(f"training on {where}: {len(site.records):,} site label(s) "
                     f"{site.counts()}")
        trained = fit(examples, config, progress)
    if no_base:
        how = "site labels alone"
    elif prior:
        how = f"prior: the base's weights refitted on the site's labels (strength {strength:g})"
    else:
        how = f"weighted: base data + site labels weighted x{site_weight:g}"
    saved = _save(trained, output, force=force,
                  recipe=base_meta.get("recipe") if base_meta else None,
                  adaptation={
                      "base_model": base_meta["model_id"] if base_meta else None,
                      "base_path": str(base_dir) if base_dir else None,
                      "no_base": no_base, "method": "none" if no_base else method,
                      "description": how,
                      "site_weight": None if prior or no_base else site_weight,
                      "strength": strength if prior else None, "weak_weight": weak_weight,
                      "added": site.files, "site_labels": site.counts()})
    if progress:
        site_accuracy = trained.cv_metrics["per_source"].get("site", {}).get("accuracy")
        progress(f"wrote {output} ({saved['model_bytes'] / 1e6:.1f} MB; held-out macro-F1 "
                 f"{trained.cv_metrics['macro_f1']:.3f}"
                 + (f", accuracy on the site's labels {site_accuracy:.3f}"
                    if site_accuracy else "")
                 + f") in {trained.seconds:.0f} s")
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
    base: Annotated[Optional[Path], typer.Option(
        help="The model to retrain with the site's labels from --add (default: the active "
             "model).")] = None,
    add: Annotated[Optional[list[Path]], typer.Option(
        "--add", help="A label store (from `moderation label`) to add; repeatable.",
        show_default=False)] = None,
    no_base: Annotated[bool, typer.Option(
        "--no-base", help="Train on the --add labels alone.")] = False,
    site_weight: Annotated[Optional[float], typer.Option(
        help="For --method weighted: how many base examples one site label counts as "
             "(default 20).",
        show_default=False)] = None,
    weak_weight: Annotated[Optional[float], typer.Option(
        help="A weak label's weight relative to a moderator's (default 0.3).",
        show_default=False)] = None,
    method: Annotated[str, typer.Option(
        help="prior: refit the base's weights on the site's labels, held close to the base's "
             "(measured best); weighted: retrain on the base's data plus the site's labels "
             "weighted up (--site-weight).")] = "prior",
    strength: Annotated[Optional[float], typer.Option(
        help="For --method prior: how hard the weights are held to the base's (default "
             "0.03; larger stays closer to the base).", show_default=False)] = None,
) -> None:
    """Train a TF-IDF + logistic-regression model (or retrain one on a site's labels)."""
    train(inputs or [], output=output, recipe=recipe, config_path=config,
          datasets_dir=datasets, force=force, seed=seed, base=base, add=add, no_base=no_base,
          site_weight=site_weight, weak_weight=weak_weight, method=method, strength=strength)
