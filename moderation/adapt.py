"""Retraining on a site's own labels: ``moderation train --base DIR --add LABELS...``.

The base model's training data is replayed from what its ``meta.json`` records (the recipe, the
example files, and the labels an adapted base was itself given), the site's labels are added
with more weight per example (configurable), and the result is a plain model directory like
any other. ``--no-base`` trains on the site's labels alone.

How the site's labels are used was chosen by measurement (``benchmarks/retraining.py``): see
``SITE_WEIGHT`` and the notes in ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from moderation.errors import InputError, ModerationError

SITE_SOURCE = "site"
WEAK_SOURCE = "site-weak"
METHODS = ("prior", "weighted")
SITE_WEIGHT = 20.0          # weighted: each site label counts as this many base examples
WEAK_WEIGHT = 0.3           # a weak label (from the platform's status) counts this much less


@dataclass
class SiteLabels:
    records: list[dict[str, Any]] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return dict(Counter(r["label"] for r in self.records))


def as_site_record(record: dict[str, Any]) -> dict[str, Any]:
    """A labelled comment as a training record of the site: its own source (weighted up by
    ``site_config``) and ids that cannot collide with the base data's."""
    return {**record, "id": f"site:{record['id']}",
            "thread_id": f"site:{record.get('thread_id') or record['id']}",
            "source": WEAK_SOURCE if record.get("weak") else SITE_SOURCE}


def read_site_labels(paths: Sequence[str | Path]) -> SiteLabels:
    """The current labels of each store (or JSONL of examples); an id labelled differently in
    two files is an error naming both."""
    from moderation.labelling import read_labelled
    from moderation.store import sha256_file

    site = SiteLabels()
    seen: dict[str, tuple[str, str]] = {}
    for path in paths:
        records, torn = read_labelled(path)
        if torn:
            site.warnings.append(torn)
        for record in records:
            earlier = seen.get(record["id"])
            if earlier is not None and earlier[1] != record["label"]:
                raise InputError(path, f"id {record['id']!r} is labelled {record['label']!r} "
                                 f"here and {earlier[1]!r} in {earlier[0]}",
                                 hint="merge the stores first with `moderation labels merge`, "
                                 "which reports every disagreement")
            if earlier is not None:
                continue
            seen[record["id"]] = (str(path), record["label"])
            site.records.append(as_site_record(record))
        site.files.append({"file": str(path), "sha256": sha256_file(Path(path)),
                           "examples": len(records),
                           "weak": sum(r["weak"] for r in records)})
    if not site.records:
        raise ModerationError(f"no labels in {', '.join(map(str, paths))}: label some "
                              "comments first with `moderation label`")
    return site


def replay_base_data(meta: dict[str, Any], datasets_dir: str | Path | None = None
                     ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The base model's training records, rebuilt from what its meta records. A file that is
    missing or changed since is an error: the base cannot be reproduced without it."""
    from moderation.datasets.recipes import recipe_records
    from moderation.store import sha256_file
    from moderation.train import read_examples

    records: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []
    recipe = meta.get("recipe")
    if recipe:
        records, files = recipe_records(recipe, datasets_dir)
    listed = meta.get("training_data", {}).get("files", [])
    for item in listed:
        if "dataset" in item:           # part of the recipe, already read
            continue
        path = Path(item["file"])
        if not path.is_file() or sha256_file(path) != item.get("sha256"):
            problem = "not found" if not path.is_file() else "changed since the base was trained"
            raise InputError(path, f"{problem}: the base model was trained on it",
                             hint="restore it, or train on the site's labels alone with "
                             "--no-base")
        if item.get("site"):
            continue                    # an adapted base's own labels: read below, weighted
        found = read_examples(path)
        records.extend(found)
        files.append(item)
    for item in listed:
        if item.get("site"):
            site = read_site_labels([item["file"]])
            records.extend(site.records)
            files.append(item)
    if not records:
        raise ModerationError(f"the base model {meta.get('model_id')} records no training data "
                              "to replay; train on the site's labels alone with --no-base")
    return records, files


def site_config(base_config: dict[str, Any], site_weight: float, weak_weight: float,
                no_base: bool) -> Any:
    """The base's settings, with the site's sources weighted up."""
    from moderation.pipeline import PipelineConfig

    config = PipelineConfig.from_dict({k: v for k, v in base_config.items()},
                                      origin="base model config")
    if not no_base:
        factors = dict(config.extra.get("source_factors", {}))
        factors[SITE_SOURCE] = site_weight
        factors[WEAK_SOURCE] = site_weight * weak_weight
        config.extra = {**config.extra, "source_factors": factors}
    return config


# -- the prior method: the base's weights as the starting point and the anchor --------------

PRIOR_STRENGTH = 0.03       # lambda: how hard the weights are held to the base's


def fit_towards_base(base_pipeline: Any, texts: Sequence[str], labels: Sequence[str],
                     weights: np.ndarray, strength: float = PRIOR_STRENGTH,
                     max_iter: int = 500) -> Any:
    """A copy of ``base_pipeline`` whose logistic-regression weights are refitted on the site's
    labels with an L2 penalty towards the base's weights instead of towards zero:

        minimise  sum_i w_i * cross-entropy_i  +  strength / 2 * ||W - W_base||^2

    (the intercepts are almost free). Only the labels the site's labels use are refitted, with
    a softmax over them; the others keep the base's weights. Words the site's labels say nothing about keep the base's
    weights; the features (vocabulary, IDF) stay the base's, so the model is the same kind of
    pipeline and scores with the same code."""
    import copy

    from scipy.optimize import minimize
    from scipy.special import logsumexp, softmax

    from moderation.linear import label_weights

    adapted = copy.deepcopy(base_pipeline)
    classifier = adapted.named_steps["classifier"]
    classes = [str(c) for c in classifier.classes_]
    w0, b0 = (np.asarray(a, dtype=np.float64) for a in label_weights(classifier))
    added = extend_vocabulary(adapted, texts)
    w0 = np.hstack([w0, np.zeros((w0.shape[0], added))])    # new words start at zero
    x = adapted[:-1].transform(list(texts)).tocsr().astype(np.float64)
    # only the rows of the labels the site gave are refitted (a softmax over those labels);
    # a label with no site example keeps the base's weights, so it is still predicted
    rows = [i for i, label in enumerate(classes) if label in set(labels)]
    y = np.eye(len(rows))[[rows.index(classes.index(label)) for label in labels]]
    w_all, b_all = w0, b0
    w0, b0 = w_all[rows], b_all[rows]
    k, d = w0.shape
    strength_b = strength * 1e-3

    def loss_and_gradient(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[:k * d].reshape(k, d), theta[k * d:]
        z = np.asarray(x @ w.T) + b
        loss = float(np.sum(weights * (logsumexp(z, axis=1) - (z * y).sum(axis=1))))
        residual = (softmax(z, axis=1) - y) * weights[:, None]
        grad_w = np.asarray((x.T @ residual).T) + strength * (w - w0)
        grad_b = residual.sum(axis=0) + strength_b * (b - b0)
        loss += 0.5 * strength * float(np.sum((w - w0) ** 2)) + \
            0.5 * strength_b * float(np.sum((b - b0) ** 2))
        return loss, np.concatenate([grad_w.ravel(), grad_b])

    start = np.concatenate([w0.ravel(), b0])
    found = minimize(loss_and_gradient, start, jac=True, method="L-BFGS-B",
                     options={"maxiter": max_iter})
    w, b = w_all.copy(), b_all.copy()
    w[rows], b[rows] = found.x[:k * d].reshape(k, d), found.x[k * d:]
    if classifier.coef_.shape[0] == 1:              # scikit-learn's two-label form
        classifier.coef_ = (w[1] - w[0])[None, :]
        classifier.intercept_ = np.array([b[1] - b[0]])
    else:
        classifier.coef_, classifier.intercept_ = w, b
    classifier.n_features_in_ = w.shape[1]
    return adapted


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
    document_frequency: Counter = Counter()
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
    features._tfidf.n_features_in_ = len(vocabulary)    # the setter above does not update it
    return len(new)


def train_towards_base(base_pipeline: Any, base_meta: dict[str, Any],
                       site_records: list[dict[str, Any]], config: Any,
                       strength: float = PRIOR_STRENGTH, files: Sequence[dict] = (),
                       progress: Any = None) -> Any:
    """The prior method as a trained model: held-out predictions on the site's labels (grouped
    folds) choose the flag thresholds and give the metrics; the final fit uses every label."""
    import time

    from sklearn.model_selection import StratifiedGroupKFold

    from moderation.scoring import Threshold, thresholds_for_precision
    from moderation.train import TrainedModel, held_out_metrics, prepare_examples, \
        sample_weights

    started = time.perf_counter()
    examples = prepare_examples(site_records, files)
    weights = sample_weights(examples, config)
    labels = [str(c) for c in base_pipeline.named_steps["classifier"].classes_]
    unknown = sorted(set(examples.labels) - set(labels))
    if unknown:
        raise ModerationError(f"the base model has no label {', '.join(unknown)}")
    smallest = min(Counter(examples.labels).values())
    folds = min(config.cv_folds, smallest, len(set(examples.groups)))
    if folds < 2 or len(set(examples.labels)) < 2:
        raise ModerationError("too few site labels to check the model on held-out ones: give "
                              "at least two comments of each label you use")
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True,
                                    random_state=config.random_state)
    held_out = np.zeros((len(examples), len(labels)))
    if progress:
        progress(f"refitting towards the base's weights (strength {strength:g}) on {folds} "
                 "grouped folds of the site's labels")
    texts, truth = examples.texts, examples.labels
    for train_index, test_index in splitter.split(texts, truth, examples.groups):
        fold = fit_towards_base(base_pipeline, [texts[i] for i in train_index],
                                [truth[i] for i in train_index], weights[train_index],
                                strength)
        held_out[test_index] = fold.predict_proba([texts[i] for i in test_index])
    base_thresholds = {label: Threshold(label, t["threshold"], t["precision"], t["recall"],
                                        t["reached_target"])
                       for label, t in base_meta["thresholds"].items()}
    chosen = thresholds_for_precision(truth, held_out, labels, config.target_precision,
                                      config.min_flag_recall)
    present = Counter(truth)
    # a label with few site examples keeps the base's threshold
    thresholds = {label: chosen[label] if present.get(label, 0) >= 5 else base_thresholds[label]
                  for label in base_thresholds}
    metrics = held_out_metrics(examples, labels, held_out, thresholds)
    pipeline = fit_towards_base(base_pipeline, texts, truth, weights, strength)
    by_source = dict(base_meta.get("training_data", {}).get("by_source", {}))
    by_source.update(examples.counts())
    count = base_meta.get("training_data", {}).get("count", 0) + len(examples)
    return TrainedModel(pipeline=pipeline, config=config, labels=labels,
                        C=float(base_meta.get("C", 1.0)), thresholds=thresholds,
                        cv_metrics=metrics,
                        examples={"count": count, "by_source": by_source,
                                  "files": list(files)},
                        seconds=round(time.perf_counter() - started, 2))
