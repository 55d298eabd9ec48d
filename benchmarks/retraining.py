"""What a site's own labels buy: retraining with N = 50, 200, 1,000 of them.

    python benchmarks/retraining.py [--from ../shared/datasets] [--sites stormfront,...]
                                    [--sizes 50,200,1000] [--seeds 3] [--weights 5]
                                    [--results]

"The site" is a source the default model is not trained on: a probe under
``../shared/datasets/probes`` (Stormfront forum sentences, abusive vs civil; COVID vaccine
comments, conspiracy vs civil). Its examples are split by thread into a pool and a test half;
N labels are drawn from the pool (repeated with ``--seeds`` different draws) and the rest of the
site is never trained on.

The base is the default recipe trained by the project's own ``train`` on 85% of its data
(grouped by thread); the other 15% is "the default's own test data". For each N:

- **base**: the base model, untouched (the "before");
- **site only**: ``train --no-base``: the project's pipeline on the N labels alone;
- **base + site xW**: ``train --base --add --method weighted``: the base's data replayed plus
  the N site labels, each weighted W (``moderation.model.retrain.site_config``), cross-validated and
  fitted exactly as the command does;
- **prior L**: ``train --base --add --method prior``: the base's weights refitted on the N site
  labels with an L2 penalty of strength L towards the base's weights instead of towards zero
  (``moderation.model.retrain.train_towards_base``, held-out thresholds from grouped folds of
  the N).

Reported: ROC AUC of the site's label (abusive or conspiracy) on the site's test half, the share
of the gap to a perfect 1.0 that it closes, macro-F1 over the site's two labels (argmax
prediction), and the change of macro ROC AUC on the default's own test data. Target: N = 200
closes at least half of the gap, and the base test never drops by more than 0.02.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupShuffleSplit

sys.path.insert(0, str(Path(__file__).parent))
from _examples import as_dicts, as_example, as_examples  # noqa: E402
from _machine import describe  # noqa: E402
from results import replace_section  # noqa: E402

from moderation.datasets.convert import examples as dataset_examples  # noqa: E402
from moderation.datasets.recipes import default_datasets_dir, recipe, recipe_records  # noqa: E402
from moderation.errors import ModerationError  # noqa: E402
from moderation.model.meta import ModelMeta  # noqa: E402
from moderation.model.metrics import measure  # noqa: E402
from moderation.model.pipeline import PipelineConfig  # noqa: E402
from moderation.model.prior import PRIOR_STRENGTH  # noqa: E402
from moderation.model.retrain import (  # noqa: E402
    SITE_WEIGHT,
    WEAK_WEIGHT,
    as_site_example,
    site_config,
    train_towards_base,
)
from moderation.model.train import prepare_examples, train  # noqa: E402

SITE_LABEL = {
    "stormfront": "abusive",
    "covid_vaccine_comments": "conspiracy",
    "convabuse": "abusive",
}
SITE_POOL = {"covid_vaccine_comments": 260}  # small site: keep the rest for testing


def grouped_split(records: list[dict], test_size: float, seed: int = 0):
    groups = [r.get("thread_id") or r["id"] for r in records]
    splitter = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=seed)
    train_index, test_index = next(splitter.split(records, groups=groups))
    return [records[i] for i in train_index], [records[i] for i in test_index]


def fit(records: list[dict], config) -> tuple[object, float]:
    started = time.perf_counter()
    trained = train(prepare_examples(as_examples(records)), config)
    return trained, time.perf_counter() - started


def scores_on(trained, records: list[dict]) -> dict:
    probabilities = trained.pipeline.predict_proba([r["text"] for r in records])
    thresholds = {label: t.threshold for label, t in trained.thresholds.items()}
    return measure([r["label"] for r in records], probabilities, trained.labels, thresholds)


def draw(pool: list[dict], n: int, seed: int, label: str) -> list[dict]:
    """N pool examples at random, redrawn until both labels have at least two."""
    rng = np.random.default_rng(seed)
    for _ in range(100):
        chosen = [pool[i] for i in rng.choice(len(pool), size=min(n, len(pool)), replace=False)]
        positives = sum(r["label"] == label for r in chosen)
        if 2 <= positives <= len(chosen) - 2:
            return chosen
    raise ModerationError(f"cannot draw {n} examples with both labels")


def site_metrics(trained, test: list[dict], label: str) -> tuple[float, float]:
    metrics = scores_on(trained, test)
    return metrics["per_label"][label]["roc_auc"], metrics["macro_f1"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--from", dest="datasets", type=Path, default=None)
    parser.add_argument("--sites", default="stormfront,covid_vaccine_comments")
    parser.add_argument("--sizes", default="50,200,1000")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument(
        "--weights", default=str(SITE_WEIGHT), help="site weights to compare, e.g. 1,5,20"
    )
    parser.add_argument(
        "--strengths",
        default=str(PRIOR_STRENGTH),
        help="prior strengths (lambda) to compare, e.g. 0.01,0.03,0.1; empty: none",
    )
    parser.add_argument("--results", action="store_true", help="write RESULTS.md")
    args = parser.parse_args()
    root = args.datasets or default_datasets_dir()
    weights = [float(w) for w in args.weights.split(",") if w]
    strengths = [float(s) for s in args.strengths.split(",") if s]
    sizes = [int(n) for n in args.sizes.split(",")]
    config = PipelineConfig.from_dict(dict(recipe("default").settings))

    records = as_dicts(recipe_records("default", root)[0])
    base_train, base_test = grouped_split(records, 0.15)
    print(f"base: {len(base_train):,} training / {len(base_test):,} test examples", flush=True)
    base, seconds = fit(base_train, config)
    base_auc = scores_on(base, base_test)["macro_roc_auc"]
    base_meta = ModelMeta(
        model_id="base",
        labels=base.labels,
        thresholds=base.thresholds,
        model_sha256="",
        versions={},
        C=base.C,
        training_data=base.examples,
    )
    print(
        f"base fitted in {seconds:.0f} s; macro ROC AUC on its own test data {base_auc:.4f}",
        flush=True,
    )

    rows = []
    for site in args.sites.split(","):
        label = SITE_LABEL[site]
        site_records = list(dataset_examples(site, root, labelled_only=True))
        if site in SITE_POOL:
            share = 1 - SITE_POOL[site] / len(site_records)
            pool, test = grouped_split(site_records, share)
        else:
            pool, test = grouped_split(site_records, 0.5)
        before, before_f1 = site_metrics(base, test, label)
        print(
            f"\n{site}: pool {len(pool):,}, test {len(test):,} "
            f"({sum(r['label'] == label for r in test)} {label}); base ROC AUC {before:.4f}",
            flush=True,
        )
        rows.append((site, 0, "base", [before], [before_f1], [0.0], [0.0], before))
        for n in sizes:
            if n > len(pool):
                print(f"  N={n}: the pool has only {len(pool)}; skipped")
                continue
            results: dict[str, list] = {}
            for seed in range(args.seeds):
                labelled = [as_site_example(as_example(r)) for r in draw(pool, n, seed, label)]
                runs = [("site only", labelled, site_config(config.to_dict(), 1, 1, True))]
                runs += [
                    (
                        f"base + site x{w:g}",
                        base_train + labelled,
                        site_config(config.to_dict(), w, WEAK_WEIGHT, False),
                    )
                    for w in weights
                ]
                runs += [(f"prior {lam:g}", labelled, lam) for lam in strengths]
                for name, data, run_config in runs:
                    try:
                        if name.startswith("prior"):
                            started = time.perf_counter()
                            trained = train_towards_base(
                                base.pipeline,
                                base_meta,
                                as_examples(data),
                                site_config(config.to_dict(), 1, WEAK_WEIGHT, True),
                                run_config,
                            )
                            took = time.perf_counter() - started
                        else:
                            trained, took = fit(data, run_config)
                    except ModerationError as err:
                        print(f"  N={n} seed {seed} {name}: {err}")
                        continue
                    auc, f1 = site_metrics(trained, test, label)
                    drift = (
                        0.0
                        if name == "site only"
                        else scores_on(trained, base_test)["macro_roc_auc"] - base_auc
                    )
                    results.setdefault(name, []).append((auc, f1, drift, took))
                    print(
                        f"  N={n} seed {seed} {name:<16} ROC AUC {auc:.4f} macro-F1 "
                        f"{f1:.4f} base-test {drift:+.4f} ({took:.0f} s)",
                        flush=True,
                    )
            for name, values in results.items():
                aucs, f1s, drifts, took = (list(v) for v in zip(*values))
                rows.append((site, n, name, aucs, f1s, drifts, took, before))
    table = render(rows)
    print("\n" + table)
    if args.results:
        body = (
            f"Machine: {describe()}. Command: `python benchmarks/retraining.py --sites "
            f"{args.sites} --sizes {args.sizes} --seeds {args.seeds} --weights "
            f"{args.weights} --results`. Base: the default recipe on 85% of its data "
            f"({len(base_train):,} examples), macro ROC AUC {base_auc:.4f} on the other "
            f"15%.\n\n{table}"
        )
        replace_section("Retraining on a site's labels (benchmarks/retraining.py)", body)


def render(rows) -> str:
    lines = [
        "| site | N | model | site ROC AUC (min) | gap closed | site macro-F1 | "
        "base-test ROC AUC change (worst) | fit s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for site, n, name, aucs, f1s, drifts, took, before in rows:
        auc = float(np.mean(aucs))
        closed = (auc - before) / (1 - before) if before < 1 else 0.0
        drift = "-" if name == "site only" else f"{np.mean(drifts):+.4f} ({min(drifts):+.4f})"
        lines.append(
            f"| {site} | {n} | {name} | {auc:.4f} ({min(aucs):.4f}) | "
            f"{closed:+.0%} | {np.mean(f1s):.4f} | {drift} | {np.mean(took):.0f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
