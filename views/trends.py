"""Trends: OPD registrations and ABHA adoption over time, by day, week, month, quarter or FY."""

from __future__ import annotations

from datetime import date, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from data_access.queries import Period
from metrics.adoption import with_adoption_rate
from metrics.periods import fy_label, fy_of, quarter_label
from metrics.trend import moving_average, reindex_daily, rolling_rate
from ui import data
from ui import format as fmt
from ui.filters import facilities_in_scope, scope_caption

GRAINS = {"day": "Day", "week": "Week", "month": "Month", "quarter": "Quarter", "fy": "FY"}
BREAKDOWNS = {
    "total": "Division total",
    "district": "District",
    "facility_type": "Facility type",
    "facility": "Facility",
}
KEY_COLUMNS = {
    "district": "district_lgd",
    "facility_type": "facility_type",
    "facility": "facility_id",
}
CHANNELS = {
    "counter": "Counter",
    "scan_share": "Scan & Share",
    "abha_kiosk": "ABHA kiosk",
    "online": "Online",
    "other": "Other",
}
VISIT_TYPES = {"new": "New", "follow_up": "Follow-up", "other": "Other"}
GRAIN_LENGTHS = {
    "day": pd.DateOffset(days=1),
    "week": pd.DateOffset(weeks=1),
    "month": pd.DateOffset(months=1),
    "quarter": pd.DateOffset(months=3),
    "fy": pd.DateOffset(years=1),
}
# Okabe and Ito's colour-blind-safe colours tell a few lines apart; more lines take viridis.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]
WINDOW_DAYS = 7
MANY_GO_LIVES = 6
FIGURES = ["opd_registrations", "abha_linked"]
DATE = "%d-%m-%Y"

filters = st.session_state["filters"]
districts, facilities = data.districts(), data.facilities()
first_day, _ = data.data_span()
scope_text = scope_caption(filters, districts, facilities)
scope_name = scope_text.split(" · ")[0]
st.header("Trends")
st.caption(
    "OPD registrations and their ABHA adoption over time, with the channels patients used, "
    f"new and follow-up visits, and the same months a year earlier. {scope_text}"
)

total = data.counts(filters.period, filters.scope)
if int(total["opd_registrations"].sum()) == 0:
    st.info(f"No registrations in {scope_text}.")
    st.stop()

default_grain = "day" if filters.period.days <= 14 else "week"
default_grain = "month" if filters.period.days > 120 else default_grain
narrowed = bool(filters.districts or filters.facilities or filters.facility_types)
pick_grain, pick_by, pick_target, pick_value = st.columns([2, 2, 1, 1], vertical_alignment="bottom")
grain = pick_grain.selectbox(
    "Time grain",
    list(GRAINS),
    index=list(GRAINS).index(default_grain),
    format_func=lambda g: {"fy": "Financial year"}.get(g, GRAINS[g]),
    key="trends_grain",
)
by = pick_by.selectbox(
    "Lines by",
    list(BREAKDOWNS),
    index=1,
    format_func=lambda b: "Total of the selection" if b == "total" and narrowed else BREAKDOWNS[b],
    key="trends_by",
)
show_target = pick_target.checkbox("Adoption target", key="trends_show_target")
target = pick_value.number_input(
    "Target (%)", 0, 100, 60, 5, disabled=not show_target, key="trends_target"
)
daily = grain == "day"
x_title = {"fy": "Financial year"}.get(grain, GRAINS[grain])
legend_title = "Scope" if by == "total" else BREAKDOWNS[by]


def _period_label(start: date) -> str:
    if grain == "quarter":
        return quarter_label(start)
    if grain == "fy":
        return fy_label(fy_of(start))
    if grain == "month":
        return start.strftime("%B %Y")
    return fmt.day(start)


def _dated(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(period_start=pd.to_datetime(frame["period_start"]))


def _named(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with `group` (a name, not a code) and `period_start` as a timestamp."""
    names = {
        "district": districts.set_index("lgd_code")["name_en"],
        "facility": facilities.set_index("facility_id")["name_en"],
    }
    frame = frame.copy()
    if by == "total":
        frame["group"] = scope_name
    else:
        keys = frame[KEY_COLUMNS[by]]
        frame["group"] = keys.map(names[by]).fillna(keys.astype(str)) if by in names else keys
    return _dated(frame)


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


def _series(frame: pd.DataFrame) -> pd.DataFrame:
    frame = with_adoption_rate(_named(frame))
    frame["period"] = frame["period_start"].dt.date.map(_period_label)
    return frame


breakdown = [] if by == "total" else [by]
if daily:
    lead_in = Period(filters.start - timedelta(days=WINDOW_DAYS - 1), filters.end)
    series = _smoothed(_named(data.counts(lead_in, filters.scope, by=breakdown, grain="day")))
    series["period"] = series["period_start"].dt.date.map(fmt.day)
else:
    series = _series(data.counts(filters.period, filters.scope, by=breakdown, grain=grain))

in_scope = facilities_in_scope(filters, facilities)
go_lives = in_scope.dropna(subset=["ehospital_go_live"]).copy()
go_lives["go_live"] = pd.to_datetime(go_lives["ehospital_go_live"])
go_lives = go_lives[
    go_lives["go_live"].between(pd.Timestamp(filters.start), pd.Timestamp(filters.end))
]
group_scale = (
    alt.Scale(range=OKABE_ITO)
    if series["group"].nunique() <= len(OKABE_ITO)
    else alt.Scale(scheme="viridis")
)
colour = alt.Color(
    "group:N",
    title=legend_title,
    scale=group_scale,
    legend=alt.Legend(symbolOpacity=1, symbolStrokeWidth=2.5, labelLimit=240),
)
x = alt.X("period_start:T", title=x_title)
tooltip_period = [
    alt.Tooltip("group:N", title=legend_title),
    alt.Tooltip("period_start:T", title=f"{x_title} from", format=DATE),
    *([alt.Tooltip("period:N", title=x_title)] if grain in ("month", "quarter", "fy") else []),
]
tooltip_counts = [
    alt.Tooltip("opd_registrations:Q", title="OPD registrations", format=","),
    alt.Tooltip("abha_linked:Q", title="ABHA-linked", format=","),
    alt.Tooltip("abha_share:Q", title="ABHA adoption", format=".1%"),
]


def _go_live_rules() -> alt.Chart | None:
    if go_lives.empty:
        return None
    many = len(go_lives) > MANY_GO_LIVES
    return (
        alt.Chart(go_lives[["name_en", "go_live"]])
        .mark_rule(color="#777777", strokeDash=[4, 4], opacity=0.3 if many else 0.7, strokeWidth=1)
        .encode(
            x=alt.X("go_live:T", title=x_title),
            tooltip=[
                alt.Tooltip("name_en:N", title="e-Hospital go-live at"),
                alt.Tooltip("go_live:T", title="Go-live date", format=DATE),
            ],
        )
    )


def _with_go_lives(chart: alt.Chart) -> alt.LayerChart | alt.Chart:
    rules = _go_live_rules()
    return chart if rules is None else alt.layer(rules, chart)


# --- OPD registrations -----------------------------------------------------------------------
st.subheader(f"OPD registrations by {x_title.lower()}")
base = alt.Chart(series).encode(x=x, color=colour)
if daily:
    registrations = alt.layer(
        base.mark_line(opacity=0.3, strokeWidth=1).encode(
            y=alt.Y("opd_registrations:Q", title="OPD registrations a day"),
            tooltip=[*tooltip_period, *tooltip_counts],
        ),
        base.mark_line(strokeWidth=2.5).encode(
            y=alt.Y("registrations_7d:Q", title="OPD registrations a day"),
            tooltip=[
                *tooltip_period,
                alt.Tooltip("registrations_7d:Q", title="7-day average", format=",.1f"),
            ],
        ),
    )
else:
    registrations = base.mark_line(point=True).encode(
        y=alt.Y("opd_registrations:Q", title=f"OPD registrations per {x_title.lower()}"),
        tooltip=[*tooltip_period, *tooltip_counts],
    )
st.altair_chart(
    _with_go_lives(registrations).properties(height=320),
    width="stretch",
)
notes = []
if daily:
    notes.append(
        "Faint lines: each day (days without registrations count as 0); bold lines: the "
        f"{WINDOW_DAYS}-day moving average, and for adoption the rate over the last "
        f"{WINDOW_DAYS} days (linked over registered)."
    )
elif grain != "month" or filters.start.day != 1:
    notes.append(f"The first and last {x_title.lower()} may be cut by the period's edges.")
if not go_lives.empty:
    notes.append(
        f"Dashed grey lines: e-Hospital go-live of {len(go_lives)} "
        f"{'facility' if len(go_lives) == 1 else 'facilities'} in the period."
    )
if series["group"].nunique() > len(OKABE_ITO):
    notes.append("Many lines: narrow the scope in the sidebar to tell them apart.")
if notes:
    st.caption(" ".join(notes))

# --- ABHA adoption ---------------------------------------------------------------------------
st.subheader(f"ABHA adoption by {x_title.lower()}")
share_axis = alt.Axis(format="%")
if daily:
    adoption = alt.layer(
        base.mark_circle(opacity=0.35, size=18).encode(
            y=alt.Y("abha_share:Q", title="ABHA adoption", axis=share_axis),
            tooltip=[*tooltip_period, *tooltip_counts],
        ),
        base.mark_line(strokeWidth=2.5).encode(
            y=alt.Y("abha_share_7d:Q", title="ABHA adoption", axis=share_axis),
            tooltip=[
                *tooltip_period,
                alt.Tooltip("abha_share_7d:Q", title="Last 7 days", format=".1%"),
            ],
        ),
    )
else:
    adoption = base.mark_line(point=True).encode(
        y=alt.Y("abha_share:Q", title="ABHA adoption", axis=share_axis),
        tooltip=[*tooltip_period, *tooltip_counts],
    )
adoption = _with_go_lives(adoption)
if show_target:
    goal = pd.DataFrame({"target": [target / 100], "label": [f"Target {target:g}%"]})
    target_rule = alt.Chart(goal).mark_rule(color="#d95f02", strokeDash=[6, 3]).encode(y="target:Q")
    target_text = (
        alt.Chart(goal)
        .mark_text(align="left", dx=4, dy=-7, color="#d95f02", fontWeight="bold")
        .encode(y="target:Q", text="label:N", x=alt.value(0))
    )
    adoption = alt.layer(adoption, target_rule, target_text)
st.altair_chart(adoption.properties(height=320), width="stretch")

# --- channels and visit types ----------------------------------------------------------------
channels = _dated(data.counts(filters.period, filters.scope, by=["channel"], grain=grain))
channels["channel"] = channels["channel"].map(CHANNELS).fillna(channels["channel"])
visits = _dated(data.counts(filters.period, filters.scope, by=["visit_type"], grain=grain))
visits["visit_type"] = visits["visit_type"].map(VISIT_TYPES).fillna(visits["visit_type"])
visits["period_end"] = visits["period_start"] + GRAIN_LENGTHS[grain]
left, right = st.columns(2)
left.subheader("How patients registered")
left.altair_chart(
    alt.Chart(channels)
    .transform_joinaggregate(all_channels="sum(opd_registrations)", groupby=["period_start"])
    .transform_calculate(share="datum.opd_registrations / datum.all_channels")
    .mark_area()
    .encode(
        x=x,
        y=alt.Y(
            "opd_registrations:Q",
            stack="normalize",
            title="Share of OPD registrations",
            axis=share_axis,
        ),
        color=alt.Color(
            "channel:N", title="Channel", scale=alt.Scale(scheme="viridis"), sort=list(CHANNELS)
        ),
        order=alt.Order("channel:N"),
        tooltip=[
            alt.Tooltip("channel:N", title="Channel"),
            alt.Tooltip("period_start:T", title=f"{x_title} from", format=DATE),
            alt.Tooltip("opd_registrations:Q", title="OPD registrations", format=","),
            alt.Tooltip("share:Q", title="Share", format=".1%"),
        ],
    )
    .properties(height=300),
    width="stretch",
)
right.subheader("New and follow-up visits")
right.altair_chart(
    alt.Chart(visits)
    .mark_bar(orient="vertical", stroke="white", strokeWidth=0.5)
    .encode(
        x=x,
        x2="period_end:T",
        y=alt.Y("opd_registrations:Q", title="OPD registrations", stack="zero"),
        color=alt.Color(
            "visit_type:N",
            title="Visit type",
            scale=alt.Scale(scheme="viridis"),
            sort=list(VISIT_TYPES.values()),
        ),
        tooltip=[
            alt.Tooltip("visit_type:N", title="Visit type"),
            alt.Tooltip("period_start:T", title=f"{x_title} from", format=DATE),
            alt.Tooltip("opd_registrations:Q", title="OPD registrations", format=","),
            alt.Tooltip("abha_linked:Q", title="ABHA-linked", format=","),
        ],
    )
    .properties(height=300),
    width="stretch",
)


# --- year over year --------------------------------------------------------------------------
def _a_year_before(day: date) -> date:
    """The same day one year earlier (365 or 366 days); 29 February becomes the 28th."""
    if (day.month, day.day) == (2, 29):
        return day.replace(year=day.year - 1, day=28)
    return day.replace(year=day.year - 1)


st.subheader("Year over year")
earlier = Period(_a_year_before(filters.start), _a_year_before(filters.end))
if earlier.end >= filters.start:
    st.info("Year-over-year compares a period of at most a year with the year before it.")
elif first_day is None or earlier.end < first_day:
    st.info("Year-over-year needs a year of history before the period.")
else:
    this_year, last_year = "This period", "A year earlier"
    both = pd.concat(
        [
            data.counts(filters.period, filters.scope, grain="month").assign(year=this_year),
            data.counts(earlier, filters.scope, grain="month").assign(year=last_year),
        ],
        ignore_index=True,
    )
    both = with_adoption_rate(both)
    both["month"] = pd.to_datetime(both["period_start"]).dt.strftime("%b")
    both["month_of"] = pd.to_datetime(both["period_start"]).dt.strftime("%B %Y")
    month_order = list(dict.fromkeys(both.loc[both["year"] == this_year, "month"]))
    yoy = alt.Chart(both).encode(
        x=alt.X("month:N", title="Month", sort=month_order, axis=alt.Axis(labelAngle=0)),
        color=alt.Color(
            "year:N",
            title="Period",
            sort=[last_year, this_year],
            scale=alt.Scale(range=["#9ecae1", "#08519c"]),
        ),
        tooltip=[
            alt.Tooltip("year:N", title="Period"),
            alt.Tooltip("month_of:N", title="Month"),
            *tooltip_counts,
        ],
    )
    if both.loc[both["year"] == last_year, "opd_registrations"].sum() == 0:
        st.caption("No registrations in the same days a year earlier in this scope.")
    else:
        st.caption(
            f"Each month of the period ({fmt.period(filters.start, filters.end)}) beside the "
            f"same days one year earlier ({fmt.period(earlier.start, earlier.end)}); a month "
            "cut by the period's edges is cut the same way in both years."
            + (
                f" The data begin on {fmt.day(first_day)}: no registrations before that day."
                if earlier.start < first_day
                else ""
            )
        )
    yoy_left, yoy_right = st.columns(2)
    yoy_left.markdown("**OPD registrations**")
    yoy_left.altair_chart(
        yoy.mark_line(point=True)
        .encode(y=alt.Y("opd_registrations:Q", title="OPD registrations per month"))
        .properties(height=280),
        width="stretch",
    )
    yoy_right.markdown("**ABHA adoption**")
    yoy_right.altair_chart(
        yoy.mark_line(point=True)
        .encode(y=alt.Y("abha_share:Q", title="ABHA adoption", axis=share_axis))
        .properties(height=280),
        width="stretch",
    )
