"""Reddit JSON: the ``[submission, comments]`` pair of listings that a thread's ``.json`` page
gives, with replies nested in ``replies``. ``more`` stubs (comments Reddit did not include) are
counted and reported; ``[deleted]`` and ``[removed]`` bodies are kept with their status."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

from moderation.comments import Comment, Thread
from moderation.errors import InputError
from moderation.formats.dates import parse_timestamp
from moderation.formats.source import ExportFormat, ReadOptions, Source

_MAPPED = {"name", "id", "parent_id", "author", "body", "created_utc", "replies", "depth"}
_GONE = {"[deleted]": "deleted", "[removed]": "removed"}
_END = object()


def _object(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one (a hostile ``"data": [1, 2]``)."""
    return value if isinstance(value, dict) else {}


def _listing_children(node: Any) -> list[Any]:
    if isinstance(node, dict) and node.get("kind") == "Listing":
        children = _object(node.get("data")).get("children")
        return children if isinstance(children, list) else []
    return []


def _count(value: Any, fallback: int) -> int:
    """A ``more`` stub's count when it is a sensible number, else ``fallback``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return fallback
    if not math.isfinite(value) or not 0 <= value < 1e12:
        return fallback
    return int(value)


def _submission(listing: Any, fallback: str) -> Thread:
    for child in _listing_children(listing):
        if isinstance(child, dict) and child.get("kind") == "t3":
            data = _object(child.get("data"))
            permalink = data.get("permalink")
            return Thread(
                id=data.get("name") or f"t3_{data.get('id', fallback)}",
                title=data.get("title"),
                url=f"https://www.reddit.com{permalink}" if permalink else data.get("url"),
                published=parse_timestamp(data.get("created_utc")),
                author=None if data.get("author") in _GONE else data.get("author"),
                article=(data.get("selftext") or None),
            )
    return Thread(id=fallback)


class _Walker:
    def __init__(self, source: Source, thread: Thread):
        self.source = source
        self.thread = thread
        self.more_stubs = 0
        self.more_comments = 0
        self.position = 0

    def walk(self, children: list[Any], parent: str | None, depth: int) -> Iterator[Comment]:
        """Every comment, depth first, each before its replies; with a stack of its own, so
        replies nested thousands deep cost memory, not Python's recursion limit."""
        stack = [(iter(children), parent, depth)]
        while stack:
            pending, parent, depth = stack[-1]
            child = next(pending, _END)
            if child is _END:
                stack.pop()
                continue
            self.position += 1
            if not isinstance(child, dict):
                self.source.report.bad(
                    InputError(
                        self.source.path,
                        "listing child is not an object",
                        where=f"record {self.position}",
                    )
                )
                continue
            kind, data = child.get("kind"), _object(child.get("data"))
            if kind == "more":
                self.more_stubs += 1
                listed = data.get("children")
                self.more_comments += _count(
                    data.get("count"), len(listed) if isinstance(listed, list) else 0
                )
                continue
            if kind != "t1":
                continue
            comment = self._comment(data, parent, depth)
            if comment is None:
                continue
            yield comment
            stack.append((iter(_listing_children(data.get("replies"))), comment.id, depth + 1))

    def _comment(self, data: dict[str, Any], parent: str | None, depth: int) -> Comment | None:
        body = data.get("body")
        name = data.get("name") or (f"t1_{data['id']}" if data.get("id") else None)
        if not isinstance(body, str) or not name:
            self.source.report.bad(
                InputError(
                    self.source.path, "comment without body or id", where=f"record {self.position}"
                )
            )
            return None
        author = data.get("author")
        return Comment(
            id=name,
            thread_id=self.thread.id,
            text=body,
            parent_id=parent,
            depth=depth,
            author=None if author in _GONE or not author else author,
            created_at=parse_timestamp(data.get("created_utc")),
            status=_GONE.get(body.strip()),
            thread_title=self.thread.title,
            thread_url=self.thread.url,
            extra={k: v for k, v in data.items() if k not in _MAPPED},
        )


def read_reddit(source: Source, options: ReadOptions) -> Iterator[Thread | Comment]:
    text = source.read_text()
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(
            source.path, f"invalid JSON ({err.msg}, column {err.colno})", line=err.lineno
        ) from None
    except ValueError as err:  # an integer of thousands of digits
        raise InputError(source.path, f"a value cannot be read ({err})") from None
    except RecursionError:
        raise InputError(source.path, "JSON nested too deeply to read") from None
    if isinstance(document, dict):
        document = [None, document]
    if not (isinstance(document, list) and len(document) == 2):
        raise InputError(
            source.path,
            "not a Reddit thread: expected the two listings [submission, comments]",
            hint="save the thread's .json page whole",
        )
    thread = _submission(document[0], source.path.stem)
    yield thread
    walker = _Walker(source, thread)
    yield from walker.walk(_listing_children(document[1]), None, 0)
    if walker.more_stubs:
        source.report.warn(
            f"{walker.more_stubs} 'more' stub(s) stand for "
            f"{walker.more_comments} comment(s) not in the export"
        )


def _sniff(head: str, suffix: str) -> bool:
    if head.startswith("["):  # a JSON array, not a lynx dump's "[1]Home" link number
        return re.match(r"\[\s*(?:[\[{\]]|$)", head) is not None
    if not head.startswith("{"):
        return False
    try:
        record = json.loads(head.split("\n", 1)[0])
    except (ValueError, RecursionError):  # not JSON, or JSON no export is
        return False
    return isinstance(record, dict) and record.get("kind") == "Listing"


REDDIT = ExportFormat(
    "reddit", "Reddit JSON (a thread's .json page)", (".json",), _sniff, read_reddit
)
