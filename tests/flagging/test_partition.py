"""One flagging task: a partition read in chunks, its comments flagged and encoded as rows;
a block's comments given the depths the planner tracked across blocks."""

from __future__ import annotations

import gc
import json

from moderation.comments import Comment, Thread
from moderation.flagging.partition import (
    FEWER_COLLECTIONS,
    Partition,
    comment_chunks,
    flag_partition,
    two_ahead,
)
from moderation.flagging.summary import FlagSummary
from moderation.flagging.writers import RowFormat
from moderation.formats import ReadOptions
from moderation.formats.source import ByteSpan

ABUSE = "You pathetic worm, crawl back under your rock and stay there."


def comment(n: int) -> Comment:
    return Comment(id=str(n), thread_id="t", text="x")


def export(path, texts: list[str]):
    records = [
        {"id": f"c{n}", "thread_id": "t", "parent_id": f"c{n - 1}" if n else None, "text": text}
        for n, text in enumerate(texts)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return str(path)


def test_comments_come_in_chunks_of_the_size_asked_and_titles_go_to_the_summary():
    summary = FlagSummary()
    records = [Thread(id="t", title="A post"), *map(comment, range(5))]
    chunks = list(comment_chunks(iter(records), summary, size=2))
    assert [[c.id for c in chunk] for chunk in chunks] == [["0", "1"], ["2", "3"], ["4"]]
    assert summary.thread_titles == {"t": "A post"}


def test_two_ahead_says_whether_there_is_more_than_one_chunk_and_loses_none():
    many, chunks = two_ahead(iter([[comment(0)], [comment(1)], [comment(2)]]))
    assert many and [c[0].id for c in chunks] == ["0", "1", "2"]
    one, chunks = two_ahead(iter([[comment(0)]]))
    assert not one and [c[0].id for c in chunks] == ["0"]


def test_a_whole_export_is_flagged_into_rows_with_its_report(model, tmp_path):
    path = export(tmp_path / "in.jsonl", [ABUSE, "Lovely photos of the harbour."])
    part = Partition(path, "jsonl")
    flags = flag_partition(part, model, None, RowFormat())
    rows = [json.loads(line) for line in flags.data.splitlines()]
    assert [(r["id"], r["prediction"]) for r in rows] == [("c0", "abusive"), ("c1", "civil")]
    assert flags.written == 2 and flags.summary.comments == 2
    assert (flags.report.format, flags.report.comments) == ("jsonl", 2)
    only = flag_partition(part, model, None, RowFormat(), only_flagged=True)
    assert only.written == 1 and json.loads(only.data)["id"] == "c0"


def test_a_block_counts_replies_whose_parent_neither_it_nor_the_planner_saw(model, tmp_path):
    path = export(tmp_path / "in.jsonl", ["one", "two", "three"])
    size = (tmp_path / "in.jsonl").stat().st_size
    second = (tmp_path / "in.jsonl").read_bytes().index(b"\n") + 1
    block = ByteSpan(second, size, 2)  # c1 and c2: c1's parent is in the block before
    alone = flag_partition(
        Partition(path, "jsonl", ReadOptions(), 1, block), model, None, RowFormat()
    )
    assert alone.orphans == 1
    # a thread found in several blocks is tracked whole by the planner, which saw c0
    tracked = {(1, 0): (1, [], True), (1, 1): (2, [], True)}
    told = flag_partition(
        Partition(path, "jsonl", ReadOptions(), 1, block, tracked=tracked), model, None, RowFormat()
    )
    assert told.orphans == 0
    assert [json.loads(line)["id"] for line in told.data.splitlines()] == ["c1", "c2"]


def test_the_collector_s_thresholds_are_put_back_after_a_partition(model, tmp_path):
    before = gc.get_threshold()
    assert before != FEWER_COLLECTIONS
    flag_partition(
        Partition(export(tmp_path / "in.jsonl", ["hi"]), "jsonl"), model, None, RowFormat()
    )
    assert gc.get_threshold() == before
