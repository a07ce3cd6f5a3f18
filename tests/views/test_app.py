"""The server answers on its port."""

from __future__ import annotations

import urllib.request
from datetime import datetime
from pathlib import Path

import pytest
from conftest import start_server

NOW = datetime(2026, 11, 26, 12, 0)


@pytest.mark.parametrize("engine_name", ["sqlite"], indirect=False)
def test_the_server_answers_on_its_port(worked_store: str, tmp_path: Path) -> None:
    server, port = start_server(worked_store, tmp_path)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health") as r:
            assert r.read() == b"ok"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as r:
            assert b"<html" in r.read().lower()
    finally:
        server.terminate()
        server.wait(timeout=20)
