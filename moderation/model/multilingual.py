"""The models a command scores with, one per language, and which of them scores each comment.

A comment goes to the model of its language: the language the site declared (``--language``,
Perspective's ``languages``), else the one detected (``moderation.languages.detect``; the
languages that have a model win close calls). A comment in a language no model reads is not
scored (``not_scored: language``): never by another language's model. A text that gives
nothing to go on (``und``: ``+1``, an emoji, a link) is scored by the model of the site's main
language (the declared one, else English).

``LanguageModels`` offers what scoring and flagging ask of one model, per language: its
models, their thresholds, and the records ``moderation score --json`` prints, each with its
``language``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from moderation.comments import QuoteSpan
from moderation.errors import UsageError
from moderation.languages import ENGLISH, UNDETERMINED, language_name
from moderation.model.scoring import (
    ScoreRecord,
    display_order,
    marked_quotes_of,
    parse_thresholds,
    quotes_of_parent,
    score_texts,
    words_to_score,
)

if TYPE_CHECKING:
    from moderation.model.directory import Model

NO_MODEL = "language"  # the not_scored reason of a comment in a language without a model
# language -> label -> probability at which the label is flagged
LanguageThresholds = dict[str, dict[str, float]]


class LanguageModels:
    """One model per language (``models``: language -> a loaded model) and the flag thresholds
    of each (``thresholds``; default: each model's own). With ``declared``, every comment is
    taken to be in that language and nothing is detected."""

    def __init__(
        self,
        models: dict[str, Model],
        *,
        declared: str | None = None,
        thresholds: LanguageThresholds | None = None,
    ):
        if not models:
            raise UsageError("no model to score with")
        if declared is not None and declared not in models:
            raise UsageError(no_model_message(declared, models))
        self.models = dict(models)
        self.declared = declared
        self.thresholds = thresholds or {code: m.thresholds for code, m in self.models.items()}
        self.main = declared or (ENGLISH if ENGLISH in self.models else next(iter(self.models)))

    def __repr__(self) -> str:
        shown = ", ".join(f"{code}: {m.id}" for code, m in self.models.items())
        return f"LanguageModels({shown}{', declared ' + self.declared if self.declared else ''})"

    @classmethod
    def of(cls, model: Model | LanguageModels) -> LanguageModels:
        """``model`` itself if it is one per language; a single model scores every comment
        (its language declared: the caller chose it)."""
        if isinstance(model, LanguageModels):
            return model
        return cls({model.language: model}, declared=model.language)

    @property
    def main_model(self) -> Model:
        """The model of the site's main language (the declared one, else English)."""
        return self.models[self.main]

    @property
    def id(self) -> str:
        return self.main_model.id

    @property
    def labels(self) -> list[str]:
        """Every label of every model, in the order people read them."""
        labels = (label for m in self.models.values() for label in m.labels)
        return display_order(list(dict.fromkeys(labels)))

    def spec(self) -> tuple[tuple[tuple[str, str], ...], str | None]:
        """What loads the same models in another process: (language, directory) pairs and the
        declared language."""
        return tuple((code, str(m.path)) for code, m in self.models.items()), self.declared

    @classmethod
    def from_spec(cls, spec: tuple[tuple[tuple[str, str], ...], str | None]) -> LanguageModels:
        from moderation.model.directory import load_model_dir

        paths, declared = spec
        return cls({code: load_model_dir(Path(path)) for code, path in paths}, declared=declared)

    # --- which model scores which comment ------------------------------------------------------

    def languages_of(self, texts: Sequence[str]) -> list[str]:
        """Each text's language: the declared one, else detected (``und`` for a text with
        nothing to go on)."""
        if self.declared is not None:
            return [self.declared] * len(texts)
        from moderation.languages.detect import detect_languages

        return detect_languages(texts, preferred=self.models)

    def model_for(self, language: str) -> Model | None:
        """The model that scores comments in ``language``, or None (none reads it)."""
        if language == UNDETERMINED:
            return self.main_model
        return self.models.get(language)

    def groups(self, languages: Sequence[str]) -> dict[str, list[int]]:
        """The positions of each language's texts, in order of first appearance."""
        found: dict[str, list[int]] = {}
        for i, language in enumerate(languages):
            found.setdefault(language, []).append(i)
        return found

    def with_thresholds(self, overrides: Sequence[str]) -> LanguageModels:
        """These models with ``LABEL=P`` overrides applied to every model that has the label
        (``parse_thresholds``); a label no model has is an error."""
        if not overrides:
            return self
        known = self.labels
        for item in overrides:
            label = item.partition("=")[0].strip()
            if "=" in item and label not in known:
                raise UsageError(
                    f"--threshold {item!r}: unknown label {label!r} (the models' labels are "
                    f"{', '.join(known)})"
                )
        thresholds = {
            code: parse_thresholds(
                [o for o in overrides if "=" not in o or o.partition("=")[0].strip() in m.labels],
                self.thresholds[code],
                m.labels,
            )
            for code, m in self.models.items()
        }
        return LanguageModels(self.models, declared=self.declared, thresholds=thresholds)

    def describe(self) -> dict[str, dict[str, Any]]:
        """Per language, the model that reads it: id, labels and flag thresholds."""
        return {
            code: {
                "language": language_name(code),
                "model": m.id,
                "labels": list(m.labels),
                "thresholds": self.thresholds[code],
            }
            for code, m in self.models.items()
        }

    # --- scoring -----------------------------------------------------------------------------

    def score(
        self,
        texts: Sequence[str],
        *,
        explain: bool = False,
        quotes: Sequence[Sequence[QuoteSpan]] | None = None,
        languages: Sequence[str] | None = None,
    ) -> list[ScoreRecord]:
        """The records ``moderation score --json`` prints (``score_texts``), one per text,
        each scored by the model of its language (``languages``, else ``languages_of`` the
        words the text's author wrote) and carrying its ``language``."""
        quotes = quotes or [()] * len(texts)
        own = words_to_score(texts, quotes)
        if languages is None:
            languages = self.languages_of(own)
        records: list[ScoreRecord | None] = [None] * len(texts)
        for language, positions in self.groups(languages).items():
            model = self.model_for(language)
            if model is None:
                for i in positions:
                    records[i] = not_scored_record(texts[i], language)
                continue
            scored = score_texts(
                model,
                [texts[i] for i in positions],
                thresholds=self.thresholds[model.language],
                explain=explain,
                quotes=[quotes[i] for i in positions],
            )
            for i, record in zip(positions, scored):
                record["language"] = language
                records[i] = record
        return [record for record in records if record is not None]  # every position is set


def score_comments(
    models: Model | LanguageModels,
    texts: Sequence[str],
    *,
    records: list[dict[str, Any]] | None = None,
    thresholds: Sequence[str] = (),
    explain: bool = False,
    parent: str | None = None,
) -> list[ScoreRecord] | list[dict[str, Any]]:
    """``moderation score``: score ``texts`` (or JSON ``records`` with a ``text`` field, whose
    other fields are kept) with ``models`` (one per language, or one model) and ``LABEL=P``
    threshold overrides. With ``parent``, the spans of each text that quote it are left out
    of what is scored."""
    if records is not None:
        texts = [record["text"] for record in records]
    if not texts:
        raise UsageError("no comments to score: give TEXT arguments or pipe comments on stdin")
    chosen = LanguageModels.of(models).with_thresholds(thresholds)
    quotes = [
        quotes_of_parent(text, parent) if parent else marked_quotes_of(text) for text in texts
    ]
    scored = chosen.score(list(texts), explain=explain, quotes=quotes)
    if records is None:
        return list(scored)
    # the input's own fields kept, the score record's over them
    return [{**record, **result} for record, result in zip(records, scored)]


def not_scored_record(text: str, language: str) -> ScoreRecord:
    """The record of a comment in a language no model reads."""
    return {
        "text": text,
        "prediction": None,
        "scores": None,
        "flags": [],
        "model": None,
        "not_scored": NO_MODEL,
        "language": language,
    }


def no_model_message(language: str, models: Iterable[str]) -> str:
    name = language_name(language)
    return (
        f"no model reads {name} ({language}); the models here read "
        f"{', '.join(f'{language_name(c)} ({c})' for c in models)}: start one from your "
        f"site's labels with `moderation train --language {language} --add STORE -o DIR`, "
        "then `moderation models promote DIR`"
    )


def load_models(model: str | Path | None = None, *, language: str | None = None) -> LanguageModels:
    """The models ``score``, ``flag`` and ``serve`` use: each language's active model, else
    its shipped one (``moderation.model.registry.language_model_dirs``), ``model`` (a model
    directory) in place of the one of the language it reads. With ``language``, every
    comment is in that language (nothing is detected)."""
    from moderation.model.directory import load_model_dir
    from moderation.model.registry import language_model_dirs

    directories = language_model_dirs(model)
    if language is not None:
        language = check_language(language)
        if language not in directories:
            raise UsageError(no_model_message(language, directories))
        if model is not None and directories[language] != Path(model):
            raise UsageError(
                f"--model {model} reads another language than --language {language}: give "
                f"a {language_name(language)} model, or leave one of the two out"
            )
        directories = {language: directories[language]}
    models = {code: load_model_dir(path) for code, path in directories.items()}
    return LanguageModels(models, declared=language)


def check_language(code: str) -> str:
    """A language code as given (``de``, ``DE``, ``pt-BR``) as the two letters models are
    recorded under."""
    cleaned = code.strip().lower().replace("_", "-").split("-")[0]
    if not (2 <= len(cleaned) <= 3 and cleaned.isalpha()):
        raise UsageError(
            f"--language {code!r}: give an ISO 639-1 language code such as en, de, pt, fr, es"
        )
    return cleaned
