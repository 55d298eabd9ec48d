"""Downloads of the pinned dataset files, against local HTTP servers (never the network): the
checksum checked, a partial download resumed, a hostile or stalled server given up on."""

from __future__ import annotations

import hashlib
import http.server
import threading
import time
from pathlib import Path

import pytest

from moderation.datasets.catalogue import Dataset, DatasetFile
from moderation.datasets.fetch import FetchError, fetch_dataset, fetch_file


@pytest.fixture
def server(tmp_path):
    """A local HTTP server with Range support, serving tmp_path/www; records requests."""
    www = tmp_path / "www"
    www.mkdir()
    seen: list[tuple[str, str | None]] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(www), **kwargs)

        def log_message(self, *args):
            pass

        def do_GET(self):
            seen.append((self.path, self.headers.get("Range")))
            path = Path(self.translate_path(self.path))
            if not path.is_file():
                self.send_error(404)
                return
            data = path.read_bytes()
            start = 0
            if self.headers.get("Range"):
                start = int(self.headers["Range"].split("=")[1].rstrip("-"))
                self.send_response(206)
            else:
                self.send_response(200)
            self.send_header("Content-Length", str(len(data) - start))
            self.end_headers()
            self.wfile.write(data[start:])

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield www, f"http://127.0.0.1:{httpd.server_address[1]}", seen
    httpd.shutdown()


def _served(www: Path, content: bytes, name: str = "tiny/data.csv") -> Dataset:
    (www / "owner/repo/abc").mkdir(parents=True, exist_ok=True)
    (www / "owner/repo/abc/data.csv").write_bytes(content)
    item = DatasetFile(
        name, "owner/repo", "abc", "data.csv", hashlib.sha256(content).hexdigest(), len(content)
    )
    return Dataset("tiny", "training", "invented", "MIT", "none", (item,))


def test_fetch_downloads_and_verifies(server, tmp_path):
    www, base, _ = server
    dataset = _served(www, b"text,label\nhello there,civil\n")
    dest = tmp_path / "dest"
    assert fetch_dataset(dataset, dest, base_url=base) == ["downloaded"]
    assert (dest / "tiny/data.csv").read_bytes() == b"text,label\nhello there,civil\n"
    assert fetch_dataset(dataset, dest, base_url=base) == ["present"]


def test_fetch_resumes_a_partial_download(server, tmp_path):
    www, base, seen = server
    content = b"0123456789" * 1000
    dataset = _served(www, content)
    partial = tmp_path / "dest/tiny/data.csv.part"
    partial.parent.mkdir(parents=True)
    partial.write_bytes(content[:4000])
    assert fetch_dataset(dataset, tmp_path / "dest", base_url=base) == ["resumed"]
    assert seen[-1][1] == "bytes=4000-"
    assert (tmp_path / "dest/tiny/data.csv").read_bytes() == content
    assert not partial.exists()


def test_fetch_rejects_a_wrong_checksum_and_keeps_nothing(server, tmp_path):
    www, base, _ = server
    dataset = _served(www, b"good bytes")
    (www / "owner/repo/abc/data.csv").write_bytes(b"evil bytes")
    with pytest.raises(FetchError, match="does not match the pinned SHA-256"):
        fetch_dataset(dataset, tmp_path / "dest", base_url=base)
    assert list((tmp_path / "dest").rglob("*.csv*")) == []


def _unreachable() -> Dataset:
    """A dataset of one file that no server here has."""
    item = DatasetFile("tiny/a.csv", "o/r", "c", "a.csv", "0" * 64, 3)
    return Dataset("tiny", "training", "x", "MIT", "none", (item,))


def test_fetch_offline_is_one_clear_message(tmp_path):
    dataset = _unreachable()
    with pytest.raises(FetchError, match="cannot download .*are you offline"):
        fetch_dataset(dataset, tmp_path, base_url="http://127.0.0.1:9", timeout=2)


@pytest.fixture
def hostile_server(tmp_path):
    """A server that misbehaves on purpose: /endless sends bytes forever, /slow one byte
    every 0.5 s, /short announces more bytes than it sends and hangs up."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(200)
            try:
                if "endless" in self.path:
                    self.end_headers()
                    while True:
                        self.wfile.write(b"x" * 65536)
                elif "slow" in self.path:
                    self.end_headers()
                    for _ in range(60):
                        self.wfile.write(b"x")
                        self.wfile.flush()
                        time.sleep(0.5)
                else:
                    self.send_header("Content-Length", "10000")
                    self.end_headers()
                    self.wfile.write(b"0123456789" * 400)
            except OSError:
                pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def _pinned(content: bytes, name: str) -> DatasetFile:
    return DatasetFile(
        "tiny/data.csv", "o/r", "c", name, hashlib.sha256(content).hexdigest(), len(content)
    )


def test_fetch_reads_no_more_than_the_pinned_size(hostile_server, tmp_path):
    item = _pinned(b"y" * 200_000, "endless")
    with pytest.raises(FetchError, match="does not match"):
        fetch_file(item, tmp_path, url=f"{hostile_server}/endless", timeout=5)
    assert not list(tmp_path.rglob("*.part"))  # complete but wrong: deleted


def test_fetch_gives_up_on_a_stalled_server(hostile_server, tmp_path):
    item = _pinned(b"x" * 100_000, "slow")
    started = time.monotonic()
    with pytest.raises(FetchError, match="stalled"):
        fetch_file(item, tmp_path, url=f"{hostile_server}/slow", timeout=2)
    assert time.monotonic() - started < 20  # the server would go on for 30 s
    assert (tmp_path / "tiny/data.csv.part").is_file()  # kept for a resume


def test_a_truncated_transfer_keeps_its_part_file_for_a_resume(hostile_server, tmp_path):
    content = b"0123456789" * 1000
    with pytest.raises(FetchError, match="resume"):
        fetch_file(_pinned(content, "short"), tmp_path, url=f"{hostile_server}/short", timeout=5)
    assert (tmp_path / "tiny/data.csv.part").read_bytes() == content[:4000]


def test_fetch_a_file_the_server_does_not_have_names_the_answer(server, tmp_path):
    _, base, _ = server
    missing = _unreachable()
    with pytest.raises(FetchError, match="answered 404"):
        fetch_dataset(missing, tmp_path, base_url=base)
