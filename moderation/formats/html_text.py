"""HTML fragments (comment bodies in WordPress and Disqus exports) as plain text."""

from __future__ import annotations

import html
import re

_DROP_OPEN = re.compile(r"<(script|style)\b", re.I)
_LINE_BREAK = re.compile(r"<br\s*/?>", re.I)
_BLOCK = re.compile(r"</?(?:p|div|blockquote|li|ul|ol|h[1-6]|pre|tr|table)\b[^<>]*>", re.I)
_CLOSE = {
    "script": re.compile(r"</script\s*>", re.I),
    "style": re.compile(r"</style\s*>", re.I),
}
_TAG = re.compile(r"<[^<>]*>")  # a tag never holds "<": each character is looked at once
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANKS = re.compile(r"\n\s*\n\s*(?:\n\s*)+")


def html_to_text(fragment: str) -> str:
    """Tags removed, entities decoded, paragraphs kept as blank lines."""
    if "<" not in fragment and "&" not in fragment:
        return fragment.strip()
    text = _without_scripts(fragment)
    text = _LINE_BREAK.sub("\n", text)
    text = _BLOCK.sub("\n\n", text)
    text = _TAG.sub("", text)
    text = html.unescape(text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANKS.sub("\n\n", text).strip()


def _without_scripts(fragment: str) -> str:
    """``<script>...</script>`` and ``<style>...</style>`` removed, in one pass (a regular
    expression with a lazy ``.*?`` to the closing tag is quadratic on many unclosed ones). An
    element that is never closed is left for ``_TAG`` to strip, as are all after it."""
    pieces, cursor = [], 0
    for match in _DROP_OPEN.finditer(fragment):
        if match.start() < cursor:
            continue
        close = _CLOSE[match.group(1).lower()].search(fragment, match.end())
        if close is None:
            break  # no closing tag after this one: none after the later ones either
        pieces.append(fragment[cursor : match.start()])
        cursor = close.end()
    pieces.append(fragment[cursor:])
    return "".join(pieces)
