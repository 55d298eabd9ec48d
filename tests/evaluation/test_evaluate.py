"""`moderation evaluate`: metrics, report, comparison, thresholds."""

from __future__ import annotations

import json

import numpy as np
import pytest

from moderation.cli import app
from moderation.labels.examples import read_labelled
from moderation.model.registry import load_model

from fixtures.files import SAMPLES, TINY_EXAMPLES

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
    from moderation.evaluation.evaluate import evaluate

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

    from fixtures.files import FAST_CONFIG, TINY_EXAMPLES

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


def test_evaluate_refuses_the_models_own_training_file(runner, tiny_model):
    result = runner.invoke(app, ["evaluate", str(TINY_EXAMPLES), "--model", str(tiny_model)])
    assert result.exit_code == 2, result.output
    assert "refusing to evaluate" in result.output and "SHA-256" in result.output
    assert "macro-F1" not in result.output
    forced = runner.invoke(
        app, ["evaluate", str(TINY_EXAMPLES), "--model", str(tiny_model), "--force", "--json"]
    )
    assert forced.exit_code == 0, forced.output
    assert "NOT TO BE TRUSTED" in forced.stderr
    assert json.loads(forced.stdout)["overlap"]["refused"] is True


def test_evaluate_refuses_training_comments_in_another_file_by_text_or_id(
    tmp_path, runner, tiny_model
):
    rows = [json.loads(line) for line in TINY_EXAMPLES.read_text().splitlines()]
    # the same comments re-exported: new ids, case and spacing changed
    by_text = tmp_path / "reexported.jsonl"
    by_text.write_text(
        "".join(
            json.dumps({"id": f"new{i}", "text": "  " + r["text"].upper(), "label": r["label"]})
            + "\n"
            for i, r in enumerate(rows[:10])
        )
    )
    result = runner.invoke(app, ["evaluate", str(by_text), "--model", str(tiny_model)])
    assert result.exit_code == 2, result.output
    assert "10 of 10 labelled comments" in result.output and "10 by text" in result.output
    # comments the model never saw pass, and say nothing about overlap
    fresh = runner.invoke(app, ["evaluate", str(LABELLED_CSV), "--model", str(tiny_model)])
    assert fresh.exit_code == 0 and "training data" not in fresh.output


def test_find_thresholds_says_plainly_when_the_precision_cannot_be_reached(
    tmp_path, runner, tiny_model
):
    rows = [json.loads(line) for line in TINY_EXAMPLES.read_text().splitlines()]
    model = load_model(tiny_model)
    texts = [r["text"] + " Said so before." for r in rows]
    abusive = model.labels.index("abusive")
    scores = model.predict_proba(texts)[:, abusive]
    # labels that disagree with the model's ranking: abusive where it is least sure
    order = np.argsort(scores)
    labels = ["civil"] * len(texts)
    for i in list(order[: len(texts) // 3]) + list(order[-3:]):
        labels[i] = "abusive"
    data = tmp_path / "site.jsonl"
    data.write_text(
        "".join(
            json.dumps({"id": f"s{i}", "text": t, "label": label}) + "\n"
            for i, (t, label) in enumerate(zip(texts, labels))
        )
    )
    args = ["evaluate", str(data), "--model", str(tiny_model), "--find-thresholds"]
    result = runner.invoke(app, [*args, "--precision", "0.9", "-o", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    assert "abusive: precision 0.9 CANNOT be reached on these labels" in result.output
    chosen = json.loads((tmp_path / "m" / "meta.json").read_text())["thresholds"]["abusive"]
    assert chosen["reached_target"] is False
    # what it chose is the best precision there is on these labels, and is what it says
    flagged = scores >= chosen["threshold"]
    truth = np.array(labels) == "abusive"
    assert abs(truth[flagged].mean() - chosen["precision"]) < 1e-3
    assert truth[flagged].mean() == max(
        truth[scores >= cut].mean() for cut in scores if truth[scores >= cut].sum() >= 5
    )
    assert "not reachable" in (tmp_path / "m" / "MODEL_CARD.md").read_text()
