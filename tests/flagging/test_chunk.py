"""The per-chunk step of flagging: what the rows need of the comments, which texts are scored,
and the verdicts added to each row."""

from __future__ import annotations

import pytest

from moderation.comments import Comment, QuoteSpan
from moderation.flagging.chunk import (
    EMPTY,
    PLACEHOLDER,
    as_language_models,
    chunk_rows,
    flag_chunk,
    not_scored,
    texts_to_score,
)

ABUSE = "You pathetic worm, crawl back under your rock and stay there."
PLOT = "They staged it and the cabal is hiding the truth from everyone."


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", EMPTY),
        (" \n\t", EMPTY),
        ("[deleted]", PLACEHOLDER),
        ("[deleted] " + "but then a long comment went on " * 6, None),
        ("Lovely photos.", None),
    ],
)
def test_why_a_text_is_not_scored(text, reason):
    assert not_scored(text) == reason


def test_quotes_are_left_out_of_the_texts_and_empty_ones_are_not_scored():
    quoting = Comment(
        id="q", thread_id="t", text="> you said\nI did not", quotes=[QuoteSpan(0, 10, "parent")]
    )
    only_quote = Comment(
        id="o", thread_id="t", text="> you said", quotes=[QuoteSpan(0, 10, "parent")]
    )
    texts, scorable = texts_to_score(
        [quoting, only_quote, Comment(id="p", thread_id="t", text="hi")]
    )
    assert texts == ["I did not", "", "hi"]
    assert scorable == [0, 2]


def test_rows_start_from_the_export_s_record_or_the_canonical_comment():
    from_export = Comment(id="7", thread_id="t", text="hi", record={"body": "hi", "colour": "red"})
    canonical = Comment(id="8", thread_id="t", text="yo", quotes=[QuoteSpan(0, 1, "article")])
    part = chunk_rows([from_export, canonical])
    assert part.rows[0] == {"body": "hi", "colour": "red", "id": "7"}
    assert part.rows[1]["id"] == "8" and part.rows[1]["text"] == "yo"
    assert part.quoted == {1: [{"start": 0, "end": 1, "source": "article"}]}
    assert part.scored_texts() == ["hi", "o"]


def test_flag_chunk_is_pure_and_keeps_order(model):
    def comments():
        return [
            Comment(id=str(i), thread_id="t", text=text)
            for i, text in enumerate([ABUSE, "Lovely photos of the harbour.", PLOT])
        ]

    thresholds = model.thresholds
    first, again = (
        flag_chunk(comments(), model, thresholds),
        flag_chunk(comments(), model, thresholds),
    )
    assert first == again
    assert [row["id"] for row in first] == ["0", "1", "2"]
    assert [row["prediction"] for row in first] == ["abusive", "civil", "conspiracy"]


def test_a_comment_with_nothing_to_score_keeps_its_row_without_verdicts(model):
    rows = flag_chunk([Comment(id="e", thread_id="t", text="[removed]")], model)
    assert rows == [
        {
            **Comment(id="e", thread_id="t", text="[removed]").to_dict(),
            "prediction": None,
            "scores": None,
            "flags": [],
            "model": model.id,
            "language": "und",
            "not_scored": PLACEHOLDER,
        }
    ]


def test_quoted_spans_and_truncation_are_noted_on_scored_rows(model):
    long = ABUSE + " and more" * (model.max_chars // 9 + 1)
    quoting = Comment(
        id="q", thread_id="t", text=f"{PLOT} {ABUSE}", quotes=[QuoteSpan(0, len(PLOT), "parent")]
    )
    quoted_row, long_row = flag_chunk([quoting, Comment(id="l", thread_id="t", text=long)], model)
    assert quoted_row["quotes_excluded"] == [{"start": 0, "end": len(PLOT), "source": "parent"}]
    assert quoted_row["prediction"] == "abusive"  # the quoted conspiracy is not its words
    assert long_row["truncated"] == {"scored_chars": model.max_chars, "total_chars": len(long)}
    assert "truncated" not in quoted_row


def test_thresholds_given_for_one_model_are_its_language_s(model):
    models, chosen = as_language_models(model, {"abusive": 0.9})
    assert chosen == {models.main: {"abusive": 0.9}}
    _, own = as_language_models(model)
    assert own == models.thresholds
