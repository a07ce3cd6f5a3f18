"""The dashboard's period presets, counted back from the data's as-of day.

Every period is a closed range of whole days (counting rule 6). Quarters and years are
those of the Indian financial year, April to March: Q1 is April–June.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

PRESETS = (
    "last_7_days",
    "last_30_days",
    "last_90_days",
    "this_month",
    "last_month",
    "this_quarter",
    "fy_to_date",
    "fy",
    "custom",
)

_TRAILING_DAYS = {"last_7_days": 7, "last_30_days": 30, "last_90_days": 90}
FY_START_MONTH = 4


def fy_of(day: date) -> int:
    """The start year of the Indian financial year holding `day` (31-03-2025 → 2024)."""
    return day.year if day.month >= FY_START_MONTH else day.year - 1


def fy_label(fy_start_year: int) -> str:
    """The financial year as officials write it: 2025 → "FY 2025-26"."""
    return f"FY {fy_start_year}-{(fy_start_year + 1) % 100:02d}"


def fy_start(fy_start_year: int) -> date:
    """1 April of the financial year's start year."""
    return date(fy_start_year, FY_START_MONTH, 1)


def fy_end(fy_start_year: int) -> date:
    """31 March of the year after the start year."""
    return date(fy_start_year + 1, FY_START_MONTH, 1) - timedelta(days=1)


def quarter_start(day: date) -> date:
    """The first day of the quarter holding `day` (FY quarters begin in Apr, Jul, Oct, Jan)."""
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_label(day: date) -> str:
    """The Indian FY quarter holding `day`: 15-05-2025 → "Q1 FY 2025-26", 10-02-2026 → "Q4 …"."""
    quarter = (day.month - FY_START_MONTH) % 12 // 3 + 1
    return f"Q{quarter} {fy_label(fy_of(day))}"


def _last_month(as_of: date) -> tuple[date, date]:
    end = as_of.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def preset_period(
    preset: str,
    as_of: date,
    *,
    fy_start_year: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> tuple[date, date]:
    """The (first, last) day of a preset period, both included, for data as of `as_of`.

    `last_7_days` is as_of − 6 … as_of; `this_month`, `this_quarter` and `fy_to_date` run
    from the period's first day up to as_of; `last_month` is the whole previous calendar
    month; `fy` the whole financial year starting in April of `fy_start_year`, cut at as_of
    while it is running; `custom` is start … end as given. Arguments a preset does not use
    are ignored.
    """
    if isinstance(as_of, datetime):
        as_of = as_of.date()
    if preset in _TRAILING_DAYS:
        return as_of - timedelta(days=_TRAILING_DAYS[preset] - 1), as_of
    if preset == "this_month":
        return as_of.replace(day=1), as_of
    if preset == "last_month":
        return _last_month(as_of)
    if preset == "this_quarter":
        return quarter_start(as_of), as_of
    if preset == "fy_to_date":
        return fy_start(fy_of(as_of)), as_of
    if preset == "fy":
        if fy_start_year is None:
            raise ValueError('the "fy" preset needs fy_start_year, e.g. 2025 for FY 2025-26')
        if fy_start(fy_start_year) > as_of:
            raise ValueError(
                f"{fy_label(fy_start_year)} has not begun: the data runs to {as_of.isoformat()}"
            )
        return fy_start(fy_start_year), min(fy_end(fy_start_year), as_of)
    if preset == "custom":
        if start is None or end is None:
            raise ValueError('the "custom" preset needs both start and end')
        if start > end:
            raise ValueError(f"start {start.isoformat()} is after end {end.isoformat()}")
        return start, end
    raise ValueError(f"unknown period preset {preset!r}; expected one of {', '.join(PRESETS)}")


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period of the same number of days that ends the day before `start`.

    What a KPI tile compares with: 1–15 May is followed back to 16–30 April, so both
    periods have equally many days.
    """
    if start > end:
        raise ValueError(f"start {start.isoformat()} is after end {end.isoformat()}")
    length = end - start
    previous_end = start - timedelta(days=1)
    return previous_end - length, previous_end


def recent_full_months(end: date, months: int) -> tuple[date, date]:
    """The ``months`` whole calendar months that end on ``end`` or just before it.

    31-07-2025, 6 → 01-02-2025 to 31-07-2025; 15-07-2025, 6 → 01-01-2025 to 30-06-2025.
    """
    if months < 1:
        raise ValueError(f"months must be at least 1, not {months}")
    last_day = end if (end + timedelta(days=1)).day == 1 else end.replace(day=1) - timedelta(days=1)
    first = last_day.replace(day=1)
    index = first.year * 12 + first.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1), last_day


def data_window(first_day: date, as_of: date) -> tuple[date, date]:
    """The days a chosen period may cover: from the start of the financial year of the
    first day of data (the earliest year the app offers) to the last day of data.

    A period beyond it shows nothing the data could hold, and its ends are where date
    arithmetic fails: the period before one starting in year 1, the day after 31-12-9999.
    """
    return fy_start(fy_of(first_day)), as_of


def within_data(start: date, end: date, first_day: date, as_of: date) -> tuple[date, date] | None:
    """``start`` … ``end`` cut to ``data_window``; None when it holds no day of it."""
    earliest, latest = data_window(first_day, as_of)
    if end < earliest or start > latest:
        return None
    return max(start, earliest), min(end, latest)
