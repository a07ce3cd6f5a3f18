"""The alert rules on worked examples: each fires on a case written here and clears (does
not fire) on another, with the figures that raised it worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from data_access.config import AlertSettings
from metrics.alerts import (
    AlertCounts,
    adoption_drop_alerts,
    below_target_alerts,
    below_usual_alerts,
    comparison_periods,
    find_alerts,
    quality_by_district,
    quality_rise_alerts,
    silent_alerts,
)

AS_OF = date(2025, 3, 10)
REGISTRY = pd.DataFrame(
    {
        "facility_id": ["FA", "FB", "FC", "FD"],
        "district_lgd": [414, 414, 416, 416],
        "ehospital_go_live": [date(2025, 1, 1), date(2025, 1, 1), date(2025, 3, 8), None],
    }
)


def _fired(frame: pd.DataFrame) -> dict[str, dict]:
    return {row.scope_code: row.figures for row in frame.itertuples(index=False)}


# --- silent ---------------------------------------------------------------------------------------
def _last(days: dict[str, date | None]) -> pd.DataFrame:
    return pd.DataFrame({"facility_id": list(days), "last_registration": list(days.values())})


def test_a_facility_silent_for_7_days_fires_and_clears_when_it_registers() -> None:
    last = {"FA": date(2025, 3, 1), "FB": date(2025, 3, 9), "FC": None, "FD": None}
    fired = silent_alerts(REGISTRY, _last(last), AS_OF, silent_days=7)
    # FA: 1 → 10 March, 9 days; FB: 1 day; FC live since 8 March (2 days); FD planned
    assert _fired(fired) == {
        "FA": {
            "last_registration": "2025-03-01",
            "days_silent": 9,
            "go_live": "2025-01-01",
            "silent_days": 7,
        }
    }
    assert fired.loc[0, "district_lgd"] == 414 and fired.loc[0, "scope_kind"] == "facility"
    cleared = silent_alerts(REGISTRY, _last({**last, "FA": date(2025, 3, 10)}), AS_OF, 7)
    assert cleared.empty


def test_a_facility_live_for_7_days_without_a_registration_fires() -> None:
    last = {"FA": AS_OF, "FB": AS_OF, "FC": None, "FD": None}
    later = date(2025, 3, 15)  # FC live since 8 March: 7 days
    fired = _fired(silent_alerts(REGISTRY, _last(last), later, 7))
    # FA, FB registered 5 days ago; FD never went live: planned, not silent
    assert fired == {
        "FC": {
            "last_registration": None,
            "days_silent": None,
            "go_live": "2025-03-08",
            "silent_days": 7,
        }
    }


# --- below usual ---------------------------------------------------------------------------------
def _daily(recent_per_day: dict[str, int], usual_per_day: int = 10) -> pd.DataFrame:
    """8 weeks of ``usual_per_day`` registrations, then 7 days of each facility's own."""
    rows = []
    for facility, recent in recent_per_day.items():
        for back in range(63):
            day = AS_OF - timedelta(days=back)
            rows.append((facility, day, recent if back < 7 else usual_per_day))
    return pd.DataFrame(rows, columns=["facility_id", "day", "registrations"])


def test_a_facility_at_4_a_day_against_10_usually_fires_and_at_6_clears() -> None:
    fired = below_usual_alerts(REGISTRY, _daily({"FA": 4, "FB": 6}), AS_OF, 7, 56, 0.5)
    assert _fired(fired) == {
        "FA": {
            "recent_mean": 4.0,
            "usual_mean": 10.0,
            "ratio": 0.4,
            "recent_days": 7,
            "baseline_days": 56,
        }
    }
    assert below_usual_alerts(REGISTRY, _daily({"FA": 6}), AS_OF, 7, 56, 0.5).empty


# --- adoption drop -------------------------------------------------------------------------------
PERIODS = comparison_periods(AS_OF, 30)


def _counts(key: str, rows: dict[object, tuple[int, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(k, n, linked) for k, (n, linked) in rows.items()],
        columns=[key, "opd_registrations", "abha_linked"],
    )


def test_the_periods_are_the_last_30_days_and_the_30_before() -> None:
    assert (
        (date(2025, 1, 10), date(2025, 2, 8)),
        (date(2025, 2, 9), date(2025, 3, 10)),
    ) == PERIODS


def test_a_facility_from_60_to_45_percent_fires_and_to_55_does_not() -> None:
    previous = _counts("facility_id", {"FA": (200, 120), "FB": (200, 120), "FC": (50, 40)})
    current = _counts("facility_id", {"FA": (200, 90), "FB": (200, 110), "FC": (50, 10)})
    fired = adoption_drop_alerts(
        previous,
        current,
        scope_kind="facility",
        district_of={"FA": 414, "FB": 414, "FC": 416},
        periods=PERIODS,
        drop_points=10,
        min_registrations=100,
    )
    # FA 60% → 45%: 15 points; FB 60% → 55%: 5 points; FC 80% → 20% on 50 registrations
    figures = _fired(fired)
    assert list(figures) == ["FA"]
    assert figures["FA"] == {
        "previous_registrations": 200,
        "previous_linked": 120,
        "previous_share": 0.6,
        "current_registrations": 200,
        "current_linked": 90,
        "current_share": 0.45,
        "drop_points": pytest.approx(15.0),
        "previous_start": "2025-01-10",
        "previous_end": "2025-02-08",
        "current_start": "2025-02-09",
        "current_end": "2025-03-10",
    }
    recovered = _counts("facility_id", {"FA": (200, 100)})  # 50%: exactly 10 points
    assert adoption_drop_alerts(
        previous,
        recovered,
        scope_kind="facility",
        district_of={"FA": 414},
        periods=PERIODS,
        drop_points=10,
        min_registrations=100,
    ).empty


def test_a_district_dropping_fires_under_its_lgd_code() -> None:
    previous = _counts("district_lgd", {414: (1000, 500), 416: (1000, 500)})
    current = _counts("district_lgd", {414: (1000, 380), 416: (1000, 450)})
    fired = adoption_drop_alerts(
        previous,
        current,
        scope_kind="district",
        district_of={414: 414, 416: 416},
        periods=PERIODS,
        drop_points=10,
        min_registrations=100,
    )
    assert list(fired["scope_code"]) == ["414"] and list(fired["district_lgd"]) == [414]
    assert fired.loc[0, "figures"]["drop_points"] == pytest.approx(12.0)


# --- below the target ----------------------------------------------------------------------------
MONTHS = [date(2025, m, 1) for m in range(6, 12)]  # June–November 2025


def _monthly(rates: dict[int, list[float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            (lgd, month, 1000, round(rate * 1000))
            for lgd, series in rates.items()
            for month, rate in zip(MONTHS, series, strict=True)
        ],
        columns=["district_lgd", "period_start", "opd_registrations", "abha_linked"],
    )


def test_a_district_falling_below_the_target_fires_and_one_rising_to_it_does_not() -> None:
    monthly = _monthly(
        {
            414: [0.45, 0.44, 0.43, 0.42, 0.41, 0.40],  # falling: never at this trend
            416: [0.30, 0.35, 0.40, 0.45, 0.50, 0.55],  # +5 points a month: 60% in December
            649: [0.58, 0.60, 0.61, 0.62, 0.62, 0.63],  # above the target already
        }
    )
    rule = {"target": 0.6, "trend_months": 6, "within_months": 12, "min_registrations": 100}
    fired = below_target_alerts(monthly, **rule)
    assert _fired(fired) == {
        "414": {
            "latest_month": "2025-11-01",
            "latest_share": 0.4,
            "latest_registrations": 1000,
            "target": 0.6,
            "outcome": "not_at_trend",
            "projected_month": None,
            "within_months": 12,
        }
    }
    # asked to reach it within the month: December is a month late
    later = _fired(below_target_alerts(monthly, **{**rule, "within_months": 0}))
    assert later["416"]["projected_month"] == "2025-12-01"
    assert later["416"]["outcome"] == "month"
    assert "649" not in later


# --- data quality --------------------------------------------------------------------------------
def _quality(rows: dict[object, tuple[int, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(k, n, registrations) for k, (n, registrations) in rows.items()],
        columns=["district_lgd", "rows", "registrations"],
    )


def test_quality_counts_by_facility_add_up_by_district() -> None:
    """FA and FB (Bastar, 414) have 3 + 4 malformed ABHA numbers, FC (Dantewada, 416) none;
    FB 2 duplicates; 5 rows name a facility the registry does not have (FX), set against
    all 1,000 + 500 registrations; a kind the rules do not watch is left out."""
    per_facility = pd.DataFrame(
        [
            ("malformed_abha", "FA", 3),
            ("malformed_abha", "FB", 4),
            ("duplicate", "FB", 2),
            ("unknown_facility", "FX", 5),
            ("future_timestamp", "FC", 9),
        ],
        columns=["kind", "facility_id", "rows"],
    )
    districts = dict(zip(REGISTRY["facility_id"], REGISTRY["district_lgd"], strict=True))
    registrations = pd.DataFrame({"district_lgd": [414, 416], "opd_registrations": [1000, 500]})
    by_kind = quality_by_district(per_facility, districts, registrations)
    assert set(by_kind) == {"malformed_abha", "duplicate", "unknown_facility"}
    as_rows = {kind: frame.values.tolist() for kind, frame in by_kind.items()}
    assert as_rows["malformed_abha"] == [[414, 7, 1000], [416, 0, 500]]
    assert as_rows["duplicate"] == [[414, 2, 1000], [416, 0, 500]]
    assert as_rows["unknown_facility"] == [[None, 5, 1500]]


def test_malformed_abha_numbers_from_1_to_4_percent_fire_and_to_2_do_not() -> None:
    previous = _quality({414: (10, 1000), 416: (10, 1000)})
    current = _quality({414: (40, 1000), 416: (20, 1000)})
    fired = quality_rise_alerts(
        previous, current, kind="malformed_abha", periods=PERIODS, rise_points=2,
        min_registrations=100,
    )  # fmt: skip
    assert list(fired["rule"]) == ["malformed_abha_rise"]
    figures = _fired(fired)["414"]
    assert (figures["previous_share"], figures["current_share"]) == (0.01, 0.04)
    assert figures["rise_points"] == pytest.approx(3.0)
    assert quality_rise_alerts(
        previous, previous, kind="malformed_abha", periods=PERIODS, rise_points=2,
        min_registrations=100,
    ).empty  # fmt: skip


def test_rows_of_unknown_facilities_rising_fire_for_the_whole_data() -> None:
    previous = _quality({None: (0, 2000)})
    current = _quality({None: (100, 2000)})  # 0% → 5%
    fired = quality_rise_alerts(
        previous, current, kind="unknown_facility", periods=PERIODS, rise_points=2,
        min_registrations=100,
    )  # fmt: skip
    assert list(fired["scope_kind"]) == ["all"] and list(fired["scope_code"]) == ["all"]
    assert fired.loc[0, "district_lgd"] is None
    assert fired.loc[0, "figures"]["current_share"] == 0.05


# --- all the rules -------------------------------------------------------------------------------
def test_a_silent_facility_is_not_also_below_its_usual_volume() -> None:
    daily = _daily({"FA": 0, "FB": 10})
    last = _last({"FA": AS_OF - timedelta(days=7), "FB": AS_OF, "FC": AS_OF, "FD": AS_OF})
    empty = _counts("facility_id", {})
    counts = AlertCounts(
        as_of=AS_OF,
        facilities=REGISTRY,
        last_registration=last,
        daily=daily,
        by_facility=(empty, empty),
        by_district=(_counts("district_lgd", {}), _counts("district_lgd", {})),
        monthly=_monthly({}),
        quality={},
        periods=PERIODS,
    )
    found = find_alerts(counts, AlertSettings(silent_days=7), 60)
    assert list(zip(found["rule"], found["scope_code"], strict=True)) == [("silent", "FA")]
