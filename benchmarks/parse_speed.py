"""Parsing speed and memory: generated exports of 10k, 100k and 1M comments in JSONL, CSV and
WordPress WXR, each read in a fresh process (the reader with depths and quote detection, as
`moderation parse` does), then `moderation parse -o` end to end on the largest.

    python benchmarks/parse_speed.py [--sizes 10000 100000 1000000] [--compare /tmp/old]
                                     [--repeat 3] [--results]

Targets (issue 28): `parse -o` >= 100,000 comments/s for JSONL and CSV, >= 30,000 for WXR;
peak memory under 300 MB and flat in file size. With `--compare OLD` (a checkout of older code)
every measurement runs the old code too, right after the new one, so both meet the same load;
the figures include CPU seconds, which load distorts least. `--results` rewrites the parse
section of RESULTS.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _code import child_options  # noqa: E402
from _machine import describe  # noqa: E402
from generate_export import WRITERS, generate  # noqa: E402
from results import replace_section  # noqa: E402

HERE = Path(__file__).parent
WORK = HERE / "_work"
FORMATS = ("jsonl", "csv", "wxr")

MEASURE = """
import json, resource, sys, time
from moderation.comments import Comment
from moderation.formats import read_export
started, cpu = time.perf_counter(), time.process_time()
comments = sum(1 for record in read_export(sys.argv[1]) if isinstance(record, Comment))
seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"comments": comments, "seconds": seconds, "peak_mb": usage.ru_maxrss / 1024,
                  "cpu": cpu}))
"""


MEASURE_READER_ONLY = """
import json, resource, sys, time
from moderation.comments import Comment
from moderation.formats import FORMATS, ParseReport, ReadOptions, detect_format
from moderation.formats.source import Source
source = Source(sys.argv[1], ParseReport(sys.argv[1]))
started, cpu = time.perf_counter(), time.process_time()
records = FORMATS[detect_format(source)].read(source, ReadOptions())
comments = sum(1 for record in records if isinstance(record, Comment))
seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"comments": comments, "seconds": seconds, "peak_mb": usage.ru_maxrss / 1024,
                  "cpu": cpu}))
"""


_POOL: list[str] = []


def real_pool() -> list[str]:
    """The distinct comment texts of the local datasets (empty without them)."""
    if not _POOL:
        from speed import available_datasets, real_texts

        from moderation.datasets.recipes import default_datasets_dir

        root = default_datasets_dir()
        if root.is_dir():
            names, _ = available_datasets(root)
            _POOL.extend(dict.fromkeys(real_texts(root, names)))
    return _POOL


def export(fmt: str, size: int) -> Path:
    """A generated export of real comment texts (invented ones without the datasets)."""
    WORK.mkdir(exist_ok=True)
    pool = real_pool()
    path = WORK / f"gen-{'real' if pool else 'invented'}-{size}.{fmt}"
    if not path.exists():
        WRITERS[fmt](generate(size, seed=0, pool=pool or None), path)
    return path


def measure(path: Path, script: str = MEASURE, code: Path | None = None) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", script, str(path.resolve())],
        check=True,
        capture_output=True,
        text=True,
        **child_options(code),
    ).stdout
    return json.loads(out)


def end_to_end(path: Path, code: Path | None = None) -> dict:
    out = (WORK / "parsed.jsonl").resolve()
    command = [sys.executable, "-m", "moderation", "parse", str(path.resolve()), "-o", str(out)]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **child_options(code)
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed")
    with open(out, "rb") as fh:
        digest, lines = hashlib.sha256(), 0
        for line in fh:
            digest.update(line)
            lines += 1
    out.unlink()
    return {
        "digest": digest.hexdigest(),
        "comments": lines,
        "seconds": seconds,
        "peak_mb": usage.ru_maxrss / 1024,
        "cpu": usage.ru_utime + usage.ru_stime,
    }


def row(fmt: str, m: dict, old: dict | None) -> str:
    rate = m["comments"] / m["seconds"]
    line = (
        f"| {fmt} | {m['comments']:,} | {m['seconds']:.1f} | {rate:,.0f} | "
        f"{m['cpu'] / m['comments'] * 1e6:.1f} | **{m['comments'] / m['cpu']:,.0f}** | "
        f"{m['peak_mb']:.0f} | {os.getloadavg()[0]:.1f} |"
    )
    if old is not None:
        old_rate = old["comments"] / old["seconds"]
        line += (
            f" {old_rate:,.0f} | {old['cpu'] / old['comments'] * 1e6:.1f} | "
            f"{old['comments'] / old['cpu']:,.0f} | {old['peak_mb']:.0f} | "
            f"{old['cpu'] / m['cpu']:.2f} |"
        )
        if "digest" in m:
            line += f" {'yes' if m['digest'] == old['digest'] else '**no**'} |"
    print(line, flush=True)
    return line


def least_cpu(run: Callable[[Path | None], dict], old: Path | None, repeat: int) -> tuple:
    """The run of the new code (and of the old, when given) with the least CPU, of ``repeat``
    each, new and old alternating so both meet the same load."""
    new_runs, old_runs = [], []
    for _ in range(repeat):
        new_runs.append(run(code=None))
        if old is not None:
            old_runs.append(run(code=old))
    best = min(new_runs, key=lambda m: m["cpu"])
    return best, min(old_runs, key=lambda m: m["cpu"]) if old_runs else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument(
        "--compare", type=Path, default=None, help="a checkout of older code to run beside"
    )
    parser.add_argument("--results", action="store_true", help="update RESULTS.md")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each; the one with the least CPU counts"
    )
    args = parser.parse_args()
    old = args.compare
    rows = []
    for fmt in FORMATS:
        for size in args.sizes:
            path = export(fmt, size)
            rows.append(row(fmt, *least_cpu(partial(measure, path), old, args.repeat)))
    biggest = max(args.sizes)
    bare = []
    for fmt in FORMATS:
        path = export(fmt, biggest)
        bare.append(
            row(fmt, *least_cpu(partial(measure, path, MEASURE_READER_ONLY), old, args.repeat))
        )
    e2e = []
    for fmt in FORMATS:
        path = export(fmt, biggest)
        e2e.append(row(fmt, *least_cpu(partial(end_to_end, path), old, args.repeat)))
    head = (
        "| format | comments | seconds | comments/s | CPU us/comment | comments per CPU s "
        "| peak RSS MB | load |"
    )
    line = "|---|---|---|---|---|---|---|---|"
    if old:
        head += (
            " old code: comments/s | CPU us/comment | comments per CPU s | peak MB | old/new CPU |"
        )
        line += "---|---|---|---|---|"
    e2e_head, e2e_line = (head + " rows same |", line + "---|") if old else (head, line)
    text = "\n".join(
        [
            f"Machine: {describe()}.",
            "Command: `python benchmarks/parse_speed.py --results"
            + (
                ""
                if args.sizes == parser.get_default("sizes")
                else " --sizes " + " ".join(map(str, args.sizes))
            )
            + (f" --compare {old}" if old else "")
            + (f" --repeat {args.repeat}" if args.repeat != 3 else "")
            + "`. Generated exports (`generate_export.generate(n, seed=0, pool=...)`) of "
            + (
                f"{len(real_pool()):,} real comment texts from the local datasets"
                if real_pool()
                else "invented texts (no datasets here)"
            )
            + ": threads of 5-40 comments, half of them replies, 1 in 10 replies quoting "
            "its parent. Generated files are kept in benchmarks/_work. Each row is the run "
            f"with the least CPU (user + system) of {args.repeat}"
            + (
                ", new and old code alternating; old/new CPU above 1 means the new code "
                "uses less; 'rows same' compares the two outputs byte for byte"
                if old
                else ""
            )
            + ". CPU is the figure load distorts least: on a free core, comments/s is "
            "about comments per CPU second.",
            "",
            "Reader (`read_export`: parse, depths, quote detection), one fresh process per row:",
            "",
            head,
            line,
            *rows,
            "",
            "The format's reader alone (no depths, no quote detection), to show what those cost:",
            "",
            head,
            line,
            *bare,
            "",
            "`moderation parse INPUT -o OUT.jsonl` end to end (read + write canonical JSONL):",
            "",
            e2e_head,
            e2e_line,
            *e2e,
        ]
    )
    if args.results:
        replace_section("Parsing speed and memory (issue 2)", text)


if __name__ == "__main__":
    main()
