"""Screenshots of the review page for the README (docs/review/*.png), taken in headless
Chromium from `moderation review` on a few invented comments, scored by the shipped model.

    python benchmarks/review_screenshots.py            # needs chromium and chromium-driver
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from selenium.webdriver.common.action_chains import ActionChains

OUT = Path(__file__).resolve().parents[1] / "docs" / "review"
THREAD = "Ferry timetable changes from May"
COMMENTS = [
    ("f1", None, "The early ferry moving to 6:40 is a real problem for shift workers."),
    (
        "f2",
        "f1",
        "> The early ferry moving to 6:40 is a real problem\nAgreed. Could the council "
        "ask for one extra crossing at 6:10?",
    ),
    ("f3", "f1", "Only a brainless idiot would still take that ferry. Pathetic."),
    (
        "f4",
        None,
        "They planned the timetable change in secret to push us off the island, and "
        "the papers are covering it up.",
    ),
    ("f5", "f4", "The consultation ran for six weeks in the library, it was hardly secret."),
    ("f6", None, "Thanks for posting the new times, the Saturday late boat is welcome."),
    ("f7", "f3", "Shut up, you worthless troll, nobody asked you."),
    ("f8", None, "Is the car deck booking system changing too, or only the times?"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(export: Path, store: Path, order: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, "-m", "moderation", "review", str(export), "--store", str(store)]
    process = subprocess.Popen([*command, "--order", order, "--port", str(port)])
    base = f"http://127.0.0.1:{port}"
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=5).close()
            return process, base
        except OSError:
            if process.poll() is not None:
                raise SystemExit("the review server did not start") from None
            time.sleep(0.2)


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for argument in ("--headless=new", "--no-sandbox", "--window-size=1000,900"):
        options.add_argument(argument)
    return webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))


def ready(session) -> None:
    while not session.execute_script("return document.body.dataset.ready === '1'"):
        time.sleep(0.05)


def press(session, keys: str) -> None:
    for key in keys:
        before = session.execute_script("return Number(document.body.dataset.answers || 0)")
        ActionChains(session).send_keys(key).perform()
        while session.execute_script("return Number(document.body.dataset.answers || 0)") == before:
            time.sleep(0.02)


def main() -> None:
    if not shutil.which("chromium") or not shutil.which("chromedriver"):
        raise SystemExit("needs chromium and chromium-driver (apt-get install ...)")

    OUT.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="review-shots-"))
    export = folder / "ferry.jsonl"
    with open(export, "w", encoding="utf-8") as out:
        for cid, parent, text in COMMENTS:
            record = {"id": cid, "thread_id": "ferry", "thread_title": THREAD, "text": text}
            if parent:
                record["parent_id"] = parent
            out.write(json.dumps(record) + "\n")
    session = browser()
    try:
        for order, shots in (("uncertain", ["queue"]), ("flagged", ["flagged", "history"])):
            process, base = serve(export, folder / f"{order}.db", order)
            try:
                session.get(f"{base}/review?labeller=ana")
                ready(session)
                for _ in COMMENTS:  # skip to the reply that quotes its parent
                    if (
                        order != "uncertain"
                        or "f2" in session.find_element("id", "comment-id").text
                    ):
                        break
                    press(session, "s")
                session.save_screenshot(str(OUT / f"{shots[0]}.png"))
                if "history" in shots:
                    press(session, "acp")
                    session.execute_script(
                        "document.getElementById('history-box').scrollIntoView()"
                    )
                    ActionChains(session).send_keys("h").perform()  # focus to the history
                    session.save_screenshot(str(OUT / "history.png"))
            finally:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)
    finally:
        session.quit()
        shutil.rmtree(folder, ignore_errors=True)
    print(f"wrote {', '.join(p.name for p in sorted(OUT.glob('*.png')))} to {OUT}")


if __name__ == "__main__":
    main()
