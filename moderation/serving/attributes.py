"""Which Perspective attribute is answered by what: a label's probability or an attribute head
(``moderation.model.heads``), and the attributes no model here answers honestly.

==================  ============================================================================
attribute           answered by
==================  ============================================================================
``ABUSIVE``         P(abusive): insults, slurs, threats, harassment or dehumanising language
``CONSPIRACY``      P(conspiracy): events secretly planned or covered up, without evidence
``CIVIL``           P(civil)
``TOXICITY``        P(abusive). Perspective's "rude, disrespectful or unreasonable" is wider;
                    profanity that abuses nobody scores low here.
``INSULT``          its head: abuse aimed at a person
``IDENTITY_ATTACK`` its head: abuse aimed at a group for who they are
``THREAT``          its head: threats, wishes or calls for violence
``PROFANITY``       its head: swearing, aimed at anyone or no one
``SEVERE_TOXICITY`` its head: threats, dehumanisation and hate; not mere swearing
==================  ============================================================================

A model without a head does not answer that attribute. Perspective's other attributes
(``UNSUPPORTED``) are refused unless the request or the server asks for them to be left out.

The summary scale ``flag-threshold`` maps each score monotonically so that the attribute's own
flag threshold lands on Coral's default threshold (0.80): ``sigmoid(logit(p) - logit(t) +
logit(0.8))``. Comments keep their order; 0 and 1 stay where they are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

LABEL_ATTRIBUTES = {
    "ABUSIVE": "abusive",
    "CONSPIRACY": "conspiracy",
    "CIVIL": "civil",
    "TOXICITY": "abusive",
}
HEAD_ATTRIBUTES = ("INSULT", "IDENTITY_ATTACK", "THREAT", "PROFANITY", "SEVERE_TOXICITY")
ATTRIBUTES = (*LABEL_ATTRIBUTES, *HEAD_ATTRIBUTES)
UNSUPPORTED = (
    "SEXUALLY_EXPLICIT",
    "FLIRTATION",
    "SPAM",
    "ATTACK_ON_AUTHOR",
    "ATTACK_ON_COMMENTER",
    "INCOHERENT",
    "INFLAMMATORY",
    "LIKELY_TO_REJECT",
    "OBSCENE",
    "UNSUBSTANTIAL",
    "TOXICITY_EXPERIMENTAL",
    "SEVERE_TOXICITY_EXPERIMENTAL",
    "IDENTITY_ATTACK_EXPERIMENTAL",
    "INSULT_EXPERIMENTAL",
    "PROFANITY_EXPERIMENTAL",
    "THREAT_EXPERIMENTAL",
    "AFFINITY_EXPERIMENTAL",
    "COMPASSION_EXPERIMENTAL",
    "CURIOSITY_EXPERIMENTAL",
    "NUANCE_EXPERIMENTAL",
    "PERSONAL_STORY_EXPERIMENTAL",
    "REASONING_EXPERIMENTAL",
    "RESPECT_EXPERIMENTAL",
)
SCALES = ("probability", "flag-threshold")
CORAL_THRESHOLD = 0.8  # Coral's default threshold for the toxic comment filter
_EDGE = 1e-12


@dataclass(frozen=True)
class AttributeSource:
    """What answers one attribute: a label (``kind="label"``) or a head (``"head"``) named
    ``name``, and the model's flag threshold for it (None: CIVIL, which flags nothing)."""

    attribute: str
    kind: str
    name: str
    threshold: float | None

    def describe(self) -> dict[str, Any]:
        return {"from": f"{self.kind}:{self.name}", "flag_threshold": self.threshold}


_SOURCES: dict[int, tuple[Any, dict[str, AttributeSource]]] = {}


def attribute_sources(model: Any) -> dict[str, AttributeSource]:
    """The attributes ``model`` answers, each with what answers it (worked out once per
    loaded model)."""
    cached = _SOURCES.get(id(model))
    if cached is not None and cached[0] is model:
        return cached[1]
    sources = {
        attribute: AttributeSource(attribute, "label", label, model.thresholds.get(label))
        for attribute, label in LABEL_ATTRIBUTES.items()
        if label in model.labels
    }
    heads = model.heads.names if getattr(model, "heads", None) is not None else []
    thresholds = model.meta.head_thresholds
    for name in HEAD_ATTRIBUTES:
        if name in heads:
            sources[name] = AttributeSource(name, "head", name, thresholds.get(name))
    if len(_SOURCES) > 8:  # models replaced by reloads are forgotten
        _SOURCES.clear()
    _SOURCES[id(model)] = (model, sources)
    return sources


def unsupported_for(model: Any) -> list[str]:
    """Perspective's attributes ``model`` does not answer."""
    answered = attribute_sources(model)
    return [a for a in (*ATTRIBUTES, *UNSUPPORTED) if a not in answered]


def flag_threshold_scale(value: float, threshold: float | None) -> float:
    """``value`` mapped so that ``threshold`` lands on 0.80, monotonically (identity without
    a threshold)."""
    if threshold is None:
        return value
    p = min(max(value, _EDGE), 1 - _EDGE)
    logit = math.log(p / (1 - p)) - _logit(threshold) + _logit(CORAL_THRESHOLD)
    return 1.0 / (1.0 + math.exp(-logit)) if logit > -700 else 0.0


def _logit(p: float) -> float:
    return math.log(p / (1 - p))
