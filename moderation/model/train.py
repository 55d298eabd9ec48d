"""Training: labelled examples in, a fitted pipeline with thresholds and honest metrics out.

``train(examples, config)`` chooses the regularisation on grouped, stratified folds (a thread,
and every copy of a duplicated text, stays inside one fold), picks per-label flag thresholds on
the same held-out predictions, reports their metrics, and fits the final pipeline on all the
examples.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.pipeline import Pipeline

from moderation.errors import ModerationError, UsageError
from moderation.labels.examples import Example, read_labelled, unique_examples
from moderation.model.audit import audit
from moderation.model.fitting import cross_source, cross_validate, fit_pipeline
from moderation.model.metrics import (
    FEW_LABELS,
    confidence_intervals,
    few_labels_warning,
    measure,
)
from moderation.model.overlap import TrainingFingerprints
from moderation.model.pipeline import (
    PipelineConfig,
)
from moderation.model.scorer import label_weights
from moderation.model.thresholds import Threshold, choose_thresholds

if TYPE_CHECKING:
    from moderation.model.heads import TrainedHeads
    from moderation.model.meta import ModelMeta

Progress = Callable[[str], None]


@dataclass
class TrainingSet:
    """Labelled texts ready for training, with the thread or duplicate group each belongs to
    and the source it came from."""

    ids: list[str]
    texts: list[str]
    labels: list[str]
    groups: list[str]
    sources: list[str]
    files: list[dict[str, Any]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.texts)

    def counts(self) -> dict[str, dict[str, int]]:
        """Examples per source and label."""
        table: dict[str, Counter[str]] = {}
        for source, label in zip(self.sources, self.labels):
            table.setdefault(source, Counter())[label] += 1
        return {source: dict(sorted(c.items())) for source, c in sorted(table.items())}


@dataclass
class TrainedModel:
    pipeline: Pipeline
    config: PipelineConfig
    labels: list[str]
    C: float
    thresholds: dict[str, Threshold]
    cv_metrics: dict[str, Any]
    examples: dict[str, Any]
    seconds: float
    fingerprints: TrainingFingerprints | None = None  # of the training ids and texts
    choice: dict[str, Any] | None = None  # how retraining chose its method (and measured it)
    heads: TrainedHeads | None = None  # the attribute heads
    # the held-out predictions thresholds were chosen on (grouped folds; other sources, NaN
    # where a source was too small to hold out), kept for benchmarks; never saved
    held_out: np.ndarray | None = field(default=None, repr=False, compare=False)
    held_out_other_sources: np.ndarray | None = field(default=None, repr=False, compare=False)
    held_out_truth: list[str] | None = field(default=None, repr=False, compare=False)

    @property
    def bias(self) -> np.ndarray:
        return label_weights(self.pipeline.named_steps["classifier"])[1]

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        probabilities: np.ndarray = self.pipeline.predict_proba(texts)  # sklearn: untyped
        return probabilities

    def identity_audit(self) -> dict[str, Any]:
        """The identity audit (``moderation.model.audit``) of this model at its thresholds."""
        return audit(self, {label: t.threshold for label, t in self.thresholds.items()})


def prepare_examples(
    examples: Iterable[Example], files: Sequence[dict[str, Any]] = ()
) -> TrainingSet:
    """Check the examples as a whole (one label per id, at least two labels) and group
    duplicates: a text repeated under several ids stays in one fold (its group is the first
    copy's thread)."""
    kept = unique_examples(examples)
    if not kept:
        raise ModerationError("no examples to train on")
    classes = Counter(e.label for e in kept)
    if len(classes) < 2:
        only = next(iter(classes))
        raise ModerationError(
            f"all {len(kept)} examples are labelled {only!r}; training needs at least two labels"
        )
    group_of_text: dict[str, str] = {}
    groups = []
    for example in kept:
        group = str(example.thread_id or example.id)
        key = " ".join(example.text.lower().split())
        groups.append(group_of_text.setdefault(key, group))
    return TrainingSet(
        ids=[e.id for e in kept],
        texts=[e.text for e in kept],
        labels=[str(e.label) for e in kept],
        groups=groups,
        sources=[str(e.source or "examples") for e in kept],
        files=list(files),
    )


def sample_weights(examples: TrainingSet, config: PipelineConfig) -> np.ndarray:
    """Per-example weights: with ``source_weighting="balanced"`` every source carries the same
    total weight, so the largest dataset does not decide what abuse looks like; with
    ``class_weight="sqrt_balanced"`` rare labels weigh more."""
    weights = np.ones(len(examples), dtype=np.float64)
    if config.source_weighting == "balanced":
        sizes = Counter(examples.sources)
        per_source = len(examples) / len(sizes)
        weights = np.array([per_source / sizes[s] for s in examples.sources])
    if config.class_weight == "sqrt_balanced":
        # a milder form of "balanced": rare labels weigh more, by the square root of their
        # rarity (measured: better out of domain than full balancing or none)
        counts = Counter(examples.labels)
        share = {label: len(examples) / (len(counts) * n) for label, n in counts.items()}
        weights *= np.array([share[label] ** 0.5 for label in examples.labels])
    for source, factor in config.extra.get("source_factors", {}).items():
        weights[np.asarray(examples.sources) == source] *= float(factor)
    scaled: np.ndarray = weights * (len(weights) / weights.sum())
    return scaled


def held_out_metrics(
    examples: TrainingSet,
    labels: list[str],
    probabilities: np.ndarray,
    thresholds: dict[str, Threshold],
) -> dict[str, Any]:
    """What the cross-validated predictions say about the model (``metrics.measure``, with
    accuracy per source); on few examples, with bootstrap confidence intervals."""
    measured = measure(
        examples.labels,
        probabilities,
        labels,
        {label: t.threshold for label, t in thresholds.items()},
        sources=examples.sources,
    )
    if len(examples) < FEW_LABELS:
        measured["intervals"] = confidence_intervals(examples.labels, probabilities, labels)
    return measured


def train(
    examples: TrainingSet, config: PipelineConfig | None = None, progress: Progress | None = None
) -> TrainedModel:
    """Cross-validate, choose thresholds, and fit the final pipeline on all examples."""
    config = config or PipelineConfig()
    started = time.perf_counter()
    labels = sorted(set(examples.labels))  # the order of predict_proba columns
    weights = sample_weights(examples, config)
    C, held_out = cross_validate(examples, config, labels, weights, progress)
    other_sources: np.ndarray | None = None
    by_source: dict[str, Any] = {}
    if config.thresholds_from == "other_sources":
        other_sources, by_source = cross_source(examples, config, C, labels, weights, progress)
    thresholds = choose_thresholds(
        examples.labels,
        labels,
        {label: config.precision_for(label) for label in labels},
        config.min_flag_recall,
        held_out,
        other_sources,
        config.base_rates,
    )
    metrics = held_out_metrics(examples, labels, held_out, thresholds)
    if by_source:
        metrics["other_sources"] = by_source
    if progress:
        progress(f"fitting the final model (C={C:g}) on {len(examples):,} examples")
    pipeline = fit_pipeline(config, C, examples.texts, examples.labels, weights)
    fitted = list(pipeline.named_steps["classifier"].classes_)
    if [str(c) for c in fitted] != labels:
        raise AssertionError(f"classifier columns {fitted} differ from {labels}")
    return TrainedModel(
        pipeline=pipeline,
        config=config,
        labels=labels,
        C=C,
        thresholds=thresholds,
        cv_metrics=metrics,
        examples={"count": len(examples), "by_source": examples.counts(), "files": examples.files},
        seconds=round(time.perf_counter() - started, 2),
        fingerprints=TrainingFingerprints.of(examples.ids, examples.texts),
        held_out=held_out,
        held_out_other_sources=other_sources,
        held_out_truth=list(examples.labels),
    )


def train_from_files(
    inputs: Sequence[Path],
    *,
    output: Path,
    recipe: str | None = None,
    config_path: Path | None = None,
    datasets_dir: Path | None = None,
    force: bool = False,
    seed: int | None = None,
    progress: Progress | None = None,
    language: str | None = None,
    heads: bool | None = None,
    attributes: Sequence[Path] = (),
) -> ModelMeta:
    """Train on example files and/or a named recipe and save the model directory at
    ``output``; returns its :class:`~moderation.model.meta.ModelMeta`. ``language``: the
    language the model reads (a recipe names its own), with the settings every language's
    model is built with. With ``heads`` (the default with an English recipe, or when
    ``attributes`` files are given) the attribute heads are trained on the model's features
    too (``moderation.model.heads``); their shipped data is English."""
    from moderation.datasets.recipes import recipe as find_recipe
    from moderation.datasets.recipes import recipe_records
    from moderation.model.directory import check_model_destination, save_trained

    if not inputs and recipe is None:
        raise UsageError("nothing to train on: give EXAMPLES.jsonl files or --recipe default")
    check_model_destination(Path(output), force)
    examples: list[Example] = []
    files: list[dict[str, Any]] = []
    config = PipelineConfig()
    rounds = None  # the relabelling rounds the recipe applies (the heads read the same)
    english_recipe = False
    if language not in (None, "en") and recipe is None:
        from moderation.datasets.recipes import LANGUAGE_SETTINGS

        settings = {**LANGUAGE_SETTINGS, "language": language}
        config = PipelineConfig.from_dict(settings, origin=f"{language} model settings")
    if recipe is not None:
        chosen = find_recipe(recipe)
        if language is not None and language != chosen.language:
            raise UsageError(f"--recipe {recipe} trains a {chosen.language} model, not {language}")
        rounds = chosen.relabel_rounds if chosen.relabelled else None
        english_recipe = chosen.language == "en"
        config = PipelineConfig.from_dict(dict(chosen.settings), origin=f"recipe {recipe}")
        examples, files = recipe_records(recipe, datasets_dir)
    if config_path is not None:
        config = PipelineConfig.from_toml(config_path, base=config)
    if seed is not None:
        config.random_state = seed
    for path in inputs:
        found = read_labelled(path, kind="examples")
        examples.extend(found.examples)
        files.append(
            {"file": str(path), "sha256": found.file_record()["sha256"], "examples": len(found)}
        )
    prepared = prepare_examples(examples, files)
    if progress:
        progress(f"training on {len(prepared):,} examples from {len(prepared.counts())} source(s)")
    trained = train(prepared, config, progress)
    if heads if heads is not None else (english_recipe or bool(attributes)):
        from moderation.model.heads import train_heads_from

        trained.heads = train_heads_from(
            trained.pipeline, english_recipe, datasets_dir, attributes, seed, progress, rounds
        )
    saved = save_trained(trained, Path(output), recipe=recipe, force=force)
    warning = few_labels_warning(trained.cv_metrics)
    if progress and warning:
        progress(f"warning: {warning}")
    if progress:
        progress(
            f"wrote {output} ({(saved.model_bytes or 0) / 1e6:.1f} MB, held-out macro-F1 "
            f"{trained.cv_metrics['macro_f1']:.3f}) in {trained.seconds:.0f} s"
        )
    return saved
