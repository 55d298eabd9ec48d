"""A page's own comment layout, inferred: the elements that repeat down the page, each holding
an author's name, a time and a text, are its comments.

Every element marked as a name (a class saying ``author``, ``username``, a link to a profile)
or as a time (a ``<time>`` element, a class saying ``date``, a short text that reads as a date)
votes for its ancestors. Ancestors are grouped by their shape (tag and first class, or an id
with its number left out); the group with the most members holding both a name and a time is
the page's comments, and becomes a :class:`CommentMarkup` read like any declared one. A group
whose name says comment, reply or post counts three times; one inside an ``aside`` or ``nav``
(a sidebar's recent posts) counts for nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from moderation.formats.page_html.dom import Node, ancestors, attr, elements, inline_text
from moderation.formats.page_html.markers import author_rank, loose_date, time_rank
from moderation.formats.page_html.markup import CommentMarkup
from moderation.formats.page_text.dating import DateReader

_REACH = 12  # how many levels above a name or a time its comment's element may be
_STATE = frozenset(
    "even odd alt first last clearfix cf clear group row col selected active new open "
    "collapsed expanded hidden visible".split()
)
_NUMBERED_ID = re.compile(r"^([A-Za-z_][\w-]*?)[-_]?\d+$")
_SAFE_TOKEN = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_COMMENT_WORDS = re.compile(
    r"comment|reply|replies|kommentar|commentaire|comentario|komentarz|post|message|answer|"
    r"forum|beitrag|antwort|respon|reaction|discussion|thread|entry",
    re.I,
)
_ONE_COMMENT_WORDS = re.compile(
    r"comment|reply|kommentar|commentaire|comentario|komentarz|antwort|respon", re.I
)
_WHOLE_PAGE = frozenset(("html", "body", "main"))
_FORUM_WORDS = re.compile(r"post|message|beitrag|forum|topic", re.I)
_SIDEBAR = frozenset(("aside", "nav"))
_ENTRY_ROLES = frozenset(("article", "comment"))


@dataclass
class _Votes:
    node: Node
    named: bool = False
    timed: bool = False


def shapes(node: Node) -> list[str]:
    """The selectors of an element's kinds: ``tag.class`` for each class that says what it is
    (not a state, no number in it), and ``tag[id^='prefix']`` for a numbered id."""
    found = []
    for token in attr(node, "class").split():  # class selectors keep their case
        if token.lower() not in _STATE and not any(ch.isdigit() for ch in token):
            if _SAFE_TOKEN.match(token):
                found.append(f"{node.tag}.{token}")
    m = _NUMBERED_ID.match(attr(node, "id"))
    if m:
        found.append(f"{node.tag}[id^='{m[1]}']")
    role = attr(node, "role").lower()
    if role in _ENTRY_ROLES:  # an ARIA feed's articles, or comments marked as such
        found.append(f"{node.tag}[role='{role}']")
    return found


def _marks(node: Node, dates: DateReader) -> tuple[bool, bool]:
    """Whether an element holds a name, and whether it holds a time. A weak name class
    (``user``, ``name``) counts where the element's text is short enough to be a name; a date
    may be loose text beside other elements ("by <a>Ann</a> » Sun Jan 10, 2016 4:46 pm")."""
    rank = author_rank(node)
    named = rank is not None and (rank <= 3 or (rank == 4 and _short_name(node)))
    timed = time_rank(node) is not None
    if not timed:
        timed = loose_date(node, dates) is not None
    return named, timed


def _short_name(node: Node) -> bool:
    text = inline_text(node)
    return 0 < len(text) <= 40 and len(text.split()) <= 4 and text[-1:] not in ".!?:"


def infer(root: Node, dates: DateReader) -> CommentMarkup | None:
    """The markup of the page's repeated comments, or None where nothing repeats."""
    groups: dict[str, dict[int, _Votes]] = {}
    for node in elements(root):
        named, timed = _marks(node, dates)
        if not (named or timed):
            continue
        for up in ancestors(node, _REACH):
            for key in shapes(up):
                votes = groups.setdefault(key, {}).setdefault(up.mem_id, _Votes(up))
                votes.named |= named
                votes.timed |= timed
    best = _best_group(groups, lambda v: v.named and v.timed)
    if best is None:  # comments without names (an anonymous board): they must say comment
        best = _best_group(groups, lambda v: v.timed, anonymous=True)
    if best is None:
        return None
    key, _ = best
    return CommentMarkup("inferred", comment=key, forum=bool(_FORUM_WORDS.search(key)))


def _best_group(
    groups: dict[str, dict[int, _Votes]], holds: Callable[[_Votes], bool], anonymous: bool = False
) -> tuple[str, list[_Votes]] | None:
    """The group whose members most often hold what a comment holds (``holds``); without
    names, only a group whose name says comment or reply, of three members or more."""
    best, best_score = None, 0.0
    for key, members in groups.items():
        if anonymous and not _ONE_COMMENT_WORDS.search(key):
            continue
        whole = [v for v in members.values() if holds(v)]
        if not whole or (anonymous and len(whole) < 3):
            continue
        if any(a.tag in _SIDEBAR for a in ancestors(whole[0].node, 60)):
            continue
        score = len(whole) * (3 if _COMMENT_WORDS.search(key) else 1)
        if whole[0].node.tag in _WHOLE_PAGE:
            continue
        if len(whole) == 1 and not _ONE_COMMENT_WORDS.search(key):
            continue  # one element alone is the article's byline, unless it says comment
        if score > best_score or (score == best_score and best is not None and _outer(whole, best)):
            best, best_score = (key, whole), score
    return best


def _outer(whole: list[_Votes], other: tuple[str, list[_Votes]]) -> bool:
    """Whether this group's elements stand above the other group's (a comment's element and
    its inner box tie: the outer one holds its replies too)."""
    mine = whole[0].node.mem_id
    return any(a.mem_id == mine for a in ancestors(other[1][0].node, _REACH))
