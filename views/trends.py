"""Trends: OPD registrations and ABHA adoption over time, by day, week, month, quarter or FY."""

from __future__ import annotations

import math
from datetime import date, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from data_access.contract import CHANNELS, VISIT_TYPES
from data_access.queries import Period
from i18n.formats import month_name
from metrics.adoption import with_adoption_rate
from metrics.periods import fy_of
from metrics.trend import largest_groups, moving_average, reindex_daily, rolling_rate
from ui import charts, data
from ui.exports import show_chart
from ui.frame import open_page

GRAINS = ("day", "week", "month", "quarter", "fy")
BREAKDOWNS = ("total", "division", "district", "block", "facility_type", "facility")
KEY_COLUMNS = {
    "division": "district_lgd",
    "district": "district_lgd",
    "block": "facility_id",
    "facility_type": "facility_type",
    "facility": "facility_id",
}
# The column each breakdown is read by: a division's lines are its districts' summed, a
# block's its facilities' (_regrouped).
READ_BY = {"division": "district", "block": "facility"}
CHANNEL_ORDER = (*CHANNELS, "other")
VISIT_TYPE_ORDER = (*VISIT_TYPES, "other")
GRAIN_LENGTHS = {
    "day": pd.DateOffset(days=1),
    "week": pd.DateOffset(weeks=1),
    "month": pd.DateOffset(months=1),
    "quarter": pd.DateOffset(months=3),
    "fy": pd.DateOffset(years=1),
}
# Okabe and Ito's colour-blind-safe colours tell a few lines apart; more lines take viridis.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]
GREY_LINE = "#9e9e9e"
WINDOW_DAYS = 7
MANY_GO_LIVES = 6
FIGURES = ["opd_registrations", "abha_linked"]
DATE = "%d-%m-%Y"
# Helper fields drawn but not exported (no words in them).
END, ORDER, MONTH = "_end", "_order", "_month"

page = open_page("trends")
w, filters = page.w, page.filters
first_day, _ = data.data_span()
scope_text = page.scope_text

total = data.counts(filters.period, filters.scope)
page.stop_unless_registrations(total)

default_grain = "day" if filters.period.days <= 14 else "week"
default_grain = "month" if filters.period.days > 120 else default_grain
narrowed = bool(filters.in_districts or filters.in_facilities or filters.facility_types)
by_names = {
    # not narrowed: the division, or a collector's own districts, by name
    "total": w("trends.by.selection")
    if narrowed
    else w("trends.by.area", area=page.everything_name),
    "division": w("filters.division"),
    "district": w("common.district"),
    "block": w("common.block"),
    "facility_type": w("filters.facility_type"),
    "facility": w("common.facility"),
}
# "by division" where the districts in view are of several divisions (the state)
several_divisions = (
    page.districts[
        page.districts["lgd_code"].isin(filters.in_districts or page.districts["lgd_code"])
    ]["division"].nunique()
    > 1
)
breakdowns = [b for b in BREAKDOWNS if b != "division" or several_divisions]
pick_grain, pick_by, pick_target, pick_value = st.columns([2, 2, 1, 1], vertical_alignment="bottom")
grain = pick_grain.selectbox(
    w("trends.grain"),
    GRAINS,
    index=GRAINS.index(default_grain),
    format_func=lambda g: w(f"common.{g}"),
    key="trends_grain",
)
by = pick_by.selectbox(
    w("trends.lines_by"),
    breakdowns,
    index=breakdowns.index("district"),
    format_func=by_names.__getitem__,
    key="trends_by",
)
show_target = pick_target.checkbox(w("trends.show_target"), key="trends_show_target")
target = page.target_input(
    pick_value, w("trends.target"), key="trends_target", disabled=not show_target
)
daily = grain == "day"
x_title = w(f"common.{grain}")
legend_title = w("trends.scope") if by == "total" else by_names[by]
opd, linked, adoption = (
    w("figure.opd_registrations"),
    w("figure.abha_linked"),
    w("figure.abha_share"),
)
starting = x_title if daily else w("trends.starting", grain=x_title)
average_7d = w("trends.average_7d", days=WINDOW_DAYS)
rate_7d = w("trends.rate_7d", days=WINDOW_DAYS)


def _period_label(start: date) -> str:
    if grain == "quarter":
        return w.quarter_label(start)
    if grain == "fy":
        return w.fy_label(fy_of(start))
    return w.month_year(start)


def _dated(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(period_start=pd.to_datetime(frame["period_start"]))


def _named(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with `group` (a name in the language, not a code) and a timestamp start."""
    frame = frame.copy()
    if by == "total":
        frame["group"] = page.scope_name
    else:
        keys = frame[KEY_COLUMNS[by]]
        names = {
            "division": page.division_of_district,
            "district": page.district_names,
            "block": _block_of_facility(),
            "facility": page.facility_names,
        }
        if by in names:
            frame["group"] = keys.map(names[by]).fillna(keys.astype(str))
        else:
            frame["group"] = keys.map(lambda code: w.label("facility_type", code))
    return _dated(frame)


def _block_of_facility() -> dict[str, str]:
    """HFR ID → its block's name in the language; a facility without a block is under
    "block not recorded"."""
    return {
        fid: page.block_names.get(block, block) if block else w("trends.block_not_recorded")
        for fid, block in page.block_of_facility.items()
    }


def _regrouped(frame: pd.DataFrame) -> pd.DataFrame:
    """Lines by division or block: the named rows summed per line and period."""
    if by not in READ_BY:
        return frame
    summed = frame.groupby(["group", "period_start"], as_index=False)[FIGURES].sum()
    return summed


def _smoothed(frame: pd.DataFrame) -> pd.DataFrame:
    """Every day of the period per group (0 where none), its 7-day average and rolling rate.

    `frame` starts WINDOW_DAYS − 1 days before the period, so the first day has a full window.
    """
    lead_in = filters.start - timedelta(days=WINDOW_DAYS - 1)
    groups = []
    for name, rows in frame.groupby("group", sort=True):
        days = reindex_daily(rows.set_index("period_start"), lead_in, filters.end, FIGURES)
        days["registrations_7d"] = moving_average(days["opd_registrations"], WINDOW_DAYS)
        days["abha_share_7d"] = rolling_rate(
            days["abha_linked"], days["opd_registrations"], WINDOW_DAYS
        )
        days = days.loc[pd.Timestamp(filters.start) :].rename_axis("period_start").reset_index()
        groups.append(days.assign(group=name))
    return with_adoption_rate(pd.concat(groups, ignore_index=True))


def _in_words(series: pd.DataFrame) -> pd.DataFrame:
    """The series as drawn and exported: its columns named in the chosen language."""
    columns = {"group": legend_title, "period_start": starting}
    if grain in ("month", "quarter", "fy"):
        series = series.assign(period=series["period_start"].dt.date.map(_period_label))
        columns["period"] = x_title
    columns |= {"opd_registrations": opd, "abha_linked": linked, "abha_share": adoption}
    if daily:
        columns |= {"registrations_7d": average_7d, "abha_share_7d": rate_7d}
    return series[list(columns)].rename(columns=columns)


breakdown = [] if by == "total" else [READ_BY.get(by, by)]
if daily:
    lead_in = Period(filters.start - timedelta(days=WINDOW_DAYS - 1), filters.end)
    series = _smoothed(
        _regrouped(_named(data.counts(lead_in, filters.scope, by=breakdown, grain="day")))
    )
else:
    series = with_adoption_rate(
        _regrouped(_named(data.counts(filters.period, filters.scope, by=breakdown, grain=grain)))
    )
drawn = _in_words(series)

in_scope = page.in_scope
go_lives = in_scope.dropna(subset=["ehospital_go_live"]).copy()
go_lives["go_live"] = pd.to_datetime(go_lives["ehospital_go_live"])
go_lives = go_lives[
    go_lives["go_live"].between(pd.Timestamp(filters.start), pd.Timestamp(filters.end))
]
went_live_at, go_live_day = w("trends.go_live_at"), w("trends.go_live_day")
go_lives = pd.DataFrame(
    {
        went_live_at: go_lives["facility_id"].map(page.facility_names).to_numpy(),
        go_live_day: go_lives["go_live"].to_numpy(),
    }
)
# More lines than colours: the largest in colour, the rest thin and grey (named on hover).
coloured_names = largest_groups(series, "group", "opd_registrations", len(OKABE_ITO))
greyed = series["group"].nunique() > len(OKABE_ITO)
in_colour = drawn[drawn[legend_title].isin(coloured_names)] if greyed else drawn
in_grey = drawn[~drawn[legend_title].isin(coloured_names)]
if by == "district":  # each district in its one colour (ui.charts.district_colours), the
    # legend only of the lines in colour
    district_names = page.district_names
    shown_codes = [code for code, name in district_names.items() if name in set(coloured_names)]
    group_scale = charts.district_colours(shown_codes, district_names)
else:  # Okabe and Ito's colours, the largest line first
    group_scale = alt.Scale(domain=coloured_names, range=OKABE_ITO[: len(coloured_names)])
colour = alt.Color(
    field=legend_title,
    type="nominal",
    title=legend_title,
    scale=group_scale,
    legend=alt.Legend(symbolOpacity=1, symbolStrokeWidth=2.5, labelLimit=240),
)


def _time_axis() -> alt.Axis:
    """Ticks on the periods' starts for months, quarters and years; automatic otherwise."""
    if grain == "month":
        return alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": 1})
    if grain == "quarter":
        return alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": 3})
    if grain == "fy":
        starts = sorted(set(series["period_start"].dt.date))
        return alt.Axis(
            format="%b %Y",
            values=[alt.DateTime(year=d.year, month=d.month, date=d.day) for d in starts],
        )
    # Days and weeks: ticks on whole days only (never "12 PM" between two days), about
    # eight of them, labelled day and month; a week's tick on the day its week starts.
    if grain == "week":
        starts = sorted(set(series["period_start"].dt.date))
        step = max(1, math.ceil(len(starts) / 8))
        return alt.Axis(
            format="%d %b",
            values=[alt.DateTime(year=d.year, month=d.month, date=d.day) for d in starts[::step]],
        )
    step = max(1, math.ceil(filters.period.days / 8))
    return alt.Axis(format="%d %b", tickCount={"interval": "day", "step": step}, labelOverlap=True)


x = alt.X(field=starting, type="temporal", title=x_title, axis=_time_axis())
share_axis = alt.Axis(format="%")


def _count(field: str) -> alt.Tooltip:
    return alt.Tooltip(field=field, type="quantitative", title=field, format=",")


def _share(field: str) -> alt.Tooltip:
    return alt.Tooltip(field=field, type="quantitative", title=field, format=".1%")


def _start(title: str = starting) -> alt.Tooltip:
    return alt.Tooltip(field=starting, type="temporal", title=title, format=DATE)


tooltip_period = [
    alt.Tooltip(field=legend_title, type="nominal", title=legend_title),
    _start(),
    *(
        [alt.Tooltip(field=x_title, type="nominal", title=x_title)]
        if grain in ("month", "quarter", "fy")
        else []
    ),
]
tooltip_counts = [_count(opd), _count(linked), _share(adoption)]


def _go_live_rules() -> alt.Chart | None:
    if go_lives.empty:
        return None
    many = len(go_lives) > MANY_GO_LIVES
    return (
        alt.Chart(go_lives)
        .mark_rule(color="#777777", strokeDash=[4, 4], opacity=0.3 if many else 0.7, strokeWidth=1)
        .encode(
            x=alt.X(field=go_live_day, type="temporal", title=x_title),
            tooltip=[
                alt.Tooltip(field=went_live_at, type="nominal", title=went_live_at),
                alt.Tooltip(field=go_live_day, type="temporal", title=go_live_day, format=DATE),
            ],
        )
    )


def _grey_lines(field: str, axis_title: str, axis: alt.Axis | None = None) -> alt.Chart | None:
    """The lines beyond the coloured ones, thin and grey, under them (no legend entry)."""
    if not greyed:
        return None
    return (
        alt.Chart(in_grey)
        .mark_line(color=GREY_LINE, strokeWidth=1, opacity=0.6)
        .encode(
            x=x,
            # no axis argument is Vega-Lite's default axis; axis=None would hide it
            y=alt.Y(
                field=field,
                type="quantitative",
                title=axis_title,
                **({"axis": axis} if axis is not None else {}),
            ),
            detail=alt.Detail(field=legend_title, type="nominal"),
            tooltip=[*tooltip_period, *tooltip_counts],
        )
    )


def _with_go_lives(chart: alt.Chart, grey: alt.Chart | None = None) -> alt.LayerChart | alt.Chart:
    layers = [layer for layer in (_go_live_rules(), grey) if layer is not None]
    return alt.layer(*layers, chart) if layers else chart


# --- OPD registrations -----------------------------------------------------------------------
registrations_title = w(f"trends.registrations_title.{grain}")
registrations_axis = w(f"trends.registrations_axis.{grain}")
st.subheader(registrations_title)
base = alt.Chart(in_colour).encode(x=x, color=colour)
if daily:
    registrations = alt.layer(
        base.mark_line(opacity=0.3, strokeWidth=1).encode(
            y=alt.Y(field=opd, type="quantitative", title=registrations_axis),
            tooltip=[*tooltip_period, *tooltip_counts],
        ),
        base.mark_line(strokeWidth=2.5).encode(
            y=alt.Y(field=average_7d, type="quantitative", title=registrations_axis),
            tooltip=[
                *tooltip_period,
                alt.Tooltip(field=average_7d, type="quantitative", title=average_7d, format=",.1f"),
            ],
        ),
    )
else:
    registrations = base.mark_line(point=True).encode(
        y=alt.Y(field=opd, type="quantitative", title=registrations_axis),
        tooltip=[*tooltip_period, *tooltip_counts],
    )
notes = []
if daily:
    notes.append(w("trends.note.daily", days=WINDOW_DAYS))
elif grain != "month" or filters.start.day != 1:
    notes.append(w(f"trends.note.edges.{grain}"))
if not go_lives.empty:
    notes.append(
        w("trends.note.go_live_one")
        if len(go_lives) == 1
        else w("trends.note.go_lives", count=w.count(len(go_lives)))
    )
if greyed:
    notes.append(
        w(
            "trends.note.many_lines",
            coloured=w.count(len(coloured_names)),
            grey=w.count(series["group"].nunique() - len(coloured_names)),
        )
    )
lines_by = "" if by == "total" else f"-per-{by}"  # one file name per table
show_chart(
    _with_go_lives(
        registrations,
        _grey_lines(average_7d if daily else opd, registrations_axis),
    ).properties(height=320),
    drawn,
    what=f"opd-registrations-by-{grain}{lines_by}",
    title=registrations_title,
    notes=[w("figure.opd_registrations.definition"), *notes],
    key="trends_registrations",
)
if notes:
    st.caption(" ".join(notes))

# --- ABHA adoption ---------------------------------------------------------------------------
adoption_title = w(f"trends.adoption_title.{grain}")
st.subheader(adoption_title)
if daily:
    adoption_chart = alt.layer(
        base.mark_circle(opacity=0.35, size=18).encode(
            y=alt.Y(field=adoption, type="quantitative", title=adoption, axis=share_axis),
            tooltip=[*tooltip_period, *tooltip_counts],
        ),
        base.mark_line(strokeWidth=2.5).encode(
            y=alt.Y(field=rate_7d, type="quantitative", title=adoption, axis=share_axis),
            tooltip=[*tooltip_period, _share(rate_7d)],
        ),
    )
else:
    adoption_chart = base.mark_line(point=True).encode(
        y=alt.Y(field=adoption, type="quantitative", title=adoption, axis=share_axis),
        tooltip=[*tooltip_period, *tooltip_counts],
    )
adoption_chart = _with_go_lives(
    adoption_chart, _grey_lines(rate_7d if daily else adoption, adoption, share_axis)
)
if show_target:
    goal = pd.DataFrame(
        {
            "target": [target / 100],
            "label": [w("trends.target_label", target=w.percent(target / 100, digits=0))],
        }
    )
    target_rule = alt.Chart(goal).mark_rule(color="#d95f02", strokeDash=[6, 3]).encode(y="target:Q")
    target_text = (
        alt.Chart(goal)
        .mark_text(align="left", dx=4, dy=-7, color="#d95f02", fontWeight="bold")
        .encode(y="target:Q", text="label:N", x=alt.value(0))
    )
    adoption_chart = alt.layer(adoption_chart, target_rule, target_text)
show_chart(
    adoption_chart.properties(height=320),
    drawn,
    what=f"abha-adoption-by-{grain}{lines_by}",
    title=adoption_title,
    notes=[w("figure.abha_share.definition"), *notes],
    key="trends_adoption",
)

# --- channels and visit types ----------------------------------------------------------------
channel, visit_type, share = w("common.channel"), w("common.visit_type"), w("common.share")
channel_counts = _dated(data.counts(filters.period, filters.scope, by=["channel"], grain=grain))
channel_counts["share"] = channel_counts["opd_registrations"] / channel_counts.groupby(
    "period_start"
)["opd_registrations"].transform("sum")
channels = pd.DataFrame(
    {
        channel: [w.label("channel", code) for code in channel_counts["channel"]],
        starting: channel_counts["period_start"].to_numpy(),
        opd: channel_counts["opd_registrations"].to_numpy(),
        share: channel_counts["share"].to_numpy(),
        ORDER: [
            CHANNEL_ORDER.index(c) if c in CHANNEL_ORDER else len(CHANNEL_ORDER)
            for c in channel_counts["channel"]
        ],
    }
)
visit_counts = _dated(data.counts(filters.period, filters.scope, by=["visit_type"], grain=grain))
visits = pd.DataFrame(
    {
        visit_type: [w.label("visit_type", code) for code in visit_counts["visit_type"]],
        starting: visit_counts["period_start"].to_numpy(),
        opd: visit_counts["opd_registrations"].to_numpy(),
        linked: visit_counts["abha_linked"].to_numpy(),
        END: (visit_counts["period_start"] + GRAIN_LENGTHS[grain]).to_numpy(),
    }
)
left, right = st.columns(2)
channels_title, visits_title = w("trends.channels_title"), w("trends.visits_title")
left.subheader(channels_title)
show_chart(
    alt.Chart(channels)
    .mark_area()
    .encode(
        x=x,
        y=alt.Y(
            field=opd,
            type="quantitative",
            stack="normalize",
            title=w("trends.share_of_registrations"),
            axis=share_axis,
        ),
        color=alt.Color(
            field=channel,
            type="nominal",
            title=channel,
            scale=alt.Scale(scheme="viridis"),
            sort=[w.label("channel", code) for code in CHANNEL_ORDER],
        ),
        order=alt.Order(field=ORDER, type="quantitative"),
        tooltip=[
            alt.Tooltip(field=channel, type="nominal", title=channel),
            _start(),
            _count(opd),
            _share(share),
        ],
    )
    .properties(height=300),
    channels.drop(columns=ORDER),
    what=f"channel-mix-by-{grain}",
    title=channels_title,
    notes=[w("figure.opd_registrations.definition")],
    key="trends_channels",
    where=left,
)
right.subheader(visits_title)
show_chart(
    alt.Chart(visits)
    .mark_bar(orient="vertical", stroke="white", strokeWidth=0.5)
    .encode(
        x=x,
        x2=alt.X2(field=END),
        y=alt.Y(field=opd, type="quantitative", title=opd, stack="zero"),
        color=alt.Color(
            field=visit_type,
            type="nominal",
            title=visit_type,
            scale=alt.Scale(scheme="viridis"),
            sort=[w.label("visit_type", code) for code in VISIT_TYPE_ORDER],
        ),
        tooltip=[
            alt.Tooltip(field=visit_type, type="nominal", title=visit_type),
            _start(),
            _count(opd),
            _count(linked),
        ],
    )
    .properties(height=300),
    visits.drop(columns=END),
    what=f"visit-types-by-{grain}",
    title=visits_title,
    notes=[w("figure.opd_registrations.definition")],
    key="trends_visits",
    where=right,
)


# --- year over year --------------------------------------------------------------------------
def _a_year_before(day: date) -> date:
    """The same day one year earlier (365 or 366 days); 29 February becomes the 28th."""
    if (day.month, day.day) == (2, 29):
        return day.replace(year=day.year - 1, day=28)
    return day.replace(year=day.year - 1)


yoy_title = w("trends.yoy_title")
st.subheader(yoy_title)
earlier = Period(_a_year_before(filters.start), _a_year_before(filters.end))
if earlier.end >= filters.start:
    st.info(w("trends.yoy_at_most_a_year"))
elif first_day is None or earlier.end < first_day:
    st.info(w("trends.yoy_needs_history"))
else:
    this_year, last_year = w("trends.this_period"), w("trends.a_year_earlier")
    period_column, month_column = w("filters.period"), w("common.month")
    both = pd.concat(
        [
            data.counts(filters.period, filters.scope, grain="month").assign(year=this_year),
            data.counts(earlier, filters.scope, grain="month").assign(year=last_year),
        ],
        ignore_index=True,
    )
    both = with_adoption_rate(both)
    months = pd.to_datetime(both["period_start"]).dt.date
    compared = pd.DataFrame(
        {
            period_column: both["year"],
            month_column: months.map(w.month_year),
            opd: both["opd_registrations"],
            linked: both["abha_linked"],
            adoption: both["abha_share"],
            MONTH: months.map(lambda day: month_name(day.month, w.lang, "abbreviated")),
        }
    )
    month_order = list(dict.fromkeys(compared.loc[both["year"] == this_year, MONTH]))
    yoy = alt.Chart(compared).encode(
        x=alt.X(
            field=MONTH,
            type="nominal",
            title=month_column,
            sort=month_order,
            axis=alt.Axis(labelAngle=0),
        ),
        color=alt.Color(
            field=period_column,
            type="nominal",
            title=period_column,
            sort=[last_year, this_year],
            scale=alt.Scale(range=["#9ecae1", "#08519c"]),
        ),
        tooltip=[
            alt.Tooltip(field=period_column, type="nominal", title=period_column),
            alt.Tooltip(field=month_column, type="nominal", title=month_column),
            *tooltip_counts,
        ],
    )
    if both.loc[both["year"] == last_year, "opd_registrations"].sum() == 0:
        yoy_note = w("trends.yoy_none_earlier")
    else:
        yoy_note = w(
            "trends.yoy_caption",
            period=w.period(filters.start, filters.end),
            earlier=w.period(earlier.start, earlier.end),
        ) + (
            " " + w("trends.yoy_data_begin", day=w.day(first_day))
            if earlier.start < first_day
            else ""
        )
    st.caption(yoy_note)
    exported = compared.drop(columns=MONTH)
    yoy_left, yoy_right = st.columns(2)
    yoy_left.markdown(f"**{opd}**")
    show_chart(
        yoy.mark_line(point=True)
        .encode(y=alt.Y(field=opd, type="quantitative", title=w("trends.registrations_axis.month")))
        .properties(height=280),
        exported,
        what="opd-registrations-year-over-year",
        title=w("trends.yoy_registrations_title"),
        notes=[w("figure.opd_registrations.definition"), yoy_note],
        key="trends_yoy_registrations",
        where=yoy_left,
    )
    yoy_right.markdown(f"**{adoption}**")
    show_chart(
        yoy.mark_line(point=True)
        .encode(y=alt.Y(field=adoption, type="quantitative", title=adoption, axis=share_axis))
        .properties(height=280),
        exported,
        what="abha-adoption-year-over-year",
        title=w("trends.yoy_adoption_title"),
        notes=[w("figure.abha_share.definition"), yoy_note],
        key="trends_yoy_adoption",
        where=yoy_right,
    )
