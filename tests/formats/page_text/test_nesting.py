"""Which comment a reply answers: by indentation, by a printed level, by the cues of a flat page."""

from __future__ import annotations

from moderation.formats.page_text.comment_lines import Record
from moderation.formats.page_text.lines import Line
from moderation.formats.page_text.nesting import nest


def record(author: str, head: int, indent: int = 0, **fields) -> Record:
    return Record(author, indent, start=head, end=head + 1, head=head, **fields)


def parents(records: list[Record]) -> list[tuple[int | None, int]]:
    return [(r.parent, r.depth) for r in records]


def test_indented_headers_nest_under_the_last_less_indented_one():
    records = [record("Ann", 0, 0), record("Bo", 2, 4), record("Cy", 4, 8), record("Di", 6, 4)]
    records.append(record("Ed", 8, 0))
    nest(records, [])
    assert parents(records) == [(None, 0), (0, 1), (1, 2), (0, 1), (None, 0)]


def test_a_printed_level_answers_the_last_comment_one_level_up():
    records = [
        record("Ann", 0, level=1),
        record("Bo", 2, level=2),
        record("Cy", 4, level=3),
        record("Di", 6, level=2),
    ]
    nest(records, [])
    assert parents(records) == [(None, 0), (0, 1), (1, 2), (0, 1)]


def test_in_reply_to_names_the_parent_on_a_flat_page():
    records = [record("Ann Lee", 0), record("Bo", 2), record("Cy", 4, reply_to="Ann")]
    nest(records, [])
    assert parents(records) == [(None, 0), (None, 0), (0, 1)]


def test_replies_between_an_opening_and_a_hide_line_answer_the_comment_above():
    page = ["Ann", "Replies (2)", "Bo", "Cy", "Hide replies", "Di"]
    lines = [Line(i, 0, text) for i, text in enumerate(page)]
    records = [record("Ann", 0), record("Bo", 2), record("Cy", 3), record("Di", 5)]
    nest(records, lines)
    assert parents(records) == [(None, 0), (0, 1), (0, 1), (None, 0)]


def test_n_replies_by_names_the_repliers():
    page = ["Ann", "1 reply by Bo", "Bo", "Cy"]
    lines = [Line(i, 0, text) for i, text in enumerate(page)]
    records = [record("Ann", 0), record("Bo", 2), record("Cy", 3)]
    nest(records, lines)
    assert parents(records) == [(None, 0), (0, 1), (None, 0)]


def test_a_federated_mention_answers_its_author_but_not_the_opening_post():
    root = record("Root", 0, handle="@root@example.social")
    ann = record("Ann", 2, handle="@ann@example.social", inline="first")
    bo = record("Bo", 4, handle="@bo@example.social", inline="@ann yes")
    cy = record("Cy", 6, handle="@cy@example.social", inline="@root me too")
    records = [ann, bo, cy]
    nest(records, [], root)
    assert parents(records) == [(None, 0), (0, 1), (None, 0)]
