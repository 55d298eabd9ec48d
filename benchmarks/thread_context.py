"""Does giving the model the parent comment's text help? Measured on labelled replies.

    python benchmarks/thread_context.py [--from ../shared/datasets] [--bootstrap 2000]
                                        [--results]

Data: the ConvAbuse probe, the only labelled data we have whose examples have a parent. Each
row is a user's turn (the labelled text, label from the annotators' majority; ties dropped)
replying to a chatbot's turn (``agent``, the parent). The parent is joined to the project's
converted examples (``moderation.datasets.convert.examples("convabuse", ...)``) by example id.

Every model is the project's pipeline (`PipelineConfig` defaults, a fixed C = 1.0), trained the
way `moderation.model.train.train` trains: sample weights, grouped 5-fold held-out predictions (from
which the abusive flag threshold is chosen for the target precision), then a final fit. Unless
said otherwise the training data is the default recipe's records plus ConvAbuse train + valid.

- **D** reply only, trained WITHOUT ConvAbuse (what the in-domain labels buy, for scale);
- **A** reply only (no context);
- **B** parent tokens as separate features: the reply followed by the parent's normalised words,
  each prefixed ``ctx_`` so they get their own TF-IDF columns (examples without a parent, i.e.
  the recipe's, get nothing added); the test set is scored the same way;
- **B0** control for B: the reply followed by one constant token ``ctx_present`` on every
  ConvAbuse example (a "this came from ConvAbuse" marker and nothing about the parent), so B's
  gain can be split into "knows the domain" and "reads the parent";
- **C** parent's score as context: a two-feature logistic regression on [logit of A's P(abusive)
  for the reply, the same for the parent], fitted on ConvAbuse train + valid where the reply
  probabilities are A's held-out (cross-validated) ones;
- **C0** control for C: the same stacker on the reply feature alone (A recalibrated on ConvAbuse).
  Its ROC AUC equals A's; it shows what C's F1 owes to recalibration rather than to the parent.

Measured on the ConvAbuse test split (abusive vs civil): ROC AUC of P(abusive); macro-F1 over the
two labels (argmax prediction for the pipeline models - a "conspiracy" prediction counts as a
miss - and P >= 0.5 for the stackers); abusive precision / recall at the model's own flag
threshold. Differences from A come with 95% intervals from a paired bootstrap that resamples
test conversations (turns of one conversation are not independent).
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_score, recall_score
from sklearn.model_selection import GroupKFold, cross_val_predict

sys.path.insert(0, str(Path(__file__).parent))
from _examples import as_dicts, as_examples  # noqa: E402
from _machine import describe  # noqa: E402
from results import replace_section  # noqa: E402

from moderation.datasets.convert import examples as dataset_examples  # noqa: E402
from moderation.datasets.recipes import default_datasets_dir, recipe_records  # noqa: E402
from moderation.model.pipeline import TOKEN_PATTERN, PipelineConfig, build_pipeline  # noqa: E402
from moderation.model.thresholds import threshold_for_precision  # noqa: E402
from moderation.model.train import cross_validate, prepare_examples, sample_weights  # noqa: E402
from moderation.normalize import normalize, normalize_many  # noqa: E402

SECTION = "Thread context (benchmarks/thread_context.py)"
C_FIXED = 1.0
MARKER = "ctx_"
SPLITS = ("train", "valid", "test")
_WORDS = re.compile(TOKEN_PATTERN)


# --- data --------------------------------------------------------------------------------------


def convabuse_csv(root: Path, split: str) -> Path:
    return root / "probes" / "convabuse" / f"ConvAbuseEMNLP{split}.csv"


def missing_inputs(root: Path) -> str | None:
    if not root.is_dir():
        return f"{root} does not exist"
    for split in SPLITS:
        if not convabuse_csv(root, split).is_file():
            return f"{convabuse_csv(root, split)} not found"
    return None


def read_parents(root: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Parent (agent) text and conversation id of every ConvAbuse row, by our example id."""
    parents, conversations = {}, {}
    for split in SPLITS:
        with open(
            convabuse_csv(root, split), newline="", encoding="utf-8", errors="replace"
        ) as handle:
            for row in csv.DictReader(handle):
                key = f"convabuse:{row['example_id']}"
                parents[key] = row["agent"]
                conversations[key] = row["conv_id"]
    return parents, conversations


def context_tokens(parent: str | None) -> str:
    """The parent's normalised words, each marked so they are features of their own."""
    if not parent:
        return ""
    return " ".join(MARKER + word for word in _WORDS.findall(normalize(parent)))


def with_context(text: str, parent: str | None) -> str:
    tokens = context_tokens(parent)
    return f"{text}\n{tokens}" if tokens else text


def with_marker(text: str, parent: str | None) -> str:
    return f"{text}\n{MARKER}present" if parent is not None else text


def check_markers_survive(texts: list[str], config: PipelineConfig) -> None:
    """The pipeline normalises whole texts again: the marked words must come out unchanged."""
    before = sum(t.count(MARKER) for t in texts)
    after = sum(t.count(MARKER) for t in normalize_many(texts, max_chars=config.max_chars))
    if before != after:
        raise AssertionError(f"normalisation changed the context markers ({before} -> {after})")


# --- models ------------------------------------------------------------------------------------


class Fitted:
    """One pipeline trained like `moderation.model.train.train` (C fixed), keeping its held-out
    probabilities, which `train` does not return."""

    def __init__(self, records: list[dict], config: PipelineConfig):
        examples = prepare_examples(as_examples(records))
        self.ids = examples.ids
        self.labels = sorted(set(examples.labels))
        weights = sample_weights(examples, config)
        _, self.held_out = cross_validate(examples, config, self.labels, weights)
        column = self.labels.index("abusive")
        self.threshold = threshold_for_precision(
            np.array(examples.labels) == "abusive",
            self.held_out[:, column],
            "abusive",
            config.target_precision,
            config.min_flag_recall,
        )
        self.pipeline = build_pipeline(config, C_FIXED)
        self.pipeline.fit(examples.texts, examples.labels, classifier__sample_weight=weights)
        assert [str(c) for c in self.pipeline.named_steps["classifier"].classes_] == self.labels

    def proba(self, texts: list[str]) -> np.ndarray:
        return self.pipeline.predict_proba(texts)

    def held_out_for(self, ids: list[str]) -> np.ndarray:
        row = {example_id: i for i, example_id in enumerate(self.ids)}
        return self.held_out[[row[i] for i in ids]]


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


# --- metrics -----------------------------------------------------------------------------------


def fast_auc(truth: np.ndarray, scores: np.ndarray) -> float:
    """ROC AUC by ranks (ties averaged); the same number as sklearn's, quicker in a loop."""
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    # average ranks over ties
    _, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    average = first + (counts + 1) / 2.0
    ranks[order] = np.repeat(average, counts)
    positives = truth.sum()
    negatives = len(truth) - positives
    return float((ranks[truth].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def macro_f1(truth: np.ndarray, predicted_abusive: np.ndarray, other: np.ndarray) -> float:
    """Macro-F1 over abusive and civil; ``other`` marks predictions of neither (conspiracy)."""
    true_labels = np.where(truth, "abusive", "civil")
    predicted = np.where(other, "other", np.where(predicted_abusive, "abusive", "civil"))
    return float(f1_score(true_labels, predicted, labels=["abusive", "civil"], average="macro"))


class Scored:
    """What one model says about the test set."""

    def __init__(
        self,
        name: str,
        description: str,
        score: np.ndarray,
        predicted_abusive: np.ndarray,
        other: np.ndarray,
        flagged: np.ndarray,
    ):
        self.name, self.description = name, description
        self.score, self.predicted_abusive, self.other, self.flagged = (
            score,
            predicted_abusive,
            other,
            flagged,
        )

    def auc(self, truth, rows=slice(None)) -> float:
        return fast_auc(truth[rows], self.score[rows])

    def f1(self, truth, rows=slice(None)) -> float:
        return macro_f1(truth[rows], self.predicted_abusive[rows], self.other[rows])


def from_pipeline(name: str, description: str, model: Fitted, texts: list[str]) -> Scored:
    p = model.proba(texts)
    column = model.labels.index("abusive")
    winner = np.array(model.labels)[p.argmax(axis=1)]
    return Scored(
        name,
        description,
        p[:, column],
        winner == "abusive",
        (winner != "abusive") & (winner != "civil"),
        p[:, column] >= model.threshold.threshold,
    )


def bootstrap(
    truth: np.ndarray,
    groups: np.ndarray,
    base: Scored,
    others: list[Scored],
    rounds: int,
    seed: int = 0,
) -> dict[str, dict[str, tuple[float, float]]]:
    """95% intervals of (other - base) for ROC AUC and macro-F1, resampling conversations."""
    rng = np.random.default_rng(seed)
    unique, inverse = np.unique(groups, return_inverse=True)
    members = [np.flatnonzero(inverse == g) for g in range(len(unique))]
    draws: dict[str, dict[str, list[float]]] = {o.name: {"auc": [], "f1": []} for o in others}
    for _ in range(rounds):
        picked = rng.integers(0, len(unique), len(unique))
        rows = np.concatenate([members[g] for g in picked])
        if truth[rows].all() or not truth[rows].any():
            continue
        base_auc, base_f1 = base.auc(truth, rows), base.f1(truth, rows)
        for other in others:
            draws[other.name]["auc"].append(other.auc(truth, rows) - base_auc)
            draws[other.name]["f1"].append(other.f1(truth, rows) - base_f1)
    return {
        name: {
            metric: tuple(np.percentile(values, [2.5, 97.5]))
            for metric, values in by_metric.items()
        }
        for name, by_metric in draws.items()
    }


# --- the measurement ---------------------------------------------------------------------------


def run(root: Path, rounds: int) -> tuple[str, str]:
    started = time.perf_counter()
    config = PipelineConfig(C_grid=(C_FIXED,), n_jobs=2)
    parents, conversations = read_parents(root)

    convabuse = list(dataset_examples("convabuse", root, labelled_only=True))
    unjoined = [e["id"] for e in convabuse if e["id"] not in parents]
    if unjoined:
        raise AssertionError(f"{len(unjoined)} ConvAbuse examples have no row to join to")
    train_ca = [e for e in convabuse if e["split"] in ("train", "valid")]
    test_ca = [e for e in convabuse if e["split"] == "test"]
    recipe = as_dicts(recipe_records("default", root)[0])
    print(
        f"  data: recipe {len(recipe):,}, ConvAbuse train+valid {len(train_ca):,}, "
        f"test {len(test_ca):,} ({time.perf_counter() - started:.0f} s)",
        file=sys.stderr,
    )

    def rewrite(records: list[dict], how) -> list[dict]:
        return [{**r, "text": how(r["text"], parents.get(r["id"]))} for r in records]

    test_texts = {
        "reply": [e["text"] for e in test_ca],
        "context": [with_context(e["text"], parents[e["id"]]) for e in test_ca],
        "marker": [with_marker(e["text"], parents[e["id"]]) for e in test_ca],
    }
    check_markers_survive(
        [r["text"] for r in rewrite(train_ca, with_context)] + test_texts["context"], config
    )

    truth = np.array([e["label"] == "abusive" for e in test_ca])
    groups = np.array([conversations[e["id"]] for e in test_ca])
    fitted: dict[str, Fitted] = {}
    scored: dict[str, Scored] = {}
    plan = (
        ("D", "reply only; trained without ConvAbuse", recipe, "reply"),
        ("A", "reply only (no context)", recipe + train_ca, "reply"),
        (
            "B",
            "reply + parent words as `ctx_` features",
            recipe + rewrite(train_ca, with_context),
            "context",
        ),
        (
            "B0",
            "reply + constant `ctx_present` token (control for B)",
            recipe + rewrite(train_ca, with_marker),
            "marker",
        ),
    )
    for name, description, records, texts in plan:
        begun = time.perf_counter()
        fitted[name] = Fitted(records, config)
        scored[name] = from_pipeline(name, description, fitted[name], test_texts[texts])
        print(
            f"  {name}: trained on {len(records):,} in {time.perf_counter() - begun:.0f} s, "
            f"test AUC {scored[name].auc(truth):.3f}",
            file=sys.stderr,
        )

    # C: stack A's reply and parent probabilities, fitted on ConvAbuse train + valid
    a = fitted["A"]
    column = a.labels.index("abusive")
    train_truth = np.array([e["label"] == "abusive" for e in train_ca])
    train_groups = np.array([conversations[e["id"]] for e in train_ca])
    train_reply = logit(a.held_out_for([e["id"] for e in train_ca])[:, column])
    train_parent = logit(a.proba([parents[e["id"]] for e in train_ca])[:, column])
    test_reply = logit(scored["A"].score)
    test_parent = logit(a.proba([parents[e["id"]] for e in test_ca])[:, column])
    stack_notes = []
    for name, description, train_x, test_x in (
        (
            "C",
            "stacker on [A(reply), A(parent)]",
            np.column_stack([train_reply, train_parent]),
            np.column_stack([test_reply, test_parent]),
        ),
        (
            "C0",
            "stacker on [A(reply)] only (control for C)",
            train_reply[:, None],
            test_reply[:, None],
        ),
    ):
        stacker = LogisticRegression()
        held = cross_val_predict(
            stacker,
            train_x,
            train_truth,
            groups=train_groups,
            cv=GroupKFold(5),
            method="predict_proba",
        )[:, 1]
        threshold = threshold_for_precision(
            train_truth, held, "abusive", config.target_precision, config.min_flag_recall
        )
        stacker.fit(train_x, train_truth)
        p = stacker.predict_proba(test_x)[:, 1]
        scored[name] = Scored(
            name, description, p, p >= 0.5, np.zeros(len(p), bool), p >= threshold.threshold
        )
        stack_notes.append(f"{name} coefficients {np.round(stacker.coef_[0], 3).tolist()}")
    auc_parent_alone = fast_auc(truth, test_parent)

    begun = time.perf_counter()
    order = ["D", "A", "B", "B0", "C", "C0"]
    intervals = bootstrap(
        truth, groups, scored["A"], [scored[n] for n in order if n != "A"], rounds
    )
    print(f"  bootstrap ({rounds} rounds) in {time.perf_counter() - begun:.0f} s", file=sys.stderr)

    rows = [
        (
            "| model | what it sees | ROC AUC | ΔAUC vs A [95% CI] | macro-F1 | "
            "ΔF1 vs A [95% CI] | abusive P / R at own threshold |"
        ),
        "|---|---|---|---|---|---|---|",
    ]
    for name in order:
        s = scored[name]
        if name == "A":
            d_auc = d_f1 = "-"
        else:
            lo, hi = intervals[name]["auc"]
            d_auc = f"{s.auc(truth) - scored['A'].auc(truth):+.3f} [{lo:+.3f}, {hi:+.3f}]"
            lo, hi = intervals[name]["f1"]
            d_f1 = f"{s.f1(truth) - scored['A'].f1(truth):+.3f} [{lo:+.3f}, {hi:+.3f}]"
        flagged = s.flagged
        precision = precision_score(truth, flagged, zero_division=0)
        recall = recall_score(truth, flagged, zero_division=0)
        rows.append(
            f"| {name} | {s.description} | {s.auc(truth):.3f} | {d_auc} | "
            f"{s.f1(truth):.3f} | {d_f1} | {precision:.2f} / {recall:.2f} "
            f"({int(flagged.sum())} flagged) |"
        )
    table = "\n".join(rows)

    # context for reading the table
    seen = {conversations[e["id"]] for e in train_ca}
    unseen = np.array([g not in seen for g in groups])
    agents = Counter(parents[e["id"]] for e in test_ca)
    train_agents = {parents[e["id"]] for e in train_ca}
    in_training = sum(n for text, n in agents.items() if text in train_agents)
    predicted = ", ".join(
        f"{n} {int(scored[n].predicted_abusive.sum())} / {int(scored[n].other.sum())}"
        for n in order
    )
    notes = [
        (
            f"Test: {len(test_ca):,} labelled replies ({int(truth.sum())} abusive) in "
            f"{len(set(groups)):,} conversations; training adds {len(train_ca):,} ConvAbuse "
            f"replies (train + valid) to the recipe's {len(recipe):,} records. C fixed at "
            f"{C_FIXED}; the pipeline's own threshold targets precision "
            f"{config.target_precision} on held-out folds of all its training data (mostly other "
            f"sources), so it is not tuned to ConvAbuse. Bootstrap: {rounds} resamples of test "
            f"conversations."
        ),
        (
            f"The parent alone, scored by A, has ROC AUC {auc_parent_alone:.3f} for the reply's "
            f"label. {'; '.join(stack_notes)} (features: logit P(abusive) of reply, of parent)."
        ),
        (
            f"The official splits share conversations: {int((~unseen).sum())} test replies come "
            f"from conversations that also have training turns. On the other {int(unseen.sum())} "
            f"({int(truth[unseen].sum())} abusive): A {scored['A'].auc(truth, unseen):.3f}, "
            f"B {scored['B'].auc(truth, unseen):.3f}, B0 {scored['B0'].auc(truth, unseen):.3f}, "
            f"C {scored['C'].auc(truth, unseen):.3f} ROC AUC."
        ),
        (
            f"Parents are chatbot turns and repeat: {len(agents):,} distinct parent texts among "
            f"{len(test_ca):,} test replies (the commonest is the parent of "
            f"{agents.most_common(1)[0][1]}); {in_training:,} test replies have a parent text "
            f"that also occurs in training."
        ),
        (
            f"Predicted (argmax, or P >= 0.5 for the stackers) on the test set, abusive / "
            f"conspiracy: {predicted} ({int(truth.sum())} truly abusive)."
        ),
        f"Runtime {time.perf_counter() - started:.0f} s.",
    ]
    return table, "\n\n".join(notes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--from",
        dest="root",
        type=Path,
        default=None,
        help="the datasets folder (default: ../shared/datasets)",
    )
    parser.add_argument("--bootstrap", type=int, default=2000, help="bootstrap resamples")
    parser.add_argument("--results", action="store_true", help="write RESULTS.md")
    args = parser.parse_args()
    root = args.root or default_datasets_dir()
    problem = missing_inputs(root)
    if problem:
        print(
            f"thread_context: skipped, the labelled data is not available ({problem}); "
            f"give the datasets folder with --from or $MODERATION_DATASETS.",
            file=sys.stderr,
        )
        return
    table, notes = run(root, args.bootstrap)
    print(f"\n{table}\n\n{notes}")
    if args.results:
        command = "python benchmarks/thread_context.py --results"
        if args.bootstrap != 2000:
            command = command.replace(" --results", f" --bootstrap {args.bootstrap} --results")
        replace_section(
            SECTION,
            f"Machine: {describe()}. Command: `{command}`. What it "
            f"measures: see the script's docstring.\n\n{table}\n\n{notes}",
        )


if __name__ == "__main__":
    main()
