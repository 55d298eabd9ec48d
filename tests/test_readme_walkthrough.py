"""The README's "Your first hour", run as written: every ```sh first-hour``` block in order, in
a temporary folder that sees this checkout's `data/` and `models/default`, each block's output
checked against the ```text first-hour``` block after it. The label prompts are answered
through a pseudo-terminal, one key per comment shown, by the labels below; the server block
runs in the background until the walkthrough ends. A renamed command, a changed message or a
false output claim in the README fails here."""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import termios
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FENCE = re.compile(r"^```(\w+)[ \t]*([^\n]*)\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
TAG = "first-hour"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
README_PORT = "8080"
STEP_SECONDS = 180
NO_CURL = shutil.which("curl") is None

# A moderator's answers for the invented sample comments, by the label definitions
# (data/samples/*-labels.* hold some of them)
ANSWERS = {
    # disqus.xml
    "2001": "civil",
    "2002": "civil",
    "2003": "abusive",
    "2004": "conspiracy",
    "2005": "civil",
    # wordpress.xml (105 is spam, not abuse)
    "101": "civil",
    "102": "civil",
    "103": "abusive",
    "104": "conspiracy",
    "105": "civil",
    # reddit.json
    "t1_r1": "civil",
    "t1_r2": "civil",
    "t1_r4": "abusive",
    "t1_r5": "conspiracy",
}
KEYS = {"civil": "c", "abusive": "a", "conspiracy": "p"}
PROMPT = "q quit"  # the last line of every comment the terminal loop shows
SHOWN_ID = re.compile(r"\d+ / \d+\s+·\s+(\S+)")


@dataclass
class Step:
    code: str
    kind: str  # "run", "terminal" (answered through a pty) or "server" (in the background)
    line: int
    expected: list[str] = field(default_factory=list)


def walkthrough(text: str) -> list[Step]:
    """The marked blocks of ``text``: commands, each with the output lines shown after it."""
    steps: list[Step] = []
    for match in FENCE.finditer(text):
        language, info, body = match.group(1), match.group(2).split(), match.group(3)
        if not info or info[0] != TAG:
            continue
        line = text.count("\n", 0, match.start()) + 1
        if language == "sh":
            kind = info[1] if len(info) > 1 else "run"
            assert kind in ("run", "terminal", "server"), f"README.md:{line}: {kind}?"
            steps.append(Step(body, kind, line))
        else:
            assert steps, f"README.md:{line}: output shown before any command"
            steps[-1].expected += [x for x in body.splitlines() if x.strip()]
    return steps


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def shown_line_found(shown: str, output: str) -> bool:
    """Whether one line of the output has the shown line's parts in order (``...`` stands
    for anything), spaces squeezed, as wrapping and table widths vary."""
    parts = [_squeeze(part) for part in shown.split("...")]
    for line in output.splitlines():
        line, at = _squeeze(line), 0
        for part in parts:
            at = line.find(part, at)
            if at < 0:
                break
            at += len(part)
        else:
            return True
    return False


def missing_lines(expected: list[str], output: str) -> list[str]:
    return [shown for shown in expected if not shown_line_found(shown, output)]


def _not_shown(where: str, expected: list[str], output: str) -> list[str]:
    return [f"{where}\n  not in its output: {line}" for line in missing_lines(expected, output)]


def _free_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


def _environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODERATION_")}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        MODERATION_HOME=str(home),  # promotions stay in the test's folder
        COLUMNS="120",
        PYTHONWARNINGS="ignore",
    )
    return env


def _run(code: str, cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    done = subprocess.run(
        ["bash", "-e", "-c", code],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=STEP_SECONDS,
    )
    return done.returncode, done.stdout + done.stderr


def _run_in_terminal(code: str, cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    """``code`` in a pseudo-terminal, answering each comment shown with its label from
    ANSWERS, one key at a time once the loop has put the terminal in raw mode (a key typed
    before that would be flushed, as in a real terminal)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the terminal is its stdin and stdout
        try:
            os.chdir(cwd)
            os.execvpe("bash", ["bash", "-e", "-c", code], env)
        finally:
            os._exit(127)  # never back into pytest
    received, answered, deadline = b"", 0, time.monotonic() + STEP_SECONDS
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                received += chunk
            shown = ANSI.sub("", received.decode("utf-8", "replace"))
            raw = not termios.tcgetattr(fd)[3] & termios.ICANON
            if shown.count(PROMPT) > answered and raw:
                comment = SHOWN_ID.findall(shown)[-1]
                assert comment in ANSWERS, f"the README labels {comment}: no answer for it here"
                os.write(fd, KEYS[ANSWERS[comment]].encode())
                answered += 1
        else:
            os.kill(pid, signal.SIGKILL)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status), ANSI.sub("", received.decode("utf-8", "replace"))


def _start_server(code: str, cwd: Path, env: dict[str, str], port: str) -> subprocess.Popen:
    server = subprocess.Popen(
        ["bash", "-c", f"exec {code.strip()}"],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + STEP_SECONDS
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise AssertionError(f"the server did not answer: {server.communicate()[0]}")


@pytest.fixture
def folder(tmp_path):
    """A working folder as the checkout looks to a new user: the sample exports and the
    shipped model where the README finds them; what the walkthrough writes stays here."""
    (tmp_path / "data").symlink_to(ROOT / "data")
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "default").symlink_to(ROOT / "models" / "default")
    return tmp_path


@pytest.mark.skipif(NO_CURL, reason="the walkthrough asks the server with curl")
def test_the_first_hour_runs_as_the_readme_says(folder):
    steps = walkthrough(README.read_text(encoding="utf-8"))
    assert [s.kind for s in steps].count("terminal") >= 1 and any(s.kind == "server" for s in steps)
    env, port = _environment(folder / "home"), _free_port()
    server, server_step, failures = None, None, []
    try:
        for step in steps:
            code = step.code.replace(README_PORT, port)
            expected = [line.replace(README_PORT, port) for line in step.expected]
            where = f"README.md:{step.line}: {step.code.strip().splitlines()[0]}"
            if step.kind == "server":
                server, server_step = _start_server(code, folder, env, port), (where, expected)
                continue
            run = _run_in_terminal if step.kind == "terminal" else _run
            status, output = run(code, folder, env)
            assert status == 0, f"{where}\nexit code {status}\n{output}"
            failures += _not_shown(where, expected, output)
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)  # as a service manager stops it
            served = server.communicate(timeout=60)[0]
    assert server is not None and server_step is not None
    assert server.returncode == 0, served
    where, expected = server_step
    failures += _not_shown(where, expected, served)
    assert not failures, "\n".join(failures)


def test_a_false_claim_or_a_renamed_command_is_caught(folder):
    shown = ["wrote ... row(s) to flagged.csv", "flagged: 2 comment(s) (abusive ..., conspiracy 1)"]
    output = "flagged: 2 comment(s) (abusive 1, conspiracy 1)\nwrote 5 row(s) to flagged.csv\n"
    assert missing_lines(shown, output) == []
    assert missing_lines(["flagged: 3 comment(s) ..."], output) == ["flagged: 3 comment(s) ..."]
    assert missing_lines(["conspiracy 1) ... flagged:"], output) != []  # parts stay in order
    status, _ = _run("moderation flagg data/samples/disqus.xml", folder, _environment(folder))
    assert status == 2


def test_the_walkthrough_is_found():
    steps = walkthrough(README.read_text(encoding="utf-8"))
    commands = " ".join(step.code for step in steps)
    for verb in ("score", "flag", "label", "train", "evaluate", "models promote", "serve"):
        assert f"moderation {verb}" in commands
    assert all(step.expected for step in steps if "moderation" in step.code)
