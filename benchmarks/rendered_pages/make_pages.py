"""Writes the invented rendered-page corpus: saved HTML pages in comment-section families the
real corpus's dev half lacks, each with its expected parse (``NAME.html``, ``NAME.json``).

    python benchmarks/rendered_pages/make_pages.py

Everything here is invented: sites, people, articles and the short comments. Each family is a
template written from how such software marks up its comments (class names, microformats,
ARIA roles, the dates it prints); ``rendered_pages.py`` renders every page to text with lynx,
lynx -nolist and w3m and scores the page readers on both. Which pages are ``dev`` and which are
``heldout`` was fixed here, before any reader was run on them (``SPLIT``).
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent


@dataclass
class Note:
    author: str
    printed: str  # the date as the page prints it
    time: str | None  # the expected time (YYYY-MM-DDTHH:MM, YYYY-MM-DD or None)
    text: list[str]  # paragraphs
    replies: list[Note] = field(default_factory=list)


def flatten(notes: list[Note], depth: int = 0, parent: int | None = None, out=None):
    out = [] if out is None else out
    for note in notes:
        index = len(out)
        out.append((note, depth, parent))
        flatten(note.replies, depth + 1, index, out)
    return out


def expected(family, language, title, author, declared, notes, furniture):
    comments = []
    for note, depth, parent in flatten(notes):
        first, last = note.text[0].split(), note.text[-1].split()
        comments.append(
            {
                "author": note.author,
                "depth": depth,
                "time": note.time,
                "text_start": " ".join(first[:5]),
                "text_end": " ".join(last[-4:]),
                "reply_to": parent,
            }
        )
    return {
        "family": family,
        "language": language,
        "title": title,
        "article_author": author,
        "declared_comments": declared,
        "comments": comments,
        "furniture": furniture,
    }


def page(title: str, head: str, body: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(title)}'
        f"</title>{head}</head>\n<body>\n{body}\n</body></html>\n"
    )


def paragraphs(note: Note) -> str:
    return "".join(f"<p>{html.escape(p)}</p>" for p in note.text)


# --- families -------------------------------------------------------------------------------


def joomla_jcomments(notes: list[Note]) -> str:
    """Joomla with JComments: numbered boxes, the text above "name · date" (rendered after)."""

    def one(note: Note, n: int) -> str:
        inner = "".join(one(r, n * 10 + k) for k, r in enumerate(note.replies, 1))
        return (
            f'<div class="comment-box" id="comment-item-{n}">'
            f'<span class="comment-anchor">#{n}</span>'
            f'<div class="comment-body">{paragraphs(note)}</div>'
            f'<div class="comment-info"><span class="comment-author">{note.author}</span> · '
            f'<span class="comment-date">{note.printed}</span></div>'
            f'<div class="comments-buttons"><a href="#">Odpowiedz</a> <a href="#">Cytuj</a></div>'
            + (f'<div class="comments-list-child">{inner}</div>' if inner else "")
            + "</div>"
        )

    return "".join(one(n, k) for k, n in enumerate(notes, 1))


def hcite_webmentions(notes: list[Note]) -> str:
    """An IndieWeb blog: replies as microformats (h-cite u-comment, p-author h-card)."""
    items = []
    for note in notes:
        items.append(
            '<li class="u-comment h-cite">'
            f'<a class="u-author h-card" href="https://{note.author.split()[0].lower()}.example">'
            f'<img class="u-photo" alt="" src="a.png">{note.author}</a> '
            f'<a class="u-url" href="#c"><time class="dt-published" '
            f'datetime="{note.time or ""}">{note.printed}</time></a>'
            f'<div class="e-content p-name">{paragraphs(note)}</div></li>'
        )
    return '<h2>3 Responses</h2><ul class="webmentions">' + "".join(items) + "</ul>"


def aria_feed(notes: list[Note]) -> str:
    """A custom news site: the comments as an ARIA feed of articles, nothing else named."""

    def one(note: Note, k: str) -> str:
        inner = "".join(one(r, f"{k}-{j}") for j, r in enumerate(note.replies, 1))
        return (
            f'<article role="article" aria-labelledby="who-{k}" class="x7f">'
            f'<header class="x7f-h"><strong id="who-{k}">{note.author}</strong> '
            f'<span class="x7f-d">{note.printed}</span></header>'
            f'<div class="x7f-b">{paragraphs(note)}</div>'
            f'<footer class="x7f-f"><button>Répondre</button> <button>Signaler</button></footer>'
            + (f'<div class="x7f-r">{inner}</div>' if inner else "")
            + "</article>"
        )

    return (
        '<section aria-label="Commentaires"><h2>Réactions (4)</h2><div role="feed">'
        + "".join(one(n, str(k)) for k, n in enumerate(notes, 1))
        + "</div></section>"
    )


def japanese_news(notes: list[Note]) -> str:
    """A Japanese news site's comment list: user, time, text, like and reply buttons."""
    items = []
    for note in notes:
        items.append(
            '<li class="cmt-item"><div class="cmt-head">'
            f'<span class="cmt-user">{note.author}</span>'
            f'<span class="cmt-time">{note.printed}</span></div>'
            f'<div class="cmt-text">{paragraphs(note)}</div>'
            '<div class="cmt-tools"><button>返信</button><button>共感した 12</button></div></li>'
        )
    return '<h2>コメント（3件）</h2><ul class="cmt-list">' + "".join(items) + "</ul>"


def korean_news(notes: list[Note]) -> str:
    """A Korean portal's comments: nickname, date "2024.03.11. 19:02", text, votes."""
    items = []
    for note in notes:
        items.append(
            '<div class="u_cbox_comment"><div class="u_cbox_info">'
            f'<span class="u_cbox_nick">{note.author}</span></div>'
            f'<div class="u_cbox_text_wrap">{paragraphs(note)}</div>'
            f'<div class="u_cbox_info_base"><span class="u_cbox_date">{note.printed}</span></div>'
            '<div class="u_cbox_tool"><a>답글 0</a> <a>공감 3</a> <a>비공감 0</a></div></div>'
        )
    return '<h3>댓글 3개</h3><div class="u_cbox_list">' + "".join(items) + "</div>"


def smf_forum(notes: list[Note]) -> str:
    """SMF 2: the posts of a thread's first page, the poster's box beside each."""
    items = []
    for k, note in enumerate(notes, 1):
        items.append(
            f'<div class="windowbg{"2" if k % 2 else ""}"><div class="post_wrapper">'
            f'<div class="poster"><h4><a href="index.php?action=profile;u={k}">{note.author}</a>'
            '</h4><ul><li class="postgroup">Użytkownik</li><li class="postcount">Posty: 12</li>'
            "</ul></div>"
            '<div class="postarea"><div class="keyinfo">'
            f'<h5><a href="#msg{k}">Odp: Działki przy rzece</a></h5>'
            f'<div class="smalltext">« <strong>Odpowiedź #{k - 1} :</strong> {note.printed} »'
            f'</div></div><div class="post"><div class="inner" id="msg_{k}">'
            + "<br>".join(html.escape(p) for p in note.text)
            + "</div></div></div></div></div>"
        )
    return '<div id="forumposts">' + "".join(items) + "</div>"


def typepad_after(notes: list[Note]) -> str:
    """Typepad / Movable Type: each comment's text, then "Posted by: Name | date"."""
    items = []
    for k, note in enumerate(notes, 1):
        items.append(
            f'<div class="comment" id="comment-{k}"><div class="comment-content">'
            f"{paragraphs(note)}</div>"
            f'<p class="comment-footer">Posted by: <a href="https://x.example">{note.author}</a>'
            f' | <a href="#comment-{k}">{note.printed}</a></p></div>'
        )
    return '<h3 class="comments-header">Comments</h3>' + "".join(items)


def discourse_like(notes: list[Note]) -> str:
    """A Discourse-style forum without its usual class names: numbered posts, avatar alt
    text glued to the name, a relative date title and likes."""
    items = []
    for k, note in enumerate(notes, 1):
        items.append(
            f'<div class="topic-entry" id="entry_{k}" data-post-number="{k}">'
            f'<div class="entry-avatar"><img alt="{note.author}" src="a.png"></div>'
            f'<div class="entry-main"><div class="entry-names">'
            f'<a class="entry-user" href="/u/{note.author.lower()}">{note.author}</a></div>'
            f'<div class="entry-when"><span title="{note.printed}">{note.printed}</span></div>'
            f'<div class="entry-words">{paragraphs(note)}</div>'
            '<div class="entry-actions"><span>2 Likes</span> <a>Reply</a></div></div></div>'
        )
    return '<div class="entries">' + "".join(items) + "</div>"


# --- pages ----------------------------------------------------------------------------------

ARTICLE = "<p>{}</p>"
PAGES = {
    "joomla-jcomments-pl": (
        "Joomla JComments",
        "pl",
        "Nowy most na Warcie",
        "Anna Mrozek",
        3,
        joomla_jcomments,
        "Komentarze (3)",
        "Most będzie gotowy jesienią, mówi burmistrz. Prace potrwają dwa lata.",
        [
            Note(
                "kasia_b",
                "11.03.2024 19:02",
                "2024-03-11T19:02",
                ["Wreszcie! Czekamy na to od lat.", "Oby tylko nie zamknęli starego mostu."],
                [Note("Tomek", "11.03.2024 20:15", "2024-03-11T20:15", ["Stary zostaje do lata."])],
            ),
            Note("Ela W.", "12.03.2024 08:30", "2024-03-12T08:30", ["A ścieżka rowerowa?"]),
        ],
        ["Odpowiedz", "Cytuj"],
    ),
    "indieweb-webmentions": (
        "IndieWeb (h-cite)",
        "en",
        "Why I keep a paper notebook",
        "Rosa Lind",
        3,
        hcite_webmentions,
        "",
        "A notebook never needs charging, and nobody sells ads in its margins.",
        [
            Note("Piet Vos", "March 11, 2024", "2024-03-11", ["Same here, pencil only."]),
            Note(
                "Mara Kent",
                "March 12, 2024",
                "2024-03-12",
                ["I tried this for a month.", "My handwriting got worse, my lists got shorter."],
            ),
            Note("Jo Adeyemi", "March 14, 2024", "2024-03-14", ["Which notebook do you use?"]),
        ],
        [],
    ),
    "aria-feed-fr": (
        "custom (ARIA feed)",
        "fr",
        "Le marché couvert rouvre samedi",
        "Luc Martin",
        4,
        aria_feed,
        "",
        "Après deux ans de travaux, les halles rouvrent avec trente étals et un café.",
        [
            Note(
                "Margot",
                "11 mars 2024 à 19:02",
                "2024-03-11T19:02",
                ["Enfin ! On y sera dès l'ouverture."],
                [
                    Note(
                        "Hervé P.",
                        "11 mars 2024 à 21:40",
                        "2024-03-11T21:40",
                        ["Moi aussi, pour le fromager."],
                    )
                ],
            ),
            Note(
                "Sandrine",
                "12 mars 2024 à 07:55",
                "2024-03-12T07:55",
                ["Et le parking ?", "Il était déjà plein avant les travaux."],
            ),
            Note("Yannick", "12 mars 2024 à 09:12", "2024-03-12T09:12", ["Bonne nouvelle."]),
        ],
        ["Répondre", "Signaler"],
    ),
    "japanese-news": (
        "custom (Japanese news)",
        "ja",
        "駅前に新しい図書館が開館",
        None,
        3,
        japanese_news,
        "",
        "市は11日、駅前に新しい図書館を開館した。蔵書は約20万冊で、夜9時まで利用できる。",
        [
            Note(
                "さくら",
                "2024年3月11日 19:02",
                "2024-03-11T19:02",
                ["夜まで開いているのは助かります。"],
            ),
            Note(
                "yamada_k",
                "2024年3月11日 20:45",
                "2024-03-11T20:45",
                ["駐輪場が少ないのが心配です。"],
            ),
            Note(
                "通りすがり",
                "2024年3月12日 8:10",
                "2024-03-12T08:10",
                ["子ども向けの本も増えるといいですね。"],
            ),
        ],  # fmt: skip
        ["返信"],
    ),
    "korean-news": (
        "custom (Korean portal)",
        "ko",
        "시내버스 노선 개편 다음 달 시행",
        None,
        3,
        korean_news,
        "",
        "시는 다음 달부터 시내버스 노선 12개를 개편한다고 11일 밝혔다. 배차 간격도 줄어든다.",
        [
            Note(
                "하늘빛",
                "2024.03.11. 19:02",
                "2024-03-11T19:02",
                ["배차 간격이 줄어든다니 반갑네요."],
            ),
            Note(
                "minsu88", "2024.03.11. 21:30", "2024-03-11T21:30", ["우리 동네 노선은 없어지나요?"]
            ),
            Note(
                "지나가다", "2024.03.12. 07:45", "2024-03-12T07:45", ["출근길이 조금 편해지겠네요."]
            ),
        ],  # fmt: skip
        ["답글 0"],
    ),
    "smf-forum-pl": (
        "SMF",
        "pl",
        "Działki przy rzece",
        "ogrodnik_marek",
        None,
        smf_forum,
        "",
        "",
        [
            Note(
                "ogrodnik_marek",
                "Marzec 11, 2024, 19:02:10",
                "2024-03-11T19:02",
                ["Czy ktoś wie, kiedy ruszą zapisy na działki przy rzece?"],
            ),
            Note(
                "Basia",
                "Marzec 11, 2024, 20:11:45",
                "2024-03-11T20:11",
                ["Od kwietnia, w urzędzie."],
            ),
            Note(
                "Zdzich",
                "Marzec 12, 2024, 07:30:00",
                "2024-03-12T07:30",
                ["Trzeba przynieść dowód.", "I zapłacić składkę za rok."],
            ),
        ],  # fmt: skip
        ["Posty: 12", "Użytkownik"],
    ),
    "typepad-after": (
        "Typepad",
        "en",
        "Ten years of the allotment diary",
        "Hugh Barlow",
        None,
        typepad_after,
        "",
        "This diary started with one bed of onions. It now has eleven beds and a pond.",
        [
            Note(
                "Wendy",
                "March 11, 2024 at 07:02 PM",
                "2024-03-11T19:02",
                ["Congratulations on ten years!", "The pond photos are my favourite."],
            ),
            Note(
                "Des O'Neill", "March 12, 2024 at 09:15 AM", "2024-03-12T09:15", ["Still reading."]
            ),
            Note(
                "Priya", "March 12, 2024 at 11:40 AM", "2024-03-12T11:40", ["Onions first, always."]
            ),
        ],  # fmt: skip
        [],
    ),
    "forum-entries": (
        "custom forum (Discourse-like)",
        "en",
        "Best way to store seed potatoes?",
        "lena_g",
        None,
        discourse_like,
        "",
        "",
        [
            Note(
                "lena_g",
                "Mar 11, 2024 7:02 pm",
                "2024-03-11T19:02",
                ["Mine keep sprouting in the shed.", "Is a dark box enough?"],
            ),
            Note("oskar", "Mar 11, 2024 8:40 pm", "2024-03-11T20:40", ["Egg boxes, by a window."]),
            Note(
                "Tilde",
                "Mar 12, 2024 6:05 am",
                "2024-03-12T06:05",
                ["Sprouts are fine, chit them."],
            ),
        ],  # fmt: skip
        ["2 Likes"],
    ),
}
SPLIT = {  # fixed before any reader was run on these pages
    "dev": ["joomla-jcomments-pl", "japanese-news", "smf-forum-pl", "aria-feed-fr"],
    "heldout": ["indieweb-webmentions", "korean-news", "typepad-after", "forum-entries"],
}
FORUMS = ("smf-forum-pl", "forum-entries")


def build(name: str) -> tuple[str, dict]:
    family, language, title, author, declared, template, heading, article, notes, furn = PAGES[name]
    body = '<header class="site"><a href="/">Site</a> | <a href="/news">News</a></header>'
    body += f"<h1>{html.escape(title)}</h1>"
    if author:
        body += f'<p class="byline">By {html.escape(author)}</p>'
    if article:
        body += f'<div class="article-text">{ARTICLE.format(html.escape(article))}</div>'
    if heading:
        body += f"<h2>{html.escape(heading)}</h2>"
    body += template(notes)
    body += '<footer class="site-footer"><p>Contact | Imprint | Privacy</p></footer>'
    if name in FORUMS:  # the opening post is the article, the replies are the comments
        opening, notes = notes[0], notes[1:]
        want = expected(family, language, title, opening.author, declared, notes, furn)
    else:
        want = expected(family, language, title, author, declared, notes, furn)
    return page(title, "", body), want


def main() -> None:
    for name in PAGES:
        markup, want = build(name)
        (HERE / f"{name}.html").write_text(markup, encoding="utf-8")
        text = json.dumps(want, ensure_ascii=False, indent=1) + "\n"
        (HERE / f"{name}.json").write_text(text, encoding="utf-8")
    halves = {name: half for half, names in SPLIT.items() for name in names}
    (HERE / "split.json").write_text(json.dumps({"split": halves}, indent=1) + "\n")


if __name__ == "__main__":
    main()
