"""The functional suites, read as one: the first (``functional/suite.jsonl``, 33 categories,
issue 12) and round 3 (``functional/round3/suite.jsonl``, 17 categories, issue 23), each
written by a helper who never saw the model and split dev/test before development.

``judge`` turns each case's prediction and flags into the figures the targets are stated in:
accuracy and accuracy *by flags* per category, and the macro-F1 over civil / abusive /
conspiracy of the label the flags give (no flag: civil; two: the likelier).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent / "functional"
SUITES = {"first": HERE / "suite.jsonl", "round3": HERE / "round3" / "suite.jsonl"}
LABELS = ("civil", "abusive", "conspiracy")


def load_cases(split: str = "all") -> list[dict[str, Any]]:
    """Every case of both suites in ``split`` ("dev", "test" or "all"), with its suite."""
    cases = []
    for suite, path in SUITES.items():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                if split == "all" or case["split"] == split:
                    cases.append({**case, "suite": suite})
    return cases


def flagged_label(flags: Sequence[str], scores: dict[str, float] | None) -> str:
    """The label a moderator acts on: none flagged is civil, two flagged the likelier."""
    if not flags:
        return "civil"
    if len(flags) == 1 or not scores:
        return flags[0]
    return max(flags, key=lambda label: scores.get(label, 0.0))


def judge(
    cases: Sequence[dict[str, Any]],
    predictions: Sequence[str],
    flags: Sequence[Sequence[str]],
    scores: Sequence[dict[str, float] | None],
) -> dict[str, Any]:
    """Per category and overall: accuracy of the prediction, accuracy by flags (the flags are
    exactly what the label calls for) and macro-F1 of the flagged label."""
    from sklearn.metrics import f1_score

    right: dict[str, list[int]] = defaultdict(list)
    by_flags: dict[str, list[int]] = defaultdict(list)
    truth, acted = [], []
    for case, predicted, flagged, score in zip(cases, predictions, flags, scores):
        expected = [] if case["label"] == "civil" else [case["label"]]
        right[case["category"]].append(int(predicted == case["label"]))
        by_flags[case["category"]].append(int(sorted(flagged) == expected))
        truth.append(case["label"])
        acted.append(flagged_label(flagged, score))
    every = [x for v in right.values() for x in v]
    every_flag = [x for v in by_flags.values() for x in v]
    return {
        "cases": len(every),
        "overall": round(sum(every) / len(every), 4),
        "flag_overall": round(sum(every_flag) / len(every), 4),
        "macro_f1_flags": round(float(f1_score(truth, acted, labels=LABELS, average="macro")), 4),
        "per_category": {k: round(sum(v) / len(v), 3) for k, v in right.items()},
        "flags_per_category": {k: round(sum(v) / len(v), 3) for k, v in by_flags.items()},
        "labels": {c["category"]: c["label"] for c in cases},
        "suites": {c["category"]: c["suite"] for c in cases},
    }
