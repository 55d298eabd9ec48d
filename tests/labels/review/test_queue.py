"""The review queue: how sure the model is, the order moderators see comments in, answered
comments left out and skipped ones at the end, and each comment id once."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderation.comments import Comment, Thread
from moderation.errors import InputError, ModerationError
from moderation.formats import ParseReport
from moderation.labels.review.queue import (
    QueueItem,
    order_for_review,
    order_queue,
    unique_comments,
)


def _item(cid, scores, flags=()):
    prediction = max(scores, key=scores.get) if scores else None
    return QueueItem(Comment(cid, "t", f"text {cid}"), scores, prediction, list(flags))


def ids(items):
    return [i.comment.id for i in items]


def test_queue_orders_least_sure_first_flagged_by_score_and_skips_answered():
    items = [
        _item("sure", {"civil": 0.9, "abusive": 0.05, "conspiracy": 0.05}),
        _item("coin", {"civil": 0.45, "abusive": 0.44, "conspiracy": 0.11}, flags=["abusive"]),
        _item("mid", {"civil": 0.6, "abusive": 0.3, "conspiracy": 0.1}),
        _item("hot", {"civil": 0.1, "abusive": 0.85, "conspiracy": 0.05}, flags=["abusive"]),
    ]
    assert [i.comment.id for i in order_queue(items, "uncertain")] == ["coin", "mid", "hot", "sure"]
    assert [i.comment.id for i in order_queue(items, "flagged")] == ["hot", "coin"]
    assert [i.comment.id for i in order_queue(items, "uncertain", done={"coin"}, limit=2)] == [
        "mid",
        "hot",
    ]
    shuffled = order_queue(items, "random", seed=3)
    assert sorted(i.comment.id for i in shuffled) == ["coin", "hot", "mid", "sure"]
    assert shuffled == order_queue(items, "random", seed=3)


def test_uncertainty_is_one_minus_the_margin_of_the_two_likeliest():
    assert _item("a", {"civil": 0.5, "abusive": 0.5, "conspiracy": 0.0}).uncertainty == 1.0
    assert _item(
        "b", {"civil": 0.7, "abusive": 0.1, "conspiracy": 0.2}
    ).uncertainty == pytest.approx(0.5)
    assert _item("c", None).uncertainty == -1.0


def test_flag_score_is_the_highest_score_of_a_flagged_label():
    scores = {"civil": 0.2, "abusive": 0.5, "conspiracy": 0.3}
    assert _item("a", scores, flags=["abusive", "conspiracy"]).flag_score == 0.5
    assert _item("b", scores, flags=["conspiracy"]).flag_score == 0.3
    assert _item("c", scores).flag_score == 0.0


def test_order_queue_leaves_out_unscored_comments_and_refuses_an_unknown_order():
    items = [_item("scored", {"civil": 0.6, "abusive": 0.4}), _item("placeholder", None)]
    assert ids(order_queue(items, "uncertain")) == ["scored"]
    with pytest.raises(ModerationError, match="unknown order 'newest'"):
        order_queue(items, "newest")


def test_order_for_review_leaves_out_answered_and_puts_skipped_last():
    scores = {"civil": 0.6, "abusive": 0.3, "conspiracy": 0.1}
    items = [_item(c, scores) for c in ["skipped", "new", "labelled", "weak", "disputed"]]
    answers = {
        "skipped": ("skipped", None),
        "labelled": ("labelled", "civil"),
        "weak": ("weak", "abusive"),
        "disputed": ("disagreement", None),
    }
    assert ids(order_for_review(items, "uncertain", answers)) == ["new", "skipped"]
    assert ids(order_for_review(items, "uncertain", answers, limit=1)) == ["new"]


def test_unique_comments_keeps_the_first_of_a_repeated_id_with_skip_bad():
    thread = Thread(id="t")
    records = [
        thread,
        Comment("a", "t", "one"),
        Comment("b", "t", "two"),
        Comment("a", "t", "three"),
    ]
    report = ParseReport("export.json", skip_bad=True)
    kept = list(unique_comments(records, Path("export.json"), report))
    assert kept == records[:3]
    assert len(report.skipped) == 1
    assert "'a' is used again (first by comment 1)" in str(report.skipped[0])


def test_unique_comments_stops_at_a_repeated_id_without_skip_bad():
    records = [Comment("a", "t", "one"), Comment("a", "t", "two")]
    report = ParseReport("export.json")
    with pytest.raises(InputError, match="used again"):
        list(unique_comments(records, Path("export.json"), report))
