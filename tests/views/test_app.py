"""The server answers on its port."""

from __future__ import annotations

import urllib.request
from datetime import datetime
from pathlib import Path

import pytest
from conftest import start_server

from data_access.engines import source_engine, store_engine
from data_access.refresh import refresh

NOW = datetime(2026, 11, 26, 12, 0)


@pytest.fixture
def built_store(worked_source_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    store_url = f"sqlite:///{tmp_path / 'analytics.sqlite'}"
    refresh(source_engine(worked_source_url), store_engine(store_url), now=NOW)
    monkeypatch.setenv("ANALYTICS_DB_URL", store_url)
    monkeypatch.setenv("EHOSPITAL_SECRETS_FILE", str(tmp_path / "none.toml"))
    return store_url


@pytest.mark.parametrize("engine_name", ["sqlite"], indirect=False)
def test_the_server_answers_on_its_port(built_store: str, tmp_path: Path) -> None:
    server, port = start_server(built_store, tmp_path)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health") as r:
            assert r.read() == b"ok"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as r:
            assert b"<html" in r.read().lower()
    finally:
        server.terminate()
        server.wait(timeout=20)
