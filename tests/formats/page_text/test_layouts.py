"""The layouts beyond the common one, each a declaration with hooks: what they re-mark, what
they detect, and the records the reading then finds."""

from __future__ import annotations

from moderation.formats.page_text.dating import DateReader
from moderation.formats.page_text.layouts import DATE_ABOVE_NAME, LAYOUTS
from moderation.formats.page_text.lines import Kind, classify
from moderation.formats.page_text.records import find_records

BY_NAME = {layout.name: layout for layout in LAYOUTS}
DATE_FIRST = [
    "The first post text is here and it is long enough.",
    "03-14-2024, 09:12 PM",
    "Ann",
    "Text of Ann's post.",
    "03-15-2024, 10:12 PM",
    "Bo",
    "Text of Bo's.",
]


def lines_of(page: list[str]):
    return classify(page, 0, len(page), DateReader())


def test_every_layout_has_a_unique_name_a_sketch_and_a_hook():
    assert len(BY_NAME) == len(LAYOUTS)
    for layout in LAYOUTS:
        hooks = (layout.mark, layout.detect, layout.lead, layout.extra, layout.finish)
        assert layout.looks_like and any(hooks), layout.name


def test_subject_lines_repeated_above_the_headers_become_furniture():
    lines = lines_of(
        [
            "Re: Price per watt? (Score:2)",
            "by Ann on Monday March 11, 2024",
            "It is cheaper now.",
            "Re: Price per watt? (Score:3)",
            "by Bo on Monday March 11, 2024",
            "Not here.",
        ]
    )
    assert [line.kind for line in lines][::3] == [Kind.TEXT, Kind.TEXT]
    BY_NAME["subject lines"].mark(lines)
    assert [line.kind for line in lines] == [
        Kind.FURNITURE,
        Kind.HEADER,
        Kind.TEXT,
        Kind.FURNITURE,
        Kind.HEADER,
        Kind.TEXT,
    ]


def test_a_post_signed_with_its_author_s_name_and_date_is_headed_by_the_name_above_it():
    lines = lines_of(
        [
            "Ann",
            "The roof needs doing before winter, I think.",
            "Ann, Mar 11, 2024 #4",
            "Bo",
            "Agreed, the gutters too.",
            "Bo, Mar 12, 2024 #5",
        ]
    )
    BY_NAME["signed posts"].mark(lines)
    assert [(line.kind, line.name) for line in lines][::3] == [
        (Kind.HEADER, "Ann"),
        (Kind.HEADER, "Bo"),
    ]
    assert lines[0].when is not None and lines[0].when.iso == "2024-03-11T00:00"
    assert lines[2].kind == Kind.FURNITURE


def test_a_date_printed_above_the_name_is_detected_and_read_as_that_post_s():
    lines = lines_of(DATE_FIRST)
    anchors = [k for k, line in enumerate(lines) if line.kind == Kind.DATE]
    assert BY_NAME[DATE_ABOVE_NAME].detect(lines, anchors)
    found = find_records(lines_of(DATE_FIRST))
    assert [(r.author, r.when, r.text()) for r in found] == [
        ("Ann", "2024-03-14T21:12", "Text of Ann's post."),
        ("Bo", "2024-03-15T22:12", "Text of Bo's."),
    ]


def test_a_name_above_its_date_is_not_the_date_above_the_name_layout():
    lines = lines_of(["Ann", "03-14-2024, 09:12 PM", "Text of Ann's post.", "Bo"])
    anchors = [k for k, line in enumerate(lines) if line.kind == Kind.DATE]
    assert not BY_NAME[DATE_ABOVE_NAME].detect(lines, anchors)
