"""A store of an earlier version (JSON lines) imported once into the SQLite store beside it,
never rewritten; which store a path means; label files read by the store's rules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from moderation.cli import app
from moderation.errors import InputError
from moderation.labels.opening import open_for_reading, open_store, store_path
from moderation.labels.record import LabelRecord

from fixtures.stores import label_record

OLD_LINES = [
    label_record("a", "civil"),
    label_record("b", "abusive"),
    {"id": "b", "action": "undo", "labeller": "ana"},
    label_record("b", "conspiracy"),
    {**label_record("c", "civil"), "weak": True, "labeller": "platform:site"},
    label_record("c", "abusive"),  # a moderator over the platform
    label_record("d", "civil"),
    {**label_record("d", "abusive"), "corrects": "civil"},
    {"id": "e", "action": "skip", "labeller": "ana", "text": "text of e"},
]


def _old_store(path, lines=OLD_LINES, tail=""):
    path.write_text("".join(json.dumps(r) + "\n" for r in lines) + tail)
    return path


def test_an_old_jsonl_store_is_imported_once_and_left_as_it_was(tmp_path):
    old = _old_store(tmp_path / "labels.jsonl", tail='{"id": "f", "lab')  # a torn last line
    before = old.read_bytes()
    with open_store(old) as store:
        assert store.path == tmp_path / "labels.db"
        notes = " ".join(store.notes)
        assert (
            "imported its 9 answer(s) into" in notes and "labels.jsonl is left as it was" in notes
        )
        assert "labels.jsonl:10: the last line is incomplete" in notes
        assert dict(store.current_answers().items()) == {
            "a": ("labelled", "civil"),
            "b": ("labelled", "conspiracy"),
            "c": ("labelled", "abusive"),
            "d": ("labelled", "abusive"),
            "e": ("skipped", None),
        }
        assert [r.corrects for r in store.corrections()] == ["civil"]
        store.answer(LabelRecord(id="g", label="civil", text="new", labeller="ana"))
    assert old.read_bytes() == before  # never rewritten
    with open_store(old) as store:  # the next run uses the database, and says so
        assert any("using" in note for note in store.notes)
        assert len(store.current_answers()) == 6
    assert store_path(old) == tmp_path / "labels.db"
    with open_for_reading(old) as store:  # training on the old name reads the database
        assert "g" in store.labels()
        assert any("reading" in note for note in store.notes)


def test_lines_an_earlier_version_appended_after_the_import_are_imported_too(tmp_path):
    old = _old_store(tmp_path / "labels.jsonl")
    open_store(old).close()
    with open(old, "a") as handle:
        handle.write(json.dumps(label_record("z", "conspiracy")) + "\n")
    with open_store(old) as store:
        assert any("gained 1 answer(s)" in note for note in store.notes)
        assert store.labels()["z"].label == "conspiracy"
    with open_store(old) as store:  # and only once
        assert sum(r.id == "z" for r in store.history()) == 1
    old.write_text(json.dumps(label_record("a", "abusive")) + "\n")  # changed, not appended
    with pytest.raises(InputError, match="changed since it was imported into"):
        open_store(old)


def test_a_database_beside_the_old_store_that_did_not_come_from_it_is_refused(tmp_path):
    open_store(tmp_path / "labels.db").close()
    old = _old_store(tmp_path / "labels.jsonl")
    with pytest.raises(InputError, match="labels.db: already exists and was not imported from"):
        open_store(old)


@pytest.mark.parametrize("name", ["new.jsonl", "labels.txt", "store"])
def test_a_new_store_is_made_only_under_a_db_name(tmp_path, runner, name):
    """Red team finding 13: `serve --labels new.jsonl` made new.db and never said so. A path
    naming no file becomes a store only if it ends in .db; else one line says what to give."""
    with pytest.raises(InputError, match=f"{name}: not found.*give .*{Path(name).stem}.db"):
        open_store(tmp_path / name)
    result = runner.invoke(app, ["serve", "--labels", str(tmp_path / name)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"give {tmp_path / Path(name).stem}.db" in result.output
    assert sorted(tmp_path.iterdir()) == []
    with open_store(tmp_path / "new.db") as store:
        assert store.path == tmp_path / "new.db" and store.notes == []


def test_one_moderators_changed_label_in_an_old_store_becomes_a_correction(tmp_path):
    old = _old_store(
        tmp_path / "labels.jsonl", [label_record("a", "civil"), label_record("a", "abusive")]
    )
    with open_store(old) as store:
        assert store.labels()["a"].label == "abusive"
        assert any("recorded as corrections" in note for note in store.notes)


def test_a_killed_import_leaves_nothing_the_next_run_does_not_remove(tmp_path):
    old = _old_store(tmp_path / "labels.jsonl")
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    left = tmp_path / f".labels.db.{dead.stdout.strip()}.import"
    left.write_bytes(b"half an import")
    (tmp_path / f"{left.name}-wal").write_bytes(b"")
    with open_store(old) as store:
        assert any("left by an import that was stopped" in note for note in store.notes)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "labels.db",
        "labels.db-lock",
        "labels.jsonl",
    ]


_OPEN = """
import sys
from moderation.labels.opening import open_store
with open_store(sys.argv[1]) as store:
    print(len(store.history()))
"""


def test_two_processes_importing_one_old_store_at_once_make_one_database(tmp_path):
    old = _old_store(
        tmp_path / "labels.jsonl", [label_record(f"c{i}", "civil") for i in range(3000)]
    )
    runs = [
        subprocess.Popen([sys.executable, "-c", _OPEN, str(old)], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    counts = [run.communicate(timeout=120)[0].strip() for run in runs]
    assert counts == ["3000", "3000"]
    with open_store(old) as store:
        assert len(store.imports()) == 1 and len(store) == 3000


def test_label_files_are_read_by_the_stores_rules(tmp_path):
    lines = _old_store(tmp_path / "merged.jsonl", OLD_LINES[:4])
    with open_for_reading(lines) as store:
        assert {cid: r.label for cid, r in store.labels().items()} == {
            "a": "civil",
            "b": "conspiracy",
        }
    assert not (tmp_path / "merged.db").exists()  # reading writes nothing
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(label_record("a", "rude")) + "\n")
    with pytest.raises(InputError, match="bad.jsonl:1: unknown label 'rude'"):
        open_for_reading(bad)
    with pytest.raises(InputError, match="not a regular file"):
        open_for_reading("/dev/zero")


def test_an_export_of_a_store_reads_back_to_the_same_answers(tmp_path):
    from moderation.labels.jsonl import write_label_lines

    with open_store(tmp_path / "a.db") as store:
        store.answer(LabelRecord(id="a", label="civil", text="t", labeller="ana"))
        store.answer(LabelRecord(id="a", label="abusive", text="t", labeller="ana"))
        store.answer(LabelRecord(id="b", label="civil", text="t", labeller="ana"))
        store.undo("b", "ana")
        store.answer(LabelRecord(id="b", label="civil", text="t", labeller="bo"))
        store.answer(LabelRecord(id="b", label="abusive", text="t", labeller="cy"))
        history = store.history()
        write_label_lines(tmp_path / "export.jsonl", history)
        before = dict(store.current_answers().items())
    with open_for_reading(tmp_path / "export.jsonl") as again:
        assert dict(again.current_answers().items()) == before
        assert [(r.action, r.supersedes) for r in again.history()] == [
            (r.action, r.supersedes) for r in history
        ]
    os.remove(tmp_path / "export.jsonl")
