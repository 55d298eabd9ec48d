"""Flag thresholds: per label, the probability at which a comment is flagged, chosen on
held-out predictions for a target precision."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from moderation.model.scoring import FLAGGED_LABELS


@dataclass(frozen=True)
class Threshold:
    """The threshold for one label and what it gave on the held-out predictions it was
    chosen on. ``notes`` keeps what else was recorded with it (where it was chosen)."""

    label: str
    threshold: float
    precision: float
    recall: float
    reached_target: bool
    notes: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "threshold": round(self.threshold, 6),
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "reached_target": self.reached_target,
            **self.notes,
        }

    @classmethod
    def from_dict(cls, label: str, data: dict[str, Any]) -> Threshold:
        known = ("threshold", "precision", "recall", "reached_target")
        return cls(
            label,
            float(data["threshold"]),
            float(data.get("precision", 0.0)),
            float(data.get("recall", 0.0)),
            bool(data.get("reached_target", False)),
            {k: v for k, v in data.items() if k not in known},
        )


def threshold_for_precision(
    is_label: np.ndarray,
    scores: np.ndarray,
    label: str,
    target: float,
    min_recall: float = 0.0,
    base_rate: float | None = None,
    fallback: str = "f1",
) -> Threshold:
    """The lowest threshold whose precision on (is_label, scores) reaches ``target`` (so the
    most comments of this label are caught at that precision). Where no threshold reaches it
    while catching at least ``min_recall`` of the label, the one with the best F1
    (``fallback="f1"``: a flag that almost never fires helps no moderator) or the one with the
    highest precision that still catches 5 and ``min_recall`` of the label
    (``fallback="precision"``: as close to the promise as the labels allow), marked
    ``reached_target=False``.

    Precision depends on how common the label is. With ``base_rate`` the examples are weighted
    so that the label is that common (as on a comment section, where abuse is rare), instead of
    as common as in the data the threshold is chosen on."""
    from sklearn.metrics import precision_recall_curve

    if not is_label.any():
        return Threshold(label, 1.0, 0.0, 0.0, False)
    weights = _base_rate_weights(is_label, base_rate)
    precision, recall, cuts = precision_recall_curve(is_label, scores, sample_weight=weights)
    precision, recall = precision[:-1], recall[:-1]  # the last point has no threshold
    reaching = np.flatnonzero(precision >= target)
    # a threshold needs some support above it to be trusted: at least 5 caught examples
    caught = recall * is_label.sum()
    reaching = reaching[
        (caught[reaching] >= min(5, is_label.sum())) & (recall[reaching] >= min_recall)
    ]
    if reaching.size:
        best = reaching[np.argmax(recall[reaching])]
        return Threshold(
            label, float(cuts[best]), float(precision[best]), float(recall[best]), True
        )
    if fallback == "precision":
        enough = np.flatnonzero(caught >= min(5, is_label.sum()))
        if (recall[enough] >= min_recall).any():
            enough = enough[recall[enough] >= min_recall]
        # the highest precision, and among equals the most caught
        best = enough[np.lexsort((-recall[enough], -precision[enough]))[0]]
        return Threshold(
            label, float(cuts[best]), float(precision[best]), float(recall[best]), False
        )
    f1 = np.divide(
        2 * precision * recall,
        precision + recall,
        out=np.zeros_like(precision),
        where=(precision + recall) > 0,
    )
    best = int(np.argmax(f1))
    return Threshold(label, float(cuts[best]), float(precision[best]), float(recall[best]), False)


def _base_rate_weights(is_label: np.ndarray, base_rate: float | None) -> np.ndarray | None:
    if base_rate is None or is_label.all():
        return None
    share = is_label.mean()
    weights: np.ndarray = np.where(is_label, base_rate / share, (1 - base_rate) / (1 - share))
    return weights


def thresholds_for_precision(
    y_true: Sequence[str],
    probabilities: np.ndarray,
    labels: Sequence[str],
    target: float,
    min_recall: float = 0.0,
    fallback: str = "f1",
) -> dict[str, Threshold]:
    """Per-label thresholds (for the labels that are reasons to look) chosen on held-out
    probabilities whose columns follow ``labels``."""
    truth = np.asarray(y_true)
    return {
        label: threshold_for_precision(
            truth == label, probabilities[:, column], label, target, min_recall, fallback=fallback
        )
        for column, label in enumerate(labels)
        if label in FLAGGED_LABELS
    }


def _at(
    is_label: np.ndarray, scores: np.ndarray, cut: float, base_rate: float | None = None
) -> dict[str, float]:
    weights = _base_rate_weights(is_label, base_rate)
    weights = np.ones(len(is_label)) if weights is None else weights
    flagged = scores >= cut
    caught = float(weights[flagged & is_label].sum())
    return {
        "precision": round(caught / weights[flagged].sum(), 4) if flagged.any() else 0.0,
        "recall": round(caught / weights[is_label].sum(), 4) if is_label.any() else 0.0,
    }


def choose_thresholds(
    truth: Sequence[str],
    labels: Sequence[str],
    target: float | dict[str, float],
    min_recall: float,
    in_domain: np.ndarray,
    other_sources: np.ndarray | None = None,
    base_rates: dict[str, float] | None = None,
) -> dict[str, Threshold]:
    """Per flagged label, the threshold for ``target`` precision (one for all, or per label)
    chosen where it will hold on a
    new site: on held-out predictions of sources the model was not trained on
    (``other_sources``, rows of NaN ignored). Where no threshold reaches the target there, the
    higher of the one with the highest precision other sources allow (catching at least
    ``min_recall``) and the one chosen on grouped folds of the training data (``in_domain``),
    marked ``reached_target=False`` with what it gave on other sources in its notes: a
    stricter target never gives a lower threshold (falling back to the folds alone did, as
    their optimistic predictions reach the target lower down). With
    ``base_rates`` (label -> share of comments), precision is measured as if each label were
    that common."""
    base_rates = base_rates or {}
    y = np.asarray(truth)
    chosen = {}
    for column, label in enumerate(labels):
        if label not in FLAGGED_LABELS:
            continue
        wanted = target.get(label, 0.8) if isinstance(target, dict) else target
        rate = base_rates.get(label)
        folds = threshold_for_precision(
            y == label, in_domain[:, column], label, wanted, min_recall, rate
        )
        if other_sources is None:
            chosen[label] = folds
            continue
        seen = ~np.isnan(other_sources[:, column])
        is_label, scores = y[seen] == label, other_sources[seen, column]
        elsewhere = threshold_for_precision(is_label, scores, label, wanted, min_recall, rate)
        if elsewhere.reached_target:
            chosen[label] = Threshold(
                label,
                elsewhere.threshold,
                elsewhere.precision,
                elsewhere.recall,
                True,
                {"chosen_on": "other sources (leave one source out)"},
            )
        else:
            chosen[label] = _out_of_reach(folds, is_label, scores, wanted, min_recall, rate)
    return chosen


def _out_of_reach(
    folds: Threshold,
    is_label: np.ndarray,
    scores: np.ndarray,
    wanted: float,
    min_recall: float,
    rate: float | None,
) -> Threshold:
    """The threshold of a label whose target precision other sources never reach: the most
    precise one there (still catching ``min_recall``), or the folds' one if that is higher."""
    closest = threshold_for_precision(
        is_label, scores, folds.label, wanted, min_recall, rate, fallback="precision"
    )
    if folds.threshold >= closest.threshold:
        cut, where = folds.threshold, "grouped folds of the training data"
    else:
        cut = closest.threshold
        where = "other sources (leave one source out): the highest precision they allow"
    at = _at(is_label, scores, cut, rate)
    return Threshold(
        folds.label,
        cut,
        at["precision"],
        at["recall"],
        False,
        {"chosen_on": where, "other_sources": at, "grouped_folds": folds.to_dict()},
    )


# A site's own labels move a label's threshold from the base model's only as far as they can
# support: below MIN_SITE_LABELS examples of the label the base's threshold is kept; above, the
# site's threshold is pulled towards the base's in log-odds with weight n / (n + SITE_PRIOR),
# so 50 labels move it half way and 450 nine tenths.
MIN_SITE_LABELS = 20
SITE_PRIOR = 50.0


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return float(np.log(p / (1 - p)))


def shrunk_threshold(
    base: Threshold, site: Threshold, count: int, is_label: np.ndarray, scores: np.ndarray
) -> Threshold:
    """The threshold of a label retrained on ``count`` site examples of it: the base's below
    ``MIN_SITE_LABELS``, else the site's (chosen on held-out site predictions ``scores``)
    shrunk towards the base's; precision and recall are what it gives on those predictions."""
    if count < MIN_SITE_LABELS:
        return Threshold(
            base.label,
            base.threshold,
            base.precision,
            base.recall,
            base.reached_target,
            {
                **base.notes,
                "site": {
                    "labels": int(count),
                    "kept_base": True,
                    "why": f"fewer than {MIN_SITE_LABELS} site labels of {base.label}",
                    "site_threshold": round(site.threshold, 6),
                },
            },
        )
    weight = count / (count + SITE_PRIOR)
    mixed = (1 - weight) * _logit(base.threshold) + weight * _logit(site.threshold)
    cut = float(1 / (1 + np.exp(-mixed)))
    got = _at(is_label, scores, cut)
    return Threshold(
        base.label,
        cut,
        got["precision"],
        got["recall"],
        got["precision"] >= site.precision - 1e-9 if site.reached_target else False,
        {
            "chosen_on": "the site's labels (grouped folds), shrunk towards the base's threshold",
            "site": {
                "labels": int(count),
                "kept_base": False,
                "weight": round(weight, 3),
                "site_threshold": round(site.threshold, 6),
                "base_threshold": round(base.threshold, 6),
            },
        },
    )


def threshold_message(t: Threshold) -> str:
    """One line for people on how a retrained label's threshold was set."""
    site = t.notes.get("site")
    if not site:
        return f"{t.label}: threshold {t.threshold:.3f}"
    if site["kept_base"]:
        alone = f"; they alone would give {site['site_threshold']:.3f}" if site["labels"] else ""
        return (
            f"{t.label}: kept the base's threshold {t.threshold:.3f}: {site['why']} "
            f"({site['labels']}{alone})"
        )
    return (
        f"{t.label}: threshold {t.threshold:.3f}, the site's {site['site_threshold']:.3f} "
        f"moved towards the base's {site['base_threshold']:.3f} (weight {site['weight']:.2f} "
        f"for {site['labels']} site labels of {t.label})"
    )
