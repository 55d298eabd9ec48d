"""What a model card says about a model that reads another language than English: what it is
for, what it was trained on, and what has not been measured (``model.card`` uses these in
place of the English default's sections)."""

from __future__ import annotations

from moderation.languages import language_name
from moderation.model.meta import ModelMeta

# What each shipped language's data is, in plain words, and what it has not been measured on.
TRAINED_ON = {
    "de": (
        "German tweets of 2018 (GermEval 2018's training split), most of them political, "
        "many answering politicians or news outlets, gathered from a small set of accounts. "
        "Measured by the dataset's authors' successors on German news-site and Facebook "
        "comments, a model "
        "like this one scored ROC AUC 0.56-0.64: far below its in-set figure."
    ),
    "pt": (
        "Brazilian Portuguese tweets of 2019 (ToLD-Br, without its official test texts), "
        "sampled to cover demographic groups; only the clear cases (no annotator flagged "
        "anything, or two of three flagged a targeted insult or hate)."
    ),
    "fr": (
        "French tweets of 2018-2019 (MLMA), collected with hate keywords: four in five are "
        "hostile, so its civil texts are few and unlike everyday comments. The text is lower-cased "
        "and its accents are stripped; comments written with accents use other characters "
        "than it learned."
    ),
    "es": (
        "Spanish Telegram posts on COVID-19 from channels opposed to the official response "
        "(PAN 2024): conspiracy narratives against critical messages. **There are no abuse "
        "labels**: this model only says whether a comment reads as conspiracy; civil here "
        "means not conspiracy, and it never measures abuse."
    ),
}


def intended_use(meta: ModelMeta) -> str:
    name = language_name(meta.language)
    return f"""## Intended use
Helping the moderators of {name}-language comment sections decide which comments to read
first: score new comments, flag whole exports, and retrain on their own labels. Comments that
the language detector finds to be in another language are never scored by this model (they
are marked `not_scored: language`, or scored by that language's model). Not intended for
automatic removal, for judging people, or for text that is not a {name} comment.

Label definitions: **abusive** is insults, slurs, threats, harassment or dehumanising language
aimed at a person or group (profanity alone is not abuse); **conspiracy** is the claim that
events are secretly planned or covered up by a hidden, powerful group, offered without evidence
(criticism of a government or policy is not); **civil** is everything else. Labels this model
does not have ({_missing(meta)}) are not measured for {name} comments."""


def _missing(meta: ModelMeta) -> str:
    missing = [label for label in ("civil", "abusive", "conspiracy") if label not in meta.labels]
    return ", ".join(missing) if missing else "none"


def limitations(meta: ModelMeta) -> str:
    name = language_name(meta.language)
    if meta.recipe == f"default-{meta.language}" and meta.language in TRAINED_ON:
        return f"""\
- It learned from {TRAINED_ON[meta.language]}
- Its figures below are **in-set**: cross-validated on the same source it was trained on. The
  source's official test split is not freely available here, so `benchmarks/RESULTS.md`
  measures it on a fifth of that source held out by a hash of the text before any model was
  built. **It has not been measured on comments from any other source**: on a news site's or a
  forum's comments expect much lower figures, and retrain on your own labels (`moderation
  train --language {meta.language} --add STORE`, which starts from this model, or from your
  labels alone with `--no-base`).
{_common(name)}"""
    return f"""\
- It learned from the labels listed under Training data and nothing else (`site` is a site's
  own labels: its moderators' answers and its platform's decisions, of comments detected to
  be in {name}). Its figures below are cross-validated on those labels, grouped by thread; on
  another site's comments expect lower.
{_common(name)}"""


def _common(name: str) -> str:
    return f"""\
- Function words, words that name identity groups and words that name a platform are left
  out of its vocabulary ({name} lists in `moderation/languages/word_lists.py`), so "mentions a
  group" is not evidence of abuse; no identity audit with {name} template sentences has been
  run.
- Negations are not marked and misspellings are not corrected in {name} (the English model's
  word lists do not apply).
- Flags are a reason for a person to look, not a decision. Do not remove comments or sanction
  people on the score alone."""
