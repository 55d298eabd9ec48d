"""Which reader an export needs, decided from its content (the file name only breaks ties)."""

from __future__ import annotations

import csv
import json
import re

from moderation.errors import InputError
from moderation.formats.records import COMMON_NAMES
from moderation.formats.source import Source

FORMATS = ("text", "csv", "tsv", "jsonl", "wxr", "disqus", "reddit")
_KNOWN_COLUMNS = {name for names in COMMON_NAMES.values() for name in names}
_SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl",
             ".txt": "text"}


def _header_fields(first_line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([first_line], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return []


def detect_format(source: Source) -> str:
    head = source.head_text.lstrip("\ufeff \t\r\n")
    if head.startswith("<"):
        if "wordpress.org/export/" in head:
            return "wxr"
        if re.search(r"<disqus\b|disqus\.com", head):
            return "disqus"
        raise InputError(source.path, "XML, but neither a WordPress (WXR) nor a Disqus export",
                         hint="pass --format to choose a reader")
    first_line = head.split("\n", 1)[0].rstrip("\r")
    if head.startswith("["):
        return "reddit"
    if head.startswith("{"):
        try:
            record = json.loads(first_line)
        except json.JSONDecodeError:
            record = None
        if isinstance(record, dict) and record.get("kind") == "Listing":
            return "reddit"
        return "jsonl"
    by_suffix = _SUFFIXES.get(source.path.suffix.lower())
    for delimiter, name in (("\t", "tsv"), (",", "csv")):
        fields = _header_fields(first_line, delimiter)
        if len(fields) >= 2 and any(f.strip().lower() in _KNOWN_COLUMNS for f in fields):
            if by_suffix in ("csv", "tsv") and by_suffix != name and delimiter == "\t":
                continue
            return name
    if by_suffix in ("csv", "tsv", "jsonl"):
        return by_suffix
    return "text"
