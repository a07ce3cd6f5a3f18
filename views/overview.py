"""Overview: how the rollout is going, at a glance."""

from __future__ import annotations

import altair as alt
import streamlit as st

from metrics.adoption import adoption_rate, with_adoption_rate
from metrics.change import period_change, points_change, top_movers
from metrics.headlines import leader_headline, registration_headline
from ui import charts, data
from ui import format as fmt
from ui.filters import facilities_in_scope, scope_caption

MOVER_MIN_REGISTRATIONS = 50

filters = st.session_state["filters"]
districts, facilities = data.districts(), data.facilities()
scope_text = scope_caption(filters, districts, facilities)
st.header("Overview")
st.caption(
    "OPD registrations and their ABHA linkage in the period, each with the change from the "
    f"previous period of the same length. {scope_text}"
)

by_facility = data.counts(filters.period, filters.scope, by=["facility"])
before = data.counts(filters.previous, filters.scope, by=["facility"])
if by_facility.empty:
    st.info(f"No registrations in {scope_text}.")
    st.stop()

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
    relative = "" if change.relative is None else f" ({change.relative * 100:+.1f}%)"
    return f"{fmt.signed_count(change.absolute)}{relative}"


tiles = [*st.columns(3), *st.columns(3)]
tiles[0].metric(
    "OPD registrations", fmt.count(registrations), _delta(registrations, prev_registrations)
)
tiles[1].metric("ABHA-linked", fmt.count(linked), _delta(linked, prev_linked))
tiles[2].metric(
    "ABHA adoption",
    fmt.percent(rate),
    None if rate is None or prev_rate is None else fmt.points(points_change(rate, prev_rate)),
)
tiles[3].metric(
    "Facilities reporting",
    f"{reporting} of {len(facilities_in_scope(filters, facilities))}",
    _delta(reporting, prev_reporting),
)
tiles[4].metric("Scan & Share tokens", fmt.count(scan_share), _delta(scan_share, prev_scan_share))
if enrolments is None:
    tiles[5].metric("ABHA enrolments", "–", help="Not available in this database.")
else:
    count_now = int(enrolments["enrolments"].sum())
    count_before = int(prev_enrolments["enrolments"].sum()) if prev_enrolments is not None else 0
    tiles[5].metric("ABHA enrolments", fmt.count(count_now), _delta(count_now, count_before))

# --- headlines ------------------------------------------------------------------------------
names = facilities.set_index("facility_id")["name_en"]
district_names = districts.set_index("lgd_code")["name_en"]
largest = by_facility.sort_values(
    ["opd_registrations", "facility_id"], ascending=[False, True]
).iloc[0]
headlines = [
    registration_headline(
        scope_text.split(" · ")[0], filters.start, filters.end, registrations, linked
    ),
    registration_headline(
        names.get(largest["facility_id"], largest["facility_id"]),
        filters.start,
        filters.end,
        int(largest["opd_registrations"]),
        int(largest["abha_linked"]),
    ),
]
by_district = with_adoption_rate(data.counts(filters.period, filters.scope, by=["district"]))
if len(by_district) > 1:
    ranked = by_district.sort_values(["abha_share", "district_lgd"], ascending=[False, True])
    top, second = ranked.iloc[0], ranked.iloc[1]
    headlines.append(
        leader_headline(
            "districts",
            district_names.get(top["district_lgd"], str(top["district_lgd"])),
            float(top["abha_share"]),
            district_names.get(second["district_lgd"], str(second["district_lgd"])),
        )
    )
st.markdown("\n".join(f"- {line}" for line in headlines))

left, right = st.columns([3, 2])
# --- adoption by district over time -----------------------------------------------------------
grain = "week" if filters.period.days <= 120 else "month"
trend = with_adoption_rate(data.counts(filters.period, filters.scope, by=["district"], grain=grain))
trend["district"] = trend["district_lgd"].map(district_names)
left.subheader(f"ABHA adoption by district, by {grain}")
left.altair_chart(
    alt.Chart(trend)
    .mark_line(point=True)
    .encode(
        x=alt.X("period_start:T", title=grain.capitalize()),
        y=alt.Y("abha_share:Q", title="ABHA adoption", axis=alt.Axis(format="%")),
        color=alt.Color("district:N", title="District"),
        tooltip=[
            alt.Tooltip("district:N", title="District"),
            alt.Tooltip("period_start:T", title=grain.capitalize(), format="%d-%m-%Y"),
            alt.Tooltip("opd_registrations:Q", title="OPD registrations", format=","),
            alt.Tooltip("abha_share:Q", title="ABHA adoption", format=".1%"),
        ],
    )
    .properties(height=300),
    width="stretch",
)

# --- channel mix ------------------------------------------------------------------------------
mix = channels.reset_index()
right.subheader("How patients registered")
right.altair_chart(charts.channel_mix(mix, height=300), width="stretch")

# --- facilities that moved most ----------------------------------------------------------------
st.subheader("Facilities whose ABHA adoption moved most")
st.caption(
    f"Change in adoption from the previous {filters.period.days} days, in percentage points; "
    f"facilities with at least {MOVER_MIN_REGISTRATIONS} registrations in both periods."
)
moves = with_adoption_rate(by_facility).merge(
    with_adoption_rate(before), on="facility_id", suffixes=("", "_before")
)
moves = moves[
    (moves["opd_registrations"] >= MOVER_MIN_REGISTRATIONS)
    & (moves["opd_registrations_before"] >= MOVER_MIN_REGISTRATIONS)
].copy()
if moves.empty:
    st.info("Not enough registrations in both periods to compare facilities.")
else:
    moves["change"] = moves["abha_share"] - moves["abha_share_before"]
    moves["facility"] = moves["facility_id"].map(names)
    up, down = top_movers(moves, key="facility_id", value="change", n=3)
    shown = {
        "facility": "Facility",
        "abha_share_before": "Before",
        "abha_share": "Now",
        "change": "Change",
    }
    column_config = {
        "Before": st.column_config.NumberColumn(format="percent"),
        "Now": st.column_config.NumberColumn(format="percent"),
        "Change": st.column_config.NumberColumn(format="percent"),
    }
    col_up, col_down = st.columns(2)
    col_up.markdown("**Up**")
    col_up.dataframe(
        up[list(shown)].rename(columns=shown), hide_index=True, column_config=column_config
    )
    col_down.markdown("**Down**")
    col_down.dataframe(
        down[list(shown)].rename(columns=shown), hide_index=True, column_config=column_config
    )
