"""Quoted spans: a reply is judged on its own words; a repost is not a quote."""

from __future__ import annotations

import json
import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from fixtures.files import SAMPLES, read_all


def test_a_civil_reply_quoting_abuse_keeps_only_its_own_words():
    _, comments, _ = read_all(SAMPLES / "disqus.xml")
    reply = comments[1]
    assert reply.unquoted_text() == "Agreed. Could the council ask for one extra crossing at 6:10?"


def test_a_repost_is_not_a_quote(tmp_path):
    path = tmp_path / "repost.jsonl"
    line = "You are all worthless and should leave this town right now."
    path.write_text(
        json.dumps({"id": "a", "text": line})
        + "\n"
        + json.dumps({"id": "b", "parent_id": "a", "text": line})
        + "\n",
        encoding="utf-8",
    )
    _, comments, _ = read_all(path)
    assert comments[1].quotes == []


def _thread(*comments):
    from moderation.comments import Comment, Thread
    from moderation.quotes import ConversationTracker

    tracker = ConversationTracker()
    tracker.thread(Thread(id="t", article="The council will close the library on Sundays."))
    done = []
    for cid, parent, text in comments:
        done.append(tracker.comment(Comment(id=cid, thread_id="t", text=text, parent_id=parent)))
    return done


def test_a_reply_that_names_its_parent_then_repeats_it_quotes_it():
    parent = "The council never listens to anyone in this town, not once."
    _, reply = _thread(
        ("1", None, parent), ("2", "1", f"@Tom {parent} That is wrong, they consulted for months.")
    )
    assert [q.source for q in reply.quotes] == ["parent"]
    assert reply.unquoted_text() == "@Tom That is wrong, they consulted for months."


def test_words_in_quotation_marks_that_repeat_the_thread_are_quoted():
    _, reply, other = _thread(
        ("1", None, "Typical of this lot, they never listen to anyone at all."),
        ("2", "1", 'You said "they never listen to anyone" but they did.'),
        ("3", None, 'The article says "close the library on Sundays" and I am sad.'),
    )
    assert [q.source for q in reply.quotes] == ["parent"]
    assert [q.source for q in other.quotes] == ["article"]
    assert "never listen" not in reply.unquoted_text()


def test_quotes_a_comment_marks_itself():
    (marked, wrote, block) = _thread(
        ("1", None, "> you are all idiots here\nPlease don't talk to people like that."),
        ("2", None, 'Mark wrote: "they should all be thrown out" and that is disgusting.'),
        ("3", None, "Ruth wrote:\nyou lot are vermin\n\nNobody should write that."),
    )
    assert marked.unquoted_text() == "Please don't talk to people like that."
    assert "thrown out" not in wrote.unquoted_text()
    assert block.unquoted_text() == "Ruth wrote: Nobody should write that."
    assert {q.source for c in (marked, wrote, block) for q in c.quotes} == {"marked"}


def test_quotation_marks_around_new_words_are_not_a_quote():
    (comment,) = _thread(("1", None, 'People who say "every single one of them" are wrong.'))
    assert comment.quotes == []


def _plain_sentence_keys(text: str) -> list[str]:
    """What a sentence key is, written the plain way: split at sentence boundaries, strip the
    edge characters, keep pieces of at least 20 characters and 3 spaces (after an ``@name``
    is taken off the front)."""
    from moderation.quotes import _EDGE, _LEADING_MENTION, _fold

    folded = re.sub(r"[ \t]+", " ", _fold(text))
    keys = []
    for part in re.split(r"[.!?\n\r]", folded):
        key = part.strip(_EDGE)
        if key.startswith("@"):
            key = _LEADING_MENTION.sub("", key).strip(_EDGE)
        if len(key) >= 20 and key.count(" ") >= 3:
            keys.append(key)
    return keys


@settings(max_examples=400, deadline=None)
@example("Intro. You read that right. More")  # 19 characters once the space is stripped
@given(
    st.lists(
        st.sampled_from(
            [
                "word",
                "x",
                " ",
                "  ",
                "\t",
                ".",
                "!",
                "?",
                "\n",
                "\r",
                "'",
                '"',
                "(",
                ")",
                "*",
                "-",
                "\u2022",
                ">",
                ",",
                ";",
                ":",
                "@al",
                "@bo:",
                "\u201c",
                "\u2019",
                "\u00a0",
                "\u2014",
                "\u2026",
                "é",
                "longerword",
                "ab",
                "abc",
            ]
        ),
        max_size=60,
    ).map("".join)
)
def test_sentence_keys_are_the_plain_definition(text):
    from moderation.quotes import _sentence_keys

    assert _sentence_keys(text) == _plain_sentence_keys(text)
