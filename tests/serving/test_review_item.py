"""A comment as the review page shows it, the page's assets, and the desk reading an export."""

from __future__ import annotations

from moderation.labels.store import LabelStore
from moderation.serving.review_item import parent_pieces, text_pieces


def test_text_pieces_mark_quotes_and_the_strongest_word():
    from moderation.comments import QuoteSpan

    text = "> you said it\nwhat an idiot move"
    quotes = [QuoteSpan(0, 13, "marked")]
    terms = [
        {"term": "idiot move", "contribution": 0.5, "spans": [[22, 32]]},
        {"term": "idiot", "contribution": 2.0, "spans": [[22, 27]]},
    ]
    pieces = text_pieces(text, quotes, terms)
    assert "".join(p["text"] for p in pieces) == text
    assert pieces[0] == {"text": "> you said it", "quote": True}
    assert {"text": "idiot", "term": "idiot", "contribution": 2.0} in pieces
    assert {"text": " move", "term": "idiot move", "contribution": 0.5} in pieces
    parent = parent_pieces(text, quotes, "Well, you said it yourself.")
    assert parent == [
        {"text": "Well, "},
        {"text": "you said it", "quoted": True},
        {"text": " yourself."},
    ]
    assert parent_pieces(text, [], None) is None


def test_the_page_ships_in_the_package_and_fetches_nothing_from_elsewhere():
    import re
    from importlib import resources

    static = resources.files("moderation.serving").joinpath("static")
    names = sorted(entry.name for entry in static.iterdir())
    assert names == ["favicon.svg", "review.css", "review.html", "review.js"]
    for name in names:
        text = static.joinpath(name).read_text("utf-8")
        assert not re.search(
            r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text.replace("http://www.w3.org/2000/svg", "")
        ), name
    script = static.joinpath("review.js").read_text("utf-8")
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script  # text only


def test_the_desk_reads_any_export_the_label_command_reads(tmp_path, tiny_model):
    from moderation.serving.app import ServeSettings
    from moderation.serving.keys import Keys
    from moderation.serving.review_page import review_desk_for

    export = tmp_path / "odd.csv"
    export.write_text(
        "ref,said,topic\n"
        "x1,You are a brainless idiot and a worm.,t\n"
        "x2,The library opens late on Thursdays now.,t\n"
    )
    settings = ServeSettings(
        model=str(tiny_model),
        review=str(export),
        review_order="flagged",
        review_columns=["said", "ref", None, "topic", None, None, None],
        # between the two comments' P(abusive) (about 0.75 and 0.26 under the tiny model): a
        # threshold the user sets is honoured even where the words give little evidence
        review_thresholds=["abusive=0.5", "conspiracy=1.0"],
    )
    with LabelStore(tmp_path / "s.db") as store:
        desk = review_desk_for(settings, store, Keys(None))
        view = desk.view(desk.queue.state("ana"))
    assert view["item"]["id"] == "x1" and view["item"]["flags"] == ["abusive"]
    assert view["progress"]["total"] == 1  # flagged only: the library one is not
    pieces = view["item"]["explanation"]["abusive"]["pieces"]
    assert "".join(p["text"] for p in pieces) == "You are a brainless idiot and a worm."
    assert ServeSettings(**__import__("orjson").loads(settings.to_env())) == settings
