"""Dates and times as comment sections print them, in several languages, read with dateparser.

A page prints one date format for all its comments, so the work is done once per *shape* of date
(the text with its digits hidden): dateparser reads the first date of a shape, the positions of
its numbers are matched to the fields it found (day, month, year, hour, minute), and later dates
of the same shape are read from those positions. Time stays linear in the page size.

Only dates with a year become a time: a relative date ("2 hours ago", "vor 4 Tagen",
"Yesterday at 6:15 PM") or one without a year ("Mar 3") is recognised as a date, so that it can
mark a comment's header, but gives no time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from moderation.formats.page_text.scripts import has_cjk

LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "da")


@dataclass(frozen=True)
class When:
    """A date found in a line: its ISO form (None when relative or without a year) and span."""

    iso: str | None
    start: int
    end: int
    relative: bool = False


def month_names() -> frozenset[str]:
    """The month names (lower case, abbreviations too) of the languages read."""
    return frozenset(_vocabulary()[0])


@cache
def _vocabulary() -> tuple[dict[str, int], frozenset[str]]:
    """Month names (to their number) and weekday names of the languages read, from dateparser."""
    from dateparser.languages.loader import LocaleDataLoader

    months: dict[str, int] = {}
    weekdays: set[str] = set()
    names = (
        "january february march april may june july august september october november december"
    ).split()
    days = "monday tuesday wednesday thursday friday saturday sunday".split()
    loader = LocaleDataLoader()
    for code in LANGUAGES:
        info = loader.get_locale(code).info
        for number, key in enumerate(names, 1):
            for word in info.get(key, []):
                word = word.lower().rstrip(".")
                if len(word) >= 3 and word.isalpha():
                    months.setdefault(word, number)
        for key in days:
            for word in info.get(key, []):
                word = word.lower().rstrip(".")
                if len(word) >= 3 and word.isalpha():
                    weekdays.add(word)
    months["sept"] = 9
    return months, frozenset(weekdays)


# Words that may stand between the parts of a date or a time ("12 de marzo de 2024 a las
# 9:41", "12. März 2024 um 09:41 Uhr", "12 mars 2024 à 9 h 41 min", "Mar 14th, 2024 @09:41AM").
_GLUE = frozenset(
    "at on the of de del a las alle om um uhr à h min le el la den der am pm a.m p.m".split()
)
_TOKEN = re.compile(r"\d+(?:st|nd|rd|th|h|am|pm)?|[^\W\d_]+\.?|[:/.,@\-]")
_TIME = re.compile(r"\d{1,2}\s*(?::|h\s*)\s*\d{2}")
_YEAR4 = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_NUMERIC_DATE = re.compile(
    r"(?<!\d)(?:\d{1,2}[-/.]\d{1,2}(?:[-/.]|\.?,\s?(?=\d{4}))(?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2})"
    r"(?!\d)"  # 17.07.2011, 07/17/11, 17.07, 2011 (an old WordPress theme), 2011-07-17
)
_COMMA_YEAR = re.compile(r"(?<!\d)(\d{1,2})\.(\d{1,2})\.?,\s?(\d{4})(?!\d)")
_AGO = r"ago|geleden|atrás|fa|(?:\(edited\))"  # after the quantity
_BEFORE = r"vor|il y a|hace|há|fa"  # before it
_UNIT = (
    r"s|sec|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?|mo|months?|"
    r"y|yrs?|years?|sekunden?|minuten?|stunden?|tagen?|wochen?|monaten?|jahren?|"
    r"secondes?|heures?|jours?|semaines?|mois|ans?|années?|segundos?|minutos?|horas?|días?|"
    r"dias?|semanas?|meses|mes|años?|anos?|secondi|minuti|ore|ora|giorni|giorno|settimane?|"
    r"mesi|mese|anni|anno|seconden|minuten|uur|uren|dagen|dag|weken|week|maanden|maand|jaar"
)
_WORD_QUANTITY = r"an?|one|un|une|uno|una|ein|eine|einem|einer|een"
_QUANTITY = rf"(?:\d+|{_WORD_QUANTITY})"
RELATIVE = re.compile(
    rf"(?<![\w@])(?:(?:\d{{1,3}}\s*|(?:{_WORD_QUANTITY})\s+)(?:{_UNIT})\.?(?:\s+(?:{_AGO}))?"
    rf"|(?:{_BEFORE})\s+{_QUANTITY}\s+(?:{_UNIT})"
    r"|(?:yesterday|today|gestern|heute|hier|aujourd'hui|ayer|hoy|ieri|oggi|gisteren|vandaag"
    r"|just now|gerade eben|à l'instant)(?:,?\s*(?:at|um|à|a las|alle|om)?\s*"
    r"\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?)?)(?![\w])",
    re.I,
)
_DIGIT = re.compile(r"\d")
_ANY_DIGIT = re.compile(r"\d")
_LETTERS = re.compile(r"[^\W\d_]+")
_RELATIVE_WORDS = frozenset(
    """s sec secs second seconds m min mins minute minutes h hr hrs hour hours d day days w wk
    wks week weeks mo month months y yr yrs year years sekunde sekunden minuten stunde stunden
    tag tagen woche wochen monat monaten jahr jahren seconde secondes heure heures jour jours
    semaine semaines mois an ans année années segundo segundos minuto minutos hora horas día
    días dia dias semana semanas meses mes año años ano anos secondi minuti ore ora giorni
    giorno settimana settimane mesi mese anni anno seconden uur uren dagen dag weken week
    maanden maand jaar yesterday today gestern heute hier aujourd'hui ayer hoy ieri oggi
    gisteren vandaag now eben instant aujourd ago""".split()
)
_RELATIVE_NEEDS_AGO = re.compile(rf"^{_QUANTITY}\s*(?:{_UNIT})\.?$", re.I)

# Dates that give their fields in order, year first: 2024-03-11, 2024/03/11, Korean 2024.03.11.
# and 2024. 3. 11., with a time after them (19:02, 오후 7:02).
_YEAR_FIRST = re.compile(
    r"(?<![\d.])(?P<y>(?:19|20)\d\d)(?P<sep>[/.])\s?(?P<m>\d{1,2})(?P=sep)\s?(?P<d>\d{1,2})\.?"
    r"(?:\s*[(（][^()（）]{1,4}[)）])?"
    r"(?:\s*(?P<ap>오전|오후|午前|午後|上午|下午)?\s*(?P<H>\d{1,2}):(?P<M>\d{2})"
    r"(?:\s*(?P<ap2>[ap]\.?m\b\.?))?)?"
    r"(?![\d/])",
    re.I,
)
# Dates in CJK characters: 2024年3月11日 19:02, 2024년 3월 11일 오후 7:02, 3月11日(月) 19時02分.
_CJK_DATE = re.compile(
    r"(?:(?P<y>(?:19|20)\d\d)\s*[年년]\s*)?(?P<m>\d{1,2})\s*[月월]\s*(?P<d>\d{1,2})\s*[日일]"
    r"(?:\s*[(（][^()（）]{1,4}[)）])?"
    r"(?:\s*(?P<ap>오전|오후|午前|午後|上午|下午)?\s*(?P<H>\d{1,2})\s*(?::|：|時|时|시)\s*"
    r"(?P<M>\d{1,2})\s*(?:分|분)?)?"
)
# Relative times: 3時間前, 3小时前, 3시간 전, 昨日, 어제.
_CJK_RELATIVE = re.compile(
    r"(?:\d+|[一二三四五六七八九十两兩几幾半]+)\s*(?:秒|分钟|分鐘|分|時間|小时|小時|个小时|個小時|日|天|"
    r"週間|周|週|か月|ヶ月|カ月|个月|個月|年)\s*前"
    r"|\d+\s*(?:초|분|시간|일|주|개월|달|년)\s*전"
    r"|昨日|昨天|今日|今天|前天|一昨日|刚刚|剛剛|たった今|방금|어제|오늘|그저께"
)
_LATER_HALF = ("오후", "午後", "下午", "pm", "p.m", "p.m.")


@cache
def _parser() -> Any:  # dateparser's DateDataParser (dateparser has no type information)
    """dateparser's reader for the languages read (built once: loading it takes a second)."""
    from dateparser.date import DateDataParser

    return DateDataParser(
        languages=list(LANGUAGES),
        settings={
            "RETURN_AS_TIMEZONE_AWARE": False,
            "PREFER_DAY_OF_MONTH": "first",
            "DATE_ORDER": "DMY",  # 03/05/2019 is 3 May; 03-14-2024 still reads
            "REQUIRE_PARTS": ["day", "month", "year"],
        },
    )


class DateReader:
    """Finds and reads the dates of one page; remembers each date shape it has learnt."""

    def __init__(self) -> None:
        self._shapes: dict[str, tuple[str, ...] | None] = {}
        self._seen: dict[str, str | None] = {}
        self._spans: dict[str, tuple[int, int] | None] = {}

    def _dateparser(self, text: str) -> datetime | None:
        try:
            found: datetime | None = _parser().get_date_data(text).date_obj
            return found
        except (ValueError, OverflowError, TypeError, AttributeError):
            return None

    def find(self, text: str) -> When | None:
        """The first date (absolute or relative) in a short line, or None."""
        if len(text) > 200:
            return None
        ordered = self._year_first(text)
        if ordered is not None:
            return ordered
        words = set(_LETTERS.findall(text.lower()))
        relative = bool(words & _RELATIVE_WORDS)
        if _DIGIT.search(text) is None:
            if not relative:
                return None
            m = RELATIVE.search(text)
            return When(None, m.start(), m.end(), True) if m else None
        months, _ = _vocabulary()
        month = any(w in months or (w[:3] in months and len(w) <= 4) for w in words)
        if not month and not relative and _NUMERIC_DATE.search(text) is None:
            return None
        span = self._absolute_span(text, month)
        if span is not None:
            start, end = span
            iso = self.read(text[start:end])
            if iso is not None or not RELATIVE.search(text):
                return When(iso, start, end)
        m = RELATIVE.search(text)
        if m and not (_RELATIVE_NEEDS_AGO.match(m.group()) and len(text.split()) > 6):
            return When(None, m.start(), m.end(), True)
        return When(None, *span) if span is not None else None

    @staticmethod
    def _year_first(text: str) -> When | None:
        """A date whose fields stand in order, year first, or in CJK characters; a relative
        time in CJK characters. Read by pattern (there is nothing to guess), None otherwise."""
        if not has_cjk(text) and _DIGIT.search(text) is None:
            return None
        m = _YEAR_FIRST.search(text)
        if m is None and has_cjk(text):
            m = _CJK_DATE.search(text)
            if m is None:
                rel = _CJK_RELATIVE.search(text)
                return When(None, rel.start(), rel.end(), True) if rel else None
        if m is None:
            return None
        return When(_iso(m), m.start(), m.end())

    def _absolute_span(self, text: str, month: bool) -> tuple[int, int] | None:
        """Where a run of date tokens (numbers, month and weekday names, glue words) with a
        month or a numeric date in it stands, or None. Lines of one shape (their digits
        aside) have their date at the same place, so the place is found once per shape."""
        shape = _ANY_DIGIT.sub("0", text)
        if shape in self._spans:
            return self._spans[shape]
        if month:
            span = self._scan(text)
        else:
            span = self._numeric(text)
        if len(self._spans) < 100_000:
            self._spans[shape] = span
        return span

    def _numeric(self, text: str) -> tuple[int, int] | None:
        m = _NUMERIC_DATE.search(text)
        if not m:
            return None
        best = (m.start(), m.end())
        after = _TIME.search(text, m.end(), min(len(text), m.end() + 12))
        if after:
            tail = re.match(r"\s*(?:[ap]\.?m\.?)", text[after.end() :], re.I)
            best = (m.start(), after.end() + (tail.end() if tail else 0))
        return self._trim(text, *best)

    def _scan(self, text: str) -> tuple[int, int] | None:
        months, weekdays = _vocabulary()
        best = None
        run_start = run_end = None
        has_month = has_number = False
        for m in _TOKEN.finditer(text):
            token = m.group().lower().rstrip(".")
            number = token[:1].isdigit() and text[m.start() - 1 : m.start()] != "#"  # "#4": a post
            word = token.isalpha()
            glue = token in _GLUE or token in ":/.,@-"
            month = word and (token in months or token[:3] in months and len(token) <= 4)
            joined = run_end is not None and not text[run_end : m.start()].strip()
            if number or month or (word and token in weekdays) or (glue and run_start is not None):
                if run_start is None or not joined:
                    if run_start is not None and has_number and has_month:
                        break
                    run_start, has_month, has_number = m.start(), False, False
                run_end = m.end()
                has_month = has_month or month
                has_number = has_number or number
                continue
            if run_start is not None and has_number and has_month:
                break
            run_start = run_end = None
        if run_start is not None and has_number and has_month:
            best = (run_start, run_end)
        if best is None:
            return self._numeric(text)
        return self._trim(text, *best)  # type: ignore[arg-type]

    @staticmethod
    def _trim(text: str, start: int, end: int) -> tuple[int, int]:
        while end > start and text[end - 1] in " ,.:/-@":
            end -= 1
        lead_glue = re.match(r"(?:(?:on|at|le|el|am|de|the)\s+)+", text[start:end], re.I)
        if lead_glue:
            start += lead_glue.end()
        # a trailing am/pm written apart ("9:12 pm"), and a time just before a date
        tail = re.match(r"\s*[ap]\.?m\b\.?", text[end:], re.I)
        if tail:
            end += tail.end()
        lead = re.search(r"\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?\s*$", text[:start], re.I)
        if lead:
            start = lead.start()
        return start, end

    def read(self, span: str) -> str | None:
        """The ISO date and time of a date span with a year; None without a year."""
        if span in self._seen:
            return self._seen[span]
        if "," in span:
            span = _COMMA_YEAR.sub(r"\1.\2.\3", span)  # "17.07, 2011": 17.07.2011
        if re.sub(r"\d+", "#", span.lower()) not in self._shapes:  # a shape not learnt yet
            ordered = self._year_first(span)
            if ordered is not None and not ordered.relative:
                return ordered.iso
        iso = None
        if _YEAR4.search(span) or _NUMERIC_DATE.search(span) or _two_digit_year(span):
            numbers = [int(n) for n in re.findall(r"\d+", span)]
            shape = re.sub(r"\d+", "#", span.lower())
            roles = self._shapes.get(shape)
            found = _from_roles(roles, numbers, span) if roles else None
            if found is None:
                found = self._dateparser(span)
                if found is None and re.search(r"\s\d{1,4}$", span):  # a post number after it
                    return self.read(span.rsplit(None, 1)[0])
                if found is not None and shape not in self._shapes:
                    roles = _roles(found, numbers, span)
                    if roles is not None:  # else (the 3rd of March) learn from a later date
                        self._shapes[shape] = roles
            if found is not None:
                iso = (
                    f"{found.year:04d}-{found.month:02d}-{found.day:02d}"
                    f"T{found.hour:02d}:{found.minute:02d}"
                )
        if len(self._seen) < 100_000:
            self._seen[span] = iso
        return iso


def _iso(m: re.Match[str]) -> str | None:
    """``YYYY-MM-DDTHH:MM`` from a year-first or CJK date match; None without a year (a date
    of the current year, as pages print recent comments: no time is made up for it)."""
    if not m["y"]:
        return None
    year, month, day = int(m["y"]), int(m["m"]), int(m["d"])
    hour = int(m["H"]) if m["H"] else 0
    minute = int(m["M"]) if m["M"] else 0
    half = (m["ap"] or m.groupdict().get("ap2") or "").lower()
    if half in _LATER_HALF and hour < 12:
        hour += 12
    elif half and half not in _LATER_HALF and hour == 12:
        hour = 0
    try:
        return datetime(year, month, day, hour, minute).strftime("%Y-%m-%dT%H:%M")
    except ValueError:
        return None


def _two_digit_year(span: str) -> bool:
    months, _ = _vocabulary()
    words = re.findall(r"[^\W\d_]+|\d+", span.lower())
    for i in range(len(words) - 1):
        if words[i] in months and words[i + 1].isdigit() and len(words[i + 1]) == 2:
            if i > 0 and words[i - 1].isdigit():
                return True
    return False


def _pm(span: str) -> str | None:
    m = re.search(r"(?<![a-z])([ap])\.?m\b", span, re.I)
    return m[1].lower() if m else None


def _roles(found: datetime, numbers: list[int], span: str) -> tuple[str, ...] | None:
    """Which field each number of the span is, when that is unambiguous."""
    months, _ = _vocabulary()
    words = re.findall(r"[^\W\d_]+", span.lower())
    has_month_name = any(w in months or (w[:3] in months and len(w) <= 4) for w in words)
    roles = []
    for n in numbers:
        options = []
        if n == found.year or (n < 100 and n == found.year % 100):
            options.append("y")
        if n == found.month and not has_month_name:
            options.append("m")
        if n == found.day:
            options.append("d")
        if n == found.hour or (n <= 12 and n % 12 == found.hour % 12):
            options.append("H")
        if n == found.minute:
            options.append("M")
        if len(options) != 1:
            return None
        roles.append(options[0])
    if len(set(roles)) != len(roles) or not {"y", "d"} <= set(roles):
        return None
    return tuple(roles)


def _from_roles(roles: tuple[str, ...], numbers: list[int], span: str) -> datetime | None:
    if len(roles) != len(numbers):
        return None
    fields = dict(zip(roles, numbers))
    month = fields.get("m")
    if month is None:
        months, _ = _vocabulary()
        for word in re.findall(r"[^\W\d_]+", span.lower()):
            if word in months or (word[:3] in months and len(word) <= 4):
                month = months.get(word) or months[word[:3]]
                break
    if month is None:
        return None
    year = fields["y"] + (2000 if fields["y"] < 100 else 0)
    hour = fields.get("H", 0)
    ampm = _pm(span)
    if ampm == "p" and hour < 12:
        hour += 12
    elif ampm == "a" and hour == 12:
        hour = 0
    try:
        return datetime(year, month, fields["d"], hour, fields.get("M", 0))
    except ValueError:
        return None
