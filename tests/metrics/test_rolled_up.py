"""metrics.league.rolled_up: counts of units summed to their parents (districts to
divisions), on a worked example."""

from __future__ import annotations

import pandas as pd

from metrics.league import league, rolled_up


def test_districts_sum_to_their_divisions_and_strangers_are_left_out() -> None:
    by_district = pd.DataFrame(
        {
            "district_lgd": [414, 416, 649, 410, 999],
            "opd_registrations": [100, 40, 0, 60, 7],
            "abha_linked": [50, 10, 0, 45, 7],
        }
    )
    division_of = {414: "Bastar", 416: "Bastar", 649: "Bastar", 410: "Raipur"}  # 999: none
    rolled = rolled_up(by_district, "district_lgd", division_of, "division")
    assert rolled.to_dict("list") == {
        "division": ["Bastar", "Raipur"],
        "opd_registrations": [140, 60],  # 100 + 40 + 0
        "abha_linked": [60, 45],  # 50 + 10 + 0
    }
    # ranked as any unit: Raipur's 75 % before Bastar's 42.9 %
    ranked = league(pd.DataFrame({"division": ["Bastar", "Raipur"]}), "division", rolled, rolled)
    assert list(ranked["division"]) == ["Raipur", "Bastar"]
    assert ranked["abha_share"].round(4).tolist() == [0.75, round(60 / 140, 4)]


def test_rolled_up_by_month_keeps_each_month_apart() -> None:
    """Districts to divisions month by month: 414 and 649 (Bastar) summed per month,
    416 (Raipur) alone; a month is never summed into another."""
    counts = pd.DataFrame(
        {
            "district_lgd": [414, 649, 416, 414],
            "period_start": ["2025-01-01", "2025-01-01", "2025-01-01", "2025-02-01"],
            "opd_registrations": [10, 5, 7, 3],
            "abha_linked": [4, 1, 0, 2],
        }
    )
    parents = {414: "Bastar", 649: "Bastar", 416: "Raipur"}
    summed = rolled_up(counts, "district_lgd", parents, "division", also=["period_start"])
    assert summed.to_dict("records") == [
        {
            "division": "Bastar",
            "period_start": "2025-01-01",
            "opd_registrations": 15,
            "abha_linked": 5,
        },
        {
            "division": "Bastar",
            "period_start": "2025-02-01",
            "opd_registrations": 3,
            "abha_linked": 2,
        },
        {
            "division": "Raipur",
            "period_start": "2025-01-01",
            "opd_registrations": 7,
            "abha_linked": 0,
        },
    ]
