"""Text normalisation shared by training and scoring.

The model sees comments from many platforms. Each leaves marks that say where a text came from
and nothing about what it says: Twitter's ``RT @name:`` and ``@USER``/``URL`` placeholders, HTML
entities, markup, pre-tokenised punctuation (``do n't``), stretched words (``sooooo``) and
obfuscated words (``f*ck``, ``1d10t``, zero-width characters). A bag-of-n-grams model learns those
marks as readily as words, and then recognises the *source* instead of the label. ``normalize``
removes them, so the same comment gets the same features wherever it was posted.

The function is pure and fast; ``normalize_many`` is what the pipeline calls on a batch.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable

# Characters that render as nothing and are used to break up words.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061"
                                    "\u2062\u2063\u2064\ufeff"), None)
# Curly quotes and dashes to their plain forms, so "don’t" and "don't" are one word.
_PLAIN = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u2032": "'",
                        "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})

_MARKUP = re.compile(r"<[a-zA-Z/!][^<>]{0,200}>")
# "RT @name:", also glued to an emoji or quote and with the name missing
_RETWEET = re.compile(r"(?<![a-z0-9])rt\b\s*(?:@\w+)?:?", re.IGNORECASE)
# "@name", "@USER@USER", "@name:"; not the masked "@ss"
_MENTION = re.compile(r"(?<![\w])(?:(?:@(?!ss(?:hole)?\b)\w+)+:?|/?u/[\w-]{3,})")
_URL_WORD = re.compile(r"(?<![\w])url(?![\w])", re.IGNORECASE)
_LINK = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|org|net|co\.uk|ly|be)/\S*",
                   re.IGNORECASE)
_HASHTAG = re.compile(r"#(\w+)")
# "do n't", "is n't", "it 's", "word ," (pre-tokenised sentences) back to written form.
_SPLIT_CLITIC = re.compile(r"(\w) (n't|'s|'re|'ve|'ll|'d|'m)\b", re.IGNORECASE)
_SPACE_PUNCT = re.compile(r" +([,.;:!?)\]}])|([(\[{]) +")
_STRETCHED = re.compile(r"(\w)\1{2,}")
_REPEATED_PUNCT = re.compile(r"([!?.,*])\1+")
# cheap searches that skip a substitution when it cannot apply (most comments)
_MAY_STRETCH = re.compile(r"(\w)\1\1")
_MAY_MASK = re.compile(r"[a-z][*#%_.]")
_MAY_LEET = re.compile(r"[0134579@$!|]")

# Obfuscation: a word with letters and look-alike digits or symbols inside it ("1d10t", "sh!t",
# "b1tch", "@ss"). Only tokens that mix letters with such characters are rewritten, so plain
# numbers ("2020", "50%") and e-mail-like strings keep their meaning.
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
                       "$": "s", "!": "i", "|": "i"})
_LEET_WORD = re.compile(r"(?<![\w@$!|*])[a-z0-9@$!|]*[0134579@$!|][a-z0-9@$!|]*")
_LEET_CHARS = frozenset("0134579@$!|")
_TRAILING = "!|$"
# Masked words ("f*ck", "sh*t", "f**k", "b!tch" is handled above): a mask of one or more
# asterisks or dots between letters. The letters around it pick the word from a short list of
# the words people mask; the list holds words that are masked, not a judgement of abuse.
_MASKED = re.compile(r"(?<![\w*])([a-z]+)([*#%_.]{1,3})([a-z]*)(?![\w*])")
_MASKABLE = ("fuck", "fucking", "fucked", "fucker", "shit", "bitch", "bitches", "cunt", "dick",
             "asshole", "bastard", "damn", "crap", "piss", "slut", "whore", "idiot", "retard",
             "moron", "nigger", "nigga", "faggot", "fag", "hell", "ass", "cock", "twat", "wank",
             "wanker", "prick")
_MASK_INDEX: dict[tuple[str, str, int], str] = {}
for _word in _MASKABLE:
    for _start in range(1, len(_word)):
        for _end in range(_start + 1, len(_word) + 1):
            _MASK_INDEX.setdefault((_word[:_start], _word[_end:], _end - _start), _word)


def _unmask(match: re.Match[str]) -> str:
    head, mask, tail = match.group(1), match.group(2), match.group(3)
    if mask == "." and tail:            # "e.g" "u.s" and sentence ends are not masks
        return match.group(0)
    for width in (len(mask), 1, 2, 3):
        word = _MASK_INDEX.get((head, tail, width))
        if word is not None:
            return word
    return match.group(0)


def _unleet(match: re.Match[str]) -> str:
    token = match.group(0)
    core = token.rstrip(_TRAILING)            # "stupid!!" is a word and an exclamation mark
    if not core or core.isdigit() or not any(c.isalpha() for c in core):
        return token
    digits_at_edge = core.strip("0123456789")
    if digits_at_edge.isalpha():              # "2nd", "covid19", "4chan": a number and a word
        return token
    if not _LEET_CHARS.intersection(core):
        return token
    return core.translate(_LEET) + token[len(core):]


def _joined_punctuation(match: re.Match[str]) -> str:
    return match.group(1) or match.group(2)


def normalize(text: str) -> str:
    """One comment's text in the form features are built from (lower case, one space between
    words, platform marks removed)."""
    if "&" in text:
        text = html.unescape(html.unescape(text))      # "&amp;amp;" is common in tweets
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).translate(_PLAIN)
    if "<" in text:
        text = _MARKUP.sub(" ", text)
    text = text.lower()
    if "rt" in text:
        text = _RETWEET.sub(" ", text)
    if "@" in text or "u/" in text:
        text = _MENTION.sub(" ", text)
    if "/" in text or "www" in text:
        text = _LINK.sub(" ", text)
    if "url" in text:
        text = _URL_WORD.sub(" ", text)
    if "#" in text:
        text = _HASHTAG.sub(r" \1 ", text)
    if " " in text:
        if " '" in text or " n'" in text:
            text = _SPLIT_CLITIC.sub(r"\1\2", text)
        text = _SPACE_PUNCT.sub(_joined_punctuation, text)
    if _MAY_STRETCH.search(text):
        text = _STRETCHED.sub(r"\1\1", text)
    text = _REPEATED_PUNCT.sub(r"\1", text)
    if _MAY_MASK.search(text):
        text = _MASKED.sub(_unmask, text)
    if _MAY_LEET.search(text):
        text = _LEET_WORD.sub(_unleet, text)
    if '"' in text:                                     # quoted retweets wrap whole texts
        text = text.replace('"', " ")
    return " ".join(text.split())


def normalize_many(texts: Iterable[str], max_chars: int | None = None) -> list[str]:
    """``normalize`` over a batch (what the pipeline's first step calls). With ``max_chars``,
    only that prefix of each text is read, so a 10 MB comment costs what a long one does."""
    if max_chars is None:
        return [normalize(text) for text in texts]
    return [normalize(text[:max_chars]) for text in texts]
