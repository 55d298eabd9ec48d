"""The append-only label store: one line per answer, undo, torn lines, crashes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from moderation.errors import InputError
from moderation.labels.store import LabelStore, read_store, undo_record

from conftest import json_lines, label_record


def test_store_appends_one_line_per_answer_and_replays_undo(tmp_path):
    path = tmp_path / "labels.jsonl"
    with LabelStore(path) as store:
        store.append(label_record("a", "civil"))
        store.append(label_record("b", "abusive"))
        store.append(undo_record("b", labeller="ana"))
        store.append(label_record("b", "conspiracy"))
        store.append({**label_record("c", None), "action": "skip"})
    contents = read_store(path)
    assert len(json_lines(path)) == 5
    assert {cid: r["label"] for cid, r in contents.labels().items()} == {
        "a": "civil",
        "b": "conspiracy",
    }
    assert set(contents.current()) == {"a", "b", "c"}  # the skip counts as answered


def test_two_different_labels_for_one_id_without_undo_are_a_conflict(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_text(
        json.dumps(label_record("a", "civil"))
        + "\n"
        + json.dumps(label_record("a", "abusive"))
        + "\n"
    )
    with pytest.raises(
        InputError,
        match=r"labels.jsonl:2: id 'a' is labelled 'abusive' here "
        r"and 'civil' at line 1",
    ):
        read_store(path).labels()


def test_torn_last_line_is_reported_ignored_and_set_aside_before_appending(tmp_path):
    path = tmp_path / "labels.jsonl"
    good = json.dumps(label_record("a", "civil")) + "\n"
    path.write_text(good + '{"id": "b", "label": "abu')
    contents = read_store(path)
    assert [r["id"] for r in contents.records] == ["a"]
    assert "labels.jsonl:2: the last line is incomplete" in contents.torn_warning()
    with LabelStore(path) as store:
        store.append(label_record("c", "abusive"))
    assert [r["id"] for r in json_lines(path)] == ["a", "c"]
    assert (tmp_path / "labels.jsonl.torn").read_text() == '{"id": "b", "label": "abu\n'
    assert read_store(path).torn_line is None


def test_a_bad_line_in_the_middle_is_an_error_with_its_line(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_text(
        json.dumps(label_record("a", "civil"))
        + "\nnot json\n"
        + json.dumps(label_record("b", "civil"))
        + "\n"
    )
    with pytest.raises(InputError, match="labels.jsonl:2: not valid JSON"):
        read_store(path)


def test_unknown_label_name_in_a_store_names_the_line(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps(label_record("a", "rude")) + "\n")
    with pytest.raises(InputError, match="labels.jsonl:1: unknown label 'rude'"):
        read_store(path)


def test_killing_the_writer_loses_no_answer_it_confirmed(tmp_path):
    """A child appends answers and prints each id after append returns; it is killed with
    SIGKILL mid-run: every id it confirmed is in the store."""
    path = tmp_path / "labels.jsonl"
    script = (
        "import sys, itertools\n"
        "from moderation.labels.store import LabelStore\n"
        f"store = LabelStore({str(path)!r})\n"
        "for n in itertools.count():\n"
        "    store.append({'id': str(n), 'action': 'label', 'label': 'civil', 'text': 'x' * 500})\n"
        "    print(n, flush=True)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    confirmed = []
    deadline = time.monotonic() + 20
    while len(confirmed) < 50 and time.monotonic() < deadline:
        confirmed.append(child.stdout.readline().strip())
    os.kill(child.pid, 9)
    child.wait()
    child.stdout.close()
    stored = read_store(path)
    assert set(confirmed) <= set(stored.labels())
