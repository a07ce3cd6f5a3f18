"""Figures now beside before (one rule for the Overview, the Map and the Comparison), the
league tables built on them, the facility order, and "no registrations"."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from metrics.adoption import has_registrations
from metrics.change import CHANGE_MIN_REGISTRATIONS, now_and_before
from metrics.facilities import profile_order
from metrics.league import league
from metrics.periods import recent_full_months
from metrics.trend import Projection, projection


def _counts(rows: list[tuple[str, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["facility_id", "opd_registrations", "abha_linked"])


def test_change_in_points_only_where_both_periods_have_the_minimum() -> None:
    now = _counts([("A", 200, 120), ("B", 49, 40), ("C", 80, 20)])
    before = _counts([("A", 100, 40), ("B", 300, 30), ("C", 50, 25)])
    table = now_and_before(now, before, "facility_id").set_index("facility_id")
    assert table.loc["A", "points"] == pytest.approx((0.6 - 0.4) * 100)
    assert math.isnan(table.loc["B", "points"])  # 49 now: below the minimum
    assert table.loc["C", "points"] == pytest.approx((0.25 - 0.5) * 100)  # 50 before: enough
    assert table.loc["A", "opd_change"] == 100
    assert table.loc["A", "opd_change_relative"] == pytest.approx(1.0)
    assert CHANGE_MIN_REGISTRATIONS == 50


def test_a_unit_missing_from_a_period_counts_zero_there() -> None:
    units = pd.DataFrame({"facility_id": ["A", "N"]})
    table = now_and_before(
        _counts([("A", 60, 30)]), _counts([]), "facility_id", units=units
    ).set_index("facility_id")
    assert table.loc["N", "opd_registrations"] == 0 and table.loc["N", "abha_linked_before"] == 0
    assert math.isnan(table.loc["N", "abha_share"])  # no registrations: no rate, not 0%
    assert math.isnan(table.loc["A", "opd_change_relative"])  # growth from nothing
    assert math.isnan(table.loc["A", "points"])


def test_a_lower_minimum_shows_small_changes() -> None:
    now, before = _counts([("A", 10, 5)]), _counts([("A", 10, 2)])
    assert math.isnan(now_and_before(now, before, "facility_id")["points"].iloc[0])
    shown = now_and_before(now, before, "facility_id", minimum=10)["points"].iloc[0]
    assert shown == pytest.approx(30.0)
    with pytest.raises(ValueError):
        now_and_before(now, before, "facility_id", minimum=-1)


def test_league_ranks_by_adoption_then_volume_then_code_with_empty_units_last() -> None:
    units = pd.DataFrame({"facility_id": ["Z", "Y", "X", "W"]})
    now = _counts([("Z", 100, 50), ("Y", 300, 150), ("X", 100, 50)])
    table = league(units, "facility_id", now, _counts([]))
    assert list(table["facility_id"]) == ["Y", "X", "Z", "W"]
    assert table["low"].iloc[0] < 0.5 < table["high"].iloc[0]
    assert math.isnan(table["low"].iloc[-1])


def test_the_facility_profile_opens_on_the_district_hospital() -> None:
    registry = pd.DataFrame(
        {
            "facility_id": ["IN1", "IN2", "IN3", "IN4"],
            "name_en": ["A CHC", "District Hospital", "Civil Hospital", "Another DH"],
            "facility_type": ["CHC", "DH", "CH", "DH"],
            "district_lgd": [416, 416, 416, 415],
        }
    )
    assert list(profile_order(registry)["facility_id"]) == ["IN4", "IN2", "IN3", "IN1"]
    assert list(profile_order(registry).columns) == list(registry.columns)


def test_no_registrations_is_no_rows_or_rows_of_zeros() -> None:
    assert not has_registrations(_counts([]))
    assert not has_registrations(_counts([("A", 0, 0)]))
    assert has_registrations(_counts([("A", 0, 0), ("B", 1, 0)]))


@pytest.mark.parametrize(
    ("end", "months", "expected"),
    [
        (date(2025, 7, 31), 6, (date(2025, 2, 1), date(2025, 7, 31))),
        (date(2025, 7, 15), 6, (date(2025, 1, 1), date(2025, 6, 30))),
        (date(2025, 3, 1), 3, (date(2024, 12, 1), date(2025, 2, 28))),
        (date(2024, 2, 29), 1, (date(2024, 2, 1), date(2024, 2, 29))),
    ],
)
def test_recent_full_months(end: date, months: int, expected: tuple[date, date]) -> None:
    assert recent_full_months(end, months) == expected


def _monthly(*rates: float) -> pd.Series:
    return pd.Series(list(rates), index=[date(2025, m, 1) for m in range(1, len(rates) + 1)])


def test_projection_outcomes() -> None:
    assert projection(pd.Series(dtype="float64"), 0.6) == Projection("no_data")
    assert projection(_monthly(0.3), 0.6) == Projection("too_few")
    assert projection(_monthly(0.5, 0.4, 0.3), 0.6) == Projection("not_at_trend")
    assert projection(_monthly(0.5, 0.65), 0.6) == Projection("reached", date(2025, 2, 1))
    assert projection(_monthly(0.3, 0.4, 0.5), 0.6) == Projection("month", date(2025, 4, 1))


def test_the_largest_groups_are_drawn_in_colour() -> None:
    from metrics.trend import largest_groups

    frame = pd.DataFrame(
        {"group": ["b", "a", "c", "a", "d"], "opd_registrations": [30, 10, 30, 25, 1]}
    )
    assert largest_groups(frame, "group", "opd_registrations", 2) == ["a", "b"]  # 35, then 30
    assert largest_groups(frame, "group", "opd_registrations", 3) == ["a", "b", "c"]
    assert largest_groups(frame, "group", "opd_registrations", 9) == ["a", "b", "c", "d"]
