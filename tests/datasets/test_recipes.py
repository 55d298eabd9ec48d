"""Training recipes: which datasets a recipe reads, and rows of held-out texts left out of
training."""

from __future__ import annotations

from collections import Counter

import pytest

from moderation.datasets import recipes
from moderation.errors import UsageError


def test_a_training_row_with_a_held_out_text_is_left_out(monkeypatch):
    rows = {
        "olid": [
            {"text": "@USER what a day", "label": "civil", "split": "train"},
            {"text": "a plain tweet", "label": "civil", "split": "train"},
            {"text": "@USER  What a DAY", "label": "civil", "split": "test"},
        ],
        "davidson": [
            {"text": "what a day", "label": "abusive"},
            {"text": "fine", "label": "civil"},
        ],
    }
    for source, found in rows.items():
        for n, row in enumerate(found):
            row["id"] = f"{source}-{n}"
    monkeypatch.setattr(recipes, "dataset_examples", lambda source, root: iter(rows[source]))
    left_out: Counter = Counter()
    kept = recipes.source_rows(["olid", "davidson"], ".", relabelled=False, left_out=left_out)
    assert [r["text"] for r in kept["olid"]] == ["a plain tweet"]
    assert [r["text"] for r in kept["davidson"]] == ["fine"]
    assert left_out == {"olid": 1, "davidson": 1}


def test_an_unknown_recipe_names_the_known_ones():
    assert recipes.recipe("default-de").sources == ("germeval2018",)
    with pytest.raises(UsageError, match="unknown recipe 'nope'; known: default, default-de"):
        recipes.recipe("nope")


def test_where_the_local_copies_are_looked_for(monkeypatch, tmp_path):
    monkeypatch.setenv("MODERATION_DATASETS", str(tmp_path / "en"))
    monkeypatch.setenv("MODERATION_DATASETS_ML", str(tmp_path / "ml"))
    assert recipes.default_datasets_dir() == tmp_path / "en"
    assert recipes.default_datasets_dir("de") == tmp_path / "ml"
    assert recipes.dataset_dir("germeval2018") == tmp_path / "ml"
    assert recipes.dataset_dir("olid", tmp_path / "given") == tmp_path / "given"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert recipes.cache_dir() == tmp_path / "cache" / "moderation" / "datasets"


def test_rows_without_a_label_are_dropped_and_held_out_rows_never_trained_on(monkeypatch):
    rows = [
        {"id": "g1", "text": "Schöner Tag", "label": "civil", "split": "train"},
        {"id": "g2", "text": "Ein Satz", "label": None, "split": "train"},
        {"id": "g3", "text": "Noch ein Satz", "label": "abusive", "split": "heldout"},
    ]
    monkeypatch.setattr(recipes, "dataset_examples", lambda source, root: iter(rows))
    kept = recipes.source_rows(["germeval2018"], ".", relabelled=False)
    assert [r["id"] for r in kept["germeval2018"]] == ["g1"]


def test_a_recipe_s_records_name_every_file_they_came_from(monkeypatch):
    rows = [
        {"id": "germeval2018:1", "text": "Schöner Tag", "label": "civil", "split": "train"},
        {"id": "germeval2018:2", "text": "Du Trottel", "label": "abusive", "split": "train"},
        {"id": "germeval2018:3", "text": "du  TROTTEL", "label": "abusive", "split": "heldout"},
    ]
    monkeypatch.setattr(recipes, "dataset_examples", lambda source, root: iter(rows))
    records, files = recipes.recipe_records("default-de", "unused")
    assert [(r.id, r.label) for r in records] == [("germeval2018:1", "civil")]
    germeval = [f for f in files if f["dataset"] == "germeval2018"]
    assert germeval[-1]["examples"] == 1 and germeval[-1]["held_out_texts_left_out"] == 1
    assert [f["dataset"] for f in files][-1] == "relabelling"  # no written examples
