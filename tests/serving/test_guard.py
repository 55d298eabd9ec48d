"""The attacks on the web surfaces, each against a real server: writes from other sites' pages,
another name for this machine (DNS rebinding), endless headers and bodies (the server's RSS
measured), and a big batch holding up everything else."""

from __future__ import annotations

import json
import os
import signal
import socket
import time
import urllib.error
import urllib.request

import pytest

from fixtures.servers import start_moderation_server
from fixtures.stores import store_history

ANALYZE = "/v1alpha1/comments:analyze"
SUGGEST = "/v1alpha1/comments:suggestscore"


def _suggest(cid):
    return {
        "comment": {"text": f"comment {cid}"},
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}},
        "clientToken": f"comment:{cid}",
    }


class Open:
    """A keyless `moderation serve --labels` (optionally with --review) in a subprocess."""

    def __init__(self, folder, model, *extra):
        self.store = folder / "labels.db"
        args = ["serve", "--model", str(model), "--labels", str(self.store), *extra]
        self.process, self.port, self.base = start_moderation_server(args, dict(os.environ))

    def send(self, method, path, body=b"", headers=None):
        request = urllib.request.Request(
            self.base + path, data=body or None, method=method, headers=headers or {}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()

    def rss_kb(self) -> int:
        with open(f"/proc/{self.process.pid}/status") as status:
            line = next(x for x in status if x.startswith("VmRSS:"))
        return int(line.split()[1])

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        assert self.process.wait(timeout=30) == 0


@pytest.fixture(scope="module")
def server(tiny_model, tmp_path_factory):
    folder = tmp_path_factory.mktemp("guard")
    export = folder / "export.jsonl"
    export.write_text(
        "".join(
            json.dumps({"id": f"r{i}", "thread_id": "t", "text": f"Comment number {i} here."})
            + "\n"
            for i in range(6)
        )
    )
    opened = Open(folder, tiny_model, "--review", str(export), "--allow-host", "mod.example")
    yield opened
    opened.stop()


JSON = {"Content-Type": "application/json"}


def test_writes_from_another_sites_page_are_refused_and_change_nothing(server):
    body = json.dumps(_suggest("x1")).encode()
    # what a cross-origin HTML form can send: text/plain, or a form encoding
    for kind in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        assert server.send("POST", SUGGEST, body, {"Content-Type": kind})[0] == 415
    evil = {**JSON, "Origin": "http://evil.example"}
    assert server.send("POST", SUGGEST, body, evil)[0] == 403
    assert server.send("POST", SUGGEST, body, {**JSON, "Origin": "null"})[0] == 403
    assert server.send("POST", SUGGEST, body, {**JSON, "Sec-Fetch-Site": "cross-site"})[0] == 403
    answer = json.dumps({"labeller": "ghost", "id": "r0", "answer": "abusive"}).encode()
    for headers in ({"Content-Type": "text/plain"}, evil):
        assert server.send("POST", "/review/api/answer", answer, headers)[0] in (403, 415)
    assert store_history(server.store) == []
    local = {**JSON, "Origin": "http://localhost:9999"}  # another port of this machine
    assert server.send("POST", SUGGEST, body, local)[0] == 403
    own = {**JSON, "Origin": f"http://127.0.0.1:{server.port}"}  # the page itself may
    assert server.send("POST", SUGGEST, body, own)[0] == 200
    proxied = {**JSON, "Origin": "https://mod.example"}  # its --allow-host name, via a proxy
    assert server.send("POST", SUGGEST, json.dumps(_suggest("x2")).encode(), proxied)[0] == 200
    # another service on that name (another port or scheme) is another site
    for other in ("http://mod.example:9999", "https://mod.example:4443", "ftp://mod.example"):
        sent = server.send("POST", SUGGEST, body, {**JSON, "Origin": other})
        assert sent[0] == 403, other
    assert [r.id for r in store_history(server.store)] == ["x1", "x2"]


def test_allowed_origins_compare_scheme_name_and_port():
    from moderation.serving.guard import Guard

    guard = Guard(None, allowed_hosts=["mod.example", "https://review.example:8443"])
    allowed = guard.origin_allowed
    assert allowed("http://mod.example", "x") and allowed("https://mod.example:443", "x")
    assert not allowed("http://mod.example:8080", "x")
    assert allowed("https://review.example:8443", "x")
    assert not allowed("https://review.example", "x") and not allowed(
        "http://review.example:8443", "x"
    )
    assert "review.example" in guard.names  # and it answers to that name
    assert not allowed("http://mod.example:99999", "x")  # a malformed port


def test_no_get_changes_anything(server):
    # what <img src=...> on another site could do: no leases for made-up names
    for name in ("ghost1", "ghost2", "ghost3"):
        status, _ = server.send("GET", f"/review/api/state?labeller={name}")
        assert status == 405
    status, body = server.send("POST", "/review/api/state", b'{"labeller": "ana"}', JSON)
    assert status == 200 and json.loads(body)["item"]["id"] == "r0"  # nobody else holds it


def test_without_keys_the_server_answers_only_to_its_own_names(server):
    def host(name):
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(
                f"GET /healthz HTTP/1.1\r\nHost: {name}\r\nConnection: close\r\n\r\n".encode()
            )
            return sock.makefile("rb").read().split(b"\r\n", 1)[0]

    assert host("evil.example:8080").startswith(b"HTTP/1.1 400")  # DNS rebinding
    assert host("attacker.localhost.evil.example").startswith(b"HTTP/1.1 400")
    for name in (f"127.0.0.1:{server.port}", "localhost", "[::1]:80", "mod.example", "10.0.0.7"):
        assert host(name).startswith(b"HTTP/1.1 200"), name


def _exchange(port, head, chunks=(), read=True):
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        try:
            sock.sendall(head)
            for chunk in chunks:
                sock.sendall(chunk)
        except OSError:
            pass  # answered and closed before it was all sent
        if not read:
            return b""
        answer = b""
        while True:
            try:
                part = sock.recv(65536)
            except OSError:
                break
            if not part:
                break
            answer += part
        return answer


def test_endless_headers_are_refused_before_they_fill_memory(server):
    before = server.rss_kb()
    head = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Endless: "
    answer = _exchange(server.port, head, [b"a" * 65536] * 640)  # 40 MB of one header
    assert answer.startswith(b"HTTP/1.1 431")
    many = b"".join(b"X-H%d: v\r\n" % i for i in range(20000))
    answer = _exchange(server.port, b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n" + many)
    assert answer.startswith(b"HTTP/1.1 431")
    assert server.rss_kb() - before < 30_000  # KB; unbounded, this grew by 600 MB
    assert server.send("GET", "/healthz")[0] == 200


def test_oversized_bodies_are_refused_declared_or_streamed_on_every_route(server):
    before = server.rss_kb()
    for path in ("/review/login", "/review/api/answer", SUGGEST, "/v1/score"):
        declared = (
            f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            "Content-Length: 400000000\r\n\r\n"
        ).encode()
        answer = _exchange(server.port, declared, [b" " * 65536] * 4)
        assert answer.startswith(b"HTTP/1.1 413"), (path, answer[:100])
        chunked = (
            f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n"
        ).encode()
        piece = b"%x\r\n%s\r\n" % (65536, b" " * 65536)
        answer = _exchange(server.port, chunked, [piece] * 320)  # 20 MB
        assert answer.startswith(b"HTTP/1.1 413"), (path, answer[:100])
    assert server.rss_kb() - before < 30_000
    assert server.send("GET", "/healthz")[0] == 200


def test_a_big_batch_is_scored_off_the_event_loop(server):
    """/healthz is answered while a big batch is being scored (3,000 comments with
    explanations: seconds of work); on the event loop it waited until the batch's answer had
    gone out."""
    text = "The parish council meets on Tuesday about the car park and the new bins."
    comments = [{"text": f"{i} {text}"} for i in range(3_000)]
    batch = json.dumps({"comments": comments, "explain": True}).encode()
    head = (
        "POST /v1/score HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(batch)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=120) as sock:
        sock.sendall(head + batch)
        time.sleep(0.3)  # read and parsed: now it is being scored
        assert server.send("GET", "/healthz")[0] == 200
        sock.setblocking(False)
        try:
            waiting = sock.recv(1, socket.MSG_PEEK)
        except BlockingIOError:
            waiting = b""
        assert waiting == b""  # the batch's answer was not out before /healthz's
        sock.setblocking(True)
        assert sock.makefile("rb").read().startswith(b"HTTP/1.1 200")


@pytest.mark.parametrize("value", ["https://", "http://mod.example:99999", "ftp://mod.example"])
def test_a_malformed_allow_host_is_a_usage_error(runner, value):
    from moderation.cli import app

    result = runner.invoke(app, ["serve", "--allow-host", value])
    assert result.exit_code == 2 and "--allow-host" in result.output, result.output
