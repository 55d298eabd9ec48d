"""`moderation flag --dask` on a local Dask cluster of 1 and 2 worker processes: rate, rate per
worker, worker and client memory, the rows checked against one process's, and from those, on
paper, a cluster for 1 billion comments.

    python benchmarks/dask_speed.py [--comments 10000000] [--workers 1 2] [--block-mb 32]
                                    [--from ../shared/datasets] [--no-check] [--keep] [--results]

The export is JSONL made by ``generate_export.generate(n, pool=...)`` from the real comment
texts of every dataset the project knows (as ``speed.py`` makes its exports), in
``benchmarks/_work/`` (deleted at the end unless ``--keep``). Each run is
``flag_files_on_dask([export], output=OUT.jsonl, summary=...)`` against a fresh
``LocalCluster(n_workers=N, threads_per_worker=1, processes=True)``; the time is from the call
to the renamed output (the cluster's start is timed apart). Memory: each worker process's
VmHWM (the kernel's peak), and the client's, read from /proc. Then (unless ``--no-check``) the
same export is flagged by one process (``flag_file(processes=1)``, timed: the rate a worker is
compared with) and every Dask output is compared with its rows byte for byte.
``--results`` rewrites the section "Dask (benchmarks/dask_speed.py)" of RESULTS.md.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _machine import describe  # noqa: E402
from generate_export import generate, write_jsonl  # noqa: E402
from results import replace_section  # noqa: E402
from speed import available_datasets, real_texts, same_bytes  # noqa: E402

from moderation.datasets.recipes import default_datasets_dir  # noqa: E402

SECTION = "Dask (benchmarks/dask_speed.py)"
WORK = HERE / "_work"
BILLION = 1_000_000_000


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _status_kib(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Peaks(threading.Thread):
    """The largest VmHWM seen per process, sampled every 0.2 s (a worker's peak is lost with
    the process, so it is read while the process lives)."""

    def __init__(self, pids: list[int]):
        super().__init__(daemon=True)
        self.pids, self.peaks, self.done = pids, dict.fromkeys(pids, 0), threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.2):
            for pid in self.pids:
                self.peaks[pid] = max(self.peaks[pid], _status_kib(pid, "VmHWM"))


def run(path: Path, comments: int, workers: int, block_mb: int) -> dict:
    from distributed import Client, LocalCluster

    from moderation.flagging.distributed import flag_files_on_dask

    out, summary = WORK / "dask-flagged.jsonl", WORK / "dask-summary.json"
    started = time.perf_counter()
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        memory_limit=0,
    )
    client = Client(cluster)
    startup = time.perf_counter() - started
    pids = list(client.run(os.getpid).values())
    peaks = Peaks(pids)
    peaks.start()
    load = os.getloadavg()[0]
    started = time.perf_counter()
    data, _ = flag_files_on_dask(
        [str(path)], "", output=out, summary=summary, client=client, block_bytes=block_mb << 20
    )
    seconds = time.perf_counter() - started
    peaks.done.set()
    peaks.join()
    client.close()
    cluster.close()
    with open(out, "rb") as fh:
        rows = sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b""))
    out.rename(WORK / f"dask-flagged-{workers}.jsonl")
    summary.unlink()
    if rows != comments:
        raise SystemExit(f"flag --dask wrote {rows:,} rows, expected {comments:,}")
    return {
        "workers": workers,
        "seconds": seconds,
        "startup": startup,
        "rate": comments / seconds,
        "partitions": data["partitions"],
        "worker_mb": max(peaks.peaks.values()) / 1024,
        "client_mb": _status_kib(os.getpid(), "VmHWM") / 1024,
        "load": load,
    }


def one_process(path: Path) -> dict:
    """The same export flagged by one process, timed, its rows kept for the comparison."""
    from moderation.flagging import flag_file

    out = WORK / "dask-one-process.jsonl"
    load = os.getloadavg()[0]
    started, cpu = time.perf_counter(), time.process_time()
    data, _ = flag_file(path, output=out, processes=1)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rate": data["written"] / seconds,
        "cpu": time.process_time() - cpu,
        "load": load,
        "out": out,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=10_000_000)
    parser.add_argument(
        "--no-check", action="store_true", help="do not flag in one process to compare rows"
    )
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--block-mb", type=int, default=32)
    parser.add_argument("--from", dest="root", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the generated export")
    parser.add_argument("--results", action="store_true")
    args = parser.parse_args()
    root = args.root or default_datasets_dir()
    if not root.is_dir():
        print(f"skipped: no datasets folder at {root} (give --from DIR)")
        return
    WORK.mkdir(exist_ok=True)
    path = WORK / f"dask-real-{args.comments}.jsonl"
    if not path.exists():
        names, _ = available_datasets(root)
        pool = list(dict.fromkeys(real_texts(root, names)))
        say(f"generating {args.comments:,} comments from {len(pool):,} real texts")
        write_jsonl(generate(args.comments, seed=0, pool=pool), path)
    size_mb = path.stat().st_size / 1e6
    results = []
    single = None
    try:
        for workers in args.workers:
            say(f"flag --dask local:{workers} on {path.name} ({size_mb:,.0f} MB)")
            results.append(run(path, args.comments, workers, args.block_mb))
            say(str(results[-1]))
        if not args.no_check:
            say(f"flag in one process on {path.name}, for the comparison")
            single = one_process(path)
            say(str(single))
            for r in results:
                r["same"] = same_bytes(WORK / f"dask-flagged-{r['workers']}.jsonl", single["out"])
    finally:
        for r in results:
            (WORK / f"dask-flagged-{r['workers']}.jsonl").unlink(missing_ok=True)
        if single is not None:
            single["out"].unlink(missing_ok=True)
        if not args.keep:
            path.unlink(missing_ok=True)
    rows = [
        "| workers | partitions | seconds | comments/s | per worker | per worker / one process "
        "| rows = one process's | peak worker MB | client MB | cluster start s | load (1 min) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        ratio = f"{r['rate'] / r['workers'] / single['rate']:.2f}" if single else "-"
        same = ("yes" if r["same"] else "**no**") if single else "not checked"
        rows.append(
            f"| {r['workers']} | {r['partitions']} | {r['seconds']:.0f} | **{r['rate']:,.0f}** "
            f"| {r['rate'] / r['workers']:,.0f} | {ratio} | {same} | {r['worker_mb']:.0f} "
            f"| {r['client_mb']:.0f} | {r['startup']:.1f} | {r['load']:.1f} |"
        )
    if single:
        rows.append(
            f"\nOne process (`flag_file(processes=1)`, the reference): {single['seconds']:.0f} s, "
            f"**{single['rate']:,.0f}** comments/s, load {single['load']:.1f} at its start."
        )
    best = max(results, key=lambda r: r["rate"] / r["workers"])
    worst = min(results, key=lambda r: r["rate"] / r["workers"])
    per_worker = worst["rate"] / worst["workers"]  # the cautious figure
    hour = math.ceil(BILLION / (per_worker * 3600))
    paper = (
        f"On paper, from the lower per-worker rate ({per_worker:,.0f} comments/s; the best was "
        f"{best['rate'] / best['workers']:,.0f}): 1 billion comments take "
        f"{BILLION / per_worker / 3600:,.0f} worker-hours, so about **{hour} workers for one "
        f"hour** (or {math.ceil(hour / 2)} for two), each with ~{worst['worker_mb']:.0f} MB "
        f"at {args.block_mb} MB blocks, if the workers scale as 1 -> 2 did here and the input "
        "is split into many files or blocks. The client plans blocks alone: it holds one "
        "(thread, position) pair per run of a thread (about one per thread in an export "
        "grouped by thread: ~40 million for 1 billion comments in threads of 25, a few GB), "
        "and writes `-o FILE` alone; at that scale use `-o DIR/` (parts written as they come)."
    )
    body = (
        f"Machine: {describe()}. Command: `python benchmarks/dask_speed.py --comments "
        f"{args.comments} --workers {' '.join(map(str, args.workers))} --block-mb "
        f"{args.block_mb}`. Export: {args.comments:,} comments of real texts, "
        f"{size_mb:,.0f} MB JSONL. The workers share the machine's two cores with the client "
        "and the scheduler.\n\n" + "\n".join(rows) + "\n\n" + paper
    )
    print(body)
    if args.results:
        replace_section(SECTION, body)
        say("wrote the section to RESULTS.md")


if __name__ == "__main__":
    main()
