"""Helpers for the page tests."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from data_access.config import PROJECT_ROOT

HOME = "views/overview.py"


def open_page(page: str, params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page != HOME:
        at.switch_page(page).run()
    return at
