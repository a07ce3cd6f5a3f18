"""The facility profile on the worked example."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import F1, F2
from views_helpers import JANUARY, open_page

from data_access.engines import store_engine
from data_access.queries import Period, Scope, registration_counts
from ui import format as fmt

PAGE = "views/facility.py"


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize(
    "params",
    [JANUARY, {**JANUARY, "facility": F2}, {**JANUARY, "district": "416"}, {}],
    ids=["division", "one facility", "one district", "default period"],
)
def test_the_profile_renders(worked_store: str, params: dict) -> None:
    at = open_page(PAGE, params)
    assert not at.exception, at.exception
    assert at.caption


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_profile_shows_the_facility_figures(worked_store: str) -> None:
    at = open_page(PAGE, {**JANUARY, "facility": F1})
    tiles = {m.label: m.value for m in at.metric}
    expected = registration_counts(
        store_engine(worked_store),
        Period(date(2025, 1, 1), date(2025, 1, 31)),
        Scope.of(facilities=[F1]),
    ).iloc[0]
    assert tiles["OPD registrations"] == fmt.count(expected["opd_registrations"])
    assert tiles["ABHA-linked"] == fmt.count(expected["abha_linked"])
    assert tiles["Type"] == "DH"
    assert tiles["Estimated incentive in the period"].startswith("₹")
    # the worked example's facility_staff table is empty
    assert any("no staff recorded" in c.value for c in at.caption)


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_without_the_optional_tables(
    worked_source_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlalchemy as sa

    from data_access.engines import source_engine
    from data_access.refresh import refresh

    writable = sa.create_engine(worked_source_url)
    with writable.begin() as conn:
        conn.execute(sa.text("DROP TABLE facility_staff"))
        conn.execute(sa.text("DROP TABLE abha_enrolments"))
    store_url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    refresh(source_engine(worked_source_url), store_engine(store_url))
    monkeypatch.setenv("ANALYTICS_DB_URL", store_url)
    monkeypatch.setenv("EHOSPITAL_SECRETS_FILE", str(tmp_path / "none.toml"))
    at = open_page(PAGE, {**JANUARY, "facility": F1})
    assert not at.exception
    assert any("not available in this database" in c.value for c in at.caption)
    overview = open_page("views/overview.py", JANUARY)
    assert not overview.exception
    assert {m.label: m.value for m in overview.metric}["ABHA enrolments"] == "–"


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_picker_finds_a_facility(worked_store: str) -> None:
    at = open_page(PAGE, JANUARY)
    at.selectbox(key="profile_facility").select(F2).run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Type"] == "CHC"
