"""Numbers and dates as officials read them: Indian grouping (1,23,456), DD-MM-YYYY."""

from __future__ import annotations

from datetime import date

from babel.numbers import format_compact_decimal, format_decimal

LOCALE = "en_IN"


def count(value: int | float | None) -> str:
    if value is None:
        return "–"
    return format_decimal(int(value), locale=LOCALE)


def signed_count(value: int | float) -> str:
    """A change in a count, with its sign: +1,234 or −1,234."""
    text = count(abs(value))
    return f"+{text}" if value >= 0 else f"-{text}"


def short_count(value: int | float | None) -> str:
    """Lakh and crore short forms where space is tight (34.3L)."""
    if value is None:
        return "–"
    return format_compact_decimal(int(value), locale=LOCALE, fraction_digits=1)


def percent(share: float | None, digits: int = 1) -> str:
    """A share (0–1) as a percentage, rounded only here, for display (rule 7)."""
    if share is None or share != share:  # None or NaN
        return "–"
    return f"{share * 100:.{digits}f}%"


def points(change_in_points: float | None) -> str:
    """A change of a share, already in percentage points (metrics.change.points_change)."""
    if change_in_points is None or change_in_points != change_in_points:
        return "–"
    return f"{change_in_points:+.1f} pp"


def day(value: date | None) -> str:
    return "–" if value is None else value.strftime("%d-%m-%Y")


def period(start: date, end: date) -> str:
    return day(start) if start == end else f"{day(start)} to {day(end)}"
