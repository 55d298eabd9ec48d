"""The shapes of the lines of a page dump: comment-section headers, comment headers (author,
date, reply-to), markers, page furniture and footers, and where the comment section starts."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from moderation.formats.dates import find_date

_NUMBER_WORDS = {
    "no": 0,
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_COUNT = r"(?P<n>\d[\d,]*|no|zero|one|two|three|four|five|six|seven|eight|nine|ten)"
_COUNTED_HEADER = re.compile(
    rf"^{_COUNT}\s+(?:comments?|responses?|thoughts?|reactions?|opinions?)"
    r"(?:\s+(?:on|to|for|about|in)\s+(?P<title>.+?))?\s*:?$"
    rf"|^{_COUNT.replace('<n>', '<rn>')}\s+repl(?:y|ies)\s+(?:on|to)\s+(?P<rtitle>.+?)\s*:?$",
    re.I,
)
_PLAIN_HEADER = re.compile(
    r"^(?:(?:show|view|load|read|see|display)\s+(?:all\s+)?(?:the\s+)?(?P<n1>\d+\s+)?comments?"
    r"|comments?|reader comments|user comments|discussion|join the discussion|conversation"
    r"|responses|replies)\s*(?:\((?P<n2>\d+)\))?\s*:?$",
    re.I,
)
_PLAIN_HEADER_OTHER = re.compile(  # the inferred layout's weak headers in other languages
    r"^(?:(?:vos|your|ihre|eure|sus|vostri|i vostri|uw|seus)\s+)?"
    r"(?:(?:leser)?kommentare|diskussion|commentaires|réactions|comentarios|comentários|"
    r"commenti|reacties|reacciones|komentarze|kommentarer|opiniones)"
    r"\s*(?:\((?P<n2>\d+)\))?\s*:?$",
    re.I,
)
_EMPTY_SECTION = re.compile(r"^(?:no comments yet\.?|be the first to comment\.?)$", re.I)
FOOTER = re.compile(
    r"^(?:leave a (?:reply|comment|response)|post (?:a )?comment|add (?:a )?comment|"
    r"cancel reply|you must be (?:logged|signed) in.*|your email address will not be published.*|"
    r"comments are closed\.?|related (?:posts|articles|stories)|share this:?|"
    r"(?:newer|older|previous|next) (?:post|article|entries).*|load more comments|"
    r"this site uses akismet.*|subscribe to:? (?:post )?comments.*|notify me of .*|"
    r"facebook comments plugin|\d+ more comments?\.*|most (?:read|popular|viewed|shared)|"
    r"trending(?: now)?|recommended(?: for you)?|you (?:may|might) also like|more from .*|"
    r"read (?:more|next)|recent posts)$",
    re.I,
)
_CHROME_WORDS = (
    r"reply|reply ↓|report|report comment|like|liked|likes?(?: \(\d+\))?|"
    r"log in to reply|sign in to reply|permalink|edit|delete|quote|share ›?|share|"
    r"flag|upvote|downvote|show replies|hide replies|view replies|"
    r"\d+ likes?|loading\.\.\.|avatar|author|mod|admin|"
    r"(?:\d+|an?|one)\s*(?:s|m|h|d|w|y|mo|yr)|"
    r"sort by(?: \w+)?|top|newest|oldest|best|latest|"
    r"write a comment\.*|add a comment\.*|join the discussion\.*|"
    r"what are your thoughts\?|respond|cancel|login|log in|sign in|sign up|"
    r"subscribe|follow|following|open in app|write|\d+ min read|[·•|]|\d+"
)
CHROME = re.compile(
    rf"^(?:{_CHROME_WORDS})(?:\s*[•·|]\s*(?:{_CHROME_WORDS}))*$"
    r"|^\d+ repl(?:y|ies)(?: by .*)?$|^\(edit\)$",
    re.I,
)
REPLIES_BY = re.compile(r"^\d+ repl(?:y|ies) by (?P<names>.+)$", re.I)
NUMBERED = re.compile(
    r"^(?:#(?P<hash>\d{1,4})|(?P<dotted>\d{1,4}(?:\.\d{1,3})+)\.?|"
    r"(?P<num>\d{1,4})[.)])\s+(?P<rest>\S.*)$"
)
BULLET = re.compile(
    r"^(?P<bullet>[\u2022\u25e6\u25aa\u2023\u25cf\u25cb\u25a0\u25a1\u27a4"
    r"\u00b7*-])\s+(?P<rest>\S.*)$"
)
STRONG_BULLETS = "\u2022\u25e6\u25aa\u2023\u25cf\u25cb\u25a0\u25a1\u27a4"
_SAYS = re.compile(
    r"^(?P<author>.{1,60}?)(?:\s+(?:on|at)\s+(?P<when>.{6,60}?))?\s+"
    r"(?:says|said|wrote|writes|commented|replied)\s*(?::|\.\.\.|\u2026)?\s*"
    r"(?P<rest>.*)$",
    re.I,
)
_ON_DATE = re.compile(r"^(?P<author>.{1,60}?)\s+(?:on|at|[-\u2013\u2014,\u00b7])\s+(?P<rest>.+)$")
_ARROW = re.compile(r"^(?P<author>.{1,60}?)\s*(?:\u00bb|>>)$")
_REPLY_TO = re.compile(
    r"(?<!\s)\s*(?:\u2192|->|replied to|in reply to)\s+(?P<to>[^\u2022|\u00b7]{1,60}?)"
    r"(?=\s*(?:[\u2022|\u00b7]|$))",
    re.I,
)
IN_REPLY_LINE = re.compile(r"^(?:in reply to|replying to|@)\s*(?P<to>.{1,60}?)\.?:?$", re.I)
_BADGE = re.compile(r"(?<!\s)\s+(?:\(?(?:mod|moderator|admin|author|staff|op)\)?)$", re.I)
_RELATIVE = re.compile(
    r"^(?:(?:\d+|an?|one)\s*(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|"
    r"[smhdwy]|mo|yr)\s*(?:ago)?|yesterday|today|just now|edited)$",
    re.I,
)
_MONTH_DAY = re.compile(
    r"^(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
    r"\s+\d{1,2}(?:st|nd|rd|th)?|\d{1,2}(?:st|nd|rd|th)?\s+"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*)$",
    re.I,
)
BYLINE = re.compile(r"^(?:by|written by|posted by|author:)\s+(?P<name>.{2,120})$", re.I)
DATED_BYLINE = re.compile(
    r"^(?:(?:posted|published|written|updated)\s+)?(?:on\s+)?"
    r"(?P<date>.{6,40}?)\s+by\s+(?P<name>[^|\u2022]{2,60})$",
    re.I,
)
NAME_CUT = re.compile(r"(?<!\s)\s+(?:\||\u00b7|\u2022|\u2014|\u2013|-|on|at)\s+.*$", re.I)
LABELLED_META = re.compile(
    r"^(?:source|last update|updated|published|posted|posted in|tags?|"
    r"labels?|categor(?:y|ies)|filed under|url|link)\s*:?\s+"
    r"(?P<value>.*)$",
    re.I,
)
LYNX_REF = re.compile(r"\[\d{1,4}\]")
URL = re.compile(r"https?://\S+")
_HEADER_SEPARATORS = re.compile(r"(?<!\s)\s+(?:\||\u00b7|\u2022|\u2014|\u2013)\s+")


@dataclass
class AuthorLine:
    """What a comment's header line says."""

    author: str
    created_at: str | None = None
    wants_date: bool = False  # ``Name »``: the date is on the next line
    dated: bool = False  # a date (or relative date) was on the line: surely a header
    reply_to: str | None = None


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def plausible_name(text: str) -> bool:
    text = text.strip()
    if not text or len(text) > 60 or len(text.split()) > 6:
        return False
    if text[-1] in "?!,;:" or (text[-1] == "." and not re.search(r"\b[A-Z]\.$", text)):
        return False
    if ". " in text.replace(". ", ".", 1) or any(ch in text for ch in '"\u201c\u201d'):
        return False
    return any(ch.isalpha() for ch in text)


def bare_name(text: str) -> bool:
    """A line that could be a name on its own (stricter than inside a header line)."""
    words = text.split()
    return (
        plausible_name(text)
        and len(words) <= 5
        and not text.endswith(".")
        and all(w[0].isupper() or w[0].isdigit() or w[0] in "@_" for w in words[1:])
        and not CHROME.match(text)
        and not section_header(text)
    )


def date_line(text: str) -> str | None:
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
    rest = re.sub(
        r"\b(?:at|on|reply|permalink|edit|posted|said|says|wrote|ago|"
        r"(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b:?",
        "",
        rest,
        flags=re.I,
    ).strip(" |:(),")
    return iso if len(rest) <= 3 else None


def clean_name(name: str) -> str:
    name = re.sub(r"^#\d+\s+", "", name.strip())
    return _BADGE.sub("", name).strip()


def parse_author_line(text: str) -> AuthorLine | None:
    """The author (and date, and whom it answers) of a comment's header line, or None."""
    text = re.sub(r"^#\d+\s+", "", text.strip())
    reply_to = None
    m = _REPLY_TO.search(text)
    if m:
        reply_to = clean_name(m["to"])
        text = (text[: m.start()] + text[m.end() :]).strip()
    parts = [p for p in _HEADER_SEPARATORS.split(text) if p and not CHROME.match(p)]
    if len(parts) >= 2:
        dates = [(date_line(p), p) for p in parts]
        dated = [d for d, _ in dates if d is not None]
        names = [p for d, p in dates if d is None]
        if dated and names and plausible_name(clean_name(names[0])):
            return AuthorLine(clean_name(names[0]), dated[0] or None, dated=True, reply_to=reply_to)
    if len(parts) == 1 and reply_to and plausible_name(clean_name(parts[0])):
        return AuthorLine(clean_name(parts[0]), reply_to=reply_to)
    m = _SAYS.match(text)
    if m and plausible_name(clean_name(m["author"])):
        when = " ".join(filter(None, (m["when"], m["rest"].strip())))
        date = date_line(when) if when else None
        if not when or date is not None:
            return AuthorLine(
                clean_name(m["author"]),
                date or None,
                wants_date=not when,
                dated=True,
                reply_to=reply_to,
            )
    m = _ARROW.match(text)
    if m and plausible_name(clean_name(m["author"])):
        return AuthorLine(clean_name(m["author"]), wants_date=True, dated=True, reply_to=reply_to)
    m = _ON_DATE.match(text)
    if m and plausible_name(clean_name(m["author"])):
        date = date_line(m["rest"])
        if date is not None:
            return AuthorLine(clean_name(m["author"]), date or None, dated=True, reply_to=reply_to)
    return None


def section_header(
    line: str, any_language: bool = False
) -> tuple[bool, int | None, str | None] | None:
    """``(strong, declared count, title)`` when the line opens a comment section (a plain
    header such as "Comments" in English, or also in other languages)."""
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
    m = _PLAIN_HEADER_OTHER.match(text) if any_language else None
    if m:
        return False, int(m["n2"]) if m["n2"] else None, None
    return None


def next_text(lines: list[str], i: int) -> tuple[int, str] | None:
    """The next non-blank line at or after ``i``."""
    for j in range(i, min(len(lines), i + 6)):
        if lines[j].strip():
            return j, lines[j].strip()
    return None


def header_at(lines: list[str], i: int, text: str) -> tuple[AuthorLine, int] | None:
    """A header starting at line ``i``: the author line, and how many lines it takes."""
    header = parse_author_line(text) if len(text) <= 160 else None
    if header is not None:
        return header, 1
    if bare_name(text):
        following = next_text(lines, i + 1)
        if following:
            date = date_line(following[1])
            if date is not None:
                return AuthorLine(clean_name(text), date or None, dated=True), following[0] - i + 1
    return None


def _looks_like_comment_start(lines: list[str], i: int) -> bool:
    """After a weak header (``Comments``): does a comment follow within a few lines?"""
    seen = 0
    for j in range(i, min(len(lines), i + 40)):
        text = lines[j].strip()
        if not text or CHROME.match(text):
            continue
        if marker_like(text) or header_at(lines, j, text) is not None or _EMPTY_SECTION.match(text):
            return True
        seen += 1
        if seen >= 6:
            return False
    return False


def _dated_soon(lines: list[str], i: int, dated: Callable[[str], bool]) -> bool:
    """Whether a dated line stands within the next few lines (a comment's header)."""
    seen = 0
    for j in range(i, min(len(lines), i + 40)):
        text = lines[j].strip()
        if not text:
            continue
        if len(text) <= 120 and dated(text):
            return True
        seen += 1
        if seen >= 8:
            return False
    return False


def find_comment_section(
    lines: list[str], any_language: bool = False, dated: Callable[[str], bool] | None = None
) -> tuple[int, int | None, str | None] | None:
    """``(header line index, declared count, title)`` of the comment section, or None. A
    header that says there are no comments is kept only when no other header follows; a
    plain one ("Comments") where a comment or (``dated``) a dated line soon follows."""
    weak = zero = None
    for i, line in enumerate(lines):
        if not line.strip() or len(line) > 200:
            continue
        header = section_header(line, any_language)
        if header is None:
            continue
        strong, count, title = header
        if strong and count == 0:
            zero = zero or (i, count, title)
        elif strong:
            return i, count, title
        elif weak is None and (
            _looks_like_comment_start(lines, i + 1)
            or (
                dated is not None
                and not _PLAIN_HEADER.match(line.strip())  # as before for English headings
                and _dated_soon(lines, i + 1, dated)
            )
        ):
            weak = (i, count, title)
    return weak or zero


def marker_like(text: str) -> bool:
    return bool(NUMBERED.match(text) or (BULLET.match(text) and text[0] in STRONG_BULLETS))
