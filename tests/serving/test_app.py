"""The HTTP app in process (Starlette's test client, no server started): keys checked on each
route, refusals and failures answered as Perspective's JSON errors, the model named in a
header, and the settings handed to workers through the environment."""

from __future__ import annotations

import warnings

import pytest
from starlette.routing import Route

from moderation.serving.app import ENV_SETTINGS, ServeSettings, create_app, endpoint
from moderation.serving.store_writes import StoreFailure

with warnings.catch_warnings():  # starlette's note that a later httpx is on its way
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

KEY = "ana-key-7Qx2Lm9Tv4Rb8Nw1"
CORAL = "coral-key-3Hd8Kp1Zs6Wq0Yu"


@pytest.fixture
def client(tiny_model, tmp_path):
    keys = tmp_path / "keys.txt"
    keys.write_text(f"{KEY} ana\n{CORAL} coral platform\n")
    settings = ServeSettings(model=str(tiny_model), keys=str(keys), labels=str(tmp_path / "s.db"))
    app = create_app(settings)
    app.router.routes.append(
        Route("/fail", endpoint("fail", failing, keyed=True), methods=["POST"])
    )
    with TestClient(app, base_url="http://localhost") as client:
        yield client


async def failing(service, request):
    """A route whose handler fails as the request's body says."""
    if (await request.json()) == "store":
        raise StoreFailure("the label store is busy")
    raise RuntimeError("a bug")


def analyze_body(text="thanks, lovely photo"):
    return {"comment": {"text": text}, "requestedAttributes": {"TOXICITY": {}}}


def test_a_key_is_taken_from_the_bearer_header_or_the_query(client, model):
    by_header = client.post(
        "/v1alpha1/comments:analyze",
        json=analyze_body(),
        headers={"authorization": f"Bearer {KEY}"},
    )
    assert by_header.status_code == 200
    assert by_header.headers["x-moderation-model"] == model.id
    by_query = client.post(f"/v1alpha1/comments:analyze?key={KEY}", json=analyze_body())
    assert by_query.json() == by_header.json()


def test_no_key_or_a_wrong_one_is_a_403_and_too_many_wrong_ones_a_429(client):
    missing = client.post("/v1alpha1/comments:analyze", json=analyze_body())
    assert missing.status_code == 403
    assert missing.json()["error"]["status"] == "PERMISSION_DENIED"
    assert client.get("/healthz").status_code == 200  # a route that needs no key
    statuses = [
        client.post("/v1/score?key=wrong-key-of-twenty-chars", json=[{"text": "x"}]).status_code
        for _ in range(12)
    ]
    assert statuses[0] == 403 and statuses[-1] == 429
    limited = client.post(f"/v1/score?key={KEY}", json=[{"text": "x"}])
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1


def test_refusals_are_400s_in_perspectives_shape_and_counted(client):
    bad = client.post(
        f"/v1alpha1/comments:analyze?key={KEY}",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["message"].startswith("Invalid JSON payload received")
    metrics = client.get(f"/metrics?key={KEY}").text
    assert 'endpoint="analyze",status="400"} 1' in metrics


def test_only_the_platforms_key_may_send_decisions(client):
    decision = {
        "comment": {"text": "some words"},
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": 0.9}}},
    }
    refused = client.post(f"/v1alpha1/comments:suggestscore?key={KEY}", json=decision)
    assert refused.status_code == 403
    assert (
        client.post(f"/v1alpha1/comments:suggestscore?key={CORAL}", json=decision).status_code
        == 200
    )


def test_a_store_failure_is_a_503_to_retry_and_a_bug_a_500(client):
    busy = client.post(f"/fail?key={KEY}", json="store")
    assert busy.status_code == 503 and int(busy.headers["retry-after"]) >= 1
    assert busy.json()["error"]["message"] == "the label store is busy"
    broken = client.post(f"/fail?key={KEY}", json="bug")
    assert broken.status_code == 500 and broken.json()["error"]["status"] == "INTERNAL"
    assert "a bug" not in broken.text  # the bug is logged, not told


def test_unknown_paths_and_methods_answer_json(client):
    assert client.get("/nowhere").status_code == 404
    assert client.get("/v1/score").status_code == 405


def test_settings_reach_workers_through_the_environment(monkeypatch, tiny_model):
    settings = ServeSettings(model=str(tiny_model), review_columns=["text", None], check_every=2.5)
    monkeypatch.setenv(ENV_SETTINGS, settings.to_env())
    assert ServeSettings.from_env() == settings
