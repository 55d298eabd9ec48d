"""Page dumps in layouts no rule was written for: the layout inferred from the page itself."""

from __future__ import annotations

import json
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moderation.cli import app
from moderation.formats.page_text import parse_page, read_page


def page(text: str):
    return parse_page(textwrap.dedent(text), "p")


def replies(thread):
    """The thread's comments but a forum's opening post."""
    return [c for c in thread.comments if not c.extra.get("opening_post")]


def test_german_wordpress_comments_with_replies_by_indentation():
    thread = page("""\
        Hochbeet im Frühling
        Veröffentlicht am 10. März 2024 von Jana Beck
        Ein Hochbeet aus Lärchenholz hält zehn Jahre, wenn man es innen mit Folie auskleidet und
        unten ein Gitter gegen Wühlmäuse legt. Hier ist meine Anleitung für das erste Jahr.

        3 Gedanken zu „Hochbeet im Frühling“
        Paul Ernst sagt:
        12. März 2024 um 09:41 Uhr
        Welche Folie nimmst du?
        Antworten
           Jana Beck sagt:
           12. März 2024 um 10:05 Uhr
           Noppenfolie, die hält am längsten.
           Antworten
        Ute Krall sagt:
        13. März 2024 um 18:02 Uhr
        Danke für die Anleitung!
        Antworten
        Schreibe einen Kommentar
        """)
    assert thread.title == "Hochbeet im Frühling"
    assert thread.declared_comments == 3
    got = [(c.author, c.depth, c.created_at, c.text) for c in thread.comments]
    assert got == [
        ("Paul Ernst", 0, "2024-03-12T09:41", "Welche Folie nimmst du?"),
        ("Jana Beck", 1, "2024-03-12T10:05", "Noppenfolie, die hält am längsten."),
        ("Ute Krall", 0, "2024-03-13T18:02", "Danke für die Anleitung!"),
    ]


def test_an_unlisted_layout_is_cut_at_its_repeated_header_and_furniture_is_left_out():
    thread = page("""\
        Night buses return to the east side
        By Rita Osei
        March 4, 2024
        The night bus network returns to the east side from April, after two years in which the
        routes were cut back to save money during the driver shortage, the operator said.

        Comments (3)
        Sam Oduya
        3 hours ago
        Finally. The taxi home was costing me a fortune.
        ♥ 12
        Reply
        Leila Park
        2 hours ago
        Does it stop at the hospital?
        ♥ 3
        Reply
        Tom Hurst
        1 hour ago
        It does, every twenty minutes.
        ♥ 1
        Reply
        """)
    assert thread.title == "Night buses return to the east side"
    assert thread.author == "Rita Osei"
    assert [(c.author, c.text, c.created_at) for c in thread.comments] == [
        ("Sam Oduya", "Finally. The taxi home was costing me a fortune.", None),
        ("Leila Park", "Does it stop at the hospital?", None),
        ("Tom Hurst", "It does, every twenty minutes.", None),
    ]


def test_reply_to_lines_nest_a_flat_list():
    thread = page("""\
        Library opens on Sundays

        3 thoughts on “Library opens on Sundays”
        Ann Moss
        March 11, 2024 at 7:14 pm
        Wonderful news.
        Reply
        Ben Tully
        March 11, 2024 at 7:52 pm
        In reply to Ann Moss.
        Agreed, at last.
        Reply
        Cara Lim
        March 11, 2024 at 8:30 pm
        In reply to Ben Tully.
        Same here.
        Reply
        """)
    assert [(c.author, c.depth) for c in thread.comments] == [
        ("Ann Moss", 0),
        ("Ben Tully", 1),
        ("Cara Lim", 2),
    ]
    assert "In reply to" not in " ".join(c.text for c in thread.comments)


def test_a_forums_first_post_is_the_opening_post_read_as_a_comment():
    thread = page("""\
        Board index
        Why do my seedlings fall over?
        Post by fernleaf » Mon Mar 04, 2024 9:12 pm
        They grow tall and thin, then fall over at soil level.
        Top
        Post by mossbank » Mon Mar 04, 2024 9:40 pm
        That is damping off. Water from below and give them more air.
        Top
        Post by fernleaf » Tue Mar 05, 2024 7:58 am
        Thanks, I will try that.
        Top
        """)
    assert thread.author == "fernleaf"
    assert thread.article is None
    opening, *replies = thread.comments
    assert (opening.id, opening.extra) == (f"{thread.id}/0", {"opening_post": True})
    assert opening.text.startswith("They grow tall and thin")
    assert opening.created_at == "2024-03-04T21:12"
    assert [(c.author, c.created_at, c.depth) for c in replies] == [
        ("mossbank", "2024-03-04T21:40", 0),
        ("fernleaf", "2024-03-05T07:58", 0),
    ]


@pytest.mark.parametrize(
    "line",
    [" " * 20_000, "a" + " " * 20_000 + "x", "a, " * 7_000, "\t " * 10_000 + "x"],
)
def test_a_pathological_line_is_read_as_text(line):
    """Runs of white space once cost seconds (regexes scanned from every space); the line is
    now one more line of the comment's text. Its timing is in benchmarks/page_dump_speed.py."""
    thread = page(
        "A headline\n\nBy Sam Writer\n\n2 comments\n\nAnn Lee says:\nMarch 3, 2024 at 9:41 am\n"
        f"{line}\nReply\nBo Chen says:\nMarch 3, 2024 at 9:50 am\nHello.\nReply\n"
    )
    assert [c.author for c in thread.comments] == ["Ann Lee", "Bo Chen"]
    assert thread.comments[1].text == "Hello."


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["Ann says:", "March 3, 2024", "Reply", "Hi.", "", "  x"])))
def test_any_arrangement_of_header_like_lines_parses(pieces):
    thread = parse_page("\n".join(["Title", "3 comments", *pieces]), "p")
    for comment in thread.comments:
        assert comment.depth == 0 or comment.parent_id is not None


def test_a_header_shaped_line_kept_inside_a_comment_is_reported():
    thread, warnings = read_page(
        textwrap.dedent("""\
            Streetlights that dim at night
            142 points by lampwright 9 hours ago | hide | past | favorite | 2 comments

            ohmsford 8 hours ago | next [–]
            PIR sensors, the cheap kind.
            Tuesday 14 March 2023
            was when they all died.

            kelvin_k 5 hours ago | prev [–]
            Nice to see councils trying.
            """),
        "p",
    )
    assert [c.author for c in thread.comments] == ["ohmsford", "kelvin_k"]
    assert "Tuesday 14 March 2023" in thread.comments[0].text
    assert any("Tuesday 14 March 2023" in w and "ohmsford" in w for w in warnings)


def test_a_date_printed_above_the_name_is_that_post_s_date():
    thread = page("""\
        Light Seal Forum > Cameras > Repairs
        Replacing light seals on an old rangefinder
        Old 03-14-2024, 09:12 PM   #1 (permalink)
        foamcutter
        Join Date: Jan 2020
        Which foam thickness do I need for the door channel?
        Reply With Quote
        Old 03-14-2024, 10:40 PM   #2 (permalink)
        Ed Varga
        Join Date: Mar 2011
        Use 1.5 mm in the channel and 3 mm at the hinge.
        Ed
        Reply With Quote
        Old Today, 08:15 AM   #3 (permalink)
        foamcutter
        Join Date: Jan 2020
        Thanks, that worked.
        Reply With Quote
        """)
    assert thread.author == "foamcutter"
    got = [(c.author, c.created_at, c.text) for c in replies(thread)]
    assert got == [
        ("Ed Varga", "2024-03-14T22:40", "Use 1.5 mm in the channel and 3 mm at the hinge.\nEd"),
        ("foamcutter", None, "Thanks, that worked."),
    ]


def test_a_date_under_the_text_belongs_to_the_comment_above():
    thread = page("""\
        Tove Lind
        @tove@velo.town
        The new bike lane on Strandvägen is open and it is already full of delivery vans.
        Mar 12, 2024, 09:41
        Reply Repeat Favorite React
        Per Holm
        @per@mastodon.example
        Reply to @tove
        Same on Kungsgatan, vans every fifty metres.
        Mar 12, 2024, 10:02
        Reply Repeat Favorite React
        Tove Lind
        @tove@velo.town
        Reply to @per
        Did you report them?
        Mar 12, 2024, 10:15
        Reply Repeat Favorite React
        """)
    assert thread.author == "Tove Lind"
    assert thread.published == "2024-03-12T09:41"
    got = [(c.author, c.created_at, c.depth) for c in replies(thread)]
    assert got == [("Per Holm", "2024-03-12T10:02", 0), ("Tove Lind", "2024-03-12T10:15", 1)]


def test_answers_signed_after_their_text_and_comments_signed_on_their_line():
    thread = page("""\
        Why does my cast iron pan rust after washing?
        I dry it with a towel straight after washing and it still shows orange spots.
        Share
        Follow
        asked Mar 11, 2022 at 8:15
        Hana Ito
        Is it enamelled or bare? – Joe Mills Mar 11, 2022 at 8:40
        2 Answers
        Put it back on the hob for a minute until it is bone dry, then oil it.
        Share
        Follow
        edited Mar 12, 2022 at 11:02
        Kim Park
        answered Mar 11, 2022 at 9:00
        Rosa Lind
        That fixed it, thanks. – Hana Ito Mar 11, 2022 at 20:00
        Stop washing it with soap.
        Share
        Follow
        answered Mar 11, 2022 at 10:00
        tom_k
        """)
    assert thread.author == "Hana Ito"
    assert thread.declared_comments == 2
    got = [(c.author, c.depth, c.created_at, c.text) for c in replies(thread)]
    assert got == [
        ("Joe Mills", 0, "2022-03-11T08:40", "Is it enamelled or bare?"),
        (
            "Rosa Lind",
            0,
            "2022-03-11T09:00",
            "Put it back on the hob for a minute until it is bone dry, then oil it.",
        ),
        ("Hana Ito", 1, "2022-03-11T20:00", "That fixed it, thanks."),
        ("tom_k", 0, "2022-03-11T10:00", "Stop washing it with soap."),
    ]


def test_header_lines_alike_but_for_digits_keep_their_own_names_and_dates():
    thread = page("""\
        A headline

        2 comments

        user123 | March 3, 2024 at 9:41 am
        Hello there, friend.
        user456 | March 12, 2024 at 10:02 pm
        Bye now, friend.
        """)
    got = [(c.author, c.created_at) for c in thread.comments]
    assert got == [("user123", "2024-03-03T09:41"), ("user456", "2024-03-12T22:02")]


@pytest.mark.parametrize("suffix", [".txt", ".html"])
def test_flag_scores_a_forums_opening_post_like_any_comment(runner, tiny_model, tmp_path, suffix):
    opening = "They staged it and the cabal is hiding the truth from everyone."
    if suffix == ".txt":
        content = (
            "Board index\nWhy do my seedlings fall over?\n"
            f"Post by fernleaf » Mon Mar 04, 2024 9:12 pm\n{opening}\nTop\n"
            "Post by mossbank » Mon Mar 04, 2024 9:40 pm\nWater them from below.\nTop\n"
        )
    else:
        post = (
            '<div id="p{n}" class="post bg1"><div class="postbody"><p class="author">by '
            '<strong><a href="./memberlist.php?mode=viewprofile&u={n}">{who}</a></strong> '
            '&raquo; Mon Mar 04, 2024 9:1{n} pm</p><div class="content">{text}</div></div></div>'
        )
        content = "<html><body><h2>Why do my seedlings fall over?</h2>" + "".join(
            post.format(n=n, who=w, text=t)
            for n, (w, t) in enumerate([("fernleaf", opening), ("mossbank", "Water them.")], 1)
        )
    source = tmp_path / f"forum{suffix}"
    source.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["flag", str(source), "-m", str(tiny_model)])
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["id"] for row in rows] == ["forum/0", "forum/1"]
    assert rows[0]["scores"] is not None and rows[0]["text"] == opening


def test_w3m_image_placeholders_and_star_bullets_before_names():
    thread = page("""\
        12 Kommentare

         1. [677] sara sagt:
            Juli 30, 2013 um 2:33 pm

            Warum zweimal Zucker?

            Antworten
              □ [749] admin sagt:
                Juli 30, 2013 um 5:53 pm

                Danke, korrigiert!

                Antworten
                  ☆ [6a1] Mira sagt:
                    November 30, 2013 um 5:10 pm

                    Super Rezept

                    Antworten
        """)
    assert [(c.author, c.depth, c.created_at) for c in thread.comments] == [
        ("sara", 0, "2013-07-30T14:33"),
        ("admin", 1, "2013-07-30T17:53"),
        ("Mira", 2, "2013-11-30T17:10"),
    ]


def test_a_says_line_is_a_header_when_a_date_closes_the_text_under_it():
    thread = page("""\
        Una noticia sobre el presupuesto
        2 comentarios
        Enviar Comentario
          * Ramón dijo:
            Estoy convencido de que no son pocos los que quieren conocer el programa.
            26 abril 2022 a las 14:02
            / Responder
          * Lidia dijo:
            Lo mismo pienso yo.
            26 abril 2022 a las 15:11
            / Responder
        """)
    assert [(c.author, c.created_at, c.text) for c in thread.comments] == [
        (
            "Ramón",
            "2022-04-26T14:02",
            "Estoy convencido de que no son pocos los que quieren conocer el programa.",
        ),
        ("Lidia", "2022-04-26T15:11", "Lo mismo pienso yo."),
    ]


def test_forum_posts_headed_by_last_edited_by_and_a_file_name_is_not_a_date():
    thread = page("""\
        Home
        Allotment waiting lists
        ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
          • moss
            moss Gardener  last edited by moss
            How long did everyone wait for a plot?
            photo 2024-03-11 o 20.53.41.png
            Reply Quote  3
            1 Reply Last reply
        ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
          • F
            fenwick  last edited by
            Three years here.
            Reply Quote  0
        ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
          • tula
            tula  last edited by tula
            Four for me.
            Reply Quote  0
        """)
    assert thread.author == "moss"
    assert [(c.author, c.text) for c in replies(thread)] == [
        ("fenwick", "Three years here."),
        ("tula", "Four for me."),
    ]


def test_comments_whose_header_follows_their_text_keep_their_own_text():
    thread = page("""\
        Nowy most
        By Anna Mrozek

        Most będzie gotowy jesienią, mówi burmistrz, a prace potrwają jeszcze dwa lata.

        Komentarze (3)

        #1
        Wreszcie! Czekamy na to od lat.
        kasia_b · 11.03.2024 19:02
        Odpowiedz Cytuj
        #2
        Stary most zostaje do lata.
        Tomek · 11.03.2024 20:15
        Odpowiedz Cytuj
        #3
        A ścieżka rowerowa?
        Ela W. · 12.03.2024 08:30
        Odpowiedz Cytuj
        """)
    assert [(c.author, c.created_at, c.text) for c in thread.comments] == [
        ("kasia_b", "2024-03-11T19:02", "Wreszcie! Czekamy na to od lat."),
        ("Tomek", "2024-03-11T20:15", "Stary most zostaje do lata."),
        ("Ela W.", "2024-03-12T08:30", "A ścieżka rowerowa?"),
    ]


def test_a_date_under_the_buttons_closes_the_comment_above_and_its_sign_off_stays_its_text():
    thread = page("""\
        Zitronenkuchen vom Blech
        Von Kathrin, 1. Februar 2017

        Der Kuchen ist schnell gemacht und bleibt lange saftig, wenn man ihn gut einpackt.

        7
        Hinterlasse einen Kommentar

        FranziFranzi
        Franzi

        Liebe Kathrin, sehr lecker!
        Franzi

        Antworten
        19. Februar 2017 20:00
        AlexandraAlexandra
        Alexandra

        Geht das auch als Muffins?

        Antworten
        15. Februar 2017 09:49
        """)
    assert thread.declared_comments == 7
    assert [(c.author, c.created_at, c.text) for c in thread.comments] == [
        ("Franzi", "2017-02-19T20:00", "Liebe Kathrin, sehr lecker!\nFranzi"),
        ("Alexandra", "2017-02-15T09:49", "Geht das auch als Muffins?"),
    ]


def test_a_name_glued_to_the_date_after_it_is_read_apart():
    thread = page("""\
        Rhabarberkuchen mit Streuseln
        Posted by Lena at 9:41 AM

        Der Kuchen braucht nur eine Stunde und schmeckt am zweiten Tag noch besser als am ersten.

        3 comments:

        IwonaMay 30, 2019 at 1:06 PM
        Sieht super aus!
        Reply
        Unknown June 2, 2019 at 8:15 AM
        Mit Vanillesoße?
        Reply
        KimMay 31, 2019 at 6:02 PM
        Gleich ausprobiert.
        Reply
        """)
    assert [(c.author, c.created_at, c.text) for c in thread.comments] == [
        ("Iwona", "2019-05-30T13:06", "Sieht super aus!"),
        ("Unknown", "2019-06-02T08:15", "Mit Vanillesoße?"),
        ("Kim", "2019-05-31T18:02", "Gleich ausprobiert."),
    ]


def test_bylines_printed_after_each_comment_sign_the_text_above_them():
    thread = page("""\
        Summer fete
        Posted on 17.07.2011 by admin

        The fete will be held in the old orchard on Saturday and everyone in the village is welcome.

        3 Comments

        Lovely, see you there!
        Comment by Ann — 17.07, 2011 @ 13:04

        Can we bring dogs?
        Comment by Bob — 17.07, 2011 @ 14:10

        Yes, on leads.
        Comment by admin — 17.07, 2011 @ 15:22

        Leave a Reply
        """)
    assert [(c.author, c.created_at, c.text) for c in thread.comments] == [
        ("Ann", "2011-07-17T13:04", "Lovely, see you there!"),
        ("Bob", "2011-07-17T14:10", "Can we bring dogs?"),
        ("admin", "2011-07-17T15:22", "Yes, on leads."),
    ]
