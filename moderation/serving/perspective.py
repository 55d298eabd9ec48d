"""Perspective API's request and response shapes, answered by this project's model.

Clients of Google's Perspective API (Coral, and anything written against
``comments:analyze``) send a comment and the attributes they want; they read
``attributeScores[ATTR].summaryScore.value``. The attributes this server answers:

What answers each attribute (a label's probability or an attribute head), which attributes are
refused, and the ``flag-threshold`` summary scale: ``serving.attributes``. Coral's decisions
(the thread and parent of a comment, APPROVED / DELETED): ``serving.coral``.

Span scores (``spanAnnotations: true``) are per sentence, from the model's exact per-word
contributions: a sentence's value is the probability the model gives when only the
contributions of the words inside that sentence are counted (with the biases), so the words
that make a comment abusive make their sentence score high, and a one-sentence comment's span
score equals its summary score. Quoted spans are left out of scoring, as in
``moderation flag``.

Everything here is plain data in, plain data out: the HTTP layer is ``serving.app``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson

from moderation.comments import QuoteSpan, is_placeholder
from moderation.model.scoring import marked_quotes_of, own_words, quotes_of_parent
from moderation.serving.attributes import (
    ATTRIBUTES,
    UNSUPPORTED,
    AttributeSource,
    flag_threshold_scale,
)
from moderation.serving.coral import coral_context, decision_of

MAX_TEXT_BYTES = 20_480  # Perspective's limit for comment.text
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)")
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8}){0,3}")


class ApiError(Exception):
    """A request the server refuses, in Perspective's error shape."""

    STATUS = {
        400: "INVALID_ARGUMENT",
        403: "PERMISSION_DENIED",
        404: "NOT_FOUND",
        405: "UNIMPLEMENTED",
        413: "OUT_OF_RANGE",
        429: "RESOURCE_EXHAUSTED",
        503: "UNAVAILABLE",
    }

    def __init__(self, code: int, message: str, details: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details
        self.headers: dict[str, str] = {}

    def retry(self, seconds: int) -> ApiError:
        """The same refusal, telling the client when to try again (``Retry-After``)."""
        self.headers["retry-after"] = str(seconds)
        return self

    def body(self) -> dict[str, Any]:
        status = self.STATUS.get(self.code, "INVALID_ARGUMENT")
        error: dict[str, Any] = {"code": self.code, "message": self.message, "status": status}
        if self.details:
            error["details"] = self.details
        return {"error": error}


def bad(message: str) -> ApiError:
    return ApiError(400, message)


def parse_json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as err:
        raise bad(f"Invalid JSON payload received: {err}") from None


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise bad(f"{where} must be a JSON object, not {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else "null"
    )


def comment_text(body: dict[str, Any]) -> str:
    """``comment.text``, checked: a non-empty string of at most 20,480 bytes."""
    comment = _object(body.get("comment"), "comment")
    text = comment.get("text")
    if text is None:
        raise bad("comment.text is required")
    if not isinstance(text, str):
        raise bad(f"comment.text must be a string, not {_kind(text)}")
    if not text.strip():
        raise bad("comment.text is empty: there is nothing to score")
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_TEXT_BYTES:
        raise bad(f"Comment text too long: {size} bytes, the limit is {MAX_TEXT_BYTES}")
    return text


def requested_languages(body: dict[str, Any]) -> list[str]:
    """The request's ``languages`` (the site's language: ``de``, ``pt-BR``), lower-cased; an
    empty list when absent (the comment's language is then detected)."""
    languages = body.get("languages")
    if languages is None:
        return []
    if not isinstance(languages, list) or not all(isinstance(x, str) for x in languages):
        raise bad("languages must be a list of language codes")
    if len(languages) > 10:
        raise bad("languages: give at most 10 language codes")
    codes = [x.strip().lower().replace("_", "-") for x in languages]
    for given, code in zip(languages, codes):
        if not _LANGUAGE_CODE.fullmatch(code):
            raise bad(f"languages: {given[:40]!r} is not a language code (e.g. en, de, pt-BR)")
    return codes


# --- comments:analyze ---------------------------------------------------------------------


@dataclass
class AnalyzeRequest:
    text: str
    attributes: dict[str, float | None]  # attribute -> scoreThreshold
    languages: list[str]  # as requested (none: detect)
    spans: bool = False
    parent: str | None = None
    detected: list[str] = field(default_factory=list)  # the language the comment was read in
    drop_unsupported: bool = False  # attributes a model does not answer are left out


def parse_analyze(
    body: Any, sources: dict[str, AttributeSource], *, omit_unsupported: bool = False
) -> AnalyzeRequest:
    """The request, checked against the attributes the model answers (``sources``). An
    attribute of Perspective's the model does not answer is a 400, or left out of the answer
    with ``omit_unsupported`` (the server's ``--omit-unsupported-attributes``) or the
    request's own ``dropUnsupportedAttributes: true``."""
    body = _object(body, "the request")
    text = comment_text(body)
    requested = _object(body.get("requestedAttributes"), "requestedAttributes")
    if not requested:
        raise bad("requestedAttributes is empty: ask for at least one attribute")
    drop = body.get("dropUnsupportedAttributes", False)
    if not isinstance(drop, bool):
        raise bad("dropUnsupportedAttributes must be true or false")
    attributes: dict[str, float | None] = {}
    for name, options in requested.items():
        if name not in sources:
            if name in (*ATTRIBUTES, *UNSUPPORTED) and (omit_unsupported or drop):
                continue
            raise bad(_refusal(name, sources))
        options = _object(options if options is not None else {}, f"requestedAttributes.{name}")
        score_type = options.get("scoreType", "PROBABILITY")
        if score_type not in ("PROBABILITY", None):
            raise bad(f"{name}: scoreType {score_type!r} is not supported (only PROBABILITY)")
        threshold = options.get("scoreThreshold")
        if threshold is not None and (
            isinstance(threshold, bool)
            or not isinstance(threshold, (int, float))
            or not 0 <= threshold <= 1
        ):
            raise bad(f"{name}: scoreThreshold must be a number between 0 and 1")
        attributes[name] = threshold
    spans = body.get("spanAnnotations", False)
    if not isinstance(spans, bool):
        raise bad("spanAnnotations must be true or false")
    return AnalyzeRequest(
        text,
        attributes,
        requested_languages(body),
        spans,
        _parent_text(body),
        drop_unsupported=omit_unsupported or drop,
    )


def _refusal(name: str, sources: dict[str, AttributeSource]) -> str:
    answered = ", ".join(sources)
    if name in (*ATTRIBUTES, *UNSUPPORTED):
        return (
            f"Attribute {name} is not supported by this model (it answers {answered}); "
            "send dropUnsupportedAttributes: true, or run the server with "
            "--omit-unsupported-attributes, to have the others answered"
        )
    if isinstance(name, str) and name.upper() in (*ATTRIBUTES, *UNSUPPORTED):
        return f"Unknown attribute: {name} (attribute names are in capitals: {name.upper()})"
    return f"Unknown attribute: {name} (this server answers {answered})"


def _parent_text(body: dict[str, Any]) -> str | None:
    """The comment replied to, when the context carries its text (Perspective's
    ``context.entries``); entries that are JSON metadata (Coral's ids and URL) are not text."""
    for text in _context_texts(body):
        if text.strip() and not text.lstrip().startswith(("{", "[")):
            return text
    return None


def _context_entries(body: dict[str, Any]) -> list[Any]:
    """Perspective's ``context.entries`` (other shapes give none)."""
    context = body.get("context")
    if not isinstance(context, dict) or not isinstance(context.get("entries"), list):
        return []
    return list(context["entries"])


def _context_texts(body: dict[str, Any]) -> list[str]:
    """The texts of Perspective's ``context.entries``."""
    return [
        entry["text"]
        for entry in _context_entries(body)
        if isinstance(entry, dict) and isinstance(entry.get("text"), str)
    ]


def analyze(
    model: Any,
    request: AnalyzeRequest,
    sources: dict[str, AttributeSource],
    *,
    scale: str = "probability",
) -> tuple[dict[str, Any], dict[str, float]]:
    """Perspective's AnalyzeComment response for one comment, and the model's label
    probabilities (empty for a placeholder, which is not scored). With ``scale``
    ``"flag-threshold"``, every value is mapped so that its flag threshold is 0.80."""
    text = request.text
    quotes, own = request_words(request)
    scores: dict[str, float] = {}
    values: dict[str, float] = {}
    if not is_placeholder(own):
        scores, heads = model.scores_of_one(own)
        values = {**scores, **heads}
    sentences = _sentences(text, quotes) if request.spans else []
    spans = _sentence_scores(model, own, text, quotes, sentences) if sentences and values else {}
    result: dict[str, Any] = {}
    for name, threshold in request.attributes.items():
        source = sources[name]
        # a placeholder ("[deleted]"): nothing of the author's to score
        value = values.get(source.name, 0.0)
        span_values = spans.get(source.name, [0.0] * len(sentences))
        if scale == "flag-threshold":
            value = flag_threshold_scale(value, source.threshold)
            span_values = [flag_threshold_scale(v, source.threshold) for v in span_values]
        if threshold is not None and value < threshold:
            continue
        entry: dict[str, Any] = {"summaryScore": {"value": round(value, 6), "type": "PROBABILITY"}}
        if request.spans:
            entry["spanScores"] = [
                {"begin": a, "end": b, "score": {"value": round(v, 6), "type": "PROBABILITY"}}
                for (a, b), v in zip(sentences, span_values)
            ]
        result[name] = entry
    response = {
        "attributeScores": result,
        "languages": request.languages or request.detected,
        "detectedLanguages": request.detected,
        "model": model.id,
    }
    return response, scores


def request_words(request: AnalyzeRequest) -> tuple[list[QuoteSpan], str]:
    """The comment's quoted spans (of its parent, or marked) and its own words."""
    text = request.text
    quotes = quotes_of_parent(text, request.parent) if request.parent else []
    quotes = quotes or marked_quotes_of(text)
    return quotes, own_words(text, quotes)


def _sentences(text: str, quotes: list[QuoteSpan]) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text`` outside its quoted spans."""
    spans = []
    for match in _SENTENCE.finditer(text):
        start, end = match.span()
        while start < end and text[start].isspace():
            start += 1
        if start < end and not any(q.start <= start < q.end for q in quotes):
            spans.append((start, end))
    return spans


def _sentence_scores(
    model: Any, own: str, text: str, quotes: list[QuoteSpan], sentences: list[tuple[int, int]]
) -> dict[str, list[float]]:
    """Per label and per attribute head, each sentence's probability as if the sentence held
    only its own words' contributions: the biases plus the contributions of the words inside
    it (to each label's log-odds against civil, softmaxed; to each head's log-odds). For a
    one-sentence comment this is the comment's own probability, exactly."""
    weights = model.term_weights(own, spans_in=text, skip=[(q.start, q.end) for q in quotes])
    contributions, intercept = weights.contributions, weights.intercept
    if "civil" in model.labels:
        civil = model.labels.index("civil")
        contributions = contributions - contributions[:, [civil]]
        intercept = intercept - intercept[civil]
    heads = getattr(model, "heads", None)
    if heads is not None and len(heads):
        contributions = np.hstack([contributions, heads.contributions(weights.ids, weights.values)])
        intercept = np.concatenate([intercept, heads.intercept])
    logits = np.tile(intercept, (len(sentences), 1)).astype(float)
    starts = np.array([a for a, _ in sentences])
    for row, where in enumerate(weights.spans):
        share = contributions[row] / max(len(where), 1)  # a word said twice: half each time
        for begin, _ in where:
            k = int(np.searchsorted(starts, begin, side="right")) - 1
            if k >= 0 and begin < sentences[k][1]:
                logits[k] += share
    n_labels = len(model.labels)
    labels = logits[:, :n_labels]
    labels = labels - labels.max(axis=1, keepdims=True)
    probabilities = np.exp(labels)
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    found = {label: probabilities[:, i].tolist() for i, label in enumerate(model.labels)}
    if heads is not None:
        attribute = 1.0 / (1.0 + np.exp(-np.clip(logits[:, n_labels:], -500, 500)))
        found.update({name: attribute[:, i].tolist() for i, name in enumerate(heads.names)})
    return found


# --- comments:suggestscore ----------------------------------------------------------------

TOXIC_LIKE = ("ABUSIVE", "TOXICITY", "SEVERE_TOXICITY", "INSULT", "IDENTITY_ATTACK", "THREAT")
DECISION_NAMES = ("APPROVED", "HIGHLIGHTED", "DELETED")  # Coral's (serving.coral)


@dataclass
class Suggestion:
    """A moderator's decision about a comment, sent by the platform."""

    comment_id: str
    text: str
    label: str
    client_token: str | None
    community: str | None
    languages: list[str]
    thread_id: str | None = None  # the story, from Coral's context
    parent_id: str | None = None  # the comment it replies to
    context: dict[str, Any] = field(default_factory=dict)  # Coral's context as it sent it


def parse_suggest(body: Any) -> Suggestion:
    body = _object(body, "the request")
    text = comment_text(body)
    scores = _object(body.get("attributeScores"), "attributeScores")
    if not scores:
        raise bad("attributeScores is empty: give the decision as a summaryScore value")
    values: dict[str, float] = {}
    for name, entry in scores.items():
        if name not in (*ATTRIBUTES, *DECISION_NAMES):
            known = ", ".join((*ATTRIBUTES, *DECISION_NAMES))
            raise bad(f"Unknown attribute: {name} (this server reads {known})")
        entry = _object(entry, f"attributeScores.{name}")
        summary = _object(entry.get("summaryScore"), f"attributeScores.{name}.summaryScore")
        value = summary.get("value")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise bad(f"attributeScores.{name}.summaryScore.value must be a number in [0, 1]")
        values[name] = float(value)
    token = body.get("clientToken")
    if token is not None and not isinstance(token, str):
        raise bad("clientToken must be a string")
    community = body.get("communityId")
    if community is not None and not isinstance(community, str):
        raise bad("communityId must be a string")
    context = coral_context(_context_entries(body))
    return Suggestion(
        comment_id=_comment_id(token, text),
        text=text,
        label=decision_label(values),
        client_token=token,
        community=community,
        languages=requested_languages(body),
        thread_id=context.thread_id,
        parent_id=context.parent_id,
        context=context.sent,
    )


def decision_label(values: dict[str, float]) -> str:
    """Coral's decision (APPROVED civil, DELETED abusive); else a TOXICITY-like value of 0.5
    or more is abusive, CONSPIRACY conspiracy, else civil (PROFANITY alone says nothing:
    profanity is not abuse)."""
    decided = decision_of(values)
    if decided is not None:
        return decided
    if any(values.get(name, 0.0) >= 0.5 for name in TOXIC_LIKE):
        return "abusive"
    if values.get("CONSPIRACY", 0.0) >= 0.5:
        return "conspiracy"
    return "civil"


def _comment_id(token: str | None, text: str) -> str:
    """Coral's ``clientToken`` is ``comment:<id>``; without one, the text's hash."""
    if token:
        return token.removeprefix("comment:")
    return "text:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
