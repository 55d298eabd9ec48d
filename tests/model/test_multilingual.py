"""A model per language: which model scores which comment, a site's labels starting a
language, and promotion per language (short invented comments in each language)."""

from __future__ import annotations

import json

import pytest

from moderation.cli import app
from moderation.errors import UsageError
from moderation.model.multilingual import LanguageModels, load_models, score_comments
from moderation.model.registry import active_file, find_model, list_models

from fixtures.languages import GREETINGS, SITE_LABELS, site_store

SHIPPED = {"en": "default", "de": "default-de", "pt": "default-pt", "fr": "default-fr"}


def test_each_comment_is_scored_by_the_model_of_its_language():
    models = load_models()
    records = score_comments(models, list(GREETINGS.values()))
    by_language = {record["language"]: record for record in records}
    assert list(by_language) == list(GREETINGS)
    for language, name in {**SHIPPED, "es": "default-es"}.items():
        assert by_language[language]["model"] == find_model(name).meta.model_id
        assert by_language[language]["prediction"] is not None
    # no model reads Italian: not scored, and never by another language's model
    italian = by_language["it"]
    assert italian["not_scored"] == "language" and italian["model"] is None
    assert italian["scores"] is None and italian["flags"] == []


def test_a_model_has_only_its_own_labels_and_thresholds_apply_where_the_label_is():
    models = load_models().with_thresholds(["abusive=0.99"])
    records = score_comments(models, [GREETINGS["es"], GREETINGS["de"]])
    assert set(records[0]["scores"]) == {"civil", "conspiracy"}  # Spanish: no abuse labels
    assert set(records[1]["scores"]) == {"civil", "abusive"}
    assert models.thresholds["de"]["abusive"] == 0.99 and "abusive" not in models.thresholds["es"]
    with pytest.raises(UsageError, match="unknown label 'spam'"):
        load_models().with_thresholds(["spam=0.5"])


def test_a_declared_language_skips_detection():
    models = load_models(language="DE")
    assert list(models.models) == ["de"] and models.declared == "de"
    records = score_comments(models, [GREETINGS["en"], GREETINGS["it"]])
    assert [r["language"] for r in records] == ["de", "de"]
    assert {r["model"] for r in records} == {find_model("default-de").meta.model_id}


def test_a_declared_language_without_a_model_says_how_to_start_one(tiny_model):
    with pytest.raises(UsageError, match="train --language it --add STORE"):
        load_models(language="it")
    with pytest.raises(UsageError, match="reads another language"):
        load_models(tiny_model, language="de")


def test_a_given_model_takes_the_place_of_its_languages_only(tiny_model, model):
    models = load_models(tiny_model)
    assert models.models["en"].id == model.id
    assert models.models["de"].id == find_model("default-de").meta.model_id
    # one model on its own scores every comment: the caller chose it
    alone = LanguageModels.of(model)
    assert alone.declared == "en" and alone.languages_of(["Danke schön"]) == ["en"]


def test_score_command_shows_the_language_and_what_was_not_scored(runner):
    texts = [GREETINGS["de"], GREETINGS["it"]]
    result = runner.invoke(app, ["score", "--json", *texts])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.output.splitlines()]
    assert [r["language"] for r in records] == ["de", "it"]
    assert records[1]["not_scored"] == "language"
    table = runner.invoke(app, ["score", *texts], env={"COLUMNS": "120"})
    assert "not scored: no model reads Italian (it)" in table.output
    declared = runner.invoke(app, ["score", "--json", "-l", "pt", GREETINGS["it"]])
    assert json.loads(declared.output)["language"] == "pt"
    missing = runner.invoke(app, ["score", "-l", "it", "ciao"])
    assert missing.exit_code == 2 and "no model reads Italian" in missing.output


def _fast(tmp_path):
    config = tmp_path / "fast.toml"
    config.write_text("[pipeline]\ncv_folds = 3\nn_jobs = 1\nC_grid = [1.0, 10.0]\n")
    return config


def test_a_sites_labels_start_a_language_and_promotion_makes_it_score(runner, tmp_path):
    store = site_store(tmp_path / "labels.db", "it", extra=[(GREETINGS["en"], "civil")])
    output = tmp_path / "site-it"
    trained = runner.invoke(
        app,
        ["train", "--language", "it", "--add", str(store), "-o", str(output)]
        + ["--config", str(_fast(tmp_path))],
    )
    assert trained.exit_code == 0, trained.output
    said = " ".join(trained.output.split())
    assert "no model reads Italian yet: training on the site's labels alone" in said
    assert "1 label(s) of comments in other languages left out (English 1)" in said
    meta = find_model(output).meta
    assert meta.language == "it" and meta.adaptation["no_base"] is True
    assert meta.training_data["by_source"] == {"site": {"abusive": 8, "civil": 8}}
    assert meta.config["dropped_terms"] == ["stop", "identity", "source"]
    card = (output / "MODEL_CARD.md").read_text()
    assert "Italian-language comment sections" in card and "site's own labels" in card
    before = score_comments(load_models(), ["Sei un idiota patetico"])[0]
    assert before["not_scored"] == "language"
    promoted = runner.invoke(app, ["models", "promote", str(output)])
    assert promoted.exit_code == 0, promoted.output
    assert "the first Italian model" in promoted.output
    assert json.loads(active_file("it").read_text())["language"] == "it"
    after = score_comments(load_models(), ["Sei un idiota patetico", GREETINGS["de"]])
    assert after[0]["model"] == meta.model_id and after[0]["language"] == "it"
    assert after[0]["scores"]["abusive"] > 0.5, after[0]
    assert after[1]["model"] == find_model("default-de").meta.model_id
    listed = {e.name: e for e in list_models()}
    assert listed["site-it"].active and listed["default"].active


def test_a_sites_german_labels_retrain_the_german_model(runner, tmp_path):
    store = site_store(tmp_path / "labels.db", "de")
    output = tmp_path / "site-de"
    trained = runner.invoke(
        app,
        ["train", "-l", "de", "--add", str(store), "-o", str(output), "--method", "prior"],
    )
    assert trained.exit_code == 0, trained.output
    meta = find_model(output).meta
    assert meta.language == "de"
    assert meta.adaptation["base_model"] == find_model("default-de").meta.model_id
    wrong_base = runner.invoke(
        app,
        ["train", "-l", "de", "--add", str(store), "-o", str(tmp_path / "x")]
        + ["--base", "models/default"],
    )
    assert wrong_base.exit_code == 2 and "reads English, not German" in wrong_base.output


def test_site_labels_of_one_language_only_are_refused_for_another(tmp_path):
    from moderation.errors import ModerationError
    from moderation.model.retrain import RetrainOptions, retrain

    store = site_store(tmp_path / "labels.db", "it")
    with pytest.raises(ModerationError, match="none of the labelled comments is in German"):
        retrain(
            [store],
            output=tmp_path / "m",
            options=RetrainOptions(language="de", no_base=True),
        )


def test_the_site_labels_fixture_is_balanced():
    for civil, abusive in SITE_LABELS.values():
        assert len(civil) == len(abusive) == 8
