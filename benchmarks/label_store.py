"""The label store under load: decisions into it over HTTP, and a store of a million labels.

    python benchmarks/label_store.py [--seconds 15] [--repeat 3] [--labels 1000000]
                                     [--workers 1 2] [--keep-store PATH] [--results]

1. **Decisions per second**: `moderation serve --labels STORE` (shipped model, 127.0.0.1)
   taking Coral's ``comments:suggestscore`` from 32 connections (``wrk -t2 -c32 --latency``)
   for ``--seconds``; every request a new decision (its own ``clientToken``, real comment texts
   from ``../shared/datasets`` when present, else invented ones), so every request is one
   transaction that writes. Requests/s and wrk's latency percentiles; afterwards the store is
   opened and its rows counted against wrk's 2xx answers. With ``--workers`` 1 and 2, each
   ``--repeat`` times (the machine is shared: the median run is the headline, all are listed).
2. **A store of ``--labels`` labels**: built once through ``LabelStore.add`` (moderators'
   answers and corrections, undos, skips, platform decisions, disagreements: about 85% of
   rows are labels of distinct comments), kept at ``--keep-store`` to reuse. Then, in a fresh
   process each time (5 times, the median reported): open the store and read the current
   answer of every comment (``LabelStore(...).current_answers()``), and for comparison the
   labels training reads (``labels(disagreements=True)``, every text included).

wrk runs on the same machine and takes its share of the 2 cores. ``--results`` rewrites the
section "Label store (benchmarks/label_store.py)" of RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _machine import describe  # noqa: E402
from results import replace_section  # noqa: E402
from serve import Server, _ms  # noqa: E402
from speed import available_datasets, real_texts  # noqa: E402

from moderation.datasets.recipes import default_datasets_dir  # noqa: E402
from moderation.labels.record import LabelRecord  # noqa: E402
from moderation.labels.store import LabelStore  # noqa: E402

SUGGEST = "/v1alpha1/comments:suggestscore"
LUA = """
local bodies = {}
for line in io.lines("BODIES") do bodies[#bodies + 1] = line end
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local i = 0
request = function()
  i = i + 1
  local body = bodies[(i % #bodies) + 1]:gsub("TOKEN", tid .. "-" .. i)
  return wrk.format("POST", "PATH", {["Content-Type"] = "application/json"}, body)
end
"""


def decision_bodies(folder: Path, texts: list[str]) -> Path:
    path = folder / "decisions.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for n, text in enumerate(texts[:20_000]):
            body = {
                "comment": {"text": text.encode("utf-8")[:4000].decode("utf-8", "ignore")},
                "attributeScores": {"TOXICITY": {"summaryScore": {"value": n % 2}}},
                "communityId": "Coral:https://news.example",
                "clientToken": "comment:TOKEN",
                "context": {"entries": [{"text": json.dumps({"url": f"https://n.ex/{n % 97}"})}]},
            }
            out.write(json.dumps(body) + "\n")
    return path


def decisions(workers: int, bodies: Path, seconds: int, folder: Path, run: int) -> dict:
    store = folder / f"decisions-{workers}-{run}.db"  # a new store each run
    server = Server(workers, extra=["--labels", str(store)])
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(LUA.replace("BODIES", str(bodies)).replace("PATH", SUGGEST))
        command = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", "-s", script.name]
        output = subprocess.run(
            [*command, f"http://127.0.0.1:{server.port}{SUGGEST}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        Path(script.name).unlink()
    finally:
        server.stop()
    total = int(re.search(r"(\d+) requests in", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    with LabelStore(store, create=False) as opened:
        rows = len(opened)
    return {
        "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "latency": {p: _ms(v) for p, v in re.findall(r"^\s+(50|90|99)%\s+(\S+)$", output, re.M)},
        "requests": total,
        "non_2xx": int(bad.group(1)) if bad else 0,
        "rows": rows,
        "errors": (re.search(r"Socket errors:(.*)$", output, re.M) or [None, ""])[1].strip(),
    }


def build_store(path: Path, labels: int, texts: list[str]) -> float:
    """A store of about ``labels`` rows, as a site's history might look."""
    rng = random.Random(7)
    names = [f"moderator{n}" for n in range(12)]
    kinds = ("civil", "abusive", "conspiracy")

    def rows():
        made = 0
        comment = 0
        while made < labels:
            comment += 1
            cid, text = f"c{comment}", texts[comment % len(texts)][:600]
            roll = rng.random()
            who = rng.choice(names)
            if roll < 0.06:  # the platform decided
                yield LabelRecord(
                    id=cid,
                    label=rng.choice(kinds[:2]),
                    text=text,
                    labeller="platform:site",
                    role="platform",
                )
                made += 1
                continue
            yield LabelRecord(id=cid, label=rng.choice(kinds), text=text, labeller=who)
            made += 1
            if roll < 0.10:  # corrected by the same moderator (the old line's rules)
                yield LabelRecord(
                    id=cid, label=rng.choice(kinds), text=text, labeller=who, corrects="civil"
                )
                made += 1
            elif roll < 0.12:  # a second moderator
                yield LabelRecord(
                    id=cid, label=rng.choice(kinds), text=text, labeller=rng.choice(names)
                )
                made += 1
            elif roll < 0.14:  # undone, then skipped
                yield LabelRecord(id=cid, action="undo", labeller=who)
                yield LabelRecord(id=cid, action="skip", text=text, labeller=who)
                made += 2

    started = time.perf_counter()
    with LabelStore(path) as store:
        batch: list[LabelRecord] = []
        for record in rows():
            batch.append(record)
            if len(batch) == 50_000:
                store.add(batch)
                batch = []
        if batch:
            store.add(batch)
        store.checkpoint()
    return time.perf_counter() - started


PROBE = """
import sys, time
started = time.perf_counter()
from moderation.labels.store import LabelStore
imported = time.perf_counter()
store = LabelStore(sys.argv[1], create=False)
answers = store.current_answers()
answered = time.perf_counter()
if sys.argv[2] == "labels":
    labels = store.labels(disagreements=True)
done = time.perf_counter()
print(imported - started, answered - imported, done - answered, len(answers))
"""


def open_and_read(path: Path, what: str) -> list[tuple[float, float, float, int]]:
    runs = []
    for _ in range(5):
        out = subprocess.run(
            [sys.executable, "-c", PROBE, str(path), what], capture_output=True, text=True
        )
        if out.returncode:
            raise SystemExit(out.stderr)
        first, second, third, count = out.stdout.split()
        runs.append((float(first), float(second), float(third), int(count)))
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each decisions test")
    parser.add_argument("--labels", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--keep-store", type=Path, help="build the big store here (or reuse it)")
    parser.add_argument("--from", dest="source", type=Path, default=None)
    parser.add_argument("--results", action="store_true")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="label-store-"))
    source = args.source or default_datasets_dir()
    names = available_datasets(source)[0][:3] if source.is_dir() else []
    texts = real_texts(source, names) if names else []
    kind = "real comments from the local datasets" if texts else "invented comments"
    if not texts:
        texts = [f"An invented comment number {n} about the ferry timetable." for n in range(5000)]
    lines = [
        f"`python benchmarks/label_store.py --seconds {args.seconds} --repeat {args.repeat} "
        f"--labels {args.labels}` on "
        f"{describe()}; load average {os.getloadavg()[0]:.1f} at the start (the 2 cores "
        "shared with other developers' work and with wrk).",
        "",
    ]
    bodies = decision_bodies(folder, texts)
    for workers in args.workers:
        runs = []
        for run in range(args.repeat):
            before = os.getloadavg()[0]
            found = decisions(workers, bodies, args.seconds, folder, run)
            found["load"] = (before, os.getloadavg()[0])
            runs.append(found)
        runs.sort(key=lambda r: r["rate"])
        found = runs[len(runs) // 2]
        p = found["latency"]
        lines.append(
            f"- Decisions (`serve --labels`, {workers} worker(s), 32 connections, each a new "
            f"decision, {kind}), the median of {len(runs)} runs of {args.seconds} s: "
            f"**{found['rate']:,.0f}/s**, p50 {p.get('50', 0):.1f} ms, p90 "
            f"{p.get('90', 0):.1f} ms, p99 {p.get('99', 0):.1f} ms; {found['requests']:,} "
            f"requests, {found['non_2xx']} non-2xx, {found['rows']:,} rows in the store "
            "afterwards (the requests in flight when wrk stopped are written too)"
            f"{'; socket errors ' + found['errors'] if found['errors'] else ''}. All runs: "
            + "; ".join(
                f"{r['rate']:,.0f}/s p99 {r['latency'].get('99', 0):.0f} ms (load "
                f"{r['load'][0]:.1f} -> {r['load'][1]:.1f})"
                for r in runs
            )
            + "."
        )
    store = args.keep_store or folder / "million.db"
    if not store.exists():
        seconds = build_store(store, args.labels, texts)
        lines.append(f"- The big store built through `LabelStore.add` in {seconds:.0f} s.")
    with LabelStore(store, create=False) as opened:
        rows, answered = len(opened), len(opened.current_answers())
    size = store.stat().st_size / 1e6
    current = open_and_read(store, "current")
    labels = open_and_read(store, "labels")
    median = statistics.median
    lines.append(
        f"- A store of {rows:,} rows ({answered:,} answered comments, {size:,.0f} MB), in a "
        f"fresh process, 5 times: open and the current answer of every comment **"
        f"{median(r[1] for r in current):.2f} s** median (runs "
        f"{', '.join(f'{r[1]:.2f}' for r in current)} s; importing the package "
        f"{median(r[0] for r in current):.2f} s before that); the labels training reads, "
        f"with their texts, {median(r[2] for r in labels):.2f} s more."
    )
    body = "\n".join(lines)
    print(body)
    if args.results:
        replace_section("Label store (benchmarks/label_store.py)", body)
    shutil.rmtree(folder, ignore_errors=True)  # the decisions' stores (and the big one, unkept)


if __name__ == "__main__":
    main()
