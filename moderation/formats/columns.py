"""Rows of tabular exports (CSV, TSV, JSONL) as comments: which column is which, and checks.

Columns are found by common names unless the user names them (``--text-col`` and friends).
Columns that map to no field are passed through in ``extra`` unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from moderation.comments import LABELS, STATUSES, Comment, QuoteSpan
from moderation.formats.dates import parse_timestamp
from moderation.formats.source import ColumnMap

# Field -> names it is found under, in order of preference (compared case-insensitively).
COMMON_NAMES: dict[str, tuple[str, ...]] = {
    "text": (
        "text",
        "body",
        "comment",
        "message",
        "content",
        "comment_content",
        "comment_text",
        "comment_body",
        "tweet",
        "post_text",
    ),
    "id": ("id", "comment_id", "commentid", "_id"),
    "parent": (
        "parent_id",
        "parent",
        "parentid",
        "comment_parent",
        "in_reply_to",
        "reply_to",
        "in_reply_to_id",
    ),
    "thread": (
        "thread_id",
        "thread",
        "article_id",
        "post_id",
        "comment_post_id",
        "link_id",
        "story_id",
        "discussion_id",
        "page_id",
        "thread_key",
    ),
    "author": (
        "author",
        "comment_author",
        "user",
        "username",
        "user_name",
        "screen_name",
        "author_name",
    ),
    "time": (
        "created_at",
        "created",
        "created_utc",
        "timestamp",
        "time",
        "date",
        "comment_date_gmt",
        "comment_date",
        "posted_at",
        "published",
    ),
    "label": ("label", "gold_label"),
    "status": ("status", "comment_approved", "moderation_status", "state"),
    "depth": ("depth",),
    "quotes": ("quotes",),
    "thread_title": ("thread_title", "title"),
    "thread_url": ("thread_url", "url", "link", "permalink"),
    "extra": ("extra",),
}
_USER_OPTION = {
    "text": "text",
    "id": "id",
    "parent": "parent",
    "thread": "thread",
    "author": "author",
    "time": "time",
    "label": "label",
}
_NO_PARENT = {"", "0", "null", "none", "nan"}
_STATUS_WORDS = {
    "1": "approved",
    "approve": "approved",
    "approved": "approved",
    "published": "approved",
    "visible": "approved",
    "0": "pending",
    "pending": "pending",
    "hold": "pending",
    "unapproved": "pending",
    "spam": "spam",
    "trash": "deleted",
    "deleted": "deleted",
    "removed": "removed",
    "post-trashed": "deleted",
}


class RecordProblem(ValueError):
    """One record cannot be turned into a comment; the reader adds file and line."""


@dataclass(frozen=True)
class FieldMap:
    """Field name -> the record key that holds it (absent fields are not in the dict)."""

    keys: dict[str, str]
    mapped: frozenset[str]
    columns: tuple[str, ...] = ()  # the export's column names, in order

    def get(self, field: str) -> str | None:
        return self.keys.get(field)


def resolve_fields(columns: Iterable[str], wanted: ColumnMap, where: str) -> FieldMap:
    """Match the export's column names to comment fields. Raises RecordProblem when a column
    the user named does not exist, or when no text column can be found."""
    names = list(columns)
    by_lower: dict[str, str] = {}
    for name in names:
        by_lower.setdefault(name.strip().lower(), name)
    keys: dict[str, str] = {}
    for field, option in _USER_OPTION.items():
        chosen = getattr(wanted, option)
        if chosen is not None:
            if chosen not in names and chosen.lower() not in by_lower:
                raise RecordProblem(
                    f"--{option}-col {chosen!r} is not a column of {where} "
                    f"(columns: {', '.join(names[:20])})"
                )
            keys[field] = chosen if chosen in names else by_lower[chosen.lower()]
    taken = set(keys.values())
    for field, candidates in COMMON_NAMES.items():
        if field in keys:
            continue
        for candidate in candidates:
            column = by_lower.get(candidate)
            if column is not None and column not in taken:
                keys[field] = column
                taken.add(column)
                break
    if "text" not in keys:
        raise RecordProblem(
            f"no text column in {where} (columns: {', '.join(names[:20])}); name it with --text-col"
        )
    return FieldMap(keys=keys, mapped=frozenset(taken), columns=tuple(names))


def _label(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip().lower()
    if not text:
        return None
    if text not in LABELS:
        raise RecordProblem(f"unknown label {value!r} (labels are {', '.join(LABELS)})")
    return text


def normalise_status(value: Any) -> str | None:
    if value is None or value == "":
        return None
    text = str(value).strip().lower()
    status = _STATUS_WORDS.get(text, text)
    return status if status in STATUSES else None


def _quotes(value: Any, text: str) -> list[QuoteSpan]:
    if not value:
        return []
    if not isinstance(value, list):
        raise RecordProblem("quotes must be a list of {start, end, source}")
    spans = []
    for item in value:
        try:
            start, end, source = int(item["start"]), int(item["end"]), str(item["source"])
        except (TypeError, KeyError, ValueError):
            raise RecordProblem("quotes must be a list of {start, end, source}") from None
        if not 0 <= start < end <= len(text):
            raise RecordProblem(f"quote span {start}-{end} lies outside the text")
        spans.append(QuoteSpan(start, end, source))
    return spans


def _optional_text(value: Any) -> str | None:
    if value is None:
        return None
    text = (value if type(value) is str else str(value)).strip()
    return text or None


_LABEL_SET = frozenset(LABELS)


Converter = Callable[[dict[str, Any], str, str], Comment]


def make_converter(fields: FieldMap) -> Converter:
    """``convert(record, default_id, default_thread) -> Comment`` for records whose keys this
    map was made from. Built once per column layout, so each row costs only the lookups its
    columns need; raises RecordProblem naming the field."""
    keys = fields.keys
    text_key = keys["text"]
    id_key, parent_key, thread_key = keys.get("id"), keys.get("parent"), keys.get("thread")
    optional = [(name, keys[field], _CLEANERS[field]) for field, name in _OPTIONAL if field in keys]
    quotes_key, extra_key = keys.get("quotes"), keys.get("extra")
    # the records have the map's columns, so the ones that go to ``extra`` are known once
    unmapped = [name for name in dict.fromkeys(fields.columns) if name not in fields.mapped]

    def convert(record: dict[str, Any], default_id: str, default_thread: str) -> Comment:
        text = record.get(text_key)
        if type(text) is not str:
            if text is None:
                raise RecordProblem(f"no {text_key!r} field")
            raise RecordProblem(f"{text_key!r} is not text but {type(text).__name__}")
        cid = record.get(id_key) if id_key else None
        cid = default_id if cid is None or cid == "" else (cid if type(cid) is str else str(cid))
        parent = record.get(parent_key) if parent_key else None
        if parent is not None:
            parent = parent if type(parent) is str else str(parent)
            if parent in _NO_PARENT or parent.strip().lower() in _NO_PARENT:
                parent = None
        thread = record.get(thread_key) if thread_key else None
        thread = default_thread if thread is None or thread == "" else str(thread)
        comment = Comment(id=cid, thread_id=thread, text=text, parent_id=parent, record=record)
        for attribute, key, clean in optional:
            value = record.get(key)
            if value is not None:
                setattr(comment, attribute, clean(value))
        if quotes_key:
            comment.quotes = _quotes(record.get(quotes_key), text)
        extra = {k: record[k] for k in unmapped} if unmapped else {}
        if extra_key and (nested := record.get(extra_key)) is not None:
            extra = {**(nested if isinstance(nested, dict) else {extra_key: nested}), **extra}
        comment.extra = extra
        return comment

    return convert


def _depth(value: Any) -> int:
    if value == "":
        return 0
    try:
        return int(value)
    except (TypeError, ValueError):
        raise RecordProblem(f"depth {value!r} is not a whole number") from None


def _fast_label(value: Any) -> str | None:
    return value if value in _LABEL_SET else _label(value)


_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "author": _optional_text,
    "time": parse_timestamp,
    "label": _fast_label,
    "status": normalise_status,
    "depth": _depth,
    "thread_title": _optional_text,
    "thread_url": _optional_text,
}
# (field, Comment attribute) of the fields that need only a cleaning function
_OPTIONAL = [
    ("author", "author"),
    ("time", "created_at"),
    ("label", "label"),
    ("status", "status"),
    ("depth", "depth"),
    ("thread_title", "thread_title"),
    ("thread_url", "thread_url"),
]
