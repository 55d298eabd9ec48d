"""The prior method of retraining: the base model's weights as the start and the anchor of a
refit on a site's labels, and the site's new words added to the vocabulary."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from moderation.model.fitting import fit_pipeline
from moderation.model.pipeline import PipelineConfig
from moderation.model.prior import (
    _penalised_refit,
    _refit_used_features,
    extend_vocabulary,
    fit_towards_base,
)
from moderation.model.registry import load_model

from fixtures.stores import SITE_LABELS


def test_prior_refit_leaves_labels_the_site_did_not_use_as_the_base_had_them(tiny_model):

    base = load_model(tiny_model, pipeline=True).pipeline
    texts = [text for _, _, text in SITE_LABELS]
    labels = [label for _, label, _ in SITE_LABELS]
    adapted = fit_towards_base(base, texts, labels, np.ones(len(texts)), strength=0.03)
    classes = list(base.named_steps["classifier"].classes_)
    before = base.named_steps["classifier"].coef_
    after = adapted.named_steps["classifier"].coef_
    row = classes.index("conspiracy")
    width = before.shape[1]
    assert after.shape[1] > width  # "gorp" and co. were added
    assert np.array_equal(after[row, :width], before[row])
    assert not after[row, width:].any()
    moved = classes.index("abusive")
    assert not np.allclose(after[moved, :width], before[moved])
    vocabulary = adapted.named_steps["features"].vocabulary_
    assert after[moved, vocabulary["gorp"]] > 0
    # and the strength holds it to the base: a very strong prior barely moves anything
    held = fit_towards_base(base, texts, labels, np.ones(len(texts)), strength=1e6)
    assert np.allclose(held.named_steps["classifier"].coef_[:, :width], before, atol=1e-3)


def two_label_pipeline():
    texts = ["kind words here", "nice kind words", "rude blob here", "nasty rude blob"]
    labels = ["civil", "civil", "abusive", "abusive"]
    config = PipelineConfig(C_grid=(1.0,), n_jobs=1)
    return fit_pipeline(config, 1.0, texts, labels, np.ones(4))


def test_extend_vocabulary_adds_only_unknown_words_with_their_site_idf():
    pipeline = two_label_pipeline()
    features = pipeline.named_steps["features"]
    known = dict(features.vocabulary_)
    assert extend_vocabulary(pipeline, ["kind zork words", "zork quib"]) == 2
    assert {k: v for k, v in features.vocabulary_.items() if k in known} == known
    assert features.vocabulary_["quib"] == len(known) + 0
    assert features.vocabulary_["zork"] == len(known) + 1
    idf_quib, idf_zork = features.idf_[len(known)], features.idf_[len(known) + 1]
    assert idf_quib > idf_zork  # in one text of two against both
    assert features.transform(["zork"]).shape[1] == len(known) + 2
    assert extend_vocabulary(pipeline, ["kind words"]) == 0


def test_fit_towards_base_keeps_scikit_learns_two_label_form():
    base = two_label_pipeline()
    before = base.named_steps["classifier"].coef_.copy()
    texts = ["kind blob", "rude words", "kind words"]
    adapted = fit_towards_base(base, texts, ["civil", "abusive", "civil"], np.ones(3))
    classifier = adapted.named_steps["classifier"]
    assert classifier.coef_.shape == (1, classifier.n_features_in_)
    assert classifier.intercept_.shape == (1,)
    probabilities = adapted.predict_proba(texts)
    assert probabilities.shape == (3, 2) and np.allclose(probabilities.sum(axis=1), 1.0)
    assert adapted.predict(["nasty rude blob", "nice kind words"]).tolist() == ["abusive", "civil"]
    assert np.array_equal(base.named_steps["classifier"].coef_, before)  # the base is untouched


def test_refitting_the_used_features_alone_gives_the_full_refits_answer():
    rng = np.random.default_rng(0)
    dense = rng.uniform(0, 1, (6, 5)) * (rng.uniform(0, 1, (6, 5)) > 0.5)
    dense[:, 3] = 0.0  # a feature no text uses
    x = sp.csr_matrix(dense)
    y = np.eye(2)[[0, 1, 0, 1, 1, 0]]
    w0, b0 = rng.normal(size=(2, 5)), np.zeros(2)
    weights = np.ones(6)
    full_w, full_b = _penalised_refit(x, y, weights, w0, b0, 0.5, 500)
    used_w, used_b = _refit_used_features(x, y, weights, w0, b0, 0.5, 500)
    assert np.allclose(full_w, used_w, atol=1e-4) and np.allclose(full_b, used_b, atol=1e-4)
    assert np.array_equal(used_w[:, 3], w0[:, 3])  # its optimum is the base's weight
