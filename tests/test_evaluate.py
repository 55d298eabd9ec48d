"""`moderation evaluate`: metrics, report, comparison, thresholds; `moderation models`."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import SAMPLES
from moderation.cli import app
from moderation.errors import InputError
from moderation.examples import read_labelled
from moderation.model.metrics import expected_calibration_error, measure, threshold_table
from moderation.model.registry import load_model, resolve_model_dir

LABELLED_CSV = SAMPLES / "comments.csv"
LABELS = ["abusive", "civil", "conspiracy"]


def test_measure_matches_hand_counted_metrics():
    truth = ["civil", "civil", "abusive", "abusive", "conspiracy"]
    probabilities = np.array([[0.1, 0.8, 0.1],     # civil, right
                              [0.6, 0.3, 0.1],     # civil predicted abusive
                              [0.7, 0.2, 0.1],     # abusive, right
                              [0.2, 0.7, 0.1],     # abusive predicted civil
                              [0.1, 0.2, 0.7]])    # conspiracy, right
    metrics = measure(truth, probabilities, LABELS, {"abusive": 0.5, "conspiracy": 0.5})
    assert metrics["accuracy"] == 0.6
    assert metrics["per_label"]["abusive"]["precision"] == 0.5
    assert metrics["per_label"]["abusive"]["recall"] == 0.5
    assert metrics["per_label"]["conspiracy"]["f1-score"] == 1.0
    assert metrics["macro_f1"] == pytest.approx((0.5 + 0.5 + 1.0) / 3, abs=1e-4)
    abusive, civil, conspiracy = metrics["confusion_matrix"]["rows_true_columns_predicted"]
    assert (abusive, civil) == ([1, 1, 0], [1, 1, 0])
    assert conspiracy == [0, 0, 1]
    # abusive scores: positives 0.7, 0.2; negatives 0.1, 0.6, 0.1 -> 5 of 6 pairs ordered
    assert metrics["per_label"]["abusive"]["roc_auc"] == pytest.approx(5 / 6, abs=1e-4)
    flags = metrics["per_label"]["abusive"]["flags"]
    assert (flags["flagged"], flags["precision"], flags["recall"]) == (2, 0.5, 0.5)


def test_expected_calibration_error_is_zero_when_predictions_match_frequencies():
    scores = np.array([0.25] * 4 + [0.75] * 4)
    truth = np.array(list("yes no no no yes yes yes no".split())) == "yes"
    error, points = expected_calibration_error(truth, scores)
    assert error == 0.0
    assert [(p["predicted"], p["observed"], p["count"]) for p in points] == \
        [(0.25, 0.25, 4), (0.75, 0.75, 4)]
    overconfident, _ = expected_calibration_error(np.zeros(4, dtype=bool), np.full(4, 0.9))
    assert overconfident == pytest.approx(0.9)


def test_threshold_table_counts_the_queue_at_each_threshold():
    rows = threshold_table(np.array([True, True, False, False]), np.array([0.9, 0.4, 0.6, 0.1]),
                           [0.5, 0.3])
    assert [(r["threshold"], r["flagged"], r["precision"], r["recall"]) for r in rows] == \
        [(0.3, 3, round(2 / 3, 4), 1.0), (0.5, 2, 0.5, 0.5)]


def test_read_labelled_set_reads_exports_and_stores_and_refuses_unlabelled(tmp_path):
    export = read_labelled(LABELLED_CSV)
    assert len(export) == 5 and set(export.labels) == {"civil", "abusive", "conspiracy"}
    store = tmp_path / "labels.jsonl"
    store.write_text(json.dumps({"id": "a", "action": "label", "label": "civil",
                                 "text": "fine", "labeller": "ana"}) + "\n")
    assert read_labelled(store).labels == ["civil"]
    with pytest.raises(InputError, match="wordpress.xml: no labelled comments"):
        read_labelled(SAMPLES / "wordpress.xml")


def test_evaluate_cli_prints_metrics_and_writes_a_report(tmp_path, runner, tiny_model):
    report = tmp_path / "report"
    result = runner.invoke(app, ["evaluate", str(LABELLED_CSV), "--model", str(tiny_model),
                                 "--report", str(report), "--compare", str(tiny_model)])
    assert result.exit_code == 0, result.output
    assert "macro-F1" in result.output and "confusion matrix" in result.output
    assert sorted(p.name for p in report.iterdir()) == \
        ["confusion.png", "index.html", "metrics.json", "precision_recall.png",
         "reliability.png"]
    for plot in ("confusion.png", "precision_recall.png", "reliability.png"):
        assert (report / plot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    metrics = json.loads((report / "metrics.json").read_text())
    assert metrics["examples"] == 5
    assert metrics["comparison"]["rows"]["macro_f1"]["difference"] == 0.0
    page = (report / "index.html").read_text()
    assert "Worst errors" in page and "confusion.png" in page
    for error in metrics["worst_errors"]:
        assert error["label"] != error["prediction"]


def test_evaluate_json_matches_the_python_api(runner, tiny_model):
    from moderation.evaluate import evaluate

    result = runner.invoke(app, ["evaluate", str(LABELLED_CSV), "--model", str(tiny_model),
                                 "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    direct = evaluate(load_model(tiny_model), read_labelled(LABELLED_CSV))
    assert printed["macro_f1"] == direct.metrics["macro_f1"]
    assert printed["per_label"]["abusive"]["support"] == 1


def test_find_thresholds_writes_a_loadable_copy_with_new_thresholds(tmp_path, runner,
                                                                   tiny_model):
    copy = tmp_path / "site-thresholds"
    result = runner.invoke(app, ["evaluate", str(LABELLED_CSV), "--model", str(tiny_model),
                                 "--find-thresholds", "--precision", "0.9", "-o", str(copy)])
    assert result.exit_code == 0, result.output
    original, copied = load_model(tiny_model), load_model(copy)
    assert copied.id != original.id
    assert copied.meta.thresholds["abusive"].notes["chosen_on"] == str(LABELLED_CSV)
    assert np.allclose(copied.predict_proba(["some words"]),
                       original.predict_proba(["some words"]))
    assert "Changes in this copy" in (copy / "MODEL_CARD.md").read_text()


@pytest.mark.parametrize("args, message", [
    (["--find-thresholds"], "give -o DIR"),
    (["--precision", "1.5", "--find-thresholds", "-o", "x"], "--precision must be between"),
])
def test_evaluate_option_mistakes_are_one_line(runner, tiny_model, args, message):
    result = runner.invoke(app, ["evaluate", str(LABELLED_CSV), "--model", str(tiny_model),
                                 *args])
    assert result.exit_code == 2
    assert message in result.output


def test_evaluate_refuses_a_folder_that_is_not_a_model(tmp_path, runner):
    result = runner.invoke(app, ["evaluate", str(LABELLED_CSV), "--model", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a model directory" in result.output


def test_evaluate_refuses_labels_the_model_does_not_know(tmp_path, runner, tiny_model):
    # a model trained on civil/abusive only cannot be measured on conspiracy labels
    from moderation.model.train import train_from_files
    from conftest import FAST_CONFIG, TINY_EXAMPLES

    two = tmp_path / "two.jsonl"
    two.write_text("".join(line + "\n" for line in TINY_EXAMPLES.read_text().splitlines()
                           if '"conspiracy"' not in line))
    config = tmp_path / "fast.toml"
    config.write_text(FAST_CONFIG)
    train_from_files([two], output=tmp_path / "two-labels", config_path=config)
    result = runner.invoke(app, ["evaluate", str(LABELLED_CSV), "--model",
                                 str(tmp_path / "two-labels")])
    assert result.exit_code == 2
    assert "label(s) conspiracy are not labels of model" in result.output


# -- moderation models ---------------------------------------------------------------------

def _copy_with_thresholds(runner, tiny_model, destination):
    result = runner.invoke(app, ["evaluate", str(LABELLED_CSV), "--model", str(tiny_model),
                                 "--find-thresholds", "-o", str(destination)])
    assert result.exit_code == 0, result.output


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
        runner, monkeypatch, tmp_path, tiny_model):
    monkeypatch.setenv("MODERATION_MODELS", str(tmp_path))
    _copy_with_thresholds(runner, tiny_model, tmp_path / "site-v1")
    shipped = resolve_model_dir()
    refused = runner.invoke(app, ["models", "promote", "site-v1"])
    assert refused.exit_code == 2 and "needs evidence" in refused.output
    # on the sample, the tiny model (trained on comments like it) beats the shipped one
    better = runner.invoke(app, ["models", "promote", "site-v1", "--eval",
                                 str(LABELLED_CSV)])
    assert better.exit_code == 0, better.output
    assert "is now the active model" in better.output
    assert resolve_model_dir().resolve() == (tmp_path / "site-v1").resolve()
    scored = runner.invoke(app, ["score", "hello", "--json"])
    assert json.loads(scored.output)["model"].startswith("site-v1-")
    # so the shipped one is refused there...
    worse = runner.invoke(app, ["models", "promote", "default", "--eval", str(LABELLED_CSV)])
    assert worse.exit_code == 1, worse.output
    assert "not promoted" in worse.output and "worse than the active model on macro_f1" \
        in worse.output
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
