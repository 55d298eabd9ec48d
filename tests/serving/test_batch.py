"""``POST /v1/score`` in process: the batch checked field by field, each comment scored by the
model of its language, with the id it was given."""

from __future__ import annotations

import pytest

from moderation.model.multilingual import LanguageModels
from moderation.serving.batch import MAX_COMMENTS, parse_batch, score_batch
from moderation.serving.perspective import MAX_TEXT_BYTES, ApiError


def test_parse_batch_takes_a_list_or_an_object_with_explain():
    comments, explain = parse_batch([{"text": "hello"}])
    assert comments == [{"text": "hello", "id": None, "parent_text": None, "language": None}]
    assert explain is False
    given = {"comments": [{"text": "hi", "id": 7, "parent_text": "p", "language": "PT_br"}]}
    comments, explain = parse_batch({**given, "explain": True})
    assert comments == [{"text": "hi", "id": 7, "parent_text": "p", "language": "pt"}]
    assert explain is True


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"comments": [{"text": "x"}], "explain": "yes"}, "explain must be true or false"),
        ({"texts": ["x"]}, "give a list of comments"),
        ("x", "give a list of comments"),
        ([], "no comments to score"),
        (["x"], r'comments\[0\] must be an object with a "text"'),
        ([{"text": "ok"}, {"text": "  "}], r"comments\[1\].text must be a non-empty string"),
        ([{"text": 5}], r"comments\[0\].text must be a non-empty string"),
        ([{"text": "x" * (MAX_TEXT_BYTES + 1)}], f"is over {MAX_TEXT_BYTES} bytes"),
        ([{"text": "x", "id": True}], r"\.id must be a string or a number"),
        ([{"text": "x", "id": [1]}], r"\.id must be a string or a number"),
        ([{"text": "x", "parent_text": 3}], r"\.parent_text must be a string"),
        ([{"text": "x", "language": 3}], r"\.language must be a language code"),
        ([{"text": "x", "language": "not a code"}], "is not a language code"),
    ],
)
def test_parse_batch_refuses_a_bad_batch_saying_where(body, problem):
    with pytest.raises(ApiError, match=problem) as error:
        parse_batch(body)
    assert error.value.code == 400


def test_parse_batch_refuses_too_many_comments():
    with pytest.raises(ApiError, match=f"send at most {MAX_COMMENTS:,}"):
        parse_batch([{"text": "x"}] * (MAX_COMMENTS + 1))


def test_score_batch_scores_in_order_and_keeps_the_ids_given(model):
    models = LanguageModels.of(model)
    texts = ["you are a rotten liar", "thanks, lovely photo", "rotten liar"]
    given = [{"text": texts[0], "id": "a"}, {"text": texts[1]}, {"text": texts[2], "id": 3}]
    comments, explain = parse_batch(given)
    records = score_batch(models, comments, explain)
    expected = model.score(texts)
    assert [r.get("id") for r in records] == ["a", None, 3]
    for got, want in zip(records, expected):
        assert got["prediction"] == want["prediction"]
        assert got["scores"] == pytest.approx(want["scores"], abs=1e-6)


def test_score_batch_leaves_out_the_quoted_parent(model):
    models = LanguageModels.of(model)
    parent = "the ferry from the north pier was late again this morning"
    reply = f'"{parent}" thanks for saying so'
    with_parent, _ = parse_batch([{"text": reply, "parent_text": parent}])
    (record,) = score_batch(models, with_parent, False)
    assert record["quotes_excluded"]
    (alone,) = score_batch(models, parse_batch([{"text": "thanks for saying so"}])[0], False)
    assert record["scores"] == pytest.approx(alone["scores"], abs=1e-6)


def test_score_batch_does_not_score_a_language_without_a_model(model):
    models = LanguageModels({model.language: model})  # nothing declared: languages detected
    comments, _ = parse_batch([{"text": "thanks, lovely photo", "language": "fi"}])
    (record,) = score_batch(models, comments, False)
    assert record["not_scored"] == "language" and record["scores"] is None
