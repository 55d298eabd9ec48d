"""The models in other languages, measured through the command line, and what detecting each
comment's language does to the English figures.

    python benchmarks/language_models.py [--results]

1. Per language (de, pt, fr, es): `moderation datasets prepare NAME --split heldout` (the fifth
   of the training file held out by a hash of the text before any model was built; the sets'
   official test splits are not freely available here) and `moderation evaluate` of the
   shipped model on it: ROC AUC and macro-F1, beside the model's cross-validated macro-F1
   from its meta.json.
2. English, unchanged: OLID's official test split scored by `moderation score --jsonl --json`
   with `--language en` (nothing detected: today's figures) and without (each tweet's
   language detected): macro-F1 of the predictions (civil/abusive; a tweet not scored counts
   as civil), and how many tweets went to another language's model or to none.
3. The seed pages flagged by `moderation flag` with detection: comments per language and the
   flags (the first page: exactly one conspiracy comment and no abuse).

``--results`` writes the section "Models in other languages (benchmarks/language_models.py)"
of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _machine import describe  # noqa: E402
from results import replace_section  # noqa: E402

from moderation.datasets.recipes import RECIPES, default_datasets_dir  # noqa: E402
from moderation.model.meta import ModelMeta  # noqa: E402

SECTION = "Models in other languages (benchmarks/language_models.py)"
CHECKOUT = HERE.parent
SEEDS = CHECKOUT.parent / "shared" / "seeds"


def moderation(*args: str, stdin: bytes | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "moderation", *args],
        input=stdin,
        capture_output=True,
        check=True,
    )
    return done.stdout.decode()


def per_language(folder: Path) -> list[str]:
    rows = [
        "| language | model | held-out fifth (texts) | ROC AUC | macro-F1 | CV macro-F1 (meta) |",
        "|---|---|---|---|---|---|",
    ]
    for language in ("de", "pt", "fr", "es"):
        recipe = RECIPES[f"default-{language}"]
        source = recipe.sources[0]
        held = folder / f"{language}.jsonl"
        moderation("datasets", "prepare", source, "--split", "heldout", "-o", str(held))
        model = CHECKOUT / "models" / f"default-{language}"
        found = json.loads(moderation("evaluate", str(held), "--model", str(model), "--json"))
        meta = ModelMeta.read(model)
        per_label = found["per_label"]
        auc = (
            per_label["abusive"]["roc_auc"]
            if "abusive" in per_label
            else per_label["conspiracy"]["roc_auc"]
        )
        rows.append(
            f"| {language} | {meta.model_id} ({source}) | {found['examples']:,} | "
            f"{auc:.3f} | {found['macro_f1']:.3f} | {meta.cv_metrics['macro_f1']:.3f} |"
        )
        print(rows[-1], flush=True)
    return rows


def english(folder: Path) -> list[str]:
    from sklearn.metrics import f1_score

    from moderation.datasets.convert import examples

    rows = [r for r in examples("olid", default_datasets_dir("en")) if r["split"] == "test"]
    truth = ["abusive" if r["source_label"] == "OFF" else "civil" for r in rows]
    stdin = "".join(json.dumps({"text": r["text"]}) + "\n" for r in rows).encode()
    lines = []
    for name, extra in (("`--language en`", ["-l", "en"]), ("detected", [])):
        records = [
            json.loads(line)
            for line in moderation("score", "--jsonl", "--json", *extra, "-", stdin=stdin)
            .strip()
            .splitlines()
        ]
        predicted = [r["prediction"] or "civil" for r in records]
        predicted = [p if p in ("civil", "abusive") else "civil" for p in predicted]
        macro = f1_score(truth, predicted, labels=["civil", "abusive"], average="macro")
        languages = Counter(r["language"] for r in records)
        unscored = sum(1 for r in records if r.get("not_scored") == "language")
        others = ", ".join(f"{code} {n}" for code, n in languages.most_common() if code != "en")
        lines.append(
            f"- OLID test ({len(rows):,} English tweets), {name}: macro-F1 {macro:.3f}; "
            f"languages: en {languages.get('en', 0):,}"
            + (f", {others}" if others else "")
            + f"; not scored (no model): {unscored}"
        )
        print(lines[-1], flush=True)
    return lines


def seed_pages(folder: Path) -> list[str]:
    lines = []
    for page in sorted(SEEDS.glob("*.txt")):
        summary = folder / f"{page.stem}.json"
        moderation(
            "flag", str(page), "-o", str(folder / f"{page.stem}.jsonl"), "--summary", str(summary)
        )
        data = json.loads(summary.read_text())
        languages = ", ".join(f"{c} {e['comments']}" for c, e in data["languages"].items())
        lines.append(
            f"- seed page `{page.name}`: {data['comments']} comments ({languages}); flagged "
            f"{data['flagged']}"
        )
        print(lines[-1], flush=True)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        table = per_language(Path(folder))
        notes = english(Path(folder)) + seed_pages(Path(folder))
    body = (
        f"Machine: {describe()} (other developers' work on the same 2 cores; these are "
        "quality figures, not timings). Command: `python benchmarks/language_models.py "
        "--results`. Each shipped model on the fifth of its own set held out before any model "
        "was built, through `moderation datasets prepare NAME --split heldout` and `moderation "
        "evaluate`: an in-set figure (the official test splits are not freely available "
        "here). ROC AUC is abusive's, conspiracy's for Spanish (its set has no abuse labels).\n\n"
        + "\n".join(table)
        + "\n\nThe English model and the seed pages with every comment's language detected:\n\n"
        + "\n".join(notes)
    )
    if args.results:
        replace_section(SECTION, body)


if __name__ == "__main__":
    main()
