"""The model card written beside every model: what it is for, what it learned from, how well
it did on held-out data, and where it is known to fail."""

from __future__ import annotations

from typing import Any

from moderation.datasets.registry import DATASETS
from moderation.model.meta import ModelMeta

INTENDED_USE = """## Intended use
Helping the moderators of comment sections under news articles and blog posts decide which
comments to read first: score new comments, flag whole exports, and retrain on their own labels.
Not intended for automatic removal, for judging people, or for text that is not an English
comment.

Label definitions: **abusive** is insults, slurs, threats, harassment or dehumanising language
aimed at a person or group (profanity alone is not abuse); **conspiracy** is the claim that
events are secretly planned or covered up by a hidden, powerful group, offered without evidence
(criticism of a government or policy is not); **civil** is everything else."""

LIMITATIONS = """\
- It learned from English tweets (Davidson, OLID), Reddit comments (Ruddit, PsyCoMark) and
  examples written for this project. Comments from other platforms, other registers and other
  languages will be scored less well; retrain on your own labels (`moderation train --base`).
- Davidson's data was sampled with a slur lexicon and its labels carry a documented dialect bias
  (African-American English is more often labelled offensive); the model can inherit it.
  Check flags on comments written in dialect before acting on them.
- Words that name identity groups appear more often in abusive than in civil training texts.
  The written examples counter this, but a civil comment that mentions a group can still score
  higher than the same comment without it.
- Conspiracy examples come mostly from one source of Reddit posts that describe linked articles
  and videos; short conspiracy comments in other styles are caught less often.
- A bag of words does not read negation, quotation or sarcasm reliably: reported or condemned
  abuse can be flagged.
- Flags are a reason for a person to look, not a decision. Do not remove comments or sanction
  people on the score alone."""


def _metrics_table(metrics: dict[str, Any]) -> str:
    rows = ["| label | precision | recall | F1 | ROC AUC | support |", "|---|---|---|---|---|---|"]
    for label, values in metrics["per_label"].items():
        if "precision" not in values:
            continue
        rows.append(
            f"| {label} | {values['precision']:.3f} | {values['recall']:.3f} | "
            f"{values['f1-score']:.3f} | {values.get('roc_auc', float('nan')):.3f}"
            f" | {int(values['support'])} |"
        )
    return "\n".join(rows)


SITE_SOURCES = {
    "site": "the site's own labels (moderators)",
    "site-weak": "the site's own labels (weak: from the platform's status)",
}


def _adaptation(meta: ModelMeta) -> str:
    adaptation = meta.adaptation
    if not adaptation:
        return ""
    files = "\n".join(
        f"- `{f['file']}`: {f['examples']:,} label(s)"
        + (f", {f['weak']:,} weak" if f.get("weak") else "")
        + f" (SHA-256 {f['sha256'][:12]})"
        for f in adaptation["added"]
    )
    if adaptation["no_base"]:
        how = "Trained on the site's labels alone (`--no-base`)."
    else:
        how = (
            f"Retrained from base model `{adaptation['base_model']}` "
            f"({adaptation['description']}); weak labels weigh "
            f"x{adaptation['weak_weight']:g} of a moderator's."
        )
    return f"""
## Site labels added
{how}

{files}
"""


def _data_table(meta: ModelMeta) -> str:
    rows = ["| source | examples by label | licence |", "|---|---|---|"]
    for source, counts in meta.training_data["by_source"].items():
        dataset = DATASETS.get(source)
        licence = (
            dataset.licence
            if dataset
            else SITE_SOURCES.get(source, "written for this project (MIT)")
        )
        shown = ", ".join(f"{label} {count:,}" for label, count in counts.items())
        rows.append(f"| {source} | {shown} | {licence} |")
    return "\n".join(rows)


def render_model_card(meta: ModelMeta) -> str:
    metrics = meta.cv_metrics
    thresholds = "\n".join(
        f"- **{label}**: flag at p >= {t.threshold:.3f} (held-out precision "
        f"{t.precision:.2f}, recall {t.recall:.2f}"
        f"{'' if t.reached_target else '; the target precision was not reached'})"
        for label, t in meta.thresholds.items()
    )
    citations = "\n".join(
        f"- {DATASETS[s].citation}" for s in meta.training_data["by_source"] if s in DATASETS
    )
    config = meta.config
    features = f"word {config['word_ngrams'][0]}-{config['word_ngrams'][1]}-grams"
    if config.get("char_ngrams"):
        features += f" and character {config['char_ngrams'][0]}-{config['char_ngrams'][1]}-grams"
    return f"""# Model card: {{model_id}}

A comment-moderation classifier: for one comment it gives the probability of each label
({", ".join(meta.labels)}) and flags the labels a moderator should look at.

{INTENDED_USE}

## Model
One scikit-learn pipeline: text normalisation (platform placeholders, markup, entities,
obfuscation), TF-IDF {features}, multinomial logistic regression (C={meta.C:g}, class weights
{config["class_weight"]}, sources weighted {config["source_weighting"]}). Created
{meta.created_at} with scikit-learn {meta.versions["scikit-learn"]}; trained in
{meta.training_seconds:.0f} s. Recipe: {meta.recipe or "none (example files)"}.

## Training data
{meta.training_data["count"]:,} labelled examples:

{_data_table(meta)}

{citations}

Mapping from each dataset's labels to ours: see `data/README.md`.
{_adaptation(meta)}
## Held-out quality
Cross-validated on {config["cv_folds"]} folds grouped by thread and by duplicate text
(macro-F1 {metrics["macro_f1"]:.3f}, accuracy {metrics["accuracy"]:.3f}). These figures are
in-distribution: on another site's comments expect lower; `benchmarks/RESULTS.md` reports
leave-one-source-out scores.

{_metrics_table(metrics)}

Flag thresholds (target precision {config["target_precision"]}):
{thresholds}

## Known limitations and biases
{LIMITATIONS}
"""
