"""The shape every dataset converter yields, and reading a dataset's CSV (datasets/rows.py)."""

from __future__ import annotations

from moderation.datasets.rows import csv_rows, dataset_example


def test_ids_and_threads_are_prefixed_with_the_source():
    one = dataset_example("olid", "17", "Some text", "abusive", "OFF", split="test")
    assert (one["id"], one["thread_id"], one["split"]) == ("olid:17", "olid:17", "test")
    threaded = dataset_example("reddit", "c9", "Reply", None, "none", thread="t3")
    assert threaded["thread_id"] == "reddit:t3" and threaded["label"] is None


def test_csv_rows_by_header_with_bad_bytes_replaced_not_fatal(tmp_path):
    path = tmp_path / "rows.tsv"
    path.write_bytes(b"id\ttext\n1\tcaf\xe9 ok\n2\tline\n")
    rows = list(csv_rows(path, delimiter="\t"))
    assert [r["id"] for r in rows] == ["1", "2"]
    assert rows[0]["text"] == "caf\ufffd ok"
