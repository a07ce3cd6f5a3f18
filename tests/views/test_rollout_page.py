"""The Rollout page (AppTest) on the worked example (tests/conftest.py): F1, a district
hospital in Bastar (414), live since 10-01-2025; F2, a CHC in Dantewada (416), with no
go-live day: planned, though it registers. The data runs 05-01-2025 to 03-02-2025.

Worked by hand: on 03-02-2025 one facility is live (F1) and one planned (F2). Live at the
end of January and of February 2025: Bastar 1, Dantewada 0. Months since go-live: F1's
month 0 is January 2025 with 5 registrations (r1–r5; r5, five days before go-live, is in
the go-live month) of which 2 ABHA-linked; under 30 registrations, so no rate is drawn.
F1 has nothing in February; F2 has no go-live, so no line.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from conftest import DEMO_NOW, F1
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest
from test_access import BASTAR_TRACES, USERS, open_as
from test_access import access_config as access_config  # the fixture
from test_languages import visible_text
from views_helpers import FILTER_STATES, JANUARY, open_page

from data_access.engines import source_engine, store_engine
from data_access.refresh import refresh
from i18n import Words

PAGE = "views/rollout.py"
EN, HI = Words("en"), Words("hi")


def _tiles(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _table(at: AppTest, column: str) -> pd.DataFrame:
    tables = [d.value for d in at.dataframe if column in d.value.columns]
    assert tables, f"no table with a {column!r} column"
    return tables[0]


def _chart_data(at: AppTest, column: str) -> pd.DataFrame:
    """The rows of the chart whose data has ``column``."""
    for element in at.main:
        if getattr(element, "type", None) != "vega_lite_chart":
            continue
        for dataset in element.proto.datasets:
            rows = convert_arrow_bytes_to_pandas_df(dataset.data.data)
            if column in rows.columns:
                return rows
    raise AssertionError(f"no chart draws {column!r}")


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("w", [EN, HI], ids=["en", "hi"])
@pytest.mark.parametrize("state", list(FILTER_STATES))
def test_the_page_renders(worked_store: str, state: str, w: Words) -> None:
    at = open_page(PAGE, {**FILTER_STATES[state], "lang": w.lang})
    assert not at.exception, at.exception
    assert any(h.value == w("rollout.header") for h in at.header)
    assert at.caption, "the page says what it shows"


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("w", [EN, HI], ids=["en", "hi"])
def test_live_and_planned_facilities_of_the_worked_example(worked_store: str, w: Words) -> None:
    at = open_page(PAGE, {**JANUARY, "lang": w.lang})
    assert not at.exception, at.exception
    tiles = _tiles(at)
    assert tiles[w("rollout.live_facilities")] == "1"  # F1
    assert tiles[w("rollout.planned_facilities")] == "1"  # F2: no go-live day
    status = _table(at, w("rollout.live_facilities")).set_index(w("common.district"))
    live, planned = w("rollout.live_facilities"), w("rollout.planned_facilities")
    bastar, dantewada = (w.district_names(_districts()).get(code) for code in (414, 416))
    sukma, division = w.district_names(_districts()).get(649), w.division()
    assert status.loc[bastar, [live, planned]].tolist() == [1, 0]
    assert status.loc[dantewada, [live, planned]].tolist() == [0, 1]
    assert status.loc[sukma, [live, planned]].tolist() == [0, 0]  # no facility at all
    assert status.loc[division, [live, planned]].tolist() == [1, 1]  # the row of all
    assert status.loc[division, w("rollout.live_share")] == pytest.approx(0.5)


def _districts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lgd_code": [414, 416, 649],
            "name_en": ["Bastar", "Dakshin Bastar Dantewada", "Sukma"],
            "name_hi": ["बस्तर", "दक्षिण बस्तर दंतेवाड़ा", "सुकमा"],
        }
    )


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_facilities_live_month_by_month(worked_store: str) -> None:
    at = open_page(PAGE, JANUARY)
    drawn = _chart_data(at, EN("rollout.live_facilities"))
    live = {
        (row[EN("common.district")], pd.Timestamp(row[EN("common.month")]).strftime("%Y-%m")): row[
            EN("rollout.live_facilities")
        ]
        for _, row in drawn.iterrows()
    }
    assert live == {
        ("Bastar", "2025-01"): 1,
        ("Bastar", "2025-02"): 1,
        ("Dakshin Bastar Dantewada", "2025-01"): 0,  # F2 registers but is planned
        ("Dakshin Bastar Dantewada", "2025-02"): 0,
    }
    assert EN("rollout.scheduled") not in drawn.columns, "no go-live planned ahead: no dashes"


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_adoption_by_months_since_go_live(worked_store: str) -> None:
    # the sidebar's period (an empty one) does not apply: all the data is read
    at = open_page(PAGE, FILTER_STATES["an empty period"])
    assert not at.exception, at.exception
    drawn = _chart_data(at, EN("rollout.months_since"))
    assert drawn[EN("common.district")].tolist() == ["Bastar"]  # F2 has no go-live: no line
    assert drawn[EN("rollout.months_since")].tolist() == [0]
    assert drawn[EN("figure.opd_registrations")].tolist() == [5]  # r1–r5
    assert drawn[EN("figure.abha_linked")].tolist() == [2]  # r1, r2
    assert drawn[EN("figure.abha_share")].isna().all(), "5 registrations: under 30, no rate"
    first = _table(at, EN("rollout.month_n", n=0))
    assert first[EN("common.district")].tolist() == ["Bastar"]
    assert first.drop(columns=EN("common.district")).isna().all(axis=None)


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_collector_sees_only_their_district(access_config: Path) -> None:
    at = open_as(USERS["collector"], PAGE, {**JANUARY, "district": "414"})
    assert not at.exception, at.exception
    tiles = _tiles(at)
    assert tiles[EN("rollout.live_facilities")] == "0"
    assert tiles[EN("rollout.planned_facilities")] == "1"  # F2, Dantewada's CHC
    status = _table(at, EN("rollout.live_facilities"))
    assert status[EN("common.district")].tolist() == ["Dakshin Bastar Dantewada"]
    assert any("No registrations since go-live" in i.value for i in at.info), "F2: no go-live"
    shown = visible_text(at) + "".join(frame.value.to_csv() for frame in at.dataframe)
    shown = shown.replace(str(_ignored(at)), "")
    for trace in BASTAR_TRACES:
        assert re.search(trace, shown) is None, trace
    assert F1 not in shown


def _ignored(at: AppTest) -> str:
    """The link's refused values, named back in a toast (not data of the other district)."""
    return "".join(t.value for t in at.toast if t.value.startswith("Ignored in the link"))


@pytest.fixture
def planned_ahead_store(
    worked_source_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The worked example with F2's go-live set to 15-03-2025, after the data's last day
    (03-02-2025): still planned, now with a date."""
    engine = sa.create_engine(worked_source_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE facilities SET ehospital_go_live = '2025-03-15' WHERE facility_id = :f"
            ),
            {"f": "IN2200000002"},
        )
    engine.dispose()
    store_url = f"sqlite:///{tmp_path / 'analytics.sqlite'}"
    refresh(source_engine(worked_source_url), store_engine(store_url), now=DEMO_NOW)
    monkeypatch.setenv("ANALYTICS_DB_URL", store_url)
    monkeypatch.setenv("EHOSPITAL_SECRETS_FILE", str(tmp_path / "none.toml"))
    return store_url


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_go_live_after_the_last_day_is_planned_and_dashed(planned_ahead_store: str) -> None:
    at = open_page(PAGE, JANUARY)
    assert not at.exception, at.exception
    tiles = _tiles(at)
    assert tiles[EN("rollout.live_facilities")] == "1"
    assert tiles[EN("rollout.planned_facilities")] == "1"  # F2: 15-03-2025 is after 03-02-2025
    status = _table(at, EN("rollout.live_facilities")).set_index(EN("common.district"))
    assert status.loc["Dakshin Bastar Dantewada", EN("rollout.planned_with_date")] == 1
    drawn = _chart_data(at, EN("rollout.live_facilities"))
    dantewada = drawn[drawn[EN("common.district")] == "Dakshin Bastar Dantewada"]
    months = [pd.Timestamp(m).strftime("%Y-%m") for m in dantewada[EN("common.month")]]
    assert months == ["2025-01", "2025-02", "2025-03"]
    live = dantewada[EN("rollout.live_facilities")].tolist()
    assert live[:2] == [0, 0] and pd.isna(live[2]), "never live within the data"
    planned = dantewada[EN("rollout.scheduled")].tolist()
    assert pd.isna(planned[0]) and planned[1:] == [0, 1], "dashed from February to March"
    assert any(EN("rollout.dashed_note") in c.value for c in at.caption)


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_lines_by_division_when_the_scope_spans_several(two_division_store: str) -> None:
    at = open_page(PAGE, JANUARY)
    assert not at.exception, at.exception
    status = _table(at, EN("rollout.live_facilities")).set_index(EN("filters.division"))
    live, planned = EN("rollout.live_facilities"), EN("rollout.planned_facilities")
    assert status.loc["Bastar division", [live, planned]].tolist() == [1, 0]
    assert status.loc["Raipur division", [live, planned]].tolist() == [0, 1]
    drawn = _chart_data(at, EN("rollout.months_since"))
    assert drawn[EN("filters.division")].tolist() == ["Bastar division"]


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_files_are_of_all_the_data_not_the_period_chosen(
    worked_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page reads all the data (05-01-2025 to 03-02-2025), whatever the sidebar says
    (January 2025 here): its files are named and subtitled for those days."""
    import io

    import openpyxl

    import ui.exports

    made: list[tuple[str, object]] = []

    def capture(make, name):  # type: ignore[no-untyped-def]
        made.append((name, make))
        return make

    monkeypatch.setattr(ui.exports, "recorded_export", capture)
    at = open_page("views/overview.py", JANUARY)
    made.clear()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    names = [name for name, _ in made]
    assert names and all("_2025-01-05_2025-02-03_en." in name for name in names), names
    status = next(
        make
        for name, make in made
        if name.startswith("live-and-planned") and name.endswith(".xlsx")
    )
    sheet = openpyxl.load_workbook(io.BytesIO(status())).active  # type: ignore[operator]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any(EN.period(date(2025, 1, 5), date(2025, 2, 3)) in cell for cell in cells), cells
    # the pages that follow the period keep it
    made.clear()
    at.switch_page("views/comparison.py").run()
    assert made and all("_2025-01-01_2025-01-31_en." in name for name, _ in made)
