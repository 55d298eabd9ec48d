"""The functional suite: does the model get each kind of comment right?

Two suites of invented comments, 30 per category, each written for this project by a helper who
never saw the model or its training data:

- ``functional/suite.jsonl`` (issue 12): 33 categories (hate without profanity, threats,
  dehumanisation, negated hate, identity mentions, counter-speech, spelling games, conspiracy
  narratives, civil criticism, debunking, short texts, placeholders, ...), ``functional/README.md``;
- ``functional/round3/suite.jsonl`` (issue 23): 17 categories (real words near swear words,
  names and places, everyday double meanings, untargeted profanity in three registers, threats
  and exclusion without swear words, contempt for a group, insults by comparison, reported
  insults and threats, health claims and criticism that are not conspiracy, new conspiracy
  claims), ``functional/round3/README.md``.

Ten cases per category are ``dev`` (looked at while developing the default model), twenty are
``test`` (set aside before development began, scored only at the end). The suites are never
trained on.

A case is right when the model's prediction is its label, through the same scoring as
``moderation score`` (a placeholder is not scored, and counts as right for a civil case). It
is right *by flags* when its flags are exactly what its label calls for (none for civil). The
headline is the macro-F1 over civil / abusive / conspiracy of the label the flags give (what a
moderator acts on: no flag is civil), with accuracy by flags per category.

    python benchmarks/functional.py [--model DIR] [--split test|dev|all] [--results] [--card]

``--results`` writes the per-category table to ``benchmarks/RESULTS.md``; ``--card`` adds it
to the model's ``MODEL_CARD.md``.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).parent))

from _machine import describe  # noqa: E402
from _suite import judge, load_cases  # noqa: E402
from results import replace_section  # noqa: E402

from moderation.model.registry import load_model  # noqa: E402
from moderation.model.scoring import score_texts  # noqa: E402

TARGET_MACRO_F1, TARGET_CATEGORY = 0.90, 0.75


def run(model: Any, split: str) -> dict[str, Any]:
    cases = load_cases(split)
    records = score_texts(model, [c["text"] for c in cases])
    predicted = [record["prediction"] or "civil" for record in records]  # None: a placeholder
    result = judge(cases, predicted, [r["flags"] for r in records], [r["scores"] for r in records])
    misses = [
        (case["category"], case["label"], label, record["flags"], case["text"])
        for case, label, record in zip(cases, predicted, records)
        if label != case["label"] or record["flags"] != ([] if label == "civil" else [label])
    ]
    return {"model": model.id, "split": split, **result, "misses": misses}


def table(result: dict[str, Any]) -> str:
    rows = [
        "| category | suite | label | accuracy | right by flags |",
        "|---|---|---|---|---|",
    ]
    flags = result["flags_per_category"]
    for category in sorted(flags, key=lambda k: (flags[k], result["per_category"][k])):
        rows.append(
            f"| {category} | {result['suites'][category]} | {result['labels'][category]} | "
            f"{result['per_category'][category]:.2f} | {flags[category]:.2f} |"
        )
    return "\n".join(rows)


def headline(result: dict[str, Any]) -> str:
    lowest = min(result["flags_per_category"].values())
    met = result["macro_f1_flags"] >= TARGET_MACRO_F1 and lowest >= TARGET_CATEGORY
    return (
        f"Model `{result['model']}`, {result['split']} split ({result['cases']} cases, "
        f"{len(result['per_category'])} categories): macro-F1 by flags "
        f"**{result['macro_f1_flags']:.3f}**, right by flags {result['flag_overall']:.3f}, "
        f"accuracy {result['overall']:.3f}; lowest category by flags {lowest:.2f}. Target "
        f"macro-F1 by flags >= {TARGET_MACRO_F1} and no category below {TARGET_CATEGORY}: "
        f"**{'met' if met else 'not met'}**."
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
        for category, label, predicted, flags, text in result["misses"]:
            shown = ",".join(flags) or "-"
            print(f"{category:<28} {label:<10} {predicted:<10} {shown:<10} {text[:100]}")
    if args.results:
        replace_section(
            "Functional suite (benchmarks/functional.py)",
            f"On {describe()}.\n\n{headline(result)}\n\n{table(result)}",
        )
    if args.card:
        print(f"wrote {write_card(model, result)}")


if __name__ == "__main__":
    main()
