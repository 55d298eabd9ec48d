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
scikit-learn instead (``moderation.model.directory.Model`` chooses).
"""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from moderation.model.pairs import PairTable, ragged_expand
from moderation.model.spelling import Spelling
from moderation.normalize import (
    NOT,
    BoundedCache,
    is_cue,
    mark_negation,
    negation_scopes,
    normalize_word,
    prepare,
)

SCORER_FILE = "scorer.npz"
_NORMS = {"l2": 0, "l1": 1}
_TOKEN = re.compile(r"(?u)\b\w[\w']*\b")  # pipeline.TOKEN_PATTERN (kept here: no sklearn import)
_PIECE = re.compile(r"\S+")
_BOUNDARY = "\x00"
_BETWEEN = f" {_BOUNDARY} "
_NO_TERM, _BETWEEN_TEXTS, _SEVERAL = -1, -2, -3
# a piece's phrase tokens as one code: a token id, _NOT_PHRASE (a token in no phrase: it
# breaks adjacency), _EMPTY (no token: left out, its neighbours are adjacent) or, for several
# tokens, _TOKENS - i (the ids are run i of self._run_tokens)
_NOT_PHRASE, _EMPTY, _TOKENS = -1, -3, -4
# with phrases, a piece's two codes are looked up once, packed in one int64 (_pack)
# (both codes are far inside +-2**30: a vocabulary, or a cache, of a million is large)
_OFFSET, _LOW = 1 << 30, (1 << 32) - 1


def _pack(tokens: int, code: int) -> int:
    return ((tokens + _OFFSET) << 32) | (code + _OFFSET)


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
        cues: tuple[str, ...] = (),
    ):
        self.terms = terms
        self.cues = tuple(cues)
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
        self._as_python: tuple[list[float], list[tuple[float, ...]]] | None = None
        # a piece of text -> its normalised form -> its terms, as one code (``_code_of``);
        # each distinct piece and form is worked out once, and a piece's code is one lookup
        self.cache_size = cache_size
        self._normalized = BoundedCache(normalize_word, limit=cache_size)
        self._form_code = BoundedCache(self._code_of_form, limit=cache_size)
        self._piece_code = BoundedCache(self._code_of_piece, limit=cache_size)
        self._several: list[tuple[int, ...]] = []  # the terms of pieces that hold several
        self._several_cue: list[bool] = []  # and whether each is a negation
        self._init_phrases()
        self._trim()

    def _init_phrases(self) -> None:
        """Phrases are the terms written as two tokens (``"make you"``, ``CommentVectorizer``);
        each of their tokens gets an id, and the pairs of ids are looked up in a ``PairTable``."""
        found = [(i, t.split(" ")) for i, t in enumerate(self.terms) if " " in t]
        self.phrases = [self.terms[i] for i, _ in found]
        self._phrase_token: dict[str, int] = {}
        for _, pair in found:
            for token in pair:
                self._phrase_token.setdefault(token, len(self._phrase_token))
        token_id = self._phrase_token
        self._phrase_table = PairTable(
            np.array([token_id[a] for _, (a, _) in found], dtype=np.int64),
            np.array([token_id[b] for _, (_, b) in found], dtype=np.int64),
            np.array([i for i, _ in found], dtype=np.int64),
            len(token_id),
        )
        self._phrase_of = {(token_id[a], token_id[b]): i for i, (a, b) in found}
        self._form_tokens = BoundedCache(self._tokens_of_form, limit=self.cache_size)
        self._piece_tokens = BoundedCache(self._tokens_of_piece, limit=self.cache_size)
        self._piece_both = BoundedCache(self._both_of_piece, limit=self.cache_size)
        # the tokens of pieces that hold several, end to end: run i is
        # _run_tokens[_run_starts[i] : _run_starts[i] + _run_sizes[i]]
        self._run_tokens, self._run_starts, self._run_sizes = array("q"), array("q"), array("q")

    # --- building, saving, loading ---------------------------------------------------------

    @classmethod
    def from_pipeline(cls, pipeline: Any, labels: list[str], max_chars: int) -> LinearScorer | None:
        """The arrays of a fitted pipeline built by ``moderation.model.pipeline``, or None when its
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
        if not plain_words or classifier is None or list(classifier.classes_) != list(labels):
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
            cues=tuple(steps["normalize"].kw_args.get("cues", ())),
            stop_words=frozenset(features.get_stop_words() or ()),
            spelling=getattr(features, "spelling_", None),
            corrections=getattr(features, "corrections_", None),
        )

    def save(self, path: str | Path) -> None:
        frequent = self.spelling.frequent if self.spelling is not None else {}
        dictionary = getattr(self.spelling, "dictionary", None)
        if dictionary is None:
            dictionary = np.zeros(0, dtype=np.uint32)
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
                cues=_text_array(list(self.cues)),
                stop_words=_text_array(sorted(self.stop_words)),
                spelling_words=_text_array(list(frequent)),
                spelling_counts=np.array(list(frequent.values()), dtype=np.int64),
                spelling_dictionary=dictionary,
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
                dictionary = (
                    arrays["spelling_dictionary"] if "spelling_dictionary" in arrays.files else None
                )
                spelling = Spelling(
                    dict(zip(words, arrays["spelling_counts"].tolist())),
                    dictionary if dictionary is not None and len(dictionary) else None,
                )
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
                cues=tuple(_text_list(arrays, "cues")),
                stop_words=frozenset(_text_list(arrays, "stop_words")),
                spelling=spelling,
                corrections=dict(
                    zip(_text_list(arrays, "correction_from"), _text_list(arrays, "correction_to"))
                ),
            )

    # --- scoring ---------------------------------------------------------------------------

    def _spelt(self, token: str) -> str:
        """A token as spelling correction reads it, in the order CommentVectorizer uses: a
        rare token's correction, a known word, then a correction of an unknown one."""
        found = self.corrections.get(token)
        if found is None and token not in self.vocabulary and self.spelling is not None:
            found = self.spelling.correct(token)
        return found or token

    def _ids_of_form(self, form: str) -> tuple[int, ...]:
        """The term ids of one normalised piece."""
        vocabulary, ids = self.vocabulary, []
        for token in _TOKEN.findall(form):
            if token in self.stop_words:
                continue
            token = self._spelt(token)
            if token in vocabulary:
                ids.append(vocabulary[token])
        return tuple(ids)

    def _tokens_of_form(self, form: str) -> int:
        """One normalised piece's phrase tokens as one code (see _NOT_PHRASE)."""
        tokens = [
            self._phrase_token.get(t if t in self.stop_words else self._spelt(t), _NOT_PHRASE)
            for t in _TOKEN.findall(form)
        ]
        if not tokens:
            return _EMPTY
        if len(tokens) == 1:
            return tokens[0]
        self._run_starts.append(len(self._run_tokens))
        self._run_sizes.append(len(tokens))
        self._run_tokens.extend(tokens)
        return _TOKENS - (len(self._run_starts) - 1)

    def _tokens_of_piece(self, piece: str) -> int:
        return self._form_tokens[self._normalized[piece]]

    def _both_of_piece(self, piece: str) -> int:
        form = self._normalized[piece]
        return _pack(self._form_tokens[form], self._form_code[form])

    def _phrase_terms(
        self,
        pieces: list[str],
        doc: np.ndarray,
        scoped: dict[int, str],
        tokens: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(document index, term id) of every phrase in the pieces (``doc``: each piece's
        document; ``scoped``: the pieces a negation marked, by position, in marked form;
        ``tokens``: each piece's phrase-token code, when the caller looked them up)."""
        if tokens is None:
            tokens = np.fromiter(map(self._piece_tokens.__getitem__, pieces), np.int64, len(pieces))
        if scoped:
            tokens[np.fromiter(scoped, np.int64, len(scoped))] = np.fromiter(
                map(self._form_tokens.__getitem__, scoped.values()), np.int64, len(scoped)
            )
        several = np.flatnonzero(tokens <= _TOKENS)
        if several.size:  # every lookup is done: the runs are read in place
            runs = _TOKENS - tokens[several]
            tokens, doc = ragged_expand(
                tokens,
                doc,
                several,
                np.frombuffer(self._run_starts, np.int64)[runs],
                np.frombuffer(self._run_sizes, np.int64)[runs],
                np.frombuffer(self._run_tokens, np.int64),
            )
        kept = tokens != _EMPTY
        tokens, doc = tokens[kept], doc[kept]
        first, second = tokens[:-1], tokens[1:]
        both = np.flatnonzero((first >= 0) & (second >= 0))
        found = self._phrase_table.lookup(first[both], second[both])
        hit = found >= 0
        return doc[both[hit]], found[hit]

    # A piece's terms as one integer: a term id, _NO_TERM, _BETWEEN_TEXTS or, for a piece
    # with several terms or a negation, _SEVERAL - i (its ids are self._several[i]).

    def _code_of_form(self, form: str) -> int:
        ids = self._ids_of_form(form)
        cue = bool(self.negation) and is_cue(form)
        if len(ids) == 1 and not cue:
            return ids[0]
        if not ids and not cue:
            return _NO_TERM
        # several terms, or a negation (found among the codes by its own entry)
        self._several.append(ids)
        self._several_cue.append(cue)
        return _SEVERAL - (len(self._several) - 1)

    def _ids_of_code(self, code: int) -> tuple[int, ...]:
        if code >= 0:
            return (code,)
        return self._several[_SEVERAL - code] if code <= _SEVERAL else ()

    def _code_of_piece(self, piece: str) -> int:
        return self._form_code[self._normalized[piece]]

    def _codes(
        self, pieces: list[str], between_texts: bool = False, codes: np.ndarray | None = None
    ) -> tuple[np.ndarray, dict[int, str]]:
        """The code of each piece (``codes``, when the caller looked them up), with negations
        marked as the pipeline's ``normalize_many`` marks them (a scope never crosses from one
        text to the next), and the marked pieces' forms by position."""
        if codes is None:
            codes = np.fromiter(map(self._piece_code.__getitem__, pieces), np.int64, len(pieces))
        if not self.negation:
            return codes, {}
        several = np.flatnonzero(codes <= _SEVERAL)
        cues = several[np.asarray(self._several_cue, dtype=bool)[_SEVERAL - codes[several]]]
        if not cues.size:
            return codes, {}
        stops = np.flatnonzero(codes == _BETWEEN_TEXTS).tolist() if between_texts else ()
        forms = _Forms(pieces, self._normalized)  # only the pieces around a negation
        scoped = negation_scopes(forms, self.negation, cues.tolist(), stops)
        for i, form in scoped.items():
            codes[i] = self._form_code[form]
        return codes, scoped

    def _trim(self) -> None:
        if max(len(self._piece_code), len(self._form_code)) > self.cache_size:
            self._piece_code.clear()
            self._form_code.clear()
            self._several.clear()
            self._several_cue.clear()
        if (
            max(len(self._piece_tokens), len(self._form_tokens), len(self._piece_both))
            > (self.cache_size)
            or not self._form_code
        ):
            self._piece_tokens.clear()
            self._form_tokens.clear()
            self._piece_both.clear()
            del self._run_tokens[:], self._run_starts[:], self._run_sizes[:]
        self._normalized.trim()
        self._piece_code[_BOUNDARY] = _BETWEEN_TEXTS
        self._piece_tokens[_BOUNDARY] = _NOT_PHRASE
        self._piece_both[_BOUNDARY] = _pack(_NOT_PHRASE, _BETWEEN_TEXTS)

    def _doc_and_term_ids(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(document index, term id) of every term of every text.

        The batch is prepared, split and looked up as one string, the texts joined by a
        boundary piece (calls per text cost as much as the lookups); when a text holds the
        boundary's character, or preparing removed one, each text is done on its own."""
        n = len(texts)
        texts = [text[: self.max_chars] for text in texts]
        joined = _BETWEEN + _BETWEEN.join(texts)
        if joined.count(_BOUNDARY) == n:
            pieces = prepare(joined, self.cues).split()
            if pieces.count(_BOUNDARY) == n:
                if not self.phrases:
                    codes, scoped = self._codes(pieces, between_texts=True)
                    return self._expanded(np.cumsum(codes == _BETWEEN_TEXTS) - 1, codes)
                both = np.fromiter(map(self._piece_both.__getitem__, pieces), np.int64, len(pieces))
                tokens = (both >> 32) - _OFFSET
                codes, scoped = self._codes(pieces, True, (both & _LOW) - _OFFSET)
                doc = np.cumsum(codes == _BETWEEN_TEXTS) - 1
                doc_w, ids_w = self._expanded(doc, codes)
                phrase_doc, phrase_ids = self._phrase_terms(pieces, doc, scoped, tokens)
                return np.concatenate([doc_w, phrase_doc]), np.concatenate([ids_w, phrase_ids])
        per_text, phrases = [], []
        for index, text in enumerate(texts):
            mine = prepare(text, self.cues).split()
            codes, scoped = self._codes(mine)
            per_text.append(codes)
            if self.phrases:  # text by text, so no phrase joins two texts
                phrases.append(self._phrase_terms(mine, np.full(len(mine), index), scoped))
        doc = np.repeat(np.arange(n, dtype=np.int64), [len(codes) for codes in per_text])
        doc, ids = self._expanded(doc, np.concatenate([np.empty(0, np.int64), *per_text]))
        if not phrases:
            return doc, ids
        return (
            np.concatenate([doc, *(d for d, _ in phrases)]),
            np.concatenate([ids, *(i for _, i in phrases)]),
        )

    def _expanded(self, doc: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(document index, term id) pairs from each piece's document and code."""
        one = codes >= 0
        several = np.flatnonzero(codes <= _SEVERAL)
        if not several.size:
            return doc[one], codes[one]
        ids = [self._ids_of_code(code) for code in codes[several].tolist()]
        return (
            np.concatenate([doc[one], np.repeat(doc[several], [len(i) for i in ids])]),
            np.concatenate([codes[one], np.fromiter(chain.from_iterable(ids), np.int64)]),
        )

    def _term_values(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(document index, term id, TF-IDF value before length normalisation) of every
        distinct term of every text."""
        self._trim()
        doc, ids = self._doc_and_term_ids(texts)
        vocabulary_size = len(self.terms)
        keys = doc * vocabulary_size + ids
        # doc-major: one run per (document, term); numpy's stable sort of integers is several
        # times faster here than its default (the word and phrase halves are each in order)
        keys.sort(kind="stable")
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if keys.size else keys
        counts = np.diff(np.r_[starts, keys.size]).astype(np.float64)
        keys = keys[starts]
        doc, ids = keys // vocabulary_size, keys % vocabulary_size
        if self.sublinear_tf:
            counts = 1.0 + np.log(counts)
        return doc, ids, counts * self.idf[ids]

    def feature_values(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The texts' feature matrix in coordinate form: (document index, term id, value) of
        every term of every text, the value its TF-IDF weight after length normalisation, as
        the pipeline's features step gives it. Anything linear in the features (the labels'
        logits here, the attribute heads of ``moderation.model.heads``) is read from it."""
        n = len(texts)
        doc, ids, values = self._term_values(texts)
        if self.norm == "l1":
            norms = np.bincount(doc, weights=np.abs(values), minlength=n) + self.norm_smoothing
        else:
            norms = np.sqrt(
                np.bincount(doc, weights=values * values, minlength=n) + self.norm_smoothing
            )
        norms[norms == 0] = 1.0
        return doc, ids, values / norms[doc]

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """Probabilities, one row per text, columns in ``labels`` order."""
        n = len(texts)
        if n == 1:  # a live request: a few numbers, faster in Python than in numpy calls
            return np.array([self.probabilities_of_values(self.feature_values_of_one(texts[0]))])
        doc, ids, scaled = self.feature_values(texts)
        weights = self._coef_t[ids]
        logits = np.empty((n, len(self.labels)))
        for column in range(len(self.labels)):
            logits[:, column] = np.bincount(doc, weights=scaled * weights[:, column], minlength=n)
        logits += self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        logits /= logits.sum(axis=1, keepdims=True)
        return logits

    def feature_values_of_one(self, text: str) -> dict[int, float]:
        """``feature_values([text])`` for one text, as {term id: value}, worked out on Python
        numbers (a live request: faster than numpy calls)."""
        self._trim()
        pieces = prepare(text[: self.max_chars], self.cues).split()
        codes = list(map(self._piece_code.__getitem__, pieces))
        scoped: dict[int, str] = {}
        if self.negation:
            cue = self._several_cue
            cues = [i for i, c in enumerate(codes) if c <= _SEVERAL and cue[_SEVERAL - c]]
            if cues:
                forms = _Forms(pieces, self._normalized)
                scoped = negation_scopes(forms, self.negation, cues)
                for i, form in scoped.items():
                    codes[i] = self._form_code[form]
        counts: dict[int, int] = {}
        for code in codes:
            if code >= 0:
                counts[code] = counts.get(code, 0) + 1
            elif code <= _SEVERAL:
                for term in self._several[_SEVERAL - code]:
                    counts[term] = counts.get(term, 0) + 1
        if self.phrases:
            for term in self._phrases_of_one(pieces, scoped):
                counts[term] = counts.get(term, 0) + 1
        if not counts:
            return {}
        idf = self._python_arrays()[0]
        values = {
            term: (1.0 + math.log(n) if self.sublinear_tf else n) * idf[term]
            for term, n in counts.items()
        }
        if self.norm == "l1":
            norm = sum(abs(v) for v in values.values()) + self.norm_smoothing
        else:
            norm = math.sqrt(sum(v * v for v in values.values()) + self.norm_smoothing)
        norm = norm or 1.0
        return {term: value / norm for term, value in values.items()}

    def probabilities_of_values(self, values: dict[int, float]) -> list[float]:
        """The label probabilities of one text from its ``feature_values_of_one``."""
        logits = self.intercept.tolist()
        if values:
            rows = self._python_arrays()[1]
            for term, scaled in values.items():
                for column, weight in enumerate(rows[term]):
                    logits[column] += scaled * weight
        top = max(logits)
        exps = [math.exp(x - top) for x in logits]
        total = sum(exps)
        return [x / total for x in exps]

    def _phrases_of_one(self, pieces: list[str], scoped: dict[int, str]) -> list[int]:
        """The phrase term ids of one text's pieces, in Python (``_phrase_terms``)."""
        tokens: list[int] = []
        for i, piece in enumerate(pieces):
            code = self._form_tokens[scoped[i]] if i in scoped else self._piece_tokens[piece]
            if code == _EMPTY:
                continue
            if code <= _TOKENS:
                start = self._run_starts[_TOKENS - code]
                tokens.extend(self._run_tokens[start : start + self._run_sizes[_TOKENS - code]])
            else:
                tokens.append(code)
        found, phrase_of = [], self._phrase_of
        for first, second in zip(tokens, tokens[1:]):
            if first >= 0 and second >= 0:
                term = phrase_of.get((first, second))
                if term is not None:
                    found.append(term)
        return found

    def _python_arrays(self) -> tuple[list[float], list[tuple[float, ...]]]:
        """The idf and the coefficient rows as Python numbers (built on first use)."""
        if self._as_python is None:
            self._as_python = (self.idf.tolist(), [tuple(r) for r in self._coef_t.tolist()])
        return self._as_python

    def term_weights(self, text: str) -> TermWeights:
        """The exact decomposition of one text's scores into per-term contributions."""
        _, ids, values = self.feature_values([text])
        return TermWeights(
            terms=[self.terms[i] for i in ids],
            ids=ids,
            values=values,
            contributions=values[:, None] * self._coef_t[ids],
            intercept=self.intercept,
        )

    def term_spans(
        self, text: str, skip: Sequence[tuple[int, int]] = ()
    ) -> dict[int, list[tuple[int, int]]]:
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
        if self.negation:
            forms = mark_negation(forms, self.negation)
        spans: dict[int, list[tuple[int, int]]] = {}
        tokens: list[tuple[str, str, int]] = []  # (token as read, piece, start) for phrases
        for (piece, start), form in zip(where, forms):
            for term_id in self._ids_of_code(self._form_code[form]):
                spans.setdefault(term_id, []).append(_narrow(piece, start, self.terms[term_id]))
            if self.phrases:
                for token in _TOKEN.findall(form):
                    read = token if token in self.stop_words else self._spelt(token)
                    tokens.append((read, piece, start))
        for (a, piece_a, start_a), (b, piece_b, start_b) in zip(tokens, tokens[1:]):
            phrase_id = self.vocabulary.get(f"{a} {b}")
            if phrase_id is not None:
                begin = _narrow(piece_a, start_a, a)[0]
                spans.setdefault(phrase_id, []).append((begin, _narrow(piece_b, start_b, b)[1]))
        return spans


class _Forms:
    """The normalised forms of a text's pieces, each worked out when it is read."""

    def __init__(self, pieces: list[str], normalized: BoundedCache[str, str]):
        self.pieces, self.normalized = pieces, normalized

    def __len__(self) -> int:
        return len(self.pieces)

    def __getitem__(self, i: int) -> str:
        return self.normalized[self.pieces[i]]

    def __iter__(self) -> Iterator[str]:
        return map(self.normalized.__getitem__, self.pieces)


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
    """The span of ``term`` inside ``piece`` where it is written there as a whole word (in
    any case), else the piece without its edge punctuation (an obfuscated, stretched or
    corrected spelling: "belli" read as "bell" is all of "belli", never "bell" inside it)."""
    term = term.removeprefix(NOT)
    lowered = piece.lower()
    if len(lowered) == len(piece):
        found = lowered.find(term)
        while found >= 0:
            end = found + len(term)
            if (found == 0 or not lowered[found - 1].isalnum()) and (
                end == len(lowered) or not lowered[end].isalnum()
            ):
                return start + found, start + end
            found = lowered.find(term, found + 1)
    core = piece.strip(_EDGES)
    if not core:
        return start, start + len(piece)
    offset = piece.index(core)
    return start + offset, start + offset + len(core)


_EDGES = ".,!?;:\"'()[]{}*<>"


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
    spans: list[tuple[int, int]] = []
    start = lowered.find(term)
    while start >= 0 and len(spans) < 20:
        spans.append((start, start + len(term)))
        start = lowered.find(term, start + len(term))
    return spans
