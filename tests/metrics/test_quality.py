"""Silent facilities and facilities registering far less than usual."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from metrics.quality import below_usual, reconcile, silent_facilities

AS_OF = date(2025, 7, 31)


def test_silent_facilities() -> None:
    last = pd.Series(
        {
            "IN2200000001": date(2025, 7, 31),  # today: 0 days
            "IN2200000002": date(2025, 7, 25),  # 6 days: inside the last 7 days (25–31 July)
            "IN2200000003": date(2025, 7, 24),  # 7 days: silent for the whole window
            "IN2200000004": pd.Timestamp("2025-06-30 18:45"),  # 31 days
            "IN2200000005": None,
            "IN2200000006": pd.NaT,
        }
    )
    silent = silent_facilities(last, AS_OF, silent_days=7)
    assert list(silent.columns) == [
        "facility_id",
        "last_registration",
        "days_silent",
        "never_reported",
    ]
    assert silent["facility_id"].tolist() == [
        "IN2200000005",
        "IN2200000006",
        "IN2200000004",
        "IN2200000003",
    ]
    assert silent["never_reported"].tolist() == [True, True, False, False]
    assert silent["days_silent"].isna().tolist() == [True, True, False, False]
    assert silent["days_silent"].iloc[2:].tolist() == [31, 7]
    assert silent["last_registration"].iloc[2:].tolist() == [date(2025, 6, 30), date(2025, 7, 24)]
    assert silent["last_registration"].iloc[:2].isna().all()


def test_no_silent_facilities() -> None:
    # Last registration yesterday: silent for a 1-day window (today only), not for 2 days.
    assert len(silent_facilities(pd.Series({"IN2200000001": date(2025, 7, 30)}), AS_OF, 1)) == 1
    silent = silent_facilities(pd.Series({"IN2200000001": date(2025, 7, 30)}), AS_OF, 2)
    assert silent.empty
    assert list(silent.columns) == [
        "facility_id",
        "last_registration",
        "days_silent",
        "never_reported",
    ]


def _daily(facility_id: str, start: date, counts: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "facility_id": facility_id,
            "day": [start + timedelta(days=i) for i in range(len(counts))],
            "registrations": counts,
        }
    )


def test_below_usual_worked_example() -> None:
    # Recent window: 25–31 July (7 days). Baseline: the 14 days before, 11–24 July.
    baseline_start, recent_start = date(2025, 7, 11), date(2025, 7, 25)
    daily = pd.concat(
        [
            # A: 20 a day in the baseline (mean 20), 70 in the recent week (mean 10):
            # ratio 0.5, not below half.
            _daily("A", baseline_start, [20] * 14 + [10] * 7),
            # B: 20 a day in the baseline; in the recent week rows for two days only, 9 each:
            # the five missing days count as 0, mean 18 / 7 = 2.571, ratio 0.1286.
            _daily("B", baseline_start, [20] * 14),
            _daily("B", recent_start, [9, 9]),
            # C: registrations on 7 of the 14 baseline days only (mean 14 · 7 / 14 = 7), 3 a
            # day recently: ratio 3 / 7 = 0.4286.
            _daily("C", baseline_start, [14, 0] * 7 + [3] * 7),
            # D: went live during the recent week, no baseline: not flagged.
            _daily("D", recent_start, [1, 1]),
            # E: a row after as_of and one before the baseline are ignored.
            _daily("E", date(2025, 7, 10), [500]),
            _daily("E", date(2025, 8, 1), [500]),
        ]
    )
    flagged = below_usual(daily, AS_OF, recent_days=7, baseline_days=14)
    assert flagged["facility_id"].tolist() == ["B", "C"]
    assert flagged["recent_mean"].tolist() == pytest.approx([18 / 7, 3.0])
    assert flagged["baseline_mean"].tolist() == pytest.approx([20.0, 7.0])
    assert flagged["ratio"].tolist() == pytest.approx([18 / 7 / 20, 3 / 7])
    assert list(flagged.columns) == ["facility_id", "recent_mean", "baseline_mean", "ratio"]


def test_below_usual_threshold() -> None:
    # The 56 baseline days before 25–31 July run from 30 May to 24 July.
    daily = _daily("A", date(2025, 5, 30), [20] * 56 + [10] * 7)  # ratio exactly 0.5
    assert below_usual(daily, AS_OF).empty
    assert below_usual(daily, AS_OF, threshold=0.6)["facility_id"].tolist() == ["A"]


def test_below_usual_with_timestamps_and_no_rows() -> None:
    daily = _daily("A", date(2025, 5, 30), [20] * 56)
    daily["day"] = pd.to_datetime(daily["day"])
    assert below_usual(daily, AS_OF)["ratio"].tolist() == [0.0]
    empty = below_usual(daily.iloc[0:0], AS_OF)
    assert empty.empty and list(empty.columns) == [
        "facility_id",
        "recent_mean",
        "baseline_mean",
        "ratio",
    ]


def test_reconcile_balances_only_when_every_row_is_accounted_for() -> None:
    books = reconcile(100, 90, {"duplicate": 6, "unknown_facility": 3, "invalid_timestamp": 1})
    assert books.accounted == 100 and books.difference == 0 and books.balances
    short = reconcile(100, 90, {"duplicate": 6, "unknown_facility": 3})
    assert short.difference == 1 and not short.balances
    twice = reconcile(100, 95, {"duplicate": 6})
    assert twice.difference == -1 and not twice.balances
    assert reconcile(0, 0, {}).balances
    with pytest.raises(ValueError):
        reconcile(10, -1, {})
