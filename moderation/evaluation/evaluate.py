"""How good a model is on labelled comments: metrics, calibration, what a threshold would do to
a moderator's queue, the worst errors, two models side by side, and promotion on evidence.

``evaluate(model, examples)`` scores labelled comments (``moderation.labels.examples.read_labelled``
reads them from any kind of file) and measures (``moderation.model.metrics.measure``);
``compare`` puts two evaluations side by side. Promotion on this evidence is
:mod:`moderation.evaluation.promote`; the report (plots and HTML) is
:mod:`moderation.evaluation.report`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from moderation.errors import InputError, ModerationError, UsageError
from moderation.labels.examples import ExampleSet, read_labelled
from moderation.model.audit import audit
from moderation.model.directory import Model, copy_model
from moderation.model.metrics import measure
from moderation.model.overlap import REFUSE_SHARE, Overlap, find_overlap
from moderation.model.registry import (
    load_model,
)
from moderation.model.scorer import label_weights
from moderation.model.scoring import FLAGGED_LABELS
from moderation.model.thresholds import Threshold, thresholds_for_precision


@dataclass
class Evaluation:
    model: Model
    data: ExampleSet
    probabilities: np.ndarray
    thresholds: dict[str, float]
    metrics: dict[str, Any]

    def worst_errors(self, top: int = 20) -> list[dict[str, Any]]:
        """The wrong predictions the model was surest of: lowest probability for the true
        label first."""
        labels = self.model.labels
        truth_column = np.array(
            [labels.index(label) if label in labels else -1 for label in self.data.labels]
        )
        known = truth_column >= 0
        true_probability = np.where(
            known, self.probabilities[np.arange(len(truth_column)), truth_column.clip(0)], 1.0
        )
        predicted = self.probabilities.argmax(axis=1)
        wrong = np.flatnonzero(known & (predicted != truth_column))
        order = wrong[np.argsort(true_probability[wrong], kind="stable")][:top]
        return [
            {
                "id": self.data.ids[i],
                "text": self.data.texts[i],
                "label": self.data.labels[i],
                "prediction": labels[predicted[i]],
                "scores": {
                    label: round(float(self.probabilities[i, c]), 4)
                    for c, label in enumerate(labels)
                },
            }
            for i in order
        ]

    def to_dict(self, worst: int = 20) -> dict[str, Any]:
        return {
            "model": self.model.id,
            "model_path": str(self.model.path),
            "data": self.data.path,
            "weak_labels": self.data.weak,
            "thresholds": {k: round(v, 6) for k, v in self.thresholds.items()},
            **self.metrics,
            "worst_errors": self.worst_errors(worst),
        }


def evaluate(
    model: Model, data: ExampleSet, thresholds: dict[str, float] | None = None
) -> Evaluation:
    """Score ``data`` with ``model`` and measure."""
    chosen = dict(model.thresholds if thresholds is None else thresholds)
    unknown = sorted(set(data.labels) - set(model.labels))
    if unknown:
        raise InputError(
            data.path,
            f"label(s) {', '.join(unknown)} are not labels of model "
            f"{model.id} ({', '.join(model.labels)})",
        )
    probabilities = np.asarray(model.predict_proba(data.texts), dtype=np.float64)
    return Evaluation(
        model,
        data,
        probabilities,
        chosen,
        measure(data.labels, probabilities, model.labels, chosen),
    )


def check_overlap(model: Model, data: ExampleSet, *, force: bool = False) -> Overlap:
    """Refuse (a :class:`ModerationError`) to judge ``model`` on labelled comments it was
    trained on: the same file (SHA-256), or more than 2% of the comments by id or text. With
    ``force`` the overlap is returned for the caller to warn about, loudly."""
    found = find_overlap(model.path, model.meta, data.path, data.ids, data.texts)
    if found.refused and not force:
        raise ModerationError(
            f"refusing to evaluate: {found.message()}; evaluate on labelled comments the "
            "model never saw (keep some labels out of training), or add --force to evaluate "
            "anyway (the figures will flatter the model)"
        )
    return found


def overlap_warnings(found: Overlap) -> list[str]:
    """What to tell the user about an overlap that was not refused (forced, or small)."""
    if found.refused:
        return [
            f"!!! THE FIGURES BELOW ARE NOT TO BE TRUSTED: {found.message()}; "
            "evaluated anyway because of --force"
        ]
    if found.shared:
        return [
            f"{found.message()}; below the {REFUSE_SHARE:.0%} that is refused, but they flatter it"
        ]
    return []


HEADLINE = ("macro_f1", "macro_roc_auc", "accuracy", "ece")


def main_language(data: ExampleSet) -> str:
    """The language most of the labelled comments are written in (detected)."""
    from collections import Counter

    from moderation.languages.detect import detect_languages

    found = Counter(detect_languages(data.texts))
    found.pop("und", None)
    return found.most_common(1)[0][0] if found else "en"


def measure_models(paths: list[Path], labelled: Path) -> list[dict[str, Any] | None]:
    """Every model in ``paths`` that reads the language of the labelled comments, on those
    comments, so their figures compare like with like: macro-F1 and macro ROC AUC there, and
    how far those comments were the model's own training data (a model that saw them is
    marked, not refused: the listing is a comparison, the figure beside it says how much to
    trust it). A model of another language gets None."""
    data = read_labelled(labelled)
    language = main_language(data)
    rows: list[dict[str, Any] | None] = []
    for path in paths:
        model = load_model(path)
        if model.language != language:
            rows.append(None)
            continue
        found = check_overlap(model, data, force=True)
        metrics = evaluate(model, data).metrics
        rows.append(
            {
                "path": str(path),
                "data": str(labelled),
                "examples": len(data),
                "macro_f1": metrics.get("macro_f1"),
                "macro_roc_auc": metrics.get("macro_roc_auc"),
                "trained_on_share": round(found.share, 4),
                "trained_on_this_file": bool(found.same_file),
            }
        )
    return rows


def compare(first: Evaluation, second: Evaluation) -> dict[str, Any]:
    """Two models on the same data: headline metrics, per-label F1 / ROC AUC and flag
    precision / recall, each with the difference (second minus first)."""

    def pair(a: Any, b: Any) -> dict[str, Any]:
        diff = (
            round(b - a, 4) if isinstance(a, (int, float)) and isinstance(b, (int, float)) else None
        )
        return {"first": a, "second": b, "difference": diff}

    rows = {name: pair(first.metrics[name], second.metrics[name]) for name in HEADLINE}
    for label in first.model.labels:
        a, b = first.metrics["per_label"].get(label, {}), second.metrics["per_label"].get(label, {})
        for key in ("f1-score", "roc_auc"):
            if key in a or key in b:
                rows[f"{label} {key.replace('-score', '')}"] = pair(a.get(key), b.get(key))
        if label in FLAGGED_LABELS and "flags" in a and "flags" in b:
            for key in ("precision", "recall", "per_1000"):
                rows[f"{label} flag {key}"] = pair(a["flags"][key], b["flags"][key])
    return {
        "first": first.model.id,
        "second": second.model.id,
        "data": first.data.path,
        "examples": len(first.data),
        "rows": rows,
    }


def find_thresholds(
    evaluation: Evaluation, precision: float, min_recall: float = 0.0
) -> dict[str, Threshold]:
    """Per-label thresholds chosen on the evaluation's labels for ``precision``: the lowest
    that reaches it, or, where none does, the one with the highest precision these labels
    allow (``reached_target=False``; never a lower precision than could be had)."""
    return thresholds_for_precision(
        evaluation.data.labels,
        evaluation.probabilities,
        evaluation.model.labels,
        precision,
        min_recall,
        fallback="precision",
    )


def top_features(model: Model, top: int = 15) -> dict[str, list[tuple[str, float]]]:
    """The terms with the largest weights for each label: what the model has learnt to look
    for."""
    if model.scorer is not None:
        names, weights = model.scorer.terms, model.scorer.coef
    else:
        steps = model.pipeline.named_steps
        names = list(steps["features"].get_feature_names_out())
        weights, _ = label_weights(steps["classifier"])
    terms = np.asarray(names, dtype=object)
    result = {}
    for row, label in enumerate(model.labels):
        best = np.argsort(-weights[row], kind="stable")[:top]
        result[label] = [(str(terms[i]), round(float(weights[row, i]), 3)) for i in best]
    return result


def evaluate_file(
    labelled: Path,
    *,
    model: Path | None = None,
    compare_with: Path | None = None,
    find_thresholds_for: float | None = None,
    output: Path | None = None,
    format: str = "auto",
    force: bool = False,
) -> dict[str, Any]:
    """``moderation evaluate``: ``model`` (else the active model) on the labelled comments of
    ``labelled``; optionally beside another model, and with a copy of the model whose
    thresholds are chosen on these labels for precision ``find_thresholds_for``."""
    if find_thresholds_for is not None and output is None:
        raise UsageError("--find-thresholds writes a copy of the model: give -o DIR for it")
    if output is not None and find_thresholds_for is None:
        raise UsageError(
            "-o is where --find-thresholds writes the model copy; add --find-thresholds"
        )
    if find_thresholds_for is not None and not 0 < find_thresholds_for < 1:
        raise UsageError("--precision must be between 0 and 1, e.g. 0.8")
    data = read_labelled(labelled, format=format)
    loaded = load_model(model)
    found = check_overlap(loaded, data, force=force)
    warnings = overlap_warnings(found)
    evaluation = evaluate(loaded, data)
    result: dict[str, Any] = {
        "evaluation": evaluation,
        "metrics": {**evaluation.to_dict(), "overlap": found.to_dict()},
        "warnings": warnings,
    }
    if compare_with is not None:
        other_model = load_model(compare_with)
        warnings.extend(overlap_warnings(check_overlap(other_model, data, force=force)))
        other = evaluate(other_model, data)
        result["comparison"] = compare(other, evaluation)
        result["other"] = other
    if find_thresholds_for is not None and output is not None:
        result["thresholds"] = write_thresholds(evaluation, find_thresholds_for, output, force)
    return result


def write_thresholds(
    evaluation: Evaluation, precision: float, output: Path, force: bool
) -> dict[str, Any]:
    """A copy of the evaluated model at ``output`` with thresholds chosen on the evaluation's
    labels; a label absent from them keeps the model's threshold."""
    found = find_thresholds(evaluation, precision)
    thresholds = dict(evaluation.model.meta.thresholds)
    kept = []
    for label, threshold in found.items():
        if evaluation.metrics["per_label"][label]["support"] == 0:
            kept.append(label)
            continue
        thresholds[label] = Threshold(
            label,
            threshold.threshold,
            threshold.precision,
            threshold.recall,
            threshold.reached_target,
            {"chosen_on": evaluation.data.path, "examples": len(evaluation.data)},
        )
    note = (
        f"Thresholds chosen by `moderation evaluate --find-thresholds --precision "
        f"{precision}` on {len(evaluation.data):,} labelled comments of "
        f"`{evaluation.data.path}`: "
        + ", ".join(f"{label} {t.threshold:.3f}" for label, t in thresholds.items())
        + "".join(
            f". {label}: precision {precision:g} was not reachable on these labels; the "
            f"threshold with the highest precision they allow ({t.precision:.2f}) was chosen"
            for label, t in found.items()
            if label not in kept and not t.reached_target
        )
    )
    meta = copy_model(evaluation.model.path, output, thresholds=thresholds, note=note, force=force)
    chosen = ", ".join(
        f"{label} {t.threshold:.3f} (precision {t.precision:.2f}, recall {t.recall:.2f})"
        for label, t in thresholds.items()
        if label not in kept
    )
    lines = [f"wrote {output} ({meta.model_id}) with thresholds {chosen}"]
    missed = [label for label, t in found.items() if label not in kept and not t.reached_target]
    for label in missed:
        t = found[label]
        support = evaluation.metrics["per_label"][label]["support"]
        lines.append(
            f"{label}: precision {precision:g} CANNOT be reached on these labels (with at "
            f"least 5 of the {support} {label} comments caught); chose instead the threshold "
            f"with the highest precision they allow: {t.threshold:.3f}, precision "
            f"{t.precision:.2f}, recall {t.recall:.2f}"
        )
    lines += [
        f"{label}: no {label} comment in {evaluation.data.path}; the model's threshold is kept"
        for label in kept
    ]
    return {
        "model": meta.model_id,
        "path": str(output),
        "thresholds": {label: t.to_dict() for label, t in thresholds.items()},
        "kept": kept,
        "not_reached": missed,
        "lines": lines,
    }


def identity_audit(model: Path | None = None, split: str | None = None) -> dict[str, Any]:
    """The identity audit (``moderation.model.audit``) of ``model`` (else the active model) at its
    thresholds."""
    loaded = load_model(model)
    return {"model": loaded.id, **audit(loaded, loaded.thresholds, split=split)}
