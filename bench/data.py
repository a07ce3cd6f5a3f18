"""The benchmark's data: the demo at a scale, on SQLite and PostgreSQL, and its stores.

Each scale has its own folder ``data/bench/<scale>/`` (the registration database as SQLite,
the analytics store built from it, and a note of what was generated) and its own
PostgreSQL databases: ``bench_<scale>`` (the registrations, loaded from the SQLite file)
and ``bench_<scale>_store`` (the analytics store built from it). Generated data is reused
by later runs; ``regenerate=True`` makes it anew.

A scale has a *shape*: ``bastar`` (the default: the Bastar demo's 49 facilities, busier)
or ``state`` (the statewide demo's 175 facilities in 33 districts, ``20m-state``), see
:class:`Scale`.

For the refresh without the recommended indexes, a copy of the source with both dropped
(``registrations-unindexed.sqlite``; ``bench_<scale>_unindexed``) and a store of its own
(``analytics-unindexed.sqlite``; ``bench_<scale>_unindexed_store``), made and reused the
same way.

Only counts and timings leave this module, never a registration row (when two stores
differ, :func:`compare_stores` returns a few of the analytics rows that differ).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import zip_longest
from pathlib import Path

import sqlalchemy as sa

from data_access import contract as src
from data_access import store as st
from data_access.config import PROJECT_ROOT, sqlite_url
from data_access.engines import describe, source_engine, store_engine
from data_access.refresh import RefreshReport, refresh
from data_access.rules import in_days
from data_access.source_profile import TABLE, indexed_columns
from demo.generator import generate_demo
from demo.load import copy_registration_database

DEMO_ROWS = 3_428_620
"""Registration rows of the calibrated demo (volume scale 1), 2024-04-01 to 2026-10-31."""
STATE_DEMO_ROWS = 6_208_200
"""Registration rows of the statewide demo (``region="state"``) at volume scale 1, to the
hundred: 620,784 clean rows at volume scale 0.1 (seed 2025), times ten, and its 355 dirty
rows, whose counts do not scale. A scale's rows are reached to about 0.1 %."""
SHAPES = {"bastar": DEMO_ROWS, "state": STATE_DEMO_ROWS}
"""The demo's regions a scale can have (``demo.generate_demo(region=…)``) and each one's
registration rows at volume scale 1: ``bastar``, the 49 facilities of Bastar division (the
default), and ``state``, the 175 of the statewide demo."""
BENCH_DIR = PROJECT_ROOT / "data" / "bench"
PG_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ENGINES = ("sqlite", "postgresql")
REFRESH_NOW = datetime(2026, 11, 1)
"""The moment of the full refresh: just after the demo's last day (31 October 2026)."""
NEW_DAY_PREFIX = "BENCH-NEW-DAY-"
"""registration_id prefix of the rows the "one new day" step adds (and removes again)."""
SUMMARY_TABLES = tuple(
    t for t in st.STORE.tables.values() if t.name.startswith(("summary_", "quality_"))
)
"""The store's summary tables, whose rows the benchmark counts."""


@dataclass(frozen=True)
class Scale:
    """A benchmark size: about ``rows`` registration rows, drawn by the demo of ``shape``.

    ``bastar`` (the default): the Bastar demo's 49 facilities, each busier as the rows grow.
    ``state``: the statewide demo's 175 facilities (33 districts, five divisions; a few
    planned, without registrations) at the volume scale that gives ``rows``: the same
    registrations spread over more facilities, districts and divisions, so more
    facility-days in the store.
    """

    name: str
    rows: int
    shape: str = "bastar"

    @classmethod
    def parse(cls, text: str) -> Scale:
        """'0.2m' → 200,000 rows, '500k' → 500,000, '20m-state' → 20,000,000 rows of the
        statewide demo ('20m-bastar' is '20m'); the name is kept as written, without
        '-bastar'."""
        found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([km]?)\s*(?:-\s*([a-z]+)\s*)?", text.lower())
        if not found:
            raise ValueError(f"'{text}' is not a size such as 0.2m, 2m, 20m, 500k or 20m-state")
        number, unit, shape = float(found[1]), found[2], found[3] or "bastar"
        if shape not in SHAPES:
            raise ValueError(
                f"'{text}': unknown shape '{shape}'; choose one of {', '.join(SHAPES)}"
            )
        rows = round(number * {"k": 1e3, "m": 1e6, "": 1}[unit])
        if rows <= 0:
            raise ValueError(f"'{text}': the size must be above 0")
        name = found[1] + unit + ("" if shape == "bastar" else f"-{shape}")
        return cls(name, rows, shape)

    @property
    def size(self) -> str:
        """The rows as written, without the shape: '20m'."""
        return self.name.removesuffix(f"-{self.shape}")

    @property
    def label(self) -> str:
        """'20M' for the Bastar shape, '20M state' for the statewide one."""
        return self.size.upper() + ("" if self.shape == "bastar" else f" {self.shape}")

    @property
    def sort_key(self) -> tuple[int, int]:
        """Smallest first; of equal rows, the Bastar shape before the statewide one."""
        return self.rows, list(SHAPES).index(self.shape)

    @property
    def volume_scale(self) -> float:
        return self.rows / SHAPES[self.shape]

    @property
    def slug(self) -> str:
        """The name in a PostgreSQL database's: '0.2m' → '0_2m', '20m-state' → '20m_state'."""
        return self.name.replace(".", "_").replace("-", "_")

    @property
    def folder(self) -> Path:
        return BENCH_DIR / self.name

    @property
    def sqlite_path(self) -> Path:
        return self.folder / "registrations.sqlite"

    @property
    def unindexed_sqlite_path(self) -> Path:
        """The copy of :attr:`sqlite_path` without the recommended indexes."""
        return self.folder / "registrations-unindexed.sqlite"

    def source_url(self, engine: str, *, unindexed: bool = False) -> str:
        """The registrations on ``engine``; ``unindexed``: the copy without the indexes."""
        if engine == "sqlite":
            return sqlite_url(self.unindexed_sqlite_path if unindexed else self.sqlite_path)
        return _pg_url(f"bench_{self.slug}" + ("_unindexed" if unindexed else ""))

    def store_url(self, engine: str, *, unindexed: bool = False) -> str:
        """The analytics store on ``engine``; ``unindexed``: the one refreshed from the copy
        without the indexes."""
        if engine == "sqlite":
            name = "analytics-unindexed.sqlite" if unindexed else "analytics.sqlite"
            return sqlite_url(self.folder / name)
        return _pg_url(f"bench_{self.slug}" + ("_unindexed" if unindexed else "") + "_store")


def app_environment(store_url: str) -> dict[str, str]:
    """The environment of a dashboard on ``store_url`` in open demo mode: no secrets file
    (so no sign-in), no other registration database, the audit log under data/bench/."""
    env = {k: v for k, v in os.environ.items() if k != "REGISTRATIONS_DB_URL"}
    env["ANALYTICS_DB_URL"] = store_url
    env["EHOSPITAL_SECRETS_FILE"] = str(BENCH_DIR / "no-secrets.toml")
    env["EHOSPITAL_DATA_DIR"] = str(BENCH_DIR)
    return env


def _pg_url(database: str) -> str:
    url = sa.engine.make_url(PG_ADMIN_URL).set(database=database)
    return url.render_as_string(hide_password=False)


def _note(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


# --- generation and load ---------------------------------------------------------------------
def ensure_generated(scale: Scale, regenerate: bool = False) -> dict:
    """The scale's SQLite registration database; generated unless already there.

    Returns its note: ``rows``, ``volume_scale``, ``seconds`` (of the generation) and
    ``reused`` (True when an earlier run made it).
    """
    note_path = scale.folder / "registrations.json"
    note = _note(note_path)
    if (
        not regenerate
        and scale.sqlite_path.exists()
        and note.get("volume_scale") == scale.volume_scale
        and note.get("region", "bastar") == scale.shape
    ):
        return {**note, "reused": True}
    summary = generate_demo(
        scale.sqlite_path, force=True, volume_scale=scale.volume_scale, region=scale.shape
    )
    note = {
        "volume_scale": scale.volume_scale,
        "region": scale.shape,
        "rows": summary.registration_rows,
        "facilities": summary.facilities,
        "facilities_not_live": summary.not_live,
        "seconds": summary.seconds,
    }
    note_path.write_text(json.dumps(note, indent=1))
    return {**note, "reused": False}


def _admin() -> sa.Engine:
    return sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


def _database_exists(admin: sa.Connection, name: str) -> bool:
    found = admin.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
    return found.first() is not None


def create_database(url: str, *, drop: bool = False) -> None:
    """Create the PostgreSQL database of ``url`` if it is missing (dropped first if ``drop``)."""
    name = sa.engine.make_url(url).database
    engine = _admin()
    try:
        with engine.connect() as admin:
            if drop:
                admin.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if not _database_exists(admin, name):
                admin.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()


def _registration_rows(url: str) -> int | None:
    engine = sa.create_engine(url)
    try:
        if not sa.inspect(engine).has_table("opd_registrations"):
            return None
        with engine.connect() as conn:
            count = sa.select(sa.func.count()).select_from(src.opd_registrations)
            return conn.execute(count).scalar_one()
    finally:
        engine.dispose()


def ensure_loaded(scale: Scale, regenerated: bool) -> dict:
    """The scale's registrations in PostgreSQL, loaded from its SQLite file when missing
    or different; then VACUUM ANALYZE (what autovacuum would do after a bulk insert)."""
    note_path = scale.folder / "postgresql.json"
    url = scale.source_url("postgresql")
    rows = _note(scale.folder / "registrations.json")["rows"]
    create_database(url)
    if not regenerated and _registration_rows(url) == rows:
        return {**_note(note_path), "rows": rows, "reused": True}
    create_database(url, drop=True)
    started = time.perf_counter()
    copy_registration_database(scale.sqlite_path, url)
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
    engine.dispose()
    note = {"rows": rows, "seconds": time.perf_counter() - started}
    note_path.write_text(json.dumps(note, indent=1))
    return {**note, "reused": False}


def source_size(scale: Scale, engine: str) -> int:
    """The registration database's size in bytes on ``engine``: the SQLite file (with its
    WAL, if any); PostgreSQL: ``pg_database_size`` of ``bench_<scale>``."""
    if engine == "sqlite":
        path = scale.sqlite_path
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    name = sa.engine.make_url(scale.source_url(engine)).database
    engine_ = _admin()
    try:
        with engine_.connect() as admin:
            size = admin.execute(sa.text("SELECT pg_database_size(:n)"), {"n": name}).scalar_one()
    finally:
        engine_.dispose()
    return int(size)


# --- the source without the recommended indexes ---------------------------------------------
def _unindexed_note_path(scale: Scale, engine: str) -> Path:
    name = "registrations" if engine == "sqlite" else "postgresql"
    return scale.folder / f"{name}-unindexed.json"


def _source_note(scale: Scale, engine: str) -> dict:
    """The note of what the indexed source is (generated or loaded by which run)."""
    return _note(scale.folder / ("registrations.json" if engine == "sqlite" else "postgresql.json"))


def _copy_is_unindexed(url: str, rows: int) -> bool:
    """Whether the copy at ``url`` exists, has ``rows`` registrations (no day left over
    from an interrupted run) and no recommended index."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not Path(parsed.database or "").exists():
            return False
    else:
        engine = _admin()
        try:
            with engine.connect() as admin:
                if not _database_exists(admin, str(parsed.database)):
                    return False
        finally:
            engine.dispose()
    if _registration_rows(url) != rows:
        return False
    source = source_engine(url)
    try:
        return not indexed_columns(source)
    finally:
        source.dispose()


def _index_names(conn: sa.Connection) -> list[str]:
    return [str(i["name"]) for i in sa.inspect(conn).get_indexes(TABLE) if i.get("name")]


def _copy_sqlite_unindexed(source: Path, target: Path) -> list[str]:
    """Copy the SQLite file (its pages, by SQLite's backup) and drop every index of the
    registration table; then VACUUM, so that the file is what a source that never had
    them would be. Returns the indexes dropped."""
    for old in target.parent.glob(target.name + "*"):
        old.unlink()
    with (
        contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as origin,
        contextlib.closing(sqlite3.connect(target)) as copy,
    ):
        origin.backup(copy)
    engine = sa.create_engine(sqlite_url(target))
    try:
        with engine.begin() as conn:
            names = _index_names(conn)
            for name in names:
                conn.execute(sa.text(f'DROP INDEX "{name}"'))
        with engine.connect() as conn:
            conn.exec_driver_sql("VACUUM")
    finally:
        engine.dispose()
    return names


def _copy_postgres_unindexed(source_url: str, target_url: str) -> list[str]:
    """CREATE DATABASE … TEMPLATE the source, drop every index of the registration table,
    ANALYZE. Returns the indexes dropped."""
    source = sa.engine.make_url(source_url).database
    target = sa.engine.make_url(target_url).database
    admin = _admin()
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{target}" TEMPLATE "{source}"'))
    finally:
        admin.dispose()
    engine = sa.create_engine(target_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            names = _index_names(conn)
            for name in names:
                conn.execute(sa.text(f'DROP INDEX "{name}"'))
            conn.execute(sa.text(f"ANALYZE {TABLE}"))
    finally:
        engine.dispose()
    return names


def ensure_unindexed(scale: Scale, engine: str, remake: bool = False) -> dict:
    """A copy of the scale's source on ``engine`` without the recommended indexes (without
    any index on the registration table): made when missing, when the source was made
    anew since, or when ``remake``; otherwise reused.

    SQLite: ``registrations-unindexed.sqlite``; PostgreSQL: ``bench_<scale>_unindexed``,
    created from ``bench_<scale>`` as template. Returns its note: ``rows``, ``dropped``
    (the indexes), ``seconds`` (to make it), ``reused``.
    """
    note_path = _unindexed_note_path(scale, engine)
    url = scale.source_url(engine, unindexed=True)
    rows = _note(scale.folder / "registrations.json")["rows"]
    note = _note(note_path)
    if (
        not remake
        and note.get("rows") == rows
        and note.get("source") == _source_note(scale, engine)
        and _copy_is_unindexed(url, rows)
    ):
        return {**note, "reused": True}
    note_path.unlink(missing_ok=True)
    started = time.perf_counter()
    if engine == "sqlite":
        dropped = _copy_sqlite_unindexed(scale.sqlite_path, scale.unindexed_sqlite_path)
    else:
        dropped = _copy_postgres_unindexed(scale.source_url(engine), url)
    seconds = time.perf_counter() - started
    if not _copy_is_unindexed(url, rows):
        raise RuntimeError(f"{describe(url)}: not an unindexed copy of {rows:,} rows")
    note = {
        "rows": rows,
        "copied_from": describe(scale.source_url(engine)),
        "source": _source_note(scale, engine),
        "dropped": dropped,
        "seconds": seconds,
    }
    note_path.write_text(json.dumps(note, indent=1))
    return {**note, "reused": False}


# --- the analytics store ---------------------------------------------------------------------
def _is_postgres(url: str) -> bool:
    return sa.engine.make_url(url).get_backend_name() == "postgresql"


def full_refresh(source_url: str, store_url: str) -> RefreshReport:
    """A full refresh of the store at ``store_url`` (a PostgreSQL database is created when
    missing) from the source at ``source_url``, with ``now`` just after the last day."""
    if _is_postgres(store_url):
        create_database(store_url)
    source, store = source_engine(source_url), store_engine(store_url)
    try:
        return refresh(source, store, full=True, now=REFRESH_NOW)
    finally:
        source.dispose()
        store.dispose()


def store_is_current(scale: Scale, engine: str) -> bool:
    """Whether the store exists, is built, and was refreshed from this scale's source."""
    url = scale.store_url(engine)
    if engine == "sqlite" and not (scale.folder / "analytics.sqlite").exists():
        return False
    if engine == "postgresql":
        create_database(url)
    store = store_engine(url)
    try:
        if not st.store_is_built(store):
            return False
        with store.connect() as conn:
            t = st.refresh_state
            state = dict(conn.execute(sa.select(t.c.key, t.c.value)).all())
    finally:
        store.dispose()
    rows = _note(scale.folder / "registrations.json").get("rows")
    return state.get("source_rows") == str(rows) and state.get("now") == REFRESH_NOW.isoformat()


def store_size(url: str) -> dict:
    """The size in bytes of the store at ``url`` and the row counts of its summary tables.

    The store is compacted first (PostgreSQL: VACUUM FULL; SQLite: VACUUM): a full refresh
    deletes and rewrites every row, and the space it freed would count until autovacuum
    (PostgreSQL) or a VACUUM (SQLite, which never shrinks a file by itself) reclaims it.
    """
    engine = "postgresql" if _is_postgres(url) else "sqlite"
    compact = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with compact.connect() as conn:
        conn.execute(sa.text("VACUUM FULL" if engine == "postgresql" else "VACUUM"))
    compact.dispose()
    store = store_engine(url)
    try:
        with store.connect() as conn:
            rows = {
                t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).one()[0]
                for t in SUMMARY_TABLES
            }
            if engine == "sqlite":
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            else:
                size = conn.execute(
                    sa.text(
                        # a partitioned table holds nothing itself: its partitions count
                        "SELECT sum(pg_total_relation_size(p.relid))"
                        " FROM unnest(CAST(:names AS text[])) AS c,"
                        " pg_partition_tree(c::regclass) AS p"
                    ),
                    {"names": [t.name for t in st.STORE.sorted_tables]},
                ).one()[0]
    finally:
        store.dispose()
    if engine == "sqlite":
        path = Path(sa.engine.make_url(url).database or "")
        size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    return {"bytes": int(size), "rows": rows}


# --- one new day -----------------------------------------------------------------------------
def _day_after(value: object) -> date:
    """The day after a timestamp as the engine returns it (SQLite: text)."""
    day = value.date() if isinstance(value, datetime) else date.fromisoformat(str(value)[:10])
    return day + timedelta(days=1)


def add_new_day(source_url: str) -> tuple[date, int]:
    """Copy the newest day's rows of the source at ``source_url`` to the day after it,
    with new registration IDs.

    Returns the new day and the rows added. Done in SQL, in the source; undone by
    :func:`remove_new_day`.
    """
    r = src.opd_registrations
    writer = sa.create_engine(source_url)
    try:
        with writer.begin() as conn:
            newest = conn.execute(
                sa.select(sa.func.max(r.c.registered_at)).where(r.c.registered_at < REFRESH_NOW)
            ).scalar_one()
            new_day = _day_after(newest)
            first = datetime.combine(new_day - timedelta(days=1), datetime.min.time())
            if _is_postgres(source_url):
                moved = r.c.registered_at + timedelta(days=1)
            else:
                moved = sa.func.datetime(r.c.registered_at, "+1 day")
            columns = [c for c in r.c if c.name not in ("registration_id", "registered_at")]
            copied = sa.select(
                (sa.literal(NEW_DAY_PREFIX) + r.c.registration_id).label("registration_id"),
                moved.label("registered_at"),
                *columns,
            ).where(in_days(r.c.registered_at, first.date(), first.date()))
            names = ["registration_id", "registered_at", *(c.name for c in columns)]
            conn.execute(r.insert().from_select(names, copied))
            added = conn.execute(sa.select(sa.func.count()).where(_added_on(new_day))).scalar_one()
    finally:
        writer.dispose()
    return new_day, added


def _added_on(new_day: date) -> sa.ColumnElement[bool]:
    """The rows :func:`add_new_day` added on ``new_day``."""
    r = src.opd_registrations
    return sa.and_(
        in_days(r.c.registered_at, new_day, new_day),
        r.c.registration_id.startswith(NEW_DAY_PREFIX, autoescape=True),
    )


def remove_new_day(source_url: str, new_day: date) -> None:
    writer = sa.create_engine(source_url)
    try:
        with writer.begin() as conn:
            conn.execute(src.opd_registrations.delete().where(_added_on(new_day)))
    finally:
        writer.dispose()


def incremental_refresh(source_url: str, store_url: str, now: datetime) -> RefreshReport:
    source, store = source_engine(source_url), store_engine(store_url)
    try:
        return refresh(source, store, now=now)
    finally:
        source.dispose()
        store.dispose()


def one_new_day(source_url: str, store_url: str) -> dict:
    """Add a day of registrations to the source, refresh the store incrementally (timed),
    take the day out again and refresh back to the state of the full refresh, so that the
    next run starts the same."""
    new_day, added = add_new_day(source_url)
    try:
        end_of_day = datetime.combine(new_day, datetime.max.time()).replace(microsecond=0)
        report = incremental_refresh(source_url, store_url, end_of_day)
    finally:
        remove_new_day(source_url, new_day)
        restored = incremental_refresh(source_url, store_url, REFRESH_NOW)
    return {
        "day": new_day.isoformat(),
        "rows": added,
        "seconds": report.seconds,
        "days_refreshed": report.days,
        "full": report.full,
        "restore_seconds": restored.seconds,
    }


def sqlite_rows(path: Path) -> int:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT count(*) FROM opd_registrations").fetchone()[0]


# --- comparing two stores --------------------------------------------------------------------
STATE_LEFT_OUT = ("refreshed_at", "source")
"""refresh_state keys that differ between two stores of the same rows: when each was
refreshed, and from which source."""


def _ordered_rows(conn: sa.Connection, table: sa.Table) -> Iterator[tuple]:
    query = sa.select(table)
    if table is st.refresh_state:
        query = query.where(table.c.key.not_in(STATE_LEFT_OUT))
    ordered = query.order_by(*(sa.nulls_first(c) for c in table.columns))
    streamed = conn.execution_options(stream_results=True, yield_per=50_000).execute(ordered)
    try:
        for row in streamed:
            yield tuple(row)
    finally:
        streamed.close()


def compare_stores(a_url: str, b_url: str, examples: int = 5) -> dict[str, dict]:
    """Every row of every analytics table of two stores on the same engine, both streamed in
    the same order; refresh_state's :data:`STATE_LEFT_OUT` keys left out.

    Returns, per table, ``rows`` (of the first store) and, only when the tables differ,
    ``only_first`` / ``only_second`` (rows in one store and not the other, counted as
    multisets) and up to ``examples`` of each (as text).
    """
    a, b = store_engine(a_url), store_engine(b_url)
    out: dict[str, dict] = {}
    try:
        with a.connect() as ca, b.connect() as cb:
            for table in st.STORE.sorted_tables:
                streams = _ordered_rows(ca, table), _ordered_rows(cb, table)
                with contextlib.closing(streams[0]), contextlib.closing(streams[1]):
                    rows, same = 0, True
                    for left, right in zip_longest(*streams):
                        if left != right:
                            same = False
                            break
                        rows += 1
                if same:
                    out[table.name] = {"rows": rows}
                    continue
                first = Counter(_ordered_rows(ca, table))
                second = Counter(_ordered_rows(cb, table))
                only_first, only_second = first - second, second - first
                out[table.name] = {
                    "rows": first.total(),
                    "rows_second": second.total(),
                    "only_first": only_first.total(),
                    "only_second": only_second.total(),
                    "examples_first": [repr(r) for r in sorted(only_first, key=repr)[:examples]],
                    "examples_second": [repr(r) for r in sorted(only_second, key=repr)[:examples]],
                }
    finally:
        a.dispose()
        b.dispose()
    return out


def stores_identical(compared: dict[str, dict]) -> bool:
    return all("only_first" not in entry for entry in compared.values())
