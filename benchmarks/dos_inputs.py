"""Hostile inputs at growing sizes: time (and, for XML, peak memory) should grow linearly.

    python benchmarks/dos_inputs.py [--results]

Cases (issue 16's denial-of-service items): unclosed tags in an HTML comment body
(``'<p' * n``, ``'<script' * n``); a reply repeating a long parent made of one sentence
repeated (quote finding); elements nested n deep inside a WordPress comment (read through
``moderation parse``'s reader, in a fresh process so its peak RSS is its own). Each case runs at
four sizes, each double the last; the last column is the time ratio of the largest size to the
one before (2 is linear, 4 quadratic). ``--results`` writes the section "Hostile inputs
(benchmarks/dos_inputs.py)" of RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _machine import describe  # noqa: E402
from results import replace_section  # noqa: E402

from moderation.comments import Comment, Thread  # noqa: E402
from moderation.formats.html_text import html_to_text  # noqa: E402
from moderation.quotes import ConversationTracker  # noqa: E402

SENTENCE = "The council voted to close the library on Sundays last week. "
WXR = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
    'xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Site</title>'
    "<wp:wxr_version>1.2</wp:wxr_version><item><title>Post</title><wp:post_id>1</wp:post_id>"
    "<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_content>{body}"
    "</wp:comment_content></wp:comment></item></channel></rss>"
)
XML_CHILD = """
import json, sys, time
from moderation.formats import ParseReport, read_export
started = time.perf_counter()
records = list(read_export(sys.argv[1], report=ParseReport(sys.argv[1])))
seconds = time.perf_counter() - started
peak = [int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")][0]
print(json.dumps({"seconds": seconds, "peak_mb": peak / 1024, "records": len(records)}))
"""


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def quote_case(size: int) -> float:
    parent = SENTENCE * (size // len(SENTENCE))
    tracker = ConversationTracker()
    tracker.thread(Thread(id="t", title="x"))
    tracker.comment(Comment(id="a", thread_id="t", text=parent))
    reply = Comment(id="b", thread_id="t", parent_id="a", text=parent + "I disagree entirely.")
    return timed(lambda: tracker.comment(reply))


def xml_case(depth: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "nested.xml"
        path.write_text(WXR.format(body="<a>" * depth + "x" + "</a>" * depth))
        out = subprocess.run(
            [sys.executable, "-c", XML_CHILD, str(path)], capture_output=True, text=True, check=True
        )
    result = json.loads(out.stdout)
    return result["seconds"], result["peak_mb"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", action="store_true")
    args = parser.parse_args()
    rows = []

    def row(name: str, unit: str, sizes: list[int], measure) -> None:
        times, extra = [], []
        for size in sizes:
            value = measure(size)
            if isinstance(value, tuple):
                value, memory = value
                extra.append(f"{memory:.0f}")
            times.append(value)
        cells = ", ".join(f"{t:.3f}" for t in times)
        ratio = times[-1] / max(times[-2], 1e-9)
        memory = f" (peak RSS MB: {', '.join(extra)})" if extra else ""
        sizes_text = ", ".join(f"{s:,}" for s in sizes)
        rows.append(f"| {name}{memory} | {sizes_text} {unit} | {cells} | {ratio:.1f} |")
        print(rows[-1], flush=True)

    row(
        "html_to_text('<p' * n)",
        "n",
        [50_000, 100_000, 200_000, 400_000],
        lambda n: timed(lambda: html_to_text("<p" * n)),
    )
    row(
        "html_to_text('<script' * n)",
        "n",
        [50_000, 100_000, 200_000, 400_000],
        lambda n: timed(lambda: html_to_text("<script" * n)),
    )
    row(
        "quotes: reply repeating a parent of one repeated sentence",
        "chars",
        [100_000, 200_000, 400_000, 800_000],
        quote_case,
    )
    row(
        "WXR comment with elements nested n deep", "n", [25_000, 50_000, 100_000, 200_000], xml_case
    )
    table = "\n".join(
        ["| input | sizes | seconds at each size | last ratio |", "|---|---|---|---|", *rows]
    )
    body = (
        f"`python benchmarks/dos_inputs.py` on {describe()}. Each size doubles the last: a "
        f"ratio near 2 is linear, near 4 quadratic. Before the fixes (issue 16): '<p' * 40,000 "
        f"took 3.7 s and '<script' * 40,000 9.8 s; 200 KB of repeated sentences 17 s; 140 KB of "
        f"nested elements 1.6 GB.\n\n{table}\n"
    )
    print(body)
    if args.results:
        replace_section("Hostile inputs (benchmarks/dos_inputs.py)", body)


if __name__ == "__main__":
    main()
