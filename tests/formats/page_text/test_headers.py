"""A comment's header block: the header-like lines around an anchor, and the record they make."""

from __future__ import annotations

from moderation.formats.page_text.dating import DateReader
from moderation.formats.page_text.headers import Block, header_block, read_header
from moderation.formats.page_text.lines import Line, classify

LONG = "The bus was late again this morning and nobody told us why it was."


def lines_of(page: list[str]) -> list[Line]:
    return classify(page, 0, len(page), DateReader())


def test_the_block_takes_the_name_above_the_date_and_the_buttons_below_but_no_text():
    lines = lines_of([LONG, "Ann Lee", "March 3, 2024 at 9:41 am", "Reply", "Hello there."])
    assert header_block(lines, 2, 0, date_first=False) == Block(1, 4, 2)


def test_the_block_stops_at_its_floor():
    lines = lines_of(["Ann Lee", "Reply", "Bo Chen", "March 3, 2024 at 9:41 am", "Hello."])
    assert header_block(lines, 3, 0, date_first=False).start == 0
    assert header_block(lines, 3, 2, date_first=False).start == 2


def test_a_name_signing_off_the_text_above_is_left_to_the_comment_before():
    lines = lines_of(
        [
            LONG,
            "Ann",  # the previous comment's sign-off
            "Reply · Like",
            "March 3, 2024 at 9:41 am",
            "Ben",
            "I think so too, the bus is often late here.",
        ]
    )
    assert header_block(lines, 3, 0, date_first=False) == Block(2, 5, 3)


def test_read_header_gives_author_date_parent_level_and_handle():
    lines = lines_of(
        [
            "Bo Chen",
            "level 2",
            "@bo@example.social",
            "March 3, 2024 at 9:41 am",
            "In reply to Ann Lee",
            "Hello there.",
        ]
    )
    block = header_block(lines, 3, 0, date_first=False)
    record = read_header(lines, block, [])
    assert (record.author, record.when, record.reply_to) == (
        "Bo Chen",
        "2024-03-03T09:41",
        "Ann Lee",
    )
    assert (record.level, record.handle) == (1, "@bo@example.social")
    assert (record.start, record.end, record.head) == (0, 5, 0)
