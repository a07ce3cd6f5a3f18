"""The scorecard's bands and arrows on a worked example, target 50 %.

| unit | now: OPD, linked, rate | before: OPD, linked, rate | points | band | trend |
| --- | --- | --- | --- | --- | --- |
| A | 200, 120, 60.0 % | 200, 118, 59.0 % | +1.0 | on track | up |
| B | 100, 45, 45.0 % | 100, 40, 40.0 % | +5.0 | progress | up |
| C | 100, 40, 40.0 % | 100, 39.6 → 40, 40.0 % | 0.0 | not on track | steady |
| D | 100, 30, 30.0 % | 100, 35, 35.0 % | −5.0 | not on track | down |
| E | 20, 19, 95.0 % | 0 | – (too few) | on track | unknown |
| F | 30, 5, 16.7 % | 10, 1 | – (too few) | not on track | unknown |
| G | 0 | 50, 25 | – | no data | unknown |

(minimum 50 registrations in both periods for a change, as everywhere.)"""

from __future__ import annotations

import pandas as pd
import pytest

from metrics.scorecard import band_of, overall_row, scorecard, trend_of

NOW = pd.DataFrame(
    {
        "unit": ["A", "B", "C", "D", "E", "F"],
        "opd_registrations": [200, 100, 100, 100, 20, 30],
        "abha_linked": [120, 45, 40, 30, 19, 5],
    }
)
BEFORE = pd.DataFrame(
    {
        "unit": ["A", "B", "C", "D", "F", "G"],
        "opd_registrations": [200, 100, 100, 100, 10, 50],
        "abha_linked": [118, 40, 40, 35, 1, 25],
    }
)
UNITS = pd.DataFrame({"unit": list("ABCDEFG")})


def test_the_worked_example() -> None:
    card = scorecard(UNITS, "unit", NOW, BEFORE, 0.5)
    rows = {
        row.unit: (row.band, row.trend, None if pd.isna(row.points) else round(row.points, 1))
        for row in card.itertuples()
    }
    assert rows == {
        "A": ("on_track", "up", 1.0),
        "B": ("progress", "up", 5.0),
        "C": ("not_on_track", "steady", 0.0),
        "D": ("not_on_track", "down", -5.0),
        "E": ("on_track", "unknown", None),
        "F": ("not_on_track", "unknown", None),
        "G": ("no_data", "unknown", None),
    }
    # by band, then adoption: E (95 %) before A (60 %); C (40 %), D (30 %), F (16.7 %)
    assert list(card["unit"]) == ["E", "A", "B", "C", "D", "F", "G"]


def test_the_scopes_own_row_sums_every_unit() -> None:
    row = overall_row(NOW, BEFORE, 0.5, name="Chhattisgarh").iloc[0]
    assert (row.unit, row.opd_registrations, row.abha_linked) == ("Chhattisgarh", 550, 259)
    assert (row.opd_registrations_before, row.abha_linked_before) == (560, 259)
    # 259/550 = 47.09 %, before 259/560 = 46.25 %: +0.84 points, below target, not rising 1
    assert round(row.points, 2) == 0.84
    assert (row.band, row.trend) == ("not_on_track", "up")


@pytest.mark.parametrize(
    ("share", "points", "band"),
    [
        (0.5, float("nan"), "on_track"),  # at the target is on track
        (0.4999, 1.0, "progress"),  # exactly the rise needed
        (0.4999, 0.99, "not_on_track"),
        (float("nan"), 10.0, "no_data"),
    ],
)
def test_band_edges(share: float, points: float, band: str) -> None:
    assert band_of(share, points, 0.5) == band


def test_trend_edges_and_a_target_out_of_range() -> None:
    assert [trend_of(p) for p in (0.5, 0.51, -0.5, -0.51)] == ["steady", "up", "steady", "down"]
    with pytest.raises(ValueError, match="between 0 and 1"):
        scorecard(UNITS, "unit", NOW, BEFORE, 60)
