"""Parsing speed and memory: generated exports of 10k, 100k and 1M comments in JSONL, CSV and
WordPress WXR, each read in a fresh process (the reader with depths and quote detection, as
`moderation parse` does), then `moderation parse -o` end to end on the largest.

    python benchmarks/parse_speed.py [--sizes 10000 100000 1000000] [--results]

Targets (issue 2): JSONL and CSV >= 150,000 comments/s, WXR >= 30,000 comments/s, peak memory
under 300 MB and flat in file size. `--results` rewrites the parse section of RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _machine import describe  # noqa: E402
from results import replace_section  # noqa: E402

HERE = Path(__file__).parent
WORK = HERE / "_work"
FORMATS = ("jsonl", "csv", "wxr")

MEASURE = """
import json, resource, sys, time
from moderation.comments import Comment
from moderation.formats import read_export
started = time.perf_counter()
comments = sum(1 for record in read_export(sys.argv[1]) if isinstance(record, Comment))
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"comments": comments, "seconds": seconds, "peak_mb": peak}))
"""


MEASURE_READER_ONLY = """
import json, resource, sys, time
from moderation.comments import Comment
from moderation.formats import FORMATS, ParseReport, ReadOptions, detect_format
from moderation.formats.source import Source
source = Source(sys.argv[1], ParseReport(sys.argv[1]))
started = time.perf_counter()
records = FORMATS[detect_format(source)].read(source, ReadOptions())
comments = sum(1 for record in records if isinstance(record, Comment))
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"comments": comments, "seconds": seconds, "peak_mb": peak}))
"""


def export(fmt: str, size: int) -> Path:
    WORK.mkdir(exist_ok=True)
    path = WORK / f"gen-{size}.{fmt}"
    if not path.exists():
        subprocess.run(
            [
                sys.executable,
                str(HERE / "generate_export.py"),
                "--format",
                fmt,
                "--comments",
                str(size),
                "-o",
                str(path),
            ],
            check=True,
        )
    return path


def measure(path: Path, script: str = MEASURE) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", script, str(path)], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out)


def end_to_end(path: Path) -> dict:
    out = WORK / "parsed.jsonl"
    command = [sys.executable, "-m", "moderation", "parse", str(path), "-o", str(out)]
    started = time.perf_counter()
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *command], check=True, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    peak = int(result.stderr.strip().splitlines()[-1]) / 1024
    lines = sum(1 for _ in open(out, "rb"))
    out.unlink()
    return {"comments": lines, "seconds": seconds, "peak_mb": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--results", action="store_true", help="update RESULTS.md")
    args = parser.parse_args()
    rows = []
    for fmt in FORMATS:
        for size in args.sizes:
            m = measure(export(fmt, size))
            rate = m["comments"] / m["seconds"]
            rows.append(
                f"| {fmt} | {m['comments']:,} | {m['seconds']:.1f} | {rate:,.0f} | "
                f"{m['peak_mb']:.0f} |"
            )
            print(rows[-1], flush=True)
    biggest = max(args.sizes)
    bare = []
    for fmt in FORMATS:
        m = measure(export(fmt, biggest), MEASURE_READER_ONLY)
        bare.append(
            f"| {fmt} | {m['comments']:,} | {m['seconds']:.1f} | "
            f"{m['comments'] / m['seconds']:,.0f} | {m['peak_mb']:.0f} |"
        )
        print(bare[-1], flush=True)
    e2e = []
    for fmt in FORMATS:
        m = end_to_end(export(fmt, biggest))
        e2e.append(
            f"| {fmt} | {m['comments']:,} | {m['seconds']:.1f} | "
            f"{m['comments'] / m['seconds']:,.0f} | {m['peak_mb']:.0f} |"
        )
        print(e2e[-1], flush=True)
    text = "\n".join(
        [
            f"Machine: {describe()}.",
            "Command: `python benchmarks/parse_speed.py --results"
            + (
                ""
                if args.sizes == parser.get_default("sizes")
                else " --sizes " + " ".join(map(str, args.sizes))
            )
            + "`. Generated exports: threads "
            "of 5-40 comments, half of them replies, 1 in 20 quoting its parent.",
            "",
            "Reader (`read_export`: parse, depths, quote detection), one fresh process per row:",
            "",
            "| format | comments | seconds | comments/s | peak RSS MB |",
            "|---|---|---|---|---|",
            *rows,
            "",
            "The format's reader alone (no depths, no quote detection), to show what those cost:",
            "",
            "| format | comments | seconds | comments/s | peak RSS MB |",
            "|---|---|---|---|---|",
            *bare,
            "",
            "`moderation parse INPUT -o OUT.jsonl` end to end (read + write canonical JSONL):",
            "",
            "| format | comments | seconds | comments/s | peak RSS MB |",
            "|---|---|---|---|---|",
            *e2e,
        ]
    )
    if args.results:
        replace_section("Parsing speed and memory (issue 2)", text)


if __name__ == "__main__":
    main()
