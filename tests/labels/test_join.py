"""Files of comment id -> label joined to parsed comments: read from CSV or JSON lines, bad
rows refused (or skipped), and ids that match nothing reported."""

from __future__ import annotations

import pytest

from moderation.comments import Comment, Thread
from moderation.errors import InputError
from moderation.formats import ParseReport
from moderation.labels.join import LabelFile, join_labels, read_label_file


def read(path, text, skip_bad=False):
    path.write_text(text, encoding="utf-8")
    report = ParseReport(str(path), skip_bad=skip_bad)
    return read_label_file(path, report), report


def test_a_csv_labels_file_by_any_common_column_name(tmp_path):
    found, _ = read(tmp_path / "l.csv", "Comment_ID,notes,Label\nc1,x, Abusive \n,,\nc2,y,civil\n")
    assert found.labels == {"c1": "abusive", "c2": "civil"}
    assert found.lines == {"c1": 2, "c2": 4}


def test_a_jsonl_labels_file(tmp_path):
    text = '\ufeff{"id": 1, "gold_label": "conspiracy"}\n\n{"_id": "c2", "label": "civil"}\n'
    found, _ = read(tmp_path / "l.jsonl", text)
    assert found.labels == {"1": "conspiracy", "c2": "civil"}
    assert found.lines == {"1": 1, "c2": 3}


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("l.csv", "", "the file is empty"),
        ("l.csv", "id,text\nc1,hi\n", "needs an id column and a label column"),
        ("l.csv", "id,label\nc1,rude\n", "unknown label 'rude'"),
        ("l.csv", "id,notes,label\nc1\n", "row is missing fields"),
        ("l.csv", "id,label\n,civil\n", "no comment id"),
        ("l.csv", "id,label\nc1,civil\nc1,abusive\n", "'c1' is labelled 'civil' at line 2 and"),
        ("l.jsonl", '{"id": "c1", "label": "civil"}\n{"id": ', "invalid JSON"),
        ("l.jsonl", '{"id": "c1", "label": "civil"}\n[1]\n', "line is not a JSON object"),
        ("l.jsonl", '{"label": "civil"}\n', "no comment id"),
    ],
)
def test_a_bad_labels_file_names_what_is_wrong(tmp_path, name, text, problem):
    with pytest.raises(InputError, match=problem):
        read(tmp_path / name, text)


def test_bad_rows_are_skipped_with_skip_bad(tmp_path):
    found, report = read(
        tmp_path / "l.csv", "id,label\nc1,rude\nc2,civil\nc2,civil\n", skip_bad=True
    )
    assert found.labels == {"c2": "civil"} and found.lines == {"c2": 3}
    assert len(report.skipped) == 1 and report.skipped[0].line == 2


def test_join_labels_labels_the_comments_and_reports_the_unmatched_ids():
    labels = LabelFile("l.csv", {"c1": "abusive", "c9": "civil"}, {"c1": 2, "c9": 3})
    report = ParseReport("export.json")
    records = [
        Thread(id="t"),
        Comment("c1", "t", "one"),
        Comment("c2", "t", "two"),
        Comment("c3", "t", "three", label="civil"),
    ]
    joined = list(join_labels(records, labels, report))
    assert joined == records
    assert [c.label for c in joined[1:]] == ["abusive", None, "civil"]
    assert report.labelled == 1
    (unmatched,) = labels.unmatched()
    assert "'c9' matches no comment" in str(unmatched) and unmatched.line == 3
