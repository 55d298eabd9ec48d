"""The shared review queue behind the review page: leases, answers on disk before the next
comment, skips at the end, undo, corrections, progress, two moderators on one comment."""

from __future__ import annotations

import pytest

from moderation.cli import app
from moderation.comments import Comment
from moderation.errors import InputError
from moderation.labels.record import LabelRecord
from moderation.labels.review.queue import QueueItem
from moderation.labels.review.shared import ReviewRefusal, SharedQueue, check_labeller
from moderation.labels.store import LabelStore

from fixtures.stores import store_history, store_labels


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _item(cid, abusive, prediction=None):
    scores = {"civil": 1 - abusive, "abusive": abusive, "conspiracy": 0.0}
    prediction = prediction or max(scores, key=scores.get)
    return QueueItem(Comment(cid, "t1", f"text of {cid}"), scores, prediction, [])


# least sure first: c1 (a coin toss) ... c4 (sure)
ITEMS = [_item("c3", 0.2), _item("c1", 0.5), _item("c4", 0.05), _item("c2", 0.35)]


def _queue(tmp_path, clock=None, items=ITEMS, **kwargs):
    store = LabelStore(tmp_path / "labels.db")
    queue = SharedQueue(items, store, model_id="m1", clock=clock or Clock(), **kwargs)
    return queue, store


def test_each_moderator_gets_a_comment_nobody_else_holds_in_queue_order(tmp_path):
    queue, _ = _queue(tmp_path)
    assert queue.state("ana")["item"] == "c1"
    assert queue.state("bo")["item"] == "c2"
    assert queue.state("ana")["item"] == "c1"  # a reload shows the same comment
    assert queue.state("cy")["item"] == "c3"


def test_an_answer_is_in_the_store_before_the_next_comment_is_handed_out(tmp_path):
    queue, store = _queue(tmp_path)
    queue.state("ana")
    view = queue.answer("ana", "c1", "abusive")
    assert view["saved"]["answer"] == "abusive" and view["item"] == "c2"
    assert [(r.id, r.label, r.labeller, r.model) for r in store_history(store.path)] == [
        ("c1", "abusive", "ana", "m1")
    ]
    assert view["progress"]["you_today"] == 1 and view["progress"]["left"] == 3
    assert view["history"][0]["id"] == "c1"


def test_a_lease_runs_out_and_the_comment_goes_to_the_next_moderator(tmp_path):
    clock = Clock()
    queue, _ = _queue(tmp_path, clock, lease_seconds=60)
    assert queue.state("ana")["item"] == "c1"
    clock.now += 30
    assert queue.renew("ana", "c1")
    clock.now += 45  # renewed at 30 s: still held at 75 s
    assert queue.state("bo")["item"] == "c2"
    clock.now += 61
    assert not queue.renew("ana", "c1")
    assert queue.state("cy")["item"] == "c1"


def test_skipped_comments_come_back_at_the_end(tmp_path):
    queue, store = _queue(tmp_path)
    queue.state("ana")
    assert queue.answer("ana", "c1", "skip")["item"] == "c2"
    assert queue.answer("ana", "c2", "civil")["item"] == "c3"
    assert queue.answer("ana", "c3", "civil")["item"] == "c4"
    assert queue.answer("ana", "c4", "civil")["item"] == "c1"
    assert queue.answer("ana", "c1", "abusive")["item"] is None
    # a new server on the same store: the skip is remembered, and comes last
    (tmp_path / "again").mkdir()
    with LabelStore(tmp_path / "again" / "labels.db") as earlier:
        earlier.answer(LabelRecord(id="c2", label="civil", text="t", labeller="ana"))
        earlier.answer(LabelRecord(id="c1", action="skip", text="t", labeller="ana"))
    resumed, _ = _queue(tmp_path / "again")
    assert resumed.order == ["c3", "c4", "c1"]


def test_undo_withdraws_the_last_answer_and_shows_that_comment_again(tmp_path):
    queue, store = _queue(tmp_path)
    queue.state("ana")
    queue.answer("ana", "c1", "abusive")
    queue.answer("ana", "c2", "civil")
    view = queue.undo("ana")
    assert view["saved"]["what"] == "undone" and view["item"] == "c2"
    assert view["progress"]["you_today"] == 1
    assert queue.state("bo")["item"] == "c3"  # ana holds c2 again
    assert queue.answer("ana", "c2", "conspiracy")["item"] == "c4"
    assert store_labels(store.path) == {"c1": "abusive", "c2": "conspiracy"}
    with pytest.raises(ReviewRefusal, match="nothing to undo"):
        queue.undo("cy")


def test_a_correction_from_the_history_replaces_the_answer(tmp_path):
    queue, store = _queue(tmp_path)
    queue.state("ana")
    queue.answer("ana", "c1", "abusive")
    queue.answer("ana", "c2", "civil")
    view = queue.correct("ana", "c1", "civil")
    assert view["saved"] == {**view["saved"], "what": "corrected", "was": "abusive"}
    assert [h["id"] for h in view["history"]] == ["c1", "c2"]
    history = store_history(store.path)
    assert [(r.id, r.label, r.supersedes) for r in history] == [
        ("c1", "abusive", None),
        ("c2", "civil", None),
        ("c1", "civil", history[0].seq),  # a correction names the answer it replaces
    ]
    assert store_labels(store.path) == {"c1": "civil", "c2": "civil"}
    assert view["progress"]["agreement"] == 1.0  # the model said civil to both
    with pytest.raises(ReviewRefusal, match="not among your last"):
        queue.correct("bo", "c1", "abusive")
    with pytest.raises(ReviewRefusal, match="unknown label"):
        queue.correct("ana", "c1", "rude")


def test_two_moderators_answering_one_comment_are_both_recorded(tmp_path, runner):
    clock = Clock()
    queue, store = _queue(tmp_path, clock, lease_seconds=60)
    assert queue.state("ana")["item"] == "c1"
    clock.now += 120  # ana walked away; her lease ran out
    assert queue.state("bo")["item"] == "c1"
    queue.answer("bo", "c1", "civil")
    view = queue.answer("ana", "c1", "abusive")  # ana comes back and answers anyway
    assert view["saved"]["also_answered_by"] == [{"labeller": "bo", "label": "civil"}]
    assert [(r.labeller, r.label) for r in store_history(store.path)] == [
        ("bo", "civil"),
        ("ana", "abusive"),
    ]
    assert list(store.disagreements()) == ["c1"]
    with pytest.raises(InputError, match="id 'c1' is labelled 'civil' by bo and 'abusive' by ana"):
        store.labels()
    result = runner.invoke(app, ["labels", "merge", str(store.path), "-o", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    assert "c1: civil (bo); abusive (ana)" in result.output
    # bo comes round: his correction replaces his own answer only, and settles it
    assert queue.correct("bo", "c1", "abusive")["saved"]["was"] == "civil"
    assert store_labels(store.path) == {"c1": "abusive"}


def test_one_moderator_in_two_tabs_corrects_their_own_answer(tmp_path):
    queue, store = _queue(tmp_path)
    first = queue.state("ana")["item"]
    assert queue.state("ana")["item"] == first  # the second tab shows the same comment
    queue.answer("ana", first, "civil")  # the first tab answers, and moves on
    view = queue.answer("ana", first, "abusive")  # the second tab answers the same comment
    assert view["saved"] == {**view["saved"], "what": "corrected", "was": "civil"}
    assert store_labels(store.path) == {first: "abusive"}
    assert [h["id"] for h in view["history"]].count(first) == 1
    assert queue.answer("ana", first, "skip")["saved"]["what"] == "unchanged"
    # an undo in one tab of an answer the other tab changed is refused, not guessed
    stale = queue.history["ana"][0]
    store.answer(LabelRecord(id=first, label="conspiracy", text="t", labeller="ana"))
    queue.history["ana"].appendleft(stale)
    with pytest.raises(ReviewRefusal, match="no longer abusive"):
        queue.undo("ana")


def test_answers_from_another_writer_are_seen(tmp_path):
    queue, store = _queue(tmp_path)
    assert queue.state("ana")["item"] == "c1"
    with LabelStore(store.path) as terminal:  # `moderation label` on the same store
        terminal.answer(LabelRecord(id="c2", label="civil", text="t", labeller="cy"))
        terminal.answer(LabelRecord(id="c1", label="abusive", text="t", labeller="cy"))
    view = queue.state("bo")
    assert view["item"] == "c3"
    assert view["progress"]["everyone_today"] == 2
    assert view["progress"]["left"] == 2
    with LabelStore(store.path) as terminal:
        terminal.undo("c2", "cy")
    assert queue.state("dee")["item"] == "c4"
    assert queue.state("eve")["item"] == "c2"  # undone elsewhere: back in the queue


def test_comments_not_scored_never_enter_the_queue(tmp_path):
    gone = QueueItem(Comment("gone", "t1", "[deleted]"), None, None, [])
    queue, _ = _queue(tmp_path, items=[*ITEMS, gone])
    assert "gone" not in queue.order and queue.progress("ana")["total"] == 4


def test_bad_requests_are_refused_with_a_reason(tmp_path):
    queue, _ = _queue(tmp_path)
    with pytest.raises(ReviewRefusal, match="unknown answer"):
        queue.answer("ana", "c1", "rude")
    with pytest.raises(ReviewRefusal, match="not a comment of this review queue"):
        queue.answer("ana", "nope", "civil")
    for name in ("", "  ", "x" * 65, "a\nb", None):
        with pytest.raises(ReviewRefusal):
            check_labeller(name)
    assert check_labeller(" ana ") == "ana"


def test_values_of_the_wrong_json_type_are_refused_and_nothing_is_written(tmp_path):
    queue, store = _queue(tmp_path)
    queue.state("ana")
    for cid, answer in ((["c1"], "civil"), (None, "civil"), ("c1", ["civil"]), ("c1", None)):
        with pytest.raises(ReviewRefusal) as refused:
            queue.answer("ana", cid, answer)
        assert refused.value.code in (400, 404)
    queue.answer("ana", "c1", "civil")
    for cid, label in ((1, "abusive"), ("c1", {"label": "abusive"})):
        with pytest.raises(ReviewRefusal):
            queue.correct("ana", cid, label)
    assert not queue.renew("ana", ["c2"]) and not queue.renew("ana", None)
    assert [(r.id, r.label) for r in store_history(store.path)] == [("c1", "civil")]
