"""The checks a default model is judged by (issue 12), for one configuration at a time.

For a recipe-like configuration (training sources, source options, pipeline settings) this
measures:

- leave one source out: for every labelled source (training sources and probes), a model
  trained on the other training sources scores it; ROC AUC of the source's label;
- the functional suites (``benchmarks/_suite.py``: the first 33 categories and round 3's 17):
  macro-F1 by flags and accuracy by flags per category, on the ``dev`` split while developing
  and on the ``test`` split only at the end (``--split test``);
- the identity audit (``moderation.model.audit``): flag rate on non-hostile identity sentences per
  term, on the templates set aside for development unless ``--split test``;
- the first seed page: which comments are flagged;
- OLID's official test split: macro-F1 over civil / abusive (OFF -> abusive);
- civil comments: rank correlation between length and P(conspiracy);
- the top features: stop words among any label's top 200, identity terms among its top 100.

Run ``python benchmarks/model_checks.py --config NAME`` for one of the configurations in
``CONFIGS`` (what was tried, in order), or ``--all``. Results append to
``benchmarks/_work/model_checks.jsonl``. ``--config shipped --split test`` measures the
default recipe on the held-out halves; ``--results`` then writes RESULTS.md's sections "Model
quality" (that run) and "Model quality: what was tried" (every configuration's dev run).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import f1_score, roc_auc_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from _examples import as_examples  # noqa: E402
from _suite import judge, load_cases  # noqa: E402

from moderation.datasets.convert import examples as dataset_examples  # noqa: E402
from moderation.datasets.recipes import (  # noqa: E402
    DEFAULT_SETTINGS,
    DEFAULT_SOURCES,
    default_datasets_dir,
    source_rows,
    written_examples_path,
)
from moderation.labels.examples import read_labelled  # noqa: E402
from moderation.model.pipeline import PipelineConfig  # noqa: E402
from moderation.model.train import prepare_examples, train  # noqa: E402

WORK = Path(__file__).parent / "_work"
SEED_PAGE = ROOT.parent / "shared" / "seeds" / "000_1267603fcf74625e.txt"
# the label each source is about, for its leave-one-source-out ROC AUC
SOURCE_LABEL = {
    "davidson": "abusive",
    "olid": "abusive",
    "ruddit": "abusive",
    "psycomark": "conspiracy",
    "toxigen_prompts": "abusive",
    "hatemoji_build": "abusive",
    "fox_news": "abusive",
    "stormfront": "abusive",
    "convabuse": "abusive",
    "covid_vaccine_comments": "conspiracy",
    "pan2024_oppositional_en": "conspiracy",
}
PROBES = ("stormfront", "convabuse", "covid_vaccine_comments")


def load_sources(root: Path, names: list[str], options: dict[str, Any]) -> dict[str, list[dict]]:
    """The training rows of each source as the recipe reads them (``source_rows``). Options:
    ``relabelled`` (apply ``data/relabelling``), ``toxic_span_free_sentences``, and
    ``davidson_offensive="drop_unrelabelled"`` (Davidson's offensive rows that no annotator
    relabelled leave the pool)."""
    rounds = options.get("relabel_rounds")
    data = source_rows(
        names,
        root,
        relabelled=options.get("relabelled", False),
        rounds=tuple(rounds) if rounds else None,
    )
    if "toxic_spans" in data and not options.get("toxic_span_free_sentences", True):
        data["toxic_spans"] = [r for r in data["toxic_spans"] if r["source_label"] == "toxic"]
    if options.get("davidson_offensive") == "drop_unrelabelled" and "davidson" in data:
        data["davidson"] = [
            r for r in data["davidson"] if r["source_label"] != "offensive" or r.get("relabelled")
        ]
    written = read_labelled(written_examples_path(), kind="examples", default_source="written")
    data["written"] = [
        {
            "id": e.id,
            "text": e.text,
            "label": e.label,
            "thread_id": e.thread_id,
            "source": "written",
        }
        for e in written.examples
    ]
    return data


def train_model(data: dict[str, list[dict]], config: PipelineConfig, progress=None):
    """The package's own training (grouped folds, each source held out in turn, thresholds,
    the final fit): what ``moderation train`` ships for this configuration."""
    prepared = prepare_examples(as_examples(r for rows in data.values() for r in rows))
    return train(prepared, config, progress)


def column(pipeline, label: str) -> int:
    return list(pipeline.classes_).index(label)


def source_aucs(trained, probes) -> dict[str, float]:
    """Leave one source out: each training source's ROC AUC from the model trained without
    it, and each probe's from the final model (which never saw it)."""
    aucs = {}
    for source, entry in trained.cv_metrics.get("other_sources", {}).items():
        label = SOURCE_LABEL.get(source)
        if label in entry["roc_auc"]:
            aucs[source] = entry["roc_auc"][label]
    for name, rows in probes.items():
        probabilities = trained.pipeline.predict_proba([r["text"] for r in rows])
        label = SOURCE_LABEL[name]
        truth = np.array([r["label"] == label for r in rows])
        aucs[name] = round(
            float(roc_auc_score(truth, probabilities[:, column(trained.pipeline, label)])), 4
        )
    return aucs


def functional(pipeline, thresholds: dict[str, float], split: str) -> dict[str, Any]:
    """Both functional suites (``_suite``), judged as ``moderation score`` judges: prediction,
    flags, and no flag where the words give little evidence."""
    from moderation.model.scorer import label_weights
    from moderation.model.scoring import verdicts, word_counts

    cases = load_cases(split)
    texts = [c["text"] for c in cases]
    probabilities = pipeline.predict_proba(texts)
    bias = label_weights(pipeline.named_steps["classifier"])[1]
    classes = [str(c) for c in pipeline.classes_]
    judged = verdicts(probabilities, classes, thresholds, bias, words=word_counts(texts))
    return judge(
        cases,
        [prediction for prediction, _, _, _ in judged],
        [flags for _, _, flags, _ in judged],
        [scores for _, scores, _, _ in judged],
    )


def olid_test(pipeline, root: Path) -> float:
    rows = [r for r in dataset_examples("olid", root) if r["split"] == "test"]
    truth = ["abusive" if r["source_label"] == "OFF" else "civil" for r in rows]
    probabilities = pipeline.predict_proba([r["text"] for r in rows])
    predicted = np.array(pipeline.classes_)[probabilities.argmax(axis=1)]
    return round(float(f1_score(truth, predicted, labels=["civil", "abusive"], average="macro")), 4)


def seed_page(pipeline, thresholds) -> list[tuple[str, str, dict]]:
    from moderation.comments import Comment
    from moderation.formats import read_export

    comments = [r for r in read_export(SEED_PAGE) if isinstance(r, Comment)]
    texts = [c.unquoted_text() for c in comments]
    probabilities = pipeline.predict_proba(texts)
    classes = list(pipeline.classes_)
    out = []
    for comment, row in zip(comments, probabilities):
        flags = [label for label, t in thresholds.items() if row[classes.index(label)] >= t]
        out.append(
            (
                comment.author or "?",
                ",".join(flags),
                {c: round(float(p), 3) for c, p in zip(classes, row)},
            )
        )
    return out


def length_correlation(pipeline, probes) -> dict[str, float]:
    """Spearman's rho between length and P(conspiracy) on civil comments of 1-5 sentences
    from sources the model was not trained on."""
    result = {}
    for name in ("covid_vaccine_comments", "convabuse", "stormfront"):
        rows = [r for r in probes[name] if r["label"] == "civil"]
        rows = [r for r in rows if 1 <= r["text"].count(".") + 1 <= 5][:600]
        probabilities = pipeline.predict_proba([r["text"] for r in rows])
        rho = spearmanr(
            [len(r["text"]) for r in rows], probabilities[:, column(pipeline, "conspiracy")]
        ).correlation
        result[name] = round(float(rho), 3)
    civil = [c["text"] for c in load_cases("dev") if c["label"] == "civil"]
    probabilities = pipeline.predict_proba(civil)
    result["suite_dev_civil"] = round(
        float(
            spearmanr(
                [len(t) for t in civil], probabilities[:, column(pipeline, "conspiracy")]
            ).correlation
        ),
        3,
    )
    return result


def top_features(pipeline) -> dict[str, Any]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from moderation.lexicons import IDENTITY_TERMS

    audit_terms = audit_term_words()
    names = pipeline.named_steps["features"].get_feature_names_out()
    coef = pipeline.named_steps["classifier"].coef_
    report = {}
    for row, label in enumerate(pipeline.classes_):
        order = np.argsort(-coef[row])
        top200 = [str(names[i]).split("__")[-1] for i in order[:200]]
        report[label] = {
            "top10": top200[:10],
            "stop_in_top200": [t for t in top200 if t in ENGLISH_STOP_WORDS],
            "identity_in_top100": [
                t for t in top200[:100] if t in audit_terms or t in IDENTITY_TERMS
            ],
        }
    return report


def audit_term_words() -> set[str]:
    from moderation.model.audit import load_templates

    words = set()
    for term in load_templates()["terms"]:
        for form in ("term", "adjective", "plural"):
            words.update(term[form].lower().split())
    return words


def identity(pipeline, thresholds, split: str) -> dict[str, Any]:
    from moderation.model.audit import render

    # while developing: the dev templates only; at the end: the test half and the holdout set
    wanted = {"dev"} if split == "dev" else {"test", "holdout"}
    sentences = [s for s in render() if s["split"] in wanted]
    probabilities = pipeline.predict_proba([s["text"] for s in sentences])
    classes = list(pipeline.classes_)
    flagged: dict[str, list[int]] = {}
    for sentence, row in zip(sentences, probabilities):
        if sentence["kind"] == "hostile":
            continue
        hit = any(row[classes.index(label)] >= t for label, t in thresholds.items())
        flagged.setdefault(sentence["term"], []).append(int(hit))
    rates = {term: float(np.mean(v)) for term, v in flagged.items()}
    worst = sorted(rates.items(), key=lambda kv: -kv[1])[:8]
    return {
        "max_flag_rate": round(max(rates.values()), 4),
        "mean_flag_rate": round(float(np.mean(list(rates.values()))), 4),
        "terms_over_2pc": sum(r > 0.02 for r in rates.values()),
        "worst": [(t, round(r, 3)) for t, r in worst],
    }


def run_saved(model_dir: Path, split: str, root: Path) -> dict[str, Any]:
    """The checks of a model directory trained by ``moderation train --recipe default``
    (no training here): leave-one-source-out from its meta (each source held out while it
    was trained), the rest scored with its own pipeline and thresholds."""
    from types import SimpleNamespace

    from moderation.model.meta import ModelMeta
    from moderation.model.registry import load_model

    started = time.time()
    meta = ModelMeta.read(model_dir)
    model = load_model(model_dir)
    trained = SimpleNamespace(
        pipeline=model.pipeline, thresholds=meta.thresholds, cv_metrics=meta.cv_metrics
    )
    probes = {p: list(dataset_examples(p, root, labelled_only=True)) for p in PROBES}
    result = measure(trained, split, root, probes)
    return {
        "config": f"saved {meta.model_id}",
        "split": split,
        **result,
        "seconds": round(time.time() - started),
    }


def measure(trained, split: str, root: Path, probes: dict) -> dict[str, Any]:
    """Every check but the precision targets, for a trained pipeline and its thresholds."""
    full = trained.pipeline
    thresholds = {label: t.threshold for label, t in trained.thresholds.items()}
    aucs = source_aucs(trained, probes)
    return {
        "loso_mean_auc": round(float(np.mean(list(aucs.values()))), 4),
        "loso_mean_old_nine": round(
            float(np.mean([v for k, v in aucs.items() if k != "pan2024_oppositional_en"])), 4
        ),
        "loso": aucs,
        "thresholds": {k: t.to_dict() for k, t in trained.thresholds.items()},
        "functional": functional(full, thresholds, split),
        "identity": identity(full, thresholds, split),
        "olid_test_macro_f1": olid_test(full, root),
        "in_domain_auc": {
            label: e.get("roc_auc") for label, e in trained.cv_metrics["per_label"].items()
        },
        "seed_page": seed_page(full, thresholds),
        "length_rho": length_correlation(full, probes),
        "top_features": top_features(full),
    }


def run(name: str, split: str, root: Path) -> dict[str, Any]:
    spec = CONFIGS[name]
    started = time.time()
    settings = {
        "thresholds_from": "other_sources",
        "C_grid": [spec.get("C", 2.0)],
        **spec.get("pipeline", {}),
    }
    config = PipelineConfig.from_dict(settings, origin=name)
    data = load_sources(root, spec["sources"], spec.get("options", {}))
    probes = {p: list(dataset_examples(p, root, labelled_only=True)) for p in PROBES}
    print(f"{name}: {sum(len(v) for v in data.values()):,} training examples", flush=True)
    trained = train_model(data, config)
    return {
        "config": name,
        "split": split,
        "sources": spec["sources"],
        **measure(trained, split, root, probes),
        "precision_targets": precision_targets(trained, split),
        "seconds": round(time.time() - started),
    }


def run_quick(name: str, split: str, root: Path, model_dir: Path) -> dict[str, Any]:
    """A configuration fitted once on all its data (no folds, no source held out), flagged at
    the thresholds of the model in ``model_dir``: the functional suites, the identity audit,
    OLID's test split and the seed page in minutes instead of half an hour, to compare
    features side by side. Leave-one-source-out and thresholds need the full run."""
    from moderation.model.fitting import fit_pipeline
    from moderation.model.meta import ModelMeta
    from moderation.model.train import sample_weights

    spec = CONFIGS[name]
    started = time.time()
    config = PipelineConfig.from_dict(
        {"C_grid": [spec.get("C", 2.0)], **spec.get("pipeline", {})}, origin=name
    )
    data = load_sources(root, spec["sources"], spec.get("options", {}))
    examples = prepare_examples(as_examples(r for rows in data.values() for r in rows))
    print(f"{name} (quick): {len(examples):,} training examples", flush=True)
    weights = sample_weights(examples, config)
    full = fit_pipeline(config, config.C_grid[0], examples.texts, examples.labels, weights)
    thresholds = {k: t.threshold for k, t in ModelMeta.read(model_dir).thresholds.items()}
    return {
        "config": f"{name} (quick)",
        "split": split,
        "sources": spec["sources"],
        "quick": True,
        "thresholds_of": str(model_dir),
        "thresholds": {k: {"threshold": v} for k, v in thresholds.items()},
        "functional": functional(full, thresholds, split),
        "identity": identity(full, thresholds, split),
        "olid_test_macro_f1": olid_test(full, root),
        "seed_page": seed_page(full, thresholds),
        "top_features": top_features(full),
        "seconds": round(time.time() - started),
    }


def precision_targets(trained, split: str) -> dict[str, Any]:
    """What the flags would give at other precision targets (abusive 0.6-0.8, conspiracy 0.4
    or 0.6), chosen on the same held-out predictions as the model's own: the thresholds,
    where each was chosen, and functional macro-F1 and accuracy by flags."""
    from moderation.model.thresholds import choose_thresholds

    if trained.held_out_other_sources is None:
        return {}
    out = {}
    for abusive in (0.6, 0.7, 0.8):
        for conspiracy in (0.4, 0.6):
            chosen = choose_thresholds(
                trained.held_out_truth,
                trained.labels,
                {"abusive": abusive, "conspiracy": conspiracy},
                trained.config.min_flag_recall,
                trained.held_out,
                trained.held_out_other_sources,
            )
            cut = {k: t.threshold for k, t in chosen.items()}
            f = functional(trained.pipeline, cut, split)
            out[f"abusive {abusive} conspiracy {conspiracy}"] = {
                "thresholds": {k: round(v, 4) for k, v in cut.items()},
                "on_other_sources": {k: t.reached_target for k, t in chosen.items()},
                "conspiracy_other_sources": chosen["conspiracy"].notes.get("other_sources")
                or {"precision": chosen["conspiracy"].precision},
                "macro_f1_flags": f["macro_f1_flags"],
                "flag_overall": f["flag_overall"],
            }
    return out


def show(result: dict[str, Any]) -> None:
    f = result["functional"]
    print(f"\n== {result['config']} ({result['split']}) in {result['seconds']} s")
    print(f"LOSO mean AUC {result['loso_mean_auc']:.4f}: {result['loso']}")
    print(f"LOSO mean over the nine of issue 12: {result.get('loso_mean_old_nine')}")
    for name, found in result.get("precision_targets", {}).items():
        print(f"  at {name}: {found}")
    print(
        f"functional: macro-F1 by flags {f['macro_f1_flags']:.3f}, accuracy "
        f"{f['overall']:.3f}, by flags {f['flag_overall']:.3f}"
    )
    low = sorted(f["flags_per_category"].items(), key=lambda kv: kv[1])[:14]
    print("  lowest:", ", ".join(f"{k} {v:.2f}" for k, v in low))
    print(f"identity: {result['identity']}")
    print(f"OLID test macro-F1 {result['olid_test_macro_f1']}")
    print(f"in-domain ROC AUC {result.get('in_domain_auc')}")
    for label, t in result["thresholds"].items():
        print(f"threshold {label}: {t}")
    flagged = [(a, f) for a, f, _ in result["seed_page"] if f]
    print(f"seed page flags: {flagged}")
    print(f"length rho: {result['length_rho']}")
    for label, feats in result["top_features"].items():
        print(
            f"  {label}: top {feats['top10']}; stop words in top 200 "
            f"{len(feats['stop_in_top200'])} {feats['stop_in_top200'][:8]}; identity in top "
            f"100 {feats['identity_in_top100'][:8]}"
        )


BASE_SOURCES = ["davidson", "olid", "ruddit", "psycomark"]
NEW_SOURCES = ["toxigen_prompts", "hatemoji_build", "fox_news", "toxic_spans"]
ALL = BASE_SOURCES + NEW_SOURCES
FINAL_SOURCES = [s for s in ALL if s != "hatemoji_build"]  # measured: it lowered the others


def variant(
    C: float = 2.0, sources: list[str] = ALL, written: float | None = None, **pipeline: Any
) -> dict[str, Any]:
    """A configuration: training sources, C, ``[pipeline]`` settings, written examples'
    weight."""
    factors = pipeline.pop("extra_factors", {})
    if written is not None:
        factors["written"] = written
    if factors:
        pipeline["extra"] = {"source_factors": factors}
    return {"sources": sources, "C": C, "pipeline": pipeline}


DROP = ["stop", "identity"]
CHOSEN: dict[str, Any] = {
    "C": 4.0,
    "dropped_terms": DROP,
    "length_nuisance": True,
    "spelling_min_count": 20,
    "norm_smoothing": 100.0,
    "negation_scope": 3,
    "written": 5,
    "label_precision": {"conspiracy": 0.6},
}
# issue 23 starts from the shipped settings of issue 12
R3_START: dict[str, Any] = {**CHOSEN, "dropped_terms": DROP + ["source"]}
R3_DATA = {"relabelled": True, "davidson_offensive": "drop_unrelabelled"}
LANGUAGES = ["en", "de", "pt", "fr", "es"]
# issue 12's recipe sources (issue 23's recipe adds pan2024_oppositional_en)
ISSUE12_SOURCES = [s for s in DEFAULT_SOURCES if s != "pan2024_oppositional_en"]
R3_SOURCES = [*ISSUE12_SOURCES, "pan2024_oppositional_en"]
# the default recipe's settings, its written examples' weight as variant() takes it
RECIPE: dict[str, Any] = {
    **{k: v for k, v in DEFAULT_SETTINGS.items() if k not in ("extra", "C_grid", "cue_marks")},
    "C_grid": DEFAULT_SETTINGS["C_grid"],
    "written": DEFAULT_SETTINGS["extra"]["source_factors"]["written"],
}
# What was tried, in order (figures: benchmarks/RESULTS.md, "Model quality: what was tried").
CONFIGS: dict[str, dict[str, Any]] = {
    # the shipped recipe's sources and settings, with the second batch of written examples
    "baseline": variant(sources=BASE_SOURCES),
    "new_sources": variant(),
    "no_stop": variant(dropped_terms=["stop"]),
    "no_stop_identity": variant(dropped_terms=DROP),
    "l1": variant(C=20.0, dropped_terms=["stop"], norm="l1"),
    "written_x5": variant(dropped_terms=DROP, written=5),
    "written_x20": variant(dropped_terms=DROP, written=20),
    "written_x10_c5": variant(C=5.0, dropped_terms=DROP, written=10),
    "written_x10_balanced": variant(dropped_terms=DROP, class_weight="balanced", written=10),
    "length_nuisance": variant(dropped_terms=DROP, length_nuisance=True, written=20),
    "spelling": variant(
        dropped_terms=DROP, length_nuisance=True, spelling_min_count=20, written=20
    ),
    "spelling_l1": variant(
        C=20.0,
        dropped_terms=DROP,
        length_nuisance=True,
        spelling_min_count=20,
        norm="l1",
        written=20,
    ),
    "smooth100": variant(
        dropped_terms=DROP,
        length_nuisance=True,
        spelling_min_count=20,
        norm_smoothing=100.0,
        written=20,
    ),
    "smooth300": variant(
        dropped_terms=DROP,
        length_nuisance=True,
        spelling_min_count=20,
        norm_smoothing=300.0,
        written=20,
    ),
    "smooth_w5": variant(
        dropped_terms=DROP,
        length_nuisance=True,
        spelling_min_count=20,
        norm_smoothing=100.0,
        written=5,
    ),
    "smooth_w10": variant(
        dropped_terms=DROP,
        length_nuisance=True,
        spelling_min_count=20,
        norm_smoothing=100.0,
        written=10,
    ),
    "negation": variant(
        dropped_terms=DROP,
        length_nuisance=True,
        spelling_min_count=20,
        norm_smoothing=100.0,
        negation_scope=3,
        written=5,
    ),
    "psy_half": variant(
        dropped_terms=DROP,
        length_nuisance=True,
        spelling_min_count=20,
        norm_smoothing=100.0,
        negation_scope=3,
        written=5,
        extra_factors={"psycomark": 0.5},
    ),
    "no_psycomark": variant(
        sources=[s for s in ALL if s != "psycomark"],
        dropped_terms=DROP,
        length_nuisance=True,
        spelling_min_count=20,
        norm_smoothing=100.0,
        negation_scope=3,
        written=5,
    ),
    "conspiracy_p60": variant(
        dropped_terms=DROP,
        length_nuisance=True,
        spelling_min_count=20,
        norm_smoothing=100.0,
        negation_scope=3,
        written=5,
        label_precision={"conspiracy": 0.6},
    ),
    "c4": variant(
        C=4.0,
        dropped_terms=DROP,
        length_nuisance=True,
        spelling_min_count=20,
        norm_smoothing=100.0,
        negation_scope=3,
        written=5,
        label_precision={"conspiracy": 0.6},
    ),
    # the chosen settings, and each new dataset left out of them in turn
    "chosen": variant(**CHOSEN),
    **{
        f"chosen_without_{name}": variant(sources=[s for s in ALL if s != name], **CHOSEN)
        for name in NEW_SOURCES
    },
    "chosen_toxic_spans_toxic_only": {
        **variant(**CHOSEN),
        "options": {"toxic_span_free_sentences": False},
    },
    # after the test templates of the audit showed everyday words with large weights
    "final_sources": variant(sources=FINAL_SOURCES, **CHOSEN),
    "marks": variant(sources=FINAL_SOURCES, **{**CHOSEN, "dropped_terms": DROP + ["source"]}),
    "marks_c2": variant(
        sources=FINAL_SOURCES, **{**CHOSEN, "C": 2.0, "dropped_terms": DROP + ["source"]}
    ),
    "marks_w2": variant(
        sources=FINAL_SOURCES, **{**CHOSEN, "written": 2, "dropped_terms": DROP + ["source"]}
    ),
    "marks_c1_w2": variant(
        sources=FINAL_SOURCES,
        **{**CHOSEN, "C": 1.0, "written": 2, "dropped_terms": DROP + ["source"]},
    ),
    # precision measured as on a comment section: abuse 10% of comments, conspiracy 3%
    "marks_rates": variant(
        sources=FINAL_SOURCES,
        **{
            **CHOSEN,
            "dropped_terms": DROP + ["source"],
            "base_rates": {"abusive": 0.1, "conspiracy": 0.03},
        },
    ),
    # exactly what `moderation train --recipe default` trains (the shipped model)
    "shipped": {
        "sources": list(DEFAULT_SOURCES),
        "C": DEFAULT_SETTINGS["C_grid"][0],
        "pipeline": {k: v for k, v in DEFAULT_SETTINGS.items() if k != "C_grid"},
        "options": {"relabelled": True},
    },
    # issue 23: the relabelled pool, PAN 2024, spelling against dictionaries, phrases
    "r3_before": {**variant(sources=ISSUE12_SOURCES, **R3_START), "options": {}},
    "r3_relabelled": {
        **variant(sources=ISSUE12_SOURCES, **R3_START),
        "options": {"relabelled": True},
    },
    # Davidson's offensive rows no annotator saw leave the pool (the relabelled ones stay)
    "r3_drop_davidson": {
        **variant(sources=ISSUE12_SOURCES, **R3_START),
        "options": R3_DATA,
    },
    # PAN 2024 as a training source, measured by leaving it out (and it out of the others)
    "r3_pan": {
        **variant(sources=R3_SOURCES, **R3_START),
        "options": R3_DATA,
    },
    # real words never corrected (five languages), and phrases of two words
    "r3_pan_dictionary_phrases": {
        **variant(
            sources=R3_SOURCES,
            **R3_START,
            spelling_languages=LANGUAGES,
            phrase_min_df=10,
        ),
        "options": R3_DATA,
    },
    # every round of relabelling, the fourth batch of written examples, and everything above
    "r3_all": {
        **variant(sources=R3_SOURCES, **R3_START, spelling_languages=LANGUAGES, phrase_min_df=10),
        "options": {"relabelled": True},
    },
    "r3_all_round1": {
        **variant(sources=R3_SOURCES, **R3_START, spelling_languages=LANGUAGES, phrase_min_df=10),
        "options": {"relabelled": True, "relabel_rounds": [1]},
    },
    "r3_all_drop_davidson": {
        **variant(sources=R3_SOURCES, **R3_START, spelling_languages=LANGUAGES, phrase_min_df=10),
        "options": R3_DATA,
    },
    # issue 23, third session: the shipped recipe (OLID's repeated test tweets left out), and
    # with reported insults and threat patterns marked (moderation.cues)
    "r3_recipe": {
        **variant(sources=DEFAULT_SOURCES, **{**RECIPE, "C": RECIPE["C_grid"][0]}),
        "options": {"relabelled": True},
    },
    "r3_cues": {
        **variant(
            sources=DEFAULT_SOURCES,
            **{**RECIPE, "C": RECIPE["C_grid"][0]},
            cue_marks=["reported", "threat"],
        ),
        "options": {"relabelled": True},
    },
    "r3_cues_target": {
        **variant(
            sources=DEFAULT_SOURCES,
            **{**RECIPE, "C": RECIPE["C_grid"][0]},
            cue_marks=["reported", "threat", "target"],
        ),
        "options": {"relabelled": True},
    },
    "negation_w10": variant(
        dropped_terms=DROP,
        length_nuisance=True,
        spelling_min_count=20,
        norm_smoothing=100.0,
        negation_scope=3,
        written=10,
    ),
}


# issue 23's targets (issue 12's were 0.82, 0.80, 2%)
TARGET_LOSO, TARGET_OLID, TARGET_IDENTITY, TARGET_RHO = 0.78, 0.78, 0.05, 0.10
TARGET_FUNCTIONAL, TARGET_CATEGORY = 0.90, 0.75


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def results_sections(log: list[dict[str, Any]]) -> None:
    """Rewrite the two model-quality sections of RESULTS.md from the log: the shipped
    recipe's last run on the held-out split, and every configuration tried (its last run on
    the dev split), in the order first tried."""
    from _machine import describe
    from results import replace_section

    final = [
        r
        for r in log
        if (r["config"] == "shipped" or r["config"].startswith("saved ")) and r["split"] == "test"
    ]
    if not final:
        sys.exit("no run of --config shipped (or --model DIR) --split test in the log yet")
    r = final[-1]
    flagged = [(author, flags) for author, flags, _ in r["seed_page"] if flags]
    rho = max(r["length_rho"].values())
    stop = {k: v["stop_in_top200"] for k, v in r["top_features"].items()}
    ident = {k: v["identity_in_top100"] for k, v in r["top_features"].items()}
    loso = "\n".join(
        f"| {source} | {SOURCE_LABEL[source]} | "
        f"{'probe (never trained on)' if source in PROBES else 'training source, left out'} "
        f"| {auc:.3f} |"
        for source, auc in r["loso"].items()
    )
    thresholds = "\n".join(
        f"| {label} | {t['threshold']:.3f} | {t['precision']:.2f} | {t['recall']:.2f} | "
        f"{t['chosen_on']} | {'yes' if t['reached_target'] else '**no**'} |"
        for label, t in r["thresholds"].items()
    )
    f = r["functional"]
    lowest = min(f["flags_per_category"].items(), key=lambda kv: kv[1])
    how = (
        f"The shipped model `{r['config'].removeprefix('saved ')}` (trained by `moderation "
        "train --recipe default`), checked by `python benchmarks/model_checks.py --model "
        f"models/default --split test` in {r['seconds']} s; leave-one-source-out from its "
        "training run (each source held out in turn)"
        if r["config"].startswith("saved ")
        else "The shipped recipe, trained by the benchmark with the package's own `train` "
        f"(`--config shipped --split test`) in {r['seconds']} s, checks included"
    )
    body = f"""Machine: {describe()}. {how}; then `--results`.

| target | measured | |
|---|---|---|
| functional suites, test split: macro-F1 by flags >= {TARGET_FUNCTIONAL}, no category below \
{TARGET_CATEGORY} (by flags) | {f["macro_f1_flags"]:.3f} ({f["cases"]} cases); lowest \
{lowest[0]} {lowest[1]:.2f} | {
        _met(f["macro_f1_flags"] >= TARGET_FUNCTIONAL and lowest[1] >= TARGET_CATEGORY)
    } |
| leave-one-source-out mean ROC AUC >= {TARGET_LOSO} | {r["loso_mean_auc"]:.3f} (over issue \
12's nine: {r.get("loso_mean_old_nine", r["loso_mean_auc"]):.3f}) | \
{_met(r["loso_mean_auc"] >= TARGET_LOSO)} |
| OLID test split macro-F1 >= {TARGET_OLID} (predictions) | {r["olid_test_macro_f1"]:.3f} | \
{_met(r["olid_test_macro_f1"] >= TARGET_OLID)} |
| identity: flag rate on non-hostile sentences <= {TARGET_IDENTITY:.0%} for every term \
(held-out templates) | max {r["identity"]["max_flag_rate"]:.1%}, mean \
{r["identity"]["mean_flag_rate"]:.1%} | \
{_met(r["identity"]["max_flag_rate"] <= TARGET_IDENTITY)} |
| no identity term among any label's top 100 features | {ident} | \
{_met(not any(ident.values()))} |
| no stop word among any label's top 200 features | {stop} | {_met(not any(stop.values()))} |
| rank correlation of length and P(conspiracy) on civil comments <= {TARGET_RHO} | max \
{rho:.3f} ({r["length_rho"]}) | {_met(rho <= TARGET_RHO)} |
| first seed page: Arnold Layne's comment flagged conspiracy, at most one other flag | \
{flagged} | {_met(len(flagged) <= 2 and any(f == "conspiracy" for _, f in flagged))} |

Functional suites (held-out split): accuracy {f["overall"]:.3f}, right by flags \
{f["flag_overall"]:.3f}; per category in "Functional suite (benchmarks/functional.py)".

### Leave one source out

| source | label | how | ROC AUC |
|---|---|---|---|
{loso}
| **mean** | | | **{r["loso_mean_auc"]:.3f}** |

### Flag thresholds

| label | threshold | precision | recall | chosen on | target reached |
|---|---|---|---|---|---|
{thresholds}

Worst identity terms: {r["identity"]["worst"]}. Top features: \
{ {k: v["top10"] for k, v in r["top_features"].items()} }.
"""
    replace_section("Model quality (benchmarks/model_checks.py)", body)
    first_seen: dict[str, int] = {}
    last_dev: dict[str, dict] = {}
    for number, entry in enumerate(log):
        if entry["split"] == "dev":
            first_seen.setdefault(entry["config"], number)
            last_dev[entry["config"]] = entry
    rows = []
    for name in sorted(last_dev, key=first_seen.__getitem__):
        e = last_dev[name]
        flags = sum(1 for _, f, _ in e["seed_page"] if f)
        macro = e["functional"].get("macro_f1_flags")
        quick = e.get("quick", False)  # one fit, another model's thresholds: no LOSO
        rows.append(
            f"| {name} | {'-' if quick else len(e['loso'])} | "
            f"{'-' if quick else format(e['loso_mean_auc'], '.3f')} | "
            f"{e['functional']['overall']:.3f} | {e['functional']['flag_overall']:.3f} | "
            f"{'-' if macro is None else f'{macro:.3f}'} | "
            f"{e['identity']['max_flag_rate']:.1%} | {e['olid_test_macro_f1']:.3f} | {flags} | "
            f"{'-' if quick else format(max(e['length_rho'].values()), '.2f')} |"
        )
    body = (
        "Machine: " + describe() + ". Command: `python benchmarks/model_checks.py --config "
        "NAME` for each configuration in `CONFIGS` (their settings are in the script), then "
        "`--results`. Each row is the configuration's last run, measured with the code of "
        "its day, on the development halves only: the functional suite's dev split and the "
        "identity audit's dev templates (the held-out halves are scored once, for the "
        "shipped recipe, above). Columns: sources in the leave-one-source-out mean; that "
        "mean; functional accuracy, accuracy by flags and macro-F1 by flags (the first suite "
        "only until issue 23, both suites after; '-': not measured then); the worst "
        "identity term's flag rate; OLID test macro-F1; flags on the first seed page; the "
        "largest length correlation. Rows named '(quick)' (`--quick models/default`) fit the "
        "configuration once on all its data and flag at the shipped model's thresholds: "
        "no source held out, so no LOSO or length figures, for comparing features side by "
        "side in minutes.\n\n"
        "| configuration | sources | LOSO mean | functional | by flags | macro-F1 by flags | "
        "identity max | OLID test | seed flags | length rho |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n" + "\n".join(rows)
    )
    replace_section("Model quality: what was tried (benchmarks/model_checks.py)", body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", action="append", help="configuration name (repeatable)")
    parser.add_argument("--all", action="store_true")
    parser.add_argument("--split", default="dev", choices=["dev", "test"])
    parser.add_argument("--from", dest="datasets", type=Path, default=None)
    parser.add_argument(
        "--results", action="store_true", help="write RESULTS.md's sections from the log"
    )
    parser.add_argument(
        "--model", type=Path, default=None, help="check a saved model directory (no training)"
    )
    parser.add_argument(
        "--quick",
        type=Path,
        default=None,
        metavar="MODEL_DIR",
        help="fit each --config once and flag at MODEL_DIR's thresholds (no folds, no source "
        "held out): features side by side in minutes",
    )
    args = parser.parse_args()
    if args.results:
        log = WORK / "model_checks.jsonl"
        results_sections([json.loads(line) for line in log.read_text().splitlines() if line])
        return
    names = list(CONFIGS) if args.all else (args.config or ["baseline"])
    root = args.datasets or default_datasets_dir()
    WORK.mkdir(exist_ok=True)
    if args.model is not None:
        result = run_saved(args.model, args.split, root)
        show(result)
        with open(WORK / "model_checks.jsonl", "a") as handle:
            handle.write(json.dumps(result) + "\n")
        return
    for name in names:
        if args.quick is not None:
            result = run_quick(name, args.split, root, args.quick)
            print(json.dumps({k: result[k] for k in ("config", "olid_test_macro_f1")}))
            f = result["functional"]
            print(f"functional macro-F1 by flags {f['macro_f1_flags']:.3f}", flush=True)
            with open(WORK / "model_checks.jsonl", "a") as handle:
                handle.write(json.dumps(result) + "\n")
            continue
        result = run(name, args.split, root)
        show(result)
        with open(WORK / "model_checks.jsonl", "a") as handle:
            handle.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
