"""HTML parsers compared, to choose the one the saved-HTML reader builds on: time to parse a page
and walk its whole tree (every element, its tag, attributes and text), on the development half
of the real page corpus (``../shared/pages``) and on a generated 10 MB comment page; and
agreement with the HTML5 tree-building rules on malformed markup that saved pages really hold.

    python benchmarks/html_parsers.py [--pages DIR] [--megabytes 10] [--results]

Parsers measured, each where it is installed (``pip install lxml selectolax html5lib
beautifulsoup4``; the project itself needs only the one chosen):

* ``lxml``: ``lxml.html.document_fromstring`` (libxml2's HTML parser);
* ``selectolax``: ``LexborHTMLParser`` (the Lexbor HTML5 engine);
* ``html5lib``: the WHATWG reference algorithm in pure Python, to an lxml tree;
* ``bs4 + html.parser``: BeautifulSoup over the standard library's parser.

The agreement check parses small fragments whose HTML5 tree is known (unclosed ``<p>`` and
``<li>``, a ``<div>`` inside a ``<p>``, stray end tags, a ``<table>`` with loose text, an
unclosed comment list) and compares the text of chosen elements with the text they hold in the
HTML5 tree (html5lib, the reference algorithm, agrees with every one). ``--results`` writes the
section "HTML parsers (benchmarks/html_parsers.py)".
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

sys.path[:0] = [str(Path(__file__).parents[1]), str(Path(__file__).parent)]  # this checkout first
from _machine import describe  # noqa: E402
from results import replace_section  # noqa: E402

DEFAULT_PAGES = Path(__file__).parents[1].parent / "shared" / "pages"

# (markup, an element path written as nested tag names, the text that element holds in HTML5)
FRAGMENTS = [
    ("<ul><li>one<li>two<ul><li>two.a</ul><li>three</ul>", "li", ["one", "two two.a", "two.a",
     "three"]),
    ("<p>para<div>block</div>after", "p", ["para"]),
    ("<div><p>a</div><p>b</span></p>", "p", ["a", "b"]),
    ("<table><tr><td>cell</td></tr>loose</table>", "td", ["cell"]),
    ("<ol class=c><li>x<p>y<li>z</ol>", "li", ["x y", "z"]),
    ("<div>a<b>bold<i>both</b>italic</i>end</div>", "i", ["both", "italic"]),
    ("<article><header>h</header><p>t<article><p>u</article></article>", "p", ["t", "u"]),
]  # fmt: skip


def _lxml():
    import lxml.html

    def parse(markup: str):
        return lxml.html.document_fromstring(markup)

    def texts(root, tag: str) -> list[str]:
        return [" ".join(e.text_content().split()) for e in root.iter(tag)]

    return parse, _walk_etree, texts


def _walk_etree(root) -> int:
    """Every element of an lxml tree, its attributes and its text (lxml and html5lib)."""
    n = 0
    for element in root.iter():
        n += len(element.attrib) + len(element.text or "") + len(element.tail or "") > -1
    return n


def _selectolax():
    from selectolax.lexbor import LexborHTMLParser

    def parse(markup: str):
        return LexborHTMLParser(markup)

    def walk(tree) -> int:
        n = 0
        for node in tree.root.traverse(include_text=True):
            n += len(node.attributes) + len(node.text_content or "") > -1
        return n

    def texts(tree, tag: str) -> list[str]:
        return [" ".join(node.text(separator=" ").split()) for node in tree.css(tag)]

    return parse, walk, texts


def _html5lib():
    import html5lib

    def parse(markup: str):
        return html5lib.parse(markup, treebuilder="lxml", namespaceHTMLElements=False)

    def texts(root, tag: str) -> list[str]:
        return [" ".join("".join(e.itertext()).split()) for e in root.iter(tag)]

    return parse, _walk_etree, texts


def _bs4():
    from bs4 import BeautifulSoup

    def parse(markup: str):
        return BeautifulSoup(markup, "html.parser")

    def walk(soup) -> int:
        n = 0
        for element in soup.descendants:
            n += len(getattr(element, "attrs", {}) or {}) + len(str(element.string or "")) > -1
        return n

    def texts(soup, tag: str) -> list[str]:
        return [" ".join(e.get_text(" ").split()) for e in soup.find_all(tag)]

    return parse, walk, texts


PARSERS: dict[str, Callable] = {
    "lxml": _lxml,
    "selectolax": _selectolax,
    "html5lib": _html5lib,
    "bs4 + html.parser": _bs4,
}


def generated_page(megabytes: float) -> str:
    """A WordPress-like page of about ``megabytes`` MB: nested comment lists, each comment
    with an author, a time element and a paragraph or two."""
    parts = ["<html><head><title>Cycle lanes</title></head><body><article><h1>Cycle lanes</h1>",
             "<p>The council voted on Tuesday to approve the lanes.</p></article>",
             '<ol class="comment-list">']  # fmt: skip
    size, n = 0, 0
    while size < megabytes * 1_000_000:
        piece = (
            f'<li id="comment-{n}" class="comment"><article class="comment-body">'
            f'<footer class="comment-meta"><b class="fn">Reader {n % 97}</b> '
            f'<time datetime="2024-03-{1 + n % 28:02d}T09:{n % 60:02d}:00">March {1 + n % 28}, '
            f'2024</time></footer><div class="comment-content"><p>Comment number {n} says the '
            "timetable was changed twice and nobody asked the people on Mill Street.</p></div>"
            '<div class="reply"><a href="#">Reply</a></div></article>'
        )
        piece += '<ol class="children"><li class="comment"><p>A reply.</p></li></ol></li>'
        parts.append(piece)
        size += len(piece)
        n += 1
    parts.append("</ol></body></html>")
    return "".join(parts)


def timed(parse, walk, markup: str, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.process_time()
        walk(parse(markup))
        best = min(best, time.process_time() - started)
    return best


def agreement(texts_of, parse) -> int:
    """How many fragments give the HTML5 tree's texts (compared without white space: parsers
    join an element's text pieces differently)."""

    def bare(texts: list[str]) -> list[str]:
        return ["".join(text.split()) for text in texts]

    return sum(
        bare(texts_of(parse(markup), tag)) == bare(expected) for markup, tag, expected in FRAGMENTS
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--megabytes", type=float, default=10.0)
    parser.add_argument("--results", action="store_true")
    args = parser.parse_args()
    dev = []
    if (args.pages / "split.json").exists():
        split = json.loads((args.pages / "split.json").read_text())["split"]
        dev = [
            (args.pages / f"{name}.html").read_bytes().decode("utf-8", "replace")
            for name, half in sorted(split.items())
            if half == "dev"
        ]
    warnings.simplefilter("ignore")  # html5lib's notes on attribute names lxml cannot hold
    big = generated_page(args.megabytes)
    available = {}
    for name, make in PARSERS.items():
        try:
            available[name] = make()
        except ImportError:
            print(f"{name}: not installed, skipped")
    rows = []
    for name, (parse, walk, texts) in available.items():
        corpus = sum(timed(parse, walk, page, runs=1) for page in dev)
        large = timed(parse, walk, big, runs=1 if name in ("html5lib", "bs4 + html.parser") else 3)
        agree = agreement(texts, parse)
        rows.append((name, corpus, large, agree))
        print(f"{name:20} dev pages {corpus:7.2f} s  {args.megabytes:g} MB {large:7.2f} s  "
              f"HTML5 agreement {agree}/{len(FRAGMENTS)}")  # fmt: skip
    load = os.getloadavg()[0]
    print(f"load average {load:.1f}")
    if args.results:
        lines = [
            f"| parser | {len(dev)} dev pages (s CPU) | generated {args.megabytes:g} MB page "
            "(s CPU) | HTML5 trees agreed (of "
            f"{len(FRAGMENTS)}) |",
            "|---|---:|---:|---:|",
            *(f"| {n} | {c:.2f} | {g:.2f} | {a} |" for n, c, g, a in rows),
        ]
        replace_section(
            "HTML parsers (benchmarks/html_parsers.py)",
            "Parse and walk the whole tree, CPU seconds (best of three on the generated page, "
            "one run for the pure-Python parsers), and agreement with the HTML5 trees (the texts "
            "html5lib, the reference algorithm, gives) on malformed fragments. Machine: "
            f"{describe()}; load average {load:.1f} (shared "
            "machine: other sessions were working).\n\n" + "\n".join(lines),
        )


if __name__ == "__main__":
    main()
