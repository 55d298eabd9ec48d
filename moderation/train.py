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
from typing import Any

import numpy as np
import orjson
from joblib import Parallel, delayed
from sklearn.metrics import (classification_report, confusion_matrix, f1_score, log_loss,
                             roc_auc_score)
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import Pipeline

from moderation.comments import LABELS
from moderation.errors import InputError, ModerationError
from moderation.normalize import normalize_many
from moderation.pipeline import PipelineConfig, build_classifier, build_features, build_pipeline
from moderation.scoring import Threshold, thresholds_for_precision

Progress = Callable[[str], None]


@dataclass
class Examples:
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
        table: dict[str, Counter] = {}
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


def read_examples(path: str | Path, *, default_source: str | None = None) -> list[dict]:
    """Canonical JSONL examples (at least ``text`` and ``label`` per line), checked line by
    line."""
    path = Path(path)
    source = default_source or path.stem
    records = []
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        raise InputError(path, "not found") from None
    except IsADirectoryError:
        raise InputError(path, "is a folder; give a JSONL file of examples") from None
    with handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                record = orjson.loads(raw)
            except orjson.JSONDecodeError as err:
                raise InputError(path, f"not valid JSON ({err})", line=number) from None
            if not isinstance(record, dict):
                raise InputError(path, "each line must be a JSON object", line=number)
            text, label = record.get("text"), record.get("label")
            if not isinstance(text, str) or not text.strip():
                raise InputError(path, "empty or missing text", line=number,
                                 hint="every example needs a non-empty \"text\"")
            if label not in LABELS:
                problem = "missing label" if label is None else f"unknown label {label!r}"
                raise InputError(path, problem, line=number,
                                 hint=f"labels are {', '.join(LABELS)}")
            record.setdefault("id", f"{path.name}:{number}")
            record.setdefault("source", source)
            record["_where"] = (str(path), number)
            records.append(record)
    if not records:
        raise InputError(path, "no examples", hint="each line needs \"text\" and \"label\"")
    return records


def prepare_examples(records: Iterable[dict], files: Sequence[dict] = ()) -> Examples:
    """Check the records as a whole (ids, classes) and group duplicates."""
    by_id: dict[str, dict] = {}
    kept: list[dict] = []
    for record in records:
        example_id = str(record["id"])
        earlier = by_id.get(example_id)
        if earlier is None:
            by_id[example_id] = record
            kept.append(record)
        elif earlier["label"] != record["label"]:
            path, line = record.get("_where", (None, None))
            raise InputError(path, f"id {example_id!r} is labelled "
                             f"{record['label']!r} here and {earlier['label']!r} at "
                             f"{_location(earlier)}",
                             line=line,
                             hint="keep one label per id (or give the examples different ids)")
    if not kept:
        raise ModerationError("no examples to train on")
    classes = Counter(r["label"] for r in kept)
    if len(classes) < 2:
        only = next(iter(classes))
        raise ModerationError(f"all {len(kept)} examples are labelled {only!r}; training needs "
                              "at least two labels")
    # a text repeated under several ids stays in one fold: its group is the first copy's
    group_of_text: dict[str, str] = {}
    groups = []
    for record in kept:
        group = str(record.get("thread_id") or record["id"])
        key = " ".join(record["text"].lower().split())
        groups.append(group_of_text.setdefault(key, group))
    return Examples(ids=[str(r["id"]) for r in kept], texts=[r["text"] for r in kept],
                    labels=[r["label"] for r in kept], groups=groups,
                    sources=[str(r.get("source") or "examples") for r in kept], files=list(files))


def _location(record: dict) -> str:
    path, line = record.get("_where", ("<examples>", "?"))
    return f"{path}:{line}"


def sample_weights(examples: Examples, config: PipelineConfig) -> np.ndarray:
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
    return weights * (len(weights) / weights.sum())


def _fold_probabilities(normalized: list[str], y: np.ndarray, weights: np.ndarray,
                        train: np.ndarray, test: np.ndarray,
                        config: PipelineConfig) -> list[np.ndarray]:
    features = build_features(config)
    x_train = features.fit_transform([normalized[i] for i in train])
    x_test = features.transform([normalized[i] for i in test])
    out = []
    for C in config.C_grid:
        classifier = build_classifier(config, C)
        classifier.fit(x_train, y[train], sample_weight=weights[train])
        out.append(classifier.predict_proba(x_test))
    return out


def cross_validate(examples: Examples, config: PipelineConfig, labels: list[str],
                   weights: np.ndarray, progress: Progress | None = None
                   ) -> tuple[float, np.ndarray]:
    """Held-out probabilities for every example at the best C of ``config.C_grid``."""
    normalized = normalize_many(examples.texts, max_chars=config.max_chars)
    y = np.array([labels.index(label) for label in examples.labels])
    smallest = min(Counter(examples.labels).values())
    folds = min(config.cv_folds, smallest, len(set(examples.groups)))
    if folds < 2:
        raise ModerationError("too few examples of some label to hold any out: each label "
                              "needs examples in at least two threads")
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True,
                                    random_state=config.random_state)
    splits = list(splitter.split(normalized, y, examples.groups))
    if progress:
        progress(f"cross-validating C in {list(config.C_grid)} on {folds} grouped folds")
    results = Parallel(n_jobs=min(config.n_jobs, folds))(
        delayed(_fold_probabilities)(normalized, y, weights, train, test, config)
        for train, test in splits)
    held_out = np.zeros((len(config.C_grid), len(y), len(labels)))
    for (_, test), per_c in zip(splits, results):
        for index, probabilities in enumerate(per_c):
            held_out[index][test] = probabilities
    if config.selection_metric == "log_loss":
        scores = [-log_loss(y, p, labels=range(len(labels))) for p in held_out]
    else:
        scores = [f1_score(y, p.argmax(axis=1), average="macro") for p in held_out]
    best = int(np.argmax(scores))
    if progress:
        shown = ", ".join(f"C={c:g}: {s:.3f}" for c, s in zip(config.C_grid, scores))
        progress(f"held-out {config.selection_metric} {shown}")
    return config.C_grid[best], held_out[best]


def held_out_metrics(examples: Examples, labels: list[str], probabilities: np.ndarray,
                     thresholds: dict[str, Threshold]) -> dict[str, Any]:
    """What the cross-validated predictions say about the model: per-label and macro scores,
    ROC AUC, the confusion matrix, and macro-F1 per source."""
    truth = np.array(examples.labels)
    predicted = np.array(labels)[probabilities.argmax(axis=1)]
    present = [label for label in labels if (truth == label).any()]   # site labels may lack one
    report = classification_report(truth, predicted, labels=present, output_dict=True,
                                   zero_division=0)
    auc = {}
    for column, label in enumerate(labels):
        positive = truth == label
        if 0 < positive.sum() < len(truth):
            auc[label] = round(float(roc_auc_score(positive, probabilities[:, column])), 4)
    sources = np.array(examples.sources)
    per_source = {}
    for source in sorted(set(examples.sources)):
        mask = sources == source
        per_source[source] = {
            "examples": int(mask.sum()),
            "accuracy": round(float((truth[mask] == predicted[mask]).mean()), 4),
        }
    return {
        "examples": len(truth),
        "macro_f1": round(report["macro avg"]["f1-score"], 4),
        "accuracy": round(float((truth == predicted).mean()), 4),
        "per_label": {label: {k: round(report[label][k], 4)
                              for k in ("precision", "recall", "f1-score", "support")}
                      for label in present},
        "roc_auc": auc,
        "confusion_matrix": {"labels": labels,
                             "rows_true_columns_predicted":
                                 confusion_matrix(truth, predicted, labels=labels).tolist()},
        "thresholds": {label: t.to_dict() for label, t in thresholds.items()},
        "per_source": per_source,
    }


def train(examples: Examples, config: PipelineConfig | None = None,
          progress: Progress | None = None) -> TrainedModel:
    """Cross-validate, choose thresholds, and fit the final pipeline on all examples."""
    config = config or PipelineConfig()
    started = time.perf_counter()
    labels = sorted(set(examples.labels))      # the order of predict_proba columns
    weights = sample_weights(examples, config)
    C, held_out = cross_validate(examples, config, labels, weights, progress)
    thresholds = thresholds_for_precision(examples.labels, held_out, labels,
                                          config.target_precision, config.min_flag_recall)
    metrics = held_out_metrics(examples, labels, held_out, thresholds)
    if progress:
        progress(f"fitting the final model (C={C:g}) on {len(examples):,} examples")
    pipeline = build_pipeline(config, C)
    pipeline.fit(examples.texts, examples.labels, classifier__sample_weight=weights)
    fitted = list(pipeline.named_steps["classifier"].classes_)
    if [str(c) for c in fitted] != labels:
        raise AssertionError(f"classifier columns {fitted} differ from {labels}")
    return TrainedModel(pipeline=pipeline, config=config, labels=labels, C=C,
                        thresholds=thresholds, cv_metrics=metrics,
                        examples={"count": len(examples), "by_source": examples.counts(),
                                  "files": examples.files},
                        seconds=round(time.perf_counter() - started, 2))
