"""A refresh killed half-way (SIGKILL), or whose database connection is cut
(pg_terminate_backend), leaves the store as the last complete refresh left it; the next
refresh resumes without loss or double counting (equal to a full refresh)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from test_refresh import LATE_ROWS, LATER, NOW, add_rows, snapshot

from data_access.config import PROJECT_ROOT
from data_access.engines import source_engine, store_engine
from data_access.refresh import refresh

# The refresh command, made to stop where the new rows are all written to the store and
# nothing is committed: it says HALF-WAY, then waits for a file to appear.
CHILD = """
import sys, time
from pathlib import Path
import data_access.refresh as r
go_on = Path(sys.argv[1])
write = r._write_reference_tables
def paused(*args, **kwargs):
    print("HALF-WAY", flush=True)
    while not go_on.exists():
        time.sleep(0.05)
    return write(*args, **kwargs)
r._write_reference_tables = paused
from cli.main import main
sys.exit(main(sys.argv[2:]))
"""


def _start_refresh(source_url: str, store_url: str, go_on: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "EHOSPITAL_DATA_DIR": str(tmp_path / "data"),
        "EHOSPITAL_SECRETS_FILE": str(tmp_path / "none.toml"),
    }
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CHILD,
            str(go_on),
            "refresh",
            "--db",
            source_url,
            "--store",
            store_url,
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    assert child.stdout is not None
    for line in child.stdout:
        if line.strip() == "HALF-WAY":
            return child
        assert time.monotonic() < deadline
    raise AssertionError(f"the refresh ended before half-way: {child.wait()} {child.stderr.read()}")


def _resumes_to_a_full_refresh(source_url: str, store_url: str, tmp_path: Path) -> None:
    source = source_engine(source_url)
    later = refresh(source, store_engine(store_url), now=LATER)
    full = store_engine(f"sqlite:///{tmp_path / 'full.sqlite'}")
    refresh(source, full, now=LATER, full=True)
    assert not later.full
    assert snapshot(store_engine(store_url)) == snapshot(full)


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize(
    "store_kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_a_refresh_killed_half_way_leaves_the_last_state_and_resumes(
    worked_source_url: str, store_kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    store_url = (
        f"sqlite:///{tmp_path / 'store.sqlite'}"
        if store_kind == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    refresh(source_engine(worked_source_url), store_engine(store_url), now=NOW)
    before = snapshot(store_engine(store_url))
    add_rows(worked_source_url, LATE_ROWS)

    child = _start_refresh(worked_source_url, store_url, tmp_path / "go-on", tmp_path)
    child.send_signal(signal.SIGKILL)
    assert child.wait(timeout=30) == -signal.SIGKILL
    assert snapshot(store_engine(store_url)) == before, "readers see the last complete refresh"
    _resumes_to_a_full_refresh(worked_source_url, store_url, tmp_path)


@pytest.mark.postgres
@pytest.mark.parametrize("engine_name", ["postgresql"])
def test_a_refresh_whose_connections_are_cut_says_so_and_the_next_resumes(
    worked_source_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Source and store on PostgreSQL; every connection of the running refresh is ended
    by pg_terminate_backend (as a failover or an administrator would)."""
    store_url = request.getfixturevalue("postgres_url")
    refresh(source_engine(worked_source_url), store_engine(store_url), now=NOW)
    before = snapshot(store_engine(store_url))
    add_rows(worked_source_url, LATE_ROWS)

    go_on = tmp_path / "go-on"
    child = _start_refresh(worked_source_url, store_url, go_on, tmp_path)
    names = [sa.engine.make_url(u).database for u in (worked_source_url, store_url)]
    admin = sa.create_engine(worked_source_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        ended = conn.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = ANY(:names) AND pid <> pg_backend_pid()"
            ),
            {"names": names},
        ).scalar()
    admin.dispose()
    assert ended >= 1
    go_on.touch()
    _, err = child.communicate(timeout=60)
    assert child.returncode == 2, err
    assert err.strip().splitlines()[-1].startswith("ehospital-dashboard: database error:"), err
    assert "Traceback" not in err
    assert snapshot(store_engine(store_url)) == before
    _resumes_to_a_full_refresh(worked_source_url, store_url, tmp_path)
