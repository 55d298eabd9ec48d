"""Structured timestamps (formats/dates.py) as canonical ISO 8601: ISO text, Unix seconds or
milliseconds, written dates; None for what is not a date."""

from __future__ import annotations

import pytest

from moderation.formats.dates import parse_timestamp


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2024-01-02T03:04:05+00:00", "2024-01-02T03:04:05+00:00"),
        ("2024-01-02T03:04:05Z", "2024-01-02T03:04:05+00:00"),
        ("2024-01-02 03:04", "2024-01-02T03:04"),
        (1704164645, "2024-01-02T03:04:05+00:00"),
        (1704164645000, "2024-01-02T03:04:05+00:00"),
        ("1704164645", "2024-01-02T03:04:05+00:00"),
    ],
)
def test_timestamps_become_canonical_iso(value, iso):
    assert parse_timestamp(value) == iso


@pytest.mark.parametrize("value", [None, "", "   ", "not a date", True, 1e30])
def test_what_is_not_a_date_is_none(value):
    assert parse_timestamp(value) is None
