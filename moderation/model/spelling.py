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
"""

from __future__ import annotations

from collections.abc import Iterable

MIN_LENGTH = 4  # shorter tokens are left as they are: too many words are one edit apart


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class Spelling:
    """``correct(token)``: the frequent word a rare or unknown token stands for, or None."""

    def __init__(self, frequent: dict[str, int]):
        self.frequent = dict(frequent)
        self._index: dict[str, tuple[str, int]] | None = None
        self._cache: dict[str, str | None] = {}

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
        if token[0] in "ai" and token[1:] in self.frequent and len(token) > MIN_LENGTH:
            return token[1:]
        if self._index is None:
            self._index = self._build()
        index = self._index
        candidates = [index[key] for key in (token, *_deletions(token)) if key in index]
        if not candidates:
            return None
        best = max(candidates, key=lambda c: (c[1], c[0]))
        return best[0]

    def __getstate__(self) -> dict[str, object]:
        return {"frequent": self.frequent}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__(state["frequent"])  # type: ignore[misc,arg-type]


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
