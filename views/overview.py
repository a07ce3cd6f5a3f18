"""Overview: how the rollout is going, at a glance."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from i18n.headlines import leader_headline, registration_headline
from i18n.markdown import literal
from metrics.adoption import adoption_rate, with_adoption_rate
from metrics.change import (
    CHANGE_MIN_REGISTRATIONS,
    now_and_before,
    period_change,
    points_change,
    top_movers,
)
from metrics.facilities import on_ehospital_by
from metrics.league import rolled_up
from ui import charts, data
from ui.exports import show_chart, show_table
from ui.filters import level_below
from ui.frame import open_page

page = open_page("overview")
w, filters = page.w, page.filters

by_facility = data.counts(filters.period, filters.scope, by=["facility"])
before = data.counts(filters.previous, filters.scope, by=["facility"])
page.stop_unless_registrations(by_facility)

registrations = int(by_facility["opd_registrations"].sum())
linked = int(by_facility["abha_linked"].sum())
rate = adoption_rate(linked, registrations)
prev_registrations = int(before["opd_registrations"].sum())
prev_linked = int(before["abha_linked"].sum())
prev_rate = adoption_rate(prev_linked, prev_registrations)
reporting = int((by_facility["opd_registrations"] > 0).sum())
prev_reporting = int((before["opd_registrations"] > 0).sum())
channels = data.counts(filters.period, filters.scope, by=["channel"]).set_index("channel")
prev_channels = data.counts(filters.previous, filters.scope, by=["channel"]).set_index("channel")
scan_share = int(channels["opd_registrations"].get("scan_share", 0))
prev_scan_share = int(prev_channels["opd_registrations"].get("scan_share", 0))
enrolments = data.enrolments(filters.period, filters.scope)
prev_enrolments = data.enrolments(filters.previous, filters.scope)


def _delta(current: int, previous: int) -> str | None:
    change = period_change(current, previous)
    if change.absolute is None:
        return None
    relative = "" if change.relative is None else f" ({w.signed_percent(change.relative)})"
    return f"{w.signed_count(change.absolute)}{relative}"


def _tile(where, figure: str, value: str, delta: str | None) -> None:
    where.metric(w(f"figure.{figure}"), value, delta, help=w(f"figure.{figure}.definition"))


tiles = [*st.columns(3), *st.columns(3)]
_tile(
    tiles[0],
    "opd_registrations",
    w.count(registrations),
    _delta(registrations, prev_registrations),
)
_tile(tiles[1], "abha_linked", w.count(linked), _delta(linked, prev_linked))
_tile(
    tiles[2],
    "abha_share",
    w.percent(rate),
    None if rate is None or prev_rate is None else w.points(points_change(rate, prev_rate)),
)
_tile(
    tiles[3],
    "facilities_reporting",
    w(
        "format.of",
        part=w.count(reporting),
        whole=w.count(
            len(
                on_ehospital_by(
                    page.in_scope,
                    filters.end,
                    by_facility.loc[by_facility["opd_registrations"] > 0, "facility_id"],
                )
            )
        ),
    ),
    _delta(reporting, prev_reporting),
)
_tile(tiles[4], "scan_share", w.count(scan_share), _delta(scan_share, prev_scan_share))
if enrolments is None:
    tiles[5].metric(w("figure.enrolments"), "–", help=w("common.not_available"))
else:
    count_now = int(enrolments["enrolments"].sum())
    count_before = int(prev_enrolments["enrolments"].sum()) if prev_enrolments is not None else 0
    _tile(tiles[5], "enrolments", w.count(count_now), _delta(count_now, count_before))

# --- headlines ------------------------------------------------------------------------------
names, district_names = page.facility_names, page.district_names
largest = by_facility.sort_values(
    ["opd_registrations", "facility_id"], ascending=[False, True]
).iloc[0]
headlines = [
    registration_headline(
        w,
        page.scope_name,
        filters.start,
        filters.end,
        registrations,
        linked,
    )
]
if int((by_facility["opd_registrations"] > 0).sum()) > 1:  # else it is the scope's own line
    headlines.append(
        registration_headline(
            w,
            names.get(largest["facility_id"], largest["facility_id"]),
            filters.start,
            filters.end,
            int(largest["opd_registrations"]),
            int(largest["abha_linked"]),
        )
    )
by_district = with_adoption_rate(data.counts(filters.period, filters.scope, by=["district"]))
if len(by_district) > 1:
    ranked = by_district.sort_values(["abha_share", "district_lgd"], ascending=[False, True])
    top, second = ranked.iloc[0], ranked.iloc[1]
    headlines.append(
        leader_headline(
            w,
            "districts",
            district_names.get(top["district_lgd"], str(top["district_lgd"])),
            float(top["abha_share"]),
            district_names.get(second["district_lgd"], str(second["district_lgd"])),
        )
    )
st.markdown("\n".join(f"- {literal(line)}" for line in headlines))  # names are text

left, right = st.columns([3, 2])
# --- adoption over time, a line per district (per facility when facilities are chosen) --------
# A line is named for exactly what it counts: a chosen facility's line is not its district's.
grain = "week" if filters.period.days <= 120 else "month"
# The state: a line per division (33 district lines would share eight colours).
by_unit = "facility" if filters.in_facilities else "district"
if by_unit == "district" and level_below(filters, page.districts) == "division":
    by_unit = "division"
trend = data.counts(
    filters.period,
    filters.scope,
    by=["facility" if by_unit == "facility" else "district"],
    grain=grain,
)
if by_unit == "division":
    trend = rolled_up(
        trend, "district_lgd", page.division_of_district, "division", also=["period_start"]
    )
trend = with_adoption_rate(trend)
district = w(f"common.{by_unit}") if by_unit != "division" else w("filters.division")
when = w(f"common.{grain}")
if filters.facility_types and by_unit != "facility":  # the facilities of a type only
    district += " · " + "/".join(w.label("facility_type", t) for t in filters.facility_types)
unit_names = {
    "facility": lambda: trend["facility_id"].map(names),
    "district": lambda: trend["district_lgd"].map(district_names),
    "division": lambda: trend["division"],
}[by_unit]()
opd, abha_linked, adoption = (
    w("figure.opd_registrations"),
    w("figure.abha_linked"),
    w("figure.abha_share"),
)
drawn = pd.DataFrame(
    {
        district: unit_names,
        when: pd.to_datetime(trend["period_start"]),
        opd: trend["opd_registrations"],
        abha_linked: trend["abha_linked"],
        adoption: trend["abha_share"],
    }
)
date_format = "%d-%m-%Y" if grain == "week" else "%b %Y"
trend_title = w(
    f"overview.trend_title.{grain}"
    if by_unit == "district"
    else f"overview.trend_title_by_{by_unit}.{grain}"
)
left.subheader(trend_title)
show_chart(
    alt.Chart(drawn)
    .mark_line(point=True)
    .encode(
        x=alt.X(field=when, type="temporal", title=when, axis=alt.Axis(format=date_format)),
        y=alt.Y(field=adoption, type="quantitative", title=adoption, axis=alt.Axis(format="%")),
        color=alt.Color(
            field=district,
            type="nominal",
            title=district,
            **(
                {"scale": charts.district_colours(trend["district_lgd"], district_names)}
                if by_unit == "district"
                else {}
            ),
        ),
        tooltip=[
            alt.Tooltip(field=district, type="nominal", title=district),
            alt.Tooltip(field=when, type="temporal", title=when, format=date_format),
            alt.Tooltip(field=opd, type="quantitative", title=opd, format=","),
            alt.Tooltip(field=abha_linked, type="quantitative", title=abha_linked, format=","),
            alt.Tooltip(field=adoption, type="quantitative", title=adoption, format=".1%"),
        ],
    )
    .properties(height=300),
    drawn,
    what=f"abha-adoption-by-{by_unit}-and-{grain}",
    title=trend_title,
    notes=[w("figure.abha_share.definition")],
    key="overview_trend",
    where=left,
)

# --- channel mix ------------------------------------------------------------------------------
channel_title = w("overview.channel_title")
right.subheader(channel_title)
mix = charts.channel_mix(channels.reset_index(), w, height=300)
show_chart(
    mix,
    mix.data,
    what="channel-mix",
    title=channel_title,
    notes=[w("figure.opd_registrations.definition")],
    key="overview_channels",
    where=right,
)

# --- facilities that moved most ----------------------------------------------------------------
st.subheader(w("overview.movers_title"))
movers_note = w(
    "overview.movers_caption",
    days=w.count(filters.period.days),
    minimum=w.count(CHANGE_MIN_REGISTRATIONS),
)
st.caption(movers_note)
moves = now_and_before(by_facility, before, "facility_id")
moves = moves[moves["points"].notna()]
if moves.empty:
    st.info(w("overview.movers_none"))
else:
    up, down = top_movers(moves, key="facility_id", value="points", n=3)
    facility, was, now, change = (
        w("common.facility"),
        w("common.before"),
        w("common.now"),
        w("overview.change_points"),
    )

    def mover_table(rows: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(
            {
                facility: rows["facility_id"].map(names),
                was: rows["abha_share_before"],
                now: rows["abha_share"],
                change: rows["points"].round(1),
            }
        )

    column_config = {
        was: st.column_config.NumberColumn(format="percent"),
        now: st.column_config.NumberColumn(format="percent"),
        change: st.column_config.NumberColumn(format="%+.1f"),
    }
    for where, rows, direction in zip(st.columns(2), (up, down), ("up", "down"), strict=True):
        where.markdown(f"**{w(f'overview.movers_{direction}')}**")
        if rows.empty:
            where.caption(w(f"overview.movers_none_{direction}"))
            continue
        show_table(
            mover_table(rows),
            what=f"facility-movers-{direction}",
            title=w(f"overview.movers_{direction}_title"),
            key=f"overview_movers_{direction}",
            where=where,
            notes=[movers_note],
            column_config=column_config,
        )
