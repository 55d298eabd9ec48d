"""The converters of the English datasets, on tiny invented files in each dataset's layout
(only the columns each converter reads), and the check of a local copy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from moderation.datasets import convert
from moderation.datasets.catalogue import DATASETS
from moderation.datasets.convert import check_local_copy, detokenised, examples, prepare_datasets
from moderation.errors import InputError


def _layout(root: Path) -> Path:
    """Invented rows in the column layout of each dataset."""
    (root / "davidson").mkdir(parents=True)
    (root / "davidson/labeled_data.csv").write_text(
        # only the columns the converter reads (the row number, the class, the text)
        "tweet,class,\n"
        "nice weather &amp; cake,2,0\nRT @x: you clown,1,1\n"
        "those people are vermin,0,2\n"
    )
    (root / "olid").mkdir()
    (root / "olid/olid-training-v1.0.tsv").write_text(
        "id\ttweet\tsubtask_a\tsubtask_b\tsubtask_c\n1\t@USER lovely\tNOT\tNULL\tNULL\n"
        "2\t@USER you fool\tOFF\tTIN\tIND\n3\tdamn it URL\tOFF\tUNT\tNULL\n"
    )
    (root / "olid/testset-levela.tsv").write_text("id\ttweet\n4\tok then\n5\tyou rat\n")
    (root / "olid/labels-levela.csv").write_text("4,NOT\n5,OFF\n")
    (root / "ruddit").mkdir()
    (root / "ruddit/ruddit_with_text.csv").write_text(
        "offensiveness_score,txt,comment_id,post_id\n"
        '-0.4,"> quoted insult\nI disagree politely",c1,p1\n0.1,[deleted],c2,p1\n'
        "0.7,you absolute worm,c3,p2\n0.3,meh,c4,p2\n"
    )
    (root / "psycomark").mkdir()
    lines = [
        {"_id": "t1_a", "text": "they hide the truth", "conspiracy": "Yes"},
        {"_id": "t1_a", "text": "they hide the truth", "conspiracy": "Yes"},
        {"_id": "t1_b", "text": "an article on tax", "conspiracy": "No"},
        {"_id": "t1_c", "text": "unclear", "conspiracy": "Can't tell"},
    ]
    (root / "psycomark/train_rehydrated.jsonl").write_text(
        "".join(json.dumps(line) + "\n" for line in lines)
    )
    return root


def test_converters_map_labels_as_documented(tmp_path):
    root = _layout(tmp_path)
    davidson = list(examples("davidson", root, verify=False))
    assert [(e["label"], e["source_label"]) for e in davidson] == [
        ("civil", "neither"),
        ("abusive", "offensive"),
        ("abusive", "hate"),
    ]
    olid = {e["id"]: (e["label"], e["split"]) for e in examples("olid", root, verify=False)}
    assert olid == {
        "olid:1": ("civil", "train"),
        "olid:2": ("abusive", "train"),
        "olid:3": (None, "train"),
        "olid:4": ("civil", "test"),
        "olid:5": (None, "test"),
    }
    ruddit = list(examples("ruddit", root, labelled_only=True, verify=False))
    assert [(e["text"], e["label"], e["thread_id"]) for e in ruddit] == [
        ("I disagree politely", "civil", "ruddit:p1"),
        ("you absolute worm", "abusive", "ruddit:p2"),
    ]
    psy = {e["id"]: e["label"] for e in examples("psycomark", root, verify=False)}
    assert psy == {
        "psycomark:t1_a": "conspiracy",
        "psycomark:t1_b": "civil",
        "psycomark:t1_c": None,
    }


def test_a_changed_local_copy_is_refused(tmp_path):
    root = _layout(tmp_path)
    with pytest.raises(Exception, match="SHA-256 mismatch"):
        list(examples("davidson", root))


def _second_round_layout(root: Path) -> Path:
    """Invented rows in the layouts of the four datasets added in the second round."""
    prompts = root / "toxigen_prompts" / "prompts"
    prompts.mkdir(parents=True)
    for item in DATASETS["toxigen_prompts"].files:
        name = Path(item.name).name
        body = ""
        if name == "hate_asian_1k.txt":
            body = "- they are all the same\\n- they are all the same\\n- go home\n"
        if name == "neutral_asian_1k.txt":
            body = "- my friend cooks well\\n- they are all the same\n"
        (prompts / name).write_text(body)
    (root / "hatemoji_build").mkdir()
    header = "label_gold,text,matched_id,entry_id\n"  # the columns the converter reads
    (root / "hatemoji_build/train.csv").write_text(
        header + "1,I hate 🐀 people,1,0\n0,I love 🐀,0,1\n"
    )
    for split in ("validation", "test"):
        (root / f"hatemoji_build/{split}.csv").write_text(header)
    (root / "fox_news").mkdir()
    (root / "fox_news/fox-news-comments.json").write_text(
        json.dumps({"title": "A", "text": "they should all go", "label": 1})
        + "\n"
        + json.dumps({"title": "A", "text": "good point on taxes", "label": 0})
        + "\n"
    )
    (root / "toxic_spans").mkdir()
    (root / "toxic_spans/tsd_train.csv").write_text(
        "spans,text\n"
        '"[0, 1, 2, 3, 4]","Idiot. The rest of this sentence is a fair point about rates."\n'
    )
    for split in ("trial", "test"):
        (root / f"toxic_spans/tsd_{split}.csv").write_text("spans,text\n")
    return root


def test_second_round_converters(tmp_path):
    root = _second_round_layout(tmp_path)
    toxigen = [(e["text"], e["label"]) for e in examples("toxigen_prompts", root, verify=False)]
    assert toxigen == [
        ("they are all the same", "abusive"),  # the hate file comes first; kept once
        ("go home", "abusive"),
        ("my friend cooks well", "civil"),
    ]
    hatemoji = list(examples("hatemoji_build", root, verify=False))
    assert [e["label"] for e in hatemoji] == ["abusive", "civil"]
    assert hatemoji[0]["thread_id"] == hatemoji[1]["thread_id"]  # a pair stays in one fold
    fox = list(examples("fox_news", root, verify=False))
    assert [e["label"] for e in fox] == ["abusive", "civil"] and fox[0]["thread_id"] == "fox_news:A"
    spans = [
        (e["label"], e["source_label"], e["text"])
        for e in examples("toxic_spans", root, verify=False)
    ]
    assert spans == [
        ("abusive", "toxic", "Idiot. The rest of this sentence is a fair point about rates."),
        ("civil", "span-free sentence", "The rest of this sentence is a fair point about rates."),
    ]


def test_olid_test_split_maps_offensive_to_abusive(tmp_path):
    root = _layout(tmp_path)
    rows = {e["id"]: e["label"] for e in examples("olid_test", root, verify=False)}
    assert rows == {"olid_test:4": "civil", "olid_test:5": "abusive"}


def test_pan2024_maps_critical_to_civil_and_puts_tokens_back(tmp_path):
    folder = tmp_path / "pan2024_oppositional_en"
    folder.mkdir()
    (folder / "en_all_text.txt").write_text(
        "They planned the outbreak , read https :// t . me / somechannel now\n"
        "The mandates do n't work ( at all ) and “ nobody ” listens !\n",
        encoding="utf-8",
    )
    (folder / "en_all_labels.txt").write_text("1\n0\n")
    rows = list(examples("pan2024_oppositional_en", tmp_path, verify=False))
    assert [(r["id"], r["label"], r["source_label"]) for r in rows] == [
        ("pan2024_oppositional_en:1", "conspiracy", "conspiracy"),
        ("pan2024_oppositional_en:2", "civil", "critical"),
    ]
    assert rows[0]["text"] == "They planned the outbreak, read https://t.me/somechannel now"
    assert rows[1]["text"] == "The mandates don't work (at all) and “nobody” listens!"


@pytest.mark.parametrize(
    "tokens, text",
    [
        ("do n't stop , ok ?", "don't stop, ok?"),
        ("( at all ) and “ nobody ”", "(at all) and “nobody”"),
        ("see https :// t . me / x now", "see https://t.me/x now"),
    ],
)
def test_detokenised_puts_pre_tokenised_text_back_as_written(tokens, text):
    assert detokenised(tokens) == text


def test_a_missing_file_says_whether_it_can_be_fetched(tmp_path):
    with pytest.raises(InputError, match="not found.*moderation datasets fetch olid"):
        check_local_copy("olid", tmp_path)
    derived = next(name for name, d in DATASETS.items() if not d.downloadable)
    with pytest.raises(InputError, match="derived from upstream files"):
        check_local_copy(derived, tmp_path)


def test_prepare_writes_labelled_rows_of_a_split_and_counts_them(tmp_path, monkeypatch):
    root = _layout(tmp_path / "copies")
    monkeypatch.setattr(convert, "check_local_copy", lambda name, root: None)
    out = tmp_path / "olid.jsonl"
    counts = prepare_datasets(["olid"], out, lambda name: root, split="train")
    assert counts == {"olid": {"civil": 1, "abusive": 1}}
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["id"], r["label"]) for r in rows] == [("olid:1", "civil"), ("olid:2", "abusive")]
    every = prepare_datasets(["olid"], out, root, all_rows=True)
    assert every == {"olid": {"civil": 2, "abusive": 1, "unlabelled": 2}}
