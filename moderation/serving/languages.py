"""Which model answers a Perspective request: the model of the comment's language.

The language is the request's ``languages`` (Coral sends the site's: ``["de"]``), else the one
detected in the comment's own words. With several languages requested, the detected one is
taken if it is among them, else the first that has a model. A comment is *unsupported* when no
model reads its language, or that language's model does not have a requested attribute (the
Spanish model has no abuse labels: it cannot answer ``TOXICITY``). What the server does then is
the site's choice (``moderation serve --unsupported-language``):

- ``error`` (the default): Perspective's own answer, a 400 ``LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE``.
  Coral logs that it could not score the comment and publishes it unchecked.
- ``english``: the English model scores it (it reads English words only, so most of a foreign
  comment counts as nothing; the response says ``"scoredLanguage": "en"``).
- ``reject``: every requested attribute answers 1.0 (``"notScored": "language"``), so Coral
  treats the comment as over its threshold and holds it for a moderator (or rejects it, as the
  site configured).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from moderation.languages import ENGLISH, UNDETERMINED, language_name
from moderation.model.multilingual import LanguageModels
from moderation.serving.attributes import AttributeSource, attribute_sources
from moderation.serving.perspective import AnalyzeRequest, ApiError, request_words

POLICIES = ("error", "english", "reject")
REJECTED = 1.0


@dataclass
class Route:
    """How a request is answered: the comment's language, and the model that scores it (None:
    rejected, every attribute 1.0); ``fallback`` when that model reads another language."""

    language: str
    model: Any
    fallback: bool = False


def comment_language(models: LanguageModels, request: AnalyzeRequest) -> str:
    """The language the comment is read in (see the module's docstring)."""
    requested = [code.split("-")[0] for code in request.languages]
    if len(requested) == 1:
        return requested[0]
    detected = models.languages_of([request_words(request)[1]])[0]
    if not requested or detected in requested:
        return detected
    return next((code for code in requested if code in models.models), requested[0])


def route(models: LanguageModels, request: AnalyzeRequest, policy: str) -> Route:
    """The model of the comment's language, or what ``policy`` says for an unsupported one
    (``error``: an ``ApiError`` in Perspective's shape)."""
    language = comment_language(models, request)
    request.detected = [language]
    model = models.model_for(language)
    missing = missing_attributes(model, request)
    if model is not None and missing and request.drop_unsupported:
        if len(missing) < len(request.attributes):  # the others are answered
            for name in missing:
                del request.attributes[name]
            missing = []
    if model is not None and not missing:
        return Route(language, model)
    if policy == "english" and ENGLISH in models.models:
        english = models.models[ENGLISH]
        if not missing_attributes(english, request):
            return Route(language, english, fallback=True)
    if policy == "reject":
        return Route(language, None)
    raise language_error(language, missing or list(request.attributes))


def missing_attributes(model: Any, request: AnalyzeRequest) -> list[str]:
    """The requested attributes ``model`` cannot answer (all of them for no model)."""
    if model is None:
        return list(request.attributes)
    answered = attribute_sources(model)
    return [name for name in request.attributes if name not in answered]


def answered_by_any(models: LanguageModels) -> dict[str, AttributeSource]:
    """Every attribute some model of ``models`` answers (the main language's source where
    several do): what a request is checked against before its language is known."""
    sources: dict[str, AttributeSource] = {}
    for model in (models.main_model, *models.models.values()):
        for name, source in attribute_sources(model).items():
            sources.setdefault(name, source)
    return sources


def language_error(language: str, attributes: list[str]) -> ApiError:
    """Perspective's answer for a language an attribute does not support."""
    shown = UNDETERMINED if language == UNDETERMINED else language
    return ApiError(
        400,
        f"Attribute {attributes[0]} does not support request languages: {shown} (no model "
        f"here reads {language_name(language)} with that attribute)",
        details=[
            {
                "@type": "type.googleapis.com/google.commentanalyzer.v1alpha1.Error",
                "errorType": "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
                "languageNotSupportedByAttributeError": {
                    "detectedLanguages": [shown],
                    "attribute": attributes[0],
                },
            }
        ],
    )


def rejected(request: AnalyzeRequest, language: str) -> dict[str, Any]:
    """The answer to an unsupported comment under ``reject``: every requested attribute 1.0."""
    value = {"value": REJECTED, "type": "PROBABILITY"}
    scores: dict[str, Any] = {}
    for name in request.attributes:
        entry: dict[str, Any] = {"summaryScore": dict(value)}
        if request.spans:
            entry["spanScores"] = [{"begin": 0, "end": len(request.text), "score": dict(value)}]
        scores[name] = entry
    return {
        "attributeScores": scores,
        "languages": request.languages or [language],
        "detectedLanguages": [language],
        "notScored": "language",
    }


def counted(language: str, models: LanguageModels) -> str:
    """``language`` as the metrics count it: a language a model reads or the detector knows,
    else ``other`` (a client's made-up codes must not grow the counters without bound)."""
    from moderation.languages.detect import known_languages

    if language in models.models or language in known_languages() or language == UNDETERMINED:
        return language
    return "other"
