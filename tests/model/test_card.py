"""The model card: each section written from what meta.json holds, and left out when there is
nothing to say."""

from __future__ import annotations

import copy

import pytest

from moderation.model.card import (
    LIMITATIONS,
    _adaptation,
    _cues,
    _held_out_texts,
    _length,
    _metrics_table,
    _other_sources,
    _threshold_line,
    render_model_card,
)
from moderation.model.meta import ModelMeta
from moderation.model.thresholds import Threshold

CONFIG = {"target_precision": 0.8, "label_precision": {"conspiracy": 0.9}}


@pytest.fixture
def meta(tiny_model):
    return ModelMeta.read(tiny_model)


def test_the_card_of_the_tiny_model_says_what_it_learned_and_how_well(meta):
    card = render_model_card(meta)
    assert card.startswith("# Model card: {model_id}\n")
    assert "## Intended use" in card and LIMITATIONS in card
    assert f"{meta.training_data['count']:,} labelled examples" in card
    assert (
        "| tiny_examples | abusive 12, civil 12, conspiracy 12 | written for this project" in card
    )
    assert f"macro-F1 {meta.cv_metrics['macro_f1']:.3f}" in card
    assert f"- **abusive**: flag at p >= {meta.thresholds['abusive'].threshold:.3f}" in card
    assert "## Attribute heads" in card and "## Identity audit" in card
    assert "## Site labels added" not in card and "## Relabelled" not in card
    assert "**Warning: only 36 labelled examples" in card


def test_a_card_without_heads_audit_or_few_labels_leaves_those_sections_out(meta):
    plain = copy.deepcopy(meta)
    plain.heads, plain.audit = None, None
    plain.cv_metrics["examples"] = 50_000
    card = render_model_card(plain)
    assert "## Attribute heads" not in card and "## Identity audit" not in card
    assert "**Warning" not in card


def test_a_card_in_another_language_says_so(meta):
    german = copy.deepcopy(meta)
    german.config["language"] = "de"
    card = render_model_card(german)
    assert LIMITATIONS not in card
    assert card != render_model_card(meta)


def test_the_metrics_table_skips_rows_without_figures():
    table = _metrics_table(
        {
            "per_label": {
                "abusive": {"precision": 0.5, "recall": 0.25, "f1-score": 0.3333, "support": 8.0},
                "macro avg": {"support": 8},
            }
        }
    ).splitlines()
    assert table[2:] == ["| abusive | 0.500 | 0.250 | 0.333 | nan | 8 |"]


def test_a_threshold_line_says_where_it_was_chosen_and_what_it_missed():
    reached = Threshold("abusive", 0.4, 0.85, 0.5, True, {"chosen_on": "other sources"})
    assert _threshold_line("abusive", reached, CONFIG) == (
        "- **abusive**: flag at p >= 0.400 (target precision 0.8; chosen on other sources: "
        "precision 0.85, recall 0.50)"
    )
    missed = Threshold("conspiracy", 0.3, 0.6, 0.4, False)
    line = _threshold_line("conspiracy", missed, CONFIG)
    assert "target precision 0.9;" in line and "grouped folds of the training data" in line
    assert line.endswith("; the target precision was not reached)")
    elsewhere = Threshold(
        "abusive", 0.3, 0.6, 0.4, False, {"other_sources": {"precision": 0.42, "recall": 0.3}}
    )
    assert "there it gave precision 0.42, recall 0.30)" in _threshold_line(
        "abusive", elsewhere, CONFIG
    )


def test_a_threshold_line_says_how_the_sites_labels_moved_it():
    kept = {"kept_base": True, "why": "too few", "labels": 3, "site_threshold": 0.2}
    line = _threshold_line(
        "abusive", Threshold("abusive", 0.4, 0.8, 0.5, True, {"site": kept}), CONFIG
    )
    assert (
        "the base model's threshold, kept: too few (3; they alone would have put it at 0.200)"
        in line
    )
    moved = {
        "kept_base": False,
        "site_threshold": 0.2,
        "base_threshold": 0.4,
        "weight": 0.25,
        "labels": 40,
    }
    line = _threshold_line(
        "abusive", Threshold("abusive", 0.35, 0.8, 0.5, True, {"site": moved}), CONFIG
    )
    assert (
        "the site's own threshold 0.200 moved towards the base's 0.400 with weight 0.25 for 40"
        in line
    )


def test_adaptation_says_how_the_site_labels_were_added(meta):
    assert _adaptation(meta) == ""
    site = copy.deepcopy(meta)
    site.adaptation = {
        "added": [{"file": "site.db", "examples": 1200, "weak": 30, "sha256": "ab" * 32}],
        "no_base": False,
        "base_model": "base-1",
        "description": "prior",
        "weak_weight": 0.5,
        "weak_overridden": 2,
        "disagreements_left_out": 1,
    }
    text = _adaptation(site)
    assert "Retrained from base model `base-1` (prior); weak labels weigh x0.5" in text
    assert (
        "2 weak label(s) gave way" in text
        and "1 comment(s) moderators labelled differently" in text
    )
    assert "- `site.db`: 1,200 label(s), 30 weak (SHA-256 abababababab)" in text
    site.adaptation.update(no_base=True, weak_overridden=0, disagreements_left_out=0)
    text = _adaptation(site)
    assert "Trained on the site's labels alone (`--no-base`)." in text and "gave way" not in text


def test_other_sources_table_and_small_sections():
    assert _other_sources({}) == ""
    table = _other_sources(
        {"other_sources": {"forum": {"examples": 1500, "roc_auc": {"abusive": 0.8}}}}
    )
    assert "| forum | 1,500 | 0.800 | - |" in table
    assert _cues({"cue_marks": ["threat", "unknown"]}).startswith(", threat patterns")
    assert _cues({}) == ""
    assert _length({}) == ""
    assert _length({"length_nuisance": True, "norm_smoothing": 5.0}).count("; ") == 2


def test_held_out_texts_name_the_sources_they_were_left_out_of(meta):
    assert _held_out_texts(meta) == ""
    olid = copy.deepcopy(meta)
    olid.training_data["files"] = [{"dataset": "olid", "held_out_texts_left_out": 1234}]
    assert "were left out of training: olid 1,234." in _held_out_texts(olid)
