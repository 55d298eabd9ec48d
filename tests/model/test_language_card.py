"""What a model card says about a model of another language: its intended use, and its
limitations for a shipped language's recipe or for a site's own labels."""

from __future__ import annotations

import pytest

from moderation.model.language_card import TRAINED_ON, intended_use, limitations
from moderation.model.meta import ModelMeta


def meta_of(language, labels=("civil", "abusive", "conspiracy"), recipe=None):
    return ModelMeta.from_json(
        {
            "model_id": "m",
            "model_sha256": "00",
            "labels": list(labels),
            "thresholds": {},
            "versions": {},
            "config": {"language": language},
            "recipe": recipe,
        }
    )


def test_intended_use_names_the_language_and_the_labels_it_lacks():
    text = intended_use(meta_of("es", labels=("civil", "conspiracy")))
    assert "Spanish-language comment sections" in text and "not a Spanish comment" in text
    assert "Labels this model\ndoes not have (abusive) are not measured" in text
    assert "does not have (none)" in intended_use(meta_of("de"))


@pytest.mark.parametrize("language", sorted(TRAINED_ON))
def test_a_shipped_recipes_limitations_say_what_it_learned_from(language):
    text = limitations(meta_of(language, recipe=f"default-{language}"))
    assert f"- It learned from {TRAINED_ON[language]}" in text
    assert f"--language {language} --add STORE" in text
    assert "Flags are a reason for a person to look" in text


def test_a_site_models_limitations_say_it_learned_from_the_sites_labels():
    for meta in (meta_of("it"), meta_of("de", recipe="default")):
        text = limitations(meta)
        assert "It learned from the labels listed under Training data" in text
        assert "It learned from German tweets" not in text
    assert "comments detected to\n  be in Italian" in limitations(meta_of("it"))
