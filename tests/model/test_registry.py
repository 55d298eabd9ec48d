"""Which model is used, `moderation models`: list, show, promote, roll back."""

from __future__ import annotations

import json

from moderation.cli import app
from moderation.model.registry import load_model, resolve_model_dir
from moderation.scoring import score_texts

from conftest import SAMPLES, TINY_EXAMPLES, json_lines

LABELLED_CSV = SAMPLES / "comments.csv"


def _copy_with_thresholds(runner, tiny_model, destination):
    result = runner.invoke(
        app,
        [
            "evaluate",
            str(LABELLED_CSV),
            "--model",
            str(tiny_model),
            "--find-thresholds",
            "-o",
            str(destination),
        ],
    )
    assert result.exit_code == 0, result.output


def _labelled_as(model, destination):
    """The tiny examples labelled with ``model``'s predictions, where the shipped model
    disagrees on some of them."""
    import csv

    texts = [json.loads(line)["text"] for line in TINY_EXAMPLES.read_text().splitlines()]
    ours = [r["prediction"] for r in score_texts(model, texts)]
    shipped = [r["prediction"] for r in score_texts(load_model(resolve_model_dir()), texts)]
    assert ours != shipped, "the set no longer separates the two models"
    with destination.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text", "label"])
        writer.writerows([f"e{i}", text, label] for i, (text, label) in enumerate(zip(texts, ours)))
    return destination


def test_models_list_marks_the_active_model(runner, monkeypatch, tmp_path, tiny_model):
    monkeypatch.setenv("MODERATION_MODELS", str(tmp_path))
    _copy_with_thresholds(runner, tiny_model, tmp_path / "site-v1")
    result = runner.invoke(app, ["models", "list", "--json"])
    assert result.exit_code == 0, result.output
    entries = [json.loads(line) for line in result.output.splitlines()]
    by_name = {e["name"]: e for e in entries}
    assert set(by_name) == {"site-v1", "default"}
    assert by_name["default"]["active"] and not by_name["site-v1"]["active"]
    shown = runner.invoke(app, ["models", "show", "site-v1", "--json"])
    assert json.loads(shown.output)["copied_from"]["model_id"] == load_model(tiny_model).id
    readable = runner.invoke(app, ["models", "show", "site-v1"], env={"COLUMNS": "80"})
    assert readable.exit_code == 0, readable.output
    assert f"copied from {load_model(tiny_model).id}" in readable.output
    assert "flag at" in readable.output and "abusive" in readable.output


def test_promote_needs_evidence_then_switches_the_active_model_and_rolls_back(
    runner, monkeypatch, tmp_path, tiny_model
):
    monkeypatch.setenv("MODERATION_MODELS", str(tmp_path))
    _copy_with_thresholds(runner, tiny_model, tmp_path / "site-v1")
    shipped = resolve_model_dir()
    refused = runner.invoke(app, ["models", "promote", "site-v1"])
    assert refused.exit_code == 2 and "needs evidence" in refused.output
    # on a set labelled as the tiny model labels it, the tiny model beats the shipped one
    evaluation = _labelled_as(load_model(tmp_path / "site-v1"), tmp_path / "site-labels.csv")
    better = runner.invoke(app, ["models", "promote", "site-v1", "--eval", str(evaluation)])
    assert better.exit_code == 0, better.output
    assert "is now the active model" in better.output
    assert resolve_model_dir().resolve() == (tmp_path / "site-v1").resolve()
    scored = runner.invoke(app, ["score", "hello", "--json"])
    assert json.loads(scored.output)["model"].startswith("site-v1-")
    # so the shipped one is refused there...
    worse = runner.invoke(app, ["models", "promote", "default", "--eval", str(evaluation)])
    assert worse.exit_code == 1, worse.output
    assert (
        "not promoted" in worse.output and "worse than the active model on macro_f1" in worse.output
    )
    assert resolve_model_dir().resolve() == (tmp_path / "site-v1").resolve()
    # ...but rolling back to it, a model that was active before, needs no evaluation
    back = runner.invoke(app, ["models", "promote", "default"])
    assert back.exit_code == 0, back.output
    assert "rollback" in back.output
    assert resolve_model_dir().resolve() == shipped.resolve()


def test_a_missing_active_model_is_one_clear_error(runner, monkeypatch, tmp_path, tiny_model):
    import shutil

    monkeypatch.setenv("MODERATION_MODELS", str(tmp_path))
    _copy_with_thresholds(runner, tiny_model, tmp_path / "gone")
    assert runner.invoke(app, ["models", "promote", "gone", "--force"]).exit_code == 0
    shutil.rmtree(tmp_path / "gone")
    result = runner.invoke(app, ["score", "hello"])
    assert result.exit_code == 2
    assert "the active model" in result.output and "is gone" in result.output


def test_a_torn_last_line_of_the_promotion_history_is_reported_and_set_aside(
    runner, monkeypatch, tmp_path, tiny_model
):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("MODERATION_HOME", str(home))
    history = home / "promotions.jsonl"
    history.write_text('{"model_id": "old", "path": "/nowhere"}\n{"model_id": "cut-sh')
    result = runner.invoke(app, ["models", "promote", str(tiny_model), "--force"])
    assert result.exit_code == 0, result.output
    assert "promotions.jsonl:2: the last line of this promotion history is incomplete" in (
        result.output
    )
    assert "Traceback" not in result.output
    assert (home / "promotions.jsonl.torn").read_text() == '{"model_id": "cut-sh\n'
    lines = json_lines(history)
    assert [line["model_id"] for line in lines][0] == "old" and len(lines) == 2
