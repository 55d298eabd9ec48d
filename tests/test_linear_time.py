"""Hostile inputs that cost quadratic time or memory before (issue 16, items 12, 14, 15): each
now runs in linear time. One large input per case and a loose bound, far above what linear
code takes and far below what the quadratic code took; benchmarks/dos_inputs.py shows the
growth over sizes."""

from __future__ import annotations

import time

from moderation.comments import Comment, Thread
from moderation.formats.html_text import html_to_text
from moderation.quotes import ConversationTracker

from fixtures.files import read_all

WXR_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Site</title><wp:wxr_version>1.2</wp:wxr_version>
<item><title>Post</title><wp:post_id>1</wp:post_id>
<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author>ana</wp:comment_author>
<wp:comment_content>"""
WXR_TAIL = "</wp:comment_content></wp:comment></item></channel></rss>"


def seconds(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def test_unclosed_tags_in_a_comment_body_are_stripped_in_linear_time():
    # before: '<p' * 40,000 took 3.7 s and '<script' * 40,000 9.8 s, x4 per doubling
    for piece in ("<p", "<script", "<style>x", "<br"):
        assert seconds(lambda piece=piece: html_to_text(piece * 100_000)) < 5


def test_script_and_style_elements_are_still_dropped():
    text = html_to_text(
        "<p>Hi <b>there</b></p><script type='x'>alert(1)</script>"
        "<STYLE>p {}</style >ok &amp; done<script>never closed"
    )
    assert text == "Hi there\n\nok & donenever closed"


def test_a_long_comment_repeating_its_parent_is_quoted_in_linear_time():
    # before: 200 KB of repeated sentences took 17 s, x4 per doubling
    sentence = "The council voted to close the library on Sundays last week. "
    parent = sentence * (400_000 // len(sentence))
    reply = parent + "I do not agree with any of this at all, frankly."
    tracker = ConversationTracker()
    tracker.thread(Thread(id="t", title="x"))
    tracker.comment(Comment(id="a", thread_id="t", text=parent))
    comment = Comment(id="b", thread_id="t", parent_id="a", text=reply)
    assert seconds(lambda: tracker.comment(comment)) < 10
    assert [(q.start, q.source) for q in comment.quotes] == [(0, "parent")]
    assert comment.quotes[0].end >= len(parent) - 2


def test_elements_nested_deep_inside_a_wxr_comment_cost_linear_memory_and_time(tmp_path):
    # before: 140 KB of nested elements took 1.6 GB and wrote 400 MB of field names
    path = tmp_path / "nested.xml"
    depth = 100_000
    path.write_text(WXR_HEAD + "<a>" * depth + "deep" + "</a>" * depth + WXR_TAIL)
    started = time.perf_counter()
    _, comments, _ = read_all(path)
    assert time.perf_counter() - started < 10
    assert [c.id for c in comments] == ["1"] and comments[0].author == "ana"
