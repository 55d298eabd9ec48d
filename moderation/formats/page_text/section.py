"""The comment section of a page dump: comments opened at headers and markers, their text
collected line by line, replies nested by indentation, numbers or reply-to names."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from moderation.comments import Comment, Thread
from moderation.formats.page_text.shapes import (
    BULLET,
    CHROME,
    IN_REPLY_LINE,
    NUMBERED,
    REPLIES_BY,
    STRONG_BULLETS,
    AuthorLine,
    bare_name,
    clean_name,
    date_line,
    header_at,
    indent_of,
    next_text,
    parse_author_line,
)


@dataclass
class _Open:
    """A comment being assembled."""

    comment: Comment
    column: int  # for nesting (dotted numbers count as deeper)
    indent: int  # where its lines start on the page
    by_marker: bool
    paragraphs: list[list[str]] = field(default_factory=list)
    wants_date: bool = False

    def add_line(self, line: str, new_paragraph: bool) -> None:
        if new_paragraph or not self.paragraphs:
            self.paragraphs.append([])
        self.paragraphs[-1].append(line)

    def finish(self) -> Comment:
        self.comment.text = "\n\n".join("\n".join(p) for p in self.paragraphs if p)
        return self.comment


class CommentSection:
    """Turns the lines of a comment section into comments, nesting replies by indentation."""

    def __init__(self, thread: Thread):
        self.thread = thread
        self.stack: list[_Open] = []
        self.entries: list[_Open] = []
        self.counters: dict[str | None, int] = {}
        self.numbered_column: int | None = None
        self.last_number = 0
        self.blank_before = True
        self.at_boundary = True  # after chrome that ends a comment, or at the section start
        self.replies_hint: tuple[Comment, set[str]] | None = None  # "1 reply by Name"

    def _new_id(self, parent: Comment | None) -> str:
        key = parent.id if parent else None
        self.counters[key] = self.counters.get(key, 0) + 1
        n = self.counters[key]
        return f"{parent.id}.{n}" if parent else f"{self.thread.id}/{n}"

    def _open(
        self,
        column: int,
        indent: int,
        by_marker: bool,
        header: AuthorLine | None = None,
        number: str | None = None,
    ) -> _Open:
        while self.stack and self.stack[-1].column >= column:
            self.stack.pop()
        parent = self.stack[-1].comment if self.stack else None
        if parent is None and header is not None and header.reply_to:
            parent = self._by_author(header.reply_to)
        hint, self.replies_hint = self.replies_hint, None
        if (
            parent is None
            and header is not None
            and hint is not None
            and header.author.lower() in hint[1]
        ):
            parent = hint[0]
        comment = Comment(
            id=self._new_id(parent),
            thread_id=self.thread.id,
            text="",
            parent_id=parent.id if parent else None,
            depth=parent.depth + 1 if parent else 0,
            thread_title=self.thread.title,
            thread_url=self.thread.url,
        )
        if number is not None:
            comment.extra["number"] = number
        entry = _Open(comment, column, indent, by_marker)
        if header is not None:
            comment.author, comment.created_at = header.author, header.created_at
            entry.wants_date = header.wants_date
        self.stack.append(entry)
        self.entries.append(entry)
        return entry

    def _by_author(self, name: str) -> Comment | None:
        for entry in reversed(self.entries):
            if entry.comment.author and entry.comment.author.lower() == name.lower():
                return entry.comment
        return None

    def _owner(self, indent: int) -> _Open | None:
        while len(self.stack) > 1:
            top = self.stack[-1]
            if (
                indent > top.indent
                or (not top.by_marker and indent >= top.indent)
                or top.column != top.indent
            ):
                break
            self.stack.pop()
        return self.stack[-1] if self.stack else None

    def _marker(self, text: str, column: int) -> tuple[int, str, str | None] | None:
        """``(nesting column, rest of line, number)`` when the line starts a comment."""
        m = NUMBERED.match(text)
        if m:
            number = m["num"] or m["dotted"] or m["hash"]
            dots = number.count(".")
            top = int(number.split(".")[0])
            header = parse_author_line(m["rest"]) is not None
            if dots:
                return (column + 100 * dots, m["rest"], number) if header else None
            if (
                self.numbered_column is None
                or (column == self.numbered_column and top > self.last_number)
                or header
            ):
                if self.numbered_column is None or column == self.numbered_column:
                    self.numbered_column, self.last_number = column, top
                return column, m["rest"], number
            return None
        m = BULLET.match(text)
        if m and (m["bullet"] in STRONG_BULLETS or parse_author_line(m["rest"]) is not None):
            return column, m["rest"], None
        return None

    def run(self, lines: list[str]) -> list[Comment]:
        i = 0
        while i < len(lines):
            i += self._feed(lines, i)
        return [entry.finish() for entry in self.entries]

    def _feed(self, lines: list[str], i: int) -> int:
        """Read the line at ``i`` (and any it needs after it); return how many were read."""
        line = lines[i]
        text = line.strip()
        if not text:
            self.blank_before = True
            return 1
        column = indent_of(line)
        current = self.stack[-1] if self.stack else None
        if current and current.wants_date:
            current.wants_date = False
            date = date_line(text)
            if date is not None:
                current.comment.created_at = date or None
                return 1
        if CHROME.match(text):
            m = REPLIES_BY.match(text)
            if m and current is not None:
                names = {n.strip().lower() for n in re.split(r",| and ", m["names"]) if n.strip()}
                self.replies_hint = (current.comment, names)
            self.at_boundary = True
            return 1
        indent = column
        marker = self._marker(text, column)
        if marker:
            column, rest, number = marker
            header = header_at(lines, i, rest)
            entry = self._open(column, indent, True, header[0] if header else None, number)
            if header is None:
                entry.add_line(rest, True)
            self.blank_before = self.at_boundary = False
            return header[1] if header else 1
        header = header_at(lines, i, text)
        if header is not None and (
            header[0].dated
            or header[0].reply_to
            or self.blank_before
            or self.at_boundary
            or not self.stack
        ):
            self._open(column, indent, False, header[0])
            self.blank_before = self.at_boundary = False
            return header[1]
        if self.at_boundary and bare_name(text) and self._text_follows(lines, i):
            self._open(column, indent, False, AuthorLine(clean_name(text)))
            self.blank_before = self.at_boundary = False
            return 1
        owner = self._owner(column)
        if owner is not None:
            self._add(owner, text)
        self.blank_before = self.at_boundary = False
        return 1

    @staticmethod
    def _text_follows(lines: list[str], i: int) -> bool:
        following = next_text(lines, i + 1)
        return following is not None and not CHROME.match(following[1]) and len(following[1]) > 15

    def _add(self, owner: _Open, text: str) -> None:
        comment = owner.comment
        if not owner.paragraphs:
            m = IN_REPLY_LINE.match(text)
            if m and comment.parent_id is None:
                parent = self._by_author(clean_name(m["to"]))
                if parent is not None and parent is not comment:
                    comment.parent_id, comment.depth = parent.id, parent.depth + 1
                    return
        if comment.created_at is None:
            date = date_line(text)
            if date:
                comment.created_at = date
                return
        owner.add_line(text, self.blank_before)
