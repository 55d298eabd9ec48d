"""What an element of a comment is, read from its markup: its author's name, its time, its text,
a quote of another post, or furniture (reply links, votes, signatures).

The vocabulary is the words that comment systems and themes put in their class names, ids and
``itemprop`` attributes, in the languages read; a layout declaration (systems.py) may name its
own selectors instead, and these are what the inferred layout (repeated.py) goes by.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from moderation.formats.page_html.dom import (
    Node,
    ancestors,
    attr,
    class_words,
    inline_text,
    named_as,
)
from moderation.formats.page_text.dating import DateReader, When

AUTHOR_WORDS = frozenset(
    "author username poster commenter nickname nick fn autor auteur benutzer uname "
    "postauthor commentauthor displayname hnuser".split()
)
WEAK_AUTHOR_WORDS = frozenset("user name member profile".split())
TIME_WORDS = frozenset(
    "date time timestamp datetime published postdate posted datum zeit fecha ago timeago "
    "relativetime age commentmetadata".split()
)
BODY_WORDS = frozenset(
    "content text texte body message postbody postcontent bbwrapper cooked md usertext entry "
    "msg messagetext copy description prose commtext".split()
)
FURNITURE_WORDS = frozenset(
    "reply replies respond actions action toolbar controls buttons button btn share sharing "
    "vote votes voting like likes reactions reaction report permalink edit edited signature "
    "sig avatar badge badges rank karma rating flag menu dropdown tooltip footer meta "
    "metadata screen reader sr only visually form likebutton social says trigger toggle "
    "expand collapse".split()
)
QUOTE_WORDS = frozenset(
    "quote bbcodequote bbcode_quote quotecontainer quote_container bbcodeblock--quote "
    "bbcode-quote blockquote-quote".split()
)
_SURE_AUTHOR = frozenset("fn username nickname displayname hnuser".split())
_PROFILE_LINK = re.compile(
    r"/(?:u|user|users|members?|profile|profiles|people|benutzer|mitglied|author)/"
    r"|[?&](?:u|user|userid|mode=viewprofile)\b|member\.php|profile\.php|memberlist\.php"
    r"|^(?:https?:)?//(?:profiles?|users?|members?|community)\.",
    re.I,
)
_ISO = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})(?:[T ](?P<time>\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?)?"
    r"(?P<zone>Z|[+-]\d{2}:?\d{2})?$"
)
_EPOCH = re.compile(r"^\d{9,13}$")


def itemprops(node: Node) -> set[str]:
    return set(attr(node, "itemprop").lower().split())


def author_rank(node: Node) -> int | None:
    """How surely an element holds a comment author's name: 0 surest, None not at all."""
    props = itemprops(node)
    if props & {"author", "creator"}:
        return 0
    if _labels_its_entry(node):
        return 2
    if named_as(node, _SURE_AUTHOR):
        return 1
    if named_as(node, AUTHOR_WORDS):
        return 2
    if node.tag == "cite":
        return 3
    if node.tag == "a" and (
        "author" in attr(node, "rel").lower() or _PROFILE_LINK.search(attr(node, "href"))
    ):
        return 3
    if named_as(node, WEAK_AUTHOR_WORDS):
        return 4
    return None


_ENTRY_ROLES = frozenset(("article", "comment"))


def _labels_its_entry(node: Node) -> bool:
    """Whether the element names the ARIA article or comment around it (its id is the
    ``aria-labelledby`` of an ancestor with that role): in a comment feed, the author."""
    ident = attr(node, "id")
    if not ident:
        return False
    for up in ancestors(node, 6):
        if ident in attr(up, "aria-labelledby").split():
            return attr(up, "role").lower() in _ENTRY_ROLES
    return False


def time_rank(node: Node) -> int | None:
    """How surely an element holds a comment's time: 0 surest, None not at all."""
    if node.tag == "time" or "datetime" in node.attributes:
        return 0
    if itemprops(node) & {"datecreated", "datepublished", "commenttime", "uploaddate"}:
        return 0
    if named_as(node, TIME_WORDS):
        return 1
    if node.tag == "abbr" and attr(node, "title"):
        return 2
    return None


def is_body(node: Node) -> bool:
    if itemprops(node) & {"text", "articlebody", "commenttext", "reviewbody"}:
        return True
    return named_as(node, BODY_WORDS)


def is_furniture(node: Node) -> bool:
    if node.tag in ("form", "button", "menu", "nav"):
        return True
    return bool(class_words(node) & FURNITURE_WORDS) and not is_body(node)


def is_quote(node: Node) -> bool:
    """A quote of another post (its author named in it, or the forum's quote markup)."""
    words = class_words(node)
    if words & QUOTE_WORDS:
        return True
    if node.tag != "blockquote":
        return False
    return node.css_first("cite") is not None or bool(attr(node, "data-author"))


def machine_time(node: Node) -> str | None:
    """The time an element states for machines (``datetime``, ``content``, ``title``,
    ``data-time``), or None."""
    for name in ("datetime", "content", "title", "data-time", "data-timestamp"):
        found = stamp(attr(node, name))
        if found is not None:
            return found
    return None


def stamp(value: str) -> str | None:
    """An ISO 8601 time as its local ``YYYY-MM-DDTHH:MM`` (``YYYY-MM-DD`` for a date), the
    wall-clock time the page printed; seconds since 1970 (or milliseconds) as UTC."""
    value = value.strip()
    m = _ISO.match(value)
    if m:
        return m["date"] + (f"T{m['time']}" if m["time"] else "")
    if _EPOCH.match(value):
        seconds = int(value) / (1000 if len(value) == 13 else 1)
        try:
            moment = datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
        return moment.strftime("%Y-%m-%dT%H:%M")
    return None


def short_text(node: Node, limit: int = 120) -> str | None:
    text = inline_text(node)
    return text if 0 < len(text) <= limit else None


def own_texts(node: Node, limit: int = 4) -> list[str]:
    """The first few text nodes directly inside an element, stripped of spaces and the
    separators printed around a date ("by Ann » Sun Jan 10, 2016"); empty ones left out."""
    found: list[str] = []
    child = node.child
    while child is not None and len(found) < limit:
        if child.tag == "-text":
            text = (child.text_content or "").strip(" \t\r\n\u00a0»|·•-–—,#")
            if text:
                found.append(text)
        child = child.next
    return found


def loose_date(node: Node, dates: DateReader) -> When | None:
    """A date an element prints as its own loose text, beside its other elements ("by <a>Ann
    </a> » Sun Jan 10, 2016 4:46 pm"): the date must make up most of that text, so that a
    sentence mentioning a day is not taken for a time."""
    for text in own_texts(node):
        if 6 <= len(text) <= 80 and any(ch.isdigit() for ch in text):
            found = dates.find(text)
            if found is not None and 2 * (found.end - found.start) >= len(text):
                return found
    return None
