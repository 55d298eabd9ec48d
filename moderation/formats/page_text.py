"""Page text dumps: an article page saved as plain text, with or without its comment section.

Written for the family of blog and news layouts rather than one page:

* the article comes first; its title, date line and byline are read from the top of the page;
* the comment section starts at a header line such as ``10 Comments on "Title"``,
  ``12 Responses to ...``, ``5 thoughts on ...``, ``Comments (3)``, ``show comments`` or a lone
  ``Comments`` that is followed by something that looks like a comment;
* comments are numbered (``1.``), bulleted (``•``) or start at an author line
  (``Name | 29th July 2016 at 6:59 pm | Reply``, ``Name says:`` + date, ``Name »`` + date line);
* replies nest by indentation;
* the section ends at the reply form or the page footer (``Leave a Reply``, ...).

Lines that are page chrome (``Reply``, ``Report``, ``Log in to Reply``) are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

from moderation.comments import Comment, Thread
from moderation.formats.dates import find_date
from moderation.formats.source import Source

_NUMBER_WORDS = {
    "no": 0, "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}
_COUNTED_HEADER = re.compile(
    r"^(?P<n>\d[\d,]*|no|zero|one|two|three|four|five|six|seven|eight|nine|ten)\s+"
    r"(?:comments?|responses?|replies|reply|thoughts?|reactions?|opinions?)"
    r"(?:\s+(?:on|to|for|about|in)\s+(?P<title>.+?))?\s*:?$", re.I)
_PLAIN_HEADER = re.compile(
    r"^(?:(?:show|view|load|read|see|display)\s+(?:all\s+)?(?:the\s+)?(?P<n1>\d+\s+)?comments?"
    r"|comments?|reader comments|user comments|discussion|join the discussion|conversation"
    r"|responses)\s*(?:\((?P<n2>\d+)\))?\s*:?$", re.I)
_EMPTY_SECTION = re.compile(r"^(?:no comments yet\.?|be the first to comment\.?)$", re.I)
_FOOTER = re.compile(
    r"^(?:leave a (?:reply|comment|response)|post (?:a )?comment|add (?:a )?comment|"
    r"cancel reply|you must be (?:logged|signed) in.*|your email address will not be published.*|"
    r"comments are closed\.?|related (?:posts|articles|stories)|share this:?|"
    r"(?:newer|older|previous|next) (?:post|article|entries)|load more comments|"
    r"this site uses akismet.*|subscribe to comments.*|notify me of .*)$", re.I)
_CHROME = re.compile(
    r"^(?:reply|reply ↓|report|report comment|like|likes?|liked by \d+ (?:people|person)|"
    r"log in to reply|sign in to reply|permalink|edit|quote|share|flag|upvote|downvote|"
    r"show replies|hide replies|view replies|\d+ likes?|loading\.\.\.)$", re.I)
_NUMBERED = re.compile(r"^(?P<num>\d{1,4})[.)]\s+(?P<rest>\S.*)$")
_BULLET = re.compile(r"^(?P<bullet>[\u2022\u25e6\u25aa\u2023\u25cf\u25cb\u25a0\u25a1\u27a4"
                     r"\u00b7*-])\s+(?P<rest>\S.*)$")
_STRONG_BULLETS = "\u2022\u25e6\u25aa\u2023\u25cf\u25cb\u25a0\u25a1\u27a4"
_SAYS = re.compile(r"^(?P<author>.{1,60}?)\s+(?:says|said|wrote|writes|commented)\s*"
                   r"(?::|\.\.\.|\u2026)?\s*(?P<rest>.*)$", re.I)
_ON_DATE = re.compile(r"^(?P<author>.{1,60}?)\s+(?:on|at|[-\u2013\u2014,\u00b7])\s+(?P<rest>.+)$")
_ARROW = re.compile(r"^(?P<author>.{1,60}?)\s*(?:\u00bb|>>)$")
_RELATIVE = re.compile(r"^(?:\d+|an?|one)\s+(?:second|minute|hour|day|week|month|year)s?\s+ago$"
                       r"|^(?:yesterday|today|just now)$", re.I)
_BYLINE = re.compile(r"^(?:by|written by|posted by|author:)\s+(?P<name>[^|\u2022]{2,80})$", re.I)
_DATED_BYLINE = re.compile(r"^(?:(?:posted|published|written|updated)\s+)?(?:on\s+)?(?P<date>.{6,40}?)"
                           r"\s+by\s+(?P<name>[^|\u2022]{2,60})$", re.I)
_LABELLED_META = re.compile(r"^(?:source|last update|updated|published|posted|posted in|tags?|"
                            r"categor(?:y|ies)|filed under|url|link)\s*:\s*(?P<value>.*)$", re.I)
_URL = re.compile(r"https?://\S+")
_HEADER_SEPARATORS = re.compile(r"\s+(?:\||\u00b7|\u2022|\u2014|\u2013)\s+")


@dataclass
class _Open:
    """A comment being assembled."""

    comment: Comment
    column: int
    by_marker: bool
    paragraphs: list[list[str]] = field(default_factory=list)
    wants_date: bool = False
    number: int | None = None

    def add_line(self, line: str, new_paragraph: bool) -> None:
        if new_paragraph or not self.paragraphs:
            self.paragraphs.append([])
        self.paragraphs[-1].append(line)

    def finish(self) -> Comment:
        self.comment.text = "\n\n".join("\n".join(p) for p in self.paragraphs if p)
        return self.comment


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _plausible_name(text: str) -> bool:
    text = text.strip()
    if not text or len(text) > 60 or len(text.split()) > 6:
        return False
    if text[-1] in ".?!,;" or ". " in text or any(ch in text for ch in "\"\u201c\u201d"):
        return False
    return any(ch.isalpha() for ch in text)


def _date_line(text: str) -> str | None:
    """The ISO date of a line that is a date and little else (``July 29, 2016 at 6:59 pm``)."""
    text = text.strip()
    if _RELATIVE.match(text):
        return ""
    found = find_date(text)
    if not found:
        return None
    iso, start, end = found
    rest = (text[:start] + text[end:]).strip(" |,-\u2013\u2014\u00b7@")
    rest = re.sub(r"\b(?:at|on|reply|permalink|edit|posted)\b", "", rest, flags=re.I).strip(" |")
    return iso if len(rest) <= 3 else None


def parse_author_line(text: str) -> tuple[str, str | None, bool] | None:
    """``(author, iso date or None, wants a date line next)`` for a comment's header line, or
    None when the line is not one."""
    text = text.strip()
    parts = [p for p in _HEADER_SEPARATORS.split(text) if p and not _CHROME.match(p)]
    if len(parts) >= 2:
        dates = [(_date_line(p), p) for p in parts]
        dated = [d for d, _ in dates if d is not None]
        names = [p for d, p in dates if d is None]
        if dated and names and _plausible_name(names[0]):
            return names[0].strip(), dated[0] or None, False
    m = _SAYS.match(text)
    if m and _plausible_name(m["author"]):
        rest = m["rest"].strip()
        if not rest:
            return m["author"], None, True
        date = _date_line(rest)
        if date is not None:
            return m["author"], date or None, False
    m = _ARROW.match(text)
    if m and _plausible_name(m["author"]):
        return m["author"].strip(), None, True
    m = _ON_DATE.match(text)
    if m and _plausible_name(m["author"]):
        date = _date_line(m["rest"])
        if date is not None:
            return m["author"].strip(), date or None, False
    return None


def _section_header(line: str) -> tuple[bool, int | None, str | None] | None:
    """``(strong, declared count, title)`` when the line opens a comment section."""
    text = line.strip()
    m = _COUNTED_HEADER.match(text)
    if m:
        raw = m["n"].lower().replace(",", "")
        count = _NUMBER_WORDS[raw] if raw in _NUMBER_WORDS else int(raw)
        title = m["title"].strip().strip("\"'\u201c\u201d\u2018\u2019") if m["title"] else None
        return True, count, title or None
    m = _PLAIN_HEADER.match(text)
    if m:
        n = m["n1"] or m["n2"]
        return False, int(n) if n else None, None
    return None


def _looks_like_comment_start(lines: list[str], i: int) -> bool:
    """After a weak header (``Comments``): does a comment follow within a few lines?"""
    seen = 0
    for line in lines[i:]:
        if not line.strip():
            continue
        text = line.strip()
        if _NUMBERED.match(text) or (_BULLET.match(text) and text[0] in _STRONG_BULLETS):
            return True
        if parse_author_line(text) is not None or _EMPTY_SECTION.match(text):
            return True
        seen += 1
        if seen >= 3:
            return False
    return False


def find_comment_section(lines: list[str]) -> tuple[int, int | None, str | None] | None:
    """``(header line index, declared count, title)`` of the comment section, or None."""
    weak = None
    for i, line in enumerate(lines):
        if not line.strip() or len(line) > 200:
            continue
        header = _section_header(line)
        if header is None:
            continue
        strong, count, title = header
        if strong:
            return i, count, title
        if weak is None and _looks_like_comment_start(lines, i + 1):
            weak = (i, count, title)
    return weak


def _article_parts(lines: list[str], thread: Thread, title_known: bool) -> None:
    """Title, date, byline and URL from the top of the page; the rest is the article text."""
    body: list[str] = []
    in_header_zone = True
    first = True
    for line in lines:
        text = line.strip()
        if not text:
            body.append("")
            continue
        bullet = _BULLET.match(text)
        core = bullet["rest"] if bullet else text
        if in_header_zone and len(core) <= 150:
            if first and not bullet and (core == thread.title if title_known
                                         else len(core.split()) <= 25):
                thread.title = core
                first = False
                continue
            m = _DATED_BYLINE.match(core)
            if m and find_date(m["date"]) and _plausible_name(m["name"]):
                thread.author = thread.author or m["name"].strip()
                thread.published = thread.published or find_date(m["date"])[0]
                continue
            m = _BYLINE.match(core)
            if m:
                name_part = _HEADER_SEPARATORS.split(m["name"])[0].strip()
                thread.author = thread.author or name_part
                if thread.published is None:
                    found = find_date(core)
                    thread.published = found[0] if found else None
                continue
            m = _LABELLED_META.match(core)
            if m:
                if thread.url is None and _URL.search(m["value"]):
                    thread.url = _URL.search(m["value"]).group()
                if thread.published is None:
                    found = find_date(m["value"])
                    thread.published = found[0] if found else None
                continue
            date = _date_line(core)
            if date:
                thread.published = thread.published or date
                continue
            if _URL.fullmatch(core):
                thread.url = thread.url or core
                continue
        first = False
        if len(text) > 150:
            in_header_zone = False
        body.append(text)
    article = "\n".join(body)
    article = re.sub(r"\n{3,}", "\n\n", article).strip()
    thread.article = article or None


class _CommentSection:
    """Turns the lines of a comment section into comments, nesting replies by indentation."""

    def __init__(self, thread: Thread):
        self.thread = thread
        self.stack: list[_Open] = []
        self.done: list[Comment] = []
        self.counters: dict[str | None, int] = {}
        self.numbered_column: int | None = None
        self.last_number = 0
        self.blank_before = False

    def _new_id(self, parent: _Open | None) -> str:
        key = parent.comment.id if parent else None
        self.counters[key] = self.counters.get(key, 0) + 1
        n = self.counters[key]
        return f"{parent.comment.id}.{n}" if parent else f"{self.thread.id}/{n}"

    def _open(self, column: int, by_marker: bool, number: int | None = None) -> _Open:
        while self.stack and self.stack[-1].column >= column:
            self.stack.pop()
        parent = self.stack[-1] if self.stack else None
        comment = Comment(
            id=self._new_id(parent), thread_id=self.thread.id, text="",
            parent_id=parent.comment.id if parent else None,
            depth=len(self.stack), thread_title=self.thread.title, thread_url=self.thread.url,
        )
        if number is not None:
            comment.extra["number"] = number
        entry = _Open(comment, column, by_marker, number=number)
        self.stack.append(entry)
        self.done.append(comment)
        return entry

    def _owner(self, column: int) -> _Open | None:
        while len(self.stack) > 1:
            top = self.stack[-1]
            if column > top.column or (not top.by_marker and column >= top.column):
                break
            self.stack.pop()
        return self.stack[-1] if self.stack else None

    def _marker(self, text: str, column: int) -> tuple[int, str, int | None] | None:
        """``(content column, rest of line, number)`` when the line starts a comment."""
        m = _NUMBERED.match(text)
        if m:
            number = int(m["num"])
            header = parse_author_line(m["rest"]) is not None
            if self.numbered_column is None or (column == self.numbered_column
                                                and number > self.last_number) or header:
                if self.numbered_column is None or column == self.numbered_column:
                    self.numbered_column, self.last_number = column, number
                return column, m["rest"], number
            return None
        m = _BULLET.match(text)
        if m and (m["bullet"] in _STRONG_BULLETS or parse_author_line(m["rest"]) is not None):
            return column, m["rest"], None
        return None

    def feed(self, line: str) -> None:
        text = line.strip()
        if not text:
            self.blank_before = True
            return
        column = _indent(line.expandtabs(4))
        current = self.stack[-1] if self.stack else None
        if current and current.wants_date:
            current.wants_date = False
            date = _date_line(text)
            if date is not None:
                current.comment.created_at = date or None
                return
        if _CHROME.match(text):
            return
        marker = self._marker(text, column)
        if marker:
            column, rest, number = marker
            entry = self._open(column, True, number)
            header = parse_author_line(rest)
            if header:
                entry.comment.author, entry.comment.created_at, entry.wants_date = header
            else:
                entry.add_line(rest, True)
            self.blank_before = False
            return
        header = parse_author_line(text) if len(text) <= 120 else None
        if header and (header[1] or header[2] or self.blank_before or not self.stack):
            entry = self._open(column, False)
            entry.comment.author, entry.comment.created_at, entry.wants_date = header
            self.blank_before = False
            return
        owner = self._owner(column)
        if owner is not None:
            owner.add_line(text, self.blank_before)
        self.blank_before = False

    def comments(self) -> list[Comment]:
        finished = [c for c in self.done]
        for entry in self.stack:
            entry.finish()
        return finished


def parse_page(text: str, thread_id: str) -> Thread:
    """The thread of one page dump, with its comments in document order."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    thread = Thread(id=thread_id)
    section = find_comment_section(lines)
    if section is None:
        _article_parts(lines, thread, title_known=False)
        return thread
    start, declared, title = section
    thread.title = title
    thread.declared_comments = declared
    _article_parts(lines[:start], thread, title_known=title is not None)
    builder = _CommentSection(thread)
    entries: list[_Open] = []
    for line in lines[start + 1:]:
        if _FOOTER.match(line.strip()):
            break
        before = len(builder.done)
        builder.feed(line)
        if len(builder.done) > before:
            entries.append(builder.stack[-1])
    thread.comments = [entry.finish() for entry in entries]
    thread.comments = [c for c in thread.comments if c.text or c.author]
    return thread


def read_page_text(source: Source) -> Iterator[Thread | Comment]:
    thread = parse_page(source.read_text(), source.path.stem)
    report = source.report
    found = len(thread.comments)
    if thread.declared_comments is not None and thread.declared_comments != found:
        report.warn(f"the page says {thread.declared_comments} comments, {found} were found")
    yield thread
    yield from thread.comments
