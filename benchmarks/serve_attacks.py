"""The red team's attacks on `moderation serve` (idle and slowloris connections, stalled bodies,
unread answers, clients hanging up), measured: does a real client still get /healthz, the
server's peak RSS, and how much it logs.

    python benchmarks/serve_attacks.py [--compare CHECKOUT] [--results]

Each attack gets a fresh keyless server on 127.0.0.1 with the shipped default model, started
under ``prlimit --nofile=1024:1024`` (systemd's default soft limit) as the red team did.
``--compare`` runs the same attacks on another checkout of the code (for example the commit
before the fixes, from ``git archive``) in the same run. ``--results`` writes the section
"Serving under attack (benchmarks/serve_attacks.py)" of RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _machine import describe  # noqa: E402
from results import replace_section  # noqa: E402

PORT = 23990
SCORE = b"POST /v1/score HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"


class Server:
    def __init__(self, checkout: Path, log: Path):
        env = {**os.environ, "PYTHONPATH": str(checkout), "MODERATION_HOME": str(log.parent)}
        self.log = log
        self.process = subprocess.Popen(
            ["prlimit", "--nofile=1024:1024", sys.executable, "-m", "moderation", "serve"]
            + ["--port", str(PORT)],
            cwd=checkout,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for _ in range(300):
            if healthz(5) is not None:
                return
            time.sleep(0.3)
        raise RuntimeError(log.read_text())

    def rss_mb(self) -> float:
        pid = self.child()
        with open(f"/proc/{pid}/status") as status:
            return int(next(x for x in status if x.startswith("VmRSS:")).split()[1]) / 1024

    def child(self) -> int:
        """The server's pid (prlimit execs it, so the same)."""
        return self.process.pid

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def healthz(timeout: float = 10) -> float | None:
    """Seconds /healthz took, None if it failed."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=timeout) as r:
            r.read()
    except OSError:
        return None
    return time.perf_counter() - started


def connections(count: int, first: bytes = b"") -> list[socket.socket]:
    opened = []
    for _ in range(count):
        try:
            sock = socket.create_connection(("127.0.0.1", PORT), timeout=5)
            if first:
                sock.sendall(first)
        except OSError:
            break
        opened.append(sock)
    return opened


def probes(seconds: float, trickle: list[socket.socket] = ()) -> str:
    """/healthz every second for ``seconds``: 'answered/asked (slowest s)'."""
    times = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for sock in trickle:
            try:
                sock.send(b"a")
            except OSError:
                pass
        times.append(healthz(5))
        time.sleep(1)
    answered = [t for t in times if t is not None]
    slowest = f" (slowest {max(answered):.2f} s)" if answered else ""
    return f"{len(answered)}/{len(times)}{slowest}"


def idle_attack(server: Server) -> dict:
    idle = connections(1100)
    result = {"idle: /healthz answered": probes(15)}
    for sock in idle:
        sock.close()
    trickling = connections(1100, SCORE + b"X-a: ")
    result["slowloris: /healthz answered"] = probes(15, trickling)
    for sock in trickling:
        sock.close()
    return result


def stalled_bodies(server: Server) -> dict:
    before = server.rss_mb()
    head = SCORE + b"Content-Length: 1000000\r\n\r\n"
    body = b'{"comments":[' + b'{"text":"aaaa"},' * 61000
    stalled, peak = [], before
    for _ in range(400):
        sock = socket.create_connection(("127.0.0.1", PORT))
        try:
            sock.sendall(head + body[:990_000])
        except OSError:
            pass
        stalled.append(sock)
        peak = max(peak, server.rss_mb())
    for _ in range(20):
        time.sleep(1)
        peak = max(peak, server.rss_mb())
    held = server.rss_mb()
    answers = {"503": 0, "408": 0}
    for sock in stalled:
        sock.setblocking(False)
        try:
            first = sock.recv(12)
        except OSError:
            first = b""
        for code in answers:
            answers[code] += first.startswith(b"HTTP/1.1 " + code.encode())
        sock.close()
    return {
        "400 stalled 1 MB bodies: RSS MB before / peak / 20 s on": (
            f"{before:.0f} / {peak:.0f} / {held:.0f}"
        ),
        "stalled bodies answered 503 / 408": f"{answers['503']} / {answers['408']}",
    }


def unread_answers(server: Server) -> dict:
    comments = [{"text": f"Comment {i} about the bins and the car park."} for i in range(10_000)]
    batch = json.dumps({"comments": comments, "explain": True}).encode()
    before, peak = server.rss_mb(), 0.0
    clients = []
    for _ in range(12):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", PORT))
        sock.sendall(SCORE + b"Content-Length: %d\r\n\r\n" % len(batch) + batch)
        clients.append(sock)
    for _ in range(40):
        time.sleep(1)
        peak = max(peak, server.rss_mb())
    for sock in clients:
        sock.close()
    return {"12 unread explain answers: RSS MB before / peak": f"{before:.0f} / {peak:.0f}"}


def hang_ups(server: Server) -> dict:
    size = server.log.stat().st_size
    sent = 0
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.create_connection(("127.0.0.1", PORT), timeout=5) as sock:
            sock.sendall(SCORE + b"Content-Length: 100\r\n\r\n{")
        sent += 1
    time.sleep(1)
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/metrics", timeout=10) as r:
        text = r.read().decode()
    fives = sum(
        int(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("moderation_requests_total") and 'status="500"' in line
    )
    grown = server.log.stat().st_size - size
    return {
        "10 s of hang-ups mid-body: requests / log bytes / 500s counted": (
            f"{sent:,} / {grown:,} / {fives:,}"
        )
    }


def measure(checkout: Path) -> dict:
    results: dict = {}
    with tempfile.TemporaryDirectory() as folder:
        for attack in (idle_attack, stalled_bodies, unread_answers, hang_ups):
            server = Server(checkout, Path(folder) / f"{attack.__name__}.log")
            try:
                results.update(attack(server))
            finally:
                server.stop()
            print(f"{checkout}: {attack.__name__} done", file=sys.stderr)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", type=Path, help="another checkout, measured first")
    parser.add_argument("--results", action="store_true", help="write RESULTS.md's section")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    runs = {}
    if args.compare:
        runs["before (--compare)"] = measure(args.compare.resolve())
    runs["this checkout"] = measure(HERE.parent)
    names = list(runs)
    rows = [f"| attack | {' | '.join(names)} |", "|---" * (len(names) + 1) + "|"]
    for key in runs[names[-1]]:
        rows.append(f"| {key} | {' | '.join(str(runs[n].get(key, '')) for n in names)} |")
    table = "\n".join(rows)
    print(table)
    if args.results:
        command = "python benchmarks/serve_attacks.py" + (" --compare OLD" if args.compare else "")
        threads = threading.active_count()
        replace_section(
            "Serving under attack (benchmarks/serve_attacks.py)",
            f"`{command}` on {describe()}; load average {load:.1f} at the start (a shared "
            f"machine: times are noisy). Each attack on a fresh keyless server under "
            f"`prlimit --nofile=1024:1024`, from one client process ({threads} thread).\n\n"
            + table,
        )


if __name__ == "__main__":
    main()
