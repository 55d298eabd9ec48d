"""The article part of a page dump: its title chosen among the short lines at the top, its
byline, date and URL read, and the rest kept as its text."""

from __future__ import annotations

from moderation.comments import Thread
from moderation.formats.page_text.article import article_parts

PARAGRAPH = (
    "The council voted last night to keep the harbour library open on Sundays for another year."
)
TITLE = "Library Stays Open On Sundays"


def article(lines: list[str], title: str | None = None) -> Thread:
    thread = Thread(id="p", title=title)
    article_parts(lines, thread, title_known=title is not None)
    return thread


def test_the_title_is_chosen_over_the_site_s_name_and_menu_and_the_byline_is_read():
    thread = article(
        ["Harbour News", "Home | Local | Sport", TITLE, "By Sam Writer | March 3, 2024", ""]
        + [PARAGRAPH, "", "Second paragraph."]
    )
    assert (thread.title, thread.author, thread.published) == (
        TITLE,
        "Sam Writer",
        "2024-03-03T00:00",
    )
    assert thread.article == f"{PARAGRAPH}\n\nSecond paragraph."


def test_a_bare_name_above_a_date_is_the_author_and_a_url_line_the_thread_s_url():
    thread = article(
        [TITLE, "Sam Writer", "March 3, 2024", "https://news.example/library", PARAGRAPH]
    )
    assert (thread.title, thread.author, thread.url) == (
        TITLE,
        "Sam Writer",
        "https://news.example/library",
    )
    assert thread.article == PARAGRAPH


def test_labelled_source_and_posted_by_lines_are_meta_not_text():
    thread = article(
        ["Source: https://news.example/library", TITLE, "Posted by Sam Writer on March 3, 2024"]
        + [PARAGRAPH]
    )
    assert (thread.url, thread.author, thread.published) == (
        "https://news.example/library",
        "Sam Writer",
        "2024-03-03T00:00",
    )
    assert thread.article == PARAGRAPH


def test_a_known_title_is_kept_and_left_out_of_the_text():
    thread = article([TITLE, "", PARAGRAPH], title=TITLE)
    assert thread.title == TITLE and thread.article == PARAGRAPH


def test_a_page_of_meta_only_has_no_article():
    assert article([TITLE, "March 3, 2024"]).article is None
