"""Coral's decisions read as labels with their thread and parent, from Coral's exact body."""

from __future__ import annotations

import pytest
from coral_bodies import coral_decision

from moderation.serving.coral import coral_context, story_url
from moderation.serving.perspective import ApiError, parse_suggest

TEXT = "The bridge closure was announced far too late."


def test_every_comment_of_a_story_gets_the_story_as_its_thread():
    first = parse_suggest(coral_decision(TEXT, "c-1", "APPROVED"))
    reply = parse_suggest(coral_decision(TEXT, "c-2", "DELETED", parent="c-1"))
    assert first.thread_id == reply.thread_id == "https://news.example/a/flood"
    assert (first.parent_id, reply.parent_id) == (None, "c-1")
    assert (first.comment_id, reply.comment_id) == ("c-1", "c-2")
    assert (first.label, reply.label) == ("civil", "abusive")


def test_the_rest_of_the_story_query_is_kept_in_order():
    story = "https://news.example/story.php?id=77&section=local"
    decision = parse_suggest(coral_decision(TEXT, "c-9", "APPROVED", story=story))
    assert decision.thread_id == story
    assert story_url(f"{story}&commentID=c-9#comments") == story


def test_talk_4_sent_the_context_as_separate_entries():
    entries = [
        {"url": "https://news.example/old?commentID=x1"},
        {"reply_to_id_Coral_comment_id": "x0"},
        {"Coral_comment_id": "x1"},
    ]
    context = coral_context(entries)
    assert (context.thread_id, context.parent_id, context.comment_id) == (
        "https://news.example/old",
        "x0",
        "x1",
    )


@pytest.mark.parametrize(
    "entries",
    [[], [{"text": "{not json"}], [{"text": '["a list"]'}], ["text"], [{"text": '{"url": 5}'}]],
)
def test_a_context_without_coral_metadata_gives_no_thread(entries):
    context = coral_context(entries)
    assert context.thread_id is None and context.parent_id is None


def test_an_unknown_decision_name_is_refused():
    body = coral_decision(TEXT, "c-3", "MAYBE")
    with pytest.raises(ApiError, match="Unknown attribute: MAYBE"):
        parse_suggest(body)
