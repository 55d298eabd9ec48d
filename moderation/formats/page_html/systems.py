"""The comment markup of the common comment systems and forums, one declaration each.

A new system is one more :class:`CommentMarkup` in ``SYSTEMS``; what a declaration leaves out
is found by the markers. Selectors name the system's own classes, which stay the same from site
to site (themes restyle them, they rarely rename them). Where two declarations match a page,
the reading whose comments have the most texts, authors and times is kept
(``comments_of`` in ``page_html/__init__.py``).
"""

from __future__ import annotations

import re

from moderation.formats.page_html.dom import Node, attr
from moderation.formats.page_html.markup import CommentMarkup


def _hacker_news_depth(node: Node) -> int | None:
    """Hacker News indents a reply with a spacer image 40 pixels wide per level (newer pages
    also say ``indent="2"`` on the cell)."""
    cell = node.css_first("td.ind")
    if cell is not None and attr(cell, "indent").isdigit():
        return int(attr(cell, "indent"))
    image = node.css_first("td.ind img, td > img[src*='s.gif']")
    width = attr(image, "width") if image is not None else ""
    return int(width) // 40 if width.isdigit() else None


def _reddit_level(node: Node) -> int | None:
    """Reddit's 2018-2023 design prints "level 2" in each comment (its elements are flat)."""
    for span in node.css("span"):
        m = _LEVEL.match((span.text(deep=True) or "").strip())
        if m:
            return int(m[1]) - 1
    return None


_LEVEL = re.compile(r"^level (\d{1,3})$", re.I)

SYSTEMS: tuple[CommentMarkup, ...] = (
    CommentMarkup(
        "wpdiscuz",
        comment="div.wpd-comment, div.wc-comment",
        author=".wpd-comment-author, .wc-comment-author",
        time=".wpd-comment-date, .wc-comment-date",
        body=".wpd-comment-text, .wc-comment-text",
        drop=".wpd-comment-footer, .wc-comment-footer",
        count=".wpd-cc-value, .wpdiscuz-comment-count",
    ),
    CommentMarkup(
        "disqus",
        comment="#disqus_thread li.post, .post-list li.post",
        author=".post-byline .author, .author",
        time=".post-meta a.time-ago, .post-meta time",
        body=".post-message",
    ),
    CommentMarkup(
        "blogger",
        comment=".comments-content .comment-thread li.comment, #comments .comment-thread "
        "li.comment",
        author="cite.user, .comment-author, .user",
        time=".datetime, .comment-timestamp",
        body=".comment-content",
        drop=".comment-actions, .comment-replybox-single, .comment-replybox-thread",
    ),
    CommentMarkup(
        "stackexchange",
        comment="div.question, div.answer, li.comment, div.comment[id^='comment-']",
        author=".user-details[itemprop='author'] [itemprop='name'], "
        ".user-details[itemprop='author'] > a, a.comment-user, .comment-user",
        time=".user-info:has(.user-details[itemprop='author']) .relativetime, "
        ".comment-date .relativetime-clean, .comment-date .relativetime, .relativetime",
        body=".s-prose, .post-text, .comment-copy",
        drop=".comment-date, .comment-score, .js-comment-actions",
        forum=True,
        opening="div.question",
        present="div.question[data-questionid], #question-header",
    ),
    CommentMarkup(
        "discourse",
        comment="div.topic-post, div.crawler-post, article.boxed[data-post-id]",
        author=".creator [itemprop='name'], .names .username, .creator .username, .username",
        time=".crawler-post-infos time, .post-date, time",
        body=".cooked, [itemprop='text'], [itemprop='articleBody']",
        drop=".post-likes, .post-links-container",
        quote="aside.quote",
        forum=True,
    ),
    CommentMarkup(
        "xenforo2",
        comment="article.message--post",
        author=".message-name .username, h4.message-name, .username",
        time=".message-attribution-main time, time.u-dt",
        body=".message-body .bbWrapper, .bbWrapper",
        drop=".message-signature, .js-selectToQuoteEnd",
        quote=".bbCodeBlock--quote",
        forum=True,
    ),
    CommentMarkup(
        "xenforo1",
        comment="li.message[id^='post-']",
        author=".messageUserInfo .username, .userText .username, a.username",
        time=".messageMeta .DateTime, .DateTime",
        body=".messageText, .messageContent article",
        drop=".messageTextEndMarker, .signature, .baseHtml.signature",
        quote=".bbCodeQuote",
        forum=True,
    ),
    CommentMarkup(
        "vbulletin5",
        comment="li.b-post, div.b-post",
        author=".b-post__author .author a, .b-userinfo__details .author a, .author a",
        time=".b-post__timestamp time, .b-post__timestamp",
        body=".js-post__content-text, .b-post__content",
        drop=".b-post__signature, .js-post__signature",
        quote=".bbcode_quote",
        forum=True,
    ),
    CommentMarkup(
        "vbulletin4",
        comment="li.postcontainer, li.postbitlegacy, li.postbit",
        author=".username strong, a.username, .username",
        time=".postdate .date, span.date",
        body="div[id^='post_message_'] blockquote.postcontent, div[id^='post_message_']",
        drop=".signature, .after_content",
        quote=".bbcode_quote",
        forum=True,
    ),
    CommentMarkup(
        "vbulletin3",
        comment="table[id^='post']",
        author="a.bigusername, .bigusername",
        time="td.thead",
        body="div[id^='post_message_']",
        quote="div[style*='margin:20px'], .quote",
        forum=True,
    ),
    CommentMarkup(
        "phpbb",
        comment="div.post[id^='p'], div.post.bg1, div.post.bg2",
        author=".author .username, .author .username-coloured, .author strong, p.author a",
        time="p.author, .author time",
        body=".postbody .content, div.content",
        drop=".signature, .notice",
        quote="blockquote",
        forum=True,
    ),
    CommentMarkup(
        "smf",
        comment="div.windowbg, div.windowbg2",
        author=".poster h4 a, .poster h4",
        time=".keyinfo .smalltext, .postinfo .smalltext, .smalltext",
        body=".post .inner, div.inner[id^='msg_']",
        drop=".signature, .moderatorbar",
        quote="blockquote.bbc_standard_quote, .quoteheader",
        forum=True,
    ),
    CommentMarkup(
        "nodebb",
        comment="li[component='post']",
        author="[itemprop='author'] [itemprop='name'], [itemprop='author'], "
        "a[href*='/user/'][data-username], .username a",
        time=".timeago, [component='post/header'] .timeago",
        body="[component='post/content']",
        drop="[component='post/signature'], .post-signature",
        forum=True,
    ),
    CommentMarkup(
        "lemmy",
        comment="article.comment-node, li.comment",
        present=".comment-node, .person-listing",
        author=".person-listing, a.person-listing",
        time="span[data-tippy-content], .moment-time",
        body=".md-div",
    ),
    CommentMarkup(
        "hackernews",
        comment="tr.athing.comtr",
        author="a.hnuser",
        time="span.age",
        body=".commtext, .comment",
        drop=".reply",
        depth=_hacker_news_depth,
    ),
    CommentMarkup(
        "old reddit",
        comment="div.thing.comment, div.comment[data-type='comment']",
        author="a.author",
        time="time.live-timestamp, time",
        body=".usertext-body .md, .md",
    ),
    CommentMarkup(
        "reddit",
        comment="div.Comment",
        author="a[href^='/user/'], a[data-testid='comment_author_link']",
        time="a[id^='CommentTopMeta--Created'], a[data-testid='comment_timestamp']",
        body="[data-test-id='comment'], [data-testid='comment']",
        depth=_reddit_level,
    ),
    CommentMarkup(
        "drupal",
        comment="article.comment, div.comment.comment-by-anonymous, div.comment[about]",
        author=".username, .comment__author, .author",
        time=".comment__time, .submitted time, .submitted, time",
        body=".field-name-comment-body, .comment__content, .field--name-comment-body, .content",
        drop=".links, .comment-links, .comment__links",
    ),
    CommentMarkup(
        "wordpress",
        comment="li.comment, li.pingback, li.trackback",
        fallbacks=(
            "div.comment[id^='comment-'], article.comment[id^='comment-']",
            "article.comment-body, div.comment-body",
        ),
        author=".comment-author .fn, .comment-author cite, .comment-author, .fn",
        time=".comment-metadata time, .comment-meta time, .comment-metadata a, "
        ".comment-meta a, .comment-meta, .comment-date, time",
        body=".comment-content, .comment-text, .commenttext, .comment-entry",
        drop=".reply, .comment-reply-link, .comment-awaiting-moderation",
    ),
)
