"""Data quality: is a low figure real, or a data gap?"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from data_access.config import load_settings
from data_access.queries import Period
from metrics.definitions import QUALITY_KINDS
from metrics.facilities import on_ehospital_by
from metrics.quality import below_usual, reconcile, silent_facilities
from ui import data
from ui.exports import show_table
from ui.frame import open_page

page = open_page("data_quality")
w, filters = page.w, page.filters
first_day, as_of = data.data_span()
in_scope = page.in_scope
names = page.facility_names
facility, hfr_id = w("common.facility"), w("common.hfr_id")
last_registration = w("data_quality.last_registration")
day_format = "DD-MM-YYYY"
DASH = "–"

# --- silent and quiet facilities ------------------------------------------------------------
silent_days = st.slider(  # starts where the silent-facility alert does ([alerts] silent_days)
    w("data_quality.silent_days"),
    1,
    60,
    min(60, load_settings().alerts.silent_days),
    key="dq_silent_days",
)
last_days = data.last_registration_days(filters.scope).set_index("facility_id")
# Only facilities that could have reported: live by the data's last day, or that reported
# (a planned or later-scheduled one is not silent; the Overview does not count it either).
reported = last_days.index[last_days["last_registration"].notna()]
could_report = on_ehospital_by(in_scope, as_of, reported)["facility_id"]
last_days = last_days[last_days.index.isin(list(could_report))]
silent = silent_facilities(last_days["last_registration"], as_of, silent_days)
recent = Period(max(first_day, as_of - timedelta(days=62)), as_of)
daily = data.counts(recent, filters.scope, by=["facility"], grain="day").rename(
    columns={"period_start": "day", "opd_registrations": "registrations"}
)
quiet = below_usual(daily[["facility_id", "day", "registrations"]], as_of)

left, right = st.columns(2)
silent_title = w("data_quality.silent_title", days=w.count(silent_days))
left.subheader(silent_title)
if silent.empty:
    left.success(w("data_quality.none_silent", days=w.count(silent_days)))
else:
    days_silent = w("data_quality.days_silent")
    show_table(
        pd.DataFrame(
            {
                facility: silent["facility_id"].map(names),
                hfr_id: silent["facility_id"],
                last_registration: silent["last_registration"],
                days_silent: silent["days_silent"],
            }
        ),
        what=f"facilities-silent-{silent_days}-days-or-more",
        title=silent_title,
        key="dq_silent",
        where=left,
        column_config={
            last_registration: st.column_config.DateColumn(format=day_format),
        },
        placeholder=w("common.never"),  # only a facility that never registered has none
    )
quiet_title = w("data_quality.quiet_title")
right.subheader(quiet_title)
right.caption(w("data_quality.quiet_caption"))
if quiet.empty:
    right.success(w("data_quality.none_quiet"))
else:
    recent_mean, baseline_mean, ratio = (
        w("data_quality.recent_mean"),
        w("data_quality.baseline_mean"),
        w("data_quality.ratio"),
    )
    show_table(
        pd.DataFrame(
            {
                facility: quiet["facility_id"].map(names),
                hfr_id: quiet["facility_id"],
                recent_mean: quiet["recent_mean"].round(1),
                baseline_mean: quiet["baseline_mean"].round(1),
                ratio: quiet["ratio"],
            }
        ),
        what="facilities-below-usual",
        title=quiet_title,
        key="dq_quiet",
        where=right,
        notes=[w("data_quality.quiet_caption")],
        column_config={
            recent_mean: st.column_config.NumberColumn(format="%.1f"),
            baseline_mean: st.column_config.NumberColumn(format="%.1f"),
            ratio: st.column_config.NumberColumn(format="percent"),
        },
    )

# --- freshness ----------------------------------------------------------------------------------
freshness_title = w("data_quality.freshness_title")
st.subheader(freshness_title)
fresh = in_scope[["facility_id", "facility_type", "ehospital_go_live"]].merge(
    last_days.reset_index(), on="facility_id", how="left"
)
fresh["name"] = fresh["facility_id"].map(names)
fresh["days_since"] = [
    None if last is None or last != last else (as_of - last).days
    for last in fresh["last_registration"]
]
fresh = fresh.sort_values(["days_since", "name"], ascending=[False, True], na_position="first")
go_live, days_since = w("data_quality.go_live"), w("data_quality.days_since")
show_table(
    pd.DataFrame(
        {
            facility: fresh["name"],
            hfr_id: fresh["facility_id"],
            w("common.facility_type"): [
                w.label("facility_type", t) for t in fresh["facility_type"]
            ],
            go_live: [
                w.day(day) if isinstance(day, date) else DASH for day in fresh["ehospital_go_live"]
            ],
            last_registration: fresh["last_registration"],
            days_since: fresh["days_since"].astype("Int64"),
        }
    ),
    what="data-freshness",
    title=freshness_title,
    key="dq_freshness",
    column_config={
        last_registration: st.column_config.DateColumn(format=day_format),
    },
    placeholder=w("common.never"),  # no last registration, no days since: never registered
)

# --- counting-rule problems ---------------------------------------------------------------------
problems_title = w("data_quality.problems_title")
st.subheader(problems_title)
st.caption(w("data_quality.problems_caption", period=w.period(filters.start, filters.end)))
totals = data.data_quality(filters.period).set_index("kind")["rows"]
labels = {kind.key: w(f"quality.{kind.key}") for kind in QUALITY_KINDS}
cols = st.columns(4)
for i, kind in enumerate(QUALITY_KINDS):
    cols[i % 4].metric(
        labels[kind.key],
        w.count(int(totals.get(kind.key, 0))),
        help=w(f"quality.{kind.key}.definition"),
    )
per_facility = data.data_quality(filters.period, by_facility=True)
per_facility["facility_id"] = per_facility["facility_id"].fillna(w("data_quality.none_recorded"))
known = set(page.facilities["facility_id"])
if filters.scope.districts or filters.scope.facilities or filters.scope.facility_types:
    in_ids = set(in_scope["facility_id"])
    per_facility = per_facility[
        per_facility["facility_id"].isin(in_ids) | ~per_facility["facility_id"].isin(known)
    ]
if per_facility.empty:
    st.success(w("data_quality.no_problems"))
else:
    table = per_facility.pivot_table(
        index="facility_id", columns="kind", values="rows", aggfunc="sum", fill_value=0
    )
    found = [kind.key for kind in QUALITY_KINDS if kind.key in table.columns]
    shown = pd.DataFrame(
        {
            facility: table.index.map(names).fillna(w("data_quality.not_in_registry")),
            hfr_id: table.index,
        }
    )
    for kind in found:
        shown[labels[kind]] = table[kind].astype("int64").to_numpy()
    show_table(
        shown,
        what="data-quality-problems",
        title=w("data_quality.problems_table_title"),
        key="dq_problems",
    )

# --- every row accounted for --------------------------------------------------------------------
accounts_title = w("data_quality.accounts_title")
st.subheader(accounts_title)
st.caption(w("data_quality.accounts_caption"))
accounts = data.row_accounts()
if accounts is None:
    st.info(w("data_quality.accounts_whole_division"))
else:
    in_period = reconcile(*data.row_accounts(filters.period))  # type: ignore[misc]
    books = reconcile(*accounts)
    kinds = list(books.excluded)
    lines = [
        (w("data_quality.source_rows"), in_period.source_rows, books.source_rows),
        (w("data_quality.counted"), in_period.counted, books.counted),
        *((labels.get(k, k), in_period.excluded.get(k, 0), books.excluded[k]) for k in kinds),
        (w("data_quality.difference"), in_period.difference, books.difference),
    ]
    show_table(
        pd.DataFrame(
            {
                accounts_title: [name for name, _, _ in lines],
                w.period(filters.start, filters.end): [n for _, n, _ in lines],
                w("data_quality.all_days"): [n for _, _, n in lines],
            }
        ),
        what="rows-accounted-for",
        title=accounts_title,
        key="dq_accounts",
    )
    if books.balances and in_period.balances:
        st.success(w("data_quality.accounts_balance", rows=w.count(books.source_rows)))
    else:
        off = max(abs(books.difference), abs(in_period.difference))
        st.error(w("data_quality.accounts_off", rows=w.count(off)))
    st.caption(w("data_quality.accounts_checked"))
