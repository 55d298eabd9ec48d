"""The review queue as a spreadsheet: written with scores and an empty label column, brought
back into the label store in one transaction."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import pytest

from moderation.comments import Comment
from moderation.errors import InputError
from moderation.formats import ParseReport, ReadOptions
from moderation.labels.record import LabelRecord
from moderation.labels.review.queue import Queue, QueueItem
from moderation.labels.review.spreadsheet import (
    QUEUE_COLUMNS,
    ReviewedImport,
    export_queue,
    import_reviewed,
    write_queue_csv,
)
from moderation.labels.store import LabelStore

from fixtures.stores import store_history, store_labels

SCORES = {"sure": 0.9, "coin": 0.5, "mid": 0.7}


def make_queue():
    items = [
        QueueItem(
            Comment(cid, "t1", f"words of {cid}", thread_title="A thread"),
            {"civil": civil, "abusive": 1 - civil, "conspiracy": 0.0},
            "civil",
            ["abusive"] if civil < 0.6 else [],
        )
        for cid, civil in SCORES.items()
    ]
    return Queue(items, ParseReport("export.json"), SimpleNamespace(id="model-1"))


def read_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def write_reviewed(path, answers):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text", "label"])
        writer.writerows([cid, f"words of {cid}", label] for cid, label in answers)


def test_write_queue_csv_gives_each_comment_its_scores_and_an_empty_label():
    item = QueueItem(
        Comment("c1", "t1", "=SUM(A1)"), {"civil": 0.25, "abusive": 0.75}, "abusive", ["abusive"]
    )
    unscored = QueueItem(Comment("c2", "t1", "plain"), None, None, parent_text="above")
    out = io.StringIO()
    assert write_queue_csv([item, unscored], out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == list(QUEUE_COLUMNS)
    assert rows[0]["text"] == "'=SUM(A1)"  # a formula start is neutralised
    assert (rows[0]["score_civil"], rows[0]["score_abusive"], rows[0]["score_conspiracy"]) == (
        "0.2500",
        "0.7500",
        "",
    )
    assert (rows[0]["flags"], rows[0]["label"], rows[0]["prediction"]) == ("abusive", "", "abusive")
    assert (rows[1]["parent"], rows[1]["prediction"], rows[1]["score_civil"]) == ("above", "", "")


def test_export_queue_writes_the_unanswered_least_sure_first(tmp_path):
    store, output = tmp_path / "labels.db", tmp_path / "queue.csv"
    with LabelStore(store) as labels:
        labels.answer_all(
            [LabelRecord(id="coin", label="civil", text="words of coin", labeller="ann")]
        )
    done = export_queue(make_queue(), store=store, output=output, limit=5)
    assert [row["id"] for row in read_rows(output)] == ["mid", "sure"]
    assert output.read_bytes().startswith(b"\xef\xbb\xbf")
    assert (done.written, done.comments, done.already_answered, done.model) == (2, 3, 1, "model-1")
    assert "wrote 2 comment(s)" in done.message and "--import" in done.message


def test_export_queue_without_a_store_or_a_byte_order_mark(tmp_path):
    store, output = tmp_path / "labels.db", tmp_path / "queue.csv"
    done = export_queue(make_queue(), store=store, output=output, order="flagged", bom=False)
    assert not output.read_bytes().startswith(b"\xef\xbb\xbf")
    assert [row["id"] for row in read_rows(output)] == ["coin"]
    assert done.already_answered == 0 and not store.exists()


def test_import_reviewed_adds_the_answers_and_a_changed_label_as_a_correction(tmp_path):
    store, reviewed = tmp_path / "labels.db", tmp_path / "reviewed.csv"
    write_reviewed(reviewed, [("sure", "civil"), ("coin", "abusive"), ("mid", "skip")])
    done = import_reviewed(make_queue(), store=store, reviewed=reviewed, labeller="ann")
    assert (done.added, done.by_label, done.unchanged, done.corrected) == (
        3,
        {"civil": 1, "abusive": 1, "skip": 1},
        0,
        0,
    )
    assert store_labels(store) == {"sure": "civil", "coin": "abusive"}
    record = next(r for r in store_history(store) if r.id == "coin")
    assert (record.labeller, record.model, record.scores["abusive"]) == ("ann", "model-1", 0.5)

    write_reviewed(reviewed, [("sure", "civil"), ("coin", "conspiracy")])
    again = import_reviewed(make_queue(), store=store, reviewed=reviewed, labeller="ann")
    assert (again.added, again.unchanged, again.corrected) == (1, 1, 1)
    assert store_labels(store)["coin"] == "conspiracy"
    assert "correct(s) an earlier label" in again.message and "1 already there" in again.message


def test_import_reviewed_adds_nothing_for_an_unknown_id_unless_skip_bad(tmp_path):
    store, reviewed = tmp_path / "labels.db", tmp_path / "reviewed.csv"
    write_reviewed(reviewed, [("sure", "civil"), ("stranger", "abusive")])
    with pytest.raises(InputError, match="'stranger' is not a comment of the export"):
        import_reviewed(make_queue(), store=store, reviewed=reviewed, labeller="ann")
    assert store_history(store) == []
    done = import_reviewed(
        make_queue(),
        store=store,
        reviewed=reviewed,
        labeller="ann",
        options=ReadOptions(skip_bad=True),
    )
    assert done.added == 1 and len(done.bad) == 1 and "stranger" in done.bad[0]


def test_reviewed_import_message_says_only_what_happened():
    plain = ReviewedImport("labels.db", 0, {}, 0, 0, [])
    assert plain.message == "added 0 answer(s) to labels.db"
    some = ReviewedImport("labels.db", 3, {"civil": 2, "abusive": 1}, 0, 0, [])
    assert some.message == "added 3 answer(s) to labels.db (1 abusive, 2 civil)"
