"""What a model was trained on, as fingerprints: found again in labelled comments by id or by
text, and the very training file recognised by its checksum."""

from __future__ import annotations

import numpy as np
import pytest

from moderation.errors import ModelLoadError
from moderation.files import sha256_file
from moderation.model.meta import ModelMeta
from moderation.model.overlap import (
    Overlap,
    TrainingFingerprints,
    find_overlap,
    id_key,
    text_key,
)

IDS = ["a", "site:b", "c"]
TEXTS = ["First  Words", "second words", "third words"]


def meta_with(training_data):
    return ModelMeta.from_json(
        {
            "model_id": "m1",
            "model_sha256": "00",
            "labels": ["civil", "abusive"],
            "thresholds": {},
            "versions": {},
            "training_data": training_data,
        }
    )


def test_keys_ignore_case_spacing_and_the_site_prefix():
    assert text_key("  Hello\n  THERE ") == "hello there"
    assert (
        id_key("site:42") == "42" and id_key("42") == "42" and id_key("web:site:1") == "web:site:1"
    )


def test_fingerprints_are_sorted_unique_and_unite():
    prints = TrainingFingerprints.of(["x", "site:x", "y"], ["Same", "same", "other"])
    assert prints.ids.size == 2 and prints.texts.size == 2
    assert list(prints.ids) == sorted(prints.ids)
    more = prints.union(TrainingFingerprints.of(["y", "z"], ["new"]))
    assert more.ids.size == 3 and more.texts.size == 3
    assert prints.union(None) is prints


def test_fingerprints_save_and_load_checked_by_checksum(tmp_path):
    prints = TrainingFingerprints.of(IDS, TEXTS)
    record = prints.save(tmp_path / "training.npz")
    assert record == {
        "file": "training.npz",
        "sha256": sha256_file(tmp_path / "training.npz"),
        "ids": 3,
        "texts": 3,
    }
    loaded = TrainingFingerprints.load(tmp_path, record)
    assert loaded is not None
    assert np.array_equal(loaded.ids, prints.ids) and np.array_equal(loaded.texts, prints.texts)
    assert TrainingFingerprints.load(tmp_path, None) is None
    with pytest.raises(ModelLoadError, match="changed"):
        TrainingFingerprints.load(tmp_path, {**record, "sha256": "0" * 64})
    with pytest.raises(ModelLoadError, match="missing"):
        TrainingFingerprints.load(tmp_path / "elsewhere", record)


def test_find_overlap_counts_comments_seen_by_id_or_text(tmp_path):
    record = TrainingFingerprints.of(IDS, TEXTS).save(tmp_path / "training.npz")
    meta = meta_with({"fingerprints": record})
    found = find_overlap(
        tmp_path,
        meta,
        str(tmp_path / "absent.jsonl"),
        ["b", "new1", "new2", "a"],
        ["unseen", "FIRST words", "unseen too", "second words"],
    )
    assert (found.shared_ids, found.shared_texts, found.shared) == (2, 2, 3)
    assert found.sample == ["b", "new1", "a"]
    assert found.share == 0.75 and found.refused and found.checked_contents
    assert "3 of 4 labelled comments" in found.message()
    assert "2 by id, 2 by text (e.g. b, new1, a)" in found.message()


def test_find_overlap_recognises_the_training_file_itself(tmp_path):
    data = tmp_path / "train.jsonl"
    data.write_text("{}\n")
    meta = meta_with({"files": [{"file": "train.jsonl", "sha256": sha256_file(data)}]})
    found = find_overlap(tmp_path, meta, str(data), ["x"], ["words"])
    assert found.same_file == ["train.jsonl"] and found.refused
    assert not found.checked_contents  # no fingerprints recorded: an older model
    assert "is the very file model m1 was trained on" in found.message()
    assert found.to_dict()["refused"] is True


def test_a_small_share_is_not_refused():
    assert not Overlap("m", "d", 100, shared=2).refused
    assert Overlap("m", "d", 100, shared=3).refused
    assert Overlap("m", "d", 0).share == 0.0
