"""The figures a model is judged by: metrics, calibration, the threshold table."""

from __future__ import annotations

import numpy as np
import pytest

from moderation.model.metrics import expected_calibration_error, measure, threshold_table

LABELS = ["abusive", "civil", "conspiracy"]


def test_measure_matches_hand_counted_metrics():
    truth = ["civil", "civil", "abusive", "abusive", "conspiracy"]
    probabilities = np.array(
        [
            [0.1, 0.8, 0.1],  # civil, right
            [0.6, 0.3, 0.1],  # civil predicted abusive
            [0.7, 0.2, 0.1],  # abusive, right
            [0.2, 0.7, 0.1],  # abusive predicted civil
            [0.1, 0.2, 0.7],
        ]
    )  # conspiracy, right
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
    assert [(p["predicted"], p["observed"], p["count"]) for p in points] == [
        (0.25, 0.25, 4),
        (0.75, 0.75, 4),
    ]
    overconfident, _ = expected_calibration_error(np.zeros(4, dtype=bool), np.full(4, 0.9))
    assert overconfident == pytest.approx(0.9)


def test_threshold_table_counts_the_queue_at_each_threshold():
    rows = threshold_table(
        np.array([True, True, False, False]), np.array([0.9, 0.4, 0.6, 0.1]), [0.5, 0.3]
    )
    assert [(r["threshold"], r["flagged"], r["precision"], r["recall"]) for r in rows] == [
        (0.3, 3, round(2 / 3, 4), 1.0),
        (0.5, 2, 0.5, 0.5),
    ]
