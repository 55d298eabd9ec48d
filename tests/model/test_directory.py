"""A model directory: loaded with every file checked first, scored from its arrays and its
pipeline alike, copied with new thresholds, and never written over by mistake."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from moderation.errors import ModelLoadError, ModerationError
from moderation.model.directory import (
    CARD_FILE,
    MODEL_FILE,
    check_file,
    check_model_destination,
    copy_model,
    installed_version,
    load_model_dir,
    versions,
)
from moderation.model.scorer import SCORER_FILE
from moderation.model.thresholds import Threshold

TEXTS = ["you are a rotten liar", "thanks, lovely photo", "they hide the truth from us"]


@pytest.fixture
def copied(tiny_model, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(tiny_model, copy)
    return copy


def test_a_loaded_model_scores_alike_from_its_arrays_and_its_pipeline(tiny_model):
    model = load_model_dir(tiny_model)
    assert (
        model.scorer is not None and repr(model) == f"Model({model.id!r}, path={str(tiny_model)!r})"
    )
    assert model.labels == ["abusive", "civil", "conspiracy"] and model.language == "en"
    from_arrays = model.predict_proba(TEXTS)
    assert np.allclose(from_arrays, model.pipeline.predict_proba(TEXTS), atol=1e-6)
    labels, heads = model.scores_of_one(TEXTS[0])
    assert list(labels) == model.labels and list(heads) == model.heads.names
    assert np.allclose(list(labels.values()), from_arrays[0], atol=1e-6)
    assert model.attribute_probabilities(TEXTS).shape == (3, len(model.heads.names))
    assert model.bias.shape == (3,)


def test_a_model_without_arrays_scores_from_its_pipeline(copied):
    meta = json.loads((copied / "meta.json").read_text())
    del meta["scorer_sha256"], meta["heads"]
    (copied / "meta.json").write_text(json.dumps(meta))
    (copied / SCORER_FILE).unlink()
    model = load_model_dir(copied)
    assert model.scorer is None and model.heads is None
    probabilities = model.predict_proba(TEXTS)
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert model.attribute_probabilities(TEXTS).shape == (3, 0)
    labels, heads = model.scores_of_one(TEXTS[0])
    assert heads == {} and np.allclose(list(labels.values()), probabilities[0])
    weights = model.term_weights(TEXTS[0])
    assert weights.contributions.shape[1] == 3


def test_the_rebuilt_pipeline_scores_as_the_arrays_do(tiny_model):
    model = load_model_dir(tiny_model)
    rebuilt = model.rebuilt_pipeline()
    assert np.allclose(rebuilt.predict_proba(TEXTS), model.predict_proba(TEXTS), atol=1e-6)


def test_a_changed_or_missing_scorer_is_refused(copied):
    with open(copied / SCORER_FILE, "ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ModelLoadError, match="scorer.npz: checksum does not match meta.json"):
        load_model_dir(copied)
    (copied / SCORER_FILE).unlink()
    with pytest.raises(ModelLoadError, match="scorer.npz: missing"):
        load_model_dir(copied)


def test_labels_in_another_order_than_meta_json_are_refused(copied):
    meta = json.loads((copied / "meta.json").read_text())
    meta["labels"] = ["civil", "abusive", "conspiracy"]
    (copied / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ModelLoadError, match="holds the labels abusive, civil, conspiracy"):
        load_model_dir(copied)


def test_check_file_names_a_missing_or_changed_file(tmp_path):
    path = tmp_path / "f.bin"
    with pytest.raises(ModelLoadError, match="missing"):
        check_file(path, "00")
    path.write_bytes(b"x")
    with pytest.raises(ModelLoadError, match="checksum does not match"):
        check_file(path, "00")
    check_file(path, "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881")


def test_copy_model_gives_new_thresholds_a_new_id_and_a_note(tiny_model, tmp_path):
    new = {"abusive": Threshold("abusive", 0.5, 0.9, 0.3, True)}
    meta = copy_model(tiny_model, tmp_path / "strict", thresholds=new, note="Stricter flags.")
    original = load_model_dir(tiny_model)
    assert meta.model_id.startswith("strict-") and meta.model_id != original.id
    assert meta.copied_from["model_id"] == original.id
    copy = load_model_dir(tmp_path / "strict")
    assert copy.thresholds == {"abusive": 0.5}
    assert np.array_equal(copy.predict_proba(TEXTS), original.predict_proba(TEXTS))
    assert (
        (tmp_path / "strict" / CARD_FILE)
        .read_text()
        .endswith("## Changes in this copy\n\nStricter flags.\n")
    )
    with pytest.raises(ModerationError, match="is the model being copied"):
        copy_model(tiny_model, tiny_model, thresholds=new, note="", force=True)


def test_check_model_destination_refuses_to_replace_without_force(tmp_path, copied):
    check_model_destination(tmp_path / "new", force=False)
    with pytest.raises(ModerationError, match="already exists; choose another -o or add --force"):
        check_model_destination(copied, force=False)
    check_model_destination(copied, force=True)
    (copied / "notes.txt").write_text("mine")
    with pytest.raises(ModerationError):
        check_model_destination(copied, force=True)
    assert (copied / MODEL_FILE).exists()


def test_versions_and_installed_versions():
    found = versions()
    assert set(found) == {"python", "scikit-learn", "numpy", "joblib", "moderation"}
    assert found["numpy"] == installed_version("numpy")
    assert installed_version("surely-not-a-package-here") == "not installed"
