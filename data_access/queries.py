"""Aggregate queries for the pages and the command line.

Everything here reads the analytics store (never the registration table) with SQLAlchemy
Core and bound parameters, and returns tidy DataFrames of counts: one row per group, the
group keys as columns, then ``opd_registrations`` and ``abha_linked``.

Every function that reads rows takes a :class:`Scope` and puts it into its SQL: the
filters chosen on a page and the user's ceiling (``Scope.allowed_districts``, issue 5).
Access is enforced here, where the data is read, not by the pages.

:func:`source_registration_counts` computes the same frame straight from the registration
database, through the same counting rules; the tests hold the two to each other.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

from data_access import contract as src
from data_access import store as st
from data_access.errors import BadFilter
from data_access.refresh import aggregate_window, ist_now
from data_access.rules import EXCLUDED_STATUSES, FLAG_COLUMNS, RowWindow
from data_access.source_profile import indexed_columns

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
    """Which facilities a figure covers; an empty set means no restriction on that level.

    ``allowed_districts`` is the user's ceiling (issue 5): None for no ceiling, else the
    only districts whose rows may be read, whatever the other filters say. An empty
    ceiling allows nothing. Frozen and hashable: it is part of the pages' cache keys.
    """

    districts: frozenset[int] = field(default_factory=frozenset)
    facilities: frozenset[str] = field(default_factory=frozenset)
    facility_types: frozenset[str] = field(default_factory=frozenset)
    allowed_districts: frozenset[int] | None = None

    @classmethod
    def of(
        cls,
        districts: Sequence[int] = (),
        facilities: Sequence[str] = (),
        facility_types: Sequence[str] = (),
        allowed: Iterable[int] | None = None,
    ) -> Scope:
        return cls(
            frozenset(districts),
            frozenset(facilities),
            frozenset(facility_types),
            None if allowed is None else frozenset(int(d) for d in allowed),
        )

    def limited_to(self, allowed: Iterable[int] | None) -> Scope:
        """This scope under the ceiling ``allowed`` (None: no further limit).

        A ceiling already set is narrowed, never widened: the new one is the intersection.
        """
        if allowed is None:
            return self
        ceiling = frozenset(int(d) for d in allowed)
        if self.allowed_districts is not None:
            ceiling &= self.allowed_districts
        return replace(self, allowed_districts=ceiling)

    @property
    def by_district_only(self) -> bool:
        """True when the scope is whole districts (chosen ones, a ceiling, or all): no
        facility and no facility type chosen. Its figures come from the district summary."""
        return not (self.facilities or self.facility_types)

    @property
    def ceiling(self) -> Scope:
        """Only this scope's ceiling, without the chosen filters."""
        return Scope(allowed_districts=self.allowed_districts)

    @property
    def unrestricted(self) -> bool:
        """True when the scope lets every row through (no filter, no ceiling)."""
        return not (
            self.districts
            or self.facilities
            or self.facility_types
            or self.allowed_districts is not None
        )

    def district_conditions(self, lgd_code: sa.ColumnElement[int]) -> list[sa.ColumnElement[bool]]:
        """WHERE conditions on a district code column: the chosen districts and the ceiling."""
        conds: list[sa.ColumnElement[bool]] = []
        if self.districts:
            conds.append(lgd_code.in_(sorted(self.districts)))
        if self.allowed_districts is not None:
            # An empty ceiling allows nothing: never read it as "no restriction".
            conds.append(
                lgd_code.in_(sorted(self.allowed_districts))
                if self.allowed_districts
                else sa.false()
            )
        return conds

    def conditions(self, facility: sa.FromClause) -> list[sa.ColumnElement[bool]]:
        """WHERE conditions on a table with the facility columns of the contract."""
        conds = self.district_conditions(facility.c.district_lgd)
        if self.facilities:
            conds.append(facility.c.facility_id.in_(sorted(self.facilities)))
        if self.facility_types:
            conds.append(facility.c.facility_type.in_(sorted(self.facility_types)))
        return conds

    def facility_ids(self) -> sa.Select:
        """The registry's facility IDs in scope, as a subquery for ``IN``."""
        f = st.dim_facilities
        return sa.select(f.c.facility_id).where(*self.conditions(f))


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
    detail = [b for b in by if b in DETAIL_BREAKDOWNS]
    if not detail and set(by) <= {"district"} and scope.by_district_only:
        return _district_counts(store, period, scope, by, grain)
    # the smallest table that holds the breakdowns asked for (see data_access.store)
    if not detail:
        t = st.summary_daily
    elif len(detail) == 1:
        t = st.summary_breakdowns
    else:
        t = st.summary_detail
    f = st.dim_facilities
    joined = t.join(f, f.c.facility_id == t.c.facility_id)
    keys: list[sa.ColumnElement] = []
    conditions: list[sa.ColumnElement] = []
    if t is st.summary_breakdowns:
        conditions.append(t.c.breakdown == detail[0])
    if grain is not None:
        cal = st.calendar_days
        joined = joined.join(cal, cal.c.day == t.c.day)
        keys.append(cal.c[GRAINS[grain]].label("period_start"))
    for name in by:
        column = _key_column(name)
        if name in FACILITY_BREAKDOWNS:
            keys.append(f.c[column].label(column))
        elif t is st.summary_breakdowns:
            keys.append(t.c.value.label(column))
        else:
            keys.append(t.c[column].label(column))
    conditions += [t.c.day.between(period.start, period.end), *scope.conditions(f)]
    return _summed(store, t, joined, keys, conditions)


def _district_counts(
    store: sa.Engine, period: Period, scope: Scope, by: Sequence[str], grain: str | None
) -> pd.DataFrame:
    """:func:`registration_counts` of whole districts (the division, a state, the
    country, or chosen districts; no facility or type filter), from the district summary:
    a row per district and day, never the facilities' rows."""
    t = st.summary_district_daily
    joined: sa.FromClause = t
    keys: list[sa.ColumnElement] = []
    if grain is not None:
        cal = st.calendar_days
        joined = joined.join(cal, cal.c.day == t.c.day)
        keys.append(cal.c[GRAINS[grain]].label("period_start"))
    if "district" in by:
        keys.append(t.c.district_lgd.label("district_lgd"))
    conditions = [
        t.c.day.between(period.start, period.end),
        *scope.district_conditions(t.c.district_lgd),
    ]
    return _summed(store, t, joined, keys, conditions)


def _summed(
    store: sa.Engine,
    t: sa.Table,
    joined: sa.FromClause,
    keys: list[sa.ColumnElement],
    conditions: list[sa.ColumnElement],
) -> pd.DataFrame:
    stmt = (
        sa.select(
            *keys,
            sa.func.sum(t.c.registrations).label("opd_registrations"),
            sa.func.sum(t.c.abha_linked).label("abha_linked"),
        )
        .select_from(joined)
        .where(*conditions)
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
    store's SQL, so that the two paths check each other. The scope (filters and ceiling)
    selects the registry's facilities in SQL; rows of any other facility are dropped.
    """
    _check_breakdowns(by, grain)
    id_index = "registration_id" in indexed_columns(source)
    window = RowWindow(first_day=period.start, last_day=period.end, id_index=id_index)
    with source.connect() as conn:
        detail = aggregate_window(conn, window, now or ist_now()).detail_frame()
        fac = pd.DataFrame(
            conn.execute(
                sa.select(
                    src.facilities.c.facility_id,
                    src.facilities.c.district_lgd,
                    src.facilities.c.facility_type,
                ).where(*scope.conditions(src.facilities))
            )
            .mappings()
            .all(),
            columns=["facility_id", "district_lgd", "facility_type"],
        )
    names = (["period_start"] if grain else []) + [_key_column(b) for b in by]
    frame = detail
    if frame.empty:
        return _empty_frame(names)
    frame = frame.merge(fac, on="facility_id", how="inner")  # only facilities in scope
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
    store: sa.Engine,
    period: Period | None = None,
    scope: Scope = EVERYWHERE,
    by_facility: bool = False,
) -> pd.DataFrame:
    """Counts of each kind of problem in the counting rules.

    ``kind`` is one of the excluded kinds (rows kept out of every figure: duplicate,
    unknown_facility, invalid_timestamp) or a flag on counted registrations
    (before_go_live, malformed_abha, nonstandard_channel, nonstandard_visit_type,
    nonstandard_gender). Invalid timestamps have no day and are counted whatever the
    period.

    An excluded row counts in a scope through the facility it names. A row whose facility
    the registry does not know (every ``unknown_facility`` row) belongs to no district, no
    facility type: only the unrestricted scope counts it. Under any filter or ceiling it
    is left out, so a district's users never see rows that may be another district's.
    """
    q = st.quality_excluded
    # the flags of whole districts from the district summary, of facilities from theirs
    by_district = scope.by_district_only and not by_facility
    d = st.summary_district_daily if by_district else st.summary_daily
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
    if not scope.unrestricted:
        excluded = excluded.where(q.c.facility_id.in_(scope.facility_ids()))
        if by_district:
            flags = flags.where(*scope.district_conditions(d.c.district_lgd))
        else:
            flags = flags.where(d.c.facility_id.in_(scope.facility_ids()))
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


def row_accounts(
    store: sa.Engine, scope: Scope = EVERYWHERE, period: Period | None = None
) -> tuple[int, int, dict[str, int]] | None:
    """The raw rows the last refresh read from the source, the registrations counted, and
    the rows excluded by kind (every kind, 0 if none): for all days, or for the days of
    ``period`` (each raw row lies in one day's range; an excluded row without a valid
    day counts on the day whose range holds it, and rows outside every day in no period).

    None under any filter or ceiling: the raw rows are known for the whole source only,
    and rows of unknown facilities belong to no district."""
    if not scope.unrestricted:
        return None
    d, q, days = st.summary_district_daily, st.quality_excluded, st.source_day_rows
    excluded_day = sa.func.coalesce(q.c.day, q.c.source_day)
    counted = sa.select(sa.func.coalesce(sa.func.sum(d.c.registrations), 0))
    excluded = sa.select(q.c.kind, sa.func.sum(q.c.rows)).group_by(q.c.kind)
    raw = sa.select(sa.func.coalesce(sa.func.sum(days.c.rows), 0))
    if period is not None:
        counted = counted.where(d.c.day.between(period.start, period.end))
        excluded = excluded.where(excluded_day.between(period.start, period.end))
        raw = raw.where(days.c.day.between(period.start, period.end))
    with store.connect() as conn:
        counted_rows = int(conn.execute(counted).scalar() or 0)
        by_kind = dict(conn.execute(excluded).all())
        source_rows = (
            int(store_state(store).get("source_rows", 0))
            if period is None
            else int(conn.execute(raw).scalar() or 0)
        )
    excluded_rows = {kind: 0 for kind in EXCLUDED_STATUSES} | {
        kind: int(rows or 0) for kind, rows in by_kind.items()
    }
    return source_rows, counted_rows, excluded_rows


def districts(store: sa.Engine, scope: Scope = EVERYWHERE) -> pd.DataFrame:
    """The registry's districts in scope: its chosen districts and its ceiling.

    (The scope's facilities and facility types do not narrow the list.)
    """
    d = st.dim_districts
    stmt = sa.select(d).where(*scope.district_conditions(d.c.lgd_code)).order_by(d.c.lgd_code)
    with store.connect() as conn:
        rows = conn.execute(stmt)
        return pd.DataFrame(rows.mappings().all(), columns=[c.name for c in d.c])


def facilities(store: sa.Engine, scope: Scope = EVERYWHERE) -> pd.DataFrame:
    """The registry's facilities in scope."""
    f = st.dim_facilities
    stmt = (
        sa.select(f)
        .where(*scope.conditions(f))
        .order_by(f.c.district_lgd, f.c.facility_type, f.c.name_en)
    )
    with store.connect() as conn:
        rows = conn.execute(stmt)
        return pd.DataFrame(rows.mappings().all(), columns=[c.name for c in f.c])


def check_scope(store: sa.Engine, scope: Scope) -> None:
    """Raise BadFilter naming any district or facility the data does not know.

    Under a ceiling, a district or facility outside it is reported exactly like one that
    does not exist, and only the allowed districts are listed as known.
    """
    known_districts = set(districts(store, scope.ceiling)["lgd_code"].astype(int))
    known_facilities = set(facilities(store, scope.ceiling)["facility_id"])
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


def data_span(store: sa.Engine, scope: Scope = EVERYWHERE) -> tuple[date | None, date | None]:
    """First and last day with counted registrations in scope; (None, None) if none."""
    d = st.summary_daily
    stmt = sa.select(sa.func.min(d.c.day), sa.func.max(d.c.day))
    if not scope.unrestricted:
        stmt = stmt.where(d.c.facility_id.in_(scope.facility_ids()))
    with store.connect() as conn:
        first, last = conn.execute(stmt).one()
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


def facility_staff(
    store: sa.Engine, facility_id: str, scope: Scope = EVERYWHERE
) -> pd.DataFrame | None:
    """HPR coverage of a facility's staff by cadre; None when the source has no
    ``facility_staff`` table (an optional table of the contract). No rows when the
    facility is outside the scope."""
    if "facility_staff" not in optional_tables(store):
        return None
    s = st.dim_facility_staff
    stmt = (
        sa.select(
            s.c.cadre,
            sa.func.sum(s.c.sanctioned_or_working).label("in_post"),
            sa.func.sum(s.c.hpr_registered).label("hpr_registered"),
        )
        .where(
            s.c.facility_id == facility_id,
            *([] if scope.unrestricted else [s.c.facility_id.in_(scope.facility_ids())]),
        )
        .group_by(s.c.cadre)
        .order_by(s.c.cadre)
    )
    with store.connect() as conn:
        return pd.DataFrame(
            conn.execute(stmt).mappings().all(), columns=["cadre", "in_post", "hpr_registered"]
        )
