"""Scripts written without spaces between words (Japanese, Chinese, Korean's dates and counts):
what the line shapes measure in words, they measure here in characters.

A Japanese sentence is one "word" to ``str.split``; a name has no capital letter. These helpers
let the shape checks ask the same questions of every script: how long is this line in words,
is it a sentence, could it be a name.
"""

from __future__ import annotations

import re

# Kana, CJK ideographs (and their extensions and compatibility forms), Hangul syllables.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")
SENTENCE_END = "。！？!?…"
_CJK_PUNCTUATION = re.compile(r"[。、！？「」『』（）《》〈〉：；，]")
CHARACTERS_PER_WORD = 2  # a Japanese or Chinese word is about two characters long


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


def word_count(text: str) -> int:
    """Words in a line: spaced words, with a run of CJK characters counted at about two
    characters a word (Korean is spaced, its syllables count once per spaced word)."""
    words = len(text.split())
    if not has_cjk(text):
        return words
    for run in _CJK_RUN.findall(text):
        if not ("\uac00" <= run[0] <= "\ud7af"):  # Hangul is written with spaces
            words += max(0, len(run) // CHARACTERS_PER_WORD - 1)
    return words


def cjk_sentence(text: str) -> bool:
    """A line of CJK prose: it has CJK punctuation or ends like a sentence."""
    return has_cjk(text) and (
        text.rstrip()[-1:] in SENTENCE_END or _CJK_PUNCTUATION.search(text) is not None
    )


def cjk_name(text: str) -> bool:
    """A short CJK line that could be a display name (山田花子, 김민지, 王小明): up to twelve
    characters, no punctuation, not a sentence."""
    t = text.strip()
    return (
        0 < len(t) <= 12
        and has_cjk(t)
        and len(t.split()) <= 3
        and _CJK_PUNCTUATION.search(t) is None
        and t[-1] not in SENTENCE_END
        and not any(ch.isdigit() for ch in t)
    )
