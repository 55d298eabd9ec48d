"""Merging label stores and weak labels from the platform's statuses."""

from __future__ import annotations

import json

from moderation.cli import app
from moderation.labels.merge import merge_stores

from fixtures.files import SAMPLES, json_lines
from fixtures.stores import label_record

DISQUS = SAMPLES / "disqus.xml"


def test_merge_keeps_agreements_and_reports_disagreements(tmp_path):
    first, second = tmp_path / "ana.jsonl", tmp_path / "ben.jsonl"
    first.write_text(
        "".join(
            json.dumps(r) + "\n"
            for r in (
                label_record("a", "civil"),
                label_record("b", "abusive"),
                label_record("c", "civil"),
            )
        )
    )
    second.write_text(
        "".join(
            json.dumps(r) + "\n"
            for r in (
                {**label_record("a", "civil"), "labeller": "ben"},
                {**label_record("b", "civil"), "labeller": "ben"},
                {**label_record("d", "conspiracy"), "labeller": "ben"},
                {**label_record("c", "abusive", weak=True), "labeller": "platform"},
            )
        )
    )
    result = merge_stores([first, second])
    merged = {r.id: r for r in result.records}
    assert {cid: r.label for cid, r in merged.items()} == {
        "a": "civil",
        "c": "civil",
        "d": "conspiracy",
    }
    assert merged["a"].labeller == "ana,ben"
    assert [d["id"] for d in result.disagreements] == ["b"]
    assert result.weak_overridden == 1


def test_labels_merge_cli_writes_the_merge_and_lists_disagreements(tmp_path, runner):
    first, second = tmp_path / "ana.jsonl", tmp_path / "ben.jsonl"
    first.write_text(
        json.dumps(label_record("a", "civil"))
        + "\n"
        + json.dumps(label_record("b", "abusive"))
        + "\n"
    )
    second.write_text(json.dumps({**label_record("b", "civil"), "labeller": "ben"}) + "\n")
    out, disagreements = tmp_path / "all.jsonl", tmp_path / "dis.jsonl"
    result = runner.invoke(
        app,
        [
            "labels",
            "merge",
            str(first),
            str(second),
            "-o",
            str(out),
            "--disagreements",
            str(disagreements),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "1 disagreement(s) left out" in result.output
    assert "b: abusive (ana); civil (ben)" in result.output
    assert [r["id"] for r in json_lines(out)] == ["a"]
    assert json_lines(disagreements)[0]["id"] == "b"


def test_labels_merge_refuses_to_overwrite_an_input(tmp_path, runner):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    for path in (first, second):
        path.write_text(json.dumps(label_record("a", "civil")) + "\n")
    result = runner.invoke(app, ["labels", "merge", str(first), str(second), "-o", str(first)])
    assert result.exit_code == 2
    assert "is the input" in result.output


def test_from_status_turns_approved_into_weak_civil(tmp_path, runner):
    out = tmp_path / "weak.jsonl"
    result = runner.invoke(
        app, ["labels", "from-status", str(SAMPLES / "wordpress.xml"), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    records = json_lines(out)
    assert records and all(
        r["weak"] and r["label"] == "civil" and r["status"] == "approved" for r in records
    )
    mapped = runner.invoke(
        app,
        [
            "labels",
            "from-status",
            str(SAMPLES / "wordpress.xml"),
            "-o",
            str(out),
            "--map",
            "spam=abusive",
        ],
    )
    assert mapped.exit_code == 0
    assert {r["status"] for r in json_lines(out)} == {"approved", "spam"}


def test_from_status_labels_disqus_deletions_and_names_what_it_left_out(tmp_path, runner):
    """A comment a Disqus moderator deleted is the platform's decision too: a weak abusive
    label; the statuses that give no label (pending, spam) are reported, not dropped silently."""
    out = tmp_path / "weak.jsonl"
    disqus = runner.invoke(
        app, ["labels", "from-status", str(SAMPLES / "disqus.xml"), "-o", str(out)]
    )
    assert disqus.exit_code == 0, disqus.output
    deleted = [r for r in json_lines(out) if r["status"] == "deleted"]
    assert deleted and all(r["label"] == "abusive" and r["weak"] for r in deleted)
    wordpress = runner.invoke(
        app, ["labels", "from-status", str(SAMPLES / "wordpress.xml"), "-o", str(out)]
    )
    assert wordpress.exit_code == 0, wordpress.output
    said = " ".join(wordpress.output.split())
    assert "left out (no label for their status):" in said
    assert "1 pending" in said and "1 spam" in said
    kept = runner.invoke(
        app,
        [
            "labels",
            "from-status",
            str(SAMPLES / "disqus.xml"),
            "-o",
            str(out),
            "--map",
            "deleted=none",
        ],
    )
    assert kept.exit_code == 0 and "deleted" in " ".join(kept.output.split())
    assert not [r for r in json_lines(out) if r["status"] == "deleted"]


def test_from_status_without_mappable_statuses_is_one_clear_error(tmp_path, runner):
    result = runner.invoke(
        app,
        [
            "labels",
            "from-status",
            str(SAMPLES / "comments.csv"),
            "-o",
            str(tmp_path / "weak.jsonl"),
        ],
    )
    assert result.exit_code == 2
    assert "no comment has a status that maps to a label" in result.output
    assert not (tmp_path / "weak.jsonl").exists()


def test_from_status_rejects_a_bad_mapping(tmp_path, runner):
    result = runner.invoke(
        app,
        [
            "labels",
            "from-status",
            str(SAMPLES / "wordpress.xml"),
            "-o",
            str(tmp_path / "w.jsonl"),
            "--map",
            "spam=rude",
        ],
    )
    assert result.exit_code == 2
    assert "expected STATUS=LABEL" in result.output
