"""The functional suite: does the model get each kind of comment right?

``functional/suite.jsonl`` holds 990 invented comments in 33 categories, 30 each (hate without
profanity, threats, dehumanisation, negated hate, identity mentions, counter-speech, spelling
games, conspiracy narratives, civil criticism, debunking, short texts, placeholders, ...),
written for this project by a helper who never saw the model or its training data
(``functional/README.md``). Ten cases per category are ``dev`` (looked at while developing the
default model), twenty are ``test`` (set aside before development began, scored only at the
end). The suite is never trained on.

A case is right when the model's prediction is its label, through the same scoring as
``moderation score`` (a placeholder is not scored, and counts as right for a civil case). It
is right *by flags* when its flags are exactly what its label calls for (none for civil).

    python benchmarks/functional.py [--model DIR] [--split test|dev|all] [--results] [--card]

``--results`` writes the per-category table to ``benchmarks/RESULTS.md``; ``--card`` adds it
to the model's ``MODEL_CARD.md``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).parent))

from _machine import describe  # noqa: E402
from results import replace_section  # noqa: E402

from moderation.model.registry import load_model  # noqa: E402
from moderation.model.scoring import score_texts  # noqa: E402

SUITE = Path(__file__).parent / "functional" / "suite.jsonl"
TARGET_OVERALL, TARGET_CATEGORY = 0.85, 0.60


def run(model: Any, split: str) -> dict[str, Any]:
    cases = [json.loads(line) for line in SUITE.read_text(encoding="utf-8").splitlines() if line]
    cases = [c for c in cases if split == "all" or c["split"] == split]
    records = score_texts(model, [c["text"] for c in cases])
    right: dict[str, list[int]] = defaultdict(list)
    by_flags: dict[str, list[int]] = defaultdict(list)
    misses = []
    for case, record in zip(cases, records):
        predicted = record["prediction"] or "civil"  # not scored: a placeholder
        expected_flags = [] if case["label"] == "civil" else [case["label"]]
        right[case["category"]].append(int(predicted == case["label"]))
        by_flags[case["category"]].append(int(record["flags"] == expected_flags))
        if predicted != case["label"]:
            misses.append((case["category"], case["label"], predicted, case["text"]))
    accuracy = {k: sum(v) / len(v) for k, v in right.items()}
    flags = {k: sum(v) / len(v) for k, v in by_flags.items()}
    total = [x for v in right.values() for x in v]
    total_flags = [x for v in by_flags.values() for x in v]
    labels = {c["category"]: c["label"] for c in cases}
    return {
        "model": model.id,
        "split": split,
        "cases": len(cases),
        "accuracy": sum(total) / len(total),
        "flag_accuracy": sum(total_flags) / len(total),
        "per_category": accuracy,
        "flags_per_category": flags,
        "labels": labels,
        "misses": misses,
    }


def table(result: dict[str, Any]) -> str:
    rows = ["| category | label | accuracy | right by flags |", "|---|---|---|---|"]
    for category in sorted(result["per_category"], key=lambda k: result["per_category"][k]):
        rows.append(
            f"| {category} | {result['labels'][category]} | "
            f"{result['per_category'][category]:.2f} | "
            f"{result['flags_per_category'][category]:.2f} |"
        )
    return "\n".join(rows)


def headline(result: dict[str, Any]) -> str:
    lowest = min(result["per_category"].values())
    met = result["accuracy"] >= TARGET_OVERALL and lowest >= TARGET_CATEGORY
    return (
        f"Model `{result['model']}`, {result['split']} split ({result['cases']} cases): "
        f"accuracy **{result['accuracy']:.3f}**, right by flags {result['flag_accuracy']:.3f}; "
        f"lowest category {lowest:.2f}. Target {TARGET_OVERALL} overall and no category "
        f"below {TARGET_CATEGORY}: **{'met' if met else 'not met'}**."
    )


def write_card(model: Any, result: dict[str, Any]) -> Path:
    card = Path(model.path) / "MODEL_CARD.md"
    text = card.read_text(encoding="utf-8")
    section = (
        f"## Functional tests\n\n{headline(result)} Per category "
        "(`benchmarks/functional.py --card`; the suite is never trained on):\n\n"
        f"{table(result)}\n"
    )
    pattern = re.compile(r"^## Functional tests\n.*?(?=^## |\Z)", re.S | re.M)
    text = (
        pattern.sub(lambda _: section + "\n", text)
        if pattern.search(text)
        else (text.rstrip() + "\n\n" + section)
    )
    card.write_text(text, encoding="utf-8")
    return card


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--split", default="test", choices=["test", "dev", "all"])
    parser.add_argument("--results", action="store_true")
    parser.add_argument("--card", action="store_true")
    parser.add_argument("--misses", action="store_true", help="print the wrong cases (dev only)")
    args = parser.parse_args()
    model = load_model(args.model)
    result = run(model, args.split)
    print(headline(result))
    print(table(result))
    if args.misses and args.split == "dev":
        for category, label, predicted, text in result["misses"]:
            print(f"{category:<26} {label:<10} {predicted:<10} {text[:100]}")
    if args.results:
        replace_section(
            "Functional suite (benchmarks/functional.py)",
            f"On {describe()}.\n\n{headline(result)}\n\n{table(result)}",
        )
    if args.card:
        print(f"wrote {write_card(model, result)}")


if __name__ == "__main__":
    main()
