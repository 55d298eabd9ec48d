"""Looking up many pairs of token ids at once, in numpy: the array scorer's phrases.

A phrase feature is two adjacent tokens (``"make you"``). Scoring a batch turns its text into
one array of token ids, so every adjacent pair of the batch is a query: millions of them, of
which most are no phrase. ``PairTable`` answers them with a few vectorised passes over an
open-addressing hash table (linear probing, at most a quarter full): each pass gathers one
slot per pending query, and a query leaves when it finds its key or an empty slot. A sorted
array with ``searchsorted`` gives the same answers but reads about seventeen scattered slots
per query for a hundred thousand phrases; the table reads little more than one.

``ragged_expand`` is the other piece: pieces of text that hold several tokens (``go-back``)
are kept as runs in one flat array, and a batch's codes are expanded into their runs with
``np.repeat`` and fancy indexing instead of a loop over the pieces.
"""

from __future__ import annotations

import numpy as np

_EMPTY_SLOT = -1
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: 2**64 / golden ratio


class PairTable:
    """``(first, second) -> value`` for non-negative token ids below ``width``; ``lookup``
    answers arrays of pairs (``-1`` where a pair is none of the keys)."""

    def __init__(self, first: np.ndarray, second: np.ndarray, values: np.ndarray, width: int):
        self.width = max(int(width), 1)
        keys = np.asarray(first, np.int64) * self.width + np.asarray(second, np.int64)
        values = np.asarray(values, np.int64)
        self.bits = max(4, int(np.ceil(np.log2(max(len(keys), 1) * 4))))
        self.mask = (1 << self.bits) - 1
        self.keys = np.full(1 << self.bits, _EMPTY_SLOT, np.int64)
        self.values = np.full(1 << self.bits, -1, np.int64)
        pending = np.unique(keys, return_index=True)[1]  # a repeated key: its first value
        slot = self._slots(keys[pending])
        while pending.size:
            free = self.keys[slot] == _EMPTY_SLOT
            # of the keys that reach a free slot, the first to reach it takes it
            taken, first_at = np.unique(slot[free], return_index=True)
            winners = np.flatnonzero(free)[first_at]
            self.keys[taken] = keys[pending[winners]]
            self.values[taken] = values[pending[winners]]
            left = np.ones(pending.size, bool)
            left[winners] = False
            pending, slot = pending[left], (slot[left] + 1) & self.mask

    def _slots(self, keys: np.ndarray) -> np.ndarray:
        hashed = keys.astype(np.uint64) * _MULTIPLIER  # wraps around: the low 64 bits
        return (hashed >> np.uint64(64 - self.bits)).astype(np.int64)

    def lookup(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """The value of each pair (``first[i], second[i]``), or -1."""
        keys = first.astype(np.int64) * self.width + second
        found = np.full(keys.size, -1, np.int64)
        pending = np.arange(keys.size)
        slot = self._slots(keys)
        while pending.size:
            stored = self.keys[slot]
            hit = stored == keys[pending]
            found[pending[hit]] = self.values[slot[hit]]
            going = ~hit & (stored != _EMPTY_SLOT)  # an empty slot: the key is not there
            pending, slot = pending[going], (slot[going] + 1) & self.mask
        return found


def ragged_expand(
    codes: np.ndarray,
    doc: np.ndarray,
    at: np.ndarray,
    starts: np.ndarray,
    sizes: np.ndarray,
    flat: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """``codes`` (and each one's document, ``doc``) with the entry at each position of ``at``
    replaced by its run, ``flat[starts[i] : starts[i] + sizes[i]]`` (sizes >= 1)."""
    lengths = np.ones(codes.size, np.int64)
    lengths[at] = sizes
    begins = np.cumsum(lengths) - lengths  # where each entry lands in the output
    codes, doc = np.repeat(codes, lengths), np.repeat(doc, lengths)
    within = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    codes[np.repeat(begins[at], sizes) + within] = flat[np.repeat(starts, sizes) + within]
    return codes, doc
