"""Perspective API's request and response shapes in process: requests checked field by field,
answers with thresholds, spans and placeholders, and decisions read as labels."""

from __future__ import annotations

import pytest

from moderation.serving.attributes import AttributeSource, attribute_sources
from moderation.serving.perspective import (
    MAX_TEXT_BYTES,
    AnalyzeRequest,
    ApiError,
    _comment_id,
    _sentences,
    analyze,
    comment_text,
    decision_label,
    parse_analyze,
    parse_json,
    parse_suggest,
    request_words,
    requested_languages,
)

SOURCES = {
    "TOXICITY": AttributeSource("TOXICITY", "label", "abusive", 0.6),
    "CIVIL": AttributeSource("CIVIL", "label", "civil", None),
}


def ask(text="a fine comment", attributes=("TOXICITY",), **extra):
    return {
        "comment": {"text": text},
        "requestedAttributes": dict.fromkeys(attributes, {}),
        **extra,
    }


def test_api_errors_have_perspectives_shape_and_may_say_when_to_retry():
    error = ApiError(429, "slow down", [{"reason": "x"}]).retry(30)
    assert error.headers == {"retry-after": "30"}
    assert error.body() == {
        "error": {
            "code": 429,
            "message": "slow down",
            "status": "RESOURCE_EXHAUSTED",
            "details": [{"reason": "x"}],
        }
    }
    assert ApiError(418, "odd").body()["error"]["status"] == "INVALID_ARGUMENT"


def test_parse_json_refuses_invalid_json_as_a_400():
    assert parse_json(b'{"a": [1]}') == {"a": [1]}
    with pytest.raises(ApiError, match="Invalid JSON payload") as error:
        parse_json(b"{nope")
    assert error.value.code == 400


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({}, "comment must be a JSON object, not null"),
        ({"comment": []}, "comment must be a JSON object, not a list"),
        ({"comment": {}}, "comment.text is required"),
        ({"comment": {"text": 5}}, "comment.text must be a string, not a number"),
        ({"comment": {"text": True}}, "not true/false"),
        ({"comment": {"text": " \n"}}, "comment.text is empty"),
        ({"comment": {"text": "é" * MAX_TEXT_BYTES}}, f"{2 * MAX_TEXT_BYTES} bytes"),
    ],
)
def test_comment_text_refuses_what_cannot_be_scored(body, problem):
    with pytest.raises(ApiError, match=problem):
        comment_text(body)


def test_requested_languages_are_lower_cased_codes():
    assert requested_languages({}) == []
    assert requested_languages({"languages": ["DE", " pt_BR "]}) == ["de", "pt-br"]
    for languages, problem in [
        ("de", "must be a list"),
        ([1], "must be a list"),
        (["en"] * 11, "at most 10"),
        (["english!"], "'english!' is not a language code"),
    ]:
        with pytest.raises(ApiError, match=problem):
            requested_languages({"languages": languages})


def test_parse_analyze_reads_thresholds_spans_languages_and_the_parent():
    body = ask(
        "reply",
        ("TOXICITY", "CIVIL"),
        languages=["en"],
        spanAnnotations=True,
        context={"entries": [{"text": '{"meta": 1}'}, {"text": "the parent"}]},
    )
    body["requestedAttributes"]["TOXICITY"] = {"scoreThreshold": 0.5, "scoreType": "PROBABILITY"}
    body["requestedAttributes"]["CIVIL"] = None
    request = parse_analyze(body, SOURCES)
    assert request.attributes == {"TOXICITY": 0.5, "CIVIL": None}
    assert (request.languages, request.spans, request.parent) == (["en"], True, "the parent")
    assert not request.drop_unsupported
    assert parse_analyze(ask(context={"entries": "x"}), SOURCES).parent is None


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ([], "the request must be a JSON object"),
        ({"comment": {"text": "x"}}, "requestedAttributes must be a JSON object"),
        (ask(attributes=()), "requestedAttributes is empty"),
        (ask(dropUnsupportedAttributes="yes"), "dropUnsupportedAttributes must be true or false"),
        (ask(spanAnnotations=1), "spanAnnotations must be true or false"),
        (
            ask(attributes=("THREAT",)),
            "THREAT is not supported by this model .it answers TOXICITY, CIVIL",
        ),
        (ask(attributes=("toxicity",)), "attribute names are in capitals: TOXICITY"),
        (ask(attributes=("KINDNESS",)), r"Unknown attribute: KINDNESS \(this server answers"),
    ],
)
def test_parse_analyze_refuses_a_bad_request(body, problem):
    with pytest.raises(ApiError, match=problem):
        parse_analyze(body, SOURCES)


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"scoreType": "STD_DEV_SCORE"}, "scoreType 'STD_DEV_SCORE' is not supported"),
        ({"scoreThreshold": 1.5}, "scoreThreshold must be a number between 0 and 1"),
        ({"scoreThreshold": True}, "scoreThreshold must be a number between 0 and 1"),
        ([], "requestedAttributes.TOXICITY must be a JSON object"),
    ],
)
def test_parse_analyze_refuses_bad_attribute_options(options, problem):
    body = ask()
    body["requestedAttributes"]["TOXICITY"] = options
    with pytest.raises(ApiError, match=problem):
        parse_analyze(body, SOURCES)


def test_unsupported_attributes_are_left_out_when_asked():
    body = ask(attributes=("TOXICITY", "THREAT", "SPAM"))
    assert list(parse_analyze(body, SOURCES, omit_unsupported=True).attributes) == ["TOXICITY"]
    request = parse_analyze({**body, "dropUnsupportedAttributes": True}, SOURCES)
    assert list(request.attributes) == ["TOXICITY"] and request.drop_unsupported
    with pytest.raises(ApiError, match="Unknown attribute: KINDNESS"):
        parse_analyze(ask(attributes=("KINDNESS",)), SOURCES, omit_unsupported=True)


def test_analyze_answers_each_attribute_above_its_threshold(model):
    sources = attribute_sources(model)
    text = "you are a rotten liar"
    request = parse_analyze(ask(text, ("TOXICITY", "CIVIL"), languages=["en"]), sources)
    response, scores = analyze(model, request, sources)
    assert scores == pytest.approx(model.scores_of_one(text)[0])
    values = {k: v["summaryScore"]["value"] for k, v in response["attributeScores"].items()}
    assert values == pytest.approx(
        {"TOXICITY": scores["abusive"], "CIVIL": scores["civil"]}, abs=1e-6
    )
    assert (response["model"], response["languages"]) == (model.id, ["en"])
    request.attributes["TOXICITY"] = 1.0  # above any score: left out
    response, _ = analyze(model, request, sources)
    assert list(response["attributeScores"]) == ["CIVIL"]


def test_analyze_gives_a_placeholder_zero_and_scores_nothing(model):
    sources = attribute_sources(model)
    request = parse_analyze(ask("[deleted]", ("TOXICITY",), spanAnnotations=True), sources)
    response, scores = analyze(model, request, sources, scale="flag-threshold")
    assert scores == {}
    entry = response["attributeScores"]["TOXICITY"]
    assert entry["summaryScore"]["value"] == 0.0
    assert [span["score"]["value"] for span in entry["spanScores"]] == [0.0]


def test_request_words_leave_out_the_quoted_parent():
    parent = "the ferry from the north pier was late again this morning"
    request = AnalyzeRequest(f'"{parent}" thanks for saying so', {}, [], parent=parent)
    quotes, own = request_words(request)
    assert len(quotes) == 1 and parent not in own and "thanks for saying so" in own
    unquoted = AnalyzeRequest("just my words", {}, [])
    assert request_words(unquoted) == ([], "just my words")


def test_sentences_are_spans_outside_the_quotes():
    text = "First one. Second one!  Third"
    assert [text[a:b] for a, b in _sentences(text, [])] == ["First one.", "Second one!", "Third"]
    parent = "the ferry from the north pier was late again this morning"
    request = AnalyzeRequest(f"{parent}. Mine here.", {}, [], parent=parent)
    quotes, _ = request_words(request)
    assert quotes and [request.text[a:b] for a, b in _sentences(request.text, quotes)] == [
        "Mine here."
    ]


def suggest(values, **extra):
    scores = {name: {"summaryScore": {"value": v}} for name, v in values.items()}
    return {"comment": {"text": "some words"}, "attributeScores": scores, **extra}


def test_parse_suggest_reads_the_decision_the_token_and_the_community():
    found = parse_suggest(
        suggest({"TOXICITY": 0.9}, clientToken="comment:c7", communityId="site", languages=["de"])
    )
    assert (found.comment_id, found.label, found.community, found.languages) == (
        "c7",
        "abusive",
        "site",
        ["de"],
    )
    assert found.text == "some words" and found.thread_id is None


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (suggest({}), "attributeScores is empty"),
        (suggest({"NICE": 0.1}), "Unknown attribute: NICE"),
        (suggest({"TOXICITY": 1.5}), r"TOXICITY.summaryScore.value must be a number in \[0, 1\]"),
        (suggest({"TOXICITY": True}), r"must be a number in \[0, 1\]"),
        ({**suggest({"TOXICITY": 0.1}), "clientToken": 5}, "clientToken must be a string"),
        ({**suggest({"TOXICITY": 0.1}), "communityId": []}, "communityId must be a string"),
        ({"comment": {"text": "x"}, "attributeScores": {"TOXICITY": 1}}, "must be a JSON object"),
    ],
)
def test_parse_suggest_refuses_a_bad_decision(body, problem):
    with pytest.raises(ApiError, match=problem):
        parse_suggest(body)


def test_decision_label_from_the_values_sent():
    assert decision_label({"APPROVED": 1.0}) == "civil"
    assert decision_label({"DELETED": 1.0}) == "abusive"
    assert decision_label({"INSULT": 0.5}) == "abusive"
    assert decision_label({"CONSPIRACY": 0.7, "TOXICITY": 0.2}) == "conspiracy"
    assert decision_label({"PROFANITY": 0.99}) == "civil"  # profanity alone is no abuse
    assert decision_label({"TOXICITY": 0.49}) == "civil"


def test_a_comment_without_a_token_is_known_by_its_texts_hash():
    assert _comment_id("comment:c1", "x") == "c1" and _comment_id("c1", "x") == "c1"
    first, again, other = (
        _comment_id(None, "words"),
        _comment_id("", "words"),
        _comment_id(None, "other"),
    )
    assert first == again != other and first.startswith("text:") and len(first) == 21
