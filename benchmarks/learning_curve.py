"""How many labels a site needs to start a language of its own: the learning curve on GermEval
2018.

    python benchmarks/learning_curve.py [--from ../shared/datasets-ml] [--sizes 200 500 1000 2000]
                                        [--seeds 3] [--results]

A German site with no usable public data trains from its moderators' labels alone (the German
recipe's settings, ``moderation.datasets.recipes.LANGUAGE_SETTINGS``: the same pipeline,
grouped folds and thresholds as any model). Its labels are simulated by GermEval 2018's
training part (the fifth held out before any model was built left out): for each size, that
many labelled tweets drawn at random (``--seeds`` draws), a model trained exactly as
``moderation train`` trains, scored on the held-out fifth (ROC AUC of abusive, macro-F1 at the
model's own thresholds). "all" is the whole training part. The official test split is not
used: it is the acceptance data. ``--results`` writes the section "Learning curve: a site's
own German labels (benchmarks/learning_curve.py)" of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _machine import describe  # noqa: E402
from results import replace_section  # noqa: E402

from moderation.datasets.convert import examples as dataset_examples  # noqa: E402
from moderation.datasets.recipes import LANGUAGE_SETTINGS, default_datasets_dir  # noqa: E402
from moderation.labels.examples import Example  # noqa: E402
from moderation.model.metrics import measure  # noqa: E402
from moderation.model.pipeline import PipelineConfig  # noqa: E402
from moderation.model.train import prepare_examples, train  # noqa: E402

SECTION = "Learning curve: a site's own German labels (benchmarks/learning_curve.py)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="root", type=Path, default=None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 500, 1000, 2000])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--results", action="store_true")
    args = parser.parse_args()
    root = args.root or default_datasets_dir("de")
    if not (root / "de_germeval2018").is_dir():
        print(f"skipped: no GermEval 2018 copy under {root} (give --from DIR)")
        return
    rows = list(dataset_examples("germeval2018", root, labelled_only=True))
    pool = [r for r in rows if r["split"] == "train"]
    held = [r for r in rows if r["split"] == "heldout"]
    texts, gold = [r["text"] for r in held], [r["label"] for r in held]
    config = PipelineConfig.from_dict({**LANGUAGE_SETTINGS, "language": "de"})
    table = [
        "| labels | draws | ROC AUC (abusive) | macro-F1 | seconds per fit |",
        "|---|---|---|---|---|",
    ]
    for size in [*args.sizes, len(pool)]:
        aucs, f1s, seconds = [], [], []
        draws = 1 if size >= len(pool) else args.seeds
        for seed in range(draws):
            chosen = random.Random(seed).sample(pool, min(size, len(pool)))
            started = time.perf_counter()
            trained = train(prepare_examples(Example.from_record(r) for r in chosen), config)
            seconds.append(time.perf_counter() - started)
            thresholds = {label: t.threshold for label, t in trained.thresholds.items()}
            result = measure(gold, trained.predict_proba(texts), trained.labels, thresholds)
            aucs.append(result["per_label"]["abusive"]["roc_auc"])
            f1s.append(result["macro_f1"])
            print(f"{size} seed {seed}: ROC AUC {aucs[-1]:.3f} macro-F1 {f1s[-1]:.3f}", flush=True)
        name = f"all ({size:,})" if size >= len(pool) else f"{size:,}"
        spread = f" ({min(aucs):.3f}-{max(aucs):.3f})" if len(aucs) > 1 else ""
        table.append(
            f"| {name} | {draws} | {statistics.mean(aucs):.3f}{spread} | "
            f"{statistics.mean(f1s):.3f} | {statistics.mean(seconds):.0f} |"
        )
    body = (
        f"Machine: {describe()} (other developers' work running on the same 2 cores). "
        f"Scored on GermEval 2018's held-out fifth ({len(held):,} tweets, never trained on).\n\n"
        + "\n".join(table)
    )
    print(body)
    if args.results:
        replace_section(SECTION, body)


if __name__ == "__main__":
    main()
