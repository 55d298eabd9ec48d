"""The article of a saved page: its title, byline, date, body and declared comment count.
(Named apart from page_text's test_article.py: two test files of one name cannot both be
collected, so moderation/formats/page_html/article.py stays in test_layout.py's list.)"""

from __future__ import annotations

import pytest

from moderation.formats.page_html.article import (
    article_body,
    article_meta,
    byline_name,
    declared_count,
    printed_date,
    title_of,
)
from moderation.formats.page_html.dom import parse
from moderation.formats.page_text.dating import DateReader


@pytest.mark.parametrize(
    "printed, name",
    [
        ("von Kathrin", "Kathrin"),
        ("Eingestellt von Ann", "Ann"),
        ("Autor: Rechtsanwalt Ann Lee", "Ann Lee"),
        ("By Ann Lee | March 3", "Ann Lee"),
        ("by ann_lee on March 3, 2024", "ann_lee"),
        ("By the editors at www.example.com", None),
    ],
)
def test_the_name_in_a_printed_byline(printed, name):
    assert byline_name(printed) == name


def test_a_byline_without_a_name_gives_none():
    assert byline_name("Posted on March 3") is None


def test_the_title_is_the_heading_that_is_most_of_what_the_metadata_calls_the_page():
    doc = parse(
        "<html><head><title>Harbour News » Local » Library Stays Open</title>"
        '<meta property="og:title" content="Library Stays Open"></head><body>'
        '<h1>Harbour News</h1><h2>Library Stays Open</h2><div id="comments">'
        "<h3>Library Stays Open?</h3></div></body></html>"
    )
    comments = {doc.css_first("#comments").mem_id}
    assert title_of(doc.root, doc.css_first("body"), comments) == "Library Stays Open"


def test_without_a_heading_the_title_is_the_metadata_s_first_part():
    doc = parse("<html><head><title>Site - A Post Title</title></head><body><p>x</p></body></html>")
    assert title_of(doc.root, doc.css_first("body"), set()) == "Site"


def test_a_forum_s_prefix_label_is_not_part_of_the_title():
    doc = parse('<html><body><h1><span class="label">Solved</span> Pump Will Not Start</h1></body>')
    assert title_of(doc.root, doc.css_first("body"), set()) == "Pump Will Not Start"


@pytest.mark.parametrize(
    "markup, count",
    [
        ("<h2>953 Kommentare</h2>", 953),
        ('<a href="#comments">Comments (3)</a>', 3),
        ("<h3>5 thoughts on “A Post”</h3>", 5),
        ('<span class="comment-count">12</span>', 12),
        ('<span class="count">12 likes</span>', None),
        ("<p>3 comments</p>", None),  # a sentence of the text, not a counter
    ],
)
def test_the_declared_comment_count(markup, count):
    assert declared_count(parse(f"<body>{markup}</body>").css_first("body"), set()) == count


def test_a_comment_system_s_own_counter_comes_first():
    body = parse('<body><span class="wpd-cc-value">1.204</span><h2>3 comments</h2></body>')
    assert declared_count(body.css_first("body"), set(), ".wpd-cc-value") == 1204


def test_structured_data_gives_author_and_date_and_the_body_is_outside_the_comments():
    doc = parse(
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle", '
        '"headline": "Library Stays Open", "author": {"name": "Sam Writer"}, '
        '"datePublished": "2024-03-03T09:00:00+01:00"}</script></head><body>'
        '<h1>Library Stays Open</h1><div class="entry-content"><p>Text.</p></div>'
        '<ol id="c"><li class="comment"><span class="author">Ann</span>'
        '<time datetime="2024-03-04">x</time></li></ol></body></html>'
    )
    root, first = doc.css_first("body"), doc.css_first("li.comment")
    comments = {doc.css_first("#c").mem_id, first.mem_id}
    meta = article_meta(doc.root, root, comments, first)
    assert (meta.title, meta.author, meta.published) == (
        "Library Stays Open",
        "Sam Writer",
        "2024-03-03T09:00",
    )
    assert article_body(root, comments, first).attributes["class"] == "entry-content"


def test_a_labelled_byline_wins_over_metadata_that_is_no_name():
    doc = parse(
        '<html><head><meta name="author" content="https://x.example/u/1"></head><body>'
        "<h1>A Title Here</h1><article><p>Autor: Ann Lee</p><p>Text.</p></article>"
        '<time datetime="2024-03-05T10:00">x</time></body></html>'
    )
    meta = article_meta(doc.root, doc.css_first("body"), set(), None)
    assert (meta.author, meta.published) == ("Ann Lee", "2024-03-05T10:00")


def test_a_date_printed_near_the_title():
    lines = ["Site", "Library Stays Open", "By Sam | March 3, 2024"]
    assert printed_date(lines, "Library Stays Open", DateReader()) == "2024-03-03T00:00"
    assert printed_date(lines, "Another Title", DateReader()) is None
    assert printed_date(lines, None, DateReader()) is None
