"""What an element of a comment is, read from its markup: author, time, text, quote, furniture."""

from __future__ import annotations

import pytest

from moderation.formats.page_html.dom import parse
from moderation.formats.page_html.markers import (
    author_rank,
    is_body,
    is_furniture,
    is_quote,
    loose_date,
    machine_time,
    own_texts,
    short_text,
    stamp,
    time_rank,
)
from moderation.formats.page_text.dating import DateReader


def element(markup: str):
    return parse(markup).css_first("body").child


@pytest.mark.parametrize(
    "markup, rank",
    [
        ('<span itemprop="author">A</span>', 0),
        ('<span class="username">A</span>', 1),
        ('<span class="comment-author">A</span>', 2),
        ("<cite>A</cite>", 3),
        ('<a href="/users/ann">A</a>', 3),
        ('<span class="user">A</span>', 4),
        ('<span class="author-bio-text">A</span>', None),  # its last word is not an author's
        ("<p>A</p>", None),
    ],
)
def test_author_rank_from_surest_to_weakest(markup, rank):
    assert author_rank(element(markup)) == rank


def test_the_element_an_aria_comment_is_labelled_by_is_its_author():
    tree = parse('<article role="comment" aria-labelledby="who"><b id="who">Ann</b></article>')
    assert author_rank(tree.css_first("b")) == 2
    other = parse('<section aria-labelledby="who"><b id="who">Ann</b></section>')
    assert author_rank(other.css_first("b")) is None


@pytest.mark.parametrize(
    "markup, rank",
    [
        ("<time>x</time>", 0),
        ('<span itemprop="dateCreated">x</span>', 0),
        ('<span class="comment-date">x</span>', 1),
        ('<abbr title="2024-03-03">x</abbr>', 2),
        ("<span>x</span>", None),
    ],
)
def test_time_rank(markup, rank):
    assert time_rank(element(markup)) == rank


@pytest.mark.parametrize(
    "markup, body, furniture",
    [
        ('<div class="comment-text">x</div>', True, False),
        ('<div itemprop="text">x</div>', True, False),
        ('<div class="reply-button">x</div>', False, True),
        ("<form></form>", False, True),
        ('<div class="meta text">x</div>', True, False),  # a body is never furniture
    ],
)
def test_bodies_and_furniture(markup, body, furniture):
    node = element(markup)
    assert (is_body(node), is_furniture(node)) == (body, furniture)


@pytest.mark.parametrize(
    "markup, quote",
    [
        ("<blockquote>x</blockquote>", False),  # a quote of anything: not of a post
        ("<blockquote><cite>Ann</cite>x</blockquote>", True),
        ('<blockquote data-author="Ann">x</blockquote>', True),
        ('<div class="bbCodeQuote">x</div>', True),
    ],
)
def test_quotes_of_other_posts(markup, quote):
    assert is_quote(element(markup)) is quote


@pytest.mark.parametrize(
    "value, iso",
    [
        ("2024-03-03T09:41:12+02:00", "2024-03-03T09:41"),  # the page's wall clock
        ("2024-03-03T09:41Z", "2024-03-03T09:41"),
        ("2024-03-03", "2024-03-03"),
        ("1709458860", "2024-03-03T09:41"),
        ("1709458860000", "2024-03-03T09:41"),
        ("March 3", None),
        ("99999999999999", None),
    ],
)
def test_stamp_reads_iso_times_and_epoch_seconds(value, iso):
    assert stamp(value) == iso


def test_machine_time_takes_the_first_attribute_that_is_a_time():
    node = element('<time title="nope" data-time="2024-03-03T10:00">x</time>')
    assert machine_time(node) == "2024-03-03T10:00"
    assert machine_time(element("<time>x</time>")) is None


def test_own_texts_and_a_loose_date_beside_the_author():
    node = element("<div>by <a>Ann</a> » Sun Jan 10, 2016 4:46 pm <span>zz</span></div>")
    assert own_texts(node) == ["by", "Sun Jan 10, 2016 4:46 pm"]
    found = loose_date(node, DateReader())
    assert found is not None and found.iso == "2016-01-10T16:46"


def test_a_sentence_mentioning_a_day_is_not_a_loose_date():
    node = element(
        "<div>I met <a>Ann</a> on Sun Jan 10, 2016 at the market in the old square</div>"
    )
    assert loose_date(node, DateReader()) is None


def test_short_text_is_none_when_empty_or_long():
    assert short_text(element("<p>hi</p>")) == "hi"
    assert short_text(element("<p></p>")) is None
    assert short_text(element("<p>" + "x" * 121 + "</p>")) is None
