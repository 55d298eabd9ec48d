"""Flag thresholds chosen where their precision holds: on other sources, or marked."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from moderation.model.thresholds import choose_thresholds, threshold_for_precision

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
    shuffled = _probabilities([0.1] * 20, 2)  # other sources: no ranking at all
    chosen = choose_thresholds(truth, LABELS, {"conspiracy": 0.6}, 0.0, folds, shuffled)
    threshold = chosen["conspiracy"]
    assert not threshold.reached_target
    assert threshold.notes["chosen_on"] == "grouped folds of the training data"
    assert threshold.notes["other_sources"]["precision"] == 0.0  # nothing flagged there


def test_a_stricter_target_never_gives_a_lower_threshold():
    # other sources reach precision 0.4 but not 0.75; the folds, optimistic, reach it far lower
    rng = np.random.default_rng(0)
    truth = np.array(["conspiracy"] * 200 + ["civil"] * 400)
    is_label = truth == "conspiracy"
    elsewhere = np.where(is_label, rng.uniform(0.5, 1.0, 600), rng.uniform(0.0, 1.0, 600))
    in_folds = np.where(is_label, rng.uniform(0.05, 0.9, 600), rng.uniform(0.0, 0.08, 600))
    cuts = []
    for target in (0.4, 0.75, 0.95):
        chosen = choose_thresholds(
            truth,
            LABELS,
            {"conspiracy": target},
            0.2,
            _probabilities(list(in_folds), 2),
            _probabilities(list(elsewhere), 2),
        )["conspiracy"]
        cuts.append(chosen.threshold)
        if not chosen.reached_target:  # as close to the target as other sources allow
            assert chosen.notes["chosen_on"].startswith("other sources")
            assert chosen.recall >= 0.2
    assert cuts == sorted(cuts) and cuts[0] < cuts[1]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.booleans(), st.floats(0, 1)), min_size=1, max_size=60),
    st.floats(0.3, 0.99),
    st.sampled_from(["f1", "precision"]),
)
def test_a_threshold_said_to_reach_the_target_reaches_it_on_those_labels(rows, target, fallback):
    is_label = np.array([r[0] for r in rows])
    scores = np.array([r[1] for r in rows])
    chosen = threshold_for_precision(is_label, scores, "abusive", target, fallback=fallback)
    flagged = scores >= chosen.threshold
    if chosen.reached_target:
        assert is_label[flagged].mean() >= target - 1e-9
    if is_label.any():  # what it reports is what the threshold does on these labels
        assert flagged.any()
        assert abs(is_label[flagged].mean() - chosen.precision) < 1e-9


def test_when_the_target_is_out_of_reach_the_highest_precision_is_chosen_not_a_lower_one():
    # abusive comments spread evenly among civil ones: no threshold reaches 0.9
    is_label = np.array([True, False] * 20)
    scores = np.linspace(0.99, 0.01, 40)
    is_label[:4] = [True, True, True, False]  # the top scores are the best the labels allow
    best = threshold_for_precision(is_label, scores, "abusive", 0.9, fallback="precision")
    by_f1 = threshold_for_precision(is_label, scores, "abusive", 0.9)
    assert not best.reached_target and not by_f1.reached_target
    assert best.precision > by_f1.precision
    assert best.precision == max(
        is_label[scores >= cut].mean() for cut in scores if is_label[scores >= cut].sum() >= 5
    )


def test_few_site_labels_keep_the_base_threshold_and_more_move_it_part_way():
    from moderation.model.thresholds import Threshold, shrunk_threshold

    base = Threshold("abusive", 0.40, 0.8, 0.7, True, {"chosen_on": "other sources"})
    site = Threshold("abusive", 0.06, 0.33, 0.9, False)
    scores = np.linspace(0, 1, 200)
    is_label = scores > 0.5
    kept = shrunk_threshold(base, site, 5, is_label, scores)
    assert kept.threshold == 0.40 and kept.notes["site"]["kept_base"]
    moved = shrunk_threshold(base, site, 50, is_label, scores)
    assert 0.06 < moved.threshold < 0.40  # half way in log-odds
    assert moved.notes["site"]["weight"] == 0.5
    many = shrunk_threshold(base, site, 5000, is_label, scores)
    assert abs(many.threshold - 0.06) < 0.01
