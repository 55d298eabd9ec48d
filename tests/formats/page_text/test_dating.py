"""The page dumps' date reader: where a date stands in a line, what it reads as, and the date
shapes it learns from one page's unambiguous dates."""

from __future__ import annotations

import pytest

from moderation.formats.page_text.dating import DateReader, month_names


def test_a_date_is_found_inside_a_header_line_with_its_span():
    line = "Posted by Jo on March 3, 2024 at 3:41 pm | Reply"
    found = DateReader().find(line)
    assert found is not None
    assert found.iso == "2024-03-03T15:41"
    assert line[found.start : found.end] == "March 3, 2024 at 3:41 pm"


def test_a_line_without_a_date_or_too_long_to_be_a_header_has_none():
    reader = DateReader()
    assert reader.find("no date here") is None
    assert reader.find("the price rose 5 percent in 2024 after the vote") is None
    assert reader.find("x" * 201 + " March 3, 2024") is None


def test_a_relative_date_needs_its_ago_in_a_long_sentence():
    reader = DateReader()
    found = reader.find("3 days ago")
    assert (found.iso, found.relative) == (None, True)
    assert reader.find("I waited 3 days for the bus to come again today honestly") is None


def test_a_date_without_a_year_is_found_but_not_given_a_year():
    found = DateReader().find("Mar 5")
    assert found is not None and not found.relative
    assert found.iso is None


def test_a_post_number_before_a_date_is_not_its_day():
    line = "#4 March 5, 2024"
    found = DateReader().find(line)
    assert found.iso == "2024-03-05T00:00"
    assert line[found.start : found.end] == "March 5, 2024"


@pytest.mark.parametrize(
    "text, iso",
    [
        ("2024-03-05 14:02", "2024-03-05T14:02"),
        ("05.03.2024 14:02", "2024-03-05T14:02"),
        ("17.07, 2011", "2011-07-17T00:00"),
    ],
)
def test_numeric_dates_read_in_their_printed_order(text, iso):
    assert DateReader().find(text).iso == iso


def test_the_day_and_month_order_learnt_from_one_date_reads_the_ambiguous_ones():
    day_first = DateReader()
    assert [day_first.find(d).iso for d in ["13/03/2024 10:00", "04/03/2024 10:00"]] == [
        "2024-03-13T10:00",
        "2024-03-04T10:00",
    ]
    month_first = DateReader()
    assert [month_first.find(d).iso for d in ["03/13/2024 10:00", "04/03/2024 10:00"]] == [
        "2024-03-13T10:00",
        "2024-04-03T10:00",
    ]


def test_read_needs_a_year():
    reader = DateReader()
    assert reader.read("March 3") is None
    assert reader.read("3 March 2024") == "2024-03-03T00:00"


def test_month_names_cover_the_languages_read_and_their_abbreviations():
    names = month_names()
    assert {"march", "mär", "marzo", "maart"} <= names
    assert "bus" not in names


@pytest.mark.parametrize(
    "text, iso",
    [
        ("12 mars 2024 à 9 h 41 min", "2024-03-12T09:41"),
        ("12 de marzo de 2024 a las 9:41", "2024-03-12T09:41"),
        ("7 Marzo 2024 alle 12:15", "2024-03-07T12:15"),
        ("12 maart 2024 om 09:41", "2024-03-12T09:41"),
        ("9:58am Tue 12 Mar 24", "2024-03-12T09:58"),
        ("03-14-2024, 09:12 PM", "2024-03-14T21:12"),
        ("2 years ago •", None),
        ("vor 4 Tagen", None),
        ("Yesterday at 6:15 PM", None),
    ],
)
def test_dates_in_several_languages_and_relative_dates(text, iso):
    found = DateReader().find(text)
    assert found is not None
    assert found.iso == iso


def test_a_date_shape_learnt_once_reads_later_dates_of_that_shape():
    reader = DateReader()
    # the first date is ambiguous (3 March: day and month are both 3), the later ones are not
    dates = ["March 3, 2024 at 3:41 pm", "March 12, 2024 at 9:05 am", "April 30, 2024 at 12:00 am"]
    assert [reader.find(d).iso for d in dates] == [
        "2024-03-03T15:41",
        "2024-03-12T09:05",
        "2024-04-30T00:00",
    ]


@pytest.mark.parametrize(
    ("printed", "iso", "relative"),
    [
        ("2024年3月11日 19:02", "2024-03-11T19:02", False),
        ("2024年3月11日(月) 19時02分", "2024-03-11T19:02", False),
        ("2024.03.11. 19:02", "2024-03-11T19:02", False),
        ("입력 2024.03.11. 오후 7:02", "2024-03-11T19:02", False),
        ("2024년 3월 11일 오전 9:05", "2024-03-11T09:05", False),
        ("2024/03/11 7:02 pm", "2024-03-11T19:02", False),
        ("3月11日 19:40", None, False),  # no year: a date, but no time is made up
        ("3時間前", None, True),
        ("3시간 전", None, True),
        ("3小时前", None, True),
        ("昨日 18:00", None, True),
    ],
)
def test_dates_in_cjk_scripts_and_year_first_order(printed, iso, relative):
    found = DateReader().find(printed)
    assert found is not None
    assert (found.iso, found.relative) == (iso, relative)


def test_a_sentence_with_numbers_is_not_a_date():
    reader = DateReader()
    assert reader.find("30分でも雨の日は長い。") is None
    assert reader.find("市は11日、発表した。") is None
