"""Facility profile: one facility's facts, trends, channels, departments and incentive."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from data_access.queries import Scope
from metrics.adoption import adoption_rate, with_adoption_rate
from metrics.incentive import IncentiveRule, incentive_estimate
from ui import charts, data
from ui import format as fmt
from ui.filters import facilities_in_scope, scope_caption

filters = st.session_state["filters"]
districts, facilities = data.districts(), data.facilities()
first_day, as_of = data.data_span()
st.header("Facility profile")

candidates = facilities_in_scope(filters, facilities) if filters.districts else facilities
candidates = candidates.sort_values(["district_lgd", "facility_type", "name_en"])
if candidates.empty:
    st.info("No facility in the districts chosen.")
    st.stop()
labels = {
    row.facility_id: " · ".join(
        part for part in (row.name_en, row.name_hi, row.facility_id) if isinstance(part, str)
    )
    for row in candidates.itertuples()
}
ids = list(labels)
preferred = next((f for f in filters.facilities if f in labels), ids[0])
if st.session_state.get("profile_facility") not in labels:
    st.session_state["profile_facility"] = preferred
facility_id = st.selectbox(
    "Facility (type a name in English or Hindi, or an HFR ID)",
    ids,
    format_func=labels.__getitem__,
    key="profile_facility",
)
facility = facilities.set_index("facility_id").loc[facility_id]
district_name = districts.set_index("lgd_code")["name_en"].get(facility["district_lgd"], "–")
scope = Scope.of(facilities=[facility_id])
st.caption(
    "One facility's facts, its registrations and ABHA adoption, channels, departments, and "
    "an estimate of its Digital Health Incentive. "
    f"{facility['name_en']} · {scope_caption(filters, districts, facilities).split(' · ')[-1]}"
)

# --- facts -------------------------------------------------------------------------------------
last_days = data.last_registration_days(scope)
last = last_days["last_registration"].iloc[0] if not last_days.empty else None
last = None if last is None or pd.isna(last) else last
go_live = facility["ehospital_go_live"]
facts = st.columns([1, 3, 2, 2])
facts[0].metric("Type", facility["facility_type"])
facts[1].markdown(
    f"**District** {district_name}  \n**Block** {facility['block'] or '–'}  \n"
    f"**HFR ID** {facility_id}"
)
facts[2].metric("e-Hospital go-live", fmt.day(go_live if isinstance(go_live, date) else None))
facts[3].metric(
    "Last registration",
    fmt.day(last),
    None if last is None else f"{(as_of - last).days} days before the data's as-of day",
    delta_color="off",
)

staff = data.facility_staff(facility_id)
if staff is None:
    st.caption("HPR coverage of staff: not available in this database.")
elif staff.empty:
    st.caption("HPR coverage of staff: no staff recorded for this facility.")
else:
    staff = staff.assign(
        coverage=[
            adoption_rate(int(r), int(p))
            for r, p in zip(staff["hpr_registered"], staff["in_post"], strict=True)
        ]
    )
    st.dataframe(
        staff,
        hide_index=True,
        column_config={
            "cadre": "Cadre",
            "in_post": "Staff in post",
            "hpr_registered": "On HPR",
            "coverage": st.column_config.ProgressColumn(
                "HPR coverage", format="percent", min_value=0, max_value=1
            ),
        },
    )

# --- figures of the period ----------------------------------------------------------------------
totals = data.counts(filters.period, scope)
registrations = int(totals["opd_registrations"].sum()) if not totals.empty else 0
if registrations == 0:
    st.info(
        f"No registrations at {facility['name_en']} in {fmt.period(filters.start, filters.end)}."
    )
    st.stop()
linked = int(totals["abha_linked"].sum())
kpis = st.columns(3)
kpis[0].metric("OPD registrations", fmt.count(registrations))
kpis[1].metric("ABHA-linked", fmt.count(linked))
kpis[2].metric("ABHA adoption", fmt.percent(adoption_rate(linked, registrations)))

left, right = st.columns(2)
grain = "week" if filters.period.days <= 120 else "month"
trend = with_adoption_rate(data.counts(filters.period, scope, grain=grain))
left.subheader(f"Registrations and adoption, by {grain}")
base = alt.Chart(trend).encode(x=alt.X("period_start:T", title=grain.capitalize()))
left.altair_chart(
    alt.layer(
        base.mark_bar(opacity=0.35).encode(
            y=alt.Y("opd_registrations:Q", title="OPD registrations"),
            tooltip=[
                alt.Tooltip("period_start:T", title=grain.capitalize(), format="%d-%m-%Y"),
                alt.Tooltip("opd_registrations:Q", title="OPD registrations", format=","),
                alt.Tooltip("abha_share:Q", title="ABHA adoption", format=".1%"),
            ],
        ),
        base.mark_line(point=True, color="#1b7837").encode(
            y=alt.Y("abha_share:Q", title="ABHA adoption", axis=alt.Axis(format="%"))
        ),
    )
    .resolve_scale(y="independent")
    .properties(height=280),
    width="stretch",
)

channels = data.counts(filters.period, scope, by=["channel"])
right.subheader("How patients registered")
right.altair_chart(charts.channel_mix(channels, height=280), width="stretch")

st.subheader("Departments")
departments = with_adoption_rate(data.departments(filters.period, scope))
st.altair_chart(
    alt.Chart(departments)
    .mark_bar()
    .encode(
        x=alt.X("opd_registrations:Q", title="OPD registrations"),
        y=alt.Y("department:N", title=None, sort="-x"),
        color=alt.Color(
            "abha_share:Q",
            title="ABHA adoption",
            scale=alt.Scale(scheme="viridis", domain=[0, 1]),
            legend=alt.Legend(format="%"),
        ),
        tooltip=[
            alt.Tooltip("department:N", title="Department"),
            alt.Tooltip("opd_registrations:Q", title="OPD registrations", format=","),
            alt.Tooltip("abha_share:Q", title="ABHA adoption", format=".1%"),
        ],
    )
    .properties(height=max(160, 26 * len(departments))),
    width="stretch",
)

# --- incentive estimate ------------------------------------------------------------------------
st.subheader("Digital Health Incentive: an estimate")
with st.expander("The rule used (change it to see another estimate)"):
    rupees = st.number_input("Rupees per ABHA-linked transaction", 0.0, 1000.0, 20.0, 5.0)
    base_count = st.number_input("Monthly base (transactions not paid for)", 0, 100_000, 100, 10)
    until = st.date_input("Scheme valid until", date(2025, 6, 30), format="DD-MM-YYYY")
rule = IncentiveRule(rupees_per_transaction=rupees, monthly_base=int(base_count), valid_until=until)
monthly = data.counts(filters.period, scope, grain="month").set_index("period_start")["abha_linked"]
estimate = incentive_estimate(monthly, rule)
in_scheme = estimate[estimate["in_scheme"]]
total = float(in_scheme["estimate_rupees"].sum())
st.metric("Estimated incentive in the period", f"₹ {fmt.count(round(total))}")
st.caption(
    f"An estimate, not a payment: ₹{rupees:g} per ABHA-linked registration above {base_count} a "
    f"month, for months from {fmt.day(rule.valid_from)} to {fmt.day(rule.valid_until)} "
    "(the scheme's announced extension; its status after that is not public). Months outside "
    "the scheme count nothing. Whole months of the period only are meaningful."
)
st.dataframe(
    estimate.reset_index(),
    hide_index=True,
    column_config={
        "period_start": st.column_config.DateColumn("Month", format="MMM YYYY"),
        "abha_linked": "ABHA-linked",
        "eligible": "Above the base",
        "estimate_rupees": st.column_config.NumberColumn("Estimate (₹)", format="%.0f"),
        "in_scheme": "In the scheme",
    },
)
