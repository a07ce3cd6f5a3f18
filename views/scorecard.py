"""Scorecard: each unit one level below the scope against the ABHA adoption target, in
three bands, with its trend from the previous period (metrics.scorecard)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from metrics.league import rolled_up
from metrics.scorecard import BANDS, overall_row, scorecard
from ui import data
from ui.charts import field
from ui.exports import show_chart, show_table
from ui.filters import level_below
from ui.frame import open_page

BAND_COLOURS = {
    "on_track": "#1a9850",
    "progress": "#fdae61",
    "not_on_track": "#d73027",
    "no_data": "#bdbdbd",
}
ARROWS = {"up": "↑", "steady": "→", "down": "↓", "unknown": "·"}

page = open_page("scorecard")
w, filters = page.w, page.filters

now_by_district = data.counts(filters.period, filters.scope, by=["district"])
page.stop_unless_registrations(now_by_district)

target_percent = page.target_input(
    st.columns([1, 3])[0], w("scorecard.target"), key="scorecard_target"
)
target = target_percent / 100

# One level below the scope (ui.filters.level_below): the state's divisions, a division's
# districts, a district's blocks, a block's facilities or the facilities chosen.
level = level_below(filters, page.districts)
in_view = page.districts
if filters.in_districts:
    in_view = in_view[in_view["lgd_code"].isin(filters.in_districts)]

if level in ("division", "district"):
    now, before = now_by_district, data.counts(filters.previous, filters.scope, by=["district"])
    if level == "division":
        division_of = dict(zip(in_view["lgd_code"].astype(int), in_view["division"], strict=True))
        key = "division"
        units = pd.DataFrame({key: sorted(set(division_of.values()))})
        now = rolled_up(now, "district_lgd", division_of, key)
        before = rolled_up(before, "district_lgd", division_of, key)
        names = {
            name: w.division_names(in_view[in_view["division"] == name]) for name in units[key]
        }
    else:
        key = "district_lgd"
        units = in_view[["lgd_code"]].rename(columns={"lgd_code": key})
        names = page.district_names
else:
    now = data.counts(filters.period, filters.scope, by=["facility"])
    before = data.counts(filters.previous, filters.scope, by=["facility"])
    in_scope = page.in_scope
    if level == "block":
        key = "block"
        block_of = page.blocks_in(in_scope)
        units = pd.DataFrame({key: sorted(set(block_of.values()))})
        now = rolled_up(now, "facility_id", block_of, key)
        before = rolled_up(before, "facility_id", block_of, key)
        names = {
            block: page.block_names.get(block, block)
            if block
            else w("scorecard.block_not_recorded")
            for block in units[key]
        }
    else:
        key = "facility_id"
        units = in_scope[[key]]
        names = page.facility_names

card = scorecard(units, key, now, before, target)
whole = overall_row(now, before, target, name=page.scope_name)

unit_title, band_title, trend_title = (
    w(f"scorecard.level.{level}"),
    w("scorecard.band"),
    w("scorecard.trend"),
)
adoption, points, opd, linked = (
    w("figure.abha_share"),
    w("scorecard.points"),
    w("figure.opd_registrations"),
    w("figure.abha_linked"),
)


def _in_words(rows: pd.DataFrame, unit_names: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            unit_title: unit_names.to_numpy(),
            band_title: [w(f"scorecard.band.{band}") for band in rows["band"]],
            trend_title: [ARROWS[trend] for trend in rows["trend"]],
            adoption: rows["abha_share"].to_numpy(),
            points: rows["points"].to_numpy(),
            opd: rows["opd_registrations"].to_numpy(),
            linked: rows["abha_linked"].to_numpy(),
        }
    )


shown = pd.concat(
    [
        _in_words(whole, pd.Series([w("scorecard.all_of", area=page.scope_name)])),
        _in_words(card, card[key].map(names).fillna(card[key].astype(str))),
    ],
    ignore_index=True,
)
counts = card["band"].value_counts()
st.caption(
    w.markdown(
        "scorecard.summary",
        on_track=w.count(int(counts.get("on_track", 0))),
        progress=w.count(int(counts.get("progress", 0))),
        not_on_track=w.count(int(counts.get("not_on_track", 0))),
        target=target_percent,
        previous=w.period(filters.previous.start, filters.previous.end),
    )
)
title = w("scorecard.table_title", level=unit_title.lower(), target=target_percent)
bands_note = w("scorecard.bands_note", target=target_percent)
show_table(
    shown,
    what=f"scorecard-{level}-{target_percent}-percent",
    title=title,
    key="scorecard_table",
    notes=[bands_note],
    shares=[adoption],
)
st.caption(bands_note)

# The same as a chart for print: adoption by unit, coloured by band, the target as a line.
drawn = shown.iloc[1:]
band_scale = alt.Scale(
    domain=[w(f"scorecard.band.{band}") for band in BANDS],
    range=[BAND_COLOURS[band] for band in BANDS],
)
bars = (
    alt.Chart(drawn)
    .mark_bar()
    .encode(
        x=alt.X(
            field=field(adoption), type="quantitative", axis=alt.Axis(format="%"), title=adoption
        ),
        y=alt.Y(field=field(unit_title), type="nominal", sort=None, title=None),
        color=alt.Color(
            field=field(band_title), type="nominal", scale=band_scale, title=band_title
        ),
        tooltip=[
            alt.Tooltip(field=field(unit_title), type="nominal", title=unit_title),
            alt.Tooltip(field=field(band_title), type="nominal", title=band_title),
            alt.Tooltip(field=field(trend_title), type="nominal", title=trend_title),
            alt.Tooltip(field=field(adoption), type="quantitative", title=adoption, format=".1%"),
        ],
    )
)
target_name = w("scorecard.target_line")
rule = (
    alt.Chart(pd.DataFrame({target_name: [target]}))
    .mark_rule(strokeDash=[4, 3])
    .encode(x=alt.X(field=field(target_name), type="quantitative"))
)
show_chart(
    alt.layer(bars, rule).properties(height=max(120, 28 * len(drawn)), title=title),
    shown,
    what=f"scorecard-chart-{level}-{target_percent}-percent",
    title=title,
    notes=[bands_note],
    key="scorecard_chart",
    shares=[adoption],
)
