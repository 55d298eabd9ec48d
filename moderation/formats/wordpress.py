"""WordPress WXR exports (namespaces 1.0 to 1.2): each ``item`` is a thread, its
``wp:comment`` elements are the comments. Streamed: one comment element at a time."""

from __future__ import annotations

from typing import Iterator
from xml.etree.ElementTree import Element

from moderation.comments import Comment, Thread
from moderation.formats.dates import parse_timestamp
from moderation.formats.html_text import html_to_text
from moderation.formats.records import normalise_status
from moderation.formats.source import ReadOptions, Source
from moderation.formats.xml_stream import child_text, iter_events, local_name

WP_NAMESPACE_PREFIX = "http://wordpress.org/export/"
_NOT_CONTENT = {"attachment", "nav_menu_item", "revision", "custom_css", "customize_changeset",
                "oembed_cache", "wp_block", "wp_template", "wp_template_part", "wp_navigation",
                "wp_global_styles", "user_request"}
_COMMENT_FIELDS = {"comment_id", "comment_parent", "comment_author", "comment_date_gmt",
                   "comment_date", "comment_content", "comment_approved"}
_THREAD_FIELDS = {"title", "link", "pubDate", "creator", "encoded", "post_id", "post_type",
                  "post_date_gmt", "post_date", "status", "post_name"}


def _thread(meta: dict[str, str], fallback_id: str) -> Thread:
    published = None
    for key in ("post_date_gmt", "pubDate", "post_date"):
        value = meta.get(key)
        if value and not value.startswith("0000"):
            published = parse_timestamp(value)
            if published and key == "post_date_gmt" and "+" not in published:
                published += "+00:00"
            if published:
                break
    article = html_to_text(meta["encoded"]) if meta.get("encoded") else None
    return Thread(id=meta.get("post_id") or fallback_id, title=meta.get("title") or None,
                  url=meta.get("link") or None, published=published,
                  author=meta.get("creator") or None, article=article or None)


def _comment(element: Element, thread: Thread) -> Comment:
    fields: dict[str, str] = {}
    extra: dict[str, object] = {}
    for child in element:
        ns, name = local_name(child.tag)
        if name == "commentmeta":
            key, value = child_text(child, "meta_key"), child_text(child, "meta_value")
            if key:
                extra.setdefault("commentmeta", {})[key] = value
            continue
        value = "".join(child.itertext())
        if name in _COMMENT_FIELDS:
            fields[name] = value
        else:
            extra[name] = value
    created = fields.get("comment_date_gmt")
    if created and not created.startswith("0000"):
        created_at = parse_timestamp(created)
        created_at = created_at + "+00:00" if created_at and "+" not in created_at else created_at
    else:
        created_at = parse_timestamp(fields.get("comment_date"))
    parent = fields.get("comment_parent", "").strip()
    return Comment(
        id=fields.get("comment_id", "").strip(), thread_id=thread.id,
        text=html_to_text(fields.get("comment_content", "")),
        parent_id=None if parent in ("", "0") else parent,
        author=(fields.get("comment_author") or "").strip() or None,
        created_at=created_at, status=normalise_status(fields.get("comment_approved")),
        thread_title=thread.title, thread_url=thread.url, extra=extra,
    )


def read_wxr(source: Source, options: ReadOptions) -> Iterator[Thread | Comment]:
    meta: dict[str, str] = {}
    thread: Thread | None = None
    items = 0
    for event, element, ancestors in iter_events(source):
        ns, name = local_name(element.tag)
        if event == "start":
            if name == "item":
                items += 1
                meta, thread = {}, None
            continue
        parent_name = local_name(ancestors[-1].tag)[1] if ancestors else ""
        if parent_name == "item" and name in _THREAD_FIELDS:
            meta[name] = "".join(element.itertext())
        elif name == "comment" and ns.startswith(WP_NAMESPACE_PREFIX) and parent_name == "item":
            if thread is None:
                thread = _thread(meta, f"{source.path.stem}:item{items}")
                yield thread
            comment = _comment(element, thread)
            ancestors[-1].remove(element)
            if not comment.id:
                comment.id = f"{thread.id}:c{source.report.comments + 1}"
            yield comment
        elif name == "item":
            if thread is None and meta.get("post_type") not in _NOT_CONTENT:
                yield _thread(meta, f"{source.path.stem}:item{items}")
            if ancestors:
                ancestors[-1].remove(element)
