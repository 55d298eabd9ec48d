"""Disqus XML exports (formats/disqus.py)."""

from __future__ import annotations

from fixtures.files import SAMPLES, read_all


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
