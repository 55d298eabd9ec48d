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
from collections.abc import Container, Mapping
from itertools import islice

from moderation.comments import Comment, QuoteSpan, Thread

_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u00a0": " ",
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": ".",
    }
)
_TOKEN = re.compile(r"\S+")  # the same words as str.split()
_BOUNDARY = re.compile(r"[.!?\n\r]")
_RUNS_OF_SPACE = re.compile(r"[ \t]+")
_EDGE = " \t'\"()[]*-\u2022>.,;:!?"
_MIN_KEY_CHARS = 20
# "@Tom the bus was late": a reply naming whom it answers, then repeating their words
_LEADING_MENTION = re.compile(r"^@[\w.-]+[:,]?\s+")
_MIN_KEY_SPACES = 3
_INDEXED_FROM = 400  # words: a longer text is searched through an index of its word triples
ARTICLE = "article"


# str.translate with a table costs ~16 us on a 300-character text even when nothing changes
# (and ~20 us on a long non-ASCII one when something does); finding the characters first costs
# ~1 us, and replacing only those that occur (all of one character, each for one) is ~0.4 us
_FOLDABLE = re.compile("[" + re.escape("".join(chr(c) for c in _FOLD)) + "]")
_FOLDED = {chr(c): plain for c, plain in _FOLD.items()}


def _fold(text: str) -> str:
    """Typographic quotes, dashes and no-break spaces as their plain forms; same length."""
    if text.isascii():
        return text
    found = _FOLDABLE.findall(text)
    for char in set(found):
        text = text.replace(char, _FOLDED[char])
    return text


# A sentence is a run of characters between sentence boundaries (``.!?`` and line breaks);
# its key is the run with the edge characters (``_EDGE`` less the boundaries) stripped from
# both ends, at least ``_MIN_KEY_CHARS`` long with ``_MIN_KEY_SPACES`` spaces. The boundaries
# are made full stops with ``str.replace`` (only those that occur) and split on in C: cheaper
# than a regular expression that walks every character (measured on real comments: 3.7 ->
# 3.3 us a comment).
_EDGE_ONLY = "".join(ch for ch in _EDGE if ch not in ".!?")
_OTHER_BOUNDARIES = ("!", "?", "\n", "\r")


def _sentence_keys(text: str) -> list[str]:
    """The sentences of a text long enough to count as a quote, in a form that ignores quote
    marks, white space and the punctuation around them. Splitting at every full stop also
    splits abbreviations; both sides are split alike, so the pieces still match."""
    if len(text) < _MIN_KEY_CHARS:  # folding keeps the length, squeezing space shortens
        return []
    folded = _fold(text)
    if "  " in folded or "\t" in folded:
        folded = _RUNS_OF_SPACE.sub(" ", folded)
    split = folded
    for boundary in _OTHER_BOUNDARIES:
        if boundary in split:
            split = split.replace(boundary, ".")
    keys = [
        key
        for piece in split.split(".")
        if len(piece) >= _MIN_KEY_CHARS
        and len(key := piece.strip(_EDGE_ONLY)) >= _MIN_KEY_CHARS
        and key.count(" ") >= _MIN_KEY_SPACES
    ]
    if "@" in folded:
        keys = [key for key in map(_without_mention, keys) if key]
    return keys


def _without_mention(key: str) -> str:
    """A key without the ``@name`` it starts with ("" when too little is left)."""
    if key[0] != "@":
        return key
    key = _LEADING_MENTION.sub("", key).strip(_EDGE)
    return key if len(key) >= _MIN_KEY_CHARS and key.count(" ") >= _MIN_KEY_SPACES else ""


class _Tokens:
    """A text's words with the punctuation at their edges stripped; character spans are
    worked out only when a quote is found."""

    __slots__ = ("folded", "cores", "_spans", "_starts")

    def __init__(self, text: str):
        self.folded = _fold(text)
        self.cores = [word.strip(_EDGE) for word in self.folded.split()]
        self._spans: list[tuple[int, int]] | None = None
        self._starts: dict[tuple[str, ...], list[int]] | None = None

    def span(self, first: int, last: int) -> tuple[int, int]:
        if self._spans is None:
            self._spans = [m.span() for m in _TOKEN.finditer(self.folded)]
        return self._spans[first][0], self._spans[last][1]

    def find(self, words: list[str]) -> int:
        """Where ``words`` first occur in the text, or -1. A long text is looked up through an
        index of where each three words start, so many sentences cost linear time."""
        cores, n, i = self.cores, len(words), -1
        if n >= 3 and len(cores) > _INDEXED_FROM:
            if self._starts is None:
                self._starts = {}
                for k in range(len(cores) - 2):
                    self._starts.setdefault((cores[k], cores[k + 1], cores[k + 2]), []).append(k)
            for k in self._starts.get((words[0], words[1], words[2]), ()):
                if cores[k : k + n] == words:
                    return k
            return -1
        while True:
            try:
                i = cores.index(words[0], i + 1)
            except ValueError:
                return -1
            if cores[i : i + n] == words:
                return i


class ThreadQuotes:
    """The sentences seen so far in one thread, and where each came from."""

    __slots__ = ("sources", "texts", "depths", "size", "squeezed")

    def __init__(self) -> None:
        self.sources: dict[str, list[str]] = {}  # sentence key -> source ids, oldest first
        self.texts: dict[str, str] = {}  # source id -> its text
        self.depths: dict[str, int] = {}  # comment id -> depth
        self.size = 0
        self.squeezed: dict[str, str] = {}  # source id -> its text folded, for quotations

    def add_source(self, source_id: str, text: str, keys: list[str]) -> None:
        self.texts[source_id] = text
        self.size += len(text)
        sources = self.sources
        for key in keys:
            holders = sources.get(key)
            if holders is None:
                sources[key] = [source_id]
            elif holders[-1] != source_id:
                holders.append(source_id)

    def quotations(self, comment: Comment) -> list[QuoteSpan]:
        """Text in quotation marks that repeats the parent, the article or an earlier comment
        of the thread (a part of a sentence is enough)."""
        spans = []
        for match in _QUOTATION.finditer(comment.text):
            body = _squeezed(match.group("body")).strip(_EDGE)
            if body.count(" ") < 2:
                continue
            for source in self._candidates(comment.parent_id):
                squeezed = self.squeezed.get(source)
                if squeezed is None:
                    squeezed = self.squeezed[source] = _squeezed(self.texts[source])
                if body in squeezed:
                    label = (
                        "parent"
                        if source == comment.parent_id
                        else ARTICLE
                        if source == ARTICLE
                        else f"comment:{source}"
                    )
                    spans.append(QuoteSpan(match.start(), match.end(), label))
                    break
        return spans

    def _candidates(self, parent_id: str | None) -> list[str]:
        """The parent, the article, then the 50 latest comments, newest first."""
        first = [s for s in (parent_id, ARTICLE) if s is not None and s in self.texts]
        latest = islice(reversed(self.texts), 50)
        return first + [s for s in latest if s not in first]

    def find(self, comment: Comment, keys: list[str]) -> list[QuoteSpan]:
        spans: list[QuoteSpan] = []
        covered_to = -1
        mine: _Tokens | None = None
        theirs: dict[str, _Tokens] = {}
        done: set[str] = set()  # a repeated sentence finds the same span again: skip it
        for key in keys:
            holders = self.sources.get(key)
            if not holders or key in done:
                continue
            done.add(key)
            source = self._pick(holders, comment.parent_id)
            mine = mine or _Tokens(comment.text)
            if source not in theirs:
                theirs[source] = _Tokens(self.texts[source])
            span = _extend(mine, theirs[source], key, covered_to)
            if span is None:
                continue
            start, end = span
            label = (
                "parent"
                if source == comment.parent_id
                else ARTICLE
                if source == ARTICLE
                else f"comment:{source}"
            )
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


def _extend(
    comment: _Tokens, source: _Tokens, key: str, covered_to: int = -1
) -> tuple[int, int] | None:
    """The span of the comment that repeats the source, grown word by word both ways from
    the sentence ``key`` they share; None when it would start before ``covered_to`` (a
    character offset: the end of the quote found before), which is known as soon as the
    growth reaches it, so no stretch of the comment is walked again and again."""
    words = [word.strip(_EDGE) for word in key.split()]
    i = comment.find(words)
    if i < 0 or comment.span(i, i)[0] < covered_to:
        return None
    j = source.find(words)
    if j < 0:
        return None
    mine, theirs = comment.cores, source.cores
    while i > 0 and j > 0 and mine[i - 1] == theirs[j - 1]:
        i, j = i - 1, j - 1
        if comment.span(i, i)[0] < covered_to:
            return None
    end_i, end_j = i + len(words), j + len(words)
    while end_i < len(mine) and end_j < len(theirs) and mine[end_i] == theirs[end_j]:
        end_i, end_j = end_i + 1, end_j + 1
    return comment.span(i, end_i - 1)


class ConversationTracker:
    """Fills in what depends on earlier records of a thread: a comment's depth from its parent,
    and its quotes. Keeps a bounded number of recent threads, so memory does not grow with the
    export; a reply whose parent has been forgotten keeps the depth its reader gave it."""

    def __init__(self, max_threads: int = 512, max_thread_chars: int = 20_000_000):
        self.max_threads = max_threads
        self.max_thread_chars = max_thread_chars
        self._threads: OrderedDict[str, ThreadQuotes] = OrderedDict()
        self._last: tuple[str, ThreadQuotes] | None = None  # exports group comments by thread
        self.orphans = 0

    def _state(self, thread_id: str) -> ThreadQuotes:
        last = self._last
        if last is not None and last[0] == thread_id:
            return last[1]
        state = self._threads.get(thread_id)
        if state is None:
            state = self._threads[thread_id] = ThreadQuotes()
            if len(self._threads) > self.max_threads:
                self._threads.popitem(last=False)
        else:
            self._threads.move_to_end(thread_id)
        self._last = (thread_id, state)
        return state

    def thread(self, thread: Thread) -> None:
        state = self._state(thread.id)
        if thread.article:
            state.add_source(ARTICLE, thread.article, _sentence_keys(thread.article))

    def comment(self, comment: Comment) -> Comment:
        if not track_comment(self._state(comment.thread_id), comment, self.max_thread_chars):
            self.orphans += 1
        return comment


def track_comment(state: ThreadQuotes, comment: Comment, max_thread_chars: int) -> bool:
    """Fill in ``comment``'s depth and quotes from what ``state`` has seen of its thread, then
    add it to ``state``. False when it replies to a parent the state has not seen (an orphan,
    whose depth is then a guess)."""
    found = True
    if comment.parent_id is None:
        comment.depth = 0
    else:
        parent_depth = state.depths.get(comment.parent_id)
        if parent_depth is not None:
            comment.depth = parent_depth + 1
        else:
            found = False
            comment.depth = max(comment.depth, 1)
    state.depths[comment.id] = comment.depth
    text = comment.text
    if not text:
        return found
    keys = _sentence_keys(text)
    sources = state.sources
    if not comment.quotes:
        spans = marked_quotes(text)
        if keys and not sources.keys().isdisjoint(keys):
            spans += state.find(comment, keys)
        if state.texts and ('"' in text or "\u201c" in text or "\u2018" in text):
            spans += state.quotations(comment)
        if spans:
            spans = merge_spans(spans)
            if _has_own_words(text, spans):
                comment.quotes = spans
    if keys and state.size < max_thread_chars:
        state.add_source(comment.id, text, keys)
    elif state.size < max_thread_chars and text:
        state.texts[comment.id] = text  # too short for sentence keys, still quotable
    return found


class ThreadByThread:
    """The same depths and quotes as ``ConversationTracker``, for comments of any threads given
    in their export order, when which threads it would have forgotten, and where, is known
    beforehand (``restarts``: thread id -> positions of the comments from which the thread
    starts again with nothing remembered). A partition of a large export computes those
    positions once for the whole export, so its threads come out as in one pass."""

    def __init__(
        self,
        restarts: Mapping[str, Container[object]] | None = None,
        max_thread_chars: int = 20_000_000,
    ):
        self.restarts = restarts or {}
        self.max_thread_chars = max_thread_chars
        self._threads: dict[str, ThreadQuotes] = {}
        self.orphans = 0

    def comment(self, comment: Comment, position: object = None) -> Comment:
        thread_id = comment.thread_id
        state = self._threads.get(thread_id)
        if state is None or (thread_id in self.restarts and position in self.restarts[thread_id]):
            state = self._threads[thread_id] = ThreadQuotes()
        if not track_comment(state, comment, self.max_thread_chars):
            self.orphans += 1
        return comment


# Quotes a comment marks itself: "> ..." lines, and "Name wrote:" / "Quote from Name" followed
# by the words in quotation marks or by a paragraph of their own.
MARKED = "marked"
_QUOTE_LINE = re.compile(r"^[ \t]*(?:>|&gt;)[^\n]*", re.MULTILINE)
_ATTRIBUTION = (
    r"[^\n]{1,60}?(?:\bwrote|\bsaid|\bsays|\bposted)\s*:"
    r"|(?:quote from|quoting|originally posted by)\s+[^\n]{1,60}?:?"
)
_ATTRIBUTED_INLINE = re.compile(
    rf"(?:^|\n)(?:{_ATTRIBUTION})[ \t]*(?P<body>[\"\u201c\u2018'][^\n]{{3,}}?[\"\u201d\u2019'])",
    re.IGNORECASE,
)
_ATTRIBUTED_BLOCK = re.compile(
    rf"(?:^|\n)(?:{_ATTRIBUTION})[ \t]*\n(?P<body>[^\n]+(?:\n[^\n]+)*?)(?=\n[ \t]*\n|$)",
    re.IGNORECASE,
)
_QUOTATION = re.compile(
    r"[\"\u201c\u2018](?P<body>[^\"\u201c\u201d\u2018\u2019\n]{12,400})"
    r"[\"\u201d\u2019]"
)
# "... wrote:", "Quoting Sam", "Originally posted by Sam"
_MAY_ATTRIBUTE = re.compile(r"(?:wrote|said|says|posted)\s*:|quot|posted by", re.IGNORECASE)


# Every match of _MAY_ATTRIBUTE holds quot, wrote, said, says or posted in lower case, unless
# it is spelt with one of the three non-ASCII letters its case-insensitive "s" and "i" match.
_ODD_CASE = re.compile("[\u017f\u0130\u0131]")


def _may_attribute(text: str) -> bool:
    """``_MAY_ATTRIBUTE.search(text)``, with substring checks first: the pattern has no literal
    prefix, so the search tries every position (measured: ~16 us a comment)."""
    lowered = text.lower()
    if not (
        "quot" in lowered
        or "wrote" in lowered
        or "said" in lowered
        or "says" in lowered
        or "posted" in lowered
    ):
        if text.isascii() or _ODD_CASE.search(text) is None:
            return False
    return _MAY_ATTRIBUTE.search(text) is not None


def marked_quotes(text: str) -> list[QuoteSpan]:
    """The spans of ``text`` it marks as quoted itself (``>`` lines, ``Name wrote: "..."``, a
    ``Name wrote:`` line followed by the quoted paragraph)."""
    spans = []
    if ">" in text or "&gt;" in text:
        spans = [
            QuoteSpan(m.start(), m.end(), MARKED)
            for m in _QUOTE_LINE.finditer(text)
            if m.group().strip(" \t>&gt;")
        ]
    if _may_attribute(text):
        for pattern in (_ATTRIBUTED_INLINE, _ATTRIBUTED_BLOCK):
            spans += [
                QuoteSpan(m.start("body"), m.end("body"), MARKED) for m in pattern.finditer(text)
            ]
    return merge_spans(spans) if spans else spans


def merge_spans(spans: list[QuoteSpan]) -> list[QuoteSpan]:
    """Spans in order, overlapping ones joined (the first one's source kept)."""
    merged: list[QuoteSpan] = []
    for span in sorted(spans, key=lambda q: (q.start, -q.end)):
        if merged and span.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = QuoteSpan(last.start, max(last.end, span.end), last.source)
        else:
            merged.append(span)
    return merged


def _squeezed(text: str) -> str:
    return " ".join(_fold(text).lower().split())


def _has_own_words(text: str, spans: list[QuoteSpan]) -> bool:
    """A comment that is nothing but a repeat is a repost, not a quote: scoring must see it."""
    cursor = 0
    for span in spans:
        if any(ch.isalnum() for ch in text[cursor : span.start]):
            return True
        cursor = span.end
    return any(ch.isalnum() for ch in text[cursor:])
