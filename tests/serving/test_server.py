"""`moderation serve` as a client meets it: a real server on 127.0.0.1 in a subprocess, spoken
to over HTTP with the bodies Coral and other Perspective clients send."""

from __future__ import annotations

import json
import math
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from coral_bodies import coral_analyze, coral_decision, coral_feedback
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderation.labels.store import LabelStore
from moderation.model.registry import load_model

from fixtures.servers import start_moderation_server

KEY = "coral-key-0123456789"  # the platform's (Coral's)
MODERATOR_KEY = "ana-key-0123456789ab"
ANALYZE = "/v1alpha1/comments:analyze"
SUGGEST = "/v1alpha1/comments:suggestscore"
ABUSE = "What a brainless idiot, crawl back under your rock."
CIVIL = "The museum extension looks lovely in the evening light."


class Server:
    """A `moderation serve` process and a tiny HTTP client for it."""

    def __init__(self, args: list[str], env: dict[str, str]):
        self.process, self.port, self.base = start_moderation_server(["serve", *args], env)

    def request(self, method, path, body=None, *, key=KEY, headers=None, raw=None):
        url = self.base + path
        if key is not None:
            url += ("&" if "?" in url else "?") + f"key={key}"
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        headers = {"Content-Type": "application/json", **(headers or {})}
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null"), response.headers
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"null"), err.headers

    def get(self, path, **kwargs):
        return self.request("GET", path, key=None, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.request("POST", path, body, **kwargs)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


def server_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["MODERATION_HOME"] = str(home / "home")
    env["MODERATION_MODELS"] = str(home / "models")
    env.pop("MODERATION_MODEL", None)
    return env


@pytest.fixture(scope="module")
def served(tiny_model, tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve")
    (folder / "keys.txt").write_text(
        f"\ufeff# our keys\n{KEY} coral platform\n  # an indented comment\n{MODERATOR_KEY} ana\n"
    )
    server = Server(
        [
            "--model",
            str(tiny_model),
            "--keys",
            str(folder / "keys.txt"),
            "--labels",
            str(folder / "labels.db"),
        ],
        server_env(folder),
    )
    server.store = folder / "labels.db"
    yield server
    assert server.stop() == 0


@pytest.fixture(scope="module")
def model(tiny_model):
    return load_model(tiny_model)


def coral_suggest(text, comment_id, value, attribute="TOXICITY", story="story-1"):
    """Another client's feedback: a TOXICITY-like value, in Coral's body."""
    return coral_feedback(
        text, comment_id, {attribute: value}, story=f"https://news.example/{story}"
    )


def test_coral_analyze_reads_the_models_probability_and_names_the_model(served, model):
    status, body, headers = served.post(ANALYZE, coral_analyze(ABUSE))
    assert status == 200
    value = body["attributeScores"]["TOXICITY"]["summaryScore"]
    expected = dict(zip(model.labels, model.predict_proba([ABUSE])[0]))["abusive"]
    assert value["type"] == "PROBABILITY"
    assert math.isclose(value["value"], expected, abs_tol=1e-6)
    assert body["languages"] == ["en"] and body["detectedLanguages"] == ["en"]
    assert body["model"] == model.id and headers["x-moderation-model"] == model.id
    civil = served.post(ANALYZE, coral_analyze(CIVIL))[1]
    assert civil["attributeScores"]["TOXICITY"]["summaryScore"]["value"] < value["value"]


def test_several_attributes_at_once_and_a_score_threshold(served):
    request = {
        "comment": {"text": ABUSE},
        "requestedAttributes": {
            "ABUSIVE": {},
            "CONSPIRACY": {},
            "CIVIL": {},
            "INSULT": {},
            "SEVERE_TOXICITY": {},
            "THREAT": {"scoreThreshold": 1.0},
        },
    }
    status, body, _ = served.post(ANALYZE, request)
    assert status == 200
    scores = {name: a["summaryScore"]["value"] for name, a in body["attributeScores"].items()}
    assert set(scores) == {"ABUSIVE", "CONSPIRACY", "CIVIL", "INSULT", "SEVERE_TOXICITY"}
    assert math.isclose(scores["ABUSIVE"] + scores["CONSPIRACY"] + scores["CIVIL"], 1, abs_tol=1e-5)
    assert scores["INSULT"] != scores["ABUSIVE"]  # its own head, not P(abusive) renamed
    # the tiny model has no PROFANITY head: a 400 that names the way to the rest
    refused = {**request, "requestedAttributes": {"INSULT": {}, "PROFANITY": {}}}
    status, body, _ = served.post(ANALYZE, refused)
    assert status == 400 and "PROFANITY is not supported" in body["error"]["message"]
    dropped = {**refused, "dropUnsupportedAttributes": True}
    status, body, _ = served.post(ANALYZE, dropped)
    assert status == 200 and set(body["attributeScores"]) == {"INSULT"}


def test_span_scores_split_the_comments_log_odds_by_sentence(served, model):
    text = f"{CIVIL} {ABUSE}"
    request = {
        "comment": {"text": text},
        "requestedAttributes": {"ABUSIVE": {}, "CONSPIRACY": {}, "CIVIL": {}},
        "spanAnnotations": True,
    }
    body = served.post(ANALYZE, request)[1]["attributeScores"]
    spans = body["ABUSIVE"]["spanScores"]
    assert [(s["begin"], s["end"]) for s in spans] == [
        (0, len(CIVIL)),
        (len(CIVIL) + 1, len(text)),
    ]
    assert spans[1]["score"]["value"] > spans[0]["score"]["value"]

    # each sentence's log-odds against civil, less the bias, add up to the comment's own
    weights = model.term_weights(text)
    civil = model.labels.index("civil")
    for label, attribute in (("abusive", "ABUSIVE"), ("conspiracy", "CONSPIRACY")):
        bias = weights.intercept[model.labels.index(label)] - weights.intercept[civil]

        def log_odds(entry, k=None, attribute=attribute):
            pick = (
                (lambda a: a["summaryScore"])
                if k is None
                else (lambda a: a["spanScores"][k]["score"])
            )
            return math.log(pick(body[attribute])["value"] / pick(body["CIVIL"])["value"])

        total = log_odds(body) - bias
        parts = sum(log_odds(body, k) - bias for k in range(2))
        assert math.isclose(total, parts, abs_tol=1e-3)


def test_a_one_sentence_comments_span_score_is_its_summary_score(served):
    request = {
        "comment": {"text": ABUSE},
        "requestedAttributes": {"TOXICITY": {}},
        "spanAnnotations": True,
    }
    entry = served.post(ANALYZE, request)[1]["attributeScores"]["TOXICITY"]
    assert len(entry["spanScores"]) == 1
    assert math.isclose(
        entry["spanScores"][0]["score"]["value"], entry["summaryScore"]["value"], abs_tol=1e-5
    )


def test_a_quoted_parent_is_left_out_of_the_replys_score(served):
    reply = f'"{ABUSE}" Quoting that is not the same as saying it.'
    alone = served.post(ANALYZE, coral_analyze(reply))[1]
    with_parent = {**coral_analyze(reply), "context": {"entries": [{"text": ABUSE}]}}
    quoted = served.post(ANALYZE, with_parent)[1]
    value = lambda b: b["attributeScores"]["TOXICITY"]["summaryScore"]["value"]  # noqa: E731
    assert value(quoted) < value(alone)


def test_keys_are_required_by_query_or_bearer_header_and_never_logged(served):
    body = coral_analyze(CIVIL)
    assert served.post(ANALYZE, body, key=None)[0] == 403
    status, refusal, _ = served.post(ANALYZE, body, key="wrong")
    assert status == 403 and refusal["error"]["status"] == "PERMISSION_DENIED"
    assert served.post(ANALYZE, body, key=MODERATOR_KEY)[0] == 200
    assert served.post(ANALYZE, body, key="# an indented comment")[0] == 403  # not a key
    bearer = {"Authorization": f"Bearer {KEY}"}
    assert served.post(ANALYZE, body, key=None, headers=bearer)[0] == 200
    assert served.post("/v1/score", [{"text": CIVIL}], key=None)[0] == 403
    assert served.get("/healthz")[0] == 200  # liveness needs no key


BAD = {
    "malformed JSON": (b'{"comment": {"text": "hi"', 400, "Invalid JSON"),
    "not an object": (b'["a list"]', 400, "must be a JSON object"),
    "comment is a string": (
        b'{"comment": "hi", "requestedAttributes": {"TOXICITY": {}}}',
        400,
        "comment must be",
    ),
    "text is a number": (
        b'{"comment": {"text": 5}, "requestedAttributes": {"TOXICITY": {}}}',
        400,
        "must be a string",
    ),
    "missing text": (
        b'{"comment": {}, "requestedAttributes": {"TOXICITY": {}}}',
        400,
        "comment.text is required",
    ),
    "empty text": (
        b'{"comment": {"text": "  "}, "requestedAttributes": {"TOXICITY": {}}}',
        400,
        "empty",
    ),
    "no attributes": (
        b'{"comment": {"text": "hi"}, "requestedAttributes": {}}',
        400,
        "requestedAttributes is empty",
    ),
    "attributes a list": (
        b'{"comment": {"text": "hi"}, "requestedAttributes": ["TOXICITY"]}',
        400,
        "requestedAttributes must be",
    ),
    "unknown attribute": (
        b'{"comment": {"text": "hi"}, "requestedAttributes": {"NICENESS": {}}}',
        400,
        "Unknown attribute: NICENESS",
    ),
    "an attribute no model here answers": (
        b'{"comment": {"text": "hi"}, "requestedAttributes": {"SPAM": {}}}',
        400,
        "Attribute SPAM is not supported by this model",
    ),
    "lower-case attribute": (
        b'{"comment": {"text": "hi"}, "requestedAttributes": {"toxicity": {}}}',
        400,
        "attribute names are in capitals: TOXICITY",
    ),
    "unsupported language": (
        b'{"comment": {"text": "ciao"}, "requestedAttributes": {"TOXICITY": {}}, '
        b'"languages": ["it"]}',
        400,
        "does not support request languages: it",
    ),
    "a language code that is none": (
        b'{"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}, '
        b'"languages": ["en; rm -rf"]}',
        400,
        "is not a language code",
    ),
    "languages a string": (
        b'{"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}, "languages": "en"}',
        400,
        "languages must be a list",
    ),
    "threshold a string": (
        b'{"comment": {"text": "hi"}, '
        b'"requestedAttributes": {"TOXICITY": {"scoreThreshold": "high"}}}',
        400,
        "scoreThreshold must be",
    ),
    "spans a string": (
        b'{"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}, '
        b'"spanAnnotations": "yes"}',
        400,
        "spanAnnotations must be",
    ),
    "text over 20,480 bytes": (
        json.dumps(coral_analyze("\u20ac" * 7000)).encode(),  # 21,000 bytes in UTF-8
        400,
        "Comment text too long: 21000 bytes",
    ),
    "deeply nested JSON": (b'{"comment": ' + b"[" * 5000 + b"]" * 5000 + b"}", 400, "Invalid JSON"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_a_4xx_that_says_what_was_wrong_and_the_server_stays_up(served, case):
    raw, code, message = BAD[case]
    status, body, _ = served.post(ANALYZE, raw=raw)
    assert status == code, body
    assert body["error"]["code"] == code and message in body["error"]["message"]
    assert served.get("/healthz")[0] == 200


def raw_exchange(server, head: bytes, chunks) -> bytes:
    """Send a request as raw bytes (the server may answer and close before it is all sent)
    and read the answer."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        try:
            sock.sendall(head)
            for chunk in chunks:
                sock.sendall(chunk)
        except OSError:
            pass  # the server answered early and closed; its answer is still to be read
        answer = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            answer += chunk
    return answer


def test_a_body_over_1_mb_is_413_whether_its_length_is_declared_or_not(served):
    declared = (
        f"POST {ANALYZE}?key={KEY} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 1200000\r\nConnection: close\r\n\r\n"
    ).encode()
    answer = raw_exchange(served, declared, [b" " * 65536] * 19)
    assert answer.startswith(b"HTTP/1.1 413") and b"over 1,000,000 bytes" in answer
    chunked = (
        f"POST {ANALYZE}?key={KEY} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    ).encode()
    piece = b"%x\r\n%s\r\n" % (65536, b" " * 65536)
    answer = raw_exchange(served, chunked, [piece] * 19 + [b"0\r\n\r\n"])
    assert answer.startswith(b"HTTP/1.1 413") and b"over 1,000,000 bytes" in answer
    assert served.get("/healthz")[0] == 200


def test_unknown_paths_and_methods_are_404_and_405(served):
    assert served.get("/v1alpha1/comments:nothing")[0] == 404
    assert served.get(ANALYZE)[0] == 405


def test_suggestscore_records_the_platforms_decisions_as_weak_labels(served):
    status, body, _ = served.post(SUGGEST, coral_suggest(ABUSE, "c-901", 1))
    assert status == 200 and body["clientToken"] == "comment:c-901" and body["stored"]
    # the same decision again writes nothing; a reversal corrects the platform's decision
    assert served.post(SUGGEST, coral_suggest(ABUSE, "c-901", 1))[1]["stored"] is False
    served.post(SUGGEST, coral_suggest(CIVIL, "c-902", 0))
    served.post(SUGGEST, coral_suggest(CIVIL, "c-902", 1))
    conspiracy = "The council secretly planned the flood to buy the land cheap."
    served.post(SUGGEST, coral_suggest(conspiracy, "c-903", 1, attribute="CONSPIRACY"))
    with LabelStore(served.store, create=False) as store:
        labels = store.labels()
        reversal = store.history(comment_id="c-902")
    assert {k: labels[k].label for k in ("c-901", "c-902", "c-903")} == {
        "c-901": "abusive",
        "c-902": "abusive",
        "c-903": "conspiracy",
    }
    assert [(r.label, r.corrects) for r in reversal] == [("civil", None), ("abusive", "civil")]
    record = labels["c-901"]
    assert record.weak and record.source == "suggestscore"
    assert record.labeller == "coral"  # whose key sent it
    assert record.extra["community"] == "Coral:https://news.example"
    assert record.text == ABUSE and record.thread_id == "https://news.example/story-1"
    # Coral's context, as it sent it
    assert record.extra["thread"]["url"] == "https://news.example/story-1?commentID=c-901"


def test_decisions_need_the_platforms_key_and_are_recorded_under_its_name(served):
    status, refusal, _ = served.post(SUGGEST, coral_suggest(ABUSE, "c-950", 1), key=MODERATOR_KEY)
    assert status == 403 and "ana's key is a moderator's" in refusal["error"]["message"]
    assert served.post(SUGGEST, coral_suggest(ABUSE, "c-950", 1), key=None)[0] == 403
    with LabelStore(served.store, create=False) as store:
        assert store.history(comment_id="c-950") == []
    assert served.post(SUGGEST, coral_suggest(ABUSE, "c-950", 1))[0] == 200
    with LabelStore(served.store, create=False) as store:
        (record,) = store.history(comment_id="c-950")
    assert (record.labeller, record.role) == ("coral", "platform")


def test_coral_decisions_keep_their_thread_and_parent_and_retraining_groups_them(served):
    from moderation.labels.examples import read_labelled

    story = "https://news.example/flood"
    thread = [("d-1", CIVIL, "APPROVED", None), ("d-2", ABUSE, "DELETED", "d-1")]
    thread += [("d-3", "Agreed, the bridge works ran late.", "APPROVED", "d-1")]
    for cid, text, status, parent in thread:
        answer = served.post(SUGGEST, coral_decision(text, cid, status, parent, story))
        assert answer[0] == 200 and answer[1]["clientToken"] == f"comment:{cid}"  # Coral checks it
    with LabelStore(served.store, create=False) as store:
        records = store.labels()
    assert {cid: records[cid].label for cid, *_ in thread} == {
        "d-1": "civil",
        "d-2": "abusive",
        "d-3": "civil",
    }
    assert {records[cid].thread_id for cid, *_ in thread} == {"https://news.example/flood"}
    assert [records[cid].extra.get("parent_id") for cid, *_ in thread] == [None, "d-1", "d-1"]
    assert records["d-2"].labeller == "coral"  # the platform key's name
    assert records["d-2"].extra["thread"]["url"] == "https://news.example/flood?commentID=d-2"
    examples = {e.id: e for e in read_labelled(served.store).examples}
    assert {examples[cid].thread_id for cid, *_ in thread} == {"https://news.example/flood"}


def test_batch_scoring_returns_the_records_score_json_prints(served, model):
    comments = [{"id": "a", "text": ABUSE}, {"text": CIVIL}, {"id": "c", "text": "[deleted]"}]
    status, records, _ = served.post("/v1/score", {"comments": comments, "explain": True})
    assert status == 200
    expected = model.score([ABUSE, CIVIL], explain=True)
    assert [r.get("id") for r in records] == ["a", None, "c"]
    for got, want in zip(records, expected):
        assert got["prediction"] == want["prediction"] and got["flags"] == want["flags"]
        for label in model.labels:
            assert math.isclose(got["scores"][label], want["scores"][label], abs_tol=1e-6)
        assert "explanation" in got
    status, refusal, _ = served.post("/v1/score", [{"id": 1}])
    assert status == 400 and "text" in refusal["error"]["message"]


def test_model_and_metrics_endpoints(served, model):
    status, body, _ = served.get("/v1/model")  # without a key: no paths
    assert status == 200
    assert set(body) == {
        "model",
        "labels",
        "thresholds",
        "languages",
        "unsupported_language",
        "attributes",
        "unsupported_attributes",
        "omit_unsupported_attributes",
        "summary_scale",
    }
    assert body["model"] == model.id and body["labels"] == model.labels
    assert body["languages"]["en"]["model"] == model.id
    assert set(body["languages"]) == {"en", "de", "pt", "fr", "es"}
    assert "directory" not in body["languages"]["de"]
    status, body, _ = served.request("GET", "/v1/model", key=MODERATOR_KEY)
    assert body["keys_required"] is True and body["follows_active_model"] is False
    assert body["decisions_recorded_to"] == str(served.store) and body["directory"]
    assert body["attributes"]["TOXICITY"]["from"] == "label:abusive"
    assert body["attributes"]["THREAT"]["from"] == "head:THREAT"
    assert body["attributes"]["THREAT"]["flag_threshold"] == model.meta.head_thresholds["THREAT"]
    assert {"SEXUALLY_EXPLICIT", "PROFANITY"} <= set(body["unsupported_attributes"])
    assert body["summary_scale"] == "probability"
    served.post(ANALYZE, coral_analyze(CIVIL))
    # on a keyed server /metrics needs a key (it counts 403s, decisions, the pid)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(served.base + "/metrics", timeout=10)
    assert refused.value.code == 403
    with urllib.request.urlopen(served.base + f"/metrics?key={KEY}", timeout=10) as response:
        text = response.read().decode()
    assert 'endpoint="analyze",status="200"' in text
    assert "moderation_comments_scored_total" in text
    assert 'language="en",outcome="scored"' in text
    assert f'moderation_language_model_info{{pid="{served.process.pid}",language="en"' in text


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
perspective_like = st.fixed_dictionaries(
    {},
    optional={
        "comment": st.one_of(json_values, st.fixed_dictionaries({"text": json_values | st.text()})),
        "requestedAttributes": st.one_of(
            json_values,
            st.dictionaries(
                st.sampled_from(["TOXICITY", "CONSPIRACY", "PROFANITY", "SPAM", ""]),
                st.one_of(
                    json_values,
                    st.fixed_dictionaries(
                        {}, optional={"scoreThreshold": json_values, "scoreType": json_values}
                    ),
                ),
                max_size=3,
            ),
        ),
        "attributeScores": st.one_of(
            json_values,
            st.dictionaries(
                st.sampled_from(["TOXICITY", "CONSPIRACY", "X"]),
                st.fixed_dictionaries(
                    {"summaryScore": st.fixed_dictionaries({"value": json_values})}
                ),
                max_size=2,
            ),
        ),
        "languages": json_values,
        "spanAnnotations": json_values,
        "context": st.one_of(
            json_values,
            st.fixed_dictionaries(
                {
                    "entries": st.lists(
                        st.fixed_dictionaries({"text": json_values | st.text()}), max_size=2
                    )
                }
            ),
        ),
        "clientToken": json_values,
        "communityId": json_values,
        "comments": json_values,
        "explain": json_values,
    },
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=perspective_like, path=st.sampled_from([ANALYZE, SUGGEST, "/v1/score"]))
def test_fuzzed_requests_never_get_a_5xx(served, body, path):
    status, answer, _ = served.post(path, body)
    assert status < 500, (path, body, answer)


def test_decisions_retrain_a_model_that_the_server_picks_up_without_a_restart(tiny_model, tmp_path):
    env = server_env(tmp_path)
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "moderation", *args], env=env, capture_output=True, text=True
    )
    promoted = run("models", "promote", str(tiny_model), "--force")
    assert promoted.returncode == 0, promoted.stderr
    store = tmp_path / "decisions.db"
    server = Server(["--labels", str(store)], env)
    try:
        base_id = server.get("/v1/model")[1]["model"]
        assert server.get("/v1/model")[1]["follows_active_model"] is True
        decisions = [
            (f"c{i}", text, value, attribute)
            for i, (text, value, attribute) in enumerate(
                [
                    ("You absolute moron, nobody reads your drivel.", 1, "TOXICITY"),
                    ("Get lost, you spineless weasel.", 1, "TOXICITY"),
                    ("Idiots like you ruin every thread.", 1, "TOXICITY"),
                    ("The mayor and the bankers planned the blackout in secret.", 1, "CONSPIRACY"),
                    ("They staged the flood to hide what is in the reservoir.", 1, "CONSPIRACY"),
                    ("The vaccine records were faked by a hidden cabal.", 1, "CONSPIRACY"),
                    ("Lovely photos of the regatta, thank you.", 0, "TOXICITY"),
                    ("The tram timetable changes on Monday.", 0, "TOXICITY"),
                    ("I think the budget vote was a mistake.", 0, "TOXICITY"),
                ]
            )
        ]
        for cid, text, value, attribute in decisions:
            decision = coral_suggest(text, cid, value, attribute, story=f"story-{cid}")
            assert server.post(SUGGEST, decision)[0] == 200
        trained = run(
            "train",
            "--trust-model",  # the tiny model was made in another state folder
            "--base",
            str(tiny_model),
            "--add",
            str(store),
            "-o",
            str(tmp_path / "models" / "site"),
        )
        assert trained.returncode == 0, trained.stderr
        promoted = run("models", "promote", "site", "--force")
        assert promoted.returncode == 0, promoted.stderr
        deadline = time.monotonic() + 20
        while server.get("/v1/model")[1]["model"] == base_id and time.monotonic() < deadline:
            time.sleep(0.2)
        new_id = server.get("/v1/model")[1]["model"]
        assert new_id != base_id
        assert server.post(ANALYZE, coral_analyze(CIVIL), key=None)[1]["model"] == new_id
    finally:
        assert server.stop() == 0


def test_sigterm_finishes_the_request_in_flight_and_exits_0(tiny_model, tmp_path):
    server = Server(["--model", str(tiny_model)], server_env(tmp_path))
    body = json.dumps(coral_analyze(CIVIL)).encode()
    head = (
        f"POST {ANALYZE} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(head + body[:10])  # the request has started
        time.sleep(0.3)
        server.process.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        sock.sendall(body[10:])
        answer = b""
        while b"attributeScores" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert server.process.wait(timeout=30) == 0


KEYS_FILES = {
    "# only a comment\n   # and an indented one\n": "keys.txt: no keys in the file",
    "short-key ana\n": "keys.txt:1: a key of 9 characters is too short (at least 20)",
    # weak keys the red team found accepted: 16 characters, or one character repeated
    "# ours\npassword12345678 ana\n": "keys.txt:2: a key of 16 characters is too short",
    "aaaaaaaaaaaaaaaaaaaaaaaa ana\n": "keys.txt:1: a key of 1 different characters is too easy",
    "# ours\nlong-enough-key-0001\n": "keys.txt:2: a key needs the name of whoever uses it",
    "long-enough-key-0001 ana boss\n": "keys.txt:1: unknown role 'boss'",
    "long-enough-key-0001 ana\nlong-enough-key-0001 bo\n": "keys.txt:2: the key is already on",
    "long-enough-key-0001 ana moderator extra\n": "keys.txt:1: 4 fields",
}


@pytest.mark.parametrize("text", KEYS_FILES)
def test_serve_refuses_a_bad_keys_file_before_listening(tmp_path, runner, text):
    from moderation.cli import app

    (tmp_path / "keys.txt").write_text(text)
    result = runner.invoke(app, ["serve", "--keys", str(tmp_path / "keys.txt")])
    assert result.exit_code == 2
    assert KEYS_FILES[text] in result.output, result.output
    assert "Traceback" not in result.output


def test_threading_is_safe_for_concurrent_clients(served):
    results = []

    def client():
        for _ in range(20):
            results.append(served.post(ANALYZE, coral_analyze(ABUSE))[0])

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200] * 160
