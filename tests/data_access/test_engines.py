"""The source is opened read-only on every engine; failures are named plainly."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from data_access.engines import describe, source_engine, store_engine
from data_access.errors import DatabaseUnavailable


def test_the_source_cannot_be_written(worked_source_url: str) -> None:
    engine = source_engine(worked_source_url)
    with (
        pytest.raises(sa.exc.DBAPIError, match="(?i)read.only|readonly"),
        engine.begin() as conn,
    ):
        conn.execute(sa.text("DELETE FROM opd_registrations"))
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM opd_registrations")).scalar() > 0


@pytest.mark.parametrize(
    "form",
    [
        "sqlite:///file:{path}?mode=rwc&uri=true",
        "sqlite:///file:{path}?mode=rw&uri=true",
        "sqlite:///file:{path}%3Fmode%3Drwc&uri=true",
        "sqlite:///file://localhost{path}?mode=rwc&uri=true",
    ],
)
def test_a_source_url_that_asks_for_writing_is_refused(tmp_path, form: str) -> None:
    """Security review (issue 17, item 5): --db 'sqlite:///file:/tmp/x?mode=rwc&uri=true'
    created a new file. No form of SQLite URL may create or change the source."""
    missing = tmp_path / "new.sqlite"
    with pytest.raises(DatabaseUnavailable, match="only ever read"):
        source_engine(form.format(path=missing))
    assert not missing.exists()


def test_a_file_uri_source_is_read_only_whatever_it_asks(tmp_path) -> None:
    path = tmp_path / "source.sqlite"
    with sa.create_engine(f"sqlite:///{path}").begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (x INTEGER)"))
        conn.execute(sa.text("INSERT INTO t VALUES (1)"))
    for form in (f"sqlite:///file:{path}?uri=true", f"sqlite:///file:{path}?mode=ro&uri=true"):
        engine = source_engine(form)
        with pytest.raises(sa.exc.DBAPIError, match="(?i)read.only|readonly"), engine.begin() as c:
            c.execute(sa.text("DELETE FROM t"))
        engine.dispose()


def test_password_never_shown() -> None:
    assert "s3cret" not in describe("postgresql+psycopg://reader:s3cret@db.example/ehospital")
    with pytest.raises(DatabaseUnavailable) as info:
        source_engine("postgresql+psycopg://reader:s3cret@127.0.0.1:1/ehospital")
    assert "s3cret" not in str(info.value)


def test_a_sqlite_store_query_past_the_statement_timeout_is_interrupted(tmp_path) -> None:
    store = store_engine(f"sqlite:///{tmp_path / 'store.sqlite'}", statement_timeout=0.2)
    endless = sa.text(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT max(i) FROM n"
    )
    with store.connect() as conn, pytest.raises(sa.exc.OperationalError, match="interrupted"):
        conn.execute(endless)
    with store.connect() as conn:  # the next statement has its own time
        assert conn.execute(sa.text("SELECT 1")).scalar() == 1
