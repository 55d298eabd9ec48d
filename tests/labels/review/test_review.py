"""`moderation label`: spreadsheet export and import, the terminal loop."""

from __future__ import annotations

import csv
import json

from moderation.cli import app
from moderation.comments import Comment
from moderation.labels.review.queue import QueueItem

from fixtures.files import SAMPLES
from fixtures.stores import label_record, store_history, store_labels

DISQUS = SAMPLES / "disqus.xml"


def _export(runner, tmp_path, model, *extra):
    store, queue = tmp_path / "labels.db", tmp_path / "queue.csv"
    result = runner.invoke(
        app,
        [
            "label",
            str(DISQUS),
            "--store",
            str(store),
            "--model",
            str(model),
            "--export",
            str(queue),
            *extra,
        ],
    )
    assert result.exit_code == 0, result.output
    with open(queue, encoding="utf-8-sig", newline="") as handle:
        return store, queue, list(csv.DictReader(handle))


def test_export_without_a_byte_order_mark_reads_as_plain_utf8(tmp_path, runner, tiny_model):
    """The spreadsheet queue starts with a BOM for Excel; --no-bom is for programs that read
    plain utf-8 (Python's csv module would take the BOM into the first column's name)."""
    store, queue, _ = _export(runner, tmp_path, tiny_model, "--limit", "2")
    assert queue.read_bytes().startswith(b"\xef\xbb\xbf")
    store, queue, _ = _export(runner, tmp_path, tiny_model, "--limit", "2", "--no-bom")
    assert not queue.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(queue, encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle))[0] == "id"


def _write_reviewed(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_export_writes_the_queue_with_scores_and_an_empty_label_column(
    tmp_path, runner, tiny_model
):
    _, _, rows = _export(runner, tmp_path, tiny_model, "--limit", "3")
    assert len(rows) == 3
    assert all(row["label"] == "" and 0 <= float(row["score_abusive"]) <= 1 for row in rows)
    assert rows[0]["thread_title"]


def test_import_adds_answered_rows_and_resume_skips_them(tmp_path, runner, tiny_model):
    store, queue, rows = _export(runner, tmp_path, tiny_model)
    rows[0]["label"], rows[1]["label"], rows[2]["label"] = "Abusive", "civil", "skip"
    reviewed = tmp_path / "reviewed.csv"
    _write_reviewed(reviewed, rows)
    result = runner.invoke(
        app,
        [
            "label",
            str(DISQUS),
            "--store",
            str(store),
            "--model",
            str(tiny_model),
            "--import",
            str(reviewed),
            "--labeller",
            "ana",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "added 3 answer(s)" in result.output
    records = store_history(store)
    assert [(r.id, r.label, r.labeller) for r in records] == [
        (rows[0]["id"], "abusive", "ana"),
        (rows[1]["id"], "civil", "ana"),
        (rows[2]["id"], None, "ana"),
    ]
    assert set(records[0].scores) == {"civil", "abusive", "conspiracy"}
    _, _, again = _export(runner, tmp_path, tiny_model)
    assert {row["id"] for row in again}.isdisjoint({r.id for r in records})


def test_import_with_unknown_id_or_label_adds_nothing_unless_skip_bad(tmp_path, runner, tiny_model):
    store, queue, rows = _export(runner, tmp_path, tiny_model)
    rows[0]["label"] = "civil"
    rows[1]["label"] = "rude"
    rows[2]["id"], rows[2]["label"] = "no-such-id", "civil"
    reviewed = tmp_path / "reviewed.csv"
    _write_reviewed(reviewed, rows)
    args = [
        "label",
        str(DISQUS),
        "--store",
        str(store),
        "--model",
        str(tiny_model),
        "--import",
        str(reviewed),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "reviewed.csv:3: unknown label 'rude'" in result.output
    assert store_history(store) == []
    result = runner.invoke(app, [*args, "--skip-bad"])
    assert result.exit_code == 0, result.output
    assert "unknown label 'rude'" in result.output
    assert "id 'no-such-id' is not a comment of the export" in result.output
    assert [r.id for r in store_history(store)] == [rows[0]["id"]]


def test_a_label_changed_in_the_spreadsheet_is_imported_as_a_correction(
    tmp_path, runner, tiny_model
):
    store, queue, rows = _export(runner, tmp_path, tiny_model)
    rows[0]["label"] = "civil"
    reviewed = tmp_path / "reviewed.csv"
    _write_reviewed(reviewed, rows)
    args = [
        "label",
        str(DISQUS),
        "--store",
        str(store),
        "--model",
        str(tiny_model),
        "--import",
        str(reviewed),
    ]
    assert runner.invoke(app, args).exit_code == 0
    rows[0]["label"] = "abusive"
    _write_reviewed(reviewed, rows)
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "1 of them correct(s) an earlier label" in result.output
    lines = store_history(store)
    # both answers stay in the history; the correction names the answer it replaces
    assert [(r.label, r.corrects, r.supersedes) for r in lines] == [
        ("civil", None, None),
        ("abusive", "civil", lines[0].seq),
    ]
    assert store_labels(store)[rows[0]["id"]] == "abusive"
    # importing the same sheet again changes nothing
    again = runner.invoke(app, args)
    assert again.exit_code == 0 and "1 already there" in again.output
    assert len(store_history(store)) == 2


def test_interactive_review_keys_label_skip_undo_and_quit(
    tmp_path, runner, tiny_model, monkeypatch
):
    monkeypatch.setattr("moderation.cli.label.interactive_terminal", lambda: True)
    store = tmp_path / "labels.db"
    args = [
        "label",
        str(DISQUS),
        "--store",
        str(store),
        "--model",
        str(tiny_model),
        "--labeller",
        "ana",
    ]
    # abusive, skip, undo (the skip), conspiracy, quit
    result = runner.invoke(app, args, input="asupq")
    assert result.exit_code == 0, result.output
    assert "c civil  a abusive  p conspiracy  s skip  u undo  q quit" in result.output
    assert "thread:" in result.output
    records = store_history(store)
    assert [r.action for r in records] == ["label", "skip", "undo", "label"]
    assert records[2].supersedes == records[1].seq  # the undo names the skip
    assert sorted(store_labels(store).values()) == ["abusive", "conspiracy"]
    assert records[1].id == records[3].id  # undo brought the same comment back
    # resuming shows only what is left; the end of the keys ends the session
    again = runner.invoke(app, args, input="c")
    assert again.exit_code == 0, again.output
    assert len(store_labels(store)) == 3
    assert "saved to" in again.output


def test_label_without_a_terminal_says_how_to_work_without_one(tmp_path, runner, tiny_model):
    result = runner.invoke(
        app,
        ["label", str(DISQUS), "--store", str(tmp_path / "s.db"), "--model", str(tiny_model)],
    )
    assert result.exit_code == 2
    assert "--export QUEUE.csv" in result.output


def test_label_with_an_old_jsonl_store_imports_it_once_and_says_so(tmp_path, runner, tiny_model):
    old = tmp_path / "labels.jsonl"
    old.write_text(json.dumps(label_record("x", "civil")) + "\n" + '{"id": "y"')
    before = old.read_bytes()
    args = ["label", str(DISQUS), "--store", str(old), "--model", str(tiny_model)]
    result = runner.invoke(app, [*args, "--export", str(tmp_path / "q.csv")])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "imported its 1 answer(s) into" in output and "labels.jsonl is left as it was" in output
    assert "labels.jsonl:2: the last line is incomplete" in output
    assert old.read_bytes() == before
    assert store_labels(tmp_path / "labels.db") == {"x": "civil"}


def _label_run(runner, store, tiny_model, keys):
    args = ["label", str(DISQUS), "--store", str(store), "--model", str(tiny_model)]
    result = runner.invoke(app, [*args, "--labeller", "ana"], input=keys)
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())  # rich wraps long lines


def test_interactive_review_confirms_answers_names_the_keys_and_brings_skips_back(
    tmp_path, runner, tiny_model, monkeypatch
):
    monkeypatch.setattr("moderation.cli.label.interactive_terminal", lambda: True)
    store = tmp_path / "labels.db"
    # skip the first, a wrong key, civil for the other four, then the skipped one is back
    output = _label_run(runner, store, tiny_model, "sxcccca")
    records = store_history(store)
    skipped = records[0].id
    assert records[0].action == "skip"
    assert f"skipped {skipped}: it comes back at the end of the queue" in output
    assert "unknown key 'x': the keys are c civil, a abusive, p conspiracy, s skip" in output
    assert f"saved civil for {records[1].id}" in output
    assert (records[-1].id, records[-1].label) == (skipped, "abusive")
    assert len(store_labels(store)) == 5


def test_a_comment_skipped_in_an_earlier_session_comes_after_the_new_ones(
    tmp_path, runner, tiny_model, monkeypatch
):
    monkeypatch.setattr("moderation.cli.label.interactive_terminal", lambda: True)
    store = tmp_path / "labels.db"
    _label_run(runner, store, tiny_model, "sq")
    skipped = store_history(store)[0].id
    _label_run(runner, store, tiny_model, "cccc")  # the four others, not the skipped one
    assert skipped not in store_labels(store)
    _label_run(runner, store, tiny_model, "p")  # then it is back
    assert store_labels(store)[skipped] == "conspiracy"


def test_quoted_text_is_shown_dimmed_not_hidden(tiny_model):
    from rich.console import Console

    from moderation.cli.label import show_item
    from moderation.comments import QuoteSpan
    from moderation.model.registry import load_model

    text = "> the ferry leaves at six\nGood, that suits the early shift."
    comment = Comment("c1", "t", text, quotes=[QuoteSpan(0, 25, "parent")])
    item = QueueItem(comment, {"civil": 0.8, "abusive": 0.1, "conspiracy": 0.1}, "civil", [])
    console = Console(record=True, width=200, color_system="truecolor")
    show_item(item, 0, 1, load_model(tiny_model), console)
    shown = console.export_text(styles=True)
    assert "\x1b[2;3m> the ferry leaves at six" in shown  # dim italic, not hidden
    assert "\x1b[2m, that suits" not in shown  # the comment's own words are not dimmed


def test_placeholders_and_empty_comments_never_enter_the_queue(tmp_path, tiny_model):
    from moderation.flagging.review_queue import load_queue
    from moderation.labels.review.queue import order_for_review

    export = tmp_path / "e.jsonl"
    rows = [("a", "A kind word for the volunteers."), ("b", "[deleted]"), ("c", "   ")]
    rows += [("d", "[removed]"), ("e", "This comment has been removed by a moderator")]
    export.write_text(
        "".join(json.dumps({"id": c, "thread_id": "t", "text": t}) + "\n" for c, t in rows)
    )
    queue = load_queue(export, model=tiny_model)
    for order in ("uncertain", "random"):
        assert [i.comment.id for i in order_for_review(queue.items, order, {})] == ["a"]
