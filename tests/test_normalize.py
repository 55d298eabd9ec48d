from hypothesis import given
from hypothesis import strategies as st

from moderation.normalize import normalize, normalize_many


def test_platform_placeholders_are_removed():
    assert normalize("RT @someone: you are late again &amp; URL") == "you are late again &"
    assert normalize("@USER @USER what a day URL") == "what a day"
    assert normalize("see https://example.org/a?b=1 and www.example.com too") == "see and too"
    assert normalize("thanks /u/someone_here") == "thanks"


def test_markup_entities_and_hashtags():
    assert normalize("<p>Nice <b>work</b></p>") == "nice work"
    assert normalize("#GoodNews for the town &#128514;") == (
        "goodnews for the town face with tears of joy"
    )


def test_pretokenised_text_is_rejoined():
    assert normalize("I do n't think it 's fair , really .") == "i don't think it's fair , really ."
    assert normalize("They do n\u2019t") == "they don't"


def test_stretched_letters_and_repeated_punctuation():
    assert normalize("Sooooo GOOOOD!!!!") == "soo good!"


def test_obfuscated_words_are_restored():
    assert normalize("you 1d10t") == "you idiot"
    assert normalize("f*ck this and sh!t") == "fuck this and shit"
    assert normalize("f**k") == "fuck"
    assert normalize("what an id\u200biot") == "what an idiot"


def test_numbers_and_abbreviations_are_left_alone():
    assert (
        normalize("the 2nd vote in 2020, covid19 and 4chan")
        == "the 2nd vote in 2020, covid19 and 4chan"
    )
    assert normalize("e.g. the u.s. plan") == "e.g. the u.s. plan"
    assert normalize("Stop!") == "stop!"


def test_curly_quotes_and_width_forms():
    assert normalize("don\u2019t") == "don't"
    assert normalize("\uff46\uff55\uff4c\uff4c width") == "full width"


def test_max_chars_bounds_the_work():
    assert normalize_many(["a" * 10 + " b" * 10_000], max_chars=20) == [
        normalize("a" * 10 + " b" * 5)
    ]


@given(st.text(max_size=300))
def test_any_text_gives_a_clean_single_spaced_string(text):
    result = normalize(text)
    assert result == result.strip()
    assert "  " not in result
    assert result == result.lower() or not result.isascii()


def test_emoji_become_the_words_of_their_names():
    assert normalize("you 🤡") == "you clown face"
    assert normalize("go away 🐀🏾") == "go away rat"


def test_words_spelt_out_letter_by_letter_are_joined():
    assert normalize("you absolute i d i o t") == "you absolute idiot"
    assert normalize("what a m-o-r-o-n") == "what a moron"
    assert normalize("U S A and a b c") == "u s a and a b c"  # three letters: left alone


def test_a_full_stop_is_not_a_mask():
    assert normalize("the U.S.A. is") == "the u.s.a. is"
    assert normalize("plan a.") == "plan a."


def test_negation_marks_the_words_it_turns_around():
    assert normalize("They don't deserve respect.", negation=3) == (
        "they don't not_deserve not_respect."
    )
    # stop words are passed over; a clause ends the scope
    assert normalize("I would never trust a doctor, I trust nurses", negation=3) == (
        "i would never not_trust a not_doctor, i trust nurses"
    )
    assert normalize("They don't deserve respect.") == "they don't deserve respect."
