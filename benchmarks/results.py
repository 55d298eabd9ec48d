"""Keeps benchmarks/RESULTS.md: each benchmark owns one section and rewrites only that."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

RESULTS = Path(__file__).parent / "RESULTS.md"
HEADER = (
    "# Benchmark results\n\nEach section is written by the script it names; rerun it to refresh.\n"
)


def replace_section(title: str, body: str) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else HEADER
    section = f"## {title}\n\nMeasured {date.today().isoformat()}. {body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text)
    else:
        text = text.rstrip() + "\n\n" + section
    RESULTS.write_text(text.rstrip() + "\n", encoding="utf-8")


def replace_parts(title: str, intro: str, heading: str, part: str, order: tuple[str, ...]) -> None:
    """Rewrite one part (a ``### heading``) of a section written in parts, keeping the other
    parts as they were, in ``order``."""
    parts = {}
    if RESULTS.exists():
        old = re.search(
            rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", RESULTS.read_text(), re.S | re.M
        )
        for m in re.finditer(r"^### (.+?)\n(.*?)(?=^### |\Z)", old[1] if old else "", re.S | re.M):
            parts[m[1]] = m[2].strip()
    parts[heading] = part
    body = intro + "\n\n" + "\n\n".join(f"### {n}\n\n{parts[n]}" for n in order if n in parts)
    replace_section(title, body)
