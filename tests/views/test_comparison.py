"""The District comparison page (AppTest) on the worked example: it renders under every filter
state in both languages, and its league tables show the figures data_access gives."""

from __future__ import annotations

import json

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


def _shown(at: AppTest, first_column: str) -> pd.DataFrame:
    """A table's cells as displayed (formatted text), not its values."""
    styled = next(
        d.proto.arrow_data.styler for d in at.dataframe if d.value.columns[0] == first_column
    )
    return convert_arrow_bytes_to_pandas_df(styled.display_values)


def _chart_elements(at: AppTest) -> list:
    return [e for e in at.main if getattr(e, "type", None) == "vega_lite_chart"]


def _charts(at: AppTest) -> list[list[pd.DataFrame]]:
    """The datasets of every Altair chart on the page."""
    return [
        [convert_arrow_bytes_to_pandas_df(d.data.data) for d in e.proto.datasets]
        for e in _chart_elements(at)
    ]


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("lang", ["en", "hi"])
@pytest.mark.parametrize("state", list(FILTER_STATES))
def test_the_page_renders(worked_store: str, state: str, lang: str) -> None:
    at = open_page(PAGE, {**FILTER_STATES[state], "lang": lang})
    assert not at.exception, at.exception
    header = {"en": "District comparison", "hi": "जिलों की तुलना"}[lang]
    assert any(h.value == header for h in at.header)
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
    assert pd.isna(sukma["ABHA adoption"]), "no registrations: no rate"
    assert list(table.index[:2]) == ["Bastar", "Dakshin Bastar Dantewada"], "ranked by adoption"


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_missing_figures_show_a_dash(worked_store: str) -> None:
    at = open_page(PAGE, JANUARY)
    sukma = _shown(at, "District").set_index("District").loc["Sukma"]
    assert sukma["OPD registrations"] == "0"
    for column in ("ABHA adoption", "95% interval", "Change (pp)", "Change in OPD (%)"):
        assert sukma[column] == "–", column
    bastar = _shown(at, "District").set_index("District").loc["Bastar"]
    assert bastar["ABHA adoption"] == "40.0%"
    assert bastar["Change in OPD"] == "+5", "nothing before the go-live on 10-01-2025"


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_facility_league_matches_data_access(worked_store: str) -> None:
    engine = store_engine(worked_store)
    expected = registration_counts(engine, JANUARY_PERIOD, Scope.of([414]), by=["facility"])
    names = facilities(engine).set_index("facility_id")["name_en"]
    table = _table(open_page(PAGE, {**JANUARY, "district": "414"}), "Facility")
    assert list(table["Facility"]) == [names[F1]], "only the chosen district's facilities"
    assert list(table["Type"]) == ["District hospital"]
    assert list(table["District"]) == ["Bastar"]
    assert table["OPD registrations"].tolist() == expected["opd_registrations"].tolist()
    assert table["ABHA-linked"].tolist() == expected["abha_linked"].tolist()


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_funnel_and_projection_render_for_one_district(worked_store: str) -> None:
    at = open_page(PAGE, {**JANUARY, "district": "414"})
    assert not at.exception, at.exception
    charts = _charts(at)
    assert len(charts) == 3, "ranked bars, funnel plot, monthly trend"
    limits = [frame for chart in charts for frame in chart if "Control limits" in frame.columns]
    assert len(limits) == 1 and len(limits[0]) % 4 == 0, "two curves per level"
    assert len(limits[0]) // 4 >= 30, "a smooth curve: 30 points or more on the log scale"
    verdict = "Against the 99.8% limits"
    points = [frame for chart in charts for frame in chart if verdict in frame.columns]
    assert points and points[0][verdict].tolist() == ["Within"], "5 registrations: chance"
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


def facilities_last(columns: list[str]) -> bool:
    """The facility league: the name first, its type and district after the figures."""
    return columns[0] == "संस्था" and columns[-2:] == ["प्रकार", "जिला"]


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_page_in_hindi(worked_store: str) -> None:
    at = open_page(PAGE, {**JANUARY, "district": "414", "lang": "hi"})
    assert not at.exception, at.exception
    districts = _table(at, "जिला")
    # The name, then adoption and its change first: on a phone they are in view beside it.
    assert districts.columns.tolist() == [
        "जिला",
        "आभा लिंकिंग दर",
        "बदलाव (प्रतिशत अंक)",
        "ओपीडी पंजीयन",
        "आभा से लिंक",
        "ओपीडी में बदलाव",
        "ओपीडी में बदलाव (%)",
        "95% अंतराल",
    ]
    assert facilities_last(_table(at, "संस्था").columns.tolist())
    assert districts["जिला"].tolist() == ["बस्तर"]
    facilities = _table(at, "संस्था")
    assert facilities["प्रकार"].tolist() == ["जिला चिकित्सालय"]
    charts = _charts(at)
    verdict = "99.8% सीमाओं के सापेक्ष"
    points = [frame for chart in charts for frame in chart if verdict in frame.columns]
    assert points[0][verdict].tolist() == ["सीमा के भीतर"]
    assert _projection(at, "60% तक कब") == ["बहुत कम महीने"]


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("lang", ["en", "hi"])
def test_the_funnel_groups_volumes_the_indian_way(worked_store: str, lang: str) -> None:
    at = open_page(PAGE, {**JANUARY, "lang": lang})
    specs = [json.loads(e.proto.spec) for e in _chart_elements(at)]
    funnel = next(
        s
        for s in specs
        if any(layer.get("mark", {}).get("type") == "circle" for layer in s.get("layer", []))
    )
    assert funnel["config"]["locale"]["number"]["grouping"][:2] == [3, 2], "1,23,456"
    x_axes = [layer["encoding"]["x"] for layer in funnel["layer"] if "x" in layer["encoding"]]
    assert all(x["scale"]["type"] == "log" and x["axis"]["format"] == "," for x in x_axes)
