"""Alert rules (issue 19): when a facility or a district needs someone's attention.

Each rule is a pure function of frames of counts, as ``data_access.queries`` returns them,
and of the as-of day (the data's last day). It returns one row an alert raised, in
:data:`ALERT_COLUMNS`: the ``rule``; its ``scope_kind`` (``facility``, ``district``, or
``all`` for rows that belong to no district: those of facilities the registry does not
know); ``scope_code`` (the HFR ID, the LGD code as text, or ``all``); ``district_lgd`` (the
district whose users may see it; None for ``all``); and ``figures``, the numbers that
raised it (plain numbers, ISO days and None only: they are stored as JSON).

:func:`find_alerts` runs every rule on one :class:`AlertCounts`. Reading those counts from
the analytics store and recording the outcome is ``cli.alerts.evaluate_alerts``, run after
each refresh.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd

from data_access.config import AlertSettings
from metrics.adoption import adoption_rate, with_adoption_rate
from metrics.quality import below_usual, silent_facilities
from metrics.trend import projection

ALERT_COLUMNS = ["rule", "scope_kind", "scope_code", "district_lgd", "figures"]
RULES = (
    "silent",
    "below_usual",
    "adoption_drop",
    "below_target",
    "malformed_abha_rise",
    "duplicate_rise",
    "unknown_facility_rise",
)
QUALITY_KINDS = ("malformed_abha", "duplicate", "unknown_facility")
"""The data-quality signals watched: each rule is ``<kind>_rise``."""
Days = tuple[date, date]


def _iso(day: Any) -> str | None:
    if day is None or (not isinstance(day, date) and pd.isna(day)):
        return None
    if isinstance(day, datetime | pd.Timestamp):
        return day.date().isoformat()
    if isinstance(day, date):
        return day.isoformat()
    return pd.Timestamp(str(day)).date().isoformat()


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=ALERT_COLUMNS)


def _alert(rule: str, kind: str, code: Any, district: Any, figures: dict) -> dict:
    return {
        "rule": rule,
        "scope_kind": kind,
        "scope_code": str(code),
        "district_lgd": None if district is None or pd.isna(district) else int(district),
        "figures": figures,
    }


def districts_of_facilities(facilities: pd.DataFrame) -> dict[str, int]:
    return {
        str(f): int(d)
        for f, d in zip(facilities["facility_id"], facilities["district_lgd"], strict=True)
    }


def _period_figures(previous: Days, current: Days) -> dict:
    return {
        "previous_start": previous[0].isoformat(),
        "previous_end": previous[1].isoformat(),
        "current_start": current[0].isoformat(),
        "current_end": current[1].isoformat(),
    }


def comparison_periods(as_of: date, days: int) -> tuple[Days, Days]:
    """The last ``days`` days up to ``as_of`` and the as many days before them."""
    current = (as_of - timedelta(days=days - 1), as_of)
    previous = (current[0] - timedelta(days=days), current[0] - timedelta(days=1))
    return previous, current


# --- the rules ---------------------------------------------------------------------------------
def silent_alerts(
    facilities: pd.DataFrame, last_registration: pd.DataFrame, as_of: date, silent_days: int
) -> pd.DataFrame:
    """A facility with no registration in the last ``silent_days`` days
    (``metrics.quality.silent_facilities``). One that never registered is raised only
    once it has been live that long (its ``ehospital_go_live`` ``silent_days`` or more
    days before ``as_of``): a planned facility is not silent.

    ``facilities``: facility_id, district_lgd, ehospital_go_live (the registry);
    ``last_registration``: facility_id, last_registration (``queries.last_registration_days``).
    Figures: ``last_registration``, ``days_silent`` (None when it never registered) and
    ``go_live``.
    """
    last = last_registration.set_index("facility_id")["last_registration"]
    silent = silent_facilities(last, as_of, silent_days)
    registry = facilities.set_index("facility_id")
    rows = []
    row: Any
    for row in silent.itertuples(index=False):
        if row.facility_id not in registry.index:
            continue
        go_live: Any = registry.at[row.facility_id, "ehospital_go_live"]
        go_live_day = _iso(go_live)
        if row.never_reported and (
            go_live_day is None or (as_of - date.fromisoformat(go_live_day)).days < silent_days
        ):
            continue
        figures = {
            "last_registration": _iso(row.last_registration),
            "days_silent": None if row.never_reported else int(row.days_silent),
            "go_live": go_live_day,
            "silent_days": silent_days,
        }
        district: Any = registry.at[row.facility_id, "district_lgd"]
        rows.append(_alert("silent", "facility", row.facility_id, district, figures))
    return _frame(rows)


def below_usual_alerts(
    facilities: pd.DataFrame,
    daily: pd.DataFrame,
    as_of: date,
    recent_days: int,
    baseline_days: int,
    fraction: float,
) -> pd.DataFrame:
    """A facility whose mean daily registrations over the last ``recent_days`` days are
    under ``fraction`` of its mean over the ``baseline_days`` days before
    (``metrics.quality.below_usual``). ``daily``: facility_id, day, registrations.
    Figures: ``recent_mean``, ``usual_mean``, ``ratio``, ``recent_days``, ``baseline_days``.
    """
    quiet = below_usual(daily, as_of, recent_days, baseline_days, fraction)
    districts = districts_of_facilities(facilities)
    rows = [
        _alert(
            "below_usual",
            "facility",
            row["facility_id"],
            districts[str(row["facility_id"])],
            {
                "recent_mean": float(row["recent_mean"]),
                "usual_mean": float(row["baseline_mean"]),
                "ratio": float(row["ratio"]),
                "recent_days": recent_days,
                "baseline_days": baseline_days,
            },
        )
        for row in quiet.to_dict("records")
        if str(row["facility_id"]) in districts
    ]
    return _frame(rows)


def adoption_drop_alerts(
    previous: pd.DataFrame,
    current: pd.DataFrame,
    *,
    scope_kind: str,
    district_of: Mapping[Any, int],
    periods: tuple[Days, Days],
    drop_points: float,
    min_registrations: int,
) -> pd.DataFrame:
    """A facility's or a district's ABHA adoption down by more than ``drop_points``
    percentage points from the previous period, with at least ``min_registrations``
    registrations in each.

    ``previous``, ``current``: the counts of each period (``queries.registration_counts``
    by facility or by district): the key column (facility_id or district_lgd),
    opd_registrations, abha_linked. ``district_of``: each key's district.
    Figures: each period's ``…_registrations``, ``…_linked`` and ``…_share``, the
    ``drop_points`` and the periods' days.
    """
    key = "facility_id" if scope_kind == "facility" else "district_lgd"
    both = previous.merge(current, on=key, suffixes=("_previous", "_current"))
    rows = []
    for row in both.to_dict("records"):
        before, now = int(row["opd_registrations_previous"]), int(row["opd_registrations_current"])
        if min(before, now) < max(min_registrations, 1):
            continue
        linked_before, linked_now = (
            int(row["abha_linked_previous"]),
            int(row["abha_linked_current"]),
        )
        share_before = adoption_rate(linked_before, before)
        share_now = adoption_rate(linked_now, now)
        assert share_before is not None and share_now is not None
        drop = (share_before - share_now) * 100
        if drop <= drop_points:
            continue
        code = row[key] if scope_kind == "facility" else int(row[key])
        if code not in district_of:
            continue
        figures = {
            "previous_registrations": before,
            "previous_linked": linked_before,
            "previous_share": share_before,
            "current_registrations": now,
            "current_linked": linked_now,
            "current_share": share_now,
            "drop_points": drop,
            **_period_figures(*periods),
        }
        rows.append(_alert("adoption_drop", scope_kind, code, district_of[code], figures))
    return _frame(rows)


def _months_between(first: date, later: date) -> int:
    return (later.year - first.year) * 12 + later.month - first.month


def below_target_alerts(
    monthly: pd.DataFrame,
    *,
    target: float,
    trend_months: int,
    within_months: int,
    min_registrations: int,
) -> pd.DataFrame:
    """A district below the adoption ``target`` (a fraction) in its latest month whose
    recent trend does not reach it within ``within_months`` months of that month: the
    District comparison's projection (``metrics.trend.projection`` through the last
    ``trend_months`` whole months) is later, or "not at the current trend". A district
    with fewer than ``min_registrations`` registrations in its latest month is left out.

    ``monthly``: district_lgd, period_start (each month's first day), opd_registrations,
    abha_linked, over the ``trend_months`` whole months (``queries.registration_counts``
    by district, grain month). Figures: ``latest_month``, ``latest_share``,
    ``latest_registrations``, ``target``, ``outcome`` (``month`` or ``not_at_trend``),
    ``projected_month`` (None when not at the trend), ``within_months``.
    """
    rates = with_adoption_rate(monthly)
    rows = []
    lgd: Any
    for lgd, group in rates.groupby("district_lgd", sort=True):
        series = group.set_index("period_start")["abha_share"].dropna().sort_index()
        if series.empty:
            continue
        latest_month = pd.Timestamp(series.index[-1]).date()
        latest = group.set_index("period_start").loc[series.index[-1]]
        if int(latest["opd_registrations"]) < max(min_registrations, 1):
            continue
        if float(series.iloc[-1]) >= target:
            continue
        outcome = projection(series, target, recent_months=trend_months)
        if outcome.outcome == "month":
            assert outcome.month is not None
            if _months_between(latest_month, outcome.month) <= within_months:
                continue
        elif outcome.outcome != "not_at_trend":
            continue  # one month only: no trend to judge by
        figures = {
            "latest_month": latest_month.isoformat(),
            "latest_share": float(series.iloc[-1]),
            "latest_registrations": int(latest["opd_registrations"]),
            "target": target,
            "outcome": outcome.outcome,
            "projected_month": _iso(outcome.month),
            "within_months": within_months,
        }
        rows.append(_alert("below_target", "district", int(lgd), int(lgd), figures))
    return _frame(rows)


def quality_rise_alerts(
    previous: pd.DataFrame,
    current: pd.DataFrame,
    *,
    kind: str,
    periods: tuple[Days, Days],
    rise_points: float,
    min_registrations: int,
) -> pd.DataFrame:
    """A district's share of rows of one data-quality ``kind`` (malformed_abha, duplicate;
    unknown_facility for the whole data, ``district_lgd`` None) up by more than
    ``rise_points`` percentage points from the previous period: rows of the kind over
    the registrations counted, each period with at least ``min_registrations``.

    ``previous``, ``current``: district_lgd, rows (of the kind), registrations.
    Figures: each period's ``…_rows``, ``…_registrations`` and ``…_share``, the
    ``rise_points`` and the periods' days.
    """
    if kind not in QUALITY_KINDS:
        raise ValueError(f"unknown data-quality kind {kind!r}")
    both = previous.merge(current, on="district_lgd", how="right", suffixes=("_p", "_c"))
    rows = []
    for row in both.to_dict("records"):
        before, now = row["registrations_p"], row["registrations_c"]
        before = 0 if pd.isna(before) else int(before)
        now = int(now)
        if min(before, now) < max(min_registrations, 1):
            continue
        rows_before = 0 if pd.isna(row["rows_p"]) else int(row["rows_p"])
        rows_now = int(row["rows_c"])
        share_before, share_now = rows_before / before, rows_now / now
        rise = (share_now - share_before) * 100
        if rise <= rise_points:
            continue
        district = row["district_lgd"]
        whole = district is None or pd.isna(district)
        figures = {
            "kind": kind,
            "previous_rows": rows_before,
            "previous_registrations": before,
            "previous_share": share_before,
            "current_rows": rows_now,
            "current_registrations": now,
            "current_share": share_now,
            "rise_points": rise,
            **_period_figures(*periods),
        }
        rows.append(
            _alert(
                f"{kind}_rise",
                "all" if whole else "district",
                "all" if whole else int(district),
                None if whole else district,
                figures,
            )
        )
    return _frame(rows)


def quality_by_district(
    per_facility: pd.DataFrame, districts: Mapping[str, int], registrations: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """Per watched kind: district_lgd, rows, registrations, from ``per_facility`` (the
    data-quality counts by facility: kind, facility_id, rows) and ``registrations`` (by
    district); rows of unknown facilities under a district_lgd of None, against every
    registration."""
    per_facility = per_facility[per_facility["kind"].isin(QUALITY_KINDS)]
    counted = {
        int(d): int(n)
        for d, n in zip(
            registrations["district_lgd"], registrations["opd_registrations"], strict=True
        )
    }
    out = {}
    for kind in QUALITY_KINDS:
        of_kind = per_facility[per_facility["kind"] == kind]
        if kind == "unknown_facility":
            frame = pd.DataFrame(
                {
                    "district_lgd": [None],
                    "rows": [int(of_kind["rows"].sum())],
                    "registrations": [sum(counted.values())],
                }
            )
        else:
            lgd = of_kind["facility_id"].map(districts)
            rows = of_kind.assign(district_lgd=lgd).dropna(subset=["district_lgd"])
            by_district = rows.groupby("district_lgd")["rows"].sum()
            frame = pd.DataFrame(
                {
                    "district_lgd": list(counted),
                    "rows": [int(by_district.get(d, 0)) for d in counted],
                    "registrations": list(counted.values()),
                }
            )
        out[kind] = frame
    return out


# --- every rule at once --------------------------------------------------------------------------
@dataclass(frozen=True)
class AlertCounts:
    """What the rules read, as of one day: the registry and aggregates only."""

    as_of: date
    facilities: pd.DataFrame
    """facility_id, district_lgd, ehospital_go_live."""
    last_registration: pd.DataFrame
    """facility_id, last_registration."""
    daily: pd.DataFrame
    """facility_id, day, registrations over the recent and usual days."""
    by_facility: tuple[pd.DataFrame, pd.DataFrame]
    """The previous and current period's counts by facility."""
    by_district: tuple[pd.DataFrame, pd.DataFrame]
    monthly: pd.DataFrame
    """By district and month, over the trend's whole months."""
    quality: dict[str, tuple[pd.DataFrame, pd.DataFrame]]
    """Per watched kind, the previous and current period's district_lgd, rows, registrations."""
    periods: tuple[Days, Days]


def find_alerts(
    counts: AlertCounts, settings: AlertSettings, target_percent: float
) -> pd.DataFrame:
    """Every rule on ``counts``. A silent facility is raised as silent only, not also as
    below its usual volume (a facility with no registration is below any usual level)."""
    registry = counts.facilities
    silent = silent_alerts(registry, counts.last_registration, counts.as_of, settings.silent_days)
    quiet = below_usual_alerts(
        registry,
        counts.daily,
        counts.as_of,
        settings.recent_days,
        settings.baseline_days,
        settings.below_usual_fraction,
    )
    quiet = quiet[~quiet["scope_code"].isin(set(silent["scope_code"]))]
    districts = districts_of_facilities(registry)

    def dropped(
        of: tuple[pd.DataFrame, pd.DataFrame], kind: str, district_of: Mapping
    ) -> pd.DataFrame:
        return adoption_drop_alerts(
            *of,
            scope_kind=kind,
            district_of=district_of,
            periods=counts.periods,
            drop_points=settings.adoption_drop_points,
            min_registrations=settings.min_registrations,
        )

    found = [
        silent,
        quiet,
        dropped(counts.by_facility, "facility", districts),
        dropped(counts.by_district, "district", {d: d for d in set(districts.values())}),
        below_target_alerts(
            counts.monthly,
            target=target_percent / 100,
            trend_months=settings.trend_months,
            within_months=settings.target_within_months,
            min_registrations=settings.min_registrations,
        ),
        *(
            quality_rise_alerts(
                *frames,
                kind=kind,
                periods=counts.periods,
                rise_points=settings.quality_share_rise_points,
                min_registrations=settings.min_registrations,
            )
            for kind, frames in counts.quality.items()
        ),
    ]
    return pd.concat([f for f in found if not f.empty] or [_frame([])], ignore_index=True)
