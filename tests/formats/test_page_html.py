"""Saved HTML pages read from their structure: declared comment systems, schema.org, the page's
own repeated layout, forums' opening posts, quotes, counts, dates and hostile markup."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moderation.cli import app
from moderation.errors import HostileInputError, InputError
from moderation.formats.page_html import read_html_page

from fixtures.files import SAMPLES, read_all


def page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


def test_the_sample_blog_page_reads_title_byline_count_and_nested_comments():
    threads, comments, report = read_all(SAMPLES / "blog-page.html")
    assert report.format == "html"
    thread = threads[0]
    assert thread.title == "New bus timetable for the valley villages"
    assert thread.author == "Nell Ashby"
    assert thread.published == "2024-03-11T08:30"
    assert thread.declared_comments == 3
    assert thread.article.startswith("From April the 14 bus")
    assert [(c.author, c.depth, c.created_at) for c in comments] == [
        ("Ravi Tamm", 0, "2024-03-11T09:02"),
        ("Nell Ashby", 1, "2024-03-11T10:15"),
        ("Ilse Brandt", 0, "2024-03-12T18:40"),
    ]
    assert comments[1].parent_id == comments[0].id
    assert comments[0].text == (
        "Finally a late bus. I have been asking for one for years :)\n\n"
        "Will it stop at the station?"
    )
    assert not any("Reply" in c.text or "says:" in c.text for c in comments)
    assert report.warnings == []


def test_parse_command_takes_an_html_page(tmp_path, runner):
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["parse", str(SAMPLES / "blog-page.html"), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3


FORUM_POST = """
<div id="p{n}" class="post bg{k}"><div class="inner"><div class="postbody">
<h3><a href="#p{n}">Re: Allotment waiting list</a></h3>
<p class="author">by <strong><a href="./memberlist.php?mode=viewprofile&u={n}">{who}</a></strong>
 &raquo; Mon Mar 11, 2024 {at}</p>
<div class="content">{text}</div>
<div class="signature">Grow your own</div></div></div></div>
"""


def forum_page(posts: list[tuple[str, str, str]], pagination: str = "") -> str:
    body = "<h2>Allotment waiting list</h2>" + pagination
    for n, (who, at, text) in enumerate(posts, 1):
        body += FORUM_POST.format(n=n, k=n % 2 + 1, who=who, at=at, text=text)
    return page(body, "<title>Garden forum &bull; Allotment waiting list</title>")


def test_a_forum_threads_opening_post_is_read_as_a_comment_and_gives_the_threads_author():
    html = forum_page(
        [
            ("Moss", "7:02 pm", "How long did everyone wait for a plot?"),
            ("Fenwick", "7:30 pm", "Three years here."),
            ("Tula", "8:01 pm", "<blockquote><cite>Fenwick wrote:</cite> Three years</blockquote>"
             "Four for me."),
        ]
    )  # fmt: skip
    thread, _ = read_html_page(html, "forum")
    assert thread.title == "Allotment waiting list"
    assert thread.author == "Moss"
    assert thread.article is None
    opening, *replies = thread.comments
    assert opening.extra == {"opening_post": True}
    assert opening.id == "forum/0"
    assert opening.text == "How long did everyone wait for a plot?"
    assert [(c.author, c.depth, c.parent_id) for c in replies] == [
        ("Fenwick", 0, None),
        ("Tula", 0, None),
    ]
    assert replies[1].text == "Four for me."  # the quote is set apart, the signature dropped
    assert replies[1].extra["quoted"] == ["Fenwick wrote: Three years"]
    assert replies[0].created_at == "2024-03-11T19:30"


def test_on_a_later_page_of_a_thread_every_post_is_a_reply():
    pagination = '<div class="pagination">Page <strong>2</strong> of <strong>5</strong></div>'
    html = forum_page([("Moss", "7:02 pm", "Still waiting."), ("Tula", "8:01 pm", "Same.")],
                      pagination)  # fmt: skip
    thread, _ = read_html_page(html, "forum")
    assert [c.extra.get("opening_post") for c in thread.comments] == [None, None]
    assert thread.author is None


def test_a_layout_no_declaration_knows_is_inferred_from_what_repeats():
    comment = (
        '<div class="reader-note"><p class="noteAuthor">{who}</p>'
        '<p class="noteDate">{day}. März 2024</p><p class="noteText">{text}</p>'
        '<span class="like-count">3</span></div>'
    )
    body = '<h1>Neue Buslinie</h1><div class="article-body"><p>Ab April fährt die 14.</p></div>'
    body += "<h3>Leserbriefe (2)</h3>"
    body += comment.format(who="Jana Vogt", day=11, text="Endlich!")
    body += comment.format(who="Olaf Kern", day=12, text="Zu spät für uns.")
    thread, _ = read_html_page(page(body), "custom")
    assert [(c.author, c.created_at, c.text) for c in thread.comments] == [
        ("Jana Vogt", "2024-03-11T00:00", "Endlich!"),
        ("Olaf Kern", "2024-03-12T00:00", "Zu spät für uns."),
    ]
    assert thread.declared_comments == 2
    assert thread.title == "Neue Buslinie"


def test_a_weak_name_class_a_profile_host_and_a_loose_date_are_enough_to_infer_a_layout():
    comment = (
        '<section class="note" id="n{n}"><h4 class="note-meta__name">'
        '<a href="https://profile.example.org/{n}">{who}</a></h4>'
        '<div class="note-meta">#{n} &raquo; {day}.03.2024, 18:0{n}</div>'
        '<div class="note__words"><p>{text}</p></div></section>'
    )
    body = "<h1>Wochenmarkt</h1><p>Der Markt zieht um.</p>"
    body += comment.format(n=1, who="Jana Vogt", day=11, text="Endlich mehr Platz.")
    body += comment.format(n=2, who="Olaf Kern", day=12, text="Und wo parken wir?")
    thread, _ = read_html_page(page(body), "custom")
    assert [(c.author, c.created_at) for c in thread.comments] == [
        ("Jana Vogt", "2024-03-11T18:01"),
        ("Olaf Kern", "2024-03-12T18:02"),
    ]
    assert thread.comments[1].text.endswith("Und wo parken wir?")


def test_the_inferred_layout_wins_over_a_declaration_that_reads_a_page_it_does_not_fit():
    # "div.content" is phpBB's post body too; one stray match must not stand for the comments
    comment = (
        '<div class="remark"><span class="remark-author">{who}</span>'
        '<time datetime="2024-03-{day}T09:30">{day} March</time><p>{text}</p></div>'
    )
    body = '<div class="post bg1" id="p1"><div class="content">Site news</div></div>'
    body += "".join(
        comment.format(who=who, day=day, text=text)
        for who, day, text in (
            ("Ann Lee", 11, "Good to know."),
            ("Bo Dahl", 12, "Thanks for the update."),
            ("Cy Ortiz", 13, "Is the car park open?"),
        )
    )
    thread, _ = read_html_page(page(body), "custom")
    assert [c.author for c in thread.comments] == ["Ann Lee", "Bo Dahl", "Cy Ortiz"]


def test_an_aria_feed_of_comment_articles_is_read_without_any_class_name():
    entry = (
        '<article role="article" aria-labelledby="w{k}" class="q1"><header class="q2">'
        '<strong id="w{k}">{who}</strong> <span class="q3">{day} mars 2024 à 19:0{k}</span>'
        '</header><div class="q4"><p>{text}</p></div><footer><button>Répondre</button>'
        "</footer>{inner}</article>"
    )
    reply = entry.format(k=2, who="Hervé", day=11, text="Moi aussi.", inner="")
    body = "<h1>Le marché rouvre</h1><p>Trente étals et un café.</p><h2>Réactions (3)</h2>"
    body += '<div role="feed">'
    body += entry.format(k=1, who="Margot", day=11, text="Enfin !", inner=reply)
    body += entry.format(k=3, who="Yannick", day=12, text="Bonne nouvelle.", inner="")
    body += "</div>"
    thread, _ = read_html_page(page(body), "feed")
    assert [(c.author, c.depth, c.created_at, c.text) for c in thread.comments] == [
        ("Margot", 0, "2024-03-11T19:01", "Enfin !"),
        ("Hervé", 1, "2024-03-11T19:02", "Moi aussi."),
        ("Yannick", 0, "2024-03-12T19:03", "Bonne nouvelle."),
    ]
    assert thread.declared_comments == 3


def test_anonymous_comments_nest_by_their_indent_and_lose_their_printed_furniture():
    note = (
        '<div style="padding-left:{pad}px"><div class="x1 Comment"><span class="q">level {lv}'
        '</span><span class="q">{pts} points</span> <a href="#"><span>{age} days ago</span>'
        "</a><div><p>{text}</p></div></div></div>"
    )
    body = "<h1>Where do imports go?</h1>"
    body += note.format(pad=16, lv=1, pts=39, age=3, text="At the top, always.")
    body += note.format(pad=37, lv=2, pts=4, age=2, text="Not in loops, at least.")
    body += note.format(pad=16, lv=1, pts=2, age=1, text="Wherever they are needed.")
    thread, _ = read_html_page(page(body), "anon")
    assert [(c.author, c.depth, c.text) for c in thread.comments] == [
        (None, 0, "At the top, always."),
        (None, 1, "Not in loops, at least."),
        (None, 0, "Wherever they are needed."),
    ]


def test_an_author_element_that_prints_the_date_too_gives_the_name_alone():
    post = (
        '<div class="entry" id="e{n}"><p class="author">by <a href="/people/{n}">{who}</a>'
        " &raquo; Sun May 26, 2019 {at}</p><div class='words'>{text}</div></div>"
    )
    body = "".join(
        post.format(n=n, who=who, at=at, text=text)
        for n, who, at, text in (
            (1, "Jakob", "4:34 pm", "Is the will free?"),
            (2, "Meno", "4:43 pm", "Free of what?"),
            (3, "Jakob", "5:25 pm", "Of causes."),
        )
    )
    thread, _ = read_html_page(page(body), "forum")
    assert [(c.author, c.created_at) for c in thread.comments] == [
        ("Jakob", "2019-05-26T16:34"),
        ("Meno", "2019-05-26T16:43"),
        ("Jakob", "2019-05-26T17:25"),
    ]


def test_the_page_body_is_never_one_comment():
    body = '<h1>Opening hours</h1><p class="byline">By <span class="author">Ann Lee</span></p>'
    body += '<time datetime="2024-03-11">11 March 2024</time><p>We open at nine.</p>'
    thread, _ = read_html_page(page(body.replace("<h1>", '<div class="post-entry"><h1>')), "x")
    assert thread.comments == []


def test_schema_org_microdata_comments():
    item = (
        '<div itemscope itemtype="https://schema.org/Comment">'
        '<span itemprop="author" itemscope itemtype="https://schema.org/Person">'
        '<span itemprop="name">{who}</span></span>'
        '<time itemprop="dateCreated" datetime="2024-03-1{d}T09:00">March 1{d}, 2024</time>'
        '<div itemprop="text"><p>{text}</p></div></div>'
    )
    body = "<h1>Quiet hours</h1>" + "".join(
        item.format(who=w, d=d, text=t)
        for d, (w, t) in enumerate([("Ada", "Fine."), ("Bo", "No.")])
    )
    thread, _ = read_html_page(page(body), "micro")
    assert [(c.author, c.created_at, c.text) for c in thread.comments] == [
        ("Ada", "2024-03-10T00:00", "Fine."),
        ("Bo", "2024-03-11T00:00", "No."),
    ]


def test_comments_stated_only_in_json_ld():
    data = (
        '{"@type": "BlogPosting", "headline": "Quiet hours", "comment": ['
        '{"@type": "Comment", "author": {"name": "Ada"}, "text": "Fine by me.",'
        ' "dateCreated": "2024-03-11T09:00:00Z", "comment": [{"@type": "Comment",'
        ' "author": "Bo", "text": "<p>Not by me.</p>"}]}]}'
    )
    head = f'<script type="application/ld+json">{data}</script>'
    thread, _ = read_html_page(page("<h1>Quiet hours</h1><p>Text.</p>", head), "ld")
    assert [(c.author, c.depth, c.created_at, c.text) for c in thread.comments] == [
        ("Ada", 0, "2024-03-11T09:00", "Fine by me."),
        ("Bo", 1, None, "Not by me."),
    ]


def test_a_date_printed_without_a_year_gives_no_time_and_a_numeric_one_follows_the_markup():
    comment = (
        '<li class="comment"><div class="comment-author"><b class="fn">{who}</b></div>'
        '<div class="comment-meta"><time datetime="{iso}">{printed}</time></div>'
        '<div class="comment-content"><p>Text of {who}.</p></div></li>'
    )
    body = '<ol class="commentlist">' + "".join(
        comment.format(who=w, iso=i, printed=p)
        for w, i, p in [
            ("Ana", "2024-03-11T19:02:00+01:00", "Le 11 mars à 19:02"),
            ("Ben", "2024-04-09T11:55:00", "04-09-2024, 11:55 AM"),
            ("Cy", "2024-03-12T08:00:00Z", ""),
        ]
    ) + "</ol>"  # fmt: skip
    thread, _ = read_html_page(page(body), "dates")
    assert [c.created_at for c in thread.comments] == [None, "2024-04-09T11:55", "2024-03-12T08:00"]


def test_a_page_without_comments_gives_an_article_and_no_comment():
    body = (
        '<article><h1>Budget vote delayed</h1><p class="byline">Von Jana Vogt</p>'
        '<div class="entry-content"><p>The vote moves to May.</p></div></article>'
        "<h3>Kommentare (0)</h3><p>Derzeit sind keine Kommentare vorhanden.</p>"
    )
    thread, _ = read_html_page(page(body), "none")
    assert thread.comments == []
    assert thread.declared_comments == 0
    assert thread.author == "Jana Vogt"
    assert thread.article == "The vote moves to May."


def test_the_charset_a_page_declares_is_used(tmp_path):
    html = page("<h1>Caf\xe9 closes</h1>", '<meta charset="windows-1252">').encode("cp1252")
    path = tmp_path / "page.html"
    path.write_bytes(html)
    threads, _, _ = read_all(path)
    assert threads[0].title == "Café closes"


def test_bytes_the_declared_charset_cannot_read_name_their_line(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(b'<html><head><meta charset="ascii"></head>\n<body>\n\xff</body></html>')
    with pytest.raises(InputError) as err:
        read_all(path)
    assert err.value.line == 3
    assert "declared charset" in str(err.value)


def test_html_is_sniffed_whatever_the_suffix(tmp_path):
    path = tmp_path / "saved.txt"
    path.write_bytes((SAMPLES / "blog-page.html").read_bytes())
    _, comments, report = read_all(path)
    assert report.format == "html"
    assert len(comments) == 3


def test_blocks_nested_beyond_reason_are_refused_whole_and_quickly(tmp_path):
    path = tmp_path / "deep.html"
    path.write_text(page("\n" + "<div>" * 100_000 + "x" + "</div>" * 100_000), encoding="utf-8")
    started = time.process_time()
    with pytest.raises(HostileInputError) as err:
        read_all(path, skip_bad=True)
    assert time.process_time() - started < 5
    assert "nested more than" in str(err.value) and err.value.line == 2


def test_wide_and_broken_hostile_markup_reads_in_linear_time():
    deep = page("<div>" * 5_000 + "x" + "</div>" * 5_000 + "<p>a" * 50_000)
    wide = page('<li class="comment"><b class="fn">a</b><p class="comment-content">b</p>' * 20_000)
    junk = page("<" + "a " * 50_000 + ">" + "&amp;" * 50_000 + "<p class='x" * 5_000)
    for html in (deep, wide, junk):
        started = time.process_time()
        read_html_page(html, "hostile")
        assert time.process_time() - started < 20  # a generous bound: seconds, not minutes


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/=\"' abcdiv&;#x0lpt\n")), max_size=300))
def test_no_markup_makes_the_reader_raise(markup):
    thread, _ = read_html_page(markup, "fuzz")
    for comment in thread.comments:
        assert comment.text or comment.author
