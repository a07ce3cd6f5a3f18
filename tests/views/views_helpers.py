"""Helpers for the page tests."""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

import pytest
from conftest import F2
from streamlit.testing.v1 import AppTest

from data_access.config import PROJECT_ROOT
from data_access.queries import Period
from i18n.markdown import JOINER

HOME = "views/overview.py"
JANUARY = {"period": "custom", "from": "2025-01-01", "to": "2025-01-31"}
JANUARY_PERIOD = Period(date(2025, 1, 1), date(2025, 1, 31))
FILTER_STATES = {
    "whole division": JANUARY,
    "one district": {**JANUARY, "district": "414"},
    "one facility": {**JANUARY, "facility": F2},
    "one facility type": {**JANUARY, "type": "DH"},
    "an empty period": {"period": "custom", "from": "2025-01-02", "to": "2025-01-03"},
    "default period, no recent data": {},
}
"""The filter states every page is rendered under (worked example, see tests/conftest.py)."""


def use_settings(text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The dashboard's settings file (``EHOSPITAL_SECRETS_FILE``) holds ``text`` for this
    test; returns its path."""
    settings = tmp_path / "dashboard.toml"
    settings.write_text(text, encoding="utf-8")
    monkeypatch.setenv("EHOSPITAL_SECRETS_FILE", str(settings))
    return settings


def use_access_file(
    access: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, more: str = ""
) -> Path:
    """The access file ``access`` (users, roles, scopes) in force for this test, through
    settings whose ``[access]`` names it and an audit log beside it (``more``: further lines
    of that table); returns the audit log's path."""
    roles_file, audit = tmp_path / "access.toml", tmp_path / "audit.jsonl"
    roles_file.write_text(access, encoding="utf-8")
    use_settings(
        f'[access]\nroles_file = "{roles_file}"\naudit_log = "{audit}"\n{more}',
        tmp_path,
        monkeypatch,
    )
    return audit


def open_page(page: str, params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page != HOME:
        at.switch_page(page).run()
    return at


def chart_views(spec: dict, data: dict | None = None) -> list[dict]:
    """Every view of a Vega-Lite spec, the layered, concatenated and nested ones included
    (the spec itself first), each with the data it draws (its own or its parent's)."""
    data = spec.get("data", data)
    views = [{**spec, "data": data}]
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for part in spec.get(key, []):
            views += chart_views(part, data)
    return views


def shown_table(at: AppTest, number: int) -> list[list[object]]:
    """The rows of the page's ``number``-th st.table as a reader sees them: st.table renders
    Markdown, so its cells carry character references (``&#60;5``) that show as ``<5``."""
    return [
        [html.unescape(v).replace(JOINER, "") if isinstance(v, str) else v for v in row]
        for row in at.table[number].value.itertuples(index=False)
    ]
