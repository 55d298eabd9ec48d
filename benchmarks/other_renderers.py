"""Other renderers: the text-dump reader on the real pages' ``dev`` half rendered to text by the
renderers each page was *not* rendered with, scored against the same expectations.

    python benchmarks/other_renderers.py [--page NAME] [--results]

The corpus renders each page once (lynx, lynx -nolist, w3m or a browser's copy; its README
says which and how). A reader fitted to one page's rendering meets fewer expectations when the
same page comes from another renderer; this script renders each dev page's saved HTML with the
README's lynx, lynx -nolist and w3m commands (those installed; a browser copy is not made here)
and scores every rendering with ``real_pages.py``'s rules. The expectations were written against
the corpus's own rendering: a rendering may print a bullet or wrap a URL otherwise, so compare
readings of the same renderings rather than reading the figures as absolute. Only ``dev`` pages
are read. ``--results`` writes the section "Other renderers (benchmarks/other_renderers.py)".
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path[:0] = [str(Path(__file__).parents[1]), str(Path(__file__).parent)]  # this checkout first
from _machine import describe  # noqa: E402
from page_layouts import PageScore, score_page  # noqa: E402
from real_pages import add_pages_option, clean, pages_of, totals_table  # noqa: E402
from results import replace_section  # noqa: E402

SECTION = "Other renderers (benchmarks/other_renderers.py)"
COMMANDS = {
    "lynx": ["lynx", "-dump", "-force_html", "-display_charset=utf-8", "-assume_charset=utf-8"],
    "lynx-nolist": [
        "lynx",
        "-dump",
        "-nolist",
        "-force_html",
        "-display_charset=utf-8",
        "-assume_charset=utf-8",
    ],
    "w3m": ["w3m", "-dump", "-cols", "100", "-T", "text/html", "-O", "UTF-8"],
}
_ROW = re.compile(r"^\| (?P<name>[\w-]+) \| (?:dev|heldout) \|(?:[^|]*\|){4} (?P<renderer>[\w-]+)")


def own_renderers(folder: Path) -> dict[str, str]:
    """Each page's renderer, from the corpus README's table."""
    found = {}
    for line in (folder / "README.md").read_text(encoding="utf-8").splitlines():
        m = _ROW.match(line)
        if m:
            found[m["name"]] = m["renderer"]
    return found


def render(html: Path, renderer: str) -> str:
    done = subprocess.run(
        [*COMMANDS[renderer], str(html)], capture_output=True, timeout=120, check=True
    )
    return done.stdout.decode("utf-8", errors="replace")


def run(folder: Path, page: str | None) -> dict[str, list[PageScore]]:
    """Scores by renderer ("own" is the corpus's text), over the dev pages."""
    own = own_renderers(folder)
    installed = [r for r, cmd in COMMANDS.items() if shutil.which(cmd[0])]
    names = [n for n in pages_of(folder, "dev") if page is None or n == page]
    scores: dict[str, list[PageScore]] = {"own": [], "other": []}
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            shutil.copyfile(folder / f"{name}.json", Path(tmp) / f"{name}.json")
            copy = Path(tmp) / f"{name}.txt"
            shutil.copyfile(folder / f"{name}.txt", copy)
            scores["own"].append(score_page(copy, clean))
            for renderer in installed:
                if renderer == own.get(name):
                    continue
                copy.write_text(render(folder / f"{name}.html", renderer), encoding="utf-8")
                score = score_page(copy, clean)
                score.name = f"{name} ({renderer})"
                scores.setdefault(renderer, []).append(score)
                scores["other"].append(score)
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--page", help="one page (its NAME)")
    parser.add_argument("--verbose", "-v", action="store_true", help="one line per rendering")
    add_pages_option(parser)
    parser.add_argument("--results", action="store_true", help="rewrite RESULTS.md's section")
    args = parser.parse_args()
    if not (args.pages / "split.json").exists():
        print(f"no page corpus at {args.pages} (it lives in ../shared/pages): nothing measured")
        return
    if not any(shutil.which(cmd[0]) for cmd in COMMANDS.values()):
        print("neither lynx nor w3m is installed: nothing measured")
        return
    scores = run(args.pages, args.page)
    if args.verbose:
        for s in scores["other"]:
            pct = 100 * s.met / s.total if s.total else 100.0
            print(f"{s.name:48} {s.met:4}/{s.total:<4} {pct:5.1f}%  fused {s.fused}")
    text = totals_table("rendering", scores)
    print(text)
    if args.results:
        replace_section(
            SECTION,
            "The text-dump reader on the real page corpus's dev half (30 pages) as rendered by "
            "the renderers each page was not rendered with (the script's docstring says how, "
            f"and what the figures can and cannot say). Machine: {describe()}.\n\n{text}",
        )


if __name__ == "__main__":
    main()
