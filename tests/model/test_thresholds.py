"""Flag thresholds chosen where their precision holds: on other sources, or marked."""

import numpy as np

from moderation.model.thresholds import choose_thresholds

LABELS = ["abusive", "civil", "conspiracy"]


def _probabilities(scores: list[float], column: int) -> np.ndarray:
    out = np.full((len(scores), 3), 0.1)
    out[:, column] = scores
    return out


def test_other_sources_decide_when_the_target_is_reached_there():
    truth = ["abusive"] * 10 + ["civil"] * 10
    ranked = _probabilities(list(np.linspace(0.95, 0.05, 20)), 0)
    chosen = choose_thresholds(truth, LABELS, 0.8, 0.0, ranked, ranked)
    assert chosen["abusive"].reached_target
    assert chosen["abusive"].notes["chosen_on"].startswith("other sources")


def test_grouped_folds_decide_and_say_so_when_other_sources_fall_short():
    truth = ["conspiracy"] * 10 + ["civil"] * 10
    folds = _probabilities(list(np.linspace(0.95, 0.05, 20)), 2)
    shuffled = _probabilities([0.5] * 20, 2)  # other sources: no ranking at all
    chosen = choose_thresholds(truth, LABELS, {"conspiracy": 0.6}, 0.0, folds, shuffled)
    threshold = chosen["conspiracy"]
    assert not threshold.reached_target
    assert threshold.notes["chosen_on"] == "grouped folds of the training data"
    assert threshold.notes["other_sources"]["precision"] == 0.5
