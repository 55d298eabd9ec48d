"""Quality of our pipeline beside two references, on exactly the same splits, in one run.

    python benchmarks/quality.py [--from ../shared/datasets] [--only in-domain,loso,source,time]
                                 [--results]

Models compared:
- **ours**: `moderation.model.train.train` with the default `PipelineConfig` (normalisation, TF-IDF,
  logistic regression with C chosen on grouped folds);
- **plain**: `TfidfVectorizer()` + `LogisticRegression()` with scikit-learn's defaults;
- **fastText** supervised (fasttext-wheel, default settings), probabilities from the model's
  low-level `f.predict(line, k, 0.0, "strict")` (its Python `predict()` is wrong under numpy 2).

Measurements:
1. in-domain macro-F1 on each dataset's own split (OLID official train -> test, OFF vs NOT;
   Davidson stratified 90/10 seed 42, three classes; PsyCoMark deduplicated, stratified 80/20
   seed 42, Yes vs No);
2. leave-one-source-out: train on three of the four training sources plus the written
   examples, ROC AUC of P(abusive) and P(conspiracy) on the source left out; and, trained on all
   four, ROC AUC on the probes (Stormfront, ConvAbuse, COVID vaccine comments) and the share of
   MediaEval conspiracy tweets (positives only) flagged;
3. "guess the source": how well a classifier on each model's features tells which of the four
   sources a text came from (lower is better: the features carry less of the source);
4. training time of the default recipe's data for each model.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, f1_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict, train_test_split
from sklearn.pipeline import make_pipeline

sys.path.insert(0, str(Path(__file__).parent))
from _examples import as_dicts, as_examples  # noqa: E402
from _machine import describe  # noqa: E402
from results import replace_section  # noqa: E402

from moderation.datasets.catalogue import TRAINING_SOURCES  # noqa: E402
from moderation.datasets.convert import examples as dataset_examples  # noqa: E402
from moderation.datasets.recipes import default_datasets_dir, written_examples_path  # noqa: E402
from moderation.labels.examples import read_labelled  # noqa: E402
from moderation.model.pipeline import PipelineConfig  # noqa: E402
from moderation.model.train import prepare_examples  # noqa: E402
from moderation.model.train import train as train_ours  # noqa: E402

TARGETS = {"OLID": 0.80, "Davidson": 0.78, "PsyCoMark": 0.72}
PUBLISHED = {
    "OLID": "SVM 0.69, BiLSTM 0.75, CNN 0.80, best BERT 0.829",
    "Davidson": "the paper's LR about 0.77",
    "PsyCoMark": "-",
}


# --- the three models, one interface: fit(records) and predict_proba(texts) -> (classes, P) ---


class Ours:
    name = "ours"

    def __init__(self, config: PipelineConfig | None = None):
        self.config = config or PipelineConfig()

    def fit(self, records: list[dict]) -> Ours:
        self.trained = train_ours(prepare_examples(as_examples(records)), self.config)
        return self

    def predict_proba(self, texts: list[str]) -> tuple[list[str], np.ndarray]:
        return self.trained.labels, self.trained.pipeline.predict_proba(texts)

    def features(self):
        return self.trained.pipeline[:-1]


WORD_CHAR = {
    "word_ngrams": (1, 2),
    "word_min_df": 1,
    "sublinear_tf": True,
    "char_ngrams": (2, 5),
    "char_min_df": 2,
    "C_grid": (0.25, 0.5, 1.0),
}


class OursWordChar(Ours):
    """Our pipeline with word 1-2-grams and character 2-5-grams: better in-domain, about five
    times slower to score (see the speed benchmark); not the shipped settings."""

    name = "ours word+char"

    def __init__(self):
        super().__init__(PipelineConfig.from_dict(WORD_CHAR))


class Plain:
    name = "plain"

    def fit(self, records: list[dict]) -> Plain:
        self.pipeline = make_pipeline(TfidfVectorizer(), LogisticRegression())
        self.pipeline.fit([r["text"] for r in records], [r["label"] for r in records])
        return self

    def predict_proba(self, texts: list[str]) -> tuple[list[str], np.ndarray]:
        return [str(c) for c in self.pipeline.classes_], self.pipeline.predict_proba(texts)

    def features(self):
        return self.pipeline[:-1]


class FastText:
    name = "fastText"

    def fit(self, records: list[dict]) -> FastText:
        import fasttext

        with tempfile.NamedTemporaryFile(
            "w", suffix=".txt", encoding="utf-8", delete=False
        ) as handle:
            for r in records:
                handle.write(f"__label__{r['label']} {_one_line(r['text'])}\n")
        self.model = fasttext.train_supervised(input=handle.name, seed=0, thread=1, verbose=0)
        Path(handle.name).unlink()
        self.classes = [label.removeprefix("__label__") for label in self.model.labels]
        return self

    def predict_proba(self, texts: list[str]) -> tuple[list[str], np.ndarray]:
        k = len(self.classes)
        index = {f"__label__{c}": i for i, c in enumerate(self.classes)}
        out = np.zeros((len(texts), k))
        for row, text in enumerate(texts):
            for probability, label in self.model.f.predict(
                _one_line(text) + "\n", k, 0.0, "strict"
            ):
                out[row, index[label]] = probability
        return self.classes, out


def _one_line(text: str) -> str:
    return " ".join(text.split())


MODELS = (Ours, Plain, FastText)


# --- splits ----------------------------------------------------------------------------------


def _relabel(records: list[dict]) -> list[dict]:
    return [{**r, "label": r["source_label"]} for r in records]


def in_domain_splits(root: Path) -> list[tuple[str, list[dict], list[dict]]]:
    olid = _relabel(dataset_examples("olid", root))
    davidson = _relabel(dataset_examples("davidson", root))
    psy = [r for r in _relabel(dataset_examples("psycomark", root)) if r["label"] in ("Yes", "No")]
    splits = [
        (
            "OLID",
            [r for r in olid if r["split"] == "train"],
            [r for r in olid if r["split"] == "test"],
        )
    ]
    for name, records, share in (("Davidson", davidson, 0.1), ("PsyCoMark", psy, 0.2)):
        train, test = train_test_split(
            records, test_size=share, random_state=42, stratify=[r["label"] for r in records]
        )
        splits.append((name, train, test))
    return splits


def macro_f1(model, test: list[dict]) -> float:
    classes, probabilities = model.predict_proba([r["text"] for r in test])
    predicted = np.array(classes)[probabilities.argmax(axis=1)]
    return f1_score([r["label"] for r in test], predicted, average="macro")


def auc_for(model, records: list[dict], label: str) -> float | None:
    truth = np.array([r["label"] == label for r in records])
    if truth.all() or not truth.any():
        return None
    classes, probabilities = model.predict_proba([r["text"] for r in records])
    if label not in classes:
        return 0.5
    return roc_auc_score(truth, probabilities[:, classes.index(label)])


# --- the measurements --------------------------------------------------------------------------


def run_in_domain(root: Path) -> str:
    rows = [
        "| split | train / test | ours | ours word+char | plain | fastText | published | target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, train, test in in_domain_splits(root):
        scores = {}
        for model_class in (*MODELS, OursWordChar):
            started = time.perf_counter()
            scores[model_class.name] = macro_f1(model_class().fit(train), test)
            print(
                f"  in-domain {name} {model_class.name}: {scores[model_class.name]:.3f} "
                f"({time.perf_counter() - started:.0f} s)",
                file=sys.stderr,
            )
        rows.append(
            f"| {name} | {len(train):,} / {len(test):,} | **{scores['ours']:.3f}** | "
            f"{scores['ours word+char']:.3f} | {scores['plain']:.3f} | "
            f"{scores['fastText']:.3f} | {PUBLISHED[name]} | "
            f">= {TARGETS[name]:.2f} |"
        )
    return "\n".join(rows)


def _training_records(root: Path, sources) -> list[dict]:
    records = []
    for source in sources:
        records.extend(dataset_examples(source, root, labelled_only=True))
    return records


def run_out_of_domain(root: Path, written: list[dict]) -> str:
    evaluations: list[tuple[str, str, list[dict], list[dict]]] = []
    for left_out in TRAINING_SOURCES:
        rest = [s for s in TRAINING_SOURCES if s != left_out]
        test = list(dataset_examples(left_out, root, labelled_only=True))
        evaluations.append(
            (f"leave out {left_out}", left_out, _training_records(root, rest) + written, test)
        )
    everything = _training_records(root, TRAINING_SOURCES) + written
    probes = {
        name: list(dataset_examples(name, root, labelled_only=True))
        for name in ("stormfront", "convabuse", "covid_vaccine_comments", "mediaeval_conspiracy")
    }
    evaluations.append(("all four sources", "probes", everything, []))

    rows = [
        "| trained on | tested on | label | ours | plain | fastText |",
        "|---|---|---|---|---|---|",
    ]
    aucs: dict[str, list[float]] = {m.name: [] for m in MODELS}
    recall_rows = []
    for title, tested, train, test in evaluations:
        fitted = {}
        for model_class in MODELS:
            started = time.perf_counter()
            fitted[model_class.name] = model_class().fit(train)
            print(
                f"  {title}: {model_class.name} trained in {time.perf_counter() - started:.0f} s",
                file=sys.stderr,
            )
        targets = (
            [(tested, test)]
            if test
            else [
                (name, records)
                for name, records in probes.items()
                if name != "mediaeval_conspiracy"
            ]
        )
        for test_name, records in targets:
            for label in ("abusive", "conspiracy"):
                values = {name: auc_for(model, records, label) for name, model in fitted.items()}
                if values["ours"] is None:
                    continue
                for name, value in values.items():
                    aucs[name].append(value)
                rows.append(
                    f"| {title} | {test_name} | {label} | **{values['ours']:.3f}** | "
                    f"{values['plain']:.3f} | {values['fastText']:.3f} |"
                )
        if not test:
            positives = probes["mediaeval_conspiracy"]
            texts = [r["text"] for r in positives]
            shares = {}
            for name, model in fitted.items():
                classes, probabilities = model.predict_proba(texts)
                predicted = np.array(classes)[probabilities.argmax(axis=1)]
                shares[name] = float((predicted == "conspiracy").mean())
            recall_rows.append(
                f"MediaEval conspiracy tweets (positives only, {len(texts):,}) predicted "
                f"conspiracy: ours {shares['ours']:.1%}, plain {shares['plain']:.1%}, "
                f"fastText {shares['fastText']:.1%}."
            )
    means = {name: float(np.mean(values)) for name, values in aucs.items()}
    rows.append(
        f"| **mean ROC AUC** | | | **{means['ours']:.3f}** | {means['plain']:.3f} | "
        f"{means['fastText']:.3f} |"
    )
    return "\n".join(rows) + "\n\n" + "\n".join(recall_rows)


def run_guess_the_source(root: Path) -> str:
    records = _training_records(root, TRAINING_SOURCES)
    texts = [r["text"] for r in records]
    sources = np.array([r["source"] for r in records])
    baseline = Counter(sources).most_common(1)[0][1] / len(sources)
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    rows = [
        "| features | accuracy | balanced accuracy |",
        "|---|---|---|",
        f"| majority class / chance | {baseline:.3f} | 0.250 |",
    ]
    lengths = np.log1p([[len(t)] for t in texts])
    guessed = cross_val_predict(LogisticRegression(max_iter=1000), lengths, sources, cv=folds)
    rows.append(
        f"| length of the text only | {(guessed == sources).mean():.3f} | "
        f"{balanced_accuracy_score(sources, guessed):.3f} |"
    )
    for name, model in (("plain TfidfVectorizer()", Plain()), ("ours", Ours())):
        fitted = model.fit(records)
        features = fitted.features().transform(texts)
        guessed = cross_val_predict(LogisticRegression(max_iter=1000), features, sources, cv=folds)
        rows.append(
            f"| {name} | {(guessed == sources).mean():.3f} | "
            f"{balanced_accuracy_score(sources, guessed):.3f} |"
        )
    return "\n".join(rows)


def run_training_time(root: Path, written: list[dict]) -> str:
    records = _training_records(root, TRAINING_SOURCES) + written
    rows = ["| model | what is fitted | seconds |", "|---|---|---|"]
    what = {
        "ours": "C grid x grouped folds, thresholds, final fit (the whole `train`)",
        "plain": "one fit",
        "fastText": "one fit (1 thread)",
    }
    for model_class in MODELS:
        started = time.perf_counter()
        model_class().fit(records)
        rows.append(
            f"| {model_class.name} | {what[model_class.name]} | "
            f"{time.perf_counter() - started:.1f} |"
        )
    return f"{len(records):,} examples (the default recipe's data).\n\n" + "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="root", type=Path, default=None)
    parser.add_argument("--only", default="in-domain,loso,source,time")
    parser.add_argument("--results", action="store_true", help="write RESULTS.md")
    args = parser.parse_args()
    root = args.root or default_datasets_dir()
    written = as_dicts(
        read_labelled(written_examples_path(), kind="examples", default_source="written").examples
    )
    parts = args.only.split(",")
    sections = []
    if "in-domain" in parts:
        sections.append(("In-domain macro-F1", run_in_domain(root)))
    if "loso" in parts:
        sections.append(
            (
                "Out of domain: leave one source out, and the probes",
                run_out_of_domain(root, written),
            )
        )
    if "source" in parts:
        sections.append(("Guess the source (lower is better)", run_guess_the_source(root)))
    if "time" in parts:
        sections.append(("Training time", run_training_time(root, written)))
    config = PipelineConfig()
    body = [
        f"Machine: {describe()}. Command: `python benchmarks/quality.py --results`. "
        f"Ours is the default `PipelineConfig` (word n-grams {config.word_ngrams}, "
        f"character n-grams {config.char_ngrams}, C grid {config.C_grid}, class weights "
        f"{config.class_weight}, sources weighted {config.source_weighting})."
    ]
    for title, table in sections:
        body.append(f"### {title}\n\n{table}")
        print(f"\n### {title}\n\n{table}")
    if args.results:
        replace_section("Model quality (benchmarks/quality.py)", "\n\n".join(body))


if __name__ == "__main__":
    main()
