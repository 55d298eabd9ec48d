"""The model card written beside every model: what it is for, what it learned from, how well
it did on held-out data, and where it is known to fail."""

from __future__ import annotations

from typing import Any

from moderation.datasets.catalogue import DATASETS
from moderation.model import language_card
from moderation.model.meta import ModelMeta
from moderation.model.metrics import few_labels_warning

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
- It learned from public English datasets (tweets, Reddit comments, news-site comments,
  Telegram posts, hateful and neutral statements about groups), with the rows whose source
  label means something else relabelled to our definitions by annotators, and from examples
  written for this project. Comments from other platforms, registers and languages are scored
  less well: measured with each source held out in turn (`benchmarks/RESULTS.md`), the ROC AUC
  on a source the model never saw is far below the in-distribution figures below. Retrain on
  your own labels (`moderation train --base`).
- Conspiracy rests on two public sources (Reddit posts describing linked articles; COVID-era
  Telegram posts with angry criticism that is not conspiracy beside them) and on written
  comments. Neither source predicts the other well, and the Telegram posts are all about COVID:
  conspiracy flags on a new site are less precise than the held-out figure below (see the
  thresholds), and a topic far from both (local politics, sport) is read less well.
- Davidson's data was sampled with a slur lexicon and its labels are known to be biased against
  a dialect (African-American English is more often labelled offensive); the model can inherit it.
  Check flags on comments written in dialect before acting on them.
- Words that name identity groups are not features, so the model cannot learn "mentions a group"
  as abuse; it also cannot tell which group a hostile comment targets, and a slur that is also
  a self-description (queer) is not evidence either way. The identity audit below measures what
  is left.
- A bag of words reads negation only near the negating word (``not_`` marks up to three words
  after it), and does not read sarcasm; implied derogation without hostile words is often missed.
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
    merged = []
    if adaptation.get("weak_overridden"):
        merged.append(
            f"{adaptation['weak_overridden']} weak label(s) gave way to a moderator's "
            "different label for the same comment."
        )
    if adaptation.get("disagreements_left_out"):
        merged.append(
            f"{adaptation['disagreements_left_out']} comment(s) moderators labelled differently "
            "were left out."
        )
    return f"""
## Site labels added
{how} {" ".join(merged)}
{_choice(adaptation.get("choice"))}
{files}
"""


def _choice(choice: dict[str, Any] | None) -> str:
    """How `train --base --add` chose its method, and what it measured."""
    if not choice:
        return ""
    chosen = choice["chosen"]
    tried = ", ".join(f"{name} {auc:.3f}" for name, auc in choice["site_roc_auc"].items())
    return (
        f"\nThe method was chosen on the site's labels: {chosen['method']} at strength "
        f"{chosen['strength']:g}, the best held-out ROC AUC on {choice['measured_on']} "
        f"(tried: {tried}; the base itself: {choice['base_site_roc_auc']:.3f}). The choice was "
        "made on the same folds that give the figures below, so they flatter it slightly.\n"
    )


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


CUE_WORDS = {
    "reported": 'reported insults read as other words ("called me a said_idiot")',
    "threat": 'threat patterns without swear words marked ("find where you live cuethreat")',
    "target": 'insults aimed at the reader read as other words ("you you_idiot")',
}


def _cues(config: dict[str, Any]) -> str:
    """The cues written into the text before it is split (``moderation.cues``)."""
    kinds = config.get("cue_marks") or ()
    return "".join(f", {CUE_WORDS[k]}" for k in kinds if k in CUE_WORDS)


def _held_out_texts(meta: ModelMeta) -> str:
    """The training rows left out because their text is a held-out split's (OLID's test)."""
    left = {
        f["dataset"]: f["held_out_texts_left_out"]
        for f in meta.training_files
        if f.get("held_out_texts_left_out")
    }
    if not left:
        return ""
    shown = ", ".join(f"{source} {n:,}" for source, n in left.items())
    return (
        "\nRows whose normalised text is also in a held-out split (OLID's test split, an "
        f"evaluation set) were left out of training: {shown}."
    )


def _relabelling(meta: ModelMeta) -> str:
    """What the recipe's relabelling changed (``data/relabelling``), when it applied one."""
    found = [f for f in meta.training_files if f.get("dataset") == "relabelling"]
    if not found:
        return ""
    entry = found[0]
    done = entry["relabelling"]
    agreement = done.get("agreement", {})
    applied = entry.get("applied", {})
    moves = "; ".join(f"{move}: {n:,}" for move, n in list(done["moves"].items())[:10])
    left = ", ".join(f"{why} {n:,}" for why, n in done.get("left_out", {}).items()) or "none"
    kappa = (
        f"Cohen's kappa {agreement['kappa']:.2f} on {agreement['rows']} rows labelled by two "
        f"annotators ({agreement['agreed']} agreed)"
        if agreement.get("rows")
        else "no row was labelled twice"
    )
    by_round = done.get("agreement_by_round", {})
    if len(by_round) > 1:
        rounds = "; ".join(
            f"round {n}: {a['kappa']:.2f} on {a['rows']}" for n, a in by_round.items() if a
        )
        used = ", ".join(map(str, done.get("rounds", [])))
        kappa += (
            f" ({rounds}). The rounds read one case differently: Davidson's offensive rows came "
            'out 60% abusive in round 1 and 39% in round 2 ("bitch" or "hoe" as the ordinary '
            f"word for a woman); this model uses rounds {used}, and `benchmarks/RESULTS.md` "
            "gives its figures with round 1 alone"
        )
    return f"""
## Relabelled to this project's definitions
{done["rows"]:,} rows of the public sources were relabelled by {len(done["annotators"])}
annotators who followed the written definitions and never saw a model or a score
(`data/relabelling/`, SHA-256 {entry["sha256"][:12]}); {sum(applied.values()):,} of them are in
this model's sources. {kappa}. Rule: one annotator's label stands, two who disagree and
`unclear` leave the pool (left out: {left}). What moved (old -> new): {moves}.
"""


def _length(config: dict[str, Any]) -> str:
    parts = []
    if config.get("length_nuisance"):
        parts.append(
            "fitted beside a comment-length column that is then dropped, so length is no evidence"
        )
    if config.get("norm_smoothing"):
        parts.append(
            f"vectors of short comments shortened (smoothing {config['norm_smoothing']:g})"
            ", so a few weak words stay near the prior"
        )
    return "; " + "; ".join(parts) if parts else ""


def _threshold_line(label: str, t: Any, config: dict[str, Any]) -> str:
    target = config.get("label_precision", {}).get(label, config["target_precision"])
    where = t.notes.get("chosen_on", "grouped folds of the training data")
    line = (
        f"- **{label}**: flag at p >= {t.threshold:.3f} (target precision {target:g}; "
        f"chosen on {where}: precision {t.precision:.2f}, recall {t.recall:.2f}"
    )
    elsewhere = t.notes.get("other_sources")
    site = t.notes.get("site")
    if site and site["kept_base"]:
        alone = (
            f"; they alone would have put it at {site['site_threshold']:.3f}"
            if site["labels"]
            else ""
        )
        line += f"; the base model's threshold, kept: {site['why']} ({site['labels']}{alone})"
    elif site:
        line += (
            f"; the site's own threshold {site['site_threshold']:.3f} moved towards the base's "
            f"{site['base_threshold']:.3f} with weight {site['weight']:.2f} for "
            f"{site['labels']} site labels"
        )
    if elsewhere:
        line += (
            f"; the target is not reached on sources the model did not see: there it gave "
            f"precision {elsewhere['precision']:.2f}, recall {elsewhere['recall']:.2f}"
        )
    elif not t.reached_target:
        line += "; the target precision was not reached"
    return line + ")"


def _other_sources(metrics: dict[str, Any]) -> str:
    held = metrics.get("other_sources")
    if not held:
        return ""
    rows = [
        "| held-out source | examples | ROC AUC (abusive) | ROC AUC (conspiracy) |",
        "|---|---|---|---|",
    ]
    for source, entry in held.items():
        aucs = entry["roc_auc"]
        rows.append(
            f"| {source} | {entry['examples']:,} | {_auc(aucs.get('abusive'))} | "
            f"{_auc(aucs.get('conspiracy'))} |"
        )
    return (
        "\nEach source held out in turn (a model trained on the others scores it): what to "
        "expect on a site the model has never seen.\n\n" + "\n".join(rows) + "\n"
    )


def _auc(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _audit(meta: ModelMeta) -> str:
    audit = meta.audit
    if not audit:
        return ""
    worst = sorted(audit["per_term"].items(), key=lambda kv: -(kv[1]["flag_rate"] or 0))[:8]
    rows = [
        "| term | group | civil sentences flagged | subgroup AUC | BPSN AUC | BNSP AUC |",
        "|---|---|---|---|---|---|",
    ]
    for term, t in worst:
        rows.append(
            f"| {term} | {t['group']} | {(t['flag_rate'] or 0):.1%} | "
            f"{_auc(t['subgroup_auc'])} | {_auc(t['bpsn_auc'])} | {_auc(t['bnsp_auc'])} |"
        )
    over = audit["terms_over_target"]
    return f"""
## Identity audit
{audit["sentences"]:,} template sentences (neutral, positive, self-descriptive and hostile) for
{audit["terms"]} identity terms (`moderation evaluate --audit`; `moderation/model/audit.py`). Civil
sentences that mention a group should not be flagged: the target is at most
{audit["target"]:.0%} per term. Highest flag rate {audit["max_flag_rate"]:.1%} (mean
{audit["mean_flag_rate"]:.2%}); terms over the target: {", ".join(over) if over else "none"}.
Hostile sentences flagged: {audit["hostile_recall"]:.1%}. Mean subgroup AUC
{_auc(audit["mean_subgroup_auc"])}, BPSN {_auc(audit["mean_bpsn_auc"])}, BNSP
{_auc(audit["mean_bnsp_auc"])} (Borkan et al., 2019).

{chr(10).join(rows)}
"""


def _heads(meta: ModelMeta) -> str:
    """The attribute heads: what each answers, its threshold and its held-out figures."""
    heads = meta.heads
    if not heads or not heads.get("attributes"):
        return ""
    rows = [
        "| attribute | flag at | held-out texts (positive) | ROC AUC | average precision "
        "| precision / recall at the threshold | ROC AUC by origin |",
        "|---|---|---|---|---|---|---|",
    ]
    sections = []
    for name, head in heads["attributes"].items():
        held, threshold = head["held_out"], head["threshold"]
        origins = ", ".join(
            f"{origin} {_auc(figures['roc_auc'])}" for origin, figures in held["by_origin"].items()
        )
        rows.append(
            f"| {name} | {threshold['threshold']:.3f} | {held['examples']:,} "
            f"({held['positives']:,}) | {_auc(held['roc_auc'])} | "
            f"{_auc(held['average_precision'])} | {_share(held.get('precision'))} / "
            f"{_share(held.get('recall'))} | {origins} |"
        )
        reached = "" if threshold.get("reached_target") else " (target precision not reached)"
        sections.append(
            f"- **{name}**: {head['description']}; trained on "
            f"{head['train']['examples']:,} texts ({head['train']['positives']:,} "
            f"positive){reached}."
        )
    marks = heads.get("data", {}).get("marks_by_origin", {})
    origin_lines = "; ".join(
        f"{name} " + ", ".join(f"{origin} {count:,}" for origin, count in counts.items())
        for name, counts in marks.items()
        if counts
    )
    relabelled = [
        f for f in heads.get("data", {}).get("files", []) if f.get("dataset") == "relabel"
    ]
    source = ""
    if relabelled:
        rounds = relabelled[0].get("rounds")
        which = f"rounds {', '.join(map(str, rounds))} of " if rounds else ""
        source = (
            f" The `relabel` marks are {which}`{relabelled[0]['file']}` (SHA-256 "
            f"{relabelled[0]['sha256'][:12]}), the relabelling the labels were trained on."
        )
    carried = heads.get("carried_from")
    note = (
        f"\nThese heads were carried over from `{carried}` by feature name when this model "
        "was retrained; the threshold and figures are the base model's, not measured again.\n"
        if carried
        else ""
    )
    return f"""
## Attribute heads
Besides the three labels, one binary logistic regression per Perspective attribute on the same
features (`moderation/model/heads.py`), each trained on the texts whose attribute is known:
the public datasets' own labels read by rule (`dataset`), rows relabelled by annotators who
followed this project's guidelines (`relabel`), and cases written for this project (`written`;
see `moderation/datasets/attribute_marks.py`). One thread in {heads["config"]["held_out_every"]} is
held out of each head's training and gives the figures below; thresholds are chosen on grouped
out-of-fold predictions of the rest for precision {heads["config"]["target_precision"]:g}.
TOXICITY is P(abusive) from the labels, not a head. Marks: {origin_lines}.{source}
{note}
{chr(10).join(sections)}

{chr(10).join(rows)}
"""


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _few_labels(metrics: dict[str, Any]) -> str:
    warning = few_labels_warning(metrics)
    return f"\n**Warning: {warning}.**\n" if warning else ""


def render_model_card(meta: ModelMeta) -> str:
    metrics = meta.cv_metrics
    thresholds = "\n".join(
        _threshold_line(label, t, meta.config) for label, t in meta.thresholds.items()
    )
    citations = "\n".join(
        f"- {DATASETS[s].citation}" for s in meta.training_data["by_source"] if s in DATASETS
    )
    config = meta.config
    english = meta.language == "en"
    intended = INTENDED_USE if english else language_card.intended_use(meta)
    limitations = LIMITATIONS if english else language_card.limitations(meta)
    features = f"word {config['word_ngrams'][0]}-{config['word_ngrams'][1]}-grams"
    if config.get("char_ngrams"):
        features += f" and character {config['char_ngrams'][0]}-{config['char_ngrams'][1]}-grams"
    if config.get("phrase_min_df"):
        features += (
            f", phrases of two adjacent words (stop words included) used by at least "
            f"{config['phrase_min_df']} training texts"
        )
    spelling = "with misspellings spelt as the frequent word they stand for"
    if config.get("spelling_languages"):
        spelling += (
            " (never a real word of "
            + "/".join(config["spelling_languages"])
            + ", and never into a swear word by a changed letter)"
        )
    return f"""# Model card: {{model_id}}

A comment-moderation classifier: for one comment it gives the probability of each label
({", ".join(meta.labels)}) and flags the labels a moderator should look at.

{intended}

## Model
One scikit-learn pipeline: text normalisation (platform placeholders, markup, entities,
obfuscation, emoji as words, negations marked{_cues(config)}), TF-IDF {features}
without stop words or identity terms, {spelling}, multinomial
logistic regression (C={meta.C:g}, class weights {config["class_weight"]}, sources weighted
{config["source_weighting"]}{_length(config)}). Created
{meta.created_at} with scikit-learn {meta.versions["scikit-learn"]}; trained in
{meta.training_seconds:.0f} s. Recipe: {meta.recipe or "none (example files)"}.

## Training data
{meta.training_data["count"]:,} labelled examples:

{_data_table(meta)}

{citations}

Mapping from each dataset's labels to ours: see `data/README.md`.{_held_out_texts(meta)}
{_relabelling(meta)}{_adaptation(meta)}
## Held-out quality
Cross-validated on {config["cv_folds"]} folds grouped by thread and by duplicate text
(macro-F1 {metrics["macro_f1"]:.3f}, accuracy {metrics["accuracy"]:.3f}). These figures are
in-distribution: on another site's comments expect lower; `benchmarks/RESULTS.md` reports
leave-one-source-out scores.
{_few_labels(metrics)}
{_metrics_table(metrics)}
{_other_sources(metrics)}
Flag thresholds:
{thresholds}
{_heads(meta)}{_audit(meta)}
## Known limitations and biases
{limitations}
"""
