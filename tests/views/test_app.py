"""The app renders on the analytics store (AppTest), and the server answers on its port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path

import pytest

from data_access.config import PROJECT_ROOT
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("engine_name", ["sqlite"], indirect=False)
def test_the_server_answers_on_its_port(built_store: str) -> None:
    port = _free_port()
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
        ],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health") as r:
                    assert r.read() == b"ok"
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=20)
