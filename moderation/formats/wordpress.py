"""WordPress WXR exports (namespaces 1.0 to 1.2): each ``item`` is a thread, its
``wp:comment`` elements are the comments. Streamed, one comment at a time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from moderation.comments import Comment, Thread
from moderation.formats.columns import normalise_status
from moderation.formats.dates import parse_timestamp
from moderation.formats.html_text import html_to_text
from moderation.formats.source import ExportFormat, ReadOptions, Source
from moderation.formats.xml_stream import Fields, iter_records

WP_NAMESPACE_PREFIX = "http://wordpress.org/export/"
_NOT_CONTENT = {
    "attachment",
    "nav_menu_item",
    "revision",
    "custom_css",
    "customize_changeset",
    "oembed_cache",
    "wp_block",
    "wp_template",
    "wp_template_part",
    "wp_navigation",
    "wp_global_styles",
    "user_request",
}
_COMMENT_FIELDS = {
    "comment_id",
    "comment_parent",
    "comment_author",
    "comment_date_gmt",
    "comment_date",
    "comment_content",
    "comment_approved",
}


def _kind(depth: int, local: str, namespace: str) -> str | None:
    if depth == 3 and local == "item":
        return "item"
    if depth == 4 and local == "comment" and namespace.startswith(WP_NAMESPACE_PREFIX):
        return "comment"
    return None


def _gmt(value: str | None) -> str | None:
    if not value or value.startswith("0000"):
        return None
    stamp = parse_timestamp(value)
    return stamp + "+00:00" if stamp and "+" not in stamp else stamp


def _thread(fields: Fields, fallback_id: str) -> Thread:
    published = _gmt(fields.get("post_date_gmt")) or parse_timestamp(fields.get("pubDate"))
    article = html_to_text(fields["encoded"]) if fields.get("encoded") else None
    return Thread(
        id=(fields.get("post_id") or "").strip() or fallback_id,
        title=(fields.get("title") or "").strip() or None,
        url=(fields.get("link") or "").strip() or None,
        published=published,
        author=(fields.get("creator") or "").strip() or None,
        article=article or None,
    )


def _comment(fields: Fields, thread: Thread, fallback_id: str) -> Comment:
    extra: dict[str, Any] = {}
    meta_key = None
    for key, value in fields.items():
        if key in _COMMENT_FIELDS:
            continue
        if key == "commentmeta/meta_key":
            meta_key = value
        elif key == "commentmeta/meta_value" and meta_key:
            extra.setdefault("commentmeta", {})[meta_key] = value
        elif key != "commentmeta":
            extra[key] = value
    parent = fields.get("comment_parent", "").strip()
    return Comment(
        id=fields.get("comment_id", "").strip() or fallback_id,
        thread_id=thread.id,
        text=html_to_text(fields.get("comment_content", "")),
        parent_id=None if parent in ("", "0") else parent,
        author=(fields.get("comment_author") or "").strip() or None,
        created_at=_gmt(fields.get("comment_date_gmt"))
        or parse_timestamp(fields.get("comment_date")),
        status=normalise_status(fields.get("comment_approved")),
        thread_title=thread.title,
        thread_url=thread.url,
        extra=extra,
    )


def read_wxr(source: Source, options: ReadOptions) -> Iterator[Thread | Comment]:
    thread: Thread | None = None
    items = comments = 0
    for kind, _, fields in iter_records(source, _kind):
        if kind == "item":
            items += 1
            thread = None
            if fields.get("post_type", "").strip() in _NOT_CONTENT:
                continue
            thread = _thread(fields, f"{source.path.stem}:item{items}")
            yield thread
        elif thread is not None:
            comments += 1
            yield _comment(fields, thread, f"{thread.id}:c{comments}")


def _sniff(head: str, suffix: str) -> bool:
    return head.startswith("<") and "wordpress.org/export/" in head


WXR = ExportFormat("wxr", "WordPress export (WXR 1.0-1.2)", (".xml",), _sniff, read_wxr)
