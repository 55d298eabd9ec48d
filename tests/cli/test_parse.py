"""`moderation parse` (cli/parse.py): canonical JSONL to a file or stdout, a threads file with
comment counts, a readable tree; a refused export writes nothing."""

from __future__ import annotations

import json

from moderation.cli import app

from fixtures.files import SAMPLES

EXPORT = SAMPLES / "comments.csv"


def test_comments_and_threads_files_with_their_counts(runner, tmp_path):
    out, threads = tmp_path / "comments.jsonl", tmp_path / "threads.jsonl"
    result = runner.invoke(
        app, ["parse", str(EXPORT), "-o", str(out), "--threads-out", str(threads)]
    )
    assert result.exit_code == 0, result.output
    comments = [json.loads(line) for line in out.read_text().splitlines()]
    counted = {
        t["id"]: t["comment_count"] for t in map(json.loads, threads.read_text().splitlines())
    }
    assert len(comments) == sum(counted.values()) == 6
    assert {c["thread_id"] for c in comments} == set(counted)


def test_the_tree_shows_threads_and_replies_indented(runner):
    result = runner.invoke(app, ["parse", str(EXPORT), "--tree"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("# ") and lines[1].startswith("- ")
    assert any(line.startswith("    - ") for line in lines)


def test_a_refused_export_leaves_no_output(runner, tmp_path):
    bad, out = tmp_path / "bad.csv", tmp_path / "out.jsonl"
    bad.write_text("author,when\nana,2024-01-01\n")  # no text column
    result = runner.invoke(app, ["parse", str(bad), "-o", str(out)])
    assert result.exit_code == 2 and "text column" in result.output
    assert not out.exists()
