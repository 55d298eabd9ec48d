"""A saved page's tree: its text as a browser shows it, the words of class names and ids, and
the walks over the tree."""

from __future__ import annotations

import pytest

from moderation.formats.page_html.dom import (
    MAX_DEPTH,
    NestingError,
    ancestors,
    class_words,
    contains,
    elements,
    hidden,
    inline_text,
    named_as,
    parse,
    render,
    tidy,
    token_words,
)


def first(markup: str, selector: str):
    return parse(markup).css_first(selector)


def test_render_puts_blocks_on_lines_and_leaves_out_scripts_hidden_elements_and_buttons():
    div = first(
        "<div><p>One <b>two</b><br>three</p><script>x()</script>"
        '<p style="display:none">hidden</p><p hidden>gone</p><button>Reply</button></div>',
        "div",
    )
    assert render(div) == "One two\nthree"
    assert render(div, controls=True) == "One two\nthree\n\nReply"


def test_render_keeps_an_emoji_image_s_alt_text_but_not_a_photo_s():
    div = first('<div><p>Nice <img alt="🙂"> <img alt="photo of a bus"></p></div>', "div")
    assert render(div) == "Nice 🙂"


def test_render_skips_the_elements_asked_for_with_their_content():
    markup = "<div><p>keep</p><blockquote><p>quoted</p></blockquote><p>also</p></div>"
    tree = parse(markup)
    quote = tree.css_first("blockquote")
    assert render(tree.css_first("div"), skip=[quote.mem_id]) == "keep\n\nalso"


def test_list_items_in_a_row_are_on_consecutive_lines():
    assert render(first("<ul><li>a</li><li>b</li></ul>", "ul")) == "a\nb"


def test_inline_text_is_one_line_and_tidy_makes_blank_runs_one():
    assert inline_text(first("<div><p>Ann</p>\n<p>Lee</p></div>", "div")) == "Ann Lee"
    assert tidy("  a  \n\n\n\n b \n") == "a\n\nb"


def test_class_and_id_words_split_at_dashes_and_case_without_numbers():
    div = first('<div id="comment-12" class="commentAuthor ds-text-right"></div>', "div")
    assert token_words(div)[0] == ("commentauthor", ("comment", "author"))
    assert {"comment", "author", "ds", "text", "right", "commentauthor"} <= class_words(div)
    assert not any(any(ch.isdigit() for ch in word) for word in class_words(div))


def test_named_as_goes_by_a_whole_token_or_its_last_word():
    div = first('<div class="comment-author ds-text-right"></div>', "div")
    assert named_as(div, frozenset({"author"}))
    assert named_as(div, frozenset({"right"}))
    assert not named_as(div, frozenset({"text"}))  # a middle word says nothing


def test_hidden_elements():
    assert hidden(first('<p style="visibility: hidden">x</p>', "p"))
    assert hidden(first("<p hidden>x</p>", "p"))
    assert not hidden(first('<p style="color: red">x</p>', "p"))


def test_walks_over_the_tree():
    tree = parse("<div><p>One <b>two</b></p><span>three</span></div>")
    div, bold = tree.css_first("div"), tree.css_first("b")
    assert [e.tag for e in elements(div)] == ["p", "b", "span"]
    assert [a.tag for a in ancestors(bold)][:3] == ["p", "div", "body"]
    assert [a.tag for a in ancestors(bold, limit=1)] == ["p"]
    assert contains(div, bold) and not contains(bold, div)


def test_blocks_nested_too_deep_are_refused_with_their_line_and_closing_tags_do_not_count():
    with pytest.raises(NestingError) as refused:
        parse("<p>\n" + "<div>" * (MAX_DEPTH + 1))
    assert refused.value.line == 2
    assert parse("</div>" * (MAX_DEPTH + 10) + "<div>x</div>").css_first("div") is not None
