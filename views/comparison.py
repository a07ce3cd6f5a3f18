"""District comparison: league tables, ranked adoption, a funnel plot and target projections."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from data_access.queries import Period
from metrics.adoption import adoption_rate, with_adoption_rate
from metrics.change import CHANGE_MIN_REGISTRATIONS
from metrics.intervals import funnel_limits, funnel_outliers, level_suffix, wilson_bounds
from metrics.league import league, rolled_up
from metrics.periods import recent_full_months
from metrics.trend import Projection, projection
from ui import charts, data
from ui.charts import field
from ui.exports import show_chart, table_downloads
from ui.filters import LEVELS, level_below
from ui.frame import open_page

TREND_MONTHS = 6
FUNNEL_GRID_POINTS = 40
FUNNEL_LEVELS = (0.95, 0.998)
VERDICT_LEVEL = 0.998
# Adoption shaded in 10-point bands of viridis (colour-blind safe), with legible text on each.
ADOPTION_BANDS = (
    (0.1, "#440154", "white"),
    (0.2, "#482878", "white"),
    (0.3, "#3e4989", "white"),
    (0.4, "#31688e", "white"),
    (0.5, "#26828e", "white"),
    (0.6, "#1f9e89", "black"),  # white on it is 3.3:1, under WCAG AA; black 6.3:1
    (0.7, "#35b779", "black"),
    (0.8, "#6ece58", "black"),
    (0.9, "#b5de2b", "black"),
    (float("inf"), "#fde725", "black"),
)
VERDICT_COLOURS = {"above": "#0072B2", "within": "#9e9e9e", "below": "#D55E00"}  # Okabe-Ito
DIVISION_COLOUR = "#d62728"
DASH = "–"
PROJECTION_WORDS = {
    "no_data": "none",
    "too_few": "too_few",
    "not_at_trend": "not_at_trend",
    "reached": "reached",
}


def with_interval_text(table: pd.DataFrame) -> pd.DataFrame:
    """The league with its 95% interval in words: '41.2% – 43.0%', none without a rate."""
    table["interval"] = [
        None if pd.isna(low) else f"{w.percent(low)} – {w.percent(high)}"
        for low, high in zip(table["low"], table["high"], strict=True)
    ]
    return table


def projection_text(outcome: Projection) -> str:
    """A projection in words: the month, or why there is none."""
    if outcome.outcome == "month":
        return w.month_year(outcome.month)
    return w(f"comparison.projection.{PROJECTION_WORDS[outcome.outcome]}")


def band(share: float) -> str:
    if pd.isna(share):
        return ""
    background, text = next((bg, fg) for upper, bg, fg in ADOPTION_BANDS if share < upper)
    return f"background-color: {background}; color: {text}"


def signed_points(value: float) -> str:
    return DASH if pd.isna(value) else f"{value:+.1f}"


page = open_page("comparison")
w, filters = page.w, page.filters
districts = page.districts

by_district = data.counts(filters.period, filters.scope, by=["district"])
page.stop_unless_registrations(by_district)
before_district = data.counts(filters.previous, filters.scope, by=["district"])
by_facility = data.counts(filters.period, filters.scope, by=["facility"])
before_facility = data.counts(filters.previous, filters.scope, by=["facility"])
# everything the user may see (a collector: the collector's districts), the reference rate
overall = data.counts(filters.period)
overall_registrations = int(overall["opd_registrations"].sum())
overall_linked = int(overall["abha_linked"].sum())
overall_rate = adoption_rate(overall_linked, overall_registrations)
previous_text = w.period(filters.previous.start, filters.previous.end)

in_scope = page.in_scope
shown_districts = districts
if filters.in_districts:
    shown_districts = shown_districts[shown_districts["lgd_code"].isin(filters.in_districts)]
if filters.in_facilities or filters.facility_types:
    shown_districts = shown_districts[shown_districts["lgd_code"].isin(in_scope["district_lgd"])]
district_names, facility_names = page.district_names, page.facility_names

# The names of the columns, axes, tooltips and legends: one word for one thing.
district, facility, kind, month = (
    w("common.district"),
    w("common.facility"),
    w("common.facility_type"),
    w("common.month"),
)
opd, linked, adoption = (
    w("figure.opd_registrations"),
    w("figure.abha_linked"),
    w("figure.abha_share"),
)
interval, low, high = (
    w("comparison.interval"),
    w("comparison.interval_low"),
    w("comparison.interval_high"),
)
points, opd_change, opd_change_relative = (
    w("comparison.points"),
    w("comparison.opd_change"),
    w("comparison.opd_change_relative"),
)
definitions = [w(f"figure.{key}.definition") for key in ("abha_share", "opd_registrations")]


def show_league(table: pd.DataFrame, names: dict[str, pd.Series], *, what: str, title: str) -> None:
    """A league table: counts in Indian grouping, adoption shaded in bands, – where none.

    The name first (pinned), then the figures, adoption first, and the other names (type,
    district) last: on a phone the figures are in view beside the name, not after a scroll.
    """
    (name_header, name_column), *other_names = names.items()
    shown = pd.DataFrame(
        {
            name_header: name_column.to_numpy(),
            adoption: table["abha_share"].to_numpy(),
            points: table["points"].to_numpy(),
            opd: table["opd_registrations"].to_numpy(),
            linked: table["abha_linked"].to_numpy(),
            opd_change: table["opd_change"].to_numpy(),
            opd_change_relative: table["opd_change_relative"].to_numpy(),
            interval: table["interval"].to_numpy(),
            **{header: column.to_numpy() for header, column in other_names},
        }
    )
    styled = shown.style.format(
        {
            opd: w.count,
            linked: w.count,
            adoption: w.percent,
            points: signed_points,
            opd_change: lambda value: DASH if pd.isna(value) else w.signed_count(value),
            opd_change_relative: w.signed_percent,
        },
        na_rep=DASH,
    ).map(band, subset=[adoption])
    helps = {
        opd: w("figure.opd_registrations.definition"),
        linked: w("figure.abha_linked.definition"),
        adoption: w("figure.abha_share.definition"),
        interval: w("comparison.help.interval"),
        points: w(
            "comparison.help.points",
            previous=previous_text,
            minimum=w.count(CHANGE_MIN_REGISTRATIONS),
        ),
        opd_change: w("comparison.help.opd_change", previous=previous_text),
        opd_change_relative: w("comparison.help.opd_change_relative", previous=previous_text),
    }
    st.dataframe(
        styled,
        hide_index=True,
        placeholder=DASH,
        column_config={
            name_header: st.column_config.Column(pinned=True, width="medium"),
            **{header: st.column_config.Column(help=text) for header, text in helps.items()},
        },
    )
    table_downloads(
        shown,
        what=what,
        title=title,
        key=what,
        notes=[f"{header}: {text}" for header, text in helps.items()],
    )


# --- league tables ------------------------------------------------------------------------------
bands_note = w("comparison.band_note")
below = level_below(filters, districts)  # the units one level below the scope
if below == "division":  # the state: its divisions first, a level up
    division_of = dict(
        zip(shown_districts["lgd_code"].astype(int), shown_districts["division"], strict=True)
    )
    st.subheader(w("comparison.divisions"))
    st.caption(w("comparison.districts_caption", previous=previous_text, bands=bands_note))
    division_league = with_interval_text(
        league(
            pd.DataFrame({"division": sorted(set(division_of.values()))}),
            "division",
            rolled_up(by_district, "district_lgd", division_of, "division"),
            rolled_up(before_district, "district_lgd", division_of, "division"),
        )
    )
    division_name = {
        name: w.division_names(shown_districts[shown_districts["division"] == name])
        for name in set(division_of.values())
    }
    show_league(
        division_league,
        {w("filters.division"): division_league["division"].map(division_name)},
        what="division-league-table",
        title=w("comparison.division_league_title"),
    )
st.subheader(w("comparison.districts"))
st.caption(w("comparison.districts_caption", previous=previous_text, bands=bands_note))
district_league = with_interval_text(
    league(
        shown_districts[["lgd_code"]].rename(columns={"lgd_code": "district_lgd"}),
        "district_lgd",
        by_district,
        before_district,
    )
)
district_league["district"] = district_league["district_lgd"].map(district_names)
show_league(
    district_league,
    {district: district_league["district"]},
    what="district-league-table",
    title=w("comparison.district_league_title"),
)


def blocks_league(rows: pd.DataFrame) -> pd.DataFrame:
    """The league of the blocks of the facilities ``rows``, with a ``block`` name column (a
    facility without a block recorded is under "block not recorded")."""
    block_of = page.blocks_in(rows)
    table = with_interval_text(
        league(
            pd.DataFrame({"block": sorted(set(block_of.values()))}),
            "block",
            rolled_up(by_facility, "facility_id", block_of, "block"),
            rolled_up(before_facility, "facility_id", block_of, "block"),
        )
    )
    table["name"] = table["block"].map(
        lambda b: page.block_names.get(b, b) if b else w("comparison.block_not_recorded")
    )
    table["district"] = [  # the district of a block, from its key; "" for not recorded
        district_names.get(int(b.partition(":")[0]), "") if b else "" for b in table["block"]
    ]
    return table


if below == "block":  # one district: its blocks, a level down
    st.subheader(w("comparison.blocks"))
    st.caption(w("comparison.districts_caption", previous=previous_text, bands=bands_note))
    block_league = blocks_league(in_scope)
    show_league(
        block_league,
        {w("common.block"): block_league["name"]},
        what="block-league-table",
        title=w("comparison.block_league_title"),
    )

st.subheader(w("comparison.facilities"))
st.caption(w("comparison.facilities_caption", previous=previous_text, bands=bands_note))
facility_league = with_interval_text(
    league(
        in_scope[["facility_id", "facility_type", "district_lgd"]],
        "facility_id",
        by_facility,
        before_facility,
    )
)
facility_league["facility"] = facility_league["facility_id"].map(facility_names)
facility_league["type"] = [
    w.label("facility_type", code) for code in facility_league["facility_type"]
]
facility_league["district"] = facility_league["district_lgd"].map(district_names)
show_league(
    facility_league,
    {
        facility: facility_league["facility"],
        kind: facility_league["type"],
        district: facility_league["district"],
    },
    what="facility-league-table",
    title=w("comparison.facility_league_title"),
)

# --- ranked adoption by district ----------------------------------------------------------------
ranked = district_league[district_league["opd_registrations"] > 0]
ranked_title = w("comparison.ranked_title")
st.subheader(ranked_title)
st.caption(
    w.markdown("comparison.ranked_caption", area=page.everything_name, rate=w.percent(overall_rate))
)
ranked_drawn = pd.DataFrame(
    {
        district: ranked["district"].to_numpy(),
        opd: ranked["opd_registrations"].to_numpy(),
        linked: ranked["abha_linked"].to_numpy(),
        adoption: ranked["abha_share"].to_numpy(),
        low: ranked["low"].to_numpy(),
        high: ranked["high"].to_numpy(),
    }
)
division_bounds = wilson_bounds(pd.Series([overall_linked]), pd.Series([overall_registrations]))
division_row = pd.DataFrame(
    {
        district: [page.everything_name],  # a collector's "all" is the collector's districts
        opd: [overall_registrations],
        linked: [overall_linked],
        adoption: [overall_rate],
        low: division_bounds["low"].to_numpy(),
        high: division_bounds["high"].to_numpy(),
    }
)


def _tooltip(*fields: tuple[str, str, str | None]) -> list[alt.Tooltip]:
    """Tooltips titled by their (already translated) column names."""
    return [
        alt.Tooltip(
            field=field(name),
            type=vega_type,
            title=name,
            **({"format": number_format} if number_format else {}),
        )
        for name, vega_type, number_format in fields
    ]


adoption_axis = alt.Axis(format="%")
y_district = alt.Y(
    field=field(district),
    type="nominal",
    title=district,
    sort=list(ranked_drawn[district]),
    axis=alt.Axis(labelLimit=240),
)
bars = (
    alt.Chart(ranked_drawn)
    .mark_bar()
    .encode(
        x=alt.X(
            field=field(adoption),
            type="quantitative",
            title=adoption,
            axis=adoption_axis,
            scale=alt.Scale(domain=[0, 1]),
        ),
        y=y_district,
        color=alt.Color(
            field=field(adoption),
            type="quantitative",
            scale=alt.Scale(scheme="viridis", domain=[0, 1]),
            legend=None,
        ),
        tooltip=_tooltip(
            (district, "nominal", None),
            (opd, "quantitative", ","),
            (linked, "quantitative", ","),
            (adoption, "quantitative", ".1%"),
            (low, "quantitative", ".1%"),
            (high, "quantitative", ".1%"),
        ),
    )
)
whiskers = (
    alt.Chart(ranked_drawn)
    .mark_errorbar(ticks=True, color="black")
    .encode(
        x=alt.X(field=field(low), type="quantitative", title=adoption),
        x2=alt.X2(field=field(high)),
        y=y_district,
    )
)
division_rule = (
    alt.Chart(division_row)
    .mark_rule(strokeDash=[6, 4], color=DIVISION_COLOUR, size=2)
    .encode(
        x=alt.X(field=field(adoption), type="quantitative", title=adoption),
        tooltip=_tooltip((district, "nominal", None), (adoption, "quantitative", ".1%")),
    )
)
show_chart(
    alt.layer(bars, whiskers, division_rule).properties(height=max(120, 44 * len(ranked))),
    pd.concat([ranked_drawn, division_row], ignore_index=True),
    what="abha-adoption-by-district-ranked",
    title=ranked_title,
    notes=[
        *definitions,
        w("comparison.ranked_caption", area=page.everything_name, rate=w.percent(overall_rate)),
    ],
    key="comparison_ranked",
)

# --- funnel plot, of the units one level below the scope (or any level down to facilities) ----
unit_choices = list(LEVELS[LEVELS.index(below) :])
if st.session_state.get("comparison_funnel_unit") not in unit_choices:
    st.session_state["comparison_funnel_unit"] = unit_choices[0]
funnel_unit = st.session_state["comparison_funnel_unit"]  # the box below keeps it
funnel_title = w(f"comparison.funnel_title.{funnel_unit}")
funnel_caption = w(
    f"comparison.funnel_caption.{funnel_unit}",
    area=page.everything_name,
    rate=w.percent(overall_rate),
)
st.subheader(funnel_title)
if len(unit_choices) > 1:  # the title first, then the choice of its points
    st.segmented_control(
        w("comparison.funnel_points"),
        unit_choices,
        format_func=lambda unit: w(f"comparison.funnel_unit.{unit}"),
        key="comparison_funnel_unit",
    )
st.caption(
    w.markdown(
        f"comparison.funnel_caption.{funnel_unit}",
        area=page.everything_name,
        rate=w.percent(overall_rate),
    )
)
unit_league = {  # each with a "name" column; the facility's type and district, a block's district
    "division": lambda: division_league.assign(name=division_league["division"].map(division_name)),
    "district": lambda: district_league.assign(name=district_league["district"]),
    "block": lambda: blocks_league(in_scope),
    "facility": lambda: facility_league.assign(name=facility_league["facility"]),
}[funnel_unit]()
funnel = unit_league[unit_league["opd_registrations"] > 0]
unit_title = w(f"common.{funnel_unit}") if funnel_unit != "division" else w("filters.division")
described_by = [(unit_title, "name")]
if funnel_unit == "facility":
    described_by += [(kind, "type"), (district, "district")]
elif funnel_unit == "block":
    described_by += [(district, "district")]
if overall_rate is None or funnel.empty:
    st.info(w(f"comparison.funnel_none.{funnel_unit}"))
else:
    verdicts = funnel_outliers(
        funnel["abha_linked"], funnel["opd_registrations"], overall_rate, level=VERDICT_LEVEL
    )
    verdict_title = w("comparison.verdict_title")
    verdict_names = {code: w(f"comparison.verdict.{code}") for code in VERDICT_COLOURS}
    limits_here = funnel_limits(overall_rate, funnel["opd_registrations"], (VERDICT_LEVEL,))
    points_drawn = pd.DataFrame(
        {
            **{title: funnel[column].to_numpy() for title, column in described_by},
            opd: funnel["opd_registrations"].to_numpy(),
            linked: funnel["abha_linked"].to_numpy(),
            adoption: funnel["abha_share"].to_numpy(),
            low: funnel["low"].to_numpy(),
            high: funnel["high"].to_numpy(),
            w("comparison.limit_low"): limits_here[f"low_{level_suffix(VERDICT_LEVEL)}"].to_numpy(),
            w("comparison.limit_high"): limits_here[
                f"high_{level_suffix(VERDICT_LEVEL)}"
            ].to_numpy(),
            verdict_title: verdicts.map(verdict_names).to_numpy(),
        }
    )
    smallest, largest = funnel["opd_registrations"].min(), funnel["opd_registrations"].max()
    if smallest == largest:  # a single volume: widen it so the limits draw as curves
        smallest, largest = max(1, smallest // 2), largest * 2
    grid = funnel_limits(
        overall_rate, np.geomspace(smallest, largest, FUNNEL_GRID_POINTS), FUNNEL_LEVELS
    )
    control_limits = w("comparison.control_limits")
    level_names = [w(f"comparison.limits.{level_suffix(level)}") for level in FUNNEL_LEVELS]
    curves = pd.concat(
        [
            pd.DataFrame(
                {
                    opd: grid["trials"],
                    adoption: grid[f"{side}_{level_suffix(level)}"],
                    control_limits: name,
                    "side": side,
                }
            )
            for level, name in zip(FUNNEL_LEVELS, level_names, strict=True)
            for side in ("low", "high")
        ],
        ignore_index=True,
    )
    # Categories: each curve's names cross the WebSocket once, not once per point.
    curves = curves.astype({control_limits: "category", "side": "category"})
    # "," groups the volume the Indian way (the chart's locale); log ticks would not otherwise.
    volume_axis = alt.Axis(format=",")
    volume_scale = alt.Scale(type="log")
    limit_lines = (
        alt.Chart(curves)
        .mark_line(color="#555555", strokeWidth=1.2)
        .encode(
            x=alt.X(
                field=field(opd),
                type="quantitative",
                title=w("comparison.funnel_axis"),
                scale=volume_scale,
                axis=volume_axis,
            ),
            y=alt.Y(
                field=field(adoption),
                type="quantitative",
                title=adoption,
                axis=adoption_axis,
                scale=alt.Scale(zero=False, padding=12),
            ),
            strokeDash=alt.StrokeDash(
                field=field(control_limits),
                type="nominal",
                title=control_limits,
                scale=alt.Scale(domain=level_names, range=[[4, 3], [1, 0]]),
            ),
            detail=alt.Detail(field=field("side"), type="nominal"),
        )
    )
    centre = (
        alt.Chart(pd.DataFrame({adoption: [overall_rate]}))
        .mark_rule(color=DIVISION_COLOUR, strokeDash=[6, 4])
        .encode(y=alt.Y(field=field(adoption), type="quantitative", title=adoption))
    )
    dots = (
        alt.Chart(points_drawn)
        .mark_circle(size=80, opacity=0.85, stroke="black", strokeWidth=0.5)
        .encode(
            x=alt.X(
                field=field(opd),
                type="quantitative",
                title=w("comparison.funnel_axis"),
                scale=volume_scale,
                axis=volume_axis,
            ),
            y=alt.Y(field=field(adoption), type="quantitative", title=adoption),
            color=alt.Color(
                field=field(verdict_title),
                type="nominal",
                title=verdict_title,
                scale=alt.Scale(
                    domain=list(verdict_names.values()), range=list(VERDICT_COLOURS.values())
                ),
            ),
            tooltip=_tooltip(
                *((title, "nominal", None) for title, _ in described_by),
                (opd, "quantitative", ","),
                (linked, "quantitative", ","),
                (adoption, "quantitative", ".1%"),
                (low, "quantitative", ".1%"),
                (high, "quantitative", ".1%"),
                (verdict_title, "nominal", None),
            ),
        )
    )
    show_chart(
        alt.layer(limit_lines, centre, dots).properties(height=420),
        points_drawn,
        what=f"{funnel_unit}-funnel-plot",
        title=funnel_title,
        notes=[*definitions, funnel_caption],
        key="comparison_funnel",
    )
    tally = verdicts.value_counts()
    st.caption(
        w(
            "comparison.verdict_summary",
            above=w.count(tally.get("above", 0)),
            below=w.count(tally.get("below", 0)),
            within=w.count(tally.get("within", 0)),
            total=w.count(len(funnel)),
            units=w(f"comparison.funnel_units.{funnel_unit}"),
        )
    )

# --- projection to a target -----------------------------------------------------------------------
# Projected by the units of the league above: the state's divisions, else districts.
by_division = below == "division"
of_unit = ".division" if by_division else ""
st.subheader(w(f"comparison.projection_title{of_unit}"))
target_percent = page.target_input(
    st.columns([1, 3])[0], w("comparison.target_input"), key="comparison_target"
)
target = target_percent / 100
recent = Period(*recent_full_months(filters.end, TREND_MONTHS))
recent_text = f"{w.month_year(recent.start)} – {w.month_year(recent.end)}"
monthly = data.counts(recent, filters.scope, by=["district"], grain="month")
if by_division:
    unit_header = w("filters.division")
    units = sorted(set(division_of.values()))
    unit_names = division_name
    monthly = rolled_up(monthly, "district_lgd", division_of, "division", also=["period_start"])
    monthly = with_adoption_rate(monthly.rename(columns={"division": "unit"}))
    unit_colours = alt.Scale(
        domain=[unit_names[u] for u in units], range=list(charts.DISTRICT_PALETTE[: len(units)])
    )
else:
    unit_header = district
    units = list(shown_districts["lgd_code"])
    unit_names = district_names
    monthly = with_adoption_rate(monthly.rename(columns={"district_lgd": "unit"}))
    unit_colours = charts.district_colours(monthly["unit"], district_names)
st.caption(
    w(
        f"comparison.projection_caption{of_unit}",
        months=TREND_MONTHS,
        start=w.month_year(recent.start),
        end=w.month_year(recent.end),
        target=target_percent,
        not_at_trend=w("comparison.projection.not_at_trend"),
    )
)
rates_by_unit = {
    unit: rows.set_index("period_start")["abha_share"].dropna().sort_index()
    for unit, rows in monthly.groupby("unit")
}
latest_rate = {unit: rates.iloc[-1] for unit, rates in rates_by_unit.items() if not rates.empty}
no_rates = pd.Series(dtype="float64")
latest, reaches = w("comparison.latest_adoption"), w("comparison.reaches", target=target_percent)
projections = pd.DataFrame(
    {
        unit_header: [unit_names[u] for u in units],
        latest: np.array([latest_rate.get(u, np.nan) for u in units], dtype="float64"),
        reaches: [
            projection_text(
                projection(rates_by_unit.get(u, no_rates), target, recent_months=TREND_MONTHS)
            )
            for u in units
        ],
    }
)
left, right = st.columns(2)
left.dataframe(
    projections.style.format({latest: w.percent}, na_rep=DASH).map(band, subset=[latest]),
    hide_index=True,
    placeholder=DASH,
    column_config={latest: st.column_config.Column(help=w("comparison.latest_help"))},
)
with left:
    table_downloads(
        projections,
        what=f"target-projection-{target_percent}-percent",
        title=w(f"comparison.projection_table_title{of_unit}", target=target_percent),
        key="comparison_projection",
    )
if monthly.empty:
    right.info(w("common.no_registrations_in", scope=recent_text))
else:
    target_name = w("comparison.target")
    trend_drawn = pd.DataFrame(
        {
            unit_header: monthly["unit"].map(unit_names).to_numpy(),
            month: pd.to_datetime(monthly["period_start"]).to_numpy(),
            opd: monthly["opd_registrations"].to_numpy(),
            linked: monthly["abha_linked"].to_numpy(),
            adoption: monthly["abha_share"].to_numpy(),
        }
    )
    trend_lines = (
        alt.Chart(trend_drawn)
        .mark_line(point=True)
        .encode(
            x=alt.X(
                field=field(month),
                type="temporal",
                title=month,
                axis=alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": 1}),
            ),
            y=alt.Y(
                field=field(adoption),
                type="quantitative",
                title=adoption,
                axis=adoption_axis,
                scale=alt.Scale(zero=False),
            ),
            color=alt.Color(
                field=field(unit_header), type="nominal", title=unit_header, scale=unit_colours
            ),
            tooltip=[
                alt.Tooltip(field=field(unit_header), type="nominal", title=unit_header),
                alt.Tooltip(field=field(month), type="temporal", title=month, format="%b %Y"),
                alt.Tooltip(field=field(opd), type="quantitative", title=opd, format=","),
                alt.Tooltip(
                    field=field(adoption), type="quantitative", title=adoption, format=".1%"
                ),
            ],
        )
    )
    target_rule = (
        alt.Chart(pd.DataFrame({target_name: [target]}))
        .mark_rule(strokeDash=[6, 4], color=DIVISION_COLOUR)
        .encode(
            y=alt.Y(field=field(target_name), type="quantitative", title=adoption),
            tooltip=_tooltip((target_name, "quantitative", ".0%")),
        )
    )
    trend_title = w("comparison.trend_title", target=target_percent)
    show_chart(
        alt.layer(trend_lines, target_rule).properties(height=300, title=trend_title),
        trend_drawn,
        what=f"monthly-abha-adoption-and-target-{target_percent}-percent",
        title=trend_title,
        notes=definitions[:1],
        key="comparison_trend",
        where=right,
    )
