"""``POST /v1/score``: this project's own batch API.

In: a JSON list of comments, or ``{"comments": [...], "explain": false}``; a comment is
``{"text": "...", "id": "c1", "parent_text": "...", "language": "de"}`` (all but ``text``
optional; without ``language`` it is detected). Out: the records ``moderation score --json``
prints, one per comment in order, with the ``id`` given: each scored by the model of its
language, or ``not_scored: language`` when no model reads it.
"""

from __future__ import annotations

from typing import Any

from moderation.model.multilingual import LanguageModels
from moderation.model.scoring import (
    ScoreRecord,
    marked_quotes_of,
    own_words,
    quotes_of_parent,
)
from moderation.serving.perspective import MAX_TEXT_BYTES, bad, requested_languages

MAX_COMMENTS = 10_000


def parse_batch(body: Any) -> tuple[list[dict[str, Any]], bool]:
    """The comments and whether explanations are wanted, checked."""
    explain = False
    if isinstance(body, dict):
        explain = body.get("explain", False)
        if not isinstance(explain, bool):
            raise bad("explain must be true or false")
        body = body.get("comments")
    if not isinstance(body, list):
        raise bad('give a list of comments, or {"comments": [...]}')
    if not body:
        raise bad("no comments to score")
    if len(body) > MAX_COMMENTS:
        raise bad(f"{len(body):,} comments in one request; send at most {MAX_COMMENTS:,}")
    comments = []
    for number, item in enumerate(body):
        where = f"comments[{number}]"
        if not isinstance(item, dict):
            raise bad(f'{where} must be an object with a "text"')
        text = item.get("text")
        if not isinstance(text, str) or not text.strip():
            raise bad(f"{where}.text must be a non-empty string")
        if len(text.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES:
            raise bad(f"{where}.text is over {MAX_TEXT_BYTES} bytes")
        comment_id = item.get("id")
        if comment_id is not None and (
            isinstance(comment_id, bool) or not isinstance(comment_id, (str, int))
        ):
            raise bad(f"{where}.id must be a string or a number")
        parent = item.get("parent_text")
        if parent is not None and not isinstance(parent, str):
            raise bad(f"{where}.parent_text must be a string")
        language = item.get("language")
        if language is not None:
            if not isinstance(language, str):
                raise bad(f"{where}.language must be a language code")
            language = requested_languages({"languages": [language]})[0].split("-")[0]
        comments.append(
            {"text": text, "id": comment_id, "parent_text": parent, "language": language}
        )
    return comments, explain


def score_batch(
    models: LanguageModels, comments: list[dict[str, Any]], explain: bool
) -> list[ScoreRecord]:
    """The records of ``comments``, each scored by the model of its language (given, else
    detected in its own words)."""
    texts = [c["text"] for c in comments]
    quotes = [
        quotes_of_parent(c["text"], c["parent_text"])
        if c["parent_text"]
        else marked_quotes_of(c["text"])
        for c in comments
    ]
    languages = [c["language"] for c in comments]
    missing = [i for i, language in enumerate(languages) if language is None]
    if missing:
        found = models.languages_of([own_words(texts[i], quotes[i]) for i in missing])
        for i, language in zip(missing, found):
            languages[i] = language
    records = models.score(texts, explain=explain, quotes=quotes, languages=languages)
    for comment, record in zip(comments, records):
        if comment["id"] is not None:
            record["id"] = comment["id"]
    return records
