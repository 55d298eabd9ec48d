"""Language codes and their names (languages/__init__.py)."""

from __future__ import annotations

from moderation.languages import NAMES, UNDETERMINED, language_name


def test_a_known_code_has_its_name_and_an_unknown_one_is_itself():
    assert language_name("de") == "German"
    assert language_name(UNDETERMINED) == "undetermined"
    assert language_name("xx") == "xx"


def test_every_shipped_language_has_a_name():
    assert {"en", "de", "pt", "fr", "es"} <= set(NAMES)
