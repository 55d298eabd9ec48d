"""Promotion on evidence, through the Python API: what is measured, what is refused before
anything is switched, and the decision recorded."""

from __future__ import annotations

import json

import pytest

from moderation.errors import UsageError
from moderation.evaluation.promote import promote
from moderation.model.registry import resolve_model_dir

from fixtures.files import TINY_EXAMPLES


def test_the_active_model_is_not_promoted_again():
    result = promote("default")
    assert (result["promoted"], result["reason"]) == (False, "already active")
    assert result["candidate"] == result["current"]
    assert "evaluation" not in result and "record" not in result


def test_labels_of_one_kind_are_refused_before_anything_is_switched(tiny_model, tmp_path):
    civil = tmp_path / "civil.jsonl"
    texts = ["The ferry was late again.", "Nice photos of the pier.", "See you at the market."]
    civil.write_text(
        "".join(
            json.dumps({"id": f"e{n}", "text": t, "label": "civil"}) + "\n"
            for n, t in enumerate(texts)
        )
    )
    before = resolve_model_dir().resolve()
    with pytest.raises(UsageError, match="at least two labels") as refused:
        promote(str(tiny_model), evaluation=civil)
    assert "labels found: civil" in str(refused.value)
    assert resolve_model_dir().resolve() == before


def test_forced_over_overlapping_labels_the_evidence_and_warnings_are_kept(tiny_model):
    result = promote(str(tiny_model), evaluation=TINY_EXAMPLES, force=True)
    assert result["promoted"] and "record" in result
    assert result["reason"].startswith("forced although the evaluation labels overlap")
    evidence = result["evaluation"]
    assert evidence["data"] == str(TINY_EXAMPLES)
    assert evidence["examples"] == len(TINY_EXAMPLES.read_text().splitlines())
    assert evidence["overlap"]["candidate"]["refused"]  # its own training file
    assert {"candidate", "current"} <= set(evidence)
    assert result["warnings"]
    assert resolve_model_dir().resolve() == tiny_model.resolve()


def test_without_evidence_only_force_or_a_rollback_switches(tiny_model):
    shipped = resolve_model_dir().resolve()
    with pytest.raises(UsageError, match="needs evidence"):
        promote(str(tiny_model))
    assert resolve_model_dir().resolve() == shipped
    forced = promote(str(tiny_model), force=True)
    assert (forced["promoted"], forced["reason"]) == (True, "forced without an evaluation")
    back = promote("default")
    assert back["promoted"] and back["reason"].startswith("rollback")
    assert resolve_model_dir().resolve() == shipped
