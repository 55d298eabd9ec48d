"""Language detection on short invented comments, and the batch walk against py3langid itself."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderation.languages import NAMES, UNDETERMINED, language_name
from moderation.languages.detect import (
    LANGUAGES,
    MAX_BYTES,
    LanguageDetector,
    detect_languages,
    prepared,
)

COMMENTS = {
    "en": [
        "Thanks for posting this, I had no idea the bridge was closing.",
        "You people never read the article before commenting",
        "What a load of rubbish from the council again",
        "Great recipe, my kids loved it",
    ],
    "de": [
        "Danke für den Artikel, sehr interessant!",
        "Das ist doch völliger Unsinn, was Sie da schreiben.",
        "Wann fährt der Bus am Sonntag wieder?",
        "Ich habe den Kuchen gestern gebacken, einfach lecker.",
    ],
    "pt": [
        "Obrigado pela matéria, muito boa mesmo",
        "Você não sabe do que está falando",
        "Alguém sabe quando abre a nova estação?",
        "Adorei o bolo, fiz ontem e ficou ótimo",
    ],
    "fr": [
        "Merci pour cet article, très intéressant.",
        "Vous n'avez rien compris à la situation",
        "Quelqu'un sait quand la piscine rouvre ?",
        "J'ai essayé la recette hier soir, un vrai régal",
    ],
    "es": [
        "Gracias por el artículo, muy interesante.",
        "No tienes ni idea de lo que estás diciendo",
        "¿Alguien sabe cuándo abre la nueva biblioteca?",
        "Hice la receta ayer y quedó buenísima",
    ],
}

# languages no model is shipped for: they must not be taken for one that has a model
OTHERS = {
    "it": [
        "Grazie per l'articolo, molto interessante davvero.",
        "Non hai capito niente di quello che è successo",
        "Qualcuno sa quando riapre la piscina comunale?",
    ],
    "nl": [
        "Bedankt voor het artikel, heel interessant.",
        "Weet iemand wanneer het zwembad weer open gaat?",
    ],
    "pl": [
        "Dziękuję za artykuł, bardzo ciekawy.",
        "Czy ktoś wie, kiedy otwierają nowy basen?",
    ],
}


@pytest.mark.parametrize("language", sorted(COMMENTS))
def test_short_comments_in_each_language_are_found(language):
    assert detect_languages(COMMENTS[language]) == [language] * len(COMMENTS[language])


@pytest.mark.parametrize("language", sorted(OTHERS))
def test_a_language_without_a_model_is_not_taken_for_one_with_a_model(language):
    found = detect_languages(OTHERS[language])
    assert found == [language] * len(OTHERS[language])


def test_texts_with_nothing_to_go_on_are_undetermined():
    texts = ["+1", "😂😂😂", "https://example.org/some/page", "@someone", "12:30", ""]
    assert detect_languages(texts) == [UNDETERMINED] * len(texts)


def test_links_and_mentions_are_not_language():
    text = "@hans_mueller https://example.org/the-english-words-here Danke, sehr gut erklärt!"
    assert detect_languages([text]) == ["de"]


def test_a_batch_gives_each_text_the_answer_it_gets_alone():
    texts = [t for group in (*COMMENTS.values(), *OTHERS.values()) for t in group]
    texts += ["Das ist " * 200, "ok", "x\x00y separated by the separator itself"]
    assert detect_languages(texts) == [detect_languages([t])[0] for t in texts]


def test_all_capitals_read_as_the_same_words():
    assert detect_languages(["DAS IST EINE FRECHHEIT, WIRKLICH"]) == ["de"]


def test_preferred_languages_win_close_calls_only():
    # a site with a Portuguese model: a Portuguese line is Portuguese even where a neighbour
    # fits as well; with no preference at all the same detector may name the neighbour
    preferring = LanguageDetector(preferred=("pt",))
    assert preferring.detect(COMMENTS["pt"]) == ["pt"] * len(COMMENTS["pt"])
    # ...but a clearly German comment is not made Portuguese by the preference
    assert preferring.detect(COMMENTS["de"]) == ["de"] * len(COMMENTS["de"])


def test_names_of_languages():
    assert language_name("de") == "German"
    assert language_name("xx") == "xx"


_words = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzäöüßéèçãõñáíóú ,.!?'"),
    min_size=3,
    max_size=MAX_BYTES // 2,
)


@pytest.fixture(scope="module")
def identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    found = LanguageIdentifier.from_model_file(MODEL_FILE)
    found.set_languages(list(LANGUAGES))
    return found


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(texts=st.lists(_words, min_size=1, max_size=8))
def test_the_batch_walk_gives_py3langids_own_answer(identifier, texts):
    detector = LanguageDetector(preferred=(), margin=0.0)
    encoded, enough = prepared(texts)
    _, scores, _ = detector.scores(texts)
    found = detector.detect(texts)
    for text, piece, has_letters, row, language in zip(texts, encoded, enough, scores, found):
        if not has_letters or not piece.strip() or not row.max() > -float("inf"):
            # too few letters, or no n-gram of the model in it: py3langid names a language
            # anyway (its first); we say undetermined
            assert language == UNDETERMINED
            continue
        assert language == identifier.classify(text)[0]


def test_plain_english_is_taken_without_the_model_only_where_english_is_preferred():
    from moderation.languages.detect import _prepare

    texts = [
        "I think they should have been here before the vote, what a mess",
        "Het is in de stad was het druk, we gaan morgen weer",  # Dutch: none of the words
        "Ich glaube, they are schon hier",  # two of the words only
        "Café: they were there and it was fine",  # not plain ASCII
    ]
    _, _, english = _prepare(texts, shortcut=True)
    assert english == [True, False, False, False]
    assert LanguageDetector(preferred=("de",)).detect(texts[:1]) == ["en"]  # by the model
    assert LanguageDetector().detect(texts[:2]) == ["en", "nl"]


def test_the_cached_arrays_give_the_answers_of_the_built_ones(tmp_path, monkeypatch):
    from moderation.languages import detect

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    texts = [t for group in (*COMMENTS.values(), *OTHERS.values()) for t in group]
    built = detect._Model.load(LANGUAGES)  # nothing cached yet: built and written
    assert list(tmp_path.rglob("nextmove.npy"))
    cached = detect._Model.load(LANGUAGES)
    assert isinstance(cached.nextmove, np.ndarray) and not isinstance(cached.nextmove, np.memmap)
    encoded, _ = prepared(texts)
    assert np.array_equal(built.scores(encoded), cached.scores(encoded))
    (next(tmp_path.rglob("ptc.npy"))).write_bytes(b"not an array")  # a broken cache: rebuilt
    assert np.array_equal(detect._Model.load(LANGUAGES).scores(encoded), built.scores(encoded))


def test_a_known_code_has_its_name_and_an_unknown_one_is_itself():
    assert language_name("de") == "German"
    assert language_name(UNDETERMINED) == "undetermined"
    assert language_name("xx") == "xx"


def test_every_shipped_language_has_a_name():
    assert {"en", "de", "pt", "fr", "es"} <= set(NAMES)
