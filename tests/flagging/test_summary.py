"""The summary of a run (flagging/summary.py): counts by label, thread, author and language;
a run cut into parts and merged in order gives the summary of the whole."""

from __future__ import annotations

from moderation.comments import Comment
from moderation.flagging.summary import FlagSummary


def _chunk():
    comments = [
        Comment("a", "t1", "Fine.", author="ana", thread_title="Ferry"),
        Comment("b", "t1", "You idiot.", author="bo", thread_title="Ferry"),
        Comment("c", "t2", "They planned it.", thread_title="Floods"),
        Comment("d", "t2", "Hallo zusammen."),
    ]
    predictions = ["civil", "abusive", "conspiracy", None]
    flags = [[], ["abusive"], ["conspiracy"], []]
    languages = [("en", None), ("en", None), ("en", None), ("it", "language")]
    return comments, predictions, flags, languages


def test_counts_by_label_thread_author_and_language():
    summary = FlagSummary()
    summary.add_verdicts(*_chunk())
    assert (summary.comments, summary.flagged_comments, summary.not_scored) == (4, 2, 1)
    assert summary.flagged == {"abusive": 1, "conspiracy": 1}
    assert summary.thread_flagged == {"t1": 1, "t2": 1}
    assert summary.author_flags == {"bo": 1} and summary.anonymous_flagged == 1
    assert summary.language_unscored == {"it": 1}
    assert summary.thread_titles == {"t1": "Ferry", "t2": "Floods"}
    assert None not in summary.predicted


def test_parts_merged_in_order_give_the_summary_of_the_whole():
    comments, predictions, flags, languages = _chunk()
    whole = FlagSummary()
    whole.add_verdicts(comments, predictions, flags, languages)
    first, second = FlagSummary(), FlagSummary()
    first.add_verdicts(comments[:1], predictions[:1], flags[:1], languages[:1])
    second.add_verdicts(comments[1:], predictions[1:], flags[1:], languages[1:])
    first.merge(second)
    assert first.to_dict() == whole.to_dict()
    assert first.lines() == whole.lines()
