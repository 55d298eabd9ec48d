"""Reported insults and threats written into the text as words (moderation.cues)."""

import numpy as np
import pytest

from moderation.cues import THREAT, mark_cues
from moderation.model.pipeline import PipelineConfig, build_pipeline
from moderation.model.scorer import LinearScorer
from moderation.normalize import normalize


@pytest.mark.parametrize(
    "text, marked",
    [
        ("my neighbour called me a stupid idiot", "called me a said_stupid said_idiot"),
        ('she called us "clowns" again', 'called us "said_clowns" again'),
        ("they labelled him a traitor", "labelled him a said_traitor"),
    ],
)
def test_a_reported_insult_is_read_as_said_words(text, marked):
    assert marked in mark_cues(text)


@pytest.mark.parametrize(
    "text",
    [
        "I will find where you live",
        "I\u2019ll find you",
        "we know where you live",
        "you'll pay for this",
        "watch your back",
    ],
)
def test_a_threat_without_swear_words_is_marked(text):
    assert THREAT in mark_cues(text).split()


@pytest.mark.parametrize(
    "text",
    ["It's called a hoe", "I will find the receipt", "you will love it", "call me maybe"],
)
def test_ordinary_sentences_are_left_alone(text):
    assert mark_cues(text) == text


@pytest.mark.parametrize(
    "text, marked",
    [
        ("you stupid idiot", "you you_stupid you_idiot"),
        ("you are a fucking moron", "you are a you_fucking you_moron"),
        ("fucking hell, I missed the bus", "fucking hell, I missed the bus"),
    ],
)
def test_an_insult_aimed_at_the_reader_is_read_as_you_words(text, marked):
    assert mark_cues(text, ("target",)) == marked


def test_cues_are_marked_only_when_asked():
    text = "he called me a clown"
    assert "said_clown" in normalize(text, cues=("reported",))
    assert "said_clown" not in normalize(text)


TEXTS = [
    "my neighbour called me a stupid idiot",
    "you stupid idiot",
    "i will find where you live",
    "what a nice day",
    "they called him a genius",
    "you idiot",
]
LABELS = ["civil", "abusive", "abusive", "civil", "civil", "abusive"]


def test_the_array_scorer_reads_the_cues_as_the_pipeline_does(tmp_path):
    config = PipelineConfig(
        cue_marks=("reported", "threat", "target"),
        negation_scope=3,
        phrase_min_df=1,
        spelling_min_count=1,
        norm_smoothing=5,
    )
    pipeline = build_pipeline(config, 1.0).fit(TEXTS, LABELS)
    scorer = LinearScorer.from_pipeline(pipeline, list(pipeline.classes_), 2000)
    scorer.save(tmp_path / "scorer.npz")
    loaded = LinearScorer.load(tmp_path / "scorer.npz")
    assert loaded.cues and "said_idiot" in loaded.vocabulary
    texts = [*TEXTS, "he called me an idiot", "called me", "i'll find you, you idiot", "a\x00b"]
    expected = pipeline.predict_proba(texts)
    assert np.allclose(loaded.probabilities(texts), expected, atol=1e-6)
    assert np.allclose(loaded.probabilities(texts[:-1]), expected[:-1], atol=1e-6)
    for text, row in zip(texts, expected):
        assert np.allclose(loaded.probabilities([text])[0], row, atol=1e-6)
    # a cue never reaches across two texts of a batch
    apart = ["he called me", "an idiot"]
    assert np.allclose(
        loaded.probabilities(apart), np.vstack([loaded.probabilities([t]) for t in apart])
    )
