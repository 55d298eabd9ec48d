"""The shared review queue behind the review page: leases, answers on disk before the next
comment, skips at the end, undo, corrections, progress, two moderators on one comment."""

from __future__ import annotations

import json

import pytest

from moderation.cli import app
from moderation.comments import Comment
from moderation.errors import InputError
from moderation.labels.store import LabelStore, read_store, undo_record
from moderation.review import QueueItem
from moderation.serving.review_item import parent_pieces, text_pieces
from moderation.serving.review_queue import ReviewRefusal, SharedQueue, check_labeller

from conftest import json_lines, label_record


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
    store = LabelStore(tmp_path / "labels.jsonl")
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
    assert [(r["id"], r["label"], r["labeller"]) for r in json_lines(store.path)] == [
        ("c1", "abusive", "ana")
    ]
    assert json_lines(store.path)[0]["model"] == "m1"
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
    lines = [label_record("c2", "civil"), {**label_record("c1", None), "action": "skip"}]
    (tmp_path / "again" / "labels.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines))
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
    assert {c: r["label"] for c, r in read_store(store.path).labels().items()} == {
        "c1": "abusive",
        "c2": "conspiracy",
    }
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
    assert [r["action"] for r in json_lines(store.path)] == ["label", "label", "undo", "label"]
    assert {c: r["label"] for c, r in read_store(store.path).labels().items()} == {
        "c1": "civil",
        "c2": "civil",
    }
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
    assert [(r["labeller"], r["label"]) for r in json_lines(store.path)] == [
        ("bo", "civil"),
        ("ana", "abusive"),
    ]
    contents = read_store(store.path)
    assert list(contents.disagreements()) == ["c1"]
    with pytest.raises(InputError, match="id 'c1' is labelled 'civil' by bo and 'abusive' by ana"):
        contents.labels()
    # a correction by bo now would withdraw ana's answer: refused, both kept
    with pytest.raises(ReviewRefusal, match="no longer the latest"):
        queue.correct("bo", "c1", "abusive")
    result = runner.invoke(app, ["labels", "merge", str(store.path), "-o", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    assert "c1: civil (bo); abusive (ana)" in result.output


def test_answers_from_another_writer_are_seen(tmp_path):
    queue, store = _queue(tmp_path)
    assert queue.state("ana")["item"] == "c1"
    with LabelStore(store.path) as terminal:  # `moderation label` on the same store
        terminal.append(label_record("c2", "civil", labeller="cy"))
        terminal.append(label_record("c1", "abusive", labeller="cy"))
    view = queue.state("bo")
    assert view["item"] == "c3"
    assert view["progress"]["everyone_today"] == 0  # label_record carries no time
    assert view["progress"]["left"] == 2
    with LabelStore(store.path) as terminal:
        terminal.append(undo_record("c2", labeller="cy"))
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


def test_text_pieces_mark_quotes_and_the_strongest_word():
    from moderation.comments import QuoteSpan

    text = "> you said it\nwhat an idiot move"
    quotes = [QuoteSpan(0, 13, "marked")]
    terms = [
        {"term": "idiot move", "contribution": 0.5, "spans": [[22, 32]]},
        {"term": "idiot", "contribution": 2.0, "spans": [[22, 27]]},
    ]
    pieces = text_pieces(text, quotes, terms)
    assert "".join(p["text"] for p in pieces) == text
    assert pieces[0] == {"text": "> you said it", "quote": True}
    assert {"text": "idiot", "term": "idiot", "contribution": 2.0} in pieces
    assert {"text": " move", "term": "idiot move", "contribution": 0.5} in pieces
    parent = parent_pieces(text, quotes, "Well, you said it yourself.")
    assert parent == [
        {"text": "Well, "},
        {"text": "you said it", "quoted": True},
        {"text": " yourself."},
    ]
    assert parent_pieces(text, [], None) is None


def test_the_page_ships_in_the_package_and_fetches_nothing_from_elsewhere():
    import re
    from importlib import resources

    static = resources.files("moderation.serving").joinpath("static")
    names = sorted(entry.name for entry in static.iterdir())
    assert names == ["favicon.svg", "review.css", "review.html", "review.js"]
    for name in names:
        text = static.joinpath(name).read_text("utf-8")
        assert not re.search(
            r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text.replace("http://www.w3.org/2000/svg", "")
        ), name
    script = static.joinpath("review.js").read_text("utf-8")
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script  # text only


def test_the_desk_reads_any_export_the_label_command_reads(tmp_path, tiny_model):
    from moderation.labels.store import LabelStore
    from moderation.serving.app import ServeSettings
    from moderation.serving.live import Keys
    from moderation.serving.review_page import review_desk_for

    export = tmp_path / "odd.csv"
    export.write_text(
        "ref,said,topic\n"
        "x1,You are a brainless idiot and a worm.,t\n"
        "x2,The library opens late on Thursdays now.,t\n"
    )
    settings = ServeSettings(
        model=str(tiny_model),
        review=str(export),
        review_order="flagged",
        review_columns=["said", "ref", None, "topic", None, None, None],
        # between the two comments' P(abusive) (about 0.75 and 0.26 under the tiny model): a
        # threshold the user sets is honoured even where the words give little evidence
        review_thresholds=["abusive=0.5", "conspiracy=1.0"],
    )
    with LabelStore(tmp_path / "s.jsonl") as store:
        desk = review_desk_for(settings, store, Keys(None))
        view = desk.view(desk.queue.state("ana"))
    assert view["item"]["id"] == "x1" and view["item"]["flags"] == ["abusive"]
    assert view["progress"]["total"] == 1  # flagged only: the library one is not
    pieces = view["item"]["explanation"]["abusive"]["pieces"]
    assert "".join(p["text"] for p in pieces) == "You are a brainless idiot and a worm."
    assert ServeSettings(**__import__("orjson").loads(settings.to_env())) == settings
