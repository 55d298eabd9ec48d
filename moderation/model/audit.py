"""The identity audit: does the model treat comments that mention an identity group the same
as comments that do not?

``identity_templates.json`` (written for this project) holds identity terms (religions,
ethnicities, nationalities, genders, sexual orientations, disabilities, ages, migrants) with
the forms sentences need (``adjective``, ``plural``, ``singular``), and sentence templates of
four kinds: ``neutral``, ``positive`` and ``self`` (self-descriptions) are civil, ``hostile``
is abusive. Every template is rendered with every term.

Per term, ``audit`` reports the flag rate on its non-hostile sentences (a moderator's view:
how often a civil sentence that mentions the group is flagged), and the three ROC AUCs of
Borkan et al. (2019) on the abusive score: subgroup AUC (the term's sentences only), BPSN
(the term's non-hostile sentences against other terms' hostile ones) and BNSP (the term's
hostile sentences against other terms' non-hostile ones).

Half of the first set of templates of each kind were set aside (``split`` = ``test``) before
the default model was developed; the other half (``dev``) was used while developing. The test
half showed three templates flagged for every term; a second set (``holdout_templates``,
``split`` = ``holdout``), written afterwards by someone who had seen neither the model nor the
first templates, was then set aside and scored only at the end.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, Literal, NotRequired, Protocol, TypedDict

import numpy as np

from moderation.model.scoring import verdicts, word_counts

TEMPLATES = Path(__file__).with_name("identity_templates.json")
SLOTS: tuple[Literal["adjective", "plural", "singular"], ...] = ("adjective", "plural", "singular")
MAX_FLAG_RATE = 0.02  # the target: at most 2% of a term's civil sentences flagged
_SPLIT_SEED = 12


class TemplateTerm(TypedDict):
    """An identity term of ``identity_templates.json`` with the forms sentences need."""

    term: str
    group: str
    adjective: str
    plural: str
    singular: str


class Templates(TypedDict):
    """``identity_templates.json``: the terms, and the sentence templates by kind."""

    terms: list[TemplateTerm]
    templates: dict[str, list[str]]
    holdout_templates: NotRequired[dict[str, list[str]]]


class TermAudit(TypedDict):
    """One term's line of the audit."""

    group: str
    civil_sentences: int
    flag_rate: float | None
    subgroup_auc: float | None
    bpsn_auc: float | None
    bnsp_auc: float | None


class Audited(Protocol):
    """What the audit reads of a model: a loaded ``moderation.model.directory.Model`` or a
    ``moderation.model.train.TrainedModel``."""

    @property
    def labels(self) -> list[str]: ...
    @property
    def bias(self) -> np.ndarray: ...
    def predict_proba(self, texts: list[str]) -> np.ndarray: ...


@cache
def load_templates() -> Templates:
    templates: Templates = json.loads(TEMPLATES.read_text(encoding="utf-8"))
    return templates


def _splits(templates: dict[str, list[str]]) -> dict[tuple[str, int], str]:
    """Half of each kind's templates (seeded) are ``test``, the rest ``dev``."""
    rng = random.Random(_SPLIT_SEED)
    split = {}
    for kind, items in templates.items():
        order = list(range(len(items)))
        rng.shuffle(order)
        for rank, index in enumerate(order):
            split[(kind, index)] = "test" if rank < len(items) // 2 else "dev"
    return split


def render() -> list[dict[str, str]]:
    """Every template with every term: ``term``, ``group``, ``kind``, ``split``, ``text``."""
    data = load_templates()
    splits = _splits(data["templates"])
    sets: list[tuple[dict[str, list[str]], Callable[[str, int], str]]] = [
        (data["templates"], lambda kind, index: splits[(kind, index)]),
        (data.get("holdout_templates", {}), lambda kind, index: "holdout"),
    ]
    rows = []
    for term in data["terms"]:
        slots = {slot: term[slot] for slot in SLOTS}
        for templates_of, split_of in sets:
            for kind, templates in templates_of.items():
                for index, template in enumerate(templates):
                    text = template.format(**slots)
                    rows.append(
                        {
                            "term": term["term"],
                            "group": term["group"],
                            "kind": kind,
                            "split": split_of(kind, index),
                            "text": text[:1].upper() + text[1:],
                        }
                    )
    return rows


def _auc(positive: np.ndarray, scores: np.ndarray) -> float | None:
    from sklearn.metrics import roc_auc_score

    if positive.all() or not positive.any():
        return None
    return round(float(roc_auc_score(positive, scores)), 4)


def audit(model: Audited, thresholds: dict[str, float], split: str | None = None) -> dict[str, Any]:
    """The audit of ``model`` at its flag ``thresholds`` over every term, or over the
    templates of one ``split``."""
    rows = [r for r in render() if split is None or r["split"] == split]
    probabilities = np.asarray(model.predict_proba([r["text"] for r in rows]))
    results = verdicts(
        probabilities,
        model.labels,
        thresholds,
        model.bias,
        words=word_counts([r["text"] for r in rows]),
    )
    abusive = probabilities[:, list(model.labels).index("abusive")]
    hostile = np.array([r["kind"] == "hostile" for r in rows])
    flagged = np.array([bool(flags) for _, _, flags, _ in results])
    terms = np.array([r["term"] for r in rows])
    per_term: dict[str, TermAudit] = {}
    for term in dict.fromkeys(terms.tolist()):
        mine = terms == term
        civil = mine & ~hostile
        per_term[term] = {
            "group": next(r["group"] for r in rows if r["term"] == term),
            "civil_sentences": int(civil.sum()),
            "flag_rate": round(float(flagged[civil].mean()), 4) if civil.any() else None,
            "subgroup_auc": _auc(hostile[mine], abusive[mine]),
            "bpsn_auc": _auc(
                hostile[civil | (~mine & hostile)], abusive[civil | (~mine & hostile)]
            ),
            "bnsp_auc": _auc(
                hostile[(mine & hostile) | (~mine & ~hostile)],
                abusive[(mine & hostile) | (~mine & ~hostile)],
            ),
        }
    rates = [t["flag_rate"] for t in per_term.values() if t["flag_rate"] is not None]
    over = sorted(
        (t for t, v in per_term.items() if (v["flag_rate"] or 0) > MAX_FLAG_RATE),
        key=lambda t: -(per_term[t]["flag_rate"] or 0),
    )
    return {
        "terms": len(per_term),
        "sentences": len(rows),
        "split": split or "all",
        "hostile_recall": round(float(flagged[hostile].mean()), 4) if hostile.any() else None,
        "max_flag_rate": round(max(rates), 4) if rates else None,
        "mean_flag_rate": round(float(np.mean(rates)), 4) if rates else None,
        "terms_over_target": over,
        "target": MAX_FLAG_RATE,
        "per_term": per_term,
    }


def summary(result: dict[str, Any]) -> dict[str, Any]:
    """What a model's meta keeps of an audit: the headline figures and, per term, its flag
    rate and AUCs."""

    def mean(key: str) -> float | None:
        values = [t[key] for t in result["per_term"].values() if t[key] is not None]
        return round(float(np.mean(values)), 4) if values else None

    return {
        **{
            k: result[k]
            for k in (
                "terms",
                "sentences",
                "hostile_recall",
                "max_flag_rate",
                "mean_flag_rate",
                "terms_over_target",
                "target",
            )
        },
        "mean_subgroup_auc": mean("subgroup_auc"),
        "mean_bpsn_auc": mean("bpsn_auc"),
        "mean_bnsp_auc": mean("bnsp_auc"),
        "per_term": result["per_term"],
    }
