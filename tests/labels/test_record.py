"""One row of a label store's history, and its JSON line: checked on the way in, complete on
the way out."""

from __future__ import annotations

import pytest

from moderation.comments import Comment
from moderation.errors import InputError
from moderation.labels.record import LabelRecord, answer_record, default_labeller


def test_a_label_record_round_trips_through_json_keeping_unknown_keys():
    value = {
        "id": "c1",
        "action": "label",
        "label": "abusive",
        "labeller": "ann",
        "role": "moderator",
        "time": "2026-01-02T03:04:05Z",
        "text": "made-up words",
        "scores": {"civil": 0.25, "abusive": 0.75},
        "supersedes": 3,
        "corrects": "civil",
        "seq": 4,
        "status": "REJECTED",
    }
    record = LabelRecord.from_json(value)
    assert record.extra == {"status": "REJECTED"}
    assert record.is_label and record.is_correction and not record.weak
    assert record.to_json() == value
    assert LabelRecord.from_json(record.to_json()) == record


def test_a_weak_line_is_the_platforms_and_says_so_again():
    record = LabelRecord.from_json({"id": 7, "label": "civil", "text": "t", "weak": True})
    assert record.id == "7" and record.role == "platform" and record.weak
    assert record.labeller == "unknown"
    assert record.to_json()["weak"] is True


def test_a_skip_has_no_label_and_no_text_in_its_line():
    record = LabelRecord.from_json({"id": "c2", "action": "skip", "labeller": "bob"})
    assert record.label is None and not record.is_label and not record.is_correction
    assert record.to_json() == {
        "id": "c2",
        "action": "skip",
        "labeller": "bob",
        "role": "moderator",
    }


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ([], 'needs an "id"'),
        ({"id": ""}, "non-empty"),
        ({"id": True}, "non-empty"),
        ({"id": "x", "action": "erase"}, "unknown action 'erase'"),
        ({"id": "x", "text": "t"}, "missing label"),
        ({"id": "x", "label": "rude", "text": "t"}, "unknown label 'rude'"),
        ({"id": "x", "label": "civil"}, '"text"'),
        ({"id": "x", "label": "civil", "text": "t", "corrects": "rude"}, "corrects unknown"),
        ({"id": "x", "label": "civil", "text": "t", "role": "boss"}, "unknown role 'boss'"),
        ({"id": "x", "label": "civil", "text": "t", "scores": {"civil": "high"}}, '"scores"'),
        ({"id": "x", "label": "civil", "text": "t", "scores": {"civil": True}}, '"scores"'),
        ({"id": "x", "action": "undo", "supersedes": "3"}, '"supersedes" must be a whole'),
        ({"id": "x", "action": "skip", "seq": True}, '"seq" must be a whole'),
    ],
)
def test_from_json_refuses_a_bad_record_naming_the_line(value, problem):
    with pytest.raises(InputError, match=problem) as error:
        LabelRecord.from_json(value, path="labels.jsonl", line=5)
    assert error.value.line == 5


def test_stored_as_numbers_the_record_and_keeps_what_it_corrects():
    record = LabelRecord(id="c1", label="civil", text="t", corrects="abusive")
    assert record.stored_as(9) == LabelRecord(
        id="c1", label="civil", text="t", corrects="abusive", seq=9
    )
    assert record.stored_as(9, "conspiracy").corrects == "conspiracy"


def test_answer_record_is_a_moderators_label_or_skip_of_the_scored_comment():
    comment = Comment(id="c3", text="some text", thread_id="t1")
    scores = {"civil": 0.5, "abusive": 0.5}
    label = answer_record(comment, "civil", scores=scores, labeller="ann", model_id="m1")
    assert (label.action, label.label, label.text, label.thread_id) == (
        "label",
        "civil",
        "some text",
        "t1",
    )
    assert (label.labeller, label.role, label.model, label.scores) == (
        "ann",
        "moderator",
        "m1",
        scores,
    )
    assert label.time
    skip = answer_record(comment, None, scores=None, labeller="ann", model_id=None)
    assert (skip.action, skip.label) == ("skip", None)


def test_default_labeller_is_unknown_without_a_user_name(monkeypatch):
    def no_user():
        raise KeyError("uid not found")

    monkeypatch.setattr("getpass.getuser", no_user)
    assert default_labeller() == "unknown"
    monkeypatch.setattr("getpass.getuser", lambda: "carol")
    assert default_labeller() == "carol"
