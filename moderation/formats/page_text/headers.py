"""A comment's header block, and what it says: the run of header-like lines (names, dates,
furniture, reply cues, never text) around one anchor line, its author, its date, and whom it
answers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from moderation.formats.page_text.comment_lines import Record
from moderation.formats.page_text.lines import Kind, Line, clean_name

MAX_HEADER = 14  # header lines above an anchor (XenForo prints a dozen)
HANDLE = re.compile(r"^@[\w.-]+@[\w.-]+$")
_LEVEL = re.compile(r"^level (\d{1,2})$", re.I)
_HEADER_ABOVE = (Kind.NAME, Kind.FURNITURE, Kind.DATE, Kind.REPLY_CUE)
_HEADER_BELOW = (Kind.FURNITURE, Kind.DATE, Kind.REPLY_CUE)


@dataclass(frozen=True)
class Block:
    """Lines ``start..end`` of the classified lines are one header block around ``anchor``."""

    start: int
    end: int
    anchor: int


def header_block(lines: list[Line], anchor: int, floor: int, date_first: bool) -> Block:
    """The header block around ``anchor``: header-like lines above it (not above ``floor``,
    where the previous block ended) and below it (furniture, dates, a name or two, a profile
    field's value)."""
    s = anchor
    while s - 1 >= floor and lines[s - 1].kind in _HEADER_ABOVE and anchor - s < MAX_HEADER:
        s -= 1
    s = _without_sign_off(lines, s, anchor)
    named_above = not date_first and any(
        lines[j].kind in (Kind.NAME, Kind.HEADER) for j in range(s, anchor + 1)
    )
    e, names_after = anchor + 1, 0
    while e < len(lines):
        line = lines[e]
        if line.kind in _HEADER_BELOW or (line.kind == Kind.HEADER and line.name is None):
            e += 1
        elif line.kind == Kind.NAME and not named_above and names_after < 2:
            names_after += 1
            e += 1
        elif line.kind == Kind.NAME and line.reply_to:
            e += 1
        elif (
            line.kind == Kind.NAME
            and lines[e - 1].kind == Kind.FURNITURE
            and e + 1 < len(lines)
            and lines[e + 1].kind in (Kind.DATE, Kind.FURNITURE)
        ):
            e += 1  # a profile field's value ("Location" / "Leeds" / the date)
        else:
            break
    return Block(s, e, anchor)


def _without_sign_off(lines: list[Line], s: int, anchor: int) -> int:
    """Where the block starts when a name above it closes the text before (a sign-off:
    "text / Ann / Reply Like / date / Ben / text"): a name line right under text, with the
    buttons between it and the date and another name heading a text under the date, is the
    previous comment's last line, and the block starts at the buttons."""
    if s == 0 or lines[s - 1].kind != Kind.TEXT or lines[s].kind != Kind.NAME:
        return s
    buttons = s + 1
    while buttons < anchor and lines[buttons].kind == Kind.NAME:
        buttons += 1
    if buttons >= anchor or lines[buttons].kind != Kind.FURNITURE:
        return s
    if not all(lines[j].kind in (Kind.FURNITURE, Kind.DATE) for j in range(buttons, anchor + 1)):
        return s
    after = anchor + 1
    while after < len(lines) and lines[after].kind == Kind.NAME and after - anchor <= 2:
        after += 1
    if after == anchor + 1 or after >= len(lines) or lines[after].kind != Kind.TEXT:
        return s
    return buttons


def read_header(
    lines: list[Line], block: Block, records: list[Record], date_first: bool = False
) -> Record:
    """The record whose header block is ``block``; lines of the block that belong to the
    previous record (a sign-off, a date printed after its text) are handed back to it."""
    s, e, anchor = block.start, block.end, block.anchor
    author_at, author = _author(lines, block, date_first)
    start = _start(lines, block, author_at, author, bool(records))
    when, trailing, after_text = _dates(lines, block, author_at, date_first)
    if after_text and records and records[-1].when is None:
        records[-1].when = trailing
    head = author_at if author_at is not None else anchor
    record = Record(
        author or None,
        lines[head].indent,
        start,
        e,
        when,
        _reply_to(lines, block, author_at),
        inline=lines[author_at].inline if author_at is not None else None,
        head=head,
    )
    record.signed = author_at is not None and lines[author_at].signed
    for j in range(s, e):
        text = lines[j].text
        level = _LEVEL.match(text)
        if level:
            record.level = int(level[1]) - 1
        elif record.handle is None and HANDLE.match(text) and j != author_at:
            record.handle = text.lower()
    record.earlier_date, record.has_earlier_date = trailing, after_text
    return record


def _name_of(line: Line) -> str:
    return line.name or clean_name(line.text)


def _author(lines: list[Line], block: Block, date_first: bool) -> tuple[int | None, str | None]:
    """Where the author's name stands in the block, and the name: a header line's name
    (or a name just above a "byline · date" line), the name after the date on pages that print
    the date first, else the first name of the last run of names before the anchor."""
    s, e, anchor = block.start, block.end, block.anchor
    headers = [j for j in range(s, e) if lines[j].kind == Kind.HEADER and lines[j].name]
    if headers:
        at = headers[0]
        above = at - 1
        if " · " in lines[at].text and above >= s and lines[above].kind == Kind.NAME:
            # "Name" then "Lehrer · vor 4 Tagen": the words before the date are a byline
            return above, clean_name(lines[above].text)
        return at, lines[at].name
    first_date = next((j for j in range(s, e) if lines[j].kind == Kind.DATE), None)
    if date_first and first_date is not None:
        at = _first_name(lines, first_date, e)  # type: ignore[assignment]
        return at, (_name_of(lines[at]) if at is not None else None)
    names = [
        j
        for j in range(s, min(e, anchor + 1))
        if lines[j].kind == Kind.NAME and not HANDLE.match(lines[j].text)
    ]
    if names:
        # the first name of the last run of names before the anchor (furniture splits runs)
        at = names[-1]
        while at - 1 in names and len(lines[at - 1].text) > 1:
            at -= 1
        if len(lines[at].text) == 1 and at + 1 in names:
            at += 1
    else:
        at = _first_name(lines, anchor, e)  # type: ignore[assignment]
    return at, (_name_of(lines[at]) if at is not None else None)


def _first_name(lines: list[Line], start: int, end: int) -> int | None:
    return next(
        (j for j in range(start, end) if lines[j].kind == Kind.NAME and len(lines[j].text) > 1),
        None,
    )


def _start(
    lines: list[Line], block: Block, author_at: int | None, author: str | None, after: bool
) -> int:
    """Where the record starts: a name or text line at the top of the block that belongs to
    the previous comment (a sign-off: "Ed", "Plot 14") is left to it (``after``: there is a
    previous comment)."""
    s, e = block.start, block.end
    if author_at is None or not after:
        return s
    first_furniture = next((j for j in range(s, e) if lines[j].kind == Kind.FURNITURE), None)
    if first_furniture is not None and first_furniture < author_at:
        spill = [j for j in range(s, first_furniture) if lines[j].kind in (Kind.NAME, Kind.TEXT)]
        return spill[-1] + 1 if spill else s
    if lines[author_at].kind == Kind.HEADER:
        # the header line holds the name: a name-like line just above it, set like the text
        # above and not like the header, is the previous comment's sign-off
        spill = [
            j
            for j in range(s, author_at)
            if lines[j].kind == Kind.NAME
            and lines[j].indent != lines[author_at].indent
            and clean_name(lines[j].text) != author
        ]
        if spill and spill[-1] == author_at - 1 and all(j in spill for j in range(s, author_at)):
            return author_at
    return s


def _dates(
    lines: list[Line], block: Block, author_at: int | None, date_first: bool
) -> tuple[str | None, str | None, bool]:
    """``(this comment's date, the previous comment's, whether the block opens with it)``: a
    date at or after the author's name is this comment's; one above it, right under the text
    before with the buttons ("date / Reply Repeat Favorite"), or after furniture, was printed
    after the previous comment's text."""
    s, e = block.start, block.end
    dated = [
        j
        for j in range(s, e)
        if lines[j].when is not None and lines[j].kind in (Kind.HEADER, Kind.DATE)
    ]
    own = [j for j in dated if author_at is None or j >= author_at]
    early = [j for j in dated if author_at is not None and j < author_at]
    trailing = None
    under_text = (
        not date_first
        and bool(early)
        and early[0] == s
        and s > 0
        and lines[s - 1].kind == Kind.TEXT
        and (lines[s].furnished or (s + 1 < e and lines[s + 1].kind == Kind.FURNITURE))
    )
    after_furniture = (
        not date_first
        and bool(early)
        and any(lines[j].kind == Kind.FURNITURE for j in range(s, early[-1]))
    )
    if under_text:
        trailing, early = lines[early[0]].when.iso, early[1:]  # type: ignore[union-attr]
    elif after_furniture:
        trailing, early = lines[early[-1]].when.iso, []  # type: ignore[union-attr]
    pick = own[-1] if own else (early[-1] if early else None)
    when = lines[pick].when.iso if pick is not None else None  # type: ignore[union-attr]
    return when, trailing, under_text or after_furniture


def _reply_to(lines: list[Line], block: Block, author_at: int | None) -> str | None:
    """Whom the comment answers: a reply cue in the block, or (Disqus) the parent's name
    printed after the author's."""
    reply_to = None
    for j in range(block.start, block.end):
        if lines[j].reply_to:
            reply_to = lines[j].reply_to
    if reply_to is None and author_at is not None and lines[author_at].kind == Kind.NAME:
        parts = re.split(r"\s{2,}|\s+→\s*", lines[author_at].text.strip())
        if len(parts) >= 2:
            reply_to = clean_name(parts[-1])
    return reply_to
