"""The one place where features and classifier are assembled.

``build_pipeline(config)`` returns an unfitted scikit-learn ``Pipeline``:
normalise -> TF-IDF features (words, and optionally characters) -> multinomial logistic
regression. The fitted pipeline is what ``model.joblib`` holds, so plain
``joblib.load(path).predict_proba(["a comment"])`` works without this package's scoring code
(the package must still be importable, for ``normalize``).

The configuration has defaults in code, can be overridden by a TOML file, and is saved with the
model.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, Self, TypeAlias

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from moderation.errors import InputError
from moderation.normalize import normalize_many

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from moderation.model.spelling import Spelling

# scipy.sparse ships no type information: to mypy its matrices are Any; the name says what is meant
SparseMatrix: TypeAlias = Any

# Words with an apostrophe inside stay whole ("don't"), and so do single characters that carry
# meaning in comments ("i", "u").
TOKEN_PATTERN = r"(?u)\b\w[\w']*\b"


@dataclass
class PipelineConfig:
    """Everything that decides the features, the classifier and how training chooses among
    candidates. Field names are the keys of the TOML file (``[pipeline]`` table)."""

    max_chars: int = 2000  # features come from this prefix of a comment
    # Defaults measured in benchmarks/quality.py (leave-one-source-out ROC AUC): word unigrams,
    # raw term counts and a modest C generalise to other platforms better than bigrams,
    # sublinear tf, character n-grams or a larger C, which win only in-domain.
    word_ngrams: tuple[int, int] = (1, 1)
    word_min_df: int = 1
    word_max_features: int | None = 200_000
    char_ngrams: tuple[int, int] | None = None  # e.g. (2, 5); None: no character features
    char_min_df: int = 3
    char_max_features: int | None = 100_000
    sublinear_tf: bool = False
    norm: str = "l2"  # each comment's TF-IDF vector scaled to unit "l2" or "l1" length
    # word lists left out of the vocabulary (moderation.lexicons): "stop", "identity", "source"
    dropped_terms: tuple[str, ...] = ()
    # rare and unknown words spelt as the frequent word one edit away (model.spelling): a word
    # is frequent when at least this many training texts use it (0: no correction)
    spelling_min_count: int = 0
    # real words of these languages are never corrected (pyspellchecker's word lists, e.g.
    # ["en", "de", "pt", "fr", "es"]); empty: no dictionary, any rare token may be corrected
    spelling_languages: tuple[str, ...] = ()
    # phrases: two adjacent words (stop words included: "go back", "make you", "their kind")
    # used by at least this many training texts become features beside the words; a phrase
    # of two function words or with a dropped identity or source word is none (0: no phrases)
    phrase_min_df: int = 0
    phrase_max_features: int = 100_000
    # fit beside a length column that is then dropped (moderation.model.fitting)
    length_nuisance: bool = False
    # lambda in x / sqrt(sum(x^2) + lambda): short comments stay near the prior (0: plain norm)
    norm_smoothing: float = 0.0
    # how many words after a negation are marked not_ (moderation.normalize.mark_negation)
    negation_scope: int = 0
    # cues written into the text (moderation.cues.KINDS): "reported" insults read as said_
    # words, "threat" patterns marked cuethreat, insults aimed at the reader ("target") as you_
    cue_marks: tuple[str, ...] = ()
    # where flag thresholds are chosen: "folds" (grouped folds of the training data) or
    # "other_sources" (each source held out in turn, so the precision holds on a new site)
    thresholds_from: str = "folds"
    class_weight: str | None = "sqrt_balanced"  # or "balanced", or None ("none" in TOML)
    source_weighting: str = "none"  # "balanced": each source weighs the same
    C_grid: tuple[float, ...] = (0.5, 1.0, 2.0)
    cv_folds: int = 5
    selection_metric: str = "f1_macro"  # how C is chosen on held-out folds, or "log_loss"
    target_precision: float = 0.8  # per-label flag thresholds are chosen for this
    # ...unless a label has its own target here, e.g. {"conspiracy": 0.6}
    label_precision: dict[str, float] = field(default_factory=dict)
    # how common each label is on the sites flags are for (e.g. {"abusive": 0.1}): precision
    # is measured as if it were that common (model.thresholds); empty: as in the data
    base_rates: dict[str, float] = field(default_factory=dict)
    min_flag_recall: float = 0.2  # ...unless it catches less than this of a label
    solver: str = "newton-cg"  # measured: 4-10x faster than lbfgs here
    max_iter: int = 1000
    random_state: int = 0
    n_jobs: int = 2  # folds trained in parallel
    # the language the model reads (ISO 639-1): whose word lists dropped_terms names
    # (moderation.languages.word_lists), and which comments it may score
    language: str = "en"
    extra: dict[str, Any] = field(default_factory=dict)

    def precision_for(self, label: str) -> float:
        """The precision ``label``'s flag threshold is chosen for."""
        return float(self.label_precision.get(label, self.target_precision))

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any], *, origin: str = "config") -> PipelineConfig:
        known = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise InputError(
                origin,
                f"unknown setting(s) {', '.join(unknown)}",
                hint=f"known settings: {', '.join(known)}",
            )
        converted = {}
        for key, value in values.items():
            if (
                key
                in (
                    "word_ngrams",
                    "char_ngrams",
                    "C_grid",
                    "dropped_terms",
                    "spelling_languages",
                    "cue_marks",
                )
                and value is not None
            ):
                value = tuple(value)
            if key == "class_weight" and value == "none":  # TOML has no null
                value = None
            converted[key] = value
        config = cls(**converted)
        config.validate(origin)
        return config

    @classmethod
    def from_toml(cls, path: str | Path, base: PipelineConfig | None = None) -> PipelineConfig:
        """Settings from a TOML file; the ones it does not name keep ``base``'s values (or the
        defaults)."""
        try:
            with open(path, "rb") as handle:
                document = tomllib.load(handle)
        except FileNotFoundError:
            raise InputError(path, "not found") from None
        except tomllib.TOMLDecodeError as err:
            raise InputError(path, f"not valid TOML: {err}") from None
        settings = document.get("pipeline", document)
        if base is not None:
            settings = {**base.to_dict(), **settings}
        return cls.from_dict(settings, origin=str(path))

    def validate(self, origin: str = "config") -> None:
        def bad(problem: str) -> InputError:
            return InputError(origin, problem)

        for name in ("word_ngrams", "char_ngrams"):
            value = getattr(self, name)
            if value is not None and (len(value) != 2 or not 1 <= value[0] <= value[1]):
                raise bad(f"{name} must be two integers [low, high] with 1 <= low <= high")
        if not all(0 < t < 1 for t in (self.target_precision, *self.label_precision.values())):
            raise bad("target_precision and label_precision must be between 0 and 1")
        if not self.C_grid or any(c <= 0 for c in self.C_grid):
            raise bad("C_grid must list positive numbers")
        if self.cv_folds < 2:
            raise bad("cv_folds must be at least 2")
        if self.selection_metric not in ("f1_macro", "log_loss"):
            raise bad("selection_metric must be 'f1_macro' or 'log_loss'")
        if self.class_weight not in ("balanced", "sqrt_balanced", None):
            raise bad("class_weight must be 'balanced', 'sqrt_balanced' or 'none'")
        if self.source_weighting not in ("balanced", "none"):
            raise bad("source_weighting must be 'balanced' or 'none'")
        if self.thresholds_from not in ("folds", "other_sources"):
            raise bad("thresholds_from must be 'folds' or 'other_sources'")
        if self.norm not in ("l1", "l2"):
            raise bad("norm must be 'l1' or 'l2'")
        from moderation.cues import KINDS

        if set(self.cue_marks) - set(KINDS):
            raise bad(f"cue_marks may name {', '.join(repr(k) for k in KINDS)}")
        if set(self.dropped_terms) - {"stop", "identity", "source"}:
            raise bad("dropped_terms may name 'stop', 'identity' and 'source'")
        if self.max_chars < 1:
            raise bad("max_chars must be positive")
        if self.phrase_min_df < 0 or self.phrase_max_features < 1:
            raise bad("phrase_min_df must be >= 0 and phrase_max_features positive")
        if self.phrase_min_df and self.word_ngrams != (1, 1):
            raise bad("phrases replace word_ngrams: keep word_ngrams [1, 1] with phrase_min_df")


def dropped_terms(names: tuple[str, ...], language: str = "en") -> list[str] | None:
    """The words the named lists of ``language`` leave out of the vocabulary, sorted (None:
    none)."""
    from moderation.languages.word_lists import word_list
    from moderation.normalize import NOT

    words: set[str] = set()
    for name in names:
        words |= word_list(language, name)
    words |= {NOT + word for word in words}  # a dropped word stays dropped when negated
    return sorted(words) or None


def phrase_excluded(names: tuple[str, ...]) -> frozenset[str]:
    """Words no phrase may hold: the dropped lists other than stop words (identity terms and
    source marks stay out of phrases too; stop words may be half of one)."""
    return frozenset(dropped_terms(tuple(n for n in names if n != "stop")) or ())


class CommentVectorizer(TfidfVectorizer):  # type: ignore[misc]  # sklearn is untyped: Any
    """TF-IDF over word unigrams, made for comments:

    - with ``spelling_min_count``, rare and unknown tokens are first spelt as the frequent word
      they stand for (``moderation.model.spelling``): fitting counts the words once to find
      the frequent ones and the rare tokens to correct (``corrections_``); transforming also
      corrects tokens the vocabulary has never seen;
    - with ``norm_smoothing`` (lambda), each vector is divided by ``sqrt(sum(x^2) + lambda)``
      instead of its length: a comment of a few words gets a shorter vector, so its score stays
      near the prior instead of resting on one or two weak words; a long comment is hardly
      changed;
    - with ``phrase_min_df``, phrases (two adjacent tokens, written ``"make you"``) used by at
      least that many training texts (``phrases_``, at most ``phrase_max_features``) are
      features beside the words. Stop words count as tokens here ("go back", "you idiot",
      "their kind"), spelt tokens as spelt; a phrase of two ``FUNCTION_WORDS`` or holding a
      ``phrase_excluded`` word is never one."""

    # set by TfidfVectorizer's __init__ (scikit-learn ships no type information)
    norm: str | None
    dtype: DTypeLike
    # fitted state (absent until fitted, and in models saved before the option existed)
    spelling_: Spelling
    corrections_: dict[str, str]
    phrases_: frozenset[str]

    def __init__(
        self,
        *,
        lowercase: bool = True,
        token_pattern: str = TOKEN_PATTERN,
        stop_words: list[str] | None = None,
        norm: str | None = "l2",
        ngram_range: tuple[int, int] = (1, 1),
        min_df: float = 1,
        max_features: int | None = None,
        sublinear_tf: bool = False,
        dtype: DTypeLike = np.float64,
        spelling_min_count: int = 0,
        rare_max_count: int = 2,
        norm_smoothing: float = 0.0,
        spelling_languages: tuple[str, ...] = (),
        phrase_min_df: int = 0,
        phrase_max_features: int = 100_000,
        phrase_excluded: frozenset[str] = frozenset(),
    ) -> None:
        super().__init__(
            lowercase=lowercase,
            token_pattern=token_pattern,
            stop_words=stop_words,
            norm=norm,
            ngram_range=ngram_range,
            min_df=min_df,
            max_features=max_features,
            sublinear_tf=sublinear_tf,
            dtype=dtype,
        )
        self.spelling_min_count = spelling_min_count
        self.rare_max_count = rare_max_count
        self.norm_smoothing = norm_smoothing
        self.spelling_languages = spelling_languages
        self.phrase_min_df = phrase_min_df
        self.phrase_max_features = phrase_max_features
        self.phrase_excluded = phrase_excluded

    def fit_transform(self, raw_documents: Iterable[str], y: object = None) -> SparseMatrix:
        documents = list(raw_documents)
        for name in ("spelling_", "corrections_", "vocabulary_", "phrases_"):
            self.__dict__.pop(name, None)
        if self.spelling_min_count > 0:
            self._fit_spelling(documents)
        if getattr(self, "phrase_min_df", 0) > 0:
            self._fit_phrases(documents)
        return self._normalised(self._unnormalised(super().fit_transform, documents, y))

    def _fit_phrases(self, documents: list[str]) -> None:
        from collections import Counter

        tokens_of = self._phrase_tokens()
        counts: Counter[str] = Counter()
        for document in documents:
            counts.update(set(_pairs(tokens_of(document), self.phrase_excluded)))
        kept = [(n, p) for p, n in counts.items() if n >= self.phrase_min_df]
        kept.sort(key=lambda item: (-item[0], item[1]))
        self.phrases_ = frozenset(p for _, p in kept[: self.phrase_max_features])

    def _phrase_tokens(self) -> Callable[[str], list[str]]:
        """document -> its tokens for phrases: every token, stop words as written, the others
        spelt as the unigrams are."""
        tokenize = self.build_tokenizer()
        stop = frozenset(self.get_stop_words() or ())
        spelt = self._speller()
        return lambda document: [t if t in stop else spelt(t) for t in tokenize(document)]

    def _fit_spelling(self, documents: list[str]) -> None:
        from collections import Counter

        from moderation.model.spelling import Spelling, dictionary_hashes, frequent_words

        analyze = super().build_analyzer()
        counts: Counter[str] = Counter()
        for document in documents:
            counts.update(set(analyze(document)))
        stop = self.get_stop_words() or ()
        languages = tuple(getattr(self, "spelling_languages", ()))
        self.spelling_ = Spelling(
            frequent_words(counts, self.spelling_min_count, stop),
            dictionary_hashes(languages) if languages else None,
        )
        corrections = {}
        for token, count in counts.items():
            if count <= self.rare_max_count:
                found = self.spelling_.correct(token)
                if found is not None and found != token:
                    corrections[token] = found
        self.corrections_ = corrections

    def fit(self, raw_documents: Iterable[str], y: object = None) -> Self:
        self.fit_transform(raw_documents, y)
        return self

    def transform(self, raw_documents: Iterable[str]) -> SparseMatrix:
        return self._normalised(self._unnormalised(super().transform, raw_documents))

    def _unnormalised(self, method: Callable[..., SparseMatrix], *args: object) -> SparseMatrix:
        if not self.norm_smoothing:
            return method(*args)
        norm, self.norm = self.norm, None
        try:
            return method(*args)
        finally:
            self.norm = norm

    def _normalised(self, x: SparseMatrix) -> SparseMatrix:
        if not self.norm_smoothing:
            return x
        import scipy.sparse as sp

        x = sp.csr_matrix(x)
        if self.norm == "l1":
            lengths = np.asarray(abs(x).sum(axis=1)).ravel() + self.norm_smoothing
        else:
            lengths = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel() + self.norm_smoothing)
        return sp.diags(1.0 / lengths).dot(x).astype(self.dtype).tocsr()

    def _speller(self) -> Callable[[str], str]:
        """token -> the token spelling correction reads it as (itself without spelling)."""
        spelling = self.__dict__.get("spelling_")
        if spelling is None:
            return lambda token: token
        corrections = self.corrections_
        vocabulary = self.__dict__.get("vocabulary_")

        def spelt(token: str) -> str:
            found = corrections.get(token)
            if found is not None:
                return found
            if vocabulary is None or token in vocabulary:
                return token
            return spelling.correct(token) or token

        return spelt

    def build_analyzer(self) -> Callable[[str], list[str]]:
        analyze: Callable[[str], list[str]] = super().build_analyzer()
        spelling = self.__dict__.get("spelling_")
        phrases = self.__dict__.get("phrases_")
        if spelling is None and phrases is None:
            return analyze
        spelt = self._speller()
        if phrases is None:
            return lambda document: [spelt(token) for token in analyze(document)]
        tokens_of = self._phrase_tokens()
        excluded = self.phrase_excluded

        def words_and_phrases(document: str) -> list[str]:
            found = [spelt(token) for token in analyze(document)]
            found += [p for p in _pairs(tokens_of(document), excluded) if p in phrases]
            return found

        return words_and_phrases


def _pairs(tokens: list[str], excluded: frozenset[str]) -> list[str]:
    """The phrases a token sequence holds (``"make you"``), by the rule of ``phrases_``."""
    from moderation.lexicons import FUNCTION_WORDS

    return [
        f"{a} {b}"
        for a, b in zip(tokens, tokens[1:])
        if not (a in FUNCTION_WORDS and b in FUNCTION_WORDS)
        and a not in excluded
        and b not in excluded
    ]


def build_features(config: PipelineConfig) -> TfidfVectorizer | FeatureUnion:
    vectorizer = TfidfVectorizer
    options: dict[str, Any] = {}
    special = config.spelling_min_count > 0 or config.norm_smoothing or config.phrase_min_df
    if special and config.word_ngrams == (1, 1):
        vectorizer = CommentVectorizer
        options = {
            "spelling_min_count": config.spelling_min_count,
            "norm_smoothing": config.norm_smoothing,
        }
        if config.spelling_languages:
            options["spelling_languages"] = tuple(config.spelling_languages)
        if config.phrase_min_df:
            options["phrase_min_df"] = config.phrase_min_df
            options["phrase_max_features"] = config.phrase_max_features
            options["phrase_excluded"] = phrase_excluded(config.dropped_terms)
    words = vectorizer(
        **options,
        lowercase=False,
        token_pattern=TOKEN_PATTERN,
        stop_words=dropped_terms(config.dropped_terms, config.language),
        norm=config.norm,
        ngram_range=config.word_ngrams,
        min_df=config.word_min_df,
        max_features=config.word_max_features,
        sublinear_tf=config.sublinear_tf,
        dtype=np.float32,
    )
    if config.char_ngrams is None:
        return words
    chars = TfidfVectorizer(
        lowercase=False,
        analyzer="char_wb",
        ngram_range=config.char_ngrams,
        min_df=config.char_min_df,
        max_features=config.char_max_features,
        sublinear_tf=config.sublinear_tf,
        dtype=np.float32,
    )
    return FeatureUnion([("words", words), ("chars", chars)])


def build_classifier(config: PipelineConfig, C: float) -> LogisticRegression:
    class_weight = None if config.class_weight == "sqrt_balanced" else config.class_weight
    return LogisticRegression(
        C=C,
        class_weight=class_weight,
        solver=config.solver,
        max_iter=config.max_iter,
        random_state=config.random_state,
    )


def normalize_arguments(config: PipelineConfig) -> dict[str, Any]:
    """What the pipeline's first step passes to ``normalize_many`` (only what differs from its
    defaults, so models saved before an option existed keep working as they were)."""
    arguments: dict[str, Any] = {"max_chars": config.max_chars}
    if config.negation_scope:
        arguments["negation"] = config.negation_scope
    if config.cue_marks:
        arguments["cues"] = tuple(config.cue_marks)
    return arguments


def build_pipeline(config: PipelineConfig, C: float | None = None) -> Pipeline:
    """An unfitted pipeline: normalise -> features -> classifier."""
    return Pipeline(
        [
            (
                "normalize",
                FunctionTransformer(normalize_many, kw_args=normalize_arguments(config)),
            ),
            ("features", build_features(config)),
            ("classifier", build_classifier(config, C if C is not None else config.C_grid[0])),
        ]
    )


class ScorerArrays(Protocol):
    """What ``pipeline_from_arrays`` reads of a model's arrays
    (``moderation.model.scorer.LinearScorer``, which imports this module)."""

    @property
    def vocabulary(self) -> dict[str, int]: ...
    @property
    def idf(self) -> np.ndarray: ...
    @property
    def coef(self) -> np.ndarray: ...
    @property
    def intercept(self) -> np.ndarray: ...
    @property
    def labels(self) -> list[str]: ...
    @property
    def spelling(self) -> Spelling | None: ...
    @property
    def corrections(self) -> dict[str, str]: ...
    @property
    def phrases(self) -> list[str]: ...


def pipeline_from_arrays(
    scorer: ScorerArrays, config: PipelineConfig, C: float | None
) -> Pipeline | None:
    """The fitted pipeline rebuilt from a model's arrays (``scorer.npz``, no pickle), for
    retraining from a model whose pickle is not trusted; None when the settings are not ones
    the arrays hold (character n-grams, word bigrams). The caller checks the result scores as
    the arrays do (``rebuilt_pipeline`` in ``moderation.model.directory``)."""
    pipeline = build_pipeline(config, C)
    features, classifier = pipeline.named_steps["features"], pipeline.named_steps["classifier"]
    if not isinstance(features, TfidfVectorizer) or features.ngram_range != (1, 1):
        return None
    features.vocabulary_ = dict(scorer.vocabulary)
    features.fixed_vocabulary_ = False
    # as fitting does: with smoothing the TF-IDF step leaves the norm to CommentVectorizer
    norm = features.norm
    if getattr(features, "norm_smoothing", 0):
        features.norm = None
    features.idf_ = np.asarray(scorer.idf, dtype=np.float64)
    features.norm = norm
    if scorer.spelling is not None:
        features.spelling_ = scorer.spelling
        features.corrections_ = dict(scorer.corrections)
    if scorer.phrases:
        features.phrases_ = frozenset(scorer.phrases)
    coef, intercept = np.asarray(scorer.coef), np.asarray(scorer.intercept)
    if len(scorer.labels) == 2:  # scikit-learn's two-label form: one row, for the second
        coef, intercept = (coef[1] - coef[0])[None, :], np.array([intercept[1] - intercept[0]])
    classifier.classes_ = np.array(scorer.labels)
    classifier.coef_, classifier.intercept_ = coef.copy(), intercept.copy()
    classifier.n_features_in_ = coef.shape[1]
    return pipeline
