"""Real Perspective clients nobody here wrote, pointed at a `moderation serve` on 127.0.0.1:
the PyPI ``perspectiveapi`` client (dev extra), the npm ``perspective-api-client`` (where node
is installed and ``npm ci --prefix tests/serving/clients`` has run; ``make test`` runs it), and
Coral's exact analyze and suggestscore bodies replayed by 32 connections at once, each answer
read as Coral reads it and within Coral's 800 ms timeout."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from coral_bodies import coral_analyze, coral_decision

from moderation.labels.store import LabelStore
from moderation.model.registry import load_model
from moderation.serving.attributes import flag_threshold_scale

from fixtures.servers import start_moderation_server

KEY = "clients-key-0123456789"  # the platform's: it may send decisions
CLIENTS = Path(__file__).parent / "clients"
THREAT = "I will find you and break your legs."


def encode(body: dict) -> bytes:
    return json.dumps(body).encode()


def start(tiny_model, folder: Path, *options: str):
    (folder / "keys.txt").write_text(f"{KEY} coral platform\n")
    args = ["serve", "--model", str(tiny_model), "--keys", str(folder / "keys.txt")]
    args += ["--labels", str(folder / "labels.db"), *options]
    process, port, base = start_moderation_server(args)
    return process, port, base


@pytest.fixture(scope="module")
def plain(tiny_model, tmp_path_factory):
    process, port, base = start(tiny_model, tmp_path_factory.mktemp("plain"))
    yield port, base
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def lenient(tiny_model, tmp_path_factory):
    """A server that leaves out the attributes it does not answer, on Coral's scale."""
    folder = tmp_path_factory.mktemp("lenient")
    options = ("--omit-unsupported-attributes", "--summary-scale", "flag-threshold")
    process, port, base = start(tiny_model, folder, *options)
    yield port, base, folder / "labels.db"
    process.terminate()
    log = process.communicate(timeout=30)[0]
    assert "Traceback" not in log, log


def pypi_client(port: int):
    """The PyPI client, its httpx client given a transport that sends Google's fixed URL to
    the test server (the client keeps one httpx client and lets it be replaced)."""
    httpx = pytest.importorskip("httpx")
    pytest.importorskip("perspective", reason="the dev extra's perspectiveapi")
    from perspective import Attribute
    from perspective.blocking import Perspective

    class ToTestServer(httpx.BaseTransport):
        def __init__(self):
            self.inner = httpx.HTTPTransport()

        def handle_request(self, request):
            request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=port)
            return self.inner.handle_request(request)

    client = Perspective(KEY)
    client._Perspective__client = httpx.Client(transport=ToTestServer())
    return client, Attribute


def test_the_pypi_client_gets_every_attribute_it_lists(lenient, tiny_model):
    client, Attribute = pypi_client(lenient[0])
    score = client.score(THREAT, list(Attribute))
    labels, heads = load_model(tiny_model).scores_of_one(THREAT)
    thresholds = load_model(tiny_model).meta.head_thresholds
    # answered by the model, on the flag-threshold scale the server was started with
    assert score.threat == pytest.approx(
        flag_threshold_scale(heads["THREAT"], thresholds["THREAT"]), abs=1e-5
    )
    assert score.insult == pytest.approx(
        flag_threshold_scale(heads["INSULT"], thresholds["INSULT"]), abs=1e-5
    )
    assert 0 <= score.toxicity <= 1 and 0 <= score.severe_toxicity <= 1
    # attributes no model here answers are left out, so the client reads None for them
    assert score.sexually_explicit is None and score.flirtation is None


def test_without_the_option_the_pypi_client_meets_the_400(plain):
    client, Attribute = pypi_client(plain[0])
    assert 0 <= client.score(THREAT, [Attribute.THREAT, Attribute.INSULT]).threat <= 1
    with pytest.raises(KeyError, match="attributeScores"):  # the client's own handling of a 400
        client.score(THREAT, list(Attribute))


def test_the_npm_client_parses_every_answer(plain, tiny_model):
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the npm client perspective-api-client needs it")
    if not (CLIENTS / "node_modules" / "perspective-api-client").is_dir():
        pytest.skip(
            "the npm client is not installed: run `npm ci --prefix tests/serving/clients` "
            "(make test does when npm is installed)"
        )
    run = subprocess.run(
        ["node", str(CLIENTS / "perspective_api_client.js"), plain[1], KEY],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    answers = {a["name"]: a for a in map(json.loads, run.stdout.splitlines())}
    assert all(answers[name]["ok"] for name in answers if name != "unsupported"), answers
    model = load_model(tiny_model)
    value = answers["default"]["data"]["attributeScores"]["TOXICITY"]["summaryScore"]["value"]
    assert value == pytest.approx(model.scores_of_one("You are a spineless clown.")[0]["abusive"])
    seven = answers["attributes"]["data"]["attributeScores"]
    assert set(seven) == {
        "TOXICITY",
        "SEVERE_TOXICITY",
        "INSULT",
        "THREAT",
        "ABUSIVE",
        "CONSPIRACY",
        "CIVIL",
    }
    assert seven["THREAT"]["summaryScore"]["value"] != seven["TOXICITY"]["summaryScore"]["value"]
    assert set(answers["scoreThreshold"]["data"]["attributeScores"]) == {"CIVIL"}
    spans = answers["spans"]["data"]["attributeScores"]["TOXICITY"]["spanScores"]
    assert len(spans) == 2 and spans[1]["score"]["value"] > spans[0]["score"]["value"]
    assert answers["context"]["data"]["attributeScores"]["TOXICITY"]
    refused = answers["unsupported"]
    assert refused["status"] == 400 and "SEXUALLY_EXPLICIT is not supported" in refused["message"]


def test_coral_replayed_by_32_connections_within_its_timeout(lenient):
    _, base, store = lenient
    texts = [
        "You are a spineless clown.",
        "Lovely evening by the river.",
        THREAT,
        "The council should publish the bridge costs.",
    ]
    timeout = 0.8  # Coral's fetchWithTimeout for Perspective
    failures, slowest, lock = [], [0.0], threading.Lock()

    def post(path: str, data: bytes) -> dict:
        request = urllib.request.Request(
            f"{base}/v1alpha1/{path}?key={KEY}",
            data=data,
            method="POST",
            headers={"Content-Type": "application/json"},  # as Coral's fetch sends it
        )
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = json.loads(response.read())
        with lock:
            slowest[0] = max(slowest[0], time.perf_counter() - started)
        return answer

    def client(number: int) -> None:
        try:
            for i in range(8):
                answer = post("comments:analyze", encode(coral_analyze(texts[(number + i) % 4])))
                value = answer["attributeScores"]["TOXICITY"]["summaryScore"]["value"]
                assert 0 <= value <= 1  # all Coral reads
            for i, status in enumerate(("APPROVED", "DELETED")):
                cid = f"{number:03d}-{i}"
                parent = f"{number:03d}-0" if i else None
                story = f"https://news.example/story-{number}"
                body = coral_decision(texts[i], cid, status, parent, story)
                answer = post("comments:suggestscore", encode(body))
                assert answer["clientToken"] == f"comment:{cid}"  # what Coral checks
        except Exception as err:  # noqa: BLE001 - every failure is reported below
            with lock:
                failures.append(f"client {number}: {type(err).__name__}: {err}")

    post("comments:analyze", encode(coral_analyze(texts[0])))  # the first request loads the caches
    threads = [threading.Thread(target=client, args=(n,)) for n in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, f"{len(failures)} failed (slowest {slowest[0]:.3f} s): {failures[:3]}"
    with LabelStore(store, create=False) as opened:
        decisions = list(opened.labels().values())
    assert len({d.id for d in decisions}) == 64
    assert all(d.thread_id.startswith("https://news.example/story-") for d in decisions)
    assert {d.labeller for d in decisions} == {"coral"}  # the platform key's name
    replies = [d for d in decisions if d.id.endswith("-1")]
    assert all(d.extra["parent_id"] == d.id.replace("-1", "-0") for d in replies)
