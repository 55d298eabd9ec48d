"""Which comment a reply answers: by the indentation of the headers, by the "level N" a page
prints, or, on flat pages, by the cues it prints (``In reply to X``, the parent's name after the
author, ``Replies (2)`` ... ``Hide replies``, ``N replies`` then ``@name``, ``1 reply by X``,
an @mention on a federated timeline, a comment under an answer)."""

from __future__ import annotations

import re

from moderation.formats.page_text.comment_lines import Record
from moderation.formats.page_text.lines import Line

_REPLIES_OPEN = re.compile(r"^(?:replies|antworten|réponses|respuestas)\s*\(\d+\)$", re.I)
_REPLIES_CLOSE = re.compile(r"^hide replies$|^ausblenden$", re.I)
_REPLY_COUNT = re.compile(r"^\d+\s+repl(?:y|ies)$", re.I)
_REPLIES_BY = re.compile(r"^\d+\s+repl(?:y|ies)\s+by\s+(?P<names>.+)$", re.I)
_MENTION = re.compile(r"^@([\w.-]+)")


def nest(records: list[Record], lines: list[Line], root: Record | None = None) -> None:
    """Set each record's parent and depth. ``root`` is a forum's opening post: a reply that
    mentions its author answers the post, at depth 0."""
    indents = {r.indent for r in records}
    if any(r.level is not None for r in records):
        for n, record in enumerate(records):
            wanted = (record.level or 0) - 1
            record.parent = (
                next((m for m in range(n - 1, -1, -1) if (records[m].level or 0) == wanted), None)
                if wanted >= 0
                else None
            )
    elif len(indents) > 1:
        stack: list[int] = []
        for n, record in enumerate(records):
            while stack and records[stack[-1]].indent >= record.indent:
                stack.pop()
            record.parent = stack[-1] if stack else None
            stack.append(n)
    else:
        _nest_by_cues(records, lines, root)
    for record in records:
        record.depth = records[record.parent].depth + 1 if record.parent is not None else 0


def _by_author(records: list[Record], before: int, name: str) -> int | None:
    wanted = name.lower().lstrip("@")
    for m in range(before - 1, -1, -1):
        author = (records[m].author or "").lower().lstrip("@")
        handle = (records[m].handle or "").lstrip("@").split("@")[0]
        if author and (author == wanted or author.split()[0] == wanted or handle == wanted):
            return m
    return None


def _nest_by_cues(records: list[Record], lines: list[Line], root: Record | None) -> None:
    root_names = set()
    if root is not None:
        for name in (root.author, root.handle):
            if name:
                root_names.add(name.lower().lstrip("@").split("@")[0])
    opened: int | None = None  # "Replies (2)" ... "Hide replies"
    counted: int | None = None  # "12 replies" under a thread head, then "@name" replies
    replied: tuple[int, set[str]] | None = None  # "1 reply by Name"
    post: int | None = None  # the last post with its header after its text (an answer)
    for n, record in enumerate(records):
        between = lines[records[n - 1].head if n else 0 : record.head]
        for line in between:
            if _REPLIES_OPEN.match(line.text):
                opened = n - 1
            elif _REPLIES_CLOSE.match(line.text):
                opened = None
            elif _REPLY_COUNT.match(line.text):
                counted = n - 1
            elif _REPLIES_BY.match(line.text):
                names = re.split(r",\s*|\s+and\s+", _REPLIES_BY.match(line.text)["names"])  # type: ignore[index]
                replied = (n - 1, {name.strip().lower() for name in names})
        if record.body_end is not None:
            post = n
        elif record.signed and post is not None:
            record.parent = post  # comments under an answer
        if record.reply_to:
            record.parent = _by_author(records, n, record.reply_to)
        elif record.handle is not None:  # federated: the first @mention is the status replied to
            mention = _MENTION.match(record.text())
            if mention and mention[1].lower() not in root_names:
                record.parent = _by_author(records, n, mention[1])
        if record.parent is None and replied is not None:
            if (record.author or "").lower() in replied[1]:
                record.parent = replied[0]
            replied = None
        if record.parent is None and opened is not None and opened < n:
            record.parent = opened
        if record.parent is None and counted is not None:
            text = record.text()
            head = records[counted].author or ""
            if (
                text.startswith("@")
                and head
                and text[1:].lower().startswith(head.lstrip("@").lower())
            ):
                record.parent = counted
            else:
                counted = None
