"""Text normalisation shared by training and scoring.

The model sees comments from many platforms. Each leaves marks that say where a text came from
and nothing about what it says: Twitter's ``RT @name:`` and ``@USER``/``URL`` placeholders, HTML
entities, markup, pre-tokenised punctuation (``do n't``), stretched words (``sooooo``) and
obfuscated words (``f*ck``, ``1d10t``, zero-width characters). A bag-of-n-grams model learns those
marks as readily as words, and then recognises the *source* instead of the label. ``normalize``
removes them, so the same comment gets the same features wherever it was posted.

Almost every step looks at one whitespace-separated piece of text at a time, so ``normalize``
splits a comment into pieces and normalises each distinct piece once (a bounded cache): comments
repeat their words, and the cost per comment becomes a split, a few dictionary lookups and a
join. Only entities, markup and pre-tokenised clitics (``do n't``) are handled on the whole
text first (``prepare``). The scorer (``moderation.model.scorer``) reads the same pieces, so
training and scoring see the same features.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from itertools import compress
from typing import Protocol, TypeVar

from moderation.cues import mark_cues
from moderation.lexicons import NEGATORS, STOP_WORDS

# Characters that render as nothing and are used to break up words.
_INVISIBLE = dict.fromkeys(
    map(ord, "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"), None
)
# Curly quotes and dashes to their plain forms, so "don’t" and "don't" are one word.
_PLAIN = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
    }
)

_MARKUP = re.compile(r"<[a-zA-Z/!][^<>]{0,200}>")
# "RT", also glued to an emoji or quote
_RETWEET = re.compile(r"(?<![a-z0-9])rt\b:?", re.IGNORECASE)
# Whole words that are platform marks: "RT" (a retweet; its "@name:" is a mention) and "URL"
# (OLID's placeholder for a link).
_DROPPED_WORDS = frozenset({"rt", "url"})
# "@name", "@USER@USER", "@name:"; not the masked "@ss"
_MENTION = re.compile(r"(?<![\w])(?:(?:@(?!ss(?:hole)?\b)\w+)+:?|/?u/[\w-]{3,})")
_URL_WORD = re.compile(r"(?<![\w])url(?![\w])", re.IGNORECASE)
_LINK = re.compile(
    r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|org|net|co\.uk|ly|be)/\S*", re.IGNORECASE
)
_HASHTAG = re.compile(r"#(\w+)")
# "do n't", "is n't", "it 's", "word ," (pre-tokenised sentences) back to written form.
_CLITIC = re.compile(r" (n['\u2019]t|['\u2019](?:s|re|ve|ll|d|m))\b", re.IGNORECASE)
_MAY_CLITIC = re.compile(r" n?['\u2019]", re.IGNORECASE)
_STRETCHED = re.compile(r"(\w)\1{2,}")
_REPEATED_PUNCT = re.compile(r"([!?.,*])\1+")
# cheap searches that skip a substitution when it cannot apply (most comments)
_MAY_STRETCH = re.compile(r"(\w)\1\1")
_MAY_MASK = re.compile(r"[a-z][*#%_.]")
_MAY_LEET = re.compile(r"[0134579@$!|]")

# Obfuscation: a word with letters and look-alike digits or symbols inside it ("1d10t", "sh!t",
# "b1tch", "@ss"). Only tokens that mix letters with such characters are rewritten, so plain
# numbers ("2020", "50%") and e-mail-like strings keep their meaning.
_LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "@": "a",
        "$": "s",
        "!": "i",
        "|": "i",
    }
)
_LEET_WORD = re.compile(r"(?<![\w@$!|*])[a-z0-9@$!|]*[0134579@$!|][a-z0-9@$!|]*")
_LEET_CHARS = frozenset("0134579@$!|")
_TRAILING = "!|$"
# Masked words ("f*ck", "sh*t", "f**k", "b!tch" is handled above): a mask of one or more
# asterisks or dots between letters. The letters around it pick the word from a short list of
# the words people mask; the list holds words that are masked, not a judgement of abuse.
_MASKED = re.compile(r"(?<![\w*])([a-z]+)([*#%_.]{1,3})([a-z]*)(?![\w*])")
_MASKABLE = (
    "fuck",
    "fucking",
    "fucked",
    "fucker",
    "shit",
    "bitch",
    "bitches",
    "cunt",
    "dick",
    "asshole",
    "bastard",
    "damn",
    "crap",
    "piss",
    "slut",
    "whore",
    "idiot",
    "retard",
    "moron",
    "nigger",
    "nigga",
    "faggot",
    "fag",
    "hell",
    "ass",
    "cock",
    "twat",
    "wank",
    "wanker",
    "prick",
)
_MASK_INDEX: dict[tuple[str, str, int], str] = {}
for _word in _MASKABLE:
    for _start in range(1, len(_word)):
        for _end in range(_start + 1, len(_word) + 1):
            _MASK_INDEX.setdefault((_word[:_start], _word[_end:], _end - _start), _word)


def _unmask(match: re.Match[str]) -> str:
    head, mask, tail = match.group(1), match.group(2), match.group(3)
    if set(mask) == {"."} and (len(mask) < 2 or not tail):
        return match.group(0)  # "e.g", "u.s", "plan a." and sentence ends are not masks
    for width in (len(mask), 1, 2, 3):
        word = _MASK_INDEX.get((head, tail, width))
        if word is not None:
            return word
    return match.group(0)


def _unleet(match: re.Match[str]) -> str:
    token = match.group(0)
    core = token.rstrip(_TRAILING)  # "stupid!!" is a word and an exclamation mark
    if not core or core.isdigit() or not any(c.isalpha() for c in core):
        return token
    digits_at_edge = core.strip("0123456789")
    if digits_at_edge.isalpha():  # "2nd", "covid19", "4chan": a number and a word
        return token
    if not _LEET_CHARS.intersection(core):
        return token
    return core.translate(_LEET) + token[len(core) :]


# Replacements as functions: a template string ("\\1\\1") is expanded in Python on every match.
def _first(match: re.Match[str]) -> str:
    return match.group(1)


def _twice(match: re.Match[str]) -> str:
    return match.group(1) * 2


def _spaced(match: re.Match[str]) -> str:
    return f" {match.group(1)} "


def normalize_word(chunk: str) -> str:
    """One whitespace-free piece of a comment in normalised form: lower case, platform marks
    and obfuscation removed. May be empty (a mention, a link) or hold several words (a hashtag
    split off its ``#``, NFKC forms that contain spaces)."""
    text = chunk
    if "&" in text:
        text = html.unescape(html.unescape(text))
    if _MAY_SPELL_IN_PIECE.search(text):
        text = _SPELLED_IN_PIECE.sub(_letters_joined, text)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).translate(_PLAIN)
        if not text.isascii():
            text = _symbols_as_words(text)
    text = text.lower()
    word = text.rstrip(",.!?;:")
    if word.isalpha() and word.isascii():  # most pieces: a word and its punctuation
        tail = text[len(word) :]
        if len(tail) > 1:
            tail = _REPEATED_PUNCT.sub(_first, tail)
        if word in _DROPPED_WORDS:
            return tail
        if len(word) > 2 and _MAY_STRETCH.search(word):
            word = _STRETCHED.sub(_twice, word)
        return word + tail
    if "rt" in text:
        text = _RETWEET.sub(" ", text)
    if "@" in text or "u/" in text:
        text = _MENTION.sub(" ", text)
    if "/" in text or "www" in text:
        text = _LINK.sub(" ", text)
    if "url" in text:
        text = _URL_WORD.sub(" ", text)
    if "#" in text:
        text = _HASHTAG.sub(_spaced, text)
    if _MAY_STRETCH.search(text):
        text = _STRETCHED.sub(_twice, text)
    text = _REPEATED_PUNCT.sub(_first, text)
    if _MAY_MASK.search(text):
        text = _MASKED.sub(_unmask, text)
    if _MAY_LEET.search(text):
        text = _LEET_WORD.sub(_unleet, text)
    if '"' in text:  # quoted retweets wrap whole texts
        text = text.replace('"', " ")
    return " ".join(text.split())


K = TypeVar("K")
V = TypeVar("V")


class BoundedCache(dict[K, V]):
    """``cache[key]`` computes ``make(key)`` on a miss and keeps it. Lookups run at C speed
    (``map(cache.__getitem__, keys)``); only misses call Python. The owner calls ``trim`` between
    batches, which empties a cache grown past ``limit`` so memory stays flat on any export."""

    def __init__(self, make: Callable[[K], V], limit: int):
        super().__init__()
        self.make = make
        self.limit = limit

    def __missing__(self, key: K) -> V:
        value = self[key] = self.make(key)
        return value

    def trim(self) -> None:
        if len(self) > self.limit:
            self.clear()


# Comments repeat words (Zipf's law), so each distinct piece is normalised once.
_WORDS = BoundedCache(normalize_word, limit=200_000)


def normalized_words(text: str, cues: tuple[str, ...] = ()) -> list[str]:
    """The normalised pieces of ``text``, one per whitespace-separated piece of the prepared
    text (empty strings for pieces that normalise to nothing)."""
    _WORDS.trim()
    return list(map(_WORDS.__getitem__, prepare(text, cues).split()))


def prepare(text: str, cues: tuple[str, ...] = ()) -> str:
    """The steps that look across white space: entities, markup, pre-tokenised clitics and
    words spelt out letter by letter (``i d i o t``); with ``cues``, those kinds of cue marked
    (``moderation.cues``: reported insults, threats, insults aimed at the reader). Everything
    else is done one piece at a time by ``normalize_word``."""
    if "&" in text:
        text = html.unescape(html.unescape(text))  # "&amp;amp;" is common in tweets
    if "<" in text:
        text = _MARKUP.sub(" ", text)
    if ("'" in text or "\u2019" in text) and _MAY_CLITIC.search(text):
        text = _CLITIC.sub(_clitic_joined, text)
    if _MAY_SPACED_OUT.search(text):
        text = _spaced_out_joined(text)
    if cues:
        text = mark_cues(text, cues)
    return text


def _clitic_joined(match: re.Match[str]) -> str:
    """ "do n't" -> "don't" (a clitic after a space, the space after a word character)."""
    before = match.start() - 1
    if before >= 0 and (match.string[before].isalnum() or match.string[before] == "_"):
        return match.group(1)
    return match.group(0)


# Words spelt out: four or more single letters with the same separator between them. Spaces
# ("i d i o t") are joined across the text; the others ("s.c.u.m", "m-o-r-o-n") stay inside
# one piece and are joined by ``normalize_word``.
_SPACED_OUT = re.compile(r"(?<![\w'])[A-Za-z] [A-Za-z](?: [A-Za-z](?![\w'])){2,}\.?")
_MAY_SPACED_OUT = re.compile(r" [A-Za-z] [A-Za-z] [A-Za-z]")  # starts with a space: fast
_LETTER_RUN = re.compile(r"(?: [A-Za-z])+\.?")
_SPELLED_IN_PIECE = re.compile(r"(?<![\w'])[A-Za-z]([.*_-])[A-Za-z](?:\1[A-Za-z](?![\w'])){2,}\.?")
_MAY_SPELL_IN_PIECE = re.compile(r"[.*_-][A-Za-z][.*_-][A-Za-z][.*_-][A-Za-z]")
_SEPARATORS = str.maketrans("", "", " .*_-")


def _letters_joined(match: re.Match[str]) -> str:
    return match.group(0).translate(_SEPARATORS)


def _spaced_out_joined(text: str) -> str:
    """``_SPACED_OUT.sub(_letters_joined, text)``, with the full pattern tried only where the
    fast one found three spaced letters (a whole batch is one string, so this matters)."""
    parts: list[str] = []
    done = at = 0
    while (found := _MAY_SPACED_OUT.search(text, at)) is not None:
        run_end = _LETTER_RUN.match(text, found.start()).end()  # type: ignore[union-attr]
        match = _SPACED_OUT.search(text, max(found.start() - 1, done), run_end + 1)
        if match is None:
            at = run_end
            continue
        parts += (text[done : match.start()], _letters_joined(match))
        done = at = match.end()
    return "".join(parts) + text[done:] if parts else text


# Emoji and other pictographs stand for words ("you 🤡", "🐀"): each becomes the words of its
# Unicode name ("clown face", "rat"); skin tones and variation selectors are dropped.
_SYMBOL_CATEGORIES = frozenset({"So"})
_SYMBOL_WORDS: dict[str, str] = {}


def _symbol_words(char: str) -> str:
    words = _SYMBOL_WORDS.get(char)
    if words is None:
        category = unicodedata.category(char)
        if category in _SYMBOL_CATEGORIES:
            name = unicodedata.name(char, "").lower()
            words = f" {name} " if name else " "
        elif category in ("Sk", "Mn", "Me", "Cf") and not char.isalnum():
            words = ""
        else:
            words = char
        _SYMBOL_WORDS[char] = words
    return words


def _symbols_as_words(text: str) -> str:
    return "".join(_symbol_words(char) if ord(char) > 0x2000 else char for char in text)


def normalize(text: str, negation: int = 0, cues: tuple[str, ...] = ()) -> str:
    """One comment's text in the form features are built from (lower case, one space between
    words, platform marks removed); with ``negation``, the words a negation turns around are
    marked (``mark_negation``); with ``cues``, those kinds of cue (``prepare``)."""
    words = normalized_words(text, cues)
    if negation:
        words = mark_negation(words, negation)
    return " ".join(filter(None, words))


def normalize_many(
    texts: Iterable[str],
    max_chars: int | None = None,
    negation: int = 0,
    cues: tuple[str, ...] = (),
) -> list[str]:
    """``normalize`` over a batch (what the pipeline's first step calls). With ``max_chars``,
    only that prefix of each text is read, so a 10 MB comment costs what a long one does."""
    if max_chars is None:
        return [normalize(text, negation, cues) for text in texts]
    return [normalize(text[:max_chars], negation, cues) for text in texts]


# --- negation -----------------------------------------------------------------------------------

NOT = "not_"
_CLAUSE_END = frozenset(".,!?;:")
_CORE_EDGES = ".,!?;:\"'()[]*-"


def mark_negation(pieces: list[str], window: int) -> list[str]:
    """Normalised pieces with the ``window`` words after a negation (``not``, ``never``,
    ``don't``, ``no``, ...) marked ``not_`` (``don't deserve respect`` -> ``don't not_deserve
    not_respect``), so "deserve respect" and "don't deserve respect" are different evidence.
    Stop words are passed over without being counted; a clause ends the scope."""
    scopes = negation_scopes(pieces, window)
    if not scopes:
        return pieces
    out = list(pieces)
    for i, piece in scopes.items():
        out[i] = piece
    return out


class Pieces(Protocol):
    """A text's normalised pieces as ``negation_scopes`` reads them: how many, each by
    position, all in order (a list, or forms worked out when read: ``moderation.model.scorer``)."""

    def __len__(self) -> int: ...
    def __getitem__(self, index: int, /) -> str: ...
    def __iter__(self) -> Iterator[str]: ...


def negation_scopes(
    pieces: Pieces,
    window: int,
    cues: list[int] | None = None,
    stops: Iterable[int] = (),
) -> dict[int, str]:
    """The pieces ``mark_negation`` changes, by position, marked. ``cues``: the positions of
    the negations, when the caller knows them; ``stops``: positions no scope goes past (where
    one text of a batch ends)."""
    if cues is None:
        _CUES.trim()
        cues = list(compress(range(len(pieces)), map(_CUES.__getitem__, pieces)))
    if not cues:
        return {}
    _MARKED.trim()
    scopes, last, cue_at = {}, len(pieces) - 1, set(cues).union(stops)
    for i in cues:
        if pieces[i][-1] in _CLAUSE_END:
            continue
        left = window
        while left and i < last:
            i += 1
            piece = pieces[i]
            if not piece:
                continue
            if i in cue_at:
                break  # the next negation opens its own scope
            marked, left = _MARKED[piece, left]
            scopes[i] = marked
            if piece[-1] in _CLAUSE_END:
                break
    return scopes


def _mark_piece(key: tuple[str, int]) -> tuple[str, int]:
    """A piece with up to ``left`` of its words marked, and how many marks are left."""
    piece, left = key
    marked = []
    for word in piece.split(" "):
        core = word.strip(_CORE_EDGES)
        if left and core and core not in STOP_WORDS and not core.startswith(NOT):
            word = word.replace(core, NOT + core, 1)
            left -= 1
        marked.append(word)
    return " ".join(marked), left


def _is_cue(piece: str) -> bool:
    """Whether a normalised piece is (or holds) a negation."""
    if not piece:
        return False
    if "n't" in piece:
        return True
    if " " in piece:
        return any(word.strip(_CORE_EDGES) in NEGATORS for word in piece.split(" "))
    return piece.strip(_CORE_EDGES) in NEGATORS


def is_cue(piece: str) -> bool:
    """Whether a normalised piece is (or holds) a negation, remembered per piece."""
    return _CUES[piece]


_CUES = BoundedCache(_is_cue, limit=200_000)
_MARKED = BoundedCache(_mark_piece, limit=200_000)
