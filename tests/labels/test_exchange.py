"""`moderation labels export` and `labels import`: a store out as JSONL or CSV, and back."""

from __future__ import annotations

import csv
import json

from moderation.cli import app
from moderation.labels.record import LabelRecord
from moderation.labels.store import LabelStore

from fixtures.stores import store_history, store_labels


def _store(path):
    with LabelStore(path) as store:
        store.answer(LabelRecord(id="a", label="civil", text="=1+1 is two", labeller="ana"))
        store.answer(LabelRecord(id="a", label="abusive", text="=1+1 is two", labeller="ana"))
        store.answer(LabelRecord(id="b", label="conspiracy", text="they hid it", labeller="ana"))
        store.undo("b", "ana")
        store.decide(
            LabelRecord(id="c", label="civil", text="fine", labeller="platform:x", role="platform")
        )
    return path


def test_export_writes_the_history_and_import_gives_the_same_store_back(tmp_path, runner):
    store = _store(tmp_path / "labels.db")
    out = tmp_path / "history.jsonl"
    result = runner.invoke(app, ["labels", "export", str(store), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote 5 row(s) of history" in result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["action"], r.get("supersedes"), r.get("corrects")) for r in lines] == [
        ("label", None, None),
        ("label", 1, "civil"),
        ("label", None, None),
        ("undo", 3, None),
        ("label", None, None),
    ]
    assert lines[-1]["weak"] is True and lines[-1]["role"] == "platform"
    copy = tmp_path / "copy.db"
    result = runner.invoke(app, ["labels", "import", str(out), "--store", str(copy)])
    assert result.exit_code == 0, result.output
    assert "added 5 row(s)" in result.output
    assert store_labels(copy) == store_labels(store) == {"a": "abusive", "c": "civil"}
    assert [(r.action, r.label) for r in store_history(copy)] == [
        (r.action, r.label) for r in store_history(store)
    ]
    again = runner.invoke(app, ["labels", "import", str(out), "--store", str(copy)])
    assert again.exit_code == 2 and "is already imported into" in again.output
    assert len(store_history(copy)) == 5


def test_export_of_current_labels_as_csv_is_safe_to_open_in_a_spreadsheet(tmp_path, runner):
    store = _store(tmp_path / "labels.db")
    out = tmp_path / "labels.csv"
    result = runner.invoke(app, ["labels", "export", str(store), "--current", "-o", str(out)])
    assert result.exit_code == 0, result.output
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["id"], r["label"], r["role"], r["corrects"]) for r in rows] == [
        ("a", "abusive", "moderator", "civil"),
        ("c", "civil", "platform", ""),
    ]
    assert rows[0]["text"] == "'=1+1 is two"  # no formula runs when it is opened
    result = runner.invoke(app, ["labels", "export", str(store)])  # stdout, JSONL
    assert result.exit_code == 0 and result.stdout.count("\n") == 5
    refused = runner.invoke(app, ["labels", "export", str(store), "-o", str(tmp_path / "x.xlsx")])
    assert refused.exit_code == 2 and "write .jsonl or .csv" in refused.output
    plain = runner.invoke(
        app, ["labels", "export", str(store), "--current", "-o", str(out), "--no-bom"]
    )
    assert plain.exit_code == 0 and out.read_bytes().startswith(b"seq,")
    onto = runner.invoke(app, ["labels", "export", str(store), "-o", str(store), "-f", "csv"])
    assert onto.exit_code == 2 and "is the input" in onto.output
