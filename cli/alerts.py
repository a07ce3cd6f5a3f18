"""The alerts evaluated on the analytics store (issue 19): the counts the rules read,
the rules run (``metrics.alerts.find_alerts``, pure), the outcome recorded
(``data_access.alerts.record_alerts``). The refresh command runs it after each refresh:
``data_access.refresh`` takes it as its ``after_refresh`` step (that layer cannot import
the rules), :func:`after_refresh` binding it to the settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta

import pandas as pd
import sqlalchemy as sa

from data_access import alerts as stored
from data_access import queries
from data_access.config import AlertSettings, Settings
from data_access.queries import Period
from metrics.alerts import (
    QUALITY_KINDS,
    AlertCounts,
    comparison_periods,
    districts_of_facilities,
    find_alerts,
    quality_by_district,
)
from metrics.periods import recent_full_months


def _quality_by_district(
    store: sa.Engine, period: Period, districts: Mapping[str, int], registrations: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """``metrics.alerts.quality_by_district`` of the store's data-quality counts in
    ``period``."""
    per_facility = queries.data_quality_counts(store, period, by_facility=True)
    return quality_by_district(per_facility, districts, registrations)


def alert_counts(store: sa.Engine, settings: AlertSettings, as_of: date) -> AlertCounts:
    """The counts every rule reads, from the analytics store (aggregates only, never the
    registration table), over the whole store: no scope, no ceiling. Who may see which
    alert is decided where alerts are read (``data_access.alerts.open_alerts``)."""
    facilities = queries.facilities(store)[["facility_id", "district_lgd", "ehospital_go_live"]]
    districts = districts_of_facilities(facilities)
    usual = Period(as_of - timedelta(days=settings.recent_days + settings.baseline_days - 1), as_of)
    daily = queries.registration_counts(store, usual, by=["facility"], grain="day").rename(
        columns={"period_start": "day", "opd_registrations": "registrations"}
    )[["facility_id", "day", "registrations"]]
    previous, current = comparison_periods(as_of, settings.adoption_period_days)
    before, now = Period(*previous), Period(*current)
    by_district = tuple(
        queries.registration_counts(store, p, by=["district"]) for p in (before, now)
    )
    quality_before = _quality_by_district(store, before, districts, by_district[0])
    quality_now = _quality_by_district(store, now, districts, by_district[1])
    trend = Period(*recent_full_months(as_of, settings.trend_months))
    return AlertCounts(
        as_of=as_of,
        facilities=facilities,
        last_registration=queries.last_registration_days(store),
        daily=daily,
        by_facility=(
            queries.registration_counts(store, before, by=["facility"]),
            queries.registration_counts(store, now, by=["facility"]),
        ),
        by_district=(by_district[0], by_district[1]),
        monthly=queries.registration_counts(store, trend, by=["district"], grain="month"),
        quality={k: (quality_before[k], quality_now[k]) for k in QUALITY_KINDS},
        periods=(previous, current),
    )


def evaluate_alerts(
    store: sa.Engine,
    settings: AlertSettings | None = None,
    target_percent: float | None = None,
    as_of: date | None = None,
) -> stored.Evaluation:
    """Run every rule on the store as of ``as_of`` (by default the data's last day) and
    record the outcome: new alerts opened, those still raised brought up to date, those no
    longer raised closed. Idempotent: a second run on the same store changes nothing.

    ``settings``: ``[alerts]`` (defaults when None); ``target_percent``: ``[dashboard]
    adoption_target_percent`` (60 when None)."""
    from data_access.config import DEFAULT_ADOPTION_TARGET_PERCENT

    settings = settings or AlertSettings()
    target = DEFAULT_ADOPTION_TARGET_PERCENT if target_percent is None else target_percent
    if as_of is None:
        as_of = queries.data_span(store)[1]
    if as_of is None:  # no registration at all: nothing to judge, nothing changed
        return stored.Evaluation(as_of=None)
    found = find_alerts(alert_counts(store, settings, as_of), settings, target)
    return stored.record_alerts(store, found, as_of)


def after_refresh(settings: Settings) -> Callable[[sa.Engine], stored.Evaluation]:
    """The step to run after every refresh (``refresh(…, after_refresh=…)``): the alerts
    evaluated under ``settings``' ``[alerts]`` and adoption target."""

    def evaluate(store: sa.Engine) -> stored.Evaluation:
        return evaluate_alerts(store, settings.alerts, settings.adoption_target_percent)

    return evaluate
