"""Page text dumps: the two seeds, the samples, and layouts of the same family."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from moderation.formats.page_text import parse_page

from fixtures.files import SAMPLES, read_all


def page(text: str):
    return parse_page(textwrap.dedent(text), "p")


def test_first_seed_has_nine_comments_in_three_conversations(seeds):
    threads, comments, report = read_all(seeds / "000_1267603fcf74625e.txt")
    assert [t.title for t in threads] == ["If We Fail Aleppo It Will Fuel ISIL Terror"]
    assert threads[0].declared_comments == 10
    assert len(comments) == 9
    assert any("10 comments, 9 were found" in w for w in report.warnings)
    assert [c.depth for c in comments] == [0, 1, 2, 0, 0, 1, 0, 0, 1]
    by_id = {c.id: c for c in comments}
    for c in comments:
        if c.parent_id is not None:
            assert by_id[c.parent_id].depth == c.depth - 1
    assert max(c.depth for c in comments) == 2
    conversations = [
        c for c in comments if c.depth == 0 and any(o.parent_id == c.id for o in comments)
    ]
    assert len(conversations) == 3
    assert [(c.author, c.created_at) for c in comments if c.author] == [
        ("Peter Kennedy", "2016-07-29T18:59"),
        ("Arnold Layne", "2016-07-30T01:11"),
        ("mahatmacoatmabag", "2016-07-30T18:25"),
        ("Hamish de Bretton-Gordon", "2016-07-30T10:59"),
    ]
    assert comments[0].text.startswith("Surrender or starvation")
    assert comments[0].text.endswith("Slovenia?.")
    assert "Reply" not in " ".join(c.text for c in comments)


def test_first_seed_quotes(seeds):
    _, comments, _ = read_all(seeds / "000_1267603fcf74625e.txt")
    quoting = [c for c in comments if c.quotes]
    assert len(quoting) == 4
    sources = sorted(q.source for c in quoting for q in c.quotes)
    assert sources == ["article", "article", "parent", "parent"]
    reply = comments[1]
    quoted = reply.text[reply.quotes[0].start : reply.quotes[0].end]
    assert quoted.startswith("\u2018Surrender") and quoted.endswith("offered?\u2019")
    assert reply.unquoted_text().startswith("In 1977")


def test_second_seed_is_an_article_without_comments(seeds):
    threads, comments, report = read_all(seeds / "001_0eb9514648d2cdaa.txt")
    assert comments == []
    (thread,) = threads
    assert thread.title.startswith("After failing Aleppo, will the international community")
    assert thread.published == "2016-12-13T22:10"
    assert thread.author == "Alexandra Tohme"
    assert thread.declared_comments is None
    assert thread.article.startswith("Members of government military police")
    assert "By Alexandra Tohme" not in thread.article
    assert report.warnings == []


def test_sample_pages_parse_with_authors_dates_and_nesting():
    _, comments, _ = read_all(SAMPLES / "article-page.txt")
    assert [c.depth for c in comments] == [0, 1, 2, 0, 0, 0, 1]
    assert comments[2].quotes[0].source == "parent"
    assert comments[4].quotes[0].source == "article"
    threads, comments, _ = read_all(SAMPLES / "blog-page.txt")
    assert threads[0].title == "Ten Years of the Harbour Book Swap"
    assert threads[0].author == "Lena Marsh"
    assert threads[0].published == "2024-06-02T00:00"
    assert [(c.author, c.depth) for c in comments] == [
        ("Owen Ferris", 0),
        ("Lena Marsh", 1),
        ("Owen Ferris", 2),
        ("Petra Lind", 0),
        ("Sam Okoye", 0),
    ]
    assert comments[1].created_at == "2024-06-02T19:01"


def test_author_then_date_line_layout():
    thread = page("""\
        Title of a post

        Some article text that is long enough to be an article paragraph, really it is.

        Comments (2)

        Jo Bloggs »
        July 29, 2016 at 6:59 pm
        First!

        Al Smith »
        30 July 2016
        Second comment here.
        """)
    assert thread.declared_comments == 2
    assert [(c.author, c.created_at, c.text) for c in thread.comments] == [
        ("Jo Bloggs", "2016-07-29T18:59", "First!"),
        ("Al Smith", "2016-07-30T00:00", "Second comment here."),
    ]


def test_responses_header_with_numbered_replies_and_lists_inside_comments():
    thread = page("""\
        3 Responses to "A Post"

          1. Kim | March 3, 2020 at 10:00 am | Reply
             My two points:
             1. the bus is late
             2. the bus is full
          2. Lee | March 3, 2020 at 11:00 am | Reply
             Agreed.
        """)
    assert thread.title == "A Post"
    assert len(thread.comments) == 2
    assert "1. the bus is late" in thread.comments[0].text


def test_a_page_without_a_comment_header_has_no_comments():
    thread = page("""\
        A headline

        By Sam Writer

        The article mentions that comments are welcome at the town hall.

          • A bulleted point in the article
          • Another point

        Readers can leave comments below, we ask that you keep it civil.
        """)
    assert thread.comments == []
    assert thread.author == "Sam Writer"


def test_lone_comments_word_needs_comments_after_it():
    thread = page("""\
        Headline

        Comments

        are something we read with care.
        """)
    assert thread.comments == []
    assert thread.declared_comments is None


def test_reply_form_ends_the_section():
    thread = page("""\
        2 comments

          1. Ann | 1 May 2021 | Reply
             Hello there.

        Leave a Reply
        Name
        Email
        """)
    assert [c.text for c in thread.comments] == ["Hello there."]


LAYOUTS = Path(__file__).parents[1] / "fixtures" / "pages"
sys.path.insert(0, str(LAYOUTS))
from expected_layouts import E as EXPECTED_LAYOUTS  # noqa: E402


@pytest.mark.parametrize("name", sorted(EXPECTED_LAYOUTS))
def test_common_blog_layouts(name):
    """Invented pages in fifteen layout families (WordPress themes, Blogger, Disqus, Substack,
    Medium, forum, lynx, Facebook plugin...), each with its expected parse."""
    expected = EXPECTED_LAYOUTS[name]
    thread = parse_page((LAYOUTS / name).read_text(encoding="utf-8"), name[:2])
    assert thread.title == expected["title"]
    assert thread.declared_comments == expected["declared"]
    got = [(c.author, c.depth, c.created_at) for c in thread.comments]
    assert got == [e[:3] for e in expected["comments"]]
    for comment, (*_, prefix) in zip(thread.comments, expected["comments"]):
        assert comment.text.startswith(prefix)
    by_id = {c.id: c for c in thread.comments}
    for comment in thread.comments:
        if comment.parent_id is not None:
            assert by_id[comment.parent_id].depth == comment.depth - 1
