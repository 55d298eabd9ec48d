"""Comment HTML as text (formats/html_text.py): tags out, entities decoded, paragraphs kept."""

from __future__ import annotations

from moderation.formats.html_text import html_to_text


def test_tags_go_entities_decode_and_paragraphs_stay():
    html = "<p>First &amp; <b>bold</b></p><p>Second<br>line</p>"
    assert html_to_text(html) == "First & bold\n\nSecond\nline"


def test_scripts_and_styles_are_not_text():
    html = "<p>Hello</p><script>alert('x')</script><style>p{color:red}</style>"
    assert "alert" not in html_to_text(html) and "color" not in html_to_text(html)


def test_plain_text_is_only_trimmed():
    assert html_to_text("  no markup here  ") == "no markup here"
