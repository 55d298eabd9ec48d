"""Scores, flags and explanations, and `moderation score`."""

import json
import shutil

import numpy as np
import pytest

from moderation import load_model
from moderation.cli import app
from moderation.errors import UsageError
from moderation.model.multilingual import score_comments
from moderation.model.scoring import explain_text, parse_thresholds

from fixtures.files import SCORING_TEXTS as TEXTS


def test_records_follow_the_documented_shape(model):
    records = model.score(TEXTS[:2])
    assert [set(r) for r in records] == [{"text", "prediction", "scores", "flags", "model"}] * 2
    first = records[0]
    assert list(first["scores"]) == ["civil", "abusive", "conspiracy"]
    assert first["prediction"] == max(first["scores"], key=first["scores"].get) == "abusive"
    assert first["model"] == model.id
    for record in records:
        expected = [
            label
            for label in ("abusive", "conspiracy")
            if record["scores"][label] >= model.thresholds[label]
        ]
        assert record["flags"] == expected


def test_threshold_overrides_change_flags(model):
    text = TEXTS[0]
    assert (
        "abusive" in model.score(text, thresholds={**model.thresholds, "abusive": 0.0})[0]["flags"]
    )
    assert (
        "abusive"
        not in model.score(text, thresholds={**model.thresholds, "abusive": 1.0})[0]["flags"]
    )


@pytest.mark.parametrize(
    "item, message",
    [
        ("hateful=0.5", "unknown label 'hateful'"),
        ("civil=0.5", "never flagged"),
        ("abusive=1.5", "not a probability"),
        ("abusive=-0.1", "not a probability"),
        ("abusive=high", "not a probability"),
        ("abusive", "LABEL=P"),
    ],
)
def test_bad_thresholds_are_refused(model, item, message):
    with pytest.raises(UsageError, match=message):
        parse_thresholds([item], model.thresholds, model.labels)


def test_explanation_is_exact_and_points_at_the_words(model):
    text = "You pathetic worm, you PATHETIC worm."
    explanation = explain_text(model, text, labels=model.labels, top=1000)
    spans = {t["term"]: t["spans"] for t in explanation["abusive"]["terms"]}
    assert [text[a:b].lower() for a, b in spans["pathetic"]] == ["pathetic", "pathetic"]
    # contributions + bias are each label's log-odds against civil: with civil at 0, their
    # softmax gives the scores
    assert "civil" not in explanation
    log_odds = {
        label: sum(t["contribution"] for t in part["terms"]) + part["bias"]
        for label, part in explanation.items()
    }
    logits = np.array([log_odds.get(label, 0.0) for label in model.labels])
    probabilities = np.exp(logits) / np.exp(logits).sum()
    assert np.allclose(probabilities, model.predict_proba([text])[0], atol=1e-4)
    assert list(model.explain(text)) == [model.score(text)[0]["prediction"]]


def test_a_civil_comment_is_explained_against_both_labels_a_moderator_looks_for(model):
    explanation = model.explain("Thanks for the library hours, lovely staff.")
    assert list(explanation) == ["abusive", "conspiracy"]
    assert all(part["against"] == "civil" for part in explanation.values())


def test_quotes_of_the_parent_are_not_scored(model):
    parent = "You pathetic worm, crawl back under your rock and stay there forever."
    reply = parent + " Please keep it civil, the library plan deserves a real debate."
    result = score_comments(model, [reply], parent=parent)[0]
    assert result["quotes_excluded"][0]["source"] == "parent"
    alone = model.score("Please keep it civil, the library plan deserves a real debate.")[0]
    assert result["scores"] == alone["scores"]


def test_a_huge_comment_is_scored_on_a_bounded_prefix(model):
    text = "the council plan " * 700_000  # about 12 MB
    record = model.score(text)[0]
    assert record["truncated"] == {"scored_chars": model.max_chars, "total_chars": len(text)}
    assert record["scores"] == model.score(text[: model.max_chars])[0]["scores"]


def test_empty_and_non_text_comments_are_refused(model):
    with pytest.raises(UsageError, match="empty"):
        model.score(["fine", "   "])
    with pytest.raises(UsageError, match="not a string"):
        model.score([None])


def test_score_jsonjson_lines(runner, tiny_model):
    result = runner.invoke(app, ["score", "--model", str(tiny_model), "--json", TEXTS[0], TEXTS[1]])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["prediction"] for r in records] == ["abusive", "conspiracy"]


def test_score_table_and_explanation(runner, tiny_model):
    result = runner.invoke(app, ["score", "-m", str(tiny_model), "--explain", TEXTS[0]])
    assert result.exit_code == 0, result.output
    assert "prediction" in result.stdout and "abusive" in result.stdout
    assert "pathetic +" in result.stdout


def test_score_reads_stdin_lines_and_jsonl(runner, tiny_model):
    result = runner.invoke(
        app, ["score", "-m", str(tiny_model), "--json", "-"], input=f"{TEXTS[0]}\n\n{TEXTS[1]}\n"
    )
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 2
    lines = json.dumps({"id": 7, "text": TEXTS[0], "site": "x"}) + "\n"
    result = runner.invoke(
        app, ["score", "-m", str(tiny_model), "--json", "--jsonl", "-"], input=lines
    )
    record = json.loads(result.stdout)
    assert record["id"] == 7 and record["site"] == "x" and record["prediction"] == "abusive"


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["score", ""], None, "empty"),
        (["score", "-t", "abusive=2", "x"], None, "not a probability"),
        (["score", "--jsonl", "--json", "-"], '{"id": 1}\n', "<stdin>:1"),
        (["score", "--jsonl", "-"], "not json\n", "invalid JSON"),
        (["score", "x", "-"], None, "cannot be mixed"),
    ],
)
def test_score_errors_are_one_line_and_exit_2(runner, tiny_model, args, stdin, message):
    result = runner.invoke(app, [args[0], "-m", str(tiny_model), *args[1:]], input=stdin)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_missing_and_tampered_models_exit_2(runner, tiny_model, tmp_path):
    result = runner.invoke(app, ["score", "-m", str(tmp_path / "nope"), "x"])
    assert result.exit_code == 2 and "no such model directory" in result.stderr
    copy = tmp_path / "bad"
    shutil.copytree(tiny_model, copy)
    with open(copy / "model.joblib", "ab") as handle:
        handle.write(b"\0")
    result = runner.invoke(app, ["score", "-m", str(copy), "x"])
    assert result.exit_code == 2 and "refusing to load" in result.stderr
    assert "moderation train" in result.stderr


def test_environment_variable_chooses_the_model(runner, tiny_model, monkeypatch):
    monkeypatch.setenv("MODERATION_MODEL", str(tiny_model))
    result = runner.invoke(app, ["score", "--json", "x"])
    assert json.loads(result.stdout)["model"] == load_model(tiny_model).id


def test_a_text_with_too_little_to_go_on_is_civil_and_not_flagged(model):
    (record,) = model.score(["zxqvw"])
    assert record["little_evidence"] is True
    assert record["prediction"] == "civil" and record["flags"] == []
    # but a threshold the user sets is never hidden
    (forced,) = model.score(["zxqvw"], thresholds={"abusive": 0.0, "conspiracy": 0.0})
    assert forced["little_evidence"] is True
    assert forced["flags"] == ["abusive", "conspiracy"] and "you set" in forced["note"]


def test_a_sentence_of_eight_words_is_never_little_evidence(model):
    (short,) = model.score(["zxqvw qqq"])
    (long,) = model.score(["zxqvw qqq blorp wug zib zab zob zub"])
    assert short.get("little_evidence") and "little_evidence" not in long


def test_a_flag_that_is_not_the_likeliest_label_is_explained(model):
    text = "They staged it and the cabal is hiding the truth."
    (record,) = model.score([text], thresholds={"abusive": 0.0, "conspiracy": 0.5})
    assert "abusive" in record["flags"] and record["prediction"] != "abusive"
    assert record["note"].startswith("abusive is flagged")


def test_placeholders_are_not_scored(model):
    records = model.score(["You pathetic worm.", "[deleted]", "This comment was removed."])
    assert records[0]["scores"] is not None
    assert [r.get("not_scored") for r in records[1:]] == ["placeholder", "placeholder"]
    assert all(r["flags"] == [] and r["prediction"] is None for r in records[1:])


def test_a_standalone_comment_is_scored_on_its_own_words(model):
    text = '> you are all worthless idiots\nPlease stop writing "you are all idiots", it is rude.'
    record = score_comments(model, [text])[0]
    assert [q["source"] for q in record["quotes_excluded"]] == ["marked"]
