"""Indian formats in both languages: grouping, lakh and crore, dates, FY and quarters."""

from __future__ import annotations

from datetime import date

import pytest

from i18n import Words
from metrics.periods import fy_of

EN, HI = Words("en"), Words("hi")


@pytest.mark.parametrize("w", [EN, HI], ids=["en", "hi"])
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (999, "999"),
        (1000, "1,000"),
        (60045, "60,045"),
        (123456, "1,23,456"),
        (3428620, "34,28,620"),
        (123456789, "12,34,56,789"),
    ],
)
def test_indian_grouping(w: Words, value: int, expected: str) -> None:
    assert w.count(value) == expected


def test_lakh_and_crore_short_forms() -> None:
    assert EN.short_count(3428620) == "34.3L"
    assert EN.short_count(34286200) == "3.4Cr"
    assert HI.short_count(3428620) == "34.3\u00a0लाख"  # a no-break space, from CLDR
    assert HI.short_count(34286200).startswith("3.4\u00a0क")  # करोड़, abbreviated by CLDR


def test_percent_and_points() -> None:
    assert EN.percent(32379 / 60045) == "53.9%"
    assert HI.percent(13729 / 33895) == "40.5%"
    assert EN.points(1.24) == "+1.2 pp"
    assert HI.points(-0.4) == "-0.4 प्रतिशत अंक"
    assert EN.percent(None) == "–"


def test_dates_are_day_month_year_in_both_languages() -> None:
    assert EN.day(date(2025, 5, 1)) == "01-05-2025"
    assert HI.day(date(2025, 5, 1)) == "01-05-2025"
    assert EN.period(date(2025, 5, 1), date(2025, 7, 31)) == "01-05-2025 to 31-07-2025"
    assert HI.period(date(2025, 5, 1), date(2025, 7, 31)) == "01-05-2025 से 31-07-2025 तक"


def test_hindi_month_names() -> None:
    assert HI.month_year(date(2025, 5, 1)) == "मई 2025"
    assert HI.month_year(date(2026, 2, 1)) == "फ़रवरी 2026"
    assert EN.month_year(date(2025, 7, 1)) == "July 2025"
    assert HI.period_phrase(date(2025, 5, 1), date(2025, 7, 31)) == "मई–जुलाई 2025 के दौरान"


@pytest.mark.parametrize(
    ("day", "fy_en", "quarter_en", "quarter_hi"),
    [
        (date(2025, 3, 31), "FY 2024-25", "Q4 FY 2024-25", "तिमाही 4, वित्तीय वर्ष 2024-25"),
        (date(2025, 4, 1), "FY 2025-26", "Q1 FY 2025-26", "तिमाही 1, वित्तीय वर्ष 2025-26"),
        (date(2025, 6, 30), "FY 2025-26", "Q1 FY 2025-26", "तिमाही 1, वित्तीय वर्ष 2025-26"),
        (date(2025, 7, 1), "FY 2025-26", "Q2 FY 2025-26", "तिमाही 2, वित्तीय वर्ष 2025-26"),
        (date(2025, 12, 31), "FY 2025-26", "Q3 FY 2025-26", "तिमाही 3, वित्तीय वर्ष 2025-26"),
        (date(2026, 1, 1), "FY 2025-26", "Q4 FY 2025-26", "तिमाही 4, वित्तीय वर्ष 2025-26"),
        (date(2099, 4, 1), "FY 2099-00", "Q1 FY 2099-00", "तिमाही 1, वित्तीय वर्ष 2099-00"),
    ],
)
def test_financial_years_turn_on_the_first_of_april(
    day: date, fy_en: str, quarter_en: str, quarter_hi: str
) -> None:
    assert EN.fy_label(fy_of(day)) == fy_en
    assert EN.quarter_label(day) == quarter_en
    assert HI.quarter_label(day) == quarter_hi
    assert HI.fy_label(fy_of(day)) == fy_en.replace("FY", "वित्तीय वर्ष")


def test_chart_locale_groups_the_indian_way_and_names_months_in_hindi() -> None:
    locale = HI.vega_locale()
    assert locale["number"]["grouping"][:3] == [3, 2, 2]
    assert locale["number"]["thousands"] == ","
    assert locale["time"]["months"][4] == "मई"
    assert locale["time"]["days"][0] == "रविवार"  # d3 starts the week on Sunday
    assert EN.vega_locale()["time"]["months"][0] == "January"
