"""Build and refresh the analytics store from the registration database.

All aggregation runs in the source database (SQL from :mod:`data_access.rules`); only the
aggregates travel. A refresh writes inside one transaction of the store, so readers see
either the previous state or the new one, never a half-written refresh; an interrupted
refresh leaves the previous state in place.

Incremental refresh re-aggregates:
- every day whose raw row count in the source differs from the count seen last time
  (late rows, deleted rows), found with one cheap GROUP BY on the timestamp;
- the last ``lookback_days`` days before the newest data, for rows changed in place;
- the days between the previous refresh and now (a timestamp that was in the future then
  may be valid now);
- always: the rows with a missing, unreadable or future timestamp.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from data_access import contract as src
from data_access import store as st
from data_access.contract import OPTIONAL_TABLES, REQUIRED_TABLES
from data_access.engines import describe
from data_access.errors import ContractError
from data_access.rules import (
    COUNTED,
    FLAG_COLUMNS,
    RowWindow,
    calendar_day,
    classified_registrations,
)

IST = ZoneInfo("Asia/Kolkata")
CHUNK_DAYS = 31
WORKERS = 2

Progress = Callable[[int, int, str], None]
DETAIL_KEYS = ("facility_id", "day", "channel", "visit_type", "gender", "age_band")
SUMMED = ("abha_linked", *FLAG_COLUMNS)
NO_DEPARTMENT = "(not recorded)"
DAY_TABLES = (st.summary_detail, st.summary_daily, st.summary_departments, st.quality_excluded)


def ist_now() -> datetime:
    """The present moment in IST, without a zone, as the contract stores times."""
    return datetime.now(IST).replace(tzinfo=None, microsecond=0)


@dataclass
class RefreshReport:
    full: bool
    refreshed_at: datetime
    ranges: list[tuple[date, date]] = field(default_factory=list)
    registrations: int = 0
    excluded_rows: int = 0
    seconds: float = 0.0

    @property
    def days(self) -> int:
        return sum((last - first).days + 1 for first, last in self.ranges)


def present_tables(engine: sa.Engine) -> set[str]:
    inspector = sa.inspect(engine)
    return {n.lower() for n in inspector.get_table_names()} | {
        n.lower() for n in inspector.get_view_names()
    }


def require_contract_tables(engine: sa.Engine) -> set[str]:
    tables = present_tables(engine)
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        raise ContractError(
            f"{describe(engine.url)} has no table {', '.join(missing)}: it is not a "
            "registration database of the contract (see docs/contract.md); "
            "run 'ehospital-dashboard check' for details"
        )
    return tables


# --- what changed --------------------------------------------------------------------------
def source_day_counts(conn: sa.Connection) -> dict[date | None, int]:
    """Raw rows per calendar day of registered_at (None: missing or unreadable)."""
    r = src.opd_registrations
    day = calendar_day(r.c.registered_at).label("day")
    rows = conn.execute(sa.select(day, sa.func.count().label("n")).group_by(day))
    return {d: int(n) for d, n in rows}


def _stored_day_counts(conn: sa.Connection) -> dict[date | None, int]:
    t = st.source_day_rows
    return {d: int(n) for d, n in conn.execute(sa.select(t.c.day, t.c.rows))}


def _state(conn: sa.Connection) -> dict[str, str]:
    t = st.refresh_state
    return {k: v for k, v in conn.execute(sa.select(t.c.key, t.c.value))}


def days_to_refresh(
    source_counts: dict[date | None, int],
    stored_counts: dict[date | None, int],
    *,
    previous_now: datetime | None,
    now: datetime,
    lookback_days: int,
) -> set[date]:
    today = now.date()
    changed = {
        d
        for d in set(source_counts) | set(stored_counts)
        if d is not None and d <= today and source_counts.get(d) != stored_counts.get(d)
    }
    past_days = [d for d in source_counts if d is not None and d <= today]
    if past_days:
        newest = max(past_days)
        changed |= {newest - timedelta(days=k) for k in range(lookback_days + 1)}
    if previous_now is not None:
        day = previous_now.date()
        while day <= today:
            changed.add(day)
            day += timedelta(days=1)
    return changed


def day_ranges(days: Iterable[date], max_len: int = CHUNK_DAYS) -> list[tuple[date, date]]:
    """Contiguous closed ranges covering ``days``, none longer than ``max_len`` days."""
    ranges: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if ranges:
            first, last = ranges[-1]
            if day == last + timedelta(days=1) and (day - first).days < max_len:
                ranges[-1] = (first, day)
                continue
        ranges.append((day, day))
    return ranges


# --- aggregation in the source ---------------------------------------------------------------
@dataclass
class WindowAggregates:
    """What one classification pass over a window of raw rows yields."""

    detail: list[dict]
    """Counted registrations at detail grain (DETAIL_KEYS), with their counts."""
    excluded: list[dict]
    """Rows kept out of every figure, by day, facility as recorded, and kind."""
    departments: list[dict]
    """Counted registrations by facility, day and department."""


def aggregate_window(conn: sa.Connection, window: RowWindow, now: datetime) -> WindowAggregates:
    """Classify the window's rows once and group them twice, in one statement.

    The classified rows are a MATERIALIZED common table expression (SQLite 3.35+,
    PostgreSQL 12+), so the expensive part — the duplicate window and the normalisation —
    runs once for both groupings: the detail grain, and departments.
    """
    classified = classified_registrations(window, now)
    cte = sa.select(classified).cte("classified").prefix_with("MATERIALIZED")
    c = cte.c
    keys = [c.status, *(c[k] for k in DETAIL_KEYS)]
    sums = [sa.func.sum(c[name]).label(name) for name in SUMMED]
    by_detail = sa.select(
        sa.literal("detail").label("part"),
        *keys,
        sa.null().label("department"),
        sa.func.count().label("registrations"),
        *sums,
    ).group_by(*keys)
    department = sa.func.coalesce(sa.func.nullif(sa.func.trim(c.department), ""), NO_DEPARTMENT)
    dept_keys = [c.facility_id, c.day, department]
    by_department = (
        sa.select(
            sa.literal("department").label("part"),
            c.status,
            c.facility_id,
            c.day,
            *(sa.null() for _ in DETAIL_KEYS[2:]),
            department.label("department"),
            sa.func.count().label("registrations"),
            *[sa.func.sum(c[name]).label(name) for name in SUMMED],
        )
        .where(c.status == COUNTED)
        .group_by(c.status, *dept_keys)
    )
    names = ["part", "status", *DETAIL_KEYS, "department", "registrations", *SUMMED]
    counts = ["registrations", *SUMMED]
    result = WindowAggregates([], [], [])
    excluded: dict[tuple[date | None, str | None, str], int] = defaultdict(int)
    for values in conn.execute(sa.union_all(by_detail, by_department)):
        row = dict(zip(names, values, strict=True))
        day = row["day"]
        if isinstance(day, str):  # a UNION loses the column's type on SQLite
            day = row["day"] = date.fromisoformat(day)
        if row["part"] == "department":
            result.departments.append(
                {
                    "facility_id": row["facility_id"],
                    "day": day,
                    "department": row["department"],
                    "registrations": int(row["registrations"]),
                    "abha_linked": int(row["abha_linked"] or 0),
                }
            )
        elif row["status"] == COUNTED:
            record = {k: row[k] for k in DETAIL_KEYS}
            record.update({name: int(row[name] or 0) for name in counts})
            result.detail.append(record)
        else:
            excluded[(day, row["facility_id"], row["status"])] += int(row["registrations"])
    result.excluded = [
        {"day": d, "facility_id": f, "kind": kind, "rows": n}
        for (d, f, kind), n in excluded.items()
    ]
    return result


# --- writing the store -------------------------------------------------------------------------
def _sqlite_value(value: object) -> object:
    # SQLAlchemy stores SQLite dates as ISO text; written here the same way, bypassing it.
    return value.isoformat() if isinstance(value, date) else value


def _insert(conn: sa.Connection, table: sa.Table, rows: list[dict]) -> None:
    """Bulk insert: the driver's executemany on SQLite, COPY on PostgreSQL.

    A full refresh writes a million rows; going through SQLAlchemy's per-row parameter
    processing would cost more than the aggregation itself.
    """
    if not rows:
        return
    columns = [c.name for c in table.columns if c.name in rows[0]]
    column_list = ", ".join(f'"{c}"' for c in columns)
    dialect = conn.dialect.name
    if dialect == "sqlite":
        values = [tuple(_sqlite_value(row[c]) for c in columns) for row in rows]
        placeholders = ", ".join("?" for _ in columns)
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cursor.executemany(
            f'INSERT INTO "{table.name}" ({column_list}) VALUES ({placeholders})', values
        )
    elif dialect == "postgresql":
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f'COPY "{table.name}" ({column_list}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(tuple(row[c] for c in columns))
    else:
        conn.execute(table.insert(), rows)


def _delete_days(conn: sa.Connection, first: date, last: date) -> None:
    for table in DAY_TABLES:
        conn.execute(table.delete().where(table.c.day.between(first, last)))


def _rebuild_daily(conn: sa.Connection, first: date, last: date) -> None:
    d = st.summary_detail
    summed = ("registrations", *SUMMED)
    select = (
        sa.select(d.c.facility_id, d.c.day, *(sa.func.sum(d.c[n]).label(n) for n in summed))
        .where(d.c.day.between(first, last))
        .group_by(d.c.facility_id, d.c.day)
    )
    conn.execute(st.summary_daily.insert().from_select(["facility_id", "day", *summed], select))


def _parse_day(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value  # type: ignore[return-value]
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _copy_reference_tables(source: sa.Connection, store: sa.Connection, tables: set[str]) -> None:
    """Districts, facilities, staff and enrolments: small tables, copied whole."""
    d, f = src.districts, src.facilities
    store.execute(st.dim_districts.delete())
    _insert(store, st.dim_districts, [dict(r) for r in source.execute(sa.select(d)).mappings()])

    store.execute(st.dim_facilities.delete())
    go_live_text = sa.cast(f.c.ehospital_go_live, sa.Text).label("ehospital_go_live")
    columns = [c for c in f.c if c.name != "ehospital_go_live"]
    rows = []
    for r in source.execute(sa.select(*columns, go_live_text)).mappings():
        row = dict(r)
        row["ehospital_go_live"] = _parse_day(row["ehospital_go_live"])
        rows.append(row)
    _insert(store, st.dim_facilities, rows)

    store.execute(st.dim_facility_staff.delete())
    if "facility_staff" in tables:
        s = src.facility_staff
        _insert(
            store, st.dim_facility_staff, [dict(r) for r in source.execute(sa.select(s)).mappings()]
        )

    store.execute(st.enrolments_daily.delete())
    if "abha_enrolments" in tables:
        e = src.abha_enrolments
        stmt = sa.select(
            e.c.facility_id,
            e.c.enrolled_on.label("day"),
            sa.func.sum(e.c.enrolments).label("enrolments"),
        ).group_by(e.c.facility_id, e.c.enrolled_on)
        _insert(
            store,
            st.enrolments_daily,
            [
                {**dict(r), "enrolments": int(r["enrolments"] or 0)}
                for r in source.execute(stmt).mappings()
                if r["day"] is not None
            ],
        )


def _write_state(conn: sa.Connection, values: dict[str, str]) -> None:
    t = st.refresh_state
    conn.execute(t.delete().where(t.c.key.in_(list(values))))
    conn.execute(t.insert(), [{"key": k, "value": v} for k, v in values.items()])


def _windows(ranges: list[tuple[date, date]]) -> Iterator[tuple[RowWindow, str]]:
    for first, last in ranges:
        label = first.isoformat() if first == last else f"{first:%Y-%m-%d}…{last:%Y-%m-%d}"
        yield RowWindow(first_day=first, last_day=last), label
    yield RowWindow(invalid=True), "invalid timestamps"


def _aggregated(
    source: sa.Engine, windows: list[tuple[RowWindow, str]], now: datetime
) -> Iterator[tuple[str, WindowAggregates]]:
    """Each window's aggregates, in order, computed by up to WORKERS source connections.

    The source does the work (both engines release the GIL while a query runs), so two
    windows in flight keep both cores of a small server busy.
    """

    def work(window: RowWindow) -> WindowAggregates:
        with source.connect() as conn:
            return aggregate_window(conn, window, now)

    pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="refresh")
    pending: deque[tuple[str, Future[WindowAggregates]]] = deque()
    try:
        queue = iter(windows)
        for window, label in queue:
            pending.append((label, pool.submit(work, window)))
            if len(pending) >= WORKERS:
                break
        while pending:
            label, future = pending.popleft()
            aggregates = future.result()
            following = next(queue, None)
            if following is not None:
                pending.append((following[1], pool.submit(work, following[0])))
            yield label, aggregates
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def refresh(
    source: sa.Engine,
    store: sa.Engine,
    *,
    full: bool = False,
    lookback_days: int = 7,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> RefreshReport:
    """Bring the analytics store up to date with the source. See the module docstring."""
    started = time.perf_counter()
    now = now or ist_now()
    tables = require_contract_tables(source)
    st.ensure_store(store)

    with source.connect() as sconn, store.begin() as wconn:
        source_counts = source_day_counts(sconn)
        state = _state(wconn)
        previous_now = datetime.fromisoformat(state["now"]) if "now" in state else None
        full = (
            full
            or previous_now is None
            or state.get("source") != describe(source.url)
            or state.get("store_version") != st.STORE_VERSION
        )
        if full:
            days = {d for d in source_counts if d is not None and d <= now.date()}
            for table in DAY_TABLES:
                wconn.execute(table.delete())
        else:
            days = days_to_refresh(
                source_counts,
                _stored_day_counts(wconn),
                previous_now=previous_now,
                now=now,
                lookback_days=lookback_days,
            )
        ranges = day_ranges(days)
        report = RefreshReport(full=full, refreshed_at=now, ranges=ranges)
        if not full:
            for first, last in ranges:
                _delete_days(wconn, first, last)
        t = st.quality_excluded
        wconn.execute(t.delete().where(t.c.day.is_(None)))

        total = len(ranges) + 2
        windows = list(_windows(ranges))
        for done, (label, aggregates) in enumerate(_aggregated(source, windows, now)):
            if progress:
                progress(done, total, label)
            _insert(wconn, st.summary_detail, aggregates.detail)
            _insert(wconn, st.quality_excluded, aggregates.excluded)
            _insert(wconn, st.summary_departments, aggregates.departments)
            report.registrations += sum(r["registrations"] for r in aggregates.detail)
            report.excluded_rows += sum(r["rows"] for r in aggregates.excluded)
        for first, last in ranges:
            _rebuild_daily(wconn, first, last)

        if progress:
            progress(total - 1, total, "facilities, districts, staff, enrolments")
        _copy_reference_tables(sconn, wconn, tables)

        wconn.execute(st.source_day_rows.delete())
        _insert(
            wconn, st.source_day_rows, [{"day": d, "rows": n} for d, n in source_counts.items()]
        )
        _write_state(
            wconn,
            {
                "now": now.isoformat(),
                "store_version": st.STORE_VERSION,
                "refreshed_at": ist_now().isoformat(),
                "source": describe(source.url),
                "source_rows": str(sum(source_counts.values())),
                "optional_tables": json.dumps(sorted(set(OPTIONAL_TABLES) & tables)),
            },
        )
    if progress:
        progress(total, total, "done")
    report.seconds = time.perf_counter() - started
    return report


def store_is_stale(source: sa.Engine, store: sa.Engine, now: datetime | None = None) -> bool:
    """True when the store is missing, or the source has rows it has not seen."""
    if not st.store_is_built(store):
        return True
    now = now or ist_now()
    with store.connect() as conn:
        state = _state(conn)
    if state.get("source") != describe(source.url):
        return True
    r = src.opd_registrations
    previous_now = datetime.fromisoformat(state["now"])
    with source.connect() as conn:
        rows = conn.execute(sa.select(sa.func.count()).select_from(r)).scalar()
        became_valid = conn.execute(
            sa.select(sa.func.count())
            .select_from(r)
            .where(r.c.registered_at > previous_now, r.c.registered_at <= now)
        ).scalar()
    return str(rows) != state.get("source_rows") or bool(became_valid)
