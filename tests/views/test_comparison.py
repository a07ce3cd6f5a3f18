"""The District comparison page (AppTest) on the worked example: it renders under every filter
state, and its league tables show the figures data_access gives."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import F1
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest
from views_helpers import FILTER_STATES, JANUARY, JANUARY_PERIOD, open_page

from data_access.engines import store_engine
from data_access.queries import Scope, districts, facilities, registration_counts

PAGE = "views/comparison.py"


def _table(at: AppTest, first_column: str) -> pd.DataFrame:
    tables = [d.value for d in at.dataframe if d.value.columns[0] == first_column]
    assert tables, f"no table starting with a {first_column} column"
    return tables[0]


def _charts(at: AppTest) -> list[list[pd.DataFrame]]:
    """The datasets of every Altair chart on the page."""
    return [
        [convert_arrow_bytes_to_pandas_df(d.data.data) for d in e.proto.datasets]
        for e in at.main
        if getattr(e, "type", None) == "vega_lite_chart"
    ]


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("state", list(FILTER_STATES))
def test_the_page_renders(worked_store: str, state: str) -> None:
    at = open_page(PAGE, FILTER_STATES[state])
    assert not at.exception, at.exception
    assert any(h.value == "District comparison" for h in at.header)
    assert at.caption, "the page says what it shows"


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_an_empty_period_says_so(worked_store: str) -> None:
    at = open_page(PAGE, FILTER_STATES["an empty period"])
    assert any("No registrations in" in i.value for i in at.info)
    assert not at.dataframe, "no empty tables under the message"


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_district_league_matches_data_access(worked_store: str) -> None:
    engine = store_engine(worked_store)
    expected = registration_counts(engine, JANUARY_PERIOD, by=["district"]).merge(
        districts(engine)[["lgd_code", "name_en"]], left_on="district_lgd", right_on="lgd_code"
    )
    table = _table(open_page(PAGE, JANUARY), "District").set_index("District")
    for row in expected.itertuples():
        shown = table.loc[row.name_en]
        assert shown["OPD registrations"] == row.opd_registrations, row.name_en
        assert shown["ABHA-linked"] == row.abha_linked, row.name_en
        assert shown["ABHA adoption"] == pytest.approx(row.abha_linked / row.opd_registrations)
    sukma = table.loc["Sukma"]  # a district without a facility: no registrations, no rate
    assert sukma["OPD registrations"] == 0
    assert pd.isna(sukma["ABHA adoption"]), "no registrations shows –, not 0%"
    assert list(table.index[:2]) == ["Bastar", "Dakshin Bastar Dantewada"], "ranked by adoption"


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_facility_league_matches_data_access(worked_store: str) -> None:
    engine = store_engine(worked_store)
    expected = registration_counts(engine, JANUARY_PERIOD, Scope.of([414]), by=["facility"])
    names = facilities(engine).set_index("facility_id")["name_en"]
    table = _table(open_page(PAGE, {**JANUARY, "district": "414"}), "Facility")
    assert list(table["Facility"]) == [names[F1]], "only the chosen district's facilities"
    assert list(table["Type"]) == ["DH"]
    assert list(table["District"]) == ["Bastar"]
    assert table["OPD registrations"].tolist() == expected["opd_registrations"].tolist()
    assert table["ABHA-linked"].tolist() == expected["abha_linked"].tolist()


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_funnel_and_projection_render_for_one_district(worked_store: str) -> None:
    at = open_page(PAGE, {**JANUARY, "district": "414"})
    assert not at.exception, at.exception
    charts = _charts(at)
    assert len(charts) == 3, "ranked bars, funnel plot, monthly trend"
    limits = [frame for chart in charts for frame in chart if "limit" in frame.columns]
    assert len(limits) == 1 and len(limits[0]) == 4 * 100, "two smooth curves per level"
    points = [frame for chart in charts for frame in chart if "verdict" in frame.columns]
    assert points and points[0]["verdict"].tolist() == ["within"], "5 registrations: chance"
    assert any("99.8% limits" in c.value for c in at.caption)
    # Bastar has one month of data in Aug 2024 – Jan 2025 (40%): no line to extend.
    assert _projection(at, "Reaches 60%") == ["too few months"]

    at.number_input(key="comparison_target").set_value(30).run()
    assert not at.exception, at.exception
    assert _projection(at, "Reaches 30%") == ["reached"]


def _projection(at: AppTest, column: str) -> list[str]:
    tables = [d.value for d in at.dataframe if column in d.value.columns]
    assert tables, f"no projection table with a column {column!r}"
    return tables[0][column].tolist()
