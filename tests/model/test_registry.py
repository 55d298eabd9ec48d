"""Which model is used, `moderation models`: list, show, promote, roll back."""

from __future__ import annotations

import json

from moderation.cli import app
from moderation.model.registry import load_model, resolve_model_dir
from moderation.model.scoring import score_texts

from fixtures.files import SAMPLES, TINY_EXAMPLES, json_lines

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
    """Variants of the tiny examples (not texts either model was trained on) labelled with
    ``model``'s predictions, where the shipped model disagrees on some of them."""
    import csv

    texts = [
        json.loads(line)["text"] + " Said so before."
        for line in TINY_EXAMPLES.read_text().splitlines()
    ]
    ours = [model.labels[int(row.argmax())] for row in model.predict_proba(texts)]
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
    shipped = {"default", "default-de", "default-pt", "default-fr", "default-es"}
    assert set(by_name) == {"site-v1", *shipped}
    assert all(by_name[name]["active"] for name in shipped) and not by_name["site-v1"]["active"]
    assert {by_name[name]["language"] for name in shipped} == {"en", "de", "pt", "fr", "es"}
    shown = runner.invoke(app, ["models", "show", "site-v1", "--json"])
    assert json.loads(shown.output)["copied_from"]["model_id"] == load_model(tiny_model).id
    readable = runner.invoke(app, ["models", "show", "site-v1"], env={"COLUMNS": "80"})
    assert readable.exit_code == 0, readable.output
    assert f"copied from {load_model(tiny_model).id}" in readable.output
    assert "flag at" in readable.output and "abusive" in readable.output


def test_models_list_compares_figures_measured_on_the_same_labels(
    runner, monkeypatch, tmp_path, tiny_model
):
    monkeypatch.setenv("MODERATION_MODELS", str(tmp_path))
    _copy_with_thresholds(runner, tiny_model, tmp_path / "site-v1")
    plain = runner.invoke(app, ["models", "list"], env={"COLUMNS": "100"})
    assert plain.exit_code == 0, plain.output
    assert "CV macro-F1" in plain.output and "own training data" in plain.output
    evaluation = _labelled_as(load_model(tmp_path / "site-v1"), tmp_path / "site-labels.csv")
    result = runner.invoke(app, ["models", "list", "--eval", str(evaluation), "--json"])
    assert result.exit_code == 0, result.output
    entries = {e["name"]: e for e in map(json.loads, result.output.splitlines())}
    figures = {name: e["on_eval"] for name, e in entries.items()}
    rows = len(evaluation.read_text().splitlines()) - 1
    # English labels: the models of other languages are not measured on them
    assert {name for name, f in figures.items() if f is None} == {
        "default-de",
        "default-pt",
        "default-fr",
        "default-es",
    }
    assert [f["examples"] for f in figures.values() if f] == [rows, rows]
    # labelled as site-v1 predicts: it is perfect there, the shipped model is not
    assert figures["site-v1"]["macro_f1"] == 1.0 > figures["default"]["macro_f1"]
    table = runner.invoke(app, ["models", "list", "--eval", str(evaluation)])
    said = " ".join(table.output.split())
    assert "macro-F1 on" in said and f"({rows} labelled comments;" in said


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
    assert "not worse on the evaluation set by macro-F1, macro ROC AUC" in better.output
    assert resolve_model_dir().resolve() == (tmp_path / "site-v1").resolve()
    scored = runner.invoke(app, ["score", "hello", "--json"])
    assert json.loads(scored.output)["model"].startswith("site-v1-")
    # so the shipped one is refused there...
    worse = runner.invoke(app, ["models", "promote", "default", "--eval", str(evaluation)])
    assert worse.exit_code == 1, worse.output
    assert "not promoted" in worse.output and "worse than the active model on macro-F1" in (
        worse.output
    )
    # the rule that decided is named, with both figures
    assert "(0." in worse.output and "against 1.000)" in worse.output
    assert resolve_model_dir().resolve() == (tmp_path / "site-v1").resolve()
    # ...but rolling back to it, a model that was active before, needs no evaluation
    back = runner.invoke(app, ["models", "promote", "default"])
    assert back.exit_code == 0, back.output
    assert "rollback" in back.output
    assert resolve_model_dir().resolve() == shipped.resolve()


def test_promotion_says_which_flag_rules_the_labels_could_not_check(
    runner, monkeypatch, tmp_path, tiny_model
):
    """Held-out labels with no abusive comment cannot show what the abusive flags catch: the
    decision must say so instead of passing it silently."""
    import csv

    monkeypatch.setenv("MODERATION_MODELS", str(tmp_path))
    _copy_with_thresholds(runner, tiny_model, tmp_path / "site-v1")
    evaluation = _labelled_as(load_model(tmp_path / "site-v1"), tmp_path / "site-labels.csv")
    with evaluation.open(newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["label"] != "abusive"]
    assert {r["label"] for r in rows} == {"civil", "conspiracy"}
    without = tmp_path / "no-abuse.csv"
    with without.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "text", "label"])
        writer.writeheader()
        writer.writerows(rows)
    result = runner.invoke(app, ["models", "promote", "site-v1", "--eval", str(without)])
    assert result.exit_code in (0, 1), result.output
    said = " ".join(result.output.split())
    assert "not checked: flag precision and recall of abusive" in said
    assert "no such comment among the evaluation labels" in said


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


def test_promotion_on_the_candidates_own_training_data_is_refused_or_forced_loudly(
    runner, monkeypatch, tmp_path, tiny_model
):
    monkeypatch.setenv("MODERATION_MODELS", str(tmp_path))
    monkeypatch.setenv("MODERATION_HOME", str(tmp_path / "home"))
    own = ["models", "promote", str(tiny_model), "--eval", str(TINY_EXAMPLES)]
    refused = runner.invoke(app, own)
    assert refused.exit_code == 2, refused.output
    assert "refusing to evaluate" in refused.output
    assert "is the very file model" in refused.output and "SHA-256" in refused.output
    assert not (tmp_path / "home" / "active.json").exists()
    forced = runner.invoke(app, [*own, "--force"])
    assert forced.exit_code == 0, forced.output
    assert "NOT TO BE TRUSTED" in forced.output
    assert "overlap the training data of the candidate" in forced.output
    record = json.loads((tmp_path / "home" / "active.json").read_text())
    assert record["evaluation"]["overlap"]["candidate"]["refused"] is True


def test_promotion_compares_flag_precision_and_recall_at_each_models_thresholds():
    from moderation.model.registry import compared_metrics, not_worse

    def metrics(macro_f1, precision, recall):
        return compared_metrics(
            {
                "macro_f1": macro_f1,
                "macro_roc_auc": 0.9,
                "per_label": {
                    "abusive": {
                        "support": 10,
                        "threshold": 0.5,
                        "flags": {"precision": precision, "recall": recall},
                    },
                    "civil": {"support": 30},
                },
            }
        )

    # better macro-F1, but a moderator's queue gets noisier: refused, and the rule is named
    ok, short = not_worse(metrics(0.85, 0.60, 0.9), metrics(0.80, 0.75, 0.8))
    assert not ok and short == ["abusive flag precision (0.600 against 0.750)"]
    ok, short = not_worse(metrics(0.85, 0.74, 0.9), metrics(0.80, 0.75, 0.8), tolerance=0.02)
    assert ok and short == []
