"""Numbers, dates and periods as officials read them, in Hindi or English.

Everything goes through Babel's CLDR data for ``en_IN`` and ``hi_IN``: Indian digit
grouping (1,23,456), lakh and crore short forms (34.3L, 34.3 लाख), month names in the
language. Dates are DD-MM-YYYY; years and quarters are those of the Indian financial
year (April–March). Words around the figures ("to", "FY") come from the catalogue.
"""

from __future__ import annotations

from datetime import date, timedelta

from babel import Locale
from babel.dates import format_date, get_day_names, get_month_names
from babel.numbers import (
    format_compact_decimal,
    format_decimal,
    format_percent,
    parse_pattern,
)

from i18n import LOCALES, text
from metrics.periods import FY_START_MONTH, fy_of

DASH = "–"


def _locale(lang: str) -> str:
    return LOCALES[lang]


def count(value: float | None, lang: str) -> str:
    """A count with Indian grouping: 1,23,456."""
    if value is None or value != value:
        return DASH
    return format_decimal(int(value), locale=_locale(lang))


def signed_count(value: float, lang: str) -> str:
    """A change in a count, with its sign: +1,234 or -1,234."""
    shown = count(abs(value), lang)
    return f"+{shown}" if value >= 0 else f"-{shown}"


def short_count(value: float | None, lang: str) -> str:
    """Lakh and crore short forms where space is tight: 34.3L / 34.3 लाख."""
    if value is None or value != value:
        return DASH
    return format_compact_decimal(int(value), locale=_locale(lang), fraction_digits=1)


def percent(share: float | None, lang: str, digits: int = 1) -> str:
    """A share (0–1) as a percentage, rounded only here, for display (counting rule 7)."""
    if share is None or share != share:
        return DASH
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(share, format=pattern, locale=_locale(lang))


def signed_percent(share: float | None, lang: str, digits: int = 1) -> str:
    if share is None or share != share:
        return DASH
    shown = percent(abs(share), lang, digits)
    return f"+{shown}" if share >= 0 else f"-{shown}"


def points(change_in_points: float | None, lang: str) -> str:
    """A change of a share, already in percentage points: +1.2 pp / +1.2 प्रतिशत अंक."""
    if change_in_points is None or change_in_points != change_in_points:
        return DASH
    number = format_decimal(abs(change_in_points), format="0.0", locale=_locale(lang))
    sign = "+" if change_in_points >= 0 else "-"
    return text(lang, "format.points", value=f"{sign}{number}")


def day(value: date | None, lang: str) -> str:
    """DD-MM-YYYY (the same digits in both languages)."""
    if value is None:
        return DASH
    return format_date(value, "dd-MM-yyyy", locale=_locale(lang))


def month_name(month: int, lang: str, width: str = "wide") -> str:
    return get_month_names(width, locale=_locale(lang))[month]


def month_year(value: date, lang: str) -> str:
    """'May 2025' / 'मई 2025'."""
    return f"{month_name(value.month, lang)} {value.year}"


def period(start: date, end: date, lang: str) -> str:
    """'01-05-2025 to 31-07-2025' / '01-05-2025 से 31-07-2025 तक'; one day alone."""
    if start == end:
        return day(start, lang)
    return text(lang, "format.date_range", start=day(start, lang), end=day(end, lang))


def _whole_months(start: date, end: date) -> bool:
    return start.day == 1 and (end + timedelta(days=1)).day == 1


def period_phrase(start: date, end: date, lang: str) -> str:
    """The period as a release words it, with its preposition.

    Whole months: 'in May–July 2025' / 'मई–जुलाई 2025 के दौरान'; days within one month:
    'in 1–7 May 2025'; otherwise 'from 01-05-2025 to 10-06-2025'.
    """
    if _whole_months(start, end):
        first, last = month_name(start.month, lang), month_name(end.month, lang)
        if (start.year, start.month) == (end.year, end.month):
            when = f"{first} {start.year}"
        elif start.year == end.year:
            when = f"{first}–{last} {end.year}"
        else:
            when = f"{first} {start.year}–{last} {end.year}"
        return text(lang, "format.during", when=when)
    if (start.year, start.month) == (end.year, end.month):
        month = month_name(end.month, lang)
        when = (
            f"{start.day} {month} {start.year}"
            if start == end
            else f"{start.day}–{end.day} {month} {end.year}"
        )
        return text(lang, "format.during", when=when)
    return text(lang, "format.from_to", start=day(start, lang), end=day(end, lang))


def fy_label(fy_start_year: int, lang: str) -> str:
    """'FY 2025-26' / 'वित्तीय वर्ष 2025-26'."""
    return text(lang, "format.fy", years=f"{fy_start_year}-{(fy_start_year + 1) % 100:02d}")


def quarter_label(value: date, lang: str) -> str:
    """The Indian FY quarter holding a day: 'Q1 FY 2025-26' / 'तिमाही 1, वित्तीय वर्ष 2025-26'."""
    quarter = (value.month - FY_START_MONTH) % 12 // 3 + 1
    return text(lang, "format.quarter", quarter=quarter, fy=fy_label(fy_of(value), lang))


def vega_locale(lang: str) -> dict:
    """The d3 number and time locale for a chart (Vega's ``config.locale``), from CLDR.

    Axis labels and tooltips then group digits the Indian way and name months in the
    language, in the browser and in exported images alike.
    """
    locale = Locale.parse(_locale(lang))
    symbols = locale.number_symbols.get("latn", locale.number_symbols)
    primary, secondary = parse_pattern(locale.decimal_formats.get(None).pattern).grouping
    grouping = [primary] + [secondary] * 8  # d3 cycles the last entry only if it is given
    months = get_month_names("wide", locale=locale)
    short_months = get_month_names("abbreviated", locale=locale)
    days = get_day_names("wide", locale=locale)
    short_days = get_day_names("abbreviated", locale=locale)
    sunday_first = [6, 0, 1, 2, 3, 4, 5]  # d3 lists days from Sunday, CLDR from Monday
    return {
        "number": {
            "decimal": symbols["decimal"],
            "thousands": symbols["group"],
            "grouping": grouping,
            "currency": ["₹", ""],
        },
        "time": {
            "dateTime": "%d-%m-%Y %H:%M",
            "date": "%d-%m-%Y",
            "time": "%H:%M:%S",
            "periods": ["AM", "PM"],
            "days": [days[i] for i in sunday_first],
            "shortDays": [short_days[i] for i in sunday_first],
            "months": [months[m] for m in range(1, 13)],
            "shortMonths": [short_months[m] for m in range(1, 13)],
        },
    }
