"""What the datasets and the relabelled rows say about each attribute (invented rows only)."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import pytest

from moderation.datasets.attribute_marks import (
    AttributeExample,
    answers_by_row,
    attribute_data,
    merge_marks,
    read_attribute_examples,
    relabel_location,
    settled_marks,
    source_marks,
)
from moderation.datasets.relabel import Relabel, read_relabels
from moderation.errors import InputError


def row(source, row_id, text, label, source_label):
    return {
        "id": f"{source}:{row_id}",
        "thread_id": f"{source}:{row_id}",
        "text": text,
        "label": label,
        "source": source,
        "source_label": source_label,
    }


def sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


def test_olid_levels_say_who_is_targeted():
    levels = {"1": ("TIN", "IND"), "2": ("TIN", "GRP"), "3": ("UNT", "NULL"), "4": ("NULL", "NULL")}
    person = source_marks(row("olid", 1, "you clown", "abusive", "OFF"), levels)
    group = source_marks(row("olid", 2, "those people", "abusive", "OFF"), levels)
    swearing = source_marks(row("olid", 3, "damn it", None, "OFF"), levels)
    clean = source_marks(row("olid", 4, "nice day", "civil", "NOT"), levels)
    assert person == {"INSULT": 1, "IDENTITY_ATTACK": 0}
    assert group == {"INSULT": 0, "IDENTITY_ATTACK": 1}
    assert swearing["INSULT"] == 0 and "PROFANITY" not in swearing  # untargeted: unknown
    assert clean == {
        "INSULT": 0,
        "IDENTITY_ATTACK": 0,
        "THREAT": 0,
        "SEVERE_TOXICITY": 0,
        "PROFANITY": 0,
    }


def test_davidson_ruddit_and_group_statements():
    assert source_marks(row("davidson", 1, "x", "abusive", "hate"), {})["SEVERE_TOXICITY"] == 1
    offensive = source_marks(row("davidson", 2, "x", "abusive", "offensive"), {})
    assert offensive == {"IDENTITY_ATTACK": 0, "SEVERE_TOXICITY": 0, "PROFANITY": 1}
    assert source_marks(row("ruddit", 3, "x", "abusive", "+0.700"), {}) == {"SEVERE_TOXICITY": 1}
    assert source_marks(row("ruddit", 4, "x", None, "+0.400"), {}) == {"SEVERE_TOXICITY": 0}
    hate = source_marks(row("toxigen_prompts", "a", "x", "abusive", "hate_women_1k"), {})
    assert hate == {"IDENTITY_ATTACK": 1, "INSULT": 0}
    # an abusive row of a source that does not say what kind: nothing known
    assert source_marks(row("fox_news", 5, "x", "abusive", "1"), {}) == {}


def answer(annotator, label, target, threat, profanity, row_id="davidson:1", text="x", rnd=1):
    """One annotator's answer, as a line of data/relabelling/relabels.jsonl holds it."""
    return Relabel(
        id=row_id,
        text_sha256=sha(text),
        source=row_id.split(":")[0],
        source_label="offensive",
        old_label="abusive",
        label=label,
        target=target,
        threat=threat,
        profanity=profanity,
        annotator=annotator,
        labelled_at="2026-12-07T03:30:10+00:00",
        reason="invented",
        rid=f"r-{annotator}-{row_id}",
        double=False,
        round=rnd,
    )


def test_annotators_who_disagree_leave_the_attribute_unknown():
    insult = answer("A", "abusive", "person", False, True)
    group = answer("B", "abusive", "identity", False, True)
    settled = settled_marks([insult, group])
    assert settled["INSULT"] is None and settled["IDENTITY_ATTACK"] is None
    assert settled["PROFANITY"] == 1 and settled["THREAT"] == 0
    threat = settled_marks([answer("A", "abusive", "person", True, False)])
    assert threat["THREAT"] == 1 and threat["SEVERE_TOXICITY"] == 1
    assert settled_marks([insult, answer("C", "unclear", "none", False, False)]) is None


def test_relabelled_marks_replace_the_datasets_and_a_changed_text_is_not_trusted():
    relabels = answers_by_row(
        [
            answer("A", "abusive", "person", False, False, "davidson:1", "you rotten clown"),
            answer("A", "civil", "none", False, True, "davidson:2", "what a day"),
        ]
    )
    dataset = [
        row("davidson", 1, "you rotten clown", "abusive", "offensive"),
        row("davidson", 2, "what a day, edited", "abusive", "offensive"),
    ]
    counts = Counter()
    first, second = merge_marks(dataset, {}, relabels, counts)
    # the annotator: an insult without swearing; the dataset's "profanity" is replaced
    assert first.marks["INSULT"] == 1 and first.marks["PROFANITY"] == 0
    assert first.origin["PROFANITY"] == "relabel"
    assert first.marks["SEVERE_TOXICITY"] == 0 and first.origin["SEVERE_TOXICITY"] == "dataset"
    # the text is not the one the annotator saw: the dataset's own marks stay
    assert second.origin == dict.fromkeys(second.marks, "dataset")
    assert counts["relabel: text differs"] == 1


def test_the_heads_read_the_relabelling_file_the_recipes_apply_and_only_its_rounds(
    tmp_path, monkeypatch
):
    path = tmp_path / "relabels.jsonl"
    first = answer("D", "abusive", "identity", True, False, "olid:9", "t")
    second = answer("F", "civil", "none", False, False, "olid:9", "t", rnd=2)
    path.write_text(first.to_json() + "\n" + second.to_json() + "\n")
    monkeypatch.setenv("MODERATION_RELABEL", str(path))
    assert relabel_location() == path
    data = attribute_data(None, relabel=path, rounds=(1,), written=None)
    assert data.files == [
        {"file": str(path), "sha256": sha(path.read_text()), "dataset": "relabel", "rounds": [1]}
    ]
    both = answers_by_row(read_relabels(path))
    assert [a.annotator for a in both["olid:9"]] == ["D", "F"]
    # read together, the two disagree on the attack and the threat; both say no swearing
    settled = settled_marks(both["olid:9"])
    assert settled["IDENTITY_ATTACK"] is None and settled["THREAT"] is None
    assert settled["PROFANITY"] == 0 and settled["INSULT"] == 0
    path.write_text(first.to_json() + "\n{not json\n")
    with pytest.raises(InputError, match=r"relabels.jsonl.*2"):
        attribute_data(None, relabel=path, written=None)


def test_attribute_examples_file_names_the_line_of_a_bad_mark(tmp_path):
    path = tmp_path / "attributes.jsonl"
    good = AttributeExample("t-1", "I will find you.", {"THREAT": 1})
    path.write_text(good.to_json() + "\n" + json.dumps({"text": "x", "marks": {"SPAM": 1}}))
    with pytest.raises(InputError, match=r"attributes.jsonl.*2.*unknown attribute 'SPAM'"):
        read_attribute_examples(path)
    path.write_text(good.to_json() + "\n")
    (read,) = read_attribute_examples(path)
    assert (read.id, read.marks, read.origin) == ("t-1", {"THREAT": 1}, {"THREAT": "written"})
