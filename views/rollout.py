"""Rollout: facilities live on e-Hospital over time, and ABHA adoption by months since go-live."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from data_access.queries import Period
from metrics.rollout import (
    MIN_REGISTRATIONS_FOR_RATE,
    adoption_by_months_since_go_live,
    first_months,
    live_facilities_by_month,
    rollout_months,
    rollout_status,
)
from ui import charts, data
from ui.exports import exports_over, show_chart, show_table
from ui.frame import open_page

FIRST_MONTHS = 6

page = open_page("rollout", caption=False)
w, filters = page.w, page.filters
first_day, last_day = data.data_span()
types = "/".join(w.label("facility_type", t) for t in filters.facility_types)
scope_words = f"{page.scope_name} · {types}" if types else page.scope_name
if first_day is None or last_day is None:
    st.info(w.markdown("rollout.no_data", scope=scope_words))
    st.stop()
first_text, last_text = w.day(first_day), w.day(last_day)
exports_over(first_day, last_day)
st.caption(w.markdown("rollout.caption", scope=scope_words, first=first_text, last=last_text))

in_view = page.districts
if filters.in_districts:
    in_view = in_view[in_view["lgd_code"].isin(filters.in_districts)]
by_division = in_view["division"].nunique() > 1
group_by = "division" if by_division else "district_lgd"
group_title = w("filters.division") if by_division else w("common.district")
division_of = page.districts.set_index("lgd_code")["division"]
facilities = page.in_scope.assign(division=page.in_scope["district_lgd"].map(division_of))
if facilities.empty:
    st.info(w.markdown("rollout.no_facilities", scope=scope_words))
    st.stop()

if by_division:
    groups: list = sorted(in_view["division"].unique())
    group_names = {d: w.division_names(in_view[in_view["division"] == d]) for d in groups}
else:
    groups = sorted(int(code) for code in in_view["lgd_code"])
    group_names = {code: page.district_names.get(code, str(code)) for code in groups}
listed = groups if not filters.in_facilities else sorted(facilities[group_by].dropna().unique())


def _named(keys: pd.Series) -> pd.Series:
    return keys.map(group_names).fillna(keys.astype(str))


def _colours(keys: pd.Series) -> alt.Scale:
    """One colour per district (its own, ``ui.charts``) or division (its place among
    those in view), the same in every chart of the page."""
    drawn = [key for key in groups if key in set(keys)]
    if not by_division:
        return charts.district_colours(drawn, group_names)
    palette = charts.DISTRICT_PALETTE
    return alt.Scale(
        domain=[group_names[key] for key in drawn],
        range=[palette[groups.index(key) % len(palette)] for key in drawn],
    )


month, facilities_axis = w("common.month"), w("rollout.facilities_axis")
live_name, planned_name = w("rollout.live_facilities"), w("rollout.planned_facilities")
scheduled_name = w("rollout.scheduled")
opd, linked, adoption = (
    w("figure.opd_registrations"),
    w("figure.abha_linked"),
    w("figure.abha_share"),
)
lines = w(f"rollout.lines.{group_by}")
# labelFlush and labelBound: the months inside the plot, none cut by a phone's edge
month_axis = alt.Axis(
    format="%b %Y",
    tickCount={"interval": "month", "step": 1},
    labelFlush=True,
    labelBound=True,
)

# --- live and planned, now -------------------------------------------------------------------
status = rollout_status(facilities, group_by, last_day, groups=listed)
everything = rollout_status(facilities.assign(everything=scope_words), "everything", last_day)
live_tile, planned_tile = st.columns(2)
live_tile.metric(
    live_name,
    w.count(int(everything["live_facilities"].sum())),
    help=w("rollout.live_facilities.help", last=last_text),
)
planned_tile.metric(
    planned_name,
    w.count(int(everything["planned_facilities"].sum())),
    help=w("rollout.planned_facilities.help", last=last_text),
)

# --- facilities live, month by month ---------------------------------------------------------
live_title = w("rollout.live_title")
st.subheader(live_title)
live_notes = [w("rollout.live_caption", last=last_text, lines=lines)]
months = rollout_months(facilities, first_day, last_day)
by_month = live_facilities_by_month(facilities, months, group_by, last_day)
live_drawn = pd.DataFrame(
    {
        group_title: _named(by_month[group_by]).to_numpy(),
        month: by_month["month"].to_numpy(),
        live_name: by_month["live_facilities"].to_numpy(),
        scheduled_name: by_month["scheduled_facilities"].to_numpy(),
    }
)
planned_ahead = bool((by_month["month"] > pd.Timestamp(last_day)).any())
if not planned_ahead:
    live_drawn = live_drawn.drop(columns=scheduled_name)
else:
    live_notes.append(w("rollout.dashed_note"))
st.caption(w.markdown("rollout.live_caption", last=last_text, lines=lines))
base = alt.Chart(live_drawn).encode(
    x=alt.X(field=month, type="temporal", title=month, axis=month_axis),
    color=alt.Color(
        field=group_title, type="nominal", title=group_title, scale=_colours(by_month[group_by])
    ),
)
tooltip_month = alt.Tooltip(field=month, type="temporal", title=month, format="%b %Y")
tooltip_group = alt.Tooltip(field=group_title, type="nominal", title=group_title)
live_lines = base.mark_line(point=True).encode(
    y=alt.Y(field=live_name, type="quantitative", title=facilities_axis),
    tooltip=[tooltip_group, tooltip_month, alt.Tooltip(field=live_name, type="quantitative")],
)
live_chart = live_lines
if planned_ahead:
    planned_lines = base.mark_line(
        strokeDash=[6, 4], point=alt.OverlayMarkDef(filled=False)
    ).encode(
        y=alt.Y(field=scheduled_name, type="quantitative", title=facilities_axis),
        tooltip=[
            tooltip_group,
            tooltip_month,
            alt.Tooltip(field=scheduled_name, type="quantitative"),
        ],
    )
    live_chart = alt.layer(live_lines, planned_lines)
    st.caption(w.markdown("rollout.dashed_note"))
show_chart(
    live_chart.properties(height=320),
    live_drawn,
    what=f"facilities-live-by-month-per-{group_by.removesuffix('_lgd')}",
    title=live_title,
    notes=live_notes,
    key="rollout_live",
)

status_title = w("rollout.status_title", last=last_text)
st.subheader(status_title)
st.caption(w.markdown("rollout.status_caption", last=last_text))
with_date, in_registry, live_share = (
    w("rollout.planned_with_date"),
    w("rollout.facilities_in_registry"),
    w("rollout.live_share"),
)


def _status_rows(rows: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            group_title: names.to_numpy(),
            live_name: rows["live_facilities"].to_numpy(),
            planned_name: rows["planned_facilities"].to_numpy(),
            with_date: rows["planned_with_date"].to_numpy(),
            in_registry: rows["facilities"].to_numpy(),
            live_share: rows["live_share"].to_numpy(),
        }
    )


status_table = _status_rows(status, _named(status[group_by]))
if len(status) > 1:
    status_table = pd.concat(
        [status_table, _status_rows(everything, everything["everything"])], ignore_index=True
    )
show_table(
    status_table,
    what=f"live-and-planned-facilities-per-{group_by.removesuffix('_lgd')}",
    title=status_title,
    key="rollout_status",
    notes=[w("rollout.status_caption", last=last_text)],
    shares=[live_share],
)

# --- the Bastar model: adoption by months since go-live --------------------------------------
model_title = w("rollout.model_title")
st.subheader(model_title)
model_values = {
    "minimum": w.count(MIN_REGISTRATIONS_FOR_RATE),
    "first": first_text,
    "last": last_text,
    "lines": lines,
}
st.caption(w.markdown("rollout.model_caption", **model_values))
monthly = data.counts(Period(first_day, last_day), filters.scope, by=["facility"], grain="month")
by_months_since = adoption_by_months_since_go_live(monthly, facilities, group_by)
if by_months_since.empty:
    st.info(w.markdown("rollout.model_none", scope=scope_words))
    st.stop()
months_since, counted = w("rollout.months_since"), w("rollout.facilities_counted")
model_drawn = pd.DataFrame(
    {
        group_title: _named(by_months_since[group_by]).to_numpy(),
        months_since: by_months_since["months_since_go_live"].to_numpy(),
        counted: by_months_since["facilities"].to_numpy(),
        opd: by_months_since["opd_registrations"].to_numpy(),
        linked: by_months_since["abha_linked"].to_numpy(),
        adoption: by_months_since["abha_share"].to_numpy(),
    }
)
model_chart = (
    alt.Chart(model_drawn)
    .mark_line(point=True)
    .encode(
        x=alt.X(
            field=months_since,
            type="quantitative",
            title=months_since,
            axis=alt.Axis(format="d", tickMinStep=1),
        ),
        y=alt.Y(
            field=adoption,
            type="quantitative",
            title=adoption,
            axis=alt.Axis(format="%"),
            scale=alt.Scale(domain=[0, 1]),
        ),
        color=alt.Color(
            field=group_title,
            type="nominal",
            title=group_title,
            scale=_colours(by_months_since[group_by]),
        ),
        tooltip=[
            alt.Tooltip(field=group_title, type="nominal", title=group_title),
            alt.Tooltip(field=months_since, type="quantitative", title=months_since),
            alt.Tooltip(field=counted, type="quantitative", title=counted),
            alt.Tooltip(field=opd, type="quantitative", title=opd, format=","),
            alt.Tooltip(field=linked, type="quantitative", title=linked, format=","),
            alt.Tooltip(field=adoption, type="quantitative", title=adoption, format=".1%"),
        ],
    )
    .properties(height=340)
)
show_chart(
    model_chart,
    model_drawn,
    what=f"abha-adoption-by-months-since-go-live-per-{group_by.removesuffix('_lgd')}",
    title=model_title,
    notes=[w("figure.abha_share.definition"), w("rollout.model_caption", **model_values)],
    key="rollout_model",
)

first_title = w("rollout.first_months_title", months=FIRST_MONTHS)
st.subheader(first_title)
minimum = w.count(MIN_REGISTRATIONS_FOR_RATE)
st.caption(w.markdown("rollout.first_months_caption", minimum=minimum))
early = first_months(by_months_since, group_by, FIRST_MONTHS)
month_names = [w("rollout.month_n", n=n) for n in range(FIRST_MONTHS)]
early_table = pd.DataFrame(
    {
        group_title: _named(early[group_by]).to_numpy(),
        **{name: early[n].to_numpy() for n, name in enumerate(month_names)},
    }
)
show_table(
    early_table,
    what=f"abha-adoption-in-the-first-months-per-{group_by.removesuffix('_lgd')}",
    title=first_title,
    key="rollout_first_months",
    notes=[w("figure.abha_share.definition"), w("rollout.first_months_caption", minimum=minimum)],
    shares=month_names,
)
