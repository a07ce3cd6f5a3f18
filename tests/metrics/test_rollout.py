"""metrics.rollout: facilities live over time and ABHA adoption by months since go-live,
on a worked example whose every figure is worked out by hand below."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from metrics.rollout import (
    adoption_by_months_since_go_live,
    first_months,
    is_live,
    live_facilities_by_month,
    rollout_months,
    rollout_status,
)

NAN = float("nan")
FIRST_DAY, LAST_DAY = date(2025, 1, 1), date(2025, 4, 30)
# Five facilities in two districts of one division; the data runs 01-01-2025 to 30-04-2025.
FACILITIES = pd.DataFrame(
    {
        "facility_id": ["A", "B", "C", "D", "E"],
        "district_lgd": [414, 414, 416, 416, 414],
        "division": ["Bastar"] * 5,
        "ehospital_go_live": [
            date(2025, 1, 10),  # A: live from January
            date(2025, 3, 1),  # B: live from March
            date(2025, 2, 20),  # C: live from February
            None,  # D: planned, no date
            date(2025, 6, 15),  # E: planned, goes live after the data's last day
        ],
    }
)


def _values(series: pd.Series) -> list[float | None]:
    return [None if pd.isna(v) else float(v) for v in series]


def test_the_months_run_from_the_data_s_first_to_the_last_planned_go_live() -> None:
    months = rollout_months(FACILITIES, FIRST_DAY, LAST_DAY)
    # January to April (the data), then May and June (E goes live on 15-06-2025)
    assert [m.strftime("%Y-%m") for m in months] == [
        "2025-01",
        "2025-02",
        "2025-03",
        "2025-04",
        "2025-05",
        "2025-06",
    ]


def test_a_go_live_far_ahead_is_followed_for_two_years_at_most() -> None:
    far = FACILITIES.assign(ehospital_go_live=[date(2025, 1, 10)] * 4 + [date(2099, 1, 1)])
    months = rollout_months(far, FIRST_DAY, LAST_DAY)
    assert months[-1] == pd.Timestamp("2027-04-01")  # April 2025 + 24 months


def test_live_facilities_at_each_month_s_end_and_the_planned_continuation() -> None:
    months = rollout_months(FACILITIES, FIRST_DAY, LAST_DAY)
    table = live_facilities_by_month(FACILITIES, months, "district_lgd", LAST_DAY)
    bastar = table[table["district_lgd"] == 414]
    dantewada = table[table["district_lgd"] == 416]
    #                Jan  Feb  Mar       Apr  May   Jun
    # 414 live:       A    A   A+B        A+B   –     –    (E is after the last day: never live)
    # 414 planned:    –    –    –     2 (joint)  2   3    (E on 15-06)
    assert _values(bastar["live_facilities"]) == [1, 1, 2, 2, None, None]
    assert _values(bastar["scheduled_facilities"]) == [None, None, None, 2, 2, 3]
    # 416 live: C from February; D has no date: in neither line
    assert _values(dantewada["live_facilities"]) == [0, 1, 1, 1, None, None]
    assert _values(dantewada["scheduled_facilities"]) == [None, None, None, 1, 1, 1]


def test_live_facilities_by_division_add_up_their_districts() -> None:
    months = rollout_months(FACILITIES, FIRST_DAY, LAST_DAY)[:4]
    table = live_facilities_by_month(FACILITIES, months, "division", LAST_DAY)
    assert list(table["division"].unique()) == ["Bastar"]
    assert _values(table["live_facilities"]) == [1, 2, 3, 3]  # 1+0, 1+1, 2+1, 2+1


def test_live_and_planned_per_district() -> None:
    status = rollout_status(FACILITIES, "district_lgd", LAST_DAY).set_index("district_lgd")
    # 414: A, B live; E planned (dated). 416: C live; D planned (no date).
    assert status.loc[414, ["facilities", "live_facilities", "planned_facilities"]].tolist() == [
        3,
        2,
        1,
    ]
    assert status.loc[414, "planned_with_date"] == 1
    assert status.loc[416, ["facilities", "live_facilities", "planned_facilities"]].tolist() == [
        2,
        1,
        1,
    ]
    assert status.loc[416, "planned_with_date"] == 0
    assert status.loc[414, "live_share"] == pytest.approx(2 / 3)
    assert status.loc[416, "live_share"] == pytest.approx(0.5)


def test_a_district_without_a_facility_is_listed_with_zeros() -> None:
    status = rollout_status(FACILITIES, "district_lgd", LAST_DAY, groups=[414, 416, 649])
    sukma = status.set_index("district_lgd").loc[649]
    assert sukma[["facilities", "live_facilities", "planned_facilities"]].tolist() == [0, 0, 0]
    assert math.isnan(sukma["live_share"]), "no facility: no share"


def test_live_on_the_last_day_planned_the_day_after_and_unreadable_is_planned() -> None:
    edges = pd.DataFrame(
        {"ehospital_go_live": [date(2025, 4, 30), date(2025, 5, 1), "not a date", None]}
    )
    assert is_live(edges, LAST_DAY).tolist() == [True, False, False, False]


# Monthly counts per facility (registrations, ABHA-linked), by calendar month:
MONTHLY = pd.DataFrame(
    [
        ("A", "2024-12-01", 10, 1),  # before A's go-live month: left out
        ("A", "2025-01-01", 40, 10),  # A month 0 (went live on the 10th)
        ("A", "2025-02-01", 100, 40),  # A month 1
        ("A", "2025-03-01", 120, 60),  # A month 2
        ("A", "2025-04-01", 130, 78),  # A month 3
        ("B", "2025-03-01", 20, 2),  # B month 0
        ("B", "2025-04-01", 60, 15),  # B month 1
        ("C", "2025-02-01", 25, 5),  # C month 0
        ("C", "2025-03-01", 50, 20),  # C month 1
        ("D", "2025-01-01", 30, 3),  # D: no go-live day, left out
        ("X", "2025-01-01", 99, 99),  # not in the registry, left out
    ],
    columns=["facility_id", "period_start", "opd_registrations", "abha_linked"],
)


def test_adoption_by_months_since_go_live_per_district() -> None:
    table = adoption_by_months_since_go_live(MONTHLY, FACILITIES, "district_lgd")
    bastar = table[table["district_lgd"] == 414].set_index("months_since_go_live")
    # 414, month 0: A January 40/10 + B March 20/2 = 60/12  → 20 %
    #      month 1: A February 100/40 + B April 60/15 = 160/55 → 34.375 %
    #               (from the summed counts: not the mean of 40 % and 25 %, 32.5 %)
    #      month 2: A March 120/60 → 50 %;  month 3: A April 130/78 → 60 %
    assert bastar["opd_registrations"].tolist() == [60, 160, 120, 130]
    assert bastar["abha_linked"].tolist() == [12, 55, 60, 78]
    assert bastar["facilities"].tolist() == [2, 2, 1, 1]
    assert bastar["abha_share"].tolist() == pytest.approx([0.2, 0.34375, 0.5, 0.6])
    dantewada = table[table["district_lgd"] == 416].set_index("months_since_go_live")
    # 416, month 0: C February 25/5: under 30 registrations, no rate (5/25 would be 20 %)
    #      month 1: C March 50/20 → 40 %.  D (no go-live) is not in it.
    assert dantewada["opd_registrations"].tolist() == [25, 50]
    assert dantewada["abha_linked"].tolist() == [5, 20]
    assert math.isnan(dantewada.loc[0, "abha_share"])
    assert dantewada.loc[1, "abha_share"] == pytest.approx(0.4)


def test_adoption_by_months_since_go_live_per_division() -> None:
    table = adoption_by_months_since_go_live(MONTHLY, FACILITIES, "division")
    # Bastar, month 0: 60/12 (414) + 25/5 (416) = 85/17 → 20 %
    #         month 1: 160/55 + 50/20 = 210/75 → 35.714… %
    assert table["opd_registrations"].tolist() == [85, 210, 120, 130]
    assert table["abha_linked"].tolist() == [17, 75, 60, 78]
    assert table["facilities"].tolist() == [3, 3, 1, 1]
    assert table["abha_share"].tolist() == pytest.approx([0.2, 75 / 210, 0.5, 0.6])


def test_the_minimum_for_a_rate_can_be_set() -> None:
    table = adoption_by_months_since_go_live(MONTHLY, FACILITIES, "district_lgd", minimum=1)
    month_0 = table[(table["district_lgd"] == 416) & (table["months_since_go_live"] == 0)]
    assert month_0["abha_share"].tolist() == pytest.approx([0.2])  # 5/25


def test_no_registration_since_go_live_gives_an_empty_table() -> None:
    before = MONTHLY[MONTHLY["period_start"] == "2024-12-01"]
    table = adoption_by_months_since_go_live(before, FACILITIES, "district_lgd")
    assert table.empty
    assert "abha_share" in table.columns


def test_the_first_months_side_by_side() -> None:
    table = adoption_by_months_since_go_live(MONTHLY, FACILITIES, "district_lgd")
    wide = first_months(table, "district_lgd", months=3).set_index("district_lgd")
    assert _values(wide.loc[414]) == pytest.approx([0.2, 0.34375, 0.5])
    assert _values(wide.loc[416]) == [None, 0.4, None]  # month 0 too few; month 2 not yet


def test_a_rate_not_given_in_the_first_months_is_nan_not_none() -> None:
    """abha_share holds None where too few registrations gave no rate: the table is float."""
    import math

    adoption = pd.DataFrame(
        {
            "division": ["Surguja", "Surguja"],
            "months_since_go_live": [0, 1],
            "abha_share": pd.Series([0.25, None], dtype=object),
        }
    )
    early = first_months(adoption, "division", 3)
    assert all(early[n].dtype == "float64" for n in range(3))
    assert early.loc[0, 0] == 0.25 and math.isnan(early.loc[0, 1]) and math.isnan(early.loc[0, 2])
