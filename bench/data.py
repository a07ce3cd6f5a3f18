"""The benchmark's data: the demo at a scale, on SQLite and PostgreSQL, and its stores.

Each scale has its own folder ``data/bench/<scale>/`` (the registration database as SQLite,
the analytics store built from it, and a note of what was generated) and its own
PostgreSQL databases: ``bench_<scale>`` (the registrations, loaded from the SQLite file)
and ``bench_<scale>_store`` (the analytics store built from it). Generated data is reused
by later runs; ``regenerate=True`` makes it anew.

Only counts and timings leave this module, never a row.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from data_access import contract as src
from data_access import store as st
from data_access.config import PROJECT_ROOT, sqlite_url
from data_access.engines import source_engine, store_engine
from data_access.refresh import RefreshReport, refresh
from demo.generator import generate_demo
from demo.load import copy_registration_database

DEMO_ROWS = 3_428_620
"""Registration rows of the calibrated demo (volume scale 1), 2024-04-01 to 2026-10-31."""
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
    """A benchmark size: about ``rows`` registration rows, the demo's 49 facilities."""

    name: str
    rows: int

    @classmethod
    def parse(cls, text: str) -> Scale:
        """'0.2m' → 200,000 rows, '500k' → 500,000; the name is kept as written."""
        found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([km]?)\s*", text.lower())
        if not found:
            raise ValueError(f"'{text}' is not a size such as 0.2m, 2m, 20m or 500k")
        number, unit = float(found[1]), found[2]
        rows = round(number * {"k": 1e3, "m": 1e6, "": 1}[unit])
        if rows <= 0:
            raise ValueError(f"'{text}': the size must be above 0")
        return cls(found[1] + unit, rows)

    @property
    def label(self) -> str:
        return self.name.upper()

    @property
    def volume_scale(self) -> float:
        return self.rows / DEMO_ROWS

    @property
    def slug(self) -> str:
        return self.name.replace(".", "_")

    @property
    def folder(self) -> Path:
        return BENCH_DIR / self.name

    @property
    def sqlite_path(self) -> Path:
        return self.folder / "registrations.sqlite"

    def source_url(self, engine: str) -> str:
        if engine == "sqlite":
            return sqlite_url(self.sqlite_path)
        return _pg_url(f"bench_{self.slug}")

    def store_url(self, engine: str) -> str:
        if engine == "sqlite":
            return sqlite_url(self.folder / "analytics.sqlite")
        return _pg_url(f"bench_{self.slug}_store")


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
    ):
        return {**note, "reused": True}
    summary = generate_demo(scale.sqlite_path, force=True, volume_scale=scale.volume_scale)
    note = {
        "volume_scale": scale.volume_scale,
        "rows": summary.registration_rows,
        "facilities": summary.facilities,
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


# --- the analytics store ---------------------------------------------------------------------
def full_refresh(scale: Scale, engine: str) -> RefreshReport:
    """A full refresh of the scale's store on ``engine`` from the source on that engine."""
    if engine == "postgresql":
        create_database(scale.store_url(engine))
    source, store = source_engine(scale.source_url(engine)), store_engine(scale.store_url(engine))
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


def store_size(scale: Scale, engine: str) -> dict:
    """The store's size in bytes and the row counts of its summary tables.

    The store is compacted first (PostgreSQL: VACUUM FULL; SQLite: VACUUM): a full refresh
    deletes and rewrites every row, and the space it freed would count until autovacuum
    (PostgreSQL) or a VACUUM (SQLite, which never shrinks a file by itself) reclaims it.
    """
    compact = sa.create_engine(scale.store_url(engine), isolation_level="AUTOCOMMIT")
    with compact.connect() as conn:
        conn.execute(sa.text("VACUUM FULL" if engine == "postgresql" else "VACUUM"))
    compact.dispose()
    store = store_engine(scale.store_url(engine))
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
                        "SELECT sum(pg_total_relation_size(c::regclass))"
                        " FROM unnest(CAST(:names AS text[])) AS c"
                    ),
                    {"names": [t.name for t in st.STORE.sorted_tables]},
                ).one()[0]
    finally:
        store.dispose()
    if engine == "sqlite":
        path = scale.folder / "analytics.sqlite"
        size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    return {"bytes": int(size), "rows": rows}


# --- one new day -----------------------------------------------------------------------------
def _day_after(value: object) -> date:
    """The day after a timestamp as the engine returns it (SQLite: text)."""
    day = value.date() if isinstance(value, datetime) else date.fromisoformat(str(value)[:10])
    return day + timedelta(days=1)


def add_new_day(scale: Scale, engine: str) -> tuple[date, int]:
    """Copy the newest day's rows to the day after it, with new registration IDs.

    Returns the new day and the rows added. Done in SQL, in the source; undone by
    :func:`remove_new_day`.
    """
    r = src.opd_registrations
    writer = sa.create_engine(scale.source_url(engine))
    try:
        with writer.begin() as conn:
            newest = conn.execute(
                sa.select(sa.func.max(r.c.registered_at)).where(r.c.registered_at < REFRESH_NOW)
            ).scalar_one()
            new_day = _day_after(newest)
            first = datetime.combine(new_day - timedelta(days=1), datetime.min.time())
            if engine == "sqlite":
                moved = sa.func.datetime(r.c.registered_at, "+1 day")
            else:
                moved = r.c.registered_at + timedelta(days=1)
            columns = [c for c in r.c if c.name not in ("registration_id", "registered_at")]
            copied = sa.select(
                (sa.literal(NEW_DAY_PREFIX) + r.c.registration_id).label("registration_id"),
                moved.label("registered_at"),
                *columns,
            ).where(r.c.registered_at >= first, r.c.registered_at < first + timedelta(days=1))
            names = ["registration_id", "registered_at", *(c.name for c in columns)]
            conn.execute(r.insert().from_select(names, copied))
            added = conn.execute(sa.select(sa.func.count()).where(_added_on(new_day))).scalar_one()
    finally:
        writer.dispose()
    return new_day, added


def _added_on(new_day: date) -> sa.ColumnElement[bool]:
    """The rows :func:`add_new_day` added on ``new_day``."""
    r = src.opd_registrations
    first = datetime.combine(new_day, datetime.min.time())
    return sa.and_(
        r.c.registered_at >= first,
        r.c.registered_at < first + timedelta(days=1),
        r.c.registration_id.startswith(NEW_DAY_PREFIX, autoescape=True),
    )


def remove_new_day(scale: Scale, engine: str, new_day: date) -> None:
    writer = sa.create_engine(scale.source_url(engine))
    try:
        with writer.begin() as conn:
            conn.execute(src.opd_registrations.delete().where(_added_on(new_day)))
    finally:
        writer.dispose()


def incremental_refresh(scale: Scale, engine: str, now: datetime) -> RefreshReport:
    source, store = source_engine(scale.source_url(engine)), store_engine(scale.store_url(engine))
    try:
        return refresh(source, store, now=now)
    finally:
        source.dispose()
        store.dispose()


def one_new_day(scale: Scale, engine: str) -> dict:
    """Add a day of registrations, refresh incrementally (timed), take the day out again and
    refresh back to the state of the full refresh, so that the next run starts the same."""
    new_day, added = add_new_day(scale, engine)
    try:
        end_of_day = datetime.combine(new_day, datetime.max.time()).replace(microsecond=0)
        report = incremental_refresh(scale, engine, end_of_day)
    finally:
        remove_new_day(scale, engine, new_day)
        restored = incremental_refresh(scale, engine, REFRESH_NOW)
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
