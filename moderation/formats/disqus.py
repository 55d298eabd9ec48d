"""Disqus XML exports: flat ``thread`` and ``post`` elements; a post names its thread and its
parent by ``dsq:id``. Streamed."""

from __future__ import annotations

from typing import Iterator
from xml.etree.ElementTree import Element

from moderation.comments import Comment, Thread
from moderation.errors import InputError
from moderation.formats.dates import parse_timestamp
from moderation.formats.html_text import html_to_text
from moderation.formats.source import ReadOptions, Source
from moderation.formats.xml_stream import child_text, iter_events, local_name

DSQ_ID = "{http://disqus.com/disqus-internals}id"


def _true(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"


def _author(element: Element) -> str | None:
    for child in element:
        if local_name(child.tag)[1] == "author":
            name = child_text(child, "name") or child_text(child, "username")
            return name.strip() or None if name else None
    return None


def _ref(element: Element, name: str) -> str | None:
    for child in element:
        if local_name(child.tag)[1] == name:
            return child.get(DSQ_ID)
    return None


def _thread(element: Element, key: str) -> Thread:
    message = child_text(element, "message")
    return Thread(id=key, title=(child_text(element, "title") or "").strip() or None,
                  url=(child_text(element, "link") or "").strip() or None,
                  published=parse_timestamp(child_text(element, "createdAt")),
                  author=_author(element), article=html_to_text(message) if message else None)


def _post(element: Element, key: str, thread: Thread) -> Comment:
    if _true(child_text(element, "isSpam")):
        status = "spam"
    elif _true(child_text(element, "isDeleted")):
        status = "deleted"
    else:
        status = "approved"
    extra = {}
    identifier = child_text(element, "id")
    if identifier and identifier.strip():
        extra["id"] = identifier.strip()
    for name in ("ipAddress", "isClosed", "isAnonymous"):
        value = child_text(element, name)
        if value is not None:
            extra[name] = value.strip()
    return Comment(
        id=key, thread_id=thread.id,
        text=html_to_text(child_text(element, "message") or ""),
        parent_id=_ref(element, "parent"), author=_author(element),
        created_at=parse_timestamp(child_text(element, "createdAt")), status=status,
        thread_title=thread.title, thread_url=thread.url, extra=extra,
    )


def read_disqus(source: Source, options: ReadOptions) -> Iterator[Thread | Comment]:
    threads: dict[str, Thread] = {}
    announced: set[str] = set()
    posts = 0
    for event, element, ancestors in iter_events(source):
        if event != "end" or len(ancestors) != 1:
            continue
        name = local_name(element.tag)[1]
        if name == "thread":
            key = element.get(DSQ_ID) or child_text(element, "id") or f"thread{len(threads)}"
            threads[key] = _thread(element, key)
        elif name == "post":
            posts += 1
            key = element.get(DSQ_ID)
            thread_key = _ref(element, "thread")
            if not key or not thread_key:
                source.report.bad(InputError(source.path, "post without dsq:id or thread "
                                             "reference", where=f"post {posts}"))
            else:
                thread = threads.get(thread_key)
                if thread is None:
                    source.report.warn(f"post {key} names thread {thread_key}, which the "
                                       "export does not define")
                    thread = threads[thread_key] = Thread(id=thread_key)
                if thread_key not in announced:
                    announced.add(thread_key)
                    yield thread
                yield _post(element, key, thread)
        ancestors[-1].remove(element)
    for key, thread in threads.items():
        if key not in announced:
            yield thread
