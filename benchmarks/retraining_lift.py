"""What 200 of a site's labels buy, method by method, on sites the base never saw.

    python benchmarks/retraining_lift.py [--from ../shared/datasets]
        [--sites stormfront,convabuse,covid_vaccine_comments] [--held-out hatemoji_build,olid_test]
        [--n 200] [--seeds 3] [--methods prior,auto,...] [--orders random,uncertain]
        [--cache /tmp/moderation-lift] [--results]

The base is the default recipe fitted (at the shipped model's C, without its cross-validation)
on 85% of its data, grouped by thread; the other 15% is "the base's own test data" (its macro
ROC AUC may drop by at most 0.02). The fitted base is cached (``--cache``).

Each "site" is a source the default recipe does not train on. Its labelled examples are split
by thread into a pool (the site's export: its texts are the unlabelled comments every method
may use) and a test half that no method sees. N labels are drawn from the pool, at random or
by ``--order uncertain`` (the base's least sure first, as ``moderation label`` orders them).

``--sites`` are the sites the method was chosen on; ``--held-out`` sites are reported
separately and were not looked at while choosing. Reported per site, order and method: the
site label's ROC AUC on the test half (mean of the draws, and the lowest), the share of the gap
between the base's ROC AUC and 1.0 it closes, and the change of macro ROC AUC on the base's own
test data (mean, and the worst).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import joblib
import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupShuffleSplit

sys.path.insert(0, str(Path(__file__).parent))
from _adapt import adapt  # noqa: E402
from _examples import as_dicts, as_example  # noqa: E402
from _machine import describe  # noqa: E402
from results import replace_section  # noqa: E402

from moderation.datasets.convert import examples as dataset_examples  # noqa: E402
from moderation.datasets.recipes import default_datasets_dir, recipe, recipe_records  # noqa: E402
from moderation.model.fitting import fit_pipeline  # noqa: E402
from moderation.model.meta import ModelMeta  # noqa: E402
from moderation.model.pipeline import PipelineConfig  # noqa: E402
from moderation.model.registry import shipped_model_dir  # noqa: E402
from moderation.model.retrain import (  # noqa: E402
    WEAK_WEIGHT,
    as_site_example,
    choose_strength,
    site_config,
)
from moderation.model.train import prepare_examples, sample_weights  # noqa: E402

SITE_LABEL = {
    "stormfront": "abusive",
    "convabuse": "abusive",
    "covid_vaccine_comments": "conspiracy",
    "hatemoji_build": "abusive",
    "olid_test": "abusive",
}
SITE_POOL = {"covid_vaccine_comments": 260}  # small sites: keep the rest for testing
MAX_TEST = 3000  # a test half larger than this is subsampled (fixed seed): faster, as fair
BASE_TEST = 4000  # the base's own test data, subsampled the same way
WEAK_N = 1000  # simulated platform decisions per draw
WEAK_NOISE = 0.2  # ... each wrong with this probability


def grouped_split(records: list[dict], test_size: float, seed: int = 0):
    groups = [r.get("thread_id") or r["id"] for r in records]
    splitter = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=seed)
    train_index, test_index = next(splitter.split(records, groups=groups))
    return [records[i] for i in train_index], [records[i] for i in test_index]


def base_model(root: Path, cache: Path):
    """The base pipeline fitted on 85% of the default recipe, and the other 15% (cached)."""
    path = cache / "base.joblib"
    if path.is_file():
        return joblib.load(path)
    config = PipelineConfig.from_dict(dict(recipe("default").settings))
    records = as_dicts(recipe_records("default", root)[0])
    base_train, base_test = grouped_split(records, 0.15)
    prepared = prepare_examples([as_example(r) for r in base_train])
    C = float(ModelMeta.read(shipped_model_dir()).C or 1.0)
    started = time.perf_counter()
    pipeline = fit_pipeline(
        config, C, prepared.texts, prepared.labels, sample_weights(prepared, config)
    )
    print(f"base fitted on {len(prepared):,} examples in {time.perf_counter() - started:.0f} s")
    found = (pipeline, config, [(r["text"], r["label"]) for r in base_test])
    cache.mkdir(parents=True, exist_ok=True)
    joblib.dump(found, path)
    return found


def normalized(pipeline, texts: list[str]) -> list[str]:
    """Texts through the pipeline's normalisation (the same step in every adapted copy), so
    each model only builds features and scores."""
    return pipeline.named_steps["normalize"].transform(texts)


def macro_auc(pipeline, texts: list[str], truth: np.ndarray) -> float:
    probabilities = pipeline[1:].predict_proba(texts)
    classes = [str(c) for c in pipeline.named_steps["classifier"].classes_]
    aucs = [
        roc_auc_score(truth == label, probabilities[:, i])
        for i, label in enumerate(classes)
        if 0 < (truth == label).sum() < len(truth)
    ]
    return float(np.mean(aucs))


def site_auc(pipeline, texts: list[str], truth: np.ndarray, label: str) -> float:
    classes = [str(c) for c in pipeline.named_steps["classifier"].classes_]
    scores = pipeline[1:].predict_proba(texts)[:, classes.index(label)]
    return float(roc_auc_score(truth == label, scores))


def pick(pool: list[dict], n: int, seed: int, order: str, base, label: str) -> list[dict]:
    """N pool examples: at random, or the base's least sure first (one minus the margin
    between its two most likely labels), redrawn until both labels have at least two."""
    rng = np.random.default_rng(seed)
    if order == "uncertain":
        probabilities = np.sort(base.predict_proba([r["text"] for r in pool]), axis=1)
        uncertainty = 1 - (probabilities[:, -1] - probabilities[:, -2])
        # the draws differ by a small random tie-break among the least sure third
        ranked = np.argsort(-(uncertainty + rng.uniform(0, 0.02, len(pool))), kind="stable")
        return [pool[i] for i in ranked[:n]]
    for _ in range(100):
        chosen = [pool[i] for i in rng.choice(len(pool), size=min(n, len(pool)), replace=False)]
        if 2 <= sum(r["label"] == label for r in chosen) <= len(chosen) - 2:
            return chosen
    raise RuntimeError(f"cannot draw {n} examples with both labels")


def simulated_decisions(pool: list[dict], chosen: list[dict], seed: int) -> list:
    """SIMULATED platform decisions (the datasets have none): WEAK_N other pool comments with
    their true label flipped with probability WEAK_NOISE, marked weak."""
    taken = {r["id"] for r in chosen}
    rest = [r for r in pool if r["id"] not in taken]
    rng = np.random.default_rng(1000 + seed)
    picked = [rest[i] for i in rng.choice(len(rest), size=min(WEAK_N, len(rest)), replace=False)]
    labels = sorted({r["label"] for r in pool})
    weak = []
    for r in picked:
        label = r["label"]
        if rng.random() < WEAK_NOISE:
            label = next(other for other in labels if other != label)
        weak.append(as_site_example(as_example({**r, "label": label, "weak": True})))
    return weak


def run_method(base, labelled, method: str, unlabelled: list[str], config, weak=()):
    """``auto`` (what `train --base --add` does without --method: the prior's strength chosen
    on grouped folds of the labels), ``weak+`` (the labels and simulated platform decisions,
    prior 0.03), ``weak`` (the decisions alone), or ``NAME`` or ``NAME:STRENGTH``
    (``moderation.model.retrain.METHODS``)."""
    name, _, strength = method.partition(":")
    if name in ("weak", "weak+"):
        examples = [*weak] if name == "weak" else [*labelled, *weak]
        return adapt(base, examples, method="prior", weak_weight=WEAK_WEIGHT), ""
    if name == "auto":
        examples = prepare_examples(labelled)
        site = site_config(config.to_dict(), 1.0, WEAK_WEIGHT, False)
        labels = [str(c) for c in base.named_steps["classifier"].classes_]
        chosen, _, choice = choose_strength(
            base, examples, sample_weights(examples, site), labels, site
        )
        adapted = adapt(base, labelled, method="prior", strength=chosen)
        return adapted, f"(chose {chosen:g})"
    options = {"strength": float(strength)} if strength else {}
    return adapt(base, labelled, method=name, unlabelled=unlabelled, **options), ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--from", dest="datasets", type=Path, default=None)
    parser.add_argument("--sites", default="stormfront,convabuse,covid_vaccine_comments")
    parser.add_argument("--held-out", default="hatemoji_build,olid_test")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--methods", default="prior,auto")
    parser.add_argument("--orders", default="random,uncertain")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/moderation-lift"))
    parser.add_argument("--results", action="store_true", help="write RESULTS.md")
    args = parser.parse_args()
    root = args.datasets or default_datasets_dir()
    base, config, base_test = base_model(root, args.cache)
    if len(base_test) > BASE_TEST:
        keep = np.random.default_rng(0).choice(len(base_test), BASE_TEST, replace=False)
        base_test = [base_test[i] for i in sorted(keep)]
    test_texts = normalized(base, [t for t, _ in base_test])
    test_truth = np.array([label for _, label in base_test])
    base_macro = macro_auc(base, test_texts, test_truth)
    print(f"base: macro ROC AUC {base_macro:.4f} on its own test data", flush=True)
    methods = args.methods.split(",")
    rows = []
    sites = [(s, "chose") for s in args.sites.split(",") if s] + [
        (s, "held out") for s in args.held_out.split(",") if s
    ]
    for site, role in sites:
        label = SITE_LABEL[site]
        records = list(dataset_examples(site, root, labelled_only=True))
        share = 1 - SITE_POOL[site] / len(records) if site in SITE_POOL else 0.5
        pool, test = grouped_split(records, share)
        if len(test) > MAX_TEST:
            keep = np.random.default_rng(0).choice(len(test), MAX_TEST, replace=False)
            test = [test[i] for i in sorted(keep)]
        texts = normalized(base, [r["text"] for r in test])
        truth = np.array([r["label"] for r in test])
        before = site_auc(base, texts, truth, label)
        unlabelled = [r["text"] for r in pool]
        print(
            f"\n{site} ({role}): pool {len(pool):,}, test {len(test):,} "
            f"({(truth == label).sum()} {label}); base ROC AUC {before:.4f}",
            flush=True,
        )
        for order in args.orders.split(","):
            found: dict[str, list] = {}
            for seed in range(args.seeds):
                chosen = pick(pool, args.n, seed, order, base, label)
                labelled = [as_site_example(as_example(r)) for r in chosen]
                weak = simulated_decisions(pool, chosen, seed) if "weak" in args.methods else []
                positives = sum(e.label == label for e in labelled)
                for method in methods:
                    started = time.perf_counter()
                    adapted, note = run_method(base, labelled, method, unlabelled, config, weak)
                    took = time.perf_counter() - started
                    auc = site_auc(adapted, texts, truth, label)
                    drift = macro_auc(adapted, test_texts, test_truth) - base_macro
                    found.setdefault(method, []).append((auc, drift, took, positives))
                    print(
                        f"  {order:9} seed {seed} {method:<14} ROC AUC {auc:.4f} "
                        f"({(auc - before) / (1 - before):+.0%}) base-test {drift:+.4f} "
                        f"[{positives} {label}] {took:.0f} s {note}",
                        flush=True,
                    )
            for method, values in found.items():
                rows.append((site, role, order, method, before, values))
    table = render(rows)
    print("\n" + table)
    if args.results:
        body = (
            f"Machine: {describe()}. Command: `python benchmarks/retraining_lift.py --sites "
            f"{args.sites} --held-out {args.held_out} --n {args.n} --seeds {args.seeds} "
            f"--methods {args.methods} --orders {args.orders} --results`. Base: the default "
            f"recipe fitted on 85% of its data, macro ROC AUC {base_macro:.4f} on "
            f"{len(base_test):,} examples of the other 15%.\n\n{table}"
        )
        replace_section("Retraining: what 200 labels lift (benchmarks/retraining_lift.py)", body)


def render(rows) -> str:
    lines = [
        "| site | role | order | method | site ROC AUC: base -> after (lowest) | gap closed "
        "| base-test change (worst) | site-label examples in N | fit s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for site, role, order, method, before, values in rows:
        aucs, drifts, took, positives = (np.array(v) for v in zip(*values))
        closed = (aucs.mean() - before) / (1 - before)
        lines.append(
            f"| {site} | {role} | {order} | {method} | {before:.4f} -> {aucs.mean():.4f} "
            f"({aucs.min():.4f}) | {closed:+.0%} | {drifts.mean():+.4f} ({drifts.min():+.4f}) "
            f"| {positives.mean():.0f} | {took.mean():.0f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
