"""CSV, TSV and JSONL exports: column detection, mapping options, pass-through fields."""

from __future__ import annotations

from moderation.formats import ColumnMap

from fixtures.files import SAMPLES, read_all


def test_csv_sample_detects_columns_and_threads():
    threads, comments, report = read_all(SAMPLES / "comments.csv")
    assert report.format == "csv"
    assert [t.id for t in threads] == ["t-parks", "t-tax"]
    assert threads[0].title == "New benches in Elm Park"
    assert [c.id for c in comments] == ["c1", "c2", "c3", "c4", "c5", "c6"]
    assert [c.depth for c in comments] == [0, 1, 2, 0, 0, 1]
    assert comments[2].parent_id == "c2"
    assert comments[0].created_at == "2025-04-01T09:00:00+00:00"
    assert [c.label for c in comments] == ["civil", "civil", "abusive", "civil", "conspiracy", None]
    assert report.labelled == 5
    assert comments[2].quotes and comments[2].quotes[0].source == "parent"


def test_tsv_sample_with_other_column_names_gives_the_same_comments():
    _, from_csv, _ = read_all(SAMPLES / "comments.csv")
    _, from_tsv, report = read_all(SAMPLES / "comments.tsv")
    assert report.format == "tsv"

    def strip(cs):
        return [(c.id, c.thread_id, c.parent_id, c.author, c.text, c.label, c.depth) for c in cs]

    assert strip(from_tsv) == strip(from_csv)


def test_unmapped_columns_pass_through_in_extra(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("comment_id,body,likes,country\n1,Hello there,3,NZ\n", encoding="utf-8")
    _, (comment,), _ = read_all(path)
    assert comment.id == "1" and comment.text == "Hello there"
    assert comment.extra == {"likes": "3", "country": "NZ"}


def test_column_options_override_detection(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        "key,words,reply_of,who\na,First words,,Ann\nb,Second words,a,Bo\n", encoding="utf-8"
    )
    columns = ColumnMap(text="words", id="key", parent="reply_of", author="who")
    _, comments, _ = read_all(path, columns=columns)
    assert [(c.id, c.parent_id, c.author, c.depth) for c in comments] == [
        ("a", None, "Ann", 0),
        ("b", "a", "Bo", 1),
    ]


def test_rows_without_ids_get_stable_ids_from_their_line(tmp_path):
    path = tmp_path / "flat.csv"
    path.write_text('text\n"one"\n"two, with a comma"\n', encoding="utf-8")
    _, comments, _ = read_all(path)
    assert [c.id for c in comments] == ["flat:2", "flat:3"]
    assert comments[1].text == "two, with a comma"


def test_jsonl_lines_with_different_keys_and_extra_fields():
    threads, comments, report = read_all(SAMPLES / "comments.jsonl")
    assert report.format == "jsonl"
    assert [t.url for t in threads] == [
        "https://courier.example/footbridge",
        "https://courier.example/market",
    ]
    assert [c.label for c in comments] == [None, None, "abusive", "conspiracy", "civil"]
    assert comments[0].extra == {"likes": 4}
    assert [c.depth for c in comments] == [0, 1, 2, 0, 0]


def test_epoch_and_written_timestamps_become_iso(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text(
        '{"id": 1, "text": "a", "created_utc": 1600000000}\n'
        '{"id": 2, "text": "b", "created_at": "2020-09-13 12:26"}\n'
        '{"id": 3, "text": "c", "created_at": "July 4, 2021 at 9:05 pm"}\n'
        '{"id": 4, "text": "d", "created_at": "3 days ago"}\n',
        encoding="utf-8",
    )
    _, comments, _ = read_all(path)
    assert [c.created_at for c in comments] == [
        "2020-09-13T12:26:40+00:00",
        "2020-09-13T12:26",
        "2021-07-04T21:05",
        None,
    ]
    assert [c.id for c in comments] == ["1", "2", "3", "4"]


def test_threads_are_announced_from_a_bounded_memory():
    from moderation.comments import Comment
    from moderation.formats.tabular import _Threads

    threads = _Threads(remember=2)
    order = ["a", "a", "b", "a", "c", "d", "a", "d"]
    announced = [
        threads.new(Comment(id=str(i), thread_id=t, text="x")) for i, t in enumerate(order)
    ]
    # "a" is forgotten once "c" and "d" came after it: announced again, never more than 2 kept
    assert [t.id if t else None for t in announced] == ["a", None, "b", None, "c", "d", "a", None]
    assert len(threads.recent) == 2
