"""The comment systems' declarations: selectors every system can use, the depths Hacker News
and Reddit print, and a page of each kind read through its declaration."""

from __future__ import annotations

import pytest

from moderation.formats.page_html.dom import parse
from moderation.formats.page_html.markup import Reading
from moderation.formats.page_html.systems import SYSTEMS
from moderation.formats.page_text.dating import DateReader

BY_NAME = {system.name: system for system in SYSTEMS}


def read(system: str, body: str) -> list[tuple]:
    root = parse(f"<body>{body}</body>").root
    assert BY_NAME[system].on(root)
    found = Reading(root, BY_NAME[system], DateReader()).read()
    return [(c.author, c.text, c.depth) for c in found]


def test_system_names_are_unique():
    assert len(BY_NAME) == len(SYSTEMS)


@pytest.mark.parametrize("system", SYSTEMS, ids=lambda s: s.name)
def test_every_selector_of_a_system_is_one_the_tree_can_match(system):
    root = parse("<body><p>x</p></body>").root
    fields = (system.comment, system.author, system.time, system.body, system.drop, system.quote)
    for selectors in (*fields, system.opening, system.count, system.present, *system.fallbacks):
        for selector in filter(None, (s.strip() for s in selectors.split(","))):
            assert root.css(selector) == [], selector  # raises on a malformed selector


def hacker_news_row(who: str, text: str, indent: str) -> str:
    return (
        f'<tr class="athing comtr"><td><table><tr>{indent}<td>'
        f'<a class="hnuser">{who}</a> <span class="age">2 hours ago</span>'
        f'<div class="commtext">{text}</div><div class="reply">reply</div>'
        "</td></tr></table></td></tr>"
    )


def test_hacker_news_depths_come_from_the_indent_cell_or_the_spacer_width():
    rows = [
        hacker_news_row("ann", "Top.", '<td class="ind" indent="0"></td>'),
        hacker_news_row("bo", "Reply.", '<td class="ind" indent="1"></td>'),
        hacker_news_row("cy", "Deeper.", '<td class="ind"><img src="s.gif" width="80"></td>'),
    ]
    assert read("hackernews", f"<table>{''.join(rows)}</table>") == [
        ("ann", "Top.", 0),
        ("bo", "Reply.", 1),
        ("cy", "Deeper.", 2),
    ]


def test_reddit_s_printed_level_is_the_depth():
    comment = (
        '<div class="Comment"><span>level {level}</span><a href="/user/{who}">{who}</a>'
        '<div data-testid="comment"><p>{text}</p></div></div>'
    )
    body = comment.format(level=1, who="ann", text="Top.") + comment.format(
        level=2, who="bo", text="Reply."
    )
    assert read("reddit", body) == [("ann", "Top.", 0), ("bo", "Reply.", 1)]


def test_a_wordpress_theme_without_li_comments_is_read_by_a_fallback():
    body = (
        '<article class="comment-body"><div class="comment-author"><b class="fn">Ann</b></div>'
        '<div class="comment-content"><p>Hello.</p></div><a class="reply">Reply</a></article>'
    )
    assert read("wordpress", body) == [("Ann", "Hello.", 0)]
