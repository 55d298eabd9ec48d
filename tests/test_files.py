"""The file helpers every command writes through: one output check, folders replaced only when
they hold just a command's own files, swapped in one step, records never written through a
symbolic link, spreadsheet cells that never run as formulas (issue 16: items 1, 2, 3, 7, 8)."""

import os

import pytest

from moderation import files
from moderation.errors import ModerationError
from moderation.files import (
    atomic_directory,
    check_outputs,
    from_spreadsheet_cell,
    open_for_append,
    set_torn_line_aside,
    spreadsheet_cell,
)

OWN = ("metrics.json", "index.html")


def test_an_output_that_is_an_input_by_name_symlink_or_hard_link_is_refused(tmp_path):
    data = tmp_path / "w.xml"
    data.write_text("<x/>")
    (tmp_path / "link.xml").symlink_to(data)
    os.link(data, tmp_path / "hard.xml")
    for output in (data, tmp_path / "link.xml", tmp_path / "hard.xml", tmp_path / "." / "w.xml"):
        with pytest.raises(ModerationError, match="is the input"):
            check_outputs({"-o": output}, [data])
    with pytest.raises(ModerationError, match="name the same file"):
        check_outputs({"-o": tmp_path / "a", "--summary": tmp_path / "." / "a"}, [data])
    check_outputs({"-o": tmp_path / "new.jsonl", "--summary": None, "x": "-"}, [data])
    check_outputs({"-o": "/dev/null", "--summary": "/dev/null"}, [data])  # devices are fine


def test_an_output_in_a_read_only_folder_is_refused_before_any_work(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    locked = tmp_path / "ro"
    locked.mkdir()
    locked.chmod(0o555)
    with pytest.raises(ModerationError, match="not writable"):
        check_outputs({"-o": locked / "out.jsonl"})


def test_a_folder_holding_other_files_is_never_replaced(tmp_path):
    folder = tmp_path / "p"
    (folder / "src").mkdir(parents=True)
    (folder / "metrics.json").write_text("{}")
    (folder / "src" / "main.py").write_text("code")
    with pytest.raises(ModerationError, match="holds src"), atomic_directory(folder, OWN) as st:
        (st / "metrics.json").write_text("{}")
    assert (folder / "src" / "main.py").read_text() == "code"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


def test_a_folder_of_its_own_files_is_replaced_and_the_current_folder_never(tmp_path, monkeypatch):
    folder = tmp_path / "report"
    folder.mkdir()
    (folder / "metrics.json").write_text("old")
    with atomic_directory(folder, OWN) as staging:
        (staging / "metrics.json").write_text("new")
    assert (folder / "metrics.json").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]
    monkeypatch.chdir(folder)
    for where in (".", "..", str(folder)):
        with pytest.raises(ModerationError, match="current folder"):
            with atomic_directory(where, OWN):
                pass
    (tmp_path / "link").symlink_to(folder)
    with pytest.raises(ModerationError, match="symbolic link"):
        with atomic_directory(tmp_path / "link", OWN):
            pass


def test_a_kill_while_swapping_leaves_the_old_or_the_new_directory(tmp_path, monkeypatch):
    """Today's code renames the old directory away, then the new one in: a kill between the
    two leaves no directory at all. Here each rename the swap makes is the last thing that
    happens (a kill right after it)."""
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "metrics.json").write_text("old")
    real_replace = os.replace
    calls = []

    def killed_after_first_replace(source, target):
        calls.append((source, target))
        real_replace(source, target)
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", killed_after_first_replace)
    try:
        with atomic_directory(folder, OWN) as staging:
            (staging / "metrics.json").write_text("new")
    except KeyboardInterrupt:
        pass
    assert (folder / "metrics.json").read_text() in ("old", "new")


def test_the_swap_is_one_step_where_the_system_allows(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "1").write_text("a")
    if not files.exchange_paths(first, second):
        pytest.skip("this file system cannot exchange two paths")
    assert (second / "1").read_text() == "a" and not (first / "1").exists()


def test_records_are_never_written_through_a_symbolic_link(tmp_path):
    elsewhere = tmp_path / "victim.txt"
    elsewhere.write_text("precious\n")
    store = tmp_path / "store.jsonl"
    store.write_text('{"a": 1}\n{"torn')
    (tmp_path / "store.jsonl.torn").symlink_to(elsewhere)
    with pytest.raises(ModerationError, match="symbolic link"):
        set_torn_line_aside(store, b'{"torn')
    (tmp_path / "history.jsonl").symlink_to(elsewhere)
    with pytest.raises(ModerationError, match="symbolic link"):
        open_for_append(tmp_path / "history.jsonl")
    assert elsewhere.read_text() == "precious\n"


@pytest.mark.parametrize(
    "text", ["=1+2", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "'=x", "''-x", "'plain", "plain", ""]
)
def test_spreadsheet_cells_never_start_a_formula_and_round_trip(text):
    cell = spreadsheet_cell(text)
    assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r")
    assert from_spreadsheet_cell(cell) == text


def _dead_pid() -> int:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True
    )
    return int(done.stdout)


def test_what_a_killed_run_left_is_removed_by_the_next_run_writing_the_same_file(tmp_path):
    from moderation.errors import LeftoverWarning

    dead, alive = _dead_pid(), os.getppid()
    left = tmp_path / f".out.csv.{dead}.k2j3.tmp"
    left.write_text("half a file")
    staging = tmp_path / f".model.{dead}.abc123"
    staging.mkdir()
    (staging / "meta.json").write_text("{}")
    running = tmp_path / f".out.csv.{alive}.zz.tmp"  # another run still writing: kept
    running.write_text("in progress")
    unknown = tmp_path / ".out.csv.abc.tmp"  # not ours to judge: kept
    unknown.write_text("?")
    with pytest.warns(LeftoverWarning, match=f"removed .*{left.name}, left by an earlier run"):
        with files.atomic_output(tmp_path / "out.csv") as out:
            out.write("whole\n")
    with pytest.warns(LeftoverWarning, match=staging.name):
        with files.atomic_directory(tmp_path / "model", ["meta.json"]) as folder:
            (folder / "meta.json").write_text("{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["out.csv", "model", running.name, unknown.name]
    )


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/full", "fifo"])
def test_an_input_must_be_a_regular_file(tmp_path, device):
    from moderation.errors import InputError

    if device == "fifo":
        device = tmp_path / "in.csv"
        os.mkfifo(device)
    with pytest.raises(InputError, match="is not a regular file"):
        files.check_regular_file(device)
    link = tmp_path / "link.csv"
    (tmp_path / "real.csv").write_text("id,text\n")
    link.symlink_to(tmp_path / "real.csv")
    files.check_regular_file(link)  # an input may be a link to a file
