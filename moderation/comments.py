"""Comment and Thread records, and the canonical JSONL form they are written in.

Every export format is read into these records; everything downstream (training, scoring,
flagging, labelling) reads them. One canonical JSONL line is one comment and stands alone: the
thread's title and URL are repeated on each line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO

import orjson

LABELS: tuple[str, ...] = ("civil", "abusive", "conspiracy")

# What platforms leave where a comment was: "[deleted]", "[removed]", "This comment has been
# removed by a moderator", "Comment deleted by user". Not a comment to score.
_PLACEHOLDER = re.compile(
    r"^\W*(?:"
    r"(?:comment\s+|post\s+|message\s+|reply\s+)?(?:deleted|removed|hidden|withdrawn)"
    r"|(?:this\s+|the\s+)?(?:comment|post|message|reply|content)\s+"
    r"(?:has\s+been\s+|was\s+|is\s+|have\s+been\s+)?(?:deleted|removed|hidden|withdrawn)"
    r")(?:\s+by\s+(?:a\s+|the\s+)?(?:moderator|moderators|user|author|admin|administrator|"
    r"poster|community|site|staff|commenter|owner))?"
    r"(?:\s+(?:for|because|as)\s+[^.]{0,80})?\W*$",
    re.IGNORECASE,
)


def is_placeholder(text: str) -> bool:
    """Whether ``text`` is what a platform shows for a deleted, removed or hidden comment."""
    return len(text) < 160 and _PLACEHOLDER.match(text) is not None


STATUSES: tuple[str, ...] = ("approved", "pending", "spam", "deleted", "removed")


@dataclass(slots=True, frozen=True)
class QuoteSpan:
    """Characters ``text[start:end]`` of a comment repeat someone else's words.

    ``source`` is ``"parent"``, ``"article"`` or ``"comment:<id>"``.
    """

    start: int
    end: int
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "source": self.source}


@dataclass(slots=True)
class Comment:
    id: str
    thread_id: str
    text: str
    parent_id: str | None = None
    depth: int = 0
    author: str | None = None
    created_at: str | None = None
    quotes: list[QuoteSpan] = field(default_factory=list)
    label: str | None = None
    status: str | None = None
    thread_title: str | None = None
    thread_url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # the export's own record (a CSV row, a JSON line), field names and values as they were,
    # for outputs that pass input fields through unchanged; not part of the canonical form
    record: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "thread_id": self.thread_id,
            "parent_id": self.parent_id,
            "depth": self.depth,
            "author": self.author,
            "created_at": self.created_at,
            "text": self.text,
            "quotes": [q.to_dict() for q in self.quotes],
            "label": self.label,
            "status": self.status,
            "thread_title": self.thread_title,
            "thread_url": self.thread_url,
            "extra": self.extra,
        }

    def unquoted_text(self) -> str:
        """The comment's own words: its text with quoted spans left out."""
        if not self.quotes:
            return self.text
        pieces, cursor = [], 0
        for span in sorted(self.quotes, key=lambda q: q.start):
            pieces.append(self.text[cursor : span.start])
            cursor = max(cursor, span.end)
        pieces.append(self.text[cursor:])
        return " ".join(p.strip() for p in pieces if p.strip())


@dataclass(slots=True)
class Thread:
    id: str
    title: str | None = None
    url: str | None = None
    published: str | None = None
    author: str | None = None
    article: str | None = None
    declared_comments: int | None = None
    comments: list[Comment] = field(default_factory=list)

    def to_dict(self, comment_count: int | None = None) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "published": self.published,
            "author": self.author,
            "article": self.article,
            "declared_comments": self.declared_comments,
            "comment_count": len(self.comments) if comment_count is None else comment_count,
        }


def to_json_line(record: dict[str, Any]) -> str:
    """Compact JSON, UTF-8 text as is (integers beyond 64 bits fall back to the slow path)."""
    try:
        return orjson.dumps(record, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:
        return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def to_json_bytes(record: dict[str, Any]) -> bytes:
    """``to_json_line`` as UTF-8 bytes, for writers of binary files (no decoding and encoding
    again on the way out)."""
    try:
        return orjson.dumps(record, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:
        return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()


def comment_to_json(comment: Comment) -> str:
    """One canonical JSONL line (without the newline)."""
    return to_json_line(comment.to_dict())


def comment_json_bytes(comment: Comment) -> bytes:
    """``comment_to_json`` as UTF-8 bytes."""
    return to_json_bytes(comment.to_dict())


def write_comments(comments: Iterable[Comment], out: TextIO) -> int:
    n = 0
    for comment in comments:
        out.write(comment_to_json(comment))
        out.write("\n")
        n += 1
    return n
