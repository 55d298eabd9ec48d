"""Leave one family out: how much of the page readers' score on the real pages' ``dev`` half
comes from markup or layouts declared for the page's own family, i.e. how the readers would do
on a family nobody wrote a declaration for.

    python benchmarks/leave_family_out.py [--input html|txt] [--page NAME] [--results]

* ``html``: each dev page is read three ways: with every declaration (systems.py), with the
  declarations of its own software left out (WordPress pages without ``wordpress`` and
  ``wpdiscuz``, vBulletin pages without ``vbulletin3/4/5``, ...; a custom or SPIP page has none
  to leave out), and with none at all (microdata, the inferred repeated layout and JSON-LD only).
* ``txt``: each layout declaration of the text reader (page_text/layouts.py) is switched off in
  turn over the whole dev half; a layout whose loss costs expectations on one family only is that
  family's special case, and the family's *left-out* score is its score with every such layout
  of its own switched off.

The family of a page is the ``family`` field of its expected parse (the true software, not the
split's stratum). Only ``dev`` pages are read; the scoring rules are ``real_pages.py``'s.
``--results`` writes the section "Leave one family out (benchmarks/leave_family_out.py)".
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path[:0] = [str(Path(__file__).parents[1]), str(Path(__file__).parent)]  # this checkout first
from _machine import describe  # noqa: E402
from page_layouts import PageScore, summary  # noqa: E402
from real_pages import add_pages_option, pages_of, run  # noqa: E402
from results import replace_parts  # noqa: E402

import moderation.formats.page_html as page_html  # noqa: E402
from moderation.formats.page_text import records as text_records  # noqa: E402

SECTION = "Leave one family out (benchmarks/leave_family_out.py)"
PARTS = ("html, before", "html", "txt, before", "txt")
OWN_SYSTEMS = {
    "WordPress": ("wordpress", "wpdiscuz"),
    "Blogger": ("blogger",),
    "Drupal": ("drupal",),
    "phpBB": ("phpbb",),
    "vBulletin": ("vbulletin3", "vbulletin4", "vbulletin5"),
    "XenForo": ("xenforo1", "xenforo2"),
    "NodeBB": ("nodebb",),
    "Discourse": ("discourse",),
    "Stack Exchange": ("stackexchange",),
    "Reddit": ("reddit", "old reddit"),
}


def families(folder: Path) -> dict[str, str]:
    """Each dev page's software family, from its expected parse."""
    found = {}
    for name in pages_of(folder, "dev"):
        expected = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        found[name] = expected["family"]
    return found


@contextmanager
def html_systems(left_out: tuple[str, ...] | None) -> Iterator[None]:
    """The HTML reader without the named declarations (None: without any)."""
    kept = page_html.SYSTEMS
    page_html.SYSTEMS = () if left_out is None else tuple(s for s in kept if s.name not in left_out)
    try:
        yield
    finally:
        page_html.SYSTEMS = kept


@contextmanager
def text_layouts(left_out: set[str]) -> Iterator[None]:
    """The text reader without the named layout declarations."""
    kept = text_records.LAYOUTS
    text_records.LAYOUTS = tuple(layout for layout in kept if layout.name not in left_out)
    try:
        yield
    finally:
        text_records.LAYOUTS = kept


def _pct(scores: list[PageScore]) -> tuple[int, int, int, float]:
    met, total, fused = summary(scores)
    return met, total, fused, 100 * met / total if total else 100.0


def html_rows(folder: Path, page: str | None) -> list[tuple[str, str, list[PageScore]]]:
    """Per family: (family, reading, scores) for all declarations, own left out, none."""
    family_of = families(folder)
    names = [n for n in family_of if page is None or n == page]
    rows = []
    for family in sorted({family_of[n] for n in names}):
        pages = [n for n in names if family_of[n] == family]
        readings = (
            ("all declarations", ()),
            ("own left out", OWN_SYSTEMS.get(family, ())),
            ("no declarations", None),
        )
        for reading, left_out in readings:
            with html_systems(left_out):
                scores = [s for n in pages for s in run(folder, "dev", "html", n)]
            rows.append((family, reading, scores))
    return rows


def text_rows(folder: Path, page: str | None) -> list[tuple[str, str, list[PageScore]]]:
    """Per family: its score with every layout, and with the layouts only it needs left out."""
    family_of = families(folder)
    names = [n for n in family_of if page is None or n == page]
    everything = {n: run(folder, "dev", "txt", n)[0] for n in names}
    needed_by: dict[str, set[str]] = defaultdict(set)  # layout -> families that lose without it
    for layout in text_records.LAYOUTS:
        with text_layouts({layout.name}):
            for n in names:
                if run(folder, "dev", "txt", n)[0].met < everything[n].met:
                    needed_by[layout.name].add(family_of[n])
    rows = []
    for family in sorted({family_of[n] for n in names}):
        pages = [n for n in names if family_of[n] == family]
        own = {name for name, fams in needed_by.items() if fams == {family}}
        with text_layouts(own):
            left = [run(folder, "dev", "txt", n)[0] for n in pages]
        label = "own layouts left out: " + (", ".join(sorted(own)) if own else "none")
        rows.append((family, "all layouts", [everything[n] for n in pages]))
        rows.append((family, label, left))
    return rows


def table(rows: list[tuple[str, str, list[PageScore]]]) -> str:
    lines = [
        "| family | pages | reading | met | of | % | fused |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    totals: dict[str, list[PageScore]] = defaultdict(list)
    for family, reading, scores in rows:
        met, total, fused, pct = _pct(scores)
        lines.append(
            f"| {family} | {len(scores)} | {reading} | {met} | {total} | {pct:.0f} | {fused} |"
        )
        totals[reading.split(":")[0]].extend(scores)
    for reading, scores in totals.items():
        met, total, fused, pct = _pct(scores)
        lines.append(
            f"| **all** | {len(scores)} | {reading} | **{met}** | **{total}** | "
            f"**{pct:.1f}** | {fused} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", choices=("txt", "html"), default="html")
    parser.add_argument("--page", help="one page (its NAME)")
    add_pages_option(parser)
    parser.add_argument("--results", action="store_true", help="rewrite RESULTS.md's section")
    parser.add_argument("--heading", choices=PARTS, help="the part of the section to write")
    args = parser.parse_args()
    if not (args.pages / "split.json").exists():
        print(f"no page corpus at {args.pages} (it lives in ../shared/pages): nothing measured")
        return
    rows = (html_rows if args.input == "html" else text_rows)(args.pages, args.page)
    text = table(rows)
    print(text)
    if args.results:
        intro = (
            "The real page corpus's dev half (30 pages; the held-out half is not read), each "
            "page's family from its expected parse. What each reading leaves out is in the "
            f"script's docstring. Machine: {describe()}."
        )
        replace_parts(SECTION, intro, args.heading or args.input, text, PARTS)


if __name__ == "__main__":
    main()
