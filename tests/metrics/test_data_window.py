"""``metrics.periods.within_data``: a chosen period cut to the days it may cover."""

from __future__ import annotations

from datetime import date

from metrics.periods import data_window, within_data

FIRST, AS_OF = date(2025, 1, 5), date(2025, 2, 3)


def test_the_window_runs_from_the_first_financial_year_to_the_last_day() -> None:
    assert data_window(FIRST, AS_OF) == (date(2024, 4, 1), AS_OF)


def test_a_period_inside_is_kept() -> None:
    assert within_data(date(2025, 1, 1), date(2025, 1, 31), FIRST, AS_OF) == (
        date(2025, 1, 1),
        date(2025, 1, 31),
    )


def test_the_calendars_ends_are_cut_to_the_window() -> None:
    assert within_data(date(1, 1, 1), date(9999, 12, 31), FIRST, AS_OF) == (
        date(2024, 4, 1),
        AS_OF,
    )


def test_a_period_outside_is_none() -> None:
    assert within_data(date(1, 1, 1), date(1, 12, 31), FIRST, AS_OF) is None
    assert within_data(date(9999, 1, 1), date(9999, 12, 31), FIRST, AS_OF) is None
