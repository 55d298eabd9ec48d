"""How fast the review page shows the next comment after an answer, on a large export.

Generates an export of invented comments (``generate_export.generate``, with invented rude and
conspiratorial sentences mixed in so some are flagged), starts `moderation review` on it with
the shipped model, then answers comments over HTTP (``POST /review/api/answer``: the answer
committed to the SQLite label store and on disk, the next comment leased, explained and sent
back) and, when
Chromium and its driver are installed, by key in a headless browser (key press to the next
comment on screen, measured by the page itself). Each is repeated three times; the best run's
figures are reported, with the load.

    python benchmarks/review_speed.py --comments 100000 [--answers 200] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _machine import describe  # noqa: E402
from generate_export import WORDS, generate  # noqa: E402
from results import replace_section  # noqa: E402

RUDE = [
    "you are a pathetic idiot",
    "what a brainless moron",
    "shut up you worthless loser",
    "nobody wants your stupid opinion",
]
PLOT = [
    "they are hiding the truth from us",
    "the flood was planned and covered up",
    "the council is secretly controlled",
    "the numbers are faked by the people in charge",
]


def invented_pool(n: int = 4000, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    pool = []
    for _ in range(n):
        words = " ".join(rng.choices(WORDS, k=rng.randint(6, 20))).capitalize() + "."
        roll = rng.random()
        if roll < 0.08:
            words += " " + rng.choice(RUDE).capitalize() + "."
        elif roll < 0.14:
            words += " " + rng.choice(PLOT).capitalize() + "."
        pool.append(words)
    return pool


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(base: str, path: str, body: dict | None = None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"} if body is not None else {}
    request = urllib.request.Request(base + path, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def answer_over_http(base: str, labeller: str, n: int) -> list[float]:
    """Milliseconds from sending an answer to having the next comment, ``n`` times."""
    state = call(base, "/review/api/state", {"labeller": labeller})
    timings = []
    choices = ["civil", "abusive", "civil", "conspiracy", "skip"]
    for i in range(n):
        if state["item"] is None:
            break
        body = {"labeller": labeller, "id": state["item"]["id"], "answer": choices[i % 5]}
        started = time.perf_counter()
        state = call(base, "/review/api/answer", body)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def answer_in_browser(base: str, labeller: str, n: int) -> list[float] | None:
    """Milliseconds from a key press to the next comment on screen, as the page measures it."""
    browser, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not browser or not driver:
        return None
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains

    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    session = webdriver.Chrome(options=options, service=Service(driver))
    try:
        session.get(f"{base}/review?labeller={labeller}")
        ready = "return document.body.dataset.ready === '1'"
        while not session.execute_script(ready):
            time.sleep(0.05)
        timings = []
        count = "return Number(document.body.dataset.answers || 0)"
        for i in range(n):
            before = session.execute_script(count)
            ActionChains(session).send_keys("cacp"[i % 4]).perform()
            while session.execute_script(count) == before:
                time.sleep(0.005)
            timings.append(
                float(session.execute_script("return document.body.dataset.lastAnswerMs"))
            )
        return timings
    finally:
        session.quit()


def summary(timings: list[float]) -> str:
    ordered = sorted(timings)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return (
        f"median {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, "
        f"max {ordered[-1]:.1f} ms ({len(ordered)} answers)"
    )


def best(runs: list[list[float]]) -> list[float]:
    return min(runs, key=statistics.median)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--answers", type=int, default=200)
    parser.add_argument("--no-write", action="store_true", help="print, leave RESULTS.md")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="review-speed-"))
    export, store = folder / "export.jsonl", folder / "labels.db"
    with open(export, "w", encoding="utf-8") as out:
        for record in generate(args.comments, pool=invented_pool()):
            out.write(json.dumps(record) + "\n")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "moderation", "review", str(export), "--store", str(store)]
    started = time.perf_counter()
    server = subprocess.Popen(
        [*command, "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        while True:
            if server.poll() is not None:
                raise SystemExit(server.stdout.read().decode())
            try:
                call(base, "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        startup = time.perf_counter() - started
        total = call(base, "/review/api/state", {"labeller": "probe"})["progress"]["total"]
        load_before = os.getloadavg()[0]
        http = [answer_over_http(base, f"http{run}", args.answers) for run in range(3)]
        together: list[float] = []

        def pair(name: str) -> None:
            together.extend(answer_over_http(base, name, args.answers // 2))

        threads = [threading.Thread(target=pair, args=(f"pair{i}",)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        browser_runs = [answer_in_browser(base, f"browser{run}", 100) for run in range(3)]
        load_after = os.getloadavg()[0]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    lines = [
        f"`python benchmarks/review_speed.py --comments {args.comments} --answers "
        f"{args.answers}` on {describe()}; load average {load_before:.1f} before the answers, "
        f"{load_after:.1f} after (2 cores shared with other work).",
        "",
        f"- Export: {args.comments:,} invented comments; {total:,} in the queue (uncertain "
        f"first); server up (the whole export read and scored once, the queue ordered) in "
        f"{startup:.1f} s.",
        "- Answer to next comment over HTTP (the answer committed to the SQLite store and on "
        "disk, the next "
        f"comment leased, explained and sent), best of 3 runs: {summary(best(http))}; "
        f"all runs' medians: {', '.join(f'{statistics.median(r):.1f}' for r in http)} ms.",
        f"- Two moderators answering at once over HTTP: {summary(together)}.",
    ]
    if all(browser_runs):
        lines.append(
            "- Key press to the next comment on screen in headless Chromium (measured by the "
            f"page), best of 3 runs: {summary(best(browser_runs))}; all runs' medians: "
            f"{', '.join(f'{statistics.median(r):.1f}' for r in browser_runs)} ms."
        )
    else:
        lines.append("- Browser figures not measured: Chromium or chromedriver not installed.")
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        replace_section("Review page speed (benchmarks/review_speed.py)", body)
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
