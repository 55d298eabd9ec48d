"""WordPress WXR, Disqus XML and Reddit JSON exports."""

from __future__ import annotations

from fixtures.files import SAMPLES, read_all

WXR_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/{v}/">
<channel><item><title>Post</title><link>https://b.example/p</link>
<wp:post_id>9</wp:post_id><wp:post_type>post</wp:post_type>
<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author>Al</wp:comment_author>
<wp:comment_date_gmt>2011-02-03 04:05:06</wp:comment_date_gmt>
<wp:comment_content><![CDATA[Hi &amp; welcome<br/>second line<p>new para</p>]]></wp:comment_content>
<wp:comment_approved>trash</wp:comment_approved><wp:comment_parent>0</wp:comment_parent>
</wp:comment></item></channel></rss>
"""


def test_wxr_sample_threads_comments_and_statuses():
    threads, comments, report = read_all(SAMPLES / "wordpress.xml")
    assert report.format == "wxr"
    assert [(t.id, t.title) for t in threads] == [
        ("41", "Water butts for every plot"),
        ("57", "Why the pond was drained"),
    ]
    assert threads[0].author == "june"
    assert threads[0].published == "2025-03-08T10:00:00+00:00"
    assert threads[0].article.startswith("Thanks to a small grant")
    assert [c.id for c in comments] == ["101", "102", "103", "104", "105"]
    assert [c.status for c in comments] == ["approved", "approved", "pending", "approved", "spam"]
    assert comments[0].text == (
        "Wonderful news. Can we collect on Sunday instead? I work Saturdays."
    )
    assert comments[1].parent_id == "101" and comments[1].depth == 1
    assert comments[1].quotes[0].source == "parent"
    assert comments[0].extra["comment_author_email"] == "harold@example.org"
    assert comments[0].created_at == "2025-03-08T11:15:00+00:00"


def test_wxr_namespace_versions_and_html(tmp_path):
    for version in ("1.0", "1.1", "1.2"):
        path = tmp_path / f"wxr{version}.xml"
        path.write_text(WXR_TEMPLATE.format(v=version), encoding="utf-8")
        threads, (comment,), report = read_all(path)
        assert report.format == "wxr"
        assert comment.text == "Hi & welcome\nsecond line\n\nnew para"
        assert comment.status == "deleted"
        assert comment.created_at == "2011-02-03T04:05:06+00:00"
        assert threads[0].url == "https://b.example/p"


def test_disqus_sample():
    threads, comments, report = read_all(SAMPLES / "disqus.xml")
    assert report.format == "disqus"
    assert [(t.id, t.title) for t in threads] == [
        ("7001", "Ferry timetable changes from May"),
        ("7002", "Summer fair needs volunteers"),
    ]
    assert [(c.id, c.thread_id, c.parent_id, c.depth) for c in comments] == [
        ("2001", "7001", None, 0),
        ("2002", "7001", "2001", 1),
        ("2003", "7001", "2002", 2),
        ("2004", "7002", None, 0),
        ("2005", "7002", None, 0),
    ]
    assert comments[2].status == "deleted"
    assert comments[0].author == "Wendy"
    assert '"volunteer day"' in comments[3].text
    assert comments[1].quotes[0].source == "parent"


def test_reddit_sample_nesting_more_stubs_and_removed_bodies():
    threads, comments, report = read_all(SAMPLES / "reddit.json")
    assert report.format == "reddit"
    (thread,) = threads
    assert thread.id == "t3_x1abc" and thread.title.startswith("Should the old cinema")
    assert thread.url == "https://www.reddit.com/r/riverside/comments/x1abc/old_cinema/"
    assert [(c.id, c.depth) for c in comments] == [
        ("t1_r1", 0),
        ("t1_r2", 1),
        ("t1_r3", 2),
        ("t1_r4", 0),
        ("t1_r5", 0),
        ("t1_r6", 0),
    ]
    assert comments[2].status == "deleted" and comments[2].author is None
    assert comments[5].status == "removed" and comments[5].text == "[removed]"
    assert comments[0].quotes[0].source == "article"
    assert comments[0].extra["score"] == 1
    assert any("3 comment(s) not in the export" in w for w in report.warnings)
