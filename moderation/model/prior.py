"""The prior method of retraining: the base model's logistic-regression weights as the starting
point and the anchor of a refit on the site's labels."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from moderation.model.scorer import label_weights

PRIOR_STRENGTH = 0.03  # lambda: how hard the weights are held to the base's


def fit_towards_base(
    base_pipeline: Any,
    texts: Sequence[str],
    labels: Sequence[str],
    weights: np.ndarray,
    strength: float = PRIOR_STRENGTH,
    max_iter: int = 500,
) -> Any:
    """A copy of ``base_pipeline`` whose logistic-regression weights are refitted on the site's
    labels with an L2 penalty towards the base's weights instead of towards zero:

        minimise  sum_i w_i * cross-entropy_i  +  strength / 2 * ||W - W_base||^2

    (the intercepts are almost free). Only the labels the site's labels use are refitted, with
    a softmax over them; the others keep the base's weights. Words the site's labels say
    nothing about keep the base's weights; the features (vocabulary, IDF) stay the base's,
    so the model is the same kind of pipeline and scores with the same code."""
    import copy

    adapted = copy.deepcopy(base_pipeline)
    classifier = adapted.named_steps["classifier"]
    classes = [str(c) for c in classifier.classes_]
    w0, b0 = (np.asarray(a, dtype=np.float64) for a in label_weights(classifier))
    added = extend_vocabulary(adapted, texts)
    w0 = np.hstack([w0, np.zeros((w0.shape[0], added))])  # new words start at zero
    x = adapted[:-1].transform(list(texts)).tocsr().astype(np.float64)
    # only the rows of the labels the site gave are refitted (a softmax over those labels);
    # a label with no site example keeps the base's weights, so it is still predicted
    rows = [i for i, label in enumerate(classes) if label in set(labels)]
    y = np.eye(len(rows))[[rows.index(classes.index(label)) for label in labels]]
    w_all, b_all = w0, b0
    w0, b0 = w_all[rows], b_all[rows]
    found_w, found_b = _refit_used_features(x, y, weights, w0, b0, strength, max_iter)
    w, b = w_all.copy(), b_all.copy()
    w[rows], b[rows] = found_w, found_b
    if classifier.coef_.shape[0] == 1:  # scikit-learn's two-label form
        classifier.coef_ = (w[1] - w[0])[None, :]
        classifier.intercept_ = np.array([b[1] - b[0]])
    else:
        classifier.coef_, classifier.intercept_ = w, b
    classifier.n_features_in_ = w.shape[1]
    return adapted


def _penalised_refit(
    x: Any,
    y: np.ndarray,
    weights: np.ndarray,
    w0: np.ndarray,
    b0: np.ndarray,
    strength: float,
    max_iter: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Softmax regression weights (rows of ``w0``) fitted to one-hot ``y`` with an L2 penalty
    towards ``w0`` and ``b0`` (much weaker on the intercepts)."""
    from scipy.optimize import minimize
    from scipy.special import logsumexp, softmax

    k, d = w0.shape
    strength_b = strength * 1e-3

    def loss_and_gradient(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[: k * d].reshape(k, d), theta[k * d :]
        z = np.asarray(x @ w.T) + b
        loss = float(np.sum(weights * (logsumexp(z, axis=1) - (z * y).sum(axis=1))))
        residual = (softmax(z, axis=1) - y) * weights[:, None]
        grad_w = np.asarray((x.T @ residual).T) + strength * (w - w0)
        grad_b = residual.sum(axis=0) + strength_b * (b - b0)
        loss += 0.5 * strength * float(np.sum((w - w0) ** 2))
        loss += 0.5 * strength_b * float(np.sum((b - b0) ** 2))
        return loss, np.concatenate([grad_w.ravel(), grad_b])

    start = np.concatenate([w0.ravel(), b0])
    found = minimize(
        loss_and_gradient, start, jac=True, method="L-BFGS-B", options={"maxiter": max_iter}
    )
    return found.x[: k * d].reshape(k, d), found.x[k * d :]


def _refit_used_features(
    x: Any,
    y: np.ndarray,
    weights: np.ndarray,
    w0: np.ndarray,
    b0: np.ndarray,
    strength: float,
    max_iter: int,
) -> tuple[np.ndarray, np.ndarray]:
    """``_penalised_refit`` on the features the site's texts use: a weight whose feature is
    zero in every text feels only the pull towards the base, so its optimum is the base's
    weight. Solving for the others alone gives the same answer, many times faster."""
    used = np.unique(x.indices)
    w = w0.copy()
    found_w, found_b = _penalised_refit(x[:, used], y, weights, w0[:, used], b0, strength, max_iter)
    w[:, used] = found_w
    return w, found_b


def extend_vocabulary(pipeline: Any, texts: Sequence[str]) -> int:
    """Add the words of ``texts`` the pipeline's word vectorizer does not know, in place, so
    site words (a local nickname, a local slur) can get weights. Their IDF comes from the
    site's texts. Returns how many were added (0 for feature unions, left as they are)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    features = pipeline.named_steps["features"]
    if not isinstance(features, TfidfVectorizer):
        return 0
    normalized = pipeline.named_steps["normalize"].transform(list(texts))
    analyze = features.build_analyzer()
    document_frequency: Counter[str] = Counter()
    for text in normalized:
        document_frequency.update(set(analyze(text)))
    new = sorted(term for term in document_frequency if term not in features.vocabulary_)
    if not new:
        return 0
    n = len(normalized)
    idf = np.log((1 + n) / (1 + np.array([document_frequency[t] for t in new]))) + 1
    vocabulary = dict(features.vocabulary_)
    start = len(vocabulary)
    vocabulary.update({term: start + i for i, term in enumerate(new)})
    old_idf = features.idf_
    features.vocabulary_ = vocabulary
    features.idf_ = np.concatenate([old_idf, idf.astype(old_idf.dtype)])
    features._tfidf.n_features_in_ = len(vocabulary)  # the setter above does not update it
    return len(new)
