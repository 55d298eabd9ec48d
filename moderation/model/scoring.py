"""From a model's numbers to what people and programs are shown: verdicts (prediction, scores,
flags), score records, and explanations.

A flag means "a moderator should look at this": a label is flagged when its probability reaches
the label's threshold (chosen in ``moderation.model.thresholds``). Everything here works on what
a model gives (probabilities, per-term weights), so any model object that offers
``predict_proba`` and ``term_weights`` can be scored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NotRequired, Protocol, TypedDict

import numpy as np
import orjson

from moderation.comments import LABELS, Comment, QuoteSpan, is_placeholder
from moderation.errors import InputError, UsageError
from moderation.quotes import ConversationTracker, marked_quotes

if TYPE_CHECKING:
    from moderation.model.scorer import TermWeights

FLAGGED_LABELS = ("abusive", "conspiracy")  # civil is never a reason to look


class ScoredModel(Protocol):
    """What scoring reads of a model (``moderation.model.directory.Model`` is one): its identity,
    labels and flag thresholds, probabilities and per-term weights."""

    @property
    def id(self) -> str: ...
    @property
    def labels(self) -> list[str]: ...
    @property
    def thresholds(self) -> dict[str, float]: ...
    @property
    def max_chars(self) -> int: ...
    @property
    def bias(self) -> np.ndarray: ...
    def predict_proba(self, texts: list[str]) -> np.ndarray: ...
    def term_weights(
        self, text: str, *, spans_in: str | None = None, skip: Sequence[tuple[int, int]] = ()
    ) -> TermWeights: ...


# --- scores, flags and explanations for people and programs ---------------------------------


def display_order(labels: Sequence[str]) -> list[str]:
    """Labels in the order people read them (civil, abusive, conspiracy), then any others."""
    known = [label for label in LABELS if label in labels]
    return known + [label for label in labels if label not in known]


def parse_thresholds(
    overrides: Sequence[str], model_thresholds: dict[str, float], labels: Sequence[str]
) -> dict[str, float]:
    """The model's thresholds with ``LABEL=P`` overrides applied; raises UsageError for an
    unknown label, a label that is never flagged, or a value outside [0, 1]."""
    thresholds = dict(model_thresholds)
    for item in overrides:
        label, sep, value = item.partition("=")
        label = label.strip()
        if not sep:
            raise UsageError(f"--threshold {item!r}: write it as LABEL=P, e.g. abusive=0.7")
        if label not in labels:
            raise UsageError(
                f"--threshold {item!r}: unknown label {label!r} (this model's "
                f"labels are {', '.join(labels)})"
            )
        if label not in FLAGGED_LABELS:
            raise UsageError(
                f"--threshold {item!r}: {label} is never flagged; thresholds "
                f"apply to {', '.join(FLAGGED_LABELS)}"
            )
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not 0.0 <= number <= 1.0:
            raise UsageError(
                f"--threshold {item!r}: {value!r} is not a probability between 0 and 1"
            )
        thresholds[label] = number
    return thresholds


# A short text (fewer than LITTLE_EVIDENCE_WORDS words) whose words move no label's log-odds
# against civil by at least LITTLE_EVIDENCE nats gives the model too little to go on: civil,
# not flagged (unless the user set that label's threshold), and the record says so. A sentence
# of eight words is never "little evidence", however ordinary its words.
LITTLE_EVIDENCE = 1.0
LITTLE_EVIDENCE_WORDS = 8


class VerdictNotes(TypedDict, total=False):
    """What a verdict says beyond prediction, scores and flags, where it applies."""

    little_evidence: bool  # a short text whose words hardly move any label: civil
    note: str  # why the prediction and the flags may look as if they disagree


class ScoreRecord(VerdictNotes):
    """One comment scored, as ``moderation score --json`` prints it, ``Model.score`` and
    ``LanguageModels.score`` return it and flagging and serving read it. ``prediction``,
    ``scores`` and ``model`` are None for a comment that was not scored (``not_scored``:
    ``placeholder``, or ``language`` where no model reads its language)."""

    text: str
    prediction: str | None
    scores: dict[str, float] | None
    flags: list[str]
    model: str | None
    language: NotRequired[str]  # the language whose model scored it (``LanguageModels``)
    not_scored: NotRequired[str]
    # what was scored, when it is not the whole text: the quoted spans left out
    # (``QuoteSpan.to_dict``), and ``scored_chars`` of ``total_chars`` for a text cut short
    quotes_excluded: NotRequired[list[dict[str, Any]]]
    truncated: NotRequired[dict[str, int]]
    explanation: NotRequired[dict[str, Any]]  # ``explain_text``, with ``explain``
    id: NotRequired[str]  # the id a batch request gave the comment (``serving.batch``)


Verdict = tuple[str, dict[str, float], list[str], VerdictNotes]
_WORD = re.compile(r"[^\W\d_]+")


def word_counts(texts: Sequence[str]) -> np.ndarray:
    """How many words (runs of letters) each text has."""
    return np.fromiter((len(_WORD.findall(t)) for t in texts), dtype=np.int64, count=len(texts))


def asked_labels(model_thresholds: dict[str, float], thresholds: dict[str, float]) -> set[str]:
    """The labels whose threshold the user set (differs from the model's own)."""
    return {k for k, t in thresholds.items() if model_thresholds.get(k) != t}


def verdicts(
    probabilities: np.ndarray,
    labels: Sequence[str],
    thresholds: dict[str, float],
    bias: np.ndarray | None = None,
    *,
    words: np.ndarray | None = None,
    asked: Iterable[str] = (),
) -> list[Verdict]:
    """``(prediction, scores, flags, notes)`` per row of ``probabilities`` (columns in
    ``labels`` order). A label is flagged when its probability reaches its threshold.

    With the model's ``bias`` (its intercepts), a text of fewer than ``LITTLE_EVIDENCE_WORDS``
    words (``words``: each text's count; without it every text counts as short) whose words
    hardly move any label away from civil (``LITTLE_EVIDENCE``) is civil, noted
    ``little_evidence``, and keeps only the flags of the ``asked`` labels (thresholds the user
    set). Where the prediction and the flags could be read as contradicting each other (a
    label flagged that is not the likeliest, or a likeliest label below its flag threshold),
    ``note`` says why."""
    n = len(probabilities)
    if n == 0:
        return []
    labels = list(labels)
    shown = display_order(labels)
    columns = [labels.index(label) for label in shown]
    top = probabilities.argmax(axis=1)
    predictions = np.asarray(labels, dtype=object)[top].tolist()
    scores = [
        dict(zip(shown, values)) for values in np.round(probabilities[:, columns], 6).tolist()
    ]
    flags: list[list[str]] = [[] for _ in range(n)]
    # column-wise: which rows reach each threshold, and which rows a note may concern (a
    # label flagged that is not the likeliest, or the likeliest below its threshold); only
    # those rows are looked at one by one
    worth_a_note = np.zeros(n, dtype=bool)
    for label in FLAGGED_LABELS:
        if label in thresholds and label in labels:
            column = labels.index(label)
            reached = probabilities[:, column] >= thresholds[label]
            for row in np.flatnonzero(reached).tolist():
                flags[row].append(label)
            worth_a_note |= reached != (top == column)
    results: list[Verdict] = [
        (prediction, row_scores, flagged, {})
        for prediction, row_scores, flagged in zip(predictions, scores, flags)
    ]
    little = _little_evidence(probabilities, labels, bias)
    if little is not None and words is not None:
        little &= np.asarray(words) < LITTLE_EVIDENCE_WORDS
    if little is not None:
        asked = set(asked)
        worth_a_note &= ~little
        for row in np.flatnonzero(little).tolist():
            kept = [label for label in flags[row] if label in asked]
            notes: VerdictNotes = {"little_evidence": True}
            if kept:
                notes["note"] = (
                    f"{', '.join(kept)} flagged at the threshold you set, though the words "
                    "give the model little to go on"
                )
            results[row] = ("civil", scores[row], kept, notes)
    for row in np.flatnonzero(worth_a_note).tolist():
        note = _disagreement(predictions[row], scores[row], flags[row], thresholds)
        if note:
            results[row][3]["note"] = note
    return results


def _little_evidence(
    probabilities: np.ndarray, labels: list[str], bias: np.ndarray | None
) -> np.ndarray | None:
    """Per row, whether the words (the log-odds against civil less the intercepts') move no
    flagged label by ``LITTLE_EVIDENCE``."""
    if bias is None or "civil" not in labels:
        return None
    civil = labels.index("civil")
    logs = np.log(np.clip(probabilities, 1e-300, None))
    evidence = np.full(len(probabilities), -np.inf)
    for label in FLAGGED_LABELS:
        if label in labels:
            k = labels.index(label)
            words = (logs[:, k] - logs[:, civil]) - (bias[k] - bias[civil])
            evidence = np.maximum(evidence, words)
    return evidence < LITTLE_EVIDENCE


def _disagreement(
    prediction: str, scores: dict[str, float], flags: list[str], thresholds: dict[str, float]
) -> str | None:
    other = [label for label in flags if label != prediction]
    if other:
        label = other[0]
        return (
            f"{label} is flagged ({scores[label]:.2f} >= its threshold "
            f"{thresholds[label]:.2f}) though {prediction} is likelier "
            f"({scores[prediction]:.2f}): worth a look, not the likeliest reading"
        )
    if prediction in FLAGGED_LABELS and prediction not in flags and prediction in thresholds:
        return (
            f"{prediction} is the likeliest label ({scores[prediction]:.2f}) but below its "
            f"flag threshold ({thresholds[prediction]:.2f}), so it is not flagged"
        )
    return None


def score_texts(
    model: ScoredModel,
    texts: list[str],
    *,
    thresholds: dict[str, float] | None = None,
    explain: bool = False,
    quotes: Sequence[Sequence[QuoteSpan]] | None = None,
) -> list[ScoreRecord]:
    """The records ``moderation score --json`` prints, one per text. With ``quotes``, each
    text's quoted spans are left out of what is scored (and the record says so)."""
    thresholds = model.thresholds if thresholds is None else thresholds
    quotes = quotes or [()] * len(texts)
    scored = words_to_score(texts, quotes)
    placeholder = [is_placeholder(text) for text in scored]
    if any(placeholder):  # what platforms show for a deleted comment is not scored
        kept = [i for i, p in enumerate(placeholder) if not p]
        records = score_texts(
            model,
            [texts[i] for i in kept],
            thresholds=thresholds,
            explain=explain,
            quotes=[quotes[i] for i in kept],
        )
        for i in np.flatnonzero(placeholder).tolist():
            records.insert(
                i,
                {
                    "text": texts[i],
                    "prediction": None,
                    "scores": None,
                    "flags": [],
                    "model": model.id,
                    "not_scored": "placeholder",
                },
            )
        return records
    judged = verdicts(
        model.predict_proba(scored),
        model.labels,
        thresholds,
        model.bias,
        words=word_counts(scored),
        asked=asked_labels(model.thresholds, thresholds),
    )
    model_id, max_chars = model.id, model.max_chars
    # column-wise: one record per row of the verdicts, the notes only where they apply
    scored_records: list[ScoreRecord] = []
    for text, (prediction, scores, flags, notes), own, spans in zip(texts, judged, scored, quotes):
        record: ScoreRecord = {
            "text": text,
            "prediction": prediction,
            "scores": scores,
            "flags": flags,
            "model": model_id,
        }
        if "little_evidence" in notes:
            record["little_evidence"] = notes["little_evidence"]
        if "note" in notes:
            record["note"] = notes["note"]
        if spans:  # what was scored, when it is not the whole text
            record["quotes_excluded"] = [span.to_dict() for span in spans]
        if len(own) > max_chars:
            record["truncated"] = {"scored_chars": max_chars, "total_chars": len(own)}
        if explain:
            record["explanation"] = explain_text(
                model, text, quotes=spans, labels=[prediction, *flags], scores=scores
            )
        scored_records.append(record)
    return scored_records


def words_to_score(texts: Sequence[Any], quotes: Sequence[Sequence[QuoteSpan]]) -> list[str]:
    """Each text's own words (its quoted spans left out); a text that is not a string, or has
    nothing to score, is an error naming its number."""
    for number, text in enumerate(texts, 1):
        if not isinstance(text, str):
            raise UsageError(f"text {number} is {type(text).__name__}, not a string")
    scored = [own_words(text, spans) for text, spans in zip(texts, quotes)]
    for number, text in enumerate(scored, 1):
        if not text.strip():
            raise UsageError(f"text {number} is empty: there is nothing to score")
    return scored


def quotes_of_parent(text: str, parent: str | None) -> list[QuoteSpan]:
    """The spans of ``text`` that repeat ``parent`` (found as `flag` finds them in a thread)."""
    if not parent:
        return []
    tracker = ConversationTracker()
    tracker.comment(Comment(id="parent", thread_id="thread", text=parent))
    reply = tracker.comment(Comment(id="reply", thread_id="thread", text=text, parent_id="parent"))
    return reply.quotes


def marked_quotes_of(text: str) -> list[QuoteSpan]:
    """The spans ``text`` marks as quoted itself (``>`` lines, ``Name wrote: "..."``), unless
    that is all there is (a repost is scored)."""
    spans = marked_quotes(text)
    return spans if spans and own_words(text, spans).strip() else []


def own_words(text: str, spans: Sequence[QuoteSpan]) -> str:
    """``text`` without its quoted spans (``Comment.unquoted_text`` for a bare string)."""
    if not spans:
        return text
    return Comment(id="", thread_id="", text=text, quotes=list(spans)).unquoted_text()


def explain_text(
    model: ScoredModel,
    text: str,
    *,
    quotes: Sequence[QuoteSpan] = (),
    labels: Sequence[str] | None = None,
    top: int = 10,
    scores: dict[str, float] | None = None,
) -> dict[str, Any]:
    """Why ``text`` got its scores, per label a moderator looks for (the predicted and flagged
    ones, or ``labels``; both abusive and conspiracy for a civil comment): the label's score,
    and the terms that pushed it towards (+) or away from (-) that label *against civil*. A
    term's contribution is its TF-IDF value times the difference between the label's and
    civil's coefficients, exact for this linear model: the contributions and the ``bias`` add
    up to the log-odds of the label against civil, log(p(label) / p(civil)). So a civil
    comment's harmless words are not painted as evidence: a word that pushes every label alike
    contributes nothing. ``spans`` are where the term occurs in ``text``. ``scores`` (label ->
    probability), when the caller has them, saves scoring again."""
    own = own_words(text, quotes)
    weights = model.term_weights(own, spans_in=text, skip=[(q.start, q.end) for q in quotes])
    terms, values, spans_of = weights.terms, weights.values, weights.spans
    contributions, intercept = weights.contributions, weights.intercept
    if "civil" in model.labels:  # everything is said against civil
        civil = model.labels.index("civil")
        contributions = contributions - contributions[:, [civil]]
        intercept = intercept - intercept[civil]
    if scores is None:
        scores = dict(zip(model.labels, np.round(model.predict_proba([own])[0], 6).tolist()))
    if labels is None:  # the prediction and the flags
        thresholds = model.thresholds
        labels = [max(scores, key=scores.__getitem__)]
        labels += [k for k, t in thresholds.items() if k in scores and scores[k] >= t]
    wanted = [label for label in dict.fromkeys(labels) if label != "civil"]
    if not wanted:
        wanted = [label for label in FLAGGED_LABELS if label in model.labels] or [
            max(scores, key=scores.__getitem__)
        ]
    explanation = {}
    for label in wanted:
        column = model.labels.index(label)
        order = np.argsort(-np.abs(contributions[:, column]), kind="stable")[:top]
        explanation[label] = {
            "score": scores[label],
            "against": "civil" if "civil" in model.labels else None,
            "bias": round(float(intercept[column]), 6),
            "terms": [
                {
                    "term": terms[i],
                    **term_as_written(terms[i], text, spans_of[i] if spans_of else []),
                    "value": round(float(values[i]), 6),
                    "contribution": round(float(contributions[i, column]), 6),
                    "spans": [list(span) for span in spans_of[i]] if spans_of else [],
                }
                for i in order.tolist()
                if contributions[i, column] != 0
            ],
        }
    return explanation


def term_as_written(term: str, text: str, spans: Sequence[Sequence[int]]) -> dict[str, str]:
    """How a feature is shown to a person: the word as the comment wrote it, and what it was
    read as when that differs ("Dank (read as: damn)", "not ... going" for a word a
    negation turned around, "g0ing (read as: going)")."""
    from moderation.normalize import NOT

    negated = term.startswith(NOT)
    word = term.removeprefix(NOT)
    written = text[spans[0][0] : spans[0][1]] if spans else ""
    shown = written or word
    if written and written.lower() != word:
        shown = f"{written} (read as: {word})"
    if negated:
        shown = f"not ... {shown}"
    found = {"shown": shown}
    if written:
        found["written"] = written
    return found


def read_score_input(
    stream: Iterable[str], *, jsonl: bool = False, name: str = "<stdin>"
) -> tuple[list[str], list[dict[str, Any]] | None]:
    """Comments to score from a stream: one per line, or with ``jsonl`` one JSON object per
    line with a ``text`` string (its other fields are kept: the records are returned too)."""
    if not jsonl:
        return [line.rstrip("\r\n") for line in stream if line.strip()], None
    records = []
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError as err:
            raise InputError(name, f"invalid JSON ({err.msg})", line=number) from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise InputError(
                name, 'each line must be a JSON object with a "text" string', line=number
            )
        records.append(record)
    return [record["text"] for record in records], records
