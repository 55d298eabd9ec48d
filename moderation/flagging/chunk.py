"""The pure per-chunk step of flagging: comments and the models in, one output row per comment
out. The same step runs in one process, in a scoring worker, or on a Dask partition.

It comes in two halves so that the second can run in another process: ``chunk_rows`` takes
what the rows need from the comments (plain dicts and strings, cheap to send), and
``score_rows`` finds each text's language and adds the verdicts of that language's model.

Every row carries its ``language``. A comment in a language no model reads is not scored
(``not_scored: language``, ``model`` null): never by another language's model. A comment with
nothing to score (empty, a placeholder) is ``und``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from moderation.comments import Comment, is_placeholder
from moderation.languages import UNDETERMINED
from moderation.model.multilingual import NO_MODEL, LanguageModels, LanguageThresholds
from moderation.model.scoring import asked_labels, verdicts, word_counts

if TYPE_CHECKING:
    from moderation.model.directory import Model

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
    comments: list[Comment], model: Model | LanguageModels, thresholds: Any = None
) -> list[dict[str, Any]]:
    """One output row per comment, in order. ``model`` is a ``LanguageModels`` with
    per-language ``thresholds`` (None: the models' own), or one model with its thresholds
    (None: its own), which then scores every comment. Pure: the rows depend only on the
    comments, the models and the thresholds."""
    models, chosen = as_language_models(model, thresholds)
    return score_rows(chunk_rows(comments), models, chosen)


def as_language_models(
    model: Model | LanguageModels, thresholds: Any = None
) -> tuple[LanguageModels, Any]:
    """``model`` and ``thresholds`` as models per language and thresholds per language."""
    models = LanguageModels.of(model)
    if thresholds is None:
        return models, models.thresholds
    if models is model:
        return models, thresholds
    return models, {models.main: thresholds}


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


def score_rows(
    part: ChunkRows, models: LanguageModels, thresholds: LanguageThresholds
) -> list[dict[str, Any]]:
    """The second half of ``flag_chunk``: ``part``'s rows, completed in place with each
    scored text's language and the verdicts of that language's model."""
    rows, texts = part.rows, part.texts
    results: list[Any] = [None] * len(rows)
    languages = [UNDETERMINED] * len(rows)
    scorable = part.scorable
    found = models.languages_of(part.scored_texts())
    for language, positions in models.groups(found).items():
        chosen = [scorable[k] for k in positions]
        for i in chosen:
            languages[i] = language
        model = models.model_for(language)
        if model is None:
            continue
        probabilities = model.predict_proba([texts[i] for i in chosen])
        chosen_thresholds = thresholds[model.language]
        judged = verdicts(
            probabilities,
            model.labels,
            chosen_thresholds,
            model.bias,
            words=word_counts([texts[i] for i in chosen]),
            asked=asked_labels(model.thresholds, chosen_thresholds),
        )
        for i, result in zip(chosen, judged):
            results[i] = (model, result)
    quoted = part.quoted
    for i, (row, text, result, language) in enumerate(zip(rows, texts, results, languages)):
        if result is None:
            row.update(
                prediction=None,
                scores=None,
                flags=[],
                model=models.main_model.id if language == UNDETERMINED else None,
                language=language,
                not_scored=not_scored(text) or NO_MODEL,
            )
            continue
        model, (row["prediction"], row["scores"], row["flags"], notes) = result
        row["model"] = model.id
        row["language"] = language
        if notes:
            row.update(notes)
        spans = quoted.get(i)
        if spans:
            row["quotes_excluded"] = spans
        if len(text) > model.max_chars:
            row["truncated"] = {"scored_chars": model.max_chars, "total_chars": len(text)}
    return rows
