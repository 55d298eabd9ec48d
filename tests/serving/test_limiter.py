"""Wrong keys on a keyed server (``serving.limiter``), attacked as the red team did: a stranger
locking moderators out from their own address, a new X-Forwarded-For per try, 60 KB
addresses, key guessing through the API with /v1/model as the oracle, and a page whose name
was rebound to this machine. Each test speaks from its own loopback address (127.0.0.N), so
one test's lock-out does not reach another's."""

from __future__ import annotations

import http.client
import json
import os
import signal
from urllib.parse import urlencode

import pytest

from fixtures.servers import start_moderation_server

ANA = "limiter-key-ana-0123456789"
CORAL = "limiter-key-coral-0123456789"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def server(tiny_model, tmp_path_factory):
    folder = tmp_path_factory.mktemp("limiter")
    (folder / "keys.txt").write_text(f"{ANA} ana\n{CORAL} coral platform\n")
    export = folder / "export.jsonl"
    export.write_text(json.dumps({"id": "r0", "thread_id": "t", "text": "Hello there."}) + "\n")
    args = ["serve", "--model", str(tiny_model), "--keys", str(folder / "keys.txt")]
    args += ["--labels", str(folder / "labels.db"), "--review", str(export)]
    process, port, _ = start_moderation_server(args, dict(os.environ))
    yield port
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


def ask(port, source, method, path, body=b"", headers=None):
    """``(status, headers, body)`` of one request sent from the address ``source``."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=30, source_address=(source, 0)
    )
    try:
        connection.request(method, path, body=body or None, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        connection.close()


def login(port, source, key, cookie=None, headers=None):
    extra = {**FORM, **({"Cookie": cookie} if cookie else {}), **(headers or {})}
    return ask(port, source, "POST", "/review/login", urlencode({"key": key}).encode(), extra)


def test_a_strangers_wrong_keys_never_lock_out_a_moderator_who_signed_in_before(server):
    """Before: 5 wrong keys from 127.0.0.1 gave ana's correct key a 429 for a minute."""
    status, headers, _ = login(server, "127.0.0.2", ANA)
    assert status == 303
    device = next(
        c.split(";")[0] for c in headers.get_all("set-cookie") if c.startswith("moderation_device")
    )
    for attempt in range(5):  # a stranger at the same address (a shared proxy, a tunnel)
        assert login(server, "127.0.0.2", f"wrong-guess-{attempt:012d}")[0] == 403
    status, headers, body = login(server, "127.0.0.2", "wrong-guess-again-0001")
    assert status == 429 and int(headers["retry-after"]) > 0
    assert login(server, "127.0.0.2", ANA)[0] == 429  # a browser never signed in: waits
    assert login(server, "127.0.0.2", ANA, cookie=device)[0] == 303  # ana's browser: in
    forged = device[:-4] + "0000"
    assert login(server, "127.0.0.2", ANA, cookie=forged)[0] == 429


def test_a_new_x_forwarded_for_per_try_does_not_reset_the_count(server):
    """Before: 300 wrong keys, each with its own X-Forwarded-For, got 300 403s from loopback
    (uvicorn believed the header), and 60 KB values grew the server by 575 MB."""
    statuses = []
    for attempt in range(12):
        forwarded = {"X-Forwarded-For": f"10.0.{attempt}.1" + "9" * 200}
        statuses.append(
            # from 127.0.0.1, whose X-Forwarded-For uvicorn believed by default
            login(server, "127.0.0.1", f"wrong-guess-{attempt:012d}", headers=forwarded)[0]
        )
    assert statuses[:5] == [403] * 5 and set(statuses[5:]) == {429}


def test_api_key_guessing_is_limited_and_v1_model_is_no_oracle(server):
    """Before: 7,000 wrong keys a second through the API, and /v1/model answered 200 to a
    wrong key (with more for a right one)."""
    statuses = [
        ask(server, "127.0.0.4", "GET", f"/v1/model?key=wrong-guess-{i:012d}")[0] for i in range(5)
    ]
    assert statuses == [403] * 5  # a wrong key is refused wherever it is given
    status, headers, body = ask(
        server,
        "127.0.0.4",
        "POST",
        "/v1/score",
        b'{"comments": []}',
        {"Authorization": "Bearer wrong-guess-000000000099", "Content-Type": "application/json"},
    )
    assert status == 429 and json.loads(body)["error"]["status"] == "RESOURCE_EXHAUSTED"
    assert int(headers["retry-after"]) > 0
    assert ask(server, "127.0.0.5", "GET", "/v1/model")[0] == 200  # no key: the public part
    assert ask(server, "127.0.0.5", "GET", f"/v1/model?key={CORAL}")[0] == 200
    assert ask(server, "127.0.0.5", "GET", "/healthz?key=wrong-guess-000000000099")[0] == 200


def test_a_keyed_server_refuses_a_name_rebound_to_it(server):
    """Before: a page at evil.test rebound to 127.0.0.1 could try keys at the login and read
    /metrics and /v1/model."""
    rebound = {"Host": f"evil.test:{server}", "Origin": f"http://evil.test:{server}"}
    assert ask(server, "127.0.0.6", "GET", "/review", headers=rebound)[0] == 400
    assert login(server, "127.0.0.6", "wrong-guess-000000000001", headers=rebound)[0] == 400
    browser = {"Host": f"evil.test:{server}", "Sec-Fetch-Mode": "cors"}
    assert ask(server, "127.0.0.6", "GET", f"/v1/model?key={CORAL}", headers=browser)[0] == 400
    assert ask(server, "127.0.0.6", "GET", f"/metrics?key={CORAL}")[0] == 200
    assert ask(server, "127.0.0.6", "GET", "/metrics")[0] == 403  # open before


def test_the_count_of_wrong_keys_has_bounded_memory():
    from moderation.serving.limiter import WrongKeys

    wrong = WrongKeys(tries=5, window=60.0, entries=1_000)
    for i in range(50_000):
        wrong.failed(f"10.{i // 65536}.{i // 256 % 256}.{i % 256}")
    assert len(wrong.failures) <= 1_001
    expired = WrongKeys(tries=5, window=0.0, entries=1_000)
    for i in range(100):
        expired.failed(f"10.0.0.{i}")
    assert len(expired.failures) <= 1  # out of the window: forgotten as new ones come


def test_addresses_are_short_and_canonical():
    from types import SimpleNamespace

    from moderation.serving.limiter import client_address

    def of(host):
        return client_address(SimpleNamespace(client=SimpleNamespace(host=host)))

    assert of("127.0.0.1") == "127.0.0.1"
    assert of("2001:db8::1") == of("2001:db8::ffff") == "2001:db8::/64"  # one /64: one client
    assert of("::ffff:10.0.0.1") == "10.0.0.1"
    assert of("x" * 60_000) == "unknown"
