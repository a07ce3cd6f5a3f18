"""The rollout of NextGen e-Hospital: facilities live over time, and ABHA adoption counted
from each facility's own go-live ("the Bastar model", issue 18).

A facility is *live* from its go-live day (``facilities.ehospital_go_live``). One without
a go-live day, with one that cannot be read, or with one after the data's last day is
*planned*: never counted as live, whatever it has registered.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from metrics.adoption import with_adoption_rate

GO_LIVE = "ehospital_go_live"
MIN_REGISTRATIONS_FOR_RATE = 30
"""Registrations a point of adoption by months since go-live needs to be given a rate: under
it a few registrations swing the rate by tens of points. Its counts are still given."""
MONTHS_AHEAD = 24
"""How far past the data's last month the planned go-lives are followed."""
MONTHS_SINCE = "months_since_go_live"
FIGURES = ["opd_registrations", "abha_linked"]


def go_live_days(facilities: pd.DataFrame) -> pd.Series:
    """Each facility's go-live day as a timestamp; NaT where there is none or it is unreadable."""
    return pd.to_datetime(facilities[GO_LIVE], errors="coerce").dt.normalize()


def is_live(facilities: pd.DataFrame, last_day: date) -> pd.Series:
    """Whether each facility is live on ``last_day`` (the data's last day)."""
    return go_live_days(facilities) <= pd.Timestamp(last_day)


def month_start(day: date | pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(day).to_period("M").to_timestamp()


def month_number(days: pd.Series) -> pd.Series:
    """Months counted from year 0 (``year × 12 + month − 1``): differences are months apart."""
    return days.dt.year * 12 + days.dt.month - 1


def rollout_months(
    facilities: pd.DataFrame, first_day: date, last_day: date, *, ahead: int = MONTHS_AHEAD
) -> list[pd.Timestamp]:
    """The first days of the months a rollout chart covers: the data's months, then the
    months up to the last planned go-live with a date (at most ``ahead`` months later)."""
    first, last = month_start(first_day), month_start(last_day)
    days = go_live_days(facilities)
    planned = days[days > pd.Timestamp(last_day)]
    end = last
    if not planned.empty:
        end = min(month_start(planned.max()), last + pd.DateOffset(months=ahead))
    return list(pd.date_range(first, end, freq="MS"))


def live_facilities_by_month(
    facilities: pd.DataFrame,
    months: Sequence[date | pd.Timestamp],
    group_by: str,
    last_day: date,
) -> pd.DataFrame:
    """Facilities live at the end of each month, per value of ``group_by``.

    ``facilities``: a row per facility with ``ehospital_go_live`` and ``group_by``;
    ``months``: the first days of the months wanted. Per group and month:

    * ``live_facilities``: those whose go-live day is on or before the month's last day
      and on or before ``last_day`` (the data's last day); NaN for months after it.
    * ``scheduled_facilities``: from the month of ``last_day`` on, the live ones and the
      planned ones whose go-live falls by the month's end (in ``last_day``'s month, the
      live ones: the line of the plan starts where the line of the live ends); NaN before.

    A facility without a go-live day is in neither (a planned one without a date).
    """
    days = go_live_days(facilities)
    last = pd.Timestamp(last_day)
    last_month = month_start(last)
    rows = []
    for group in sorted(facilities[group_by].dropna().unique()):
        mine = days[(facilities[group_by] == group).to_numpy()]
        for month in (pd.Timestamp(m) for m in months):
            by_month_end = mine < month + pd.DateOffset(months=1)
            live = int((by_month_end & (mine <= last)).sum())
            rows.append(
                {
                    group_by: group,
                    "month": month,
                    "live_facilities": live if month <= last_month else None,
                    "scheduled_facilities": (
                        None
                        if month < last_month
                        else live
                        if month == last_month
                        else int(by_month_end.sum())
                    ),
                }
            )
    columns = [group_by, "month", "live_facilities", "scheduled_facilities"]
    table = pd.DataFrame(rows, columns=columns)
    return table.astype({"live_facilities": "float64", "scheduled_facilities": "float64"})


def rollout_status(
    facilities: pd.DataFrame,
    group_by: str,
    last_day: date,
    groups: Sequence[object] | None = None,
) -> pd.DataFrame:
    """Per value of ``group_by``: ``facilities``, of them ``live_facilities`` (live on
    ``last_day``) and ``planned_facilities``, and of the planned ``planned_with_date``
    (a go-live after ``last_day``); ``live_share`` = live / facilities (NaN for none).
    ``groups``: every group to list, those without a facility with zeros (by default,
    the groups of ``facilities``)."""
    days = go_live_days(facilities)
    live = days <= pd.Timestamp(last_day)
    flags = pd.DataFrame(
        {
            group_by: facilities[group_by].to_numpy(),
            "facilities": 1,
            "live_facilities": live.astype("int64").to_numpy(),
            "planned_facilities": (~live).astype("int64").to_numpy(),
            "planned_with_date": (days > pd.Timestamp(last_day)).astype("int64").to_numpy(),
        }
    )
    status = flags.groupby(group_by, sort=True).sum()
    if groups is not None:
        status = status.reindex(list(groups), fill_value=0)
    status["live_share"] = status["live_facilities"] / status["facilities"].where(
        status["facilities"] > 0
    )
    return status.rename_axis(group_by).reset_index()


def adoption_by_months_since_go_live(
    monthly_counts: pd.DataFrame,
    facilities: pd.DataFrame,
    group_by: str,
    *,
    minimum: int = MIN_REGISTRATIONS_FOR_RATE,
) -> pd.DataFrame:
    """ABHA adoption against months since go-live, per value of ``group_by``.

    ``monthly_counts``: a row per facility and calendar month (``facility_id``,
    ``period_start`` the month's first day, ``opd_registrations``, ``abha_linked``);
    ``facilities``: a row per facility with ``ehospital_go_live`` and ``group_by``.

    Each facility's months are counted from its own go-live month: month 0 is the
    calendar month it went live in (partial: it went live during it), month 1 the next.
    Months before go-live, facilities without a go-live day and facilities the registry
    rows do not list are left out. Per group and month since go-live: the registrations
    and ABHA-linked summed over the facilities, ``facilities`` (how many had registrations
    in that month), and ``abha_share`` from the unrounded sums, NaN where fewer than
    ``minimum`` registrations are behind it.
    """
    columns = [group_by, MONTHS_SINCE, "facilities", *FIGURES, "abha_share"]
    registry = pd.DataFrame(
        {
            "facility_id": facilities["facility_id"].to_numpy(),
            group_by: facilities[group_by].to_numpy(),
            "go_live_month": month_number(go_live_days(facilities)).to_numpy(),
        }
    ).dropna(subset=["go_live_month", group_by])
    counted = monthly_counts.merge(registry, on="facility_id", how="inner")
    month = month_number(pd.to_datetime(counted["period_start"]))
    counted[MONTHS_SINCE] = (month - counted["go_live_month"]).astype("int64")
    counted = counted[counted[MONTHS_SINCE] >= 0]
    if counted.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
    summed = counted.groupby([group_by, MONTHS_SINCE], as_index=False, sort=True).agg(
        facilities=("facility_id", "nunique"),
        opd_registrations=("opd_registrations", "sum"),
        abha_linked=("abha_linked", "sum"),
    )
    rated = with_adoption_rate(summed)
    rated.loc[rated["opd_registrations"] < minimum, "abha_share"] = float("nan")
    return rated[columns].reset_index(drop=True)


def first_months(adoption: pd.DataFrame, group_by: str, months: int = 6) -> pd.DataFrame:
    """The adoption of each group in its first ``months`` months since go-live, side by
    side: a row per group, a column per month since go-live (0 … months − 1), NaN where
    none was given (no registrations yet, or too few)."""
    early = adoption[adoption[MONTHS_SINCE] < months]
    wide = early.pivot(index=group_by, columns=MONTHS_SINCE, values="abha_share")
    # float throughout: a rate not given (None in abha_share) is NaN, which a table shows
    # as "–", never as the word "None"
    wide = wide.reindex(columns=range(months)).sort_index().astype("float64")
    wide.columns.name = None
    return wide.reset_index()
