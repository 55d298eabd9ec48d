"""One comment as the lines that make it: its text in paragraphs, its body without furniture,
reply cues or signature, and a date closing its text."""

from __future__ import annotations

from moderation.formats.page_text.comment_lines import Record, body_of, set_bodies, trailing_date
from moderation.formats.page_text.dating import When
from moderation.formats.page_text.lines import Kind, Line


def test_text_joins_adjacent_lines_and_parts_paragraphs_at_gaps():
    record = Record("Ann", 0, 0, 1, inline="On the header line.")
    record.body = [Line(2, 0, "one"), Line(3, 0, "two"), Line(5, 0, "three")]
    assert record.text() == "On the header line.\n\none\ntwo\n\nthree"


def test_the_body_drops_furniture_and_reply_cues_and_stops_at_a_signature():
    lines = [
        Line(0, 0, "Hello."),
        Line(1, 0, "Reply", Kind.FURNITURE),
        Line(2, 0, "In reply to Bo", Kind.REPLY_CUE),
        Line(3, 0, "Bye."),
        Line(4, 0, "-- "),
        Line(5, 0, "My signature"),
    ]
    assert [line.text for line in body_of(lines)] == ["Hello.", "Bye."]


def test_each_body_runs_to_the_next_record_or_to_where_a_trailing_header_says():
    lines = [Line(i, 0, text) for i, text in enumerate(["A", "a text", "B", "b text", "c"])]
    first, second = Record("A", 0, 0, 1), Record("B", 0, 2, 3)
    set_bodies([first, second], lines)
    assert [line.text for line in first.body] == ["a text"]
    assert [line.text for line in second.body] == ["b text", "c"]
    early = Record("C", 0, 0, 1, body_end=2)
    set_bodies([early], lines)
    assert [line.text for line in early.body] == ["A", "a text"]


def test_a_date_closing_the_text_is_the_comment_s_date_unless_it_has_one():
    date = Line(2, 0, "March 3, 2024", Kind.DATE, when=When("2024-03-03T00:00", 0, 13))
    record = Record("Ann", 0, 0, 1, body=[Line(1, 0, "Hello."), date])
    trailing_date(record)
    assert record.when == "2024-03-03T00:00"
    assert [line.text for line in record.body] == ["Hello."]
    dated = Record("Bo", 0, 0, 1, when="2024-01-01T00:00", body=[Line(1, 0, "Hi."), date])
    trailing_date(dated)
    assert dated.when == "2024-01-01T00:00" and len(dated.body) == 1
    alone = Record("Cy", 0, 0, 1, body=[date])  # a date alone is the text, not a closing date
    trailing_date(alone)
    assert alone.when is None and alone.body == [date]
