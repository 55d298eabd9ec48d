"""The processes that flag beside the reader: a pool running partitions, and a scoring worker
one chunk behind the reading; both give the rows of one process."""

from __future__ import annotations

import io
import json

from moderation.comments import Comment
from moderation.flagging.chunk import as_language_models, flag_chunk
from moderation.flagging.partition import Partition, PartitionFlags, flag_partition, write_rows
from moderation.flagging.summary import FlagSummary
from moderation.flagging.workers import LocalPool, ScoringWorker
from moderation.flagging.writers import RowFormat, RowWriter
from moderation.formats import ParseReport

ABUSE = "You pathetic worm, crawl back under your rock and stay there."
TEXTS = [ABUSE, "Lovely photos of the harbour.", "", "The ferry is late again."]


def chunks(count: int, size: int = 3) -> list[list[Comment]]:
    return [
        [
            Comment(id=f"c{n}-{i}", thread_id="t", text=TEXTS[(n + i) % len(TEXTS)])
            for i in range(size)
        ]
        for n in range(count)
    ]


def run(scorer, models, thresholds, count: int, only_flagged: bool = False):
    """Rows, summary and count written of ``count`` chunks: by ``scorer``, or (None) here."""
    out = io.BytesIO()
    result = PartitionFlags(b"", FlagSummary(), ParseReport("x"))
    sink = RowWriter(out, RowFormat(), header=False)
    if scorer is None:
        for chunk in chunks(count):
            rows = flag_chunk(chunk, models, thresholds)
            result.summary.add(chunk, rows)
            write_rows(result, sink, rows, only_flagged)
    else:
        scorer.flag_chunks(iter(chunks(count)), sink, result, only_flagged)
    return out.getvalue(), result.summary.to_dict(), result.written


def test_one_chunk_is_scored_here_without_starting_a_worker(model):
    models, thresholds = as_language_models(model)
    scorer = ScoringWorker(models, thresholds)
    try:
        assert run(scorer, models, thresholds, 1) == run(None, models, thresholds, 1)
        assert scorer.pool is None
    finally:
        scorer.close()


def test_several_chunks_scored_in_the_worker_give_the_rows_of_this_process(model):
    models, thresholds = as_language_models(model)
    scorer = ScoringWorker(models, thresholds)
    try:
        data, summary, written = run(scorer, models, thresholds, 4, only_flagged=True)
        assert scorer.pool is not None
    finally:
        scorer.close()
    assert (data, summary, written) == run(None, models, thresholds, 4, only_flagged=True)
    rows = [json.loads(line) for line in data.splitlines()]
    assert rows and all(row["flags"] for row in rows)
    assert summary["comments"] == 12


def test_the_pool_flags_a_partition_as_this_process_does(model, tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(
        "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(TEXTS)),
        encoding="utf-8",
    )
    models, thresholds = as_language_models(model)
    part = Partition(str(path), "jsonl")
    here = flag_partition(part, models, thresholds, RowFormat())
    with LocalPool(models, thresholds, RowFormat(), False, workers=1) as pool:
        there = pool.flag(part).result()
        assert pool.submit(sum, [1, 2]).result() == 3
    assert there.data == here.data and there.written == len(TEXTS)
    assert there.summary.to_dict() == here.summary.to_dict()
