"""The pipeline's settings (checked, from TOML or a dict) and what they build: features,
classifier and the normalising step."""

from __future__ import annotations

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from moderation.errors import InputError
from moderation.model.pipeline import (
    CommentVectorizer,
    PipelineConfig,
    _pairs,
    build_features,
    build_pipeline,
    dropped_terms,
    normalize_arguments,
)


def test_pipeline_config_round_trips():
    config = PipelineConfig(char_ngrams=(2, 4))
    assert PipelineConfig.from_dict(config.to_dict()) == config


def test_config_file_overrides_only_the_settings_it_names(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('[pipeline]\ncv_folds = 4\nselection_metric = "log_loss"\n')
    base = PipelineConfig(word_ngrams=(1, 3))
    config = PipelineConfig.from_toml(path, base=base)
    assert config.word_ngrams == (1, 3) and config.cv_folds == 4
    assert config.selection_metric == "log_loss"


def test_from_dict_turns_lists_into_tuples_and_none_into_no_class_weight():
    config = PipelineConfig.from_dict(
        {"word_ngrams": [1, 2], "C_grid": [0.5], "class_weight": "none", "cue_marks": ["threat"]}
    )
    assert (config.word_ngrams, config.C_grid, config.cue_marks) == ((1, 2), (0.5,), ("threat",))
    assert config.class_weight is None


def test_from_dict_refuses_an_unknown_setting_naming_the_known_ones():
    with pytest.raises(InputError, match="unknown setting.s. colour, size") as error:
        PipelineConfig.from_dict({"size": 1, "colour": "red"}, origin="my.toml")
    assert "known settings: max_chars" in str(error.value) and "my.toml" in str(error.value)


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"word_ngrams": [2, 1]}, "word_ngrams must be two integers"),
        ({"char_ngrams": [0, 3]}, "char_ngrams must be two integers"),
        ({"target_precision": 1.0}, "target_precision and label_precision"),
        ({"label_precision": {"abusive": 0}}, "target_precision and label_precision"),
        ({"C_grid": []}, "C_grid must list positive numbers"),
        ({"C_grid": [1, -1]}, "C_grid must list positive numbers"),
        ({"cv_folds": 1}, "cv_folds must be at least 2"),
        ({"selection_metric": "accuracy"}, "selection_metric must be"),
        ({"class_weight": "heavy"}, "class_weight must be"),
        ({"source_weighting": "some"}, "source_weighting must be"),
        ({"thresholds_from": "guess"}, "thresholds_from must be"),
        ({"norm": "max"}, "norm must be 'l1' or 'l2'"),
        ({"cue_marks": ["sarcasm"]}, "cue_marks may name"),
        ({"dropped_terms": ["rude"]}, "dropped_terms may name"),
        ({"max_chars": 0}, "max_chars must be positive"),
        ({"phrase_min_df": -1}, "phrase_min_df must be >= 0"),
        ({"phrase_min_df": 2, "word_ngrams": [1, 2]}, "phrases replace word_ngrams"),
    ],
)
def test_validate_refuses_settings_that_cannot_train(values, problem):
    with pytest.raises(InputError, match=problem):
        PipelineConfig.from_dict(values)


def test_from_toml_reads_a_bare_table_and_names_a_missing_or_broken_file(tmp_path):
    bare = tmp_path / "bare.toml"
    bare.write_text("cv_folds = 7\n")
    assert PipelineConfig.from_toml(bare).cv_folds == 7
    with pytest.raises(InputError, match="not found"):
        PipelineConfig.from_toml(tmp_path / "absent.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("cv_folds = \n")
    with pytest.raises(InputError, match="not valid TOML"):
        PipelineConfig.from_toml(broken)


def test_precision_for_a_label_falls_back_to_the_target():
    config = PipelineConfig(target_precision=0.7, label_precision={"conspiracy": 0.9})
    assert config.precision_for("conspiracy") == 0.9 and config.precision_for("abusive") == 0.7


def test_dropped_terms_include_their_negated_forms():
    words = dropped_terms(("stop",))
    assert words == sorted(words) and "the" in words and "not_the" in words
    assert dropped_terms(()) is None


def test_pairs_leave_out_two_function_words_and_excluded_words():
    tokens = ["make", "you", "go", "to", "the", "gorp"]
    assert _pairs(tokens, frozenset({"gorp"})) == ["make you", "you go", "go to"]


def test_build_features_picks_the_vectorizer_the_settings_need():
    assert type(build_features(PipelineConfig())) is TfidfVectorizer
    special = build_features(PipelineConfig(spelling_min_count=2, phrase_min_df=2))
    assert isinstance(special, CommentVectorizer) and special.phrase_min_df == 2
    bigrams = build_features(PipelineConfig(word_ngrams=(1, 2), spelling_min_count=2))
    assert type(bigrams) is TfidfVectorizer and bigrams.ngram_range == (1, 2)
    union = build_features(PipelineConfig(char_ngrams=(2, 3)))
    assert isinstance(union, FeatureUnion)
    assert [name for name, _ in union.transformer_list] == ["words", "chars"]


def test_normalize_arguments_name_only_what_differs_from_the_defaults():
    assert normalize_arguments(PipelineConfig()) == {"max_chars": 2000}
    config = PipelineConfig(max_chars=50, negation_scope=3, cue_marks=("threat",))
    assert normalize_arguments(config) == {"max_chars": 50, "negation": 3, "cues": ("threat",)}


def test_build_pipeline_starts_at_the_first_c_and_fits_end_to_end():
    pipeline = build_pipeline(PipelineConfig(C_grid=(0.25, 4.0)))
    assert [name for name, _ in pipeline.steps] == ["normalize", "features", "classifier"]
    assert pipeline.named_steps["classifier"].C == 0.25
    assert build_pipeline(PipelineConfig(), C=3.0).named_steps["classifier"].C == 3.0
    texts = ["kind words here", "nice kind words", "rude blob here", "nasty rude blob"]
    pipeline.fit(texts, ["civil", "civil", "abusive", "abusive"])
    assert pipeline.predict(["kind words", "rude blob"]).tolist() == ["civil", "abusive"]
