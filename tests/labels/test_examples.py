"""One reader for every labelled input: examples, stores, exports, spreadsheets."""

from __future__ import annotations

import json

import pytest

from moderation.errors import InputError
from moderation.labels.examples import read_labelled

from fixtures.files import SAMPLES
from fixtures.stores import label_record

LABELLED_CSV = SAMPLES / "comments.csv"


def test_read_labelled_set_reads_exports_and_stores_and_refuses_unlabelled(tmp_path):
    export = read_labelled(LABELLED_CSV)
    assert len(export) == 5 and set(export.labels) == {"civil", "abusive", "conspiracy"}
    store = tmp_path / "labels.jsonl"
    store.write_text(
        json.dumps(
            {"id": "a", "action": "label", "label": "civil", "text": "fine", "labeller": "ana"}
        )
        + "\n"
    )
    assert read_labelled(store).labels == ["civil"]
    with pytest.raises(InputError, match="wordpress.xml: no labelled comments"):
        read_labelled(SAMPLES / "wordpress.xml")


def test_read_labelled_gives_training_records_with_weak_marks(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_text(
        json.dumps(label_record("a", "civil"))
        + "\n"
        + json.dumps(label_record("b", "abusive", weak=True))
        + "\n"
    )
    found = read_labelled(path)
    assert found.kind == "store" and found.warnings == []
    assert [(e.id, e.label, e.weak) for e in found.examples] == [
        ("a", "civil", False),
        ("b", "abusive", True),
    ]
