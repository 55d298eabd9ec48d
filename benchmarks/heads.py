"""The attribute heads, each on the held-out data of its own and on the functional suite.

    python benchmarks/heads.py [--model models/default] [--from ../shared/datasets] [--results]

1. **Held out**: every head was trained without one thread in five of its own data
   (``moderation.model.heads.is_held_out``). This rebuilds the attribute examples
   (``moderation.datasets.attribute_marks``: the datasets' labels read by rule, the relabelled rows,
   the written cases), scores the held-out part with the model's heads and reports ROC AUC,
   average precision, and precision / recall at each head's flag threshold, overall and per
   origin of the marks. The figures must equal those ``meta.json`` recorded at training.
2. **Functional suite** (``benchmarks/functional/``, written by people who never saw the model,
   never trained on): per head, the ROC AUC between the categories it should catch and those it
   must not, on the suite's test split. THREAT's target: direct threats against plain insults
   >= 0.85.

``--results`` rewrites the section "Attribute heads (benchmarks/heads.py)" of RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _machine import describe  # noqa: E402
from results import replace_section  # noqa: E402

from moderation.datasets.attribute_marks import attribute_data, relabel_location  # noqa: E402
from moderation.datasets.recipes import default_datasets_dir  # noqa: E402
from moderation.model.heads import held_out_figures, is_held_out  # noqa: E402
from moderation.model.registry import load_model, shipped_model_dir  # noqa: E402

SUITES = [HERE / "functional" / "suite.jsonl", HERE / "functional" / "round3" / "suite.jsonl"]
# per head: (what it should catch, what it must not), by functional-suite category; a
# category missing from the suites here is skipped
CHECKS = {
    "THREAT": [
        (
            "direct threats vs plain insults",
            ["threat_direct"],
            ["insult_no_profanity", "insult_with_profanity"],
        ),
        (
            "threats (direct, normative, no swear, veiled) vs insults and reported threats",
            ["threat_direct", "threat_normative", "threat_no_swear", "threat_veiled"],
            [
                "insult_no_profanity",
                "insult_with_profanity",
                "abuse_at_public_figure",
                "threat_reported_or_negated",
            ],
        ),
    ],
    "INSULT": [
        (
            "insults vs sharp civil comments",
            ["insult_no_profanity", "insult_with_profanity"],
            [
                "civil_disagreement",
                "government_criticism",
                "profanity_no_abuse",
                "counter_speech_quote",
                "reported_insult",
            ],
        ),
        (
            "insults vs hate at groups",
            ["insult_no_profanity", "insult_with_profanity"],
            ["hate_no_profanity"],
        ),
    ],
    "IDENTITY_ATTACK": [
        (
            "hate at groups vs civil mentions of groups",
            [
                "hate_no_profanity",
                "dehumanisation",
                "slur",
                "implicit_derogation",
                "contempt_for_group",
                "exclusion",
            ],
            [
                "identity_neutral",
                "identity_positive",
                "identity_self_description",
                "reclaimed_slur",
                "negated_hate",
            ],
        ),
        (
            "hate at groups vs insults at a person",
            ["hate_no_profanity", "dehumanisation"],
            ["insult_no_profanity", "insult_with_profanity"],
        ),
    ],
    "PROFANITY": [
        (
            "swearing vs clean text",
            [
                "profanity_no_abuse",
                "insult_with_profanity",
                "profanity_casual",
                "profanity_enthusiasm",
                "profanity_frustration",
            ],
            [
                "insult_no_profanity",
                "hate_no_profanity",
                "civil_disagreement",
                "long_civil",
                "real_words_near_swears",
            ],
        ),
    ],
    "SEVERE_TOXICITY": [
        (
            "threats, dehumanisation and slurs vs swearing and rudeness",
            ["threat_direct", "dehumanisation", "slur"],
            [
                "profanity_no_abuse",
                "civil_disagreement",
                "government_criticism",
                "profanity_casual",
                "profanity_frustration",
            ],
        ),
        (
            "threats, dehumanisation and slurs vs plain insults",
            ["threat_direct", "dehumanisation", "slur"],
            ["insult_no_profanity"],
        ),
    ],
}


def suite_cases(split: str = "test") -> list[dict]:
    cases = []
    for path in SUITES:
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    case = json.loads(line)
                    if case["split"] == split:
                        cases.append(case)
    return cases


def functional(model) -> list[dict]:
    from sklearn.metrics import roc_auc_score

    cases = suite_cases()
    scores = model.attribute_probabilities([c["text"] for c in cases])
    categories = np.array([c["category"] for c in cases])
    rows = []
    for head, checks in CHECKS.items():
        if head not in model.heads.names:
            continue
        column = scores[:, model.heads.names.index(head)]
        for name, catch, spare in checks:
            positive, negative = np.isin(categories, catch), np.isin(categories, spare)
            if not positive.any() or not negative.any():
                continue
            chosen = positive | negative
            auc = roc_auc_score(positive[chosen], column[chosen])
            used = sorted(set(categories[chosen].tolist()))
            rows.append(
                {
                    "head": head,
                    "check": name,
                    "roc_auc": round(float(auc), 4),
                    "cases": int(chosen.sum()),
                    "categories": used,
                }
            )
    return rows


def held_out(model, datasets_dir: Path) -> dict[str, dict]:
    # the relabelling rounds the heads were trained on, as meta.json records them
    files = model.meta.heads["data"]["files"]
    rounds = next((f.get("rounds") for f in files if f.get("dataset") == "relabel"), None)
    data = attribute_data(datasets_dir, relabel=relabel_location(), rounds=rounds)
    every = model.meta.heads["config"]["held_out_every"]
    chosen = [e for e in data.examples if is_held_out(e.group or e.id, every)]
    scores = model.attribute_probabilities([e.text for e in chosen])
    thresholds = model.meta.head_thresholds
    found = {}
    for j, head in enumerate(model.heads.names):
        rows = [i for i, e in enumerate(chosen) if head in e.marks]
        y = np.array([chosen[i].marks[head] for i in rows])
        s = scores[rows, j]
        origins = np.array([chosen[i].origin.get(head, "dataset") for i in rows])
        found[head] = {
            **held_out_figures(y, s, thresholds[head]),
            "by_origin": {
                o: held_out_figures(y[origins == o], s[origins == o], None)
                for o in sorted(set(origins.tolist()))
            },
        }
    return found


def _auc(value) -> str:
    return "-" if value is None else f"{value:.3f}"


def report(model, held: dict[str, dict], checks: list[dict]) -> str:
    recorded = {name: a["held_out"] for name, a in model.meta.heads["attributes"].items()}
    lines = [
        f"Model `{model.id}`; machine: {describe()}.",
        "",
        "### Held out (one thread in five of each head's own data, never trained on)",
        "",
        "| head | texts (positive) | ROC AUC | average precision | flag at | precision | recall "
        "| ROC AUC by origin | same as meta.json |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for head, f in held.items():
        threshold = model.meta.head_thresholds[head]
        origins = ", ".join(f"{o} {_auc(v['roc_auc'])}" for o, v in f["by_origin"].items())
        same = recorded[head]["roc_auc"] == f["roc_auc"]
        lines.append(
            f"| {head} | {f['examples']:,} ({f['positives']:,}) | {_auc(f['roc_auc'])} | "
            f"{_auc(f['average_precision'])} | {threshold:.3f} | {_auc(f.get('precision'))} | "
            f"{_auc(f.get('recall'))} | {origins} | {'yes' if same else 'NO'} |"
        )
    lines += [
        "",
        "### Functional suite, test split (should catch vs must not catch)",
        "",
        "| head | check | ROC AUC | cases |",
        "|---|---|---|---|",
    ]
    for row in checks:
        lines.append(f"| {row['head']} | {row['check']} | {row['roc_auc']:.3f} | {row['cases']} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--from", dest="datasets", type=Path, default=None)
    parser.add_argument("--results", action="store_true")
    args = parser.parse_args()
    model = load_model(args.model or shipped_model_dir())
    if model.heads is None:
        raise SystemExit(f"{model.id} has no attribute heads: train it with --heads")
    held = held_out(model, args.datasets or default_datasets_dir())
    checks = functional(model)
    text = report(model, held, checks)
    print(text)
    if args.results:
        command = "`python benchmarks/heads.py --results`"
        replace_section("Attribute heads (benchmarks/heads.py)", f"{command}.\n\n{text}")


if __name__ == "__main__":
    main()
