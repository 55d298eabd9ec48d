"""The languages comments are written in: which one a comment is in (``detect``) and the
word lists each language's model is built with (``lexicons``).

Codes are ISO 639-1 (``en``, ``de``, ``pt``, ``fr``, ``es``), as py3langid and Perspective's
``languages`` use them; ``und`` (ISO 639-2's "undetermined") is a text that gives nothing to go
on (no words, only a link or an emoji).
"""

from __future__ import annotations

UNDETERMINED = "und"
ENGLISH = "en"

# the languages this project ships a model for, or has public training data for
NAMES = {
    "en": "English",
    "de": "German",
    "pt": "Portuguese",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "nl": "Dutch",
    "pl": "Polish",
    UNDETERMINED: "undetermined",
}


def language_name(code: str) -> str:
    """``de`` -> ``German``; a code without a name here is returned as it is."""
    return NAMES.get(code, code)
