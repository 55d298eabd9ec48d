"""What the README says the shipped English model does, checked against the model itself. When
a retrained model stops doing one of these, the README's sentence (quoted here) must change with
this test."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderation import load_model

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def model():
    return load_model()


def _shown(record) -> list[str]:
    return [
        term["shown"]
        for explanation in record["explanation"].values()
        for term in explanation["terms"]
    ]


def test_swearing_at_nobody_that_the_readme_says_is_flagged(model):
    assert '"Damn, that was a good match." is flagged' in README
    assert "abusive" in model.score(["Damn, that was a good match."])[0]["flags"]


@pytest.mark.parametrize("text", ["lol", "+1", "This."])
def test_too_little_to_go_on(model, text):
    assert f"`{text}`" in README
    record = model.score([text])[0]
    assert record["prediction"] == "civil" and not record["flags"]
    assert record["little_evidence"] is True


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("You are an idoit.", "idoit (read as: idiot)"),
        ("That is stupd.", "stupd (read as: stupid)"),
        ("f*ck this", "f*ck (read as: fuck)"),
        ("You are a Cowrad.", "Cowrad (read as: coward)"),
        ("I am g0ing home now.", "g0ing (read as: going)"),
    ],
)
def test_misspellings_are_read_as_the_word_and_shown_as_written(model, text, shown):
    assert f"`{shown.split()[0]}" in README
    assert shown in _shown(model.score([text], explain=True)[0])


@pytest.mark.parametrize("text", ["[deleted]", "[removed]"])
def test_placeholders_are_not_scored(model, text):
    assert f"`{text}`" in README
    assert model.score([text])[0]["not_scored"] == "placeholder"


def test_a_long_comment_is_scored_on_its_first_2000_characters(model):
    assert "(2,000 characters)" in README
    record = model.score(["word " * 500])[0]
    assert record["truncated"]["scored_chars"] == 2000


def test_a_short_english_insult_is_taken_for_spanish_unless_the_language_is_declared():
    from moderation import load_models

    assert "`lol idiot` alone reads as Spanish" in README
    detected, declared = load_models(), load_models(language="en")
    assert detected.score(["lol idiot"])[0]["language"] == "es"
    assert not detected.score(["lol idiot"])[0]["flags"]
    assert "abusive" in declared.score(["lol idiot"])[0]["flags"]
