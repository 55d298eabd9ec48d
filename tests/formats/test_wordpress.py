"""WordPress WXR exports (formats/wordpress.py, over the hardened XML stream)."""

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
