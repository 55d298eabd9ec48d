"""Fitting and held-out predictions on tiny invented corpora: grouped folds, the length column
dropped after fitting, the best C of the grid, and each source held out in turn."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pytest

from moderation.errors import ModerationError, UngroupedFoldsWarning
from moderation.model.fitting import (
    cross_source,
    cross_validate,
    fit_pipeline,
    grouped_folds,
    length_column,
)
from moderation.model.pipeline import PipelineConfig

LABELS = ["civil", "abusive"]
FAST = PipelineConfig(C_grid=(0.1, 10.0), cv_folds=3, n_jobs=1)


@dataclass
class Texts:
    texts: list[str]
    labels: list[str]
    groups: list[str]
    sources: list[str]


def corpus(per_source=6, sources=("forum",)):
    rows = []
    for source in sources:
        for n in range(per_source):
            rows.append((f"thanks friend, lovely kind note {source} {n}", "civil", source))
            rows.append((f"you dimwit, awful nasty blob {source} {n}", "abusive", source))
    texts, labels, found = (list(c) for c in zip(*rows))
    return Texts(texts, labels, [f"thread{i % 4}" for i in range(len(rows))], found)


def test_grouped_folds_keep_threads_together_and_count_the_folds():
    labels = ["civil"] * 4 + ["abusive"] * 3
    groups = ["t1", "t1", "t2", "t3", "t4", "t5", "t6"]
    assert grouped_folds(labels, groups, 5) == (3, groups)
    assert grouped_folds(labels, groups, 2) == (2, groups)


def test_grouped_folds_refuse_a_label_with_one_comment_naming_it():
    with pytest.raises(
        ModerationError, match=r"too few labelled comments .*\(1 abusive, 3 civil\)"
    ):
        grouped_folds(["civil"] * 3 + ["abusive"], ["a", "b", "c", "d"], 5)
    with pytest.raises(ModerationError, match=r"\(4 civil\)"):
        grouped_folds(["civil"] * 4, ["a", "b", "c", "d"], 5)


def test_grouped_folds_of_one_thread_fall_back_to_ungrouped_with_a_warning():
    labels = ["civil", "civil", "abusive", "abusive"]
    with pytest.warns(UngroupedFoldsWarning, match="all 4 labelled comments come from one thread"):
        folds, groups = grouped_folds(labels, ["t"] * 4, 5)
    assert (folds, groups) == (2, ["0", "1", "2", "3"])


def test_length_column_is_the_standardised_log_word_count():
    column = length_column(["one", "one two three", "", "a b c d e f g"]).toarray()[:, 0]
    assert column.shape == (4,)
    assert column.mean() == pytest.approx(0.0) and column.std() == pytest.approx(1.0)
    assert column[2] < column[0] < column[1] < column[3]
    assert length_column(["same", "same"]).toarray()[:, 0].tolist() == [0.0, 0.0]


def test_fit_pipeline_with_the_length_column_drops_it_afterwards():
    data = corpus()
    weights = np.ones(len(data.texts))
    plain = fit_pipeline(FAST, 1.0, data.texts, data.labels, weights)
    nuisance = PipelineConfig(C_grid=(1.0,), n_jobs=1, length_nuisance=True)
    fitted = fit_pipeline(nuisance, 1.0, data.texts, data.labels, weights)
    width = len(fitted.named_steps["features"].get_feature_names_out())
    assert fitted.named_steps["classifier"].coef_.shape[1] == width
    assert fitted.named_steps["classifier"].n_features_in_ == width
    for pipeline in (plain, fitted):
        assert list(pipeline.classes_) == sorted(LABELS)
        assert pipeline.predict(["awful nasty blob", "lovely kind note"]).tolist() == [
            "abusive",
            "civil",
        ]


def test_cross_validate_gives_held_out_probabilities_at_the_best_c():
    data = corpus()
    said = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # four threads: grouped folds, no warning
        C, held_out = cross_validate(data, FAST, LABELS, np.ones(len(data.texts)), said.append)
    assert C in FAST.C_grid
    assert held_out.shape == (len(data.texts), 2)
    assert np.allclose(held_out.sum(axis=1), 1.0)
    truth = np.array([LABELS.index(label) for label in data.labels])
    assert (held_out.argmax(axis=1) == truth).mean() > 0.9
    assert said[0].startswith("cross-validating C in [0.1, 10.0] on 3 grouped folds")
    assert said[1].startswith("held-out f1_macro C=0.1: ")


def test_cross_source_holds_out_each_large_source_and_leaves_small_ones_nan():
    data = corpus(per_source=25, sources=("forum", "site"))  # 50 comments each
    small = corpus(per_source=2, sources=("tiny",))
    for name in ("texts", "labels", "groups", "sources"):
        getattr(data, name).extend(getattr(small, name))
    said = []
    held_out, report = cross_source(data, FAST, 1.0, LABELS, np.ones(len(data.texts)), said.append)
    assert sorted(report) == ["forum", "site"]
    assert report["forum"]["examples"] == 50 and set(report["forum"]["roc_auc"]) == set(LABELS)
    tiny = np.array(data.sources) == "tiny"
    assert np.isnan(held_out[tiny]).all() and not np.isnan(held_out[~tiny]).any()
    assert said == ["holding out each of 2 sources in turn"]


def test_cross_source_of_one_source_holds_nothing_out():
    data = corpus(per_source=30)
    held_out, report = cross_source(data, FAST, 1.0, LABELS, np.ones(len(data.texts)))
    assert report == {} and np.isnan(held_out).all()
