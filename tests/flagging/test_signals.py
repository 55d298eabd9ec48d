"""A `flag` or `parse` that is killed or interrupted leaves nothing behind: no scoring worker
alive, no temporary file, no traceback (issue 16, item 17)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc for the worker")

WORDS = "the council voted to close library on sundays bus lane tram park river".split()


def big_export(path: Path, n: int = 150_000) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            text = " ".join(WORDS[(i * 7 + k) % len(WORDS)] for k in range(12))
            out.write(json.dumps({"id": f"c{i}", "thread_id": f"t{i // 20}", "text": text}) + "\n")
    return path


def children(pid: int) -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as handle:
            found += [int(p) for p in handle.read().split()]
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def as_a_shell_starts_it() -> None:
    """Ctrl-C as a fresh process from a shell has it: the test run's own handling of SIGINT
    (an ignored or blocked signal is inherited through fork and exec) is not the command's."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_flag(tmp_path: Path, tiny_model: Path, **popen) -> tuple[subprocess.Popen, int]:
    export = big_export(tmp_path / "big.jsonl")
    command = [sys.executable, "-m", "moderation", "flag", str(export), "-o"]
    command += [str(tmp_path / "out.jsonl"), "--model", str(tiny_model), "-j", "2"]
    process = subprocess.Popen(
        command, stderr=subprocess.PIPE, text=True, preexec_fn=as_a_shell_starts_it, **popen
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        workers = [p for p in children(process.pid) if alive(p)]
        if workers and (tmp_path / "out.jsonl").exists() is False and process.poll() is None:
            time.sleep(1.0)  # the worker has loaded and the run is under way
            return process, workers[0]
        time.sleep(0.1)
    process.kill()
    pytest.fail("flag never started its scoring worker")


def wait_gone(pid: int, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.1)
    return False


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in ("big.jsonl",))


def test_killing_flag_with_sigkill_takes_its_worker_with_it(tmp_path, tiny_model):
    process, worker = start_flag(tmp_path, tiny_model)
    process.kill()
    process.wait(timeout=30)
    assert wait_gone(worker), "the scoring worker outlived a kill -9 of flag"


def test_sigterm_stops_flag_and_its_worker_and_leaves_no_file(tmp_path, tiny_model):
    process, worker = start_flag(tmp_path, tiny_model)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "Traceback" not in err
    assert wait_gone(worker)
    assert leftovers(tmp_path) == []


def test_ctrl_c_prints_one_line_not_the_workers_traceback(tmp_path, tiny_model):
    process, worker = start_flag(tmp_path, tiny_model, start_new_session=True)
    os.killpg(process.pid, signal.SIGINT)  # as the terminal sends it: to the whole group
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "Traceback" not in err and "interrupted" in err
    assert wait_gone(worker)
    assert leftovers(tmp_path) == []


def test_sigterm_during_parse_leaves_no_temporary_or_spool_file(tmp_path):
    export = big_export(tmp_path / "big.jsonl", 300_000)
    out = tmp_path / "out"
    out.mkdir()
    command = [sys.executable, "-m", "moderation", "parse", str(export)]
    command += ["-o", str(out / "c.jsonl"), "--threads-out", str(out / "t.jsonl")]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(out.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "parse finished before it could be interrupted"
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130 and "Traceback" not in err
    assert list(out.iterdir()) == []
