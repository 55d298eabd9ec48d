"""`moderation flag --dask`: on a LocalCluster of two worker processes, the rows and the summary
are those of one process (threads spanning blocks, and threads the one-pass reader forgets,
included), a killed worker changes nothing, and without Dask the command says how to get it."""

import csv
import json
import os
import signal
import sys
import threading
import time

import pytest

from moderation.cli import app
from moderation.errors import UsageError
from moderation.flagging import FlagSummary, flag_file

from fixtures.languages import GREETINGS

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")

from moderation.flagging.distributed import connect, flag_files_on_dask  # noqa: E402

ABUSE = "You pathetic worm, crawl back under your rock and stay there."
OWN = "Please keep it civil, the library plan deserves a real debate."
TEXTS = [
    ABUSE,
    "They staged it and the cabal is hiding the truth from everyone.",
    "The ferry is late again.",
    "",
    "Nice photos of the harbour.",
]


def _records(threads=8, per_thread=12, interleaved=False, texts=TEXTS):
    """Threads with replies; every fourth reply repeats its parent's sentence (a quote)."""
    order = [(t, i) for i in range(per_thread) for t in range(threads)]
    if not interleaved:
        order.sort()
    records = []
    for t, i in order:
        parent = f"t{t}c0" if i % 2 else None
        text = texts[(t + i) % len(texts)]
        if parent and i % 4 == 1:
            text = f"{texts[t % len(texts)]} {OWN}"
        records.append(
            {
                "id": f"t{t}c{i}",
                "thread_id": f"t{t}",
                "parent_id": parent,
                "author": f"a{(t * i) % 3}",
                "text": text,
                "title": f"Thread {t}",
            }
        )
    return records


def _write(path, records):
    if path.suffix == ".csv":
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(records[0]))
            writer.writeheader()
            for record in records:
                writer.writerow({k: "" if v is None else v for k, v in record.items()})
    else:
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with distributed.Client(cluster) as client:
        yield client
    cluster.close()


def _one_process(source, tiny_model, tmp_path):
    out, summary = tmp_path / "one.jsonl", tmp_path / "one.json"
    flag_file(source, output=out, summary=summary, model=tiny_model, processes=1)
    return out.read_bytes(), json.loads(summary.read_text())


def _same_on_dask(client, source, tiny_model, tmp_path, block_bytes):
    """Flag ``source`` in one process and on the cluster: the same rows and summary (which
    is returned)."""
    rows, summary = _one_process(source, tiny_model, tmp_path)
    out, merged = tmp_path / "dask.jsonl", tmp_path / "dask.json"
    flag_files_on_dask(
        [str(source)], "", output=out, summary=merged, model=tiny_model,
        block_bytes=block_bytes, client=client,
    )  # fmt: skip
    assert out.read_bytes() == rows
    assert _comparable(json.loads(merged.read_text())) == _comparable(summary)
    return summary


def _comparable(summary):
    return {
        k: v
        for k, v in summary.items()
        if k not in ("input", "inputs", "format", "formats", "partitions")
    }


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_rows_and_summary_are_those_of_one_process(client, tiny_model, tmp_path, suffix):
    source = _write(tmp_path / f"in{suffix}", _records())
    rows, summary = _one_process(source, tiny_model, tmp_path)
    out, merged = tmp_path / "dask.jsonl", tmp_path / "dask.json"
    data, result = flag_files_on_dask(
        [str(source)], "", output=out, summary=merged, model=tiny_model,
        block_bytes=700, client=client,
    )  # fmt: skip
    assert len(result.parts) > 4  # many blocks: threads span them
    assert out.read_bytes() == rows
    assert _comparable(json.loads(merged.read_text())) == _comparable(summary)
    flagged = [json.loads(line) for line in rows.splitlines()]
    assert any(r.get("quotes_excluded") for r in flagged)


def test_languages_and_their_counts_are_those_of_one_process(client, tiny_model, tmp_path):
    texts = [GREETINGS[code] for code in ("de", "it", "pt")] + TEXTS
    source = _write(tmp_path / "in.jsonl", _records(texts=texts))
    summary = _same_on_dask(client, source, tiny_model, tmp_path, block_bytes=700)
    languages = summary["languages"]
    assert {"de", "it", "pt", "en"} <= set(languages)
    assert languages["it"]["not_scored_no_model"] == languages["it"]["comments"] > 0
    assert summary["not_scored_reasons"]["language"] == languages["it"]["comments"]


def test_a_quote_of_a_parent_in_an_earlier_block_is_found(client, tiny_model, tmp_path):
    records = _records(threads=2, per_thread=30)
    source = _write(tmp_path / "in.jsonl", records)
    out = tmp_path / "dask.jsonl"
    _, result = flag_files_on_dask(
        [str(source)], "", output=out, model=tiny_model, block_bytes=300, client=client
    )
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    starts = [0]
    for part in result.parts:
        starts.append(starts[-1] + part["rows"])
    block_of = {row["id"]: next(b for b in range(len(starts)) if starts[b + 1] > i)
                for i, row in enumerate(rows)}  # fmt: skip
    spanning = [
        r for r in rows
        if r.get("quotes_excluded") and block_of[r["parent_id"]] != block_of[r["id"]]
    ]  # fmt: skip
    assert spanning and all(r["quotes_excluded"][0]["source"] == "parent" for r in spanning)
    assert out.read_bytes() == _one_process(source, tiny_model, tmp_path)[0]


def test_threads_the_one_pass_reader_forgets_come_out_the_same(client, tiny_model, tmp_path):
    # 530 threads taking turns: one pass remembers 512 threads, so each reply's parent is
    # forgotten by the time it comes (an orphan, its depth a guess); blocks must agree
    source = _write(tmp_path / "in.jsonl", _records(threads=530, per_thread=2, interleaved=True))
    summary = _same_on_dask(client, source, tiny_model, tmp_path, block_bytes=8000)
    assert any("not seen before them" in w for w in summary["warnings"])


def test_several_inputs_and_a_folder_of_parts(client, tiny_model, tmp_path):
    first = _write(tmp_path / "a.jsonl", _records(threads=3))
    second = _write(tmp_path / "b.csv", _records(threads=4))
    page = tmp_path / "page.txt"
    page.write_text(_page_text(), encoding="utf-8")
    expected = b"".join(_one_process(p, tiny_model, tmp_path)[0] for p in (first, second, page))
    folder = tmp_path / "out"
    data, result = flag_files_on_dask(
        [str(first), str(second), str(page)], "", output=folder, output_dir=True,
        model=tiny_model, block_bytes=800, client=client,
    )  # fmt: skip
    manifest = json.loads((folder / "manifest.json").read_text())
    parts = [folder / part["file"] for part in manifest["parts"]]
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["manifest.json", *(p.name for p in parts)]
    )
    assert b"".join(p.read_bytes() for p in parts) == expected
    assert manifest["rows"] == data["written"] == expected.count(b"\n")
    assert manifest["parts"][-1]["input"] == str(page)  # the page dump: one partition


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
def test_inputs_by_url_and_a_spreadsheet_out_are_those_of_one_process(
    client, tiny_model, tmp_path, suffix
):
    # file:// goes through fsspec as s3:// or gs:// would: every worker opens the URL itself
    source = _write(tmp_path / "in.jsonl", _records(interleaved=True))
    one = tmp_path / f"one{suffix}"
    flag_file(source, output=one, model=tiny_model, processes=1)
    out = tmp_path / f"dask{suffix}"
    data, result = flag_files_on_dask(
        [source.as_uri()], "", output=out, model=tiny_model, block_bytes=600, client=client
    )
    assert len(result.parts) > 3 and data["inputs"] == [source.as_uri()]
    assert out.read_bytes() == one.read_bytes()
    delimiter = "," if suffix == ".csv" else "\t"
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline=""), delimiter=delimiter))
    assert len(rows) == 96 and "score_abusive" in rows[0]


def test_a_glob_of_urls_and_a_folder_of_csv_parts(client, tiny_model, tmp_path):
    for name in ("a", "b"):
        _write(tmp_path / f"{name}.jsonl", _records(threads=3))
    pattern = f"{tmp_path.as_uri()}/*.jsonl"
    folder = tmp_path / "out.csv"
    data, result = flag_files_on_dask(
        [pattern], "", output=folder, output_dir=True, model=tiny_model, block_bytes=700,
        client=client,
    )  # fmt: skip
    assert data["inputs"] == [(tmp_path / n).as_uri() for n in ("a.jsonl", "b.jsonl")]
    parts = json.loads((folder / "manifest.json").read_text())["parts"]
    assert all(part["file"].endswith(".csv") for part in parts)
    assert sum(part["rows"] for part in parts) == data["written"] == 72
    for part in parts:  # each part a spreadsheet of its own, with the header
        rows = list(csv.DictReader((folder / part["file"]).open(encoding="utf-8", newline="")))
        assert len(rows) == part["rows"] and (not rows or "score_civil" in rows[0])


def test_an_unknown_protocol_is_one_line_naming_what_to_install(runner, tiny_model):
    result = runner.invoke(app, ["flag", "s3://bucket/export.jsonl", "-m", str(tiny_model)])
    assert result.exit_code == 2
    assert "s3://bucket/export.jsonl" in result.stderr and "Traceback" not in result.output


def _page_text():
    from fixtures.files import SAMPLES

    return (SAMPLES / "article-page.txt").read_text(encoding="utf-8")


def test_a_killed_worker_is_replaced_and_the_rows_are_complete(tiny_model, tmp_path):
    source = _write(tmp_path / "in.jsonl", _records(threads=20, per_thread=8))
    rows, summary = _one_process(source, tiny_model, tmp_path)
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    out, merged = tmp_path / "dask.jsonl", tmp_path / "dask.json"
    with distributed.Client(cluster) as client:
        before = client.run(os.getpid)
        killed = []

        def kill_a_worker_mid_run():
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not killed:
                for address, tasks in client.processing().items():
                    if any(str(t).startswith("flag_partition") for t in tasks):
                        os.kill(before[address], signal.SIGKILL)
                        killed.append(address)
                        return
                time.sleep(0.005)

        killer = threading.Thread(target=kill_a_worker_mid_run)
        killer.start()
        flag_files_on_dask(
            [str(source)], "", output=out, summary=merged, model=tiny_model,
            block_bytes=400, client=client,
        )  # fmt: skip
        killer.join()
        assert killed and out.read_bytes() == rows
        assert _comparable(json.loads(merged.read_text())) == _comparable(summary)
        client.wait_for_workers(2, timeout=300)  # starting a process is slow on a busy machine
        after = client.run(os.getpid)
    cluster.close()
    assert before[killed[0]] not in after.values()  # it died, and another took its place


def test_summaries_merge_into_the_summary_of_the_whole():
    from moderation.comments import Comment

    comments = [
        Comment(id=str(i), thread_id=f"t{i % 3}", text="x", author=f"a{i % 4}") for i in range(12)
    ]
    predictions = ["civil", "abusive", None, "conspiracy"] * 3
    flags = [[], ["abusive"], [], ["conspiracy", "abusive"]] * 3
    whole = FlagSummary()
    whole.add_verdicts(comments, predictions, flags)
    merged = FlagSummary()
    for start in (0, 5, 9):
        part = FlagSummary()
        end = {0: 5, 5: 9, 9: 12}[start]
        part.add_verdicts(comments[start:end], predictions[start:end], flags[start:end])
        merged.merge(part)
    assert merged.to_dict() == whole.to_dict()


def test_without_dask_the_command_says_how_to_install_it(runner, tiny_model, tmp_path, monkeypatch):
    source = _write(tmp_path / "in.jsonl", _records(threads=1))
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    with pytest.raises(UsageError, match=r"pip install 'moderation\[dask\]'"):
        connect("local:1")
    result = runner.invoke(app, ["flag", str(source), "-m", str(tiny_model), "--dask", "local:1"])
    assert result.exit_code == 2
    assert "pip install 'moderation[dask]'" in result.stderr and "Traceback" not in result.stderr


def test_a_bad_record_in_a_later_block_names_its_line_on_dask(client, tiny_model, tmp_path):
    records = _records(threads=4)
    source = _write(tmp_path / "in.jsonl", records)
    lines = source.read_text().splitlines()
    lines[40] = "{broken"
    source.write_text("\n".join(lines) + "\n")
    out = tmp_path / "dask.jsonl"
    with pytest.raises(Exception, match=r"in.jsonl:41: invalid JSON"):
        flag_files_on_dask(
            [str(source)], "", output=out, model=tiny_model, block_bytes=500, client=client
        )
    assert not out.exists()
