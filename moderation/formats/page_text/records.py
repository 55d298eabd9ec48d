"""Comment records inferred from the page's own layout.

Every comment on a page carries the same header: a name, a date or time, perhaps badges, a
byline, counters and furniture. The lines are sorted by shape (lines.py); each date or header line
is an anchor, and the run of header-like lines around it (names, dates, furniture, reply cues,
never text) is one comment's header block. The text between two header blocks is a comment's
body, with the furniture that repeats with every record left out. Replies nest by the
indentation of the header, or, on flat pages, by reply-to cues ("In reply to X", the parent's
name after the author, ``Replies (2)`` ... ``Hide replies``, ``N replies`` then ``@name``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from moderation.formats.page_text.lines import Line, clean_name

_MAX_HEADER = 14  # header lines above an anchor (XenForo prints a dozen)
_REPLIES_OPEN = re.compile(r"^(?:replies|antworten|réponses|respuestas)\s*\(\d+\)$", re.I)
_REPLIES_CLOSE = re.compile(r"^hide replies$|^ausblenden$", re.I)
_REPLY_COUNT = re.compile(r"^\d+\s+repl(?:y|ies)$", re.I)
_REPLIES_BY = re.compile(r"^\d+\s+repl(?:y|ies)\s+by\s+(?P<names>.+)$", re.I)
_SIGNATURE = re.compile(r"^(?:_{5,}|-- ?)$")
_END = re.compile(
    r"^(?:leave a (?:reply|comment|response)|post (?:a )?comment|add (?:a )?comment|"
    r"cancel reply|comments are closed|deja una respuesta|deja un comentario|laisser un "
    r"commentaire|lascia un commento|geef een reactie|schreibe einen kommentar|hinterlasse einen"
    r" kommentar|kommentar verfassen|log in to join the conversation|your answer|"
    r"you must log in|related topics|similar threads|thread status|display options|"
    r"powered by|facebook comments plugin|©|\(c\) \d{4}|transcript|most (?:read|popular)|"
    r"recommended from|"
    r"load more|show more comments|view all comments|ready for more|"
    r"\d+ more comments|no posts|subscribe to|newer post|older post|post reply|"
    r"display posts from previous|about$|privacy)",
    re.I,
)


@dataclass
class Record:
    """One comment (or, on a forum page, the opening post) found on the page."""

    author: str | None
    indent: int
    start: int  # index (in the classified lines) of the first header line
    end: int  # one past the last header line
    when: str | None = None
    reply_to: str | None = None
    body: list[Line] = field(default_factory=list)
    inline: str | None = None
    parent: int | None = None
    depth: int = 0
    head: int = 0  # index of the header's main line (the author's, or the anchor)

    def text(self) -> str:
        paragraphs: list[list[str]] = []
        previous = None
        if self.inline:
            paragraphs.append([self.inline])
        for line in self.body:
            if previous is None or line.index > previous + 1 or not paragraphs:
                paragraphs.append([])
            paragraphs[-1].append(line.text)
            previous = line.index
        return "\n\n".join("\n".join(p) for p in paragraphs)


def _anchors(lines: list[Line]) -> list[int]:
    found = []
    for k, line in enumerate(lines):
        if line.kind == "H":
            found.append(k)
        elif line.kind == "D":
            before = lines[k - 1].kind if k else "F"
            after = lines[k + 1].kind if k + 1 < len(lines) else "F"
            if not (before == "T" and after == "T"):  # a date inside a comment's text
                found.append(k)
    return found


def _name_anchors(lines: list[Line]) -> list[int]:
    """Without dates: a name line after furniture (or at the start), followed by text."""
    found = []
    for k, line in enumerate(lines):
        if line.kind != "N" or len(line.text) < 2:
            continue
        before = lines[k - 1].kind if k else "F"
        j = k + 1
        while j < len(lines) and lines[j].kind == "N" and j - k <= 2:
            j += 1
        if before == "F" and j < len(lines) and lines[j].kind == "T":
            found.append(k)
    return found


def find_records(lines: list[Line]) -> list[Record]:
    anchors = _anchors(lines)
    if len(anchors) < 2:
        named = _name_anchors(lines)
        if len(named) > len(anchors):
            anchors = named
    records: list[Record] = []
    block_end = 0
    n = 0
    while n < len(anchors):
        k = anchors[n]
        if k < block_end:
            n += 1
            continue
        s = k
        while s - 1 >= block_end and lines[s - 1].kind in "NFDR" and k - s < _MAX_HEADER:
            s -= 1
        before_named = any(lines[j].kind in "NH" for j in range(s, k + 1))
        e = k + 1
        names_after = 0
        while e < len(lines):
            kind = lines[e].kind
            if kind in "FDR" or (kind == "H" and lines[e].name is None):
                e += 1
            elif kind == "N" and not before_named and names_after < 2:
                names_after += 1
                e += 1
            elif kind == "N" and lines[e].reply_to:
                e += 1
            else:
                break
        while n + 1 < len(anchors) and anchors[n + 1] < e:
            n += 1
        record = _header(lines, s, e, k, records)
        records.append(record)
        block_end = e
        n += 1
    for r, record in enumerate(records):
        stop = records[r + 1].start if r + 1 < len(records) else len(lines)
        record.body = _body(lines[record.end : stop])
    if records:
        _cut_last(records, lines)
    return records


def _header(lines: list[Line], s: int, e: int, anchor: int, records: list[Record]) -> Record:
    """The record whose header block is ``lines[s:e]``; lines of the block that belong to the
    previous record (a sign-off, a trailing date) are handed back to it."""
    author_at = None
    author = None
    headers = [j for j in range(s, e) if lines[j].kind == "H" and lines[j].name]
    if headers:
        author_at = headers[0]
        author = lines[author_at].name
    else:
        names = [j for j in range(s, min(e, anchor + 1)) if lines[j].kind == "N"]
        if names:
            # the first name of the last run of names before the anchor (furniture splits runs)
            first = names[-1]
            while first - 1 in names and len(lines[first - 1].text) > 1:
                first -= 1
            if len(lines[first].text) == 1 and first + 1 in names:
                first += 1
            author_at = first
        else:
            after = [j for j in range(anchor, e) if lines[j].kind == "N"]
            author_at = after[0] if after else None
        if author_at is not None:
            author = clean_name(lines[author_at].text)
    start = s
    first_furniture = next((j for j in range(s, e) if lines[j].kind == "F"), None)
    if author_at is not None and first_furniture is not None and first_furniture < author_at:
        spill = [j for j in range(s, first_furniture) if lines[j].kind in "NT"]
        if spill and records:
            start = spill[-1] + 1  # a sign-off of the previous comment ("Ed", "Sid")
    when = None
    dated = [j for j in range(s, e) if lines[j].when is not None and lines[j].kind in "HD"]
    own = [j for j in dated if author_at is None or j >= author_at]
    early = [j for j in dated if author_at is not None and j < author_at]
    if early and records and records[-1].when is None:
        if any(lines[j].kind == "F" for j in range(s, early[-1])):
            records[-1].when = lines[early[-1]].when.iso  # printed after the comment's text
            early = []
    pick = own[-1] if own else (early[-1] if early else None)
    if pick is not None:
        when = lines[pick].when.iso
    reply_to = None
    for j in range(s, e):
        if lines[j].reply_to:
            reply_to = lines[j].reply_to
    raw = lines[author_at].text if author_at is not None else ""
    parts = re.split(r"\s{2,}|\s+→\s*", raw.strip())
    if reply_to is None and len(parts) >= 2 and lines[author_at].kind == "N":
        reply_to = clean_name(parts[-1])  # Disqus: the parent's name after the author
    inline = lines[author_at].inline if author_at is not None else None
    indent = lines[author_at].indent if author_at is not None else lines[anchor].indent
    head = author_at if author_at is not None else anchor
    return Record(author or None, indent, start, e, when, reply_to, inline=inline, head=head)


def _cut_last(records: list[Record], lines: list[Line]) -> None:
    """The last comment ends where the page's furniture or footer starts."""
    last = records[-1]
    stop = len(lines)
    seen_text = False
    closed_by_furniture = sum(
        1 for r in records[1:] if r.start > 0 and lines[r.start - 1].kind == "F"
    ) >= max(1, (len(records) - 1) // 2)
    for j in range(last.end, len(lines)):
        line = lines[j]
        if _END.match(line.text) and (seen_text or last.inline):
            stop = j
            break
        if line.kind == "F" and (seen_text or last.inline) and closed_by_furniture:
            stop = j
            break
        if line.kind != "F":
            seen_text = True
    last.body = _body(lines[last.end : stop])


def _body(lines: list[Line]) -> list[Line]:
    """A comment's lines without furniture and reply cues, and without a signature (the lines
    after a ``_________________`` rule)."""
    body = []
    for line in lines:
        if _SIGNATURE.match(line.text):
            break
        if line.kind not in "FR":
            body.append(line)
    return body


def nest(records: list[Record], lines: list[Line]) -> None:
    """Set each record's parent and depth."""
    indents = {r.indent for r in records}
    if len(indents) > 1:
        stack: list[int] = []
        for n, record in enumerate(records):
            while stack and records[stack[-1]].indent >= record.indent:
                stack.pop()
            record.parent = stack[-1] if stack else None
            stack.append(n)
    else:
        _nest_by_cues(records, lines)
    for record in records:
        record.depth = records[record.parent].depth + 1 if record.parent is not None else 0


def _by_author(records: list[Record], before: int, name: str) -> int | None:
    wanted = name.lower().lstrip("@")
    for m in range(before - 1, -1, -1):
        author = (records[m].author or "").lower().lstrip("@")
        if author and (author == wanted or author.split()[0] == wanted):
            return m
    return None


def _nest_by_cues(records: list[Record], lines: list[Line]) -> None:
    opened: int | None = None  # "Replies (2)" ... "Hide replies"
    counted: int | None = None  # "12 replies" under a thread head, then "@name" replies
    replied: tuple[int, set[str]] | None = None  # "1 reply by Name"
    for n, record in enumerate(records):
        between = lines[records[n - 1].head if n else 0 : record.head]
        for line in between:
            if _REPLIES_OPEN.match(line.text):
                opened = n - 1
            elif _REPLIES_CLOSE.match(line.text):
                opened = None
            elif _REPLY_COUNT.match(line.text):
                counted = n - 1
            elif _REPLIES_BY.match(line.text):
                names = re.split(r",\s*|\s+and\s+", _REPLIES_BY.match(line.text)["names"])
                replied = (n - 1, {name.strip().lower() for name in names})
        if record.reply_to:
            record.parent = _by_author(records, n, record.reply_to)
        if record.parent is None and replied is not None:
            if (record.author or "").lower() in replied[1]:
                record.parent = replied[0]
            replied = None
        if record.parent is None and opened is not None and opened < n:
            record.parent = opened
        if record.parent is None and counted is not None:
            text = record.text()
            head = records[counted].author or ""
            if (
                text.startswith("@")
                and head
                and text[1:].lower().startswith(head.lstrip("@").lower())
            ):
                record.parent = counted
            else:
                counted = None
