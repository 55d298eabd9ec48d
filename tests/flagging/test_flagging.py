"""Batch flagging: rows, pass-through fields, quotes, summary, atomic output, two processes,
and the errors of `flag`."""

import csv
import io
import json

import pytest

from moderation import load_model
from moderation.cli import app
from moderation.flagging import flag_export, partition, stream
from moderation.formats import ReadOptions

from fixtures.files import SAMPLES
from fixtures.languages import GREETINGS

ABUSE = "You pathetic worm, crawl back under your rock and stay there."
PLOT = "They staged it and the cabal is hiding the truth from everyone."


def _jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _rows(text):
    return [json.loads(line) for line in text.splitlines()]


def test_input_fields_pass_through_unchanged(runner, tiny_model, tmp_path):
    source = _jsonl(
        tmp_path / "in.jsonl",
        [
            {"id": 1, "text": ABUSE, "label": "abusive", "likes": 3, "meta": {"k": [1, 2]}},
            {"id": "b", "text": "The ferry timetable is fine by me.", "label": "civil"},
        ],
    )
    result = runner.invoke(app, ["flag", str(source), "-m", str(tiny_model)])
    assert result.exit_code == 0, result.output
    rows = _rows(result.stdout)
    assert rows[0]["id"] == 1 and rows[0]["likes"] == 3 and rows[0]["meta"] == {"k": [1, 2]}
    assert rows[0]["label"] == "abusive" and rows[1]["label"] == "civil"
    assert rows[0]["flags"] == ["abusive"] and rows[0]["model"] == load_model(tiny_model).id
    assert set(rows[1]["scores"]) == {"civil", "abusive", "conspiracy"}


def test_text_only_jsonl_is_enough(runner, tiny_model, tmp_path):
    source = _jsonl(tmp_path / "in.jsonl", [{"text": PLOT}])
    result = runner.invoke(app, ["flag", str(source), "-m", str(tiny_model)])
    row = json.loads(result.stdout)
    assert row["id"] == "in:1" and row["prediction"] == "conspiracy"


def test_csv_output_has_a_column_per_score(runner, tiny_model, tmp_path):
    out = tmp_path / "flagged.csv"
    result = runner.invoke(
        app, ["flag", str(SAMPLES / "comments.csv"), "-m", str(tiny_model), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    with open(out, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with open(SAMPLES / "comments.csv", newline="", encoding="utf-8") as handle:
        originals = list(csv.DictReader(handle))
    assert len(rows) == len(originals)
    for row, original in zip(rows, originals):
        assert {k: row[k] for k in original} == original  # gold label included
        assert set(row["flags"].split(";")) <= {"", "abusive", "conspiracy"}
        assert (
            abs(sum(float(row[f"score_{k}"]) for k in ("civil", "abusive", "conspiracy")) - 1)
            < 1e-4
        )


def test_quoted_words_are_left_out_and_marked(runner, tiny_model, model, tmp_path):
    own = "Please keep it civil, the library plan deserves a real debate."
    source = _jsonl(
        tmp_path / "thread.jsonl",
        [
            {"id": "p", "thread_id": "t", "text": ABUSE},
            {"id": "r", "thread_id": "t", "parent_id": "p", "text": f"{ABUSE} {own}"},
        ],
    )
    rows = _rows(runner.invoke(app, ["flag", str(source), "-m", str(tiny_model)]).stdout)
    reply = rows[1]
    assert reply["quotes_excluded"][0]["source"] == "parent"
    assert reply["scores"] == model.score(own)[0]["scores"]
    assert "quotes_excluded" not in rows[0]


def test_empty_comments_are_kept_but_not_scored(runner, tiny_model, tmp_path):
    source = _jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": ""}, {"id": "b", "text": ABUSE}])
    summary = tmp_path / "summary.json"
    result = runner.invoke(
        app, ["flag", str(source), "-m", str(tiny_model), "--summary", str(summary)]
    )
    rows = _rows(result.stdout)
    assert rows[0]["not_scored"] == "empty comment" and rows[0]["scores"] is None
    assert json.loads(summary.read_text())["not_scored"] == 1


def test_summary_and_only_flagged(runner, tiny_model, tmp_path):
    records = [
        {
            "id": f"{t}{i}",
            "thread_id": t,
            "author": f"user{i % 2}",
            "thread_title": f"Story {t}",
            "text": text,
        }
        for t, texts in (
            ("calm", ["Nice harbour photos.", "The ferry is late.", "Good library hours."]),
            ("hot", [ABUSE, PLOT, "Lovely weather today."]),
        )
        for i, text in enumerate(texts)
    ]
    source = _jsonl(tmp_path / "in.jsonl", records)
    summary = tmp_path / "summary.json"
    result = runner.invoke(
        app,
        ["flag", str(source), "-m", str(tiny_model), "--only-flagged", "--summary", str(summary)],
    )
    assert result.exit_code == 0, result.output
    rows = _rows(result.stdout)
    data = json.loads(summary.read_text())
    assert data["comments"] == 6 and sum(data["predicted"].values()) == 6
    assert len(rows) == data["flagged_comments"] == sum(1 for r in rows if r["flags"])
    assert data["top_threads"][0]["thread_id"] == "hot"
    assert data["top_threads"][0]["title"] == "Story hot"
    assert {a["author"] for a in data["top_authors"]} <= {"user0", "user1"}
    assert "flagged:" in result.stderr and "Story hot" in result.stderr


@pytest.mark.parametrize("export", ["jsonl", "page"])
def test_two_processes_give_the_same_rows(model, tmp_path, monkeypatch, export):
    monkeypatch.setattr(partition, "CHUNK_SIZE", 4 if export == "jsonl" else 2)
    own = "Please keep it civil, the library plan deserves a real debate."
    texts = [ABUSE, PLOT, "The ferry is late again.", "", "Nice photos of the harbour."]
    records = [{"id": i, "thread_id": f"t{i // 6}", "text": texts[i % 5]} for i in range(23)]
    # replies that quote a parent from an earlier chunk: the conversation carries over
    records += [
        {"id": "q1", "thread_id": "t3", "parent_id": 20, "text": f"{ABUSE} {own}"},
        {"id": "q2", "thread_id": "t3", "parent_id": "q1", "text": "I agree."},
    ]
    source = (
        _jsonl(tmp_path / "in.jsonl", records)
        if export == "jsonl"
        else SAMPLES / "article-page.txt"
    )
    started = []

    class CountedWorker(stream.ScoringWorker):
        def __init__(self, model, *args):
            started.append(model.main_model.path)
            super().__init__(model, *args)

    monkeypatch.setattr(stream, "ScoringWorker", CountedWorker)
    outputs = []
    for processes in (1, 2):
        out = io.BytesIO()
        flag_export(source, out, model=model, processes=processes)
        outputs.append(out.getvalue())
    assert outputs[0] == outputs[1]
    assert started == [model.path]  # the second run did score in a worker
    rows = _rows(outputs[1].decode())
    if export == "jsonl":
        assert len(rows) == 25 and sum(1 for r in rows if r.get("not_scored")) == 4
        assert rows[23]["quotes_excluded"][0]["source"] == "parent"
    else:
        assert [r["depth"] for r in rows] == [r["depth"] for r in _rows(outputs[0].decode())]
        assert any(r["depth"] > 0 for r in rows)


@pytest.mark.parametrize("output", [None, "out.csv"])
@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_every_core_flags_blocks_with_the_rows_of_one_process(model, tmp_path, suffix, output):
    # interleaved threads and replies quoting parents in earlier blocks: the local workers
    # flag blocks of the export, with what one pass would have remembered of each thread
    own = "Please keep it civil, the library plan deserves a real debate."
    texts = [ABUSE, PLOT, "The ferry is late again, the third time this week.", "", "Nice."]
    records = []
    for i in range(120):
        thread = f"t{i % 7}"
        parent = f"c{i - 7}" if i >= 7 and i % 3 else None
        text = texts[i % 5] if parent is None else f"{texts[(i - 7) % 5]} {own}"
        records.append({"id": f"c{i}", "thread_id": thread, "parent_id": parent, "text": text})
    source = tmp_path / f"in{suffix}"
    if suffix == ".csv":
        with open(source, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(records[0]))
            writer.writeheader()
            writer.writerows({k: "" if v is None else v for k, v in r.items()} for r in records)
    else:
        _jsonl(source, records)
    outputs, summaries = [], []
    for processes in (1, 2):
        out = io.BytesIO()
        result = flag_export(
            source, out, model=model, processes=processes, output_name=output, block_bytes=500
        )
        outputs.append(out.getvalue())
        summaries.append((result.summary.to_dict(), result.report.comments))
    assert outputs[0] == outputs[1]
    assert summaries[0] == summaries[1]
    if output is None:
        rows = _rows(outputs[1].decode())
        assert len(rows) == 120 and any(r.get("quotes_excluded") for r in rows)


def test_a_bad_record_in_a_later_block_names_its_line(model, tmp_path):
    from moderation.errors import InputError

    lines = [json.dumps({"id": f"c{i}", "thread_id": "t", "text": PLOT}) for i in range(40)]
    lines[33] = "{broken"
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="in.jsonl:34"):
        flag_export(source, io.BytesIO(), model=model, processes=2, block_bytes=400)
    skipped = flag_export(
        source, io.BytesIO(), model=model, processes=2, block_bytes=400,
        options=ReadOptions(skip_bad=True),
    )  # fmt: skip
    assert skipped.report.comments == 39 and [e.line for e in skipped.report.skipped] == [34]


@pytest.mark.parametrize("processes", ["1", "2"])
def test_each_row_names_its_language_and_the_summary_counts_them(
    runner, tiny_model, tmp_path, processes
):
    comments = [GREETINGS[code] for code in ("en", "de", "it", "fr")] * 300 + [""]
    source = _jsonl(
        tmp_path / "in.jsonl",
        [{"id": i, "thread_id": f"t{i % 7}", "text": t} for i, t in enumerate(comments)],
    )
    out, summary = tmp_path / "out.csv", tmp_path / "summary.json"
    result = runner.invoke(
        app,
        ["flag", str(source), "-m", str(tiny_model), "-o", str(out), "--summary", str(summary)]
        + ["-j", processes],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["language"] for r in rows[:4]] == ["en", "de", "it", "fr"]
    assert rows[2]["not_scored"] == "language" and rows[2]["model"] == ""
    assert rows[-1]["language"] == "und" and rows[-1]["not_scored"] == "empty comment"
    data = json.loads(summary.read_text())
    assert data["languages"]["it"] == {"comments": 300, "flagged": 0, "not_scored_no_model": 300}
    assert data["not_scored_reasons"] == {"empty comment": 1, "language": 300}
    assert data["models"]["en"]["model"] == load_model(tiny_model).id
    said = " ".join(result.output.split())
    assert "languages: de 300, en 300, fr 300, it 300 (no model: not scored), und 1" in said
    unscored = "not scored: 301 (1 empty comment, 300 in a language no model reads: Italian 300)"
    assert unscored in said
    declared = runner.invoke(app, ["flag", str(source), "-m", str(tiny_model), "-l", "en"])
    # declared: every comment is English; the empty one has no language to declare
    assert [row["language"] for row in _rows(declared.stdout)][-3:] == [
        "en",
        "en",
        "und",
    ]


def test_languages_come_out_the_same_from_every_core(tiny_model, tmp_path, monkeypatch):
    from moderation.model.multilingual import load_models

    comments = [GREETINGS[code] for code in ("en", "de", "it", "pt", "es")] * 40
    records = [{"id": i, "thread_id": f"t{i % 5}", "text": t} for i, t in enumerate(comments)]
    source = _jsonl(tmp_path / "in.jsonl", records)
    models = load_models(tiny_model)
    monkeypatch.setattr(partition, "CHUNK_SIZE", 16)  # the scoring worker sees many chunks
    found = []
    for processes, block in ((1, 1 << 20), (2, 1 << 20), (2, 1500)):
        out = io.BytesIO()
        result = flag_export(source, out, model=models, processes=processes, block_bytes=block)
        found.append((out.getvalue(), result.summary.to_dict()))
    assert found[0] == found[1] == found[2]
    assert found[0][1]["languages"]["es"]["comments"] == 40


def test_a_bad_record_leaves_no_output(runner, tiny_model, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "text": ABUSE}) + "\n{broken\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text("previous run\n")
    result = runner.invoke(app, ["flag", str(source), "-m", str(tiny_model), "-o", str(out)])
    assert result.exit_code == 2
    assert f"{source}:2" in result.stderr and "invalid JSON" in result.stderr
    assert out.read_text() == "previous run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]
    result = runner.invoke(app, ["flag", str(source), "-m", str(tiny_model), "--skip-bad"])
    assert result.exit_code == 0 and len(_rows(result.stdout)) == 1
    assert "1 skipped" in result.stderr


def test_an_interrupted_run_leaves_no_partial_file(runner, tiny_model, tmp_path, monkeypatch):
    source = _jsonl(tmp_path / "in.jsonl", [{"id": i, "text": ABUSE} for i in range(10)])
    monkeypatch.setattr(partition, "CHUNK_SIZE", 3)
    calls = []

    def interrupted(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    original = partition.flag_chunk
    monkeypatch.setattr(partition, "flag_chunk", interrupted)
    out = tmp_path / "out.jsonl"
    result = runner.invoke(
        app, ["flag", str(source), "-m", str(tiny_model), "-o", str(out), "-j", "1"]
    )
    assert result.exit_code == 130
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["-t", "spam=0.5"], "unknown label 'spam'"),
        (["-t", "abusive=7"], "not a probability"),
        (["-m", "/nonexistent/model"], "no such model directory"),
    ],
)
def test_flag_option_errors(runner, tiny_model, tmp_path, args, message):
    source = _jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": ABUSE}])
    base = ["flag", str(source)] + ([] if "-m" in args else ["-m", str(tiny_model)])
    result = runner.invoke(app, base + args)
    assert result.exit_code == 2 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_input_names_the_file(runner, tiny_model, tmp_path):
    result = runner.invoke(app, ["flag", str(tmp_path / "absent.csv"), "-m", str(tiny_model)])
    assert result.exit_code == 2 and "absent.csv: no such file" in result.stderr


def test_threshold_override_changes_the_flags(runner, tiny_model, tmp_path):
    source = _jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": ABUSE}])
    strict = runner.invoke(app, ["flag", str(source), "-m", str(tiny_model), "-t", "abusive=1"])
    assert json.loads(strict.stdout)["flags"] == []


def test_seed_pages(runner, tiny_model, seeds):
    pages = sorted(seeds.iterdir())
    result = runner.invoke(app, ["flag", str(pages[0]), "-m", str(tiny_model)])
    assert result.exit_code == 0 and len(_rows(result.stdout)) > 5
    result = runner.invoke(app, ["flag", str(pages[1]), "-m", str(tiny_model)])
    assert result.exit_code == 0 and result.stdout == ""
    assert "0 comment(s)" in result.stderr


def test_a_huge_comment_in_an_export_is_marked_truncated(runner, tiny_model, tmp_path):
    source = _jsonl(tmp_path / "in.jsonl", [{"id": "big", "text": ABUSE * 60_000}])
    result = runner.invoke(app, ["flag", str(source), "-m", str(tiny_model)])
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)
    assert row["truncated"]["total_chars"] == len(ABUSE) * 60_000
    assert row["prediction"] == "abusive"


def test_progress_is_reported_by_comments_and_bytes_read(tiny_model, tmp_path, monkeypatch):
    from moderation.cli.flag import progress_bar
    from moderation.flagging import flag_file

    monkeypatch.setattr(partition, "CHUNK_SIZE", 2)
    source = _jsonl(tmp_path / "in.jsonl", [{"id": i, "text": ABUSE} for i in range(5)])
    reported = []
    data, _ = flag_file(
        source,
        output=tmp_path / "out.jsonl",
        model=tiny_model,
        progress=lambda comments, position: reported.append((comments, position)),
    )
    assert data["written"] == 5
    assert [comments for comments, _ in reported] == [2, 4, 5]
    assert 0 < reported[0][1] <= reported[-1][1] <= source.stat().st_size
    with progress_bar(source, True) as update:  # the bar the command draws on a terminal
        update(5, source.stat().st_size)


def test_a_model_from_other_library_versions_warns_in_one_line(runner, tiny_model, tmp_path):
    import shutil

    copy = tmp_path / "old"
    shutil.copytree(tiny_model, copy)
    meta = json.loads((copy / "meta.json").read_text())
    meta["versions"]["scikit-learn"] = "0.24.2"
    (copy / "meta.json").write_text(json.dumps(meta))
    result = runner.invoke(app, ["score", "-m", str(copy), "--json", "x"])
    assert result.exit_code == 0
    assert "warning:" in result.stderr and "0.24.2" in result.stderr
    assert "Traceback" not in result.stderr


def test_comments_without_an_author_are_not_one_author_in_the_summary():
    from moderation.comments import Comment
    from moderation.flagging import FlagSummary

    summary = FlagSummary()
    comments = [Comment(f"c{i}", "t", "x", author=None if i < 3 else "ana") for i in range(4)]
    rows = [{"prediction": "abusive", "flags": ["abusive"]} for _ in comments]
    summary.add(comments, rows)
    data = summary.to_dict()
    assert data["top_authors"] == [{"author": "ana", "flagged": 1}]
    assert data["flagged_without_author"] == 3
    assert "flagged without an author (anonymous): 3" in summary.lines()
