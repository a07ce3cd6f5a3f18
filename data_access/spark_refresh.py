"""The refresh's aggregation on Apache Spark (``refresh --engine spark``).

Everything else of a refresh stays where it is (:func:`data_access.refresh.refresh`):
which days changed, the windows, the one transaction of the store that readers see whole
or not at all. Only the step that turns a window of raw rows into aggregates moves: the
SQL refresh sends :func:`~data_access.refresh.window_statement` to the source; this
module reads the window's raw rows from the source over JDBC, in parallel partitions (one
a day of the window, one for the other copies of its registrations:
:func:`data_access.rules.window_source_parts`), registers them as a temporary view under
the contract's table name, and runs the same statement compiled to Spark SQL
(:mod:`data_access.spark_sql`). So the counting rules stay written once.

pyspark is an optional extra (``pip install '.[spark]'``); it is imported only here, and
only when the Spark engine is asked for. The JDBC drivers are Debian's
(``libpostgresql-jdbc-java``, ``libxerial-sqlite-jdbc-java``): nothing is fetched at run
time. ``EHOSPITAL_SPARK_JARS`` (paths separated by ``:``) names other driver jars.
"""

from __future__ import annotations

import os
import tempfile
import threading
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from data_access import contract as src
from data_access.errors import ConfigurationError, DatabaseUnavailable
from data_access.rules import (
    RowWindow,
    classified_registrations,
    readable_timestamp,
    window_source_parts,
)
from data_access.spark_sql import READABLE_AT, to_spark_sql

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import SparkSession

    from data_access.refresh import WindowAggregates

DEBIAN_JARS = {
    "postgresql": "/usr/share/java/postgresql.jar",
    "sqlite": "/usr/share/java/sqlite-jdbc.jar",
}
JDBC_DRIVERS = {"postgresql": "org.postgresql.Driver", "sqlite": "org.sqlite.JDBC"}
DEFAULT_MASTER = "local[2]"
WINDOWS_IN_FLIGHT = 4
"""Windows read and aggregated at once, at least: Spark runs their jobs side by side, so
the JDBC reads of one overlap the aggregation of another. On a larger cluster one window
more per 8 cores of executors (a window is about 32 partitions: one a day)."""
FETCH_SIZE = 20_000
CLASSIFIED = "classified_registrations"
"""The temporary view of a window's classified rows."""


class SparkUnavailable(ConfigurationError):
    """The Spark engine was asked for where it cannot run (no pyspark, no driver jar)."""


class SparkFailed(DatabaseUnavailable):
    """A Spark job failed (the source unreachable over JDBC, the cluster gone): the
    refresh's transaction is rolled back and the store keeps its previous state."""


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:400] if text else type(exc).__name__


def spark_available() -> str | None:
    """None when pyspark can be imported; else why not, in one line."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed: pip install 'ehospital-dashboard[spark]'"
    return None


def driver_jars() -> list[str]:
    extra = os.environ.get("EHOSPITAL_SPARK_JARS", "")
    jars = [p for p in extra.split(":") if p] + list(DEBIAN_JARS.values())
    return [p for p in jars if Path(p).exists()]


@dataclass(frozen=True)
class JdbcSource:
    """Where Spark reads the registration database."""

    url: str
    properties: dict[str, str]
    origin: str  # the source's engine: postgresql or sqlite

    @classmethod
    def from_engine(cls, engine: sa.Engine) -> JdbcSource:
        url = engine.url
        origin = engine.dialect.name
        if origin == "postgresql":
            host = url.host or "localhost"
            port = url.port or 5432
            props = {"driver": JDBC_DRIVERS[origin]}
            if url.username:
                props["user"] = url.username
            if url.password:
                props["password"] = str(url.password)
            # the URL's own settings (sslmode, connect_timeout, …) mean the same to the
            # PostgreSQL JDBC driver
            query = "&".join(f"{k}={v}" for k, v in sorted(url.query.items()) if isinstance(v, str))
            jdbc = f"jdbc:postgresql://{host}:{port}/{url.database}"
            return cls(f"{jdbc}?{query}" if query else jdbc, props, origin)
        if origin == "sqlite":
            database = url.database or ""
            if database.startswith("file:"):  # read-only URI form (engines.source_engine)
                database = database[len("file:") :]
            if not database or database == ":memory:":
                raise SparkUnavailable("Spark cannot read an in-memory SQLite database")
            path = Path(database).resolve()
            # read-only, as the SQL refresh opens it
            return cls(f"jdbc:sqlite:file:{path}?mode=ro", {"driver": JDBC_DRIVERS[origin]}, origin)
        raise SparkUnavailable(f"the Spark engine reads PostgreSQL or SQLite sources, not {origin}")


def spark_session(
    master: str | None = None, *, app_name: str = "ehospital-refresh"
) -> SparkSession:
    """A Spark session on ``master`` (a ``spark://`` URL, ``yarn``, ``k8s://…``; by
    default ``local[2]``), with the JDBC drivers on the driver's and executors' class
    paths."""
    reason = spark_available()
    if reason:
        raise SparkUnavailable(reason)
    from pyspark.sql import SparkSession

    jars = driver_jars()
    if not jars:
        raise SparkUnavailable(
            "no JDBC driver jar found (apt-get install libpostgresql-jdbc-java "
            "libxerial-sqlite-jdbc-java, or set EHOSPITAL_SPARK_JARS)"
        )
    local_dir = Path(tempfile.gettempdir()) / "ehospital-spark"
    local_dir.mkdir(exist_ok=True)
    builder = (
        SparkSession.builder.master(master or DEFAULT_MASTER)
        .appName(app_name)
        .config("spark.jars", ",".join(jars))
        .config("spark.driver.extraClassPath", ":".join(jars))
        .config("spark.executor.extraClassPath", ":".join(jars))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.local.dir", str(local_dir))
        .config("spark.scheduler.mode", "FAIR")
    )
    if master and master.startswith("spark://") and "127.0.0.1" in master:
        # a cluster on loopback (the tests, a trial on one machine)
        builder = builder.config("spark.driver.host", "127.0.0.1").config(
            "spark.driver.bindAddress", "127.0.0.1"
        )
    try:
        with warnings.catch_warnings():
            # pyspark warns of pandas 3 at start-up; the refresh hands Spark no pandas
            warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas")
            session = builder.getOrCreate()
    except Exception as exc:  # the JVM did not start, the master refused
        raise SparkUnavailable(
            f"Spark did not start on {master or DEFAULT_MASTER}: {_first_line(exc)}"
        ) from exc
    # Spark's own log lines stay at errors; no row of data is ever logged by this module.
    session.sparkContext.setLogLevel("ERROR")
    return session


@contextmanager
def spark_for_refresh(master: str | None = None) -> Iterator[SparkSession]:
    """A Spark session for one refresh, stopped afterwards unless it was there before
    (a process that already runs Spark keeps its session)."""
    reason = spark_available()
    if reason:
        raise SparkUnavailable(reason)
    from pyspark.sql import SparkSession

    existing = SparkSession.getActiveSession()
    session = spark_session(master)
    try:
        yield session
    finally:
        if existing is None:
            session.stop()


def _raw_columns(origin: str) -> list[sa.ColumnElement]:
    """The raw columns as Spark gets them, and the source's own reading of the timestamp.

    SQLite keeps any value in any column; a value that is not text in ``registered_at``
    (or not a number in ``age_years``) sorts and compares there by its type, before or
    after every text. Spark gets such a timestamp as '' (which sorts before every day, as
    a number does) and such an age as NULL (which falls in no band, as text does).
    """
    r = src.opd_registrations
    readable = readable_timestamp(r.c.registered_at).label(READABLE_AT)
    if origin != "sqlite":
        # PostgreSQL's 'infinity' and '-infinity' overflow Spark's timestamps: read as NULL,
        # which lies outside every day as they do and is no time as they are not
        finite = sa.case(
            (sa.func.isfinite(r.c.registered_at), r.c.registered_at), else_=sa.null()
        ).label("registered_at")
        return [*(finite if c.name == "registered_at" else c for c in r.columns), readable]
    kind = sa.func.typeof
    at = sa.case(
        (r.c.registered_at.is_(None), sa.null()),
        (kind(r.c.registered_at) == "text", sa.type_coerce(r.c.registered_at, sa.Text)),
        else_="",
    ).label("registered_at")
    age = sa.case(
        (kind(r.c.age_years).in_(["integer", "real"]), r.c.age_years), else_=sa.null()
    ).label("age_years")
    columns = [
        at if c.name == "registered_at" else age if c.name == "age_years" else c for c in r.columns
    ]
    return [*columns, readable]


_SQLITE_SCHEMA = (
    "registration_id STRING, facility_id STRING, registered_at STRING, abha_number STRING, "
    "channel STRING, visit_type STRING, department STRING, gender STRING, age_years DOUBLE, "
    f"{READABLE_AT} STRING"
)


def _compiled(element: sa.ClauseElement, engine: sa.Engine) -> str:
    return str(element.compile(engine, compile_kwargs={"literal_binds": True}))


PARTITIONINGS = ("day", "facility")
"""How a window's own rows are split into the partitions Spark reads in parallel: a day
each, or the facilities of a district each (for a source partitioned by facility)."""


def _district_groups(source: sa.Engine) -> list[list[str]]:
    """The registry's facility IDs, one list per district (read once, when the refresh
    starts; a facility the registry does not list is read with the rest)."""
    f = src.facilities
    groups: dict[object, list[str]] = {}
    with source.connect() as conn:
        for facility_id, district in conn.execute(
            sa.select(f.c.facility_id, f.c.district_lgd).where(f.c.facility_id.is_not(None))
        ):
            groups.setdefault(district, []).append(facility_id)
    return [sorted(set(ids)) for _, ids in sorted(groups.items(), key=lambda kv: str(kv[0]))]


class SparkAggregator:
    """Aggregates a window of the refresh on Spark: the ``work`` of
    :func:`data_access.refresh.refresh` when ``aggregator`` is given."""

    def __init__(self, spark: SparkSession, source: sa.Engine, partition_by: str = "day") -> None:
        if partition_by not in PARTITIONINGS:
            raise ValueError(f"partition_by is one of {', '.join(PARTITIONINGS)}")
        self.spark = spark
        self.workers = max(WINDOWS_IN_FLIGHT, spark.sparkContext.defaultParallelism // 8)
        self.source = source
        self.jdbc = JdbcSource.from_engine(source)
        self._facilities_lock = threading.Lock()
        self._facilities: Any = None
        self.facility_groups = _district_groups(source) if partition_by == "facility" else None

    def _raw_rows(self, session: SparkSession, window: RowWindow, now: datetime) -> Any:
        origin = self.jdbc.origin
        raw = sa.select(*_raw_columns(origin)).subquery(src.opd_registrations.name)
        table = f"({_compiled(sa.select(raw), self.source)}) AS {src.opd_registrations.name}"
        parts = window_source_parts(window, now, self.facility_groups)
        predicates = [_compiled(p, self.source) for p in parts]
        properties = dict(self.jdbc.properties)
        if origin == "sqlite":
            properties["customSchema"] = _SQLITE_SCHEMA
        else:
            properties["preferTimestampNTZ"] = "true"
        properties["fetchsize"] = str(FETCH_SIZE)
        return session.read.jdbc(self.jdbc.url, table, predicates=predicates, properties=properties)

    def _facility_rows(self) -> tuple[list[tuple], str]:
        """The registry's ids and go-live days (small: read once a refresh, through the
        driver) and their Spark schema, as the source's engine keeps them."""
        f = src.facilities
        query = _compiled(sa.select(f.c.facility_id, f.c.ehospital_go_live), self.source)
        reader = (
            self.spark.read.format("jdbc")
            .option("url", self.jdbc.url)
            .option("query", query)
            .options(**self.jdbc.properties)
        )
        go_live = "DATE"
        if self.jdbc.origin == "sqlite":
            go_live = "STRING"
            reader = reader.option("customSchema", "facility_id STRING, ehospital_go_live STRING")
        try:
            rows = [tuple(r) for r in reader.load().collect()]
        except Exception as exc:  # pyspark's and py4j's errors have no common base
            raise SparkFailed(
                f"Spark cannot read the facilities of {self.jdbc.url}: {_first_line(exc)}"
            ) from exc
        return rows, f"facility_id STRING, ehospital_go_live {go_live}"

    def __call__(self, window: RowWindow, now: datetime) -> WindowAggregates:
        from data_access.refresh import window_aggregates, window_statement

        with self._facilities_lock:
            if self._facilities is None:
                self._facilities = self._facility_rows()
        rows, schema = self._facilities
        # a session of its own: its temporary views are seen by this window only
        session = self.spark.newSession()
        session.createDataFrame(rows, schema).createOrReplaceTempView(src.facilities.name)
        # The classification reads the raw rows four times (single rows, copies, rows
        # without an id, the ids with copies), and both groupings read the classified
        # rows: each is cached, so the source is read once and the rules run once.
        origin = self.jdbc.origin
        raw = self._raw_rows(session, window, now).cache()
        raw.createOrReplaceTempView(src.opd_registrations.name)
        # the view holds the window's rows and their copies only: grouping all its ids
        # finds the ids with copies (the SQL refresh probes an index for each row instead)
        classified_rows = classified_registrations(window, now, probe_copies=False)
        classified = session.sql(to_spark_sql(sa.select(classified_rows), origin)).cache()
        classified.createOrReplaceTempView(CLASSIFIED)
        as_table = sa.table(CLASSIFIED, *(sa.column(c.name) for c in classified_rows.c))
        sql = to_spark_sql(window_statement(window, now, as_table), origin)
        try:
            rows = session.sql(sql).collect()
        except Exception as exc:  # pyspark's and py4j's errors have no common base
            raise SparkFailed(f"the Spark job of {window} failed: {_first_line(exc)}") from exc
        finally:
            classified.unpersist()
            raw.unpersist()
        return window_aggregates(_plain_rows(rows))


def _plain_rows(rows: Iterable[Any]) -> list[tuple]:
    return [tuple(row) for row in rows]
