"""HTML fragments (comment bodies in WordPress and Disqus exports) as plain text."""

from __future__ import annotations

import html
import re

_DROP = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.I | re.S)
_LINE_BREAK = re.compile(r"<br\s*/?>", re.I)
_BLOCK = re.compile(r"</?(?:p|div|blockquote|li|ul|ol|h[1-6]|pre|tr|table)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]{0,2000}>")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANKS = re.compile(r"\n\s*\n\s*(?:\n\s*)+")


def html_to_text(fragment: str) -> str:
    """Tags removed, entities decoded, paragraphs kept as blank lines."""
    if "<" not in fragment and "&" not in fragment:
        return fragment.strip()
    text = _DROP.sub("", fragment)
    text = _LINE_BREAK.sub("\n", text)
    text = _BLOCK.sub("\n\n", text)
    text = _TAG.sub("", text)
    text = html.unescape(text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANKS.sub("\n\n", text).strip()
