"""On PostgreSQL the dashboard works as a role that may only SELECT on the source, and never
even tries to write to it.

A login role with CONNECT on the database, USAGE on the schema and SELECT on the
contract's tables (nothing else: PUBLIC's TEMPORARY right is revoked too) runs, through
the real command line, a full and an incremental refresh, ``check`` and ``figures
--source``. Three proofs that nothing is written:

1. every statement sent to the source is a read (recorded with SQLAlchemy's
   ``before_cursor_execute`` on every engine of this process, kept for the source's URL);
2. ``pg_stat_user_tables`` counts no inserted, updated or deleted tuple in the source's
   tables (read once the role's sessions have ended, when their statistics are flushed);
3. the role really is read-only: its INSERT and CREATE TEMP TABLE are refused.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import write_worked_example

from cli.main import main
from data_access.contract import OPTIONAL_TABLES, REQUIRED_TABLES, source_metadata

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("isolated_config")]

SOURCE_TABLES = (*REQUIRED_TABLES, *OPTIONAL_TABLES)
STATS_WAIT_SECONDS = 30


# --- the read-only role ---------------------------------------------------------------------
def _grant_read_only(conn: sa.Connection, role: str, database: str) -> None:
    """The grants of the README's "A read-only role for the dashboard", nothing more."""
    for statement in (
        f'CREATE ROLE "{role}" LOGIN',
        f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC',  # PUBLIC may CONNECT and TEMP
        f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"',
        f'GRANT USAGE ON SCHEMA public TO "{role}"',
        f'GRANT SELECT ON {", ".join(SOURCE_TABLES)} TO "{role}"',
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO "{role}"',
    ):
        conn.execute(sa.text(statement))


def _drop_role(owner_url: str, role: str) -> None:
    """Drop the role (cluster-wide) and what it holds in the test database."""
    engine = sa.create_engine(owner_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :r"
                ),
                {"r": role},
            )
            exists = conn.execute(
                sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}
            ).scalar()
            if exists:
                conn.execute(sa.text(f'DROP OWNED BY "{role}"'))  # its grants, here and shared
                conn.execute(sa.text(f'DROP ROLE "{role}"'))
    finally:
        engine.dispose()


@pytest.fixture
def source(postgres_url: str) -> Iterator[tuple[str, str]]:
    """(owner URL, read-only role URL) of a PostgreSQL source holding the worked example,
    loaded by the owner; the role is made for this test and dropped after it, failed or not."""
    role = f"ehd_reader_{uuid.uuid4().hex[:12]}"
    owner = sa.engine.make_url(postgres_url)
    try:
        engine = sa.create_engine(postgres_url)
        source_metadata(with_keys=False).create_all(engine)  # the owner makes and fills it
        write_worked_example(postgres_url)
        with engine.begin() as conn:
            _grant_read_only(conn, role, owner.database)
        engine.dispose()
        reader_url = owner.set(username=role, password=None).render_as_string(False)
        yield postgres_url, reader_url
    finally:
        _drop_role(postgres_url, role)


# --- what the source was sent -----------------------------------------------------------------
READ_STATEMENT = re.compile(r"^\s*(SELECT|WITH|SHOW|SET|BEGIN|COMMIT|ROLLBACK|VALUES)\b", re.I)
WRITE_WORD = re.compile(
    # anywhere in a statement that starts as a read: a data-modifying CTE, SELECT … INTO,
    # FOR UPDATE, a function that writes, or a session turned read-write (the words that
    # can only start a statement, such as VACUUM or LOCK, are refused by READ_STATEMENT)
    r"\b(INSERT|UPDATE|DELETE|MERGE|TRUNCATE|COPY|GRANT|REVOKE|CREATE|ALTER|DROP|INTO"
    r"|nextval|setval|pg_advisory_\w*lock\w*"
    r"|lo_(?:import|export|creat|create|unlink|put|from_bytea|truncate|write))\b"
    r"|READ\s+WRITE|read_only\s*(=|TO)\s*'?(off|false|0)",
    re.I,
)


def _without_comments_and_literals(statement: str) -> str:
    statement = re.sub(r"--[^\n]*|/\*.*?\*/", " ", statement, flags=re.S)
    return re.sub(r"'(?:[^']|'')*'", "''", statement)


def is_read(statement: str) -> bool:
    """A SELECT (or WITH … SELECT), SHOW, SET or transaction control that writes nothing."""
    bare = _without_comments_and_literals(statement).lstrip(" \t\n(")
    return bool(READ_STATEMENT.match(bare)) and not WRITE_WORD.search(bare)


def test_the_classifier_tells_reads_from_writes() -> None:
    reads = [
        "SELECT count(*) FROM opd_registrations",
        "WITH d AS (SELECT 1) SELECT * FROM d",
        "(SELECT 1) UNION ALL (SELECT 2)",
        "SHOW server_version",
        "SELECT updated_at, 'insert into x' AS note FROM t -- delete",
        "SELECT a.attname AS comment, lock, security FROM pg_catalog.pg_attribute AS a",
    ]
    writes = [
        "INSERT INTO opd_registrations VALUES (1)",
        "WITH gone AS (DELETE FROM t RETURNING *) SELECT * FROM gone",
        "CREATE TEMP TABLE x AS SELECT 1",
        "SELECT * INTO x FROM t",
        "SELECT * FROM t FOR UPDATE",
        "COPY opd_registrations FROM STDIN",
        "SET default_transaction_read_only = off",
        "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
        "UPDATE facilities SET name_en = 'x'",
        "TRUNCATE opd_registrations",
        "GRANT SELECT ON t TO x",
        "SELECT nextval('s')",
        "VACUUM opd_registrations",
        "LOCK TABLE opd_registrations",
    ]
    assert [s for s in reads if not is_read(s)] == []
    assert [s for s in writes if is_read(s)] == []


class SourceStatements:
    """Every statement any engine of this process sends to the source's database, and as
    whom, while recording."""

    def __init__(self, reader_url: str) -> None:
        self.database = sa.engine.make_url(reader_url).database
        self.sent: list[tuple[str | None, str]] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        url = conn.engine.url
        if url.get_backend_name() == "postgresql" and url.database == self.database:
            self.sent.append((url.username, statement))

    @contextmanager
    def recording(self) -> Iterator[None]:
        sa.event.listen(sa.Engine, "before_cursor_execute", self)
        try:
            yield
        finally:
            sa.event.remove(sa.Engine, "before_cursor_execute", self)


# --- the statistics of the source's tables ---------------------------------------------------
def _write_counts(owner_url: str) -> dict[str, tuple[int, int, int, int]]:
    """Per source table: tuples inserted, updated, deleted, and scans (seq + index)."""
    engine = sa.create_engine(owner_url)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_stat_clear_snapshot()"))
            rows = conn.execute(
                sa.text(
                    "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del,"
                    " coalesce(seq_scan, 0) + coalesce(idx_scan, 0)"
                    " FROM pg_stat_user_tables WHERE schemaname = 'public'"
                )
            ).all()
    finally:
        engine.dispose()
    return {name: (ins, upd, dele, scans) for name, ins, upd, dele, scans in rows}


def _end_sessions_of(owner_url: str, user: str) -> None:
    """End the role's sessions (the command line leaves its pools to the garbage collector)
    and wait until they are gone: a backend flushes its statistics as it exits."""
    engine = sa.create_engine(owner_url)
    deadline = time.monotonic() + STATS_WAIT_SECONDS
    try:
        with engine.connect() as conn:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :u"
                ),
                {"u": user},
            )
            while conn.execute(
                sa.text("SELECT count(*) FROM pg_stat_activity WHERE usename = :u"), {"u": user}
            ).scalar_one():
                if time.monotonic() > deadline:
                    pytest.fail(f"the sessions of {user} did not end")
                time.sleep(0.1)
                conn.rollback()  # a new snapshot of pg_stat_activity
    finally:
        engine.dispose()


def _settled_counts(owner_url: str, ready) -> dict[str, tuple[int, int, int, int]]:  # noqa: ANN001
    """The statistics once ``ready(counts)`` holds. A backend flushes its table statistics
    when a transaction ends (at most once a second) and always when it exits; a reader
    sees them after pg_stat_clear_snapshot. Waits, never sleeps a fixed time."""
    deadline = time.monotonic() + STATS_WAIT_SECONDS
    while True:
        counts = _write_counts(owner_url)
        if ready(counts):
            return counts
        if time.monotonic() > deadline:
            pytest.fail(f"the statistics did not settle in {STATS_WAIT_SECONDS} s: {counts}")
        time.sleep(0.2)


def _loaded(owner_url: str) -> dict[str, int]:
    engine = sa.create_engine(owner_url)
    try:
        with engine.connect() as conn:
            return {
                table: conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in SOURCE_TABLES
            }
    finally:
        engine.dispose()


# --- the test ---------------------------------------------------------------------------------
def _run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert code == 0, f"{args[0]} failed ({code}): {err}"
    return out + err


def test_the_dashboard_works_as_a_select_only_role_and_writes_nothing(
    source: tuple[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    owner_url, reader_url = source
    loaded = _loaded(owner_url)
    before = _settled_counts(
        owner_url, lambda c: all(c.get(t, (0,))[0] == n for t, n in loaded.items())
    )
    store = ["--store", f"sqlite:///{tmp_path / 'analytics.sqlite'}"]
    reader = sa.engine.make_url(reader_url).username

    source_statements = SourceStatements(reader_url)
    with source_statements.recording():
        assert "full refresh" in _run(capsys, "refresh", "--db", reader_url, *store, "--full")
        assert "incremental refresh" in _run(capsys, "refresh", "--db", reader_url, *store)
        assert "Data quality" in _run(capsys, "check", "--db", reader_url)
        assert "opd_registrations" in _run(
            capsys, "figures", "--db", reader_url, *store, "--source", "--format", "json"
        )

    # 1. only reads were sent, all as the read-only role
    sent = source_statements.sent
    assert len(sent) > 10, "the recorder saw the source's statements"
    assert {user for user, _ in sent} == {reader}
    writes = [statement for _, statement in sent if not is_read(statement)]
    assert writes == [], "statements sent to the source that are not reads"

    # 2. no tuple of the source was inserted, updated or deleted. Once the role's sessions
    # have ended their statistics are flushed; the scans they made must show, proving the
    # figures compared are current.
    _end_sessions_of(owner_url, reader)
    after = _settled_counts(
        owner_url, lambda c: c["opd_registrations"][3] > before["opd_registrations"][3]
    )
    for table in SOURCE_TABLES:
        assert after[table][:3] == before[table][:3], f"{table}: ins/upd/del changed"

    # 3. the role itself can read but not write
    as_reader = sa.create_engine(reader_url)  # without source_engine's read-only sessions
    try:
        with as_reader.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM districts")).scalar_one() == 3
        for statement in (
            "INSERT INTO districts (lgd_code, name_en, name_hi, division, state)"
            " VALUES (1, 'x', 'x', 'x', 'x')",
            "UPDATE facilities SET name_en = 'x'",
            "DELETE FROM opd_registrations",
            "CREATE TABLE scratch (x integer)",
            "CREATE TEMP TABLE scratch (x integer)",
        ):
            with (
                pytest.raises(sa.exc.ProgrammingError, match="permission denied"),
                as_reader.begin() as conn,
            ):
                conn.execute(sa.text(statement))
    finally:
        as_reader.dispose()
    assert _loaded(owner_url) == loaded
