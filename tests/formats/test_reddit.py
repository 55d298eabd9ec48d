"""Reddit JSON exports (formats/reddit.py)."""

from __future__ import annotations

from fixtures.files import SAMPLES, read_all


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
