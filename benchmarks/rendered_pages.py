"""Invented rendered pages: the page readers on saved HTML pages written here in comment-section
families the real corpus's dev half lacks (benchmarks/rendered_pages: Joomla JComments, SMF,
IndieWeb microformats, an ARIA feed, Japanese and Korean news, Typepad, a forum without the
usual class names), read as HTML and as text rendered by lynx, lynx -nolist and w3m.

    python benchmarks/rendered_pages.py [--split dev|heldout] [--page NAME] [--verbose]
                                        [--results] [--heading HEADING]

The pages and their expected parses are written by ``rendered_pages/make_pages.py``; its
``SPLIT`` fixed the dev and held-out halves before any reader was run on them. The renderings
are made at run time with the commands of the real corpus's README (a renderer that is not
installed is left out) and scored by ``real_pages.py``'s rules. ``--results`` writes the
section "Invented rendered pages (benchmarks/rendered_pages.py)".
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path[:0] = [str(Path(__file__).parents[1]), str(Path(__file__).parent)]  # this checkout first
from _machine import describe  # noqa: E402
from other_renderers import COMMANDS, render  # noqa: E402
from page_layouts import PageScore, score_page  # noqa: E402
from real_pages import clean, pages_of, totals_table  # noqa: E402
from results import replace_parts  # noqa: E402

FOLDER = Path(__file__).parent / "rendered_pages"
SECTION = "Invented rendered pages (benchmarks/rendered_pages.py)"
PARTS = ("dev, before", "dev", "heldout, before", "heldout")


def run(split: str, page: str | None = None) -> dict[str, list[PageScore]]:
    """Scores by input (html, then each installed renderer) over the split's pages."""
    names = [n for n in pages_of(FOLDER, split) if page is None or n == page]
    installed = [r for r, cmd in COMMANDS.items() if shutil.which(cmd[0])]
    scores: dict[str, list[PageScore]] = {"html": [], **{r: [] for r in installed}}
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            shutil.copyfile(FOLDER / f"{name}.json", Path(tmp) / f"{name}.json")
            html = Path(tmp) / f"{name}.html"
            shutil.copyfile(FOLDER / f"{name}.html", html)
            scores["html"].append(score_page(html, clean))
            text = Path(tmp) / f"{name}.txt"
            for renderer in installed:
                text.write_text(render(html, renderer), encoding="utf-8")
                score = score_page(text, clean)
                score.name = f"{name} ({renderer})"
                scores[renderer].append(score)
    return scores


def table(scores: dict[str, list[PageScore]]) -> str:
    texts = [s for label, found in scores.items() if label != "html" for s in found]
    return totals_table("input", {**scores, "all text renderings": texts})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "heldout"), default="dev")
    parser.add_argument("--page", help="one page (its NAME)")
    parser.add_argument("--verbose", "-v", action="store_true", help="list every miss")
    parser.add_argument("--results", action="store_true", help="rewrite RESULTS.md's section")
    parser.add_argument("--heading", choices=PARTS, help="the part of the section to write")
    args = parser.parse_args()
    scores = run(args.split, args.page)
    for label, found in scores.items():
        for s in found:
            pct = 100 * s.met / s.total if s.total else 100.0
            print(f"{label:12} {s.name:44} {s.met:4}/{s.total:<4} {pct:5.1f}%  fused {s.fused}")
            if args.verbose:
                for miss in s.misses:
                    print(f"    {miss}")
    text = table(scores)
    print(text)
    if args.results:
        intro = (
            "Invented pages (8, in families the real corpus's dev half lacks; 4 dev, 4 held "
            "out, fixed before any reader ran on them), read as HTML and as the text lynx, "
            "lynx -nolist and w3m render from them; the script's docstring says more. "
            f"Machine: {describe()}."
        )
        replace_parts(SECTION, intro, args.heading or args.split, text, PARTS)


if __name__ == "__main__":
    main()
