"""Disqus XML exports: flat ``thread`` and ``post`` elements; a post names its thread and its
parent by ``dsq:id``. Streamed."""

from __future__ import annotations

import re
from collections.abc import Iterator

from moderation.comments import Comment, Thread
from moderation.errors import InputError
from moderation.formats.dates import parse_timestamp
from moderation.formats.html_text import html_to_text
from moderation.formats.source import ExportFormat, ReadOptions, Source
from moderation.formats.xml_stream import Fields, iter_records

_PASSED_THROUGH = (
    "id",
    "ipAddress",
    "isClosed",
    "isAnonymous",
    "author/username",
    "author/isAnonymous",
)


def _kind(depth: int, local: str, namespace: str) -> str | None:
    if depth == 2 and local in ("thread", "post"):
        return local
    return None


def _true(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"


def _text(fields: Fields, key: str) -> str | None:
    return (fields.get(key) or "").strip() or None


def _author(fields: Fields) -> str | None:
    return _text(fields, "author/name") or _text(fields, "author/username")


def _thread(fields: Fields, key: str) -> Thread:
    message = fields.get("message")
    return Thread(
        id=key,
        title=_text(fields, "title"),
        url=_text(fields, "link"),
        published=parse_timestamp(_text(fields, "createdAt")),
        author=_author(fields),
        article=html_to_text(message) or None if message else None,
    )


def _post(fields: Fields, key: str, thread: Thread) -> Comment:
    if _true(fields.get("isSpam")):
        status = "spam"
    elif _true(fields.get("isDeleted")):
        status = "deleted"
    else:
        status = "approved"
    extra = {
        name: fields[name].strip() for name in _PASSED_THROUGH if (fields.get(name) or "").strip()
    }
    return Comment(
        id=key,
        thread_id=thread.id,
        text=html_to_text(fields.get("message") or ""),
        parent_id=fields.get("parent@id"),
        author=_author(fields),
        created_at=parse_timestamp(_text(fields, "createdAt")),
        status=status,
        thread_title=thread.title,
        thread_url=thread.url,
        extra=extra,
    )


def read_disqus(source: Source, options: ReadOptions) -> Iterator[Thread | Comment]:
    threads: dict[str, Thread] = {}
    announced: set[str] = set()
    posts = 0
    for kind, _, fields in iter_records(source, _kind):
        key = fields.get("@id")
        if kind == "thread":
            key = key or _text(fields, "id") or f"thread{len(threads) + 1}"
            threads[key] = _thread(fields, key)
            continue
        posts += 1
        thread_key = fields.get("thread@id")
        if not key or not thread_key:
            source.report.bad(
                InputError(
                    source.path, "post without dsq:id or thread reference", where=f"post {posts}"
                )
            )
            continue
        thread = threads.get(thread_key)
        if thread is None:
            source.report.warn(
                f"post {key} names thread {thread_key}, which the export does not define"
            )
            thread = threads[thread_key] = Thread(id=thread_key)
        if thread_key not in announced:
            announced.add(thread_key)
            yield thread
        yield _post(fields, key, thread)
    for key, thread in threads.items():
        if key not in announced:
            yield thread


_DISQUS_MARK = re.compile(r"<disqus\b|disqus\.com")


def _sniff(head: str, suffix: str) -> bool:
    return head.startswith("<") and _DISQUS_MARK.search(head) is not None


DISQUS = ExportFormat("disqus", "Disqus XML export", (".xml",), _sniff, read_disqus)
