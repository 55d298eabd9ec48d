"""Each Perspective attribute answered by its own label or head, unsupported ones refused or
left out, and the flag-threshold scale (in process, on the tiny model)."""

from __future__ import annotations

import pytest

from moderation.serving.attributes import (
    attribute_sources,
    flag_threshold_scale,
    unsupported_for,
)
from moderation.serving.perspective import ApiError, analyze, parse_analyze

THREAT = "I know where you live and I will break your legs."
INSULT = "You are a spineless clown and a fraud."


def ask(text, *attributes, **extra):
    return {
        "comment": {"text": text},
        "requestedAttributes": dict.fromkeys(attributes, {}),
        **extra,
    }


def answer(model, body, **options):
    sources = attribute_sources(model)
    scale = options.pop("scale", "probability")
    response, _ = analyze(model, parse_analyze(body, sources, **options), sources, scale=scale)
    return {k: v["summaryScore"]["value"] for k, v in response["attributeScores"].items()}


def test_each_attribute_comes_from_its_own_label_or_head(model):
    sources = attribute_sources(model)
    assert sources["TOXICITY"].describe()["from"] == "label:abusive"
    assert sources["THREAT"].describe()["from"] == "head:THREAT"
    threat = answer(model, ask(THREAT, "TOXICITY", "THREAT", "INSULT"))
    insult = answer(model, ask(INSULT, "TOXICITY", "THREAT", "INSULT"))
    assert threat["THREAT"] > insult["THREAT"]  # not one number under several names
    labels, heads = model.scores_of_one(THREAT)
    assert threat["TOXICITY"] == pytest.approx(labels["abusive"], abs=1e-6)
    assert threat["THREAT"] == pytest.approx(heads["THREAT"], abs=1e-6)


def test_an_attribute_the_model_has_no_head_for_is_refused_or_left_out(model):
    # the tiny model has no PROFANITY head; nothing here answers SEXUALLY_EXPLICIT
    assert {"PROFANITY", "IDENTITY_ATTACK", "SEXUALLY_EXPLICIT"} <= set(unsupported_for(model))
    for name in ("PROFANITY", "SEXUALLY_EXPLICIT", "FLIRTATION"):
        with pytest.raises(ApiError, match=f"{name} is not supported by this model"):
            parse_analyze(ask(THREAT, "TOXICITY", name), attribute_sources(model))
    both = ask(THREAT, "TOXICITY", "SEXUALLY_EXPLICIT", "PROFANITY")
    assert set(answer(model, both, omit_unsupported=True)) == {"TOXICITY"}
    dropped = {**both, "dropUnsupportedAttributes": True}  # Perspective's own request field
    assert set(answer(model, dropped)) == {"TOXICITY"}
    assert answer(model, ask(THREAT, "SPAM"), omit_unsupported=True) == {}


def test_names_are_in_capitals_and_unknown_names_stay_refused(model):
    sources = attribute_sources(model)
    with pytest.raises(ApiError, match="attribute names are in capitals: TOXICITY"):
        parse_analyze(ask(THREAT, "toxicity"), sources, omit_unsupported=True)
    with pytest.raises(ApiError, match="Unknown attribute: NICENESS"):
        parse_analyze(ask(THREAT, "NICENESS"), sources, omit_unsupported=True)


def test_the_scale_puts_each_flag_threshold_on_coral_s_080_and_keeps_the_order(model):
    sources = attribute_sources(model)
    for source in sources.values():
        if source.threshold is not None:
            assert flag_threshold_scale(source.threshold, source.threshold) == pytest.approx(0.8)
    texts = [THREAT, INSULT, "Lovely light on the river tonight.", "what a day"]
    for attribute in ("TOXICITY", "THREAT", "CIVIL"):
        plain = [answer(model, ask(t, attribute))[attribute] for t in texts]
        scaled = [
            answer(model, ask(t, attribute), scale="flag-threshold")[attribute] for t in texts
        ]
        assert sorted(range(4), key=plain.__getitem__) == sorted(range(4), key=scaled.__getitem__)
        threshold = sources[attribute].threshold
        for p, s in zip(plain, scaled):
            if threshold is None:
                assert s == p  # CIVIL flags nothing: unchanged
            else:
                assert (p >= threshold) == (s >= 0.8 - 1e-9)


def test_head_span_scores_add_up_to_the_summary_for_one_sentence(model):
    sources = attribute_sources(model)
    body = {**ask(THREAT, "THREAT", "TOXICITY"), "spanAnnotations": True}
    for scale in ("probability", "flag-threshold"):
        response, _ = analyze(model, parse_analyze(body, sources), sources, scale=scale)
        for entry in response["attributeScores"].values():
            (span,) = entry["spanScores"]
            assert span["score"]["value"] == pytest.approx(entry["summaryScore"]["value"], abs=1e-5)
    two = {**ask(f"{THREAT} The parish fete was lovely.", "THREAT"), "spanAnnotations": True}
    response, _ = analyze(model, parse_analyze(two, sources), sources)
    first, second = response["attributeScores"]["THREAT"]["spanScores"]
    assert first["score"]["value"] > second["score"]["value"]
