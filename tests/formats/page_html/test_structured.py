"""Comments a page states in schema.org terms: JSON-LD objects and microdata."""

from __future__ import annotations

import json

from moderation.formats.page_html.dom import parse
from moderation.formats.page_html.structured import MICRODATA, json_ld_comments, json_ld_objects


def page_with(*blocks: object) -> str:
    scripts = "".join(
        f'<script type="application/ld+json">{b if isinstance(b, str) else json.dumps(b)}</script>'
        for b in blocks
    )
    return f"<html><head>{scripts}</head><body><p>x</p></body></html>"


def test_json_ld_objects_are_every_object_nested_or_in_a_graph_and_bad_json_is_passed():
    root = parse(page_with("{not json", {"@graph": [{"@type": "A", "inner": {"@type": "B"}}]})).root
    assert [o.get("@type") for o in json_ld_objects(root)] == [None, "A", "B"]


def test_json_ld_comments_nest_replies_under_their_parent():
    article = {
        "@type": "BlogPosting",
        "comment": [
            {
                "@type": "Comment",
                "author": {"name": "Ann"},
                "text": "<p>First.</p>",
                "dateCreated": "2024-03-03T09:41:00Z",
                "comment": {"@type": "Comment", "author": ["Bo"], "text": "Reply."},
            },
            {"@type": "https://schema.org/Answer", "author": "Cy", "articleBody": "Answer."},
        ],
    }
    found = json_ld_comments(parse(page_with(article)).root)
    assert [(c.author, c.text, c.time, c.parent, c.depth) for c in found] == [
        ("Ann", "First.", "2024-03-03T09:41", None, 0),
        ("Bo", "Reply.", None, 0, 1),
        ("Cy", "Answer.", None, None, 0),
    ]


def test_json_ld_items_without_text_or_of_other_types_are_not_comments():
    article = {
        "@type": "BlogPosting",
        "comment": [
            {"@type": "Comment", "author": "Ann", "text": "  "},
            {"@type": "Person", "name": "Bo", "text": "not a comment"},
        ],
    }
    assert json_ld_comments(parse(page_with(article)).root) == []
    # a comment's own replies are read through it, not again as a list of their own
    lone = {"@type": "Comment", "text": "x", "comment": [{"@type": "Comment", "text": "y"}]}
    assert json_ld_comments(parse(page_with(lone)).root) == []


def test_microdata_finds_comment_elements_by_their_itemtype():
    body = (
        '<div itemscope itemtype="https://schema.org/Comment"><span itemprop="text">a</span></div>'
        '<div itemscope itemtype="https://schema.org/Person"></div>'
        '<div itemscope itemtype="https://schema.org/Answer"><span itemprop="text">b</span></div>'
    )
    root = parse(f"<body>{body}</body>").root
    assert [n.text(deep=True) for n in MICRODATA.comment_elements(root)] == ["a", "b"]
    assert MICRODATA.on(root)
    assert not MICRODATA.on(parse("<body><p>x</p></body>").root)
