"""``ehospital-dashboard health``: what a service monitor reads (exit status and lines)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import DEMO_NOW, PG_ADMIN_URL

from cli.main import main
from data_access.engines import source_engine, store_engine
from data_access.refresh import refresh

pytestmark = pytest.mark.usefixtures("isolated_config")


def health(capsys, *args: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    code = main(["health", *args])
    return code, capsys.readouterr().out


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_fresh_store_is_ok_and_an_old_refresh_a_warning(
    worked_source_url: str, tmp_path: Path, capsys
) -> None:
    store = f"sqlite:///{tmp_path / 'store.sqlite'}"
    refresh(source_engine(worked_source_url), store_engine(store), now=DEMO_NOW)
    code, out = health(capsys, "--db", worked_source_url, "--store", store)
    assert code == 0, out
    assert out.splitlines()[0].startswith("EHOSPITAL DASHBOARD OK")
    assert {line.split()[0] for line in out.splitlines()[1:]} == {"OK"}

    time.sleep(1.1)  # refresh times are kept to the second
    code, out = health(
        capsys, "--db", worked_source_url, "--store", store, "--max-age-hours", "0.00001"
    )
    assert code == 1
    assert "WARNING refresh: last refresh" in out

    code, out = health(capsys, "--db", str(tmp_path / "gone.sqlite"), "--store", store, "--json")
    report = json.loads(out)
    assert code == 1 and report["status"] == "WARNING"
    assert [c["name"] for c in report["checks"] if c["status"] == "WARNING"] == ["source"]


def test_a_missing_or_unreachable_store_is_critical(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "no-store.sqlite"
    code, out = health(capsys, "--store", str(missing))
    assert code == 2 and "CRITICAL store:" in out
    assert not missing.exists(), "the check does not create the store"

    unbuilt = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    sa.create_engine(unbuilt).connect().close()
    code, out = health(capsys, "--store", unbuilt)
    assert code == 2 and "holds no complete refresh" in out

    nowhere = sa.engine.make_url(PG_ADMIN_URL).set(port=1, password="secret-word")
    code, out = health(capsys, "--store", nowhere.render_as_string(hide_password=False))
    assert code == 2 and "CRITICAL store:" in out and "does not answer" in out
    assert "secret-word" not in out


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_serve_without_the_source_serves_a_built_store(
    worked_source_url: str, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The registration database is away at start-up: with a built store the dashboard
    starts anyway and says from when its figures are; without one it says what is wrong."""
    started: list[list[str]] = []
    monkeypatch.setattr("os.execve", lambda path, args, env: started.append(args))
    monkeypatch.setattr("os.chdir", lambda path: None)
    store = f"sqlite:///{tmp_path / 'store.sqlite'}"
    refresh(source_engine(worked_source_url), store_engine(store), now=DEMO_NOW)
    monkeypatch.setenv("ANALYTICS_DB_URL", store)
    gone = str(tmp_path / "gone.sqlite")

    assert main(["serve", "--db", gone, "--port", "8999"]) == 0
    err = capsys.readouterr().err
    assert "does not exist" in err and "serving the analytics tables as last refreshed" in err
    assert started and "8999" in started[0]

    monkeypatch.setenv("ANALYTICS_DB_URL", f"sqlite:///{tmp_path / 'unbuilt.sqlite'}")
    assert main(["serve", "--db", gone]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert len(started) == 1
