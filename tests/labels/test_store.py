"""The SQLite label store: the rules answers are written by, the history's constraints, the
schema's version, files it refuses, and many writers at once."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time

import pytest

from moderation.errors import InputError
from moderation.labels import schema
from moderation.labels.record import LabelRecord
from moderation.labels.store import LabelStore, NothingToUndo


def said(cid, label, who="ana", **extra):
    """A moderator's answer (``label`` None: a skip)."""
    action = "label" if label else "skip"
    return LabelRecord(
        id=cid, action=action, label=label, labeller=who, text=f"text {cid}", **extra
    )


def decided(cid, label, who="platform:site"):
    return LabelRecord(id=cid, label=label, labeller=who, role="platform", text=f"text {cid}")


@pytest.fixture
def store(tmp_path):
    with LabelStore(tmp_path / "labels.db") as opened:
        yield opened


def test_answers_skips_and_undos_give_each_comments_current_answer(store):
    assert store.answer(said("a", "civil")).outcome == "new"
    store.answer(said("b", "abusive"))
    assert store.undo("b", "ana").outcome == "undone"
    store.answer(said("b", "conspiracy"))
    store.answer(said("c", None))
    current = store.current_answers()
    assert dict(current.items()) == {
        "a": ("labelled", "civil"),
        "b": ("labelled", "conspiracy"),
        "c": ("skipped", None),
    }
    assert {cid: r.label for cid, r in store.labels().items()} == {"a": "civil", "b": "conspiracy"}
    assert [(r.action, r.supersedes) for r in store.history(comment_id="b")] == [
        ("label", None),
        ("undo", 2),
        ("label", None),
    ]
    with pytest.raises(NothingToUndo, match="bo has no answer for 'a'"):
        store.undo("a", "bo")


def test_one_moderator_answering_again_corrects_the_first_answer(store):
    store.answer(said("a", "civil"))
    assert store.answer(said("a", "civil")).outcome == "same"  # nothing written
    again = store.answer(said("a", "abusive"))  # a second tab, or a changed mind
    assert again.outcome == "corrected" and again.replaced.label == "civil"
    assert again.record.corrects == "civil" and again.record.supersedes == 1
    assert store.labels()["a"].label == "abusive"
    assert [r.label for r in store.history()] == ["civil", "abusive"]  # both kept
    assert [r.corrects for r in store.corrections()] == ["civil"]
    assert store.answer(said("a", None)).outcome == "labelled"  # a skip withdraws nothing
    assert len(store) == 2


def test_a_moderator_wins_over_the_platform_in_either_order(store):
    assert store.decide(decided("a", "civil")).outcome == "new"  # the platform first
    store.answer(said("a", "abusive"))
    store.answer(said("b", "civil"))  # the moderator first
    assert store.decide(decided("b", "abusive")).outcome == "kept"  # recorded, not current
    assert {cid: (r.label, r.weak) for cid, r in store.labels().items()} == {
        "a": ("abusive", False),
        "b": ("civil", False),
    }
    assert store.decide(decided("c", "civil")).outcome == "new"
    assert store.decide(decided("c", "civil")).outcome == "same"
    changed = store.decide(decided("c", "abusive"))
    assert changed.outcome == "changed" and changed.record.corrects == "civil"
    assert store.current_answers()["c"] == ("weak", "abusive")
    store.undo("a", "ana")  # the moderator withdraws: the platform's decision stands again
    assert store.current_answers()["a"] == ("weak", "civil")


def test_decisions_written_together_are_each_what_decide_gives_and_a_bad_one_alone_fails(store):
    store.answer(said("m", "civil"))  # a moderator's label stands over the platform's
    results = store.decide_all(
        [
            decided("a", "civil"),
            decided("a", "civil"),  # the same again, in the same transaction
            decided("b", "abusive", who=" "),  # no labeller: refused, the others written
            decided("a", "abusive"),
            decided("m", "abusive"),
        ]
    )
    outcomes = [r.outcome if not isinstance(r, Exception) else "refused" for r in results]
    assert outcomes == ["new", "same", "refused", "changed", "kept"]
    assert isinstance(results[2], InputError) and "names no labeller" in str(results[2])
    assert store.current_answers() == {"a": ("weak", "abusive"), "m": ("labelled", "civil")}
    assert [r.id for r in store.history()] == ["m", "a", "a", "m"]  # nothing of "b"


def test_two_moderators_different_labels_are_a_disagreement_until_one_corrects(store):
    store.answer(said("a", "civil"))
    store.answer(said("a", "abusive", who="bo"))
    store.decide(decided("b", "civil"))
    store.answer(said("b", "abusive", who="bo"))  # over the platform: no disagreement
    store.answer(said("c", "civil"))
    store.answer(said("c", "civil", who="bo"))
    found = store.disagreements()
    assert {cid: [r.labeller for r in rs] for cid, rs in found.items()} == {"a": ["ana", "bo"]}
    with pytest.raises(InputError, match="id 'a' is labelled 'civil' by ana and 'abusive' by bo"):
        store.labels()
    kept = store.labels(disagreements=True)
    assert {cid: r.label for cid, r in kept.items()} == {"b": "abusive", "c": "civil"}
    assert store.current_answers()["a"] == ("disagreement", None)
    store.answer(said("a", "abusive"))  # ana comes round: a correction of her answer
    assert store.labels()["a"].label == "abusive"


def test_the_history_is_append_only_and_its_constraints_hold(store):
    store.answer(said("a", "civil"))
    raw = sqlite3.connect(store.path)
    for statement in ("UPDATE answers SET label = 'abusive'", "DELETE FROM answers"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute(statement)
    insert = (
        "INSERT INTO answers (comment_id, action, label, labeller, role, time, text, supersedes)"
        " VALUES (?, ?, ?, ?, 'moderator', 't', 'x', ?)"
    )
    refused = [
        ("b", "label", "rude", "ana", None),  # a label the model does not know
        ("b", "label", "civil", "  ", None),  # no labeller
        ("b", "label", "civil", "ana", 1),  # corrects an answer about another comment
        ("b", "undo", None, "ana", None),  # an undo that names nothing
        ("a", "label", "abusive", "ana", 99),  # corrects an answer that is not there
    ]
    for row in refused:
        with pytest.raises(sqlite3.DatabaseError):
            raw.execute(insert, row)
    raw.execute(insert, ("a", "label", "abusive", "ana", 1))  # a correction, written by hand
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):  # corrected at most once
        raw.execute(insert, ("a", "label", "conspiracy", "ana", 1))
    raw.commit()
    raw.close()
    assert store.current_answers()["a"] == ("labelled", "abusive")  # kept by the trigger
    with pytest.raises(InputError, match="names no labeller"):
        store.answer(said("c", "civil", who=" "))


def test_a_store_of_a_newer_schema_or_another_database_is_refused(tmp_path):
    newer = tmp_path / "newer.db"
    LabelStore(newer).close()
    raw = sqlite3.connect(newer)
    raw.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(InputError, match="written by a newer version of moderation"):
        LabelStore(newer)
    other = tmp_path / "other.db"
    raw = sqlite3.connect(other)
    raw.execute("CREATE TABLE t (x)")
    raw.close()
    with pytest.raises(InputError, match="a SQLite database, but not a label store"):
        LabelStore(other)
    text = tmp_path / "notes.db"
    text.write_text("hello\n")
    with pytest.raises(InputError, match="not a label store"):
        LabelStore(text)
    with pytest.raises(InputError, match="missing.db: not found"):
        LabelStore(tmp_path / "missing.db", create=False)


def test_an_older_store_is_migrated_in_one_transaction(tmp_path, monkeypatch):
    path = tmp_path / "labels.db"
    with LabelStore(path) as store:
        store.answer(said("a", "civil"))

    def add_a_column(connection):
        connection.execute("ALTER TABLE answers ADD COLUMN note TEXT")

    def fail(connection):
        raise sqlite3.OperationalError("disk on fire")

    version = schema.SCHEMA_VERSION
    monkeypatch.setattr(schema, "SCHEMA_VERSION", version + 2)
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, add_a_column, fail])
    monkeypatch.setattr("moderation.labels.database.SCHEMA_VERSION", version + 2)
    monkeypatch.setattr("moderation.labels.database.MIGRATIONS", schema.MIGRATIONS)
    with pytest.raises(Exception, match="disk on fire"):
        LabelStore(path)
    raw = sqlite3.connect(path)  # the failed migration left the store as it was
    assert raw.execute("PRAGMA user_version").fetchone()[0] == version
    assert "note" not in {row[1] for row in raw.execute("PRAGMA table_info(answers)")}
    raw.close()
    schema.MIGRATIONS[-1] = lambda connection: None
    with LabelStore(path) as store:
        assert store.labels()["a"].label == "civil"
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == version + 2
    raw.close()


def test_a_store_is_never_opened_through_a_link_nor_from_a_device(tmp_path):
    real = tmp_path / "real.db"
    LabelStore(real).close()
    link = tmp_path / "link.db"
    link.symlink_to(real)
    with pytest.raises(InputError, match="link.db: is a symbolic link"):
        LabelStore(link)
    side = tmp_path / "other.db"
    LabelStore(side).close()
    (tmp_path / "other.db-wal").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(InputError, match="other.db-wal: is a symbolic link"):
        LabelStore(side)
    for device in ("/dev/zero", "/dev/full"):
        with pytest.raises(InputError, match="not a regular file"):
            LabelStore(device)
    fifo = tmp_path / "fifo.db"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="fifo.db: is not a regular file"):
        LabelStore(fifo)


_WRITER = """
import sys, threading
from moderation.labels.record import LabelRecord
from moderation.labels.store import LabelStore
path, name, threads, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
store = LabelStore(path)
lock = threading.Lock()

def work(t):
    for i in range(count):
        cid = f"c{i % 25}"  # every process and thread answers the same comments
        if t % 2:
            record = LabelRecord(id=cid, label=("civil", "abusive")[i % 2], text="x",
                                 labeller=f"platform:{name}", role="platform")
            saved = store.decide(record)
        else:
            record = LabelRecord(id=cid, label=("civil", "abusive", "conspiracy")[i % 3],
                                 text="x" * 200, labeller=f"{name}-{t}")
            saved = store.answer(record)
        if saved.written:
            with lock:
                print(saved.record.seq, cid, record.labeller, saved.record.label, flush=True)

workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
for w in workers: w.start()
for w in workers: w.join()
"""


def test_processes_and_threads_writing_one_store_lose_nothing_and_leave_it_readable(tmp_path):
    """3 processes x 4 threads, moderators and the platform on the same 25 comments at once:
    every write a writer was told of is in the history exactly once, in order, and the
    store's current answers are those the history gives."""
    path = tmp_path / "labels.db"
    LabelStore(path).close()
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(path), name, "4", "60"],
            stdout=subprocess.PIPE,
            text=True,
        )
        for name in ("p1", "p2", "p3")
    ]
    told = []
    for writer in writers:
        out, _ = writer.communicate(timeout=180)
        assert writer.returncode == 0
        told += [line.split() for line in out.splitlines()]
    with LabelStore(path, create=False) as store:
        history = store.history()
        by_seq = {r.seq: r for r in history}
        assert len(by_seq) == len(history) == len(told)  # each exactly once, nothing else
        for seq, cid, labeller, label in told:
            record = by_seq[int(seq)]
            assert (record.id, record.labeller, record.label) == (cid, labeller, label)
        # each labeller's position is their last written answer, and the comment's current
        # answer follows from the positions
        last = {}
        for record in history:
            last[(record.id, record.labeller)] = record
        current = store.current_answers()
        for cid in {r.id for r in history}:
            moderators = {r.label for (c, _), r in last.items() if c == cid and not r.weak}
            state, label = current[cid]
            if len(moderators) > 1:
                assert state == "disagreement"
            elif moderators:
                assert (state, label) == ("labelled", moderators.pop())
            else:
                assert state == "weak"


_KILLED = """
import itertools, sys
from moderation.labels.record import LabelRecord
from moderation.labels.store import LabelStore
store = LabelStore(sys.argv[1])
if sys.argv[2] == "import":
    records = [LabelRecord(id=f"bulk{i}", label="civil", text="y" * 300, labeller="old")
               for i in range(200000)]
    print("importing", flush=True)
    store.add(records)
    print("imported", flush=True)
for n in itertools.count():
    saved = store.answer(LabelRecord(id=str(n), label="civil", text="x" * 500, labeller="ana"))
    print(n, flush=True)
"""


@pytest.mark.parametrize("during", ["answers", "import"])
def test_a_writer_killed_mid_transaction_loses_no_confirmed_answer(tmp_path, during):
    """SIGKILL while the child writes (one answer per transaction, or in the middle of a
    200,000-record import): every answer it confirmed is in the store once, the store opens,
    and the import is all there or not at all."""
    path = tmp_path / "labels.db"
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED, str(path), during], stdout=subprocess.PIPE, text=True
    )
    confirmed = []
    if during == "import":
        assert child.stdout.readline().strip() == "importing"
        time.sleep(0.5)  # well inside the import's transaction
    else:
        while len(confirmed) < 40:
            confirmed.append(child.stdout.readline().strip())
    os.kill(child.pid, 9)
    child.wait()
    confirmed += [line.strip() for line in child.stdout if line.strip().isdigit()]
    child.stdout.close()
    with LabelStore(path, create=False) as store:
        ids = [r.id for r in store.history()]
        answered = [i for i in ids if not i.startswith("bulk")]
        assert set(confirmed) <= set(answered)
        assert len(answered) - len(set(confirmed)) <= 1  # one committed, not yet confirmed
        assert len(ids) == len(set(ids))
        bulk = sum(i.startswith("bulk") for i in ids)
        assert bulk in (0, 200000)
        store.answer(said("after", "civil"))  # and it takes new answers
