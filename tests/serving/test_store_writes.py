"""A label store that cannot take a write, as a client meets it (``serving.store_writes``): a
full disk (the server's file-size limit stands in for it) and a store another writer holds,
each against a real server. A platform must get a 503 it retries, never a 400; the review page
a message it shows; and scoring must never wait for the store."""

from __future__ import annotations

import asyncio
import json
import os
import resource
import signal
import sqlite3
import threading
import time
import urllib.error
import urllib.request

from moderation.errors import InputError
from moderation.labels.record import LabelRecord
from moderation.labels.store import LabelStore
from moderation.serving.store_writes import StoreFailure, StoreWriter

from fixtures.servers import start_moderation_server

SUGGEST = "/v1alpha1/comments:suggestscore"
JSON = {"Content-Type": "application/json"}


def send(base, path, body=None, method="POST", timeout=60):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method, headers=JSON)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read()), response.headers
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read()), err.headers


def decision(i: int, text: str = "A comment.") -> dict:
    return {
        "comment": {"text": text},
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}},
        "clientToken": f"comment:c{i}",
    }


def start(tiny_model, folder, limits=None):
    export = folder / "export.jsonl"
    rows = [{"id": f"r{i}", "thread_id": "t", "text": f"Comment {i} here."} for i in range(40)]
    export.write_text("".join(json.dumps(row) + "\n" for row in rows))
    store = folder / "labels.db"
    args = ["serve", "--model", str(tiny_model), "--labels", str(store), "--review", str(export)]
    process, _, base = start_moderation_server(args, dict(os.environ), limits=limits)
    return process, base, store


def stop(process) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    return process.communicate(timeout=60)[0]


def test_a_full_disk_is_a_503_to_retry_and_a_message_on_the_review_page(tiny_model, tmp_path):
    """Before: 400 INVALID_ARGUMENT "database or disk is full" (Coral drops the decision),
    and a text/plain 500 on the review page."""
    process, base, store = start(tiny_model, tmp_path, {resource.RLIMIT_FSIZE: 400_000})
    try:
        answers = [send(base, SUGGEST, decision(i, "words " * 2000)) for i in range(120)]
        statuses = [status for status, _, _ in answers]
        assert statuses[0] == 200 and 503 in statuses and 400 not in statuses, statuses
        status, body, headers = answers[statuses.index(503)]
        assert body["error"]["status"] == "UNAVAILABLE" and int(headers["retry-after"]) > 0
        assert str(tmp_path) not in body["error"]["message"]  # the store's path is not told
        status, health, _ = send(base, "/healthz", method="GET")
        assert status == 200 and health["status"] == "degraded"
        assert health["store"].startswith("unwritable")
        # scoring does not need the store
        status, _, _ = send(base, "/v1/score", {"comments": [{"text": "Lovely evening."}]})
        assert status == 200
        # a moderator has a comment on screen (its lease written) when the last page fills up
        state = send(base, "/review/api/state", {"labeller": "ana"})[1]
        for i in range(120, 2000):  # small ones too, until the last page is full
            if send(base, SUGGEST, decision(i))[0] == 503:
                break
        status, body, headers = send(
            base,
            "/review/api/answer",
            {"labeller": "ana", "id": state["item"]["id"], "answer": "civil"},
        )
        assert status == 503 and "not saved" in body["error"]["message"]
        assert str(tmp_path) not in body["error"]["message"] and headers["retry-after"]
        assert (
            send(base, "/review/api/state", {"labeller": "ana"})[1]["item"]["id"]
            == state["item"]["id"]
        )
    finally:
        log = stop(process)
    assert "Traceback" not in log, log
    with sqlite3.connect(store) as db:  # the store is whole
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_held_store_never_stalls_scoring(tiny_model, tmp_path):
    """Another writer holds the store: review answers and decisions wait for it, while
    /v1/score and comments:analyze are answered (before: the waiting review answers took
    every thread /v1/score scores in)."""
    process, base, store = start(tiny_model, tmp_path)
    holder = sqlite3.connect(store, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    waiting = []

    def answer(i):
        name = f"mod{i}"
        item = send(base, "/review/api/state", {"labeller": name})[1]["item"]
        body = {"labeller": name, "id": item["id"], "answer": "civil"}
        waiting.append(send(base, "/review/api/answer", body)[0])

    def decide(i):
        waiting.append(send(base, SUGGEST, decision(i))[0])

    threads = [threading.Thread(target=answer, args=(i,)) for i in range(8)]
    threads += [threading.Thread(target=decide, args=(i,)) for i in range(4)]
    try:
        for thread in threads:
            thread.start()
        time.sleep(1.0)  # every one of them waiting for the store
        assert waiting == []
        comment = {"comment": {"text": "Nice one."}, "requestedAttributes": {"TOXICITY": {}}}
        scored = send(base, "/v1/score", {"comments": [{"text": "Lovely evening."}]}, timeout=20)
        analyzed = send(base, "/v1alpha1/comments:analyze", comment, timeout=20)
        assert scored[0] == 200 and analyzed[0] == 200
        assert waiting == []  # answered while the store was still held
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        for thread in threads:
            thread.join(timeout=60)
        stop(process)
    assert sorted(waiting) == [200] * 12


def test_decisions_waiting_together_are_written_together_each_answered_as_its_own(tmp_path):
    store = LabelStore(tmp_path / "labels.db")
    writer = StoreWriter(store.path)
    batches = []
    decide_all = store.decide_all
    store.decide_all = lambda records: batches.append(len(records)) or decide_all(records)

    def record(i, who="platform:site"):
        return LabelRecord(id=f"c{i}", label="civil", labeller=who, role="platform", text="Hi.")

    async def decide_all_at_once():
        records = [record(i) for i in range(50)] + [record(50, who=" ")]
        return await asyncio.gather(
            *(writer.decide(store, r) for r in records), return_exceptions=True
        )

    try:
        answers = asyncio.run(decide_all_at_once())
        assert [a.outcome for a in answers[:50]] == ["new"] * 50
        assert isinstance(answers[50], InputError)  # refused alone, a 400 for its request
        assert sum(batches) == 51 and len(batches) < 51  # fewer transactions than decisions
        assert len(store.history()) == 50 and writer.health() == "ok"
        store.close()  # the store gone: every decision of a batch fails, as a 503 to retry
        failed = asyncio.run(decide_all_at_once())
        assert all(isinstance(a, StoreFailure) for a in failed), failed
    finally:
        writer.close()
        store.close()
