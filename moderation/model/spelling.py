"""Spelling games and typos undone against the model's own vocabulary.

Abuse is misspelt on purpose (``stuppid``, ``idoit``, ``cowrad``, ``a c u n t`` joined to
``acunt``) and by accident. A word the training texts use often is a *frequent* word; a token
that is not one is replaced by the frequent word one edit away (a letter dropped, added,
changed or two letters swapped), when exactly one such word is the most frequent candidate.
A token that is an article glued to a frequent word (``acunt``, ``iidiot``) loses the article.

Candidates are found with a deletion index (the SymSpell idea): every frequent word is
indexed under itself and each string made by deleting one of its letters; a token's
candidates are the words indexed under it or under one of its own deletions. Only the
frequent words are stored with a model; the index is rebuilt from them when first needed.

A real word is never read as another. With dictionaries (``dictionary_hashes``: the word lists
of pyspellchecker for the languages a model is used on, en, de, pt, fr, es, ...), a token that
is a word in any of them stays as written ("Dank" and "guter" in a German comment, "punt",
"witches", "ballet"). Only tokens that are no word in any of the languages are corrected, and
never into a swear word or slur (``lexicons.OFFENSIVE_WORDS``) by changing one of their letters:
a dropped, added or swapped letter (``fuking``, ``idoit``) is a spelling game, a changed one is
as often another word. The dictionary travels with the model as the sorted CRC-32 of its
words (about 4 MB for five languages): a token is a word when its CRC-32 is among them, which a
non-word is by chance once in 4,000 tokens; scoring needs neither the package nor the lists.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import NotRequired, TypedDict

import numpy as np

from moderation.lexicons import OFFENSIVE_WORDS

MIN_LENGTH = 4  # shorter tokens are left as they are: too many words are one edit apart


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _one_letter_changed(token: str, word: str) -> bool:
    return len(token) == len(word) and sum(a != b for a, b in zip(token, word)) == 1


def word_hash(word: str) -> int:
    return zlib.crc32(word.encode("utf-8"))


class _SpellingState(TypedDict):
    """What a pickled ``Spelling`` holds (models saved before dictionaries have none)."""

    frequent: dict[str, int]
    dictionary: NotRequired[np.ndarray | None]


class Spelling:
    """``correct(token)``: the frequent word a rare or unknown token stands for, or None.
    ``dictionary``: sorted CRC-32s of real words (``dictionary_hashes``), never corrected."""

    def __init__(self, frequent: dict[str, int], dictionary: np.ndarray | None = None):
        self.frequent = dict(frequent)
        self.dictionary = (
            None if dictionary is None else np.asarray(dictionary, dtype=np.uint32).ravel()
        )
        self._index: dict[str, tuple[str, int]] | None = None
        self._cache: dict[str, str | None] = {}

    def is_word(self, token: str) -> bool:
        """Whether ``token`` is a word of the dictionary (False without one)."""
        words = self.dictionary
        if words is None or not len(words):
            return False
        key = word_hash(token)
        at = int(np.searchsorted(words, key))
        return at < len(words) and int(words[at]) == key

    def _build(self) -> dict[str, tuple[str, int]]:
        index: dict[str, tuple[str, int]] = {}
        for word, count in self.frequent.items():
            if len(word) < MIN_LENGTH:
                continue
            for key in (word, *_deletions(word)):
                best = index.get(key)
                if best is None or (count, word) > (best[1], best[0]):
                    index[key] = (word, count)
        return index

    def correct(self, token: str) -> str | None:
        if token in self._cache:
            return self._cache[token]
        found = self._correct(token)
        if len(self._cache) < 200_000:
            self._cache[token] = found
        return found

    def _correct(self, token: str) -> str | None:
        if len(token) < MIN_LENGTH or token in self.frequent or not token.isalpha():
            return None
        if self.is_word(token):
            return None
        if token[0] in "ai" and token[1:] in self.frequent and len(token) > MIN_LENGTH:
            return token[1:]
        if self._index is None:
            self._index = self._build()
        index = self._index
        candidates = [index[key] for key in (token, *_deletions(token)) if key in index]
        if not candidates:
            return None
        best = max(candidates, key=lambda c: (c[1], c[0]))[0]
        if best in OFFENSIVE_WORDS and _one_letter_changed(token, best):
            return None
        return best

    def __getstate__(self) -> _SpellingState:
        return {"frequent": self.frequent, "dictionary": self.dictionary}

    def __setstate__(self, state: _SpellingState) -> None:
        self.__init__(state["frequent"], state.get("dictionary"))  # type: ignore[misc]  # re-init on unpickle


@lru_cache(maxsize=4)
def dictionary_hashes(languages: tuple[str, ...]) -> np.ndarray:
    """The sorted, distinct CRC-32s of the words (letters only, lower case) of pyspellchecker's
    word lists for ``languages`` (``("en", "de")``), read once per process and kept in the
    user's cache folder (reading the lists takes seconds, the cached array milliseconds)."""
    import os
    from importlib import metadata

    from moderation.errors import UsageError

    try:
        version = metadata.version("pyspellchecker")
    except metadata.PackageNotFoundError:
        raise UsageError(
            "spelling against dictionaries needs pyspellchecker: pip install pyspellchecker"
        ) from None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    cached = Path(base, "moderation", "dictionaries", f"{'-'.join(languages)}-{version}.npy")
    if cached.is_file():
        try:
            found: np.ndarray = np.load(cached, allow_pickle=False)
            return found
        except (OSError, ValueError):
            pass  # a damaged cache is rebuilt
    hashes = _read_dictionaries(languages)
    try:
        from moderation.files import atomic_output

        cached.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(cached, binary=True) as handle:
            np.save(handle, hashes, allow_pickle=False)
    except OSError:
        pass  # a read-only home: read the lists each time
    return hashes


def _read_dictionaries(languages: tuple[str, ...]) -> np.ndarray:
    import gzip
    import json
    from importlib import resources

    from moderation.errors import UsageError

    folder = resources.files("spellchecker").joinpath("resources")
    hashes: set[int] = set()
    for language in languages:
        path = folder.joinpath(f"{language}.json.gz")
        if not path.is_file():
            known = sorted(p.name.split(".")[0] for p in folder.iterdir() if p.name.endswith(".gz"))
            raise UsageError(
                f"no dictionary for language {language!r}; pyspellchecker has {', '.join(known)}"
            )
        with path.open("rb") as handle:
            words = json.loads(gzip.decompress(handle.read()))
        hashes.update(word_hash(w.lower()) for w in words if w.isalpha())
    return np.array(sorted(hashes), dtype=np.uint32)


def frequent_words(
    document_frequency: dict[str, int], min_count: int, excluded: Iterable[str] = ()
) -> dict[str, int]:
    """The words at least ``min_count`` texts use, leaving out ``excluded`` ones."""
    left_out = set(excluded)
    return {
        w: n
        for w, n in document_frequency.items()
        if n >= min_count and w not in left_out and w.isalpha()
    }
