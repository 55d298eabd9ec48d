"""The inferred layout's page-level readings: the lines kept from a dump, and the comment count
a page declares."""

from __future__ import annotations

import pytest

from moderation.formats.page_text.dating import DateReader
from moderation.formats.page_text.inferred import dateline, declared, headline, prepare


@pytest.mark.parametrize(
    "line, count",
    [
        ("Readers' comments (8)", 8),
        ("Share | Print | 9 comments", 9),
        ("7 Gedanken zu „Hochbeet im Frühling“", 7),
        ("Une réponse à « Confiture de coings »", 1),
        ("Posted by Ines at 9:41 AM No comments:", 0),
        ("6 Comments", 6),
    ],
)
def test_declared_counts_in_several_forms(line, count):
    found = declared(["A title", "", line, ""])
    assert found is not None and found[1] == count


def test_a_reactions_count_is_not_the_comment_count_when_one_is_stated():
    found = declared(["What do you think?", "12 Responses", "6 Comments"])
    assert found[1] == 6


def test_lynx_references_and_link_numbers_are_dropped():
    lines = prepare("[1]Home\n[2]6 Comments\nText\nReferences\n\n   1. https://a.example/\n")
    assert lines == ["Home", "6 Comments", "Text"]


def test_a_page_stating_no_count_declares_nothing_and_a_count_gives_its_line():
    assert declared(["A title", "", "no count here", ""]) is None
    found = declared(["A title", "2 comments"])
    assert found is not None and found[:2] == (1, 2)


def test_the_headline_is_above_the_byline_and_navigation_is_passed():
    text = (
        "Some text of the article that is long enough to be a paragraph of prose, and it goes "
        "on for a good while, longer than any title would."
    )
    lines = ["Home | News", "", "My headline on buses", "", "By Sam Writer", "", text]
    assert headline(lines, DateReader()) == ("My headline on buses", "Sam Writer")


def test_the_dateline_is_the_first_date_with_a_year():
    lines = ["My headline", "Mar 2", "March 3, 2024", "March 4, 2024"]
    assert dateline(lines, DateReader()) == "2024-03-03T00:00"
