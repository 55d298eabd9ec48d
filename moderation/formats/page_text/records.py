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
_SUBJECT_TAIL = re.compile(r"\(([A-Za-z]+):[^()]{0,40}\)$")
_LEVEL = re.compile(r"^level (\d{1,2})$", re.I)
_HANDLE = re.compile(r"^@[\w.-]+@[\w.-]+$")
_MENTION = re.compile(r"^@([\w.-]+)")
_FOOTER = re.compile(
    r"^(?:leave a (?:reply|comment|response)|cancel reply|comments are closed|deja una respuesta|"
    r"deja un comentario|laisser un commentaire|lascia un commento|geef een reactie|"
    r"schreibe einen kommentar|hinterlasse einen kommentar|log in to join the conversation|"
    r"your answer|you must log in|related topics|similar threads|thread status|"
    r"powered by|facebook (?:comments|social) plugin|©|"
    r"most (?:read|popular|viewed|commented|shared)|recommended from|"
    r"newer post|older post|display posts from previous)",
    re.I,
)
_NUMBERS = re.compile(r"\d+")
_SIGNATURE = re.compile(r"^(?:_{5,}|-- ?)$")
_END = re.compile(
    r"^(?:leave a (?:reply|comment|response)|post (?:a )?comment|add (?:a )?comment|"
    r"cancel reply|comments are closed|deja una respuesta|deja un comentario|laisser un "
    r"commentaire|lascia un commento|geef een reactie|schreibe einen kommentar|hinterlasse einen"
    r" kommentar|kommentar verfassen|log in to join the conversation|your answer|"
    r"you must log in|related topics|similar threads|thread status|display options|"
    r"powered by|facebook (?:comments|social) plugin|©|\(c\) \d{4}|transcript|"
    r"most (?:read|popular|viewed|commented|shared)|"
    r"recommended from|"
    r"load more|show more comments|view all comments|ready for more|"
    r"\d+ more comments|no posts|subscribe to|newer post|older post|post reply|"
    r"display posts from previous|about$|privacy)",
    re.I,
)


@dataclass(slots=True)
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
    handle: str | None = None  # "@user@instance" printed under the name (federated timelines)
    level: int | None = None  # "level 2" printed with the comment (new Reddit)
    signed: bool = False  # a comment signed at its end, on one line (Stack Exchange)
    body_end: int | None = None  # where the text stops when the header follows it
    earlier_date: str | None = None  # a date above the name, after furniture: the previous
    has_earlier_date: bool = False  # comment's, printed after its text (Livefyre, Facebook)

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


def _header_titles(lines: list[Line]) -> None:
    """A line just above most header lines, ending alike ("Re:Price per watt? (Score:2)"):
    the comments' subject lines, part of their headers."""
    tails: dict[str, list[int]] = {}
    headers = 0
    for k, line in enumerate(lines):
        if line.kind == "H" and k and lines[k - 1].kind in "TN":
            headers += 1
            m = _SUBJECT_TAIL.search(lines[k - 1].text)
            if m:
                tails.setdefault(m[1].lower(), []).append(k - 1)
    for found in tails.values():
        if len(found) >= 2 and 2 * len(found) >= headers:
            for j in found:
                lines[j].kind = "F"


def _signed_posts(lines: list[Line]) -> None:
    """Posts that start with their author's name and end with "name, date #N" (XenForo 1):
    the name above the text is the header, the closing line its date."""
    for k, line in enumerate(lines):
        if line.kind != "H" or not line.name or not k or lines[k - 1].kind != "T":
            continue
        j = k - 1
        while j > 0 and lines[j].kind in "TD" and k - j < 60:
            j -= 1
        while j > 0 and lines[j].kind == "F":  # badges under the name
            j -= 1
        if lines[j].kind == "N" and clean_name(lines[j].text) == line.name:
            top = lines[j]
            top.kind, top.name, top.when = "H", line.name, line.when
            line.kind = "F"


def find_records(lines: list[Line]) -> list[Record]:
    _header_titles(lines)
    _signed_posts(lines)
    anchors = _anchors(lines)
    if anchors:  # the page's footer ("Related topics", "Leave a Reply") ends the section
        end = next(
            (
                j
                for j in range(anchors[0] + 1, len(lines))
                if len(lines[j].text) <= 60 and _FOOTER.match(lines[j].text)
            ),
            None,
        )
        if end is not None:
            lines = lines[: end + 1]  # the footer's first line stays, to be recognised
            anchors = [k for k in anchors if k < end]
    if len(anchors) < 2:
        named = _name_anchors(lines)
        if len(named) > len(anchors):
            anchors = named
    date_first = _date_first(lines, anchors)
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
        before_named = not date_first and any(lines[j].kind in "NH" for j in range(s, k + 1))
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
            elif (
                kind == "N"
                and lines[e - 1].kind == "F"
                and e + 1 < len(lines)
                and lines[e + 1].kind in "DF"
            ):
                e += 1  # a profile field's value ("Location" / "Leeds" / the date)
            else:
                break
        while n + 1 < len(anchors) and anchors[n + 1] < e:
            n += 1
        record = _header(lines, s, e, k, records, date_first)
        records.append(record)
        block_end = e
        n += 1
    if records and records[0].has_earlier_date:
        lead = _leading_record(lines, records[0].start)
        if lead is not None:
            lead.when = records[0].earlier_date
            records.insert(0, lead)
    for r, record in enumerate(records):
        stop = records[r + 1].start if r + 1 < len(records) else len(lines)
        record.body = _body(lines[record.end : stop])
    trailers = _attributed(lines, records)
    if trailers:
        records = sorted(records + trailers, key=lambda r: r.start)
        for r, record in enumerate(records):
            if record.body_end is not None:
                record.body = _body(lines[record.start : record.body_end])
            else:
                stop = records[r + 1].start if r + 1 < len(records) else len(lines)
                record.body = _body(lines[record.end : stop])
    for record in records:
        if record.signed:
            record.body = []  # the whole comment stands on its signed line
    for record in records:
        _trailing_date(record)
    kept: list[Record] = []
    for record in records:
        if record.author is None and not record.inline and not record.text().strip():
            if kept and kept[-1].when is None:
                kept[-1].when = record.when  # a date printed after a comment's text
            continue
        kept.append(record)
    records[:] = kept
    if records:
        _cut_last(records, lines)
    return records


def _attributed(lines: list[Line], records: list[Record]) -> list[Record]:
    """Posts whose header follows their text ("Share / Follow / answered 4 hours ago / Name"):
    the text is the run of lines above that furniture, back to the last header or post."""
    taken = set()
    for record in records:
        taken.update(range(record.start, record.end))
    found = []
    for k, line in enumerate(lines):
        if line.kind != "A":
            continue
        name = next((j for j in range(k + 1, min(k + 3, len(lines))) if lines[j].kind == "N"), None)
        if name is None:
            continue
        stop = k
        while stop > 0 and (
            lines[stop - 1].kind == "F"
            or (  # "edited Mar 12, 2022 / Editor's Name": the editor, not the text
                lines[stop - 1].kind == "N"
                and stop > 1
                and lines[stop - 2].kind == "F"
                and lines[stop - 2].text.lower().startswith("edited")
            )
        ):
            stop -= 1
        start = stop
        while start > 0 and lines[start - 1].kind in "TN" and start - 1 not in taken:
            start -= 1
        if start == stop:
            continue
        record = Record(clean_name(lines[name].text), lines[name].indent, start, start)
        record.head, record.body_end = name, stop
        record.when = line.when.iso if line.when is not None else None
        found.append(record)
    return found


def _date_first(lines: list[Line], anchors: list[int]) -> bool:
    """Whether the page prints each comment's date above its name (vBulletin's "Old 03-14-2024,
    09:12 PM" then the name): its first date line follows text, not names or furniture, and a
    name follows it."""
    first = next(
        (
            k
            for k in anchors
            if lines[k].kind == "D" and not (lines[k].byline or lines[k].furnished)
        ),
        None,
    )
    if first is None or first + 1 >= len(lines) or lines[first + 1].kind != "N":
        return False
    if len(lines[first + 1].text) < 2:
        return False
    return first == 0 or lines[first - 1].kind == "T"


def _header(
    lines: list[Line],
    s: int,
    e: int,
    anchor: int,
    records: list[Record],
    date_first: bool = False,
) -> Record:
    """The record whose header block is ``lines[s:e]``; lines of the block that belong to the
    previous record (a sign-off, a trailing date) are handed back to it."""
    author_at = None
    author = None
    headers = [j for j in range(s, e) if lines[j].kind == "H" and lines[j].name]
    first_date = next((j for j in range(s, e) if lines[j].kind == "D"), None)
    if headers:
        author_at = headers[0]
        author = lines[author_at].name
        above = author_at - 1
        if " · " in lines[author_at].text and above >= s and lines[above].kind == "N":
            # "Name" then "Lehrer · vor 4 Tagen": the words before the date are a byline
            author_at, author = above, clean_name(lines[above].text)
    elif date_first and first_date is not None:
        after = [j for j in range(first_date, e) if lines[j].kind == "N" and len(lines[j].text) > 1]
        author_at = after[0] if after else None
        author = (
            lines[author_at].name or clean_name(lines[author_at].text)
            if author_at is not None
            else None
        )
    else:
        names = [
            j
            for j in range(s, min(e, anchor + 1))
            if lines[j].kind == "N" and not _HANDLE.match(lines[j].text)
        ]
        if names:
            # the first name of the last run of names before the anchor (furniture splits runs)
            first = names[-1]
            while first - 1 in names and len(lines[first - 1].text) > 1:
                first -= 1
            if len(lines[first].text) == 1 and first + 1 in names:
                first += 1
            author_at = first
        else:
            after = [j for j in range(anchor, e) if lines[j].kind == "N" and len(lines[j].text) > 1]
            author_at = after[0] if after else None
        if author_at is not None:
            author = lines[author_at].name or clean_name(lines[author_at].text)
    start = s
    first_furniture = next((j for j in range(s, e) if lines[j].kind == "F"), None)
    if author_at is not None and first_furniture is not None and first_furniture < author_at:
        spill = [j for j in range(s, first_furniture) if lines[j].kind in "NT"]
        if spill and records:
            start = spill[-1] + 1  # a sign-off of the previous comment ("Ed", "Sid")
    elif author_at is not None and lines[author_at].kind == "H" and records:
        # the header line holds the name: a name-like line just above it, set like the text
        # above and not like the header, is the previous comment's sign-off ("Plot 14")
        spill = [
            j
            for j in range(s, author_at)
            if lines[j].kind == "N"
            and lines[j].indent != lines[author_at].indent
            and clean_name(lines[j].text) != author
        ]
        if spill and spill[-1] == author_at - 1 and all(j in spill for j in range(s, author_at)):
            start = author_at
    when = None
    dated = [j for j in range(s, e) if lines[j].when is not None and lines[j].kind in "HD"]
    own = [j for j in dated if author_at is None or j >= author_at]
    early = [j for j in dated if author_at is not None and j < author_at]
    trailing = None
    under_text = (
        not date_first
        and bool(early)
        and early[0] == s
        and s > 0
        and lines[s - 1].kind == "T"
        and (lines[s].furnished or (s + 1 < e and lines[s + 1].kind == "F"))
    )
    after_furniture = (
        not date_first and bool(early) and any(lines[j].kind == "F" for j in range(s, early[-1]))
    )
    if under_text:
        # a date right under a comment's text, with the buttons ("date / Reply Repeat
        # Favorite" or "Reply · Like · date"): the comment above's; a later one is this one's
        trailing, early = lines[early[0]].when.iso, early[1:]
    elif after_furniture:
        trailing, early = lines[early[-1]].when.iso, []  # printed after the text above
    if (under_text or after_furniture) and records and records[-1].when is None:
        records[-1].when = trailing
    after_furniture = under_text or after_furniture
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
    record = Record(author or None, indent, start, e, when, reply_to, inline=inline, head=head)
    record.signed = author_at is not None and lines[author_at].signed
    for j in range(s, e):
        text = lines[j].text
        level = _LEVEL.match(text)
        if level:
            record.level = int(level[1]) - 1
        elif record.handle is None and _HANDLE.match(text) and j != author_at:
            record.handle = text.lower()
    record.earlier_date, record.has_earlier_date = trailing, after_furniture
    return record


def _leading_record(lines: list[Line], stop: int) -> Record | None:
    """On a page whose comments end with their date, the first comment has no header block
    above it: its name line is the last name followed by text before the first block."""
    for j in range(stop - 1, -1, -1):
        if lines[j].kind == "F":
            continue
        if lines[j].kind != "N":
            if j + 1 < stop and lines[j].kind == "T" and j >= 1 and lines[j - 1].kind == "N":
                continue
            if lines[j].kind == "T":
                continue
            return None
        after = j + 1
        while after < stop and lines[after].kind == "F":  # a byline ("Works at ...")
            after += 1
        following = lines[after] if after < stop else None
        if following is not None and following.kind == "T":
            name = j
            while _HANDLE.match(lines[name].text) and name > 0 and lines[name - 1].kind == "N":
                name -= 1  # the display name above a federated handle
            record = Record(clean_name(lines[name].text), lines[name].indent, name, j + 1)
            record.head = name
            if name != j and _HANDLE.match(lines[j].text):
                record.handle = lines[j].text.lower()
            return record
    return None


def _cut_last(records: list[Record], lines: list[Line]) -> None:
    """The last comment ends where the page's furniture or footer starts."""
    last = records[-1]
    if last.signed or last.body_end is not None:
        return
    stop = len(lines)
    seen_text = False
    closed_by_furniture = sum(
        1
        for r in records[1:]
        if r.start > 0 and "F" in (lines[r.start - 1].kind, lines[r.start].kind)
    ) >= max(1, (len(records) - 1) // 2)
    repeated: dict[str, int] = {}
    for line in lines:
        if line.kind == "F":
            shape = _NUMBERS.sub("#", line.text)
            repeated[shape] = repeated.get(shape, 0) + 1
    for j in range(last.end, len(lines)):
        line = lines[j]
        if _END.match(line.text) and (seen_text or last.inline):
            stop = j
            break
        if (
            line.kind == "F"
            and (seen_text or last.inline)
            and (closed_by_furniture or repeated[_NUMBERS.sub("#", line.text)] >= 2)
        ):
            stop = j
            break
        if seen_text and _navigation(line.text):
            stop = j  # "Guidelines | FAQ | Lists | API": the site's footer links
            break
        if line.kind != "F":
            seen_text = True
    last.body = _body(lines[last.end : stop])
    _trailing_date(last)
    footer = stop < len(lines) and _END.match(lines[stop].text) is not None
    if not last.inline and (
        not last.body or (footer and all(line.kind == "N" for line in last.body))
    ):
        records.pop()  # the page's footer after the last comment's date, not a comment


def _trailing_date(record: Record) -> None:
    """A date line closing a comment's text is its date (Blogger prints it there)."""
    if record.body and record.body[-1].kind == "D" and len(record.body) > 1:
        if record.when is None:
            record.when = record.body[-1].when.iso
        record.body.pop()


def _navigation(text: str) -> bool:
    pieces = [p.strip() for p in re.split(r"\s[|•·]\s", text)]
    return len(pieces) >= 4 and all(0 < len(p.split()) <= 4 for p in pieces)


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


def nest(records: list[Record], lines: list[Line], root: Record | None = None) -> None:
    """Set each record's parent and depth. ``root`` is a forum's opening post: a reply that
    mentions its author answers the post, at depth 0."""
    indents = {r.indent for r in records}
    if any(r.level is not None for r in records):
        for n, record in enumerate(records):
            wanted = (record.level or 0) - 1
            record.parent = (
                next((m for m in range(n - 1, -1, -1) if (records[m].level or 0) == wanted), None)
                if wanted >= 0
                else None
            )
    elif len(indents) > 1:
        stack: list[int] = []
        for n, record in enumerate(records):
            while stack and records[stack[-1]].indent >= record.indent:
                stack.pop()
            record.parent = stack[-1] if stack else None
            stack.append(n)
    else:
        _nest_by_cues(records, lines, root)
    for record in records:
        record.depth = records[record.parent].depth + 1 if record.parent is not None else 0


def _by_author(records: list[Record], before: int, name: str) -> int | None:
    wanted = name.lower().lstrip("@")
    for m in range(before - 1, -1, -1):
        author = (records[m].author or "").lower().lstrip("@")
        handle = (records[m].handle or "").lstrip("@").split("@")[0]
        if author and (author == wanted or author.split()[0] == wanted or handle == wanted):
            return m
    return None


def _nest_by_cues(records: list[Record], lines: list[Line], root: Record | None) -> None:
    root_names = set()
    if root is not None:
        for name in (root.author, root.handle):
            if name:
                root_names.add(name.lower().lstrip("@").split("@")[0])
    opened: int | None = None  # "Replies (2)" ... "Hide replies"
    counted: int | None = None  # "12 replies" under a thread head, then "@name" replies
    replied: tuple[int, set[str]] | None = None  # "1 reply by Name"
    post: int | None = None  # the last post with its header after its text (an answer)
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
        if record.body_end is not None:
            post = n
        elif record.signed and post is not None:
            record.parent = post  # comments under an answer
        if record.reply_to:
            record.parent = _by_author(records, n, record.reply_to)
        elif record.handle is not None:  # federated: the first @mention is the status replied to
            mention = _MENTION.match(record.text())
            if mention and mention[1].lower() not in root_names:
                record.parent = _by_author(records, n, mention[1])
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
