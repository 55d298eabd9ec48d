"""Comment records found in a comment section's classified lines: one per header block, each
with its body, the page's footer and navigation left out."""

from __future__ import annotations

from moderation.formats.page_text.dating import DateReader
from moderation.formats.page_text.lines import classify
from moderation.formats.page_text.records import find_records

TWO = [
    "Ann Lee says:",
    "March 3, 2024 at 9:41 am",
    "Hello there.",
    "Reply",
    "Bo Chen says:",
    "March 3, 2024 at 9:50 am",
    "Hi Ann.",
    "Reply",
]


def records(page: list[str]) -> list[tuple[str | None, str | None, str]]:
    found = find_records(classify(page, 0, len(page), DateReader()))
    return [(r.author, r.when, r.text()) for r in found]


def test_each_header_block_is_a_record_with_the_text_under_it():
    assert records(TWO) == [
        ("Ann Lee", "2024-03-03T09:41", "Hello there."),
        ("Bo Chen", "2024-03-03T09:50", "Hi Ann."),
    ]


def test_the_reply_form_and_related_links_after_the_last_comment_are_not_its_text():
    last_without_buttons = TWO[:-1]
    form = [*last_without_buttons, "Leave a Reply", "Name", "Email"]
    assert records(form)[-1][2] == "Hi Ann."
    related = [*last_without_buttons, "Related topics", "Bus timetables change in spring"]
    assert records(related)[-1][2] == "Hi Ann."


def test_a_row_of_navigation_links_ends_the_last_comment():
    page = ["Ann Lee", "March 3, 2024", "Hello there.", "Reply", "Bo Chen", "March 4, 2024"]
    page += ["Hi Ann.", "Guidelines | FAQ | Lists | API | Contact"]
    assert records(page)[-1] == ("Bo Chen", "2024-03-04T00:00", "Hi Ann.")


def test_a_date_inside_a_comment_s_text_starts_no_comment():
    page = [
        "Ann Lee says:",
        "March 3, 2024 at 9:41 am",
        "The meeting moved from",
        "March 5, 2024",
        "to the week after, they said.",
        "Reply",
        *TWO[4:],
    ]
    found = records(page)
    assert [author for author, _, _ in found] == ["Ann Lee", "Bo Chen"]
    assert found[0][2] == "The meeting moved from\nMarch 5, 2024\nto the week after, they said."


def test_without_dates_names_after_the_buttons_head_the_comments():
    page = ["Reply", "Ann Lee", "Hello there, the bus was late again.", "Reply"]
    page += ["Bo Chen", "Hi Ann, it was.", "Reply"]
    assert records(page) == [
        ("Ann Lee", None, "Hello there, the bus was late again."),
        ("Bo Chen", None, "Hi Ann, it was."),
    ]


def test_a_dated_name_with_nothing_under_it_after_the_last_comment_is_the_page_s_footer():
    page = ["Ann Lee", "March 3, 2024", "Hello there.", "Reply", "Site Name", "March 5, 2024"]
    assert records([*page, "Reply"]) == [("Ann Lee", "2024-03-03T00:00", "Hello there.")]
