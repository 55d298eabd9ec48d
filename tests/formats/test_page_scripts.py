"""Scripts without spaces: Japanese, Korean and Chinese comment pages and their dates."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderation.formats.page_html import read_html_page
from moderation.formats.page_text import parse_page

PAGES = Path(__file__).parents[1] / "fixtures" / "pages" / "cjk"


EXPECTED = {
    "ja_news": (
        ("市バスの新ダイヤ、4月から30分間隔に", "山田花子", 3),
        [
            ("佐藤健一", 0, "2024-03-11T19:02", "やっと終バスが遅くなる。駅にも止まるのだろうか。"),
            ("鈴木", 0, "2024-03-11T19:40", "30分でも雨の日は長い。"),
            ("tanaka_m", 0, None, "駅には全便が止まるそうです。"),
        ],
    ),
    "ko_news": (
        ("시내버스 새 시간표, 4월부터 30분 간격", "김민지", 3),
        [
            ("이준호", 0, "2024-03-11T19:02", "드디어 막차가 늦어지네요. 역에도 서나요?"),
            ("박서연", 0, "2024-03-11T19:40", "30분도 비 오는 날엔 길어요."),
            ("이준호", 1, "2024-03-11T20:05", "우산 챙기세요."),
            ("minsu_k", 0, None, "역에는 모든 버스가 선대요."),
        ],
    ),
    "zh_news": (
        ("公交新时刻表4月起每30分钟一班", None, 3),
        [
            ("王小明", 0, "2024-03-11T19:02", "终于有晚班车了。会停火车站吗？"),
            ("李华", 0, None, "三十分钟在雨天也很长。"),
            ("zhang_w", 0, None, "听说每班都停火车站。"),
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cjk_news_comment_pages(name):
    thread = parse_page((PAGES / f"{name}.txt").read_text(encoding="utf-8"), name)
    (title, author, declared), comments = EXPECTED[name]
    assert (thread.title, thread.author, thread.declared_comments) == (title, author, declared)
    assert thread.published == "2024-03-11T18:30"
    got = [(c.author, c.depth, c.created_at, c.text) for c in thread.comments]
    assert got == comments


def test_cjk_dates_in_saved_html():
    comment = (
        '<li class="comment"><span class="comment-author">{who}</span>'
        '<span class="comment-date">{when}</span><p class="comment-text">{text}</p></li>'
    )
    body = '<h1>市バスの新ダイヤ</h1><ol class="comments">' + "".join(
        comment.format(who=w, when=d, text=t)
        for w, d, t in [
            ("佐藤健一", "2024年3月11日 19:02", "やっと終バスが遅くなる。"),
            ("이준호", "2024.03.11. 오후 7:40", "역에도 서나요?"),
            ("王小明", "3小时前", "会停火车站吗？"),
        ]
    )
    thread, _ = read_html_page(f"<html><body>{body}</ol></body></html>", "cjk")
    assert [(c.author, c.created_at) for c in thread.comments] == [
        ("佐藤健一", "2024-03-11T19:02"),
        ("이준호", "2024-03-11T19:40"),
        ("王小明", None),
    ]
