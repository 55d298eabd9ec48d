"""Scripts written without spaces: words counted in characters, CJK prose and CJK names."""

from __future__ import annotations

import pytest

from moderation.formats.page_text.scripts import cjk_name, cjk_sentence, has_cjk, word_count


def test_spaced_words_are_counted_as_split_counts_them():
    assert word_count("the bus is late") == 4
    assert not has_cjk("the bus is late")


def test_a_run_of_kana_and_ideographs_counts_about_one_word_per_two_characters():
    assert has_cjk("市バスの新ダイヤ")
    assert word_count("市バスの新ダイヤ") == 4  # eight characters, one split word


def test_hangul_is_spaced_and_counts_once_per_word():
    assert word_count("김민지 씨 안녕하세요") == 3


@pytest.mark.parametrize(
    "text, expected",
    [
        ("山田花子", True),
        ("김민지", True),
        ("山田花子です。", False),  # ends like a sentence
        ("3号", False),  # a digit
        ("漢" * 13, False),  # too long for a name
        ("Anna", False),  # not CJK: the Latin name checks are elsewhere
    ],
)
def test_a_cjk_name_is_short_and_plain(text, expected):
    assert cjk_name(text) is expected


@pytest.mark.parametrize(
    "text, expected",
    [("漢字です。", True), ("これは、ペン", True), ("漢字です", False), ("Hello.", False)],
)
def test_cjk_prose_has_its_punctuation_or_a_sentence_end(text, expected):
    assert cjk_sentence(text) is expected


def test_words_names_and_sentences_without_spaces():
    assert word_count("市バスの新ダイヤ、4月から30分間隔に") >= 4
    assert cjk_name("佐藤健一") and cjk_name("김민지") and not cjk_name("駅にも止まるのだろうか。")
    assert cjk_sentence("やっと終バスが遅くなる。") and not cjk_sentence("王小明")
