"""Cutting an export into partitions that flag apart with the rows of one pass: the plan, the
one-pass memory replayed, the flags taken in order, and the reports merged."""

from __future__ import annotations

import json

from moderation.errors import InputError
from moderation.flagging.partitions import (
    finish_report,
    flag_in_order,
    merge_report,
    plan_partitions,
    restarts,
    splits_into_blocks,
)
from moderation.formats import ParseReport, ReadOptions
from moderation.quotes import ConversationTracker

from fixtures.files import read_all


class Done:
    """A future that is already done; ``released`` says whether it was let go."""

    def __init__(self, value):
        self.value, self.released = value, False

    def result(self):
        return self.value

    def release(self):
        self.released = True


class Inline:
    """A runner that runs each task at once, in this process."""

    workers = 1

    def __init__(self):
        self.flagged = []

    def submit(self, fn, *args):
        return Done(fn(*args))

    def flag(self, part):
        self.flagged.append(part)
        return Done(part)


def two_threads_taking_turns(path, per_thread=6):
    records = []
    for i in range(per_thread):
        parent = f"a{i - 1}" if i else None
        records.append({"id": f"a{i}", "thread_id": "a", "parent_id": parent, "text": f"a {i}"})
        records.append({"id": f"b{i}", "thread_id": "b", "text": f"b {i}"})
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_blocks_follow_each_other_and_a_thread_across_them_keeps_its_one_pass_depths(tmp_path):
    path = two_threads_taking_turns(tmp_path / "x.jsonl")
    parts, threads = plan_partitions(Inline(), str(path), "jsonl", ReadOptions(), 200)
    assert threads == 2 and len(parts) > 2
    assert [p.index for p in parts] == list(range(len(parts)))
    assert parts[0].span.start == 0
    tracked = {position: value for part in parts for position, value in part.tracked.items()}
    depths = [tracked[position][0] for position in sorted(tracked)]
    _, comments, _ = read_all(path)
    assert depths == [c.depth for c in comments]  # a's chain runs 0..5 across the blocks
    assert all(parent_seen for _, _, parent_seen in tracked.values())


def test_a_csv_is_cut_only_between_records_and_counts_the_threads_of_one_pass(tmp_path):
    path = tmp_path / "x.csv"
    header = "id,thread_id,text\n"
    rows = [f'{n},t{n % 3},"line one\nline two of {n}"\n' for n in range(12)]
    path.write_text(header + "".join(rows), encoding="utf-8")
    record_starts, offset = {0}, len(header)
    for row in rows:
        record_starts.add(offset)
        offset += len(row)
    parts, threads = plan_partitions(Inline(), str(path), "csv", ReadOptions(), 50)
    _, comments, _ = read_all(path)
    assert threads == len({c.thread_id for c in comments}) == 3
    assert len(parts) > 2
    assert {p.span.start for p in parts} <= record_starts | {offset}


def test_restarts_replay_the_one_pass_memory():
    tracker = ConversationTracker(max_threads=2)
    runs = [("a", 0), ("b", 1), ("a", 2), ("c", 3), ("d", 4), ("a", 5), ("a", 6)]
    assert restarts(runs, 2) == {"a": {5}}
    forgotten = []
    for thread, _ in runs:  # the tracker itself forgets "a" at the same place
        forgotten.append(thread in tracker._threads or thread == "d")
        tracker._state(thread)
    assert forgotten == [False, False, True, False, True, False, True]


def test_flags_come_in_order_with_at_most_two_per_worker_and_one_pending():
    class Counting(Inline):
        def __init__(self):
            super().__init__()
            self.taken, self.most_ahead = 0, 0

        def flag(self, part):
            self.most_ahead = max(self.most_ahead, len(self.flagged) + 1 - self.taken)
            return super().flag(part)

    runner = Counting()
    taken = []
    for flags in flag_in_order(runner, list(range(10))):
        taken.append(flags)
        runner.taken += 1
    assert taken == list(range(10))
    assert runner.most_ahead == 2 * runner.workers + 1


def test_a_finished_future_is_released():
    runner = Inline()
    futures = []
    runner.flag = lambda part: futures.append(Done(part)) or futures[-1]
    assert list(flag_in_order(runner, ["p"])) == ["p"]
    assert futures[0].released


def test_reports_merge_and_finish_with_threads_counted_once_and_warnings_once():
    whole = ParseReport("x.jsonl", comments=2, threads=1, warnings=["not UTF-8"])
    part = ParseReport("x.jsonl", format="jsonl", comments=3, labelled=1, threads=2)
    part.warnings.append("not UTF-8")
    part.skipped.append(InputError("x.jsonl", "broken", line=9))
    merge_report(whole, part)
    assert (whole.format, whole.comments, whole.labelled, whole.threads) == ("jsonl", 5, 1, 3)
    assert [e.line for e in whole.skipped] == [9]
    finish_report(whole, threads=2, orphans=4)
    assert whole.threads == 2
    assert whole.warnings[0] == "not UTF-8" and len(whole.warnings) == 2
    assert "4 repl(ies) name a parent" in whole.warnings[1]
    finish_report(whole, threads=None, orphans=0)
    assert whole.threads == 2 and len(whole.warnings) == 2


def test_only_files_whose_line_breaks_are_bytes_split_into_blocks(tmp_path):
    utf8, utf16 = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    utf8.write_text('{"text": "x"}\n', encoding="utf-8")
    utf16.write_text('{"text": "x"}\n', encoding="utf-16")
    assert splits_into_blocks(str(utf8), ReadOptions())
    assert not splits_into_blocks(str(utf16), ReadOptions())
