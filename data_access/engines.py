"""One way to open each database: the source read-only, the analytics store read-write.

Connection failures are turned into :class:`DatabaseUnavailable` with a message that names
the database (password hidden) and what to check.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from data_access.errors import DatabaseUnavailable

STATEMENT_TIMEOUT_MS = 120_000


def describe(url: str | URL) -> str:
    """A URL fit to print: the password hidden, a read-only SQLite file shown by its path."""
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and database.startswith("file:"):
        return f"sqlite:///{database.removeprefix('file:')}"
    return parsed.render_as_string(hide_password=True)


def _sqlite_path(url: URL) -> Path | None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _check_reachable(engine: sa.Engine, what: str) -> sa.Engine:
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        engine.dispose()
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise DatabaseUnavailable(
            f"cannot open the {what} at {describe(engine.url)}: {reason}. "
            "Check the URL (--db, REGISTRATIONS_DB_URL or .streamlit/secrets.toml) "
            "and that the server is running."
        ) from None
    return engine


def _sqlite_source_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    # The refresh's GROUP BY and window sorts stay in memory instead of temporary files,
    # and the file is read through the page cache by mmap. Neither writes to the file.
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA mmap_size=2147483648")
    cursor.close()


def source_engine(url: str) -> sa.Engine:
    """The registration database, opened so that nothing can be written to it."""
    try:
        parsed = make_url(url)
    except (sa.exc.ArgumentError, ValueError) as exc:
        raise DatabaseUnavailable(f"'{url}' is not a database URL: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        path = _sqlite_path(parsed)
        if path is not None:
            if not path.exists():
                raise DatabaseUnavailable(
                    f"the registration database {path} does not exist; "
                    "create the demo with 'ehospital-dashboard demo' or point --db at yours"
                )
            ro_url = f"sqlite:///file:{path.resolve()}?mode=ro&uri=true"
            engine = sa.create_engine(ro_url)
            sa.event.listen(engine, "connect", _sqlite_source_pragmas)
        else:
            engine = sa.create_engine(parsed)
    elif parsed.get_backend_name() == "postgresql":
        engine = sa.create_engine(
            parsed,
            pool_pre_ping=True,
            connect_args={
                # read-only sessions; room to sort a month of rows in memory; no JIT, whose
                # compile time costs more than it saves on these short aggregate queries
                "options": "-c default_transaction_read_only=on "
                f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c work_mem=64MB -c jit=off",
                "connect_timeout": 10,
            },
        )
    else:
        try:
            engine = sa.create_engine(parsed)
        except (sa.exc.ArgumentError, ImportError, sa.exc.NoSuchModuleError) as exc:
            raise DatabaseUnavailable(f"cannot use {describe(parsed)}: {exc}") from None
    return _check_reachable(engine, "registration database")


def _sqlite_store_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    # WAL lets the dashboard read while a refresh writes in another process.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def store_engine(url: str) -> sa.Engine:
    """The analytics store. An embedded file is created (with its folder) when absent."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = _sqlite_path(parsed)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(parsed)
        sa.event.listen(engine, "connect", _sqlite_store_pragmas)
    else:
        engine = sa.create_engine(parsed, pool_pre_ping=True)
    return _check_reachable(engine, "analytics store")
