"""Quoted spans: a reply is judged on its own words; a repost is not a quote."""

from __future__ import annotations

import json

from conftest import SAMPLES, read_all


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
