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

from collections.abc import Iterator

from moderation.comments import Comment, Thread
from moderation.formats.page_text.article import article_parts
from moderation.formats.page_text.inferred import parse_inferred
from moderation.formats.page_text.section import CommentSection
from moderation.formats.page_text.shapes import (
    FOOTER,
    LYNX_REF,
    find_comment_section,
    header_at,
    marker_like,
    section_header,
)
from moderation.formats.source import ExportFormat, ReadOptions, Source


def parse_page(text: str, thread_id: str) -> Thread:
    """The thread of one page dump, with its comments in document order."""
    return read_page(text, thread_id)[0]


def read_page(text: str, thread_id: str) -> tuple[Thread, list[str]]:
    """The thread of one page dump, and warnings about comments the reading is unsure of."""
    inferred, warnings = parse_inferred(text, thread_id)
    if len(text) > KNOWN_SHAPES_UP_TO:
        return inferred, warnings
    known = parse_known_shapes(text, thread_id)
    if _prefer_known(inferred, known):
        return known, []
    return inferred, warnings


KNOWN_SHAPES_UP_TO = 1_000_000
"""Pages larger than this (in characters) are read by their inferred layout alone: the known
shapes are a hint for blog and news pages, which are smaller, and reading them costs about
two seconds a megabyte."""


def _prefer_known(inferred: Thread, known: Thread) -> bool:
    """The known shapes are a hint: their reading is kept where the inferred layout found much
    less, or more comments than the page declares while the known shapes found no more (and
    at least half as many)."""
    found, hinted = replies(inferred), len(known.comments)
    declared = inferred.declared_comments
    if declared is not None and found == declared != hinted:
        return False  # the inferred layout found what the page says it holds
    if declared is not None and found > declared >= hinted > 0 and 2 * hinted >= declared:
        return True  # the known shapes found about the count, the inferred layout too many
    if 2 * found < hinted:
        return True
    return found == hinted and _plausibility(known) > _plausibility(inferred)


def replies(thread: Thread) -> int:
    """The thread's comments but a forum's opening post (which a declared count leaves out)."""
    return sum(1 for c in thread.comments if not c.extra.get("opening_post"))


def _plausibility(thread: Thread) -> float:
    """How much of a comment section a reading found: comments with an author and text, dates,
    less empty comments and comments beyond the count the page declares (fewer can be right:
    pages collapse replies)."""
    score = 0.0
    for comment in thread.comments:
        has_text = bool(comment.text.strip())
        score += (bool(comment.author) and has_text) + 0.5 * bool(comment.created_at)
        score -= 0 if has_text else 3
    if thread.declared_comments is not None:  # more than declared: some are not comments
        score -= 2 * max(0, len(thread.comments) - thread.declared_comments)
    return score


def parse_known_shapes(text: str, thread_id: str) -> Thread:
    """The thread of one page dump read with the known comment shapes only."""
    lines = [
        LYNX_REF.sub("", line).expandtabs(4).rstrip()
        for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    ]
    thread = Thread(id=thread_id)
    section = find_comment_section(lines)
    if section is None:
        article_parts(lines, thread, title_known=False)
        return thread
    start, declared, title = section
    if declared == 0 and section_header(lines[start])[0]:  # type: ignore[index]
        article_parts([line for j, line in enumerate(lines) if j != start], thread, False)
        thread.declared_comments = 0
        return thread
    thread.title = title
    thread.declared_comments = declared
    article_parts(lines[:start], thread, title_known=title is not None)
    end, seen_comment = len(lines), False
    for i in range(start + 1, len(lines)):
        text = lines[i].strip()
        if not text:
            continue
        if seen_comment and FOOTER.match(text):
            end = i
            break
        seen_comment = seen_comment or marker_like(text) or header_at(lines, i, text) is not None
    comments = CommentSection(thread).run(lines[start + 1 : end])
    thread.comments = [c for c in comments if c.text or c.author]
    return thread


def read_page_text(source: Source, options: ReadOptions) -> Iterator[Thread | Comment]:
    thread, warnings = read_page(source.read_text(), source.path.stem)
    report = source.report
    for warning in warnings:
        report.warn(warning)
    found = replies(thread)
    if thread.declared_comments is not None and thread.declared_comments != found:
        report.warn(f"the page says {thread.declared_comments} comments, {found} were found")
    yield thread
    yield from thread.comments


def _sniff(head: str, suffix: str) -> bool:
    return False  # the fallback: a file no other reader claims is read as a page dump


TEXT = ExportFormat(
    "text", "a page saved as text, with its comment section", (".txt",), _sniff, read_page_text
)
