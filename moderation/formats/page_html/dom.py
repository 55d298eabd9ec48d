"""A saved page's tree, and its text as a browser shows it.

The tree is built by selectolax's Lexbor engine, which follows the HTML5 tree-building rules a
browser follows (unclosed ``<p>`` and ``<li>``, misnested tags), so the tree is the one the
person saving the page saw. ``render`` gives an element's text the way ``innerText`` does:
blocks on lines of their own, paragraphs apart, ``<br>`` as a line break, scripts, styles,
form controls and hidden elements left out. Every walk here keeps its own stack, so a page of
any depth is read without recursion.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from selectolax.lexbor import LexborHTMLParser, LexborNode

Node = LexborNode

# Elements whose content is not page text.
SKIPPED = frozenset(
    "script style noscript template head title svg math select option textarea input iframe "
    "object embed canvas audio video map dialog".split()
)
CONTROLS = frozenset(("button",))  # printed on the page, never part of a comment's words
# Elements that start a paragraph of their own (a blank line before and after).
PARAGRAPHS = frozenset(
    "p div blockquote pre ul ol dl table form fieldset figure section article aside header "
    "footer nav main address h1 h2 h3 h4 h5 h6 hr details summary center".split()
)
# Elements that start a line of their own.
LINES = frozenset("li dt dd tr caption figcaption legend option".split())
CELLS = frozenset(("td", "th"))
# A line element's break, one however many meet (two list items in a row are a line apart, as
# a browser's innerText has them, not a blank line apart)
_LINE = "\x01"
_LINE_BREAKS = re.compile(r"\x01[ \t\x01]*")
# what an element puts around its content
_BREAKS = (
    dict.fromkeys(PARAGRAPHS, "\n\n") | dict.fromkeys(LINES, _LINE) | dict.fromkeys(CELLS, " ")
)
_SMILEY = re.compile(r"smil|emoji|emoticon|wp-smiley", re.I)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_SPACES = re.compile(r"[ \t\r\n\f\u00a0\u200b]+")
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


MAX_DEPTH = 8_000
"""Block elements nested deeper than this make a page hostile: building the HTML5 tree checks
the open elements at each block start, so time grows with the square of the depth (20,000
levels take seconds, 100,000 a minute). Real pages nest a few dozen levels deep."""

# Block elements whose start tag makes the tree builder look through the open elements; p, li,
# dd and dt close their predecessor and do not deepen the tree.
_NESTING = re.compile(
    r"<(/?)(?:div|section|article|aside|blockquote|ul|ol|dl|table|tbody|form|fieldset|figure|"
    r"header|footer|nav|main|center|details|menu|pre|address|h[1-6])(?=[\s/>])",
    re.I,
)


def parse(markup: str) -> LexborHTMLParser:
    """The page's tree (any text gives one); a page nesting blocks deeper than ``MAX_DEPTH``
    raises :class:`NestingError`."""
    depth = 0
    for m in _NESTING.finditer(markup):
        depth += -1 if m[1] else 1
        if depth > MAX_DEPTH:
            raise NestingError(markup.count("\n", 0, m.start()) + 1)
        depth = max(depth, 0)
    return LexborHTMLParser(markup)


class NestingError(ValueError):
    """Blocks nested beyond ``MAX_DEPTH``, at ``line``."""

    def __init__(self, line: int):
        super().__init__(f"elements nested more than {MAX_DEPTH:,} deep")
        self.line = line


def attr(node: Node, name: str) -> str:
    value = node.attributes.get(name)
    return value or ""


def class_tokens(node: Node) -> list[str]:
    return attr(node, "class").lower().split()


def token_words(node: Node) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each class token and the id of an element, lower case, with its words: split at ``-``,
    ``_`` and case changes, numbers dropped (``commentAuthor`` and ``comment-author`` both
    give ``comment``, ``author``; ``post_message_12`` gives ``post``, ``message``)."""
    attributes = node.attributes
    names = attributes.get("class") or ""
    ident = attributes.get("id")
    if ident:
        names += " " + _DIGITS.sub("", ident)  # comment-123 and comment-124 are one shape
    return _token_words(names) if names else ()


@lru_cache(maxsize=8192)
def _token_words(names: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(
        (token.lower(), tuple(w.lower() for w in _WORD.findall(token))) for token in names.split()
    )


@lru_cache(maxsize=8192)
def _words(names: tuple[tuple[str, tuple[str, ...]], ...]) -> frozenset[str]:
    words: set[str] = set()
    for token, parts in names:
        words.add(token)
        words.update(parts)
    return frozenset(words)


def class_words(node: Node) -> frozenset[str]:
    """Every word of an element's classes and id, and each whole token."""
    return _words(token_words(node))


def named_as(node: Node, vocabulary: frozenset[str]) -> bool:
    """Whether a class or the id of the element says what it is with a word of
    ``vocabulary``: the whole token, or its last word (``comment-text`` is text,
    ``ds-text-right`` is not)."""
    for token, parts in token_words(node):
        if token in vocabulary or (parts and parts[-1] in vocabulary):
            return True
    return False


def hidden(node: Node) -> bool:
    attributes = node.attributes
    if "hidden" in attributes:
        return True
    style = attributes.get("style")
    return bool(style) and _HIDDEN_STYLE.search(style) is not None  # type: ignore[arg-type]


def children(node: Node) -> Iterator[Node]:
    child = node.child
    while child is not None:
        yield child
        child = child.next


def elements(root: Node) -> Iterator[Node]:
    """Every element under ``root`` (not ``root`` itself), in document order."""
    for node in root.traverse(include_text=False):
        if node.mem_id != root.mem_id:
            yield node


def ancestors(node: Node, limit: int = 64) -> Iterator[Node]:
    parent = node.parent
    while parent is not None and limit > 0:
        yield parent
        parent = parent.parent
        limit -= 1


def contains(outer: Node, inner: Node) -> bool:
    target = outer.mem_id
    return any(a.mem_id == target for a in ancestors(inner, 10_000))


def render(root: Node, skip: Iterable[int] = (), controls: bool = False) -> str:
    """The text of ``root`` as a browser shows it, without the elements whose ``mem_id`` is in
    ``skip`` (and their content); buttons' labels only with ``controls``."""
    skipped = set(skip)
    out: list[str] = []
    # a stack of nodes to enter, and markers ("\0" + break) to emit on leaving an element
    stack: list[Node | str] = [root]
    pre = 0
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if item == "\0pre":
                pre -= 1
            else:
                out.append(item)
            continue
        tag = item.tag
        if tag == "-text":
            text = item.text_content or ""
            out.append(text if pre else _SPACES.sub(" ", text))
            continue
        if tag is None or tag.startswith("-"):
            continue
        if item.mem_id != root.mem_id and (tag in SKIPPED or hidden(item)):
            continue
        if tag in CONTROLS and not controls:
            continue
        if item.mem_id in skipped:
            continue
        if tag == "br":
            out.append("\n")
            continue
        if tag == "img":
            alt = attr(item, "alt")
            if (
                alt
                and len(alt) <= 12
                and (not alt.isascii() or _SMILEY.search(attr(item, "class")))
            ):
                out.append(alt)  # an emoji or a smiley drawn as an image
            continue
        brk = _BREAKS.get(tag, "")
        if brk:
            out.append(brk)
            stack.append(brk)
        if tag == "pre":
            pre += 1
            stack.append("\0pre")
        stack.extend(reversed(list(children(item))))
    return tidy(_LINE_BREAKS.sub("\n", "".join(out)))


def tidy(text: str) -> str:
    """Lines stripped, runs of blank lines made one, ends stripped."""
    lines = [line.strip(" \t") for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def inline_text(node: Node) -> str:
    """An element's text on one line (for names, dates and titles)."""
    return _SPACES.sub(" ", render(node)).strip()
