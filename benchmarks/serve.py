"""`moderation serve` under load, driven by wrk (a real HTTP load generator, Debian's ``wrk``).

    python benchmarks/serve.py [--from ../shared/datasets] [--seconds 20] [--soak 300]
                               [--workers 1 2] [--compare /tmp/old] [--results]

1. **comments:analyze, one comment per request** (Coral's body: ``requestedAttributes:
   {"TOXICITY": {}}``), 32 concurrent connections (``wrk -t2 -c32 --latency``) for
   ``--seconds``, each request a different real comment (the texts of every dataset under
   ``--from``, cut to Perspective's 20,480 bytes), with the server's ``--workers`` 1 and 2.
   Requests/s and wrk's latency percentiles; any non-2xx answer is counted and reported.
2. **/v1/score, batches of 1,000 comments** (real texts, each cut to 900 characters so a batch
   stays under the 1 MB body limit), 2 connections: comments/s = requests/s x 1,000.
3. **Soak**: ``--soak`` seconds of (1) with the most workers, the server's memory (the sum of
   VmRSS over its process tree) sampled every 5 s: the first sample after 30 s against the last.

The server runs the shipped default model (``--model`` is the packaged ``models/default``) on
127.0.0.1, in a fresh process per run; wrk runs on the same machine and takes its share of the
2 cores. ``--results`` rewrites the section "Serving (benchmarks/serve.py)" of RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _code import child_options  # noqa: E402
from _machine import describe  # noqa: E402
from results import replace_section  # noqa: E402
from speed import _descendants, _status_kib, available_datasets, real_texts, say  # noqa: E402

from moderation.datasets.recipes import default_datasets_dir  # noqa: E402
from moderation.model.registry import shipped_model_dir  # noqa: E402

MAX_TEXT_BYTES = 20_480
BATCH = 1_000
ANALYZE = "/v1alpha1/comments:analyze"
LUA = """
local bodies = {}
for line in io.lines("BODIES") do bodies[#bodies + 1] = line end
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i + 1
  return wrk.format(nil, "PATH", nil, bodies[(i % #bodies) + 1])
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cut(text: str, limit: int) -> str:
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


class Server:
    def __init__(self, workers: int, extra: list[str] | None = None, code: Path | None = None):
        """``moderation serve`` with ``workers`` and ``extra`` arguments; the code at ``code``
        (through PYTHONPATH) if given."""
        self.port = free_port()
        model = shipped_model_dir()
        command = [sys.executable, "-m", "moderation", "serve", "--port", str(self.port)]
        command += ["--model", str(model), "--workers", str(workers), *(extra or [])]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **child_options(code)
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("the server did not come up in 60 s")

    def stop(self) -> int:
        self.process.terminate()
        return self.process.wait(timeout=60)


def write_bodies(folder: Path, texts: list[str]) -> tuple[Path, Path]:
    analyze = folder / "analyze.jsonl"
    with analyze.open("w", encoding="utf-8") as out:
        for text in texts[:50_000]:
            body = {
                "comment": {"text": cut(text, MAX_TEXT_BYTES)},
                "doNotStore": True,
                "requestedAttributes": {"TOXICITY": {}},
                "languages": ["en"],
            }
            out.write(json.dumps(body) + "\n")
    batches = folder / "score.jsonl"
    with batches.open("w", encoding="utf-8") as out:
        for start in range(0, min(len(texts), 40 * BATCH) - BATCH + 1, BATCH):
            chunk = [{"text": cut(t, 900)} for t in texts[start : start + BATCH]]
            out.write(json.dumps({"comments": chunk}) + "\n")
    return analyze, batches


def wrk(port: int, path: str, bodies: Path, *, connections: int, seconds: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA.replace("BODIES", str(bodies)).replace("PATH", path))
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name]
    output = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    Path(script.name).unlink()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {p: _ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)$", output, re.M)}
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors:(.*)$", output, re.M)
    return {
        "rate": rate,
        "latency": latency,
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1).strip() if errors else "",
    }


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def load() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def run(args: argparse.Namespace, analyze: Path, batches: Path) -> list[str]:
    lines = []
    for workers in args.workers:
        server = Server(workers)
        try:
            wrk(server.port, ANALYZE, analyze, connections=32, seconds=3)
            before = load()
            single = wrk(
                server.port,
                ANALYZE,
                analyze,
                connections=32,
                seconds=args.seconds,
            )
            batch = wrk(server.port, "/v1/score", batches, connections=2, seconds=args.seconds)
        finally:
            server.stop()
        latency = single["latency"]
        lines.append(
            f"| {workers} | {single['rate']:,.0f} | {latency['50']:.1f} | {latency['90']:.1f} "
            f"| {latency['99']:.1f} | {single['non_2xx']} | {batch['rate'] * BATCH:,.0f} "
            f"| {batch['latency']['99']:.0f} | {batch['non_2xx']} | {before} |"
        )
        if args.compare is not None:  # the older code's /v1/score right after, same load
            server = Server(workers, code=args.compare)
            try:
                wrk(server.port, "/v1/score", batches, connections=2, seconds=3)
                old = wrk(server.port, "/v1/score", batches, connections=2, seconds=args.seconds)
            finally:
                server.stop()
            lines[-1] += (
                f" {old['rate'] * BATCH:,.0f} | {batch['rate'] / max(old['rate'], 1e-9):.2f} |"
            )
        say(lines[-1])
    return lines


def soak(args: argparse.Namespace, analyze: Path) -> str:
    workers = max(args.workers)
    server = Server(workers)
    samples: list[tuple[float, int]] = []
    started = time.monotonic()
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(LUA.replace("BODIES", str(analyze)).replace("PATH", ANALYZE))
        command = ["wrk", "-t2", "-c32", f"-d{args.soak}s", "-s", script.name]
        load_generator = subprocess.Popen(
            [*command, f"http://127.0.0.1:{server.port}{ANALYZE}"],
            stdout=subprocess.PIPE,
            text=True,
        )
        while load_generator.poll() is None:
            time.sleep(5)
            samples.append((time.monotonic() - started, _tree_rss(server.process.pid)))
        output = load_generator.stdout.read()
        Path(script.name).unlink()
    finally:
        server.stop()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    first = next((kib for t, kib in samples if t >= 30), samples[0][1])
    during = [kib for _, kib in samples[:-1]] or [samples[-1][1]]
    return (
        f"Soak: {args.soak} s of comments:analyze at 32 connections, {workers} worker(s), "
        f"{rate:,.0f} requests/s: the server's RSS (its process tree) {first / 1024:.0f} MB "
        f"after 30 s, {during[-1] / 1024:.0f} MB at the end, largest sample "
        f"{max(during) / 1024:.0f} MB (sampled every 5 s)."
    )


def _tree_rss(pid: int) -> int:
    return sum(_status_kib(p, ("VmRSS:",)).get("VmRSS:", 0) for p in _descendants(pid))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="source", type=Path, default=None)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--soak", type=int, default=300, help="0: no soak")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--compare",
        type=Path,
        default=None,
        help="a checkout of older code: its /v1/score is measured right after, for the ratio",
    )
    parser.add_argument("--results", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    root = args.source or default_datasets_dir()
    names, _ = available_datasets(root) if root else ([], [])
    if not names:
        say(f"no local datasets under {root}: nothing to measure on")
        return
    texts = [t for t in real_texts(root, names) if t.strip()]
    say(f"{len(texts):,} real comment texts from {len(names)} datasets")
    with tempfile.TemporaryDirectory() as folder:
        analyze, batches = write_bodies(Path(folder), texts)
        lines = run(args, analyze, batches)
        soaked = soak(args, analyze) if args.soak else "No soak in this run."
    table = "\n".join(
        [
            "| workers | analyze req/s | p50 ms | p90 ms | p99 ms | non-2xx | /v1/score "
            "comments/s | batch p99 ms | non-2xx | load before |"
            + (" old code /v1/score comments/s | new/old |" if args.compare else ""),
            "|---|---|---|---|---|---|---|---|---|---|" + ("---|---|" if args.compare else ""),
            *lines,
        ]
    )
    body = (
        f"`python benchmarks/serve.py --seconds {args.seconds} --soak {args.soak}"
        + (f" --compare {args.compare}" if args.compare else "")
        + f"` on {describe()}.\n\n"
        f"comments:analyze with one real comment per request (Coral's body), 32 connections, "
        f"{args.seconds} s (`wrk -t2 -c32 --latency`); /v1/score with batches of {BATCH:,} "
        f"real comments, 2 connections. wrk shares the 2 cores with the server. Targets: "
        f">= 3,000 requests/s with p99 <= 20 ms; >= 50,000 comments/s in batches.\n\n"
        f"{table}\n\n{soaked}\n"
    )
    print(body)
    if args.results:
        replace_section("Serving (benchmarks/serve.py)", body)


if __name__ == "__main__":
    main()
