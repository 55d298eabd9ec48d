"""Saved HTML pages ("Save Page As"), read from their structure.

The comments are found three ways, each a :class:`~.markup.CommentMarkup` read the same way:
the markup of a known comment system or forum (systems.py), the schema.org microdata a page
carries (structured.py), and, where neither is there, the page's own repeated layout
(repeated.py); comments stated only in JSON-LD are read last. Where several readings find
comments, the one whose comments most often have a text and an author is kept, a declared
system before the inferred layout. Nesting comes from the tree. The article's title, author
and date come from the printed page and its metadata (article.py).

On the first page of a forum thread the first post is the thread's opening post: it is user
content like any reply, so it is read as a comment (``extra["opening_post"]``, id
``<thread>/0``), and the thread takes its title and author from it; replies to it stand at
depth 0, as the forum prints them.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from typing import Any

from moderation.comments import Comment, Thread
from moderation.errors import HostileInputError, InputError
from moderation.formats.page_html.article import article_body, article_meta, declared_count
from moderation.formats.page_html.dom import NestingError, Node, ancestors, parse, render
from moderation.formats.page_html.markup import CommentMarkup, FoundComment, Reading
from moderation.formats.page_html.repeated import infer
from moderation.formats.page_html.structured import MICRODATA, json_ld_comments
from moderation.formats.page_html.systems import SYSTEMS
from moderation.formats.page_text.dating import DateReader
from moderation.formats.source import ExportFormat, ReadOptions, Source

_SNIFF = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.I)
_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?([\w.:-]{1,40})", re.I)
_LATER_PAGE = re.compile(
    r"\b(?:page|seite|página|pagina|strona)\s+(\d{1,5})\s+(?:of|von|de|sur|di|z)\s+\d{1,5}\b",
    re.I,
)
_PAGE_MARKS = (
    ".pagination .active, .pagination .current, .pagination strong, .pageNav-page--current, "
    ".pagenav .current, .pagenav strong, .pages .current, .pages strong, "
    "[aria-current='page'], .pagination__current, .page-numbers.current"
)


INFERRED_MARGIN = 1.2
"""How much more the page's inferred layout must explain than the best declared reading to be
kept instead, and by how many more comments at most: a declaration names a system's own markup,
so it wins a near tie; with many more comments, the inferred layout wins only where it reads
each as well (authors, times, texts): finer cuts of one comment each hold less."""


def _doubtful(found: list[FoundComment]) -> bool:
    """Whether a declared reading leaves room for the inferred layout to read the page
    better: it found few comments, or comments without an author or a text."""
    complete = sum(1 for c in found if c.text and c.author)
    return len(found) < 3 or 10 * complete < 9 * len(found)


def _score(found: list[FoundComment]) -> float:
    return sum(bool(c.text) + bool(c.author) + 0.5 * bool(c.time) for c in found)


def _kept(found: list[FoundComment]) -> list[FoundComment]:
    """The comments with a text or an author; a reply to one left out answers its parent."""
    new_index: dict[int, int | None] = {}
    kept: list[FoundComment] = []
    for k, comment in enumerate(found):
        parent = new_index.get(comment.parent) if comment.parent is not None else None
        if comment.text or comment.author:
            comment.parent = parent
            comment.depth = kept[parent].depth + 1 if parent is not None else 0
            new_index[k] = len(kept)
            kept.append(comment)
        else:
            new_index[k] = parent
    return kept


def comments_of(
    root: Node, dates: DateReader, document: Node | None = None
) -> tuple[CommentMarkup | None, list[FoundComment]]:
    """The page's comments by the reading that explains them best (module docstring);
    ``document`` is the whole page, whose head may hold JSON-LD."""
    best: tuple[CommentMarkup | None, list[FoundComment]] = (None, [])
    best_score = 0.0
    for markup in (*SYSTEMS, MICRODATA):
        if not markup.on(root):
            continue
        found = _kept(Reading(root, markup, dates).read())
        if _score(found) > best_score:
            best, best_score = (markup, found), _score(found)
    inferred = infer(root, dates) if _doubtful(best[1]) else None  # competes: a declaration
    if inferred is not None:  # may match a page it does not fit
        found = _kept(Reading(root, inferred, dates).read())
        declared = len(best[1])
        if _score(found) > best_score * INFERRED_MARGIN and (
            len(found) <= declared * INFERRED_MARGIN
            or _score(found) / len(found) >= best_score / max(declared, 1)
        ):
            best, best_score = (inferred, found), _score(found)
    if best_score == 0:
        found = json_ld_comments(document if document is not None else root)
        best = (None, found)
    return best


def later_page(root: Node, text: str) -> bool:
    """Whether the page is a later page of its thread (its first post is not the opening post):
    the pagination marks a page after the first as current, or says "Page 3 of 10"."""
    for node in root.css(_PAGE_MARKS):
        label = (node.text(deep=True) or "").strip()
        if label.isdigit():
            return int(label) > 1
    m = _LATER_PAGE.search(text)
    return m is not None and int(m[1]) > 1


def _opening(
    markup: CommentMarkup | None, found: list[FoundComment], root: Node, text: str
) -> int | None:
    if markup is None or not found:
        return None
    if markup.opening:
        for k, comment in enumerate(found):
            if comment.node.css_matches(markup.opening):
                return k
        return None
    if markup.forum and not later_page(root, text):
        if markup.name == "inferred" and _article_above(root, found):
            return None  # "forum" in a blog's comment classes (SPIP): the article is above
        return 0
    return None


def _article_above(root: Node, found: list[FoundComment]) -> bool:
    """Whether an article stands on the page outside the comments (three paragraphs of 150
    characters or more): comments under it, not a forum thread."""
    nodes = {c.node.mem_id for c in found}
    long_paragraphs = 0
    for paragraph in root.css("p"):
        if len(paragraph.text(deep=True, strip=True) or "") < 150:
            continue
        if any(up.mem_id in nodes for up in ancestors(paragraph, 60)):
            continue
        long_paragraphs += 1
        if long_paragraphs >= 3:
            return True
    return False


def read_html_page(markup_text: str, thread_id: str) -> tuple[Thread, list[str]]:
    """The thread of one saved page, and warnings about its reading."""
    tree = parse(markup_text)
    document = tree.root
    root = tree.body or document
    if root is None:
        return Thread(id=thread_id), []
    dates = DateReader()
    markup, found = comments_of(root, dates, document)
    nodes = {c.node.mem_id for c in found if c.node is not root}
    first = found[0].node if found and found[0].node is not root else None
    page_text = render(root, nodes)
    opening = _opening(markup, found, root, page_text)
    meta = article_meta(document, root, nodes, first, page_text.split("\n"), dates)  # type: ignore[arg-type]
    thread = Thread(id=thread_id, title=meta.title, author=meta.author, published=meta.published)
    if not (markup and markup.forum):
        thread.declared_comments = declared_count(root, nodes, markup.count if markup else "")
    if opening is not None:
        post = found[opening]
        thread.author = post.author or thread.author
        thread.published = post.time or thread.published
        for comment in found:
            if comment.parent == opening:
                comment.parent = None
    else:
        body = article_body(root, nodes, first)
        thread.article = render(body, nodes) or None if body is not None else None
    thread.comments = _comments(thread, found, opening)
    return thread, []


def _comments(thread: Thread, found: list[FoundComment], opening: int | None) -> list[Comment]:
    comments: list[Comment | None] = []
    counters: dict[str | None, int] = {}
    for k, item in enumerate(found):
        parent = comments[item.parent] if item.parent is not None else None
        if k == opening:
            ident = f"{thread.id}/0"
        else:
            key = parent.id if parent is not None else None
            counters[key] = counters.get(key, 0) + 1
            number = counters[key]
            ident = f"{parent.id}.{number}" if parent is not None else f"{thread.id}/{number}"
        extra: dict[str, Any] = {}
        if k == opening:
            extra["opening_post"] = True
        if item.quoted:
            extra["quoted"] = item.quoted
        comments.append(
            Comment(
                id=ident,
                thread_id=thread.id,
                text=item.text,
                parent_id=parent.id if parent is not None else None,
                depth=parent.depth + 1 if parent is not None else 0,
                author=item.author,
                created_at=item.time,
                thread_title=thread.title,
                thread_url=thread.url,
                extra=extra,
            )
        )
    return [c for c in comments if c is not None]


def page_markup(source: Source) -> str:
    """The page's text, in the encoding its ``<meta charset>`` names unless ``--encoding``
    or a byte-order mark said otherwise."""
    if source.requested_encoding or source.bom_length:
        return source.read_text()
    m = _CHARSET.search(source.head[:4096])
    if m is None:
        return source.read_text()
    try:
        codec = codecs.lookup(m[1].decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return source.read_text()
    if codec in ("utf-8", source.encoding) or codec.startswith("utf-16"):
        return source.read_text()
    data = source.path.read_bytes()  # type: ignore[union-attr]
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise InputError(
            source.path,
            f"bytes that are not {codec}, the page's declared charset ({err.reason})",
            line=line,
            hint="pass --encoding with the file's real encoding",
        ) from None
    if "\x00" in text:
        raise source.nul_error(text.count("\n", 0, text.index("\x00")) + 1)
    return text


def read_page_html(source: Source, options: ReadOptions) -> Iterator[Thread | Comment]:
    try:
        thread, warnings = read_html_page(page_markup(source), source.path.stem)
    except NestingError as err:
        raise HostileInputError(
            source.path, f"{err} (a broken or hostile page)", line=err.line
        ) from None
    report = source.report
    for warning in warnings:
        report.warn(warning)
    found = sum(1 for c in thread.comments if not c.extra.get("opening_post"))
    if thread.declared_comments is not None and thread.declared_comments != found:
        report.warn(f"the page says {thread.declared_comments} comments, {found} were found")
    yield thread
    yield from thread.comments


def _sniff(head: str, suffix: str) -> bool:
    return _SNIFF.search(head[:2048]) is not None


HTML = ExportFormat(
    "html",
    "a page saved as HTML (Save Page As), read from its markup",
    (".html", ".htm", ".xhtml"),
    _sniff,
    read_page_html,
)
