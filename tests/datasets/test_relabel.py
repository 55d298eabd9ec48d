"""The relabelling as data: reading, the settling rule, agreement and applying it to rows."""

from collections import Counter

import pytest

from moderation.datasets.relabel import (
    Relabel,
    agreement,
    apply_relabels,
    read_relabels,
    settle,
    summary,
    text_sha256,
)
from moderation.errors import InputError, ModerationError


def answer(row_id, label, annotator="A", *, old="abusive", double=False, text="you are late"):
    return Relabel(
        id=row_id,
        text_sha256=text_sha256(text),
        source=row_id.split(":")[0],
        source_label="offensive",
        old_label=old,
        label=label,
        target="none",
        threat=False,
        profanity=True,
        annotator=annotator,
        labelled_at="2026-12-07T03:30:00+00:00",
        reason="random",
        rid="r1",
        double=double,
    )


def test_settle_one_answer_agreement_disagreement_and_unclear():
    settled = settle(
        [
            answer("d:1", "civil"),
            answer("d:2", "abusive", "A", double=True),
            answer("d:2", "abusive", "B", double=True),
            answer("d:3", "civil", "A", double=True),
            answer("d:3", "abusive", "B", double=True),
            answer("d:4", "unclear"),
        ]
    )
    assert {k: (s.label, s.why) for k, s in settled.items()} == {
        "d:1": ("civil", "one annotator"),
        "d:2": ("abusive", "two agreed"),
        "d:3": (None, "disagreement"),
        "d:4": (None, "unclear"),
    }


def test_agreement_is_cohens_kappa_on_the_doubled_rows():
    pairs = [("civil", "civil"), ("abusive", "abusive"), ("civil", "abusive"), ("civil", "civil")]
    relabels = []
    for number, (a, b) in enumerate(pairs):
        relabels += [
            answer(f"d:{number}", a, "A", double=True),
            answer(f"d:{number}", b, "B", double=True),
        ]
    relabels.append(answer("d:9", "civil"))  # labelled once: not in the agreement
    found = agreement(relabels)
    assert found["rows"] == 4 and found["agreed"] == 3
    # observed 0.75; expected by chance 0.75*0.5 + 0.25*0.5 = 0.5 -> kappa 0.5
    assert found["kappa"] == pytest.approx(0.5)
    assert summary(relabels)["left_out"] == {"disagreement": 1}


def test_apply_relabels_changes_labels_and_refuses_another_text():
    settled = settle([answer("d:1", "civil"), answer("d:2", "unclear")])
    rows = [
        {"id": "d:1", "text": "you are late", "label": "abusive"},
        {"id": "d:2", "text": "you are late", "label": "abusive"},
        {"id": "d:3", "text": "other", "label": "civil"},
    ]
    counts = Counter()
    out = list(apply_relabels(rows, settled, counts))
    assert [(r["id"], r["label"]) for r in out] == [
        ("d:1", "civil"),
        ("d:2", None),
        ("d:3", "civil"),
    ]
    assert counts == {"one annotator": 1, "unclear": 1}
    with pytest.raises(ModerationError, match="d:1"):
        list(apply_relabels([{"id": "d:1", "text": "changed", "label": "abusive"}], settled))


def test_relabels_round_trip_and_a_bad_line_names_its_place(tmp_path):
    path = tmp_path / "relabels.jsonl"
    path.write_text(answer("d:1", "civil").to_json() + "\n")
    assert read_relabels(path) == [answer("d:1", "civil")]
    path.write_text(answer("d:1", "civil").to_json().replace('"civil"', '"rude"') + "\n")
    with pytest.raises(InputError, match="label must be one of"):
        read_relabels(path)
    path.write_text('{"id": "d:1"}\n')
    with pytest.raises(InputError, match="exactly the fields"):
        read_relabels(path)


def test_the_projects_relabelling_holds_no_text_and_agrees_enough():
    import orjson

    from moderation.datasets.recipes import relabels_path

    path = relabels_path()
    first = orjson.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert "text" not in first and len(first["text_sha256"]) == 64
    relabels = read_relabels(path)
    found = summary(relabels)
    assert found["agreement"]["rows"] >= 500 and found["agreement"]["kappa"] >= 0.7
    assert {r.label for r in relabels} <= {"civil", "abusive", "conspiracy", "unclear"}
