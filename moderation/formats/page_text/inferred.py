"""A page dump read by inferring its comment layout from the page itself (records.py), with the
comment section's header and declared count read in several languages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from moderation.comments import Comment, Thread
from moderation.formats.page_text.article import article_parts
from moderation.formats.page_text.dating import DateReader, month_names
from moderation.formats.page_text.lines import (
    Kind,
    Line,
    classify,
    clean_name,
    furniture,
    name_like,
)
from moderation.formats.page_text.records import Record, find_records, nest
from moderation.formats.page_text.scripts import cjk_sentence, has_cjk, word_count
from moderation.formats.page_text.shapes import LABELLED_META, find_comment_section

_NUMBER_WORDS = {
    "no": 0, "zero": 0, "keine": 0, "aucun": 0, "aucune": 0, "ningún": 0, "nessun": 0,
    "geen": 0, "one": 1, "une": 1, "un": 1, "una": 1, "uno": 1, "ein": 1, "eine": 1, "een": 1,
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10,
}  # fmt: skip
_COUNTED = (
    r"comments?|responses?|thoughts?|replies|réponses?|commentaires?|comentarios?|respuestas?|"
    r"gedanken|kommentare?|reacties?|reactie|pensieri|commenti|risposte|reactions?|opinions?|"
    r"réactions?|reaktionen|reacciones|reações|kommentarer|komentarz[ey]?|comentários?|antworten"
)
_COUNT = r"\d[\d,.]*|" + "|".join(_NUMBER_WORDS)
_COUNT_LINE = re.compile(
    r"^(?:(?:all|there are|es gibt|il y a|hay|se han publicado|ci sono|er zijn|há)\s+)?"
    rf"(?P<n>{_COUNT})\s+(?P<word>{_COUNTED}|answers?)"
    r"(?:\s*:|\s+yet\.?|\s+so far\.?)?"
    r"(?:\s+(?:on|to|zu|à|su|op|sobre|for|about|in|sur|auf)\s+(?P<title>.{1,200}))?\s*$",
    re.I,
)
_COUNT_PAREN = re.compile(
    rf"^(?:readers'?\s+|reader\s+|user\s+|all\s+|bisherige\s+|alle\s+|tous les\s+|los\s+)?"
    rf"(?:{_COUNTED})(?:\s+(?:zur|zum|zu|on|to|sur|a|al|for)\s+\S+(?:\s+\S+)?)?"
    r"\s*\((?P<n>\d[\d,]*)\)\s*:?$",
    re.I,
)
_CLOSED = re.compile(r"\bcomments off on\b", re.I)  # WordPress, where comments are switched off
_COUNT_AFTER_SEPARATOR = re.compile(rf"[|·•]\s*(?P<n>\d[\d,]*)\s+(?:{_COUNTED})\s*$", re.I)
_NO_COMMENTS = re.compile(r"(?<![\w-])no comments:$", re.I)
# Counts in scripts without spaces: コメント 3件, コメント（3）, 댓글 3개, 评论（3）, 3条评论.
_CJK_COUNTED = r"コメント|댓글|评论|評論|留言|回复|回覆"
_CJK_COUNT = re.compile(
    rf"^(?:全部|全て|전체\s*)?(?:{_CJK_COUNTED})\s*[（(]?\s*(?P<n>\d[\d,]*)\s*(?:件|개|条|條)?\s*[)）]?$"
    rf"|^(?P<m>\d[\d,]*)\s*(?:件の|개의\s*|条|條)(?:{_CJK_COUNTED})$"
)
_CJK_BYLINE = re.compile(
    r"^(?P<name>\S{1,10}(?:\s\S{1,10})?)\s*(?:記者|기자|记者|記者|특파원|編集委員|論説委員)$"
)
_LYNX_REF = re.compile(r"\[\d{1,5}\]")
_CAMEL = re.compile(r"[a-zß-ÿ][A-ZÀ-Þ][a-zß-ÿ]{2,}\.?\s+\d")  # "IwonaMay 30": may hold a glued date
# two links side by side ("[25]Ruby[26]21:00"): a name and its date, not one word
_LYNX_REF_GLUED = re.compile(r"(?<=[^\W\d_])\[\d{1,5}\](?=[A-ZÀ-ÖØ-Þ0-9])")


def prepare(text: str) -> list[str]:
    """The page's lines: lynx's reference list cut off, its link numbers dropped, tabs at 8."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for i in range(len(lines) - 1, 0, -1):
        if lines[i].strip() == "References" and i + 1 < len(lines):
            following = next((s for s in lines[i + 1 : i + 4] if s.strip()), "")
            if re.match(r"^\s*(?:\d+\.|\*)\s+\S+:", following):
                lines = lines[:i]
            break
    lines = [_LYNX_REF.sub("", _LYNX_REF_GLUED.sub(" ", line)) for line in lines]
    glued = _glued_month()
    return [
        (glued.sub(" ", line) if len(line) <= 120 and _CAMEL.search(line) else line)
        .expandtabs(8)
        .rstrip()
        for line in lines
    ]


@cache
def _glued_month() -> re.Pattern[str]:
    """A name glued to the date after it ("IwonaMay 30, 2019 at 1:06 PM", a browser's copy of
    Blogger): where to put the space back (a capitalised month name, a day after it)."""
    names = "|".join(sorted((m.capitalize() for m in month_names() if m.isalpha()), key=len)[::-1])
    return re.compile(rf"(?<=[a-zß-ÿ])(?=(?:{names})\.?\s+\d)")


def _count(raw: str) -> int | None:
    raw = raw.lower().replace(",", "").replace(".", "")
    if raw in _NUMBER_WORDS:
        return _NUMBER_WORDS[raw]
    return int(raw) if raw.isdigit() else None


def declared(lines: list[str]) -> tuple[int, int | None, str | None, bool] | None:
    """``(line index, declared count, title, opens the section)`` of the first line stating
    the number of comments, or None. A bare "12 Responses" or "5 Reactions" (Disqus' reactions
    widget) counts only where nothing else states a count."""
    weak = None
    for found in _counts(lines):
        if found[4]:
            return found[0], found[1], found[2], found[3]
        weak = weak or found[:4]
    return weak


_FORM_HEADING = re.compile(
    r"^(?:leave a (?:reply|comment|response)|join the discussion|add a comment|write a comment|"
    r"hinterlasse einen kommentar|schreibe einen kommentar|kommentar schreiben|"
    r"laisser un commentaire|laissez un commentaire|deja un comentario|deja una respuesta|"
    r"lascia un commento|deixe um comentário|deixe uma resposta)\b",
    re.I,
)


def _counts(lines: list[str]) -> Iterator[tuple[int, int | None, str | None, bool, bool]]:
    for i, line in enumerate(lines):
        text = line.strip()
        if not text or len(text) > 300:
            continue
        if text.isdigit() and len(text) <= 6:  # "112" over the comment form (wpDiscuz)
            following = next((t.strip() for t in lines[i + 1 : i + 3] if t.strip()), "")
            if _FORM_HEADING.match(following):
                yield i, int(text), None, True, True
            continue
        m = _COUNT_LINE.match(text)
        if m:
            title = m["title"]
            if title:
                title = title.strip().strip(":").strip("\"'“”„«»‘’ ").strip()
            word = m["word"].lower()
            is_answers = word.startswith("answer")
            bare = word.startswith(("response", "reaction", "antworten")) and not title
            yield i, _count(m["n"]), title or None, not is_answers, not bare
            continue
        m = _COUNT_PAREN.match(text) or _COUNT_AFTER_SEPARATOR.search(text)
        if m:
            yield i, _count(m["n"]), None, True, True
            continue
        m = _NO_COMMENTS.search(text)
        if m:  # Blogger's post footer: "Posted by X at 9:41 AM No comments:"
            yield i, 0, None, True, True
            continue
        m = _CJK_COUNT.match(text) if len(text) <= 30 else None
        if m:
            yield i, _count(m["n"] or m["m"]), None, True, True


_NAVIGATION = re.compile(r"\s[|»›/>•·]\s|\s→\s|\S\s{2,}\S|^(?:home|skip to)\b", re.I)
_BYLINE = re.compile(
    r"^(?:(?:posted|written|published|submitted|asked|started|\d+\s+points?)\b.*?\s)?"
    r"(?:by|von|par|por|da|door|via)\s+(?P<name>[^|·•,]{2,60}?)"
    r"(?:(?:\s*(?:[|·•,]|\bon\b|\bat\b|$)|\s+\d).*)?$",
    re.I,
)
_BYLINE_INSIDE = re.compile(r"[·|•,]\s*by\s+(?P<name>[^|·•,]{2,60}?)\s*$", re.I)
_BYLINE_AFTER = re.compile(
    r"^(?:submitted|posted|publicada?|publié|pubblicato|geplaatst|veröffentlicht|asked)\b.*?"
    r"\s(?:by|por|par|da|door|von)\s+(?P<name>[^|·•,]{2,60}?)\s*$",
    re.I,
)


def _byline_name(text: str) -> str | None:
    """The name in a byline ("By X", "Posted by X at 9:41 AM", "... · by X"), or None."""
    text = text.lstrip("•·*-–— ")
    if len(text) > 160:
        return None
    cjk = _CJK_BYLINE.match(text)
    if cjk:  # 山田花子 記者, 김민지 기자
        return cjk["name"]
    for pattern in (_BYLINE_AFTER, _BYLINE, _BYLINE_INSIDE):
        m = pattern.match(text) if pattern is not _BYLINE_INSIDE else pattern.search(text)
        if m and name_like(clean_name(m["name"])):
            return clean_name(m["name"])
    return None


def _paragraph(text: str) -> bool:
    if has_cjk(text) and cjk_sentence(text) and len(text) >= 30:
        return True
    return len(text) > 150 or (len(text.split()) >= 12 and text[-1:] in '.!?"”')


def _long(text: str) -> bool:
    """A line long enough to be an article's paragraph (fewer characters in CJK scripts)."""
    return len(text) > 150 or (len(text) >= 40 and cjk_sentence(text))


def _meta(text: str, reader: DateReader) -> bool:
    text = text.lstrip("•·*-–— ")
    if len(text) > 160:
        return False
    return bool(
        _BYLINE.match(text)
        or _BYLINE_AFTER.match(text)
        or _CJK_BYLINE.match(text)
        or reader.find(text)
    )


def headline(lines: list[str], reader: DateReader) -> tuple[str | None, str | None]:
    """``(title, author)`` of the article from the lines above its text: the title is the top
    of the run of longer lines just above the byline or date nearest the article's first
    paragraph (a subtitle may stand between); navigation, site names and bylines are passed."""
    texts = [line.strip().lstrip("▲△⬆ ").strip() for line in lines]  # HN's vote arrow
    first_paragraph = next((i for i, t in enumerate(texts) if _long(t)), None)
    if first_paragraph is None:  # short articles: the first sentence after a date or byline
        dated = next((i for i, t in enumerate(texts) if t and _meta(t, reader)), 0)
        first_paragraph = next(
            (i for i, t in enumerate(texts) if i > dated and _paragraph(t)), len(texts)
        )
    metas = [i for i in range(first_paragraph) if texts[i] and _meta(texts[i], reader)]
    author = None
    for i in metas:
        author = _byline_name(texts[i])
        if author:
            break
    if author is None:  # "Posted by X at 9:41 AM" under the article
        for t in texts:
            author = _byline_name(t) if len(t) <= 100 else None
            if author:
                break
    if author is None:  # a name a line or two above the date (furniture between)
        for i in metas:
            j, steps = i - 1, 0
            while j >= 0 and steps < 4:
                t = texts[j]
                if t and not (furniture(t) or _meta(t, reader) or not any(c.isalpha() for c in t)):
                    steps += 1
                    if name_like(t) and len(t.split()) <= 4:
                        author = clean_name(t)
                        break
                j -= 1
            if author:
                break
    below = metas[-1] if metas else first_paragraph
    run: list[int] = []
    for i in range(below - 1, max(-1, below - 14), -1):
        t = texts[i]
        if not any(ch.isalpha() for ch in t):
            continue
        words = word_count(t)
        if _meta(t, reader) or furniture(t) or LABELLED_META.match(t.lstrip("•·*-–— ")):
            if run:
                break
            continue
        if _NAVIGATION.search(t):
            if run:
                break
            continue
        if words < 3 or (words <= 3 and name_like(t)) or t.endswith(("…", "...")):
            if run:
                break
            continue
        run.append(i)
        if len(run) == 2:  # a headline and its subtitle
            break
    for i in range(below + 1, first_paragraph):  # a title under its date (Blogger)
        t = texts[i]
        following = next((u for u in texts[i + 1 :] if u), "")
        if word_count(t) >= 4 and not (
            _meta(t, reader)
            or furniture(t)
            or _NAVIGATION.search(t)
            or len(t) > 100
            or following[:1].islower()  # a paragraph's first wrapped line
            or t[-1] in ".:;,"
        ):
            if not (len(t.split()) <= 3 and name_like(t)) and metas and i > metas[-1]:
                run = [i]
            break
    top = next((i for i, t in enumerate(texts) if t), None)
    if len(run) > 1 and run[-1] == top:
        run.pop()  # the first line of the page is the site's name
    if not run:
        return None, author
    title = texts[run[-1]]
    title = re.sub(r"\s+\((?:self\.)?[\w.-]+\.?\w*\)$", "", title)  # HN and Reddit: "(domain)"
    return title, author


def dateline(lines: list[str], reader: DateReader) -> str | None:
    """The first date with a year above the article's first paragraph, or None."""
    for line in lines[:200]:
        text = line.strip()
        if _long(text):
            return None
        if 6 <= len(text) <= 120:
            found = reader.find(text)
            if found is not None and found.iso is not None:
                return found.iso
    return None


def parse_inferred(text: str, thread_id: str) -> tuple[Thread, list[str]]:
    """The thread of one page dump read by its inferred layout, and warnings about it."""
    lines = prepare(text)
    thread = Thread(id=thread_id)
    warnings: list[str] = []
    reader = DateReader()
    header = _section_start(lines, reader)
    if header is not None and header[3] and _article_follows(lines, header[0] + 1, reader):
        header = _last_heading(lines, header, reader)  # that was a link to the comments
    opens = header is not None and header[3]
    start = header[0] + 1 if opens else 0  # type: ignore[index]
    if header is not None:
        thread.declared_comments = header[1]
        thread.title = header[2]
    if header is None:
        closed = next((j for j, line in enumerate(lines) if _CLOSED.search(line)), None)
        if closed is not None:  # "Comments Off": no comment section, no count either
            header = (closed, None, None, False)
            thread.declared_comments = None
    if header is not None and (header[1] == 0 or (header[1] is None and not header[3])):
        article = [line for j, line in enumerate(lines) if j != header[0]]
        article_parts(article, thread, thread.title is not None)
        title, author = headline(lines[: header[0] + 1], reader)
        thread.title = (title if header[2] is None else None) or thread.title
        thread.author = author or thread.author
        return thread, warnings
    classified = classify(lines, start, len(lines), reader)
    for line in classified:
        if header is not None and line.index == header[0]:
            line.kind = Kind.FURNITURE  # "3 Answers": the count, not a name
    records = find_records(classified)
    # no comment header: a forum's first post is the article, unless the article's text stands
    # above the first record (a blog whose notes or replies follow it without a header)
    article_above = bool(records) and any(
        _long(text.strip()) for text in lines[: classified[records[0].start].index]
    )
    forum = not opens and len(records) >= 2 and not article_above
    listed = not opens and len(records) >= 2 and article_above
    zone_end = header[0] if header else len(lines)
    if listed:
        zone_end = classified[records[0].start].index
    first = None
    if forum:
        first = records.pop(0)
        zone_end = classified[first.start].index
    article_parts(lines[:zone_end], thread, title_known=thread.title is not None)
    thread.published = thread.published or dateline(lines[:zone_end], reader)
    title, author = headline(lines[: zone_end + (1 if opens else 0)], reader)
    if title and (header is None or header[2] is None):
        thread.title = title
    if thread.author:
        thread.author = re.split(r"\s*[,|·•]\s", thread.author)[0].strip()
    thread.author = author or thread.author
    if forum:
        thread.author = first.author or thread.author  # type: ignore[union-attr]
        thread.published = thread.published or first.when  # type: ignore[union-attr]
        thread.article = None  # the opening post is the article, read as a comment below
    elif not opens and not listed:
        records = []
    nest(records, classified, first)
    thread.comments = _comments(thread, records)
    if forum:
        thread.comments.insert(0, opening_post(thread, first))  # type: ignore[arg-type]
    warnings.extend(doubts(records, classified))  # records: after the opening post left
    return thread, warnings


def _section_start(
    lines: list[str], reader: DateReader
) -> tuple[int, int | None, str | None, bool] | None:
    """The line that states the comment count, else a plain comment heading ("Comments",
    "Kommentare:", "Vos réactions") that a comment or a date soon follows."""
    header = declared(lines)
    if header is None:
        weak = find_comment_section(lines, True, lambda text: reader.find(text) is not None)
        if weak is not None:
            header = (weak[0], weak[1], weak[2], True)
    return header


def _last_heading(
    lines: list[str], first: tuple[int, int | None, str | None, bool], reader: DateReader
) -> tuple[int, int | None, str | None, bool]:
    """The last comment heading after ``first`` (the count linked at the top of the page,
    and again under the article, then the section itself) that states the same count or none
    (a sidebar's "4 comments" is another post's), with ``first``'s count where it states none."""
    header, at = first, first[0] + 1
    for _ in range(8):
        later = _section_start(lines[at:], reader)
        if later is None:
            break
        if later[3] and later[1] in (None, header[1]):  # another post's count is not this
            count = later[1] if later[1] is not None else header[1]
            header = (at + later[0], count, later[2] or header[2], True)
        at += later[0] + 1
    return header


def _article_follows(lines: list[str], start: int, reader: DateReader) -> bool:
    """Whether the article's paragraphs follow a comment heading (three paragraphs of 200
    characters or more, however wrapped, before any dated header line but the article's own
    dateline just under the heading): the heading is a link to the comments at the top."""
    paragraphs = size = seen = 0
    for line in (*lines[start : start + 400], ""):
        text = line.strip()
        if not text:
            paragraphs += size >= 200
            if paragraphs >= 3:
                return True
            size = 0
            continue
        seen += 1
        size += len(text) + 1
        if seen > 3 and _dated_header(text, reader):
            return False
    return False


def _dated_header(text: str, reader: DateReader) -> bool:
    """A short line with a date that no sentence goes on after or ends at ("Ann, 11 March
    2024"; not "On 6 August 2019, the member was sentenced to ...", nor "... on 1 April.")."""
    if len(text) > 120 or text[-1] in ".!?":
        return False
    found = reader.find(text)
    return (
        found is not None
        and len(text[found.end :].split()) < 4
        and len(text[: found.start].split()) <= 5
    )


def doubts(records: list[Record], lines: list[Line]) -> list[str]:
    """Warnings for comments whose reading is unsure: no author found, or a line inside the
    text shaped like a comment's header or date, kept in the text rather than cut there."""
    found = []
    for n, record in enumerate(records, 1):
        who = record.author or "no author"
        if record.author is None:
            found.append(f"comment {n}: no author found in its header")
        for line in record.body:
            if line.kind in (Kind.DATE, Kind.HEADER):
                found.append(
                    f"line {line.index + 1}: {line.text[:60]!r} inside comment {n} ({who}) looks"
                    " like a comment header or date; kept as its text"
                )
    return found


def opening_post(thread: Thread, record: Record) -> Comment:
    """A forum thread's first post, as a comment (it is user content, scored and flagged like
    any reply): id ``<thread>/0``, marked ``extra["opening_post"]``."""
    return Comment(
        id=f"{thread.id}/0",
        thread_id=thread.id,
        text=record.text(),
        author=record.author,
        created_at=record.when,
        thread_title=thread.title,
        thread_url=thread.url,
        extra={"opening_post": True},
    )


def _comments(thread: Thread, records: list[Record]) -> list[Comment]:
    comments: list[Comment] = []
    counters: dict[str | None, int] = {}
    for record in records:
        parent = comments[record.parent] if record.parent is not None else None
        key = parent.id if parent else None
        counters[key] = counters.get(key, 0) + 1
        number = counters[key]
        comments.append(
            Comment(
                id=f"{parent.id}.{number}" if parent else f"{thread.id}/{number}",
                thread_id=thread.id,
                text=record.text(),
                parent_id=parent.id if parent else None,
                depth=record.depth,
                author=record.author,
                created_at=record.when,
                thread_title=thread.title,
                thread_url=thread.url,
            )
        )
    return comments
