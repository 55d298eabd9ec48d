"""The pure per-chunk step of flagging: comments and a model in, one output row per comment
out. The same step runs in one process, in a scoring worker, or on a Dask partition."""

from __future__ import annotations

from typing import Any

from moderation.comments import Comment, is_placeholder
from moderation.scoring import scoring_notes, verdicts

EMPTY = "empty comment"
PLACEHOLDER = "placeholder"  # "[deleted]", "This comment has been removed by a moderator"


def flag_chunk(
    comments: list[Comment], model: Any, thresholds: dict[str, float]
) -> list[dict[str, Any]]:
    """One output row per comment, in order. Pure: the rows depend only on the comments, the
    model and the thresholds."""
    texts, scorable = texts_to_score(comments)
    probabilities = model.predict_proba([texts[i] for i in scorable]) if scorable else []
    return rows_for(comments, texts, scorable, probabilities, model, thresholds)


def texts_to_score(comments: list[Comment]) -> tuple[list[str], list[int]]:
    """Each comment's own words (quotes left out), and the positions of those to score (not
    empty, not a placeholder of a deleted comment)."""
    texts = [comment.unquoted_text() for comment in comments]
    return texts, [i for i, text in enumerate(texts) if not_scored(text) is None]


def not_scored(text: str) -> str | None:
    """Why ``text`` is not scored (empty, a placeholder), or None."""
    if not text or text.isspace():
        return EMPTY
    if len(text) < 160 and is_placeholder(text):
        return PLACEHOLDER
    return None


def rows_for(
    comments: list[Comment],
    texts: list[str],
    scorable: list[int],
    probabilities: Any,
    model: Any,
    thresholds: dict[str, float],
) -> list[dict[str, Any]]:
    """The rows of ``flag_chunk`` from the probabilities of the ``scorable`` texts."""
    results: list[Any] = [None] * len(comments)
    for i, result in zip(scorable, verdicts(probabilities, model.labels, thresholds, model.bias)):
        results[i] = result
    model_id, max_chars = model.id, model.max_chars
    rows = []
    for comment, text, result in zip(comments, texts, results):
        row = comment.record
        if row is None:
            row = comment.to_dict()
        elif "id" not in row:
            row["id"] = comment.id
        if result is None:
            row.update(
                prediction=None, scores=None, flags=[], model=model_id, not_scored=not_scored(text)
            )
        else:
            row["prediction"], row["scores"], row["flags"], notes = result
            row["model"] = model_id
            if notes:
                row.update(notes)
            if comment.quotes or len(text) > max_chars:
                row.update(scoring_notes(comment.text, text, comment.quotes, max_chars))
        rows.append(row)
    return rows
