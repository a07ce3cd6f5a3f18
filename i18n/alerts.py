"""Open alerts in words: what each says, where, since when (the Alerts page, the brief).

An alert's sentence is built from the figures that raised it (``metrics.alerts``), each
formatted by ``Words`` in the language: counts with Indian grouping, shares as
percentages, days DD-MM-YYYY, months by name. Names come in as plain text; an element
that renders Markdown must pass them through ``i18n.markdown.literal``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd
from babel.numbers import format_decimal

from i18n.words import Words


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _period(w: Words, figures: Mapping, which: str) -> str:
    start, end = _day(figures[f"{which}_start"]), _day(figures[f"{which}_end"])
    assert start is not None and end is not None
    return w.period(start, end)


def _mean(w: Words, value: float) -> str:
    return format_decimal(value, format="#,##0.0", locale=w.locale)


def alert_text(w: Words, rule: str, figures: Mapping) -> str:
    """The alert in one sentence of the language, with its figures."""
    if rule == "silent":
        if figures["last_registration"] is None:
            return w("alerts.rule.silent_never", go_live=w.day(_day(figures["go_live"])))
        return w(
            "alerts.rule.silent",
            days=w.count(figures["days_silent"]),
            last=w.day(_day(figures["last_registration"])),
        )
    if rule == "below_usual":
        return w(
            "alerts.rule.below_usual",
            recent=_mean(w, figures["recent_mean"]),
            recent_days=w.count(figures["recent_days"]),
            ratio=w.percent(figures["ratio"]),
            usual=_mean(w, figures["usual_mean"]),
        )
    if rule == "adoption_drop":
        return w(
            "alerts.rule.adoption_drop",
            previous=w.percent(figures["previous_share"]),
            current=w.percent(figures["current_share"]),
            points=w.points(-figures["drop_points"]),
            current_linked=w.count(figures["current_linked"]),
            current_registrations=w.count(figures["current_registrations"]),
            current_period=_period(w, figures, "current"),
            previous_period=_period(w, figures, "previous"),
        )
    if rule == "below_target":
        month = _day(figures["latest_month"])
        assert month is not None
        values = {
            "latest": w.percent(figures["latest_share"]),
            "month": w.month_year(month),
            "target": w.percent(figures["target"], digits=0),
        }
        projected = _day(figures["projected_month"])
        if projected is None:
            return w("alerts.rule.below_target_never", **values)
        return w("alerts.rule.below_target", projected=w.month_year(projected), **values)
    if rule.endswith("_rise"):
        return w(
            "alerts.rule.quality_rise",
            kind=w(f"quality.{figures['kind']}"),
            current=w.percent(figures["current_share"]),
            previous=w.percent(figures["previous_share"]),
            points=w.points(figures["rise_points"]),
            current_period=_period(w, figures, "current"),
            previous_period=_period(w, figures, "previous"),
        )
    raise ValueError(f"no words for the alert rule {rule!r}")


def alert_place(
    w: Words,
    scope_kind: str,
    scope_code: str,
    district_names: Mapping[int, str],
    facility_names: Mapping[str, str],
) -> str:
    """Where an alert is: the facility's or the district's name in the language (its code
    when the registry no longer names it), or the whole data's words."""
    if scope_kind == "facility":
        return str(facility_names.get(scope_code, scope_code))
    if scope_kind == "district":
        return str(district_names.get(int(scope_code), scope_code))
    return w("alerts.where_all")


def alerts_in_words(
    alerts: pd.DataFrame,
    w: Words,
    district_names: Mapping[int, str],
    facility_names: Mapping[str, str],
) -> pd.DataFrame:
    """The open alerts (``data_access.alerts.open_alerts``) as a table in the language, in
    their order: what (the sentence), where, open since (a date, for the table to format)."""
    return pd.DataFrame(
        {
            w("alerts.what"): [
                alert_text(w, rule, figures)
                for rule, figures in zip(alerts["rule"], alerts["figures"], strict=True)
            ],
            w("alerts.where"): [
                alert_place(w, kind, code, district_names, facility_names)
                for kind, code in zip(alerts["scope_kind"], alerts["scope_code"], strict=True)
            ],
            w("alerts.since"): list(alerts["opened_on"]),
        }
    )
