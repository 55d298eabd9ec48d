"""Spelling games undone against the vocabulary, the smoothed norm and negation marking: the
same in the scikit-learn pipeline and in the array scorer."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

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


def test_a_real_word_is_never_read_as_another():
    from moderation.model.spelling import word_hash

    words = np.array(sorted({word_hash(w) for w in ("dank", "punt", "witches")}), dtype=np.uint32)
    frequent = {"damn": 40, "cunt": 30, "bitches": 30, "punk": 25, "stupid": 50}
    plain, checked = Spelling(frequent), Spelling(frequent, words)
    assert plain.correct("dank") == "damn"  # what a vocabulary alone does
    assert checked.correct("dank") is None and checked.correct("witches") is None
    # a non-word is corrected, but never into a swear word by changing a letter
    assert checked.correct("stupd") == "stupid"
    assert checked.correct("cunf") is None and plain.correct("cunf") is None
    assert checked.correct("cnut") == "cunt"  # swapped letters: a spelling game


def test_the_dictionary_travels_with_the_arrays(tmp_path, monkeypatch):
    from moderation.model import spelling as module

    monkeypatch.setattr(
        module,
        "dictionary_hashes",
        lambda languages: np.array(sorted({module.word_hash("stuppid")}), dtype=np.uint32),
    )
    config = PipelineConfig(spelling_min_count=2, spelling_languages=("xx",))
    pipeline = build_pipeline(config, 1.0).fit(TEXTS, LABELS)
    features = pipeline.named_steps["features"]
    assert features.corrections_ == {}  # "stuppid" is a word of that dictionary
    scorer = LinearScorer.from_pipeline(pipeline, list(pipeline.classes_), 2000)
    scorer.save(tmp_path / "scorer.npz")
    loaded = LinearScorer.load(tmp_path / "scorer.npz")
    assert loaded.spelling.is_word("stuppid") and not loaded.spelling.is_word("stupd")
    texts = ["you stuppid", "stupd cowrad", "nice day"]
    assert np.allclose(pipeline.predict_proba(texts), loaded.probabilities(texts), atol=1e-6)


def test_explanations_show_the_word_as_written_and_what_it_was_read_as():
    from moderation.model.scoring import term_as_written

    config = PipelineConfig(spelling_min_count=2, negation_scope=3)
    pipeline = build_pipeline(config, 1.0).fit(TEXTS, LABELS)
    scorer = LinearScorer.from_pipeline(pipeline, list(pipeline.classes_), 2000)
    text = "Such a Cowrad, they don't deserve it; stupidity"
    spans = scorer.term_spans(text)
    shown = {
        scorer.terms[i]: term_as_written(scorer.terms[i], text, where)["shown"]
        for i, where in spans.items()
    }
    assert shown["coward"] == "Cowrad (read as: coward)"
    assert shown["not_deserve"] == "not ... deserve"
    # a term is highlighted where it is a whole word, never inside a longer one
    assert "stupid" not in shown or shown["stupid"] == "stupidity (read as: stupid)"
    assert term_as_written("damn", "Vielen Dank!", [[7, 11]])["shown"] == "Dank (read as: damn)"


PHRASE_TEXTS = [
    "go back to your country",
    "go back home you idiot",
    "I will go back to the shop",
    "go back to where you came from",
    "make you pay",
    "you will pay",
    "what a coward you are",
    "a lovely day",
]
PHRASE_LABELS = ["abusive", "abusive", "civil", "abusive", "abusive", "civil", "abusive", "civil"]


def test_phrases_are_the_same_in_the_pipeline_and_the_array_scorer():
    pipeline, scorer = _phrase_pipeline_and_scorer()
    phrases = pipeline.named_steps["features"].phrases_
    assert {"go back", "back to"} <= phrases  # stop words make phrases
    assert "to the" not in phrases  # two function words never do
    texts = [
        "Go back, you idiot!",
        "go @user back to your country",  # a mention leaves nothing between the words
        "you\x00 are a coward",  # the boundary character: each text on its own
        "they don't go back",  # a negation marks the word after it
        "",
        "go-back you are",
    ]
    expected = pipeline.predict_proba(texts)
    assert np.allclose(scorer.probabilities(texts), expected, atol=1e-6)
    # a batch without the boundary character is read as one string (the fast path)
    plain = [t for t in texts if "\x00" not in t] * 3
    assert np.allclose(scorer.probabilities(plain), pipeline.predict_proba(plain), atol=1e-6)
    one_by_one = np.array([scorer.probabilities([t])[0] for t in texts])
    assert np.allclose(one_by_one, expected, atol=1e-6)
    spans = scorer.term_spans("Go back, you idiot!")
    assert spans[scorer.vocabulary["go back"]] == [(0, 7)]


PHRASE_WORDS = sorted({w for t in PHRASE_TEXTS for w in t.split()}) + ["not", "don't", "go-back"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from([*PHRASE_WORDS, ",", "!", "@user", "x-y-z"]), max_size=14).map(
            " ".join
        ),
        min_size=1,
        max_size=8,
    )
)
def test_phrases_in_any_batch_score_as_the_pipeline_does(texts):
    pipeline, scorer = _phrase_pipeline_and_scorer()
    expected = pipeline.predict_proba(texts)
    assert np.allclose(scorer.probabilities(texts), expected, atol=1e-6)
    assert np.allclose(scorer.probabilities([texts[0]])[0], expected[0], atol=1e-6)


_FITTED: list = []


def _phrase_pipeline_and_scorer():
    if not _FITTED:
        config = PipelineConfig(
            spelling_min_count=2,
            dropped_terms=("stop", "identity"),
            norm_smoothing=5.0,
            negation_scope=3,
            phrase_min_df=2,
        )
        pipeline = build_pipeline(config, 1.0).fit(PHRASE_TEXTS, PHRASE_LABELS)
        _FITTED.append(
            (pipeline, LinearScorer.from_pipeline(pipeline, list(pipeline.classes_), 2000))
        )
    return _FITTED[0]
