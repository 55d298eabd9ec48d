"""What a Coral site gets at Coral's default threshold (0.80), with the model's probabilities
and with ``--summary-scale flag-threshold`` (each score mapped so that its flag threshold is
0.80).

    python benchmarks/coral_threshold.py [--model models/default] [--from ../shared/datasets]
                                         [--results]

Coral holds a comment when ``attributeScores[ATTR].summaryScore.value >= threshold``. Measured
on comments the model never trained on:

1. OLID's official test split (860 tweets, OFF as abusive), TOXICITY;
2. the functional suite's test split (``benchmarks/functional/``): TOXICITY against the
   suite's abusive cases, and each head against the categories it should catch vs those it
   must not (``benchmarks/heads.py``'s checks).

Precision and recall at 0.80 for both scales, and at the model's own threshold (which the
scale moves to 0.80, so the two agree). The scores are the server's own: the comments are sent
through ``moderation.serving.perspective.analyze`` in process. ``--results`` rewrites the
section "Coral's threshold (benchmarks/coral_threshold.py)" of RESULTS.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _machine import describe  # noqa: E402
from heads import CHECKS, suite_cases  # noqa: E402
from results import replace_section  # noqa: E402

from moderation.datasets.convert import examples as dataset_rows  # noqa: E402
from moderation.datasets.recipes import default_datasets_dir  # noqa: E402
from moderation.model.registry import load_model, shipped_model_dir  # noqa: E402
from moderation.serving.attributes import CORAL_THRESHOLD, attribute_sources  # noqa: E402
from moderation.serving.perspective import analyze, parse_analyze  # noqa: E402


def served_scores(model, texts: list[str], attribute: str, scale: str) -> np.ndarray:
    """The summary scores the server answers for ``texts`` (Coral's body, one at a time)."""
    sources = attribute_sources(model)
    values = []
    for text in texts:
        body = {"comment": {"text": text}, "requestedAttributes": {attribute: {}}}
        response, _ = analyze(model, parse_analyze(body, sources), sources, scale=scale)
        values.append(response["attributeScores"][attribute]["summaryScore"]["value"])
    return np.array(values)


def at(y: np.ndarray, scores: np.ndarray, threshold: float) -> tuple[str, str, str]:
    flagged = scores >= threshold
    caught = int((flagged & y).sum())
    precision = f"{caught / flagged.sum():.2f}" if flagged.any() else "-"
    return precision, f"{caught / y.sum():.2f}", f"{flagged.mean():.1%}"


def measure(model, name: str, attribute: str, texts: list[str], y: np.ndarray) -> str:
    source = attribute_sources(model)[attribute]
    raw = served_scores(model, texts, attribute, "probability")
    scaled = served_scores(model, texts, attribute, "flag-threshold")
    own = at(y, raw, source.threshold)
    plain, mapped = at(y, raw, CORAL_THRESHOLD), at(y, scaled, CORAL_THRESHOLD)
    return (
        f"| {name} | {attribute} | {len(y):,} ({int(y.sum()):,}) | {source.threshold:.3f} | "
        f"{plain[0]} / {plain[1]} ({plain[2]}) | {mapped[0]} / {mapped[1]} ({mapped[2]}) | "
        f"{own[0]} / {own[1]} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--from", dest="datasets", type=Path, default=None)
    parser.add_argument("--results", action="store_true")
    args = parser.parse_args()
    model = load_model(args.model or shipped_model_dir())
    rows = []
    olid = list(dataset_rows("olid_test", args.datasets or default_datasets_dir()))
    y = np.array([r["label"] == "abusive" for r in olid])
    rows.append(measure(model, "OLID test", "TOXICITY", [r["text"] for r in olid], y))
    cases = suite_cases()
    texts = [c["text"] for c in cases]
    y = np.array([c["label"] == "abusive" for c in cases])
    rows.append(measure(model, "functional suite (all cases)", "TOXICITY", texts, y))
    categories = np.array([c["category"] for c in cases])
    for head, checks in CHECKS.items():
        if head not in attribute_sources(model):
            continue
        _, catch, spare = checks[0]
        chosen = np.isin(categories, catch) | np.isin(categories, spare)
        if not chosen.any():
            continue
        picked = [t for t, keep in zip(texts, chosen) if keep]
        rows.append(
            measure(
                model,
                f"functional: {checks[0][0]}",
                head,
                picked,
                np.isin(categories[chosen], catch),
            )
        )
    table = "\n".join(
        [
            "| comments | attribute | texts (positive) | model's flag threshold | at 0.80, "
            "probability: precision / recall (held) | at 0.80, flag-threshold scale | at the "
            "model's threshold |",
            "|---|---|---|---|---|---|---|",
            *rows,
        ]
    )
    body = (
        f"`python benchmarks/coral_threshold.py --results`, model `{model.id}`, on {describe()}."
        "\n\nWhat a Coral site holds at Coral's default threshold 0.80 (precision / recall, and "
        "the share of comments held). The flag-threshold scale moves each attribute's own "
        "threshold to 0.80, so a site that keeps Coral's default gets the model's flags.\n\n"
        f"{table}\n"
    )
    print(body)
    if args.results:
        replace_section("Coral's threshold (benchmarks/coral_threshold.py)", body)


if __name__ == "__main__":
    main()
