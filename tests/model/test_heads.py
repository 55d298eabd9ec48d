"""The attribute heads: trained with the model, saved beside it, scored from the arrays exactly
as from the pipeline, checked on load, and carried over when the model is retrained."""

from __future__ import annotations

import json

import numpy as np
import pytest

from moderation.errors import ModelLoadError
from moderation.model.directory import load_model_dir
from moderation.model.heads import HEADS_FILE, AttributeHeads, is_held_out

from fixtures.files import ATTRIBUTE_EXAMPLES, FAST_CONFIG, TINY_EXAMPLES

SOME_TEXTS = [
    "You pathetic worm, crawl back under your rock.",
    "Thanks for the library hours!!! Sooo good",
    "RT @someone: the &amp; council <b>plan</b> is bad https://x.org/a",
    "I do n't think it 's fair , really .",
    "words the model never saw: zyxw qqqq",
    "!!!",
]
THREATS = ["I will come to your house and break your legs.", "Sleep well, it is your last night."]


def test_the_tiny_model_has_the_heads_its_examples_allow(tiny_model):
    meta = json.loads((tiny_model / "meta.json").read_text())
    # the written examples mark threats, insults and severity; nothing marks profanity
    # or an identity attack, so those heads are not made
    assert list(meta["heads"]["attributes"]) == ["INSULT", "THREAT", "SEVERE_TOXICITY"]
    threat = meta["heads"]["attributes"]["THREAT"]
    assert 0 < threat["threshold"]["threshold"] < 1
    held, train = threat["held_out"], threat["train"]
    assert held["examples"] > 0 and held["positives"] > 0 and held["roc_auc"] is not None
    assert held["examples"] + train["examples"] == 170  # every marked text, on one side
    assert "## Attribute heads" in (tiny_model / "MODEL_CARD.md").read_text()


def test_heads_score_alike_from_the_arrays_the_pipeline_and_one_at_a_time(model):
    texts = [*SOME_TEXTS, *THREATS]
    from_arrays = model.attribute_probabilities(texts)
    from_pipeline = model.heads.probabilities_of_matrix(model.pipeline[:-1].transform(texts))
    np.testing.assert_allclose(from_arrays, from_pipeline, atol=1e-9)
    for text, row in zip(texts, from_arrays):
        labels, heads = model.scores_of_one(text)
        assert list(heads.values()) == pytest.approx(row.tolist(), abs=1e-12)
        assert list(labels.values()) == pytest.approx(model.predict_proba([text])[0], abs=1e-12)
    assert ((from_arrays >= 0) & (from_arrays <= 1)).all()


@pytest.fixture(scope="module")
def phrase_model(tmp_path_factory):
    """The tiny model with two-word phrases among its features, as the default recipe has."""
    from moderation.model.train import train_from_files

    folder = tmp_path_factory.mktemp("phrases")
    (folder / "fast.toml").write_text(FAST_CONFIG + "phrase_min_df = 2\n")
    train_from_files(
        [TINY_EXAMPLES],
        output=folder / "tiny",
        config_path=folder / "fast.toml",
        attributes=[ATTRIBUTE_EXAMPLES],
    )
    return load_model_dir(folder / "tiny", pipeline=True)


def test_heads_read_the_phrases_too_one_text_or_a_batch(phrase_model):
    model = phrase_model
    phrases = model.scorer.phrases
    assert phrases and model.heads.n_features == len(model.scorer.terms)
    assert model.heads.n_features == len(model.pipeline[:-1].transform(["x"]).toarray()[0])
    texts = [*SOME_TEXTS, *THREATS, f"so {phrases[0]} again, {phrases[-1]}"]
    from_pipeline = model.heads.probabilities_of_matrix(model.pipeline[:-1].transform(texts))
    from_arrays = model.attribute_probabilities(texts)  # the batch path
    np.testing.assert_allclose(from_arrays, from_pipeline, rtol=0, atol=1e-7)
    for text, row in zip(texts, from_arrays):  # the one-text path, on Python numbers
        values = model.scorer.feature_values_of_one(text)
        assert model.heads.probabilities_of_values(values) == pytest.approx(row.tolist(), abs=1e-12)
        _, heads = model.scores_of_one(text)
        assert list(heads.values()) == pytest.approx(row.tolist(), abs=1e-12)
    found = model.scorer.feature_values_of_one(texts[-1])
    assert {phrases[0], phrases[-1]} <= {model.scorer.terms[t] for t in found}


def test_a_threat_scores_above_an_insult_on_the_threat_head(model):
    threat = model.attribute_probabilities(THREATS)[:, model.heads.names.index("THREAT")]
    insult = model.attribute_probabilities(["You are a spineless clown and a fraud."])
    assert threat.min() > insult[0, model.heads.names.index("THREAT")]


def test_heads_round_trip_and_carry_by_feature_name(tmp_path, model):
    heads = model.heads
    heads.save(tmp_path / "h.npz")
    again = AttributeHeads.load(tmp_path / "h.npz")
    assert again.names == heads.names
    np.testing.assert_allclose(again.coef, heads.coef, atol=1e-6)  # stored as float32
    names = model.scorer.terms
    moved = heads.carried(names, ["a-new-word", *names])
    assert moved.coef.shape[1] == len(names) + 1
    np.testing.assert_array_equal(moved.coef[:, 1:], heads.coef)
    assert not moved.coef[:, 0].any()


def test_a_changed_heads_file_is_refused(tmp_path, tiny_model):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(tiny_model, copy)
    (copy / HEADS_FILE).write_bytes((copy / HEADS_FILE).read_bytes() + b"x")
    with pytest.raises(ModelLoadError, match="heads.npz: checksum does not match"):
        load_model_dir(copy)


def test_the_held_out_part_is_chosen_by_thread_and_is_the_same_every_run():
    groups = [f"thread-{i}" for i in range(2000)]
    chosen = [g for g in groups if is_held_out(g, 5)]
    assert 300 < len(chosen) < 500
    assert chosen == [g for g in groups if is_held_out(g, 5)]


def test_a_retrained_model_keeps_the_heads_of_its_base(tmp_path, tiny_model):
    from moderation.model.retrain import RetrainOptions, retrain

    labels = tmp_path / "site.jsonl"
    rows = [("s1", "our parish council is brilliant", "civil")] * 1 + [
        (f"s{i}", f"you utter clown number {i}", "abusive") for i in range(2, 8)
    ]
    rows += [(f"c{i}", f"lovely walk by the river {i}", "civil") for i in range(8)]
    labels.write_text(
        "".join(
            json.dumps({"id": i, "text": t, "label": lab, "labeller": "ana", "action": "label"})
            + "\n"
            for i, t, lab in rows
        )
    )
    meta, _ = retrain(
        [labels], output=tmp_path / "site", base=tiny_model, options=RetrainOptions("prior")
    )
    base = load_model_dir(tiny_model)
    assert meta.heads["carried_from"] == base.id
    retrained = load_model_dir(tmp_path / "site")
    # the base's words keep their weights; words the site added weigh nothing
    before = base.attribute_probabilities(THREATS)
    after = retrained.attribute_probabilities(THREATS)
    np.testing.assert_allclose(after, before, atol=0.05)
    assert "carried over from" in (tmp_path / "site" / "MODEL_CARD.md").read_text()
