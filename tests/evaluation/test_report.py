"""The evaluation report: its page (escaped, with the model's threshold marked and the
comparison only when there is one) and its folder (written whole, holding only its files)."""

from __future__ import annotations

import json

import pytest

from moderation.errors import ModerationError
from moderation.evaluation.evaluate import compare, evaluate
from moderation.evaluation.report import REPORT_FILES, render_html, write_report
from moderation.labels.examples import read_labelled

from fixtures.files import TINY_EXAMPLES


def data(**changes) -> dict:
    """The fields of ``Evaluation.to_dict`` the page shows, for a made-up evaluation."""
    entry = {
        "precision": 0.5,
        "recall": 0.25,
        "f1-score": 0.3333,
        "roc_auc": None,
        "average_precision": 0.4,
        "ece": 0.1,
        "support": 4,
        "threshold": 0.6,
        "threshold_table": [
            {"threshold": 0.5, "flagged": 3, "per_1000": 300, "precision": 0.3, "recall": 0.9},
            {"threshold": 0.6, "flagged": 2, "per_1000": 200, "precision": 0.5, "recall": 0.25},
        ],
    }
    base = {
        "model": "m<1>",
        "data": "labels & more.jsonl",
        "macro_f1": 0.5,
        "macro_roc_auc": None,
        "accuracy": 0.75,
        "ece": 0.05,
        "examples": 1234,
        "per_label": {"abusive": entry},
        "worst_errors": [
            {
                "id": "c1",
                "label": "civil",
                "prediction": "abusive",
                "scores": {"civil": 0.1, "abusive": 0.9},
                "text": "<script>alert(1)</script>",
            }
        ],
    }
    return {**base, **changes}


def test_the_page_escapes_what_it_shows():
    page = render_html(data())
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Model m&lt;1&gt;" in page and "labels &amp; more.jsonl" in page


def test_the_headline_gives_a_dash_for_a_metric_that_could_not_be_measured():
    assert "macro ROC AUC <b>-</b>" in render_html(data())
    assert "macro ROC AUC <b>0.812</b>" in render_html(data(macro_roc_auc=0.8123))
    assert "1,234 labelled comments" in render_html(data())


def test_the_threshold_table_marks_the_model_s_threshold_only():
    page = render_html(data())
    assert "<td>→ 0.600</td>" in page and "<td>0.500</td>" in page
    assert "→ 0.500" not in page


def test_the_comparison_table_only_when_there_is_one():
    assert "Compared with" not in render_html(data())
    comparison = {
        "first": "old",
        "second": "new",
        "rows": {"macro_f1": {"first": 0.5, "second": 0.6, "difference": 0.1}},
    }
    page = render_html(data(), comparison)
    assert "<h2>Compared with old</h2>" in page
    assert "<td>macro_f1</td><td>0.500</td><td>0.600</td><td>0.100</td>" in page


@pytest.fixture(scope="module")
def evaluation(model):
    return evaluate(model, read_labelled(TINY_EXAMPLES))


def test_the_folder_holds_the_report_s_files_and_nothing_else(evaluation, tmp_path):
    index = write_report(evaluation, tmp_path / "report", compare(evaluation, evaluation), worst=2)
    assert index == tmp_path / "report" / "index.html"
    assert sorted(p.name for p in index.parent.iterdir()) == sorted(REPORT_FILES)
    metrics = json.loads((index.parent / "metrics.json").read_text())
    assert len(metrics["worst_errors"]) <= 2
    assert metrics["comparison"]["rows"]["macro_f1"]["difference"] == 0.0
    write_report(evaluation, tmp_path / "report")  # its own files from an earlier run: replaced
    assert "comparison" not in json.loads((index.parent / "metrics.json").read_text())


def test_a_folder_holding_other_files_is_refused_before_anything_is_written(evaluation, tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "mine.txt").write_text("keep me")
    with pytest.raises(ModerationError):
        write_report(evaluation, folder)
    assert sorted(p.name for p in folder.iterdir()) == ["mine.txt"]
