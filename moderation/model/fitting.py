"""Fitting, and the held-out predictions that thresholds and metrics are chosen on.

- ``fit_pipeline``: one pipeline fitted on weighted examples. With
  ``PipelineConfig.length_nuisance`` the classifier is fitted with a column for each comment's
  length (log of its word count, standardised) beside the words, and the column is then
  dropped: the words no longer have to carry the length of the training sources (conspiracy
  texts there are long, abuse short), so a long civil comment does not drift towards
  conspiracy. Dropping a standardised column scores every comment as if of average length.
- ``cross_validate``: held-out probabilities on grouped folds (a thread, and every copy of a
  text, in one fold), for each C of the grid.
- ``cross_source``: held-out probabilities of each source from a model trained on the
  others: what the model does on a site it has never seen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.metrics import f1_score, log_loss
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import Pipeline

from moderation.errors import ModerationError, UngroupedFoldsWarning
from moderation.model.pipeline import (
    PipelineConfig,
    build_classifier,
    build_features,
    build_pipeline,
    normalize_arguments,
)
from moderation.normalize import normalize_many

MIN_SOURCE_EXAMPLES = 50  # smaller sources are not held out on their own


def grouped_folds(
    labels: list[str], groups: list[str], wanted: int, what: str = "labelled comments"
) -> tuple[int, list[str]]:
    """How many folds, and the groups they keep together: a thread (and every copy of a text)
    stays in one fold, so a model is never checked on replies to an article it was trained
    on. Says what is missing when that cannot be done: a label with fewer than two comments is
    an error naming it; labels that all came from one thread fall back to ungrouped folds,
    with a warning (the held-out figures may then flatter the model)."""
    import warnings

    counts = Counter(labels)
    short = sorted(label for label, n in counts.items() if n < 2)
    if short or len(counts) < 2:
        found = ", ".join(f"{n} {label}" for label, n in sorted(counts.items())) or "none"
        raise ModerationError(
            f"too few {what} to hold any out ({found}): each label you use needs at least two "
            "comments, and at least two labels are needed"
        )
    threads = len(set(groups))
    folds = min(wanted, min(counts.values()), threads)
    if folds >= 2:
        return folds, list(groups)
    warnings.warn(
        f"all {len(labels):,} {what} come from one thread, so the folds that choose the "
        "model's settings and thresholds cannot keep a thread together: they are ungrouped, and "
        "the held-out figures may flatter the model; label comments from several threads "
        "(articles) to check it fairly",
        UngroupedFoldsWarning,
        stacklevel=3,
    )
    return min(wanted, min(counts.values())), [str(i) for i in range(len(labels))]


def length_column(normalized: list[str]) -> sp.csr_matrix:
    """Each text's log word count, standardised over the texts given."""
    value = np.log1p(
        np.fromiter(
            (t.count(" ") + 1 if t else 0 for t in normalized), float, count=len(normalized)
        )
    )
    value = (value - value.mean()) / (value.std() or 1.0)
    return sp.csr_matrix(value[:, None])


def fit_classifier(
    classifier: Any,
    x: Any,
    y: Any,
    weights: np.ndarray,
    config: PipelineConfig,
    normalized: list[str],
) -> Any:
    """Fit the classifier on features ``x``; with ``length_nuisance`` beside a length column
    that is dropped afterwards."""
    if not config.length_nuisance:
        return classifier.fit(x, y, sample_weight=weights)
    width = x.shape[1]
    classifier.fit(sp.hstack([x, length_column(normalized)]).tocsr(), y, sample_weight=weights)
    classifier.coef_ = np.ascontiguousarray(classifier.coef_[:, :width])
    classifier.n_features_in_ = width
    return classifier


def fit_pipeline(
    config: PipelineConfig, C: float, texts: list[str], labels: list[str], weights: np.ndarray
) -> Pipeline:
    """A pipeline fitted on ``texts``."""
    pipeline = build_pipeline(config, C)
    normalized = pipeline.named_steps["normalize"].transform(texts)
    x = pipeline.named_steps["features"].fit_transform(normalized)
    fit_classifier(pipeline.named_steps["classifier"], x, labels, weights, config, normalized)
    return pipeline


def _fold_probabilities(
    normalized: list[str],
    y: np.ndarray,
    weights: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    config: PipelineConfig,
) -> list[np.ndarray]:
    features = build_features(config)
    train_texts = [normalized[i] for i in train]
    x_train = features.fit_transform(train_texts)
    x_test = features.transform([normalized[i] for i in test])
    out = []
    for C in config.C_grid:
        classifier = build_classifier(config, C)
        fit_classifier(classifier, x_train, y[train], weights[train], config, train_texts)
        out.append(classifier.predict_proba(x_test))
    return out


class LabelledTexts(Protocol):
    """What cross-validation reads of the examples (``moderation.model.train.TrainingSet``):
    each text's label, thread or duplicate group, and source."""

    @property
    def texts(self) -> list[str]: ...
    @property
    def labels(self) -> list[str]: ...
    @property
    def groups(self) -> list[str]: ...
    @property
    def sources(self) -> list[str]: ...


def cross_validate(
    examples: LabelledTexts,
    config: PipelineConfig,
    labels: list[str],
    weights: np.ndarray,
    progress: Callable[[str], None] | None = None,
) -> tuple[float, np.ndarray]:
    """Held-out probabilities for every example at the best C of ``config.C_grid``."""
    normalized = normalize_many(examples.texts, **normalize_arguments(config))
    y = np.array([labels.index(label) for label in examples.labels])
    folds, groups = grouped_folds(list(examples.labels), list(examples.groups), config.cv_folds)
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=config.random_state)
    splits = list(splitter.split(normalized, y, groups))
    if progress:
        progress(f"cross-validating C in {list(config.C_grid)} on {folds} grouped folds")
    results = Parallel(n_jobs=min(config.n_jobs, folds))(
        delayed(_fold_probabilities)(normalized, y, weights, train, test, config)
        for train, test in splits
    )
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


def cross_source(
    examples: LabelledTexts,
    config: PipelineConfig,
    C: float,
    labels: list[str],
    weights: np.ndarray,
    progress: Callable[[str], None] | None = None,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Held-out probabilities of every example of each source (with at least
    ``MIN_SOURCE_EXAMPLES``) from a model fitted on the other sources; rows of smaller sources
    stay NaN. Also, per source, its labels' ROC AUC."""
    from sklearn.metrics import roc_auc_score

    sources = np.asarray(examples.sources)
    truth = np.asarray(examples.labels)
    held_out = np.full((len(sources), len(labels)), np.nan)
    report: dict[str, Any] = {}
    chosen = []
    for source, count in sorted(Counter(examples.sources).items()):
        if count < MIN_SOURCE_EXAMPLES or len(set(examples.sources)) < 2:
            continue
        mine = sources == source
        if len(set(truth[~mine])) < len(labels):
            continue  # without it a label has no examples left
        chosen.append((source, count, mine))
    if progress and chosen:
        progress(f"holding out each of {len(chosen)} sources in turn")
    # the sources are held out in parallel (config.n_jobs processes), as the folds are
    found = Parallel(n_jobs=min(config.n_jobs, max(len(chosen), 1)))(
        delayed(_other_sources_probabilities)(
            examples.texts, examples.labels, weights, mine, config, C
        )
        for _, _, mine in chosen
    )
    for (source, count, mine), probabilities in zip(chosen, found):
        held_out[mine] = probabilities
        aucs = {}
        for column, label in enumerate(labels):
            positive = truth[mine] == label
            if 0 < positive.sum() < mine.sum():
                aucs[label] = round(float(roc_auc_score(positive, held_out[mine, column])), 4)
        report[source] = {"examples": int(count), "roc_auc": aucs}
    return held_out, report


def _other_sources_probabilities(
    texts: list[str],
    truth: list[str],
    weights: np.ndarray,
    mine: np.ndarray,
    config: PipelineConfig,
    C: float,
) -> np.ndarray:
    """The probabilities of the ``mine`` rows from a pipeline fitted on all the others."""
    rest = np.flatnonzero(~mine)
    pipeline = fit_pipeline(
        config, C, [texts[i] for i in rest], [truth[i] for i in rest], weights[rest]
    )
    probabilities: np.ndarray = pipeline.predict_proba([t for t, m in zip(texts, mine) if m])
    return probabilities  # scikit-learn is untyped: its result is Any to mypy
