"""What Coral says about a moderator's decision (``comments:suggestscore``), read as a label.

Coral (Talk 5 and later) sends, for a comment a moderator approved or rejected::

    {"comment": {"text": ...},
     "context": {"entries": [{"text": "{\\"url\\": STORY?commentID=ID,
                                        \\"reply_to_id_Coral_comment_id\\": PARENT or null,
                                        \\"Coral_comment_id\\": ID}"}]},
     "attributeScores": {"APPROVED" or "DELETED": {"summaryScore": {"value": 1}}},
     "languages": ["en"], "communityId": "Coral:TENANT", "clientToken": "comment:ID"}

The thread is the story: the URL without its ``commentID`` query (the rest of the query is
kept, in order); the parent is ``reply_to_id_Coral_comment_id``. Talk 4's plugin sent the same
three values as separate entries (``{"url": ...}``, ...), which are read too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson

# Coral's decisions, as attributeScores keys, and the label each becomes (a weak label:
# a rejected comment may be spam or off topic rather than abuse)
DECISIONS = {"APPROVED": "civil", "HIGHLIGHTED": "civil", "DELETED": "abusive"}
COMMENT_ID_QUERY = "commentID"


@dataclass(frozen=True)
class CoralContext:
    """The thread and parent of a decision: ``thread_id`` is the story's URL, ``parent_id``
    the comment it replied to (None: a top-level comment); ``sent`` is what Coral's entries
    said, as it said it (kept with the label)."""

    thread_id: str | None = None
    parent_id: str | None = None
    comment_id: str | None = None
    sent: dict[str, Any] = field(default_factory=dict)


def story_url(url: str) -> str:
    """``url`` without its ``commentID`` query parameter (and without a fragment): the same for
    every comment under one story."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # not a URL Python can split (a bad IPv6 host): kept as it is
        return url.strip()
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key != COMMENT_ID_QUERY
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def coral_context(entries: list[Any]) -> CoralContext:
    """The thread, parent and comment id from Perspective ``context.entries`` as Coral writes
    them (one JSON text, or Talk 4's separate entries); empty where there is none."""
    found: dict[str, Any] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        text = entry.get("text")
        if isinstance(text, str) and text.lstrip().startswith("{"):
            try:
                value = orjson.loads(text)
            except orjson.JSONDecodeError:
                continue
            if isinstance(value, dict):
                found.update(value)
        else:
            found.update({k: v for k, v in entry.items() if k != "text"})
    url = found.get("url")
    parent = found.get("reply_to_id_Coral_comment_id")
    comment = found.get("Coral_comment_id")
    return CoralContext(
        thread_id=story_url(url) if isinstance(url, str) and url.strip() else None,
        parent_id=str(parent) if isinstance(parent, (str, int)) and str(parent) else None,
        comment_id=str(comment) if isinstance(comment, (str, int)) and str(comment) else None,
        sent=found,
    )


def decision_of(values: dict[str, float]) -> str | None:
    """The label a Coral decision gives (``APPROVED`` civil, ``DELETED`` abusive), or None
    when the scores hold no decision of Coral's."""
    for name, label in DECISIONS.items():
        if values.get(name, 0.0) >= 0.5:
            return label
    return None
