"""Shared fixtures: a source database on each engine, an analytics store.

PostgreSQL tests use the server on 127.0.0.1:5432 (user postgres, trust auth), each test in
a database of its own that is dropped afterwards. Without that server they are skipped
with the reason, except under CI=true, where a skip would hide a gap and so fails.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from data_access.config import PROJECT_ROOT, sqlite_url
from data_access.contract import source_metadata
from data_access.engines import source_engine, store_engine
from data_access.refresh import refresh
from demo.load import copy_registration_database

PG_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() == "true"


def _postgres_unavailable() -> str | None:
    engine = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means: no server to test against
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {str(exc).splitlines()[0]}"
    finally:
        engine.dispose()
    return None


def require_postgres() -> None:
    reason = _postgres_unavailable()
    if reason:
        if IN_CI:
            pytest.fail(f"CI=true and {reason}: PostgreSQL tests must run in CI")
        pytest.skip(reason)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test; dropped afterwards."""
    yield from fresh_postgres_database()


def fresh_postgres_database() -> Iterator[str]:
    """Create an empty PostgreSQL database, yield its URL, drop it (for fixtures)."""
    require_postgres()
    name = f"ehd_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine_name(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def empty_source_url(engine_name: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """An empty registration database with the contract's tables, keys left out so that
    it can hold every kind of dirty row, on the engine under test."""
    if engine_name == "sqlite":
        url = f"sqlite:///{tmp_path / 'source.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = sa.create_engine(url)
    source_metadata(with_keys=False).create_all(engine)
    engine.dispose()
    return url


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'analytics.sqlite'}"


# --- a worked example: hand-built rows whose every figure is worked out by hand -------------
F1, F2, F_UNKNOWN = "IN2200000001", "IN2200000002", "IN2299999999"


def _row(rid, facility, at, abha=None, channel="counter", visit="new", gender="F", age=30):
    return {
        "registration_id": rid,
        "facility_id": facility,
        "registered_at": at,
        "abha_number": abha,
        "channel": channel,
        "visit_type": visit,
        "department": "Medicine",
        "gender": gender,
        "age_years": age,
    }


def worked_example_rows() -> list[dict]:
    from datetime import datetime as dt

    return [
        # F1 (go-live 10-01-2025), all in January 2025
        _row("r1", F1, dt(2025, 1, 15, 9), "00123456789012"),  # linked
        _row("r2", F1, dt(2025, 1, 15, 10), "00-1234-5678-9012", " Scan_Share ", "New", "f ", 5),
        _row("r3", F1, dt(2025, 1, 15, 11), "91-5437-3083", "COUNTER", "follow_up", "M", 70),
        _row("r3", F1, dt(2025, 1, 15, 11), "91-5437-3083", "COUNTER", "follow_up", "M", 70),
        _row("r4", F1, dt(2025, 1, 16, 9), None, "walk-in", "FOLLOWUP", "X", None),
        _row("r5", F1, dt(2025, 1, 5, 9)),  # five days before go-live
        _row("r6", F_UNKNOWN, dt(2025, 1, 15, 9), "00123456789013"),
        _row("r7", None, dt(2025, 1, 15, 9)),
        _row("r8", F2, dt(2036, 1, 1, 9), "00123456789014"),  # a clock in the future
        _row("r9", F2, None),
        _row("r10", F2, dt(2025, 1, 16, 12), "0012345678901"),  # 13 digits
        _row("r10", F2, dt(2025, 1, 17, 12), "0012345678901", "online"),  # re-synced copy
        _row("r12", F2, dt(2025, 1, 16, 8), "   "),  # blank: not linked, not malformed
        _row("r13", F2, dt(2025, 2, 3, 10), "0012 3456 7890 15", gender=None),  # February
    ]


# What the rows above must give, worked out by hand (period: January 2025):
WORKED_JANUARY = {
    # counted: r1 r2 r3 r4 r5 at F1; r10 (first copy) and r12 at F2
    "F1": {"opd_registrations": 5, "abha_linked": 2},  # r1, r2 (hyphens removed)
    "F2": {"opd_registrations": 2, "abha_linked": 0},
    "quality": {
        "duplicate": 2,  # r3's second copy, r10's copy of the 17th
        "unknown_facility": 2,  # r6 (not in facilities), r7 (NULL)
        "invalid_timestamp": 2,  # r8 (2036), r9 (NULL); SQLite adds an unreadable one
        "before_go_live": 1,  # r5
        "malformed_abha": 2,  # r3 (10 digits), r10 (13 digits)
        "nonstandard_channel": 1,  # r4 walk-in
        "nonstandard_visit_type": 1,  # r4 FOLLOWUP
        "nonstandard_gender": 1,  # r4 X
    },
}


def write_worked_example(url: str) -> None:
    from datetime import date

    engine = sa.create_engine(url)
    md = source_metadata(with_keys=False)
    with engine.begin() as conn:
        conn.execute(
            md.tables["districts"].insert(),
            [
                {
                    "lgd_code": 414,
                    "name_en": "Bastar",
                    "name_hi": "बस्तर",
                    "division": "Bastar",
                    "state": "Chhattisgarh",
                },
                {
                    "lgd_code": 416,
                    "name_en": "Dakshin Bastar Dantewada",
                    "name_hi": "दक्षिण बस्तर दंतेवाड़ा",
                    "division": "Bastar",
                    "state": "Chhattisgarh",
                },
                {
                    "lgd_code": 649,
                    "name_en": "Sukma",
                    "name_hi": "सुकमा",
                    "division": "Bastar",
                    "state": "Chhattisgarh",
                },  # a district with no facility
            ],
        )
        conn.execute(
            md.tables["facilities"].insert(),
            [
                {
                    "facility_id": F1,
                    "name_en": "District Hospital Test",
                    "name_hi": "जिला चिकित्सालय",
                    "facility_type": "DH",
                    "district_lgd": 414,
                    "block": "Jagdalpur",
                    "latitude": 19.08,
                    "longitude": 82.03,
                    "ehospital_go_live": date(2025, 1, 10),
                },
                {
                    "facility_id": F2,
                    "name_en": "CHC Test",
                    "name_hi": None,
                    "facility_type": "CHC",
                    "district_lgd": 416,
                    "block": None,
                    "latitude": None,
                    "longitude": None,
                    "ehospital_go_live": None,
                },
            ],
        )
        conn.execute(md.tables["opd_registrations"].insert(), worked_example_rows())
        if engine.dialect.name == "sqlite":
            # SQLite keeps timestamps as text; a replica can hold text no clock wrote.
            conn.execute(
                sa.text(
                    "INSERT INTO opd_registrations (registration_id, facility_id, registered_at,"
                    " channel, visit_type) VALUES ('r14', :f, 'not recorded', 'counter', 'new')"
                ),
                {"f": F2},
            )
    engine.dispose()


@pytest.fixture
def worked_source_url(empty_source_url: str) -> str:
    write_worked_example(empty_source_url)
    return empty_source_url


# --- dirty data: every kind of problem, and hostile names ------------------------------------
F_HTML, F_SILENT = "IN2200000003", "IN2200000004"
HTML_NAME = '<script>alert("x")</script> CHC "Bade" O\'Neil & <b>Co</b> 🏥'
HTML_NAME_HI = "सामुदायिक स्वास्थ्य केंद्र क़िला <i>ज़्</i> 🏥"  # nukta, virama, matras
HTML_DISTRICT = '<img src=x onerror="alert(1)">Nowhere'


def write_dirty_extras(url: str) -> int:
    """The rows added to the worked example; returns how many registration rows."""
    md = source_metadata(with_keys=False)
    engine = sa.create_engine(url)
    rows = [
        _row("h1", F_HTML, datetime(2025, 1, 20, 9), "00-1234-5678-9011"),
        _row("h2", F_HTML, datetime(2025, 1, 21, 9), channel="<b>desk</b>"),
        _row(None, F1, datetime(2025, 1, 22, 9)),  # no registration id
        _row(None, F1, datetime(2025, 1, 22, 9)),  # … and a copy of it
    ]
    with engine.begin() as conn:
        conn.execute(
            md.tables["districts"].insert(),
            {
                "lgd_code": 650,
                "name_en": HTML_DISTRICT,
                "name_hi": HTML_DISTRICT,
                "division": "Bastar",
                "state": "Chhattisgarh",
            },
        )
        conn.execute(
            md.tables["facilities"].insert(),
            [
                {
                    "facility_id": F_HTML,
                    "name_en": HTML_NAME,
                    "name_hi": HTML_NAME_HI,
                    "facility_type": "CHC",
                    "district_lgd": 414,
                    "block": "<u>Jagdalpur</u>",
                    "latitude": 19.1,
                    "longitude": 82.0,
                    "ehospital_go_live": date(2025, 1, 1),
                },
                {
                    "facility_id": F_SILENT,
                    "name_en": "CHC Never Registered",
                    "name_hi": None,
                    "facility_type": "CHC",
                    "district_lgd": 416,
                    "block": None,
                    "latitude": 18.9,
                    "longitude": 81.3,
                    "ehospital_go_live": date(2025, 1, 1),
                },
            ],
        )
        conn.execute(md.tables["opd_registrations"].insert(), rows)
    engine.dispose()
    return len(rows)


@pytest.fixture
def dirty_source_url(empty_source_url: str) -> str:
    write_worked_example(empty_source_url)
    write_dirty_extras(empty_source_url)
    return empty_source_url


@pytest.fixture
def dirty_store(dirty_source_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    store_url = f"sqlite:///{tmp_path / 'analytics.sqlite'}"
    refresh(source_engine(dirty_source_url), store_engine(store_url), now=DEMO_NOW)
    monkeypatch.setenv("ANALYTICS_DB_URL", store_url)
    monkeypatch.setenv("EHOSPITAL_SECRETS_FILE", str(tmp_path / "none.toml"))
    monkeypatch.setenv("EHOSPITAL_DATA_DIR", str(tmp_path / "data"))
    return store_url


# --- the full demo, generated once per session -------------------------------------------------
@pytest.fixture(scope="session")
def full_demo(tmp_path_factory: pytest.TempPathFactory):
    """The default demo database (about 3.4 million rows) and its DemoSummary."""
    from demo.generator import generate_demo

    out = tmp_path_factory.mktemp("demo") / "demo.db"
    summary = generate_demo(out)
    print(
        f"\nfull demo: {summary.registration_rows:,} registration rows, "
        f"{summary.facilities} facilities, {summary.days} days in {summary.seconds:.1f} s"
    )
    return out, summary


DEMO_NOW = datetime(2026, 11, 26, 12, 0)


@pytest.fixture(scope="session")
def demo_on_sqlite(full_demo, tmp_path_factory) -> tuple[str, str]:
    """The full demo's source and its store, refreshed and its alerts evaluated (default
    ``[alerts]``) as ``make run`` serves it (the command line's refresh runs the rules)."""
    from cli.alerts import evaluate_alerts

    out, _ = full_demo
    source_url = sqlite_url(out)
    store_url = sqlite_url(tmp_path_factory.mktemp("store") / "analytics.sqlite")
    refresh(
        source_engine(source_url),
        store_engine(store_url),
        now=DEMO_NOW,
        after_refresh=lambda store: evaluate_alerts(store),
    )
    return source_url, store_url


@pytest.fixture(scope="session")
def small_bastar_store(tmp_path_factory: pytest.TempPathFactory) -> sa.Engine:
    """The Bastar demo at a twentieth of its volume from April 2026, its store refreshed
    (the brief's and its sending's tests): every district and facility with its names, in a
    few seconds. Shared, so built once (its tests run on one worker: ``_worker_group``)."""
    from demo.generator import generate_demo

    folder = tmp_path_factory.mktemp("small-bastar")
    generate_demo(folder / "demo.sqlite", volume_scale=0.05, start=date(2026, 4, 1))
    source = source_engine(sqlite_url(folder / "demo.sqlite"))
    engine = store_engine(sqlite_url(folder / "analytics.sqlite"))
    refresh(source, engine, now=DEMO_NOW)
    source.dispose()
    return engine


# --- the statewide demo, served as the demo ------------------------------------------------------
STATE_DEMO_SCALE = 0.1
"""The served statewide demo's volume: all 33 districts, five divisions and 175 facilities
with their go-live days, at a tenth of the registrations. At full volume (6.2 million rows)
its refresh alone takes two to three minutes on a 2-core machine; the names of the scopes,
which the browser tests read, are the same at any volume (the published figures are not)."""


@pytest.fixture(scope="session")
def state_demo_served(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The statewide demo (``generate_demo(region="state")``) as ``make run REGION=state``
    serves it: in a data folder of its own under the demo's name, so that the dashboard
    treats it as the demo (open, no sign-in), with its analytics store refreshed.
    (data folder, store URL): serve it with ``start_server(store_url, tmp,
    env={"EHOSPITAL_DATA_DIR": str(folder)})``."""
    from data_access.config import DEMO_DB_NAME
    from demo.generator import generate_demo

    folder = tmp_path_factory.mktemp("state-data")
    summary = generate_demo(folder / DEMO_DB_NAME, region="state", volume_scale=STATE_DEMO_SCALE)
    began = time.perf_counter()
    store_url = sqlite_url(folder / "analytics-demo.sqlite")
    source = source_engine(sqlite_url(folder / DEMO_DB_NAME))
    refresh(source, store_engine(store_url), now=DEMO_NOW)
    source.dispose()
    print(
        f"\nstatewide demo served: {summary.registration_rows:,} rows in "
        f"{summary.seconds:.1f} s, refreshed in {time.perf_counter() - began:.1f} s"
    )
    return folder, store_url


@contextmanager
def registrations_on_postgresql(sqlite_path: Path) -> Iterator[str]:
    """A PostgreSQL database of its own holding a copy of the registration database at
    ``sqlite_path``; its URL. Dropped afterwards."""
    require_postgres()
    name = f"ehd_demo_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    source_url = sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(False)
    try:
        copy_registration_database(sqlite_path, source_url)
        yield source_url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def demo_on_postgresql(full_demo, tmp_path_factory):
    out, _ = full_demo
    with registrations_on_postgresql(out) as source_url:
        store_url = sqlite_url(tmp_path_factory.mktemp("pgstore") / "analytics.sqlite")
        refresh(source_engine(source_url), store_engine(store_url), now=DEMO_NOW)
        yield source_url, store_url


@pytest.fixture
def isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line's settings of this test alone: a data folder and a (missing)
    secrets file in its temporary folder, no database URL from the environment. Used by
    the command-line modules (``pytestmark = pytest.mark.usefixtures("isolated_config")``)."""
    monkeypatch.setenv("EHOSPITAL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("EHOSPITAL_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    monkeypatch.delenv("REGISTRATIONS_DB_URL", raising=False)
    monkeypatch.delenv("ANALYTICS_DB_URL", raising=False)


@pytest.fixture
def worked_store(worked_source_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    store_url = f"sqlite:///{tmp_path / 'analytics.sqlite'}"
    refresh(source_engine(worked_source_url), store_engine(store_url), now=DEMO_NOW)
    monkeypatch.setenv("ANALYTICS_DB_URL", store_url)
    monkeypatch.setenv("EHOSPITAL_SECRETS_FILE", str(tmp_path / "none.toml"))
    return store_url


@pytest.fixture
def two_division_store(
    worked_source_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The worked example with Dantewada (416, CHC Test, F2) moved to a second division,
    Raipur: Bastar division is then Bastar (414, F1) and Sukma (649, no facility)."""
    engine = sa.create_engine(worked_source_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE districts SET division = 'Raipur' WHERE lgd_code = 416"))
    engine.dispose()
    store_url = f"sqlite:///{tmp_path / 'analytics.sqlite'}"
    refresh(source_engine(worked_source_url), store_engine(store_url), now=DEMO_NOW)
    monkeypatch.setenv("ANALYTICS_DB_URL", store_url)
    monkeypatch.setenv("EHOSPITAL_SECRETS_FILE", str(tmp_path / "none.toml"))
    return store_url


# --- a real dashboard server on a free loopback port --------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    store_url: str,
    tmp_path: Path,
    *,
    port: int | None = None,
    extra_args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    log: Path | None = None,
) -> tuple[subprocess.Popen, int]:
    """``streamlit run app.py`` on the given store; returns once /_stcore/health says ok.

    ``port``: a free one when None; ``extra_args`` go after ``streamlit run app.py`` (e.g.
    ``["--secrets.files", path]``); ``env`` is laid over the server's environment (e.g.
    another ``EHOSPITAL_SECRETS_FILE``); ``log`` gets the server's stdout and stderr.
    """
    port = free_port() if port is None else port
    server_env = {
        **os.environ,
        "ANALYTICS_DB_URL": store_url,
        "EHOSPITAL_SECRETS_FILE": str(tmp_path / "none.toml"),
        **(env or {}),
    }
    output = log.open("ab") if log is not None else subprocess.DEVNULL
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(PROJECT_ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            *extra_args,
        ],
        cwd=PROJECT_ROOT,
        env=server_env,
        stdout=output,
        stderr=subprocess.STDOUT if log is not None else subprocess.DEVNULL,
    )
    if log is not None:
        output.close()  # the server has its own copy
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health") as r:
                if r.read() == b"ok":
                    return server, port
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("the dashboard server did not start") from None
            time.sleep(0.3)


# --- Apache Spark: a standalone master and two workers on loopback -----------------------------
@pytest.fixture(scope="module")
def spark():
    """A Spark session on a standalone cluster of one master and two workers (one core
    each), for one test module (stopped after it: no JVM lingers through the browser and
    load tests). Without pyspark (the [spark] extra) the Spark tests
    are skipped, except under CI=true, whose .ci/run installs it."""
    from data_access.spark_refresh import spark_available, spark_session

    reason = spark_available()
    if reason:
        if IN_CI:
            pytest.fail(f"CI=true and {reason}: the Spark tests must run in CI")
        pytest.skip(reason)
    from bench.spark_cluster import standalone_cluster

    with standalone_cluster(workers=2, cores=1, memory="1g") as cluster:
        session = spark_session(cluster.master_url)
        session.cluster = cluster  # type: ignore[attr-defined]
        try:
            yield session
        finally:
            session.stop()


def store_rows(url: str) -> dict[str, list[tuple]]:
    """Every row of every analytics table, sorted; the refresh's wall-clock time left out
    (two refreshes run at different moments)."""
    from data_access import store as st

    engine = store_engine(url)
    out: dict[str, list[tuple]] = {}
    with engine.connect() as conn:
        for table in st.STORE.sorted_tables:
            query = sa.select(table)
            if table is st.refresh_state:
                query = query.where(table.c.key != "refreshed_at")
            out[table.name] = sorted((tuple(r) for r in conn.execute(query)), key=repr)
    engine.dispose()
    return out


def assert_identical(sql_store: str, spark_store: str) -> None:
    expected, got = store_rows(sql_store), store_rows(spark_store)
    for name, rows in expected.items():
        missing = sorted(set(rows) - set(got[name]), key=repr)[:5]
        extra = sorted(set(got[name]) - set(rows), key=repr)[:5]
        assert rows == got[name], f"{name}: SQL only {missing}, Spark only {extra}"


def two_refreshes(source_url: str, tmp_path: Path, spark, now: datetime, **kwargs):
    """The SQL refresh and the Spark refresh of the same source, each into its own store:
    ((SQL store URL, Spark store URL), SQL report, Spark report)."""
    from data_access.spark_refresh import SparkAggregator

    source = source_engine(source_url)
    stores = (
        f"sqlite:///{tmp_path / 'by-sql.sqlite'}",
        f"sqlite:///{tmp_path / 'by-spark.sqlite'}",
    )
    by_sql = refresh(source, store_engine(stores[0]), now=now, **kwargs)
    aggregator = SparkAggregator(spark, source)
    by_spark = refresh(source, store_engine(stores[1]), now=now, aggregator=aggregator, **kwargs)
    source.dispose()
    return stores, by_sql, by_spark


# --- Hypothesis profiles (tests/data_access/test_differential.py) ------------------------------
_HYPOTHESIS_COMMON = {
    "deadline": None,  # a refresh of a few rows takes a fraction of a second, or a few on Spark
    "database": None,  # nothing written into the work tree; a failure prints its example
    "print_blob": True,  # … and the blob to replay it (@reproduce_failure)
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,  # each example empties what the fixture made
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
}
hypothesis_settings.register_profile("ci", derandomize=True, max_examples=60, **_HYPOTHESIS_COMMON)
"""The default: the same examples every run. Tests take a share of max_examples."""
hypothesis_settings.register_profile("nightly", max_examples=600, **_HYPOTHESIS_COMMON)
"""Ten times as many, random ones: pytest --hypothesis-profile=nightly."""
hypothesis_settings.load_profile("ci")


# --- two workers (pytest-xdist, `make test`) ---------------------------------------------------
def _worker_group(item: pytest.Item) -> str | None:
    """The tests that must not run beside each other on two workers, by what they share:
    a dashboard server and chromium (every browser test, and the wheel's served page),
    Spark (a cluster's master and workers, or a local session: JVMs that each want the
    machine's cores), the full demo copied into PostgreSQL, the small Bastar store and the
    leak scan's rendering of every page (built once, not once a worker)."""
    path = Path(str(item.fspath))
    names = set(getattr(item, "fixturenames", ()))
    if "e2e" in path.parts or path.name == "test_wheel_install.py":
        return "browser"
    if "spark" in names or "spark" in path.stem:  # the cluster, or a Spark session of its own
        return "spark"
    params = getattr(getattr(item, "callspec", None), "params", {})
    if "demo_on_postgresql" in names or params.get("demo") == "postgresql":
        return "demo_on_postgresql"  # (test_published_figures asks for it by its parameter)
    if "small_bastar_store" in names:
        return "small_bastar_store"
    if path.name == "test_no_leak.py":  # every page rendered once (a module fixture, 100 s)
        return "no_leak"
    return None


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's hook reads the marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under ``--dist loadgroup`` each group runs on one worker, its tests in turn; the
    other tests are shared out between the workers."""
    for item in items:
        group = _worker_group(item)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))


_UNGROUPED = pytest.StashKey[set[str]]()


@pytest.hookimpl(trylast=True)  # after pytest-xdist's hook has named each test's group
def pytest_collection_finish(session: pytest.Session) -> None:
    """Find the tests of a two-worker run whose group would not hold. pytest-xdist groups
    a test by a suffix it writes into the test's id; where that write does not take
    (pytest 9.2 with pytest-xdist 3.8, pytest-dev/pytest-xdist#1386) nothing is grouped and
    nothing says so: browser tests and Spark clusters run side by side, slower and flaky.
    Those tests fail instead (``pytest_runtest_setup``), saying why."""
    if not getattr(session.config.option, "loadgroup", False):
        return  # not a worker of --dist loadgroup
    session.config.stash[_UNGROUPED] = {
        item.nodeid
        for item in session.items
        if item.get_closest_marker("xdist_group") and "@" not in item.nodeid.rpartition("]")[2]
    }


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.nodeid in item.config.stash.get(_UNGROUPED, set()):
        pytest.fail(
            "--dist loadgroup did not group this test (its id has no @group): see "
            "pytest-dev/pytest-xdist#1386 and the pytest pin in pyproject.toml",
            pytrace=False,
        )
