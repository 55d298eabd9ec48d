"""Comments a page states in the schema.org vocabulary: microdata (``itemtype`` ``Comment``,
``Answer``, ``DiscussionForumPosting``) read as one more markup declaration, and JSON-LD
(``<script type="application/ld+json">``) read from its objects, for pages whose comments are
in no element of their own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from moderation.formats.html_text import html_to_text
from moderation.formats.page_html.dom import Node
from moderation.formats.page_html.markers import stamp
from moderation.formats.page_html.markup import CommentMarkup, FoundComment

MICRODATA = CommentMarkup(
    "schema.org microdata",
    comment="[itemtype*='schema.org/Comment'], [itemtype*='schema.org/Answer'], "
    "[itemtype*='schema.org/DiscussionForumPosting']",
    author="[itemprop~='author'] [itemprop~='name'], [itemprop~='author'], [itemprop~='creator']",
    time="[itemprop~='dateCreated'], [itemprop~='datePublished'], [itemprop~='commentTime']",
    body="[itemprop~='text'], [itemprop~='articleBody'], [itemprop~='commentText']",
    opening="[itemtype*='schema.org/DiscussionForumPosting']",
)

_COMMENT_TYPES = {"Comment", "Answer", "DiscussionForumPosting"}
_MAX_JSON = 5_000_000


def json_ld_objects(root: Node) -> Iterator[dict[str, Any]]:
    """Every object of the page's JSON-LD blocks (nested ones and ``@graph`` members too);
    a block that is not JSON is passed over."""
    for script in root.css("script[type='application/ld+json']"):
        raw = script.text(deep=True) or ""
        if len(raw) > _MAX_JSON:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                yield item
                for value in item.values():
                    if isinstance(value, dict | list):
                        stack.append(value)


def _types(item: dict[str, Any]) -> set[str]:
    kind = item.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).rsplit("/", 1)[-1] for k in kinds if k}


def _name(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _when(value: Any) -> str | None:
    return stamp(value) if isinstance(value, str) else None


def json_ld_comments(root: Node) -> list[FoundComment]:
    """Comments stated in JSON-LD (``comment`` lists of an article or posting), in the order
    given, replies after their parent."""
    found: list[FoundComment] = []

    def add(item: dict[str, Any], parent: int | None) -> None:
        text = item.get("text") or item.get("articleBody")
        if not isinstance(text, str) or not text.strip():
            return
        comment = FoundComment(root, html_to_text(text), _name(item.get("author")))
        comment.time = _when(item.get("dateCreated") or item.get("datePublished"))
        comment.parent = parent
        comment.depth = found[parent].depth + 1 if parent is not None else 0
        found.append(comment)
        me = len(found) - 1
        replies = item.get("comment") or []
        for reply in replies if isinstance(replies, list) else [replies]:
            if isinstance(reply, dict) and _types(reply) & _COMMENT_TYPES:
                add(reply, me)

    for item in json_ld_objects(root):
        comments = item.get("comment")
        if comments and not (_types(item) & {"Comment"}):
            for comment in comments if isinstance(comments, list) else [comments]:
                if isinstance(comment, dict) and _types(comment) & _COMMENT_TYPES:
                    add(comment, None)
    return found
