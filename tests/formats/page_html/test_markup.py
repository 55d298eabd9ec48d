"""Reading a page's comments by one markup declaration: what its selectors name, what the
markers find where they name nothing, and nesting from the tree, classes or indentation."""

from __future__ import annotations

from moderation.formats.page_html.dom import parse
from moderation.formats.page_html.markup import (
    CommentMarkup,
    Reading,
    depth_from_classes,
    depths_from_indent,
    unique,
)
from moderation.formats.page_text.dating import DateReader

FLAT = CommentMarkup("flat", comment="div.c")


def read(body: str, markup: CommentMarkup = FLAT) -> list[tuple]:
    root = parse(f"<body>{body}</body>").root
    found = Reading(root, markup, DateReader()).read()
    return [(c.author, c.time, c.text, c.quoted, c.parent, c.depth) for c in found]


def comment(who: str, text: str, attributes: str = "") -> str:
    return f'<div class="c"{attributes}><b class="author">{who}</b><p class="text">{text}</p></div>'


def test_replies_inside_their_parent_s_element_nest_and_are_not_its_text():
    item = (
        '<li class="comment"><span class="comment-author">{who}</span>'
        '<time datetime="{iso}">{printed}</time>'
        '<div class="comment-content"><p>{text}</p></div><a class="reply">Reply</a>{replies}</li>'
    )
    reply = item.format(
        who="Bo", iso="2024-03-04", printed="March 4, 2024", text="Hi Ann.", replies=""
    )
    top = item.format(
        who="Ann",
        iso="2024-03-03T09:41",
        printed="March 3, 2024 at 9:41 am",
        text="Hello.",
        replies=f'<ol class="children">{reply}</ol>',
    )
    assert read(f"<ol>{top}</ol>", CommentMarkup("wp", comment="li.comment")) == [
        ("Ann", "2024-03-03T09:41", "Hello.", [], None, 0),
        ("Bo", "2024-03-04T00:00", "Hi Ann.", [], 0, 1),
    ]


def test_a_flat_list_nests_by_its_depth_classes():
    body = "".join(
        comment(who, text).replace('class="c"', f'class="c depth-{d}"')
        for who, text, d in [("Ann", "One.", 1), ("Bo", "Two.", 2), ("Cy", "Three.", 1)]
    )
    assert [(c[0], c[4], c[5]) for c in read(body)] == [
        ("Ann", None, 0),
        ("Bo", 0, 1),
        ("Cy", None, 0),
    ]


def test_a_flat_list_without_depth_classes_nests_by_its_indentation():
    body = comment("Ann", "One.", ' style="padding-left:0px"')
    body += comment("Bo", "Two.", ' style="padding-left:30px"')
    assert [(c[0], c[4], c[5]) for c in read(body)] == [("Ann", None, 0), ("Bo", 0, 1)]


def test_a_quote_of_another_post_is_set_apart_from_the_comment_s_own_words():
    body = (
        '<div class="c"><b class="author">Ann</b><div class="text">'
        "<blockquote><cite>Bo wrote:</cite> Quoted words.</blockquote><p>My answer.</p></div></div>"
    )
    assert read(body) == [("Ann", None, "My answer.", ["Bo wrote: Quoted words."], None, 0)]


def test_a_relative_time_gives_none_and_a_numeric_date_takes_its_order_from_the_markup():
    ago = '<div class="c"><b class="author">Ann</b><span class="date">3 hours ago</span>'
    assert read(ago + '<div class="text">Now.</div></div>')[0][1] is None
    numeric = '<div class="c"><b class="author">Ann</b>'
    numeric += (
        '<time datetime="2019-09-04T10:00">04-09-2019</time><div class="text">Now.</div></div>'
    )
    assert read(numeric)[0][1] == "2019-09-04T00:00"  # the 4th of September, as printed


def test_declared_selectors_are_used_and_dropped_elements_left_out():
    markup = CommentMarkup(
        "d", comment="div.c", author=".who", time=".when", body=".words", drop=".ad"
    )
    body = (
        '<div class="c"><i class="who">Ann</i><i class="when">March 3, 2024</i>'
        '<div class="words">Real text.<span class="ad">Buy now</span></div></div>'
    )
    assert read(body, markup) == [("Ann", "2024-03-03T00:00", "Real text.", [], None, 0)]


def test_comment_elements_fall_back_and_skip_hidden_ones():
    markup = CommentMarkup("t", comment="li.comment", fallbacks=("div.c",))
    root = parse('<body><div class="c">x</div><div class="c" hidden>y</div></body>').root
    assert [n.text() for n in markup.comment_elements(root)] == ["x"]
    assert markup.on(root)
    present = CommentMarkup("t", comment="div.c", present="#system")
    assert not present.on(root)


def test_depth_helpers_and_unique():
    tree = parse(
        '<div class="c level-3"></div><div class="comment--indented"></div>'
        '<div data-depth="2"></div><div aria-level="2"></div>'
        '<div class="replies"><div class="inner"></div></div><p></p>'
    )
    nodes = tree.css("div.c, div.comment--indented, div[data-depth], div[aria-level], div.inner, p")
    assert [depth_from_classes(n) for n in nodes] == [2, 1, 2, 1, 1, None]
    assert depths_from_indent(nodes) == [None] * len(nodes)  # no indentation printed
    twice = [nodes[0], nodes[1], nodes[0]]
    assert unique(twice) == [nodes[0], nodes[1]]
