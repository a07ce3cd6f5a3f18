"""One way to open each database: the source read-only, the analytics store read-write.

Connection failures are turned into :class:`DatabaseUnavailable` with a message that names
the database (password hidden) and what to check.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from urllib.parse import parse_qsl, unquote

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import ConnectionPoolEntry

from data_access.errors import DatabaseUnavailable

STATEMENT_TIMEOUT_MS = 120_000


def describe(url: str | URL) -> str:
    """A URL fit to print: the password hidden, a read-only SQLite file shown by its path."""
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and database.startswith("file:"):
        return f"sqlite:///{database.removeprefix('file:')}"
    return parsed.render_as_string(hide_password=True)


def _sqlite_source_path(url: URL) -> Path | None:
    """The file a SQLite source URL names, whatever its form: a path, or a ``file:`` URI
    with its parameters in the URL's query or inside the name (percent-encoded or not);
    None for a database in memory. A URL that asks SQLite to write (``mode=rw``,
    ``mode=rwc``) is refused, so that no form of URL can create or change a file: the
    source is only ever read."""
    database = url.database or ""
    params = dict(url.query)
    if database.startswith("file:"):
        name, _, inline = unquote(database.removeprefix("file:")).partition("?")
        params.update(parse_qsl(inline))
        if name.startswith("//"):  # file://host/path: only this machine's files
            host, _, rest = name[2:].partition("/")
            if host not in ("", "localhost"):
                raise DatabaseUnavailable(f"'{describe(url)}' names a file on another host")
            name = "/" + rest
        database = name
    mode = params.get("mode")
    if mode not in (None, "ro", "memory"):
        raise DatabaseUnavailable(
            f"the registration database is only ever read, but its URL asks SQLite to open "
            f"it with mode={mode}; leave the mode out (or write mode=ro)"
        )
    if not database or database == ":memory:" or mode == "memory":
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


def _sqlite_source_pragmas(
    dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry
) -> None:
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
        path = _sqlite_source_path(parsed)
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
            engine = sa.create_engine("sqlite://")  # in memory: nothing on disk to write
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


def _sqlite_store_pragmas(
    dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry
) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the dashboard read while a refresh writes in another process.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_statement_timeout(engine: sa.Engine, seconds: float) -> None:
    """SQLite has no statement timeout: a progress handler interrupts a statement that
    runs past ``seconds`` (sqlite3.OperationalError "interrupted"), and a lock is waited
    for at most as long."""
    deadlines: dict[int, float] = {}

    def on_connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        key = id(dbapi_connection)
        dbapi_connection.set_progress_handler(
            lambda: time.monotonic() > deadlines.get(key, float("inf")), 10_000
        )
        dbapi_connection.execute(f"PRAGMA busy_timeout={int(seconds * 1000)}")

    def before_execute(_conn: sa.Connection, cursor: sqlite3.Cursor, *_args: object) -> None:
        deadlines[id(cursor.connection)] = time.monotonic() + seconds

    sa.event.listen(engine, "connect", on_connect)
    sa.event.listen(engine, "before_cursor_execute", before_execute)


def store_engine(url: str, *, statement_timeout: float | None = None) -> sa.Engine:
    """The analytics store. An embedded file is created (with its folder) when absent.

    ``statement_timeout``: seconds after which a query is cancelled (the dashboard's
    pages set it, ``[dashboard] statement_timeout_seconds``; the refresh does not). A
    server that does not answer a connection attempt is given up after 10 s.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = _sqlite_source_path(parsed)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(parsed)
        sa.event.listen(engine, "connect", _sqlite_store_pragmas)
        if statement_timeout is not None:
            _sqlite_statement_timeout(engine, statement_timeout)
    elif parsed.get_backend_name() == "postgresql":
        options: dict[str, int | str] = {"connect_timeout": 10}
        if statement_timeout is not None:
            options["options"] = f"-c statement_timeout={int(statement_timeout * 1000)}"
        engine = sa.create_engine(parsed, pool_pre_ping=True, connect_args=options)
    else:
        engine = sa.create_engine(parsed, pool_pre_ping=True)
    return _check_reachable(engine, "analytics store")
