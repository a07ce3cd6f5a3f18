"""Aggregate queries for the pages and the command line.

Everything here reads the analytics store (never the registration table) with SQLAlchemy
Core and bound parameters, and returns tidy DataFrames of counts: one row per group, the
group keys as columns, then ``opd_registrations`` and ``abha_linked``.

:func:`source_registration_counts` computes the same frame straight from the registration
database, through the same counting rules; the tests hold the two to each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

from data_access import contract as src
from data_access import store as st
from data_access.errors import BadFilter
from data_access.refresh import aggregate_window, ist_now
from data_access.rules import EXCLUDED_STATUSES, FLAG_COLUMNS, RowWindow

GRAINS = {
    "day": "day",
    "week": "iso_week_start",
    "month": "month_start",
    "quarter": "quarter_start",
    "fy": "fy_start",
}
FACILITY_BREAKDOWNS = {
    "facility": "facility_id",
    "district": "district_lgd",
    "facility_type": "facility_type",
}
DETAIL_BREAKDOWNS = ("channel", "visit_type", "gender", "age_band")
BREAKDOWNS = (*FACILITY_BREAKDOWNS, *DETAIL_BREAKDOWNS)
FIGURES = ("opd_registrations", "abha_linked")


@dataclass(frozen=True)
class Period:
    """A closed range of calendar days (rule 6): both days included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise BadFilter(
                f"the period starts on {self.start:%d-%m-%Y}, after it ends on "
                f"{self.end:%d-%m-%Y}; swap the dates"
            )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Scope:
    """Which facilities a figure covers; an empty set means no restriction on that level."""

    districts: frozenset[int] = field(default_factory=frozenset)
    facilities: frozenset[str] = field(default_factory=frozenset)
    facility_types: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(
        cls,
        districts: Sequence[int] = (),
        facilities: Sequence[str] = (),
        facility_types: Sequence[str] = (),
    ) -> Scope:
        return cls(frozenset(districts), frozenset(facilities), frozenset(facility_types))

    def conditions(self, facility: sa.FromClause) -> list[sa.ColumnElement[bool]]:
        """WHERE conditions on a table with the facility columns of the contract."""
        conds: list[sa.ColumnElement[bool]] = []
        if self.districts:
            conds.append(facility.c.district_lgd.in_(sorted(self.districts)))
        if self.facilities:
            conds.append(facility.c.facility_id.in_(sorted(self.facilities)))
        if self.facility_types:
            conds.append(facility.c.facility_type.in_(sorted(self.facility_types)))
        return conds


EVERYWHERE = Scope()
"""No restriction: every facility of the data."""


def _check_breakdowns(by: Sequence[str], grain: str | None) -> None:
    unknown = [b for b in by if b not in BREAKDOWNS]
    if unknown:
        raise BadFilter(
            f"cannot break figures down by {', '.join(unknown)}; "
            f"choose from {', '.join(BREAKDOWNS)}"
        )
    if grain is not None and grain not in GRAINS:
        raise BadFilter(f"unknown time grain '{grain}'; choose from {', '.join(GRAINS)}")


def _key_column(name: str) -> str:
    return FACILITY_BREAKDOWNS.get(name, name)


def _empty_frame(keys: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {k: pd.Series(dtype=object) for k in keys} | {f: pd.Series(dtype="int64") for f in FIGURES}
    )


def registration_counts(
    store: sa.Engine,
    period: Period,
    scope: Scope = EVERYWHERE,
    by: Sequence[str] = (),
    grain: str | None = None,
) -> pd.DataFrame:
    """OPD registrations and ABHA-linked ones per group, from the analytics store.

    ``by``: any of facility, district, facility_type, channel, visit_type, gender,
    age_band. ``grain``: day, week (ISO, Monday start), month, quarter or fy (Indian
    financial year); its bucket's first day comes back as ``period_start``.
    """
    _check_breakdowns(by, grain)
    detail = any(b in DETAIL_BREAKDOWNS for b in by)
    t = st.summary_detail if detail else st.summary_daily
    f = st.dim_facilities
    joined = t.join(f, f.c.facility_id == t.c.facility_id)
    keys: list[sa.ColumnElement] = []
    if grain is not None:
        cal = st.calendar_days
        joined = joined.join(cal, cal.c.day == t.c.day)
        keys.append(cal.c[GRAINS[grain]].label("period_start"))
    for name in by:
        column = _key_column(name)
        keys.append((f.c[column] if name in FACILITY_BREAKDOWNS else t.c[column]).label(column))
    stmt = (
        sa.select(
            *keys,
            sa.func.sum(t.c.registrations).label("opd_registrations"),
            sa.func.sum(t.c.abha_linked).label("abha_linked"),
        )
        .select_from(joined)
        .where(t.c.day.between(period.start, period.end), *scope.conditions(f))
        .group_by(*keys)
        .order_by(*keys)
    )
    with store.connect() as conn:
        frame = pd.DataFrame(conn.execute(stmt).mappings().all())
    names = [k.name for k in keys]
    if frame.empty:
        return _empty_frame(names)
    if not keys and frame["opd_registrations"].isna().all():
        frame[list(FIGURES)] = 0
    return frame.astype({fig: "int64" for fig in FIGURES})


def source_registration_counts(
    source: sa.Engine,
    period: Period,
    scope: Scope = EVERYWHERE,
    by: Sequence[str] = (),
    grain: str | None = None,
    now: datetime | None = None,
) -> pd.DataFrame:
    """The same frame as :func:`registration_counts`, computed from the registration database.

    The rows are classified by the same rules; the grouping happens here, apart from the
    store's SQL, so that the two paths check each other.
    """
    _check_breakdowns(by, grain)
    window = RowWindow(first_day=period.start, last_day=period.end)
    with source.connect() as conn:
        detail = aggregate_window(conn, window, now or ist_now()).detail
        fac = pd.DataFrame(
            conn.execute(
                sa.select(
                    src.facilities.c.facility_id,
                    src.facilities.c.district_lgd,
                    src.facilities.c.facility_type,
                )
            )
            .mappings()
            .all()
        )
    names = (["period_start"] if grain else []) + [_key_column(b) for b in by]
    frame = pd.DataFrame(detail)
    if frame.empty:
        return _empty_frame(names)
    frame = frame.merge(fac, on="facility_id", how="inner")
    if scope.districts:
        frame = frame[frame["district_lgd"].isin(scope.districts)]
    if scope.facilities:
        frame = frame[frame["facility_id"].isin(scope.facilities)]
    if scope.facility_types:
        frame = frame[frame["facility_type"].isin(scope.facility_types)]
    if grain:
        frame["period_start"] = [st.bucket_start(d, grain) for d in frame["day"]]
    frame = frame.rename(columns={"registrations": "opd_registrations"})
    if frame.empty:
        return _empty_frame(names)
    if not names:
        totals = frame[list(FIGURES)].sum()
        return pd.DataFrame([totals.to_dict()]).astype("int64")
    grouped = frame.groupby(names, as_index=False)[list(FIGURES)].sum()
    return (
        grouped.sort_values(names).reset_index(drop=True).astype({fig: "int64" for fig in FIGURES})
    )


def data_quality_counts(
    store: sa.Engine, period: Period | None = None, by_facility: bool = False
) -> pd.DataFrame:
    """Counts of each kind of problem in the counting rules.

    ``kind`` is one of the excluded kinds (rows kept out of every figure: duplicate,
    unknown_facility, invalid_timestamp) or a flag on counted registrations
    (before_go_live, malformed_abha, nonstandard_channel, nonstandard_visit_type,
    nonstandard_gender). Invalid timestamps have no day and are counted whatever the
    period.
    """
    q, d = st.quality_excluded, st.summary_daily
    excluded_keys = [q.c.facility_id] if by_facility else []
    excluded = sa.select(*excluded_keys, q.c.kind, sa.func.sum(q.c.rows).label("rows"))
    flags = sa.select(
        *([d.c.facility_id] if by_facility else []),
        *(sa.func.sum(d.c[name]).label(name) for name in FLAG_COLUMNS),
    )
    if period is not None:
        excluded = excluded.where(
            sa.or_(q.c.day.between(period.start, period.end), q.c.day.is_(None))
        )
        flags = flags.where(d.c.day.between(period.start, period.end))
    excluded = excluded.group_by(*excluded_keys, q.c.kind)
    if by_facility:
        flags = flags.group_by(d.c.facility_id)
    with store.connect() as conn:
        excluded_rows = [dict(r) for r in conn.execute(excluded).mappings()]
        flag_rows = [dict(r) for r in conn.execute(flags).mappings()]
    records = [{**r, "rows": int(r["rows"] or 0)} for r in excluded_rows]
    for row in flag_rows:
        base = {"facility_id": row["facility_id"]} if by_facility else {}
        for name in FLAG_COLUMNS:
            if row[name]:
                records.append({**base, "kind": name, "rows": int(row[name])})
    frame = pd.DataFrame(
        records, columns=[*(["facility_id"] if by_facility else []), "kind", "rows"]
    )
    if not by_facility:
        kinds = [*EXCLUDED_STATUSES, *FLAG_COLUMNS]
        frame = (
            frame.groupby("kind")["rows"].sum().reindex(kinds, fill_value=0).rename_axis("kind")
        ).reset_index()
    return frame.astype({"rows": "int64"})


def districts(store: sa.Engine) -> pd.DataFrame:
    with store.connect() as conn:
        rows = conn.execute(sa.select(st.dim_districts).order_by(st.dim_districts.c.lgd_code))
        return pd.DataFrame(rows.mappings().all(), columns=[c.name for c in st.dim_districts.c])


def facilities(store: sa.Engine) -> pd.DataFrame:
    f = st.dim_facilities
    with store.connect() as conn:
        rows = conn.execute(sa.select(f).order_by(f.c.district_lgd, f.c.facility_type, f.c.name_en))
        return pd.DataFrame(rows.mappings().all(), columns=[c.name for c in f.c])


def check_scope(store: sa.Engine, scope: Scope) -> None:
    """Raise BadFilter naming any district or facility the data does not know."""
    known_districts = set(districts(store)["lgd_code"].astype(int))
    known_facilities = set(facilities(store)["facility_id"])
    unknown_d = sorted(set(scope.districts) - known_districts)
    if unknown_d:
        raise BadFilter(
            f"no district with LGD code {', '.join(map(str, unknown_d))}; known: "
            f"{', '.join(map(str, sorted(known_districts)))}"
        )
    unknown_f = sorted(set(scope.facilities) - known_facilities)
    if unknown_f:
        raise BadFilter(
            f"no facility with HFR ID {', '.join(unknown_f)}; list them with "
            "'ehospital-dashboard figures --by facility'"
        )


def store_state(store: sa.Engine) -> dict[str, str]:
    t = st.refresh_state
    with store.connect() as conn:
        return {k: v for k, v in conn.execute(sa.select(t.c.key, t.c.value))}


def data_span(store: sa.Engine) -> tuple[date | None, date | None]:
    """First and last day with counted registrations."""
    d = st.summary_daily
    with store.connect() as conn:
        first, last = conn.execute(sa.select(sa.func.min(d.c.day), sa.func.max(d.c.day))).one()
    return first, last


def enrolment_counts(
    store: sa.Engine, period: Period, scope: Scope = EVERYWHERE, by: Sequence[str] = ()
) -> pd.DataFrame | None:
    """ABHA numbers created at the facilities in scope; None when the source has no
    ``abha_enrolments`` table (an optional table of the contract)."""
    if "abha_enrolments" not in optional_tables(store):
        return None
    _check_breakdowns(by, None)
    if any(b in DETAIL_BREAKDOWNS for b in by):
        raise BadFilter("enrolments are counted per facility and day only")
    e, f = st.enrolments_daily, st.dim_facilities
    keys = [f.c[_key_column(name)].label(_key_column(name)) for name in by]
    stmt = (
        sa.select(*keys, sa.func.coalesce(sa.func.sum(e.c.enrolments), 0).label("enrolments"))
        .select_from(e.join(f, f.c.facility_id == e.c.facility_id))
        .where(e.c.day.between(period.start, period.end), *scope.conditions(f))
        .group_by(*keys)
        .order_by(*keys)
    )
    with store.connect() as conn:
        frame = pd.DataFrame(conn.execute(stmt).mappings().all())
    if frame.empty:
        return pd.DataFrame({**{k.name: [] for k in keys}, "enrolments": []}).astype(
            {"enrolments": "int64"}
        )
    return frame.astype({"enrolments": "int64"})


def optional_tables(store: sa.Engine) -> set[str]:
    """Which optional tables of the contract the source had at the last refresh."""
    import json

    return set(json.loads(store_state(store).get("optional_tables", "[]")))


def last_registration_days(store: sa.Engine, scope: Scope = EVERYWHERE) -> pd.DataFrame:
    """Each facility in scope with the last day it registered anyone (None if never)."""
    d, f = st.summary_daily, st.dim_facilities
    stmt = (
        sa.select(f.c.facility_id, sa.func.max(d.c.day).label("last_registration"))
        .select_from(f.outerjoin(d, d.c.facility_id == f.c.facility_id))
        .where(*scope.conditions(f))
        .group_by(f.c.facility_id)
        .order_by(f.c.facility_id)
    )
    with store.connect() as conn:
        return pd.DataFrame(
            conn.execute(stmt).mappings().all(), columns=["facility_id", "last_registration"]
        )


def department_counts(store: sa.Engine, period: Period, scope: Scope = EVERYWHERE) -> pd.DataFrame:
    """OPD registrations and ABHA-linked by department, largest first."""
    t, f = st.summary_departments, st.dim_facilities
    stmt = (
        sa.select(
            t.c.department,
            sa.func.sum(t.c.registrations).label("opd_registrations"),
            sa.func.sum(t.c.abha_linked).label("abha_linked"),
        )
        .select_from(t.join(f, f.c.facility_id == t.c.facility_id))
        .where(t.c.day.between(period.start, period.end), *scope.conditions(f))
        .group_by(t.c.department)
        .order_by(sa.func.sum(t.c.registrations).desc(), t.c.department)
    )
    with store.connect() as conn:
        frame = pd.DataFrame(conn.execute(stmt).mappings().all())
    if frame.empty:
        return _empty_frame(["department"])
    return frame.astype({fig: "int64" for fig in FIGURES})


def facility_staff(store: sa.Engine, facility_id: str) -> pd.DataFrame | None:
    """HPR coverage of a facility's staff by cadre; None when the source has no
    ``facility_staff`` table (an optional table of the contract)."""
    if "facility_staff" not in optional_tables(store):
        return None
    s = st.dim_facility_staff
    stmt = (
        sa.select(
            s.c.cadre,
            sa.func.sum(s.c.sanctioned_or_working).label("in_post"),
            sa.func.sum(s.c.hpr_registered).label("hpr_registered"),
        )
        .where(s.c.facility_id == facility_id)
        .group_by(s.c.cadre)
        .order_by(s.c.cadre)
    )
    with store.connect() as conn:
        return pd.DataFrame(
            conn.execute(stmt).mappings().all(), columns=["cadre", "in_post", "hpr_registered"]
        )
