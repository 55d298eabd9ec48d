"""`moderation evaluate`: metrics, report, comparison, thresholds."""

from __future__ import annotations

import json

import numpy as np
import pytest

from moderation.cli import app
from moderation.examples import read_labelled
from moderation.model.registry import load_model

from conftest import SAMPLES

LABELLED_CSV = SAMPLES / "comments.csv"


def test_evaluate_cli_prints_metrics_and_writes_a_report(tmp_path, runner, tiny_model):
    report = tmp_path / "report"
    result = runner.invoke(
        app,
        [
            "evaluate",
            str(LABELLED_CSV),
            "--model",
            str(tiny_model),
            "--report",
            str(report),
            "--compare",
            str(tiny_model),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "macro-F1" in result.output and "confusion matrix" in result.output
    assert sorted(p.name for p in report.iterdir()) == [
        "confusion.png",
        "index.html",
        "metrics.json",
        "precision_recall.png",
        "reliability.png",
    ]
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

    result = runner.invoke(
        app, ["evaluate", str(LABELLED_CSV), "--model", str(tiny_model), "--json"]
    )
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    direct = evaluate(load_model(tiny_model), read_labelled(LABELLED_CSV))
    assert printed["macro_f1"] == direct.metrics["macro_f1"]
    assert printed["per_label"]["abusive"]["support"] == 1


def test_find_thresholds_writes_a_loadable_copy_with_new_thresholds(tmp_path, runner, tiny_model):
    copy = tmp_path / "site-thresholds"
    result = runner.invoke(
        app,
        [
            "evaluate",
            str(LABELLED_CSV),
            "--model",
            str(tiny_model),
            "--find-thresholds",
            "--precision",
            "0.9",
            "-o",
            str(copy),
        ],
    )
    assert result.exit_code == 0, result.output
    original, copied = load_model(tiny_model), load_model(copy)
    assert copied.id != original.id
    assert copied.meta.thresholds["abusive"].notes["chosen_on"] == str(LABELLED_CSV)
    assert np.allclose(copied.predict_proba(["some words"]), original.predict_proba(["some words"]))
    assert "Changes in this copy" in (copy / "MODEL_CARD.md").read_text()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--find-thresholds"], "give -o DIR"),
        (["--precision", "1.5", "--find-thresholds", "-o", "x"], "--precision must be between"),
    ],
)
def test_evaluate_option_mistakes_are_one_line(runner, tiny_model, args, message):
    result = runner.invoke(app, ["evaluate", str(LABELLED_CSV), "--model", str(tiny_model), *args])
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
    two.write_text(
        "".join(
            line + "\n"
            for line in TINY_EXAMPLES.read_text().splitlines()
            if '"conspiracy"' not in line
        )
    )
    config = tmp_path / "fast.toml"
    config.write_text(FAST_CONFIG)
    train_from_files([two], output=tmp_path / "two-labels", config_path=config)
    result = runner.invoke(
        app, ["evaluate", str(LABELLED_CSV), "--model", str(tmp_path / "two-labels")]
    )
    assert result.exit_code == 2
    assert "label(s) conspiracy are not labels of model" in result.output
