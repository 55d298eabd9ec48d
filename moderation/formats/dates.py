"""Dates as comment exports and blog pages write them, turned into ISO 8601.

The canonical form is ``YYYY-MM-DDTHH:MM[:SS][+TZ]``. A source that gives a date but no time
gives midnight of that date; relative dates ("3 years ago") give None.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE_PATTERNS = [
    re.compile(
        rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{_MONTH})\.?,?\s+"
        rf"(?P<y>\d{{4}})\b",
        re.I,
    ),
    re.compile(
        rf"\b(?P<m>{_MONTH})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})\b", re.I
    ),
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"),
    re.compile(r"\b(?P<d>\d{1,2})[/.](?P<m>\d{1,2})[/.](?P<y>\d{4})\b"),
]
_TIME = re.compile(
    r"\b(?P<H>\d{1,2})[:.](?P<M>\d{2})(?::(?P<S>\d{2}))?\s*"
    r"(?P<ampm>[ap]\.?\s?m\b\.?)?",
    re.I,
)
_ISO = re.compile(
    r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(:\d{2})?(?:\.\d+)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)
_CANONICAL = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?(?:[+-]\d\d:\d\d)?")
_EPOCH = re.compile(r"^\d{9,13}(?:\.\d+)?$")


def _month_number(token: str) -> int:
    if token.isdigit():
        return int(token)
    return _MONTHS[token[:3].lower()]


def find_date(text: str) -> tuple[str, int, int] | None:
    """The first date (with its time, when one stands in the same text) in free text.

    Returns ``(iso, start, end)`` where start/end cover the date and time, or None.
    """
    for pattern in _DATE_PATTERNS:
        m = pattern.search(text)
        if not m:
            continue
        try:
            year, month, day = int(m["y"]), _month_number(m["m"]), int(m["d"])
            if month > 12 and day <= 12 and pattern is _DATE_PATTERNS[3]:
                month, day = day, month
            date = datetime(year, month, day)
        except ValueError:
            continue
        start, end = m.start(), m.end()
        time = _TIME.search(text, end) or _TIME.search(text[:start])
        iso = date.strftime("%Y-%m-%d") + "T00:00"
        if time:
            hour, minute = int(time["H"]), int(time["M"])
            ampm = (time["ampm"] or "").lower()
            if ampm.startswith("p") and hour < 12:
                hour += 12
            elif ampm.startswith("a") and hour == 12:
                hour = 0
            if hour < 24 and minute < 60:
                iso = f"{date:%Y-%m-%d}T{hour:02d}:{minute:02d}"
                if time["S"]:
                    iso += f":{time['S']}"
                start, end = min(start, time.start()), max(end, time.end())
        return iso, start, end
    return None


def parse_timestamp(value: object) -> str | None:
    """A structured timestamp field (ISO text, Unix seconds or milliseconds, or a written date)
    as canonical ISO 8601; None when empty or not a date."""
    if value is None or value == "":
        return None
    if type(value) is str and _CANONICAL.fullmatch(value):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _from_epoch(float(value))
    text = str(value).strip()
    if not text:
        return None
    m = _ISO.match(text)
    if m:
        date, hm, sec, tz = m.groups()
        iso = f"{date}T{hm or '00:00'}{sec or ''}"
        if tz:
            iso += "+00:00" if tz == "Z" else (tz if ":" in tz else f"{tz[:3]}:{tz[3:]}")
        return iso
    if _EPOCH.match(text):
        return _from_epoch(float(text))
    found = find_date(text)
    return found[0] if found else None


def _from_epoch(seconds: float) -> str | None:
    if seconds > 1e11:  # milliseconds
        seconds /= 1000
    try:
        moment = datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")
