"""Change from the previous period and the biggest movers."""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import pytest

from metrics.change import Change, period_change, points_change, top_movers


def test_period_change_of_a_count() -> None:
    # 60,045 registrations after 48,036: +12,009, which is 12,009 / 48,036 = +25.0%.
    change = period_change(60045, 48036)
    assert change.absolute == 12009
    assert change.relative == pytest.approx(0.25, abs=1e-4)


def test_period_change_of_a_fall() -> None:
    change = period_change(75, 100)
    assert change == Change(absolute=-25, relative=-0.25)


def test_no_relative_change_from_nothing() -> None:
    assert period_change(40, 0) == Change(absolute=40, relative=None)
    assert period_change(0, 0) == Change(absolute=0, relative=None)


@pytest.mark.parametrize(
    "current, previous", [(None, 10), (10, None), (None, None), (math.nan, 10), (10, math.nan)]
)
def test_no_change_without_both_figures(current: float | None, previous: float | None) -> None:
    assert period_change(current, previous) == Change(absolute=None, relative=None)


def test_change_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        period_change(2, 1).absolute = 3  # type: ignore[misc]


def test_points_change() -> None:
    # 53.9% (32,379 / 60,045) against 40.5% (13,729 / 33,895): +13.4 points.
    assert points_change(32379 / 60045, 13729 / 33895) == pytest.approx(13.42, abs=0.01)
    assert points_change(0.40, 0.45) == pytest.approx(-5.0)
    assert points_change(None, 0.4) is None
    assert points_change(0.4, math.nan) is None


def _changes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "facility_id": ["F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8"],
            "change": [5.0, -2.0, 5.0, None, 0.0, -7.0, 1.0, -2.0],
        }
    )


def test_top_movers_rises_and_falls_with_ties_by_key() -> None:
    rises, falls = top_movers(_changes(), key="facility_id", value="change", n=2)
    assert rises["facility_id"].tolist() == ["F1", "F3"]  # tie at +5 goes to F1
    assert falls["facility_id"].tolist() == ["F6", "F2"]  # −7, then the tie at −2 goes to F2
    assert rises.index.tolist() == [0, 1]


def test_top_movers_ignore_missing_and_unchanged() -> None:
    rises, falls = top_movers(_changes(), key="facility_id", value="change", n=10)
    assert rises["facility_id"].tolist() == ["F1", "F3", "F7"]
    assert falls["facility_id"].tolist() == ["F6", "F2", "F8"]
    assert "F4" not in set(rises["facility_id"]) | set(falls["facility_id"])
    assert "F5" not in set(rises["facility_id"]) | set(falls["facility_id"])


def test_top_movers_does_not_depend_on_row_order() -> None:
    shuffled = _changes().sample(frac=1, random_state=3)
    rises, falls = top_movers(shuffled, key="facility_id", value="change")
    assert rises["facility_id"].tolist() == ["F1", "F3", "F7"]
    assert falls["facility_id"].tolist() == ["F6", "F2", "F8"]
