"""The word lists per language a model may not learn from: English's are the lexicons', every
other language's are its own, and every word is written as normalisation leaves it."""

from __future__ import annotations

import pytest

from moderation import lexicons
from moderation.languages.word_lists import WORD_LISTS, word_list
from moderation.normalize import normalized_words

LISTS = ("stop", "identity", "source")


def test_english_lists_are_the_lexicons():
    assert word_list("en", "stop") is lexicons.STOP_WORDS
    assert word_list("en", "identity") is lexicons.IDENTITY_TERMS
    assert word_list("en", "source") is lexicons.SOURCE_MARKS


def test_a_language_or_list_without_words_of_its_own_has_none():
    assert word_list("nl", "stop") == frozenset()
    assert word_list("de", "slurs") == frozenset()
    assert "muslime" in word_list("de", "identity") and "der" in word_list("de", "stop")


@pytest.mark.parametrize("language", sorted(WORD_LISTS))
def test_every_language_has_the_three_lists_and_no_word_is_in_two(language):
    lists = WORD_LISTS[language]
    assert set(lists) == set(LISTS) and all(lists[name] for name in LISTS)
    for first, second in (("stop", "identity"), ("stop", "source"), ("identity", "source")):
        assert lists[first].isdisjoint(lists[second]), (language, first, second)


@pytest.mark.parametrize("language", sorted(WORD_LISTS))
def test_words_are_written_as_normalisation_leaves_them(language):
    """A word normalisation would change could never be matched (a word it drops, as it drops
    ``rt``, needs no dropping)."""
    changed = {
        word
        for words in WORD_LISTS[language].values()
        for word in words
        if normalized_words(word) not in ([word], [""])
    }
    assert changed == set()


def test_offensive_words_are_in_no_english_list():
    """A slur is not an identity term: dropped, the model could not learn it as abuse."""
    listed = frozenset().union(*WORD_LISTS["en"].values())
    assert listed.isdisjoint(lexicons.OFFENSIVE_WORDS)
