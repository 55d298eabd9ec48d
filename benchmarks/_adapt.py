"""Ways to adapt a base model to a site, compared in ``benchmarks/retraining_lift.py``. Only
``prior`` ships (``moderation.model.retrain``); the others were tried and measured there and did
not earn a place in the package.

Every way starts from the base pipeline and the site's labels, may use the site's unlabelled
comments (the export being flagged), and returns a plain pipeline of the same kind:

- ``prior``: the base's weights refitted on the site's labels, held close to the base's
  (``moderation.model.prior``), at a fixed strength;
- ``idf``: the same, after the TF-IDF weights are re-estimated on the site's own comments
  (how rare a word is on this site, not in the base's data);
- ``self``: the prior, then self-training: the site's unlabelled comments the adapted model is
  surest of are added as weak labels and the refit is repeated.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from moderation.labels.examples import Example
from moderation.model.prior import PRIOR_STRENGTH, fit_towards_base

METHODS = ("prior", "idf", "self")
SELF_WEIGHT = 0.3  # a self-labelled comment counts this much of a moderator's label
SELF_SHARE = 0.5  # of the unlabelled comments, this share (the surest) is self-labelled


def refit_idf(pipeline: Any, texts: Sequence[str]) -> Any:
    """A copy of ``pipeline`` whose word TF-IDF weights are re-estimated on ``texts`` (the
    site's comments), shrunk towards the base's where the site has few comments. The
    vocabulary and the classifier are unchanged."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    adapted = copy.deepcopy(pipeline)
    features = adapted.named_steps["features"]
    if not isinstance(features, TfidfVectorizer) or not texts:
        return adapted
    normalized = adapted.named_steps["normalize"].transform(list(texts))
    analyze = features.build_analyzer()
    frequency: Counter = Counter()
    for text in normalized:
        frequency.update(set(analyze(text)))
    n = len(normalized)
    df = np.zeros(len(features.idf_))
    for term, count in frequency.items():
        column = features.vocabulary_.get(term)
        if column is not None:
            df[column] = count
    site_idf = np.log((1 + n) / (1 + df)) + 1
    trust = n / (n + 1000.0)  # a thousand comments make the site's estimate half the answer
    features.idf_ = ((1 - trust) * features.idf_ + trust * site_idf).astype(features.idf_.dtype)
    return adapted


def _weights(examples: Sequence[Example], weak_weight: float) -> np.ndarray:
    return np.array([weak_weight if e.weak else 1.0 for e in examples], dtype=np.float64)


def adapt(
    base: Any,
    examples: Sequence[Example],
    *,
    method: str = "prior",
    strength: float = PRIOR_STRENGTH,
    unlabelled: Sequence[str] = (),
    weak_weight: float = 0.3,
) -> Any:
    """The base pipeline adapted to the site's labelled ``examples`` by ``method``."""
    texts = [e.text for e in examples]
    labels = [str(e.label) for e in examples]
    weights = _weights(examples, weak_weight)
    if method == "idf":
        return fit_towards_base(
            refit_idf(base, [*texts, *unlabelled]), texts, labels, weights, strength
        )
    adapted = fit_towards_base(base, texts, labels, weights, strength)
    if method == "prior" or not unlabelled:
        return adapted
    if method != "self":
        raise ValueError(f"unknown adaptation method {method!r}")
    known = set(texts)
    rest = [t for t in dict.fromkeys(unlabelled) if t not in known]
    if not rest:
        return adapted
    classes = [str(c) for c in adapted.named_steps["classifier"].classes_]
    used = sorted(set(labels))
    columns = [classes.index(label) for label in used]
    probabilities = adapted.predict_proba(rest)[:, columns]
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    guess = probabilities.argmax(axis=1)
    sure = probabilities.max(axis=1)
    # the surest share, taken per label in the proportions of the site's own labels
    chosen: list[int] = []
    share = Counter(labels)
    budget = int(len(rest) * SELF_SHARE)
    for column, label in enumerate(used):
        wanted = int(budget * share[label] / len(labels))
        candidates = np.flatnonzero(guess == column)
        chosen.extend(candidates[np.argsort(-sure[candidates])][:wanted].tolist())
    self_texts = [rest[i] for i in chosen]
    self_labels = [used[guess[i]] for i in chosen]
    return fit_towards_base(
        base,
        [*texts, *self_texts],
        [*labels, *self_labels],
        np.concatenate([weights, np.full(len(chosen), SELF_WEIGHT)]),
        strength,
    )
