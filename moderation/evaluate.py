"""How good a model is on labelled comments: metrics, calibration, what a threshold would do to
a moderator's queue, and the worst errors.

``read_labelled_set(path)`` reads a label store, a JSONL file of examples or any export with a
label column; ``evaluate(model, labelled)`` scores it and measures; ``compare`` puts two
evaluations side by side. The report (plots and HTML) is in :mod:`moderation.report`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from moderation.comments import LABELS, Comment
from moderation.errors import InputError
from moderation.scoring import FLAGGED_LABELS

CANDIDATE_THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
CALIBRATION_BINS = 10


@dataclass
class LabelledSet:
    path: str
    ids: list[str]
    texts: list[str]
    labels: list[str]
    weak: int = 0
    warnings: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.texts)


def _is_store(path: Path) -> bool:
    """A label store (or a JSONL file of examples) rather than a comment export."""
    import orjson

    if path.suffix.lower() not in (".jsonl", ".ndjson"):
        return False
    with open(path, "rb") as handle:
        for raw in handle:
            if raw.strip():
                try:
                    first = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    return False
                return isinstance(first, dict) and ("action" in first or "labeller" in first)
    return False


def read_labelled_set(path: str | Path, *, format: str = "auto") -> LabelledSet:
    """The labelled comments of a store or an export; comments without a label are left
    out, and a file with no labelled comment at all is an error."""
    from moderation.formats import ParseReport, read_export
    from moderation.labelling import read_labelled

    path = Path(path)
    if not path.is_file():
        raise InputError(path, "not found" if not path.exists() else "is not a file")
    warnings: list[str] = []
    if _is_store(path):
        records, torn = read_labelled(path)
        if torn:
            warnings.append(torn)
        ids = [r["id"] for r in records]
        texts = [r["text"] for r in records]
        labels = [r["label"] for r in records]
        weak = sum(r["weak"] for r in records)
    else:
        report = ParseReport(str(path))
        ids, texts, labels, weak = [], [], [], 0
        for record in read_export(path, format=format, report=report):
            if isinstance(record, Comment) and record.label is not None:
                ids.append(record.id)
                texts.append(record.unquoted_text())
                labels.append(record.label)
        warnings.extend(report.warnings)
    if not texts:
        raise InputError(path, "no labelled comments to evaluate on",
                         hint="give a label store, or an export with a \"label\" column "
                         f"({', '.join(LABELS)})")
    return LabelledSet(str(path), ids, texts, labels, weak, tuple(warnings))


def expected_calibration_error(is_label: np.ndarray, scores: np.ndarray,
                               bins: int = CALIBRATION_BINS) -> tuple[float, list[dict]]:
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
        points.append({"low": round(float(edges[b]), 2), "high": round(float(edges[b + 1]), 2),
                       "predicted": round(predicted, 4), "observed": round(observed, 4),
                       "count": int(mask.sum())})
    return round(float(error), 4), points


def threshold_table(is_label: np.ndarray, scores: np.ndarray,
                    thresholds: list[float]) -> list[dict[str, Any]]:
    """For each candidate threshold: how many comments it flags (per 1,000), and the
    precision and recall of those flags."""
    rows = []
    total = max(len(scores), 1)
    positives = int(is_label.sum())
    for cut in sorted(set(round(t, 6) for t in thresholds)):
        flagged = scores >= cut
        caught = int((flagged & is_label).sum())
        rows.append({"threshold": cut, "flagged": int(flagged.sum()),
                     "per_1000": round(1000 * flagged.sum() / total, 1),
                     "precision": round(caught / flagged.sum(), 4) if flagged.any() else None,
                     "recall": round(caught / positives, 4) if positives else None})
    return rows


def measure(truth: list[str], probabilities: np.ndarray, labels: list[str],
            thresholds: dict[str, float]) -> dict[str, Any]:
    """Every metric of the report from true labels and probabilities (columns follow
    ``labels``)."""
    from sklearn.metrics import (average_precision_score, classification_report,
                                 confusion_matrix, roc_auc_score)

    y = np.asarray(truth)
    predicted = np.asarray(labels)[probabilities.argmax(axis=1)]
    present = [label for label in labels if (y == label).any()]
    report = classification_report(y, predicted, labels=present, output_dict=True,
                                   zero_division=0)
    per_label: dict[str, dict[str, Any]] = {}
    for column, label in enumerate(labels):
        positive = y == label
        scores = probabilities[:, column]
        entry: dict[str, Any] = {"support": int(positive.sum())}
        if label in present:
            entry.update({k: round(report[label][k], 4)
                          for k in ("precision", "recall", "f1-score")})
        if 0 < positive.sum() < len(y):
            entry["roc_auc"] = round(float(roc_auc_score(positive, scores)), 4)
            entry["average_precision"] = round(float(average_precision_score(positive, scores)),
                                               4)
        entry["ece"], entry["reliability"] = expected_calibration_error(positive, scores)
        if label in thresholds:
            cut = thresholds[label]
            entry["threshold"] = round(cut, 6)
            entry["flags"] = threshold_table(positive, scores, [cut])[0]
            entry["threshold_table"] = threshold_table(positive, scores,
                                                       [*CANDIDATE_THRESHOLDS, cut])
        per_label[label] = entry
    aucs = [e["roc_auc"] for e in per_label.values() if "roc_auc" in e]
    confidence = probabilities.max(axis=1)
    top_ece, top_points = expected_calibration_error(predicted == y, confidence)
    return {
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
        "confusion_matrix": {"labels": labels, "rows_true_columns_predicted":
                             confusion_matrix(y, predicted, labels=labels).tolist()},
    }


@dataclass
class Evaluation:
    model: Any
    data: LabelledSet
    probabilities: np.ndarray
    thresholds: dict[str, float]
    metrics: dict[str, Any]

    def worst_errors(self, top: int = 20) -> list[dict[str, Any]]:
        """The wrong predictions the model was surest of: lowest probability for the true
        label first."""
        labels = self.model.labels
        truth_column = np.array([labels.index(label) if label in labels else -1
                                 for label in self.data.labels])
        known = truth_column >= 0
        true_probability = np.where(
            known, self.probabilities[np.arange(len(truth_column)), truth_column.clip(0)], 1.0)
        predicted = self.probabilities.argmax(axis=1)
        wrong = np.flatnonzero(known & (predicted != truth_column))
        order = wrong[np.argsort(true_probability[wrong], kind="stable")][:top]
        return [{"id": self.data.ids[i], "text": self.data.texts[i],
                 "label": self.data.labels[i], "prediction": labels[predicted[i]],
                 "scores": {label: round(float(self.probabilities[i, c]), 4)
                            for c, label in enumerate(labels)}}
                for i in order]

    def to_dict(self, worst: int = 20) -> dict[str, Any]:
        return {"model": self.model.id, "model_path": str(self.model.path),
                "data": self.data.path, "weak_labels": self.data.weak,
                "thresholds": {k: round(v, 6) for k, v in self.thresholds.items()},
                **self.metrics, "worst_errors": self.worst_errors(worst)}


def evaluate(model: Any, data: LabelledSet,
             thresholds: dict[str, float] | None = None) -> Evaluation:
    """Score ``data`` with ``model`` and measure."""
    chosen = dict(model.thresholds if thresholds is None else thresholds)
    unknown = sorted(set(data.labels) - set(model.labels))
    if unknown:
        raise InputError(data.path, f"label(s) {', '.join(unknown)} are not labels of model "
                         f"{model.id} ({', '.join(model.labels)})")
    probabilities = np.asarray(model.predict_proba(data.texts), dtype=np.float64)
    return Evaluation(model, data, probabilities, chosen,
                      measure(data.labels, probabilities, model.labels, chosen))


HEADLINE = ("macro_f1", "macro_roc_auc", "accuracy", "ece")


def compare(first: Evaluation, second: Evaluation) -> dict[str, Any]:
    """Two models on the same data: headline metrics, per-label F1 / ROC AUC and flag
    precision / recall, each with the difference (second minus first)."""
    def pair(a: Any, b: Any) -> dict[str, Any]:
        diff = round(b - a, 4) if isinstance(a, (int, float)) and isinstance(b, (int, float)) \
            else None
        return {"first": a, "second": b, "difference": diff}

    rows = {name: pair(first.metrics[name], second.metrics[name]) for name in HEADLINE}
    for label in first.model.labels:
        a, b = first.metrics["per_label"].get(label, {}), \
            second.metrics["per_label"].get(label, {})
        for key in ("f1-score", "roc_auc"):
            if key in a or key in b:
                rows[f"{label} {key.replace('-score', '')}"] = pair(a.get(key), b.get(key))
        if label in FLAGGED_LABELS and "flags" in a and "flags" in b:
            for key in ("precision", "recall", "per_1000"):
                rows[f"{label} flag {key}"] = pair(a["flags"][key], b["flags"][key])
    return {"first": first.model.id, "second": second.model.id, "data": first.data.path,
            "examples": len(first.data), "rows": rows}


def find_thresholds(evaluation: Evaluation, precision: float,
                    min_recall: float = 0.0) -> dict[str, Any]:
    """Per-label thresholds chosen on the evaluation's labels for ``precision``."""
    from moderation.scoring import thresholds_for_precision

    return thresholds_for_precision(evaluation.data.labels, evaluation.probabilities,
                                    evaluation.model.labels, precision, min_recall)


def top_features(model: Any, top: int = 15) -> dict[str, list[tuple[str, float]]]:
    """The terms with the largest weights for each label: what the model has learnt to look
    for."""
    from moderation.linear import label_weights

    if model.scorer is not None:
        terms, weights = model.scorer.terms, model.scorer.coef
    else:
        steps = model.pipeline.named_steps
        terms = list(steps["features"].get_feature_names_out())
        weights, _ = label_weights(steps["classifier"])
    terms = np.asarray(terms, dtype=object)
    result = {}
    for row, label in enumerate(model.labels):
        best = np.argsort(-weights[row], kind="stable")[:top]
        result[label] = [(str(terms[i]), round(float(weights[row, i]), 3)) for i in best]
    return result
