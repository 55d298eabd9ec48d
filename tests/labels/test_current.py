"""Each comment's current answer as the store hands it over: ids and one character each."""

from __future__ import annotations

import pytest

from moderation.labels.current import CurrentAnswers

IDS = ["c1", "c2", "c3", "c4", "c5"]
CODES = "cAdsp"  # civil, weak abusive, disagreement, skipped, conspiracy


def test_current_answers_decodes_each_character_to_a_state_and_label():
    answers = CurrentAnswers(IDS, CODES)
    assert answers["c1"] == ("labelled", "civil")
    assert answers["c2"] == ("weak", "abusive")
    assert answers["c3"] == ("disagreement", None)
    assert answers["c4"] == ("skipped", None)
    assert answers["c5"] == ("labelled", "conspiracy")


def test_current_answers_is_a_mapping_in_the_stores_order():
    answers = CurrentAnswers(IDS, CODES)
    assert list(answers) == IDS
    assert len(answers) == 5
    assert "c2" in answers and "other" not in answers and 3 not in answers
    assert dict(answers.items()) == {cid: answers[cid] for cid in IDS}
    with pytest.raises(KeyError):
        answers["other"]


def test_current_label_is_none_unless_settled():
    answers = CurrentAnswers(IDS, CODES)
    assert [answers.label(cid) for cid in [*IDS, "unanswered"]] == [
        "civil",
        "abusive",
        None,
        None,
        "conspiracy",
        None,
    ]


def test_with_state_picks_the_comments_in_any_of_the_states():
    answers = CurrentAnswers(IDS, CODES)
    assert answers.with_state("labelled") == {"c1", "c5"}
    assert answers.with_state("weak", "skipped") == {"c2", "c4"}
    assert answers.with_state() == set()


def test_current_answers_of_an_empty_store():
    answers = CurrentAnswers([], "")
    assert len(answers) == 0 and "c1" not in answers and answers.with_state("labelled") == set()
