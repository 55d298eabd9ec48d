"""Promotion on evidence: a model becomes the active one of its language only if, on labelled
comments it did not train on, it is not worse than that language's active model (the policy is
``moderation.model.registry.decide``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from moderation.errors import UsageError
from moderation.evaluation.evaluate import check_overlap, evaluate, overlap_warnings
from moderation.labels.examples import read_labelled
from moderation.model.registry import (
    COMPARED,
    compared_metrics,
    current_entry,
    decide,
    find_model,
    history,
    load_model,
    set_active,
)


def promote(
    name: str, *, evaluation: Path | None = None, force: bool = False, tolerance: float = 0.0
) -> dict[str, Any]:
    """Make model ``name`` the active one of the language it reads if the promotion policy
    allows: on ``evaluation`` (labelled comments) it must not be worse than that language's
    active model. Returns both models' summaries (``current`` None when no model reads the
    language yet), their metrics, and whether (and why) it was promoted."""
    candidate = find_model(name)
    current = current_entry(candidate.meta.language)
    result: dict[str, Any] = {
        "candidate": candidate.summary(),
        "current": current.summary() if current is not None else None,
        "promoted": False,
    }
    evidence = None
    warnings: list[str] = []
    if (
        evaluation is not None
        and current is not None
        and candidate.path.resolve() != current.path.resolve()
    ):
        data = read_labelled(evaluation)
        scores = {}
        overlaps = {}
        for which, entry in (("candidate", candidate), ("current", current)):
            model = load_model(entry.path)
            found = check_overlap(model, data, force=force)
            warnings.extend(overlap_warnings(found))
            overlaps[which] = found.to_dict()
            scores[which] = evaluate(model, data).metrics
        evidence = {
            "data": str(evaluation),
            "examples": len(data),
            **{which: compared_metrics(m) for which, m in scores.items()},
            "overlap": overlaps,
        }
        missing = sorted({k for m in scores.values() for k in COMPARED if m.get(k) is None})
        if missing:  # refused before anything is switched
            raise UsageError(
                f"{evaluation}: {', '.join(missing)} cannot be measured on these comments "
                f"(labels found: {', '.join(sorted(set(data.labels)))}); promotion needs "
                "labelled comments of at least two labels"
            )
        result["evaluation"] = evidence
    _, torn = history()
    if torn:
        warnings.append(f"{torn} (set aside in the .torn file)")
    if warnings:
        result["warnings"] = warnings
    decision = decide(candidate, current, evidence, force=force, tolerance=tolerance)
    result["reason"] = decision.reason
    if decision.promote:
        result["record"] = set_active(candidate, current, evidence, decision.reason)
        result["promoted"] = True
    return result
