"""The shape every dataset converter yields (``dataset_example``), and reading CSV rows."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

Example = dict[str, Any]


def dataset_example(
    source: str,
    row_id: str,
    text: str,
    label: str | None,
    source_label: str,
    *,
    thread: str | None = None,
    split: str = "train",
) -> Example:
    """One converted row: ``id`` and ``thread_id`` prefixed with the source, our ``label`` (or
    None where the dataset's label does not map onto ours), the dataset's own label and its
    split."""
    example_id = f"{source}:{row_id}"
    return {
        "id": example_id,
        "thread_id": f"{source}:{thread}" if thread else example_id,
        "text": text,
        "label": label,
        "source": source,
        "source_label": source_label,
        "split": split,
    }


def csv_rows(path: Path, delimiter: str = ",", encoding: str = "utf-8") -> Iterator[dict[str, str]]:
    with open(path, newline="", encoding=encoding, errors="replace") as handle:
        yield from csv.DictReader(handle, delimiter=delimiter)
