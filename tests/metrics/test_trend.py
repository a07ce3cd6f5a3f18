"""Daily trends and the projected month an adoption target is met."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from metrics.trend import moving_average, project_target_month, reindex_daily, rolling_rate


def test_reindex_daily_fills_missing_days_with_zero() -> None:
    frame = pd.DataFrame(
        {"registrations": [10, 4, 6, 99], "abha_linked": [5, 2, 3, 99], "note": list("abcd")},
        index=[date(2025, 5, 1), date(2025, 5, 3), date(2025, 5, 3), date(2025, 6, 1)],
    )
    daily = reindex_daily(
        frame, date(2025, 5, 1), date(2025, 5, 4), ["registrations", "abha_linked"]
    )
    assert daily.index.tolist() == list(pd.date_range("2025-05-01", "2025-05-04"))
    assert daily["registrations"].tolist() == [10, 0, 10, 0]  # 3 May summed, 1 June dropped
    assert daily["abha_linked"].tolist() == [5, 0, 5, 0]
    assert list(daily.columns) == ["registrations", "abha_linked"]


def test_moving_average_counts_days_without_registrations() -> None:
    frame = pd.DataFrame({"registrations": [7, 14]}, index=[date(2025, 5, 1), date(2025, 5, 7)])
    daily = reindex_daily(frame, date(2025, 5, 1), date(2025, 5, 8), ["registrations"])
    average = moving_average(daily["registrations"])
    # 1–7 May: (7 + 0·5 + 14) / 7 = 3; 2–8 May: 14 / 7 = 2.
    assert average.iloc[:6].isna().all()
    assert average.iloc[6:].tolist() == [3.0, 2.0]
    assert moving_average(daily["registrations"], window=7, min_periods=1).iloc[0] == 7.0


def test_rolling_rate_is_a_ratio_of_sums_not_a_mean_of_ratios() -> None:
    # Day 1: 1 of 10 linked (10%); day 2: 90 of 100 (90%).
    #   ratio of the 2-day sums: 91 / 110 = 0.8273
    #   naive mean of daily ratios: (0.1 + 0.9) / 2 = 0.5
    linked = pd.Series([1, 90])
    registrations = pd.Series([10, 100])
    rate = rolling_rate(linked, registrations, window=2)
    naive = (linked / registrations).rolling(2).mean()
    assert rate.iloc[1] == pytest.approx(91 / 110)
    assert naive.iloc[1] == pytest.approx(0.5)
    assert np.isnan(rate.iloc[0])


def test_rolling_rate_has_no_rate_for_a_window_without_registrations() -> None:
    rate = rolling_rate(pd.Series([0, 0, 2]), pd.Series([0, 0, 4]), window=2)
    assert np.isnan(rate.iloc[1])
    assert rate.iloc[2] == 0.5


def _monthly(rates: list[float], first: str = "2025-01-01") -> pd.Series:
    months = pd.date_range(first, periods=len(rates), freq="MS").date
    return pd.Series(rates, index=months)


def test_projection_of_a_rising_trend() -> None:
    # January–June 2025 at 30, 32, …, 40%: +2 points a month, 40% in June.
    #   50% is 10 points, 5 months after June → November 2025.
    #   41% is half a month after June → the first month at or above it is July 2025.
    rising = _monthly([0.30, 0.32, 0.34, 0.36, 0.38, 0.40])
    assert project_target_month(rising, 0.50) == date(2025, 11, 1)
    assert project_target_month(rising, 0.41) == date(2025, 7, 1)


def test_projection_when_the_target_is_already_met() -> None:
    rising = _monthly([0.30, 0.32, 0.34, 0.36, 0.38, 0.40])
    assert project_target_month(rising, 0.40) == date(2025, 6, 1)
    assert project_target_month(rising, 0.35) == date(2025, 6, 1)


def test_projection_uses_only_recent_months() -> None:
    # A fall through 2024, then the last six months rise by 1 point a month to 20% in June 2025.
    # The line through the last six months reaches 25% five months later: November 2025.
    series = _monthly([0.5, 0.4, 0.3, 0.2, 0.15, 0.16, 0.17, 0.18, 0.19, 0.20], "2024-09-01")
    assert project_target_month(series, 0.25) == date(2025, 11, 1)
    assert project_target_month(series, 0.25, recent_months=10) is None


def test_projection_skips_missing_months_by_their_dates() -> None:
    # Rates for January, March and May only (+1 point a month): 0.3, 0.32, 0.34.
    # 0.38 is 4 months after May: September 2025.
    series = pd.Series(
        [0.34, 0.30, 0.32], index=[date(2025, 5, 1), date(2025, 1, 1), date(2025, 3, 1)]
    )
    assert project_target_month(series, 0.38) == date(2025, 9, 1)


def test_no_projection_for_a_flat_or_falling_trend() -> None:
    assert project_target_month(_monthly([0.4] * 6), 0.5) is None
    assert project_target_month(_monthly([0.45, 0.44, 0.43, 0.42, 0.41, 0.40]), 0.5) is None


def test_no_projection_more_than_ten_years_ahead() -> None:
    # +0.1 point a month from 40%: 90% would take 500 months.
    slow = _monthly([0.395, 0.396, 0.397, 0.398, 0.399, 0.400])
    assert project_target_month(slow, 0.9) is None
    assert project_target_month(slow, 0.5) == date(2033, 10, 1)  # 100 months after June 2025


def test_no_projection_without_enough_data() -> None:
    assert project_target_month(pd.Series(dtype="float64"), 0.5) is None
    assert project_target_month(_monthly([0.3]), 0.5) is None
    assert project_target_month(_monthly([0.3, np.nan]), 0.5) is None
    with pytest.raises(ValueError, match="target"):
        project_target_month(_monthly([0.3, 0.4]), 50)
