"""Everything that writes labels, at once, into one store: `serve --workers 2` taking the
platform's decisions from eight clients, the review page taking two moderators' answers, and
two `label --import` runs of a spreadsheet. Afterwards every write that got a 2xx (or a
success) is in the store exactly once, and the store opens and reads."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import threading
from collections import Counter

from moderation.labels.store import LabelStore

from fixtures.servers import start_moderation_server
from review_http import post_json as _post
from review_http import write_review_export


def _decision(cid, label):
    return {
        "comment": {"text": f"the comment {cid}"},
        "attributeScores": {
            "TOXICITY": {"summaryScore": {"value": 1 if label == "abusive" else 0}}
        },
        "communityId": "site",
        "clientToken": f"comment:{cid}",
    }


def test_every_writer_at_once_loses_nothing_and_doubles_nothing(tmp_path, tiny_model):
    store = tmp_path / "labels.db"
    export = write_review_export(tmp_path / "export.jsonl", 40)
    sheet = tmp_path / "sheet.csv"
    with open(sheet, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "label"])
        writer.writerows((f"r{i}", "civil") for i in range(20, 40))
    env = dict(os.environ)
    model = ["--model", str(tiny_model)]
    decisions_server, _, decisions = start_moderation_server(
        ["serve", "--workers", "2", "--labels", str(store), *model], env
    )
    review_server, _, review = start_moderation_server(
        ["review", str(export), "--store", str(store), "--lease", "5", *model], env
    )
    sent: list[tuple[str, str, bool]] = []
    answered: list[tuple[str, str, str, str]] = []
    problems: list[object] = []
    lock = threading.Lock()

    def platform(worker):
        for n in range(40):
            cid, label = f"d{worker}-{n % 25}", ("civil", "abusive")[(n // 25 + worker) % 2]
            status, body = _post(
                decisions, "/v1alpha1/comments:suggestscore", _decision(cid, label)
            )
            with lock:
                if status == 200:
                    sent.append((cid, label, body["stored"]))
                else:
                    problems.append((status, body))

    def moderator(name):
        for _ in range(12):
            status, state = _post(review, "/review/api/state", {"labeller": name})
            if status != 200:
                problems.append((status, state))
            if status != 200 or state["item"] is None:
                return
            cid = state["item"]["id"]
            answer = "abusive" if name == "ana" else "conspiracy"
            status, view = _post(
                review, "/review/api/answer", {"labeller": name, "id": cid, "answer": answer}
            )
            with lock:
                if status == 200:
                    answered.append((cid, name, answer, view["saved"]["what"]))
                else:
                    problems.append((status, view))

    imports = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "moderation",
                "label",
                str(export),
                "--store",
                str(store),
                "--import",
                str(sheet),
                "--labeller",
                "cy",
                *model,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        for _ in range(2)
    ]
    threads = [threading.Thread(target=platform, args=(w,)) for w in range(8)]
    threads += [threading.Thread(target=moderator, args=(name,)) for name in ("ana", "bo")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outputs = [run.communicate(timeout=300)[0] for run in imports]
    for process in (decisions_server, review_server):
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    assert problems == []
    assert [run.returncode for run in imports] == [0, 0], outputs
    assert sorted(" ".join(o.split()).count("added 20 answer(s)") for o in outputs) == [0, 1]

    with LabelStore(store, create=False) as opened:
        history = opened.history()
        current = opened.current_answers()
    rows = Counter((r.id, r.labeller, r.label) for r in history)
    # the platform: each decision told "stored" is there once; "not stored" added nothing
    stored = Counter((cid, "platform:site", label) for cid, label, written in sent if written)
    for key, count in stored.items():
        assert rows[key] == count, key
    platform_rows = sum(n for (_, who, _), n in rows.items() if who == "platform:site")
    assert platform_rows == sum(stored.values())
    # the review page: each answer saved is there once, under its moderator
    for cid, name, label, what in answered:
        assert rows[(cid, name, label)] == 1 and what == "saved"
    assert len({cid for cid, *_ in answered}) == len(answered)  # nobody shared a comment
    # the spreadsheet: imported once, whatever the other import and the page did
    for i in range(20, 40):
        assert rows[(f"r{i}", "cy", "civil")] == 1
    assert len(history) == sum(stored.values()) + len(answered) + 20
    assert {current[cid][0] for cid, _, _ in sent} == {"weak"}
    assert {current[cid][0] for cid, *_ in answered} <= {"labelled", "disagreement"}
