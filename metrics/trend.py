"""Trends over time: smoothed daily series, rolling adoption rates, the month a target is met."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

PROJECTION_HORIZON_MONTHS = 120  # beyond ten years a straight line says nothing


def reindex_daily(
    frame: pd.DataFrame, start: date, end: date, columns: Sequence[str]
) -> pd.DataFrame:
    """The count `columns` of a frame indexed by day, one row for every day start … end.

    A day without a row had no registrations, so it is filled with 0 rather than left
    out: otherwise a 7-row window would span more than 7 days. Rows outside the range are
    dropped and rows of the same day summed. The result has a DatetimeIndex named `day`.
    """
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    days = pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="D", name="day")
    counts = frame[list(columns)]
    counts = counts.groupby(pd.DatetimeIndex(pd.to_datetime(frame.index)).normalize()).sum()
    return counts.reindex(days, fill_value=0)


def moving_average(series: pd.Series, window: int = 7, min_periods: int | None = None) -> pd.Series:
    """The trailing mean over the last `window` rows (a 7-day average for daily data).

    The window counts rows, not calendar days: pass a series from `reindex_daily` so that
    days without registrations count as 0. The first `window − 1` values are NaN unless
    `min_periods` allows a shorter window.
    """
    if window < 1:
        raise ValueError(f"window must be at least 1, not {window}")
    return series.rolling(window, min_periods=min_periods).mean()


def rolling_rate(
    linked: pd.Series,
    registrations: pd.Series,
    window: int = 7,
    min_periods: int | None = None,
) -> pd.Series:
    """The adoption rate over a trailing window: the sum of linked over the sum of registrations.

    A ratio of rolling sums, not a mean of daily ratios, so a quiet Sunday with 2 of 4
    linked weighs as little as its 4 registrations (counting rule 7: a share is a ratio
    of counts). NaN where the window has no registrations.
    """
    if window < 1:
        raise ValueError(f"window must be at least 1, not {window}")
    linked_sum = linked.astype("float64").rolling(window, min_periods=min_periods).sum()
    registrations_sum = (
        registrations.astype("float64").rolling(window, min_periods=min_periods).sum()
    )
    return linked_sum / registrations_sum.where(registrations_sum > 0)


def _month_number(day: date | pd.Timestamp) -> int:
    return day.year * 12 + (day.month - 1)


def _month_start(number: int) -> date:
    return date(number // 12, number % 12 + 1, 1)


def project_target_month(
    monthly_rates: pd.Series, target: float, recent_months: int = 6
) -> date | None:
    """The first month start at which the recent trend reaches `target`, or None.

    `monthly_rates` is indexed by month start dates (any day of the month stands for its
    month) with adoption rates as fractions. A least-squares line through the last
    `recent_months` months that have a rate gives the trend; the answer is the first
    month after the last data month on which the line is at or above `target`.
    Returns the last data month when its rate already meets the target, and None "not at
    the current trend" when the line is flat or falling, when fewer than two months have
    data, or when the month is more than ten years ahead.
    """
    if not 0 <= target <= 1:
        raise ValueError(f"target must be a fraction between 0 and 1, not {target}")
    if recent_months < 2:
        raise ValueError(f"recent_months must be at least 2 to fit a line, not {recent_months}")
    rates = monthly_rates.dropna()
    if rates.empty:
        return None
    months = np.array([_month_number(pd.Timestamp(day)) for day in rates.index])
    order = np.argsort(months, kind="stable")
    months, values = months[order], rates.to_numpy(dtype="float64")[order]
    last_month = int(months[-1])
    if values[-1] >= target:
        return _month_start(last_month)
    months, values = months[-recent_months:], values[-recent_months:]
    if len(months) < 2:
        return None
    slope, intercept = np.polyfit(months - last_month, values, 1)
    if slope <= 1e-12:
        return None
    crossing = (target - intercept) / slope  # months after the last data month
    months_ahead = max(1, math.ceil(crossing - 1e-9))
    if months_ahead > PROJECTION_HORIZON_MONTHS:
        return None
    return _month_start(last_month + months_ahead)


@dataclass(frozen=True)
class Projection:
    """When a unit's adoption reaches a target at its recent trend.

    ``outcome``: "no_data" (no month with a rate), "too_few" (one month: no trend),
    "not_at_trend" (flat or falling, or beyond the horizon), "reached" (the latest month
    meets it already) or "month" (reached in ``month``).
    """

    outcome: str
    month: date | None = None


def projection(monthly_rates: pd.Series, target: float, recent_months: int = 6) -> Projection:
    """The outcome of ``project_target_month`` for one unit, with the reason when none."""
    rates = monthly_rates.dropna()
    if rates.empty:
        return Projection("no_data")
    month = project_target_month(rates, target, recent_months=recent_months)
    if month is None:
        return Projection("not_at_trend" if len(rates) > 1 else "too_few")
    latest = max(pd.Timestamp(day) for day in rates.index)
    if pd.Timestamp(month) <= latest:
        return Projection("reached", month)
    return Projection("month", month)


def largest_groups(frame: pd.DataFrame, group: str, value: str, n: int) -> list:
    """The ``n`` groups with the largest total ``value``, largest first (ties by group).

    A chart of many lines draws these in colour and the rest in grey: 49 coloured lines
    and a legend cut after a dozen names cannot be read.
    """
    if n < 0:
        raise ValueError(f"n must not be negative, not {n}")
    totals = frame.groupby(group, sort=False)[value].sum().reset_index()
    ranked = totals.sort_values([value, group], ascending=[False, True], kind="stable")
    return list(ranked[group].head(n))
