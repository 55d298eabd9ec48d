"""Spelling games undone against the vocabulary, the smoothed norm and negation marking: the
same in the scikit-learn pipeline and in the array scorer."""

import numpy as np

from moderation.model.pipeline import PipelineConfig, build_pipeline
from moderation.model.scorer import LinearScorer
from moderation.model.spelling import Spelling

TEXTS = [
    "you are stupid",
    "stupid idea",
    "so stupid",
    "what a coward",
    "a coward",
    "nice day",
    "lovely day",
    "stuppid",
    "they don't deserve respect",
    "they deserve respect",
]
LABELS = ["abusive"] * 5 + ["civil", "civil", "abusive", "abusive", "civil"]


def test_a_token_one_edit_from_a_frequent_word_is_that_word():
    spelling = Spelling({"coward": 30, "stupid": 50, "stupor": 20})
    assert spelling.correct("cowrad") == "coward"  # swapped
    assert spelling.correct("stuppid") == "stupid"  # doubled
    assert spelling.correct("stupd") == "stupid"  # dropped
    assert spelling.correct("acoward") == "coward"  # an article glued on
    assert spelling.correct("cat") is None  # too short to guess
    assert spelling.correct("stupid") is None  # already a frequent word


def test_the_pipeline_and_the_array_scorer_agree_on_every_feature():
    config = PipelineConfig(
        spelling_min_count=2, dropped_terms=("stop",), norm_smoothing=5.0, negation_scope=3
    )
    pipeline = build_pipeline(config, 1.0).fit(TEXTS, LABELS)
    features = pipeline.named_steps["features"]
    assert features.corrections_ == {"stuppid": "stupid"}
    assert "not_deserve" in features.vocabulary_
    scorer = LinearScorer.from_pipeline(pipeline, list(pipeline.classes_), 2000)
    texts = ["you stupidd cowrad", "they don't deserve it", "nice", "", "a STUPID day!!"]
    assert np.allclose(pipeline.predict_proba(texts), scorer.probabilities(texts), atol=1e-6)


def test_smoothing_keeps_a_few_words_near_the_prior():
    plain = build_pipeline(PipelineConfig(), 1.0).fit(TEXTS, LABELS)
    smooth = build_pipeline(PipelineConfig(norm_smoothing=50.0), 1.0).fit(TEXTS, LABELS)
    prior = smooth.predict_proba([""])[0]
    one_word = ["coward"]
    assert (
        abs(smooth.predict_proba(one_word)[0] - prior).sum()
        < abs(plain.predict_proba(one_word)[0] - plain.predict_proba([""])[0]).sum()
    )
