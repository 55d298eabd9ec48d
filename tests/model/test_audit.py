"""The identity audit: templates rendered for every term, per-term flag rates and AUCs, and
`moderation evaluate --audit`."""

import json
from collections import Counter

from moderation.cli import app
from moderation.model.audit import audit, load_templates, render
from moderation.model.registry import load_model


def test_every_template_is_rendered_for_every_term_and_split_in_halves():
    data = load_templates()
    rows = render()
    assert len(data["terms"]) >= 50
    templates = [*data["templates"].values(), *data["holdout_templates"].values()]
    assert len(rows) == len(data["terms"]) * sum(map(len, templates))
    kinds = Counter((r["kind"], r["split"]) for r in rows)
    for kind in data["templates"]:
        assert abs(kinds[(kind, "dev")] - kinds[(kind, "test")]) <= len(data["terms"])
    assert all("{" not in r["text"] for r in rows)


def test_audit_reports_each_term(tiny_model):
    model = load_model(tiny_model)
    result = audit(model, model.thresholds)
    assert result["terms"] == len(load_templates()["terms"])
    muslim = result["per_term"]["muslim"]
    assert 0 <= muslim["flag_rate"] <= 1 and muslim["civil_sentences"] > 0
    assert {"subgroup_auc", "bpsn_auc", "bnsp_auc"} <= set(muslim)


def test_evaluate_audit_command(runner, tiny_model):
    result = runner.invoke(app, ["evaluate", "--audit", "-m", str(tiny_model), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["model"] == load_model(tiny_model).id and "per_term" in data
    table = runner.invoke(app, ["evaluate", "--audit", "-m", str(tiny_model)])
    assert "identity audit over" in table.output and "BPSN" in table.output
    missing = runner.invoke(app, ["evaluate", "-m", str(tiny_model)])
    assert missing.exit_code == 2 and "--audit" in missing.output


def test_every_trained_model_carries_its_audit(tiny_model):
    meta = load_model(tiny_model).meta
    assert meta.audit["terms"] >= 50 and "max_flag_rate" in meta.audit
    assert "## Identity audit" in (tiny_model / "MODEL_CARD.md").read_text()
