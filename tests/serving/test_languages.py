"""`moderation serve` and the comment's language: Coral's `languages` honoured, the language
detected when absent, a language no model reads answered as the site chose
(`--unsupported-language`), the models per language in /v1/model and /metrics, and a
language's promoted model picked up without a restart."""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.error
import urllib.request

import pytest

from moderation.model.registry import find_model, load_model

from fixtures.languages import GREETINGS, site_store
from fixtures.servers import start_moderation_server

ANALYZE = "/v1alpha1/comments:analyze"


class Server:
    def __init__(self, args, env):
        self.process, self.port, self.base = start_moderation_server(["serve", *args], env)

    def call(self, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method="GET" if body is None else "POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                kind = response.headers.get("content-type", "")
                return response.status, json.loads(raw) if "json" in kind else raw.decode()
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


def _env(folder):
    env = dict(os.environ)
    env["MODERATION_HOME"] = str(folder / "home")
    env["MODERATION_MODELS"] = str(folder / "models")
    env.pop("MODERATION_MODEL", None)
    return env


def analyze(text, attributes=("TOXICITY",), languages=None):
    body = {"comment": {"text": text}, "requestedAttributes": {a: {} for a in attributes}}
    if languages is not None:
        body["languages"] = languages
    return body


@pytest.fixture(scope="module")
def rejecting(tiny_model, tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve-reject")
    server = Server(["--model", str(tiny_model), "--unsupported-language", "reject"], _env(folder))
    yield server
    assert server.stop() == 0


def test_the_requested_language_picks_the_model_and_without_it_one_is_detected(rejecting):
    german = find_model("default-de").meta.model_id
    status, body = rejecting.call(ANALYZE, analyze(GREETINGS["de"], languages=["de-AT"]))
    assert status == 200 and body["model"] == german
    assert body["languages"] == ["de-at"] and body["detectedLanguages"] == ["de"]
    status, body = rejecting.call(ANALYZE, analyze(GREETINGS["pt"]))
    assert body["model"] == find_model("default-pt").meta.model_id
    assert body["languages"] == body["detectedLanguages"] == ["pt"]
    # the site says German: the German model reads it, whatever it looks like
    status, body = rejecting.call(ANALYZE, analyze(GREETINGS["en"], languages=["de"]))
    assert body["model"] == german


def test_reject_holds_what_no_model_can_read(rejecting):
    status, body = rejecting.call(ANALYZE, analyze(GREETINGS["it"], ["TOXICITY", "CONSPIRACY"]))
    assert status == 200 and body["notScored"] == "language"
    assert body["detectedLanguages"] == ["it"]
    values = {a: v["summaryScore"]["value"] for a, v in body["attributeScores"].items()}
    assert values == {"TOXICITY": 1.0, "CONSPIRACY": 1.0}
    # Spanish has a model, but one without abuse labels: it cannot answer TOXICITY
    status, body = rejecting.call(ANALYZE, analyze(GREETINGS["es"], languages=["es"]))
    assert body["notScored"] == "language"
    status, body = rejecting.call(ANALYZE, analyze(GREETINGS["es"], ["CONSPIRACY"], ["es"]))
    assert body["model"] == find_model("default-es").meta.model_id


def test_a_head_the_language_lacks_is_dropped_when_asked_else_the_policy_answers(rejecting):
    # the heads (INSULT, ...) are English only: the German model answers TOXICITY alone
    german = find_model("default-de").meta.model_id
    body = analyze(GREETINGS["de"], ["TOXICITY", "INSULT"], ["de"])
    status, answer = rejecting.call(ANALYZE, {**body, "dropUnsupportedAttributes": True})
    assert status == 200 and answer["model"] == german
    assert set(answer["attributeScores"]) == {"TOXICITY"}
    status, answer = rejecting.call(ANALYZE, body)
    assert status == 200 and answer["notScored"] == "language"
    assert set(answer["attributeScores"]) == {"TOXICITY", "INSULT"}
    # English answers both, and a name no model answers stays a 400
    status, answer = rejecting.call(ANALYZE, analyze(GREETINGS["en"], ["TOXICITY", "INSULT"]))
    assert status == 200 and set(answer["attributeScores"]) == {"TOXICITY", "INSULT"}
    status, answer = rejecting.call(ANALYZE, analyze(GREETINGS["en"], ["FLIRTATION"]))
    assert status == 400


def test_batch_records_carry_their_language(rejecting):
    comments = [
        {"id": 1, "text": GREETINGS["fr"]},
        {"id": 2, "text": GREETINGS["it"]},
        {"id": 3, "text": GREETINGS["en"], "language": "pt"},
    ]
    status, records = rejecting.call("/v1/score", comments)
    assert status == 200
    assert [r["language"] for r in records] == ["fr", "it", "pt"]
    assert records[1]["not_scored"] == "language" and records[1]["scores"] is None
    assert records[2]["model"] == find_model("default-pt").meta.model_id
    status, refusal = rejecting.call("/v1/score", [{"text": "x", "language": 7}])
    assert status == 400 and "language" in refusal["error"]["message"]


def test_model_and_metrics_list_the_languages(rejecting, tiny_model):
    status, body = rejecting.call("/v1/model")
    assert body["unsupported_language"] == "reject"
    assert body["languages"]["en"]["model"] == load_model(tiny_model).id
    assert body["languages"]["es"]["labels"] == ["civil", "conspiracy"]
    assert body["languages"]["de"]["directory"].endswith("default-de")
    rejecting.call(ANALYZE, analyze(GREETINGS["it"]))
    rejecting.call(ANALYZE, analyze(GREETINGS["de"], languages=["de"]))
    status, text = rejecting.call("/metrics")
    assert 'language="it",outcome="rejected"' in text
    assert 'language="de",outcome="scored"' in text
    assert 'moderation_language_model_info{pid="' in text and 'language="fr"' in text


@pytest.fixture(scope="module")
def english(tiny_model, tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve-english")
    server = Server(["--model", str(tiny_model), "--unsupported-language", "english"], _env(folder))
    server.folder = folder
    yield server
    assert server.stop() == 0


def test_english_scores_what_no_model_reads_with_the_english_model(english, tiny_model):
    status, body = english.call(ANALYZE, analyze(GREETINGS["it"]))
    assert status == 200 and body["model"] == load_model(tiny_model).id
    assert body["scoredLanguage"] == "en" and body["detectedLanguages"] == ["it"]
    status, text = english.call("/metrics")
    assert 'language="it",outcome="english"' in text


def test_a_promoted_model_of_a_new_language_is_picked_up_without_a_restart(english, tmp_path):
    from typer.testing import CliRunner

    from moderation.cli import app

    env = _env(english.folder)
    store = site_store(tmp_path / "labels.db", "it")
    runner = CliRunner()
    config = tmp_path / "fast.toml"
    config.write_text("[pipeline]\ncv_folds = 3\nn_jobs = 1\nC_grid = [1.0]\n")
    output = tmp_path / "site-it"
    args = ["train", "-l", "it", "--add", str(store), "-o", str(output), "--config", str(config)]
    trained = runner.invoke(app, args, env=env)
    assert trained.exit_code == 0, trained.output
    promoted = runner.invoke(app, ["models", "promote", str(output)], env=env)
    assert promoted.exit_code == 0, promoted.output
    italian = find_model(output).meta.model_id
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status, health = english.call("/healthz")
        if health["models"].get("it") == italian:
            break
        time.sleep(0.2)
    assert health["models"]["it"] == italian
    status, body = english.call(ANALYZE, analyze(GREETINGS["it"]))
    assert body["model"] == italian and "scoredLanguage" not in body
