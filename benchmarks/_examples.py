"""Benchmarks handle labelled rows as plain dicts (what dataset converters yield); these turn
them into the package's :class:`~moderation.labels.examples.Example` and back."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from moderation.labels.examples import Example


def as_example(row: dict[str, Any] | Example) -> Example:
    return row if isinstance(row, Example) else Example.from_record(row)


def as_examples(rows: Iterable[dict[str, Any] | Example]) -> list[Example]:
    return [as_example(row) for row in rows]


def as_dicts(examples: Iterable[Example]) -> list[dict[str, Any]]:
    return [dataclasses.asdict(example) for example in examples]
