"""The arrangements of a comment's header, text and date that pages use beyond the common one
(a header block, then the text), each a :class:`Layout` declaration.

The common reading (records.py) finds anchors (dated or named header lines), takes the run of
header-like lines around each as a comment's header block and the lines up to the next block as
its text. A layout that pages arrange otherwise says how, through hooks the reading calls at
fixed points:

* ``mark``: before anchors are found, re-mark lines (a subject line above each header is
  furniture; a name above the text is the header when the post closes with "name, date");
* ``detect``: from the lines and anchors, whether the page is in this layout (the reading of
  header blocks asks, for layouts that change how a block is read);
* ``lead``: after the header blocks, before bodies: records the blocks cannot show (the first
  comment of a page whose dates close the text above the next header);
* ``extra``: after bodies: records of its own (posts whose header follows their text);
* ``finish``: for each record at the end (a date closing the text is the comment's).

A new layout is one more declaration in ``LAYOUTS``, with the hooks it needs.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from moderation.formats.page_text.comment_lines import Record, set_bodies, trailing_date
from moderation.formats.page_text.headers import HANDLE
from moderation.formats.page_text.lines import LIST_ITEM, Kind, Line, clean_name
from moderation.formats.page_text.shapes import FOOTER

_SUBJECT_TAIL = re.compile(r"\(([A-Za-z]+):[^()]{0,40}\)$")


@dataclass(frozen=True)
class Layout:
    """One arrangement pages use, and the hooks that read it (module docstring)."""

    name: str
    looks_like: str  # a sketch of the arrangement, for whoever reads or adds a layout
    mark: Callable[[list[Line]], None] | None = None
    detect: Callable[[list[Line], list[int]], bool] | None = None
    lead: Callable[[list[Line], list[Record]], None] | None = None
    extra: Callable[[list[Line], list[Record]], list[Record]] | None = None
    finish: Callable[[Record], None] | None = None


def _subject_lines(lines: list[Line]) -> None:
    """A line just above most header lines, ending alike ("Re:Price per watt? (Score:2)"):
    the comments' subject lines, part of their headers."""
    tails: dict[str, list[int]] = {}
    headers = 0
    for k, line in enumerate(lines):
        if line.kind == Kind.HEADER and k and lines[k - 1].kind in (Kind.TEXT, Kind.NAME):
            headers += 1
            m = _SUBJECT_TAIL.search(lines[k - 1].text)
            if m:
                tails.setdefault(m[1].lower(), []).append(k - 1)
    for found in tails.values():
        if len(found) >= 2 and 2 * len(found) >= headers:
            for j in found:
                lines[j].kind = Kind.FURNITURE


def _signed_posts(lines: list[Line]) -> None:
    """Posts that start with their author's name and end with "name, date #N" (XenForo 1):
    the name above the text is the header, the closing line its date."""
    for k, line in enumerate(lines):
        if line.kind != Kind.HEADER or not line.name or not k:
            continue
        if lines[k - 1].kind != Kind.TEXT:
            continue
        j = k - 1
        while j > 0 and lines[j].kind in (Kind.TEXT, Kind.DATE) and k - j < 60:
            j -= 1
        while j > 0 and lines[j].kind == Kind.FURNITURE:  # badges under the name
            j -= 1
        if lines[j].kind == Kind.NAME and clean_name(lines[j].text) == line.name:
            top = lines[j]
            top.kind, top.name, top.when = Kind.HEADER, line.name, line.when
            line.kind = Kind.FURNITURE


def _date_above_name(lines: list[Line], anchors: list[int]) -> bool:
    """Whether the page prints each comment's date above its name (vBulletin's "Old 03-14-2024,
    09:12 PM" then the name): its first date line follows text, not names or furniture, and a
    name follows it."""
    first = next(
        (
            k
            for k in anchors
            if lines[k].kind == Kind.DATE and not (lines[k].byline or lines[k].furnished)
        ),
        None,
    )
    if first is None or first + 1 >= len(lines) or lines[first + 1].kind != Kind.NAME:
        return False
    if len(lines[first + 1].text) < 2:
        return False
    return first == 0 or lines[first - 1].kind == Kind.TEXT


def _first_comment_before_dates(lines: list[Line], records: list[Record]) -> None:
    """On a page whose comments end with their date (Livefyre, Facebook), the first comment has
    no header block above it: its name line is the last name followed by text before the first
    block, and the first block's early date is its date."""
    if not records or not records[0].has_earlier_date:
        return
    lead = _leading_record(lines, records[0].start)
    if lead is not None:
        lead.when = records[0].earlier_date
        records.insert(0, lead)


def _leading_record(lines: list[Line], stop: int) -> Record | None:
    for j in range(stop - 1, -1, -1):
        kind = lines[j].kind
        if kind == Kind.FURNITURE or kind == Kind.TEXT:
            continue
        if kind != Kind.NAME:
            return None
        after = j + 1
        while after < stop and lines[after].kind == Kind.FURNITURE:  # a byline ("Works at")
            after += 1
        following = lines[after] if after < stop else None
        if following is not None and following.kind == Kind.TEXT:
            name = j
            while HANDLE.match(lines[name].text) and name > 0 and lines[name - 1].kind == Kind.NAME:
                name -= 1  # the display name above a federated handle
            record = Record(clean_name(lines[name].text), lines[name].indent, name, j + 1)
            record.head = name
            if name != j and HANDLE.match(lines[j].text):
                record.handle = lines[j].text.lower()
            return record
    return None


def _posts_signed_after_text(lines: list[Line], records: list[Record]) -> list[Record]:
    """Posts whose header follows their text ("Share / Follow / answered 4 hours ago / Name"):
    the text is the run of lines above that furniture, back to the last header or post. The
    records are merged in and every body read again."""
    taken: set[int] = set()
    for record in records:
        taken.update(range(record.start, record.end))
    found = []
    for k, line in enumerate(lines):
        if line.kind != Kind.ANSWERED:
            continue
        name = next(
            (j for j in range(k + 1, min(k + 3, len(lines))) if lines[j].kind == Kind.NAME), None
        )
        if name is None:
            continue
        stop = k
        while stop > 0 and (
            lines[stop - 1].kind == Kind.FURNITURE
            or (  # "edited Mar 12, 2022 / Editor's Name": the editor, not the text
                lines[stop - 1].kind == Kind.NAME
                and stop > 1
                and lines[stop - 2].kind == Kind.FURNITURE
                and lines[stop - 2].text.lower().startswith("edited")
            )
        ):
            stop -= 1
        start = stop
        while (
            start > 0 and lines[start - 1].kind in (Kind.TEXT, Kind.NAME) and start - 1 not in taken
        ):
            start -= 1
        if start == stop:
            continue
        record = Record(clean_name(lines[name].text), lines[name].indent, start, start)
        record.head, record.body_end = name, stop
        record.when = line.when.iso if line.when is not None else None
        found.append(record)
    if found:
        records[:] = sorted(records + found, key=lambda r: r.start)
        set_bodies(records, lines)
    return found


def _headers_after_text(lines: list[Line], records: list[Record]) -> list[Record]:
    """Comments whose header follows their text ("text / Ann · 11.03.2024 19:02 / Reply
    Quote / text / Ben · ..."): most header blocks stand right under a text line, with buttons
    (not text) right under the header line. Each record's text is then the run above its
    header, back to the previous header's buttons (records of other shapes, a sidebar's
    list after the comments, are left as they are)."""
    if len(records) < 2 or any(r.body_end is not None or r.inline for r in records):
        return []
    named = [
        r
        for r in records
        if r.author and lines[r.head].kind == Kind.HEADER and lines[r.head].text != r.author
    ]
    if 3 * len(named) < len(records):
        return []  # a signature is a name and a date on one line ("Ann · 11.03.2024")
    under_text = sum(1 for r in named if r.start and lines[r.start - 1].kind == Kind.TEXT)
    under = [_under_head(lines, r) for r in named]
    repeated = Counter(line.text for line in under if line is not None and line.kind == Kind.NAME)
    buttons_under = sum(
        1
        for line in under
        if line is not None
        and (
            line.kind == Kind.FURNITURE
            or 3 * repeated[line.text] >= 2 * len(named)
            or LIST_ITEM.match(line.text)  # the next item's text: this one ended at its header
        )
    )
    if len(named) < 2 or 3 * under_text < 2 * len(named):
        return []
    if 3 * buttons_under < 2 * len(named) and not _text_only_above(lines, named[0], records[-1]):
        return []
    floor = 0
    signed = {id(r) for r in named}
    for record in records:
        if id(record) not in signed:
            floor = record.end
            continue
        top = record.start
        while top > floor and lines[top - 1].kind in (Kind.TEXT, Kind.NAME):
            top -= 1
        while top < record.start and lines[top].kind == Kind.NAME:  # the buttons above
            top += 1
        record.body_end, record.start, floor = record.start, top, record.end
    set_bodies(records, lines)
    return []


def _text_only_above(lines: list[Line], first: Record, last: Record) -> bool:
    """Whether text stands above the first header and none under the last one (before the
    page's footer): every text has its header under it."""
    above = any(line.kind == Kind.TEXT for line in lines[: first.start])
    for line in lines[last.end :]:
        if line.kind == Kind.TEXT:
            return above and FOOTER.match(line.text) is not None
    return above


def _under_head(lines: list[Line], record: Record) -> Line | None:
    """The first line under the header's line and its dates: the buttons, where it is
    furniture or the same name-like line under most headers (buttons in words not known)."""
    j = record.head + 1
    while j < len(lines) and lines[j].kind == Kind.DATE:
        j += 1
    return lines[j] if j < len(lines) else None


def _signed_on_one_line(record: Record) -> None:
    if record.signed:
        record.body = []  # the whole comment stands on its signed line


DATE_ABOVE_NAME = "date above the name"

LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "subject lines",
        "Re: Price per watt? (Score:2) / by Ann on Monday March 11 / text",
        mark=_subject_lines,
    ),
    Layout(
        "signed posts",
        "Ann / text ... / Ann, Mar 11, 2024 #4",
        mark=_signed_posts,
    ),
    Layout(
        DATE_ABOVE_NAME,
        "text of the post above / Old 03-11-2024, 09:12 PM / Ann / text",
        detect=_date_above_name,
    ),
    Layout(
        "date after the text",
        "Ann / text / Like · Reply · March 11, 2024 / Ben / text / Like · Reply · March 12",
        lead=_first_comment_before_dates,
    ),
    Layout(
        "posts signed after their text",
        "text / Share Follow / answered Mar 11, 2024 / Ann",
        extra=_posts_signed_after_text,
    ),
    Layout(
        "headers after the text",
        "text / Ann · 11.03.2024 19:02 / Reply Quote / text / Ben · 12.03.2024 08:30",
        extra=_headers_after_text,
    ),
    Layout(
        "comments signed on their line",
        "text of the comment – Ann Mar 11, 2024 at 9:41",
        finish=_signed_on_one_line,
    ),
    Layout(
        "date closing the text",
        "Ann / text / March 11, 2024 at 9:41 PM",
        finish=trailing_date,
    ),
)
