"""Article title, author and date of saved HTML pages: the saved-HTML reader's own extraction
against trafilatura's metadata extraction and its date module, htmldate, on the development half
of the real page corpus (``../shared/pages``).

    python benchmarks/article_meta.py [--pages DIR] [--results]

Titles and authors are compared with each page's expected parse (``NAME.json``; whitespace
normalised; an expected null is met by no value). The corpus gives no article date, so the dates
are compared with ``PRINTED``: the date each development page prints for its article, read by eye
from its ``.txt`` before either extractor was run on it (None where the page prints none: an
archived page without a dateline, a forum page whose opening post is on an earlier page, a post
that shows only "6 years ago"); pages whose printed date could not be settled are left out.
trafilatura and htmldate are measured where installed (``pip install trafilatura``); the
project does not depend on them. ``--results`` writes the section "Article metadata
(benchmarks/article_meta.py)" of RESULTS.md. Note: these pages come from trafilatura's and
htmldate's own test fixtures, which favours them if anything.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

sys.path[:0] = [str(Path(__file__).parents[1]), str(Path(__file__).parent)]  # this checkout first
from _machine import describe  # noqa: E402
from results import replace_section  # noqa: E402

from moderation.formats.page_html import read_html_page  # noqa: E402

DEFAULT_PAGES = Path(__file__).parents[1].parent / "shared" / "pages"
PRINTED = {
    "blogger-backenmachtgluecklich": "2020-02-17", "blogger-derpapierplanet": "2015-06-05",
    "custom-chefkoch-mandarinen": "2006-10-10", "custom-holzwerken-kreissaege": "2022-01-21",
    "custom-zeit-zugverkehr": "2020-01-14", "drupal-hpd-homosexuellenhass": "2023-10-18",
    "drupal-madame-figaro": "2020-02-19", "nocomments-juraforum": "2022-02-18",
    "nocomments-kiow": "2020-10-26", "nodebb-chat": "2019-03-24", "reddit-python-init": None,
    "spip-regards-enquetes": "2018-09-30", "stackexchange-german": "2014-02-06",
    "vbulletin4-dorr": "2016-06-15", "vbulletin5-fandompost": "2019-04-09",
    "wp-anchor-lanka": "2019-12-22", "wp-blisterreview": "2021-12-10",
    "wp-cubadebate": "2022-04-26", "wp-exxpress": "2023-11-01", "wp-firefox-nightly": "2020-12-18",
    "wp-frolleinherr": "2022-11-20", "wp-muffinrezept": None, "wp-nervousbreakdown": "2011-07-11",
    "wp-skispringen": "2022-02-01", "wp-youhadmeatgardening": "2020-04-21",
    "xenforo-villagersandheroes": "2020-09-18", "xenforo2-darktheme": "2010-11-21",
}  # fmt: skip


def _norm(text: str | None) -> str | None:
    return None if text is None else " ".join(text.split())


def ours(html: str, name: str) -> tuple[str | None, str | None, str | None]:
    thread, _ = read_html_page(html, name)
    return thread.title, thread.author, (thread.published or "")[:10] or None


def theirs(html: str, name: str) -> tuple[str | None, str | None, str | None]:
    import htmldate
    from trafilatura.metadata import extract_metadata

    meta = extract_metadata(html)
    found = htmldate.find_date(html, original_date=True)
    return (meta.title if meta else None), (meta.author if meta else None), found


def measure(folder: Path, extract) -> dict[str, float]:
    split = json.loads((folder / "split.json").read_text(encoding="utf-8"))["split"]
    titles = authors = dates = pages = dated = 0
    seconds = 0.0
    for name in sorted(n for n, half in split.items() if half == "dev"):
        expected = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        html = (folder / f"{name}.html").read_bytes().decode("utf-8", "replace")
        started = time.process_time()
        title, author, published = extract(html, name)
        seconds += time.process_time() - started
        pages += 1
        titles += _norm(title) == _norm(expected["title"])
        authors += _norm(author) == _norm(expected["article_author"])
        if name in PRINTED:
            dated += 1
            dates += published == PRINTED[name]
    return {"pages": pages, "titles": titles, "authors": authors, "dated": dated, "dates": dates,
            "seconds": seconds}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--results", action="store_true")
    args = parser.parse_args()
    if not (args.pages / "split.json").exists():
        print(f"no page corpus at {args.pages} (it lives in ../shared/pages): nothing measured")
        return
    warnings.simplefilter("ignore")
    rows = [("saved-HTML reader (whole page, comments too)", measure(args.pages, ours))]
    try:
        rows.append(("trafilatura metadata + htmldate", measure(args.pages, theirs)))
    except ImportError:
        print("trafilatura or htmldate not installed: measured the reader alone")
    lines = ["| extractor | titles | authors | dates | CPU s |", "|---|---:|---:|---:|---:|"]
    for label, r in rows:
        line = (
            f"| {label} | {r['titles']}/{r['pages']} | {r['authors']}/{r['pages']} | "
            f"{r['dates']}/{r['dated']} | {r['seconds']:.2f} |"
        )
        lines.append(line)
        print(line)
    if args.results:
        replace_section(
            "Article metadata (benchmarks/article_meta.py)",
            "Title and author against the expected parses, date against the date each page "
            "prints, on the development half of the real page corpus (see the script's "
            f"docstring). Machine: {describe()}, shared with other sessions.\n\n"
            + "\n".join(lines),
        )


if __name__ == "__main__":
    main()
