"""The label store, the review queue, `moderation label` and `moderation labels`."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time

import pytest

from conftest import SAMPLES
from moderation.cli import app
from moderation.comments import Comment
from moderation.errors import InputError
from moderation.examples import read_labelled
from moderation.labels.merge import merge_stores
from moderation.labels.store import LabelStore, read_store, undo_record
from moderation.model.retrain import RetrainOptions, retrain
from moderation.review import QueueItem, order_queue

DISQUS = SAMPLES / "disqus.xml"


def _record(cid, label, **extra):
    return {"id": cid, "action": "label", "label": label, "text": f"text of {cid}",
            "labeller": "ana", **extra}


def _lines(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


# -- the store ----------------------------------------------------------------------------

def test_store_appends_one_line_per_answer_and_replays_undo(tmp_path):
    path = tmp_path / "labels.jsonl"
    with LabelStore(path) as store:
        store.append(_record("a", "civil"))
        store.append(_record("b", "abusive"))
        store.append(undo_record("b", labeller="ana"))
        store.append(_record("b", "conspiracy"))
        store.append({**_record("c", None), "action": "skip"})
    contents = read_store(path)
    assert len(_lines(path)) == 5
    assert {cid: r["label"] for cid, r in contents.labels().items()} == \
        {"a": "civil", "b": "conspiracy"}
    assert set(contents.current()) == {"a", "b", "c"}      # the skip counts as answered


def test_two_different_labels_for_one_id_without_undo_are_a_conflict(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps(_record("a", "civil")) + "\n" +
                    json.dumps(_record("a", "abusive")) + "\n")
    with pytest.raises(InputError, match=r"labels.jsonl:2: id 'a' is labelled 'abusive' here "
                                         r"and 'civil' at line 1"):
        read_store(path).labels()


def test_torn_last_line_is_reported_ignored_and_set_aside_before_appending(tmp_path):
    path = tmp_path / "labels.jsonl"
    good = json.dumps(_record("a", "civil")) + "\n"
    path.write_text(good + '{"id": "b", "label": "abu')
    contents = read_store(path)
    assert [r["id"] for r in contents.records] == ["a"]
    assert "labels.jsonl:2: the last line is incomplete" in contents.torn_warning()
    with LabelStore(path) as store:
        store.append(_record("c", "abusive"))
    assert [r["id"] for r in _lines(path)] == ["a", "c"]
    assert (tmp_path / "labels.jsonl.torn").read_text() == '{"id": "b", "label": "abu\n'
    assert read_store(path).torn_line is None


def test_a_bad_line_in_the_middle_is_an_error_with_its_line(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps(_record("a", "civil")) + "\nnot json\n" +
                    json.dumps(_record("b", "civil")) + "\n")
    with pytest.raises(InputError, match="labels.jsonl:2: not valid JSON"):
        read_store(path)


def test_unknown_label_name_in_a_store_names_the_line(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps(_record("a", "rude")) + "\n")
    with pytest.raises(InputError, match="labels.jsonl:1: unknown label 'rude'"):
        read_store(path)


def test_killing_the_writer_loses_no_answer_it_confirmed(tmp_path):
    """A child appends answers and prints each id after append returns; it is killed with
    SIGKILL mid-run: every id it confirmed is in the store."""
    path = tmp_path / "labels.jsonl"
    script = (
        "import sys, itertools\n"
        "from moderation.labels.store import LabelStore\n"
        f"store = LabelStore({str(path)!r})\n"
        "for n in itertools.count():\n"
        "    store.append({'id': str(n), 'action': 'label', 'label': 'civil', 'text': 'x' * 500})\n"
        "    print(n, flush=True)\n")
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    confirmed = []
    deadline = time.monotonic() + 20
    while len(confirmed) < 50 and time.monotonic() < deadline:
        confirmed.append(child.stdout.readline().strip())
    os.kill(child.pid, 9)
    child.wait()
    child.stdout.close()
    stored = read_store(path)
    assert set(confirmed) <= set(stored.labels())


def test_read_labelled_gives_training_records_with_weak_marks(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps(_record("a", "civil")) + "\n" +
                    json.dumps(_record("b", "abusive", weak=True)) + "\n")
    found = read_labelled(path)
    assert found.kind == "store" and found.warnings == []
    assert [(e.id, e.label, e.weak) for e in found.examples] == \
        [("a", "civil", False), ("b", "abusive", True)]


# -- merging --------------------------------------------------------------------------------

def test_merge_keeps_agreements_and_reports_disagreements(tmp_path):
    first, second = tmp_path / "ana.jsonl", tmp_path / "ben.jsonl"
    first.write_text("".join(json.dumps(r) + "\n" for r in (
        _record("a", "civil"), _record("b", "abusive"), _record("c", "civil"))))
    second.write_text("".join(json.dumps(r) + "\n" for r in (
        {**_record("a", "civil"), "labeller": "ben"},
        {**_record("b", "civil"), "labeller": "ben"},
        {**_record("d", "conspiracy"), "labeller": "ben"},
        {**_record("c", "abusive", weak=True), "labeller": "platform"})))
    result = merge_stores([first, second])
    merged = {r["id"]: r for r in result.records}
    assert {cid: r["label"] for cid, r in merged.items()} == \
        {"a": "civil", "c": "civil", "d": "conspiracy"}
    assert merged["a"]["labeller"] == "ana,ben"
    assert [d["id"] for d in result.disagreements] == ["b"]
    assert result.weak_overridden == 1


def test_labels_merge_cli_writes_the_merge_and_lists_disagreements(tmp_path, runner):
    first, second = tmp_path / "ana.jsonl", tmp_path / "ben.jsonl"
    first.write_text(json.dumps(_record("a", "civil")) + "\n" +
                     json.dumps(_record("b", "abusive")) + "\n")
    second.write_text(json.dumps({**_record("b", "civil"), "labeller": "ben"}) + "\n")
    out, disagreements = tmp_path / "all.jsonl", tmp_path / "dis.jsonl"
    result = runner.invoke(app, ["labels", "merge", str(first), str(second), "-o", str(out),
                                 "--disagreements", str(disagreements)])
    assert result.exit_code == 0, result.output
    assert "1 disagreement(s) left out" in result.output
    assert "b: abusive (ana); civil (ben)" in result.output
    assert [r["id"] for r in _lines(out)] == ["a"]
    assert _lines(disagreements)[0]["id"] == "b"


def test_labels_merge_refuses_to_overwrite_an_input(tmp_path, runner):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    for path in (first, second):
        path.write_text(json.dumps(_record("a", "civil")) + "\n")
    result = runner.invoke(app, ["labels", "merge", str(first), str(second), "-o", str(first)])
    assert result.exit_code == 2
    assert "is one of the stores being merged" in result.output


# -- weak labels ------------------------------------------------------------------------------

def test_from_status_turns_approved_into_weak_civil(tmp_path, runner):
    out = tmp_path / "weak.jsonl"
    result = runner.invoke(app, ["labels", "from-status", str(SAMPLES / "wordpress.xml"),
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    records = _lines(out)
    assert records and all(r["weak"] and r["label"] == "civil" and r["status"] == "approved"
                           for r in records)
    mapped = runner.invoke(app, ["labels", "from-status", str(SAMPLES / "wordpress.xml"),
                                 "-o", str(out), "--map", "spam=abusive"])
    assert mapped.exit_code == 0
    assert {r["status"] for r in _lines(out)} == {"approved", "spam"}


def test_from_status_without_mappable_statuses_is_one_clear_error(tmp_path, runner):
    result = runner.invoke(app, ["labels", "from-status", str(SAMPLES / "comments.csv"),
                                 "-o", str(tmp_path / "weak.jsonl")])
    assert result.exit_code == 2
    assert "no comment has a status that maps to a label" in result.output
    assert not (tmp_path / "weak.jsonl").exists()


def test_from_status_rejects_a_bad_mapping(tmp_path, runner):
    result = runner.invoke(app, ["labels", "from-status", str(SAMPLES / "wordpress.xml"),
                                 "-o", str(tmp_path / "w.jsonl"), "--map", "spam=rude"])
    assert result.exit_code == 2
    assert "expected STATUS=LABEL" in result.output


# -- the queue --------------------------------------------------------------------------------

def _item(cid, scores, flags=()):
    prediction = max(scores, key=scores.get)
    return QueueItem(Comment(cid, "t", f"text {cid}"), scores, prediction, list(flags))


def test_queue_orders_least_sure_first_flagged_by_score_and_skips_answered():
    items = [_item("sure", {"civil": 0.9, "abusive": 0.05, "conspiracy": 0.05}),
             _item("coin", {"civil": 0.45, "abusive": 0.44, "conspiracy": 0.11},
                   flags=["abusive"]),
             _item("mid", {"civil": 0.6, "abusive": 0.3, "conspiracy": 0.1}),
             _item("hot", {"civil": 0.1, "abusive": 0.85, "conspiracy": 0.05},
                   flags=["abusive"])]
    assert [i.comment.id for i in order_queue(items, "uncertain")] == \
        ["coin", "mid", "hot", "sure"]
    assert [i.comment.id for i in order_queue(items, "flagged")] == ["hot", "coin"]
    assert [i.comment.id for i in order_queue(items, "uncertain", done={"coin"}, limit=2)] == \
        ["mid", "hot"]
    shuffled = order_queue(items, "random", seed=3)
    assert sorted(i.comment.id for i in shuffled) == ["coin", "hot", "mid", "sure"]
    assert shuffled == order_queue(items, "random", seed=3)


# -- `moderation label`: export, import, interactive --------------------------------------------

def _export(runner, tmp_path, model, *extra):
    store, queue = tmp_path / "labels.jsonl", tmp_path / "queue.csv"
    result = runner.invoke(app, ["label", str(DISQUS), "--store", str(store), "--model",
                                 str(model), "--export", str(queue), *extra])
    assert result.exit_code == 0, result.output
    with open(queue, encoding="utf-8-sig", newline="") as handle:
        return store, queue, list(csv.DictReader(handle))


def _write_reviewed(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_export_writes_the_queue_with_scores_and_an_empty_label_column(tmp_path, runner,
                                                                      tiny_model):
    _, _, rows = _export(runner, tmp_path, tiny_model, "--limit", "3")
    assert len(rows) == 3
    assert all(row["label"] == "" and 0 <= float(row["score_abusive"]) <= 1 for row in rows)
    assert rows[0]["thread_title"]


def test_import_adds_answered_rows_and_resume_skips_them(tmp_path, runner, tiny_model):
    store, queue, rows = _export(runner, tmp_path, tiny_model)
    rows[0]["label"], rows[1]["label"], rows[2]["label"] = "Abusive", "civil", "skip"
    reviewed = tmp_path / "reviewed.csv"
    _write_reviewed(reviewed, rows)
    result = runner.invoke(app, ["label", str(DISQUS), "--store", str(store), "--model",
                                 str(tiny_model), "--import", str(reviewed),
                                 "--labeller", "ana"])
    assert result.exit_code == 0, result.output
    assert "added 3 answer(s)" in result.output
    records = _lines(store)
    assert [(r["id"], r["label"], r["labeller"]) for r in records] == \
        [(rows[0]["id"], "abusive", "ana"), (rows[1]["id"], "civil", "ana"),
         (rows[2]["id"], None, "ana")]
    assert set(records[0]["scores"]) == {"civil", "abusive", "conspiracy"}
    _, _, again = _export(runner, tmp_path, tiny_model)
    assert {row["id"] for row in again}.isdisjoint({r["id"] for r in records})


def test_import_with_unknown_id_or_label_adds_nothing_unless_skip_bad(tmp_path, runner,
                                                                      tiny_model):
    store, queue, rows = _export(runner, tmp_path, tiny_model)
    rows[0]["label"] = "civil"
    rows[1]["label"] = "rude"
    rows[2]["id"], rows[2]["label"] = "no-such-id", "civil"
    reviewed = tmp_path / "reviewed.csv"
    _write_reviewed(reviewed, rows)
    args = ["label", str(DISQUS), "--store", str(store), "--model", str(tiny_model),
            "--import", str(reviewed)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "reviewed.csv:3: unknown label 'rude'" in result.output
    assert not store.exists() or not store.read_text()
    result = runner.invoke(app, [*args, "--skip-bad"])
    assert result.exit_code == 0, result.output
    assert "unknown label 'rude'" in result.output
    assert "id 'no-such-id' is not a comment of the export" in result.output
    assert [r["id"] for r in _lines(store)] == [rows[0]["id"]]


def test_import_refuses_a_label_that_contradicts_the_store(tmp_path, runner, tiny_model):
    store, queue, rows = _export(runner, tmp_path, tiny_model)
    rows[0]["label"] = "civil"
    reviewed = tmp_path / "reviewed.csv"
    _write_reviewed(reviewed, rows)
    args = ["label", str(DISQUS), "--store", str(store), "--model", str(tiny_model),
            "--import", str(reviewed)]
    assert runner.invoke(app, args).exit_code == 0
    rows[0]["label"] = "abusive"
    _write_reviewed(reviewed, rows)
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "is already labelled 'civil'" in result.output
    assert [r["label"] for r in _lines(store)] == ["civil"]


def test_interactive_review_keys_label_skip_undo_and_quit(tmp_path, runner, tiny_model,
                                                         monkeypatch):
    monkeypatch.setattr("moderation.cli.label.interactive_terminal", lambda: True)
    store = tmp_path / "labels.jsonl"
    args = ["label", str(DISQUS), "--store", str(store), "--model", str(tiny_model),
            "--labeller", "ana"]
    # abusive, skip, undo (the skip), conspiracy, quit
    result = runner.invoke(app, args, input="asupq")
    assert result.exit_code == 0, result.output
    assert "c civil  a abusive  p conspiracy  s skip  u undo  q quit" in result.output
    assert "thread:" in result.output
    records = _lines(store)
    assert [r["action"] for r in records] == ["label", "skip", "undo", "label"]
    labels = read_store(store).labels()
    assert sorted(r["label"] for r in labels.values()) == ["abusive", "conspiracy"]
    assert records[1]["id"] == records[3]["id"]      # undo brought the same comment back
    # resuming shows only what is left; the end of the keys ends the session
    again = runner.invoke(app, args, input="c")
    assert again.exit_code == 0, again.output
    assert len(read_store(store).labels()) == 3
    assert "saved to" in again.output


def test_label_without_a_terminal_says_how_to_work_without_one(tmp_path, runner, tiny_model):
    result = runner.invoke(app, ["label", str(DISQUS), "--store", str(tmp_path / "s.jsonl"),
                                 "--model", str(tiny_model)])
    assert result.exit_code == 2
    assert "--export QUEUE.csv" in result.output


def test_label_with_a_torn_store_warns_and_keeps_going(tmp_path, runner, tiny_model):
    store = tmp_path / "labels.jsonl"
    store.write_text(json.dumps(_record("x", "civil")) + "\n" + '{"id": "y"')
    result = runner.invoke(app, ["label", str(DISQUS), "--store", str(store), "--model",
                                 str(tiny_model), "--export", str(tmp_path / "q.csv")])
    assert result.exit_code == 0, result.output
    assert "labels.jsonl:2: the last line is incomplete" in result.output


# -- retraining on the site's labels ----------------------------------------------------------

SITE_LABELS = [("s1", "abusive", "Typical gorp behaviour, you absolute gorp."),
               ("s2", "abusive", "Another gorp posting again, go away gorp."),
               ("s3", "civil", "The ferry was late again this morning."),
               ("s4", "civil", "Thanks for posting the new timetable."),
               ("s5", "abusive", "Only a gorp would write this, gorp."),
               ("s6", "civil", "Can the council add a bench at the stop?")]


def _site_store(path, rows=SITE_LABELS, labeller="ana"):
    path.write_text("".join(json.dumps({"id": cid, "action": "label", "label": label,
                                        "text": text, "labeller": labeller}) + "\n"
                            for cid, label, text in rows))
    return path


def _fast_config(tmp_path):
    from conftest import FAST_CONFIG

    config = tmp_path / "fast.toml"
    config.write_text(FAST_CONFIG)
    return config


def test_train_base_add_learns_the_site_word_and_records_what_was_added(tmp_path, tiny_model):
    from moderation.model.registry import load_model

    store = _site_store(tmp_path / "site.jsonl")
    meta, _ = retrain([store], output=tmp_path / "site-v2", base=tiny_model,
                      options=RetrainOptions(config_path=_fast_config(tmp_path)))
    adaptation = meta.adaptation
    assert adaptation["base_model"] == load_model(tiny_model).id
    assert adaptation["site_labels"] == {"abusive": 3, "civil": 3}
    assert adaptation["added"][0]["file"] == str(store)
    assert meta.training_data["by_source"]["site"] == {"abusive": 3, "civil": 3}
    assert "## Site labels added" in (tmp_path / "site-v2" / "MODEL_CARD.md").read_text()
    before = load_model(tiny_model).score("what a gorp")[0]["scores"]["abusive"]
    after = load_model(tmp_path / "site-v2").score("what a gorp")[0]["scores"]["abusive"]
    assert after > before + 0.1
    assert adaptation["method"] == "prior" and adaptation["strength"] == 0.03
    # the weighted method replays the base's data; an adapted base's own site labels come too
    more = _site_store(tmp_path / "more.jsonl", [("s7", "civil", "Lovely gorp-free day.")])
    weighted, _ = retrain([store], output=tmp_path / "site-w", base=tiny_model,
                          options=RetrainOptions(config_path=_fast_config(tmp_path),
                                                 method="weighted", site_weight=5))
    assert weighted.adaptation["site_weight"] == 5
    again, _ = retrain([more], output=tmp_path / "site-v3", base=tmp_path / "site-w",
                       options=RetrainOptions(config_path=_fast_config(tmp_path),
                                              method="weighted"))
    assert again.training_data["by_source"]["site"] == {"abusive": 3, "civil": 4}
    assert load_model(tmp_path / "site-w").score("what a gorp")[0]["scores"]["abusive"] > \
        before


def test_train_no_base_uses_the_site_labels_alone(tmp_path):
    store = _site_store(tmp_path / "site.jsonl", SITE_LABELS * 1)
    meta, _ = retrain([store], output=tmp_path / "alone",
                      options=RetrainOptions(no_base=True, config_path=_fast_config(tmp_path)))
    assert meta.training_data["count"] == 6
    assert meta.adaptation["no_base"] is True


def test_train_add_refuses_stores_that_disagree(tmp_path, tiny_model, runner):
    first = _site_store(tmp_path / "ana.jsonl")
    second = _site_store(tmp_path / "ben.jsonl", [("s1", "civil", SITE_LABELS[0][2])], "ben")
    result = runner.invoke(app, ["train", "--base", str(tiny_model), "--add", str(first),
                                 "--add", str(second), "-o", str(tmp_path / "m")])
    assert result.exit_code == 2
    assert "ben.jsonl: id 's1' is labelled 'civil' here and 'abusive' at" in result.output
    assert "labels merge" in result.output
    assert not (tmp_path / "m").exists()


def test_weighted_retraining_of_a_base_whose_data_changed_is_one_clear_error(tmp_path, runner):
    from moderation.model.train import train_from_files
    from conftest import TINY_EXAMPLES

    examples = tmp_path / "examples.jsonl"
    examples.write_text(TINY_EXAMPLES.read_text())
    train_from_files([examples], output=tmp_path / "base", config_path=_fast_config(tmp_path))
    examples.write_text(TINY_EXAMPLES.read_text().replace("library", "museum"))
    store = _site_store(tmp_path / "site.jsonl")
    result = runner.invoke(app, ["train", "--base", str(tmp_path / "base"), "--add",
                                 str(store), "-o", str(tmp_path / "m"), "--method", "weighted"])
    assert result.exit_code == 2
    assert "examples.jsonl: changed since the base was trained" in result.output
    assert "--no-base" in result.output


@pytest.mark.parametrize("args, message", [
    (["--add", "x.jsonl", "--no-base", "--base", "b"], "leave out --base"),
    (["--base", "b"], "give the site's labels with --add"),
    (["--add", "x.jsonl", "--site-weight", "0"], "--site-weight must be positive"),
    (["--add", "x.jsonl", "--method", "magic"], "--method 'magic': choose one of prior"),
])
def test_train_site_option_mistakes(tmp_path, runner, args, message):
    store = _site_store(tmp_path / "x.jsonl")
    args = [str(store) if a == "x.jsonl" else a for a in args]
    result = runner.invoke(app, ["train", *args, "-o", str(tmp_path / "m")])
    assert result.exit_code == 2
    assert message in result.output


def test_prior_refit_leaves_labels_the_site_did_not_use_as_the_base_had_them(tiny_model):
    import numpy as np

    from moderation.model.prior import fit_towards_base
    from moderation.model.registry import load_model

    base = load_model(tiny_model, pipeline=True).pipeline
    texts = [text for _, _, text in SITE_LABELS]
    labels = [label for _, label, _ in SITE_LABELS]
    adapted = fit_towards_base(base, texts, labels, np.ones(len(texts)), strength=0.03)
    classes = list(base.named_steps["classifier"].classes_)
    before = base.named_steps["classifier"].coef_
    after = adapted.named_steps["classifier"].coef_
    row = classes.index("conspiracy")
    width = before.shape[1]
    assert after.shape[1] > width                                  # "gorp" and co. were added
    assert np.array_equal(after[row, :width], before[row])
    assert not after[row, width:].any()
    moved = classes.index("abusive")
    assert not np.allclose(after[moved, :width], before[moved])
    vocabulary = adapted.named_steps["features"].vocabulary_
    assert after[moved, vocabulary["gorp"]] > 0
    # and the strength holds it to the base: a very strong prior barely moves anything
    held = fit_towards_base(base, texts, labels, np.ones(len(texts)), strength=1e6)
    assert np.allclose(held.named_steps["classifier"].coef_[:, :width], before, atol=1e-3)
