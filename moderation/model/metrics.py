"""How good a model's probabilities are against true labels: the one set of figures that
cross-validation, ``moderation evaluate``, the model card and promotion all use."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

CANDIDATE_THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
CALIBRATION_BINS = 10


def expected_calibration_error(
    is_label: np.ndarray, scores: np.ndarray, bins: int = CALIBRATION_BINS
) -> tuple[float, list[dict[str, Any]]]:
    """ECE over equal-width bins of the predicted probability, and the bins themselves (mean
    prediction, observed share, count): the points of a reliability diagram."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(scores, edges[1:-1]), 0, bins - 1)
    error, points = 0.0, []
    for b in range(bins):
        mask = which == b
        if not mask.any():
            continue
        predicted, observed = float(scores[mask].mean()), float(is_label[mask].mean())
        error += mask.mean() * abs(predicted - observed)
        points.append(
            {
                "low": round(float(edges[b]), 2),
                "high": round(float(edges[b + 1]), 2),
                "predicted": round(predicted, 4),
                "observed": round(observed, 4),
                "count": int(mask.sum()),
            }
        )
    return round(float(error), 4), points


def threshold_table(
    is_label: np.ndarray, scores: np.ndarray, thresholds: list[float]
) -> list[dict[str, Any]]:
    """For each candidate threshold: how many comments it flags (per 1,000), and the
    precision and recall of those flags."""
    rows = []
    total = max(len(scores), 1)
    positives = int(is_label.sum())
    for cut in sorted(set(round(t, 6) for t in thresholds)):
        flagged = scores >= cut
        caught = int((flagged & is_label).sum())
        rows.append(
            {
                "threshold": cut,
                "flagged": int(flagged.sum()),
                "per_1000": round(1000 * flagged.sum() / total, 1),
                "precision": round(caught / flagged.sum(), 4) if flagged.any() else None,
                "recall": round(caught / positives, 4) if positives else None,
            }
        )
    return rows


def measure(
    truth: Sequence[str],
    probabilities: np.ndarray,
    labels: Sequence[str],
    thresholds: dict[str, float],
    sources: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Every metric from true labels and probabilities (columns follow ``labels``): per label
    precision, recall, F1, ROC AUC, average precision, calibration, and what its flag
    threshold does; macro averages over the labels present; the confusion matrix; and, given
    each example's source, accuracy per source. Cross-validation, evaluation, the model card
    and promotion all read these same figures."""
    from sklearn.metrics import classification_report, confusion_matrix

    y = np.asarray(truth)
    predicted = np.asarray(labels)[probabilities.argmax(axis=1)]
    present = [label for label in labels if (y == label).any()]
    report = classification_report(y, predicted, labels=present, output_dict=True, zero_division=0)
    per_label = {
        label: _label_metrics(
            y == label,
            probabilities[:, column],
            report,
            label if label in present else None,
            thresholds.get(label),
        )
        for column, label in enumerate(labels)
    }
    aucs = [e["roc_auc"] for e in per_label.values() if "roc_auc" in e]
    confidence = probabilities.max(axis=1)
    top_ece, top_points = expected_calibration_error(predicted == y, confidence)
    result = {
        "examples": int(len(y)),
        "labels_present": present,
        "accuracy": round(float((predicted == y).mean()), 4),
        "macro_f1": round(report["macro avg"]["f1-score"], 4),
        "macro_precision": round(report["macro avg"]["precision"], 4),
        "macro_recall": round(report["macro avg"]["recall"], 4),
        "macro_roc_auc": round(float(np.mean(aucs)), 4) if aucs else None,
        "ece": top_ece,
        "reliability": top_points,
        "per_label": per_label,
        "confusion_matrix": {
            "labels": list(labels),
            "rows_true_columns_predicted": confusion_matrix(y, predicted, labels=labels).tolist(),
        },
    }
    if sources is not None:
        origin = np.asarray(sources)
        result["per_source"] = {
            source: {
                "examples": int((origin == source).sum()),
                "accuracy": round(
                    float((y[origin == source] == predicted[origin == source]).mean()), 4
                ),
            }
            for source in sorted(set(sources))
        }
    return result


def _label_metrics(
    positive: np.ndarray,
    scores: np.ndarray,
    report: dict[str, Any],
    present: str | None,
    threshold: float | None,
) -> dict[str, Any]:
    """One label's figures: precision, recall and F1 (where the label is present), ranking
    (ROC AUC, average precision), calibration, and what its flag threshold does."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    entry: dict[str, Any] = {"support": int(positive.sum())}
    if present is not None:
        entry.update({k: round(report[present][k], 4) for k in ("precision", "recall", "f1-score")})
    if 0 < positive.sum() < len(positive):
        entry["roc_auc"] = round(float(roc_auc_score(positive, scores)), 4)
        entry["average_precision"] = round(float(average_precision_score(positive, scores)), 4)
    entry["ece"], entry["reliability"] = expected_calibration_error(positive, scores)
    if threshold is not None:
        entry["threshold"] = round(threshold, 6)
        entry["flags"] = threshold_table(positive, scores, [threshold])[0]
        entry["threshold_table"] = threshold_table(
            positive, scores, [*CANDIDATE_THRESHOLDS, threshold]
        )
    return entry


FEW_LABELS = 200  # held-out figures on fewer labelled examples than this come with a warning


def confidence_intervals(
    truth: Sequence[str],
    probabilities: np.ndarray,
    labels: Sequence[str],
    *,
    draws: int = 300,
    level: float = 0.95,
    seed: int = 0,
) -> dict[str, Any]:
    """Bootstrap intervals (resampling the examples) for accuracy, macro-F1 and macro ROC AUC
    of held-out predictions: how far the figures could move on another sample of this size."""
    from sklearn.metrics import f1_score, roc_auc_score

    y = np.asarray(truth)
    predicted = np.asarray(labels)[probabilities.argmax(axis=1)]
    rng = np.random.default_rng(seed)
    found: dict[str, list[float]] = {"accuracy": [], "macro_f1": [], "macro_roc_auc": []}
    for _ in range(draws):
        pick = rng.integers(0, len(y), len(y))
        sample, guess = y[pick], predicted[pick]
        present = sorted(set(sample))
        found["accuracy"].append(float((sample == guess).mean()))
        found["macro_f1"].append(
            float(f1_score(sample, guess, labels=present, average="macro", zero_division=0))
        )
        aucs = [
            roc_auc_score(sample == label, probabilities[pick, column])
            for column, label in enumerate(labels)
            if 0 < (sample == label).sum() < len(sample)
        ]
        if aucs:
            found["macro_roc_auc"].append(float(np.mean(aucs)))
    tail = (1 - level) / 2 * 100
    return {
        "level": level,
        "draws": draws,
        **{
            name: [
                round(float(np.percentile(v, tail)), 4),
                round(float(np.percentile(v, 100 - tail)), 4),
            ]
            for name, v in found.items()
            if v
        },
    }


def few_labels_warning(metrics: dict[str, Any]) -> str | None:
    """The warning for held-out figures measured on too few labels, with their intervals."""
    intervals = metrics.get("intervals")
    if not intervals or metrics.get("examples", 0) >= FEW_LABELS:
        return None
    names = {"macro_f1": "macro-F1", "macro_roc_auc": "macro ROC AUC", "accuracy": "accuracy"}
    shown = ", ".join(
        f"{shown} {metrics[name]:.3f} ({intervals[name][0]:.2f}-{intervals[name][1]:.2f})"
        for name, shown in names.items()
        if name in intervals and metrics.get(name) is not None
    )
    return (
        f"only {metrics['examples']:,} labelled examples: the held-out figures are unreliable "
        f"({intervals['level']:.0%} bootstrap intervals: {shown}); label more before trusting "
        "them"
    )
