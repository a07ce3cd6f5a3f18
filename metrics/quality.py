"""Reporting completeness: facilities that have gone silent or register far less than usual;
and whether every raw row is accounted for (counted, or excluded under one kind)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

SILENT_COLUMNS = ["facility_id", "last_registration", "days_silent", "never_reported"]
BELOW_USUAL_COLUMNS = ["facility_id", "recent_mean", "baseline_mean", "ratio"]


def _as_date(value: date | str | float | None) -> date | None:
    """A day from what a column of days may hold: a date or time, ISO text, None or NaN/NaT."""
    if value is None or pd.isna(value):
        return None
    if isinstance(value, datetime | pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def silent_facilities(last_registration: pd.Series, as_of: date, silent_days: int) -> pd.DataFrame:
    """Facilities with no registration in the last `silent_days` days up to `as_of`.

    `last_registration` is indexed by facility_id, with the day of each facility's latest
    registration (NaT or None if it never registered). The last `silent_days` days are
    as_of − silent_days + 1 … as_of, so a facility is silent when its last registration is
    `silent_days` or more days before as_of. Facilities that never reported are listed
    too, flagged `never_reported` with `days_silent` missing (<NA>): a stale feed and a
    facility that never started are different problems. Never-reported first, then the
    longest silent, then by facility_id.
    """
    if silent_days < 1:
        raise ValueError(f"silent_days must be at least 1, not {silent_days}")
    rows = []
    for facility_id, value in last_registration.items():
        last = _as_date(value)
        days_silent = None if last is None else (as_of - last).days
        if days_silent is None or days_silent >= silent_days:
            rows.append((facility_id, last, days_silent, last is None))
    result = pd.DataFrame(rows, columns=SILENT_COLUMNS)
    result["days_silent"] = result["days_silent"].astype("Int64")
    result["never_reported"] = result["never_reported"].astype(bool)
    result = result.sort_values(
        ["never_reported", "days_silent", "facility_id"], ascending=[False, False, True]
    )
    return result.reset_index(drop=True)


def below_usual(
    daily: pd.DataFrame,
    as_of: date,
    recent_days: int = 7,
    baseline_days: int = 56,
    threshold: float = 0.5,
) -> pd.DataFrame:
    """Facilities whose recent daily registrations fell below `threshold` × their usual level.

    `daily` has columns facility_id, day, registrations. The recent window is the
    `recent_days` days ending on as_of; the baseline the `baseline_days` days before it.
    Both means divide by the number of days in the window, so a day without a row counts
    as 0 registrations. A facility with no registrations in the baseline has no usual
    level and is not flagged (one that went live during the baseline has a lowered
    baseline, which makes it less likely to be flagged, not more). Columns facility_id,
    recent_mean, baseline_mean, ratio (recent over baseline); lowest ratio first.
    """
    if recent_days < 1 or baseline_days < 1:
        raise ValueError("recent_days and baseline_days must be at least 1")
    if threshold < 0:
        raise ValueError(f"threshold must not be negative, not {threshold}")
    as_of_ts = pd.Timestamp(as_of)
    recent_start = as_of_ts - timedelta(days=recent_days - 1)
    baseline_start = recent_start - timedelta(days=baseline_days)
    days = pd.to_datetime(daily["day"]).dt.normalize()
    in_recent = (days >= recent_start) & (days <= as_of_ts)
    in_baseline = (days >= baseline_start) & (days < recent_start)
    counts = daily["registrations"].astype("float64")
    by_facility = (
        pd.DataFrame(
            {
                "facility_id": daily["facility_id"],
                "recent": counts.where(in_recent, 0.0),
                "baseline": counts.where(in_baseline, 0.0),
            }
        )
        .groupby("facility_id", sort=True)[["recent", "baseline"]]
        .sum()
    )
    recent_mean = by_facility["recent"] / recent_days
    baseline_mean = by_facility["baseline"] / baseline_days
    flagged = (baseline_mean > 0) & (recent_mean < threshold * baseline_mean)
    result = pd.DataFrame(
        {
            "facility_id": by_facility.index[flagged],
            "recent_mean": recent_mean[flagged].to_numpy(),
            "baseline_mean": baseline_mean[flagged].to_numpy(),
            "ratio": (recent_mean[flagged] / baseline_mean[flagged]).to_numpy(),
        },
        columns=BELOW_USUAL_COLUMNS,
    )
    return result.sort_values(["ratio", "facility_id"]).reset_index(drop=True)


@dataclass(frozen=True)
class Reconciliation:
    """All raw rows = counted registrations + the rows of each excluded kind."""

    source_rows: int
    counted: int
    excluded: dict[str, int]

    @property
    def accounted(self) -> int:
        return self.counted + sum(self.excluded.values())

    @property
    def difference(self) -> int:
        """Raw rows not accounted for (negative: accounted twice). 0 when it balances."""
        return self.source_rows - self.accounted

    @property
    def balances(self) -> bool:
        return self.difference == 0


def reconcile(source_rows: int, counted: int, excluded: Mapping[str, int]) -> Reconciliation:
    """The raw rows the refresh read against what the store holds for them. Every row of
    the registration database is either counted once or excluded under exactly one kind
    (duplicate, unknown facility, invalid timestamp), so the two sides must be equal."""
    if min(source_rows, counted, *excluded.values(), 0) < 0:
        raise ValueError("row counts cannot be negative")
    return Reconciliation(int(source_rows), int(counted), {k: int(n) for k, n in excluded.items()})
