"""Time buckets: ISO weeks, months, quarters and the Indian financial year."""

from __future__ import annotations

from datetime import date

import pytest

from data_access.store import bucket_start, calendar_rows


@pytest.mark.parametrize(
    "day, grain, start",
    [
        (date(2025, 3, 31), "fy", date(2024, 4, 1)),  # last day of FY 2024-25
        (date(2025, 4, 1), "fy", date(2025, 4, 1)),  # first day of FY 2025-26
        (date(2026, 1, 15), "fy", date(2025, 4, 1)),
        (date(2025, 6, 30), "quarter", date(2025, 4, 1)),
        (date(2025, 7, 1), "quarter", date(2025, 7, 1)),
        (date(2025, 1, 1), "week", date(2024, 12, 30)),  # ISO weeks start on Monday
        (date(2025, 5, 31), "month", date(2025, 5, 1)),
        (date(2025, 5, 31), "day", date(2025, 5, 31)),
    ],
)
def test_bucket_start(day: date, grain: str, start: date) -> None:
    assert bucket_start(day, grain) == start


def test_calendar_rows_agree_with_bucket_start() -> None:
    rows = calendar_rows(date(2024, 3, 25), date(2024, 4, 8))
    assert len(rows) == 15
    for row in rows:
        assert row["fy_start"] == bucket_start(row["day"], "fy")
        assert row["iso_week_start"].weekday() == 0


def test_unknown_grain() -> None:
    with pytest.raises(ValueError, match="fortnight"):
        bucket_start(date(2025, 1, 1), "fortnight")
