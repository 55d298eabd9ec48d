"""Retraining on a site's own labels: ``moderation train --base DIR --add LABELS...``, and a
site's labels starting a language: ``moderation train --language LANG --add LABELS...``.

Three ways, chosen by ``method``:

- ``prior`` (default, chosen by measurement in ``benchmarks/retraining.py``): the base model's
  weights refitted on the site's labels, held close to the base's (``moderation.model.prior``);
- ``weighted``: the base's training data replayed from what its meta records, plus the site's
  labels weighted up;
- ``no_base``: the site's labels alone.

The result is a plain model directory like any other, with an ``adaptation`` block in its meta.

With ``language``, the base is that language's active model (``--base`` must read it), and
only the labels of comments written in it are used (detected; the others are reported). A
language no model reads yet starts from the site's labels alone, with the settings every
language's model is built with (``moderation.datasets.recipes.LANGUAGE_SETTINGS``): the same
grouped folds, thresholds and model card as any model.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from moderation.errors import InputError, ModerationError, UsageError
from moderation.files import sha256_file
from moderation.labels.examples import Example, read_labelled
from moderation.labels.merge import settle
from moderation.languages import UNDETERMINED, language_name
from moderation.model.directory import check_model_destination, load_model_dir, save_trained
from moderation.model.fitting import grouped_folds
from moderation.model.meta import ModelMeta
from moderation.model.metrics import few_labels_warning
from moderation.model.overlap import TrainingFingerprints
from moderation.model.pipeline import PipelineConfig
from moderation.model.prior import PRIOR_STRENGTH, fit_towards_base
from moderation.model.registry import resolve_model_dir
from moderation.model.thresholds import (
    shrunk_threshold,
    threshold_message,
    thresholds_for_precision,
)
from moderation.model.train import (
    Progress,
    TrainedModel,
    TrainingSet,
    held_out_metrics,
    prepare_examples,
    sample_weights,
    train,
)

SITE_SOURCE = "site"
WEAK_SOURCE = "site-weak"
METHODS = ("prior", "weighted")
SITE_WEIGHT = 20.0  # weighted: each site label counts as this many base examples
WEAK_WEIGHT = 0.3  # a weak label (from the platform's status) counts this much less


@dataclass
class SiteLabels:
    examples: list[Example] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    overridden: int = 0  # weak labels that gave way to a moderator's
    disagreements: int = 0  # ids moderators labelled differently, left out

    def counts(self) -> dict[str | None, int]:
        return dict(Counter(e.label for e in self.examples))


def as_site_example(example: Example) -> Example:
    """A labelled comment as a training example of the site: its own source (weighted up by
    ``site_config``) and ids that cannot collide with the base data's."""
    return Example(
        id=f"site:{example.id}",
        text=example.text,
        label=example.label,
        thread_id=f"site:{example.thread_id or example.id}",
        source=WEAK_SOURCE if example.weak else SITE_SOURCE,
        weak=example.weak,
        path=example.path,
        line=example.line,
    )


def read_site_labels(paths: Sequence[str | Path]) -> SiteLabels:
    """The current labels of each store (or JSONL of examples), combined by the rule of
    ``moderation labels merge``: a moderator's answer wins over a weak label for the same
    comment (reported), and comments moderators label differently in two files are left out
    (reported), instead of stopping the retraining."""
    site = SiteLabels()
    by_id: dict[str, list[Example]] = {}
    for path in paths:
        labelled = read_labelled(path)
        site.warnings.extend(labelled.warnings)
        for example in labelled.examples:
            by_id.setdefault(example.id, []).append(example)
        site.files.append(labelled.file_record())
    kept, overridden, disagreements = [], 0, []
    for cid, answers in by_id.items():
        standing, gave_way = settle([(str(e.label), e.weak) for e in answers])
        overridden += gave_way
        if standing is None:
            disagreements.append(
                f"{cid}: " + "; ".join(f"{e.label} ({e.where})" for e in answers if not e.weak)
            )
            continue
        kept.append(answers[standing[-1]])
    if overridden:
        site.warnings.append(
            f"{overridden} weak label(s) gave way to a moderator's different label for the "
            "same comment (as `moderation labels merge` does)"
        )
    if disagreements:
        shown = "; ".join(disagreements[:5]) + (
            f"; ... and {len(disagreements) - 5} more" if len(disagreements) > 5 else ""
        )
        site.warnings.append(
            f"{len(disagreements)} comment(s) labelled differently by moderators in two files "
            f"are left out: {shown}"
        )
    site.examples = [as_site_example(e) for e in kept]
    site.overridden, site.disagreements = overridden, len(disagreements)
    if not site.examples:
        raise ModerationError(
            f"no labels in {', '.join(map(str, paths))}: label some "
            "comments first with `moderation label`"
        )
    return site


def replay_base_data(
    meta: ModelMeta, datasets_dir: str | Path | None = None
) -> tuple[list[Example], list[dict[str, Any]]]:
    """The base model's training examples, rebuilt from what its meta records. A file that is
    missing or changed since is an error: the base cannot be reproduced without it."""
    from moderation.datasets.recipes import recipe_records

    examples: list[Example] = []
    files: list[dict[str, Any]] = []
    if meta.recipe:
        examples, files = recipe_records(meta.recipe, datasets_dir)
    listed = meta.training_files
    for item in listed:
        if "dataset" in item:  # part of the recipe, already read
            continue
        path = Path(item["file"])
        if not path.is_file() or sha256_file(path) != item.get("sha256"):
            problem = "not found" if not path.is_file() else "changed since the base was trained"
            raise InputError(
                path,
                f"{problem}: the base model was trained on it",
                hint="restore it, or train on the site's labels alone with --no-base",
            )
        if item.get("site"):
            continue  # an adapted base's own labels: read below, weighted
        examples.extend(read_labelled(path, kind="examples").examples)
        files.append(item)
    for item in listed:
        if item.get("site"):
            examples.extend(read_site_labels([item["file"]]).examples)
            files.append(item)
    if not examples:
        raise ModerationError(
            f"the base model {meta.model_id} records no training data to "
            "replay; train on the site's labels alone with --no-base"
        )
    return examples, files


def site_config(
    base_config: dict[str, Any], site_weight: float, weak_weight: float, no_base: bool
) -> PipelineConfig:
    """The base's settings, with the site's sources weighted up."""
    config = PipelineConfig.from_dict(dict(base_config), origin="base model config")
    if not no_base:
        factors = dict(config.extra.get("source_factors", {}))
        factors[SITE_SOURCE] = site_weight
        factors[WEAK_SOURCE] = site_weight * weak_weight
        config.extra = {**config.extra, "source_factors": factors}
    return config


def train_towards_base(
    base_pipeline: Any,
    base_meta: ModelMeta,
    site: list[Example],
    config: PipelineConfig,
    strength: float | None = PRIOR_STRENGTH,
    files: Sequence[dict[str, Any]] = (),
    progress: Progress | None = None,
    base_fingerprints: TrainingFingerprints | None = None,
) -> TrainedModel:
    """The prior method as a trained model: held-out predictions on the site's labels (grouped
    folds) choose the flag thresholds and give the metrics; the final fit uses every label.
    With ``strength=None`` the strength is chosen on those folds (``choose_strength``) and the
    choice is recorded on the model (``TrainedModel.choice``)."""
    started = time.perf_counter()
    examples = prepare_examples(site, files)
    weights = sample_weights(examples, config)
    labels = [str(c) for c in base_pipeline.named_steps["classifier"].classes_]
    unknown = sorted(set(examples.labels) - set(labels))
    if unknown:
        raise ModerationError(f"the base model has no label {', '.join(unknown)}")
    choice = None
    if strength is None:  # chosen on the site's labels
        strength, held_out, choice = choose_strength(
            base_pipeline, examples, weights, labels, config, progress
        )
    else:
        if progress:
            progress(
                f"refitting towards the base's weights (strength {strength:g}) on grouped "
                "folds of the site's labels"
            )
        held_out = _held_out_towards_base(
            base_pipeline, examples, weights, labels, config, strength
        )
    texts, truth = examples.texts, examples.labels
    chosen = thresholds_for_precision(
        truth, held_out, labels, config.target_precision, config.min_flag_recall
    )
    present = Counter(truth)
    # the site's labels move a threshold only as far as their number supports
    y = np.asarray(truth)
    thresholds = {
        label: shrunk_threshold(
            threshold,
            chosen[label],
            present.get(label, 0),
            y == label,
            held_out[:, labels.index(label)],
        )
        if label in chosen
        else threshold
        for label, threshold in base_meta.thresholds.items()
    }
    if progress:
        for t in thresholds.values():
            progress(threshold_message(t))
    metrics = held_out_metrics(examples, labels, held_out, thresholds)
    pipeline = fit_towards_base(base_pipeline, texts, truth, weights, strength)
    by_source = dict(base_meta.training_data.get("by_source", {}))
    by_source.update(examples.counts())
    count = base_meta.training_data.get("count", 0) + len(examples)
    return TrainedModel(
        pipeline=pipeline,
        config=config,
        labels=labels,
        C=float(base_meta.C or 1.0),
        thresholds=thresholds,
        cv_metrics=metrics,
        examples={"count": count, "by_source": by_source, "files": list(files)},
        seconds=round(time.perf_counter() - started, 2),
        fingerprints=TrainingFingerprints.of(examples.ids, examples.texts).union(base_fingerprints),
        choice=choice,
    )


# what ``choose_strength`` tries; 0.01 left out: on Stormfront it cost the base -0.022 ROC AUC
# on its own test data (benchmarks/retraining_lift.py), over the -0.02 limit
STRENGTH_GRID = (0.03, 0.1, 0.3, 1.0)


def site_ranking(truth: Sequence[str], probabilities: np.ndarray, labels: list[str]) -> float:
    """How well probabilities rank the site's labelled comments: the mean ROC AUC, one label
    against the rest, over the labels the site uses."""
    from sklearn.metrics import roc_auc_score

    y = np.asarray(truth)
    aucs = [
        roc_auc_score(y == label, probabilities[:, column])
        for column, label in enumerate(labels)
        if 0 < (y == label).sum() < len(y)
    ]
    return float(np.mean(aucs)) if aucs else float("nan")


def choose_strength(
    base_pipeline: Any,
    examples: TrainingSet,
    weights: np.ndarray,
    labels: list[str],
    config: PipelineConfig,
    progress: Progress | None = None,
) -> tuple[float, np.ndarray, dict[str, Any]]:
    """The prior's strength that ranks the site's held-out labels best (grouped folds; the
    strongest of equals, as it stays closest to the base), its held-out predictions, and what
    was measured: each strength's held-out ROC AUC beside the base's own on the same labels."""
    base_auc = site_ranking(examples.labels, base_pipeline.predict_proba(examples.texts), labels)
    measured, predictions = {}, {}
    for strength in STRENGTH_GRID:
        if progress:
            progress(f"trying strength {strength:g} on grouped folds of the site's labels")
        held_out = _held_out_towards_base(
            base_pipeline, examples, weights, labels, config, strength
        )
        measured[strength] = site_ranking(examples.labels, held_out, labels)
        predictions[strength] = held_out
    best = max(measured.values())
    # within 0.002 of the best counts as equal: the strongest of those stays closest to the base
    chosen = max(s for s, auc in measured.items() if auc >= best - 0.002)
    choice = {
        "chosen": {"method": "prior", "strength": chosen},
        "measured_on": f"{len(examples):,} site labels, grouped folds (held-out ROC AUC)",
        "base_site_roc_auc": round(base_auc, 4),
        "site_roc_auc": {f"prior {s:g}": round(auc, 4) for s, auc in measured.items()},
    }
    if progress:
        progress(
            f"chose strength {chosen:g}: held-out ROC AUC on the site's labels "
            f"{measured[chosen]:.3f} (the base: {base_auc:.3f})"
        )
    return chosen, predictions[chosen], choice


def _held_out_towards_base(
    base_pipeline: Any,
    examples: TrainingSet,
    weights: np.ndarray,
    labels: list[str],
    config: PipelineConfig,
    strength: float,
) -> np.ndarray:
    """Probabilities for every site label from a refit on the other folds (grouped)."""
    from sklearn.model_selection import StratifiedGroupKFold

    folds, groups = grouped_folds(
        list(examples.labels), list(examples.groups), config.cv_folds, what="site labels"
    )
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=config.random_state)
    held_out = np.zeros((len(examples), len(labels)))
    texts, truth = examples.texts, examples.labels
    for train_index, test_index in splitter.split(texts, truth, groups):
        fold = fit_towards_base(
            base_pipeline,
            [texts[i] for i in train_index],
            [truth[i] for i in train_index],
            weights[train_index],
            strength,
        )
        held_out[test_index] = fold.predict_proba([texts[i] for i in test_index])
    return held_out


@dataclass
class RetrainOptions:
    """How to retrain: the method and its settings (None: the default)."""

    method: str | None = None  # None: prior, its strength chosen on the site's labels
    no_base: bool = False
    strength: float | None = None
    site_weight: float | None = None
    weak_weight: float | None = None
    config_path: Path | None = None
    datasets_dir: Path | None = None
    seed: int | None = None
    language: str | None = None  # the language the model reads (None: the base's, English)

    def checked(self) -> CheckedRetrainOptions:
        method = self.method or "prior"
        if method not in METHODS:
            raise UsageError(f"--method {self.method!r}: choose one of {', '.join(METHODS)}")
        # without --method and --strength the strength is chosen on the site's labels (None)
        strength = self.strength
        if strength is None and self.method is not None:
            strength = PRIOR_STRENGTH
        site_weight = SITE_WEIGHT if self.site_weight is None else self.site_weight
        weak_weight = WEAK_WEIGHT if self.weak_weight is None else self.weak_weight
        if strength is not None and strength <= 0:
            raise UsageError("--strength must be positive")
        if site_weight <= 0 or not 0 <= weak_weight <= 1:
            raise UsageError("--site-weight must be positive and --weak-weight between 0 and 1")
        return CheckedRetrainOptions(
            method,
            self.no_base,
            strength,
            site_weight,
            weak_weight,
            self.config_path,
            self.datasets_dir,
            self.seed,
            self.language,
        )


@dataclass
class CheckedRetrainOptions(RetrainOptions):
    """Options ``RetrainOptions.checked`` has filled in: the method and the weights are set."""

    method: str = "prior"
    site_weight: float = SITE_WEIGHT
    weak_weight: float = WEAK_WEIGHT


def retrain(
    add: Sequence[Path],
    *,
    output: Path,
    base: Path | None = None,
    options: RetrainOptions | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> tuple[ModelMeta, TrainedModel]:
    """Retrain ``base`` (default: the active model) on the site's labels in ``add`` and save
    the model directory at ``output``; returns its meta and the trained model."""
    options = (options or RetrainOptions()).checked()
    if not add:
        raise UsageError(
            "give the site's labels with --add LABELS.jsonl (a store written by `moderation label`)"
        )
    if options.no_base and base is not None:
        raise UsageError("--no-base trains on the site's labels alone: leave out --base")
    check_model_destination(Path(output), force)
    site = read_site_labels(add)
    if options.language is not None:
        keep_language(site, options.language)
    for warning in site.warnings:
        if progress:
            progress(f"warning: {warning}")
    base_dir = None if options.no_base else base_model_dir(base, options.language)
    if base_dir is None and not options.no_base:
        options.no_base = True
        if progress:
            progress(
                f"no model reads {language_name(options.language or 'en')} yet: training on "
                "the site's labels alone"
            )
    base_meta = ModelMeta.read(base_dir) if base_dir is not None else None
    prior = base_meta is not None and options.method == "prior"
    config = _site_training_config(options, base_meta, prior)
    site_files = [{**item, "site": True} for item in site.files]
    if prior and base_dir is not None and base_meta is not None:  # prior: both are known
        base_model = load_model_dir(base_dir)
        if progress:
            progress(
                f"refitting {base_model.id} on {len(site.examples):,} site label(s) {site.counts()}"
            )
        trained = train_towards_base(
            base_model.rebuilt_pipeline(),  # from the arrays: no pickle of the base is loaded
            base_meta,
            site.examples,
            config,
            options.strength,
            site_files,
            progress,
            TrainingFingerprints.load(base_dir, base_meta.training_data.get("fingerprints")),
        )
    else:
        trained = _train_with_base_data(options, base_meta, site, site_files, config, progress)
    if base_dir is not None:  # the base's attribute heads, carried onto the new features
        from moderation.model.heads import carry_heads

        trained.heads = carry_heads(load_model_dir(base_dir), trained.pipeline)
    saved = save_trained(
        trained,
        Path(output),
        force=force,
        recipe=base_meta.recipe if base_meta else None,
        adaptation=_adaptation_record(options, base_meta, base_dir, site, prior, trained.choice),
    )
    few_labels = few_labels_warning(trained.cv_metrics)
    if progress and few_labels:
        progress(f"warning: {few_labels}")
    return saved, trained


def base_model_dir(base: Path | None, language: str | None) -> Path | None:
    """The model to retrain: ``base``, else the active model of ``language`` (English when
    None), or None when no model reads ``language``. A base that reads another language than
    ``language`` is an error."""
    from moderation.model.registry import current_entry

    if base is None and language is not None:
        entry = current_entry(language)
        return entry.path if entry is not None else None
    chosen = resolve_model_dir(base)
    if language is not None and ModelMeta.read(chosen).language != language:
        raise UsageError(
            f"--base {chosen} reads {language_name(ModelMeta.read(chosen).language)}, not "
            f"{language_name(language)}: give a {language_name(language)} model, or leave "
            "--base out"
        )
    return chosen


def keep_language(site: SiteLabels, language: str) -> None:
    """Keep the site's labels of comments written in ``language`` (detected; a text with
    nothing to go on is kept), and say how many others were left out."""
    from moderation.languages.detect import DEFAULT_PREFERRED, detect_languages

    preferred = dict.fromkeys((language, *DEFAULT_PREFERRED))
    found = detect_languages([e.text for e in site.examples], preferred=preferred)
    others = Counter(code for code in found if code not in (language, UNDETERMINED))
    if others:
        site.warnings.append(
            f"{sum(others.values())} label(s) of comments in other languages left out ("
            + ", ".join(f"{language_name(code)} {n}" for code, n in others.most_common())
            + f"): a {language_name(language)} model learns from {language_name(language)} "
            "comments"
        )
    site.examples = [e for e, code in zip(site.examples, found) if code in (language, UNDETERMINED)]
    if not site.examples:
        raise ModerationError(
            f"none of the labelled comments is in {language_name(language)}: label some "
            f"{language_name(language)} comments first"
        )


def _site_training_config(
    options: CheckedRetrainOptions, base_meta: ModelMeta | None, prior: bool
) -> PipelineConfig:
    config = PipelineConfig()
    if base_meta is None and options.language not in (None, "en"):
        from moderation.datasets.recipes import LANGUAGE_SETTINGS

        settings = {**LANGUAGE_SETTINGS, "language": options.language}
        config = PipelineConfig.from_dict(settings, origin=f"{options.language} model settings")
    if base_meta is not None:
        weight = 1.0 if prior else options.site_weight
        config = site_config(base_meta.config, weight, options.weak_weight, options.no_base)
    if options.config_path is not None:
        config = PipelineConfig.from_toml(options.config_path, base=config)
    if options.seed is not None:
        config.random_state = options.seed
    return config


def _train_with_base_data(
    options: CheckedRetrainOptions,
    base_meta: ModelMeta | None,
    site: SiteLabels,
    site_files: list[dict[str, Any]],
    config: PipelineConfig,
    progress: Progress | None,
) -> TrainedModel:
    """The weighted method (the base's data replayed) or, without a base, the site alone."""
    examples, files = replay_base_data(base_meta, options.datasets_dir) if base_meta else ([], [])
    prepared = prepare_examples([*examples, *site.examples], [*files, *site_files])
    if progress:
        where = (
            "the site's labels alone"
            if options.no_base
            else (
                f"{len(examples):,} base examples + the site's labels "
                f"(weight x{options.site_weight:g})"
            )
        )
        progress(f"training on {where}: {len(site.examples):,} site label(s) {site.counts()}")
    return train(prepared, config, progress)


def _adaptation_record(
    options: CheckedRetrainOptions,
    base_meta: ModelMeta | None,
    base_dir: Path | None,
    site: SiteLabels,
    prior: bool,
    choice: dict[str, Any] | None = None,
) -> dict[str, Any]:
    strength = choice["chosen"]["strength"] if choice else options.strength
    if options.no_base:
        how = "site labels alone"
    elif prior:
        how = (
            f"prior: the base's weights refitted on the site's labels (strength "
            f"{strength:g}{', chosen on the site labels' if choice else ''})"
        )
    else:
        how = f"weighted: base data + site labels weighted x{options.site_weight:g}"
    return {
        "language": options.language or (base_meta.language if base_meta else "en"),
        "base_model": base_meta.model_id if base_meta else None,
        "base_path": str(base_dir) if base_dir else None,
        "no_base": options.no_base,
        "method": "none" if options.no_base else options.method,
        "description": how,
        "site_weight": None if prior or options.no_base else options.site_weight,
        "strength": strength if prior else None,
        "choice": choice,
        "weak_weight": options.weak_weight,
        "added": site.files,
        "site_labels": site.counts(),
        "weak_overridden": site.overridden,
        "disagreements_left_out": site.disagreements,
    }
