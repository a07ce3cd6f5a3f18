"""Every page under several filter states (AppTest), with figures checked against
data_access; and the Overview of District Hospital Bastar for May–July 2025."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import F1
from streamlit.testing.v1 import AppTest
from views_helpers import FILTER_STATES as SHARED_STATES
from views_helpers import JANUARY, open_page

from data_access.config import PROJECT_ROOT
from data_access.engines import store_engine
from data_access.queries import Period, Scope, registration_counts
from demo.calibration import PUBLISHED_FIGURES
from ui import format as fmt

NOW = datetime(2026, 11, 26, 12, 0)
PAGES = (
    "views/overview.py",
    "views/map.py",
    "views/trends.py",
    "views/comparison.py",
    "views/facility.py",
    "views/data_quality.py",
    "views/about.py",
)
FILTER_STATES = {
    **SHARED_STATES,
    "bad values in the link": {"period": "forever", "district": "999", "facility": "IN22x"},
}


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("state", list(FILTER_STATES))
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders(worked_store: str, page: str, state: str) -> None:
    at = open_page(page, FILTER_STATES[state])
    assert not at.exception, at.exception
    assert at.caption, "every page says what it shows"


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_overview_figures_match_data_access(worked_store: str) -> None:
    at = open_page(PAGES[0], {**JANUARY, "district": "414"})
    tiles = {m.label: m.value for m in at.metric}
    expected = registration_counts(
        store_engine(worked_store), Period(date(2025, 1, 1), date(2025, 1, 31)), Scope.of([414])
    ).iloc[0]
    assert tiles["OPD registrations"] == fmt.count(expected["opd_registrations"])
    assert tiles["ABHA-linked"] == fmt.count(expected["abha_linked"])
    assert tiles["Facilities reporting"] == "1 of 1"


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_an_empty_selection_says_so(worked_store: str) -> None:
    at = open_page(PAGES[0], FILTER_STATES["an empty period"])
    assert any("No registrations in" in i.value for i in at.info)


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_link_is_restored_and_kept(worked_store: str) -> None:
    at = open_page(PAGES[0], {**JANUARY, "facility": F1})
    assert _param(at, "facility") == [F1]
    assert _param(at, "from") == ["2025-01-01"]
    at.switch_page("views/data_quality.py").run()
    assert not at.exception
    assert _param(at, "facility") == [F1], "filters are kept between pages"
    assert any(m.label == "Duplicate rows" for m in at.metric)


def _param(at: AppTest, key: str) -> list[str]:
    value = at.query_params[key]
    return value if isinstance(value, list) else [value]


def test_an_unbuilt_store_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANALYTICS_DB_URL", f"sqlite:///{tmp_path / 'empty.sqlite'}")
    monkeypatch.setenv("EHOSPITAL_SECRETS_FILE", str(tmp_path / "none.toml"))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=30).run()
    assert not at.exception
    assert any("ehospital-dashboard refresh" in w.value for w in at.warning)


@pytest.mark.slow
@pytest.mark.parametrize("published", PUBLISHED_FIGURES, ids=lambda p: p.facility_name)
def test_overview_shows_the_published_figures(
    demo_on_sqlite, published, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _, store_url = demo_on_sqlite
    monkeypatch.setenv("ANALYTICS_DB_URL", store_url)
    monkeypatch.setenv("EHOSPITAL_SECRETS_FILE", str(tmp_path / "none.toml"))
    from data_access.queries import facilities

    ids = facilities(store_engine(store_url)).set_index("name_en")["facility_id"]
    at = open_page(
        PAGES[0],
        {
            "period": "custom",
            "from": published.period_start.isoformat(),
            "to": published.period_end.isoformat(),
            "facility": ids[published.facility_name],
        },
    )
    assert not at.exception
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["OPD registrations"] == fmt.count(published.registrations)
    assert tiles["ABHA-linked"] == fmt.count(published.abha_linked)
    assert any(fmt.count(published.registrations) in md.value for md in at.markdown)
