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


def test_a_correction_supersedes_the_old_label_and_both_stay_in_the_history(tmp_path):
    path = tmp_path / "labels.jsonl"
    with LabelStore(path) as store:
        store.append(label_record("a", "civil"))
        store.append({**label_record("a", "abusive"), "corrects": "civil"})
        assert store.current_answer("a")["label"] == "abusive"
    contents = read_store(path)
    assert contents.labels()["a"]["label"] == "abusive"
    assert [r["label"] for r in contents.records] == ["civil", "abusive"]
    assert [r["corrects"] for r in contents.corrections()] == ["civil"]


def test_a_correction_must_name_a_known_label(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps({**label_record("a", "civil"), "corrects": "rude"}) + "\n")
    with pytest.raises(InputError, match=r"labels.jsonl:1: corrects unknown label 'rude'"):
        read_store(path)


def test_a_moderator_wins_over_a_weak_label_in_either_order(tmp_path):
    path = tmp_path / "labels.jsonl"
    weak = {"weak": True, "labeller": "platform:site"}
    path.write_text(
        "".join(
            json.dumps(r) + "\n"
            for r in (
                {**label_record("a", "civil"), **weak},  # the platform first
                label_record("a", "abusive"),
                label_record("b", "civil"),  # the moderator first
                {**label_record("b", "abusive"), **weak},
            )
        )
    )
    labels = read_store(path).labels()
    assert {cid: r["label"] for cid, r in labels.items()} == {"a": "abusive", "b": "civil"}
    assert not any(r.get("weak") for r in labels.values())


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


_WRITER = """
import sys
from moderation.labels.store import LabelStore
path, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
with LabelStore(path) as store:
    for i in range(count):
        store.append({"id": f"{name}-{i}", "action": "label", "label": "civil",
                      "text": "x" * 2000, "labeller": name})
"""


def test_writers_in_several_processes_share_one_store_without_losing_or_tearing_a_line(
    tmp_path,
):
    path = tmp_path / "labels.jsonl"
    writers = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(path), name, "150"])
        for name in ("ana", "ben", "cy")
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0]
    records = json_lines(path)  # every line whole JSON
    assert len(records) == 450
    assert {r["id"] for r in records} == {
        f"{name}-{i}" for name in ("ana", "ben", "cy") for i in range(150)
    }


def test_a_writer_reads_what_another_appended_before_it_decides(tmp_path):
    path = tmp_path / "labels.jsonl"
    first, second = LabelStore(path), LabelStore(path)
    first.append(label_record("a", "abusive", weak=True, labeller="platform:x"))
    # the second writer opened the store before that line; under the lock it reads it first
    assert second.record_decision(label_record("a", "abusive", weak=True)) == "same"
    assert second.record_decision(label_record("a", "civil", weak=True)) == "changed"
    first.close(), second.close()
    contents = read_store(path)
    assert [r["action"] for r in contents.records] == ["label", "undo", "label"]
    assert contents.labels()["a"]["label"] == "civil"


def test_a_platform_decision_never_overrides_a_moderators_answer(tmp_path):
    path = tmp_path / "labels.jsonl"
    with LabelStore(path) as store:
        store.append(label_record("a", "abusive"))  # a moderator's answer
        assert store.record_decision(label_record("a", "civil", weak=True)) == "kept"
        assert store.record_decision(label_record("b", "civil", weak=True)) == "new"
    assert {r["id"]: r["label"] for r in read_store(path).labels().values()} == {
        "a": "abusive",
        "b": "civil",
    }


def test_a_hand_edited_store_without_a_final_newline_gets_one_before_the_next_line(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps(label_record("a", "civil")))  # whole JSON, no newline
    with LabelStore(path) as store:
        store.append(label_record("b", "civil"))
    assert [r["id"] for r in json_lines(path)] == ["a", "b"]


def test_two_moderators_labels_for_one_id_are_kept_and_named_not_refused(tmp_path):
    path = tmp_path / "labels.jsonl"
    lines = [
        label_record("a", "civil"),
        label_record("a", "abusive", labeller="bo"),
        label_record("b", "civil", labeller="platform", weak=True),
        label_record("b", "abusive", labeller="bo"),  # a moderator over a platform's decision
        label_record("c", "civil"),
        label_record("c", "civil", labeller="bo"),
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in lines))
    contents = read_store(path)
    assert {cid: [r["labeller"] for r in rs] for cid, rs in contents.disagreements().items()} == {
        "a": ["ana", "bo"]
    }
    with pytest.raises(InputError, match="id 'a' is labelled 'civil' by ana and 'abusive' by bo"):
        contents.labels()
    kept = contents.labels(disagreements=True)
    assert {cid: r["label"] for cid, r in kept.items()} == {"b": "abusive", "c": "civil"}
    with LabelStore(path) as store:
        assert [r["labeller"] for r in store.answers("a")] == ["ana", "bo"]


def test_threads_of_one_process_take_turns_on_one_store(tmp_path):
    """A server records decisions from a thread pool: flock does not exclude threads of one
    process, so they must take turns in the store itself (found by 32 Coral connections)."""
    import threading

    from moderation.labels.store import LabelStore, read_store

    store = LabelStore(tmp_path / "decisions.jsonl")
    errors = []

    def decide(number: int) -> None:
        try:
            for i in range(20):
                record = {
                    "id": f"t{number}-{i}",
                    "action": "label",
                    "label": "civil",
                    "text": "x",
                    "labeller": "platform:test",
                    "weak": True,
                }
                assert store.record_decision(record) == "new"
        except Exception as err:  # noqa: BLE001 - reported below
            errors.append(repr(err))

    threads = [threading.Thread(target=decide, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    assert len(read_store(tmp_path / "decisions.jsonl").labels()) == 320
