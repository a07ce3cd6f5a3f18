"""Data quality: is a low figure real, or a data gap?"""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from data_access.queries import Period
from metrics.definitions import QUALITY_KINDS
from metrics.quality import below_usual, silent_facilities
from ui import data
from ui import format as fmt
from ui.filters import facilities_in_scope, scope_caption

filters = st.session_state["filters"]
districts, facilities = data.districts(), data.facilities()
first_day, as_of = data.data_span()
st.header("Data quality")
st.caption(
    "Facilities that have gone quiet, the freshness of each facility's data, and every "
    "problem the counting rules find, so that nobody reads a data gap as low adoption. "
    + scope_caption(filters, districts, facilities)
)

in_scope = facilities_in_scope(filters, facilities)
names = facilities.set_index("facility_id")["name_en"]

# --- silent and quiet facilities ------------------------------------------------------------
silent_days = st.slider("Silent for at least (days)", 1, 60, 3, key="dq_silent_days")
last_days = data.last_registration_days(filters.scope).set_index("facility_id")
silent = silent_facilities(last_days["last_registration"], as_of, silent_days)
recent = Period(max(first_day, as_of - timedelta(days=62)), as_of)
daily = data.counts(recent, filters.scope, by=["facility"], grain="day").rename(
    columns={"period_start": "day", "opd_registrations": "registrations"}
)
quiet = below_usual(daily[["facility_id", "day", "registrations"]], as_of)

left, right = st.columns(2)
left.subheader(f"Silent for {silent_days}+ days")
if silent.empty:
    left.success(f"Every facility in scope registered someone in the last {silent_days} days.")
else:
    shown = silent.assign(facility=silent["facility_id"].map(names))
    left.dataframe(
        shown[["facility", "facility_id", "last_registration", "days_silent"]],
        hide_index=True,
        column_config={
            "facility": "Facility",
            "facility_id": "HFR ID",
            "last_registration": st.column_config.DateColumn(
                "Last registration", format="DD-MM-YYYY"
            ),
            "days_silent": "Days silent",
        },
    )
right.subheader("Far below their usual volume")
right.caption("Last 7 days' daily mean under half of the 8 weeks before.")
if quiet.empty:
    right.success("No facility in scope is far below its usual volume.")
else:
    shown = quiet.assign(facility=quiet["facility_id"].map(names))
    right.dataframe(
        shown[["facility", "recent_mean", "baseline_mean", "ratio"]],
        hide_index=True,
        column_config={
            "facility": "Facility",
            "recent_mean": st.column_config.NumberColumn("Last 7 days, a day", format="%.1f"),
            "baseline_mean": st.column_config.NumberColumn("Usual, a day", format="%.1f"),
            "ratio": st.column_config.NumberColumn("Ratio", format="percent"),
        },
    )

# --- freshness ----------------------------------------------------------------------------------
st.subheader("Freshness of each facility's data")
fresh = in_scope[["facility_id", "name_en", "facility_type", "ehospital_go_live"]].merge(
    last_days.reset_index(), on="facility_id", how="left"
)
fresh["days_since"] = [
    None if last is None or last != last else (as_of - last).days
    for last in fresh["last_registration"]
]
st.dataframe(
    fresh.sort_values(["days_since", "name_en"], ascending=[False, True], na_position="first"),
    hide_index=True,
    column_config={
        "facility_id": "HFR ID",
        "name_en": "Facility",
        "facility_type": "Type",
        "ehospital_go_live": st.column_config.DateColumn("Go-live", format="DD-MM-YYYY"),
        "last_registration": st.column_config.DateColumn("Last registration", format="DD-MM-YYYY"),
        "days_since": "Days since",
    },
)

# --- counting-rule problems ---------------------------------------------------------------------
st.subheader("Problems the counting rules find")
st.caption(
    f"In {fmt.period(filters.start, filters.end)}; invalid timestamps have no day and are "
    "shown whatever the period. Rows of unknown facilities are listed under the ID recorded."
)
totals = data.data_quality(filters.period).set_index("kind")["rows"]
labels = {k.key: k.label for k in QUALITY_KINDS}
cols = st.columns(4)
for i, kind in enumerate(QUALITY_KINDS):
    cols[i % 4].metric(kind.label, fmt.count(int(totals.get(kind.key, 0))), help=kind.definition)
per_facility = data.data_quality(filters.period, by_facility=True)
per_facility["facility_id"] = per_facility["facility_id"].fillna("(none recorded)")
known = set(facilities["facility_id"])
if filters.scope.districts or filters.scope.facilities or filters.scope.facility_types:
    in_ids = set(in_scope["facility_id"])
    per_facility = per_facility[
        per_facility["facility_id"].isin(in_ids) | ~per_facility["facility_id"].isin(known)
    ]
if per_facility.empty:
    st.success("No problems in this period and scope.")
else:
    table = per_facility.pivot_table(
        index="facility_id", columns="kind", values="rows", aggfunc="sum", fill_value=0
    ).reset_index()
    table.insert(1, "facility", table["facility_id"].map(names).fillna("(not in the registry)"))
    st.dataframe(table.rename(columns=labels), hide_index=True)
