"""The comment section of a page in a known layout: comments opened at headers and markers,
their text collected, replies nested by indentation, dotted numbers and reply cues."""

from __future__ import annotations

from moderation.comments import Thread
from moderation.formats.page_text.section import CommentSection


def comments(lines: list[str]) -> list[tuple]:
    thread = Thread(id="p", title="A post", url="https://b.example/p")
    found = CommentSection(thread).run(lines)
    assert all((c.thread_id, c.thread_title) == ("p", "A post") for c in found)
    return [(c.id, c.parent_id, c.depth, c.author, c.created_at, c.text) for c in found]


def test_numbered_comments_keep_a_list_inside_their_text_and_their_number():
    thread = Thread(id="p")
    found = CommentSection(thread).run(
        [
            "  1. Kim | March 3, 2020 at 10:00 am | Reply",
            "     My two points:",
            "     1. the bus is late",
            "     2. the bus is full",
            "  2. Lee | March 3, 2020 at 11:00 am | Reply",
            "     Agreed.",
        ]
    )
    assert [(c.author, c.extra) for c in found] == [
        ("Kim", {"number": "1"}),
        ("Lee", {"number": "2"}),
    ]
    assert found[0].text == "My two points:\n1. the bus is late\n2. the bus is full"


def test_a_name_that_wants_its_date_takes_it_from_the_next_line():
    assert comments(["Jo Bloggs »", "July 29, 2016 at 6:59 pm", "First!"]) == [
        ("p/1", None, 0, "Jo Bloggs", "2016-07-29T18:59", "First!")
    ]


def test_indented_headers_are_replies_with_ids_under_their_parent():
    found = comments(
        ["Ann says:", "Top level.", "", "    Bo says:", "    A reply.", "", "        Cy says:"]
        + ["        Deeper.", "", "Di says:", "Another top."]
    )
    assert [(c[0], c[1], c[2], c[3]) for c in found] == [
        ("p/1", None, 0, "Ann"),
        ("p/1.1", "p/1", 1, "Bo"),
        ("p/1.1.1", "p/1.1", 2, "Cy"),
        ("p/2", None, 0, "Di"),
    ]


def test_dotted_numbers_nest():
    found = comments(["1. Ann | March 3, 2024", "Top.", "1.1. Bo | March 4, 2024", "Reply."])
    assert [(c[0], c[1], c[5]) for c in found] == [
        ("p/1", None, "Top."),
        ("p/1.1", "p/1", "Reply."),
    ]


def test_in_reply_to_and_replies_by_name_the_parent_on_a_flat_page():
    cue = comments(["Ann on March 3, 2024", "Hello.", "", "Bo on March 4, 2024", "In reply to Ann"])
    assert cue[1][1:3] == ("p/1", 1) and cue[1][5] == ""  # the cue is not the reply's text
    hint = comments(["Ann on March 3, 2024", "Hello.", "1 reply by Bo", "Bo on March 4, 2024"])
    assert hint[1][:3] == ("p/1.1", "p/1", 1)


def test_blank_lines_part_a_comment_s_paragraphs():
    found = comments(["Cy on March 5, 2024", "Para one.", "", "Para two."])
    assert found[0][5] == "Para one.\n\nPara two."
