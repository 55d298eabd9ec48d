"""Attribute heads: one binary logistic regression per Perspective attribute (INSULT,
IDENTITY_ATTACK, THREAT, PROFANITY, SEVERE_TOXICITY) on the model's own TF-IDF features.

The heads read whatever the pipeline's features step builds (``pipeline[:-1].transform``, or
the same values from the array scorer's ``feature_values``), so they need nothing of how the
features are made. Each head is trained on the texts whose attribute is known
(``moderation.datasets.attribute_marks``) and checked on data of its own that it never saw: one
thread in ``held_out_every`` (chosen by a hash of the thread id, so the split is the same in
every run) is held out. Its flag threshold is chosen on out-of-fold predictions of the rest, for
a target precision, and then measured on the held-out part.

``heads.npz`` holds the coefficients (no pickle); ``meta.json``'s ``heads`` entry what each head
is, its threshold and its held-out figures.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from moderation.datasets.attribute_marks import ATTRIBUTES, AttributeData
from moderation.errors import ModelLoadError

if TYPE_CHECKING:
    from moderation.model.meta import ModelMeta
    from moderation.model.scorer import LinearScorer

HEADS_FILE = "heads.npz"
Progress = Callable[[str], None]


@dataclass
class HeadsConfig:
    """How the heads are trained; saved with them."""

    C: float = 4.0
    folds: int = 3  # out-of-fold predictions the thresholds are chosen on
    held_out_every: int = 5  # one thread in this many is held out for the figures
    target_precision: float = 0.8
    min_flag_recall: float = 0.1
    # a relabelled or written mark weighs more than a dataset's own label read by rule
    origin_weights: dict[str, float] = field(
        default_factory=lambda: {"dataset": 1.0, "relabel": 2.0, "written": 3.0}
    )
    min_examples: int = 20  # per class: fewer, and the head is not trained
    random_state: int = 0


class AttributeHeads:
    """The fitted heads as arrays: ``coef`` has one row per attribute in ``names`` order, one
    column per feature of the model's features step."""

    def __init__(self, names: Sequence[str], coef: np.ndarray, intercept: np.ndarray):
        self.names = list(names)
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self._rows: dict[int, tuple[float, ...]] | None = None

    def __len__(self) -> int:
        return len(self.names)

    @property
    def n_features(self) -> int:
        return int(self.coef.shape[1])

    # --- scoring ---------------------------------------------------------------------------

    def probabilities_of_matrix(self, x: Any) -> np.ndarray:
        """(n texts, n heads) probabilities from a feature matrix (sparse or dense)."""
        logits = np.asarray(x @ self.coef.T) + self.intercept
        return _sigmoid(logits)

    def probabilities_of_terms(
        self, doc: np.ndarray, ids: np.ndarray, values: np.ndarray, n: int
    ) -> np.ndarray:
        """The same from the features in coordinate form (``LinearScorer.feature_values``)."""
        logits = np.tile(self.intercept, (n, 1))
        for row in range(len(self.names)):
            logits[:, row] += np.bincount(doc, weights=values * self.coef[row, ids], minlength=n)
        return _sigmoid(logits)

    def probabilities_of_values(self, values: dict[int, float]) -> list[float]:
        """One text's probabilities from {feature id: value}, on Python numbers (a live
        request)."""
        logits = self.intercept.tolist()
        if values:
            rows = self._python_rows()
            for term, value in values.items():
                weights = rows.get(term)
                if weights is not None:
                    for head, weight in enumerate(weights):
                        logits[head] += value * weight
        return [_sigmoid_one(x) for x in logits]

    def contributions(self, ids: np.ndarray, values: np.ndarray) -> np.ndarray:
        """(n terms, n heads): each term's contribution to each head's log-odds."""
        return values[:, None] * self.coef[:, ids].T

    def _python_rows(self) -> dict[int, tuple[float, ...]]:
        """The columns any head uses, as Python tuples (built on first use)."""
        if self._rows is None:
            used = np.flatnonzero(np.any(self.coef != 0, axis=0))
            columns = self.coef[:, used].T.tolist()
            self._rows = {int(i): tuple(c) for i, c in zip(used.tolist(), columns)}
        return self._rows

    # --- saving ----------------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        """The coefficients as float32, sparse by column (words no head uses are left out)."""
        used = np.flatnonzero(np.any(self.coef != 0, axis=0))
        with open(path, "wb") as handle:
            np.savez_compressed(
                handle,
                names=np.array(self.names),
                n_features=np.array([self.n_features]),
                columns=used.astype(np.int64),
                weights=self.coef[:, used].astype(np.float32),
                intercept=self.intercept,
            )

    @classmethod
    def load(cls, path: str | Path) -> AttributeHeads:
        with np.load(path, allow_pickle=False) as arrays:
            names = [str(n) for n in arrays["names"].tolist()]
            coef = np.zeros((len(names), int(arrays["n_features"][0])))
            coef[:, arrays["columns"]] = arrays["weights"]
            return cls(names, coef, arrays["intercept"])

    def carried(self, old_features: Sequence[str], new_features: Sequence[str]) -> AttributeHeads:
        """These heads on another features step (a retrained model's): each feature keeps its
        weight by name; a feature the old step did not have weighs nothing."""
        where = {name: i for i, name in enumerate(old_features)}
        columns = np.array([where.get(name, -1) for name in new_features], dtype=np.int64)
        known = columns >= 0
        coef = np.zeros((len(self.names), len(new_features)))
        coef[:, known] = self.coef[:, columns[known]]
        return AttributeHeads(self.names, coef, self.intercept.copy())


def _sigmoid(x: np.ndarray) -> np.ndarray:
    sigmoid: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(x, -500, 500)))
    return sigmoid


def _sigmoid_one(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def feature_names(pipeline: Any) -> list[str]:
    """The names of the columns the pipeline's features step gives."""
    return [str(name) for name in pipeline.named_steps["features"].get_feature_names_out()]


def is_held_out(group: str, every: int) -> bool:
    """Whether a thread is in the held-out part: a hash of its id, the same in every run."""
    digest = hashlib.sha256(group.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") % every == 0


# --- training ---------------------------------------------------------------------------------


@dataclass
class TrainedHeads:
    """Heads and what ``meta.json`` says of them."""

    heads: AttributeHeads
    report: dict[str, Any]


def train_heads(
    pipeline: Any,
    data: AttributeData,
    config: HeadsConfig | None = None,
    progress: Progress | None = None,
) -> TrainedHeads:
    """A head per attribute with enough known examples, on ``pipeline``'s features."""
    config = config or HeadsConfig()
    started = time.perf_counter()
    examples = data.examples
    if progress:
        progress(f"attribute heads: features of {len(examples):,} texts")
    x = pipeline[:-1].transform([e.text for e in examples]).tocsr()
    held = np.array([is_held_out(e.group or e.id, config.held_out_every) for e in examples])
    names, rows, intercepts, attributes = [], [], [], {}
    for name in ATTRIBUTES:
        known = np.array([name in e.marks for e in examples])
        y = np.array([e.marks.get(name, 0) for e in examples])
        counts = Counter(y[known].tolist())
        if min(counts.get(0, 0), counts.get(1, 0)) < config.min_examples:
            if progress:
                progress(f"attribute heads: {name} left out ({dict(counts)} known examples)")
            continue
        if progress:
            progress(f"attribute heads: {name} on {int(known.sum()):,} texts")
        coef, intercept, report = _train_one(name, x, y, known, held, examples, config)
        names.append(name)
        rows.append(coef)
        intercepts.append(intercept)
        attributes[name] = report
    heads = AttributeHeads(
        names, np.vstack(rows) if rows else np.zeros((0, x.shape[1])), np.array(intercepts)
    )
    report = {
        "attributes": attributes,
        "config": asdict(config),
        "data": {
            "examples": len(examples),
            "marks_by_origin": data.marks_by_origin(),
            "files": data.files,
            "counts": dict(data.counts),
        },
        "seconds": round(time.perf_counter() - started, 1),
    }
    return TrainedHeads(heads, report)


def _train_one(
    name: str,
    x: Any,
    y: np.ndarray,
    known: np.ndarray,
    held: np.ndarray,
    examples: Sequence[Any],
    config: HeadsConfig,
) -> tuple[np.ndarray, float, dict[str, Any]]:
    from sklearn.model_selection import StratifiedGroupKFold

    from moderation.model.thresholds import threshold_for_precision

    train = np.flatnonzero(known & ~held)
    test = np.flatnonzero(known & held)
    origin = np.array([examples[i].origin.get(name, "dataset") for i in range(len(examples))])
    weights = np.array([config.origin_weights.get(o, 1.0) for o in origin])
    groups = np.array([examples[i].group or examples[i].id for i in train.tolist()])
    out_of_fold = np.zeros(len(train))
    folds = StratifiedGroupKFold(config.folds, shuffle=True, random_state=config.random_state)
    for fit_part, score_part in folds.split(train, y[train], groups):
        fold = _fit(x[train[fit_part]], y[train[fit_part]], weights[train[fit_part]], config)
        out_of_fold[score_part] = fold.predict_proba(x[train[score_part]])[:, 1]
    threshold = threshold_for_precision(
        y[train].astype(bool),
        out_of_fold,
        name,
        config.target_precision,
        config.min_flag_recall,
    )
    final = _fit(x[train], y[train], weights[train], config)
    scores = final.predict_proba(x[test])[:, 1] if test.size else np.zeros(0)
    report = {
        "description": ATTRIBUTES[name],
        "threshold": {
            **threshold.to_dict(),
            "chosen_on": f"{config.folds} grouped folds of the training part",
        },
        "train": _class_counts(y[train]),
        "held_out": {
            **_class_counts(y[test]),
            **held_out_figures(y[test], scores, threshold.threshold),
            "by_origin": {
                o: held_out_figures(y[test][origin[test] == o], scores[origin[test] == o], None)
                for o in sorted(set(origin[test].tolist()))
            },
            "by_source": _by_source(y[test], scores, [examples[i].source for i in test.tolist()]),
        },
    }
    return final.coef_[0].astype(np.float64), float(final.intercept_[0]), report


def _fit(x: Any, y: np.ndarray, weights: np.ndarray, config: HeadsConfig) -> Any:
    from sklearn.linear_model import LogisticRegression

    classifier = LogisticRegression(
        C=config.C, solver="liblinear", max_iter=1000, random_state=config.random_state
    )
    return classifier.fit(x, y, sample_weight=weights)


def _class_counts(y: np.ndarray) -> dict[str, int]:
    return {"examples": int(y.size), "positives": int(y.sum())}


def held_out_figures(y: np.ndarray, scores: np.ndarray, threshold: float | None) -> dict[str, Any]:
    """ROC AUC and average precision (None where one class is missing), and precision and
    recall at ``threshold``."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    figures: dict[str, Any] = {"examples": int(y.size), "positives": int(y.sum())}
    both = 0 < y.sum() < y.size
    figures["roc_auc"] = round(float(roc_auc_score(y, scores)), 4) if both else None
    figures["average_precision"] = (
        round(float(average_precision_score(y, scores)), 4) if both else None
    )
    if threshold is not None:
        flagged = scores >= threshold
        caught = int((flagged & (y == 1)).sum())
        figures["precision"] = round(caught / flagged.sum(), 4) if flagged.any() else None
        figures["recall"] = round(caught / y.sum(), 4) if y.sum() else None
    return figures


def _by_source(y: np.ndarray, scores: np.ndarray, sources: list[str]) -> dict[str, Any]:
    found = np.array(sources)
    return {
        source: held_out_figures(y[found == source], scores[found == source], None)
        for source in sorted(set(sources))
    }


def train_heads_from(
    pipeline: Any,
    public: bool,
    datasets_dir: Path | None,
    files: Sequence[Path],
    seed: int | None = None,
    progress: Progress | None = None,
    rounds: Sequence[int] | None = None,
) -> TrainedHeads:
    """The heads of ``moderation train``: on the public datasets (with ``public``; the
    relabelled rows where ``relabel_location`` finds them, only ``rounds`` of them when given:
    the recipe's) and the written cases, plus the attribute example ``files``."""
    from moderation.datasets.attribute_marks import WRITTEN, attribute_data, relabel_location
    from moderation.datasets.recipes import default_datasets_dir

    root = (datasets_dir or default_datasets_dir()) if public else None
    data = attribute_data(
        root,
        relabel=relabel_location() if public else None,
        rounds=rounds,
        written=WRITTEN if public else None,
        extra=files,
    )
    config = HeadsConfig()
    if seed is not None:
        config.random_state = seed
    return train_heads(pipeline, data, config, progress)


class HeadsBase(Protocol):
    """What ``carry_heads`` reads of the base model (a loaded ``moderation.model.directory.Model``,
    which imports this module)."""

    @property
    def heads(self) -> AttributeHeads | None: ...
    @property
    def meta(self) -> ModelMeta: ...
    @property
    def scorer(self) -> LinearScorer | None: ...
    @property
    def pipeline(self) -> Any: ...  # a scikit-learn Pipeline (untyped)


def carry_heads(base: HeadsBase, pipeline: Any) -> TrainedHeads | None:
    """A retrained model's heads: the base model's (``base``, a loaded ``Model``) carried
    onto the new pipeline's features by feature name, with the base's thresholds and
    held-out figures, marked as carried (they were not measured again). None when the base
    has no heads."""
    if base.heads is None or base.meta.heads is None:
        return None
    old = base.scorer.terms if base.scorer is not None else feature_names(base.pipeline)
    heads = base.heads.carried(old, feature_names(pipeline))
    report = {key: value for key, value in base.meta.heads.items() if key != "sha256"}
    report["carried_from"] = base.meta.model_id
    return TrainedHeads(heads, report)


# --- a model directory's heads ----------------------------------------------------------------


def load_heads(directory: Path, entry: dict[str, Any], n_features: int | None) -> AttributeHeads:
    """``heads.npz`` of a model directory, checked against its ``meta.json`` entry (checksum,
    attribute names) and the number of features the model has (when known)."""
    from moderation.files import sha256_file
    from moderation.model.meta import REBUILD

    path = directory / HEADS_FILE
    if not path.is_file():
        raise ModelLoadError(f"{path}: missing; {REBUILD}")
    if sha256_file(path) != entry.get("sha256"):
        raise ModelLoadError(f"{path}: checksum does not match meta.json; {REBUILD}")
    try:
        heads = AttributeHeads.load(path)
    except (OSError, ValueError, KeyError, IndexError) as err:
        raise ModelLoadError(f"{path}: cannot be read ({err}); {REBUILD}") from None
    if heads.names != list(entry.get("attributes", {})):
        raise ModelLoadError(
            f"{path}: holds the heads {', '.join(heads.names)}, but meta.json says "
            f"{', '.join(entry.get('attributes', {}))}; {REBUILD}"
        )
    if n_features is not None and heads.n_features != n_features:
        raise ModelLoadError(
            f"{path}: has {heads.n_features} features, the model {n_features}; {REBUILD}"
        )
    return heads
