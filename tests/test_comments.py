"""Comment records: placeholders of deleted comments are recognised."""

import pytest

from moderation.comments import is_placeholder


@pytest.mark.parametrize(
    "text",
    [
        "[deleted]",
        "[removed]",
        "[DELETED]",
        "(deleted)",
        "deleted",
        "Message deleted",
        "This comment has been removed by a moderator.",
        "Comment deleted by user",
        "This comment was hidden",
        "[comment removed]",
        "Post removed for breaking rule 3.",
    ],
)
def test_placeholders(text):
    assert is_placeholder(text)


@pytest.mark.parametrize(
    "text",
    [
        "I deleted my account after that thread",
        "The council removed the bench",
        "removed from office, good riddance",
        "",
    ],
)
def test_comments_that_mention_deleting_are_not_placeholders(text):
    assert not is_placeholder(text)
