"""The one place where features and classifier are assembled.

``build_pipeline(config)`` returns an unfitted scikit-learn ``Pipeline``:
normalise -> TF-IDF features (words, and optionally characters) -> multinomial logistic
regression. The fitted pipeline is what ``model.joblib`` holds, so plain
``joblib.load(path).predict_proba(["a comment"])`` works without this package's scoring code
(the package must still be importable, for ``normalize``).

The configuration has defaults in code, can be overridden by a TOML file, and is saved with the
model.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from moderation.errors import InputError
from moderation.normalize import normalize_many

# Words with an apostrophe inside stay whole ("don't"), and so do single characters that carry
# meaning in comments ("i", "u").
TOKEN_PATTERN = r"(?u)\b\w[\w']*\b"


@dataclass
class PipelineConfig:
    """Everything that decides the features, the classifier and how training chooses among
    candidates. Field names are the keys of the TOML file (``[pipeline]`` table)."""

    max_chars: int = 2000  # features come from this prefix of a comment
    # Defaults measured in benchmarks/quality.py (leave-one-source-out ROC AUC): word unigrams,
    # raw term counts and a modest C generalise to other platforms better than bigrams,
    # sublinear tf, character n-grams or a larger C, which win only in-domain.
    word_ngrams: tuple[int, int] = (1, 1)
    word_min_df: int = 1
    word_max_features: int | None = 200_000
    char_ngrams: tuple[int, int] | None = None  # e.g. (2, 5); None: no character features
    char_min_df: int = 3
    char_max_features: int | None = 100_000
    sublinear_tf: bool = False
    class_weight: str | None = "sqrt_balanced"  # or "balanced", or None ("none" in TOML)
    source_weighting: str = "none"  # "balanced": each source weighs the same
    C_grid: tuple[float, ...] = (0.5, 1.0, 2.0)
    cv_folds: int = 5
    selection_metric: str = "f1_macro"  # how C is chosen on held-out folds, or "log_loss"
    target_precision: float = 0.8  # per-label flag thresholds are chosen for this
    min_flag_recall: float = 0.2  # ...unless it catches less than this of a label
    solver: str = "newton-cg"  # measured: 4-10x faster than lbfgs here
    max_iter: int = 1000
    random_state: int = 0
    n_jobs: int = 2  # folds trained in parallel
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any], *, origin: str = "config") -> PipelineConfig:
        known = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise InputError(
                origin,
                f"unknown setting(s) {', '.join(unknown)}",
                hint=f"known settings: {', '.join(known)}",
            )
        converted = {}
        for key, value in values.items():
            if key in ("word_ngrams", "char_ngrams", "C_grid") and value is not None:
                value = tuple(value)
            if key == "class_weight" and value == "none":  # TOML has no null
                value = None
            converted[key] = value
        config = cls(**converted)
        config.validate(origin)
        return config

    @classmethod
    def from_toml(cls, path: str | Path, base: PipelineConfig | None = None) -> PipelineConfig:
        """Settings from a TOML file; the ones it does not name keep ``base``'s values (or the
        defaults)."""
        try:
            with open(path, "rb") as handle:
                document = tomllib.load(handle)
        except FileNotFoundError:
            raise InputError(path, "not found") from None
        except tomllib.TOMLDecodeError as err:
            raise InputError(path, f"not valid TOML: {err}") from None
        settings = document.get("pipeline", document)
        if base is not None:
            settings = {**base.to_dict(), **settings}
        return cls.from_dict(settings, origin=str(path))

    def validate(self, origin: str = "config") -> None:
        def bad(problem: str) -> InputError:
            return InputError(origin, problem)

        for name in ("word_ngrams", "char_ngrams"):
            value = getattr(self, name)
            if value is not None and (len(value) != 2 or not 1 <= value[0] <= value[1]):
                raise bad(f"{name} must be two integers [low, high] with 1 <= low <= high")
        if not 0 < self.target_precision < 1:
            raise bad("target_precision must be between 0 and 1")
        if not self.C_grid or any(c <= 0 for c in self.C_grid):
            raise bad("C_grid must list positive numbers")
        if self.cv_folds < 2:
            raise bad("cv_folds must be at least 2")
        if self.selection_metric not in ("f1_macro", "log_loss"):
            raise bad("selection_metric must be 'f1_macro' or 'log_loss'")
        if self.class_weight not in ("balanced", "sqrt_balanced", None):
            raise bad("class_weight must be 'balanced', 'sqrt_balanced' or 'none'")
        if self.source_weighting not in ("balanced", "none"):
            raise bad("source_weighting must be 'balanced' or 'none'")
        if self.max_chars < 1:
            raise bad("max_chars must be positive")


def build_features(config: PipelineConfig) -> TfidfVectorizer | FeatureUnion:
    words = TfidfVectorizer(
        lowercase=False,
        token_pattern=TOKEN_PATTERN,
        ngram_range=config.word_ngrams,
        min_df=config.word_min_df,
        max_features=config.word_max_features,
        sublinear_tf=config.sublinear_tf,
        dtype=np.float32,
    )
    if config.char_ngrams is None:
        return words
    chars = TfidfVectorizer(
        lowercase=False,
        analyzer="char_wb",
        ngram_range=config.char_ngrams,
        min_df=config.char_min_df,
        max_features=config.char_max_features,
        sublinear_tf=config.sublinear_tf,
        dtype=np.float32,
    )
    return FeatureUnion([("words", words), ("chars", chars)])


def build_classifier(config: PipelineConfig, C: float) -> LogisticRegression:
    class_weight = None if config.class_weight == "sqrt_balanced" else config.class_weight
    return LogisticRegression(
        C=C,
        class_weight=class_weight,
        solver=config.solver,
        max_iter=config.max_iter,
        random_state=config.random_state,
    )


def build_pipeline(config: PipelineConfig, C: float | None = None) -> Pipeline:
    """An unfitted pipeline: normalise -> features -> classifier."""
    return Pipeline(
        [
            (
                "normalize",
                FunctionTransformer(normalize_many, kw_args={"max_chars": config.max_chars}),
            ),
            ("features", build_features(config)),
            ("classifier", build_classifier(config, C if C is not None else config.C_grid[0])),
        ]
    )
