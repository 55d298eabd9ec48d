"""The kinds of a comment section's lines: furniture, names, headers, dates, reply cues and text,
read from one line and then from the lines around it."""

from __future__ import annotations

import pytest

from moderation.formats.page_text.dating import DateReader
from moderation.formats.page_text.lines import (
    Kind,
    classify,
    clean_name,
    furniture,
    name_like,
    sort_line,
    undoubled,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Reply · Like · 3", True),
        ("♥ 23", True),
        ("━━━━━", True),  # a rule across the page
        ("+ View Profile", True),  # a menu's item
        ("replyshare", True),  # two buttons glued together
        ("Reply to this comment, I think it is wrong.", False),
        ("The bus was late.", False),
    ],
)
def test_furniture_is_a_line_of_buttons_counts_and_rules(text, expected):
    assert furniture(text) is expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Ann Lee", True),
        ("ann_lee", True),
        ("Ann b.", True),  # a last name's initial
        ("Maria de la Cruz", True),  # particles in lower case
        ("The bus was late.", False),
        ("What?", False),
        ("Jo said: hi", False),
    ],
)
def test_name_like_accepts_names_and_handles_not_sentences(text, expected):
    assert name_like(text) is expected


def test_a_name_printed_twice_in_a_row_is_read_once_but_a_short_double_is_kept():
    assert undoubled("FranziFranzi") == "Franzi"
    assert undoubled("Ann LeeAnn Lee") == "Ann Lee"
    assert undoubled("bibi") == "bibi"


def test_clean_name_drops_points_and_a_full_name_after_a_handle():
    assert clean_name("Ann Lee  ·  3 points") == "Ann Lee"
    assert clean_name("ann_lee Ann Lee") == "ann_lee"


@pytest.mark.parametrize(
    "text, kind, name",
    [
        ("Ann Lee says:", Kind.SAYS, "Ann Lee"),
        ("March 3, 2024 at 9:41 am", Kind.DATE, None),
        ("Reply", Kind.FURNITURE, None),
        ("Ann Lee", Kind.NAME, None),
        ("Ann Lee | March 3, 2024", Kind.HEADER, "Ann Lee"),
        ("answered 4 hours ago", Kind.ANSWERED, None),
        ("ann GNU/Linux  last edited by ann", Kind.HEADER, "ann"),
        ("photo-2024-03-03.jpg", Kind.TEXT, None),  # a file's name, not a date
        ("The bus was late again this morning and nobody told us why it was.", Kind.TEXT, None),
    ],
)
def test_sort_line_reads_a_line_alone(text, kind, name):
    line = sort_line(text, DateReader())
    assert (line.kind, line.name) == (kind, name)


def test_sort_line_keeps_whom_a_reply_cue_answers_and_a_header_s_date():
    assert sort_line("In reply to Bo Chen", DateReader()).reply_to == "Bo Chen"
    dated = sort_line("Ann Lee | March 3, 2024", DateReader())
    assert dated.when is not None and dated.when.iso == "2024-03-03T00:00"


def test_classify_skips_blank_lines_keeps_indents_and_makes_a_dated_says_line_a_header():
    page = [
        "2 comments",
        "",
        "Ann Lee says:",
        "March 3, 2024 at 9:41 am",
        "Hello there.",
        "Reply",
        "",
        "  Bo Chen says:",
        "  March 3, 2024 at 9:50 am",
        "  Hi Ann.",
        "  Reply",
    ]
    lines = classify(page, 2, len(page), DateReader())
    assert [(line.index, line.indent, line.kind) for line in lines] == [
        (2, 0, Kind.HEADER),
        (3, 0, Kind.DATE),
        (4, 0, Kind.TEXT),
        (5, 0, Kind.FURNITURE),
        (7, 2, Kind.HEADER),
        (8, 2, Kind.DATE),
        (9, 2, Kind.TEXT),
        (10, 2, Kind.FURNITURE),
    ]
    assert [line.name for line in lines if line.kind == Kind.HEADER] == ["Ann Lee", "Bo Chen"]
