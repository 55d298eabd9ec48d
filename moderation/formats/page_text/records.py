"""Comment records inferred from the page's own layout.

Every comment on a page carries the same header: a name, a date or time, perhaps badges, a
byline, counters and furniture. The lines are sorted by shape (lines.py); each date or header
line is an anchor, and the run of header-like lines around it is one comment's header block
(headers.py). The text between two header blocks is a comment's body, with the furniture that
repeats with every record left out. Pages that arrange header, text and date otherwise are
declared in layouts.py and read through its hooks; replies are nested in nesting.py.
"""

from __future__ import annotations

import re

from moderation.formats.page_text.comment_lines import Record, body_of, set_bodies, trailing_date
from moderation.formats.page_text.headers import header_block, read_header
from moderation.formats.page_text.layouts import DATE_ABOVE_NAME, LAYOUTS
from moderation.formats.page_text.lines import Kind, Line
from moderation.formats.page_text.nesting import nest

__all__ = ["Record", "find_records", "nest"]

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


def _anchors(lines: list[Line]) -> list[int]:
    """Header lines, and date lines that do not stand inside a comment's text."""
    found = []
    for k, line in enumerate(lines):
        if line.kind == Kind.HEADER:
            found.append(k)
        elif line.kind == Kind.DATE:
            before = lines[k - 1].kind if k else Kind.FURNITURE
            after = lines[k + 1].kind if k + 1 < len(lines) else Kind.FURNITURE
            if not (before == Kind.TEXT and after == Kind.TEXT):
                found.append(k)
    return found


def _name_anchors(lines: list[Line]) -> list[int]:
    """Without dates: a name line after furniture (or at the start), followed by text."""
    found = []
    for k, line in enumerate(lines):
        if line.kind != Kind.NAME or len(line.text) < 2:
            continue
        before = lines[k - 1].kind if k else Kind.FURNITURE
        j = k + 1
        while j < len(lines) and lines[j].kind == Kind.NAME and j - k <= 2:
            j += 1
        if before == Kind.FURNITURE and j < len(lines) and lines[j].kind == Kind.TEXT:
            found.append(k)
    return found


def _section(lines: list[Line]) -> tuple[list[Line], list[int]]:
    """The lines up to the page's footer ("Related topics", "Leave a Reply": its first line is
    kept, to be recognised), and the anchors in them (names where dates are too few)."""
    anchors = _anchors(lines)
    if anchors:
        end = next(
            (
                j
                for j in range(anchors[0] + 1, len(lines))
                if len(lines[j].text) <= 60 and _FOOTER.match(lines[j].text)
            ),
            None,
        )
        if end is not None:
            lines = lines[: end + 1]
            anchors = [k for k in anchors if k < end]
    if len(anchors) < 2:
        named = _name_anchors(lines)
        if len(named) > len(anchors):
            anchors = named
    return lines, anchors


def _header_records(lines: list[Line], anchors: list[int], date_first: bool) -> list[Record]:
    """One record per header block, in page order (anchors inside a block are its own)."""
    records: list[Record] = []
    floor = n = 0
    while n < len(anchors):
        anchor = anchors[n]
        if anchor < floor:
            n += 1
            continue
        block = header_block(lines, anchor, floor, date_first)
        while n + 1 < len(anchors) and anchors[n + 1] < block.end:
            n += 1
        records.append(read_header(lines, block, records, date_first))
        floor = block.end
        n += 1
    return records


def find_records(lines: list[Line]) -> list[Record]:
    """The comment records of a comment section's classified lines, in page order."""
    for layout in LAYOUTS:
        if layout.mark:
            layout.mark(lines)
    lines, anchors = _section(lines)
    seen = {layout.name for layout in LAYOUTS if layout.detect and layout.detect(lines, anchors)}
    records = _header_records(lines, anchors, DATE_ABOVE_NAME in seen)
    for layout in LAYOUTS:
        if layout.lead:
            layout.lead(lines, records)
    set_bodies(records, lines)
    for layout in LAYOUTS:
        if layout.extra:
            layout.extra(lines, records)
    for layout in LAYOUTS:
        if layout.finish:
            for record in records:
                layout.finish(record)
    records[:] = _without_empty(records)
    if records:
        _cut_last(records, lines)
    return records


def _without_empty(records: list[Record]) -> list[Record]:
    """Records with an author or text; an empty one's date (printed after a comment's text)
    goes to the comment before it."""
    kept: list[Record] = []
    for record in records:
        if record.author is None and not record.inline and not record.text().strip():
            if kept and kept[-1].when is None:
                kept[-1].when = record.when
            continue
        kept.append(record)
    return kept


def _closed_by_furniture(records: list[Record], lines: list[Line]) -> bool:
    """Whether most records start after furniture (their predecessor's buttons)."""
    closed = sum(
        1
        for r in records[1:]
        if r.start > 0 and Kind.FURNITURE in (lines[r.start - 1].kind, lines[r.start].kind)
    )
    return closed >= max(1, (len(records) - 1) // 2)


def _cut_last(records: list[Record], lines: list[Line]) -> None:
    """The last comment ends where the page's furniture or footer starts."""
    last = records[-1]
    if last.signed or last.body_end is not None:
        return
    stop = len(lines)
    seen_text = False
    closed_by_furniture = _closed_by_furniture(records, lines)
    repeated: dict[str, int] = {}
    for line in lines:
        if line.kind == Kind.FURNITURE:
            shape = _NUMBERS.sub("#", line.text)
            repeated[shape] = repeated.get(shape, 0) + 1
    for j in range(last.end, len(lines)):
        line = lines[j]
        if _END.match(line.text) and (seen_text or last.inline):
            stop = j
            break
        if (
            line.kind == Kind.FURNITURE
            and (seen_text or last.inline)
            and (closed_by_furniture or repeated[_NUMBERS.sub("#", line.text)] >= 2)
        ):
            stop = j
            break
        if seen_text and _navigation(line.text):
            stop = j  # "Guidelines | FAQ | Lists | API": the site's footer links
            break
        if line.kind != Kind.FURNITURE:
            seen_text = True
    last.body = body_of(lines[last.end : stop])
    trailing_date(last)
    footer = stop < len(lines) and _END.match(lines[stop].text) is not None
    if not last.inline and (
        not last.body or (footer and all(line.kind == Kind.NAME for line in last.body))
    ):
        records.pop()  # the page's footer after the last comment's date, not a comment


def _navigation(text: str) -> bool:
    pieces = [p.strip() for p in re.split(r"\s[|•·]\s", text)]
    return len(pieces) >= 4 and all(0 < len(p.split()) <= 4 for p in pieces)
