"""Page text dumps: an article page saved as plain text, with or without its comment section.

Written for the family of blog and news layouts rather than one page:

* the article comes first; its title, date line and byline are read from the top of the page;
* the comment section starts at a header line such as ``10 Comments on "Title"``,
  ``12 Responses to ...``, ``5 thoughts on ...``, ``Comments (3)``, ``show comments`` or a lone
  ``Comments`` that is followed by something that looks like a comment;
* comments are numbered (``1.``, ``1.1``, ``#1``), bulleted (``•``), or start at an author
  line: ``Name | 29th July 2016 at 6:59 pm | Reply``, ``Name says:`` / ``Name said...``,
  ``Name on <date> said:``, ``Name » `` or a bare ``Name`` followed by a date line,
  ``Name • 3 years ago``;
* replies nest by indentation, by dotted numbers, or by ``→ Name`` / ``In reply to Name``;
* the section ends at the page footer or the reply form (once a comment has been read).

Page chrome (``Reply``, ``Share ›``, ``Like (3)``, vote counts, lynx link numbers) is dropped.
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
_COUNT = r"(?P<n>\d[\d,]*|no|zero|one|two|three|four|five|six|seven|eight|nine|ten)"
_COUNTED_HEADER = re.compile(
    rf"^{_COUNT}\s+(?:comments?|responses?|thoughts?|reactions?|opinions?)"
    r"(?:\s+(?:on|to|for|about|in)\s+(?P<title>.+?))?\s*:?$"
    rf"|^{_COUNT.replace('<n>', '<rn>')}\s+repl(?:y|ies)\s+(?:on|to)\s+(?P<rtitle>.+?)\s*:?$",
    re.I)
_PLAIN_HEADER = re.compile(
    r"^(?:(?:show|view|load|read|see|display)\s+(?:all\s+)?(?:the\s+)?(?P<n1>\d+\s+)?comments?"
    r"|comments?|reader comments|user comments|discussion|join the discussion|conversation"
    r"|responses|replies)\s*(?:\((?P<n2>\d+)\))?\s*:?$", re.I)
_EMPTY_SECTION = re.compile(r"^(?:no comments yet\.?|be the first to comment\.?)$", re.I)
_FOOTER = re.compile(
    r"^(?:leave a (?:reply|comment|response)|post (?:a )?comment|add (?:a )?comment|"
    r"cancel reply|you must be (?:logged|signed) in.*|your email address will not be published.*|"
    r"comments are closed\.?|related (?:posts|articles|stories)|share this:?|"
    r"(?:newer|older|previous|next) (?:post|article|entries).*|load more comments|"
    r"this site uses akismet.*|subscribe to:? (?:post )?comments.*|notify me of .*|"
    r"facebook comments plugin|\d+ more comments?\.*|most (?:read|popular|viewed|shared)|"
    r"trending(?: now)?|recommended(?: for you)?|you (?:may|might) also like|more from .*|"
    r"read (?:more|next)|recent posts)$", re.I)
_CHROME_WORDS = (r"reply|reply ↓|report|report comment|like|liked|likes?(?: \(\d+\))?|"
                 r"log in to reply|sign in to reply|permalink|edit|delete|quote|share ›?|share|"
                 r"flag|upvote|downvote|show replies|hide replies|view replies|"
                 r"\d+ likes?|loading\.\.\.|avatar|author|mod|admin|"
                 r"(?:\d+|an?|one)\s*(?:s|m|h|d|w|y|mo|yr)|"
                 r"sort by(?: \w+)?|top|newest|oldest|best|latest|"
                 r"write a comment\.*|add a comment\.*|join the discussion\.*|"
                 r"what are your thoughts\?|respond|cancel|login|log in|sign in|sign up|"
                 r"subscribe|follow|following|open in app|write|\d+ min read|[·•|]|\d+")
_CHROME = re.compile(rf"^(?:{_CHROME_WORDS})(?:\s*[•·|]\s*(?:{_CHROME_WORDS}))*$"
                     r"|^\d+ repl(?:y|ies)(?: by .*)?$|^\(edit\)$", re.I)
_REPLIES_BY = re.compile(r"^\d+ repl(?:y|ies) by (?P<names>.+)$", re.I)
_NUMBERED = re.compile(r"^(?:#(?P<hash>\d{1,4})|(?P<dotted>\d{1,4}(?:\.\d{1,3})+)\.?|"
                       r"(?P<num>\d{1,4})[.)])\s+(?P<rest>\S.*)$")
_BULLET = re.compile(r"^(?P<bullet>[\u2022\u25e6\u25aa\u2023\u25cf\u25cb\u25a0\u25a1\u27a4"
                     r"\u00b7*-])\s+(?P<rest>\S.*)$")
_STRONG_BULLETS = "\u2022\u25e6\u25aa\u2023\u25cf\u25cb\u25a0\u25a1\u27a4"
_SAYS = re.compile(r"^(?P<author>.{1,60}?)(?:\s+(?:on|at)\s+(?P<when>.{6,60}?))?\s+"
                   r"(?:says|said|wrote|writes|commented|replied)\s*(?::|\.\.\.|\u2026)?\s*"
                   r"(?P<rest>.*)$", re.I)
_ON_DATE = re.compile(r"^(?P<author>.{1,60}?)\s+(?:on|at|[-\u2013\u2014,\u00b7])\s+(?P<rest>.+)$")
_ARROW = re.compile(r"^(?P<author>.{1,60}?)\s*(?:\u00bb|>>)$")
_REPLY_TO = re.compile(r"\s*(?:\u2192|->|replied to|in reply to)\s+(?P<to>[^\u2022|\u00b7]{1,60}?)"
                       r"(?=\s*(?:[\u2022|\u00b7]|$))", re.I)
_IN_REPLY_LINE = re.compile(r"^(?:in reply to|replying to|@)\s*(?P<to>.{1,60}?)\.?:?$", re.I)
_BADGE = re.compile(r"\s+(?:\(?(?:mod|moderator|admin|author|staff|op)\)?)$", re.I)
_RELATIVE = re.compile(
    r"^(?:(?:\d+|an?|one)\s*(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|"
    r"[smhdwy]|mo|yr)\s*(?:ago)?|yesterday|today|just now|edited)$", re.I)
_MONTH_DAY = re.compile(r"^(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
                        r"\s+\d{1,2}(?:st|nd|rd|th)?|\d{1,2}(?:st|nd|rd|th)?\s+"
                        r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*)$", re.I)
_BYLINE = re.compile(r"^(?:by|written by|posted by|author:)\s+(?P<name>.{2,120})$", re.I)
_DATED_BYLINE = re.compile(r"^(?:(?:posted|published|written|updated)\s+)?(?:on\s+)?"
                           r"(?P<date>.{6,40}?)\s+by\s+(?P<name>[^|\u2022]{2,60})$", re.I)
_NAME_CUT = re.compile(r"\s+(?:\||\u00b7|\u2022|\u2014|\u2013|-|on|at)\s+.*$", re.I)
_LABELLED_META = re.compile(r"^(?:source|last update|updated|published|posted|posted in|tags?|"
                            r"labels?|categor(?:y|ies)|filed under|url|link)\s*:?\s+"
                            r"(?P<value>.*)$", re.I)
_LYNX_REF = re.compile(r"\[\d{1,4}\]")
_URL = re.compile(r"https?://\S+")
_HEADER_SEPARATORS = re.compile(r"\s+(?:\||\u00b7|\u2022|\u2014|\u2013)\s+")


@dataclass
class AuthorLine:
    """What a comment's header line says."""

    author: str
    created_at: str | None = None
    wants_date: bool = False  # ``Name »``: the date is on the next line
    dated: bool = False  # a date (or relative date) was on the line: surely a header
    reply_to: str | None = None


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


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _plausible_name(text: str) -> bool:
    text = text.strip()
    if not text or len(text) > 60 or len(text.split()) > 6:
        return False
    if text[-1] in "?!,;:" or (text[-1] == "." and not re.search(r"\b[A-Z]\.$", text)):
        return False
    if ". " in text.replace(". ", ".", 1) or any(ch in text for ch in "\"\u201c\u201d"):
        return False
    return any(ch.isalpha() for ch in text)


def _bare_name(text: str) -> bool:
    """A line that could be a name on its own (stricter than inside a header line)."""
    words = text.split()
    return (_plausible_name(text) and len(words) <= 5 and not text.endswith(".")
            and all(w[0].isupper() or w[0].isdigit() or w[0] in "@_" for w in words[1:])
            and not _CHROME.match(text) and not _section_header(text))


def _date_line(text: str) -> str | None:
    """For a line that is a date and little else: its ISO date, ``""`` for a date with no year
    or a relative one (``3 years ago``), None when the line is not a date line."""
    text = _BADGE.sub("", text.strip()).strip()
    if _RELATIVE.match(text) or _MONTH_DAY.match(text):
        return ""
    found = find_date(text)
    if not found:
        return None
    iso, start, end = found
    rest = (text[:start] + text[end:]).strip(" |,-\u2013\u2014\u00b7@()")
    rest = re.sub(r"\b(?:at|on|reply|permalink|edit|posted|said|says|wrote|ago|"
                  r"(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b:?", "", rest,
                  flags=re.I).strip(" |:(),")
    return iso if len(rest) <= 3 else None


def _clean_name(name: str) -> str:
    name = re.sub(r"^#\d+\s+", "", name.strip())
    return _BADGE.sub("", name).strip()


def parse_author_line(text: str) -> AuthorLine | None:
    """The author (and date, and whom it answers) of a comment's header line, or None."""
    text = re.sub(r"^#\d+\s+", "", text.strip())
    reply_to = None
    m = _REPLY_TO.search(text)
    if m:
        reply_to = _clean_name(m["to"])
        text = (text[:m.start()] + text[m.end():]).strip()
    parts = [p for p in _HEADER_SEPARATORS.split(text) if p and not _CHROME.match(p)]
    if len(parts) >= 2:
        dates = [(_date_line(p), p) for p in parts]
        dated = [d for d, _ in dates if d is not None]
        names = [p for d, p in dates if d is None]
        if dated and names and _plausible_name(_clean_name(names[0])):
            return AuthorLine(_clean_name(names[0]), dated[0] or None, dated=True,
                              reply_to=reply_to)
    if len(parts) == 1 and reply_to and _plausible_name(_clean_name(parts[0])):
        return AuthorLine(_clean_name(parts[0]), reply_to=reply_to)
    m = _SAYS.match(text)
    if m and _plausible_name(_clean_name(m["author"])):
        when = " ".join(filter(None, (m["when"], m["rest"].strip())))
        date = _date_line(when) if when else None
        if not when or date is not None:
            return AuthorLine(_clean_name(m["author"]), date or None, wants_date=not when,
                              dated=True, reply_to=reply_to)
    m = _ARROW.match(text)
    if m and _plausible_name(_clean_name(m["author"])):
        return AuthorLine(_clean_name(m["author"]), wants_date=True, dated=True,
                          reply_to=reply_to)
    m = _ON_DATE.match(text)
    if m and _plausible_name(_clean_name(m["author"])):
        date = _date_line(m["rest"])
        if date is not None:
            return AuthorLine(_clean_name(m["author"]), date or None, dated=True,
                              reply_to=reply_to)
    return None


def _section_header(line: str) -> tuple[bool, int | None, str | None] | None:
    """``(strong, declared count, title)`` when the line opens a comment section."""
    text = line.strip()
    m = _COUNTED_HEADER.match(text)
    if m:
        raw = (m["n"] or m["rn"]).lower().replace(",", "")
        count = _NUMBER_WORDS[raw] if raw in _NUMBER_WORDS else int(raw)
        title = m["title"] or m["rtitle"]
        title = title.strip().strip("\"'\u201c\u201d\u2018\u2019") if title else None
        return True, count, title or None
    m = _PLAIN_HEADER.match(text)
    if m:
        n = m["n1"] or m["n2"]
        return False, int(n) if n else None, None
    return None


def _next_text(lines: list[str], i: int) -> tuple[int, str] | None:
    """The next non-blank line at or after ``i``."""
    for j in range(i, min(len(lines), i + 6)):
        if lines[j].strip():
            return j, lines[j].strip()
    return None


def _header_at(lines: list[str], i: int, text: str) -> tuple[AuthorLine, int] | None:
    """A header starting at line ``i``: the author line, and how many lines it takes."""
    header = parse_author_line(text) if len(text) <= 160 else None
    if header is not None:
        return header, 1
    if _bare_name(text):
        following = _next_text(lines, i + 1)
        if following:
            date = _date_line(following[1])
            if date is not None:
                return AuthorLine(_clean_name(text), date or None, dated=True), \
                    following[0] - i + 1
    return None


def _looks_like_comment_start(lines: list[str], i: int) -> bool:
    """After a weak header (``Comments``): does a comment follow within a few lines?"""
    seen = 0
    for j in range(i, min(len(lines), i + 40)):
        text = lines[j].strip()
        if not text or _CHROME.match(text):
            continue
        if _marker_like(text) or _header_at(lines, j, text) is not None \
                or _EMPTY_SECTION.match(text):
            return True
        seen += 1
        if seen >= 6:
            return False
    return False


def find_comment_section(lines: list[str]) -> tuple[int, int | None, str | None] | None:
    """``(header line index, declared count, title)`` of the comment section, or None. A
    header that says there are no comments is kept only when no other header follows."""
    weak = zero = None
    for i, line in enumerate(lines):
        if not line.strip() or len(line) > 200:
            continue
        header = _section_header(line)
        if header is None:
            continue
        strong, count, title = header
        if strong and count == 0:
            zero = zero or (i, count, title)
        elif strong:
            return i, count, title
        elif weak is None and _looks_like_comment_start(lines, i + 1):
            weak = (i, count, title)
    return weak or zero


def _is_paragraph(text: str) -> bool:
    """Where an article's body starts: a long line, or a whole sentence."""
    return len(text) > 150 or (len(text.split()) >= 10 and text[-1:] in ".\"”")


def _title_case(text: str) -> bool:
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", text)]
    long_words = [w for w in words if len(w) > 3] or words
    return bool(words) and words[0][0].isupper() and \
        sum(w[0].isupper() for w in long_words) >= 0.6 * len(long_words)


def _choose_title(lines: list[str], zone: list[int],
                  meta: set[int]) -> tuple[int | None, str | None]:
    """``(line index of the title, author name)`` among the short lines at the top of a page.

    Pages start with the site's name and menus, then the title, a subtitle, a byline and a
    date in some order. The title is scored: Title Case, at least three words, close to the
    first date or byline, just before the first paragraph. A bare name just above a date line
    is the author, not the title."""
    texts = {i: lines[i].strip() for i in zone}
    first_meta = min(meta) if meta else None
    author = None
    candidates = []
    plain = [i for i in zone if not _CHROME.match(texts[i])]
    for position, i in enumerate(plain):
        text = texts[i]
        if i in meta or _section_header(text) or len(text.split()) > 25 or text[-1] in ".:,;":
            continue
        after = plain[position + 1] if position + 1 < len(plain) else None
        if _bare_name(text) and after is not None and _date_line(texts[after]) is not None \
                and len(text.split()) <= 4:
            author = author or _clean_name(text)
            continue
        candidates.append(i)
    if not candidates:
        return None, author
    order = {i: n for n, i in enumerate(zone)}

    def score(i: int) -> tuple[int, int]:
        text, points = texts[i], 0
        points += 2 if _title_case(text) else 0
        points += 1 if len(text.split()) >= 3 else 0
        if first_meta is not None:
            distance = order[first_meta] - order[i]
            points += 2 if 0 < distance <= 4 or distance == -1 else 0
        return points, -order[i] if first_meta is None else order[i]

    return max(candidates, key=score), author


def _article_parts(lines: list[str], thread: Thread, title_known: bool) -> None:
    """Title, date, byline and URL from the top of the page; the rest is the article text."""
    zone_end = next((i for i, line in enumerate(lines) if _is_paragraph(line.strip())),
                    len(lines))
    zone = [i for i in range(zone_end) if lines[i].strip()]
    meta = {i for i in zone if _read_meta(lines[i].strip(), thread)}
    title_at = None
    if not title_known:
        title_at, author = _choose_title(lines, zone, meta)
        if title_at is not None:
            thread.title = lines[title_at].strip()
        thread.author = thread.author or author
    body: list[str] = []
    for i, line in enumerate(lines):
        text = line.strip()
        if i < zone_end and text and (
                i in meta or (title_at is not None and i <= title_at)
                or (title_known and text == thread.title)
                or (thread.author and _clean_name(text) == thread.author)):
            continue
        body.append(text)
    article = re.sub(r"\n{3,}", "\n\n", "\n".join(body)).strip()
    thread.article = article or None


def _read_meta(text: str, thread: Thread) -> bool:
    """Fill the thread from a date line, byline, ``Source:`` line or URL; True if it was one."""
    bullet = _BULLET.match(text)
    core = bullet["rest"] if bullet else text
    if len(core) > 150:
        return False
    m = _DATED_BYLINE.match(core)
    if m and find_date(m["date"]) and _plausible_name(m["name"]):
        thread.author = thread.author or m["name"].strip()
        thread.published = thread.published or find_date(m["date"])[0]
        return True
    m = _BYLINE.match(core)
    if m:
        name = _NAME_CUT.sub("", m["name"]).strip()
        if _plausible_name(name):
            thread.author = thread.author or name
            found = find_date(m["name"])
            thread.published = thread.published or (found[0] if found else None)
            return True
    m = _LABELLED_META.match(core)
    if m and (len(core) < 80 or _URL.search(m["value"])):
        url = _URL.search(m["value"])
        thread.url = thread.url or (url.group() if url else None)
        found = find_date(m["value"])
        thread.published = thread.published or (found[0] if found else None)
        return True
    date = _date_line(core)
    if date:
        thread.published = thread.published or date
        return True
    if _URL.fullmatch(core):
        thread.url = thread.url or core
        return True
    return False


class _CommentSection:
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

    def _open(self, column: int, indent: int, by_marker: bool,
              header: AuthorLine | None = None, number: str | None = None) -> _Open:
        while self.stack and self.stack[-1].column >= column:
            self.stack.pop()
        parent = self.stack[-1].comment if self.stack else None
        if parent is None and header is not None and header.reply_to:
            parent = self._by_author(header.reply_to)
        hint, self.replies_hint = self.replies_hint, None
        if parent is None and header is not None and hint is not None \
                and header.author.lower() in hint[1]:
            parent = hint[0]
        comment = Comment(
            id=self._new_id(parent), thread_id=self.thread.id, text="",
            parent_id=parent.id if parent else None, depth=parent.depth + 1 if parent else 0,
            thread_title=self.thread.title, thread_url=self.thread.url,
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
            if indent > top.indent or (not top.by_marker and indent >= top.indent) \
                    or top.column != top.indent:
                break
            self.stack.pop()
        return self.stack[-1] if self.stack else None

    def _marker(self, text: str, column: int) -> tuple[int, str, str | None] | None:
        """``(nesting column, rest of line, number)`` when the line starts a comment."""
        m = _NUMBERED.match(text)
        if m:
            number = m["num"] or m["dotted"] or m["hash"]
            dots = number.count(".")
            top = int(number.split(".")[0])
            header = parse_author_line(m["rest"]) is not None
            if dots:
                return (column + 100 * dots, m["rest"], number) if header else None
            if self.numbered_column is None or (column == self.numbered_column
                                                and top > self.last_number) or header:
                if self.numbered_column is None or column == self.numbered_column:
                    self.numbered_column, self.last_number = column, top
                return column, m["rest"], number
            return None
        m = _BULLET.match(text)
        if m and (m["bullet"] in _STRONG_BULLETS or parse_author_line(m["rest"]) is not None):
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
        column = _indent(line)
        current = self.stack[-1] if self.stack else None
        if current and current.wants_date:
            current.wants_date = False
            date = _date_line(text)
            if date is not None:
                current.comment.created_at = date or None
                return 1
        if _CHROME.match(text):
            m = _REPLIES_BY.match(text)
            if m and current is not None:
                names = {n.strip().lower() for n in re.split(r",| and ", m["names"]) if n.strip()}
                self.replies_hint = (current.comment, names)
            self.at_boundary = True
            return 1
        indent = column
        marker = self._marker(text, column)
        if marker:
            column, rest, number = marker
            header = _header_at(lines, i, rest)
            entry = self._open(column, indent, True, header[0] if header else None, number)
            if header is None:
                entry.add_line(rest, True)
            self.blank_before = self.at_boundary = False
            return header[1] if header else 1
        header = _header_at(lines, i, text)
        if header is not None and (header[0].dated or header[0].reply_to or self.blank_before
                                   or self.at_boundary or not self.stack):
            self._open(column, indent, False, header[0])
            self.blank_before = self.at_boundary = False
            return header[1]
        if self.at_boundary and _bare_name(text) and self._text_follows(lines, i):
            self._open(column, indent, False, AuthorLine(_clean_name(text)))
            self.blank_before = self.at_boundary = False
            return 1
        owner = self._owner(column)
        if owner is not None:
            self._add(owner, text)
        self.blank_before = self.at_boundary = False
        return 1

    @staticmethod
    def _text_follows(lines: list[str], i: int) -> bool:
        following = _next_text(lines, i + 1)
        return following is not None and not _CHROME.match(following[1]) \
            and len(following[1]) > 15

    def _add(self, owner: _Open, text: str) -> None:
        comment = owner.comment
        if not owner.paragraphs:
            m = _IN_REPLY_LINE.match(text)
            if m and comment.parent_id is None:
                parent = self._by_author(_clean_name(m["to"]))
                if parent is not None and parent is not comment:
                    comment.parent_id, comment.depth = parent.id, parent.depth + 1
                    return
        if comment.created_at is None:
            date = _date_line(text)
            if date:
                comment.created_at = date
                return
        owner.add_line(text, self.blank_before)


def parse_page(text: str, thread_id: str) -> Thread:
    """The thread of one page dump, with its comments in document order."""
    lines = [_LYNX_REF.sub("", line).expandtabs(4).rstrip()
             for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    thread = Thread(id=thread_id)
    section = find_comment_section(lines)
    if section is None:
        _article_parts(lines, thread, title_known=False)
        return thread
    start, declared, title = section
    if declared == 0 and _section_header(lines[start])[0]:
        _article_parts([line for j, line in enumerate(lines) if j != start], thread, False)
        thread.declared_comments = 0
        return thread
    thread.title = title
    thread.declared_comments = declared
    _article_parts(lines[:start], thread, title_known=title is not None)
    end, seen_comment = len(lines), False
    for i in range(start + 1, len(lines)):
        text = lines[i].strip()
        if not text:
            continue
        if seen_comment and _FOOTER.match(text):
            end = i
            break
        seen_comment = (seen_comment or _marker_like(text)
                        or _header_at(lines, i, text) is not None)
    comments = _CommentSection(thread).run(lines[start + 1:end])
    thread.comments = [c for c in comments if c.text or c.author]
    return thread


def _marker_like(text: str) -> bool:
    return bool(_NUMBERED.match(text) or (_BULLET.match(text) and text[0] in _STRONG_BULLETS))


def read_page_text(source: Source) -> Iterator[Thread | Comment]:
    thread = parse_page(source.read_text(), source.path.stem)
    report = source.report
    found = len(thread.comments)
    if thread.declared_comments is not None and thread.declared_comments != found:
        report.warn(f"the page says {thread.declared_comments} comments, {found} were found")
    yield thread
    yield from thread.comments
