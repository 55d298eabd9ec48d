"""The models a running server scores with: reloaded in place, counted only when they change,
kept when the new ones cannot be loaded, and watched through the active-model records."""

from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace

from moderation.errors import ModelLoadError
from moderation.model.multilingual import LanguageModels
from moderation.model.trust import home_dir
from moderation.serving import live
from moderation.serving.live import LiveModel


def test_a_live_model_serves_the_explicit_model(tiny_model, model):
    served = LiveModel(tiny_model)
    assert served.model.id == model.id
    assert served.directory == Path(tiny_model)
    assert served.reload() and served.reloads == 0 and served.error is None  # nothing changed


def test_reload_swaps_in_new_models_and_counts_the_change(tiny_model, monkeypatch):
    served = LiveModel(tiny_model)
    other = LanguageModels({"en": SimpleNamespace(id="other-model", thresholds={})})
    monkeypatch.setattr(live, "load_models", lambda explicit: other)
    monkeypatch.setattr(live, "language_model_dirs", lambda explicit: {"en": Path("elsewhere")})
    assert served.reload()
    assert served.model is other and served.directory == Path("elsewhere")
    assert served.reloads == 1


def test_a_model_that_fails_to_load_leaves_the_old_ones_serving(tiny_model, model, monkeypatch):
    served = LiveModel(tiny_model)

    def broken(explicit):
        raise ModelLoadError("meta.json: not valid JSON")

    monkeypatch.setattr(live, "load_models", broken)
    assert not served.reload()
    assert served.model.id == model.id and served.reloads == 0
    assert served.error is not None
    assert served.error.startswith(f"could not load the new models, still serving en: {model.id}")
    assert served.error.endswith(": meta.json: not valid JSON")


def test_the_watcher_reloads_when_an_active_model_record_changes(tiny_model, monkeypatch):
    served = LiveModel(tiny_model, check_every=0.01)
    reloaded = threading.Event()
    monkeypatch.setattr(served, "reload", reloaded.set)
    served.start()
    try:
        assert not reloaded.wait(0.1)  # nothing changed: no reload
        (home_dir() / "active-de.json").write_text("{}")
        assert reloaded.wait(5)
    finally:
        served.stop()
