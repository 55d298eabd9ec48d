"""The shipped default model: its pickle still loads with this code (a pickled pipeline names
``moderation.normalize.normalize_many``: moving it breaks every saved model) and gives the
same scores as its array form."""

from __future__ import annotations

import numpy as np

from moderation.model.directory import load_model_dir
from moderation.model.registry import shipped_model_dir

TEXTS = [
    "You are a pathetic idiot.",
    "They are hiding the truth about the floods, it was planned.",
    "The library opens late on Thursdays now; thanks to the volunteers.",
    "",
]


def test_the_shipped_pickle_loads_and_matches_its_arrays():
    model = load_model_dir(shipped_model_dir(), pipeline=True)
    assert model.scorer is not None
    from_pickle = model.pipeline.predict_proba(TEXTS)
    from_arrays = model.scorer.probabilities(TEXTS)
    assert np.allclose(from_pickle, from_arrays, atol=1e-6)
    assert list(model.pipeline.classes_) == model.labels
