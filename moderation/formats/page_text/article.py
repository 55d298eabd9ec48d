"""The article part of a page dump: title, byline, date, URL and body text."""

from __future__ import annotations

import re

from moderation.comments import Thread
from moderation.formats.dates import find_date
from moderation.formats.page_text.scripts import cjk_sentence
from moderation.formats.page_text.shapes import (
    BULLET,
    BYLINE,
    CHROME,
    DATED_BYLINE,
    LABELLED_META,
    NAME_CUT,
    URL,
    bare_name,
    clean_name,
    date_line,
    plausible_name,
    section_header,
)


def _is_paragraph(text: str) -> bool:
    """Where an article's body starts: a long line, or a whole sentence."""
    if len(text) >= 30 and cjk_sentence(text):
        return True
    return len(text) > 150 or (len(text.split()) >= 10 and text[-1:] in '."”')


def _title_case(text: str) -> bool:
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", text)]
    long_words = [w for w in words if len(w) > 3] or words
    return (
        bool(words)
        and words[0][0].isupper()
        and sum(w[0].isupper() for w in long_words) >= 0.6 * len(long_words)
    )


def _choose_title(
    lines: list[str], zone: list[int], meta: set[int]
) -> tuple[int | None, str | None]:
    """``(line index of the title, author name)`` among the short lines at the top of a page.

    Pages start with the site's name and menus, then the title, a subtitle, a byline and a
    date in some order. The title is scored: Title Case, at least three words, close to the
    first date or byline, just before the first paragraph. A bare name just above a date line
    is the author, not the title."""
    texts = {i: lines[i].strip() for i in zone}
    first_meta = min(meta) if meta else None
    author = None
    candidates = []
    plain = [i for i in zone if not CHROME.match(texts[i])]
    for position, i in enumerate(plain):
        text = texts[i]
        if i in meta or section_header(text) or len(text.split()) > 25 or text[-1] in ".:,;":
            continue
        after = plain[position + 1] if position + 1 < len(plain) else None
        if (
            bare_name(text)
            and after is not None
            and date_line(texts[after]) is not None
            and len(text.split()) <= 4
        ):
            author = author or clean_name(text)
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


def article_parts(lines: list[str], thread: Thread, title_known: bool) -> None:
    """Title, date, byline and URL from the top of the page; the rest is the article text."""
    zone_end = next((i for i, line in enumerate(lines) if _is_paragraph(line.strip())), len(lines))
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
        if (
            i < zone_end
            and text
            and (
                i in meta
                or (title_at is not None and i <= title_at)
                or (title_known and text == thread.title)
                or (thread.author and clean_name(text) == thread.author)
            )
        ):
            continue
        body.append(text)
    article = re.sub(r"\n{3,}", "\n\n", "\n".join(body)).strip()
    thread.article = article or None


def _read_meta(text: str, thread: Thread) -> bool:
    """Fill the thread from a date line, byline, ``Source:`` line or URL; True if it was one."""
    bullet = BULLET.match(text)
    core = bullet["rest"] if bullet else text
    if len(core) > 150:
        return False
    m = DATED_BYLINE.match(core)
    if m and find_date(m["date"]) and plausible_name(m["name"]):
        thread.author = thread.author or m["name"].strip()
        thread.published = thread.published or find_date(m["date"])[0]  # type: ignore[index]
        return True
    m = BYLINE.match(core)
    if m:
        name = NAME_CUT.sub("", m["name"]).strip()
        if plausible_name(name):
            thread.author = thread.author or name
            found = find_date(m["name"])
            thread.published = thread.published or (found[0] if found else None)
            return True
    m = LABELLED_META.match(core)
    if m and (len(core) < 80 or URL.search(m["value"])):
        url = URL.search(m["value"])
        thread.url = thread.url or (url.group() if url else None)
        found = find_date(m["value"])
        thread.published = thread.published or (found[0] if found else None)
        return True
    date = date_line(core)
    if date:
        thread.published = thread.published or date
        return True
    if URL.fullmatch(core):
        thread.url = thread.url or core
        return True
    return False
