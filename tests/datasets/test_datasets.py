"""The datasets command: listing the catalogue, fetching by name, preparing local copies (the
converters are in test_convert.py, the downloads in test_fetch.py)."""

import json
from collections import Counter
from pathlib import Path

import pytest

from moderation.cli import app
from moderation.datasets.catalogue import DATASETS

SHARED = Path(__file__).resolve().parents[3] / "shared" / "datasets"


def test_a_missing_local_copy_says_how_to_fetch(runner, tmp_path):
    result = runner.invoke(app, ["datasets", "prepare", "olid", "--from", str(tmp_path)])
    assert result.exit_code == 2
    assert "not found" in result.stderr and "moderation datasets fetch olid" in result.stderr


def test_fetch_by_name_refuses_derived_and_unknown_datasets(tmp_path, runner):
    result = runner.invoke(app, ["datasets", "fetch", "stormfront", "--dest", str(tmp_path)])
    assert result.exit_code == 2 and "cannot be downloaded" in result.stderr
    result = runner.invoke(app, ["datasets", "fetch", "nope", "--dest", str(tmp_path)])
    assert result.exit_code == 2 and "unknown dataset 'nope'" in result.stderr


def test_list_shows_every_dataset(runner):
    result = runner.invoke(app, ["datasets", "list", "--json"])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["name"] for r in rows] == list(DATASETS)
    assert all(r["licence"] and (r["bytes"] > 0 or r["role"] == "test") for r in rows)


@pytest.mark.skipif(not SHARED.is_dir(), reason="needs the local copies in ../shared/datasets")
def test_prepare_the_real_copies(runner, tmp_path):
    out = tmp_path / "olid.jsonl"
    result = runner.invoke(
        app, ["datasets", "prepare", "olid", "psycomark", "--from", str(SHARED), "-o", str(out)]
    )
    assert result.exit_code == 0, result.stderr
    labels = Counter((r["source"], r["label"]) for r in map(json.loads, out.open()))
    assert labels == {
        ("olid", "civil"): 9460,
        ("olid", "abusive"): 3876,
        ("psycomark", "civil"): 1581,
        ("psycomark", "conspiracy"): 1203,
    }
