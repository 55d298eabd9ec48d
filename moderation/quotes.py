"""Finding the spans of a comment that repeat its parent, an earlier comment, or the article.

A quote is at least one whole sentence of the source (ignoring typographic quote marks and
white space), extended word by word as far as the comment keeps repeating the source. Scoring
leaves quoted spans out, so a civil reply that quotes an abusive comment is judged on its own
words.

The common path is cheap: each comment is split into sentences once, and each sentence is looked
up in a per-thread dictionary. Only when a sentence matches are both texts tokenised to find the
exact span.
"""

from __future__ import annotations

import re
from collections import OrderedDict

from moderation.comments import Comment, QuoteSpan, Thread

_FOLD = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"', "\u00a0": " ", "\u2013": "-", "\u2014": "-", "\u2026": ".",
})
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?]['\")]))\s+|\s*\n\s*")
_EDGE = " \t'\"()[]*-\u2022>.,;:!?"
_MIN_KEY_CHARS = 20
_MIN_KEY_SPACES = 3
ARTICLE = "article"


def _sentence_keys(folded: str) -> list[str]:
    keys = []
    for sentence in _SENTENCE_END.split(folded):
        key = " ".join(sentence.split()).strip(_EDGE)
        if len(key) >= _MIN_KEY_CHARS and key.count(" ") >= _MIN_KEY_SPACES:
            keys.append(key)
    return keys


def _words(folded: str) -> list[tuple[str, int, int]]:
    """Words with their edges' punctuation stripped, and their span in the text."""
    out = []
    for m in re.finditer(r"\S+", folded):
        core = m.group().strip(_EDGE)
        if core:
            out.append((core, m.start(), m.end()))
    return out


def _find(words: list[tuple[str, int, int]], key: list[str], start: int = 0) -> int:
    n = len(key)
    first = key[0]
    for i in range(start, len(words) - n + 1):
        if words[i][0] == first and [w[0] for w in words[i:i + n]] == key:
            return i
    return -1


class ThreadQuotes:
    """The sentences seen so far in one thread, and where each came from."""

    __slots__ = ("sources", "texts", "depths", "size")

    def __init__(self) -> None:
        self.sources: dict[str, list[str]] = {}  # sentence key -> source ids, oldest first
        self.texts: dict[str, str] = {}  # source id -> folded text
        self.depths: dict[str, int] = {}  # comment id -> depth
        self.size = 0

    def add_source(self, source_id: str, folded: str, keys: list[str]) -> None:
        self.texts[source_id] = folded
        self.size += len(folded)
        for key in keys:
            holders = self.sources.setdefault(key, [])
            if not holders or holders[-1] != source_id:
                holders.append(source_id)

    def find(self, comment: Comment, folded: str, keys: list[str]) -> list[QuoteSpan]:
        spans: list[QuoteSpan] = []
        covered_to = -1
        words: list[tuple[str, int, int]] | None = None
        for key in keys:
            holders = self.sources.get(key)
            if not holders:
                continue
            source = self._pick(holders, comment.parent_id)
            if words is None:
                words = _words(folded)
            span = self._extend(words, key, source)
            if span is None or span[0] < covered_to:
                continue
            start, end = span
            label = ("parent" if source == comment.parent_id else
                     ARTICLE if source == ARTICLE else f"comment:{source}")
            if spans and spans[-1].source == label and start <= spans[-1].end + 1:
                spans[-1] = QuoteSpan(spans[-1].start, end, label)
            else:
                spans.append(QuoteSpan(start, end, label))
            covered_to = end
        return spans

    @staticmethod
    def _pick(holders: list[str], parent_id: str | None) -> str:
        if parent_id is not None and parent_id in holders:
            return parent_id
        if ARTICLE in holders:
            return ARTICLE
        return holders[-1]

    def _extend(self, words: list[tuple[str, int, int]], key: str,
                source: str) -> tuple[int, int] | None:
        key_words = [w for w in (t.strip(_EDGE) for t in key.split()) if w]
        source_words = _words(self.texts[source])
        i = _find(words, key_words)
        j = _find(source_words, key_words)
        if i < 0 or j < 0:
            return None
        lo_i, lo_j = i, j
        while lo_i > 0 and lo_j > 0 and words[lo_i - 1][0] == source_words[lo_j - 1][0]:
            lo_i, lo_j = lo_i - 1, lo_j - 1
        hi_i, hi_j = i + len(key_words), j + len(key_words)
        while (hi_i < len(words) and hi_j < len(source_words)
               and words[hi_i][0] == source_words[hi_j][0]):
            hi_i, hi_j = hi_i + 1, hi_j + 1
        return words[lo_i][1], words[hi_i - 1][2]


class ConversationTracker:
    """Fills in what depends on earlier records of a thread: a comment's depth from its parent,
    and its quotes. Keeps a bounded number of recent threads, so memory does not grow with the
    export; a reply whose parent has been forgotten keeps the depth its reader gave it."""

    def __init__(self, max_threads: int = 512, max_thread_chars: int = 20_000_000):
        self.max_threads = max_threads
        self.max_thread_chars = max_thread_chars
        self._threads: OrderedDict[str, ThreadQuotes] = OrderedDict()
        self.orphans = 0

    def _state(self, thread_id: str) -> ThreadQuotes:
        state = self._threads.get(thread_id)
        if state is None:
            state = self._threads[thread_id] = ThreadQuotes()
            if len(self._threads) > self.max_threads:
                self._threads.popitem(last=False)
        else:
            self._threads.move_to_end(thread_id)
        return state

    def thread(self, thread: Thread) -> None:
        state = self._state(thread.id)
        if thread.article:
            folded = thread.article.translate(_FOLD)
            state.add_source(ARTICLE, folded, _sentence_keys(folded))

    def comment(self, comment: Comment) -> Comment:
        state = self._state(comment.thread_id)
        if comment.parent_id is None:
            comment.depth = 0
        else:
            parent_depth = state.depths.get(comment.parent_id)
            if parent_depth is not None:
                comment.depth = parent_depth + 1
            else:
                self.orphans += 1
                comment.depth = max(comment.depth, 1)
        state.depths[comment.id] = comment.depth
        text = comment.text
        if not text:
            return comment
        folded = text.translate(_FOLD)
        keys = _sentence_keys(folded)
        if keys and not comment.quotes and state.sources:
            spans = state.find(comment, folded, keys)
            if spans and _has_own_words(text, spans):
                comment.quotes = spans
        if keys and state.size < self.max_thread_chars:
            state.add_source(comment.id, folded, keys)
        return comment


def _has_own_words(text: str, spans: list[QuoteSpan]) -> bool:
    """A comment that is nothing but a repeat is a repost, not a quote: scoring must see it."""
    cursor = 0
    for span in spans:
        if any(ch.isalnum() for ch in text[cursor:span.start]):
            return True
        cursor = span.end
    return any(ch.isalnum() for ch in text[cursor:])
