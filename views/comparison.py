"""District comparison: league tables, ranked adoption, a funnel plot and target projections."""

from __future__ import annotations

from datetime import date, timedelta

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from data_access.queries import Period
from metrics.adoption import adoption_rate, with_adoption_rate
from metrics.change import period_change, points_change
from metrics.definitions import FIGURES
from metrics.intervals import funnel_limits, funnel_outliers, level_suffix, wilson_bounds
from metrics.trend import project_target_month
from ui import data
from ui import format as fmt
from ui.filters import facilities_in_scope, scope_caption

TREND_MONTHS = 6
DEFAULT_TARGET_PERCENT = 60
FUNNEL_GRID_POINTS = 100
FUNNEL_LEVEL_LABELS = {0.95: "95% limits", 0.998: "99.8% limits"}
# Adoption shaded in 10-point bands of viridis (colour-blind safe), with legible text on each.
ADOPTION_BANDS = (
    (0.1, "#440154", "white"),
    (0.2, "#482878", "white"),
    (0.3, "#3e4989", "white"),
    (0.4, "#31688e", "white"),
    (0.5, "#26828e", "white"),
    (0.6, "#1f9e89", "white"),
    (0.7, "#35b779", "black"),
    (0.8, "#6ece58", "black"),
    (0.9, "#b5de2b", "black"),
    (float("inf"), "#fde725", "black"),
)
BAND_NOTE = (
    "Adoption is shaded in 10-point bands, from dark purple (under 10%) to yellow (90% and "
    "over); – marks no registrations in the period."
)
VERDICT_COLOURS = {"above": "#0072B2", "within": "#9e9e9e", "below": "#D55E00"}  # Okabe-Ito
DIVISION_COLOUR = "#d62728"
DEFINITIONS = {figure.key: figure for figure in FIGURES}
LEAGUE_COLUMNS = {
    "opd_registrations": "OPD registrations",
    "abha_linked": "ABHA-linked",
    "abha_share": "ABHA adoption",
    "interval": "95% interval",
    "points": "Change (pp)",
    "opd_change": "Change in OPD",
    "opd_change_relative": "Change in OPD (%)",
}


def league(rows: pd.DataFrame, key: str, now: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """Every row of `rows` with its counts now and before, adoption, interval and changes."""
    figures = ["opd_registrations", "abha_linked"]
    table = rows.merge(now[[key, *figures]], on=key, how="left").merge(
        before[[key, *figures]], on=key, how="left", suffixes=("", "_before")
    )
    counts = [*figures, *(f"{figure}_before" for figure in figures)]
    table[counts] = table[counts].fillna(0).astype("int64")
    table = with_adoption_rate(table)
    table = with_adoption_rate(
        table, "abha_linked_before", "opd_registrations_before", "abha_share_before"
    )
    bounds = wilson_bounds(table["abha_linked"], table["opd_registrations"])
    table["low"], table["high"] = bounds["low"], bounds["high"]
    table["interval"] = [
        None if pd.isna(low) else f"{fmt.percent(low)} – {fmt.percent(high)}"
        for low, high in zip(bounds["low"], bounds["high"], strict=True)
    ]
    table["points"] = pd.to_numeric(
        [
            points_change(now_rate, before_rate)
            for now_rate, before_rate in zip(
                table["abha_share"], table["abha_share_before"], strict=True
            )
        ],
        errors="coerce",
    )
    changes = [
        period_change(now_count, before_count)
        for now_count, before_count in zip(
            table["opd_registrations"], table["opd_registrations_before"], strict=True
        )
    ]
    table["opd_change"] = [change.absolute for change in changes]
    table["opd_change_relative"] = pd.to_numeric(
        [change.relative for change in changes], errors="coerce"
    )
    table["opd_text"] = table["opd_registrations"].map(fmt.count)
    table["linked_text"] = table["abha_linked"].map(fmt.count)
    return table.sort_values(["abha_share", "opd_registrations"], ascending=False)


def band(share: float) -> str:
    if pd.isna(share):
        return ""
    background, text = next((bg, fg) for upper, bg, fg in ADOPTION_BANDS if share < upper)
    return f"background-color: {background}; color: {text}"


def signed_percent(value: float) -> str:
    return "–" if pd.isna(value) else f"{value * 100:+.1f}%"


def show_league(table: pd.DataFrame, labels: dict[str, str], previous: str) -> None:
    shown = table[[*labels, *LEAGUE_COLUMNS]].rename(columns={**labels, **LEAGUE_COLUMNS})
    styled = shown.style.format(
        {
            "OPD registrations": fmt.count,
            "ABHA-linked": fmt.count,
            "ABHA adoption": fmt.percent,
            "Change (pp)": fmt.points,
            "Change in OPD": fmt.signed_count,
            "Change in OPD (%)": signed_percent,
        }
    ).map(band, subset=["ABHA adoption"])
    config = {
        "Type": st.column_config.TextColumn(width="small"),
        "OPD registrations": st.column_config.NumberColumn(
            help=DEFINITIONS["opd_registrations"].definition
        ),
        "ABHA-linked": st.column_config.NumberColumn(help=DEFINITIONS["abha_linked"].definition),
        "ABHA adoption": st.column_config.NumberColumn(help=DEFINITIONS["abha_share"].definition),
        "95% interval": st.column_config.TextColumn(
            help="Wilson score interval: where the true rate lies, allowing for chance."
        ),
        "Change (pp)": st.column_config.NumberColumn(
            help=f"Change in adoption from {previous}, in percentage points."
        ),
        "Change in OPD": st.column_config.NumberColumn(
            help=f"Change in OPD registrations from {previous}."
        ),
        "Change in OPD (%)": st.column_config.NumberColumn(
            help=f"Change in OPD registrations from {previous}, relative to then."
        ),
    }
    st.dataframe(
        styled,
        hide_index=True,
        placeholder="–",
        column_config={label: spec for label, spec in config.items() if label in shown.columns},
    )


def recent_full_months(end: date, months: int) -> Period:
    """The `months` whole calendar months that end on `end` or just before it."""
    last_day = end if (end + timedelta(days=1)).day == 1 else end.replace(day=1) - timedelta(days=1)
    first_day = (pd.Timestamp(last_day.replace(day=1)) - pd.DateOffset(months=months - 1)).date()
    return Period(first_day, last_day)


def projection(rates: pd.Series, target: float) -> str:
    """The month a district's monthly `rates` reach `target` at their trend, in words."""
    if rates.empty:
        return "no registrations"
    month = project_target_month(rates, target, recent_months=TREND_MONTHS)
    if month is None:
        return "not at current trend" if len(rates) > 1 else "too few months"
    return "reached" if month <= max(rates.index) else month.strftime("%b %Y")


filters = st.session_state["filters"]
districts, facilities = data.districts(), data.facilities()
scope_text = scope_caption(filters, districts, facilities)
st.header("District comparison")
st.caption(
    "Districts and facilities side by side: ABHA adoption with its 95% interval, the change "
    "from the previous period of the same length, a funnel plot that separates real "
    "differences from chance, and when each district reaches a target at its recent trend. "
    f"{scope_text}"
)

by_district = data.counts(filters.period, filters.scope, by=["district"])
if by_district.empty or int(by_district["opd_registrations"].sum()) == 0:
    st.info(f"No registrations in {scope_text}.")
    st.stop()
before_district = data.counts(filters.previous, filters.scope, by=["district"])
by_facility = data.counts(filters.period, filters.scope, by=["facility"])
before_facility = data.counts(filters.previous, filters.scope, by=["facility"])
division = data.counts(filters.period)
division_rate = adoption_rate(
    int(division["abha_linked"].sum()), int(division["opd_registrations"].sum())
)
previous_text = fmt.period(filters.previous.start, filters.previous.end)

in_scope = facilities_in_scope(filters, facilities)
shown_districts = districts
if filters.districts:
    shown_districts = shown_districts[shown_districts["lgd_code"].isin(filters.districts)]
if filters.facilities or filters.facility_types:
    shown_districts = shown_districts[shown_districts["lgd_code"].isin(in_scope["district_lgd"])]
district_names = districts.set_index("lgd_code")["name_en"]

# --- league tables ------------------------------------------------------------------------------
st.subheader("Districts")
st.caption(f"Compared with {previous_text}. {BAND_NOTE}")
district_league = league(
    shown_districts[["lgd_code", "name_en"]].rename(columns={"lgd_code": "district_lgd"}),
    "district_lgd",
    by_district,
    before_district,
).rename(columns={"name_en": "district"})
show_league(district_league, {"district": "District"}, previous_text)

st.subheader("Facilities")
st.caption(f"Facilities in scope, compared with {previous_text}. {BAND_NOTE}")
facility_league = league(
    in_scope[["facility_id", "name_en", "facility_type", "district_lgd"]],
    "facility_id",
    by_facility,
    before_facility,
).rename(columns={"name_en": "facility", "facility_type": "type"})
facility_league["district"] = facility_league["district_lgd"].map(district_names)
show_league(
    facility_league, {"facility": "Facility", "type": "Type", "district": "District"}, previous_text
)

# --- ranked adoption by district ----------------------------------------------------------------
ranked = district_league[district_league["opd_registrations"] > 0]
st.subheader("ABHA adoption by district, ranked")
st.caption(
    "Bars show adoption in the period, whiskers its 95% Wilson interval; the dashed line is "
    f"the division's overall rate for the same period ({fmt.percent(division_rate)})."
)
district_tooltip = [
    alt.Tooltip("district:N", title="District"),
    alt.Tooltip("opd_text:N", title="OPD registrations"),
    alt.Tooltip("linked_text:N", title="ABHA-linked"),
    alt.Tooltip("abha_share:Q", title="ABHA adoption", format=".1%"),
    alt.Tooltip("interval:N", title="95% interval"),
]
adoption_axis = alt.Axis(format="%")
y_district = alt.Y(
    "district:N", title="District", sort=list(ranked["district"]), axis=alt.Axis(labelLimit=240)
)
bars = (
    alt.Chart(ranked)
    .mark_bar()
    .encode(
        x=alt.X(
            "abha_share:Q",
            title="ABHA adoption",
            axis=adoption_axis,
            scale=alt.Scale(domain=[0, 1]),
        ),
        y=y_district,
        color=alt.Color(
            "abha_share:Q", scale=alt.Scale(scheme="viridis", domain=[0, 1]), legend=None
        ),
        tooltip=district_tooltip,
    )
)
whiskers = (
    alt.Chart(ranked)
    .mark_errorbar(ticks=True, color="black")
    .encode(x=alt.X("low:Q", title="ABHA adoption"), x2="high:Q", y=y_district)
)
division_rule = (
    alt.Chart(pd.DataFrame({"rate": [division_rate], "label": ["Bastar division"]}))
    .mark_rule(strokeDash=[6, 4], color=DIVISION_COLOUR, size=2)
    .encode(
        x="rate:Q",
        tooltip=[
            alt.Tooltip("label:N", title="Overall"),
            alt.Tooltip("rate:Q", title="ABHA adoption", format=".1%"),
        ],
    )
)
st.altair_chart(
    alt.layer(bars, whiskers, division_rule).properties(height=max(120, 44 * len(ranked))),
    width="stretch",
)

# --- funnel plot of facilities ------------------------------------------------------------------
st.subheader("Funnel plot: facility adoption against OPD volume")
st.caption(
    "Each point is a facility. The curves are the 95% and 99.8% control limits around the "
    f"division's overall rate ({fmt.percent(division_rate)}): the range a facility of that "
    "volume would show by chance alone if its true rate were the division's. A point outside "
    "the 99.8% limits is unlikely to be chance, so it is marked above or below; a small CHC "
    "with an extreme rate usually stays inside its wider limits, and is not called an "
    "outlier for what chance alone could do."
)
funnel = facility_league[facility_league["opd_registrations"] > 0]
if division_rate is None or funnel.empty:
    st.info("No facility in scope has registrations to place on the funnel.")
else:
    funnel = funnel.assign(
        verdict=funnel_outliers(funnel["abha_linked"], funnel["opd_registrations"], division_rate)
    )
    smallest, largest = funnel["opd_registrations"].min(), funnel["opd_registrations"].max()
    if smallest == largest:  # a single volume: widen it so the limits draw as curves
        smallest, largest = max(1, smallest // 2), largest * 2
    grid = funnel_limits(division_rate, np.geomspace(smallest, largest, FUNNEL_GRID_POINTS))
    curves = pd.concat(
        [
            pd.DataFrame(
                {
                    "trials": grid["trials"],
                    "limit": grid[f"{side}_{level_suffix(level)}"],
                    "level": label,
                    "side": side,
                }
            )
            for level, label in FUNNEL_LEVEL_LABELS.items()
            for side in ("low", "high")
        ],
        ignore_index=True,
    )
    volume_scale = alt.Scale(type="log")
    limit_lines = (
        alt.Chart(curves)
        .mark_line(color="#555555", strokeWidth=1.2)
        .encode(
            x=alt.X("trials:Q", title="OPD registrations (log scale)", scale=volume_scale),
            y=alt.Y(
                "limit:Q",
                title="ABHA adoption",
                axis=adoption_axis,
                scale=alt.Scale(zero=False, padding=12),
            ),
            strokeDash=alt.StrokeDash(
                "level:N",
                title="Control limits",
                scale=alt.Scale(domain=list(FUNNEL_LEVEL_LABELS.values()), range=[[4, 3], [1, 0]]),
            ),
            detail="side:N",
        )
    )
    centre = (
        alt.Chart(pd.DataFrame({"rate": [division_rate]}))
        .mark_rule(color=DIVISION_COLOUR, strokeDash=[6, 4])
        .encode(y="rate:Q")
    )
    points = (
        alt.Chart(funnel)
        .mark_circle(size=80, opacity=0.85, stroke="black", strokeWidth=0.5)
        .encode(
            x=alt.X("opd_registrations:Q", scale=volume_scale),
            y=alt.Y("abha_share:Q"),
            color=alt.Color(
                "verdict:N",
                title="Against the 99.8% limits",
                scale=alt.Scale(domain=list(VERDICT_COLOURS), range=list(VERDICT_COLOURS.values())),
            ),
            tooltip=[
                alt.Tooltip("facility:N", title="Facility"),
                alt.Tooltip("type:N", title="Type"),
                alt.Tooltip("district:N", title="District"),
                alt.Tooltip("opd_text:N", title="OPD registrations"),
                alt.Tooltip("linked_text:N", title="ABHA-linked"),
                alt.Tooltip("abha_share:Q", title="ABHA adoption", format=".1%"),
                alt.Tooltip("interval:N", title="95% interval"),
                alt.Tooltip("verdict:N", title="Against the 99.8% limits"),
            ],
        )
    )
    st.altair_chart(alt.layer(limit_lines, centre, points).properties(height=420), width="stretch")
    verdicts = funnel["verdict"].value_counts()
    st.caption(
        f"Against the 99.8% limits: {verdicts.get('above', 0)} above, "
        f"{verdicts.get('below', 0)} below, {verdicts.get('within', 0)} within "
        f"({len(funnel)} with registrations)."
    )

# --- projection to a target -----------------------------------------------------------------------
st.subheader("When does each district reach the target?")
target_percent = st.columns([1, 3])[0].number_input(
    "Target ABHA adoption (%)",
    min_value=1,
    max_value=100,
    value=DEFAULT_TARGET_PERCENT,
    step=5,
    key="comparison_target",
)
target = target_percent / 100
recent = recent_full_months(filters.end, TREND_MONTHS)
monthly = with_adoption_rate(data.counts(recent, filters.scope, by=["district"], grain="month"))
monthly["month"] = pd.to_datetime(monthly["period_start"])
monthly["district"] = monthly["district_lgd"].map(district_names)
monthly["opd_text"] = monthly["opd_registrations"].map(fmt.count)
st.caption(
    f"A straight line through each district's monthly adoption in the {TREND_MONTHS} full "
    f"months {recent.start:%b %Y} – {recent.end:%b %Y}, carried forward until it reaches "
    f"{target_percent}%. “Not at current trend”: the line is flat or falling, or reaches the "
    "target more than ten years ahead."
)
rates_by_district = {
    lgd: rows.set_index("period_start")["abha_share"].dropna().sort_index()
    for lgd, rows in monthly.groupby("district_lgd")
}
latest_rate = {lgd: rates.iloc[-1] for lgd, rates in rates_by_district.items() if not rates.empty}
no_rates = pd.Series(dtype="float64")
projections = pd.DataFrame(
    {
        "District": shown_districts["name_en"],
        "Latest month's adoption": shown_districts["lgd_code"].map(latest_rate),
        f"Reaches {target_percent}%": [
            projection(rates_by_district.get(lgd, no_rates), target)
            for lgd in shown_districts["lgd_code"]
        ],
    }
)
left, right = st.columns(2)
left.dataframe(
    projections.style.format({"Latest month's adoption": fmt.percent}).map(
        band, subset=["Latest month's adoption"]
    ),
    hide_index=True,
    placeholder="–",
    column_config={
        "Latest month's adoption": st.column_config.NumberColumn(
            help="Adoption in the last month of the window that had registrations."
        )
    },
)
if monthly.empty:
    right.info(f"No registrations in {recent.start:%b %Y} – {recent.end:%b %Y}.")
else:
    trend_lines = (
        alt.Chart(monthly)
        .mark_line(point=True)
        .encode(
            x=alt.X("month:T", title="Month", axis=alt.Axis(format="%b %Y")),
            y=alt.Y(
                "abha_share:Q",
                title="ABHA adoption",
                axis=adoption_axis,
                scale=alt.Scale(zero=False),
            ),
            color=alt.Color("district:N", title="District"),
            tooltip=[
                alt.Tooltip("district:N", title="District"),
                alt.Tooltip("month:T", title="Month", format="%b %Y"),
                alt.Tooltip("opd_text:N", title="OPD registrations"),
                alt.Tooltip("abha_share:Q", title="ABHA adoption", format=".1%"),
            ],
        )
    )
    target_rule = (
        alt.Chart(pd.DataFrame({"target": [target]}))
        .mark_rule(strokeDash=[6, 4], color=DIVISION_COLOUR)
        .encode(y="target:Q", tooltip=[alt.Tooltip("target:Q", title="Target", format=".0%")])
    )
    right.altair_chart(
        alt.layer(trend_lines, target_rule).properties(
            height=300, title=f"Monthly ABHA adoption and the {target_percent}% target"
        ),
        width="stretch",
    )
