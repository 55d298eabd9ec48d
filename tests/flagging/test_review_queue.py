"""An export scored for review (flagging/review_queue.py): every comment through the flagging
step once, with its parent's text, whatever the chunk size; a repeated comment id is a bad
record."""

from __future__ import annotations

import json

import pytest

from moderation.comments import Comment, Thread
from moderation.errors import InputError
from moderation.flagging import flag_chunk
from moderation.flagging.review_queue import load_queue, queue_items
from moderation.formats import ReadOptions
from moderation.model.scoring import parse_thresholds


def _records():
    yield Thread("t", title="The new ferry timetable")
    yield Comment("a", "t", "The early ferry suits the shift workers, thank you.")
    yield Comment("b", "t", "They planned the delays in secret to sell the port.", parent_id="a")
    yield Comment("c", "t", "You are a pathetic idiot.", parent_id="b")


def test_every_comment_is_scored_as_flag_scores_it_with_its_parents_text(model):
    thresholds = parse_thresholds([], model.thresholds, model.labels)
    comments = [r for r in _records() if isinstance(r, Comment)]
    rows = flag_chunk(comments, model, thresholds)
    for chunk_size in (1, 2, 4096):
        items = queue_items(_records(), model, thresholds, chunk_size=chunk_size)
        assert [i.comment.id for i in items] == ["a", "b", "c"]
        assert [i.scores for i in items] == [r["scores"] for r in rows]
        assert [i.flags for i in items] == [list(r["flags"]) for r in rows]
        assert [i.parent_text for i in items] == [None, comments[0].text, comments[1].text]


def _export(tmp_path, ids):
    export = tmp_path / "e.jsonl"
    rows = [{"id": c, "thread_id": "t", "text": f"Comment {c}."} for c in ids]
    export.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return export


def test_a_comment_id_used_twice_is_a_bad_record_unless_skipped(tmp_path, tiny_model):
    export = _export(tmp_path, ["a", "b", "a"])
    with pytest.raises(InputError, match="comment id 'a' is used again"):
        load_queue(export, model=tiny_model)
    queue = load_queue(export, model=tiny_model, options=ReadOptions(skip_bad=True))
    assert [i.comment.id for i in queue.items] == ["a", "b"]
    assert len(queue.report.skipped) == 1
    assert queue.model.id


def test_thresholds_given_as_label_p_decide_the_flags(tmp_path, tiny_model):
    export = _export(tmp_path, ["a", "b"])
    everything = load_queue(export, model=tiny_model, thresholds=["abusive=0", "conspiracy=0"])
    assert [i.flags for i in everything.items] == [["abusive", "conspiracy"]] * 2
    nothing = load_queue(export, model=tiny_model, thresholds=["abusive=1", "conspiracy=1"])
    assert [i.flags for i in nothing.items] == [[], []]
