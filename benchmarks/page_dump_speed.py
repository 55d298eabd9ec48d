"""Page reading time: a generated 10 MB page with its comment section, saved as text and as
HTML, and text pages with one pathological line (20,000 spaces; a word, 20,000 spaces and a
word; 7,000 ", " pieces), each read as ``moderation parse`` reads a page (``parse_page``: the
inferred layout and the known shapes; ``read_html_page`` for the HTML), best of three runs, in
this process after one warm-up page (dateparser loads its language data once per process,
about a second, counted apart).

    python benchmarks/page_dump_speed.py [--megabytes 10] [--results]

Targets (issues 15 and 26): the 10 MB page, text or HTML, in <= 5 s, time linear in the page's
size, and no line that takes seconds. `--results` rewrites the section "Page dump speed" of
RESULTS.md.
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

from moderation.formats.page_html import read_html_page  # noqa: E402
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


def generated_html(megabytes: float) -> str:
    """The same kind of page saved as HTML: WordPress comment markup, replies nested in
    ``<ol class="children">``, a ``<time>`` element and a paragraph or two per comment."""
    rng = random.Random(15)
    parts = [
        "<!DOCTYPE html><html><head><title>Council approves the new cycle lanes</title></head>"
        '<body><article><h1 class="entry-title">Council approves the new cycle lanes</h1>'
        '<div class="entry-content"><p>The council voted on Tuesday to approve the lanes.</p>'
        '</div></article><section id="comments"><ol class="comment-list">'
    ]
    size, n, open_children = 0, 0, 0
    target = int(megabytes * 1_000_000)
    while size < target:
        depth = (0, 1, 2, 1, 0, 0, 1)[n % 7]
        while open_children > depth:
            parts.append("</li></ol>")
            open_children -= 1
        if depth > open_children:
            parts.append('<ol class="children">')
            open_children += 1
        elif n:
            parts.append("</li>")
        name = f"{FIRST[n % len(FIRST)]} {LAST[(n // len(FIRST)) % len(LAST)]}"
        day, minute = 1 + (n // 1440) % 28, n % 1440
        when = f"2024-03-{day:02d}T{minute // 60:02d}:{minute % 60:02d}"
        text = "".join(f"<p>{sentence(rng)}</p>" for _ in range(1 + n % 3))
        piece = (
            f'<li id="comment-{n}" class="comment depth-{depth + 1}">'
            f'<article class="comment-body"><footer class="comment-meta">'
            f'<div class="comment-author vcard"><b class="fn">{name}</b> '
            f'<span class="says">says:</span></div><div class="comment-metadata">'
            f'<time datetime="{when}">March {day}, 2024 at {minute // 60:02d}:{minute % 60:02d}'
            f'</time></div></footer><div class="comment-content">{text}</div>'
            '<div class="reply"><a class="comment-reply-link" href="#">Reply</a></div></article>'
        )
        parts.append(piece)
        size += len(piece)
        n += 1
    parts.append("</li>" + "</ol></li>" * open_children + "</ol></section></body></html>")
    return "".join(parts)


def pathological_pages() -> dict[str, str]:
    top = "A headline\n\nBy Sam Writer\n\n3 comments\n\nAnn Lee says:\nMarch 3, 2024 at 9:41 am\n"
    return {
        "a line of 20,000 spaces": top + " " * 20_000 + "\n",
        "a word, 20,000 spaces, a word": top + "a" + " " * 20_000 + "x\n",
        "7,000 ', ' pieces on one line": top + "a, " * 7_000 + "\n",
        "20,000 tabs and spaces": top + "\t " * 10_000 + "x\n",
    }


def best_of(text: str, runs: int = 3, read=parse_page) -> tuple[float, float]:
    """Best wall-clock and best CPU seconds of ``runs`` readings (the machine is shared: the
    CPU time is what the reading itself costs)."""
    wall = cpu = float("inf")
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        read(text, "speed")
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - started_cpu)
    return wall, cpu


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
    for megabytes in (args.megabytes / 10, args.megabytes):
        page = generated_html(megabytes)
        seconds = best_of(page, read=read_html_page)
        comments = len(read_html_page(page, "speed")[0].comments)
        size = len(page.encode()) / 1e6
        rows.append((f"generated page as HTML, {size:.1f} MB", comments, seconds))
    for name, page in pathological_pages().items():
        rows.append((name, None, best_of(page)))
    load = os.getloadavg()
    lines = [
        "| page | comments | seconds, wall (best of 3) | seconds, CPU (best of 3) |",
        "|---|---:|---:|---:|",
    ]
    for name, comments, (wall, cpu) in rows:
        count = "" if comments is None else comments
        lines.append(f"| {name} | {count} | {wall:.3f} | {cpu:.3f} |")
        print(f"{name:40} {count:>8} {wall:8.3f} s wall {cpu:8.3f} s CPU")
    print(f"warm-up (dateparser's language data, once per process): {warm_up:.2f} s")
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if args.results:
        replace_section(
            "Page dump speed (benchmarks/page_dump_speed.py)",
            "Reading pages with `parse_page` (text: the inferred layout and the known shapes) "
            "and `read_html_page` (saved HTML), best of three runs in one process after a "
            "warm-up page, on a machine shared with other sessions (wall time is mostly waiting "
            "for a core: CPU time is the reading's own cost); the first page of a process also "
            f"loads dateparser's language data ({warm_up:.2f} s here). Machine: "
            f"{describe()}; load average {load[0]:.2f}.\n\n" + "\n".join(lines),
        )


if __name__ == "__main__":
    main()
