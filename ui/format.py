"""Numbers and dates in the language in force (see ``i18n.formats``).

A shortcut for pages: ``fmt.count(n)`` is ``words().count(n)``.
"""

from __future__ import annotations

from datetime import date

from ui.language import words


def count(value: float | None) -> str:
    return words().count(value)


def signed_count(value: float) -> str:
    return words().signed_count(value)


def short_count(value: float | None) -> str:
    return words().short_count(value)


def percent(share: float | None, digits: int = 1) -> str:
    return words().percent(share, digits)


def points(change_in_points: float | None) -> str:
    return words().points(change_in_points)


def day(value: date | None) -> str:
    return words().day(value)


def period(start: date, end: date) -> str:
    return words().period(start, end)
