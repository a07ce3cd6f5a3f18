"""Period presets, counted back from the data's as-of day, in the Indian financial year."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.periods import PRESETS, fy_label, fy_of, preset_period, previous_period, quarter_label


@pytest.mark.parametrize(
    "preset, as_of, period",
    [
        ("last_7_days", date(2025, 8, 3), (date(2025, 7, 28), date(2025, 8, 3))),
        ("last_30_days", date(2025, 3, 1), (date(2025, 1, 31), date(2025, 3, 1))),
        ("last_90_days", date(2025, 7, 31), (date(2025, 5, 3), date(2025, 7, 31))),
        ("this_month", date(2025, 7, 31), (date(2025, 7, 1), date(2025, 7, 31))),
        ("this_month", date(2025, 7, 1), (date(2025, 7, 1), date(2025, 7, 1))),
        ("last_month", date(2025, 3, 15), (date(2025, 2, 1), date(2025, 2, 28))),
        ("last_month", date(2028, 3, 1), (date(2028, 2, 1), date(2028, 2, 29))),  # leap year
        ("last_month", date(2026, 1, 10), (date(2025, 12, 1), date(2025, 12, 31))),
        ("last_month", date(2025, 5, 31), (date(2025, 4, 1), date(2025, 4, 30))),
        ("this_quarter", date(2025, 3, 31), (date(2025, 1, 1), date(2025, 3, 31))),  # Q4
        ("this_quarter", date(2025, 4, 1), (date(2025, 4, 1), date(2025, 4, 1))),  # Q1
        ("this_quarter", date(2025, 9, 30), (date(2025, 7, 1), date(2025, 9, 30))),
        ("this_quarter", date(2025, 11, 5), (date(2025, 10, 1), date(2025, 11, 5))),
        ("fy_to_date", date(2025, 3, 31), (date(2024, 4, 1), date(2025, 3, 31))),
        ("fy_to_date", date(2025, 4, 1), (date(2025, 4, 1), date(2025, 4, 1))),
        ("fy_to_date", date(2026, 1, 15), (date(2025, 4, 1), date(2026, 1, 15))),
    ],
)
def test_presets(preset: str, as_of: date, period: tuple[date, date]) -> None:
    assert preset_period(preset, as_of) == period


def test_last_7_days_is_seven_whole_days() -> None:
    start, end = preset_period("last_7_days", date(2028, 3, 3))
    assert (start, end) == (date(2028, 2, 26), date(2028, 3, 3))
    assert (end - start).days + 1 == 7


def test_whole_financial_year() -> None:
    assert preset_period("fy", date(2025, 11, 30), fy_start_year=2024) == (
        date(2024, 4, 1),
        date(2025, 3, 31),
    )
    # The running year is cut at the as-of day.
    assert preset_period("fy", date(2025, 11, 30), fy_start_year=2025) == (
        date(2025, 4, 1),
        date(2025, 11, 30),
    )
    assert preset_period("fy", date(2025, 4, 1), fy_start_year=2025) == (
        date(2025, 4, 1),
        date(2025, 4, 1),
    )
    with pytest.raises(ValueError, match="FY 2025-26 has not begun"):
        preset_period("fy", date(2025, 3, 31), fy_start_year=2025)
    with pytest.raises(ValueError, match="fy_start_year"):
        preset_period("fy", date(2025, 11, 30))


def test_custom_period() -> None:
    assert preset_period(
        "custom", date(2025, 11, 30), start=date(2025, 5, 1), end=date(2025, 7, 31)
    ) == (date(2025, 5, 1), date(2025, 7, 31))
    with pytest.raises(ValueError, match="start and end"):
        preset_period("custom", date(2025, 11, 30), start=date(2025, 5, 1))
    with pytest.raises(ValueError, match="after end"):
        preset_period("custom", date(2025, 11, 30), start=date(2025, 8, 1), end=date(2025, 7, 31))


def test_unknown_preset() -> None:
    with pytest.raises(ValueError, match="unknown period preset 'last_week'"):
        preset_period("last_week", date(2025, 11, 30))


def test_every_preset_is_handled() -> None:
    for preset in PRESETS:
        start, end = preset_period(
            preset,
            date(2025, 11, 30),
            fy_start_year=2025,
            start=date(2025, 5, 1),
            end=date(2025, 7, 31),
        )
        assert start <= end <= date(2025, 11, 30)


@pytest.mark.parametrize(
    "start, end, previous",
    [
        # 1 May – 31 July 2025 (92 days) ← 29 January – 30 April 2025 (92 days).
        (date(2025, 5, 1), date(2025, 7, 31), (date(2025, 1, 29), date(2025, 4, 30))),
        (date(2025, 4, 1), date(2025, 4, 1), (date(2025, 3, 31), date(2025, 3, 31))),
        # 1–7 March 2028 ← 23–29 February 2028 (a leap year).
        (date(2028, 3, 1), date(2028, 3, 7), (date(2028, 2, 23), date(2028, 2, 29))),
        (date(2026, 1, 1), date(2026, 1, 31), (date(2025, 12, 1), date(2025, 12, 31))),
    ],
)
def test_previous_period(start: date, end: date, previous: tuple[date, date]) -> None:
    assert previous_period(start, end) == previous
    before_start, before_end = previous
    assert (before_end - before_start) == (end - start)


def test_previous_period_rejects_a_reversed_range() -> None:
    with pytest.raises(ValueError, match="after end"):
        previous_period(date(2025, 5, 2), date(2025, 5, 1))


@pytest.mark.parametrize(
    "day, fy",
    [
        (date(2025, 3, 31), 2024),
        (date(2025, 4, 1), 2025),
        (date(2026, 1, 1), 2025),
        (date(2025, 12, 31), 2025),
    ],
)
def test_fy_of(day: date, fy: int) -> None:
    assert fy_of(day) == fy


def test_fy_label() -> None:
    assert fy_label(2025) == "FY 2025-26"
    assert fy_label(2099) == "FY 2099-00"
    assert fy_label(2008) == "FY 2008-09"


@pytest.mark.parametrize(
    "day, label",
    [
        (date(2025, 4, 1), "Q1 FY 2025-26"),
        (date(2025, 6, 30), "Q1 FY 2025-26"),
        (date(2025, 7, 1), "Q2 FY 2025-26"),
        (date(2025, 12, 31), "Q3 FY 2025-26"),
        (date(2026, 1, 1), "Q4 FY 2025-26"),
        (date(2025, 3, 31), "Q4 FY 2024-25"),
    ],
)
def test_quarter_label(day: date, label: str) -> None:
    assert quarter_label(day) == label
