"""What ``meta.json`` holds, read and written through ModelMeta: checked on the way in, keys
it does not know kept."""

from __future__ import annotations

import json

import pytest

from moderation.errors import ModelLoadError
from moderation.model.meta import ModelMeta


def meta_json(**changes):
    value = {
        "model_id": "m1",
        "model_sha256": "ab12",
        "labels": ["civil", "abusive"],
        "thresholds": {
            "abusive": {"threshold": 0.4, "precision": 0.9, "recall": 0.5, "reached_target": True}
        },
        "versions": {"scikit-learn": "1.0"},
    }
    return {**value, **changes}


def test_meta_round_trips_keeping_keys_it_does_not_know():
    data = meta_json(future_key={"kept": True}, config={"max_chars": 300})
    meta = ModelMeta.from_json(data)
    assert meta.extra == {"future_key": {"kept": True}}
    assert meta.thresholds["abusive"].threshold == 0.4
    again = meta.to_json()
    assert again["future_key"] == {"kept": True}
    assert "heads" not in again and "audit" not in again
    assert ModelMeta.from_json(again) == meta


def test_meta_answers_with_defaults_for_older_files():
    meta = ModelMeta.from_json(meta_json())
    assert (meta.max_chars, meta.language) == (2000, "en")
    assert meta.flag_thresholds == {"abusive": 0.4}
    assert meta.head_thresholds == {} and meta.training_files == []
    assert meta.training_summary() == ""
    given = ModelMeta.from_json(
        meta_json(
            config={"max_chars": 50, "language": "de"},
            heads={"attributes": {"insult": {"threshold": {"threshold": 0.3}}}},
            training_data={
                "files": [{"path": "a.jsonl"}],
                "by_source": {"site": {"civil": 1200, "abusive": 34}, "forum": {"civil": 2}},
            },
        )
    )
    assert (given.max_chars, given.language) == (50, "de")
    assert given.head_thresholds == {"insult": 0.3}
    assert given.training_files == [{"path": "a.jsonl"}]
    assert given.training_summary() == "site 1,234, forum 2"


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ([], "not a JSON object"),
        ({"model_id": "m1"}, "missing model_sha256, labels, thresholds, versions"),
        (meta_json(model_id=" "), "model_id is not a name"),
        (meta_json(labels=["civil"]), "two or more distinct"),
        (meta_json(labels=["civil", "civil"]), "two or more distinct"),
        (meta_json(model_sha256=5), "model_sha256 is not a checksum"),
        (meta_json(versions=[]), "versions is not an object"),
        (meta_json(config="x"), "config is not an object"),
        (meta_json(thresholds=[]), "thresholds is not an object"),
        (meta_json(thresholds={"rude": {"threshold": 0.5}}), "thresholds for rude"),
        (meta_json(thresholds={"civil": {"threshold": 1.5}}), "between 0 and 1"),
        (meta_json(thresholds={"civil": {"threshold": float("nan")}}), "between 0 and 1"),
        (meta_json(thresholds={"civil": {"threshold": True}}), "between 0 and 1"),
        (meta_json(thresholds={"civil": 0.5}), "between 0 and 1"),
        (
            meta_json(thresholds={"civil": {"threshold": 0.5, "recall": "most"}}),
            "unreadable thresholds",
        ),
    ],
)
def test_meta_refuses_what_would_score_wrong_and_says_how_to_rebuild(data, problem):
    with pytest.raises(ModelLoadError, match=problem) as error:
        ModelMeta.from_json(data, "dir/meta.json")
    assert str(error.value).startswith("dir/meta.json: ")
    assert "moderation train --recipe default" in str(error.value)


def test_meta_write_then_read(tmp_path):
    meta = ModelMeta.from_json(meta_json(name="Ünïcode"))
    meta.write(tmp_path)
    assert "Ünïcode" in (tmp_path / "meta.json").read_text(encoding="utf-8")
    assert ModelMeta.read(tmp_path) == meta


def test_meta_read_says_what_is_wrong_with_the_directory(tmp_path):
    with pytest.raises(ModelLoadError, match="no such model directory"):
        ModelMeta.read(tmp_path / "absent")
    with pytest.raises(ModelLoadError, match="not a model directory"):
        ModelMeta.read(tmp_path)
    (tmp_path / "meta.json").write_text("{not json")
    with pytest.raises(ModelLoadError, match="not valid JSON"):
        ModelMeta.read(tmp_path)
    (tmp_path / "meta.json").write_text(json.dumps(meta_json(thresholds={"civil": {}})))
    with pytest.raises(ModelLoadError, match="between 0 and 1"):
        ModelMeta.read(tmp_path)


def test_check_labels_refuses_other_labels_or_another_order():
    meta = ModelMeta.from_json(meta_json())
    meta.check_labels(["civil", "abusive"], "pipeline.joblib")
    with pytest.raises(ModelLoadError, match="pipeline.joblib: holds the labels abusive, civil"):
        meta.check_labels(["abusive", "civil"], "pipeline.joblib")
