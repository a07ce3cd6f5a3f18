"""Facility profile: one facility's facts, trends, channels, departments and incentive."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from data_access.config import IncentivePeriod, load_settings
from data_access.contract import GENDERS
from data_access.queries import Scope
from data_access.rules import AGE_BAND_LABELS, UNKNOWN
from i18n.markdown import literal, literal_cells
from metrics.adoption import adoption_rate, with_adoption_rate
from metrics.facilities import profile_order
from metrics.incentive import IncentiveRule, incentive_estimate
from press.files import suppress_small_counts
from ui import charts, data
from ui.exports import exports_of_facility, show_chart, show_table, table_downloads
from ui.frame import open_page

BREAKDOWN_ORDER = {"gender": (*GENDERS, UNKNOWN), "age_band": AGE_BAND_LABELS}

page = open_page("facility", caption=False)
w, filters, facilities = page.w, page.filters, page.facilities
_, as_of = data.data_span()

candidates = page.in_scope if filters.in_districts or filters.blocks else facilities
candidates = profile_order(candidates)
if candidates.empty:
    st.info(w("facility.none_in_districts"))
    st.stop()
names = page.facility_names
labels = {f: f"{names.get(f, f)} · {f}" for f in candidates["facility_id"]}
ids = list(labels)
# The facility chosen in the filters, else the scope's largest: its district hospital.
preferred = next((f for f in filters.facilities if f in labels), ids[0])
if st.session_state.get("profile_facility") not in labels:
    st.session_state["profile_facility"] = preferred
facility_id = st.selectbox(
    w("facility.pick"), ids, format_func=labels.__getitem__, key="profile_facility"
)
facility = facilities.set_index("facility_id").loc[facility_id]
facility_name = names.get(facility_id, facility_id)
district_name = page.district_names.get(int(facility["district_lgd"]), "–")
scope = Scope.of(facilities=[facility_id])
exports_of_facility(facility_id)
st.caption(w.markdown("facility.caption", facility=facility_name, period=page.period_text))

# --- facts -------------------------------------------------------------------------------------
last_days = data.last_registration_days(scope)
last = last_days["last_registration"].iloc[0] if not last_days.empty else None
last = None if last is None or pd.isna(last) else last
go_live, block = facility["ehospital_go_live"], facility["block"]


def _days_before_as_of(days: int) -> str:
    if days == 0:
        return w("facility.on_as_of_day")
    if days == 1:
        return w("facility.one_day_before_as_of")
    return w("facility.days_before_as_of", days=w.count(days))


if last is None:
    last_shown = w("common.never")
else:
    last_shown = f"{w.day(last)} ({_days_before_as_of((as_of - last).days)})"


def _facts(*lines: tuple[str, str]) -> str:
    return "  \n".join(f"**{w(label)}** {literal(value)}" for label, value in lines)


left, right = st.columns(2)
left.markdown(
    _facts(
        ("common.facility_type", w.label("facility_type", facility["facility_type"])),
        ("common.district", district_name),
        (
            "common.block",
            w.label("block", block.strip()) if isinstance(block, str) and block.strip() else "–",
        ),
        ("common.hfr_id", facility_id),
    )
)
right.markdown(
    _facts(
        ("facility.go_live", w.day(go_live if isinstance(go_live, date) else None)),
        ("facility.last_registration", last_shown),
    )
)

staff = data.facility_staff(facility_id)
staff_title = w("facility.staff_title")
if staff is None:
    st.caption(w("facility.staff_not_available", title=staff_title))
elif staff.empty:
    st.caption(w("facility.staff_none", title=staff_title))
else:
    st.markdown(f"**{staff_title}**")
    cadre, in_post, on_hpr, coverage = (
        w("facility.cadre"),
        w("facility.in_post"),
        w("facility.on_hpr"),
        w("facility.hpr_coverage"),
    )
    shares = [
        adoption_rate(int(r), int(p))
        for r, p in zip(staff["hpr_registered"], staff["in_post"], strict=True)
    ]
    show_table(
        pd.DataFrame(
            {
                cadre: [w.label("facility.cadre", code) for code in staff["cadre"]],
                in_post: staff["in_post"].astype("int64").to_numpy(),
                on_hpr: staff["hpr_registered"].astype("int64").to_numpy(),
                # a percentage rounded for display: 61.8, not 0.61764…
                coverage: [None if s is None else round(100 * s, 1) for s in shares],
            }
        ),
        what="hpr-coverage-of-staff",
        title=staff_title,
        key="profile_staff",
        column_config={
            coverage: st.column_config.ProgressColumn(
                coverage, format="%.1f%%", min_value=0, max_value=100
            )
        },
    )

# --- figures of the period ----------------------------------------------------------------------
totals = data.counts(filters.period, scope)
registrations = int(totals["opd_registrations"].sum()) if not totals.empty else 0
if registrations == 0:
    st.info(
        w.markdown(
            "facility.no_registrations",
            facility=facility_name,
            period=w.period_phrase(filters.start, filters.end),
        )
    )
    st.stop()
linked = int(totals["abha_linked"].sum())
opd, abha_linked, adoption = (
    w("figure.opd_registrations"),
    w("figure.abha_linked"),
    w("figure.abha_share"),
)
kpis = st.columns(3)
for where, figure, value in (
    (kpis[0], "opd_registrations", w.count(registrations)),
    (kpis[1], "abha_linked", w.count(linked)),
    (kpis[2], "abha_share", w.percent(adoption_rate(linked, registrations))),
):
    where.metric(w(f"figure.{figure}"), value, help=w(f"figure.{figure}.definition"))

# --- by gender and age, small counts suppressed ------------------------------------------------
threshold = load_settings().small_number_threshold
small = w("export.small_number", threshold=threshold)
hidden = w("export.hidden_number")


def _breakdown(by: str) -> pd.DataFrame:
    """Registrations and ABHA-linked by gender or age band, counts below the threshold hidden.

    The same table is shown and exported: no one can be singled out at a small facility.
    Each column adds up to a tile above (and to the trend, channels and departments
    below), so the counts hidden with a "<5" keep it from being worked out
    (metrics.suppression); every category is listed, with its zeros, for that rule.
    """
    counts = data.counts(filters.period, scope, by=[by])
    known = BREAKDOWN_ORDER[by]
    codes = [*known, *sorted(c for c in counts[by].unique() if c not in known)]
    counts = (
        counts.groupby(by)[["opd_registrations", "abha_linked"]].sum().reindex(codes, fill_value=0)
    )
    table = pd.DataFrame(
        {
            w(f"common.{by}"): [w.label(by, code) for code in counts.index],
            opd: counts["opd_registrations"].astype("int64").to_numpy(),
            abha_linked: counts["abha_linked"].astype("int64").to_numpy(),
        }
    )
    return suppress_small_counts(
        table,
        [opd, abha_linked],
        threshold,
        shown_as=small,
        hidden_as=hidden,
        within=[(abha_linked, opd)],
    )


def _as_text(table: pd.DataFrame) -> pd.DataFrame:
    """Counts with Indian digit grouping; the suppressed ones as they are ("<5")."""
    return table.assign(
        **{
            column: [v if isinstance(v, str) else w.count(v) for v in table[column]]
            for column in (opd, abha_linked)
        }
    )


people_title = w("facility.people_title")
st.subheader(people_title)
small_note = w("export.small_number_note", threshold=threshold)
hidden_note = w("export.hidden_number_note", threshold=threshold, hidden=hidden)
hides_more = False
for where, by in zip(st.columns(2), ("gender", "age_band"), strict=True):
    table = _breakdown(by)
    title = w(f"facility.by_{by}_title")
    shown_hidden = table[[opd, abha_linked]].isin([hidden]).to_numpy().any()
    hides_more = hides_more or bool(shown_hidden)
    where.markdown(f"**{w(f'facility.by_{by}')}**")
    where.table(literal_cells(_as_text(table)), hide_index=True, border="horizontal")
    with where.container():
        table_downloads(
            table,
            what=f"opd-registrations-by-{by.replace('_', '-')}",
            title=title,
            key=f"profile_{by}",
            notes=[small_note, hidden_note] if shown_hidden else [],
        )
if threshold > 1:
    st.caption(small_note)
if hides_more:
    st.caption(hidden_note)

# --- registrations over time, channels ---------------------------------------------------------
left, right = st.columns(2)
grain = "week" if filters.period.days <= 120 else "month"
trend = with_adoption_rate(data.counts(filters.period, scope, grain=grain))
when = w(f"common.{grain}")
drawn = pd.DataFrame(
    {
        when: pd.to_datetime(trend["period_start"]),
        opd: trend["opd_registrations"],
        abha_linked: trend["abha_linked"],
        adoption: trend["abha_share"],
    }
)
date_format = "%d-%m-%Y" if grain == "week" else "%b %Y"
trend_title = w(f"facility.trend_title.{grain}")
left.subheader(trend_title)
base = alt.Chart(drawn).encode(
    x=alt.X(field=when, type="temporal", title=when, axis=alt.Axis(format=date_format))
)
show_chart(
    alt.layer(
        base.mark_bar(opacity=0.35).encode(
            y=alt.Y(field=opd, type="quantitative", title=opd),
            tooltip=[
                alt.Tooltip(field=when, type="temporal", title=when, format=date_format),
                alt.Tooltip(field=opd, type="quantitative", title=opd, format=","),
                alt.Tooltip(field=abha_linked, type="quantitative", title=abha_linked, format=","),
                alt.Tooltip(field=adoption, type="quantitative", title=adoption, format=".1%"),
            ],
        ),
        base.mark_line(point=True, color="#1b7837").encode(
            y=alt.Y(field=adoption, type="quantitative", title=adoption, axis=alt.Axis(format="%"))
        ),
    )
    .resolve_scale(y="independent")
    .properties(height=280),
    drawn,
    what=f"registrations-and-abha-adoption-by-{grain}",
    title=trend_title,
    notes=[w("figure.opd_registrations.definition"), w("figure.abha_share.definition")],
    key="profile_trend",
    where=left,
)

channels_title = w("facility.channels_title")
right.subheader(channels_title)
mix = charts.channel_mix(data.counts(filters.period, scope, by=["channel"]), w, height=280)
show_chart(
    mix,
    mix.data,
    what="channel-mix",
    title=channels_title,
    notes=[w("figure.opd_registrations.definition")],
    key="profile_channels",
    where=right,
)

# --- departments ---------------------------------------------------------------------------------
departments_title = w("facility.departments_title")
st.subheader(departments_title)
by_department = with_adoption_rate(data.departments(filters.period, scope))
department = w("facility.department")
departments = pd.DataFrame(
    {
        department: [w.label("facility.department", d) for d in by_department["department"]],
        opd: by_department["opd_registrations"].to_numpy(),
        abha_linked: by_department["abha_linked"].to_numpy(),
        adoption: by_department["abha_share"].to_numpy(),
    }
)
show_chart(
    alt.Chart(departments)
    .mark_bar()
    .encode(
        x=alt.X(field=opd, type="quantitative", title=opd),
        y=alt.Y(field=department, type="nominal", title=None, sort="-x"),
        color=alt.Color(
            field=adoption,
            type="quantitative",
            title=adoption,
            scale=alt.Scale(scheme="viridis", domain=[0, 1]),
            legend=alt.Legend(format="%"),
        ),
        tooltip=[
            alt.Tooltip(field=department, type="nominal", title=department),
            alt.Tooltip(field=opd, type="quantitative", title=opd, format=","),
            alt.Tooltip(field=abha_linked, type="quantitative", title=abha_linked, format=","),
            alt.Tooltip(field=adoption, type="quantitative", title=adoption, format=".1%"),
        ],
    )
    .properties(height=alt.Step(28)),
    departments,
    what="registrations-by-department",
    title=departments_title,
    notes=[w("figure.opd_registrations.definition"), w("figure.abha_share.definition")],
    key="profile_departments",
)

# --- incentive estimate ------------------------------------------------------------------------
incentive_title = w("facility.incentive_title")
st.subheader(incentive_title)
rule = IncentiveRule(load_settings().incentive)
monthly = data.counts(filters.period, scope, grain="month").set_index("period_start")["abha_linked"]
estimate = incentive_estimate(monthly, rule)
outside = w("facility.outside_scheme")
total = round(float(estimate["estimate_rupees"].sum()))
shown_total = w("facility.rupees_value", amount=w.count(total))
st.metric(w("facility.estimate_total"), shown_total if estimate["in_scheme"].any() else outside)


def _rule_period(period: IncentivePeriod) -> str:
    rupees, base = f"{period.rupees_per_transaction:g}", w.count(period.monthly_base)
    start = w.day(period.valid_from)
    if period.valid_until is None:
        return w("facility.rule_period_open", rupees=rupees, base=base, start=start)
    end = w.day(period.valid_until)
    return w("facility.rule_period", rupees=rupees, base=base, start=start, end=end)


rule_text = "; ".join(map(_rule_period, rule.periods)) or w("facility.rule_none")
estimate_note = w("facility.estimate_note", rule=rule_text)
st.caption(estimate_note)
month, above_base, rupees_estimate = (
    w("common.month"),
    w("facility.above_base"),
    w("facility.estimate_rupees"),
)
months = pd.to_datetime(pd.Series(estimate.index)).dt.date
show_table(
    pd.DataFrame(
        {
            month: months.map(w.month_year).to_numpy(),
            abha_linked: estimate["abha_linked"].astype("int64").to_numpy(),
            above_base: [outside if pd.isna(n) else int(n) for n in estimate["eligible"]],
            rupees_estimate: [
                outside if pd.isna(r) else round(r) for r in estimate["estimate_rupees"]
            ],
            w("facility.in_scheme"): [
                w("common.yes") if inside else w("common.no") for inside in estimate["in_scheme"]
            ],
        }
    ),
    what="digital-health-incentive-estimate",
    title=incentive_title,
    key="profile_incentive",
    notes=[estimate_note],
    column_config={
        column: st.column_config.NumberColumn(format="localized")
        for column in (abha_linked, above_base, rupees_estimate)
        # a month outside the scheme has words, not a number, in the estimate's columns
        if column == abha_linked or estimate["in_scheme"].all()
    },
)
