"""The suite's shared pytest fixtures. Shared values and functions are in ``fixtures/``
(``fixtures.files``, ``fixtures.stores``, ``fixtures.servers``): import them from there, never
from this file (tests/test_layout.py checks)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from fixtures.files import ATTRIBUTE_EXAMPLES, FAST_CONFIG, SEEDS, TINY_EXAMPLES


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def seeds() -> Path:
    if not SEEDS.is_dir():
        pytest.skip(
            f"the seed pages are not here ({SEEDS}): they live in ../shared beside the checkout"
        )
    return SEEDS


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A model trained once per run on the 36 written examples (a second or two), with the
    attribute heads the written attribute examples allow."""
    from moderation.model.train import train_from_files

    folder = tmp_path_factory.mktemp("tiny-model")
    config = folder / "fast.toml"
    config.write_text(FAST_CONFIG)
    train_from_files(
        [TINY_EXAMPLES],
        output=folder / "tiny",
        config_path=config,
        attributes=[ATTRIBUTE_EXAMPLES],
    )
    return folder / "tiny"


@pytest.fixture(scope="session", autouse=True)
def isolated_session_state(tmp_path_factory):
    """Models trained by session and module fixtures (before any test's own state folder is
    set) record themselves in a state folder of the run, never the user's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MODERATION_HOME", str(tmp_path_factory.mktemp("session-home")))
        patch.setenv("MODERATION_MODELS", str(tmp_path_factory.mktemp("session-models")))
        patch.delenv("MODERATION_MODEL", raising=False)
        patch.delenv("MODERATION_TRUST_MODEL", raising=False)
        yield


@pytest.fixture(autouse=True)
def isolated_state(tmp_path_factory, monkeypatch, request):
    """No test reads or changes the user's active model or models folder. The tiny model,
    trained once per run, is one this installation made: each test's state folder records
    it as trusted, as `moderation train` does."""
    monkeypatch.setenv("MODERATION_HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.setenv("MODERATION_MODELS", str(tmp_path_factory.mktemp("models")))
    monkeypatch.delenv("MODERATION_MODEL", raising=False)
    monkeypatch.delenv("MODERATION_TRUST_MODEL", raising=False)
    if "tiny_model" in request.fixturenames:
        from moderation.model.meta import ModelMeta
        from moderation.model.trust import record_trusted

        model = request.getfixturevalue("tiny_model")
        record_trusted(model, ModelMeta.read(model).model_sha256)


@pytest.fixture(scope="session")
def model(tiny_model):
    """The tiny model, loaded."""
    from moderation.model.registry import load_model

    return load_model(tiny_model)
