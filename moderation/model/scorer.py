"""The fitted pipeline as plain arrays: a scorer that needs only numpy.

A word-unigram TF-IDF + logistic-regression pipeline is, once fitted, a vocabulary, an idf
vector, a coefficient matrix and an intercept. ``LinearScorer`` holds exactly those, saved as
``scorer.npz`` beside ``model.joblib`` (no pickle: loading it runs no code), and computes the same
probabilities as ``pipeline.predict_proba`` (to float rounding) without importing scikit-learn,
so the command starts quickly.

It is also fast on batches. A comment is split into whitespace-separated pieces and each
distinct piece is turned into vocabulary ids once (a bounded cache); a batch then becomes one
array of term ids, counted and weighted with a handful of numpy calls. The same per-term values
give exact explanations: a term's contribution to a label is its TF-IDF value times the label's
coefficient.

Pipelines that cannot be expressed this way (character n-grams, word bigrams) are scored by
scikit-learn instead (``moderation.model.store.Model`` chooses).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from moderation.model.spelling import Spelling
from moderation.normalize import (
    NOT,
    BoundedCache,
    mark_negation,
    may_negate,
    normalize_word,
    prepare,
)

SCORER_FILE = "scorer.npz"
_NORMS = {"l2": 0, "l1": 1}
_TOKEN = re.compile(r"(?u)\b\w[\w']*\b")  # pipeline.TOKEN_PATTERN (kept here: no sklearn import)
_PIECE = re.compile(r"\S+")


@dataclass
class TermWeights:
    """What one text's features are: the terms found, each term's TF-IDF value and its
    contribution (value x coefficient) to each label's score (before the softmax)."""

    terms: list[str]
    ids: np.ndarray
    values: np.ndarray  # (n_terms,)
    contributions: np.ndarray  # (n_terms, n_labels)
    intercept: np.ndarray  # (n_labels,)
    spans: list[list[tuple[int, int]]] = field(default_factory=list)  # where each term is


class LinearScorer:
    """Scores texts with a word-unigram TF-IDF + multinomial logistic regression held as
    arrays. ``coef`` has one row per label, in ``labels`` order."""

    def __init__(
        self,
        terms: list[str],
        idf: np.ndarray,
        coef: np.ndarray,
        intercept: np.ndarray,
        labels: list[str],
        max_chars: int,
        sublinear_tf: bool = False,
        cache_size: int = 300_000,
        *,
        norm: str = "l2",
        norm_smoothing: float = 0.0,
        negation: int = 0,
        stop_words: frozenset[str] = frozenset(),
        spelling: Spelling | None = None,
        corrections: dict[str, str] | None = None,
    ):
        self.terms = terms
        self.norm = norm
        self.norm_smoothing = float(norm_smoothing)
        self.negation = int(negation)
        self.stop_words = frozenset(stop_words)
        self.spelling = spelling
        self.corrections = dict(corrections or {})
        self.idf = np.asarray(idf, dtype=np.float64)
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.labels = list(labels)
        self.max_chars = int(max_chars)
        self.sublinear_tf = bool(sublinear_tf)
        self.vocabulary = dict(zip(terms, range(len(terms))))
        self._coef_t = np.ascontiguousarray(self.coef.T)
        # a piece of text -> its normalised form -> the ids of its terms; each distinct piece
        # and form is worked out once
        self._normalized = BoundedCache(normalize_word, limit=cache_size)
        self._form_ids = BoundedCache(self._ids_of_form, limit=cache_size)

    # --- building, saving, loading ---------------------------------------------------------

    @classmethod
    def from_pipeline(cls, pipeline: Any, labels: list[str], max_chars: int) -> LinearScorer | None:
        """The arrays of a fitted pipeline built by ``moderation.pipeline``, or None when its
        features are not word unigrams that this scorer reproduces exactly."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        from moderation.model.pipeline import TOKEN_PATTERN

        steps = dict(pipeline.steps)
        features, classifier = steps.get("features"), steps.get("classifier")
        if not isinstance(features, TfidfVectorizer) or TOKEN_PATTERN != _TOKEN.pattern:
            return None
        plain_words = (
            features.analyzer == "word"
            and features.ngram_range == (1, 1)
            and features.token_pattern == TOKEN_PATTERN
            and not features.lowercase
            and features.preprocessor is None
            and features.tokenizer is None
            and features.norm in ("l1", "l2")
            and features.use_idf
            and not features.binary
        )
        if not plain_words or list(classifier.classes_) != list(labels):
            return None
        terms = [""] * len(features.vocabulary_)
        for term, index in features.vocabulary_.items():
            terms[index] = term
        coef, intercept = label_weights(classifier)
        return cls(
            terms,
            features.idf_,
            coef,
            intercept,
            labels,
            max_chars,
            features.sublinear_tf,
            norm=features.norm,
            norm_smoothing=getattr(features, "norm_smoothing", 0.0),
            negation=int(steps["normalize"].kw_args.get("negation", 0)),
            stop_words=frozenset(features.get_stop_words() or ()),
            spelling=getattr(features, "spelling_", None),
            corrections=getattr(features, "corrections_", None),
        )

    def save(self, path: str | Path) -> None:
        frequent = self.spelling.frequent if self.spelling is not None else {}
        with open(path, "wb") as handle:
            np.savez_compressed(
                handle,
                terms=_text_array(self.terms),
                labels=_text_array(self.labels),
                idf=self.idf,
                coef=self.coef,
                intercept=self.intercept,
                settings=np.array([self.max_chars, int(self.sublinear_tf), _NORMS[self.norm]]),
                norm_smoothing=np.array([self.norm_smoothing]),
                negation=np.array([self.negation]),
                stop_words=_text_array(sorted(self.stop_words)),
                spelling_words=_text_array(list(frequent)),
                spelling_counts=np.array(list(frequent.values()), dtype=np.int64),
                correction_from=_text_array(list(self.corrections)),
                correction_to=_text_array(list(self.corrections.values())),
            )

    @classmethod
    def load(cls, path: str | Path) -> LinearScorer:
        with np.load(path, allow_pickle=False) as arrays:
            settings = [int(v) for v in arrays["settings"]]
            norm = (
                {code: name for name, code in _NORMS.items()}[settings[2]]
                if len(settings) > 2
                else "l2"
            )
            words = _text_list(arrays, "spelling_words")
            spelling = None
            if words:
                spelling = Spelling(dict(zip(words, arrays["spelling_counts"].tolist())))
            return cls(
                _text_list(arrays, "terms"),
                arrays["idf"],
                arrays["coef"],
                arrays["intercept"],
                _text_list(arrays, "labels"),
                settings[0],
                bool(settings[1]),
                norm=norm,
                norm_smoothing=float(arrays["norm_smoothing"][0])
                if "norm_smoothing" in arrays.files
                else 0.0,
                negation=int(arrays["negation"][0]) if "negation" in arrays.files else 0,
                stop_words=frozenset(_text_list(arrays, "stop_words")),
                spelling=spelling,
                corrections=dict(
                    zip(_text_list(arrays, "correction_from"), _text_list(arrays, "correction_to"))
                ),
            )

    # --- scoring ---------------------------------------------------------------------------

    def _ids_of_form(self, form: str) -> tuple[int, ...]:
        """The term ids of one normalised piece."""
        vocabulary, ids = self.vocabulary, []
        for token in _TOKEN.findall(form):
            if token in self.stop_words:
                continue
            # the order SpellingTfidfVectorizer uses: a rare token's correction, a known
            # word, then a correction of an unknown one
            found = self.corrections.get(token)
            if found is None and token not in vocabulary and self.spelling is not None:
                found = self.spelling.correct(token)
            token = found or token
            if token in vocabulary:
                ids.append(vocabulary[token])
        return tuple(ids)

    def _forms(self, text: str) -> list[str]:
        """The normalised pieces of ``text`` (its first ``max_chars`` characters), with
        negations marked as the pipeline's ``normalize_many`` marks them."""
        if len(text) > self.max_chars:
            text = text[: self.max_chars]
        forms = list(map(self._normalized.__getitem__, prepare(text).split()))
        if self.negation and may_negate(text):
            forms = mark_negation(forms, self.negation)
        return forms

    def _term_values(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(document index, term id, TF-IDF value before length normalisation) of every
        distinct term of every text."""
        n = len(texts)
        self._normalized.trim()
        self._form_ids.trim()
        docs = [self._forms(text) for text in texts]
        pieces_per_doc = np.fromiter(map(len, docs), dtype=np.int64, count=n)
        ids_per_piece = list(map(self._form_ids.__getitem__, chain.from_iterable(docs)))
        terms_per_piece = np.fromiter(
            map(len, ids_per_piece), dtype=np.int64, count=len(ids_per_piece)
        )
        ids = np.fromiter(
            chain.from_iterable(ids_per_piece), dtype=np.int64, count=int(terms_per_piece.sum())
        )
        doc = np.repeat(np.repeat(np.arange(n, dtype=np.int64), pieces_per_doc), terms_per_piece)
        vocabulary_size = len(self.terms)
        keys = doc * vocabulary_size + ids
        keys.sort()  # doc-major: one run per (document, term)
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if keys.size else keys
        counts = np.diff(np.r_[starts, keys.size]).astype(np.float64)
        keys = keys[starts]
        doc, ids = keys // vocabulary_size, keys % vocabulary_size
        if self.sublinear_tf:
            counts = 1.0 + np.log(counts)
        return doc, ids, counts * self.idf[ids]

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """Probabilities, one row per text, columns in ``labels`` order."""
        n = len(texts)
        doc, ids, values = self._term_values(texts)
        if self.norm == "l1":
            norms = np.bincount(doc, weights=np.abs(values), minlength=n) + self.norm_smoothing
        else:
            norms = np.sqrt(
                np.bincount(doc, weights=values * values, minlength=n) + self.norm_smoothing
            )
        norms[norms == 0] = 1.0
        scaled = values / norms[doc]
        weights = self._coef_t[ids]
        logits = np.empty((n, len(self.labels)))
        for column in range(len(self.labels)):
            logits[:, column] = np.bincount(doc, weights=scaled * weights[:, column], minlength=n)
        logits += self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        logits /= logits.sum(axis=1, keepdims=True)
        return logits

    def term_weights(self, text: str) -> TermWeights:
        """The exact decomposition of one text's scores into per-term contributions."""
        doc, ids, values = self._term_values([text])
        if self.norm == "l1":
            norm = float(np.sum(np.abs(values)) + self.norm_smoothing) or 1.0
        else:
            norm = np.sqrt(np.sum(values * values) + self.norm_smoothing) or 1.0
        values = values / norm
        return TermWeights(
            terms=[self.terms[i] for i in ids],
            ids=ids,
            values=values,
            contributions=values[:, None] * self._coef_t[ids],
            intercept=self.intercept,
        )

    def term_spans(self, text: str, skip: list[tuple[int, int]] = ()) -> dict[int, list]:
        """Where each vocabulary term occurs in ``text`` (its first ``max_chars`` characters):
        term id -> [(start, end), ...]. Pieces inside a ``skip`` span (quotes) are left out. A
        piece is normalised on its own, so a term made by joining pieces (``do n't``) may have
        no span."""
        where: list[tuple[str, int]] = []
        parts: list[str] = []
        for match in _PIECE.finditer(text, 0, min(len(text), self.max_chars)):
            start = match.start()
            if any(a <= start < b for a, b in skip):
                continue
            for part in prepare(match.group()).split():
                where.append((match.group(), start))
                parts.append(part)
        forms = list(map(self._normalized.__getitem__, parts))
        if self.negation and may_negate(text):
            forms = mark_negation(forms, self.negation)
        spans: dict[int, list[tuple[int, int]]] = {}
        for (piece, start), form in zip(where, forms):
            for term_id in self._form_ids[form]:
                spans.setdefault(term_id, []).append(_narrow(piece, start, self.terms[term_id]))
        return spans


def _text_array(items: list[str]) -> np.ndarray:
    return np.frombuffer("\n".join(items).encode("utf-8"), dtype=np.uint8)


def _text_list(arrays: Any, name: str) -> list[str]:
    if name not in arrays.files:
        return []
    text = arrays[name].tobytes().decode("utf-8")
    return text.split("\n") if text else []


def label_weights(classifier: Any) -> tuple[np.ndarray, np.ndarray]:
    """A fitted logistic regression's coefficients and intercepts, one row per label. With two
    labels scikit-learn keeps a single row for the second label; it is split evenly between
    the two, which gives the same probabilities."""
    coef, intercept = classifier.coef_, classifier.intercept_
    if coef.shape[0] == 1:
        return np.vstack([-coef / 2, coef / 2]), np.r_[-intercept / 2, intercept / 2]
    return coef, intercept


def _narrow(piece: str, start: int, term: str) -> tuple[int, int]:
    """The span of ``term`` inside ``piece`` when it is written there as is (in any case),
    else the whole piece (an obfuscated or stretched spelling)."""
    term = term.removeprefix(NOT)
    found = piece.lower().find(term)
    if found >= 0 and len(piece.lower()) == len(piece):
        return start + found, start + found + len(term)
    return start, start + len(piece)


def pipeline_term_weights(pipeline: Any, text: str, spans_in: str | None = None) -> TermWeights:
    """Terms, values and contributions read from a scikit-learn pipeline (models without a
    ``scorer.npz``: character n-grams, bigrams); spans found by plain search in ``spans_in``."""
    features = pipeline.named_steps["features"]
    classifier = pipeline.named_steps["classifier"]
    row = features.transform(pipeline.named_steps["normalize"].transform([text])).tocsr()
    names = features.get_feature_names_out()
    columns, values = row.indices, row.data.astype(np.float64)
    coef, intercept = label_weights(classifier)
    terms = [str(names[c]).split("__", 1)[-1] for c in columns]
    spans = [_find_term(spans_in, term) for term in terms] if spans_in is not None else []
    return TermWeights(
        terms=terms,
        ids=columns,
        values=values,
        contributions=values[:, None] * coef[:, columns].T,
        intercept=intercept,
        spans=spans,
    )


def _find_term(text: str, term: str) -> list[tuple[int, int]]:
    lowered = text.lower()
    if len(lowered) != len(text):
        return []
    spans, start = [], lowered.find(term)
    while start >= 0 and len(spans) < 20:
        spans.append((start, start + len(term)))
        start = lowered.find(term, start + len(term))
    return spans
