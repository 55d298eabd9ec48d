"""One comment found on a page dump, as the lines that make it up: its header block, its body,
and what the header said (author, date, whom it answers)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from moderation.formats.page_text.lines import Kind, Line

_SIGNATURE = re.compile(r"^(?:_{5,}|-- ?)$")


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


def body_of(lines: list[Line]) -> list[Line]:
    """A comment's lines without furniture and reply cues, and without a signature (the lines
    after a ``_________________`` rule)."""
    body = []
    for line in lines:
        if _SIGNATURE.match(line.text):
            break
        if line.kind not in (Kind.FURNITURE, Kind.REPLY_CUE):
            body.append(line)
    return body


def set_bodies(records: list[Record], lines: list[Line]) -> None:
    """Each record's body: the lines from the end of its header to the next record's start
    (or, for a post whose header follows its text, from its start to ``body_end``)."""
    for r, record in enumerate(records):
        if record.body_end is not None:
            record.body = body_of(lines[record.start : record.body_end])
        else:
            stop = records[r + 1].start if r + 1 < len(records) else len(lines)
            record.body = body_of(lines[record.end : stop])


def trailing_date(record: Record) -> None:
    """A date line closing a comment's text is its date (Blogger prints it there)."""
    if record.body and record.body[-1].kind == Kind.DATE and len(record.body) > 1:
        if record.when is None:
            record.when = record.body[-1].when.iso  # type: ignore[union-attr]
        record.body.pop()
