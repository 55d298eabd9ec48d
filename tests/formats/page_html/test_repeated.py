"""A page's own comment layout, inferred from the elements that repeat with a name and a time."""

from __future__ import annotations

import pytest

from moderation.formats.page_html.dom import parse
from moderation.formats.page_html.repeated import infer, shapes
from moderation.formats.page_text.dating import DateReader

ENTRY = (
    '<div class="entry"><span class="author">{who}</span><time>March {day}, 2024</time>'
    "<p>Hi</p></div>"
)
THREE = [("Ann", 3), ("Bo", 4), ("Cy", 5)]


def inferred(body: str):
    return infer(parse(f"<body>{body}</body>").root, DateReader())


def test_shapes_are_classes_without_states_or_numbers_a_numbered_id_and_a_role():
    node = parse('<div class="Comment-Box odd c12 x:y" id="post-123" role="comment"></div>')
    assert shapes(node.css_first("div")) == [
        "div.Comment-Box",
        "div[id^='post']",
        "div[role='comment']",
    ]
    assert shapes(parse('<div id="main"></div>').css_first("div")) == []


def test_elements_repeating_with_a_name_and_a_time_are_the_comments():
    markup = inferred("<h1>T</h1>" + "".join(ENTRY.format(who=w, day=d) for w, d in THREE))
    assert markup is not None
    assert (markup.name, markup.comment, markup.forum) == ("inferred", "div.entry", False)


def test_a_thread_s_posts_are_a_forum():
    post = (
        '<div class="post"><a href="/members/{who}">{who}</a><time>March {day}, 2024</time></div>'
    )
    markup = inferred("".join(post.format(who=w, day=d) for w, d in [("ann", 3), ("bo", 4)]))
    assert markup is not None and (markup.comment, markup.forum) == ("div.post", True)


def test_nothing_repeating_a_sidebar_and_a_lone_byline_infer_nothing():
    assert inferred("<p>nothing</p>") is None
    assert (
        inferred("<aside>" + "".join(ENTRY.format(who=w, day=d) for w, d in THREE) + "</aside>")
        is None
    )
    byline = '<div class="byline"><span class="author">Ann</span><time>March 3, 2024</time></div>'
    assert inferred(byline + "<p>text</p>") is None


@pytest.mark.parametrize(
    "name, count, found",
    [("comment", 3, "div.comment"), ("comment", 2, None), ("box", 3, None)],
)
def test_comments_without_names_must_say_comment_and_be_three_or_more(name, count, found):
    item = '<div class="{name}"><time>March {day}, 2024</time><p>Hi</p></div>'
    markup = inferred("".join(item.format(name=name, day=d) for d in range(3, 3 + count)))
    assert (markup.comment if markup else None) == found
