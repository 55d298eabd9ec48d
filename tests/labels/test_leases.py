"""Leases in the label store, attacked as the red team did: two review servers on one store
(findings 7), and one client asking for the next comment under many made-up names (finding
10)."""

from __future__ import annotations

from moderation.comments import Comment
from moderation.labels.leases import NEWCOMER_LEASES, Leases
from moderation.labels.review.queue import QueueItem
from moderation.labels.review.shared import SharedQueue
from moderation.labels.store import LabelStore

from fixtures.servers import start_moderation_server
from review_http import post_json as _post
from review_http import write_review_export


def _item(state):
    return state["item"]["id"] if state["item"] else None


def test_two_review_servers_on_one_store_never_show_one_comment_to_two(tmp_path, tiny_model):
    """`serve --review` and `moderation review` on one store, ana on one and ben on the
    other answering in turn: before, they were shown the same comment every time (30 of 30:
    30 disagreements). Then 60 made-up names ask for a comment: they hold a few comments
    between them, not the whole queue, and a real moderator is still handed one."""
    store = tmp_path / "labels.db"
    export = write_review_export(tmp_path / "export.jsonl", 60)
    model = ["--model", str(tiny_model)]
    one, _, first = start_moderation_server(
        ["serve", "--labels", str(store), "--review", str(export), *model]
    )
    two, _, second = start_moderation_server(["review", str(export), "--store", str(store), *model])
    try:
        shown = []
        ana = _post(first, "/review/api/state", {"labeller": "ana"})[1]
        ben = _post(second, "/review/api/state", {"labeller": "ben"})[1]
        for _ in range(10):
            shown.append((_item(ana), _item(ben)))
            _, ana = _post(
                first,
                "/review/api/answer",
                {"labeller": "ana", "id": _item(ana), "answer": "civil"},
            )
            _, ben = _post(
                second,
                "/review/api/answer",
                {"labeller": "ben", "id": _item(ben), "answer": "abusive"},
            )
        assert all(a and b and a != b for a, b in shown)
        with LabelStore(store) as opened:
            assert {c.state for c in opened.current_all().values()} == {"labelled"}
            assert len(opened) == 20

        ghosts = {
            _item(_post(second, "/review/api/state", {"labeller": f"ghost{n}"})[1])
            for n in range(60)
        }
        assert None not in ghosts
        status, real = _post(first, "/review/api/state", {"labeller": "real-moderator"})
        assert status == 200 and _item(real) is not None
        with LabelStore(store) as opened:
            held = opened._fetch("SELECT count(*) FROM leases")[0][0]
        assert held <= NEWCOMER_LEASES + 2  # the ghosts' few, ana's and ben's
    finally:
        for server in (one, two):
            server.terminate()
            server.wait(timeout=30)
            server.stdout.close()


def _queue_item(cid):
    scores = {"civil": 0.5, "abusive": 0.5, "conspiracy": 0.0}
    return QueueItem(Comment(cid, "t", f"text of {cid}"), scores, "civil", [])


def test_a_moderator_who_has_answered_keeps_their_lease_newcomers_share_a_few(tmp_path):
    store = LabelStore(tmp_path / "labels.db")
    items = [_queue_item(f"c{i}") for i in range(10)]
    queue = SharedQueue(items, store, model_id="m")
    first = queue.state("ana")["item"]
    queue.answer("ana", first, "civil")  # ana has answered: no newcomer any more
    held = queue.state("ana")["item"]
    queue.leases.newcomer_leases = 3
    ghosts = [queue.state(f"ghost{n}")["item"] for n in range(8)]
    assert None not in ghosts and held not in ghosts
    assert queue.state("ana")["item"] == held
    live = dict(store._fetch("SELECT comment_id, labeller FROM leases"))
    assert sum(name.startswith("ghost") for name in live.values()) == 3
    # a second queue object over the same store (another process) honours the leases
    other = SharedQueue(items, LabelStore(tmp_path / "labels.db"), model_id="m")
    assert other.state("ben")["item"] not in live


def test_a_lease_is_one_labellers_and_runs_out(tmp_path):
    store = LabelStore(tmp_path / "labels.db")
    now = [1000.0]
    leases = Leases(store, seconds=60, clock=lambda: now[0])
    assert leases.hand_out("ana", lambda leased: "c1") == "c1"
    assert leases.hand_out("ben", lambda leased: "c2" if "c1" in leased else "c1") == "c2"
    assert leases.holder("c1") == "ana" and leases.renew("ana", "c1")
    assert not leases.renew("ben", "c1")
    now[0] += 61
    assert leases.holder("c1") is None and not leases.renew("ana", "c1")
    assert leases.hand_out("ben", lambda leased: "c1" if "c1" not in leased else None) == "c1"


def test_the_terminal_leaves_to_others_what_the_page_shows_them_and_the_page_likewise(tmp_path):
    """`moderation label` in a terminal beside the review page (finding 7 names it too):
    a comment the page shows ben is left to him, and while the terminal shows ana a comment
    the page shows it to nobody else."""
    from moderation.labels.review.loop import review_loop

    items = [_queue_item(f"c{i}") for i in range(4)]
    page = SharedQueue(items, LabelStore(tmp_path / "labels.db"), model_id="m")
    bens = page.state("ben")["item"]
    shown, said = [], []

    def show(item, at, total, again):
        shown.append((item.comment.id, page.state("cy")["item"]))

    with LabelStore(tmp_path / "labels.db") as store:
        keys = iter("cccc")
        given = review_loop(
            items,
            store,
            labeller="ana",
            model_id="m",
            read_key=lambda: next(keys, ""),
            show=show,
            say=said.append,
        )
        assert bens not in {ana for ana, _ in shown}
        assert all(ana != cys for ana, cys in shown)
        assert any(f"{bens} is being reviewed by ben" in message for message in said)
        assert sum(given.values()) == len(shown) >= 1
        assert store._fetch("SELECT count(*) FROM leases WHERE labeller = 'ana'")[0][0] == 0
