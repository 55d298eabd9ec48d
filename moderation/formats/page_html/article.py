"""The article of a saved page: its title and author as the page prints them, its date, its text,
and the number of comments it declares.

The title is the page's main heading, the ``<h1>`` that repeats what the page's metadata
(``og:title``, JSON-LD ``headline``, ``<title>``) calls it, without a forum's prefix labels;
the metadata's own title only where no heading is printed. The author is the printed byline
(an element marked ``author``, ``byline`` or ``rel=author`` outside the comments), else the
metadata's. The date is the metadata's (JSON-LD ``datePublished``, ``article:published_time``),
else the first ``<time>`` above the comments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from moderation.formats.page_html.dom import (
    Node,
    ancestors,
    attr,
    class_words,
    inline_text,
    named_as,
    render,
)
from moderation.formats.page_html.markers import machine_time, stamp
from moderation.formats.page_html.structured import json_ld_objects
from moderation.formats.page_text.dating import DateReader
from moderation.formats.page_text.lines import clean_name, name_like

_ARTICLE_TYPES = {
    "Article", "NewsArticle", "BlogPosting", "Report", "ScholarlyArticle", "TechArticle",
    "DiscussionForumPosting", "Question", "QAPage", "WebPage", "Recipe", "Review",
}  # fmt: skip
_SEPARATORS = re.compile(r"\s+[|–—·•»]\s+|\s+-\s+|\s+::\s+")
_LABELS = ".label, .labelLink, .prefix, .thread-prefix, .js-threadPrefix, .b-topic__prefix"
_HEADINGS = (
    "h1", ".threadtitle", ".p-title-value", "[itemprop~='headline']", ".entry-title",
    ".post-title", "h2", "h3",
)  # fmt: skip
_COUNTER_WORDS = frozenset("count counter value cc commentcount".split())
_BYLINE_WORDS = frozenset("byline author vcard autor auteur writer".split())
_BYLINE_LEAD = re.compile(
    r"^(?:(?:posted|written|published|geschrieben|verfasst|publié|escrito|publicado)\s+)?"
    r"(?:by|von|par|por|de|da|door)\s+",
    re.I,
)
_NOT_A_NAME = re.compile(r"\d{3,}|@|https?:|www\.", re.I)
_LAST_BY = re.compile(r"^.{0,40}?\b(?:by|von|par|por|door|da)\s+(?=\S)", re.I)
_LABELLED_AUTHOR = re.compile(
    r"^(?:autor(?:in)?|author|auteur|autora|written by|text)\s*:\s*(?P<name>.{2,80})$", re.I
)
_ROLES = re.compile(
    r"^(?:rechtsanwalt|rechtsanwältin|redakteur(?:in)?|journalist(?:in)?|reporter(?:in)?|"
    r"korrespondent(?:in)?|editor|staff writer|redacción|rédaction)\s+",
    re.I,
)
_COUNTED = (
    r"comments?|kommentare?|commentaires?|comentarios?|comentários?|respuestas?|responses?|"
    r"replies|réponses?|reactions?|thoughts?|gedanken|antworten|reacties|commenti|"
    r"komentarz[ey]?|meinungen|leserbriefe|opinions?|answers?|respostas?|réactions?|"
    r"reaktionen|reacciones|reações|kommentarer"
)
_COUNT_FIRST = re.compile(rf"^(?P<n>\d[\d.,]*)\s+(?:{_COUNTED})\b", re.I)
_COUNT_IN_PARENS = re.compile(rf"\b(?:{_COUNTED})\b[^()]{{0,40}}\((?P<n>\d[\d.,]*)\)\s*:?$", re.I)
_COUNT_PLACES = (
    "h1, h2, h3, h4, h5, a[href*='#comment'], a[href*='#respond'], a[href*='#disqus'], "
    "a[href*='#kommentar'], [class*='omment'], [id*='omment'], [class*='ommentar'], "
    "[class*='count'], [class*='Count'], button"
)
_BODY_SELECTORS = (
    "[itemprop~='articleBody']", ".entry-content", ".post-content", ".article-body",
    ".article__body", ".post-body", ".entry", "article", "main",
)  # fmt: skip


@dataclass
class ArticleMeta:
    title: str | None = None
    author: str | None = None
    published: str | None = None


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _meta(document: Node, *names: str) -> str | None:
    """The content of the first ``<meta>`` in the head named one of ``names``."""
    head = document.css_first("head")
    if head is None:
        return None
    metas: dict[str, str] = {}
    for node in head.css("meta"):
        key = attr(node, "property") or attr(node, "name") or attr(node, "itemprop")
        content = attr(node, "content").strip()
        if key and content:
            metas.setdefault(key, content)
    return next((metas[name] for name in names if name in metas), None)


def _structured(document: Node) -> dict[str, str]:
    """Headline, author and date from the page's JSON-LD article, if it has one."""
    for item in json_ld_objects(document):
        kind = item.get("@type")
        kinds = {str(k) for k in (kind if isinstance(kind, list) else [kind])}
        if not kinds & _ARTICLE_TYPES:
            continue
        found: dict[str, str] = {}
        headline = item.get("headline") or item.get("name")
        if isinstance(headline, str):
            found["title"] = headline.strip()
        author = item.get("author")
        if isinstance(author, list):
            author = author[0] if len(author) == 1 else None
        if isinstance(author, dict):
            author = author.get("name")
        if isinstance(author, str) and author.strip():
            found["author"] = author.strip()
        published = item.get("datePublished") or item.get("dateCreated")
        if isinstance(published, str):
            found["published"] = published
        if found:
            return found
    return {}


def _heading_text(node: Node) -> str:
    """A heading's text without a forum's prefix labels."""
    labels = {label.mem_id for label in node.css(_LABELS)}
    return " ".join(render(node, labels).split()) if labels else inline_text(node)


def title_of(document: Node, root: Node, outside: set[int]) -> str | None:
    """The printed title (see the module's docstring): of the headings that repeat what the
    metadata calls the page, the one that is most of it (a site's name in an ``<h1>`` is a
    small part of "Site » Section » Title"), an ``<h1>`` before lower headings."""
    title_node = document.css_first("title")
    named = [
        _meta(document, "og:title", "twitter:title"),
        _structured(document).get("title"),
        inline_text(title_node) if title_node is not None else None,
    ]
    names = [_fold(n) for n in named if n]
    best, best_score = None, 0.0
    first_h1 = None
    for rank, selector in enumerate(_HEADINGS):
        for node in root.css(selector):
            if _inside(node, outside):
                continue
            text = _heading_text(node)
            if not text:
                continue
            if selector == "h1" and first_h1 is None:
                first_h1 = text
            folded = _fold(text)
            for name in names:
                if folded == name:
                    score = 2.0
                elif len(folded) >= 8 and folded in name:
                    score = len(folded) / len(name)
                elif len(name) >= 8 and name in folded:
                    score = len(name) / len(folded)
                else:
                    continue
                score -= 0.01 * rank
                if score > best_score:
                    best, best_score = text, score
    if best is not None and best_score >= 0.3:
        return best
    if first_h1:
        return first_h1
    for name in named:  # type: ignore[assignment]
        if name:
            return _SEPARATORS.split(name)[0].strip() or None
    return None


def _inside(node: Node, ids: set[int]) -> bool:
    return node.mem_id in ids or any(a.mem_id in ids for a in ancestors(node, 200))


def byline_of(root: Node, outside: set[int], before: Node | None) -> str | None:
    """The name in the article's printed byline, or None."""
    stop = before.mem_id if before is not None else None
    for node in root.traverse(include_text=False):
        if node.mem_id == stop:
            break
        words = class_words(node)
        if not (
            words & _BYLINE_WORDS
            or "author" in attr(node, "rel").lower()
            or "author" in attr(node, "itemprop").lower()
        ):
            continue
        if _inside(node, outside) or words & {"comment-author", "avatar"}:
            continue
        name = byline_name(inline_text(node))
        if name:
            return name
    return None


def byline_name(text: str) -> str | None:
    """The name in a printed byline ("von Kathrin", "Eingestellt von Ann", "Autor: Rechtsanwalt
    Ann Lee", "By Ann Lee | March 3"), or None."""
    labelled = _LABELLED_AUTHOR.match(text.strip())
    if labelled:
        text = labelled["name"]
    text = _BYLINE_LEAD.sub("", text.strip())
    text = _LAST_BY.sub("", text).strip(" ,:;|·")
    text = re.split(r"\s+(?:[|·•,]|on|am|le|el|il)\s+|\s*[|·•]\s*", text)[0].strip()
    text = _ROLES.sub("", text)
    if 2 <= len(text) <= 60 and name_like(text) and not _NOT_A_NAME.search(text):
        return clean_name(text) or None  # a "name" clean_name strips whole ("Posted") is none
    return None


def declared_count(root: Node, outside: set[int], places: str = "") -> int | None:
    """The number of comments the page prints ("953 Kommentare", "Comments (3)", "5 thoughts on
    ...", a number in the comment counter's box; first in ``places``, a comment system's own
    counter), or None."""
    if places:
        for node in root.css(places):
            text = " ".join((node.text(deep=True) or "").split())
            digits = re.sub(r"[.,]", "", text)
            if digits.isdigit():
                return int(digits)
    for node in root.css(_COUNT_PLACES):
        raw = node.text(deep=True) or ""
        if len(raw) > 400 or _inside(node, outside):
            continue
        text = " ".join(render(node, controls=True).split())
        if not text or len(text) > 120:
            continue
        m = _COUNT_FIRST.match(text) or _COUNT_IN_PARENS.search(text)
        if m is None and text.isdigit() and named_as(node, _COUNTER_WORDS):
            return int(text)
        if m is not None:
            digits = re.sub(r"[.,]", "", m["n"])
            return int(digits) if digits.isdigit() else None
    return None


def printed_date(lines: list[str], title: str | None, dates: DateReader) -> str | None:
    """A date printed with a year in the lines around the title (a dateline, "By X | March 3,
    2024"), or None."""
    if not title:
        return None
    folded = _fold(title)
    at = next((i for i, line in enumerate(lines) if _fold(line) == folded), None)
    if at is None:
        return None
    for line in lines[max(0, at - 3) : at] + lines[at + 1 : at + 8]:
        line = line.strip()
        if 6 <= len(line) <= 120:
            found = dates.find(line)
            if found is not None and found.iso is not None:
                return found.iso
    return None


def article_meta(
    document: Node,
    root: Node,
    outside: set[int],
    first: Node | None,
    lines: list[str] | None = None,
    dates: DateReader | None = None,
) -> ArticleMeta:
    """Title, author and date of the page; ``outside`` holds the comments' elements (their
    headings and names are not the article's), ``first`` is the first comment's element,
    ``lines`` the page's text without the comments (for a dateline under the title)."""
    structured = _structured(document)
    meta = ArticleMeta(title=title_of(document, root, outside))
    meta.author = byline_of(root, outside, first) or _labelled_byline(root, outside, first)
    if meta.author is None:
        meta.author = _meta(document, "author", "article:author") or structured.get("author")
        if meta.author and (_NOT_A_NAME.search(meta.author) or len(meta.author) > 60):
            meta.author = None
    published = structured.get("published") or _meta(
        document, "article:published_time", "datePublished", "date", "DC.date.issued"
    )
    meta.published = stamp(published) if published else None
    if meta.published is None:
        for node in root.css("time"):
            if _inside(node, outside):
                continue
            meta.published = machine_time(node)
            if meta.published:
                break
    if meta.published is None and lines is not None and dates is not None:
        meta.published = printed_date(lines, meta.title, dates)
    return meta


def _labelled_byline(root: Node, outside: set[int], first: Node | None) -> str | None:
    """A byline printed as plain text ("Autor: Ann Lee") in the article, above the comments."""
    body = article_body(root, outside, first)
    if body is None:
        return None
    for line in render(body).split("\n"):
        line = line.strip()
        if _LABELLED_AUTHOR.match(line):
            return byline_name(line)
    return None


def article_body(root: Node, outside: set[int], first: Node | None) -> Node | None:
    """The element holding the article's text: not a comment, nor holding the first one."""
    for selector in _BODY_SELECTORS:
        for node in root.css(selector):
            if _inside(node, outside):
                continue
            if first is not None and any(a.mem_id == node.mem_id for a in ancestors(first, 200)):
                continue
            return node
    return None
