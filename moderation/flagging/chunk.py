"""The pure per-chunk step of flagging: comments and a model in, one output row per comment
out. The same step runs in one process, in a scoring worker, or on a Dask partition.

It comes in two halves so that the second can run in another process: ``chunk_rows`` takes
what the rows need from the comments (plain dicts and strings, cheap to send), and
``fill_rows`` adds the verdicts once the texts are scored."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from moderation.comments import Comment, is_placeholder
from moderation.model.scoring import asked_labels, verdicts, word_counts

EMPTY = "empty comment"
PLACEHOLDER = "placeholder"  # "[deleted]", "This comment has been removed by a moderator"


@dataclass(slots=True)
class ChunkRows:
    """A chunk's comments as the rows will need them: each comment's row without verdicts
    (the export's own record, or the canonical one), the texts to score (quotes left out),
    which of them are scored, and the quoted spans (by position, as JSON)."""

    rows: list[dict[str, Any]]
    texts: list[str]
    scorable: list[int]
    quoted: dict[int, list[dict[str, Any]]]

    def scored_texts(self) -> list[str]:
        texts = self.texts
        return [texts[i] for i in self.scorable]


def flag_chunk(
    comments: list[Comment], model: Any, thresholds: dict[str, float]
) -> list[dict[str, Any]]:
    """One output row per comment, in order. Pure: the rows depend only on the comments, the
    model and the thresholds."""
    part = chunk_rows(comments)
    scored = part.scored_texts()
    probabilities = model.predict_proba(scored) if scored else []
    return fill_rows(part, probabilities, model, thresholds)


def chunk_rows(comments: list[Comment]) -> ChunkRows:
    """The first half of ``flag_chunk``: what its rows need of ``comments``."""
    rows: list[dict[str, Any]] = []
    quoted: dict[int, list[dict[str, Any]]] = {}
    for i, comment in enumerate(comments):
        row = comment.record
        if row is None:
            row = comment.to_dict()
        elif "id" not in row:
            row["id"] = comment.id
        rows.append(row)
        if comment.quotes:
            quoted[i] = [span.to_dict() for span in comment.quotes]
    texts, scorable = texts_to_score(comments)
    return ChunkRows(rows, texts, scorable, quoted)


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


def fill_rows(
    part: ChunkRows, probabilities: Any, model: Any, thresholds: dict[str, float]
) -> list[dict[str, Any]]:
    """The second half of ``flag_chunk``: ``part``'s rows, completed in place with the verdicts
    from the probabilities of its scored texts."""
    rows, texts = part.rows, part.texts
    results: list[Any] = [None] * len(rows)
    judged = verdicts(
        probabilities,
        model.labels,
        thresholds,
        model.bias,
        words=word_counts([texts[i] for i in part.scorable]),
        asked=asked_labels(model.thresholds, thresholds),
    )
    for i, result in zip(part.scorable, judged):
        results[i] = result
    model_id, max_chars, quoted = model.id, model.max_chars, part.quoted
    for i, (row, text, result) in enumerate(zip(rows, texts, results)):
        if result is None:
            row.update(
                prediction=None, scores=None, flags=[], model=model_id, not_scored=not_scored(text)
            )
            continue
        row["prediction"], row["scores"], row["flags"], notes = result
        row["model"] = model_id
        if notes:
            row.update(notes)
        spans = quoted.get(i)
        if spans:
            row["quotes_excluded"] = spans
        if len(text) > max_chars:
            row["truncated"] = {"scored_chars": max_chars, "total_chars": len(text)}
    return rows
