"""Build and refresh the analytics store from the registration database.

All aggregation runs in the source database (SQL from :mod:`data_access.rules`); only the
aggregates travel. A refresh writes inside one transaction of the store, so readers see
either the previous state or the new one, never a half-written refresh; an interrupted
refresh leaves the previous state in place.

Incremental refresh re-aggregates:
- every day whose raw row count in the source differs from the count seen last time
  (late rows, deleted rows), counted over ranges of the registered_at index. Every day is
  checked once in ``complete_check_hours`` (24 by default: the first refresh of a day
  after the previous check); the refreshes in between check the days since the previous
  refresh and the look-back before them, so that a refresh every few minutes does not
  read the whole index each time;
- of the last ``lookback_days`` days before the newest data, those whose rows changed in
  place: each look-back day's content fingerprint (a sum of per-row digests of every
  column, computed in the source, :func:`day_fingerprints`) is compared with the one the
  previous refresh kept;
- the days between the previous refresh and now (a timestamp that was in the future then
  may be valid now);
- the days holding other copies of the registrations of those days;
- everything, when the facility registry changed (which facilities exist, their go-live
  days: :func:`registry_fingerprint`), or the store is of another version or source;
- always: the rows whose timestamp lies in no day up to today (missing, before 1900, a
  later day), found through the index. An invalid timestamp inside a day's range (an
  unreadable text on SQLite, a time later today) is refreshed with that day
  (``quality_excluded.source_day``), so no refresh reads every row's timestamp.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import sys
import time
import types
import zlib
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from data_access import contract as src
from data_access import store as st
from data_access.contract import OPTIONAL_TABLES, REQUIRED_TABLES
from data_access.engines import describe
from data_access.errors import ContractError, RowsUnaccounted
from data_access.rules import (
    COUNTED,
    DUPLICATE,
    EARLIEST,
    FLAG_COLUMNS,
    RowWindow,
    classified_registrations,
    day_start,
    days_sharing_registration_ids,
    in_days,
    materialized,
    outside_every_day,
    raw_day_key,
    readable_timestamp,
)
from data_access.source_profile import indexed_columns

log = logging.getLogger(__name__)
IST = ZoneInfo("Asia/Kolkata")
COMPLETE_CHECK_HOURS = 24.0
"""Every day's row count is checked against the source at most this long apart; the
refreshes in between check the recent days only (see ``refresh``)."""
CHUNK_DAYS = 31
UNINDEXED_CHUNK_DAYS = 92
"""Longest window of a source without an index on registered_at: each window reads the
whole table there, so fewer windows (a quarter each) cost less than shorter ones."""
WORKERS = 2

Progress = Callable[[int, int, str], None]
DETAIL_KEYS = ("facility_id", "day", "channel", "visit_type", "gender", "age_band")
SUMMED = ("abha_linked", *FLAG_COLUMNS)
NO_DEPARTMENT = "(not recorded)"
DAY_TABLES = (
    st.summary_detail,
    st.summary_daily,
    st.summary_breakdowns,
    st.summary_departments,
    st.summary_district_daily,
    st.quality_excluded,
)


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
    after: object = None
    """What ``after_refresh`` returned (the alerts' evaluation); None when not run."""
    after_failed: str | None = None
    """Why ``after_refresh`` failed (its error's type and first line); the refresh stands."""

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
def source_day_counts(
    conn: sa.Connection, now: datetime, since: date | None = None, *, by_ranges: bool = True
) -> dict[date | None, int]:
    """Raw rows in each day's range of registered_at (``rules.in_days``), days with rows
    only; None: the rows outside every day up to today (missing, before 1900, from
    tomorrow on; ``rules.outside_every_day``). ``since``: count only the days from then
    on (and the rows outside every day). SQLite keeps timestamps as text: an unreadable
    text that sorts inside a day's range is counted on that day (its window classifies
    it as an invalid timestamp).

    ``by_ranges``: counted day by day over ranges of the registered_at index (from the
    first day with data to today), which reads the index and sorts nothing: a GROUP BY
    sorts every row on SQLite (about 6 s at 20 M rows, against well under 1 s). Without
    that index each range would read the whole table, so then (``by_ranges=False``) one
    GROUP BY pass counts every day (:func:`grouped_day_counts`).
    """
    if not by_ranges:
        grouped = grouped_day_counts(conn, now)
        return {d: n for d, n in grouped.items() if since is None or d is None or d >= since}
    r = src.opd_registrations
    at = r.c.registered_at
    oldest = conn.execute(
        sa.select(sa.func.min(sa.type_coerce(at, sa.Text))).where(
            in_days(at, EARLIEST.date(), now.date())
        )
    ).scalar()
    first = None if oldest is None else range_day(str(oldest), now.date())
    if first is not None and since is not None:
        first = max(first, since)
    today = now.date()
    counts: dict[date | None, int] = {}
    if first is not None and first <= today:
        in_day = sa.select(sa.func.count()).where(
            at >= day_start(first, "low"), at < day_start(first, "high")
        )
        day = first
        while day <= today:
            n = conn.execute(in_day, {"low": day, "high": day + timedelta(days=1)}).scalar()
            if n:
                counts[day] = int(n)
            day += timedelta(days=1)
    # the rows of the window of timestamps outside every day, by the same definition
    rest = conn.execute(
        sa.select(sa.func.count()).select_from(r).where(outside_every_day(at, now))
    ).scalar()
    if rest:
        counts[None] = int(rest)
    return counts


def range_day(value: str | date | datetime, today: date) -> date | None:
    """The day whose range (``rules.in_days``) holds a raw registered_at value, None when
    it lies outside every day up to ``today``.

    A time (PostgreSQL) lies in its own day. A text (SQLite) lies in the range of the
    last day, 1900-01-01 to ``today``, whose ISO text sorts at or before it: its own day
    when it begins with a real one, else the day that text order puts it after. Only the
    first ten characters matter: a day's text is ten characters long.
    """
    if isinstance(value, datetime):
        day: date | None = value.date()
    elif isinstance(value, date):
        day = value
    else:
        key = value[:10]
        try:
            day = date.fromisoformat(key)
            if day.isoformat() != key:
                raise ValueError(key)
        except ValueError:
            day = _last_day_sorting_before(key)
    if day is None or day < EARLIEST.date() or day > today:
        return None
    return day


def _last_day_sorting_before(key: str) -> date | None:
    """The last day whose ISO text sorts at or before ``key`` (not itself a day's text):
    found field by field, as text order compares them."""
    low, high = date(1, 1, 1), date(9999, 12, 31)
    if key < low.isoformat():
        return None
    if key >= high.isoformat():
        return high
    # binary search over the days: text order of ISO days is their time order
    while low < high:
        middle = low + timedelta(days=(high - low).days // 2 + 1)
        if middle.isoformat() <= key:
            low = middle
        else:
            high = middle - timedelta(days=1)
    return low


class _row_digest(FunctionElement):
    """A 32-bit digest of a row's columns (NULL told apart from any text), summed per day
    by :func:`day_fingerprints`. PostgreSQL: the first 32 bits of md5; SQLite: CRC-32 by a
    function this module registers on the connection; other engines: NULL (no digest:
    every look-back day is re-read)."""

    type = sa.BigInteger()
    name = "row_digest"
    inherit_cache = True


_DIGEST_FUNCTION = "ehospital_row_digest"


@compiles(_row_digest, "postgresql")
def _row_digest_pg(element: _row_digest, compiler: SQLCompiler, **kw: Any) -> str:
    parts = ", ".join(
        f"coalesce(CAST({compiler.process(c, **kw)} AS text), chr(30))" for c in element.clauses
    )
    return f"('x' || left(md5(concat_ws(chr(31), {parts})), 8))::bit(32)::int"


@compiles(_row_digest, "sqlite")
def _row_digest_sqlite(element: _row_digest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{_DIGEST_FUNCTION}({compiler.process(element.clauses, **kw)})"


@compiles(_row_digest)
def _row_digest_default(element: _row_digest, compiler: SQLCompiler, **kw: Any) -> str:
    return "NULL"


def _crc_of_row(*values: object) -> int:
    text = "\x1f".join("\x1e" if v is None else str(v) for v in values)
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


def _driver_connection(conn: sa.Connection) -> Any:
    """The driver's own connection under ``conn`` (sqlite3's or psycopg's), for what
    SQLAlchemy does not wrap: a user function, executemany, COPY."""
    driver = conn.connection.driver_connection
    if driver is None:  # only once the connection has been closed
        raise sa.exc.ResourceClosedError("the connection to the database is closed")
    return driver


def day_fingerprints(conn: sa.Connection, days: Iterable[date]) -> dict[date, str]:
    """Each day's raw rows summed up as ``"<rows>:<sum of row digests>"``: equal while the
    day's rows are the same, whatever their order; any edit of any column (almost surely)
    changes it. Read in one statement over the days' range of the registered_at index
    (about 0.06 s a day of 27 thousand rows on either engine; without the index, one
    pass over the table). Empty on an engine with no digest function: then no look-back
    day is taken as unchanged.
    """
    dialect = conn.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        return {}
    if dialect == "sqlite":
        _driver_connection(conn).create_function(
            _DIGEST_FUNCTION, -1, _crc_of_row, deterministic=True
        )
    wanted = sorted(set(days))
    if not wanted:
        return {}
    r = src.opd_registrations
    at = r.c.registered_at
    key = _raw_day_key(conn, at)
    stmt = (
        sa.select(key, sa.func.count(), sa.func.sum(_row_digest(*r.columns)))
        .where(in_days(at, wanted[0], wanted[-1]))
        .group_by(key)
    )
    sums: dict[date, list[int]] = {day: [0, 0] for day in wanted}
    for value, rows, total in conn.execute(stmt):
        day = range_day(value, wanted[-1])
        if day in sums:
            sums[day][0] += int(rows)
            sums[day][1] += int(total or 0)
    return {day: f"{rows}:{total}" for day, (rows, total) in sums.items()}


_NO_ROWS = "0:0"
"""The fingerprint of a day without rows."""


def registry_fingerprint(conn: sa.Connection) -> str:
    """A digest of the facility registry as far as the counting rules use it (which
    facilities exist, their go-live days): when it changes, the refresh is a full one (a
    newly registered facility's rows on any day stop being "unknown facility")."""
    f = src.facilities
    rows = conn.execute(sa.select(f.c.facility_id, f.c.ehospital_go_live)).all()
    text = "\n".join(sorted(f"{fid}\t{as_date(live)}" for fid, live in rows))
    return hashlib.sha256(text.encode()).hexdigest()


def _raw_day_key(conn: sa.Connection, at: sa.ColumnElement) -> sa.ColumnElement:
    """What :func:`range_day` needs of a raw registered_at value (``rules.raw_day_key``)."""
    return raw_day_key(at).label("day")


def grouped_day_counts(conn: sa.Connection, now: datetime) -> dict[date | None, int]:
    """What :func:`source_day_counts` counts, in one pass over the table (a GROUP BY of
    each value's day, or on SQLite its first ten characters, mapped to the day whose
    range holds it by :func:`range_day`). For a source without an index on
    registered_at, where a count per day's range would read the whole table each time."""
    r = src.opd_registrations
    key = _raw_day_key(conn, r.c.registered_at)
    counts: dict[date | None, int] = defaultdict(int)
    today = now.date()
    for value, n in conn.execute(sa.select(key, sa.func.count()).group_by(key)):
        counts[None if value is None else range_day(value, today)] += int(n)
    return {d: n for d, n in counts.items() if n}


def days_sharing_ids(
    conn: sa.Connection,
    ranges: list[tuple[date, date]],
    now: datetime,
    id_index: bool = False,
    *,
    outside_every_day: bool = False,
) -> set[date]:
    """The days (whose ranges hold them) of the other copies of registrations with a row
    in ``ranges`` (or, ``outside_every_day``, among the rows outside every day), and of the
    rows without an id when those have one."""
    days: set[date] = set()
    windows = [
        RowWindow(first_day=first, last_day=last, id_index=id_index) for first, last in ranges
    ]
    if outside_every_day:
        windows.append(RowWindow(invalid=True, id_index=id_index))
    for window in windows:
        stmt = days_sharing_registration_ids(window, now)
        for (key,) in conn.execute(stmt):
            day = None if key is None else range_day(key, now.date())
            if day is not None:
                days.add(day)
    return days


def _days_with_duplicates(conn: sa.Connection) -> set[date]:
    """The days of the store that hold rows excluded as duplicates."""
    t = st.quality_excluded
    day = sa.func.coalesce(t.c.day, t.c.source_day)
    rows = conn.execute(sa.select(day).where(t.c.kind == DUPLICATE, day.is_not(None)).distinct())
    # a day before 1900 is no day's window: the window outside every day, read by every
    # refresh, holds its rows
    return {d for (value,) in rows if (d := as_date(value)) is not None and d >= EARLIEST.date()}


def _stored_day_counts(conn: sa.Connection) -> dict[date | None, int]:
    t = st.source_day_rows
    return {d: int(n) for d, n in conn.execute(sa.select(t.c.day, t.c.rows))}


def _stored_fingerprints(conn: sa.Connection) -> dict[date, str]:
    t = st.source_day_rows
    rows = conn.execute(sa.select(t.c.day, t.c.fingerprint).where(t.c.fingerprint.is_not(None)))
    return {d: f for d, f in rows}


def look_back_days(
    source_counts: dict[date | None, int], now: datetime, lookback_days: int
) -> set[date]:
    """The newest day with rows (up to today) and the ``lookback_days`` before it."""
    past_days = [d for d in source_counts if d is not None and d <= now.date()]
    if not past_days or lookback_days < 0:
        return set()
    newest = max(past_days)
    return {newest - timedelta(days=k) for k in range(lookback_days + 1)}


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
    unchanged: Iterable[date] = (),
) -> set[date]:
    """Changed days (row counts differ), the look-back days before the newest (none when
    ``lookback_days`` is negative) but those known ``unchanged`` (same fingerprint as at
    the previous refresh), and the days since the previous refresh."""
    today = now.date()
    changed = {
        d
        for d in set(source_counts) | set(stored_counts)
        if d is not None and d <= today and source_counts.get(d) != stored_counts.get(d)
    }
    changed |= look_back_days(source_counts, now, lookback_days) - set(unchanged)
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
DETAIL_COLUMNS = (*DETAIL_KEYS, "registrations", *SUMMED)
DEPARTMENT_COLUMNS = ("facility_id", "day", "department", "registrations", "abha_linked")
EXCLUDED_COLUMNS = ("day", "facility_id", "kind", "source_day", "rows")


@dataclass
class WindowAggregates:
    """What one classification pass over a window of raw rows yields, as tuples in the
    column order named below (a full refresh moves millions of them: no dict per row).

    ``day`` is a ``date`` from PostgreSQL and ISO text from SQLite (how each engine
    returns it); :func:`as_date` reads either.
    """

    detail: list[tuple]
    """Counted registrations at detail grain: DETAIL_COLUMNS."""
    excluded: list[tuple]
    """Rows kept out of every figure, by day, facility as recorded, and kind:
    EXCLUDED_COLUMNS."""
    departments: list[tuple]
    """Counted registrations by facility, day and department: DEPARTMENT_COLUMNS."""

    @property
    def registrations(self) -> int:
        at = DETAIL_COLUMNS.index("registrations")
        return sum(row[at] for row in self.detail)

    @property
    def excluded_rows(self) -> int:
        return sum(row[-1] for row in self.excluded)

    def detail_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.detail, columns=list(DETAIL_COLUMNS))
        frame["day"] = [as_date(d) for d in frame["day"]]
        return frame


def as_date(value: object) -> date | None:
    """A day as either engine returns it (``date`` or ISO text); None for no day."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def aggregate_window(conn: sa.Connection, window: RowWindow, now: datetime) -> WindowAggregates:
    """Classify the window's rows once and group them twice, in one statement
    (:func:`window_statement`), in the source database."""
    return window_aggregates(conn.execute(window_statement(window, now)))


def window_statement(
    window: RowWindow, now: datetime, classified: sa.FromClause | None = None
) -> sa.CompoundSelect:
    """The one statement that aggregates a window: sent to the source by the SQL refresh,
    compiled for Spark by the Spark refresh (``data_access.spark_refresh``).

    The classified rows are a MATERIALIZED common table expression (SQLite 3.35+,
    PostgreSQL 12+), so the expensive part — the duplicate window and the normalisation —
    runs once for both groupings: the detail grain, and departments. The rows come back
    tagged by the grouping they belong to (see :func:`window_aggregates`).

    ``classified``: the classified rows already at hand as a table of that name (Spark
    keeps them cached, as it would not keep a common table expression read twice); by
    default :func:`~data_access.rules.classified_registrations` of the window.
    """
    if classified is None:
        classified = materialized(
            sa.select(classified_registrations(window, now)).cte("classified")
        )
    c = classified.c
    # The day as the engine gives it (no result processing: SQLite's ISO text is what the
    # store keeps, PostgreSQL's date what COPY takes).
    day = sa.type_coerce(c.day, sa.Text).label("day")
    keys = [c.status, *(day if k == "day" else c[k] for k in DETAIL_KEYS)]
    sums = [sa.func.sum(c[name]).label(name) for name in SUMMED]
    source_day = sa.type_coerce(c.source_day, sa.Text).label("source_day")
    by_detail = sa.select(
        sa.literal(0).label("part"),
        *keys,
        sa.null().label("department"),
        sa.func.count().label("registrations"),
        *sums,
        source_day,
    ).group_by(*keys, source_day)
    department = sa.func.coalesce(sa.func.nullif(sa.func.trim(c.department), ""), NO_DEPARTMENT)
    dept_keys = [c.facility_id, day, department]
    by_department = (
        sa.select(
            sa.literal(1).label("part"),
            c.status,
            c.facility_id,
            day,
            *(sa.null() for _ in DETAIL_KEYS[2:]),
            department.label("department"),
            sa.func.count().label("registrations"),
            *[sa.func.sum(c[name]).label(name) for name in SUMMED],
            sa.null().label("source_day"),
        )
        .where(c.status == COUNTED)
        .group_by(c.status, *dept_keys)
    )
    return sa.union_all(by_detail, by_department)


def window_aggregates(rows: Iterable[Sequence]) -> WindowAggregates:
    """The result rows of :func:`window_statement` (from either engine) sorted into the
    detail, excluded and department aggregates."""
    # Positions in a result row:
    # part, status, DETAIL_KEYS…, department, registrations, SUMMED…, source_day
    first_key, first_count = 2, 2 + len(DETAIL_KEYS) + 1
    department_at, linked_at = first_count - 1, first_count + 1
    detail: list[tuple] = []
    departments: list[tuple] = []
    excluded: dict[tuple, int] = defaultdict(int)
    for row in rows:
        if row[0] == 1:
            departments.append(
                (row[2], row[3], row[department_at], row[first_count], row[linked_at] or 0)
            )
        elif row[1] == COUNTED:
            detail.append(tuple(row[first_key:department_at]) + tuple(row[first_count:-1]))
        else:
            excluded[(row[3], row[2], row[1], row[-1])] += row[first_count]
    return WindowAggregates(detail, [(*key, n) for key, n in excluded.items()], departments)


# --- every row accounted for ------------------------------------------------------------------
def _write_window(
    conn: sa.Connection,
    aggregates: WindowAggregates,
    report: RefreshReport,
    accounted: dict[date | None, int],
) -> None:
    """A window's aggregates into the store, and its rows added up per day of the source
    (``accounted``: the day whose range each row lies in; None: outside every day)."""
    _insert(conn, st.summary_detail, DETAIL_COLUMNS, aggregates.detail)
    _insert(conn, st.quality_excluded, EXCLUDED_COLUMNS, aggregates.excluded)
    _insert(conn, st.summary_departments, DEPARTMENT_COLUMNS, aggregates.departments)
    _insert(conn, st.summary_daily, DAILY_COLUMNS, daily_rows(aggregates.detail))
    _insert(conn, st.summary_breakdowns, BREAKDOWN_COLUMNS, breakdown_rows(aggregates.detail))
    report.registrations += aggregates.registrations
    report.excluded_rows += aggregates.excluded_rows
    for day, n in rows_per_source_day(aggregates).items():
        accounted[day] += n


def rows_per_source_day(aggregates: WindowAggregates) -> dict[date | None, int]:
    """The raw rows a window's aggregates stand for, per day whose range holds them: a
    row with a valid timestamp lies in its own day; an invalid one in its ``source_day``,
    or outside every day (None), as does a valid one before 1900."""
    out: dict[date | None, int] = defaultdict(int)
    day_at, n_at = DETAIL_COLUMNS.index("day"), DETAIL_COLUMNS.index("registrations")
    for row in aggregates.detail:
        out[_in_a_day(as_date(row[day_at]))] += int(row[n_at])
    for day, _facility, _kind, source_day, rows in aggregates.excluded:
        out[_in_a_day(as_date(day) or as_date(source_day))] += int(rows)
    return out


def _in_a_day(day: date | None) -> date | None:
    return None if day is None or day < EARLIEST.date() else day


def _accounted_days_in_source(
    conn: sa.Connection,
    ranges: list[tuple[date, date]],
    now: datetime,
    source_counts: dict[date | None, int],
    every_day: bool,
    by_ranges: bool,
) -> dict[date | None, int]:
    """The raw rows of each day the refresh read (and outside every day), counted in the
    source after the windows were read. When every day was counted for this refresh,
    those counts; else the days of ``ranges`` counted anew (the counts kept for older
    days may predate a late row)."""
    days = {d for first, last in ranges for d in _days_of(first, last)}
    if every_day:
        counts = source_counts
    elif by_ranges:
        counts = source_day_counts(conn, now, min(days) if days else now.date())
    else:
        counts = grouped_day_counts(conn, now)
    return {d: counts.get(d, 0) for d in days} | {None: counts.get(None, 0)}


def _days_of(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def unaccounted_days(
    source: dict[date | None, int], accounted: dict[date | None, int]
) -> dict[date | None, tuple[int, int]]:
    """Each day (None: outside every day) whose rows in the source and rows accounted for
    differ, with both numbers."""
    off = {
        day: (n, accounted.get(day, 0)) for day, n in source.items() if accounted.get(day, 0) != n
    }
    return off | {day: (0, n) for day, n in accounted.items() if day not in source and n}


def _windows_of(days: Iterable[date | None]) -> Iterator[tuple[RowWindow, str]]:
    """The windows that read ``days`` again (None: the rows outside every day)."""
    listed = set(days)
    if None in listed:
        yield RowWindow(invalid=True), "invalid timestamps"
    for first, last in day_ranges(d for d in listed if d is not None):
        yield RowWindow(first_day=first, last_day=last), f"{first:%Y-%m-%d}…{last:%Y-%m-%d}"


def _forget_days(
    conn: sa.Connection, days: Iterable[date | None], accounted: dict[date | None, int]
) -> None:
    """Take what the refresh wrote for ``days`` out of the store again (None: the rows
    outside every day), before they are read again."""
    listed = set(days)
    _delete_days(conn, day_ranges(d for d in listed if d is not None))
    if None in listed:
        _delete_outside_every_day(conn)
    for day in listed:
        accounted.pop(day, None)


def _delete_outside_every_day(conn: sa.Connection) -> None:
    """What the window of timestamps outside every day made: excluded rows with no day,
    and the registrations counted on a day before 1900."""
    t = st.quality_excluded
    conn.execute(t.delete().where(t.c.day.is_(None), t.c.source_day.is_(None)))
    for table in DAY_TABLES:
        conn.execute(table.delete().where(table.c.day < EARLIEST.date()))


# --- writing the store -------------------------------------------------------------------------
def _insert(
    conn: sa.Connection, table: sa.Table, columns: Sequence[str], rows: list[tuple]
) -> None:
    """Bulk insert of tuples in ``columns`` order: the driver's executemany on SQLite,
    COPY on PostgreSQL.

    A full refresh writes millions of rows; going through SQLAlchemy's per-row parameter
    processing (or building a dict per row) would cost more than the aggregation itself.
    Days arrive as ``date`` (PostgreSQL source) or ISO text (SQLite source); SQLite
    stores ISO text and PostgreSQL reads it, so only a date bound for SQLite is converted.
    """
    if not rows:
        return
    column_list = ", ".join(f'"{c}"' for c in columns)
    dialect = conn.dialect.name
    if dialect == "sqlite":
        if "day" in columns:
            at = list(columns).index("day")
            if any(isinstance(row[at], date) for row in rows):
                rows = [(*row[:at], _iso(row[at]), *row[at + 1 :]) for row in rows]
        placeholders = ", ".join("?" for _ in columns)
        cursor = _driver_connection(conn).cursor()
        cursor.executemany(
            f'INSERT INTO "{table.name}" ({column_list}) VALUES ({placeholders})', rows
        )
    elif dialect == "postgresql":
        cursor = _driver_connection(conn).cursor()
        with cursor.copy(f'COPY "{table.name}" ({column_list}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
    else:
        conn.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in rows])


def _iso(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def _insert_dicts(conn: sa.Connection, table: sa.Table, rows: list[dict]) -> None:
    """The small tables (districts, facilities, staff, enrolments), as dicts."""
    if not rows:
        return
    columns = [c.name for c in table.columns if c.name in rows[0]]
    _insert(conn, table, columns, [tuple(row[c] for c in columns) for row in rows])


def _delete_days(conn: sa.Connection, ranges: list[tuple[date, date]]) -> None:
    """One DELETE a table for all the ranges (the detail table has no index on the day:
    each statement reads all of it)."""
    if not ranges:
        return
    for table in DAY_TABLES:
        columns = [table.c.day]
        if table is st.quality_excluded:
            columns.append(table.c.source_day)
        conn.execute(
            table.delete().where(sa.or_(*(col.between(a, b) for a, b in ranges for col in columns)))
        )


DAILY_COLUMNS = ("facility_id", "day", "registrations", *SUMMED)


def daily_rows(detail: list[tuple]) -> list[tuple]:
    """The detail rows of a window summed per facility and day (DAILY_COLUMNS).

    Done here, from the rows already in hand, rather than by re-reading the detail table:
    that table has no index on the day, so a per-window INSERT … SELECT would scan all
    of it once per window.
    """
    if not detail:
        return []
    frame = pd.DataFrame(detail, columns=list(DETAIL_COLUMNS))
    counts = ["registrations", *SUMMED]
    summed = frame.groupby(["facility_id", "day"], sort=False)[counts].sum()
    return [
        (facility, day, *map(int, values))
        for (facility, day), values in zip(summed.index, summed.to_numpy(), strict=True)
    ]


BREAKDOWN_COLUMNS = ("breakdown", "day", "facility_id", "value", "registrations", "abha_linked")
BREAKDOWNS = ("channel", "visit_type", "gender", "age_band")


def breakdown_rows(detail: list[tuple]) -> list[tuple]:
    """The detail rows of a window summed per breakdown (BREAKDOWN_COLUMNS)."""
    if not detail:
        return []
    frame = pd.DataFrame(detail, columns=list(DETAIL_COLUMNS))
    rows: list[tuple] = []
    for name in BREAKDOWNS:
        summed = frame.groupby(["day", "facility_id", name], sort=False)[
            ["registrations", "abha_linked"]
        ].sum()
        rows.extend(
            (name, day, facility, value, int(n), int(linked))
            for (day, facility, value), (n, linked) in zip(
                summed.index, summed.to_numpy(), strict=True
            )
        )
    return rows


def read_reference_tables(source: sa.Engine, tables: set[str]) -> dict[str, list[dict]]:
    """Districts, facilities, staff and enrolments: small tables, read whole (in a thread
    of their own, while the windows are aggregated)."""
    d, f = src.districts, src.facilities
    out: dict[str, list[dict]] = {}
    with source.connect() as conn:
        hindi: dict[str, dict[str, str]] = {"divisions": {}, "states": {}}
        for name in hindi:
            if name in tables:
                t = src.CONTRACT.tables[name]
                hindi[name] = {
                    str(r.name).strip(): str(r.name_hi).strip()
                    for r in conn.execute(sa.select(t.c.name, t.c.name_hi))
                    if r.name is not None and r.name_hi is not None and str(r.name_hi).strip()
                }
        out[st.dim_districts.name] = [
            {
                **row,
                "division_hi": hindi["divisions"].get(str(row["division"]).strip()),
                "state_hi": hindi["states"].get(str(row["state"]).strip()),
            }
            for row in (dict(r) for r in conn.execute(sa.select(d)).mappings())
        ]
        go_live_text = sa.cast(f.c.ehospital_go_live, sa.Text).label("ehospital_go_live")
        columns = [c for c in f.c if c.name != "ehospital_go_live"]
        facilities = []
        for r in conn.execute(sa.select(*columns, go_live_text)).mappings():
            row = dict(r)
            row["ehospital_go_live"] = as_date(row["ehospital_go_live"])
            facilities.append(row)
        out[st.dim_facilities.name] = facilities
        out[st.dim_facility_staff.name] = []
        if "facility_staff" in tables:
            s = src.facility_staff
            out[st.dim_facility_staff.name] = [
                dict(r) for r in conn.execute(sa.select(s)).mappings()
            ]
        out[st.enrolments_daily.name] = []
        if "abha_enrolments" in tables:
            e = src.abha_enrolments
            stmt = sa.select(
                e.c.facility_id,
                e.c.enrolled_on.label("day"),
                sa.func.sum(e.c.enrolments).label("enrolments"),
            ).group_by(e.c.facility_id, e.c.enrolled_on)
            out[st.enrolments_daily.name] = [
                {**dict(r), "enrolments": int(r["enrolments"] or 0)}
                for r in conn.execute(stmt).mappings()
                if r["day"] is not None
            ]
    return out


def _write_reference_tables(store: sa.Connection, rows: dict[str, list[dict]]) -> None:
    for table in (st.dim_districts, st.dim_facilities, st.dim_facility_staff, st.enrolments_daily):
        store.execute(table.delete())
        _insert_dicts(store, table, rows[table.name])


def _facility_districts(conn: sa.Connection) -> dict[str, int]:
    f = st.dim_facilities
    return dict(conn.execute(sa.select(f.c.facility_id, f.c.district_lgd)).all())


def _write_district_summary(conn: sa.Connection, ranges: list[tuple[date, date]] | None) -> None:
    """``summary_district_daily`` from ``summary_daily`` and the registry, in the store:
    for the days of ``ranges`` (already deleted with the other day tables), or, when None,
    all of it anew."""
    t, d, f = st.summary_district_daily, st.summary_daily, st.dim_facilities
    counts = ["registrations", *SUMMED]
    summed = sa.select(
        f.c.district_lgd, d.c.day, *(sa.func.sum(d.c[c]).label(c) for c in counts)
    ).select_from(d.join(f, f.c.facility_id == d.c.facility_id))
    if ranges is None:
        conn.execute(t.delete())
    elif not ranges:
        return
    else:
        summed = summed.where(sa.or_(*(d.c.day.between(a, b) for a, b in ranges)))
    summed = summed.group_by(f.c.district_lgd, d.c.day)
    conn.execute(t.insert().from_select(["district_lgd", "day", *counts], summed))


def source_months(conn: sa.Connection, now: datetime, *, by_ranges: bool = True) -> list[date]:
    """The months (first days) with rows in the source up to today: one probe of the
    registered_at index a month between the first and the last day, so a stray row from
    1901 costs a few hundred probes, not partitions for every month since. Without that
    index (``by_ranges=False``), from one pass counting every day."""
    if not by_ranges:
        days = grouped_day_counts(conn, now)
        return sorted({st.month_start(d) for d in days if d is not None})
    r = src.opd_registrations
    at = r.c.registered_at
    text = sa.type_coerce(at, sa.Text)
    low, high = conn.execute(
        sa.select(sa.func.min(text), sa.func.max(text)).where(
            in_days(at, EARLIEST.date(), now.date())
        )
    ).one()
    first, last = (None if v is None else as_date(str(v)[:10]) for v in (low, high))
    if first is None or last is None or first > last:
        return []
    probe = (
        sa.select(sa.literal(1))
        .where(at >= day_start(first, "low"), at < day_start(first, "high"))
        .limit(1)
    )
    months, month = [], st.month_start(first)
    while month <= last:
        following = st.next_month(month)
        if conn.execute(probe, {"low": month, "high": following}).first() is not None:
            months.append(month)
        month = following
    return months


def _write_state(conn: sa.Connection, values: dict[str, str]) -> None:
    t = st.refresh_state
    conn.execute(t.delete().where(t.c.key.in_(list(values))))
    conn.execute(t.insert(), [{"key": k, "value": v} for k, v in values.items()])


def _windows(ranges: list[tuple[date, date]]) -> Iterator[tuple[RowWindow, str]]:
    # The invalid-timestamp window first: on SQLite it reads every timestamp, the longest
    # single job, which then runs beside the day windows instead of after them.
    yield RowWindow(invalid=True), "invalid timestamps"
    for first, last in ranges:
        label = first.isoformat() if first == last else f"{first:%Y-%m-%d}…{last:%Y-%m-%d}"
        yield RowWindow(first_day=first, last_day=last), label


_worker_source: sa.Engine | None = None


def _open_source(url: str) -> None:
    """In a worker process: its own connection to the registration database."""
    global _worker_source
    from data_access.engines import source_engine

    _worker_source = source_engine(url)


def _aggregate_in_worker(window: RowWindow, now: datetime) -> WindowAggregates:
    assert _worker_source is not None, "the worker was started without _open_source"
    with _worker_source.connect() as conn:
        return aggregate_window(conn, window, now)


PROCESSES_FROM_ROWS = 500_000
"""A SQLite source smaller than this is aggregated in threads: starting worker processes
(about a second each) would cost more than they save."""


def _pool(
    source: sa.Engine, windows: int, rows: int
) -> tuple[Executor, Callable[..., WindowAggregates]]:
    """Where the windows are aggregated: threads on PostgreSQL, processes on SQLite.

    A PostgreSQL server does the work in its own processes, so threads that wait on it
    are enough. SQLite works inside this process, and two SQLite connections in two
    threads of one process run no faster than one (measured: the library's global memory
    mutex and the GIL around each row), so a long SQLite refresh aggregates in worker
    processes, each with its own read-only connection. A refresh of a few windows (one
    new day) or of a small source stays in this process: starting workers would cost
    more than it saves.
    """
    if source.dialect.name == "sqlite" and windows > WORKERS + 1 and rows >= PROCESSES_FROM_ROWS:
        url = source.url.render_as_string(hide_password=False)
        pool = ProcessPoolExecutor(
            max_workers=WORKERS,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_open_source,
            initargs=(url,),
        )
        return pool, _aggregate_in_worker

    def work(window: RowWindow, now: datetime) -> WindowAggregates:
        with source.connect() as conn:
            return aggregate_window(conn, window, now)

    return ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="refresh"), work


@contextmanager
def _bare_main_module() -> Iterator[None]:
    """While worker processes start, ``__main__`` is an empty module.

    A spawned process first re-imports its parent's ``__main__`` (multiprocessing's rule),
    which is harmless under the command line but not when ``__main__`` is something else:
    under Streamlit's script runner (and AppTest) it is a page script, which would run in
    every worker. The workers need nothing of it.
    """
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


class WindowAggregator(Protocol):
    """Aggregates a window somewhere else than in the source (the Spark engine:
    ``data_access.spark_refresh.SparkAggregator``), ``workers`` windows at a time."""

    workers: int

    def __call__(self, window: RowWindow, now: datetime) -> WindowAggregates: ...


def _aggregated(
    source: sa.Engine,
    windows: list[tuple[RowWindow, str]],
    now: datetime,
    rows: int,
    aggregator: WindowAggregator | None = None,
) -> Iterator[tuple[str, WindowAggregates]]:
    """Each window's aggregates, in order, computed by up to WORKERS workers (see _pool),
    so that two windows in flight keep both cores of a small server busy while this
    thread writes the previous one to the store. With an ``aggregator``, its ``workers``
    threads hand the windows to it."""
    pending: deque[tuple[str, Future[WindowAggregates]]] = deque()
    if aggregator is not None:
        pool: Executor = ThreadPoolExecutor(
            max_workers=aggregator.workers, thread_name_prefix="engine"
        )
        yield from _in_order(pool, aggregator, windows, now, pending, aggregator.workers)
        return
    pool, work = _pool(source, len(windows), rows)
    with _bare_main_module() if isinstance(pool, ProcessPoolExecutor) else nullcontext():
        yield from _in_order(pool, work, windows, now, pending)


def _in_order(
    pool: Executor,
    work: Callable[..., WindowAggregates],
    windows: list[tuple[RowWindow, str]],
    now: datetime,
    pending: deque[tuple[str, Future[WindowAggregates]]],
    workers: int = WORKERS,
) -> Iterator[tuple[str, WindowAggregates]]:
    try:
        queue = iter(windows)
        for window, label in queue:
            pending.append((label, pool.submit(work, window, now)))
            if len(pending) >= workers:
                break
        while pending:
            label, future = pending.popleft()
            aggregates = future.result()
            following = next(queue, None)
            if following is not None:
                pending.append((following[1], pool.submit(work, following[0], now)))
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
    complete_check_hours: float = COMPLETE_CHECK_HOURS,
    aggregator: WindowAggregator | None = None,
    after_refresh: Callable[[sa.Engine], object] | None = None,
) -> RefreshReport:
    """Bring the analytics store up to date with the source. See the module docstring.

    ``complete_check_hours``: how often the row counts of every day are compared with the
    source (late rows on old days); in between, only the recent days are (0: every time).
    ``aggregator``: where the windows are aggregated when not in the source (Spark);
    everything else — which days, the one transaction of the store — is the same.
    ``after_refresh``: run on the store once the refresh has committed (the alerts'
    evaluation, ``cli.alerts.evaluate_alerts``, which this layer cannot import). Its
    failure does not undo the refresh: it is logged as a warning and reported in
    ``RefreshReport.after_failed``.
    """
    started = time.perf_counter()
    now = now or ist_now()
    tables = require_contract_tables(source)
    st.ensure_store(store)
    # Without an index on registered_at (or where none can be seen: a view) every range
    # of days reads the whole table: count the days in one pass, and read fewer, longer
    # windows. The indexes make a refresh faster, never possible.
    indexed = indexed_columns(source)
    by_ranges, id_index = "registered_at" in indexed, "registration_id" in indexed

    if store.dialect.name == "postgresql":
        with source.connect() as sconn:
            months = source_months(sconn, now, by_ranges=by_ranges)
        st.ensure_month_partitions(store, months)  # before the refresh's transaction

    reference_reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reference")
    with reference_reader, source.connect() as sconn, store.begin() as wconn:
        state = _state(wconn)
        previous_now = datetime.fromisoformat(state["now"]) if "now" in state else None
        registry = registry_fingerprint(sconn)
        full = (
            full
            or previous_now is None
            or state.get("registry") != registry
            or state.get("source") != describe(source.url)
            or state.get("store_version") != st.STORE_VERSION
        )
        checked = state.get("days_checked_at")
        last_check = None if checked is None else datetime.fromisoformat(checked)
        every_day = (
            full or last_check is None or now - last_check >= timedelta(hours=complete_check_hours)
        )
        if every_day:
            source_counts = source_day_counts(sconn, now, by_ranges=by_ranges)
        else:
            # Recent days only: the days since the last refresh and the look-back before
            # them; the older days' counts are taken as the last complete check left them.
            assert previous_now is not None
            since = min(previous_now.date(), now.date()) - timedelta(days=lookback_days + 1)
            stored = _stored_day_counts(wconn)
            older: dict[date | None, int] = {
                d: n for d, n in stored.items() if d is not None and d < since
            }
            source_counts = older | source_day_counts(sconn, now, since, by_ranges=by_ranges)
        # the look-back days' content, to re-read only those that changed in place
        fingerprints = day_fingerprints(sconn, look_back_days(source_counts, now, lookback_days))
        if full:
            days = {d for d in source_counts if d is not None and d <= now.date()}
            for table in DAY_TABLES:
                wconn.execute(table.delete())
        else:
            stored = _stored_day_counts(wconn)
            kept = _stored_fingerprints(wconn)
            # a day with no rows then (none stored) had the fingerprint of no rows
            kept |= {d: _NO_ROWS for d in fingerprints if d not in stored}
            unchanged = {d for d, f in fingerprints.items() if kept.get(d) == f}
            days = days_to_refresh(
                source_counts,
                stored,
                previous_now=previous_now,
                now=now,
                lookback_days=lookback_days,
                unchanged=unchanged,
            )
            # New, removed or edited rows on a day can change which copy of a registration
            # is kept on another day: those days are read again too.
            arrived = days_to_refresh(
                source_counts, stored, previous_now=previous_now, now=now, lookback_days=-1
            ) | {d for d in fingerprints if d in kept and d not in unchanged}
            days |= {
                d
                for d in days_sharing_ids(sconn, day_ranges(arrived), now, id_index)
                if d <= now.date()
            }
            if source_counts.get(None, 0) != stored.get(None, 0):
                # the rows outside every day changed: the days of their copies too
                days |= {
                    d
                    for d in days_sharing_ids(sconn, [], now, id_index, outside_every_day=True)
                    if d <= now.date()
                }
            # A row taken away (fewer rows than before, or a look-back day edited) may have
            # been the copy kept of a registration whose other copies were duplicates until
            # now, wherever they lie: the days holding duplicates are read again. (Rows
            # both added and removed on a day outside the look-back, leaving more than
            # before, look like additions only: a full refresh sets such a day right.)
            # A day the store had no rows for only gained rows: nothing was taken away
            # there (its copies' days are already in ``arrived``).
            edited = {d for d in fingerprints if d in kept and d in stored and d not in unchanged}
            fewer = {d for d, n in stored.items() if source_counts.get(d, 0) < n}
            if edited or fewer:
                days |= {d for d in _days_with_duplicates(wconn) if d <= now.date()}
        # windows no longer than needed to keep every worker busy
        chunk = CHUNK_DAYS if by_ranges else UNINDEXED_CHUNK_DAYS
        ranges = day_ranges(days, max(1, min(chunk, -(-len(days) // WORKERS))))
        report = RefreshReport(full=full, refreshed_at=now, ranges=ranges)
        if not full:
            _delete_days(wconn, ranges)
        # what the window of timestamps outside every day (always refreshed) made
        _delete_outside_every_day(wconn)

        total = len(ranges) + 2
        reference = reference_reader.submit(read_reference_tables, source, tables)
        windows = [(w.with_id_index(id_index), label) for w, label in _windows(ranges)]
        accounted: dict[date | None, int] = defaultdict(int)
        for done, (label, aggregates) in enumerate(
            _aggregated(source, windows, now, sum(source_counts.values()), aggregator)
        ):
            if progress:
                progress(done, total, label)
            _write_window(wconn, aggregates, report, accounted)
        # Every row of every day read is counted once or excluded under one kind, or the
        # refresh fails here, naming the days, and the store keeps its previous state.
        fresh = _accounted_days_in_source(sconn, ranges, now, source_counts, every_day, by_ranges)
        off = unaccounted_days(fresh, accounted)
        if off:
            # A live source may have moved between its count and the reading of a day:
            # read those days again, count them again, and only then fail.
            again = [(w.with_id_index(id_index), label) for w, label in _windows_of(off)]
            _forget_days(wconn, off, accounted)
            for _, aggregates in _aggregated(source, again, now, 0, aggregator):
                _write_window(wconn, aggregates, report, accounted)
            retried = day_ranges(d for d in off if d is not None)
            fresh |= _accounted_days_in_source(sconn, retried, now, {}, False, by_ranges)
            off = unaccounted_days(fresh, accounted)
            if off:
                raise RowsUnaccounted(off)
        for day, n in fresh.items():
            if n:
                source_counts[day] = n
            else:
                source_counts.pop(day, None)

        if progress:
            progress(total - 1, total, "facilities, districts, staff, enrolments")
        districts_before = _facility_districts(wconn)
        _write_reference_tables(wconn, reference.result())
        # every day again when a facility moved to another district (or on a full refresh)
        whole = full or _facility_districts(wconn) != districts_before
        # the days refreshed, and those before 1900 (the window outside every day, which
        # every refresh reads again, counts a readable time of 1899 on its day)
        before_1900 = (date(1, 1, 1), EARLIEST.date() - timedelta(days=1))
        _write_district_summary(wconn, None if whole else [*ranges, before_1900])

        wconn.execute(st.source_day_rows.delete())
        _insert_dicts(
            wconn,
            st.source_day_rows,
            [
                {"day": d, "rows": n, "fingerprint": None if d is None else fingerprints.get(d)}
                for d, n in source_counts.items()
            ],
        )
        _write_state(
            wconn,
            {
                "now": now.isoformat(),
                "days_checked_at": (
                    now if every_day or last_check is None else last_check
                ).isoformat(),
                "store_version": st.STORE_VERSION,
                "registry": registry,
                "refreshed_at": ist_now().isoformat(),
                "source": describe(source.url),
                "source_rows": str(sum(source_counts.values())),
                "optional_tables": json.dumps(sorted(set(OPTIONAL_TABLES) & tables)),
            },
        )
    if after_refresh is not None:
        _run_after(after_refresh, store, report)
    if progress:
        progress(total, total, "done")
    report.seconds = time.perf_counter() - started
    return report


def _run_after(
    after_refresh: Callable[[sa.Engine], object], store: sa.Engine, report: RefreshReport
) -> None:
    """Run the step after a committed refresh; a failure is a warning, never the
    refresh's: the store keeps the refresh. The warning names the error's type and first
    line only (the store holds no patient data; neither does the message)."""
    try:
        report.after = after_refresh(store)
    except Exception as exc:  # noqa: BLE001 - the refresh stands whatever went wrong after it
        first = (str(exc).strip().splitlines() or [""])[0][:200]
        report.after_failed = f"{type(exc).__name__}: {first}".rstrip(": ")
        log.warning("the refresh is kept, but the step after it failed: %s", report.after_failed)


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
    read = readable_timestamp(r.c.registered_at)
    with source.connect() as conn:
        rows = conn.execute(sa.select(sa.func.count()).select_from(r)).scalar()
        became_valid = conn.execute(
            sa.select(sa.func.count())
            .select_from(r)
            .where(in_days(r.c.registered_at, previous_now.date(), now.date()))
            .where(read > previous_now, read <= now)
        ).scalar()
    return str(rows) != state.get("source_rows") or bool(became_valid)
