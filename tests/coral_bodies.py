"""The bodies Coral (Talk 5-9, ``services/perspective``) sends to a Perspective server, for the
serving tests: analyze for a new comment, suggestscore for a moderator's decision."""

from __future__ import annotations

import json
from typing import Any


def coral_analyze(text: str, model: str = "TOXICITY") -> dict[str, Any]:
    """comments:analyze: the comment, doNotStore, the one attribute the site chose, its
    language."""
    return {
        "comment": {"text": text},
        "doNotStore": True,
        "requestedAttributes": {model: {}},
        "languages": ["en"],
    }


def coral_feedback(
    text: str,
    comment_id: str,
    scores: dict[str, float],
    parent: str | None = None,
    story: str = "https://news.example/a/flood",
) -> dict[str, Any]:
    """comments:suggestscore as Coral sends it: the story URL with ``commentID`` added to its
    query, the parent's id or null, the comment's id, as one JSON text in
    ``context.entries``; ``scores`` the attributeScores values."""
    separator = "&" if "?" in story else "?"
    context = {
        "url": f"{story}{separator}commentID={comment_id}",
        "reply_to_id_Coral_comment_id": parent,
        "Coral_comment_id": comment_id,
    }
    return {
        "comment": {"text": text},
        "context": {"entries": [{"text": json.dumps(context)}]},
        "attributeScores": {name: {"summaryScore": {"value": v}} for name, v in scores.items()},
        "languages": ["en"],
        "communityId": "Coral:https://news.example",
        "clientToken": f"comment:{comment_id}",
    }


def coral_decision(
    text: str,
    comment_id: str,
    status: str,
    parent: str | None = None,
    story: str = "https://news.example/a/flood",
) -> dict[str, Any]:
    """The feedback Coral sends when a moderator approves (``APPROVED``) or rejects
    (``DELETED``) a comment."""
    return coral_feedback(text, comment_id, {status: 1}, parent, story)
