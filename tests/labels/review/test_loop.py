"""The answer loop of `moderation label` driven by scripted keys: each answer stored before
the next comment, undo, skips at the end, and comments leased to someone else left to them."""

from __future__ import annotations

import pytest

from moderation.comments import Comment
from moderation.labels.leases import Leases
from moderation.labels.review.loop import review_loop
from moderation.labels.review.queue import QueueItem
from moderation.labels.store import LabelStore

from fixtures.stores import store_history, store_labels

SCORES = {"civil": 0.6, "abusive": 0.3, "conspiracy": 0.1}


def _item(cid, scores=SCORES):
    return QueueItem(Comment(cid, "t", f"text {cid}"), scores, "civil", [])


def run(path, ids, keys, labeller="ana", before=None):
    """The loop over ``ids`` with ``keys`` typed; what was shown and said, and the answers."""
    keys, seen, said = iter(keys), [], []

    def read_key():
        key = next(keys, "")
        if isinstance(key, BaseException):
            raise key
        return key

    with LabelStore(path) as store:
        if before:
            before(store)
        given = review_loop(
            [_item(c) for c in ids],
            store,
            labeller=labeller,
            model_id="m",
            read_key=read_key,
            show=lambda item, at, total, again: seen.append(item.comment.id),
            say=said.append,
        )
    return seen, said, given


def test_undo_of_a_skip_takes_its_second_turn_back(tmp_path, tiny_model):

    items = [_item(c) for c in "xyz"]
    keys = iter("sucsccc")  # skip x, undo, civil x, skip y, civil z, civil y (its 2nd turn)
    seen, counters = [], []
    with LabelStore(tmp_path / "s.db") as store:
        review_loop(
            items,
            store,
            labeller="ana",
            model_id="m",
            read_key=lambda: next(keys, ""),
            show=lambda item, at, total, again: (
                seen.append(item.comment.id),
                counters.append((at + 1, total, again)),
            ),
            say=lambda message: None,
        )
    assert seen == ["x", "y", "x", "y", "z", "y"]  # x comes back once, not twice
    # the counter never runs past the queue: a skip's second turn lengthens it ("4 / 3" was shown)
    assert all(number <= total for number, total, _ in counters)
    assert counters[-1] == (4, 4, True)
    assert store_labels(tmp_path / "s.db") == {
        "x": "civil",
        "y": "civil",
        "z": "civil",
    }


def test_each_answer_is_stored_and_said_and_the_answers_counted(tmp_path):
    path = tmp_path / "s.db"
    seen, said, given = run(path, ["x", "y", "z"], ["C", "2", "p"])
    assert seen == ["x", "y", "z"]
    assert store_labels(path) == {"x": "civil", "y": "abusive", "z": "conspiracy"}
    assert said[0] == f"saved civil for x to {path}"
    assert dict(given) == {"civil": 1, "abusive": 1, "conspiracy": 1}
    assert all(r.labeller == "ana" and r.model == "m" for r in store_history(path))


def test_quit_a_blank_key_or_ctrl_c_ends_the_session(tmp_path):
    for number, keys in enumerate((["c", "q"], ["c", ""], ["c", KeyboardInterrupt()])):
        path = tmp_path / f"s{number}.db"
        seen, _, given = run(path, ["x", "y"], keys)
        assert seen == ["x", "y"] and dict(given) == {"civil": 1}
        assert store_labels(path) == {"x": "civil"}


def test_unknown_keys_and_an_empty_undo_are_said_and_ask_again(tmp_path):
    seen, said, _ = run(tmp_path / "s.db", ["x"], ["u", "z", "a"])
    assert seen == ["x", "x", "x"]
    assert said[:2] == [
        "nothing to undo in this session",
        "unknown key 'z': the keys are c civil, a abusive, p conspiracy, s skip, u undo, q quit",
    ]


def test_undo_withdraws_the_last_answer_and_shows_that_comment_again(tmp_path):
    path = tmp_path / "s.db"
    seen, said, given = run(path, ["x", "y"], ["a", "u", "c", "c"])
    assert seen == ["x", "y", "x", "y"]  # the undo is typed while y is shown
    assert "undid abusive for x" in said
    assert store_labels(path) == {"x": "civil", "y": "civil"}
    assert given == {"civil": 2}  # the undone answer is not counted


def test_a_comment_leased_to_someone_else_is_left_to_them(tmp_path):
    path = tmp_path / "s.db"
    seen, said, _ = run(
        path, ["x", "y"], ["c"], before=lambda store: Leases(store).take("bob", "x")
    )
    assert seen == ["y"]
    assert said[0] == "x is being reviewed by bob now: left to them"
    assert store_labels(path) == {"y": "civil"}


def test_an_answer_changed_in_a_later_session_says_what_it_replaces(tmp_path):
    path = tmp_path / "s.db"
    run(path, ["x"], ["c"])
    _, said, _ = run(path, ["x"], ["a"])
    assert said[0] == f"saved abusive for x to {path} (it replaces your earlier civil)"


@pytest.mark.parametrize("key", ["s", "3"])
def test_the_lease_is_released_at_the_end(tmp_path, key):
    path = tmp_path / "s.db"
    run(path, ["x"], [key, "q"])
    with LabelStore(path) as store:
        assert Leases(store).holder("x") is None
