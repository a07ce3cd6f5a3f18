"""Copy a registration database (the demo's SQLite file) into another engine.

Used by ``ehospital-dashboard demo --out postgresql+psycopg://…`` and by the tests that run
the same demo data on PostgreSQL. The target gets the contract's tables without keys, like
the demo, so that every dirty row survives the copy. One exception, forced by the engine:
a timestamp that SQLite holds as unreadable text cannot be stored in a PostgreSQL
``timestamp`` column and arrives as NULL — an invalid timestamp either way, so every
figure and every data-quality count stays the same.

PostgreSQL is loaded with COPY, and each table's indexes are built after its rows are in
(a sorted build, faster than keeping them up to date row by row). Timestamps already in
the canonical form ``YYYY-MM-DD HH:MM:SS`` (what SQLite's ``datetime()`` gives back
unchanged) go to COPY as they are, for PostgreSQL to read; only the others go through
Python: at 20 million rows that is most of the load's time saved.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa

from data_access.contract import source_metadata

BATCH = 100_000
Progress = Callable[[int, int, str], None]


def _timestamp(value: object) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _day(value: object) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


_CONVERTERS: dict[str, dict[str, Callable[[object], object]]] = {
    "opd_registrations": {"registered_at": _timestamp},
    "facilities": {"ehospital_go_live": _day},
    "abha_enrolments": {"enrolled_on": _day},
}


_CANONICAL = {"opd_registrations": "datetime(registered_at) IS registered_at"}
"""Rows whose values PostgreSQL reads exactly as the converters would make them."""


def _batches(
    conn: sqlite3.Connection, table: str, columns: list[str], *, as_text: bool = False
) -> Iterator[list[tuple]]:
    """The table's rows in batches, converted for the target.

    ``as_text``: the target reads canonical text itself (PostgreSQL's COPY), so the rows
    that are canonical come first, unconverted, and only the others are converted.
    """
    select = f'SELECT {", ".join(columns)} FROM "{table}"'  # noqa: S608 - fixed names
    converters = _CONVERTERS.get(table, {})
    canonical = _CANONICAL.get(table) if as_text else None
    if canonical:
        cursor = conn.execute(f"{select} WHERE {canonical}")
        while rows := cursor.fetchmany(BATCH):
            yield rows
        select += f" WHERE NOT ({canonical})"
    cursor = conn.execute(select)
    positions = [(columns.index(c), f) for c, f in converters.items()]
    while rows := cursor.fetchmany(BATCH):
        if positions:
            converted = []
            for row in rows:
                values = list(row)
                for i, convert in positions:
                    values[i] = convert(values[i])
                converted.append(tuple(values))
            rows = converted
        yield rows


def copy_registration_database(
    sqlite_path: Path, target_url: str, progress: Progress | None = None
) -> dict[str, int]:
    """Copy every contract table present in ``sqlite_path`` into ``target_url``.

    The target must not hold those tables yet. Returns the rows copied per table.
    """
    metadata = source_metadata(with_keys=False)
    engine = sa.create_engine(target_url)
    as_text = engine.dialect.name == "postgresql"
    copied: dict[str, int] = {}
    with sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True) as src:
        present = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        tables = [t for t in metadata.sorted_tables if t.name in present]
        total = sum(src.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0] for t in tables)  # noqa: S608
        indexes = [index for table in tables for index in table.indexes]
        for index in indexes:
            index.table.indexes.discard(index)  # built once the rows are in
        metadata.create_all(engine, tables=tables)
        done = 0
        for table in tables:
            columns = [c.name for c in table.columns]
            copied[table.name] = 0
            with engine.begin() as conn:
                for rows in _batches(src, table.name, columns, as_text=as_text):
                    _write(conn, table, columns, rows)
                    copied[table.name] += len(rows)
                    done += len(rows)
                    if progress:
                        progress(done, total, table.name)
        for index in indexes:
            index.create(engine)
    engine.dispose()
    return copied


def _write(conn: sa.Connection, table: sa.Table, columns: list[str], rows: list[tuple]) -> None:
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f'COPY "{table.name}" ({", ".join(columns)}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
        return
    conn.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in rows])
