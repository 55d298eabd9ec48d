"""The catalogue of public datasets: every file pinned to a commit with its checksum, every
dataset with its language, licence and citation."""

from __future__ import annotations

import pytest

from moderation.datasets import catalogue
from moderation.datasets.catalogue import (
    DATASETS,
    TRAINING_SOURCES,
    Dataset,
    DatasetFile,
    dataset_table,
)
from moderation.errors import UsageError


def test_every_file_is_pinned_to_a_commit_with_a_checksum():
    for dataset in DATASETS.values():
        assert dataset.licence and dataset.citation and dataset.files
        for item in dataset.files:
            # an official test split in another language is the one file not pinned (it was
            # never fetched where the registry was written)
            pinned = dataset.role != "test" or item.sha256 is not None
            assert len(item.commit) == 40 and (len(item.sha256) == 64 if pinned else True)
            assert item.url.startswith(
                f"https://raw.githubusercontent.com/{item.repo}/{item.commit}/"
            )
    assert " " not in DATASETS["covid_vaccine_comments"].files[0].url


def test_every_dataset_names_its_language_and_the_english_lists_stay_english():
    assert {d.language for d in DATASETS.values()} == {"en", "de", "pt", "fr", "es"}
    assert all(DATASETS[name].language == "en" for name in TRAINING_SOURCES)
    # the official test splits of these sets are not freely available: none is registered
    assert all(d.role == "training" for d in DATASETS.values() if d.language != "en")


def test_a_file_s_url_is_pinned_and_quoted_and_a_dataset_adds_up_its_files():
    plain = DatasetFile("x/a.csv", "o/r", "c" * 40, "dir/a b.csv", "0" * 64, 10)
    derived = DatasetFile("x/b.csv", "o/r", "c" * 40, "b.csv", "0" * 64, 5, derived=True)
    assert plain.url == f"https://raw.githubusercontent.com/o/r/{'c' * 40}/dir/a%20b.csv"
    whole = Dataset("x", "training", "d", "MIT", "none", (plain, derived))
    assert whole.size == 15
    assert not whole.downloadable
    assert Dataset("y", "training", "d", "MIT", "none", (plain,)).downloadable


def test_an_unknown_dataset_names_the_known_ones():
    assert catalogue.dataset("olid") is DATASETS["olid"]
    with pytest.raises(UsageError, match="unknown dataset 'nope'; known: .*olid"):
        catalogue.dataset("nope")


def test_the_table_says_which_local_copies_are_complete(tmp_path):
    olid = DATASETS["olid"]
    for item in olid.files[:-1]:
        (tmp_path / item.name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / item.name).write_text("x")
    rows = {row["name"]: row for row in dataset_table(tmp_path)}
    assert list(rows) == list(DATASETS)
    assert not rows["olid"]["local"]  # one file is missing
    last = tmp_path / olid.files[-1].name
    last.parent.mkdir(parents=True, exist_ok=True)
    last.write_text("x")
    assert {row["name"]: row for row in dataset_table(tmp_path)}["olid"]["local"]
    by_name = dataset_table(lambda name: tmp_path / "elsewhere" / name)
    assert not any(row["local"] for row in by_name)
    assert rows["olid"]["bytes"] == olid.size
    assert [f["url"] for f in rows["olid"]["files"]] == [f.url for f in olid.files]
