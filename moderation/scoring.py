"""Scores, flags, explanations and thresholds.

A flag means "a moderator should look at this": a label is flagged when its probability reaches
the label's threshold. Thresholds are chosen on held-out predictions for a target precision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from moderation.comments import LABELS, QuoteSpan
from moderation.errors import UsageError

FLAGGED_LABELS = ("abusive", "conspiracy")      # civil is never a reason to look


@dataclass(frozen=True)
class Threshold:
    """The threshold for one label and what it gave on the held-out predictions it was
    chosen on."""

    label: str
    threshold: float
    precision: float
    recall: float
    reached_target: bool

    def to_dict(self) -> dict:
        return {"threshold": round(self.threshold, 6), "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "reached_target": self.reached_target}


def threshold_for_precision(is_label: np.ndarray, scores: np.ndarray, label: str,
                            target: float, min_recall: float = 0.0) -> Threshold:
    """The lowest threshold whose precision on (is_label, scores) reaches ``target`` (so the
    most comments of this label are caught at that precision). Where no threshold reaches it
    while catching at least ``min_recall`` of the label, the one with the best F1, marked
    ``reached_target=False``: a flag that almost never fires helps no moderator."""
    from sklearn.metrics import precision_recall_curve   # training only: keep scoring light

    if not is_label.any():
        return Threshold(label, 1.0, 0.0, 0.0, False)
    precision, recall, cuts = precision_recall_curve(is_label, scores)
    precision, recall = precision[:-1], recall[:-1]    # the last point has no threshold
    reaching = np.flatnonzero(precision >= target)
    # a threshold needs some support above it to be trusted: at least 5 caught examples
    caught = recall * is_label.sum()
    reaching = reaching[(caught[reaching] >= min(5, is_label.sum()))
                        & (recall[reaching] >= min_recall)]
    if reaching.size:
        best = reaching[np.argmax(recall[reaching])]
        return Threshold(label, float(cuts[best]), float(precision[best]), float(recall[best]),
                         True)
    f1 = np.divide(2 * precision * recall, precision + recall,
                   out=np.zeros_like(precision), where=(precision + recall) > 0)
    best = int(np.argmax(f1))
    return Threshold(label, float(cuts[best]), float(precision[best]), float(recall[best]),
                     False)


def thresholds_for_precision(y_true: Sequence[str], probabilities: np.ndarray,
                             labels: Sequence[str], target: float,
                             min_recall: float = 0.0) -> dict[str, Threshold]:
    """Per-label thresholds (for the labels that are reasons to look) chosen on held-out
    probabilities whose columns follow ``labels``."""
    truth = np.asarray(y_true)
    return {label: threshold_for_precision(truth == label, probabilities[:, column], label,
                                           target, min_recall)
            for column, label in enumerate(labels) if label in FLAGGED_LABELS}


# --- scores, flags and explanations for people and programs ---------------------------------

def display_order(labels: Sequence[str]) -> list[str]:
    """Labels in the order people read them (civil, abusive, conspiracy), then any others."""
    known = [label for label in LABELS if label in labels]
    return known + [label for label in labels if label not in known]


def parse_thresholds(overrides: Sequence[str], model_thresholds: dict[str, float],
                     labels: Sequence[str]) -> dict[str, float]:
    """The model's thresholds with ``LABEL=P`` overrides applied; raises UsageError for an
    unknown label, a label that is never flagged, or a value outside [0, 1]."""
    thresholds = dict(model_thresholds)
    for item in overrides:
        label, sep, value = item.partition("=")
        label = label.strip()
        if not sep:
            raise UsageError(f"--threshold {item!r}: write it as LABEL=P, e.g. abusive=0.7")
        if label not in labels:
            raise UsageError(f"--threshold {item!r}: unknown label {label!r} (this model's "
                             f"labels are {', '.join(labels)})")
        if label not in FLAGGED_LABELS:
            raise UsageError(f"--threshold {item!r}: {label} is never flagged; thresholds "
                             f"apply to {', '.join(FLAGGED_LABELS)}")
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not 0.0 <= number <= 1.0:
            raise UsageError(f"--threshold {item!r}: {value!r} is not a probability between "
                             "0 and 1")
        thresholds[label] = number
    return thresholds


def verdicts(probabilities: np.ndarray, labels: Sequence[str],
             thresholds: dict[str, float]) -> list[tuple[str, dict[str, float], list[str]]]:
    """``(prediction, scores, flags)`` per row of ``probabilities`` (columns in ``labels``
    order). A label is flagged when its probability reaches its threshold."""
    n = len(probabilities)
    if n == 0:
        return []
    shown = display_order(labels)
    columns = [list(labels).index(label) for label in shown]
    predictions = np.asarray(labels, dtype=object)[probabilities.argmax(axis=1)].tolist()
    rounded = np.round(probabilities[:, columns], 6).tolist()
    flags: list[list[str]] = [[] for _ in range(n)]
    for label in FLAGGED_LABELS:
        if label in thresholds and label in labels:
            column = list(labels).index(label)
            for row in np.flatnonzero(probabilities[:, column] >= thresholds[label]).tolist():
                flags[row].append(label)
    return [(prediction, dict(zip(shown, scores)), flagged)
            for prediction, scores, flagged in zip(predictions, rounded, flags)]


def score_texts(model: Any, texts: list[str], *, thresholds: dict[str, float] | None = None,
                explain: bool = False,
                quotes: Sequence[Sequence[QuoteSpan]] | None = None) -> list[dict[str, Any]]:
    """The records ``moderation score --json`` prints, one per text. With ``quotes``, each
    text's quoted spans are left out of what is scored (and the record says so)."""
    for number, text in enumerate(texts, 1):
        if not isinstance(text, str):
            raise UsageError(f"text {number} is {type(text).__name__}, not a string")
    thresholds = model.thresholds if thresholds is None else thresholds
    quotes = quotes or [()] * len(texts)
    scored = [own_words(text, spans) for text, spans in zip(texts, quotes)]
    for number, text in enumerate(scored, 1):
        if not text.strip():
            raise UsageError(f"text {number} is empty: there is nothing to score")
    records = []
    for text, own, spans, (prediction, scores, flags) in zip(
            texts, scored, quotes, verdicts(model.predict_proba(scored), model.labels,
                                            thresholds)):
        record = {"text": text, "prediction": prediction, "scores": scores, "flags": flags,
                  "model": model.id}
        record.update(scoring_notes(text, own, spans, model.max_chars))
        if explain:
            record["explanation"] = explain_text(model, text, quotes=spans,
                                                 labels=[prediction, *flags], scores=scores)
        records.append(record)
    return records


def quotes_of_parent(text: str, parent: str | None) -> list[QuoteSpan]:
    """The spans of ``text`` that repeat ``parent`` (found as `flag` finds them in a thread)."""
    if not parent:
        return []
    from moderation.comments import Comment
    from moderation.quotes import ConversationTracker

    tracker = ConversationTracker()
    tracker.comment(Comment(id="parent", thread_id="thread", text=parent))
    reply = tracker.comment(Comment(id="reply", thread_id="thread", text=text,
                                    parent_id="parent"))
    return reply.quotes


def own_words(text: str, spans: Sequence[QuoteSpan]) -> str:
    """``text`` without its quoted spans (``Comment.unquoted_text`` for a bare string)."""
    if not spans:
        return text
    from moderation.comments import Comment

    return Comment(id="", thread_id="", text=text, quotes=list(spans)).unquoted_text()


def scoring_notes(text: str, scored: str, spans: Sequence[QuoteSpan],
                  max_chars: int) -> dict[str, Any]:
    """What a record says about the text that was scored, when it is not the whole text."""
    notes: dict[str, Any] = {}
    if spans:
        notes["quotes_excluded"] = [span.to_dict() for span in spans]
    if len(scored) > max_chars:
        notes["truncated"] = {"scored_chars": max_chars, "total_chars": len(scored)}
    return notes


def explain_text(model: Any, text: str, *, quotes: Sequence[QuoteSpan] = (),
                 labels: Sequence[str] | None = None, top: int = 10,
                 scores: dict[str, float] | None = None) -> dict[str, Any]:
    """Per label (the predicted and flagged ones, or ``labels``): the label's score, and the
    terms that pushed its score up (+) or down (-). A term's contribution is its TF-IDF value
    times the label's coefficient, exact for this linear model: the contributions and the
    bias add up to the label's logit. ``spans`` are where the term occurs in ``text``.
    ``scores`` (label -> probability), when the caller has them, saves scoring again."""
    own = own_words(text, quotes)
    if model.scorer is not None:
        weights = model.scorer.term_weights(own)
        where = model.scorer.term_spans(text, [(q.start, q.end) for q in quotes])
        spans_of = [where.get(term_id, []) for term_id in weights.ids.tolist()]
        terms, values = weights.terms, weights.values
        contributions, intercept = weights.contributions, weights.intercept
    else:
        terms, values, contributions, intercept = _pipeline_terms(model.pipeline, own)
        spans_of = [_find_term(text, term) for term in terms]
    if scores is None:
        scores = dict(zip(model.labels, np.round(model.predict_proba([own])[0], 6).tolist()))
    wanted = list(dict.fromkeys(labels)) if labels else [max(scores, key=scores.get)]
    explanation = {}
    for label in wanted:
        column = model.labels.index(label)
        order = np.argsort(-np.abs(contributions[:, column]), kind="stable")[:top]
        explanation[label] = {
            "score": scores[label],
            "bias": round(float(intercept[column]), 6),
            "terms": [{"term": terms[i], "value": round(float(values[i]), 6),
                       "contribution": round(float(contributions[i, column]), 6),
                       "spans": [list(span) for span in spans_of[i]]} for i in order.tolist()],
        }
    return explanation


def _pipeline_terms(pipeline: Any, text: str) -> tuple[list[str], np.ndarray, np.ndarray,
                                                       np.ndarray]:
    """Terms, values and contributions read from a scikit-learn pipeline (models without a
    ``scorer.npz``: character n-grams, bigrams)."""
    from moderation.linear import label_weights

    features = pipeline.named_steps["features"]
    classifier = pipeline.named_steps["classifier"]
    row = features.transform(pipeline.named_steps["normalize"].transform([text])).tocsr()
    names = features.get_feature_names_out()
    columns, values = row.indices, row.data.astype(np.float64)
    coef, intercept = label_weights(classifier)
    terms = [str(names[c]).split("__", 1)[-1] for c in columns]
    return terms, values, values[:, None] * coef[:, columns].T, intercept


def _find_term(text: str, term: str) -> list[tuple[int, int]]:
    lowered = text.lower()
    if len(lowered) != len(text):
        return []
    spans, start = [], lowered.find(term)
    while start >= 0 and len(spans) < 20:
        spans.append((start, start + len(term)))
        start = lowered.find(term, start + len(term))
    return spans
