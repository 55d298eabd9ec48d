"""Rows of tabular exports as comments: which column is which, and the checks on each field."""

from __future__ import annotations

import pytest

from moderation.formats.columns import (
    RecordProblem,
    make_converter,
    normalise_status,
    resolve_fields,
)
from moderation.formats.source import ColumnMap


def convert(record: dict, **named: str):
    fields = resolve_fields(list(record), ColumnMap(**named), "rows.csv")
    return make_converter(fields)(record, "row-1", "default-thread")


def test_columns_are_found_by_common_names_whatever_their_case():
    fields = resolve_fields(["Body", "comment_ID", "Parent", "title", "x"], ColumnMap(), "f")
    assert fields.keys == {
        "text": "Body",
        "id": "comment_ID",
        "parent": "Parent",
        "thread_title": "title",
    }
    assert fields.mapped == {"Body", "comment_ID", "Parent", "title"}
    assert fields.get("author") is None


def test_a_named_column_wins_and_is_not_taken_twice():
    fields = resolve_fields(["text", "words"], ColumnMap(text="WORDS"), "f")
    assert fields.get("text") == "words"
    assert "text" not in fields.mapped  # "text" is left for extra, not read as anything


def test_a_named_column_that_does_not_exist_names_the_option_and_the_columns():
    with pytest.raises(RecordProblem, match=r"--author-col 'who' is not a column of f.*text, id"):
        resolve_fields(["text", "id"], ColumnMap(author="who"), "f")


def test_no_text_column_says_how_to_name_one():
    with pytest.raises(RecordProblem, match="no text column in f .*--text-col"):
        resolve_fields(["id", "words"], ColumnMap(), "f")


def test_a_row_becomes_a_comment_with_defaults_and_unmapped_columns_in_extra():
    comment = convert({"text": "Hello", "id": "", "parent_id": "0", "colour": "red"})
    assert (comment.id, comment.thread_id, comment.parent_id) == ("row-1", "default-thread", None)
    assert comment.extra == {"colour": "red"}


def test_optional_fields_are_cleaned():
    comment = convert(
        {
            "text": "Hi",
            "id": 7,
            "thread_id": 3,
            "author": "  Ann ",
            "created_at": "2024-03-03 09:41",
            "label": " Abusive",
            "status": "1",
            "depth": "2",
        }
    )
    assert (comment.id, comment.thread_id, comment.author) == ("7", "3", "Ann")
    assert (comment.created_at, comment.label, comment.status, comment.depth) == (
        "2024-03-03T09:41",
        "abusive",
        "approved",
        2,
    )


def test_a_nested_extra_column_is_merged_under_the_unmapped_ones():
    comment = convert({"text": "Hi", "extra": {"a": 1, "b": 2}, "b": 3})
    assert comment.extra == {"a": 1, "b": 3}


@pytest.mark.parametrize(
    "record, message",
    [
        ({"text": None}, "no 'text' field"),
        ({"text": 5}, "'text' is not text but int"),
        ({"text": "Hi", "label": "rude"}, "unknown label 'rude'"),
        ({"text": "Hi", "depth": "deep"}, "depth 'deep' is not a whole number"),
        ({"text": "Hi", "quotes": "0-1"}, "quotes must be a list"),
        (
            {"text": "Hi", "quotes": [{"start": 0, "end": 9, "source": "parent"}]},
            "outside the text",
        ),
    ],
)
def test_a_bad_field_is_a_record_problem_naming_it(record, message):
    with pytest.raises(RecordProblem, match=message):
        convert(record)


def test_quotes_within_the_text_are_kept():
    comment = convert({"text": "Hi there", "quotes": [{"start": 0, "end": 2, "source": "parent"}]})
    assert [(q.start, q.end, q.source) for q in comment.quotes] == [(0, 2, "parent")]


@pytest.mark.parametrize(
    "value, status",
    [
        ("1", "approved"),
        ("0", "pending"),
        ("post-trashed", "deleted"),
        ("SPAM", "spam"),
        ("", None),
        ("odd", None),
    ],
)
def test_status_words_of_export_formats(value, status):
    assert normalise_status(value) == status
