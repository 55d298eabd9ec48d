"""The shapes of the known layouts' lines: comment headers, date lines, section headers and the
comment section itself."""

from __future__ import annotations

import pytest

from moderation.formats.page_text.shapes import (
    AuthorLine,
    bare_name,
    clean_name,
    date_line,
    find_comment_section,
    header_at,
    indent_of,
    marker_like,
    parse_author_line,
    section_header,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Jo Bloggs »", AuthorLine("Jo Bloggs", wants_date=True, dated=True)),
        (
            "Kim | March 3, 2020 at 10:00 am | Reply",
            AuthorLine("Kim", "2020-03-03T10:00", dated=True),
        ),
        ("Ann says:", AuthorLine("Ann", wants_date=True, dated=True)),
        ("Ann says: March 3, 2024 at 9:41 am", AuthorLine("Ann", "2024-03-03T09:41", dated=True)),
        ("Ann on March 3, 2024", AuthorLine("Ann", "2024-03-03T00:00", dated=True)),
        ("#12 Ann (mod) | March 3, 2024", AuthorLine("Ann", "2024-03-03T00:00", dated=True)),
        ("Bo in reply to Ann", AuthorLine("Bo", reply_to="Ann")),
    ],
)
def test_header_lines_give_their_author_date_and_parent(text, expected):
    assert parse_author_line(text) == expected


@pytest.mark.parametrize("text", ["The bus was late.", "Ann says: the bus is late"])
def test_text_and_says_followed_by_words_are_not_headers(text):
    assert parse_author_line(text) is None


@pytest.mark.parametrize(
    "text, iso",
    [
        ("March 3, 2024", "2024-03-03T00:00"),
        ("Posted on March 3, 2024 at 9:41 am", "2024-03-03T09:41"),
        ("3 years ago", ""),  # a date, but no year to give
        ("March 3", ""),
        ("I was born on March 3, 2024 in a town", None),  # a sentence with a date in it
    ],
)
def test_a_date_line_is_a_date_and_little_else(text, iso):
    assert date_line(text) == iso


@pytest.mark.parametrize(
    "line, expected",
    [
        ('3 Responses to "A Post"', (True, 3, "A Post")),
        ("12 comments", (True, 12, None)),
        ("No comments", (True, 0, None)),
        ("Comments", (False, None, None)),
        ("Comments (4)", (False, 4, None)),
        ("Some text", None),
    ],
)
def test_section_headers_strong_with_a_count_weak_without(line, expected):
    assert section_header(line) == expected


def test_headers_in_other_languages_only_when_asked_for():
    assert section_header("Kommentare") is None
    assert section_header("Kommentare", any_language=True) == (False, None, None)


def test_the_comment_section_skips_a_no_comments_header_when_another_follows():
    lines = ["Title", "No comments", "text", "Comments", "", "Ann says:", "hello"]
    assert find_comment_section(lines) == (3, None, None)
    assert find_comment_section(["Title", "2 comments", "x", "5 comments"]) == (1, 2, None)


def test_a_weak_header_without_a_comment_after_it_is_no_section():
    lines = ["Title", "Comments", "are what we read", "with care", "a", "b", "c", "d", "e"]
    assert find_comment_section(lines) is None


def test_a_bare_name_with_a_date_on_a_later_line_is_a_header_of_three_lines():
    found = header_at(["Ann Lee", "", "March 3, 2024", "Hi"], 0, "Ann Lee")
    assert found == (AuthorLine("Ann Lee", "2024-03-03T00:00", dated=True), 3)


def test_small_helpers_of_the_shapes():
    assert indent_of("\t  x") == 3
    assert clean_name("#3 Ann (mod)") == "Ann"
    assert bare_name("Ann Lee") and not bare_name("Ann lee") and not bare_name("Comments")
    assert marker_like("1. Kim") and marker_like("• Kim") and not marker_like("- Kim")
