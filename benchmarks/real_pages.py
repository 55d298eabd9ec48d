"""Real pages: how many expectations of the real page corpus (``../shared/pages``: pages saved
from public sites, each as HTML, as text and with its expected parse) the page readers meet.

    python benchmarks/real_pages.py [--split dev|heldout] [--input txt|html] [--page NAME]
                                    [--pages DIR] [--verbose] [--results]

Each page is read as ``moderation parse`` reads it (``read_export``, format detected), from its
``NAME.txt`` (the text-dump reader) or its ``NAME.html`` (the saved-HTML reader), and compared
with ``NAME.json`` by the rules of ``page_layouts.py`` (its docstring), with one addition
decided before any result was seen: lynx's link numbers (``[55]``) are dropped from the parsed
and the expected text alike, since they are how lynx renders a link and no part of what the
commenter wrote (the expectations were written against the lynx text, the HTML has none).

``split.json`` beside the pages says which half a page belongs to; ``dev`` is the half to
develop on, ``heldout`` is measured once, at the end. Without the corpus the script says so and
exits 0. ``--results`` writes the section "Real pages (benchmarks/real_pages.py)" of RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path[:0] = [str(Path(__file__).parents[1]), str(Path(__file__).parent)]  # this checkout first
from _machine import describe  # noqa: E402
from page_layouts import PageScore, normalise, part_text, score_page, summary  # noqa: E402
from results import replace_parts  # noqa: E402

DEFAULT_PAGES = Path(__file__).parents[1].parent / "shared" / "pages"
_LYNX_LINK = re.compile(r"\[\d{1,5}\]")
SECTION = "Real pages (benchmarks/real_pages.py)"
PARTS = ("dev, txt, before", "dev, txt", "dev, html", "heldout, txt", "heldout, html")


def clean(text: str | None) -> str | None:
    """Whitespace normalised and lynx's link numbers dropped."""
    return None if text is None else normalise(_LYNX_LINK.sub("", text))


def pages_of(folder: Path, split: str) -> list[str]:
    assignment = json.loads((folder / "split.json").read_text(encoding="utf-8"))["split"]
    return sorted(name for name, half in assignment.items() if half == split)


def run(folder: Path, split: str, suffix: str, page: str | None = None) -> list[PageScore]:
    """Each page of the split read from its ``.txt`` or ``.html``. The page and its
    expectations are copied side by side into a temporary folder, so that the reader sees the
    file as a moderator would hand it over (its name, its suffix) and the scorer finds the
    expectations beside it."""
    names = [n for n in pages_of(folder, split) if page is None or n == page]
    scores = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            shutil.copyfile(folder / f"{name}.json", Path(tmp) / f"{name}.json")
            copy = Path(tmp) / f"{name}.{suffix}"
            shutil.copyfile(folder / f"{name}.{suffix}", copy)
            scores.append(score_page(copy, clean))
    return scores


def add_pages_option(parser: argparse.ArgumentParser) -> None:
    """``--pages``: the corpus folder, for every script that reads the real page corpus."""
    parser.add_argument(
        "--pages",
        type=Path,
        default=Path(os.environ.get("MODERATION_PAGES", DEFAULT_PAGES)),
        help="the corpus folder (default: $MODERATION_PAGES, else ../shared/pages)",
    )


def totals_table(first: str, scores: dict[str, list[PageScore]]) -> str:
    """One row of totals per label (a rendering, an input): pages, met, of, %, fused."""
    lines = [f"| {first} | pages | met | of | % | fused |", "|---|---:|---:|---:|---:|---:|"]
    for label, found in scores.items():
        met, total, fused = summary(found)
        pct = 100 * met / total if total else 100.0
        lines.append(f"| {label} | {len(found)} | {met} | {total} | {pct:.1f} | {fused} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "heldout"), default="dev")
    parser.add_argument("--input", choices=("txt", "html"), default="txt")
    parser.add_argument("--page", help="score one page (its NAME)")
    add_pages_option(parser)
    parser.add_argument("--verbose", "-v", action="store_true", help="list every miss")
    parser.add_argument("--results", action="store_true", help="rewrite RESULTS.md's section")
    parser.add_argument("--heading", choices=PARTS, help="the part of the section to write")
    args = parser.parse_args()
    if not (args.pages / "split.json").exists():
        print(f"no page corpus at {args.pages} (it lives in ../shared/pages): nothing measured")
        return
    scores = run(args.pages, args.split, args.input, args.page)
    for s in scores:
        pct = 100 * s.met / s.total if s.total else 100.0
        print(f"{s.name:34} {s.met:4}/{s.total:<4} {pct:5.1f}%  fused {s.fused}")
        if args.verbose:
            for miss in s.misses:
                print(f"    {miss}")
    met, total, fused = summary(scores)
    label = f"total ({args.split}, {args.input})"
    print(f"{label:34} {met:4}/{total:<4} {100 * met / total:5.1f}%  fused {fused}")
    if args.results:
        write_results(args.heading or f"{args.split}, {args.input}", scores)


def write_results(heading: str, scores: list[PageScore]) -> None:
    """Rewrite one part of the section, keeping the others."""
    intro = (
        "The page readers on the real page corpus (`../shared/pages`: 46 pages saved from "
        "public sites, as HTML and as text from lynx, w3m or a browser, each with its expected "
        "parse; split 30 dev / 16 held-out before any expectation was written). *txt* is the "
        "text-dump reader on `NAME.txt`, *html* the saved-HTML reader on `NAME.html`; what "
        "counts as an expectation met is in the docstrings of `real_pages.py` and "
        "`page_layouts.py`. *dev, txt, before* is the text reader as it was at the start of "
        f"issue 26; *heldout* was run once, at the end. Machine: {describe()}."
    )
    replace_parts(SECTION, intro, heading, part_text(scores), PARTS)


if __name__ == "__main__":
    main()
