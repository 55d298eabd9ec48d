"""Page layouts: how many expectations of the page corpus (benchmarks/pages) the page-dump reader
meets, page by page, and how many comments it fuses.

    python benchmarks/page_layouts.py [--split dev|heldout] [--page NAME] [--verbose] [--results]

Each page ``NAME.txt`` is read as ``moderation parse`` reads it (``read_export``, format
detected) and compared with ``NAME.json`` (format: benchmarks/pages/README.md). The split is
``dev`` by default; ``heldout`` is the half nobody developed on, to be measured once at the end.

What counts as one expectation, and when it is met (decided before any result was seen):

* ``title``, ``article_author``: equal after whitespace normalisation (runs of white space become
  one space, ends stripped); an expected null is met by a missing value.
* ``declared_comments``: equal (null by null).
* comment count: as many comments parsed as expected.
* per expected comment, six: author, depth, time, text start, text end, reply_to. Expected
  comments are aligned with parsed ones in page order: expected comment i goes to the first
  parsed comment, after the one the previous expected comment went to, whose normalised text
  contains i's normalised ``text_start``. An expected comment with no parsed comment misses all
  six.

  - author: equal after whitespace normalisation (null by null);
  - depth: equal;
  - time: an expected ``YYYY-MM-DDTHH:MM`` equals the first 16 characters of ``created_at``; an
    expected date ``YYYY-MM-DD`` equals its first 10; an expected null is met by no
    ``created_at`` (relative times are not turned into a time);
  - text start: the normalised text starts with the normalised ``text_start``; where the
    expected start is a quote's attribution (it ends with ``:`` or starts with "Originally
    Posted by"), it may stand within the first 40 characters, after a "Quote" label or the like;
  - text end: the normalised text ends with the normalised ``text_end``;
  - reply_to: the parsed parent is the parsed comment aligned with the expected parent (null:
    no parent).
* furniture: one per string; met when no parsed comment's text contains it (case-sensitive).

Fused comments are counted apart: a parsed comment whose text contains, after its first
character, the ``text_start`` of an expected comment other than the one aligned with it, when
that other comment was aligned with no parsed comment of its own (a comment quoting another one
that was found is not fused).

``--results`` writes the section "Page layouts (benchmarks/page_layouts.py)" of RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

sys.path[:0] = [str(Path(__file__).parents[1]), str(Path(__file__).parent)]  # this checkout first
from _machine import describe  # noqa: E402
from results import replace_parts  # noqa: E402

from moderation.comments import Comment, Thread  # noqa: E402
from moderation.errors import ModerationError  # noqa: E402
from moderation.formats import ParseReport, read_export  # noqa: E402

PAGES = Path(__file__).parent / "pages"
COMMENT_CHECKS = ("author", "depth", "time", "text_start", "text_end", "reply_to")
ATTRIBUTION_REACH = 40


def normalise(text: str | None) -> str | None:
    return None if text is None else re.sub(r"\s+", " ", text).strip()


@dataclass
class PageScore:
    name: str
    met: int = 0
    total: int = 0
    fused: int = 0
    misses: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def check(self, what: str, ok: bool, detail: str = "") -> None:
        self.total += 1
        self.met += ok
        if not ok:
            self.misses.append(f"{what}: {detail}" if detail else what)


def read_page(path: Path) -> tuple[Thread, list[Comment], list[str]]:
    """The page's thread, its comments and the reading's warnings. A comment the reader marks
    as the thread's opening post (``extra["opening_post"]``: a forum's first post, read as a
    comment so that it is scored) is the article in the corpus's terms, and is left out."""
    report = ParseReport(str(path))
    records = list(read_export(path, report=report))
    threads = [r for r in records if isinstance(r, Thread)]
    comments = [r for r in records if isinstance(r, Comment) and not r.extra.get("opening_post")]
    return threads[0], comments, report.warnings


def _time_met(expected: str | None, parsed: str | None) -> bool:
    if expected is None:
        return parsed is None
    if parsed is None:
        return False
    return parsed[: len(expected)] == expected if len(expected) in (10, 16) else False


def _starts_right(expected: str, text: str) -> bool:
    if text.startswith(expected):
        return True
    attribution = expected.endswith(":") or expected.startswith("Originally Posted by")
    return attribution and 0 <= text.find(expected) <= ATTRIBUTION_REACH


def align(
    expected: list[dict], texts: list[str], clean: Callable[[str | None], str | None] = normalise
) -> list[int | None]:
    """For each expected comment, the index of its parsed comment (or None)."""
    aligned: list[int | None] = []
    cursor = 0
    for item in expected:
        start = clean(item["text_start"])
        found = next((j for j in range(cursor, len(texts)) if start in texts[j]), None)
        aligned.append(found)
        if found is not None:
            cursor = found + 1
    return aligned


def score_page(txt: Path, clean: Callable[[str | None], str | None] = normalise) -> PageScore:
    """How many of ``txt``'s expectations (``txt`` with the suffix ``.json``) its reading meets;
    ``clean`` normalises parsed and expected text alike before they are compared."""
    expected = json.loads(txt.with_suffix(".json").read_text(encoding="utf-8"))
    score = PageScore(txt.stem)
    started = time.perf_counter()
    try:
        thread, comments, _ = read_page(txt)
    except ModerationError as error:  # the page counts, with nothing met
        score.misses.append(f"reader error: {error}")
        thread, comments = Thread(id=txt.stem, title="\0", author="\0"), []
        thread.declared_comments = -1
    score.seconds = time.perf_counter() - started
    texts = [clean(c.text) or "" for c in comments]
    for key, value in (("title", thread.title), ("article_author", thread.author)):
        want = clean(expected[key])
        score.check(key, clean(value) == want, f"{value!r} != {want!r}")
    declared = expected["declared_comments"]
    score.check(
        "declared",
        thread.declared_comments == declared,
        f"{thread.declared_comments} != {declared}",
    )
    wanted = expected["comments"]
    score.check("count", len(comments) == len(wanted), f"{len(comments)} != {len(wanted)}")
    aligned = align(wanted, texts, clean)
    index_of = {c.id: j for j, c in enumerate(comments)}
    for i, item in enumerate(wanted):
        j = aligned[i]
        label = f"[{i}] {item['author']}"
        if j is None:
            for check in COMMENT_CHECKS:
                score.check(f"{label} {check}", False, "no parsed comment")
            continue
        comment, text = comments[j], texts[j]
        want_author = clean(item["author"])
        score.check(
            f"{label} author",
            clean(comment.author) == want_author,
            f"{comment.author!r}",
        )
        score.check(f"{label} depth", comment.depth == item["depth"], f"{comment.depth}")
        score.check(
            f"{label} time", _time_met(item["time"], comment.created_at), f"{comment.created_at}"
        )
        start, end = clean(item["text_start"]), clean(item["text_end"])
        score.check(f"{label} text_start", _starts_right(start, text), f"{text[:60]!r}")
        score.check(f"{label} text_end", text.endswith(end), f"...{text[-60:]!r}")
        parent = index_of.get(comment.parent_id) if comment.parent_id else None
        want_parent = aligned[item["reply_to"]] if item["reply_to"] is not None else None
        ok = parent == want_parent and (item["reply_to"] is None or want_parent is not None)
        score.check(f"{label} reply_to", ok, f"parent {parent}, wanted {want_parent}")
    for piece in expected["furniture"]:
        inside = [j for j, c in enumerate(comments) if piece in c.text]
        score.check(f"furniture {piece!r}", not inside, f"in comment(s) {inside}")
    matched = {j for j in aligned if j is not None}
    for j, text in enumerate(texts):
        own = aligned.index(j) if j in matched else None
        for k, item in enumerate(wanted):
            if k == own or aligned[k] is not None:
                continue
            if clean(item["text_start"]) in text[1:]:
                score.fused += 1
                score.misses.append(f"fused: comment {j} holds the start of expected [{k}]")
    return score


def run(split: str, page: str | None = None) -> list[PageScore]:
    folder = PAGES / split
    paths = sorted(folder.glob("*.txt"))
    if page:
        paths = [p for p in paths if p.stem == page]
    return [score_page(p) for p in paths]


def summary(scores: list[PageScore]) -> tuple[int, int, int]:
    return (
        sum(s.met for s in scores),
        sum(s.total for s in scores),
        sum(s.fused for s in scores),
    )


def table(scores: list[PageScore]) -> str:
    lines = ["| page | met | of | % | fused |", "|---|---:|---:|---:|---:|"]
    for s in scores:
        pct = 100 * s.met / s.total if s.total else 100.0
        lines.append(f"| {s.name} | {s.met} | {s.total} | {pct:.0f} | {s.fused} |")
    met, total, fused = summary(scores)
    lines.append(f"| **total** | **{met}** | **{total}** | **{100 * met / total:.1f}** | {fused} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "heldout"), default="dev")
    parser.add_argument("--page", help="score one page (its NAME)")
    parser.add_argument("--verbose", "-v", action="store_true", help="list every miss")
    parser.add_argument("--results", action="store_true", help="rewrite RESULTS.md's section")
    parser.add_argument(
        "--heading",
        choices=HEADINGS,
        help="the part of the section to write (default: the split); 'dev, before' is the dev "
        "half read by the parser before the inferred layouts",
    )
    args = parser.parse_args()
    scores = run(args.split, args.page)
    for s in scores:
        pct = 100 * s.met / s.total if s.total else 100.0
        print(f"{s.name:34} {s.met:4}/{s.total:<4} {pct:5.1f}%  fused {s.fused}")
        if args.verbose:
            for miss in s.misses:
                print(f"    {miss}")
    met, total, fused = summary(scores)
    print(
        f"{'total (' + args.split + ')':34} {met:4}/{total:<4} {100 * met / total:5.1f}%  "
        f"fused {fused}"
    )
    if args.results:
        write_results(args.split, scores, args.heading)


SECTION = "Page layouts (benchmarks/page_layouts.py)"


HEADINGS = ("dev, before", "dev", "heldout")


def part_text(scores: list[PageScore]) -> str:
    """One part of a results section: the totals, then the table of pages."""
    met, total, fused = summary(scores)
    slowest = max(scores, key=lambda s: s.seconds)
    return (
        f"{len(scores)} pages, measured {date.today().isoformat()}: **{met} of {total} "
        f"expectations met ({100 * met / total:.1f}%), {fused} fused comments**; slowest page "
        f"{slowest.seconds * 1000:.0f} ms.\n\n{table(scores)}"
    )


def write_results(split: str, scores: list[PageScore], heading: str | None = None) -> None:
    """Rewrite this split's part of the section (under ``heading``, the split's name by
    default), keeping the other parts."""
    intro = (
        "The page-dump reader on the page corpus (benchmarks/pages: invented pages in 30 site "
        "families, each with its expected parse, split into a half developed on and a held-out "
        "half). Each page is read with `read_export`, as `moderation parse` reads it; what counts "
        "as an expectation met is in the script's docstring. *dev, before* is the dev half read "
        "by the parser as it was before the inferred layouts (commit 396106e: the known shapes "
        f"only); *heldout* was run once, at the end. Machine: {describe()}."
    )
    replace_parts(SECTION, intro, heading or split, part_text(scores), HEADINGS)


if __name__ == "__main__":
    main()
