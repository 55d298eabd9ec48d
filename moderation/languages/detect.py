"""Which language each comment is written in.

The model is py3langid's (a naive Bayes over byte n-grams of 140 languages, shipped inside
its package: nothing is downloaded). Reading it takes about a second; the arrays this module
uses are cached (``~/.cache/moderation/languages/``, memory-mapped by each process). It was
chosen by measurement on short real comments in
English, German, Portuguese, French and Spanish (``benchmarks/language_detection.py``,
benchmarks/RESULTS.md "Language detection").

py3langid classifies one text per call, walking the text's bytes through its n-gram automaton
in a Python loop and then scoring the n-grams found: about as slow per comment as scoring the
comment itself. ``LanguageDetector`` applies the same model to a whole batch at once: the
texts' bytes are walked through the automaton one byte position at a time for every text
(numpy), the n-grams each text reached are counted together, and the scores are one gathered
sum. The result is py3langid's own answer (tested against ``LanguageIdentifier.classify``)
at several times its speed.

Two decisions are ours:

- **preferred languages.** A short comment often fits a neighbouring language almost as well
  as its own (Portuguese slang reads as Galician, a Spanish line as Catalan). The languages a
  site has models for are preferred: another language wins only when it fits better by
  ``margin`` (log-likelihood per square root of a byte, the scale py3langid normalises by).
  So a Portuguese comment is not lost to Galician, and an Italian one is still Italian.
- **nothing to go on.** Links, mentions and e-mail addresses are not language and are left
  out; a text with fewer than ``MIN_LETTERS`` letters left (``+1``, an emoji, a link) is
  ``und``, undetermined.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from moderation.languages import ENGLISH, UNDETERMINED

# measured on the development half of benchmarks/language_detection.py's texts
MARGIN = 2.0
MIN_LETTERS = 3
# the first 120 bytes (about 20 words) decide: a long comment does not change its language
# (200 cost a fifth more time and changed no short comment's answer)
MAX_BYTES = 120
READ_CHARS = 3 * MAX_BYTES  # of which the first characters are searched for links
CACHE_FORMAT = 1  # the layout of the cached arrays (``_cache_path``)
# texts walked together (sorted by length, so little of the walk is padding): measured, 4,096
# walk in 0.77 of the time 1,024 take
BATCH = 4096
DEFAULT_PREFERRED = ("en", "de", "pt", "fr", "es")
# The languages a comment may be found to be in: those written on comment sites in Europe, the
# Americas, Africa and Asia, in every script. py3langid knows 140; the rest (Pidgin, Lojban,
# Acehnese, "no language" and other rarities) were found to steal short English and Portuguese
# comments far more often than they are the real language of one, and leaving them out makes
# the detector a third faster.
LANGUAGES = tuple(
    """
en de pt fr es it nl pl ro sv da no nn fi cs sk hu hr sr bs sl bg mk el ru uk be tr ar he fa
ur hi bn ta zh ja ko vi th id ms tl ca gl eu af lb lt lv et is ga cy sq sw
""".split()
)

# The cheap exact shortcut: a text in plain ASCII holding three distinct words of this list is
# English. The words are common English words that are not words of German, Portuguese,
# French, Spanish, Italian or Dutch ("in", "is", "was", "will", "all", "also", "do", "so",
# "to", "of", "on", "me", "we" are left out for that). Measured on the development half of
# benchmarks/language_detection.py's texts, it took none of 6,054 German, Portuguese, French
# and Spanish texts, 36% of 2,000 short English ones (none the model reads as another
# language) and 55% of 20,000 English comments of any length.
ENGLISH_WORDS = frozenset(
    """
the and you your you're that this these those with what they they're are have has not
for but just like it's don't doesn't didn't i'm i've can't won't would should could about
there their them been were because when who which from it be if he she his him our
any some than then only very really think people how why out get got know want never
even still much many other into over after before being does did here where make said
""".split()
)
ENGLISH_HITS = 3

# links, mentions, hashtags and HTML entities (an e-mail address loses its "@domain" part)
# (the first character is matched alone first: several times faster on comment text)
_NOT_LANGUAGE = re.compile(
    r"[hHwW@#&](?:(?<=[hH])[tT][tT][pP][sS]?://[^\s\x00]+|(?<=[wW])[wW][wW]\.[^\s\x00]+"
    r"|(?<=[@#])\w+"
    r"|(?<=&)#?\w+;)"
)


def _may_hold_links(text: str) -> bool:
    """Whether ``_NOT_LANGUAGE`` could match in ``text`` at all."""
    return (
        "@" in text or "#" in text or "&" in text or "://" in text or "w." in text or "W." in text
    )


_ENOUGH_LETTERS = re.compile(r"(?:[^\W\d_][\W\d_]*){" + str(MIN_LETTERS) + "}")


class _Model:
    """py3langid's arrays as numpy arrays: the automaton (``nextmove``, ``rowbase``: the next
    state is ``nextmove[rowbase[state] + byte]``), the n-gram each state completes
    (``output``, -1 for none), and per n-gram and language the log-probability (``ptc``) and
    the languages' priors (``pc``), for ``languages`` only. A language with two columns (two
    scripts) scores the larger of the two, as py3langid merges them."""

    ARRAYS = ("nextmove", "rowbase", "output", "ptc", "pc")

    def __init__(self, languages: Sequence[str], arrays: dict[str, np.ndarray]) -> None:
        self.languages = list(dict.fromkeys(languages))
        self.nextmove = arrays["nextmove"]
        self.rowbase = arrays["rowbase"]
        self.output = arrays["output"]
        self.ptc = arrays["ptc"]
        self.pc = arrays["pc"]
        self.columns = [
            list(map(int, np.flatnonzero(arrays["column_of"] == j)))
            for j in range(len(self.languages))
        ]
        self.features = self.ptc.shape[0]

    @classmethod
    def build(cls, languages: Sequence[str]) -> dict[str, np.ndarray]:
        """The arrays, from py3langid's own model file (about a second)."""
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
        nextmove = identifier.tk_nextmove
        classes = list(identifier.nb_classes)
        unknown = sorted(set(languages) - set(classes))
        if unknown:
            raise ValueError(f"py3langid does not know {', '.join(unknown)}")
        wanted = list(dict.fromkeys(languages))
        kept = [i for i, c in enumerate(classes) if c in wanted]
        return {
            "nextmove": np.frombuffer(nextmove, dtype=np.dtype(f"u{nextmove.itemsize}")),
            "rowbase": np.asarray(identifier.tk_row, dtype=np.int64) << 8,
            "output": np.asarray(identifier.tk_output, dtype=np.int64),
            # row-major: scipy's sparse product copies a column-major right-hand side on
            # every call (22 MB: measured, five sixths of the detector's time)
            "ptc": np.ascontiguousarray(identifier.nb_ptc[:, kept], dtype=np.float32),
            "pc": np.asarray(identifier.nb_pc[kept], dtype=np.float32),
            "column_of": np.array([wanted.index(classes[i]) for i in kept], dtype=np.int64),
        }

    @classmethod
    def load(cls, languages: Sequence[str]) -> _Model:
        """The model for ``languages``: memory-mapped from the cache when it holds it (a few
        milliseconds, and every process shares the pages), else built from py3langid's file
        and cached for the next process."""
        folder = _cache_path(languages)
        names = (*cls.ARRAYS, "column_of")
        try:
            arrays = {  # plain arrays over the mapped pages (indexing a memmap costs more)
                name: np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False).view(
                    np.ndarray
                )
                for name in names
            }
            return cls(languages, arrays)
        except (OSError, KeyError, ValueError, IndexError):
            pass
        arrays = cls.build(languages)
        try:
            from moderation.files import atomic_directory

            with atomic_directory(folder, [f"{name}.npy" for name in names]) as staging:
                for name in names:
                    np.save(staging / f"{name}.npy", arrays[name], allow_pickle=False)
        except (OSError, ValueError):  # no cache where none can be written: built next time
            pass
        return cls(languages, arrays)

    def scores(self, encoded: list[bytes]) -> np.ndarray:
        """Per text (rows) and language (``languages``), py3langid's raw score (naive Bayes
        log-likelihood); a text that reaches no n-gram scores -inf everywhere."""
        raw = self._raw_scores(encoded)
        if all(len(columns) == 1 for columns in self.columns):
            return raw[:, [columns[0] for columns in self.columns]]
        merged = np.empty((len(encoded), len(self.languages)), dtype=np.float32)
        for j, columns in enumerate(self.columns):
            merged[:, j] = raw[:, columns].max(axis=1)
        return merged

    def _raw_scores(self, encoded: list[bytes]) -> np.ndarray:
        n = len(encoded)
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=n)
        width = int(lengths.max()) if n else 0
        scores = np.full((n, self.ptc.shape[1]), -np.inf, dtype=np.float32)
        if width == 0:
            return scores
        # bytes as a (position x text) matrix, zero-padded past each text's end
        flat = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        rows = np.repeat(np.arange(n), lengths)
        starts = np.cumsum(lengths) - lengths
        positions = np.arange(flat.size) - np.repeat(starts, lengths)
        matrix = np.zeros((width, n), dtype=np.uint8)
        matrix[positions, rows] = flat
        states = np.empty((width, n), dtype=self.nextmove.dtype)
        state = np.zeros(n, dtype=self.nextmove.dtype)
        for position in range(width):
            state = self.nextmove[self.rowbase[state] + matrix[position]]
            states[position] = state
        found = self.output[states]  # the n-gram completed at each position, or -1
        position_of, text_of = np.nonzero((found >= 0) & (np.arange(width)[:, None] < lengths))
        if text_of.size == 0:
            return scores
        from scipy.sparse import csr_matrix

        # py3langid: sum over n-grams of log1p(count) * log P(n-gram | language), plus prior
        counts = csr_matrix(
            (np.ones(text_of.size, dtype=np.float32), (text_of, found[position_of, text_of])),
            shape=(n, self.features),
        )
        counts.sum_duplicates()
        np.log1p(counts.data, out=counts.data)
        reached = np.flatnonzero(np.diff(counts.indptr))
        scores[reached] = (counts[reached] @ self.ptc) + self.pc
        return scores


@lru_cache(maxsize=2)
def _model(languages: tuple[str, ...] = LANGUAGES) -> _Model:
    return _Model.load(languages)


def _cache_path(languages: Sequence[str]) -> Path:
    """Where the arrays for ``languages`` are cached: ``$XDG_CACHE_HOME`` (else ``~/.cache``)
    ``/moderation/languages/``, named by py3langid's version and the languages."""
    from importlib.metadata import version

    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    key = hashlib.sha256(" ".join(languages).encode()).hexdigest()[:12]
    name = f"py3langid-{version('py3langid')}-{CACHE_FORMAT}-{key}"
    return Path(base) / "moderation" / "languages" / name


def prepared(texts: Sequence[str]) -> tuple[list[bytes], list[bool]]:
    """What the model reads of each text, and whether it has enough letters (``_prepare``)."""
    encoded, enough, _ = _prepare(texts, shortcut=False)
    return encoded, enough


def _prepare(texts: Sequence[str], *, shortcut: bool) -> tuple[list[bytes], list[bool], list[bool]]:
    """What the model reads of each text (links, mentions and e-mail addresses left out; an
    all-capitals text lower-cased, as py3langid does; NFC; UTF-8; at most ``MAX_BYTES``),
    and whether the text has enough letters to have a language at all."""
    # a long comment's first few hundred characters are all that can be read (links in them
    # left out): the rest is not searched
    texts = [text[:READ_CHARS] for text in texts]
    # only a text holding one of the characters every match needs is searched (measured: a
    # third of the time of searching them all)
    sub = _NOT_LANGUAGE.sub
    pieces = [sub(" ", text) if _may_hold_links(text) else text for text in texts]
    english = [False] * len(pieces)
    if shortcut:  # the texts it takes are not read further: English
        words, shown = ENGLISH_WORDS.intersection, 2 * MAX_BYTES
        english = [
            p.isascii() and len(words(p[:shown].lower().split())) >= ENGLISH_HITS for p in pieces
        ]
        pieces = ["" if plain else p for p, plain in zip(pieces, english)]
    if not all(unicodedata.is_normalized("NFC", p) for p in pieces):
        pieces = [unicodedata.normalize("NFC", p) for p in pieces]
    search = _ENOUGH_LETTERS.search
    enough = [search(p) is not None for p in pieces]
    encoded = [
        (p.lower() if p.isupper() else p).encode("utf-8", "surrogatepass")[:MAX_BYTES]
        for p in pieces
    ]
    return encoded, enough, english


class LanguageDetector:
    """Detect the language of many comments at once.

    ``preferred`` are the languages a site has models for (see the module's docstring);
    another language must fit better by ``margin`` to be chosen over them. The model is read
    once per process (about a second) and shared by every detector."""

    def __init__(
        self,
        preferred: Iterable[str] = DEFAULT_PREFERRED,
        *,
        languages: Sequence[str] = LANGUAGES,
        margin: float = MARGIN,
        batch: int = BATCH,
    ):
        self.preferred = tuple(preferred)
        self.languages = tuple(languages)
        self.margin = margin
        self.batch = batch

    def scores(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray, list[bool]]:
        """The languages, each text's score per language (log-likelihood per square root of
        a byte; -inf where nothing was found), and whether each text has enough letters."""
        encoded, enough = prepared(texts)
        languages, result = self._scores(encoded)
        return languages, result, enough

    def _scores(self, encoded: list[bytes]) -> tuple[list[str], np.ndarray]:
        model = _model(self.languages)
        result = np.empty((len(encoded), len(model.languages)), dtype=np.float32)
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
        for start in range(0, len(order), self.batch):
            chosen = order[start : start + self.batch]
            part = [encoded[i] for i in chosen]
            lengths = np.sqrt(np.maximum(np.fromiter(map(len, part), dtype=np.float32), 1.0))
            result[chosen] = model.scores(part) / lengths[:, None]
        return model.languages, result

    def detect(self, texts: Sequence[str]) -> list[str]:
        """Each text's language code, ``und`` where a text gives nothing to go on. Where
        English is preferred, a text in plain ASCII with ``ENGLISH_HITS`` distinct English
        function words is English without walking the model (see ``ENGLISH_WORDS``)."""
        if not texts:
            return []
        encoded, enough, english = _prepare(texts, shortcut=ENGLISH in self.preferred)
        rest = [i for i, plain in enumerate(english) if not plain]
        if len(rest) == len(texts):
            return self._decide(encoded, enough)
        found = [ENGLISH] * len(texts)
        if rest:
            decided = self._decide([encoded[i] for i in rest], [enough[i] for i in rest])
            for i, language in zip(rest, decided):
                found[i] = language
        return found

    def _decide(self, encoded: list[bytes], enough: list[bool]) -> list[str]:
        """Each text's language from the model's scores (the preference and the margin)."""
        languages, scores = self._scores(encoded)
        preferred = np.array([language in self.preferred for language in languages])
        rows = np.arange(len(encoded))
        best = scores.argmax(axis=1)
        found = np.isfinite(scores[rows, best])
        if preferred.any():
            best_preferred = np.where(preferred, scores, -np.inf).argmax(axis=1)
            with np.errstate(invalid="ignore"):  # -inf - -inf where nothing was found
                lead = scores[rows, best] - scores[rows, best_preferred]
            best = np.where(lead > self.margin, best, best_preferred)
        return [
            languages[b] if ok and seen else UNDETERMINED
            for b, ok, seen in zip(best.tolist(), enough, found.tolist())
        ]


@lru_cache(maxsize=16)
def _detector(preferred: tuple[str, ...]) -> LanguageDetector:
    return LanguageDetector(preferred)


def detect_languages(
    texts: Sequence[str], preferred: Iterable[str] = DEFAULT_PREFERRED
) -> list[str]:
    """Each text's language (ISO 639-1), ``und`` for a text with nothing to go on;
    ``preferred`` languages win close calls (``LanguageDetector``)."""
    return _detector(tuple(sorted(set(preferred)))).detect(texts)


def known_languages() -> tuple[str, ...]:
    """Every language the detector can name."""
    return LANGUAGES


def model_version() -> dict[str, Any]:
    """The detection library and its version, for records of what scored a comment."""
    from importlib.metadata import version

    return {"library": "py3langid", "version": version("py3langid")}
