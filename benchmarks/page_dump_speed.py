"""Page-dump reading time: a generated 10 MB page with its comment section, and pages with one
pathological line (20,000 spaces; a word, 20,000 spaces and a word; 7,000 ", " pieces), each
read as ``moderation parse`` reads a page (``parse_page``: the inferred layout and the known
shapes), best of three runs, in this process after one warm-up page (dateparser loads its
language data once per process, about a second, counted apart).

    python benchmarks/page_dump_speed.py [--megabytes 10] [--results]

Targets (issue 15): the 10 MB page in <= 5 s, time linear in the page's size, and no line that
takes seconds. `--results` rewrites the section "Page dump speed" of RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).parents[1]), str(Path(__file__).parent)]  # this checkout first
from _machine import describe  # noqa: E402
from results import replace_section  # noqa: E402

from moderation.formats.page_text import parse_page  # noqa: E402

FIRST = "Ada Brook Cyril Dana Emeka Farah Goran Hana Ivo Jun Kemal Lena Mira Nils Omar Pia".split()
LAST = "Reyes Shah Lind Okoro Marsh Quayle Dunn Hale Birch Novak Ferris Tran Ward Pugh".split()
WORDS = (
    "the a council bus street lanes market library timetable report figures we I they it "
    "asked tried waited found never always really about after before on in with for 3 12 40 "
    "people shops parking cycle school children morning evening years months weeks road plan"
).split()


def sentence(rng: random.Random) -> str:
    """A made-up sentence (every line of the page differs, as comments' text does)."""
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 24))]
    return words[0].capitalize() + " " + " ".join(words[1:]) + rng.choice(".?!")


def generated_page(megabytes: float) -> str:
    """An article page with a threaded comment section of about ``megabytes`` MB: WordPress-style
    'Name says:' headers, a date line with a distinct time, one to three lines of text, 'Reply',
    replies indented two spaces per level."""
    head = [
        "The Riverside Courier",
        "News | Sport | Opinion",
        "",
        "Council approves the new cycle lanes on Mill Street",
        "By Lena Marsh",
        "March 12, 2024",
        "",
        "The council voted on Tuesday to approve the cycle lanes after a two-year consultation, "
        "with work to start in the autumn and the market days kept free of roadworks.",
        "",
    ]
    body: list[str] = []
    size, n = 0, 0
    rng = random.Random(15)
    target = int(megabytes * 1_000_000)
    while size < target:
        depth = (0, 1, 2, 1, 0, 0, 1)[n % 7]
        pad = "  " * depth
        name = f"{FIRST[n % len(FIRST)]} {LAST[(n // len(FIRST)) % len(LAST)]}"
        day, minute = 1 + (n // 1440) % 28, n % 1440
        lines = [
            f"{pad}{name} says:",
            f"{pad}{['January', 'February', 'March'][n % 3]} {day}, 2024 at "
            f"{minute // 60 % 12 or 12}:{minute % 60:02d} {'am' if minute < 720 else 'pm'}",
            *(f"{pad}{sentence(rng)}" for _ in range(1 + n % 3)),
            f"{pad}Reply",
            "",
        ]
        body.extend(lines)
        size += sum(len(line) + 1 for line in lines)
        n += 1
    section = [
        f"{n} thoughts on \u201cCouncil approves the new cycle lanes on Mill Street\u201d",
        "",
    ]
    return "\n".join(head + section + body + ["Leave a Reply", ""])


def pathological_pages() -> dict[str, str]:
    top = "A headline\n\nBy Sam Writer\n\n3 comments\n\nAnn Lee says:\nMarch 3, 2024 at 9:41 am\n"
    return {
        "a line of 20,000 spaces": top + " " * 20_000 + "\n",
        "a word, 20,000 spaces, a word": top + "a" + " " * 20_000 + "x\n",
        "7,000 ', ' pieces on one line": top + "a, " * 7_000 + "\n",
        "20,000 tabs and spaces": top + "\t " * 10_000 + "x\n",
    }


def best_of(text: str, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        parse_page(text, "speed")
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=float, default=10.0)
    parser.add_argument("--results", action="store_true", help="rewrite RESULTS.md's section")
    args = parser.parse_args()
    started = time.perf_counter()
    parse_page(generated_page(0.01), "warm-up")
    warm_up = time.perf_counter() - started
    rows = []
    for megabytes in (args.megabytes / 10, args.megabytes):
        page = generated_page(megabytes)
        seconds = best_of(page)
        comments = len(parse_page(page, "speed").comments)
        rows.append((f"generated page, {len(page.encode()) / 1e6:.1f} MB", comments, seconds))
    for name, page in pathological_pages().items():
        rows.append((name, None, best_of(page)))
    load = os.getloadavg()
    lines = ["| page | comments | seconds (best of 3) |", "|---|---:|---:|"]
    for name, comments, seconds in rows:
        lines.append(f"| {name} | {'' if comments is None else comments} | {seconds:.3f} |")
        print(f"{name:40} {'' if comments is None else comments:>8} {seconds:8.3f} s")
    print(f"warm-up (dateparser's language data, once per process): {warm_up:.2f} s")
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if args.results:
        replace_section(
            "Page dump speed (benchmarks/page_dump_speed.py)",
            "Reading page dumps with `parse_page` (the inferred layout and the known shapes), "
            "best of three runs in one process after a warm-up page; the first page of a "
            f"process also loads dateparser's language data ({warm_up:.2f} s here). Machine: "
            f"{describe()}; load average {load[0]:.2f}.\n\n" + "\n".join(lines),
        )


if __name__ == "__main__":
    main()
