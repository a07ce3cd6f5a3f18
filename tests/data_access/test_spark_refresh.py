"""The refresh on Apache Spark (a standalone master and two workers on loopback) builds
the very analytics tables the SQL refresh builds: full and incremental, on dirty rows of
every kind, on both source engines; a failed Spark job leaves the store as it was."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import (
    DEMO_NOW,
    F1,
    F2,
    _row,
    assert_identical,
    registrations_on_postgresql,
    store_rows,
    two_refreshes,
)

from cli.main import main
from data_access import contract as src
from data_access.engines import source_engine, store_engine
from data_access.queries import Period, facilities, registration_counts
from data_access.refresh import refresh, window_statement
from data_access.rules import RowWindow, window_source_parts
from data_access.spark_sql import READABLE_AT, to_spark_sql


# --- without Spark: the statement and the partitions -------------------------------------------
@pytest.mark.parametrize("origin", ["postgresql", "sqlite"])
def test_the_window_statement_compiles_to_spark_sql(origin: str) -> None:
    window = RowWindow(first_day=date(2025, 1, 15), last_day=date(2025, 1, 17))
    sql = to_spark_sql(window_statement(window, DEMO_NOW), origin)
    assert "MATERIALIZED" not in sql  # a hint of SQLite and PostgreSQL only
    assert ":now" not in sql and "?" not in sql  # every parameter written in
    assert f"opd_registrations.{READABLE_AT}" in sql  # the source's own reading of the time
    assert "RLIKE '^[0-9]{14}'" in sql
    literal = "'2026-11-26 12:00:00.000000'"
    typed = f"TIMESTAMP_NTZ {literal}"
    assert literal in sql
    assert (typed in sql) == (origin == "postgresql")  # text compared as text on SQLite


def test_a_literal_spark_would_read_differently_is_refused() -> None:
    statement = sa.select(sa.literal("a\\b"))
    with pytest.raises(sa.exc.CompileError, match="Could not render literal"):
        to_spark_sql(statement, "postgresql")


@pytest.mark.parametrize("by_facility", [False, True], ids=["by day", "by facility"])
def test_window_source_parts_pick_each_row_once(dirty_source_url: str, by_facility) -> None:
    """The partitions Spark reads a window through do not overlap, and hold every row
    the window's classification reads (its own rows, its copies, rows without an id) —
    split by day, or by district's facilities (rows of unknown or no facility included)."""
    engine = source_engine(dirty_source_url)
    r = src.opd_registrations
    windows = [
        RowWindow(first_day=date(2025, 1, 15), last_day=date(2025, 1, 17)),
        RowWindow(first_day=date(2025, 1, 22), last_day=date(2025, 1, 22)),
        RowWindow(invalid=True),
    ]
    groups = [[F1, "IN2200000003"], [F2]] if by_facility else None
    with engine.connect() as conn:
        for window in windows:
            parts = window_source_parts(window, DEMO_NOW, groups)
            by_day = window_source_parts(window, DEMO_NOW)
            count = sa.select(sa.func.count()).select_from(r)
            each = [conn.execute(count.where(p)).scalar() for p in parts]
            together = conn.execute(count.where(sa.or_(*parts))).scalar()
            assert sum(each) == together > 0, window
            # the same rows whichever way they are split
            raw_at = sa.type_coerce(r.c.registered_at, sa.Text)  # SQLite: any text
            rows_of = sa.select(r.c.registration_id, raw_at, r.c.facility_id)
            assert sorted(map(repr, conn.execute(rows_of.where(sa.or_(*parts))))) == sorted(
                map(repr, conn.execute(rows_of.where(sa.or_(*by_day))))
            )
        # the copy of r10 on the 17th is read with the 16th's window, though out of range
        window = RowWindow(first_day=date(2025, 1, 16), last_day=date(2025, 1, 16))
        *_, others = window_source_parts(window, DEMO_NOW)
        ids = set(conn.execute(sa.select(r.c.registration_id).where(others)).scalars())
        assert "r10" in ids and None in ids
    engine.dispose()


def test_the_jdbc_address_keeps_the_source_as_configured(tmp_path: Path) -> None:
    from data_access.spark_refresh import JdbcSource

    pg = sa.create_engine(
        "postgresql+psycopg://reader:s3cret@replica.example:5433/ehospital?sslmode=require"
    )
    jdbc = JdbcSource.from_engine(pg)
    assert jdbc.url == "jdbc:postgresql://replica.example:5433/ehospital?sslmode=require"
    assert jdbc.properties["user"] == "reader" and jdbc.properties["password"] == "s3cret"
    assert "s3cret" not in jdbc.url  # the URL appears in messages; the password never
    db = tmp_path / "registrations.sqlite"
    db.touch()
    jdbc = JdbcSource.from_engine(source_engine(f"sqlite:///{db}"))
    assert jdbc.url == f"jdbc:sqlite:file:{db.resolve()}?mode=ro" and jdbc.origin == "sqlite"


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_without_pyspark_the_command_says_how_to_get_it(
    worked_source_url: str, tmp_path: Path, capsys, monkeypatch
) -> None:
    import data_access.spark_refresh as spark_refresh

    monkeypatch.setattr(spark_refresh, "spark_available", lambda: "pyspark is not installed: x")
    monkeypatch.setenv("EHOSPITAL_SECRETS_FILE", str(tmp_path / "none.toml"))
    store_url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    args = ["refresh", "--db", worked_source_url, "--store", store_url, "--engine", "spark"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "pyspark is not installed" in err and "Traceback" not in err


# --- on the cluster ------------------------------------------------------------------------------
def test_the_cluster_has_two_workers(spark) -> None:
    assert spark.cluster.alive_workers() == 2
    assert spark.sparkContext.master == spark.cluster.master_url


def test_full_and_incremental_refresh_are_identical_on_dirty_rows(
    dirty_source_url: str, tmp_path: Path, spark
) -> None:
    stores, by_sql, by_spark = two_refreshes(dirty_source_url, tmp_path, spark, DEMO_NOW)
    assert by_sql.ranges == by_spark.ranges and by_spark.full
    assert (by_spark.registrations, by_spark.excluded_rows) == (
        by_sql.registrations,
        by_sql.excluded_rows,
    )
    assert_identical(*stores)

    # Then the source changes the ways a replica does, and both refresh incrementally.
    writable = sa.create_engine(dirty_source_url)
    r = src.opd_registrations
    with writable.begin() as conn:
        conn.execute(
            r.insert(),
            [
                _row("n1", F1, datetime(2025, 2, 4, 9), "00123456789015"),  # a new day
                _row("r1", F2, datetime(2025, 2, 4, 8)),  # a copy of a January registration
                _row(None, F2, datetime(2025, 2, 4, 10)),  # one more row without an id
            ],
        )
        conn.execute(r.update().where(r.c.registration_id == "r13").values(channel="kiosk"))
        conn.execute(r.delete().where(r.c.registration_id == "r12"))  # January's 16th
    writable.dispose()
    later = DEMO_NOW + timedelta(hours=1)
    source = source_engine(dirty_source_url)
    from data_access.spark_refresh import SparkAggregator

    again_sql = refresh(source, store_engine(stores[0]), now=later, complete_check_hours=0)
    again_spark = refresh(
        source,
        store_engine(stores[1]),
        now=later,
        complete_check_hours=0,
        aggregator=SparkAggregator(spark, source),
    )
    source.dispose()
    assert not again_spark.full and again_spark.ranges == again_sql.ranges
    refreshed = {
        a + timedelta(days=k) for a, b in again_spark.ranges for k in range((b - a).days + 1)
    }
    assert {date(2025, 1, 15), date(2025, 1, 16), date(2025, 2, 4)} <= refreshed
    assert_identical(*stores)


@pytest.mark.parametrize("engine_name", ["postgresql"])
def test_read_by_facility_the_tables_are_the_same(
    dirty_source_url: str, tmp_path: Path, spark
) -> None:
    from data_access.spark_refresh import SparkAggregator

    stores, _, by_day = two_refreshes(dirty_source_url, tmp_path, spark, DEMO_NOW)
    by_facility_store = f"sqlite:///{tmp_path / 'by-facility.sqlite'}"
    source = source_engine(dirty_source_url)
    aggregator = SparkAggregator(spark, source, partition_by="facility")
    assert aggregator.facility_groups == [
        ["IN2200000001", "IN2200000003"],  # Bastar (414)
        ["IN2200000002", "IN2200000004"],  # Dantewada (416)
    ]
    refresh(source, store_engine(by_facility_store), now=DEMO_NOW, aggregator=aggregator)
    source.dispose()
    assert_identical(stores[0], by_facility_store)


def test_a_failed_spark_job_leaves_the_store_as_it_was(
    worked_source_url: str, tmp_path: Path, spark
) -> None:
    from data_access.spark_refresh import JdbcSource, SparkAggregator, SparkFailed

    store_url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    source = source_engine(worked_source_url)
    refresh(source, store_engine(store_url), now=DEMO_NOW)
    before = store_rows(store_url)
    aggregator = SparkAggregator(spark, source)
    gone = tmp_path / "gone.sqlite"
    aggregator.jdbc = JdbcSource(f"jdbc:sqlite:file:{gone}?mode=ro", aggregator.jdbc.properties,
                                 aggregator.jdbc.origin)  # fmt: skip
    with pytest.raises(SparkFailed, match="Spark"):
        refresh(source, store_engine(store_url), now=DEMO_NOW, full=True, aggregator=aggregator)
    source.dispose()
    assert store_rows(store_url) == before


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_command_line_refreshes_on_the_cluster(
    worked_source_url: str, tmp_path: Path, spark, capsys, monkeypatch
) -> None:
    monkeypatch.setenv("EHOSPITAL_SECRETS_FILE", str(tmp_path / "none.toml"))
    monkeypatch.setenv("EHOSPITAL_DATA_DIR", str(tmp_path / "data"))
    store_url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    master = spark.cluster.master_url
    args = ["refresh", "--db", worked_source_url, "--store", store_url, "--engine", "spark"]
    assert main([*args, "--master", master]) == 0
    err = capsys.readouterr().err
    assert "full refresh on Spark of" in err and "registrations counted" in err
    assert store_rows(store_url)["summary_registrations_daily"]
    # the session the command made was its own, and is stopped; the fixture's lives on
    assert spark.range(3).count() == 3

    assert main(["refresh", "--db", worked_source_url, "--master", master]) == 2
    assert "--master and --partition-by are for --engine spark" in capsys.readouterr().err


PUBLISHED_QUARTER = (date(2025, 5, 1), date(2025, 7, 31))
"""The quarter of the state's published figures (demo/calibration.py)."""


@pytest.fixture(scope="module")
def published_quarter_on_postgresql(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The calibrated demo of the published quarter, every facility (about a tenth of the
    full demo's rows), copied into PostgreSQL."""
    from demo.generator import generate_demo

    out = tmp_path_factory.mktemp("quarter") / "demo.db"
    generate_demo(out, start=PUBLISHED_QUARTER[0], end=PUBLISHED_QUARTER[1])
    with registrations_on_postgresql(out) as source_url:
        yield source_url


@pytest.mark.slow
@pytest.mark.postgres
def test_the_published_quarter_refreshed_on_spark_is_identical(
    published_quarter_on_postgresql: str, tmp_path: Path, spark
) -> None:
    """The calibrated demo of the published quarter (every facility, about 330 thousand
    rows, its dirty rows included) from PostgreSQL: the Spark refresh's tables equal the
    SQL refresh's, row for row, and hold the state's published figures. The full demo
    (3.4 million rows) took 13½ minutes on Spark's two one-core workers here, a fifth of
    the suite: its time on Spark is the benchmark's (`bench/spark.py`, docs/scaling.md)."""
    from demo.calibration import PUBLISHED_FIGURES

    (sql_store, spark_store), _, by_spark = two_refreshes(
        published_quarter_on_postgresql, tmp_path, spark, now=DEMO_NOW
    )
    assert by_spark.full and by_spark.registrations > 250_000
    assert_identical(sql_store, spark_store)
    store = store_engine(spark_store)
    names = facilities(store).set_index("facility_id")["name_en"]
    counts = registration_counts(store, Period(*PUBLISHED_QUARTER), by=["facility"])
    counts["name_en"] = counts["facility_id"].map(names)
    figures = counts.set_index("name_en")
    store.dispose()
    for published in PUBLISHED_FIGURES:
        assert (published.period_start, published.period_end) == PUBLISHED_QUARTER
        row = figures.loc[published.facility_name]
        assert row["opd_registrations"] == published.registrations
        assert row["abha_linked"] == published.abha_linked
