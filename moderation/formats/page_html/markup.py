"""A comment layout as a declaration, and the reading of a page's comments by one.

A :class:`CommentMarkup` says, in CSS selectors, which element is one comment and where its
author, time and text are inside it. What it leaves out is found by the markers (markers.py):
the name in the element whose class says ``author`` or ``username``, the time in a ``<time>``
element, the text in the element whose class says ``content`` or ``text``. Nesting comes from
the tree (a reply's element inside its parent's), or, where a system prints its comments flat,
from what it marks each one with (``depth-2``, ``comment--indented``, an indent attribute).

Known systems are declared in systems.py, the schema.org vocabulary in structured.py, and a
page's own repeated layout is inferred into a declaration in repeated.py: all three are read
here, the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from moderation.formats.page_html.dom import (
    Node,
    ancestors,
    attr,
    class_tokens,
    inline_text,
    render,
)
from moderation.formats.page_html.dom import (
    children as children_of,
)
from moderation.formats.page_html.markers import (
    author_rank,
    is_body,
    is_furniture,
    is_quote,
    loose_date,
    machine_time,
    time_rank,
)
from moderation.formats.page_text.dating import DateReader
from moderation.formats.page_text.lines import furniture

_DEPTH_CLASS = re.compile(r"(?:^|[-_])(?:depth|level|lvl|indent)[-_]?(\d{1,2})$")
_INDENTED = re.compile(r"(?:^|[-_])(?:indented|reply|child|nested)$")
_REPLY_BOX = frozenset(
    "indented children replies child-comments sub-comments comment-replies".split()
)
_SAYS = re.compile(
    r"\s*(?:says|said|sagt|sagte|schrieb|dit|dice|dijo|disse|wrote|a écrit|escribió|"
    r"kommentierte|commented)\s*:?\s*$",
    re.I,
)
_BY = re.compile(r"^(?:by|von|par|por|posted by|written by|kommentar von|comment by)\s+", re.I)
_MAX_NAME = 80
_INLINE_PARTS = frozenset("span a button small time abbr".split())
_PROSE = frozenset("p li blockquote pre td".split())
_INDENT_STYLE = re.compile(r"(?:padding|margin)-left\s*:\s*(\d{1,4}(?:\.\d+)?)(?:px|em|rem)")
_NAME_TAGS = frozenset("a strong b cite span".split())
_MARKED_TAGS = frozenset("a cite time abbr form button menu nav".split())
_LETTERS = re.compile(r"[^\W\d_]{3,}")
_QUOTING = re.compile(
    r"\b(?:said|wrote|writes|says|schrieb|sagte|a écrit|escribió|disse|scrisse|napisał)\b", re.I
)


@dataclass(frozen=True)
class CommentMarkup:
    """How a comment system marks its comments (CSS selectors; an empty one: by the markers).

    ``forum``: the comments are the posts of a thread, so on its first page the first post is
    the thread's opening post. ``present``: a selector only the system's pages match, where
    its comment selector is a common one (``li.comment``). ``depth``: for systems that print
    comments flat, a function giving a comment element's depth from its markup (None where it
    says nothing)."""

    name: str
    comment: str
    author: str = ""
    time: str = ""
    body: str = ""
    drop: str = ""
    quote: str = ""
    forum: bool = False
    depth: Callable[[Node], int | None] | None = field(default=None, compare=False)
    opening: str = ""  # a thread's opening post, where it is marked apart from the replies
    count: str = ""  # the element printing the number of comments
    present: str = ""  # what shows the system is on the page (default: a comment element)
    fallbacks: tuple[str, ...] = ()  # where no element is ``comment``: other themes' markup

    def comment_elements(self, root: Node) -> list[Node]:
        """The comment elements by ``comment``, else by the first fallback that finds any."""
        for selector in (self.comment, *self.fallbacks):
            found = unique(n for n in root.css(selector) if not _in_hidden(n))
            if found:
                return found
        return []

    def on(self, root: Node) -> bool:
        """Whether the page shows this system."""
        if self.present:
            return root.css_first(self.present) is not None
        return any(root.css_first(s) is not None for s in (self.comment, *self.fallbacks))


@dataclass
class FoundComment:
    """One comment read from the page: its element, what was read, and its place."""

    node: Node
    text: str
    author: str | None = None
    time: str | None = None
    quoted: list[str] = field(default_factory=list)
    parent: int | None = None
    depth: int = 0
    opening: bool = False


def depth_from_classes(node: Node) -> int | None:
    """``depth-2``, ``level-3``, ``comment--indented``: a depth a flat list marks."""
    for token in class_tokens(node):
        m = _DEPTH_CLASS.search(token)
        if m:
            return max(0, int(m[1]) - 1)
    for token in class_tokens(node):
        if _INDENTED.search(token):
            return 1
    for name in ("data-depth", "aria-level", "data-level"):
        value = attr(node, name)
        if value.isdigit():
            return max(0, int(value) - (0 if name == "data-depth" else 1))
    boxes = sum(1 for up in ancestors(node, 40) if set(class_tokens(up)) & _REPLY_BOX)
    return boxes or None


def depths_from_indent(nodes: list[Node]) -> list[int | None]:
    """Depths a flat list prints as indentation (``style="padding-left:32px"`` on a comment
    or a box just around it): each distinct indent is one level deeper than the one below."""
    indents = [_indent(node) for node in nodes]
    levels = sorted({i for i in indents if i is not None})
    if len(levels) < 2:
        return [None] * len(nodes)
    return [levels.index(i) if i is not None else None for i in indents]


def _indent(node: Node) -> float | None:
    for up in (node, *ancestors(node, 2)):
        m = _INDENT_STYLE.search(attr(up, "style"))
        if m:
            return float(m[1])
    return None


class Reading:
    """The comments of one page read by one markup."""

    def __init__(self, root: Node, markup: CommentMarkup, dates: DateReader):
        self.root = root
        self.markup = markup
        self.dates = dates
        self.nodes = markup.comment_elements(root)
        self.ids = {n.mem_id: k for k, n in enumerate(self.nodes)}
        self.parents: list[int | None] = []
        self.replies: list[list[int]] = [[] for _ in self.nodes]
        for k, node in enumerate(self.nodes):
            parent = next(
                (j for up in ancestors(node, 200) if (j := self.ids.get(up.mem_id)) is not None),
                None,
            )
            self.parents.append(parent)
            if parent is not None:
                self.replies[parent].append(k)

    def _own_elements(self, k: int) -> list[Node]:
        """The elements of comment ``k`` that are not in a reply of it, in document order."""
        out: list[Node] = []
        stack = list(reversed(list(children_of(self.nodes[k]))))
        while stack:
            n = stack.pop()
            if n.mem_id in self.ids:
                continue  # a reply: its elements are its own
            out.append(n)
            stack.extend(reversed(list(children_of(n))))
        return out

    def read(self) -> list[FoundComment]:
        found = [self._comment(k) for k in range(len(self.nodes))]
        self._nest(found)
        return found

    def _comment(self, k: int) -> FoundComment:
        node, markup = self.nodes[k], self.markup
        own = self._own_elements(k)
        own_ids = {n.mem_id for n in own}
        author_node = self._first(k, markup.author, own_ids)
        if author_node is None:
            author_node = _best(own, author_rank, _name_text)
            if author_node is not None:
                author_node = self._name_inside(author_node)
        time_node = self._first(k, markup.time, own_ids)
        when = self._time(time_node) if time_node is not None else None
        if when is None:
            when, marked = self._time_by_markers(own)
            time_node = time_node or marked
        body = self._first(k, markup.body, own_ids)
        if body is None:
            body = self._body_by_markers(k, own, author_node)
        skip = {self.nodes[j].mem_id for j in self.replies[k]}
        body = node if body is None else body
        for extra in (author_node, time_node):
            if extra is not None:
                skip.add(extra.mem_id)
        inside = None if body is node else {n.mem_id for n in body.traverse(include_text=False)}
        skip.update(
            n.mem_id for n in own if (inside is None or n.mem_id in inside) and _header_part(n)
        )
        if inside is None:  # no element marked as the text: its header's words by their shape
            skip.update(n.mem_id for n in own if _printed_furniture(n, self.dates))
        if markup.drop:
            skip.update(n.mem_id for n in body.css(markup.drop))
        quotes = unique(body.css(markup.quote)) if markup.quote else _quotes(body)
        quoted = []
        for quote in quotes:
            if quote.mem_id in skip:
                continue
            line = _attribution(quote)
            if line is not None:
                skip.add(line.mem_id)
            quoted.append(
                render(quote) if line is None else f"{inline_text(line)}\n{render(quote)}"
            )
            skip.add(quote.mem_id)
        text = render(body, skip)
        if not text and quoted:  # a post of nothing but a quote: the quote is what it says
            text, quoted = "\n\n".join(quoted), []
        author = _name_text(author_node) if author_node is not None else None
        return FoundComment(node, text, author, when, quoted)

    def _name_inside(self, node: Node) -> Node:
        """The element holding the name alone, where the element marked as the author prints
        a date too ("by <a>Ann</a> » Sun May 26, 2019 4:34 pm"): its first link or emphasis
        whose text is no date."""
        text = inline_text(node)
        if len(text) > 160 or self.dates.find(text) is None:
            return node
        for inner in node.traverse(include_text=False):
            if inner.mem_id == node.mem_id or inner.tag not in _NAME_TAGS:
                continue
            name = _name_text(inner)
            if name and self.dates.find(name) is None:
                return inner
        return node

    def _first(self, k: int, selectors: str, own: set[int]) -> Node | None:
        """The first element of comment ``k`` (its elements' ids are ``own``) matching the
        first of ``selectors`` (a comma-separated list, in order of preference) that matches
        any."""
        for selector in selectors.split(","):
            if selector.strip():
                for n in self.nodes[k].css(selector.strip()):
                    if n.mem_id in own:
                        return n
        return None

    def _time(self, node: Node) -> str | None:
        """The time as the page prints it (none for "3 hours ago" or a date without a year,
        as in the page's text); the markup's own time only where nothing is printed, or to
        settle the order of day and month in a numeric date ("04-09-2019")."""
        printed = inline_text(node)
        machine = machine_time(node)
        if printed and len(printed) <= 120:
            found = self.dates.find(printed)
            if found is not None:
                if found.iso is None:
                    return None
                span = printed[found.start : found.end]
                if machine and not _LETTERS.search(span) and machine[:10] != found.iso[:10]:
                    return machine[:10] + found.iso[10:]
                return found.iso
        return machine

    def _time_by_markers(self, own: list[Node]) -> tuple[str | None, Node | None]:
        """The time the markers find, and the element that prints it alone (left out of the
        text), if one does."""
        ranked = sorted(
            ((r, n) for n in own if (r := time_rank(n)) is not None), key=lambda pair: pair[0]
        )
        for _, node in ranked:
            when = self._time(node)
            if when is not None:
                return when, None
        for node in own:  # a date printed as loose text ("by Ann » Mon Mar 11, 2024 9:41")
            found = loose_date(node, self.dates) if not is_body(node) else None
            if found is not None and found.iso is not None:
                alone = found.end - found.start == len(inline_text(node))
                return found.iso, node if alone else None
        return None, None

    def _body_by_markers(self, k: int, own: list[Node], author: Node | None) -> Node | None:
        """The largest element marked as text that holds neither the author nor a reply."""
        best, best_size = None, 0
        for n in own:
            if not is_body(n) or is_furniture(n):
                continue
            if author is not None and _holds(n, author):
                continue
            size = len(n.text(deep=True, strip=True) or "")
            if size > best_size:
                best, best_size = n, size
        return best

    def _nest(self, found: list[FoundComment]) -> None:
        for k, parent in enumerate(self.parents):
            found[k].parent = parent
        if not any(p is not None for p in self.parents):
            depth_of = self.markup.depth or depth_from_classes
            depths = [depth_of(n) for n in self.nodes]
            if not any(d for d in depths):
                depths = depths_from_indent(self.nodes)
            if any(d for d in depths):
                _parents_from_depths(found, [d or 0 for d in depths])
        for item in found:
            item.depth = found[item.parent].depth + 1 if item.parent is not None else 0


def unique(nodes: Iterable[Node]) -> list[Node]:
    """Elements in document order, each once (a selector list matches an element once per
    selector it meets)."""
    seen: set[int] = set()
    out = []
    for node in nodes:
        if node.mem_id not in seen:
            seen.add(node.mem_id)
            out.append(node)
    return out


def _parents_from_depths(found: list[FoundComment], depths: list[int]) -> None:
    stack: list[int] = []
    for k, depth in enumerate(depths):
        while stack and depths[stack[-1]] >= depth:
            stack.pop()
        found[k].parent = stack[-1] if stack else None
        stack.append(k)


def _header_part(node: Node) -> bool:
    """Furniture, or a short element marked as the author's name or the time: printed around a
    comment's text, not part of it."""
    attributes = node.attributes
    if (
        not (attributes.get("class") or attributes.get("id") or attributes.get("itemprop"))
        and node.tag not in _MARKED_TAGS
    ):
        return False
    if is_furniture(node):
        return True
    rank, timed = author_rank(node), time_rank(node)
    if (rank is not None and rank <= 2) or (timed is not None and timed <= 1):
        return len(node.text(deep=True) or "") <= 120
    return False


def _printed_furniture(node: Node, dates: DateReader) -> bool:
    """A short element outside the text's paragraphs whose words are a comment's furniture
    or its time as pages print them ("level 2", "39 points", "Reply · Share", "3 days ago"),
    read by the text reader's vocabulary: for comments whose markup names nothing."""
    if node.tag not in _INLINE_PARTS or any(a.tag in _PROSE for a in ancestors(node, 4)):
        return False
    text = inline_text(node)
    if not 0 < len(text) <= 60:
        return False
    if furniture(text):
        return True
    found = dates.find(text) if any(ch.isdigit() for ch in text) else None
    return found is not None and 5 * (found.end - found.start) >= 4 * len(text)


def _holds(outer: Node, inner: Node) -> bool:
    if outer.mem_id == inner.mem_id:
        return True
    return any(a.mem_id == outer.mem_id for a in ancestors(inner, 200))


def _in_hidden(node: Node) -> bool:
    from moderation.formats.page_html.dom import hidden

    return hidden(node) or any(hidden(a) for a in ancestors(node, 30))


def _quotes(body: Node) -> list[Node]:
    """Quotes of other posts inside a comment's text (outermost only)."""
    found: list[Node] = []
    for n in body.traverse(include_text=False):
        if n.mem_id == body.mem_id:
            continue
        if is_quote(n) or (n.tag == "blockquote" and _attribution(n) is not None):
            if not any(_holds(q, n) for q in found):
                found.append(n)
    return found


def _attribution(quote: Node) -> Node | None:
    """The line just before a quote that names whom it quotes ("@ann said in Topic:")."""
    before = quote.prev
    while before is not None and before.tag == "-text" and not (before.text_content or "").strip():
        before = before.prev
    if before is None or before.tag not in ("p", "div", "span", "strong", "b"):
        return None
    text = inline_text(before)
    if len(text) <= 200 and text.endswith(":") and _QUOTING.search(text):
        return before
    return None


def _name_text(node: Node) -> str | None:
    text = inline_text(node)
    if not text and node.tag == "img":
        text = attr(node, "alt")
    text = _SAYS.sub("", text)
    text = _BY.sub("", text).strip(" ,:;·|–—-")
    if not text or len(text) > _MAX_NAME:
        return None
    return text


def _best(
    nodes: list[Node], rank: Callable[[Node], int | None], read: Callable[[Node], str | None]
) -> Node | None:
    """The surest-ranked element whose reading gives something (document order among ties)."""
    ranked = sorted(
        ((r, n_) for n_, n in enumerate(nodes) if (r := rank(n)) is not None),
        key=lambda pair: pair,
    )
    for _, position in ranked:
        if read(nodes[position]):
            return nodes[position]
    return None
