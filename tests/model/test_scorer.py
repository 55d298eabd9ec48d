"""The model as arrays: the same scores as scikit-learn, without importing it."""

import json
import shutil
import subprocess
import sys

import joblib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moderation import load_model
from moderation.errors import ModelLoadError

from fixtures.files import SCORING_TEXTS as TEXTS


def test_array_scorer_matches_the_scikit_learn_pipeline(model, tiny_model):
    assert model.scorer is not None
    reference = joblib.load(tiny_model / "model.joblib").predict_proba(TEXTS)
    assert np.allclose(model.predict_proba(TEXTS), reference, atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=120), min_size=1, max_size=6))
def test_array_scorer_matches_on_any_text(model, texts):
    expected = model.pipeline.predict_proba(texts)
    got = model.predict_proba(texts)
    assert np.allclose(got, expected, atol=1e-6)
    assert np.allclose(got.sum(axis=1), 1.0)


# a batch is scored as one string with a boundary between texts: nothing may cross it
ACROSS_TEXTS = [
    ["You people are not", "welcome here, you vermin"],  # a negation's scope
    ["what a b", "c d idiots"],  # letters spelt out
    ["I do", "n't like trolls"],  # a clitic
    ["<b class='x'", "> you worthless clown"],  # markup
    ["a \x00 b idiot", "not you"],  # the boundary's own character
    ["", "never", "   ", "lovely people"],
]


@pytest.mark.parametrize("texts", ACROSS_TEXTS)
def test_nothing_crosses_from_one_text_of_a_batch_to_the_next(model, texts):
    together = model.predict_proba(texts)
    alone = np.vstack([model.predict_proba([text]) for text in texts])
    assert np.allclose(together, alone, atol=1e-9)
    assert np.allclose(together, model.pipeline.predict_proba(texts), atol=1e-6)


def test_model_without_a_scorer_file_falls_back_to_scikit_learn(tiny_model, tmp_path):
    copy = tmp_path / "no-scorer"
    shutil.copytree(tiny_model, copy)
    (copy / "scorer.npz").unlink()
    meta = json.loads((copy / "meta.json").read_text())
    del meta["scorer_sha256"]
    (copy / "meta.json").write_text(json.dumps(meta))
    fallback, compiled = load_model(copy), load_model(tiny_model)
    assert fallback.scorer is None
    assert np.allclose(fallback.predict_proba(TEXTS), compiled.predict_proba(TEXTS), atol=1e-6)
    slow, fast = fallback.explain(TEXTS[0]), compiled.explain(TEXTS[0])
    assert [t["term"] for t in next(iter(slow.values()))["terms"]] == [
        t["term"] for t in next(iter(fast.values()))["terms"]
    ]


def test_a_changed_scorer_file_is_refused(tiny_model, tmp_path):
    copy = tmp_path / "tampered"
    shutil.copytree(tiny_model, copy)
    with open(copy / "scorer.npz", "ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ModelLoadError, match="checksum does not match"):
        load_model(copy)


def test_scoring_does_not_import_scikit_learn(tiny_model):
    code = (
        "import sys; from moderation import load_model; "
        f"m = load_model({str(tiny_model)!r}); m.score(['a comment']); "
        "print('sklearn' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_command_line_scores_without_importing_scikit_learn(tiny_model):
    """`moderation score` starts in a fraction of scikit-learn's import time."""
    code = (
        "import sys; from moderation.cli import app\n"
        "try:\n"
        f"    app(['score', 'a comment', '--model', {str(tiny_model)!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('sklearn' in sys.modules, file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stderr.strip().splitlines()[-1] == "False"


def test_pipeline_stays_available(model):
    from sklearn.pipeline import Pipeline

    assert isinstance(model.pipeline, Pipeline)
    assert list(model.pipeline.classes_) == model.labels


def test_lazily_normalised_forms_read_as_the_list_of_forms():
    from moderation.model.scorer import _Forms
    from moderation.normalize import BoundedCache, negation_scopes, normalize_word

    pieces = "You are NOT a nice person , idiot".split()
    forms = _Forms(pieces, BoundedCache(normalize_word, limit=100))
    as_list = [normalize_word(piece) for piece in pieces]
    assert len(forms) == len(as_list) and list(forms) == as_list
    assert negation_scopes(forms, 3) == negation_scopes(as_list, 3) != {}
